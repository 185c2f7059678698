"""PDF -> `Parsed`: the text layer, page by page, through the plain-text analysis.

A PDF's text layer has the same damage as a PDF-to-text dump (hard-wrapped lines,
running headers and footers, page numbers), so after extraction the pages are joined
the way `pdftotext` joins them, a form feed at the start of each new page, and handed
to the plain-text analyser, which finds furniture, joins lines and recovers structure.
Encrypted, damaged and image-only PDFs are refused with a message that says what to do.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import pairwise
from pathlib import Path

from pypdf import PageObject, PdfReader

from ..errors import InputError
from ..model import Cleanup
from .parsed import Parsed
from .text import analyse_text

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_WORD = re.compile(r"\w")
_DAMAGED_HINT = ("repair it (e.g. `qpdf in.pdf out.pdf` or re-save it from a PDF viewer), "
                 "or give a text export of it instead")


def read_pdf(data: bytes, path: Path | str | None = None) -> Parsed:
    """Read a PDF's text layer; raise `InputError` if it is encrypted, damaged or image-only."""
    text, cleanups = join_pages(pdf_pages(data, path))
    return analyse_text(text, encoding="utf-8", cleanups=cleanups, path=path)


def pdf_pages(data: bytes, path: Path | str | None = None) -> list[str]:
    """The text of each page (pypdf, plain mode), newlines normalised to "\\n"."""
    pages = []
    with _quiet_pypdf():
        reader = _open(data, path)
        for number, page in enumerate(reader.pages, 1):
            pages.append(_page_text(page, number, path))
    if not any(_WORD.search(page) for page in pages):
        raise InputError(
            f"the PDF has no text layer ({len(pages)} page(s) of images only: a scan?)",
            path=path,
            hint="run OCR on it first (e.g. `ocrmypdf in.pdf out.pdf`) and give the result")
    return pages


def _page_text(page: PageObject, number: int, path: Path | str | None) -> str:
    parts: list[tuple[str, float]] = []

    def visit(text: str, cm: list[float], tm: list[float], *_: object) -> None:
        parts.append((text, cm[1] * tm[4] + cm[3] * tm[5] + cm[5]))  # baseline y on the page

    try:
        text = page.extract_text(visitor_text=visit) or ""
    except Exception as exc:  # pypdf raises many kinds of errors on broken content streams
        raise InputError(f"the PDF is damaged: cannot extract the text of page {number} "
                         f"({type(exc).__name__}: {exc})", path=path,
                         hint=_DAMAGED_HINT) from exc
    if "".join(t for t, _ in parts) == text:
        text = _paragraph_gaps(text, parts)
    return text.replace("\r\n", "\n").replace("\r", "\n").strip("\n")


def _paragraph_gaps(text: str, parts: list[tuple[str, float]]) -> str:
    """A blank line where the page leaves a wider gap than its line spacing.

    pypdf's plain mode writes no blank lines, so paragraphs, headings and page furniture
    would run together; pdftotext keeps such gaps, and so do we (the text is unchanged).
    """
    starts: list[float | None] = [None]
    for piece, y in parts:
        for i, chunk in enumerate(piece.split("\n")):
            if i:
                starts.append(None)
            if chunk.strip() and starts[-1] is None:
                starts[-1] = y
    lines = text.split("\n")
    if len(starts) != len(lines):
        return text
    known = [(i, y) for i, y in enumerate(starts) if y is not None]
    gaps = sorted(a - b for (_, a), (_, b) in pairwise(known) if a - b > 0)
    if len(gaps) < 2:
        return text
    spacing = gaps[len(gaps) // 2]
    wide = {i for (_, a), (i, b) in pairwise(known) if a - b > 1.6 * spacing}
    out: list[str] = []
    for i, line in enumerate(lines):
        if i in wide and out and out[-1].strip():
            out.append("")
        out.append(line)
    return "\n".join(out)


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
