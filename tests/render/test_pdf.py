"""The print edition, read back from the PDF of the default corpus.

The line numbers are checked independently of the code that set them: the words of each
page are read with pdfplumber, the lines of reading text are counted again from their
positions, and every apparatus entry at the foot of a page must name a line of that page
holding its lemma; every margin number must sit on the line it counts.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from edition.cli import main
from edition.render.print_html import PrintOptions, _Writer
from edition.tei import TEI

pdfplumber = pytest.importorskip("pdfplumber")
pypdf = pytest.importorskip("pypdf")

pytestmark = pytest.mark.corpus

BODY, QUOTE, APP, MARGIN = 10.5, 9.75, 8.5, 7.5
LINE_KEY = re.compile(r"(\d+)(?:–(\d+(?:\.\d+)?))?$")


@pytest.fixture(scope="module")
def pdf_dir(corpus_build) -> Path:
    assert corpus_build.exit_code == 0, corpus_build.output
    return corpus_build.root / "output" / "pdf"


@pytest.fixture(scope="module")
def page_texts(pdf_dir: Path) -> list[str]:
    out = subprocess.run(["pdftotext", "-layout", str(pdf_dir / "edition.pdf"), "-"],
                         capture_output=True, text=True, check=True).stdout
    return out.split("\f")[:-1]


@pytest.fixture(scope="module")
def reader(pdf_dir: Path):
    return pypdf.PdfReader(pdf_dir / "edition.pdf")


def test_build_writes_the_edition_and_one_offprint_per_work(pdf_dir: Path, reader) -> None:
    assert sorted(p.name for p in pdf_dir.iterdir()) == [
        "edition.pdf", "work-A.pdf", "work-B.pdf", "work-C.pdf", "work-E.pdf"]
    assert 150 < len(reader.pages) < 400
    offprint = pypdf.PdfReader(pdf_dir / "work-E.pdf")
    assert len(offprint.pages) < 20
    text = "\n".join(p.extract_text() for p in offprint.pages)
    assert "Stalinism in Russia" in text and "Conspectus siglorum" in text


def test_metadata_bookmarks_and_fonts(reader) -> None:
    meta = reader.metadata
    assert meta.title == "A digital critical edition"
    assert "Leon Trotsky" in meta.author and "Revolution Betrayed" in meta.subject
    titles = []

    def walk(items, depth):
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                titles.append((depth, item.title, reader.get_destination_page_number(item) + 1))

    walk(reader.outline, 0)
    works = [t for d, t, _ in titles if d == 0]
    for title in ("Revolution Betrayed", "The Crisis in the Soviet Union",
                  "Conspectus siglorum", "Appendix: readings awaiting review"):
        assert title in works
    assert sum(1 for d, _, _ in titles if d == 1) > 20    # chapters
    fonts = {}
    for page in reader.pages[:60]:
        for font in (page.get("/Resources") or {}).get("/Font", {}).values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor") or font["/DescendantFonts"][0].get_object()[
                "/FontDescriptor"]
            descriptor = descriptor.get_object()
            fonts[str(font["/BaseFont"])] = any(k in descriptor for k in (
                "/FontFile", "/FontFile2", "/FontFile3"))
    assert any("EB-Garamond" in name for name in fonts)
    assert any("Italic" in name for name in fonts) and any("Small-Caps" in name
                                                           for name in fonts)
    assert all(fonts.values()), fonts   # every font embedded


def test_bookmarks_and_contents_point_to_the_page_of_their_heading(reader, page_texts) -> None:
    checked = 0

    def walk(items):
        nonlocal checked
        for item in items:
            if isinstance(item, list):
                walk(item)
                continue
            page = reader.get_destination_page_number(item)
            assert _squash(item.title)[:30] in _squash(page_texts[page]), item.title
            checked += 1

    walk(reader.outline)
    assert checked > 30
    contents = next(i for i, t in enumerate(page_texts) if t.strip().startswith("Contents"))
    entries = 0
    for text in page_texts[contents:contents + 4]:
        for line in text.splitlines():
            m = re.match(r"\s*(\S.*?\S)\s*(?:\.\s*)+\s*(\d+)\s*$", line)
            if not m:
                continue
            title, page = m.group(1), int(m.group(2))
            assert _squash(title)[:25] in _squash(page_texts[page - 1]), (title, page)
            entries += 1
    assert entries > 30


def test_running_heads_name_the_work_and_the_chapter(page_texts) -> None:
    heads = {}
    for number, text in enumerate(page_texts, 1):
        lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
        if lines:
            heads[number] = lines[0]
    book = [heads[n] for n in range(60, 200, 2) if n in heads]
    assert sum(h.startswith("Revolution Betrayed") for h in book) > len(book) * 0.8
    odd = [heads[n] for n in range(61, 200, 2) if n in heads]
    assert sum(h.lower().startswith("chapter") for h in odd) > len(odd) * 0.6


def test_apparatus_line_numbers_name_the_line_of_their_lemma_on_the_same_page(
        pdf_dir: Path, page_texts) -> None:
    pages = [n for n, text in enumerate(page_texts)
             if re.search(r"\]\s+(?:om\.|add\.|\S+\s+(?:[A-Z]\b|conj\.))", text)]
    assert len(pages) >= 15
    entries = margins = 0
    with pdfplumber.open(pdf_dir / "edition.pdf") as pdf:
        for n in pages:
            lines, notes, numbers = _read_page(pdf.pages[n])
            for top, value in numbers:        # a margin number sits on the line it counts
                assert abs(lines[value - 1][0] - top) < 3, (n + 1, value)
                margins += 1
            for first, last, lemma in notes:
                words = [w for w in re.findall(r"\w+", lemma) if w != "lacuna"]
                if not words:
                    continue
                line = int(first)
                assert line <= len(lines), (n + 1, first, lemma)
                here = " ".join(lines[line - 1][1])
                assert _starts_on(words[0], lines[line - 1][1]), (n + 1, line, lemma, here)
                if last and "." not in last:     # 38–117.4: ends on page 117
                    ends = " ".join(lines[int(last) - 1][1])
                    assert words[-1][-3:] in ends, (n + 1, last, lemma, ends)
                entries += 1
    assert entries >= 40 and margins > 50


def test_appendix_lists_every_open_flag_with_where_it_stands(corpus_build, page_texts) -> None:
    flags = (corpus_build.root / "output" / "report" / "flags.jsonl").read_text().splitlines()
    open_flags = [f for f in flags if '"status": "open"' in f]
    start = next(i for i, t in enumerate(page_texts)
                 if "Appendix: readings awaiting review" in t and "flags raised" in t)
    appendix = "\n".join(page_texts[start:])
    ids = set(re.findall(r"\bf-[0-9a-f]{6}\b", appendix))
    assert len(ids) == len(open_flags)
    places = re.findall(r"\b(\d{1,3})\.(\d{1,2})\b", appendix)
    assert len(places) >= 40    # page.line for every flag printed in the apparatus


def test_offprint_of_one_work_from_the_cli(corpus_build, tmp_path: Path) -> None:
    out = tmp_path / "output"
    for sub in ("tei", "report"):
        shutil.copytree(corpus_build.root / "output" / sub, out / sub)
    result = CliRunner().invoke(main, ["render", "--pdf", "--work", "E", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert [p.name for p in (out / "pdf").iterdir()] == ["work-E.pdf"]
    assert not (out / "html").exists()
    bad = CliRunner().invoke(main, ["render", "--pdf", "--work", "Z", "-o", str(out)])
    assert bad.exit_code == 2 and "no work 'Z'" in bad.output and "works: A, B, C, E" in \
        bad.output


def test_source_text_is_escaped_in_the_print_html() -> None:
    from edition.render.data import Site

    site = Site(title="t", witnesses={}, works=[], flags=[], duplicates=[], anomalies=[])
    writer = _Writer(site, PrintOptions())
    p = etree.fromstring(f"<p xmlns='{TEI[1:-1]}'>a &lt;script&gt;alert(1)&lt;/script&gt;</p>")
    assert "<script>" not in writer.inline(p) and "&lt;script&gt;" in writer.inline(p)


# -- reading a page back ----------------------------------------------------------------------
def _starts_on(word: str, line: list[str]) -> bool:
    """`word` is on the line, whole or as the first part of a word hyphenated at its end."""
    return word in " ".join(line) or any(
        w.endswith(("-", "‐")) and word.startswith(w.rstrip("-‐")) for w in line[-1:])


def _squash(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _read_page(page) -> tuple[list[tuple[float, list[str]]], list[tuple[str, str, str]],
                               list[tuple[float, int]]]:
    """(text lines as (top, words), apparatus entries as (line, last line, lemma), margin
    numbers as (top, number))."""
    words = page.extract_words(extra_attrs=["size", "fontname"])
    left, right = min(w["x0"] for w in words if w["size"] == BODY), \
        max(w["x1"] for w in words if w["size"] == BODY)
    text, notes, numbers = [], [], []
    for w in words:
        size = round(w["size"], 2)
        if size == MARGIN and (w["x1"] < left or w["x0"] > right) and w["text"].isdigit():
            numbers.append((w["top"], int(w["text"])))
        elif size == APP:
            notes.append(w)
        elif size in (BODY, QUOTE) and "Italic" not in w["fontname"]:
            text.append(w)
    rows: list[tuple[float, list[str]]] = []
    for w in sorted(text, key=lambda w: (round(w["top"]), w["x0"])):
        if rows and abs(rows[-1][0] - w["top"]) < 2:
            rows[-1][1].append(w["text"])
        else:
            rows.append((w["top"], [w["text"]]))
    return rows, _entries(notes), numbers


def _entries(words: list[dict]) -> list[tuple[str, str, str]]:
    """Apparatus entries: a line key is a number (or n–m) set off by an en space after it
    and by the gap between entries (or the start of a line) before it."""
    words = sorted(words, key=lambda w: (round(w["top"]), w["x0"]))
    out = []
    for i, w in enumerate(words):
        key = LINE_KEY.match(w["text"])
        if not key or i + 1 >= len(words):
            continue
        before = words[i - 1] if i else None
        new_line = before is None or abs(before["top"] - w["top"]) > 2
        gap_before = new_line or w["x0"] - before["x1"] > 5
        gap_after = words[i + 1]["x0"] - w["x1"] > 3.5 and abs(words[i + 1]["top"] - w["top"]) < 2
        if not (gap_before and gap_after):
            continue
        lemma = []
        for nxt in words[i + 1:i + 8]:
            lemma.append(nxt["text"])
            if "]" in nxt["text"]:
                out.append((key.group(1), key.group(2) or "", " ".join(lemma).rstrip("]")))
                break
    return out
