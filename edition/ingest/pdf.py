"""PDF -> `Parsed`: the text layer read with its page structure.

The words, their sizes and positions and the drawn rules of every page (`pdflayout`) say
what each row is (`pdfpage`: running heads, page numbers, margin line numbers, footnotes)
and where paragraphs start (`pdfblocks`), so the witness gets one `pb` per page with its
printed number, its furniture as `fw`, its footnotes as notes linked to their markers.
The source lines are the PDF's text rows, page by page: head, text in reading order
(columns one after another), footnotes, foot. Encrypted, damaged and image-only PDFs are
refused with a message that says what to do.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pypdf import PdfReader

from ..errors import InputError
from ..model import Block, BlockKind, Cleanup, MetaField
from .parsed import Parsed
from .pdfblocks import FURNITURE, PdfBlocks, title_fields
from .pdflayout import Page, Row, pdf_layout, reading_order, segments
from .pdfpage import Geometry, classify, measure
from .structure import metadata_from_line

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_WORD = re.compile(r"\w")
_DAMAGED_HINT = ("repair it (e.g. `qpdf in.pdf out.pdf` or re-save it from a PDF viewer), "
                 "or give a text export of it instead")


def read_pdf(data: bytes, path: Path | str | None = None) -> Parsed:
    """Read a PDF's text layer; raise `InputError` if it is encrypted, damaged or image-only."""
    pages, geo, printed = _pages(data, path)
    order, lines, cleanups = _number_rows(pages, geo)
    builder = PdfBlocks(pages, order, printed, geo, lines)
    blocks = builder.run()
    blocks, metadata = _front_matter(blocks, lines)
    metadata = title_fields(blocks, pages, geo) + metadata
    return Parsed(lines=tuple(lines), metadata=tuple(metadata), blocks=tuple(blocks),
                  cleanups=tuple(cleanups + builder.cleanups), anomalies=(), encoding="utf-8")


def pdf_pages(data: bytes, path: Path | str | None = None) -> list[str]:
    """The text of each page, its rows in reading order (a blank line at a wide gap)."""
    pages, geo, _ = _pages(data, path)
    order, lines, _ = _number_rows(pages, geo)
    texts = []
    for page in pages:
        numbers = [r.line for r in order[page.number]]
        texts.append("\n".join(lines[min(numbers) - 1:max(numbers)]) if numbers else "")
    return texts


def _pages(data: bytes, path: Path | str | None) -> tuple[list[Page], Geometry, dict[int, str]]:
    with _quiet_pypdf():
        _open(data, path)
    try:
        pages = pdf_layout(data)
    except Exception as exc:  # pdfminer raises many kinds of errors on broken files
        raise InputError(f"the PDF is damaged: its text cannot be read "
                         f"({type(exc).__name__}: {exc})", path=path,
                         hint=_DAMAGED_HINT) from exc
    if not any(_WORD.search(r.text) for page in pages for r in page.rows):
        raise InputError(
            f"the PDF has no text layer ({len(pages)} page(s) of images only: a scan?)",
            path=path,
            hint="run OCR on it first (e.g. `ocrmypdf in.pdf out.pdf`) and give the result")
    geo = measure(pages)
    return pages, geo, classify(pages, geo)


def _number_rows(pages: list[Page], geo: Geometry
                 ) -> tuple[dict[int, list[Row]], list[str], list[Cleanup]]:
    """Each page's rows in order, numbered as source lines; the lines' text; repairs."""
    order: dict[int, list[Row]] = {}
    lines: list[str] = []
    cleanups: list[Cleanup] = []
    for page in pages:
        rows = _page_order(page)
        if not rows:
            cleanups.append(Cleanup("pdf-empty-page", "classified", len(lines) + 1,
                                    f"page {page.number} has no text layer (an image or "
                                    "blank page)"))
        prev: Row | None = None
        for row in rows:
            if prev is not None and row.top > prev.bottom and (
                    row.bottom - prev.bottom > 1.45 * geo.pitch) and lines and lines[-1]:
                lines.append("")
            for w in row.words:
                fixed = _CONTROL.sub("", w.text)
                if fixed != w.text:
                    cleanups.append(Cleanup("pdf-control", "repaired", len(lines) + 1,
                                            "control characters removed from the text layer",
                                            w.text, fixed))
                    w.text = fixed
            row.words = [w for w in row.words if w.text] or row.words
            row.line = len(lines) + 1
            label = f"{row.line_label.text} " if row.line_label is not None else ""
            lines.append(label + row.text)
            prev = row
        order[page.number] = rows
    return order, lines, cleanups


def _page_order(page: Page) -> list[Row]:
    """Head furniture, the text in reading order, footnotes, foot furniture."""
    body = [r for r in page.rows if r.role == "body"]
    numbers = [r for r in page.rows if r.role == "lineNum"]
    notes = [r for r in page.rows if r.role == "note"]
    furniture = [r for r in page.rows if r.role in FURNITURE and r.role != "lineNum"]
    first = min((r.top for r in body + notes), default=page.height)
    head = [r for r in furniture if r.bottom <= first]
    foot = [r for r in furniture if r not in head]
    text = reading_order(segments(body))
    for row in numbers:  # a numbered blank line of a transcript, in its place
        at = next((i for i, r in enumerate(text) if r.top > row.top), len(text))
        text.insert(at, row)
    return head + text + reading_order(segments(notes)) + sorted(foot, key=lambda r: r.top)


def _front_matter(blocks: list[Block], lines: list[str]) -> tuple[list[Block], list[MetaField]]:
    """A byline right after the opening heading ("By Jane Doe") goes into the header."""
    heads = [i for i, b in enumerate(blocks) if b.kind is BlockKind.HEAD]
    if not heads or any(b.kind is BlockKind.P for b in blocks[:heads[0]]):
        return blocks, []
    i = heads[0] + 1
    while i < len(blocks) and blocks[i].kind is BlockKind.HEAD:
        i += 1
    if i < len(blocks) and blocks[i].kind is BlockKind.P:
        line = blocks[i].first_line
        if blocks[i].last_line == line:
            fields = [f for f in metadata_from_line(lines[line - 1], line) if f.name == "author"]
            if fields:
                return blocks[:i] + blocks[i + 1:], fields
    return blocks, []


def join_pages(pages: list[str]) -> tuple[str, tuple[Cleanup, ...]]:
    """Join pages as pdftotext does ("\\f" opens each new page); log what was repaired.

    Control characters (a form feed inside a page included) are removed so that the only
    form feeds left are page boundaries; a page without text is logged, since its
    words, if it had any, are missing from the witness.
    """
    cleanups: list[Cleanup] = []
    parts: list[str] = []
    line = 1
    for number, page in enumerate(pages, 1):
        if not _WORD.search(page):
            cleanups.append(Cleanup("pdf-empty-page", "classified", line,
                                    f"page {number} has no text layer (an image or blank page)"))
        fixed_lines = []
        for offset, raw in enumerate(page.split("\n")):
            fixed = _CONTROL.sub("", raw)
            if fixed != raw:
                cleanups.append(Cleanup("pdf-control", "repaired", line + offset,
                                        "control characters removed from the text layer",
                                        raw, fixed))
            fixed_lines.append(fixed)
        parts.append("\n".join(fixed_lines))
        line += len(fixed_lines)
    return "\n\f".join(parts), tuple(cleanups)


@contextmanager
def _quiet_pypdf() -> Iterator[None]:
    """pypdf logs warnings about broken files; ours are the errors we raise."""
    logger = logging.getLogger("pypdf")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _open(data: bytes, path: Path | str | None) -> PdfReader:
    """A PdfReader with its page tree loaded; encrypted or broken files -> InputError."""
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not _decrypt(reader):
            raise InputError("the PDF is encrypted (it needs a password to open)", path=path,
                             hint="decrypt it first, e.g. `qpdf --password=PASSWORD --decrypt "
                                  "in.pdf out.pdf`")
        count = len(reader.pages)
    except InputError:
        raise
    except Exception as exc:  # pypdf's errors on malformed files are many and unrelated
        raise InputError(f"the PDF is damaged and cannot be read ({type(exc).__name__}: {exc})",
                         path=path, hint=_DAMAGED_HINT) from exc
    if count == 0:
        raise InputError("the PDF has no pages (damaged or truncated)", path=path,
                         hint=_DAMAGED_HINT)
    return reader


def _decrypt(reader: PdfReader) -> bool:
    """Open PDFs that are encrypted with an empty user password (print/copy restrictions)."""
    try:
        return bool(reader.decrypt(""))
    except Exception:  # missing AES backend, unsupported algorithm
        return False
