"""PDF rows -> blocks: paragraphs, headings, footnotes, page breaks and furniture, in order.

The pass walks the pages in reading order keeping one paragraph open. A row goes on the
open paragraph unless the layout says a new one starts: a wider gap than the text's line
pitch, a first-line indent, or a short line ending a sentence before it (a row in lower
case always goes on). A paragraph that runs over a page keeps the page's foot, `pb` and
head inline as `fw`/`pb`; the page's footnotes follow the paragraph. A word hyphenated at a
line end is joined (the hyphen dropped when the whole word is known, kept for compounds);
every join, furniture row and footnote is a `Cleanup`.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from ..lexicon import Lexicon
from ..model import (
    Block,
    BlockKind,
    Cleanup,
    Furniture,
    Inline,
    LineBreak,
    NoteRef,
    PageBreak,
    Text,
)
from ..model import MetaField as MetaField
from .pdflayout import Page, Row, glued
from .pdfpage import Geometry, is_note_start, note_label
from .structure import DATE_LINE, ends_sentence, is_caps_line, is_title_like, words

FURNITURE = ("header", "footer", "pageNum", "lineNum")
_RULES = {"header": "pdf-running-head", "footer": "pdf-running-foot",
          "pageNum": "pdf-page-number", "lineNum": "pdf-line-number"}
_ID_SAFE = re.compile(r"^[A-Za-z0-9]+$")


@dataclass
class _Open:
    kind: BlockKind
    items: list[Inline] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    label: str = ""
    rule: str = ""


class PdfBlocks:
    """Builds the blocks of a document from its classified pages (rows numbered already)."""

    def __init__(self, pages: list[Page], order: dict[int, list[Row]], printed: dict[int, str],
                 geo: Geometry, texts: list[str]) -> None:
        self.pages, self.order, self.printed, self.geo = pages, order, printed, geo
        self.lexicon = Lexicon.for_texts(texts)
        self.corpus = Counter(w.lower() for t in texts for w in re.findall(r"[\w\-]+", t))
        self.out: list[Block | _Open] = []
        self.cleanups: list[Cleanup] = []
        self.para: _Open | None = None
        self.held: list[Inline] = []  # page breaks and furniture met inside a paragraph
        self.notes_waiting: list[_Open] = []
        self.last_note: _Open | None = None
        self.labels = self._note_labels()
        self.used_labels: set[str] = set()

    # --- driver --------------------------------------------------------------------

    def run(self) -> list[Block]:
        for page in self.pages:
            rows = self.order[page.number]
            self._hold(PageBreak(self.printed.get(page.number, str(page.number)),
                                 rows[0].line if rows else 0))
            for row in rows:
                if row.role in FURNITURE:
                    self._furniture(row)
                elif row.role == "note":
                    self._note_row(row)
                else:
                    self._body_row(row)
        self._close()
        self._release()
        return [b if isinstance(b, Block) else self._block(b) for b in self.out]

    # --- body ----------------------------------------------------------------------

    def _body_row(self, row: Row) -> None:
        para = self.para
        if para is not None and para.kind is BlockKind.P and self._continues(para.rows[-1], row):
            self._append(para, row)
            return
        self._close()
        self._release()
        self.para = _Open(BlockKind.P)
        self._append(self.para, row)

    def _continues(self, prev: Row, row: Row) -> bool:
        size = max(self.geo.size, 6)
        first = row.plain[0].text if row.plain else ""
        if first[:1].islower():
            return self._rejoin(prev, row)
        if prev.page == row.page and row.top > prev.top:
            if row.bottom - prev.bottom > 1.45 * self.geo.pitch:
                return False
            if row.x0 > prev.x0 + 0.8 * size and not self._bullet(prev):
                return False
        elif row.x0 > self._left(row) + 0.8 * size:
            return False
        right, width = self._measure(prev)
        short = prev.x1 < right - 0.1 * width
        if short and (ends_sentence(prev.text) or prev.x1 - prev.x0 < 0.6 * width
                      or prev.x0 > row.x0 + 0.8 * size or is_title_like(prev.text, 12)):
            return False
        return self._rejoin(prev, row)

    def _bullet(self, prev: Row) -> bool:
        """The first row of a list item opened by a bullet: its next rows hang indented."""
        first = prev.words[0].text
        return (self.para is not None and self.para.rows[:1] == [prev] and len(first) == 1
                and not first.isalnum() and first not in "\"'“‘([")

    def _rejoin(self, prev: Row, row: Row) -> bool:
        if prev.page != row.page:
            self._cleanup("pdf-page-rejoin", "joined", row.line,
                          f"paragraph goes on from page {prev.page} to page {row.page}: "
                          "the page's foot, page break and head kept inline")
        return True

    def _left(self, row: Row) -> float:
        """The left edge of the text column the row stands in (its commonest start)."""
        same = [r.x0 for r in self.order[row.page]
                if r.role == "body" and r.x0 < row.x1 and r.x1 > row.x0]
        return Counter(round(x) for x in same).most_common(1)[0][0] if same else row.x0

    def _measure(self, row: Row) -> tuple[float, float]:
        same = [r for r in self.order[row.page]
                if r.role == row.role and r.x0 < row.x1 and r.x1 > row.x0]
        right = max(r.x1 for r in same)
        return right, right - min(r.x0 for r in same)

    def _append(self, block: _Open, row: Row) -> None:
        joined, rule = False, ""
        words = list(row.words)
        if block.rows and block.items and isinstance(block.items[-1], Text) and words:
            last = block.items[-1]
            head = words[0].text
            if re.search(r"[^\W\d_]-$", last.text) and head[:1].islower():
                joined, rule = True, self._hyphen(block, last, head, row.line)
        if not block.rows or self.held:
            block.items.extend(self.held)
            self.held = []
        block.items.append(LineBreak(row.line, joined=joined, rule=rule))
        if row.line_label is not None:
            block.items.append(Furniture("lineNum", row.line_label.text, row.line,
                                        _RULES["lineNum"]))
            self._cleanup(_RULES["lineNum"], "removed", row.line,
                          "transcript line number recorded as fw", before=row.line_label.text)
        block.items.extend(self._inline(row))
        block.rows.append(row)

    def _hyphen(self, block: _Open, last: Text, head: str, line: int) -> str:
        stem = re.findall(r"[\w\-]+-$", last.text)[-1][:-1].split("-")[-1]
        tail = re.match(r"[\w\-]+", head)
        rest = tail.group() if tail else head
        whole, compound = (stem + rest).lower(), f"{stem}-{rest}".lower()
        if self.corpus[compound] == 0 and (self.corpus[whole] or self.lexicon.frequency(whole)):
            idx = block.items.index(last)
            block.items[idx] = Text(last.text[:-1], last.line)
            self._cleanup("dehyphenate", "joined", line,
                          "word hyphenated at the line end joined", before="-")
            return "dehyphenate"
        self._cleanup("pdf-hyphen-kept", "joined", line,
                      "compound broken after its hyphen at the line end joined, hyphen kept",
                      before=f"{stem}-", after=f"{stem}-{rest}")
        return "pdf-hyphen-kept"

    def _inline(self, row: Row) -> list[Inline]:
        """The row's words as text, its superscript note markers as references."""
        items: list[Inline] = []
        text = ""
        prev = None
        for w in row.words:
            if w.mark and w.text in self.labels:
                if text:
                    items.append(Text(text, row.line))
                    text = ""
                items.append(NoteRef(self.labels[w.text], row.line, w.text))
            else:
                text += ("" if prev is None or glued(prev, w) else " ") + w.text
            prev = w
        if text:
            items.append(Text(text, row.line))
        return items

    # --- notes ---------------------------------------------------------------------

    def _note_labels(self) -> dict[str, str]:
        """Printed marker -> id-safe label, for every note that opens with a marker."""
        found: dict[str, str] = {}
        self.markers = {w.text for p in self.pages for r in p.rows if r.role == "body"
                        for w in r.words if w.mark}
        for page in self.pages:
            for row in page.rows:
                if row.role == "note" and self._opens_note(row):
                    printed, _ = note_label(row)
                    if printed and printed not in found:
                        found[printed] = printed if _ID_SAFE.match(printed) else \
                            f"fn{len(found) + 1}"
        return found

    def _opens_note(self, row: Row) -> bool:
        """A superscript marker, or a leading label that a marker in the text calls."""
        return row.words[0].mark or (is_note_start(row) and note_label(row)[0] in self.markers)

    def _note_row(self, row: Row) -> None:
        if self._opens_note(row):
            printed, taken = note_label(row)
            label = self.labels.get(printed, "")
            if label and label not in self.used_labels:
                self.used_labels.add(label)
                note = _Open(BlockKind.NOTE, label=label, rule="pdf-footnote")
                self._cleanup("pdf-footnote", "moved", row.line,
                              f"footnote {printed} at the page foot recorded as a note",
                              before=printed)
                if taken and printed == label:
                    self._cleanup("pdf-footnote-label", "moved", row.line,
                                  "footnote marker taken as the note's label", printed, label)
                    row = Row(row.words[taken:], row.page, row.role, row.line) \
                        if len(row.words) > taken else row
                self.notes_waiting.append(note)
                self.last_note = note
                if self.para is None:
                    self._release()
                self._append_note(note, row)
                return
        if self.last_note is not None:
            if self.last_note.rows and self.last_note.rows[-1].page != row.page:
                self._cleanup("pdf-note-continued", "joined", row.line,
                              f"footnote {self.last_note.label} goes on from page "
                              f"{self.last_note.rows[-1].page}: its parts joined")
            self._append_note(self.last_note, row)
            return
        note = _Open(BlockKind.NOTE, label=f"fn-p{row.page}", rule="pdf-footnote")
        self._cleanup("pdf-footnote", "moved", row.line,
                      "text below the footnote rule recorded as a note")
        self.notes_waiting.append(note)
        self.last_note = note
        self._append_note(note, row)

    def _append_note(self, note: _Open, row: Row) -> None:
        saved, self.held = self.held, []
        self._append(note, row)
        self.held = saved

    # --- furniture and flushing ---------------------------------------------------------

    def _furniture(self, row: Row) -> None:
        rule = _RULES[row.role]
        self._cleanup(rule, "removed", row.line, f"{row.role} recorded as fw", before=row.text)
        self._hold(Furniture(row.role, row.text, row.line, rule))

    def _hold(self, item: Inline) -> None:
        if self.para is None:
            self._emit_loose(item)
        else:
            self.held.append(item)

    def _emit_loose(self, item: Inline) -> None:
        if isinstance(item, PageBreak):
            self.out.append(Block(BlockKind.PAGE_BREAK, (item,), rule="pdf-page"))
        elif isinstance(item, Furniture):
            self.out.append(Block(BlockKind.FURNITURE, (item,), role=item.kind, rule=item.rule))

    def _close(self) -> None:
        para, self.para = self.para, None
        if para is not None and para.items:
            self.out.append(para)
        self.out.extend(self.notes_waiting)
        self.notes_waiting = []

    def _release(self) -> None:
        held, self.held = self.held, []
        for item in held:
            self._emit_loose(item)

    def _block(self, open_: _Open) -> Block:
        kind = open_.kind
        if kind is BlockKind.P and len(open_.rows) == 1 and self._heading(open_.rows[0]):
            kind = BlockKind.HEAD
        level = 1 if kind is BlockKind.HEAD else 0
        return Block(kind, tuple(open_.items), level=level, label=open_.label,
                     rule=open_.rule or ("pdf-heading" if kind is BlockKind.HEAD else ""))

    def _heading(self, row: Row) -> bool:
        text = row.text
        if not is_title_like(text, 12) or DATE_LINE.match(text) or words(text) == 0:
            return False
        page = next(p for p in self.pages if p.number == row.page)
        centre = abs((row.x0 + row.x1) / 2 - page.width / 2) < 0.04 * page.width
        opening = row is next((r for r in self.order[self.pages[0].number]
                               if r.role == "body"), None)
        return (opening or is_caps_line(text) or row.bold or row.size > self.geo.size + 0.5
                or (centre and row.x0 > self._left(row) + self.geo.size)
                or self._gap_before(row) > 1.45 * self.geo.pitch)

    def _gap_before(self, row: Row) -> float:
        rows = [r for r in self.order[row.page] if r.role == "body"]
        i = rows.index(row)
        return row.bottom - rows[i - 1].bottom if i else 0.0

    def _cleanup(self, rule: str, action: str, line: int, detail: str, before: str = "",
                 after: str = "") -> None:
        self.cleanups.append(Cleanup(rule, action, line, detail, before, after))


def title_fields(blocks: list[Block], pages: list[Page], geo: Geometry) -> list[MetaField]:
    """The title: the first heading of the first page (derived: the heading stays)."""
    for block in blocks:
        if block.kind is BlockKind.HEAD:
            return [MetaField("title", block.text, block.first_line, "")]
        if block.kind in (BlockKind.P, BlockKind.NOTE):
            break
    return []
