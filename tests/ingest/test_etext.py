"""Plain e-texts (Project Gutenberg and the like): frame, structure, verse, conventions.

Fixtures in tests/fixtures/etext/ are cut from the Project Gutenberg files of the
development set (frame.txt: pg375; verse.txt: pg301; books.txt: pg98 rearranged) or made
for one convention (marks.txt; titlepage.txt: a printed title page and numeral chapters
with a title line; older.txt: an older e-text, paragraphs by indent, dialogue).
"""

from __future__ import annotations

import re
from pathlib import Path

from lxml import etree

from edition.encode.witness import encode_witness
from edition.ingest import ingest_source
from edition.ingest.etext import find_frame
from edition.model import BlockKind, Hi, Witness

FIXTURES = Path(__file__).parent.parent / "fixtures" / "etext"
NS = {"t": "http://www.tei-c.org/ns/1.0"}


def _witness(name: str) -> Witness:
    return ingest_source(FIXTURES / name, "A")


def _body_lines(path: Path) -> range:
    lines = path.read_text(encoding="utf-8-sig").split("\n")
    start = next(i for i, s in enumerate(lines, 1) if s.strip().startswith("*** START"))
    end = next(i for i, s in enumerate(lines, 1) if s.strip().startswith("*** END"))
    return range(start + 1, end)


def _reading_lines(w: Witness) -> set[int]:
    return {item.line for b in w.blocks if b.kind is not BlockKind.BOILERPLATE
            for item in b.items if hasattr(item, "text") and item.text.strip()}


def test_frame_outside_the_markers_is_boilerplate_and_kept() -> None:
    w = _witness("frame.txt")
    body = _body_lines(FIXTURES / "frame.txt")
    outside = {n for n in _reading_lines(w) if n not in body}
    assert not outside, f"frame lines read as the work: {sorted(outside)}"
    roles = {b.role for b in w.blocks if b.kind is BlockKind.BOILERPLATE}
    assert {"distributor-header", "distributor-marker", "licence"} <= roles
    kept = " ".join(b.text for b in w.blocks) + " ".join(f.raw for f in w.metadata)
    for line in (FIXTURES / "frame.txt").read_text(encoding="utf-8-sig").split("\n"):
        for word in re.findall(r"\w+", line)[:3]:
            assert word in kept


def test_frame_metadata_goes_to_the_header() -> None:
    w = _witness("frame.txt")
    assert w.meta("title") == "An Occurrence at Owl Creek Bridge"
    assert w.meta("author") == "Ambrose Bierce"
    assert w.meta("language") == "English" and w.language == "en"
    assert "1995" in w.meta("release_date")
    doc = encode_witness(w)
    assert doc.findtext(".//t:titleStmt/t:title", namespaces=NS) == w.meta("title")
    assert doc.findtext(".//t:titleStmt/t:author", namespaces=NS) == "Ambrose Bierce"


def test_text_without_frame_has_none() -> None:
    assert find_frame(["A plain page.", "", "Of prose, with no distributor at all."]) is None


def test_markerless_licence_by_vocabulary() -> None:
    prose = ["The work begins here and goes on for a while."] * 12
    licence = ["", "This eBook is for the use of anyone anywhere. Project Gutenberg is a",
               "registered trademark; see the license for the royalties and donations."]
    frame = find_frame([*prose, *licence])
    assert frame is not None and {b.role for b in frame.after} == {"licence"}
    assert all(i >= len(prose) for i in frame.lines)


def test_credits_and_end_line_inside_the_markers() -> None:
    w = _witness("verse.txt")
    roles = {b.role: b for b in w.blocks if b.kind is BlockKind.BOILERPLATE}
    assert roles["credits"].text.startswith("Produced by")
    assert any(b.text.startswith("End of Project Gutenberg") for b in w.blocks
               if b.kind is BlockKind.BOILERPLATE)


def test_bare_numeral_after_the_byline_is_a_heading_not_a_subtitle() -> None:
    w = _witness("frame.txt")
    assert "I" not in {f.value for f in w.metadata}
    heads = [b for b in w.blocks if b.kind is BlockKind.HEAD]
    assert heads and heads[0].text == "I" and heads[0].first_line == 37


def test_title_page_is_front_matter_not_empty_divisions() -> None:
    w = _witness("titlepage.txt")
    front = [b for b in w.blocks if b.role == "title-page"]
    assert [b.first_line for b in front][:3] == [6, 8, 10] and front[-1].text == "MDCCXC"
    assert all(b.kind is BlockKind.P for b in front)
    assert sum(1 for c in w.cleanups if c.rule == "title-page") == 8
    doc = encode_witness(w)
    empty = [d for d in doc.findall(".//t:body//t:div", NS)
             if all(etree.QName(c).localname == "head" for c in d)]
    assert not empty
    body = " ".join(b.text for b in w.blocks)
    for word in ("FARMERS", "WEALD", "HARVEST", "LONDON", "1790", "MDCCXC"):
        assert word in body  # nothing the title page says is lost


def test_title_line_after_a_numeral_belongs_to_the_heading() -> None:
    w = _witness("titlepage.txt")
    heads = [b.text for b in w.blocks if b.kind is BlockKind.HEAD]
    assert heads == ["I Le moulin du val.", "II Une visite.", "III La foire."]
    doc = encode_witness(w)
    head = doc.find(".//t:body//t:div/t:head", NS)
    assert [lb.get("n") for lb in head.findall("t:lb", NS)] == ["29", "31"]


def test_older_etext_keeps_paragraphs_after_closing_quotes() -> None:
    w = _witness("older.txt")
    starts = [b.first_line for b in w.blocks if b.kind is BlockKind.P]
    # blank-line paragraphs, indented first lines, one speech after another
    for line in (28, 31, 34, 36, 38, 41, 42, 44, 46, 47, 50, 53, 57, 61):
        assert line in starts, line
    assert 35 not in starts and 39 not in starts  # wrapped lines stay in their paragraph
    rules = {c.rule for c in w.cleanups}
    assert {"para-split-indent", "para-split-dialogue"} <= rules
    assert "para-rejoin" not in rules


def test_verse_is_stanzas_with_lines() -> None:
    w = _witness("verse.txt")
    stanzas = [b for b in w.blocks if b.kind is BlockKind.STANZA]
    assert len(stanzas) >= 4
    doc = encode_witness(w)
    lgs = doc.findall(".//t:body//t:lg", NS)
    assert lgs and all(len(lg.findall("t:l", NS)) >= 4 for lg in lgs[1:])
    first = lgs[1].findall("t:l", NS)[0]
    assert "".join(first.itertext()).strip() == "He did not wear his scarlet coat,"


def test_prose_paragraphs_are_not_verse() -> None:
    w = _witness("books.txt")
    assert not [b for b in w.blocks if b.kind is BlockKind.STANZA]


def test_contents_list_is_a_list_not_empty_chapters() -> None:
    w = _witness("books.txt")
    toc = [b for b in w.blocks if b.role == "toc"]
    assert toc[0].kind is BlockKind.HEAD and toc[0].text == "CONTENTS"
    assert sum(1 for b in toc if b.kind is BlockKind.LIST_ITEM) == 6
    doc = encode_witness(w)
    empty = [d for d in doc.findall(".//t:body//t:div", NS)
             if all(etree.QName(c).localname == "head" for c in d)]
    assert not empty


def test_books_hold_chapters() -> None:
    w = _witness("books.txt")
    heads = [(b.level, b.text) for b in w.blocks if b.kind is BlockKind.HEAD and b.role != "toc"]
    assert heads[0] == (1, "Book the First--Recalled to Life")
    assert heads[1] == (2, "CHAPTER I. The Period")
    assert (1, "Book the Second--the Golden Thread") in heads


def test_dialogue_is_not_a_heading() -> None:
    w = _witness("books.txt")
    heads = [b.text for b in w.blocks if b.kind is BlockKind.HEAD]
    assert not [h for h in heads if h.startswith("“") or h.endswith("?")]


def test_italics_figures_and_footnotes() -> None:
    w = _witness("marks.txt")
    his = [i.text for b in w.blocks for i in b.items if isinstance(i, Hi)]
    assert his == ["Gazette", "very", "Times of the", "day"]
    assert not any("_" in b.text for b in w.blocks if b.kind is BlockKind.P)
    assert sum(1 for c in w.cleanups if c.rule == "etext-emphasis") == 3
    figures = [b for b in w.blocks if b.kind is BlockKind.FIGURE]
    assert [f.text for f in figures] == ["The reader at her window, with the Gazette.", ""]
    notes = {b.label: b.text for b in w.blocks if b.kind is BlockKind.NOTE}
    assert notes["1"] == "The Gazette was a weekly paper."
    doc = encode_witness(w)
    refs = doc.findall(".//t:ref[@type='noteAnchor']", NS)
    assert [r.get("target") for r in refs] == ["#A-n1", "#A-n2"]
    assert doc.find(".//t:figure/t:figDesc", NS) is not None


def test_a_colon_then_an_indented_line_stays_one_paragraph() -> None:
    """A line ending with a colon announces what follows; the quotation after it, set on an
    indented line, is not a new paragraph (source 002 of the corpus: "a picture as this of
    living conditions:" then ' "The workers sleep on the floor...', run on in the other
    witness). After a full stop the indent still opens a paragraph."""
    from edition.ingest.parabreak import opens_paragraph

    assert opens_paragraph("a picture as this of living conditions:",
                           ' "The workers sleep on the floor, since bedbugs eat them', 1) == ""
    assert opens_paragraph("and so the day ended.", "  The next morning came early.", 2)
