"""Plain text (web scrapes, PDF-to-text dumps) -> blocks, with every decision recorded.

The pass walks the labelled lines once, in order, keeping one paragraph open. Page
furniture, blank lines and navigation met inside an open paragraph are held back; when
the next text line arrives the pass decides whether the paragraph goes on (the previous
line ends mid-sentence, or the next begins in lower case) and, if so, the held-back
furniture becomes inline `fw`/`pb` in the rejoined paragraph. Every join, split, removal
and move is a `Cleanup`; source lines stay `LineBreak`s so each word keeps its line.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from ..lexicon import Lexicon
from ..model import (
    Anomaly,
    Block,
    BlockKind,
    Cleanup,
    Furniture,
    Gap,
    Inline,
    Label,
    LineBreak,
    MetaField,
    NoteRef,
    PageBreak,
    Text,
)
from . import Parsed
from .decode import decode_source
from .lines import LineInfo, LineKind, classify_lines
from .structure import (
    CHAPTER_LINE,
    DATE_LINE,
    NUMBERED_SECTION,
    OPEN_QUOTES,
    RUN_IN,
    author_from_byline,
    chapter_number,
    ends_open,
    ends_sentence,
    is_caps_line,
    is_name_line,
    is_short_unpunctuated,
    is_title_like,
    junk_spans,
    metadata_from_line,
    numbering_anomalies,
    words,
)
from .structure_checks import navigation_anomalies, running_title_anomalies

_BOILERPLATE_ROLE = {
    LineKind.NAVIGATION: "navigation",
    LineKind.BANNER: "banner",
    LineKind.LINK_DEBRIS: "link-debris",
    LineKind.SIDEBAR: "sidebar",
}
_NOTE_MARK = re.compile(r"\[(\d{1,3})\]")
_DIVIDER = re.compile(r"^\s*(?:[*•·~_=\-]\s*){3,}$")


def read_text(data: bytes, path: Path | str | None = None) -> Parsed:
    decoded = decode_source(data, path)
    return analyse_text(decoded.text, encoding=decoded.encoding, cleanups=decoded.cleanups,
                        path=path)


def analyse_text(text: str, *, encoding: str, cleanups: tuple[Cleanup, ...] = (),
                 path: Path | str | None = None) -> Parsed:
    """Analyse decoded text; a form feed in it marks a page break (PDF extraction)."""
    raw_lines = text.split("\n")
    infos = classify_lines(raw_lines)
    layout = _Layout(infos, cleanups=list(cleanups))
    layout.run()
    return Parsed(
        lines=tuple(line.replace("\f", "") for line in raw_lines),
        metadata=tuple(layout.metadata),
        blocks=tuple(layout.blocks),
        cleanups=tuple(layout.cleanups),
        anomalies=tuple(sorted(layout.anomalies, key=lambda a: a.line)),
        encoding=encoding,
    )


def wrap_width(infos: list[LineInfo]) -> int:
    """The width a hard-wrapped text was wrapped at, or 0 for one-line paragraphs."""
    lengths = sorted(len(i.text.rstrip()) for i in infos if i.kind is LineKind.TEXT)
    if len(lengths) < 20:
        return 0
    width = lengths[int(len(lengths) * 0.95)]
    near = sum(1 for n in lengths if 0.75 * width <= n <= width)
    return width if width <= 160 and near >= 0.4 * len(lengths) else 0


@dataclass
class _Para:
    kind: BlockKind
    items: list[Inline] = field(default_factory=list)
    level: int = 0
    role: str = ""
    label: str = ""
    rule: str = ""
    last_text: str = ""
    last_len: int = 0


class _Layout:
    def __init__(self, infos: list[LineInfo], cleanups: list[Cleanup]) -> None:
        self.infos = infos
        self.width = wrap_width(infos)
        self.blocks: list[Block] = []
        self.cleanups = cleanups
        self.anomalies: list[Anomaly] = []
        self.metadata: list[MetaField] = []
        self.para: _Para | None = None
        self.held: list[LineInfo] = []  # blank lines and furniture met inside a paragraph
        self.used: set[int] = set()  # indices consumed by look-ahead rules
        self.chapters: list[tuple[int, int]] = []
        self.has_chapters = any(CHAPTER_LINE.match(i.text) and chapter_number(i.text)
                                for i in infos if i.kind is LineKind.TEXT)
        self.note_marks = {m.group(1) for i in infos for m in _NOTE_MARK.finditer(i.text)}
        self.lexicon = Lexicon.for_texts(i.text for i in infos if i.kind is LineKind.TEXT)
        self.junk_cache: dict[str, int] = {}  # token -> junk score: tokens repeat (Zipf)

    # --- driver -------------------------------------------------------------------

    def run(self) -> None:
        self._front_matter()
        for idx, info in enumerate(self.infos):
            if idx in self.used:
                continue
            if info.kind is LineKind.TEXT:
                self._text_line(idx, info)
            else:
                self._non_text(info)
        self._close_paragraph()
        self._release_held()
        self.anomalies += numbering_anomalies(self.chapters)
        self.anomalies += running_title_anomalies(self.infos, self.chapters)
        self.anomalies += navigation_anomalies(self.infos, self.blocks)
        self._derived_metadata()

    # --- front matter -------------------------------------------------------------

    def _front_matter(self) -> None:
        """Metadata lines before the first prose paragraph or heading move to the header."""
        title_seen = author_seen = False
        for idx, info in enumerate(self.infos):
            if info.kind is not LineKind.TEXT:
                continue
            s = info.stripped
            if CHAPTER_LINE.match(s) or words(s) > 16 or NUMBERED_SECTION.match(s):
                break
            fields = metadata_from_line(info.text, info.number)
            if not fields and not author_seen and is_name_line(s):
                fields, author_seen = (MetaField("author", s, info.number, info.text),), True
            elif not fields and not title_seen and (is_title_like(s, 16) or (
                    is_short_unpunctuated(s, 14) and self._stands_alone(idx)
                    and self._prose_follows(idx))):
                fields, title_seen = (MetaField("title", s, info.number, info.text),), True
            elif (not fields and title_seen and words(s) <= 12 and not ends_sentence(s)
                  and self._stands_alone(idx)):
                fields = (MetaField("subtitle", s, info.number, info.text),)
            if not fields:
                break
            self.metadata.extend(fields)
            self.used.add(idx)
            self.cleanups.append(Cleanup(
                "front-matter", "moved", info.number,
                "moved into the teiHeader as " + ", ".join(f.name for f in fields),
                before=info.text))

    def _stands_alone(self, idx: int) -> bool:
        """The line is not the start of a wrapped paragraph: a blank, furniture or a
        byline comes next, not more text of the same group."""
        nxt = idx + 1
        if nxt >= len(self.infos) or self.infos[nxt].kind is not LineKind.TEXT:
            return True
        following = self.infos[nxt].stripped
        return bool(metadata_from_line(following, 0)) or is_name_line(following)

    def _prose_follows(self, idx: int) -> bool:
        """A prose paragraph (not a heading) comes within the next few lines."""
        group = 0
        for info in self.infos[idx + 1:idx + 10]:
            if info.kind is LineKind.TEXT:
                group += words(info.text)
                if group > 16:
                    return True
            else:
                group = 0
        return False

    def _derived_metadata(self) -> None:
        """Title and author inferred from the text where no front matter gave them.

        Derived fields have no `raw`: their lines stay where they are in the text.
        """
        names = {f.name for f in self.metadata}
        for block in self.blocks[:8]:
            if "author" in names or block.kind is not BlockKind.P:
                continue
            if (found := author_from_byline(block.text, block.first_line)) is not None:
                self.metadata.append(found)
                names.add("author")
        titles = Counter(re.split(r"\s*[:|–—-]\s*(?:chapter|part|section)\b", i.stripped,
                                  flags=re.I)[0]
                         for i in self.infos if i.kind is LineKind.RUNNING_TITLE)
        banner = [b for b in self.blocks if b.kind is BlockKind.BOILERPLATE and b.role == "banner"]
        if "title" not in names and titles:
            title, count = titles.most_common(1)[0]
            line = next(i.number for i in self.infos if i.kind is LineKind.RUNNING_TITLE
                        and i.stripped.startswith(title))
            if count >= 2 and title:
                self.metadata.append(MetaField("title", title, line, ""))
                names.add("title")
        for first, second in itertools.pairwise(banner):
            m = re.fullmatch(r"(.+?)[’']s", first.text)
            if m and is_name_line(m.group(1)) and "author" not in names:
                self.metadata.append(MetaField("author", m.group(1), first.first_line, ""))
                names.add("author")
                if "title" not in names:
                    self.metadata.append(MetaField("title", second.text, second.first_line, ""))
                    names.add("title")

    # --- text lines -----------------------------------------------------------------

    def _text_line(self, idx: int, info: LineInfo) -> None:
        s = info.stripped
        if any(h.rule == "nav-back-on-to" for h in self.held):
            self._flush_all()  # navigation between pages ends the division
            if idx in self.used:
                return
        after_break = self._after_break()
        glued_heading = bool(CHAPTER_LINE.match(s)) and words(s) <= 4 and (
            chapter_number(s) is not None or s.isupper())
        may_be_special = (after_break or glued_heading or self.para is None
                          or self.para.kind is not BlockKind.P)
        if may_be_special and self._special(idx, info):
            return
        if (self.para is not None and self.para.kind in (BlockKind.P, BlockKind.QUOTE)
                and self._continues(info, after_break)):
            self._append_line(info)
            return
        self._close_paragraph()
        self._release_held()
        kind = BlockKind.P
        if s.startswith(OPEN_QUOTES) and _closes_quote(s) and not self.width:
            kind = BlockKind.QUOTE
        self.para = _Para(kind, rule="quote-whole-paragraph" if kind is BlockKind.QUOTE else "")
        self._append_line(info, run_in=True)

    def _after_break(self) -> bool:
        return bool(self.held) or self.para is None

    def _continues(self, info: LineInfo, after_break: bool) -> bool:
        para = self.para
        assert para is not None
        s = info.stripped
        starts_lower = s[:1].islower()
        if not after_break:
            if not self.width:  # one line per paragraph: a new line is a new paragraph
                if not ends_sentence(para.last_text) and starts_lower:
                    self._cleanup("line-rejoin", "joined", info.number,
                                  "line break inside a sentence joined")
                    return True
                return False
            short = para.last_len < 0.7 * self.width
            if short and ends_sentence(para.last_text):
                self._cleanup("para-split-short-line", "split", info.number,
                              "a short line ending a sentence closes the paragraph "
                              "(paragraphs glued without a blank line)")
                return False
            return True
        if ends_sentence(para.last_text) and not starts_lower:
            return False
        if not starts_lower and not self.width:
            return False
        if words(s) <= 12 and not starts_lower and is_title_like(s):
            return False
        between = [h.number for h in self.held]
        furniture = [h for h in self.held if h.kind is not LineKind.BLANK]
        if not furniture and len(between) >= 2:
            self.anomalies.append(Anomaly(
                "breaks-and-resumes", info.number,
                f"the text breaks off at line {between[0] - 1} and resumes mid-sentence at line "
                f"{info.number} after {len(between)} blank lines: a passage may be lost here",
                evidence=f"{para.last_text[-40:]} … {s[:40]}", cause="lacuna"))
        self._cleanup("para-rejoin", "joined", info.number,
                      f"paragraph rejoined across line(s) {between[0]}–{between[-1]} "
                      f"({'page furniture and ' if furniture else ''}blank lines): the "
                      "previous line ends mid-sentence")
        for held in self.held:
            self._inline_furniture(held)
        self.held = []
        return True

    def _append_line(self, info: LineInfo, run_in: bool = False) -> None:
        para = self.para
        assert para is not None
        text = info.text.rstrip()
        lead = len(text) - len(text.lstrip())
        joined = bool(para.items) and para.last_text.endswith("-") and text.lstrip()[:1].islower()
        if joined and para.items and isinstance(para.items[-1], Text):
            last = para.items[-1]
            para.items[-1] = Text(last.text[:-1], last.line)
            self._cleanup("dehyphenate", "joined", info.number,
                          "word hyphenated at the line end joined", before="-")
        para.items.append(LineBreak(info.number, joined=joined,
                                    rule="dehyphenate" if joined else ""))
        body = text[lead:]
        if run_in and (m := RUN_IN.match(body)) and words(m.group("label")) <= 12:
            para.items.append(Label(m.group("label") + ":", info.number))
            self._cleanup("run-in-heading", "classified", info.number,
                          "capitalised run-in heading marked as label", before=m.group("label"))
            body = body[m.end("label") + 1:]
        para.items.extend(self._inline(body, info.number))
        para.last_text = text
        para.last_len = len(text)

    def _inline(self, text: str, line: int) -> list[Inline]:
        """Text with junk spans as gaps and note markers as references."""
        items: list[Inline] = []
        pos = 0
        for span in junk_spans(text, self.lexicon, self.junk_cache):
            if span.start > pos:
                items.extend(self._with_note_refs(text[pos:span.start], line))
            items.append(Gap(text[span.start:span.end], line, rule="pdf-junk"))
            self._cleanup("pdf-junk", "removed", line,
                          "extraction junk recorded as gap", before=text[span.start:span.end])
            pos = span.end
        if pos < len(text):
            items.extend(self._with_note_refs(text[pos:], line))
        return items

    def _with_note_refs(self, text: str, line: int) -> list[Inline]:
        items: list[Inline] = []
        pos = 0
        for m in _NOTE_MARK.finditer(text):
            if m.group(1) not in self.notes_found:
                continue
            if m.start() > pos:
                items.append(Text(text[pos:m.start()], line))
            items.append(NoteRef(m.group(1), line, m.group(0)))
            pos = m.end()
        if pos < len(text):
            items.append(Text(text[pos:], line))
        return items

    @property
    def notes_found(self) -> set[str]:
        return set(self._note_index.values())

    @cached_property
    def _note_index(self) -> dict[int, str]:
        return {idx: label for label, idx in self._note_lines()}

    def _note_lines(self) -> list[tuple[str, int]]:
        """Footnote bodies: 'N. text' lines after the main text whose marker [N] occurs."""
        found = []
        for idx, info in enumerate(self.infos):
            m = re.match(r"^\s*(\d{1,3})\.\s+\S", info.text)
            if (info.kind is LineKind.TEXT and m and m.group(1) in self.note_marks
                    and words(info.text) >= 8 and idx > len(self.infos) * 0.5
                    and self._blank_run_before(idx) >= 2):
                found.append((m.group(1), idx))
        return found

    def _blank_run_before(self, idx: int) -> int:
        n = 0
        while idx - 1 - n >= 0 and self.infos[idx - 1 - n].kind is LineKind.BLANK:
            n += 1
        return n

    # --- special lines: headings, contents, tables, notes, dividers ---------------------

    def _special(self, idx: int, info: LineInfo) -> bool:
        s = info.stripped
        if _DIVIDER.match(s):
            self._flush_all()
            items = (LineBreak(info.number), Text(s, info.number))
            self.blocks.append(Block(BlockKind.DIVIDER, items, rule="divider"))
            return True
        if (label := self._note_label(idx)) is not None:
            self._flush_all()
            self.para = _Para(BlockKind.NOTE, label=label, rule="footnote-body")
            self._append_line(info)
            self._close_paragraph()
            return True
        m = CHAPTER_LINE.match(s)
        if (m and words(s) <= 12 and not ends_sentence(s.rstrip("."))) or (m and s.isupper()):
            self._chapter_heading(idx, info)
            return True
        m = NUMBERED_SECTION.match(s)
        if m and (m.group("title") is None or is_title_like(m.group("title"))):
            self._numbered_heading(idx, info)
            return True
        if self._table(idx):
            return True
        if DATE_LINE.match(s) and (self._next_text(idx) is None or self._before_boilerplate(idx)
                                   or self._before_chapter_line(idx)):
            self._flush_all()
            self.blocks.append(Block(BlockKind.CLOSER, (LineBreak(info.number),
                                                         Text(s, info.number)),
                                     role="dateline", rule="dateline"))
            return True
        return self._standalone_heading(idx, info)

    def _note_label(self, idx: int) -> str | None:
        return self._note_index.get(idx)

    def _chapter_heading(self, idx: int, info: LineInfo) -> None:
        self._flush_all()
        para = _Para(BlockKind.HEAD, level=1, rule="chapter-heading")
        self.para = para
        self._append_line(info)
        if (num := chapter_number(info.stripped)) is not None:
            self.chapters.append((num, info.number))
        has_title = bool(CHAPTER_LINE.match(info.stripped).group("rest").strip())  # type: ignore[union-attr]
        # title lines in the same group, or a capitalised group right after
        j = idx + 1
        taken = 0
        caps_mode = False
        while j < len(self.infos) and taken < 5:
            nxt = self.infos[j]
            if nxt.kind is LineKind.BLANK:
                if taken or has_title:
                    break
                j += 1
                continue
            if nxt.kind is not LineKind.TEXT:
                break
            same_group = self.infos[j - 1].kind is not LineKind.BLANK
            s = nxt.stripped
            if is_caps_line(s) and (caps_mode or not taken):
                caps_mode = True  # a capitalised title: only capitalised lines follow
            elif caps_mode or not (same_group and is_title_like(s) and not has_title
                                   and not NUMBERED_SECTION.match(s)):
                break
            self._append_line(nxt)
            self.used.add(j)
            taken += 1
            j += 1
        self._close_paragraph()
        self._contents_after(j)

    def _contents_after(self, start: int) -> None:
        """Title-like lines right after a chapter heading that name its later sections."""
        entries: list[int] = []
        j = start
        while j < len(self.infos):
            info = self.infos[j]
            if info.kind is LineKind.BLANK:
                j += 1
                continue
            if info.kind is not LineKind.TEXT:
                break
            s = info.stripped
            if (NUMBERED_SECTION.match(s) or not is_short_unpunctuated(s, 16)
                    or CHAPTER_LINE.match(s) or self._long_line_follows(j)):
                break
            entries.append(j)
            j += 1
        if not entries:
            return
        horizon = _keyed("\n".join(i.text.lower() for i in self.infos[j:j + 4000]))
        matched = sum(1 for e in entries
                      if _key(self.infos[e].text) and _key(self.infos[e].text) in horizon)
        if matched == 0:
            return
        for e in entries:
            info = self.infos[e]
            self.used.add(e)
            self.blocks.append(Block(BlockKind.BOILERPLATE,
                                     (LineBreak(info.number), Text(info.text.strip(), info.number)),
                                     role="toc", rule="toc-after-chapter-heading"))
            self._cleanup("toc-after-chapter-heading", "removed", info.number,
                          "table-of-contents entry (names a later section heading) recorded "
                          "as boilerplate", before=info.text)

    def _numbered_heading(self, idx: int, info: LineInfo) -> None:
        self._flush_all()
        self.para = _Para(BlockKind.HEAD, level=2 if self.has_chapters else 1,
                          rule="numbered-section-heading")
        self._append_line(info)
        m = NUMBERED_SECTION.match(info.stripped)
        last = info.stripped
        j = idx + 1
        taken = 0
        while j < len(self.infos) and taken < 4:
            blanks = 0
            while j < len(self.infos) and self.infos[j].kind is LineKind.BLANK:
                j, blanks = j + 1, blanks + 1
            if j >= len(self.infos) or self.infos[j].kind is not LineKind.TEXT:
                break
            s = self.infos[j].stripped
            bare = m is not None and m.group("title") is None and taken == 0
            short = words(s) <= 14 and (is_short_unpunctuated(s) or s.endswith(","))
            if not short or (blanks and not (bare or ends_open(last))):
                break
            if not bare and not ends_open(last) and not s[:1].islower():
                break
            self._append_line(self.infos[j])
            self.used.add(j)
            last, taken, j = s, taken + 1, j + 1
        self._close_paragraph()

    def _standalone_heading(self, idx: int, info: LineInfo) -> bool:
        s = info.stripped
        if words(s) > 14 or (ends_sentence(s.rstrip("?!")) and not s.endswith(("?", "!"))):
            return False
        if not (is_title_like(s) or (words(s) <= 10 and not ends_sentence(s))):
            return False
        prev_blank = idx == 0 or self.infos[idx - 1].kind is not LineKind.TEXT
        next_blank = idx + 1 >= len(self.infos) or self.infos[idx + 1].kind is not LineKind.TEXT
        nxt = self._next_text(idx)
        if not (prev_blank and next_blank) or nxt is None:
            return False
        if words(self.infos[nxt].text) < 12 and not self.width:
            return False
        if self.para is not None and not ends_sentence(self.para.last_text) and not self.held:
            return False
        self._flush_all()
        self.para = _Para(BlockKind.HEAD, level=2 if self.has_chapters else 1,
                          rule="standalone-short-line-heading")
        self._append_line(info)
        self._close_paragraph()
        return True

    def _table(self, idx: int) -> bool:
        """A run of 6+ short line groups, many of them numeric: a flattened table."""
        groups: list[list[int]] = []
        j = idx
        while j < len(self.infos):
            info = self.infos[j]
            if info.kind is LineKind.BLANK:
                j += 1
                continue
            if info.kind is not LineKind.TEXT or words(info.text) > 9 or (
                    ends_sentence(info.stripped) and words(info.text) > 3
                    and not re.search(r"\d", info.text)):
                break
            group = []
            while j < len(self.infos) and self.infos[j].kind is LineKind.TEXT and words(
                    self.infos[j].text) <= 9:
                group.append(j)
                j += 1
            groups.append(group)
        lines = [i for g in groups for i in g]
        numeric = sum(1 for i in lines if re.search(r"\d", self.infos[i].text))
        if len(groups) < 6 or numeric < 0.25 * len(lines):
            return False
        self._flush_all()
        for group in groups:
            items: list[Inline] = []
            for i in group:
                info = self.infos[i]
                items += [LineBreak(info.number), Text(info.text.strip(), info.number)]
                self.used.add(i)
            self.blocks.append(Block(BlockKind.TABLE_ROW, tuple(items), role="table",
                                     rule="flattened-table"))
        self._cleanup("flattened-table", "classified", self.infos[lines[0]].number,
                      f"{len(groups)} groups of short numeric lines read as table rows "
                      f"(lines {self.infos[lines[0]].number}–{self.infos[lines[-1]].number})")
        return True

    def _long_line_follows(self, idx: int) -> bool:
        nxt = idx + 1
        return (nxt < len(self.infos) and self.infos[nxt].kind is LineKind.TEXT
                and words(self.infos[nxt].text) > 12)

    def _next_text(self, idx: int) -> int | None:
        for j in range(idx + 1, min(len(self.infos), idx + 12)):
            if self.infos[j].kind is LineKind.TEXT:
                return j
            if self.infos[j].kind is not LineKind.BLANK:
                return None
        return None

    def _before_chapter_line(self, idx: int) -> bool:
        nxt = idx + 1
        return (nxt < len(self.infos) and self.infos[nxt].kind is LineKind.TEXT
                and bool(CHAPTER_LINE.match(self.infos[nxt].stripped))
                and words(self.infos[nxt].text) <= 4)

    def _before_boilerplate(self, idx: int) -> bool:
        for j in range(idx + 1, min(len(self.infos), idx + 6)):
            kind = self.infos[j].kind
            if kind in _BOILERPLATE_ROLE or kind is LineKind.UPDATED:
                return True
            if kind is LineKind.TEXT:
                return False
        return False

    # --- non-text lines -----------------------------------------------------------------

    def _non_text(self, info: LineInfo) -> None:
        if info.kind is LineKind.UPDATED:
            self.metadata.append(MetaField("last_updated", _after_colon(info.stripped),
                                           info.number, info.text))
            self._cleanup("last-updated", "moved", info.number,
                          "'last updated' line moved into the teiHeader", before=info.text)
            return
        if self.para is not None:
            self.held.append(info)  # decide when the next text line comes
            return
        self._emit_non_text(info)

    def _emit_non_text(self, info: LineInfo) -> None:
        if info.kind is LineKind.BLANK:
            return
        if info.kind in _BOILERPLATE_ROLE:
            self.blocks.append(Block(BlockKind.BOILERPLATE,
                                     (LineBreak(info.number), Text(info.stripped, info.number)),
                                     role=_BOILERPLATE_ROLE[info.kind], rule=info.rule))
            self._cleanup(info.rule, "removed", info.number,
                          f"{_BOILERPLATE_ROLE[info.kind]} recorded as note type=boilerplate",
                          before=info.text)
            if info.rule == "nav-back-on-to":
                self._contents_after(info.number)  # a part whose heading was lost
            return
        for item in self._furniture_items(info):
            if isinstance(item, PageBreak):
                self.blocks.append(Block(BlockKind.PAGE_BREAK, (item,), rule=info.rule))
            else:
                self.blocks.append(Block(BlockKind.FURNITURE, (item,), role=item.kind,  # type: ignore[union-attr]
                                         rule=info.rule))

    def _furniture_items(self, info: LineInfo) -> list[Inline]:
        self._cleanup(info.rule or "page-furniture", "removed", info.number,
                      f"{info.kind} recorded as fw", before=info.text)
        if info.kind is LineKind.FOOTER_URL:
            return [Furniture("footer", info.stripped, info.number, info.rule),
                    PageBreak(info.page, info.number, url=info.url, of=info.of)]
        kind = "pageNum" if info.kind is LineKind.PAGE_NUMBER else "header"
        return [Furniture(kind, info.stripped, info.number, info.rule)]

    def _inline_furniture(self, info: LineInfo) -> None:
        assert self.para is not None
        if info.kind is LineKind.BLANK:
            return
        if info.kind in _BOILERPLATE_ROLE:  # navigation inside a paragraph: keep it as fw
            self.para.items.append(Furniture("navigation", info.stripped, info.number, info.rule))
            self._cleanup(info.rule, "removed", info.number,
                          "navigation inside a paragraph recorded as fw", before=info.text)
            return
        self.para.items.extend(self._furniture_items(info))

    # --- flushing -------------------------------------------------------------------

    def _close_paragraph(self) -> None:
        para = self.para
        self.para = None
        if para is None or not para.items:
            return
        self.blocks.append(Block(para.kind, tuple(para.items), level=para.level, role=para.role,
                                 label=para.label, rule=para.rule))

    def _release_held(self) -> None:
        held, self.held = self.held, []
        for info in held:
            self._emit_non_text(info)

    def _flush_all(self) -> None:
        if self.para is not None and self.para.kind is BlockKind.P and not ends_sentence(
                self.para.last_text) and self.para.last_text:
            self.anomalies.append(Anomaly(
                "breaks-off", self.para.items[-1].line if hasattr(self.para.items[-1], "line")
                else 0,  # type: ignore[union-attr]
                "the text breaks off mid-sentence before a heading or new part",
                evidence=self.para.last_text[-60:], cause="lacuna"))
        self._close_paragraph()
        self._release_held()

    def _cleanup(self, rule: str, action: str, line: int, detail: str, before: str = "",
                 after: str = "") -> None:
        self.cleanups.append(Cleanup(rule, action, line, detail, before, after))


def _closes_quote(s: str) -> bool:
    """The paragraph is one quotation: its first closing mark ends it (a citation may follow)."""
    m = re.search(r"[”»]|(?<=.)\"", s[1:])
    if not m:
        return False
    rest = s[1 + m.end():]
    return bool(re.fullmatch(r"[.,;:!?)]*(?:\s*\([^)]{0,80}\)[.;]?)?\s*", rest))


def _after_colon(text: str) -> str:
    m = re.search(r"(?:updated|modified)(?:\s+on)?\s*:?\s*(.*)$", text, re.I)
    return m.group(1).strip() if m else text


def _key(text: str) -> str:
    text = re.sub(r"^\s*\d+\.\s*", "", text.lower())
    return " ".join(re.findall(r"\w+", text))


def _keyed(horizon: str) -> str:
    return " ".join(re.findall(r"\w+", horizon))
