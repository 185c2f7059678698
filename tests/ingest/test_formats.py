"""The HTML, PDF and TEI readers, on small sources of our own making.

Each format is checked for the same promises: metadata found; non-authorial regions
kept as BOILERPLATE/FURNITURE with a Cleanup; structure found; nothing lost (every word
of the source's visible text is somewhere in the `Parsed`); every `Text` on the source
line that holds its first word; hostile input refused with an `InputError`.
"""

from __future__ import annotations

import html
import io
import random
import re
from collections import Counter
from pathlib import Path

import lxml.html
import pytest
from lxml import etree

from edition.errors import InputError, UnsafeXMLError
from edition.ingest import Parsed, ingest_source, sniff_format
from edition.ingest.html import read_html
from edition.ingest.pdf import join_pages, pdf_pages, read_pdf
from edition.ingest.teisource import read_tei
from edition.model import (
    Block,
    BlockKind,
    Furniture,
    Gap,
    Label,
    LineBreak,
    NoteRef,
    PageBreak,
    SourceFormat,
    Text,
)

from ..pdfs import literal, pdf_document

FORMATS = Path(__file__).parents[1] / "fixtures" / "formats"
WORD = re.compile(r"\w+")
AUTHORIAL = {BlockKind.P, BlockKind.HEAD, BlockKind.QUOTE, BlockKind.NOTE, BlockKind.LIST_ITEM,
             BlockKind.TABLE_ROW, BlockKind.CLOSER}


# --- helpers --------------------------------------------------------------------------


def parsed_words(parsed: Parsed, *, set_aside: tuple[str, ...] = ()) -> Counter[str]:
    """Every word the reader kept: block items, note labels and markers, metadata."""
    words: Counter[str] = Counter()
    for block in parsed.blocks:
        if block.kind is BlockKind.NOTE:
            words.update(WORD.findall(block.label))
        for item in block.items:
            if isinstance(item, Text | Label | Furniture):
                words.update(WORD.findall(item.text))
            elif isinstance(item, Gap):
                words.update(WORD.findall(item.junk))
            elif isinstance(item, NoteRef):
                words.update(WORD.findall(item.text or item.label))
    for field in parsed.metadata:
        words.update(WORD.findall(field.raw))
    for cleanup in parsed.cleanups:  # readings set aside (choice/app), logged not lost
        if cleanup.rule in set_aside:
            words.update(WORD.findall(cleanup.before))
    return words


def assert_nothing_lost(source: Counter[str], parsed: Counter[str]) -> None:
    lost = source - parsed
    assert not lost, f"words lost: {dict(lost)}"


def assert_lines_true(parsed: Parsed, *, unescape: bool = False) -> None:
    """Every Text's line exists and holds the first word of that text."""
    for block in parsed.blocks:
        for item in block.items:
            if not isinstance(item, Text) or not WORD.search(item.text):
                continue
            assert 1 <= item.line <= len(parsed.lines), item
            line = parsed.lines[item.line - 1]
            if unescape:
                line += html.unescape(line)
            assert WORD.search(item.text).group() in line, (item, line)


def texts(parsed: Parsed, *kinds: BlockKind) -> list[str]:
    return [b.text for b in parsed.blocks if not kinds or b.kind in kinds]


def meta(parsed: Parsed) -> dict[str, str]:
    found: dict[str, str] = {}
    for field in parsed.metadata:
        found.setdefault(field.name, field.value)
    return found


def assert_recorded(parsed: Parsed, block: Block) -> None:
    """A non-authorial block is explained by a Cleanup of its rule at or before it."""
    assert any(c.rule == block.rule and c.line <= block.first_line for c in parsed.cleanups), block


# --- HTML -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def article() -> Parsed:
    path = FORMATS / "article.html"
    return read_html(path.read_bytes(), path)


def html_visible_words(data: bytes) -> Counter[str]:
    root = lxml.html.document_fromstring(data)
    nodes = root.xpath("//text()[not(ancestor::script or ancestor::style or "
                       "ancestor::noscript or ancestor::template)]")
    words: Counter[str] = Counter()
    for node in nodes:
        words.update(WORD.findall(html.unescape(str(node))))  # entity debris read as meant
    return words


def test_html_is_sniffed_as_html() -> None:
    assert sniff_format((FORMATS / "article.html").read_bytes()) is SourceFormat.HTML


def test_html_metadata(article: Parsed) -> None:
    found = meta(article)
    assert found["title"] == "The Winter Ledger: Notes on a Vanished Trade"
    assert found["publication"] == "The Harbour Review"
    assert found["author"] == "Margaret Ellory"
    assert found["date"].startswith("2023-03-04")
    assert found["last_updated"] == "12 March 2023"
    assert found["source_url"].endswith("/winter-ledger")
    assert "ice merchants" in found["description"]
    assert article.language == "en-GB"
    assert article.encoding == "utf-8"
    byline = next(f for f in article.metadata if f.raw == "By Margaret Ellory")
    assert article.lines[byline.line - 1].strip().endswith("By Margaret Ellory</p>")


def test_html_boilerplate_regions(article: Parsed) -> None:
    roles = {b.role for b in article.blocks if b.kind is BlockKind.BOILERPLATE}
    assert {"navigation", "banner", "sidebar", "footer", "share"} <= roles
    for block in article.blocks:
        if block.kind is BlockKind.BOILERPLATE:
            assert_recorded(article, block)
    reading = " ".join(texts(article, *AUTHORIAL))
    for furniture in ("Skip to content", "About us", "Latest articles", "The Salt Roads",
                      "Keepers of the Light", "All rights reserved", "Share this", "Facebook",
                      "Read more", "Last updated", "By Margaret Ellory", "Essays on ports"):
        assert furniture not in reading


def test_html_structure(article: Parsed) -> None:
    heads = [(b.level, b.text) for b in article.blocks if b.kind is BlockKind.HEAD]
    assert heads == [(1, "The Winter Ledger: Notes on a Vanished Trade"), (2, "The books"),
                     (3, "Prices and tonnage"), (2, "The men")]
    assert not article.anomalies
    quotes = texts(article, BlockKind.QUOTE)
    assert len(quotes) == 2 and quotes[0].startswith("Jan. 14. Cut at Long Pond")
    assert texts(article, BlockKind.LIST_ITEM)[2] == "wages are nowhere recorded."
    rows = [b for b in article.blocks if b.kind is BlockKind.TABLE_ROW]
    assert [i.text for i in rows[1].items if isinstance(i, Text)] == ["1874", "38,400", "$2.10"]
    assert any(b.kind is BlockKind.DIVIDER and b.text == "* * *" for b in article.blocks)
    notes = {b.label: b.text for b in article.blocks if b.kind is BlockKind.NOTE}
    assert set(notes) == {"1", "2"} and notes["1"].startswith("The dates come from")
    assert "↩" not in notes["1"]
    refs = [i for b in article.blocks if b.kind is BlockKind.P for i in b.items
            if isinstance(i, NoteRef)]
    assert [r.label for r in refs] == ["1", "2"]
    assert texts(article, BlockKind.P)[0].startswith("The ice merchants kept careful accounts")


def test_html_entity_debris_is_repaired_and_logged(article: Parsed) -> None:
    reading = " ".join(texts(article))
    assert "&nbsp;" not in reading and "&#8217;" not in reading
    assert "the clerk’s own" in reading and "a lost day for a hundred" in reading
    repairs = {(c.before, c.after) for c in article.cleanups if c.rule == "html-entity-debris"}
    assert repairs == {("&#8217;", "’"), ("&nbsp;", "\xa0")}
    assert all(c.action == "repaired" for c in article.cleanups
               if c.rule == "html-entity-debris")


def test_html_nothing_lost(article: Parsed) -> None:
    data = (FORMATS / "article.html").read_bytes()
    assert_nothing_lost(html_visible_words(data), parsed_words(article))


def test_html_lines_are_true(article: Parsed) -> None:
    assert len(article.lines) == (FORMATS / "article.html").read_text().count("\n") + 1
    assert_lines_true(article, unescape=True)
    for block in article.blocks:
        assert isinstance(block.items[0], LineBreak)


def test_html_script_in_body_is_not_text() -> None:
    page = (b"<html><body><main><p>Before the script.</p>\n<script>alert(1)</script>\n"
            b"<p>After <script>document.write('x')</script>it.</p></main></body></html>")
    parsed = read_html(page)
    assert "alert" not in " ".join(texts(parsed))
    assert "document" not in " ".join(texts(parsed))
    assert texts(parsed) == ["Before the script.", "After it."]
    assert [c.line for c in parsed.cleanups if c.rule == "html-script-element"] == [2, 3]


def test_html_only_navigation_has_no_authorial_blocks(tmp_path: Path) -> None:
    page = (b"<!doctype html><html><body><nav><ul><li><a href='/'>Home</a></li>"
            b"<li><a href='/a'>Archive</a></li></ul></nav><div class='links'>"
            b"<a href='/x'>One</a> | <a href='/y'>Two</a> | <a href='/z'>Three</a></div>"
            b"<footer>Copyright 2024</footer></body></html>")
    parsed = read_html(page)
    assert parsed.blocks and not [b for b in parsed.blocks if b.kind in AUTHORIAL]
    source = tmp_path / "nav.html"
    source.write_bytes(page)
    with pytest.raises(InputError, match="no authorial text"):
        ingest_source(source, "A")


def test_html_without_main_uses_classes_and_link_density() -> None:
    page = """<html><body>
<header><p>The Harbour Blog</p></header>
<div class="topbar"><a href="/">Home</a> <a href="/news">News</a> <a href="/blog">Blog</a>
<a href="/about">About</a></div>
<div class="cookie-notice">We use cookies to improve this site.</div>
<div class="post-body">
<h2>A short history of the harbour</h2>
<p>The harbour was dredged in 1840 and again in 1902, when the new quay was built.</p>
<h2>Related articles</h2>
<p><a href="/p/1">The old quay</a></p>
<p>A second teaser, about the fishing fleet.</p>
</div>
<div class="comments"><p>Great article, thanks!</p></div>
</body></html>"""
    parsed = read_html(page.encode())
    roles = [(b.role, b.text) for b in parsed.blocks if b.kind is BlockKind.BOILERPLATE]
    assert ("banner", "The Harbour Blog") in roles
    assert ("navigation", "Home News Blog About") in roles
    assert ("cookie", "We use cookies to improve this site.") in roles
    assert ("related", "Related articles") in roles
    assert ("related", "A second teaser, about the fishing fleet.") in roles
    assert ("comments", "Great article, thanks!") in roles
    assert texts(parsed, *AUTHORIAL) == [
        "A short history of the harbour",
        "The harbour was dredged in 1840 and again in 1902, when the new quay was built."]
    rules = {c.rule for c in parsed.cleanups}
    assert {"html-link-density", "html-class-pattern", "html-related-heading"} <= rules


def test_html_legacy_charset_is_respected() -> None:
    page = ('<html><head><meta charset="windows-1251"></head><body>'
            "<p>Зимняя книга учёта</p></body></html>").encode("cp1251")
    parsed = read_html(page)
    assert parsed.encoding == "cp1251"
    assert texts(parsed) == ["Зимняя книга учёта"]
    assert any(c.rule == "html-meta-charset" for c in parsed.cleanups)


def test_html_standfirst_author_and_word_footnotes() -> None:
    page = """<html><body><article>
<h1>Stalinism and the ledger</h1>
<p>The books were kept in the open, yet they hid everything, writes Jane Roe</p>
<p>The text of the article.<a href="#_ftn1" name="_ftnref1">[1]</a></p>
<div id="ftn1"><p><a href="#_ftnref1" name="_ftn1">[1]</a> A note in Word's style.</p></div>
</article></body></html>"""
    parsed = read_html(page.encode())
    assert meta(parsed)["author"] == "Jane Roe"
    assert texts(parsed, BlockKind.P)[0].endswith("writes Jane Roe")  # kept in the text
    ref = next(i for b in parsed.blocks for i in b.items if isinstance(i, NoteRef))
    assert (ref.label, ref.text) == ("1", "[1]")
    note = next(b for b in parsed.blocks if b.kind is BlockKind.NOTE)
    assert (note.label, note.text) == ("1", "A note in Word's style.")


def test_html_heading_skip_is_an_anomaly() -> None:
    parsed = read_html(b"<html><body><main><h1>Title</h1>\n<h3>Deep</h3><p>Text.</p>"
                       b"</main></body></html>")
    assert [a.kind for a in parsed.anomalies] == ["heading-level-skip"]
    assert parsed.anomalies[0].line == 2


def test_html_text_after_the_end_tag_is_kept() -> None:
    parsed = read_html(b"<html><body><p>Inside.</p></body></html>\nOutside <b>too</b>.")
    assert texts(parsed) == ["Inside.", "Outside too."]


# --- PDF ------------------------------------------------------------------------------

PDF_HEADER = "THE HARBOUR REVIEW — Spring 1938"
PDF_BODY = [
    ["The Ice Trade of the Northern Ports", "By Margaret Ellory", "",
     "Every winter from 1852 until the last cold season of 1921",
     "the merchants of the northern ports cut ice from the frozen",
     "lakes and stored it in sawdust for the summer trade. Their",
     "ledgers survive in three archives and a private collection.", "",
     "The ledgers record tonnage, price and destination with a",
     "clerk’s care. Each entry gives the date of cutting, the pond,",
     "the weight in hundredweight and the name of the ship that",
     "took the cargo south to Charleston or Savannah."],
    ["What the ledger calls “men paid off” meant a lost day for",
     "a hundred labourers. The phrase appears forty-one times in",
     "a single season, always beside a note of the weather.", "",
     "The Men on the Ice", "",
     "The cutters appear only as a daily total, a figure beside",
     "the weather. We know their names from other sources: parish",
     "registers, the strike of 1887, and a few letters (one of",
     "them written to a sister in March 1880)."],
    ["That letter describes the work as cold enough to take the",
     "skin from your hands and the heart from your chest. It is",
     "the only voice of the ice fields we have, and it is the",
     "voice of a man who could barely write his own name.", "",
     "When the railways brought machine ice south the trade",
     "collapsed within a decade. The ponds are reservoirs now,",
     "and the ice houses have fallen in."],
]
PDF_PAGES = [[PDF_HEADER, "", *body, "", f"Page {n} of {len(PDF_BODY)}"]
             for n, body in enumerate(PDF_BODY, 1)]


def make_pdf(pages: list[list[str]], *, text: bool = True) -> bytes:
    """A small valid PDF: one Helvetica line per string (an empty string is a gap).

    With `text=False` each page is a grey rectangle only: what a scan looks like.
    """
    streams = [b"\n".join([b"BT /F1 11 Tf 14 TL 72 770 Td",
                           *(literal(s) + b" Tj T*" for s in lines), b"ET"]) if text
               else b"0.5 g 72 72 400 600 re f" for lines in pages]
    return pdf_document(streams)


@pytest.fixture(scope="module")
def pdf_data() -> bytes:
    return (FORMATS / "ice-trade.pdf").read_bytes()


def test_pdf_fixture_is_the_generated_one(pdf_data: bytes) -> None:
    assert pdf_data == make_pdf(PDF_PAGES), "regenerate tests/fixtures/formats/ice-trade.pdf"
    assert sniff_format(pdf_data) is SourceFormat.PDF


def test_pdf_pages_are_extracted(pdf_data: bytes) -> None:
    pages = pdf_pages(pdf_data)
    assert len(pages) == 3
    for number, page in enumerate(pages, 1):
        lines = page.split("\n")
        assert lines[0] == PDF_HEADER
        assert lines[-1] == f"Page {number} of 3"
    assert "clerk’s care" in pages[0]  # WinAnsi curly apostrophe read as meant
    first = pages[0].split("\n")
    assert first[1] == "" and first[first.index("The ledgers record tonnage, price and "
                                                 "destination with a") - 1] == ""
    expected = Counter(w for page in PDF_PAGES for s in page for w in WORD.findall(s))
    assert Counter(WORD.findall("\n".join(pages))) == expected


def test_pdf_pages_join_with_form_feeds() -> None:
    text, cleanups = join_pages(["one\ntwo", "   ", "three\x00\fx"])
    assert text == "one\ntwo\n\f   \n\fthreex"
    assert [(c.rule, c.line) for c in cleanups] == [("pdf-empty-page", 3), ("pdf-control", 4)]
    assert cleanups[1].before == "three\x00\fx" and cleanups[1].after == "threex"


def test_pdf_full_read(pdf_data: bytes) -> None:
    text_module = pytest.importorskip("edition.ingest.text")
    if not hasattr(text_module, "analyse_text"):
        pytest.skip("the plain-text analyser is not there yet")
    parsed = read_pdf(pdf_data, FORMATS / "ice-trade.pdf")
    extracted = Counter(WORD.findall("\n".join(pdf_pages(pdf_data))))
    assert_nothing_lost(extracted, parsed_words(parsed))
    assert_lines_true(parsed)
    assert sum(1 for line in parsed.lines if line == PDF_HEADER) == 3
    reading = " ".join(texts(parsed, BlockKind.P, BlockKind.HEAD))
    assert "Page 1 of 3" not in reading and "Page 2 of 3" not in reading
    assert any(b.kind is BlockKind.FURNITURE for b in parsed.blocks)
    assert "The Men on the Ice" in texts(parsed, BlockKind.HEAD)


@pytest.mark.parametrize("data, message", [
    (b"%PDF-1.4\n" + bytes(range(256)) * 4, "damaged"),
    (b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF",
     "damaged|no pages"),
    (make_pdf([["a page of text"]])[:300], "damaged|no pages"),
    (make_pdf([["scan"], ["scan"]], text=False), "OCR"),
])
def test_pdf_hostile_input(data: bytes, message: str) -> None:
    with pytest.raises(InputError, match=message):
        pdf_pages(data)


def test_pdf_encrypted_is_refused() -> None:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf(PDF_PAGES))))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    locked = io.BytesIO()
    writer.write(locked)
    with pytest.raises(InputError, match="encrypted"):
        pdf_pages(locked.getvalue())
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf(PDF_PAGES))))
    writer.encrypt(user_password="", owner_password="owner", algorithm="RC4-128")
    restricted = io.BytesIO()
    writer.write(restricted)
    assert len(pdf_pages(restricted.getvalue())) == 3  # only copy/print restrictions


# --- TEI ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def letter() -> Parsed:
    path = FORMATS / "letter.xml"
    return read_tei(path.read_bytes(), path)


def test_tei_is_sniffed_as_tei() -> None:
    assert sniff_format((FORMATS / "letter.xml").read_bytes()) is SourceFormat.TEI


def test_tei_metadata(letter: Parsed) -> None:
    found = meta(letter)
    assert found["title"] == "Letters from the Ice Fields"
    assert found["subtitle"] == "A cutter's letter to his sister, 1880"
    assert found["author"] == "Thomas Hale"
    assert found["editor"] == "Ruth Abernathy"
    assert found["transcriber"] == "Daniel Okafor"
    assert found["date"] == "1880-03-09"  # the source's date comes before the file's
    assert found["publication"].startswith("Autograph letter, Parish of Long Pond papers")
    assert letter.language == "en"
    title = next(f for f in letter.metadata if f.name == "title")
    assert "Letters from the Ice Fields" in letter.lines[title.line - 1]


def test_tei_structure(letter: Parsed) -> None:
    heads = [(b.level, b.text) for b in letter.blocks if b.kind is BlockKind.HEAD]
    assert heads == [(1, "Editor's preface"), (1, "The letter"), (2, "Of the work")]
    kinds = [b.kind for b in letter.blocks]
    assert kinds.count(BlockKind.QUOTE) == 2
    song = next(b for b in letter.blocks if b.rule == "tei-lg")
    assert [i.line for i in song.items if isinstance(i, LineBreak)] == [54, 55]
    assert texts(letter, BlockKind.LIST_ITEM) == ["two pair of mittens",
                                                  "the almanac for this year"]
    row = next(b for b in letter.blocks if b.kind is BlockKind.TABLE_ROW)
    assert [i.text for i in row.items if isinstance(i, Text)] == ["Jan.", "212 tons"]
    letter_p = next(b for b in letter.blocks if b.text.startswith("Dear Sister"))
    assert [i.label for i in letter_p.items if isinstance(i, NoteRef)] == ["1"]
    note = letter.blocks[letter.blocks.index(letter_p) + 1]
    assert (note.kind, note.label) == (BlockKind.NOTE, "1")
    assert note.text == "The phrase is quoted in the Harbour Review, 1923."
    page = next(b for b in letter.blocks if b.kind is BlockKind.PAGE_BREAK)
    assert isinstance(page.items[-1], PageBreak) and page.items[-1].n == "2"
    assert texts(letter, BlockKind.CLOSER) == ["Long Pond, March 9th 1880",
                                               "Your loving brother, Thomas"]
    gap = next(i for b in letter.blocks for i in b.items if isinstance(i, Gap))
    assert (gap.junk, gap.reason) == ("torn away", "damage")
    assert "and the men all send their love." in " ".join(texts(letter, BlockKind.P))


def test_tei_furniture_and_boilerplate_are_kept_and_logged(letter: Parsed) -> None:
    furniture = [b for b in letter.blocks if b.kind is BlockKind.FURNITURE]
    assert [b.role for b in furniture] == ["header", "footer"]
    boiler = [b for b in letter.blocks if b.kind is BlockKind.BOILERPLATE]
    assert [(b.role, b.text) for b in boiler] == [
        ("archive-stamp", "Digitised by the Harbour Archive Project")]
    for block in boiler:
        assert_recorded(letter, block)
    for block in furniture:
        assert any(c.rule == "tei-fw" and c.line == block.first_line for c in letter.cleanups)
    assert "Long Pond Papers" not in " ".join(texts(letter, *AUTHORIAL))


def test_tei_alternatives_take_the_source_reading(letter: Parsed) -> None:
    reading = " ".join(texts(letter, BlockKind.P))
    assert "the wether has held cold" in reading and "Mr. Ward" in reading
    assert "tonnage is the best" in reading and "tunnage" not in reading
    assert "cutting true" in reading  # lb break="no" joins the word
    logged = {(c.rule, c.before, c.after) for c in letter.cleanups}
    assert ("tei-choice", "corr: weather", "wether") in logged
    assert ("tei-choice", "expan: Mister", "Mr.") in logged
    assert ("tei-app", "rdg #B: tunnage", "tonnage") in logged


def test_tei_lb_uses_the_file_line_not_its_n(letter: Parsed) -> None:
    letter_p = next(b for b in letter.blocks if b.text.startswith("Dear Sister"))
    lb_lines = [i.line for i in letter_p.items if isinstance(i, LineBreak)]
    assert 3 not in lb_lines and 38 in lb_lines
    assert "<lb n=\"3\"/>" in letter.lines[37]
    joined = [i for b in letter.blocks for i in b.items
              if isinstance(i, LineBreak) and i.joined]
    assert [(i.line, i.rule) for i in joined] == [(47, "tei-lb-break-no")]


def test_tei_nothing_lost(letter: Parsed) -> None:
    root = etree.parse(str(FORMATS / "letter.xml")).getroot()
    ns = {"t": "http://www.tei-c.org/ns/1.0"}
    source: Counter[str] = Counter()
    for part in root.xpath("t:teiHeader//t:titleStmt|t:text", namespaces=ns):
        source.update(WORD.findall(" ".join(part.itertext())))
    assert_nothing_lost(source, parsed_words(letter, set_aside=("tei-choice", "tei-app")))


def test_tei_lines_are_true(letter: Parsed) -> None:
    assert_lines_true(letter, unescape=True)


def test_tei_corpus_reads_every_text() -> None:
    data = b"""<teiCorpus xmlns="http://www.tei-c.org/ns/1.0">
<teiHeader><fileDesc><titleStmt><title>Two letters</title></titleStmt></fileDesc></teiHeader>
<TEI><teiHeader><fileDesc><titleStmt><title>One</title></titleStmt></fileDesc></teiHeader>
<text><body><p>First letter.</p></body></text></TEI>
<TEI><teiHeader><fileDesc><titleStmt><title>Two</title></titleStmt></fileDesc></teiHeader>
<text><body><p>Second letter.</p></body></text></TEI>
</teiCorpus>"""
    parsed = read_tei(data)
    assert meta(parsed)["title"] == "Two letters"
    assert texts(parsed) == ["First letter.", "Second letter."]
    assert [b.first_line for b in parsed.blocks] == [4, 6]


@pytest.mark.parametrize("data, error, message", [
    (b'<?xml version="1.0"?>\n<!DOCTYPE TEI [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
     b'<TEI xmlns="http://www.tei-c.org/ns/1.0"><text><body><p>&xxe;</p></body></text></TEI>',
     UnsafeXMLError, "entities"),
    ('<?xml version="1.0" encoding="UTF-16"?>\n<!DOCTYPE TEI [<!ENTITY x SYSTEM "file:///etc/'
     'passwd">]>\n<TEI xmlns="http://www.tei-c.org/ns/1.0"><text><body><p>&x;</p></body></text>'
     '</TEI>'.encode("utf-16"), UnsafeXMLError, "entities"),
    (b'<html xmlns="http://www.w3.org/1999/xhtml"><body><p>x</p></body></html>',
     InputError, "not a TEI document: the root element is <html>"),
    (b"<TEI><text><body><p>x</p></body></text></TEI>", InputError, "no namespace"),
    (b'<TEI xmlns="http://www.tei-c.org/ns/1.0"><text><body><p>x</body></TEI>',
     InputError, "not well-formed"),
])
def test_tei_hostile_or_wrong_input(data: bytes, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        read_tei(data)


# --- pages never seen: seeded random markup keeps every word and every line -------------

_VOCAB = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota",
          "kappa", "lambda", "mu"]
_HTML_TAGS = ["div", "p", "section", "ul", "ol", "li", "blockquote", "h2", "h3", "table", "tr",
              "td", "nav", "aside", "footer", "header", "article", "main", "pre", "span", "em",
              "a", "sup", "dl", "dt", "dd"]
_TEI_TAGS = ["div", "head", "p", "quote", "cit", "lg", "l", "list", "item", "table", "row",
             "cell", "hi", "frob", "closer", "signed", "bibl", "q", "ab", "figure", "sp",
             "speaker", "label", "epigraph", "opener", "dateline", "trailer"]
_TEI_MILESTONES = ('<lb/>', '<lb break="no"/>', '<pb n="3"/>', '<fw type="header">{}</fw>',
                   '<gap reason="damage"><desc>{}</desc></gap>',
                   '<choice><sic>{}</sic><corr>{}</corr></choice>',
                   '<app><lem>{}</lem><rdg wit="#b">{}</rdg></app>',
                   '<note type="boilerplate">{}</note>', '<note n="4">{}</note>')


def _words_of(rng: random.Random) -> str:
    words = [rng.choice(_VOCAB) + (str(rng.randint(0, 99)) if rng.random() < 0.2 else "")
             for _ in range(rng.randint(0, 6))]
    text = " ".join(words).replace(" ", "\n  ", 1 if rng.random() < 0.3 else 0)
    return text + (" &amp;nbsp; x&amp;#8217;s &lt;b&gt;" if rng.random() < 0.1 else "")


def _html_node(rng: random.Random, depth: int) -> str:
    if depth > 5 or rng.random() < 0.3:
        return _words_of(rng)
    tag = rng.choice(_HTML_TAGS)
    attrs = f' class="{rng.choice(["", "sidebar", "related", "share", "footnotes", "menu"])}"'
    if tag == "a":
        attrs += f' href="{rng.choice(["#fn1", "/x", "#top", "#n2"])}"'
    if rng.random() < 0.1:
        attrs += ' id="fn1"'
    inner = " ".join(_html_node(rng, depth + 1) for _ in range(rng.randint(0, 4)))
    if rng.random() < 0.1:
        inner += "<script>var q = 'no';</script><!-- a\ncomment -->"
    sep = "\n" if rng.random() < 0.5 else ""
    return f" <{tag}{attrs}>{sep}{inner}{sep}</{tag}> " + _words_of(rng)


def _tei_node(rng: random.Random, depth: int) -> str:
    roll = rng.random()
    if depth > 5 or roll < 0.25:
        return _words_of(rng)
    if roll < 0.5:
        template = rng.choice(_TEI_MILESTONES)
        return " " + template.format(*(_words_of(rng) for _ in range(template.count("{}")))) + " "
    inner = " ".join(_tei_node(rng, depth + 1) for _ in range(rng.randint(0, 4)))
    tag, sep = rng.choice(_TEI_TAGS), "\n" if rng.random() < 0.5 else ""
    return f" <{tag}>{sep}{inner}{sep}</{tag}> "


@pytest.mark.parametrize("seed", range(40))
def test_unseen_html_keeps_every_word_on_its_line(seed: int) -> None:
    rng = random.Random(seed)
    body = "\n".join(_html_node(rng, 0) for _ in range(rng.randint(1, 5)))
    data = f"<html><head><title>{_words_of(rng)}</title></head><body>\n{body}\n</body></html>"
    parsed = read_html(data.encode())
    assert_nothing_lost(html_visible_words(data.encode()), parsed_words(parsed))
    assert_lines_true(parsed, unescape=True)


@pytest.mark.parametrize("seed", range(40))
def test_unseen_tei_keeps_every_word_on_its_line(seed: int) -> None:
    rng = random.Random(seed)
    body = "\n".join(_tei_node(rng, 0) for _ in range(rng.randint(1, 5)))
    data = (f'<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader><fileDesc><titleStmt><title>'
            f"{_words_of(rng)}</title></titleStmt></fileDesc></teiHeader>\n<text><body>\n"
            f"{body}\n</body></text></TEI>").encode()
    parsed = read_tei(data)
    source: Counter[str] = Counter()
    for part in etree.fromstring(data).xpath("t:teiHeader//t:titleStmt|t:text",
                                             namespaces={"t": "http://www.tei-c.org/ns/1.0"}):
        source.update(WORD.findall(" ".join(part.itertext())))
    assert_nothing_lost(source, parsed_words(parsed, set_aside=("tei-choice", "tei-app")))
    assert_lines_true(parsed, unescape=True)


def test_pdf_front_matter_and_prose_are_told_apart(pdf_data: bytes) -> None:
    """A narrow PDF column: short prose lines after the byline are prose, not subtitles."""
    parsed = read_pdf(pdf_data, "ice-trade.pdf")
    meta = {f.name: f.value for f in parsed.metadata}
    assert meta["title"] == "The Ice Trade of the Northern Ports"
    assert meta["author"] == "Margaret Ellory"
    assert "subtitle" not in meta
    first = next(b for b in parsed.blocks if b.kind is BlockKind.P)
    assert first.text.startswith("Every winter from 1852")
    page_numbers = [i.text for b in parsed.blocks for i in b.items
                    if isinstance(i, Furniture) and i.kind == "pageNum"]
    assert page_numbers[-1] == "Page 3 of 3"  # the last page's foot too
