"""The geometry of a PDF's text layer: pages of rows, rows of words, rules, reading order.

pdfplumber (pdfminer.six) gives every word with its font size and position and every
drawn rule, which is what page structure is recognised from: running heads by where they
stand, footnotes by the rule above them or their smaller size, superscript note markers
by their size and raise, paragraphs by indentation and spacing. Rows are the words that
share a baseline across the whole page; `reading_order` cuts a region of rows into
columns where a vertical gutter runs through all of it (an XY-cut), so columns are read
one after the other.
"""

from __future__ import annotations

import io
import statistics
from collections import Counter
from dataclasses import dataclass, field

import pdfplumber

_MARK_CHARS = set("0123456789*†‡§¶")


@dataclass
class Word:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    bold: bool = False
    mark: bool = False  # a superscript note marker


@dataclass
class Row:
    """Words on one baseline, left to right (a line of a column, or of several)."""

    words: list[Word]
    page: int
    role: str = "body"  # body | header | footer | pageNum | note
    line: int = 0  # the source line number given to it
    line_label: Word | None = None  # a transcript's margin line number

    @property
    def text(self) -> str:
        return join_words(self.words)

    @property
    def x0(self) -> float:
        return self.words[0].x0

    @property
    def x1(self) -> float:
        return max(w.x1 for w in self.words)

    @property
    def top(self) -> float:
        return min(w.top for w in self.words if not w.mark) if self.plain else self.words[0].top

    @property
    def bottom(self) -> float:
        return max(w.bottom for w in self.words)

    @property
    def plain(self) -> list[Word]:
        return [w for w in self.words if not w.mark]

    @property
    def size(self) -> float:
        sizes = Counter(round(w.size, 1) for w in self.plain for _ in w.text)
        return sizes.most_common(1)[0][0] if sizes else self.words[0].size

    @property
    def bold(self) -> bool:
        return bool(self.plain) and all(w.bold for w in self.plain)


@dataclass
class Page:
    number: int
    width: float
    height: float
    rows: list[Row]
    rules: list[tuple[float, float, float]] = field(default_factory=list)  # x0, y, x1


def glued(prev: Word | None, w: Word) -> bool:
    """Two pieces of one word (split where the size or font changes, or a marker)."""
    return prev is not None and (w.mark or w.x0 - prev.x1 < 0.15 * max(w.size, prev.size))


def join_words(words: list[Word]) -> str:
    out, prev = "", None
    for w in words:
        out += ("" if prev is None or glued(prev, w) else " ") + w.text
        prev = w
    return out


def pdf_layout(data: bytes) -> list[Page]:
    """Every page's rows and horizontal rules (the PDF is assumed readable: see pdf._open)."""
    start = data.find(b"%PDF-")  # bytes before the header shift every offset (a rescued file)
    pages: list[Page] = []
    with pdfplumber.open(io.BytesIO(data[max(start, 0):])) as pdf:
        for number, page in enumerate(pdf.pages, 1):
            words = [_word(w) for w in page.extract_words(extra_attrs=["size", "fontname"])
                     if w.get("upright", True)]
            rules = [(min(r["x0"], r["x1"]), (r["top"] + r["bottom"]) / 2, max(r["x0"], r["x1"]))
                     for r in (*page.lines, *page.rects)
                     if abs(r["bottom"] - r["top"]) <= 2.5 and abs(r["x1"] - r["x0"]) >= 20]
            pages.append(Page(number, float(page.width), float(page.height),
                              _rows(words, number), rules))
            page.flush_cache()
    return pages


def _word(w: dict) -> Word:
    font = str(w.get("fontname", ""))
    return Word(w["text"], float(w["x0"]), float(w["x1"]), float(w["top"]), float(w["bottom"]),
                float(w.get("size") or 0.0), bold="bold" in font.lower())


def _rows(words: list[Word], page: int) -> list[Row]:
    """Words grouped by baseline; small raised digits become note markers of their row."""
    if not words:
        return []
    body = statistics.median(w.size for w in words)
    big = [w for w in words if w.size >= 0.8 * body]
    small = [w for w in words if w not in big]
    rows: list[list[Word]] = []
    for w in sorted(big, key=lambda w: (w.bottom, w.x0)):
        if rows and abs(w.bottom - rows[-1][-1].bottom) <= 0.3 * max(w.size, 1):
            rows[-1].append(w)
        else:
            rows.append([w])
    for w in small:
        host = min(rows, key=lambda r: abs(_baseline(r) - w.bottom) + 0.001 * abs(
            r[0].x0 - w.x0), default=None)
        if host is not None and w.top < _baseline(host) and w.bottom > min(
                x.top for x in host):
            w.mark = _markable(w) and w.bottom < _baseline(host) - 0.5
            host.append(w)
        else:
            rows.append([w])
    out = [Row(sorted(r, key=lambda w: w.x0), page) for r in rows]
    return sorted(out, key=lambda r: (round(r.bottom), r.x0))


def _markable(w: Word) -> bool:
    return bool(w.text) and all(c in _MARK_CHARS or c in ",-–" for c in w.text) and any(
        c in _MARK_CHARS for c in w.text)


def _baseline(row: list[Word]) -> float:
    return statistics.median(w.bottom for w in row)


# --- reading order ---------------------------------------------------------------------


def segments(rows: list[Row]) -> list[Row]:
    """Each row cut where its words stand further apart than a column gutter."""
    out: list[Row] = []
    for row in rows:
        current = [row.words[0]]
        label = row.line_label
        gaps = sorted(b.x0 - a.x1 for a, b in zip(row.words, row.words[1:], strict=False))
        usual = gaps[len(gaps) // 2] if gaps else 0.0
        for w in row.words[1:]:
            gap = w.x0 - current[-1].x1
            if gap > 1.5 * max(row.size, 6) and gap > 3 * usual and not w.mark:
                out.append(Row(current, row.page, row.role, line_label=label))
                current, label = [w], None
            else:
                current.append(w)
        out.append(Row(current, row.page, row.role, line_label=label))
    return out


def reading_order(rows: list[Row]) -> list[Row]:
    """Rows in reading order: columns (a gutter through the whole region) one after another."""
    if len(rows) <= 1:
        return list(rows)
    cut = _vertical_cut(rows)
    if cut is not None:
        left = [r for r in rows if r.x1 <= cut]
        right = [r for r in rows if r.x0 >= cut]
        return reading_order(left) + reading_order(right)
    bands = _horizontal_bands(rows)
    if len(bands) == 1:
        return sorted(rows, key=lambda r: (round(r.bottom), r.x0))
    return [r for band in bands for r in reading_order(band)]


def _vertical_cut(rows: list[Row]) -> float | None:
    """The middle of the widest x-gap no row crosses, with rows of text on both sides."""
    spans = sorted((r.x0, r.x1) for r in rows)
    best: tuple[float, float] | None = None
    reach = spans[0][1]
    for x0, x1 in spans[1:]:
        if x0 > reach and (best is None or x0 - reach > best[1] - best[0]):
            best = (reach, x0)
        reach = max(reach, x1)
    if best is None:
        return None
    size = statistics.median(r.size for r in rows)
    cut = (best[0] + best[1]) / 2
    left = sum(1 for r in rows if r.x1 <= cut)
    right = len(rows) - left
    if best[1] - best[0] < 0.8 * size or min(left, right) < 2:
        return None
    return cut


def _horizontal_bands(rows: list[Row]) -> list[list[Row]]:
    """The region cut at its widest horizontal gaps (whitespace running across all of it)."""
    ordered = sorted(rows, key=lambda r: r.top)
    gaps: list[tuple[float, int]] = []
    reach = ordered[0].bottom
    for i, r in enumerate(ordered[1:], 1):
        if r.top > reach:
            gaps.append((r.top - reach, i))
        reach = max(reach, r.bottom)
    if not gaps:
        return [ordered]
    widest = max(g for g, _ in gaps)
    cuts = [i for g, i in gaps if g >= 0.9 * widest]
    bands, start = [], 0
    for i in cuts:
        bands.append(ordered[start:i])
        start = i
    bands.append(ordered[start:])
    return bands
