"""The plain-text analyser on fixtures cut from the corpus and on sources of our own making.

Fixtures in tests/fixtures/corpus are verbatim line ranges of the real sources (see the
README there); the synthetic sources below have other layouts and other damage, so the
rules are checked against more than the five files of the corpus.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from edition.encode.witness import encode_witness
from edition.ingest import ingest_source
from edition.ingest.decode import decode_source
from edition.model import (
    BlockKind,
    Furniture,
    Gap,
    Label,
    LineBreak,
    NoteRef,
    PageBreak,
    Witness,
)
from edition.validate import validate_tree

from ..conftest import FIXTURES

CUT = FIXTURES / "corpus"


def ingest(name: str) -> Witness:
    return ingest_source(CUT / name, "A")


def ingest_text(tmp_path: Path, text: str, encoding: str = "utf-8") -> Witness:
    path = tmp_path / "source.txt"
    path.write_bytes(text.encode(encoding))
    return ingest_source(path, "X")


def kinds(w: Witness) -> list[tuple[BlockKind, str]]:
    return [(b.kind, b.text) for b in w.blocks]


def block_at(w: Witness, line: int):
    return next(b for b in w.blocks if b.first_line <= line <= b.last_line)


# --- real fixtures --------------------------------------------------------------------


def test_paragraph_rejoined_across_page_footer() -> None:
    w = ingest("book_page_break.txt")
    # fixture line 8 ends "...kowtowing before accomplished fact," and line 16 continues it
    para = block_at(w, 8)
    assert para.kind is BlockKind.P and para.last_line >= 16
    furniture = [i for i in para.items if isinstance(i, Furniture)]
    assert [f.kind for f in furniture] == ["header", "footer"]
    assert furniture[0].text == "Revolution Betrayed: Chapter 8"
    breaks = [i for i in para.items if isinstance(i, PageBreak)]
    assert breaks[0].n == "3" and breaks[0].url.endswith("index.htm")
    assert "Revolution Betrayed" not in para.text and "http" not in para.text
    assert "accomplished fact, and a partiality" in para.text
    assert any(c.rule == "para-rejoin" and c.line == 16 for c in w.cleanups)
    mismatch = [a for a in w.anomalies if a.kind == "header-footer-mismatch"]
    assert mismatch and mismatch[0].line == 10


def test_chapter_start_navigation_banner_heading_contents() -> None:
    w = ingest("book_chapter_start.txt")
    by_kind = kinds(w)
    assert (BlockKind.BOILERPLATE, "Back to Intro On to chapter 2") in by_kind
    banner = [t for k, t in by_kind if k is BlockKind.BOILERPLATE]
    assert "What is the Soviet Union and where is it going?" not in [
        t for k, t in by_kind if k is not BlockKind.BOILERPLATE]
    heads = [b for b in w.blocks if b.kind is BlockKind.HEAD]
    assert heads[0].level == 1
    assert heads[0].text == "Chapter 2 ECONOMIC GROWTH AND THE ZIGZAGS OF THE LEADERSHIP"
    assert heads[1].level == 2
    assert heads[1].text == ('1. "Military Communism", the "New Economic Policy" (NEP) and the '
                             "Course Toward the Kulak")
    toc = [b.text for b in w.blocks if b.role == "toc"]
    assert 'A sharp turn: "The Five Year Plan in four years"' in toc
    assert len(banner) >= len(toc) + 1
    # the section heading's three title lines are all taken, and the prose after it is a P
    first_para = w.blocks[w.blocks.index(heads[1]) + 1]
    assert first_para.kind is BlockKind.P
    assert first_para.text.startswith("The line of development of the Soviet economy")


def test_pdf_operator_junk_becomes_gaps_and_words_survive() -> None:
    w = ingest("book_junk.txt")
    gaps = [i.junk for b in w.blocks for i in b.items if isinstance(i, Gap)]
    assert ".1429 6.1429 Tto" in gaps[0]
    assert "29 Tto rA" in gaps
    text = " ".join(b.text for b in w.blocks)
    assert "arbitrary expendi" in text and "state funds" in text
    assert "Tto" not in text and ".1429" not in text and "rAcivilization" not in text
    assert all(c.before for c in w.cleanups if c.rule == "pdf-junk")


def test_heading_glued_to_truncated_paragraph() -> None:
    w = ingest("book_glued_heading.txt")
    head = next(b for b in w.blocks if b.kind is BlockKind.HEAD and b.level == 1)
    assert head.text == "Chapter 10 THE SOVIET UNION IN THE MIRROR OF THE NEW CONSTITUTION"
    breaks_off = [a for a in w.anomalies if a.kind == "breaks-off"]
    assert breaks_off and breaks_off[0].cause == "lacuna"
    assert breaks_off[0].evidence.endswith("the social antagonisms, a bureaucracy has")


def test_front_matter_moves_to_header_and_navigation_is_boilerplate() -> None:
    w = ingest("article_front.txt")
    meta = {f.name: f.value for f in w.metadata}
    assert meta["author"] == "N. Markin"
    assert meta["title"] == "The Stakhanovist Movement"
    assert meta["publication"] in {"The New International", "New International"}
    assert meta["pages"] == "9–13"
    assert meta["transcriber"] == "Einde O’Callaghan"
    assert meta["subtitle"] == "Its real meaning and the bureaucratic distortions"
    moved = {f.line for f in w.metadata if f.raw}
    assert {5, 8, 10, 12, 13, 16} <= moved
    body_lines = {i.line for b in w.blocks for i in b.items if isinstance(i, LineBreak)}
    assert not moved & body_lines  # moved, not duplicated
    nav = [b for b in w.blocks if b.kind is BlockKind.BOILERPLATE]
    assert [b.first_line for b in nav] == [1, 3]
    assert w.blocks[2].kind is BlockKind.P and w.blocks[2].text.startswith("DURING THE night")


def test_sidebar_of_teasers_is_boilerplate() -> None:
    w = ingest("web_sidebar.txt")
    sidebar = [b for b in w.blocks if b.role == "sidebar"]
    assert sidebar[0].text == "Solidarity meetings"
    assert any(b.text == "How colonial war led to revolution in Portugal" for b in sidebar)
    authorial = [b for b in w.blocks if b.kind is not BlockKind.BOILERPLATE]
    assert authorial[-1].text.startswith("There is nothing to mourn")


def test_run_in_headings_and_flattened_table() -> None:
    w = ingest("article_table.txt")
    labels = [i.text for b in w.blocks for i in b.items if isinstance(i, Label)]
    assert "ACCELERATION OF THE PROCESS:" in labels
    rows = [b for b in w.blocks if b.kind is BlockKind.TABLE_ROW]
    assert len(rows) >= 12
    assert any(b.text == "First 6-Year Plan (Jan. ’29–Jan. ’33)" for b in rows)


def test_footnote_marker_and_body_linked() -> None:
    w = ingest("chapter_footnote.txt")
    refs = [i for b in w.blocks for i in b.items if isinstance(i, NoteRef)]
    notes = [b for b in w.blocks if b.kind is BlockKind.NOTE]
    assert refs and refs[0].label == "1" and refs[0].text == "[1]"
    assert notes and notes[0].label == "1" and "Society for the Defense" in notes[0].text
    assert {b.role for b in w.blocks if b.kind is BlockKind.BOILERPLATE} >= {
        "navigation", "link-debris"}
    assert any(f.name == "last_updated" and f.value == "20.4.2007" for f in w.metadata)


# --- sources of our own making ------------------------------------------------------------

PDF_DUMP = """THE HISTORY OF THE CANAL

Chapter 1
THE FIRST SURVEY

The engineers who came to the valley in the spring of 1820 found the river low and the
meadows flooded by the winter rains. They measured the fall of the ground from the mill to
the ferry, and wrote in their report that a canal of modest depth would carry the indus-
try of the upper valley to the sea within a single season of

\f- 12 -

THE HISTORY OF THE CANAL

work. The report was printed in the county newspaper and read aloud in the market.
Nobody believed it.

Chapter 2
THE COMPANY

The company was formed in the autumn. Its first meeting was held at the inn by the bridge
and its first act was to borrow money from the bank that had refused the engineers.

\f- 13 -

THE HISTORY OF THE CANAL

The loan was repaid within ten years, a thing that no one in the valley had thought possible.

- 14 -
"""


def test_synthetic_pdf_dump_with_form_feeds(tmp_path: Path) -> None:
    w = ingest_text(tmp_path, PDF_DUMP)
    furniture = [i for b in w.blocks for i in b.items if isinstance(i, Furniture)] + [
        i for b in w.blocks if b.kind is BlockKind.FURNITURE for i in b.items]
    assert {f.kind for f in furniture} >= {"pageNum", "header"}
    para = block_at(w, 8)
    assert "industry of the upper valley" in para.text  # de-hyphenated
    joined = [i for i in para.items if isinstance(i, LineBreak) and i.joined]
    assert joined and joined[0].rule == "dehyphenate"
    assert "season of work. The report" in para.text  # rejoined across the page break
    assert "12" not in para.text and "HISTORY" not in para.text
    heads = [b.text for b in w.blocks if b.kind is BlockKind.HEAD]
    assert heads == ["Chapter 1 THE FIRST SURVEY", "Chapter 2 THE COMPANY"]


WEB_PAGE = """Home | News | Opinion | About us

Canal anniversary draws crowds
By Jane Doe

Thousands of people walked the towpath on Saturday to mark two hundred years since the first
boat passed through the locks at the head of the valley.

The celebrations began with a parade of restored narrowboats, decorated with flags and
flowers, which moved slowly from the basin to the aqueduct.

“It is the best day we have had here in years,” said the lock keeper, who has worked on the
canal since 1987.

Share this

Related articles

Lock gates replaced after storm

Volunteers clear the feeder reservoir
"""


def test_synthetic_web_page(tmp_path: Path) -> None:
    w = ingest_text(tmp_path, WEB_PAGE)
    meta = {f.name: f.value for f in w.metadata}
    assert meta.get("title") == "Canal anniversary draws crowds"
    assert meta.get("author") == "Jane Doe" or "Jane Doe" in meta.get("subtitle", "")
    boiler = [b.text for b in w.blocks if b.kind is BlockKind.BOILERPLATE]
    assert "Home | News | Opinion | About us" in boiler
    assert "Lock gates replaced after storm" in boiler
    paras = [b.text for b in w.blocks if b.kind in (BlockKind.P, BlockKind.QUOTE)]
    assert len(paras) == 3 and paras[0].startswith("Thousands of people")


FORMULA = """A Litany of the Sea

They went down to the sea in the morning, and the sea was grey and wide before them.

The sea gives and the sea takes.

The boats came back at noon with their nets full, and the women sang on the quay.

The sea gives and the sea takes.

In the evening one boat did not come back, and nobody sang on the quay that night.

The sea gives and the sea takes.
"""


def test_authorial_formula_repeated_is_not_boilerplate(tmp_path: Path) -> None:
    w = ingest_text(tmp_path, FORMULA)
    formula = [b for b in w.blocks if b.text == "The sea gives and the sea takes."]
    assert len(formula) == 3
    assert all(b.kind is BlockKind.P for b in formula)


def test_decoding_repairs_are_recorded(tmp_path: Path) -> None:
    mojibake = "The workersâ€™ state"  # UTF-8 read as cp1252, then saved as UTF-8
    decoded = decode_source(mojibake.encode("utf-8"))
    assert decoded.text == "The workers’ state"
    assert decoded.cleanups[0].rule == "decode-mojibake"
    assert decoded.cleanups[0].before == mojibake
    assert decode_source("“quoted” – dash".encode("cp1252")).encoding == "cp1252"
    assert decode_source("“curly” quotes ﬁ".encode()).text == "“curly” quotes ﬁ"
    assert decode_source("ÿ".encode("utf-16")).encoding == "utf-16"
    assert decode_source("\ufeffBOM".encode("utf-8")).text == "BOM"


@pytest.mark.parametrize("name", sorted(p.name for p in CUT.glob("*.txt")))
def test_fixture_encodes_to_valid_tei(name: str) -> None:
    doc = encode_witness(ingest(name))
    problems = [p.format() for p in validate_tree(doc, Path(name)) if p.severity == "error"]
    assert not problems, problems[:5]


def test_entity_debris_repaired_or_kept_as_gap(tmp_path: Path) -> None:
    w = ingest_text(tmp_path, "A first paragraph of prose, long enough to read as one, ends "
                    "here.\n\nMarx &amp; Engels wrote it&nbsp;together, and &bogus; stayed.\n"
                    "\n&nsbsp;\n")
    para = block_at(w, 3)
    assert "Marx & Engels wrote it\xa0together" in para.items[1].text
    assert "&bogus;" not in para.text
    gaps = [i for b in w.blocks for i in b.items if isinstance(i, Gap)]
    assert [(g.junk, g.reason) for g in gaps] == [("&bogus;", "entity-debris"),
                                                  ("&nsbsp;", "entity-debris")]
    assert w.blocks[-1].kind is BlockKind.GAP  # a line of debris is no paragraph
    repaired = [c for c in w.cleanups if c.action == "repaired"]
    assert repaired[0].before.startswith("Marx &amp; Engels")
