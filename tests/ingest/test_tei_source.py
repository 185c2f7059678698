"""A TEI critical edition as a source: one witness per witness of its apparatus, each with
the text it reads, the apparatus rebuilt by the pipeline; `xi:include` resolved from local
files beside the source only, every other include refused with a message that says why."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest
import regex
from lxml import etree

from edition.config import Config, WitnessOverride
from edition.errors import InputError
from edition.ingest import ingest_witnesses
from edition.ingest.teisource import read_tei, read_tei_witnesses
from edition.model import BlockKind, PageBreak, Witness
from edition.pipeline import build, ingest_all
from edition.validate import validate_paths

from ..conftest import FIXTURES

TEI = FIXTURES / "tei"
HARBOUR = TEI / "critical" / "harbour.xml"
INCLUDES = TEI / "includes"
NS = {"t": "http://www.tei-c.org/ns/1.0"}
WORD = regex.compile(r"\w+")


@pytest.fixture(scope="module")
def witnesses() -> dict[str, Witness]:
    return {w.siglum: w for w in ingest_witnesses(HARBOUR, "")}


def _text(w: Witness) -> str:
    return " ".join(b.text for b in w.blocks if b.kind is not BlockKind.PAGE_BREAK)


def _tei(body: str, header: str = "") -> bytes:
    return (f'<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader><fileDesc><titleStmt>'
            f"<title>T</title></titleStmt><publicationStmt><p>p</p></publicationStmt>"
            f"<sourceDesc>{header or '<p>s</p>'}</sourceDesc></fileDesc></teiHeader>\n"
            f"<text><body>\n{body}\n</body></text></TEI>").encode()


# --- the apparatus: witnesses and readings ---------------------------------------------------


def test_one_witness_per_declared_witness(witnesses: dict[str, Witness]) -> None:
    assert list(witnesses) == ["A", "B", "C"]
    for siglum, w in witnesses.items():
        assert w.source_name == "harbour.xml"
        assert w.meta("title") == f"A Description of the Northern Harbour, witness {siglum}"
        assert w.cleanups[0].rule == "tei-witness" and f"witness {siglum}" in w.cleanups[0].detail
    assert witnesses["B"].meta("description") == "Print B, the London octavo of 1790"


def test_each_witness_reads_its_own_readings(witnesses: dict[str, Witness]) -> None:
    a, b = _text(witnesses["A"]), _text(witnesses["B"])
    assert "mouth of the river," in a and "mouth of the stream," in b  # negative apparatus
    assert "every colour that" in a and "every color that" in b
    assert "the northern mountains" in a and "the southern mountains" in b  # rdgGrp
    assert "that quiet harbor under" in a and "that quiet harbour under" in b  # lem wit="#B"
    for text in (a, b):
        assert "stream" not in text or "river" not in text


def test_an_empty_reading_is_an_omission(witnesses: dict[str, Witness]) -> None:
    assert "wind blows greatly from" in _text(witnesses["A"])
    assert "wind blows from the southern" in _text(witnesses["B"])
    logged = next(c for c in witnesses["B"].cleanups if c.before == "lem #A: greatly")
    assert logged.rule == "tei-app" and "an omission" in logged.detail and logged.after == ""
    assert logged.line == 15


def test_a_witness_named_nowhere_reads_every_lemma(witnesses: dict[str, Witness]) -> None:
    c = _text(witnesses["C"])
    assert "river" in c and "colour" in c and "greatly" in c and "northern" in c
    assert "quiet harbour" in c  # the lemma, though the lemma names B only
    reasons = [x.detail for x in witnesses["C"].cleanups if x.rule == "tei-app"]
    assert len(reasons) == 5 and all("not named in this app: reads the lemma" in r
                                     for r in reasons)


def test_no_reading_is_lost(witnesses: dict[str, Witness]) -> None:
    """Every word of the text and of every reading is in each witness, read or set aside."""
    root = etree.parse(str(HARBOUR)).getroot()
    source = Counter(WORD.findall(" ".join(root.find("t:text", NS).itertext())))
    for w in witnesses.values():
        kept = Counter(WORD.findall(_text(w)))
        for c in w.cleanups:
            if c.rule == "tei-app":
                kept.update(WORD.findall(c.before))
        assert not source - kept, w.siglum


def test_a_page_break_of_another_witness_is_set_aside(witnesses: dict[str, Witness]) -> None:
    pages = [i.n for b in witnesses["A"].blocks for i in b.items if isinstance(i, PageBreak)]
    assert pages == ["2r"]
    assert not [i for b in witnesses["B"].blocks for i in b.items if isinstance(i, PageBreak)]
    assert any(c.rule == "tei-pb" and c.before == "2r" for c in witnesses["B"].cleanups)


def test_witness_groups_and_undeclared_witnesses() -> None:
    header = ('<listWit><witness xml:id="A">A</witness><listWit xml:id="print">'
              '<witness xml:id="P1">P1</witness><witness xml:id="P2">P2</witness></listWit>'
              "</listWit>")
    body = ('<p>One <app><lem wit="#A">red</lem><rdg wit="#print">blue</rdg>'
            '<rdg wit="wits.xml#X">green</rdg></app> sky.</p>')
    found = read_tei_witnesses(_tei(body, header))
    readings = {w.ident: " ".join(b.text for b in p.blocks) for w, p in found if w}
    assert readings == {"A": "One red sky.", "P1": "One blue sky.", "P2": "One blue sky.",
                        "X": "One green sky."}
    assert [w.declared for w, _ in found if w] == [True, True, True, False]


@pytest.mark.parametrize("body, header", [
    ("<p>No apparatus at all, just a paragraph.</p>", ""),
    ('<p>One <app><lem wit="#A">red</lem></app> sky.</p>', ""),  # one witness only
    ('<p>One <app><lem>red</lem><rdg wit="#B">blue</rdg></app> sky.</p>',
     '<p>s</p></sourceDesc></fileDesc><encodingDesc><variantEncoding '
     'method="location-referenced" location="internal"/></encodingDesc><fileDesc><sourceDesc>'),
])
def test_a_source_without_an_inline_apparatus_is_one_witness(body: str, header: str) -> None:
    data = _tei(body) if not header else _tei(body).replace(
        b"<sourceDesc><p>s</p></sourceDesc></fileDesc>",
        b"<sourceDesc><p>s</p></sourceDesc></fileDesc><encodingDesc><variantEncoding "
        b'method="location-referenced" location="internal"/></encodingDesc>')
    [(declared, parsed)] = read_tei_witnesses(data)
    assert declared is None and parsed == read_tei(data)


# --- sigla ----------------------------------------------------------------------------------


def test_declared_sigla_give_way_to_taken_ones() -> None:
    taken = {"A"}
    sigla = [w.siglum for w in ingest_witnesses(HARBOUR, "", taken=taken)]
    assert sigla == ["A-2", "B", "C"] and taken == {"A", "A-2", "B", "C"}
    first = ingest_witnesses(HARBOUR, "", taken={"A"})[0]
    assert "siglum A-2" in first.cleanups[0].detail
    assert [w.siglum for w in ingest_witnesses(HARBOUR, "E")] == ["E-A", "E-B", "E-C"]


def test_other_sources_take_the_next_free_letters(tmp_path: Path) -> None:
    shutil.copytree(HARBOUR.parent, tmp_path / "src")
    (tmp_path / "src" / "a-note.txt").write_text(
        "A plain note on the harbour, long enough to be a paragraph of prose.\n")
    sources = sorted((tmp_path / "src").iterdir())
    found = ingest_all(sources, Config(witnesses={"harbour.xml": WitnessOverride()}))
    assert [(w.siglum, w.source_name) for w in found] == [
        ("D", "a-note.txt"), ("A", "harbour.xml"), ("B", "harbour.xml"), ("C", "harbour.xml")]


# --- the edition rebuilt --------------------------------------------------------------------


def test_the_edition_rebuilds_the_apparatus(tmp_path: Path) -> None:
    shutil.copytree(HARBOUR.parent, tmp_path / "src")  # header.xml is a part, not a source
    result = build(Config(output=tmp_path / "out"), [tmp_path / "src"], validate=False,
                   stages=("ingest", "detect", "collate"))
    assert [w.siglum for w in result.witnesses] == ["A", "B", "C"]
    tei = tmp_path / "out" / "tei"
    assert sorted(p.name for p in tei.glob("*.xml")) == [
        "edition.xml", "harbour-A.xml", "harbour-B.xml", "harbour-C.xml"]
    edition = etree.parse(str(tei / "edition.xml"))
    apps = set()
    for app in edition.iterfind(".//t:app", NS):
        apps.add(frozenset((r.get("wit"), " ".join(r.itertext()).strip(" ,"))
                           for r in app if etree.QName(r).localname in ("lem", "rdg")))
    assert frozenset({("#A", "river"), ("#B", "stream")}) in apps
    assert frozenset({("#A", "greatly"), ("#B", "")}) in apps  # the omission
    assert frozenset({("#A", "northern"), ("#B", "southern")}) in apps
    assert {w.get("{http://www.w3.org/XML/1998/namespace}id")
            for w in edition.iterfind(".//t:listWit/t:witness", NS)} == {"A", "B", "C"}


# --- xi:include -----------------------------------------------------------------------------


def test_a_header_included_from_beside_the_source(witnesses: dict[str, Witness]) -> None:
    a = witnesses["A"]
    title = next(f for f in a.metadata if f.raw == "A Description of the Northern Harbour")
    assert title.line == 3  # the line of the xi:include in the source
    assert a.meta("author") == "Thomas Weald"
    [inc] = [c for c in a.cleanups if c.rule == "tei-xinclude"]
    assert (inc.action, inc.line, inc.before, inc.after) == ("included", 3, "header.xml",
                                                            "header.xml")


def test_nested_includes_from_a_subfolder() -> None:
    parsed = read_tei((INCLUDES / "nested.xml").read_bytes(), INCLUDES / "nested.xml")
    texts = [b.text for b in parsed.blocks]
    assert "The included paragraph, set on two lines of its own file." in texts
    assert "A paragraph included from the included part." in texts
    assert {c.after for c in parsed.cleanups if c.rule == "tei-xinclude"} == {
        "sub/part.xml", "sub/note.xml"}


def test_a_missing_file_falls_back() -> None:
    parsed = read_tei((INCLUDES / "fallback.xml").read_bytes(), INCLUDES / "fallback.xml")
    assert "The fallback paragraph, kept." in [b.text for b in parsed.blocks]


@pytest.mark.parametrize("name, message", [
    ("url.xml", 'href="https://example.org/part.xml" (line 8): it names a URL; nothing is '
                "fetched"),
    ("outside.xml", 'href="../critical/header.xml" (line 8): it names a file outside the '
                    "source's folder"),
    ("missing.xml", 'href="absent.xml" (line 8): the file it names does not exist'),
    ("cycle-a.xml", "an include cycle: cycle-a.xml -> cycle-b.xml -> cycle-a.xml"),
])
def test_an_include_that_cannot_be_followed_is_refused(name: str, message: str) -> None:
    path = INCLUDES / name
    with pytest.raises(InputError) as refused:
        read_tei(path.read_bytes(), path)
    assert message in str(refused.value) and refused.value.hint
    [problem] = validate_paths([path]).files[0].problems
    assert message in problem.message and problem.line == 8


def test_a_link_out_of_the_folder_and_an_absolute_path_are_refused(tmp_path: Path) -> None:
    (tmp_path / "outside.xml").write_text('<p xmlns="http://www.tei-c.org/ns/1.0">x</p>')
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "link.xml").symlink_to(tmp_path / "outside.xml")
    for href, why in (("link.xml", "outside the source's folder"),
                      (str(tmp_path / "outside.xml"), "an absolute path"),
                      ("file:///etc/passwd", "a URL")):
        source = tmp_path / "src" / "source.xml"
        source.write_bytes(_tei(f'<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" '
                                f'href="{href}"/>'))
        with pytest.raises(InputError, match=why):
            read_tei(source.read_bytes(), source)


def test_validate_resolves_includes_and_skips_the_parts() -> None:
    report = validate_paths([HARBOUR.parent])
    assert [f.path.name for f in report.files] == ["harbour.xml"]
    assert report.files[0].ok, report.files[0].problems
