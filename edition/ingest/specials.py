"""Special lines of a plain-text source: headings, contents, tables, notes, dividers.

Each recogniser looks at a line and its neighbourhood; when it claims the line it
closes the open paragraph, emits its blocks, records its rule, and marks any lines it
consumed ahead as used.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

from ..model import Block, BlockKind, Inline, LineBreak, Text
from .contents import CONTENTS_LINE
from .etextmarks import Bracketed
from .lines import LineInfo, LineKind
from .numerals import numeral_titles
from .structure import (
    CHAPTER_LINE,
    DATE_LINE,
    NUMBERED_SECTION,
    chapter_number,
    ends_open,
    ends_sentence,
    heading_rank,
    is_caps_line,
    is_short_unpunctuated,
    is_title_like,
    words,
)

_DIVIDER = re.compile(r"^\s*(?:[*•·~_=\-]\s*){3,}$")
_NON_AUTHORIAL_LINES = (LineKind.NAVIGATION, LineKind.BANNER, LineKind.LINK_DEBRIS,
                        LineKind.SIDEBAR, LineKind.UPDATED)


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


class SpecialLines:
    """Mixin of the layout pass (`text._Layout`)."""

    @property
    def notes_found(self) -> set[str]:
        return set(self._note_index.values()) | {
            b.label for b in self.bracketed.values() if b.kind is BlockKind.NOTE and b.label}

    @cached_property
    def _numeral_titles(self) -> dict[int, int]:
        return numeral_titles(self.infos)

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

    def _contents_list(self, run: list[int]) -> None:
        """A contents list (`contents.find_contents`): its "Contents" line heads it, each
        entry is a list item (role toc)."""
        self._flush_all()
        for pos, i in enumerate(run):
            info = self.infos[i]
            self.used.add(i)
            items = (LineBreak(info.number), Text(info.stripped, info.number))
            if pos == 0 and CONTENTS_LINE.match(info.text):
                self.blocks.append(Block(BlockKind.HEAD, items, level=1, role="toc",
                                         rule="contents-list"))
            else:
                self.blocks.append(Block(BlockKind.LIST_ITEM, items, role="toc",
                                         rule="contents-list"))
        first, last = self.infos[run[0]].number, self.infos[run[-1]].number
        self._cleanup("contents-list", "classified", first,
                      f"lines {first}–{last} name the headings that follow: a contents list "
                      "(list of items), not empty chapters")

    def _bracketed(self, found: Bracketed) -> None:
        """A transcriber's bracketed figure or footnote (`etextmarks.find_bracketed`)."""
        self._flush_all()
        items: list[Inline] = []
        for i, body in zip(found.lines, found.body, strict=True):
            info = self.infos[i]
            self.used.add(i)
            items.append(LineBreak(info.number))
            if body:
                items.extend(self._inline(body, info.number))
        first = self.infos[found.lines[0]]
        if found.kind is BlockKind.FIGURE:  # line breaks first: a caption holds no lb
            caption = [Text(" ", i.line) if isinstance(i, LineBreak) else i for i in items]
            items = [LineBreak(self.infos[i].number) for i in found.lines] + caption[1:]
        self.blocks.append(Block(found.kind, tuple(items), label=found.label,
                                 rule=f"etext-{found.kind.value}"))
        self._cleanup(f"etext-{found.kind.value}", "repaired", first.number,
                      f"the transcriber's bracketed {found.kind.value} encoded as such; its "
                      "brackets and label removed",
                      before=" ".join(self.infos[i].stripped for i in found.lines)[:200])

    def _stanza(self, group: list[int]) -> None:
        """A stanza (`verse.find_stanzas`): each source line is a verse line."""
        self._flush_all()
        items: list[Inline] = []
        for i in group:
            info = self.infos[i]
            self.used.add(i)
            items.append(LineBreak(info.number))
            items.extend(self._inline(info.stripped, info.number))
        self.blocks.append(Block(BlockKind.STANZA, tuple(items), rule="verse-stanza"))
        self._cleanup("verse-stanza", "classified", self.infos[group[0]].number,
                      f"{len(group)} lines set as verse (short or indented lines of uneven "
                      "length): a stanza, its lines kept")

    def _note_label(self, idx: int) -> str | None:
        return self._note_index.get(idx)

    def _chapter_heading(self, idx: int, info: LineInfo) -> None:
        self._flush_all()
        level = 1 if heading_rank(info.stripped) == 0 else self.chapter_level
        para = _Para(BlockKind.HEAD, level=level, rule="chapter-heading")
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
        self.para = _Para(BlockKind.HEAD, level=self.chapter_level + 1 if self.has_chapters else 1,
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
        if (re.fullmatch(r"[IVXLC]{1,7}\.?", s) and chapter_number("chapter " + s.rstrip("."))
                and (idx == 0 or self.infos[idx - 1].kind is not LineKind.TEXT)
                and self._next_text(idx) is not None):
            self._flush_all()  # a bare roman numeral heads a chapter even with text glued on
            self.para = _Para(BlockKind.HEAD, level=self.chapter_level,
                              rule="roman-numeral-heading")
            self._append_line(info)
            if (title := self._numeral_titles.get(idx)) is not None:
                self._append_line(self.infos[title])
                self.used.add(title)
                self._cleanup("numeral-heading-title", "joined", self.infos[title].number,
                              "the title line after a bare numeral heading joined to it")
            self._close_paragraph()
            return True
        if words(s) > 14 or (ends_sentence(s.rstrip("?!")) and not s.endswith(("?", "!"))):
            return False
        if not (is_title_like(s) or (words(s) <= 10 and not ends_sentence(s))):
            return False
        if s.startswith(("“", '"', "‘", "'", "«", "„", "--", "—", "–")):
            return False  # a line of dialogue, not a heading
        nxt_text = self._next_text(idx)
        if s.endswith(("?", "!")) and self.width and nxt_text is not None and (
                nxt_text + 1 >= len(self.infos)
                or self.infos[nxt_text + 1].kind is not LineKind.TEXT):
            return False  # a question answered by a one-line reply: dialogue
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
        self.para = _Para(BlockKind.HEAD, level=self.chapter_level + 1 if self.has_chapters else 1,
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
            if kind in _NON_AUTHORIAL_LINES:
                return True
            if kind is LineKind.TEXT:
                return False
        return False



def _key(text: str) -> str:
    text = re.sub(r"^\s*\d+\.\s*", "", text.lower())
    return " ".join(re.findall(r"\w+", text))


def _keyed(horizon: str) -> str:
    return " ".join(re.findall(r"\w+", horizon))

