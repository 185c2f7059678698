"""The print edition: WeasyPrint lays out the print HTML once; line numbers are set after.

Why after: a line number exists only once WeasyPrint has broken the lines, and the apparatus
(inline footnotes at the foot of each page) must quote it. A second layout pass would double
the cost and could move the lines it numbers. Instead, after the one layout pass:

1. the lines of the reading text on each page are counted (line boxes inside `.num` blocks,
   in the order they are drawn), and each lemma (`span.lm#L-<id>`) is found on its lines;
2. every fifth line gets its number in the outer margin: a text box shaped like the sample
   in the edition statement (`#ln-proto`), placed on the line's baseline;
3. each apparatus entry's slot (`#N-<id>`, placeholder digits of at least the final width) is
   given its number, and what follows it on its line moves left by the width saved.

Nothing is laid out again, so lines and pages stay exactly where WeasyPrint put them. This
reaches into WeasyPrint's box tree (pinned to 70.x in pyproject.toml); the tests read the
numbers back from the PDF and check every entry against the line it names.
"""

from __future__ import annotations

import itertools
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from ..errors import OutputError
from ..resources import style_asset
from .data import Site
from .print_html import PrintEdition, PrintOptions, print_html

EVERY = 5          # a number in the margin on every fifth line
MARGIN_GAP = 9.0   # CSS px between the text column and a margin number


@dataclass
class LinePlace:
    page: int          # 1-based page number, as printed
    first: int         # line on that page where the lemma starts
    last: int          # line where it ends
    last_page: int = 0  # page where it ends, when not `page` (a lemma across a page break)
    entry_page: int = 0  # page whose foot holds its apparatus entry (== page, always)

    def key(self) -> str:
        """The entry's line key: 12, 12–13, or 38–117.4 across a page break."""
        if self.last_page and self.last_page != self.page:
            return f"{self.first}–{self.last_page}.{self.last}"
        return f"{self.first}–{self.last}" if self.last > self.first else str(self.first)


def layout(site: Site, options: PrintOptions | None = None):  # -> (Document, PrintEdition)
    """The print HTML laid out into pages (one WeasyPrint layout pass)."""
    from weasyprint import HTML

    css = style_asset("print.css").read_text(encoding="utf-8")
    edition = print_html(site, css, options)
    try:
        with _footnotes_keep_their_line():
            document = HTML(string=edition.html, base_url=".", url_fetcher=_no_fetch).render()
    except Exception as exc:
        raise OutputError(f"the PDF layout failed: {exc}",
                          hint="report this with the edition's output/tei") from exc
    return document, edition


@contextmanager
def _footnotes_keep_their_line() -> Iterator[None]:
    """Close the one path by which WeasyPrint 70 separates a footnote from its line.

    When a line overflows the page at the first point where widows and orphans allow a
    break, WeasyPrint moves footnotes *already placed* on the page to the next one to make
    room for it (layout/block.py, `report = not context.in_column and ...`), whatever
    `footnote-policy: line` says; an apparatus entry would then stand a page after its
    lemma. That decision reads `context.in_column`; while our document is laid out, it reads
    True there (so the line moves to the next page instead) and the real value everywhere
    else. Checked by `number_lines` (`LinePlace.page` of the lemma against the page of its
    entry) and by the tests, which read every entry back from the PDF."""
    from weasyprint.layout import LayoutContext

    def get(context) -> bool:
        caller = sys._getframe(1).f_code
        return True if caller.co_name == "_linebox_layout" else context.__dict__.get(
            "_edition_in_column", False)

    def set_(context, value: bool) -> None:
        context.__dict__["_edition_in_column"] = value

    LayoutContext.in_column = property(get, set_)
    try:
        yield
    finally:
        del LayoutContext.in_column


def write_pdf(document) -> bytes:
    """A laid-out document (or a `copy` of some of its pages) as PDF/A-3b bytes."""
    try:
        return document.write_pdf(pdf_variant="pdf/a-3b", uncompressed_pdf=False)
    except Exception as exc:
        raise OutputError(f"the PDF could not be written: {exc}") from exc


def _no_fetch(url: str, *args, **kwargs):
    """The print HTML is self-contained: nothing is ever fetched, least of all the network."""
    raise ValueError(f"edition's print HTML fetches nothing (asked for {url[:80]!r})")


# -- line numbering --------------------------------------------------------------------------
def number_lines(document) -> dict[str, LinePlace]:
    """Number the text lines of every page, in the margin and in the apparatus slots."""
    proto = _find_text(document, "ln-proto")
    places: dict[str, LinePlace] = {}
    pages = []
    for number, page in enumerate(document.pages, 1):
        box = page._page_box
        lines = list(_text_lines(box))
        for index, (line, ids) in enumerate(lines, 1):
            for ident in ids:
                place = places.get(ident)
                if place is None:
                    places[ident] = LinePlace(number, index, index)
                else:
                    place.last, place.last_page = index, number
            if proto is not None and index % EVERY == 0:
                _margin_number(box, line, str(index), proto)
        pages.append(box)
    for number, box in enumerate(pages, 1):
        for slot, ident, line in _slots(box):
            place = places.get(ident)
            if place is None:
                continue
            ref = slot.element.get("id", "").startswith("R-")
            if not ref:
                place.entry_page = number
            _replace_text(slot, line, f"{place.page}.{place.first}" if ref else place.key())
    return places


def misplaced(places: dict[str, LinePlace]) -> list[str]:
    """Entries printed at the foot of another page than their lemma's (none, or a bug)."""
    return [i for i, p in places.items() if p.entry_page and p.entry_page != p.page]


def _text_lines(page_box) -> Iterator[tuple[object, list[str]]]:
    """The page's lines of reading text, top to bottom, each with the lemma ids on it."""
    from weasyprint.formatting_structure import boxes

    def walk(box, numbered: bool) -> Iterator[tuple[object, list[str]]]:
        if isinstance(box, (boxes.FootnoteAreaBox, boxes.MarginBox)):
            return
        if isinstance(box, boxes.LineBox):
            if numbered:
                yield box, _lemma_ids(box)
            return
        element = getattr(box, "element", None)
        if element is not None and isinstance(box, boxes.BlockBox) and \
                "num" in (element.get("class") or "").split():
            numbered = True
        for child in getattr(box, "children", ()):
            yield from walk(child, numbered)

    yield from walk(page_box, False)


def _lemma_ids(line) -> list[str]:
    seen: list[str] = []
    for box in line.descendants():
        element = getattr(box, "element", None)
        ident = element.get("id", "") if element is not None else ""
        if ident.startswith("L-") and ident[2:] not in seen:
            seen.append(ident[2:])
    return seen


def _slots(page_box) -> Iterator[tuple[object, str, object]]:
    """Placeholder text boxes (`#N-<id>` in the apparatus, `#R-<id>` in the appendix), each
    with the line box it sits on."""
    from weasyprint.formatting_structure import boxes

    for line in page_box.descendants():
        if not isinstance(line, boxes.LineBox):
            continue
        for box in line.descendants():
            if isinstance(box, boxes.TextBox) and box.element is not None:
                ident = box.element.get("id", "")
                if ident[:2] in ("N-", "R-"):
                    yield box, ident[2:], line


def _find_text(document, ident: str):
    from weasyprint.formatting_structure import boxes

    for page in document.pages:
        for box in page._page_box.descendants():
            if isinstance(box, boxes.TextBox) and box.element is not None \
                    and box.element.get("id") == ident:
                return box
    return None


def _shape(text: str, style):
    from weasyprint.text.line_break import split_first_line

    layout, _, _, width, height, baseline = split_first_line(text, style, None, None, 0)
    return layout, width, height, baseline


def _replace_text(slot, line, text: str) -> None:
    """Give a slot its number; whatever follows on its line moves left by the width saved
    (or right, in the rare case of a key longer than its placeholder: a lemma running
    across a page break; the apparatus is set ragged right, so the line has room)."""
    layout, width, _, _ = _shape(text, slot.style)
    saved = slot.width - width
    slot.text, slot.pango_layout, slot.width = text, layout, width
    if not saved:
        return
    path = _path_to(line, slot)
    for parent, child in itertools.pairwise(path):
        after = False
        for sibling in parent.children:
            if sibling is child:
                after = True
            elif after:
                sibling.translate(dx=-saved)
        if parent is not path[0] and hasattr(parent, "width"):
            parent.width -= saved


def _path_to(root, target) -> list:
    if root is target:
        return [root]
    for child in getattr(root, "children", ()):
        found = _path_to(child, target)
        if found:
            return [root, *found]
    return []


def _margin_number(page_box, line, text: str, proto) -> None:
    """A number in the outer margin, on the baseline of `line`."""
    from weasyprint.formatting_structure import boxes

    first = next((b for b in line.descendants() if isinstance(b, boxes.TextBox)), None)
    if first is None:
        return
    layout, width, _, baseline = _shape(text, proto.style)
    number = proto.copy_with_text(text)
    number.pango_layout, number.width = layout, width
    number.margin_top = number.margin_bottom = 0
    number.baseline = baseline
    left = page_box.content_box_x()
    if page_box.page_type.side == "right":
        number.position_x = left + page_box.width + MARGIN_GAP
    else:
        number.position_x = left - MARGIN_GAP - width
    number.position_y = first.position_y + first.baseline - baseline
    line.children = [*line.children, number]


def _work_pages(document, edition: PrintEdition):
    starts: dict[str, int] = {}
    for number, page in enumerate(document.pages, 1):
        for anchor in page.anchors:
            if anchor.startswith("w-") and anchor[2:] not in starts:
                starts[anchor[2:]] = number
    appendix = next((n for n, p in enumerate(document.pages, 1) if "appendix" in p.anchors),
                    len(document.pages) + 1)
    order = [s for s in edition.works if s in starts]
    ranges = {}
    for i, siglum in enumerate(order):
        end = starts[order[i + 1]] - 1 if i + 1 < len(order) else appendix - 1
        ranges[siglum] = (starts[siglum], end)
    return starts, ranges


def pdf_files(site: Site, work: str | None = None,
              options: PrintOptions | None = None) -> dict[str, bytes]:
    """`edition.pdf` and one offprint per work (`<work>.pdf`): the work's pages cut from the
    same layout with the front matter and its part of the appendix, so that a page.line
    reference means the same thing in both. `work`: only that work's offprint."""
    if work is not None and site.work_of(work) is None:
        from ..errors import UsageError

        known = ", ".join(w.siglum for w in site.works) or "none"
        raise UsageError(f"no work {work!r} in this edition", hint=f"works: {known}")
    document, edition = layout(site, options)
    number_lines(document)
    starts, ranges = _work_pages(document, edition)
    files = {} if work is not None else {"edition.pdf": write_pdf(document)}
    front = list(range(1, min(starts.values(), default=len(document.pages) + 1)))
    appendix = _appendix_pages(document, edition)
    for siglum, (first, last) in ranges.items():
        if work not in (None, siglum):
            continue
        pages = front + list(range(first, last + 1)) + appendix.get(siglum, [])
        files[f"work-{site.work_of(siglum).slug}.pdf"] = write_pdf(document.copy(
            [document.pages[n - 1] for n in pages]))
    return files


def _appendix_pages(document, edition: PrintEdition) -> dict[str, list[int]]:
    """Pages of the appendix for each work: its heading's page to the next heading's."""
    heads = []
    for number, page in enumerate(document.pages, 1):
        heads += [(number, a[5:]) for a in page.anchors if a.startswith("appx-")]
    out: dict[str, list[int]] = {}
    for i, (number, siglum) in enumerate(heads):
        end = heads[i + 1][0] if i + 1 < len(heads) else len(document.pages)
        out[siglum] = list(range(number, end + 1))
    return out
