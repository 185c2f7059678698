"""Plain text (web scrapes, PDF-to-text dumps) -> blocks, with every decision recorded.

The pass walks the labelled lines once, in order, keeping one paragraph open. Page
furniture, blank lines and navigation met inside an open paragraph are held back; when
the next text line arrives the pass decides whether the paragraph goes on (the previous
line ends mid-sentence, or the next begins in lower case) and, if so, the held-back
furniture becomes inline `fw`/`pb` in the rejoined paragraph. Every join, split, removal
and move is a `Cleanup`; source lines stay `LineBreak`s so each word keeps its line.
"""

from __future__ import annotations

import html
import re
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
from .contents import find_contents
from .decode import decode_source
from .etext import find_frame
from .etextmarks import find_bracketed, mark_emphasis
from .frontmatter import FrontMatter
from .junk import junk_spans
from .lines import LineInfo, LineKind, classify_lines
from .parabreak import opens_paragraph, paragraph_indent, wrap_width
from .parsed import Parsed
from .specials import SpecialLines, _Para
from .structure import (
    CHAPTER_LINE,
    OPEN_QUOTES,
    RUN_IN,
    after_colon,
    chapter_number,
    closes_quote,
    ends_sentence,
    heading_rank,
    is_title_like,
    numbering_anomalies,
    words,
)
from .structure_checks import navigation_anomalies, running_title_anomalies
from .titlepage import mark_title_page
from .verse import find_stanzas

_BOILERPLATE_ROLE = {
    LineKind.NAVIGATION: "navigation",
    LineKind.BANNER: "banner",
    LineKind.LINK_DEBRIS: "link-debris",
    LineKind.SIDEBAR: "sidebar",
}
_ENTITY = re.compile(r"&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_NOTE_MARK = re.compile(r"\[(\d{1,3}|[A-Z*†‡])\]")
_DIVIDER = re.compile(r"^\s*(?:[*•·~_=\-]\s*){3,}$")


def read_text(data: bytes, path: Path | str | None = None) -> Parsed:
    decoded = decode_source(data, path)
    return analyse_text(decoded.text, encoding=decoded.encoding, cleanups=decoded.cleanups,
                        path=path)


def analyse_text(text: str, *, encoding: str, cleanups: tuple[Cleanup, ...] = (),
                 path: Path | str | None = None) -> Parsed:
    """Analyse decoded text; a form feed in it marks a page break (PDF extraction)."""
    raw_lines = text.split("\n")
    frame = find_frame([line.replace("\f", "") for line in raw_lines])
    infos = classify_lines(raw_lines, frame.lines if frame else frozenset())
    layout = _Layout(infos, cleanups=list(cleanups))
    if frame is not None:  # the distributor's header first, its licence last
        layout.blocks += frame.before
        layout.metadata += frame.metadata
        layout.cleanups += frame.cleanups
    layout.run()
    layout.blocks, title_page = mark_title_page(layout.blocks)
    layout.cleanups += title_page
    if frame is not None:
        layout.blocks += frame.after
    layout.blocks, emphasis = mark_emphasis(layout.blocks)
    layout.cleanups += emphasis
    return Parsed(
        lines=tuple(line.replace("\f", "") for line in raw_lines),
        metadata=tuple(layout.metadata),
        blocks=tuple(layout.blocks),
        cleanups=tuple(layout.cleanups),
        anomalies=tuple(sorted(layout.anomalies, key=lambda a: a.line)),
        encoding=encoding,
        language=(frame.language if frame else "") or "en",
    )


class _Layout(FrontMatter, SpecialLines):
    def __init__(self, infos: list[LineInfo], cleanups: list[Cleanup]) -> None:
        self.infos = infos
        self.width = wrap_width(infos)
        self.para_indent = paragraph_indent(infos)
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
        ranks = {heading_rank(i.text) for i in infos if i.kind is LineKind.TEXT
                 and CHAPTER_LINE.match(i.text) and words(i.text) <= 12}
        self.chapter_level = 2 if ranks == {0, 1} else 1  # books hold chapters
        self.bracketed = find_bracketed(infos)  # [Illustration: ...], [Footnote 1: ...]
        self.note_marks = {m.group(1) for i in infos for m in _NOTE_MARK.finditer(i.text)}
        self.lexicon = Lexicon.for_texts(i.text for i in infos if i.kind is LineKind.TEXT)
        self.junk_cache: dict[str, int] = {}  # token -> junk score: tokens repeat (Zipf)

    # --- driver -------------------------------------------------------------------

    def run(self) -> None:
        contents = find_contents(self.infos)
        self.used.update(i for run in contents.values() for i in run[1:])
        self._front_matter()
        stanzas = find_stanzas(self.infos, self.width, self.used)
        for idx, info in enumerate(self.infos):
            if idx in contents:
                self._contents_list(contents[idx])
                continue
            if idx in self.bracketed and idx not in self.used:
                self._bracketed(self.bracketed[idx])
                continue
            if idx in stanzas and idx not in self.used:
                self._stanza(stanzas[idx])
                continue
            if idx in self.used or info.kind is LineKind.FRAME:
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
        if s.startswith(OPEN_QUOTES) and closes_quote(s) and not self.width:
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
            if rule := opens_paragraph(para.last_text, info.text, self.para_indent):
                self._cleanup(rule, "split", info.number, "an indented first line opens a "
                              "paragraph" if rule == "para-split-indent" else "a new speech "
                              "after a line ending with a closing quote opens a paragraph")
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
        """Text with junk spans and entity debris as gaps, note markers as references."""
        text = self._repair_entities(text, line)
        items: list[Inline] = []
        pos = 0
        spans = [(s.start, s.end, "pdf-junk") for s in junk_spans(text, self.lexicon,
                                                                   self.junk_cache)]
        spans += [(m.start(), m.end(), "entity-debris") for m in _ENTITY.finditer(text)
                  if not any(a <= m.start() < b for a, b, _ in spans)]
        for start, end, rule in sorted(spans):
            if start > pos:
                items.extend(self._with_note_refs(text[pos:start], line))
            reason = "illegible" if rule == "pdf-junk" else "entity-debris"
            items.append(Gap(text[start:end], line, reason=reason, rule=rule))
            self._cleanup(rule, "removed", line, f"{reason} recorded as gap",
                          before=text[start:end])
            pos = end
        if pos < len(text):
            items.extend(self._with_note_refs(text[pos:], line))
        return items

    def _repair_entities(self, text: str, line: int) -> str:
        """Known HTML entities left as text are the characters they stand for (recorded);
        unknown or garbled ones stay for `_inline` to keep as gaps."""
        def repair(m: re.Match[str]) -> str:
            char = html.unescape(m.group())
            return char if char != m.group() else m.group()

        fixed = _ENTITY.sub(repair, text)
        if fixed != text:
            self._cleanup("entity-debris", "repaired", line,
                          "HTML entities left as text replaced by their characters",
                          before=text, after=fixed)
        return fixed

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

    # --- non-text lines -----------------------------------------------------------------

    def _non_text(self, info: LineInfo) -> None:
        if info.kind is LineKind.UPDATED:
            self.metadata.append(MetaField("last_updated", after_colon(info.stripped),
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
        kind = para.kind
        if not any(isinstance(i, Text | Label) and i.text.strip() for i in para.items):
            kind = BlockKind.GAP  # nothing but junk or debris: not a paragraph
        self.blocks.append(Block(kind, tuple(para.items), level=para.level, role=para.role,
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

