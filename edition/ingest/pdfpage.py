"""What each row of a PDF page is: running head, page number, margin line number, footnote, text.

Running heads and footers are found by what repeats from page to page at the head or foot
(digits read as one shape, so "Page: 3" and "Page: 4" repeat; odd and even pages counted
apart); a row that is only a number, or "Page 3 of 9", at the head or foot is the printed
page number. A one-page document has nothing to repeat: there the outermost rows set in a
smaller size than the text are its furniture. Footnotes are the rows below a short rule at
the page foot, or a run of rows at the foot set smaller than the text and opening with a
note marker. A transcript's line numbers (a run of 1, 2, 3... down the left margin) are
furniture too.
"""

from __future__ import annotations

import itertools
import re
import statistics
from collections import Counter
from dataclasses import dataclass

from .pdflayout import Page, Row

_PAGE_NUMBER = re.compile(r"^[-–—\s]*(?:page\s+)?(?P<n>\d{1,4}|[ivxlcdm]{1,7})"
                          r"(?:\s+of\s+\d{1,4})?[-–—\s]*$", re.I)
_LEADING_LABEL = re.compile(r"^(?P<label>\d{1,3}|[*†‡§]{1,3})(?:[.)]?\s+|(?=[A-Z“\"(]))")
_ZONE = 3  # rows at the head and at the foot of a page that may be furniture


@dataclass
class Geometry:
    """Measures of the whole document: the text's size and line pitch."""

    size: float
    pitch: float


def measure(pages: list[Page]) -> Geometry:
    sizes: Counter[float] = Counter()
    pitches: list[float] = []
    for page in pages:
        for row in page.rows:
            sizes[row.size] += len(row.text)
        for a, b in zip(page.rows, page.rows[1:], strict=False):
            if 0 < b.bottom - a.bottom < 4 * a.size:
                pitches.append(b.bottom - a.bottom)
    size = sizes.most_common(1)[0][0] if sizes else 12.0
    return Geometry(size, statistics.median(pitches) if pitches else 1.2 * size)


def classify(pages: list[Page], geo: Geometry) -> dict[int, str]:
    """Mark every row's role; return the printed page number of each page that shows one."""
    printed: dict[int, str] = {}
    _running_furniture(pages)
    for page in pages:
        _line_numbers(page)
        for row in _zone(page):
            numbered = row.role == "lineNum" or row.line_label is not None
            m = None if numbered else _PAGE_NUMBER.match(row.text)
            if (m and row.role == "body") or (m and row.role in ("header", "footer")):
                row.role = "pageNum"
                printed.setdefault(page.number, m.group("n"))
        _lone_furniture(page, geo, single=len(pages) == 1)
        _footnotes(page, geo)
    return printed


def _zone(page: Page) -> list[Row]:
    rows = page.rows
    return rows[:_ZONE] + rows[max(_ZONE, len(rows) - _ZONE):]


def _shape(text: str) -> str:
    return re.sub(r"\d+", "#", " ".join(text.lower().split()))


def _running_furniture(pages: list[Page]) -> None:
    """Rows at the head or foot whose shape recurs at about the same height on other pages."""
    if len(pages) < 2:
        return
    seen: dict[tuple[str, int], set[int]] = {}
    for page in pages:
        for row in _zone(page):
            seen.setdefault((_shape(row.text), round(row.top / 24)), set()).add(page.number)
    for page in pages:
        same_parity = [p for p in pages if p.number % 2 == page.number % 2]
        for row in _zone(page):
            where = seen.get((_shape(row.text), round(row.top / 24)), set())
            on_parity = sum(1 for p in same_parity if p.number in where)
            if len(where) >= 2 and (len(where) >= 0.5 * len(pages)
                                    or on_parity >= 0.5 * len(same_parity)):
                row.role = "header" if row.top < page.height / 2 else "footer"


def _lone_furniture(page: Page, geo: Geometry, *, single: bool) -> None:
    """The outermost rows in a smaller size than the text, short, standing apart."""
    rows = [r for r in page.rows if r.role == "body"]
    if not rows:
        return
    candidates = [(rows[0], "header")] + [(r, "footer") for r in rows[-2:]]
    for row, kind in candidates:
        small = row.size <= geo.size - 1
        if (small and len(row.text.split()) <= 8 and not _LEADING_LABEL.match(row.text)
                and not row.words[0].mark and not _below_rule(page, row)
                and (single or _isolated(page, row, geo))):
            row.role = kind


def _isolated(page: Page, row: Row, geo: Geometry) -> bool:
    i = page.rows.index(row)
    near = [page.rows[j] for j in (i - 1, i + 1) if 0 <= j < len(page.rows)]
    return all(abs(n.bottom - row.bottom) > 1.5 * geo.pitch for n in near)


def _below_rule(page: Page, row: Row) -> bool:
    return any(y < row.top and y > page.height / 3 for _, y, _ in _separators(page))


def _separators(page: Page) -> list[tuple[float, float, float]]:
    """Short rules with no text resting on them (an underline has its word just above)."""
    out = []
    middle = page.width / 2
    for x0, y, x1 in page.rules:
        if x0 > middle - 0.15 * page.width or x1 > middle + 0.05 * page.width:
            continue  # a footnote rule stands at the left: centred rules are ornaments
        under = any(r.bottom <= y + 1 and y - r.bottom < 4 and r.x0 < x1 and r.x1 > x0
                    for r in page.rows)
        if not under:
            out.append((x0, y, x1))
    return out


def _line_numbers(page: Page) -> None:
    """A run of consecutive numbers opening rows at one margin: a transcript's line numbers."""
    numbered = [r for r in page.rows if r.role == "body" and r.words[0].text.isdigit()
                and not r.words[0].mark]
    if len(numbered) < 5:
        return
    right = Counter(round(r.words[0].x1) for r in numbered).most_common(1)[0][0]
    run = [r for r in numbered if abs(r.words[0].x1 - right) <= 2]
    values = [int(r.words[0].text) for r in run]
    steps = sum(1 for a, b in itertools.pairwise(values) if b == a + 1)
    if len(run) < 5 or steps < 0.8 * (len(run) - 1):
        return
    for r in run:
        r.line_label = r.words.pop(0)
        if not r.words:
            r.role = "lineNum"
            r.words = [r.line_label]


def _footnotes(page: Page, geo: Geometry) -> None:
    body = [r for r in page.rows if r.role == "body"]
    if not body:
        return
    rules = [y for _, y, _ in _separators(page) if y > page.height / 3]
    if rules:
        y = min(rules)
        below = [r for r in body if r.top > y]
        pitch = [b.bottom - a.bottom for a, b in itertools.pairwise(below)]
        noteish = below and (is_note_start(below[0]) or below[0].size <= geo.size - 0.75
                             or (pitch and max(pitch) < 0.8 * geo.pitch))
        if noteish and below != body:
            for r in below:
                r.role = "note"
            return
    run: list[Row] = []
    for r in reversed(body):
        if r.size <= geo.size - 0.75:
            run.insert(0, r)
        else:
            break
    while run and not is_note_start(run[0]):
        run.pop(0)
    if run and len(run) < len(body):
        for r in run:
            r.role = "note"


def is_note_start(row: Row) -> bool:
    """A row opening a footnote: a superscript marker or a leading label."""
    return row.words[0].mark or bool(_LEADING_LABEL.match(row.text))


def note_label(row: Row) -> tuple[str, int]:
    """The printed label of a note's first row and how many of its words it takes."""
    first = row.words[0]
    if first.mark:
        return first.text, 1
    m = _LEADING_LABEL.match(row.text)
    if m and m.group("label") == first.text.rstrip(".)"):
        return m.group("label"), 1
    if m:
        return m.group("label"), 0
    return "", 0
