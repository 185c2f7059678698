"""The TEI file of a witness: every word on its source line (`lb/@n`, header included),
identical bytes on every run.

Uses the one shared build of the default corpus (conftest.corpus_build).
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path

import pytest
from lxml import etree

from ..conftest import SOURCES, TEI_NS, corpus_stems

WORD = re.compile(r"\w+")
TEI = "{http://www.tei-c.org/ns/1.0}"


def _line_words(doc: etree._ElementTree) -> dict[int, list[str]]:
    """Words of the TEI by source line (lb/@n), in document order, header and text."""
    words: dict[int, list[str]] = defaultdict(list)
    root = doc.getroot()
    for bibl in root.iterfind(".//tei:listBibl[@type='front-matter']/tei:bibl", TEI_NS):
        line = int(bibl.find("tei:lb", TEI_NS).get("n"))
        words[line] += WORD.findall("".join(bibl.itertext()))
    text = root.find("tei:text", TEI_NS)
    current: int | None = None

    def visit(node: etree._Element) -> None:
        nonlocal current
        if node.tag == f"{TEI}lb":
            current = int(node.get("n"))
        elif node.text and node.text.strip():
            assert current is not None, f"untraceable text {node.text!r}"
            words[current] += WORD.findall(node.text)
        for child in node:
            visit(child)
            if child.tail and child.tail.strip():
                assert current is not None, f"untraceable text {child.tail!r}"
                words[current] += WORD.findall(child.tail)

    visit(text)
    return words


@pytest.mark.parametrize("stem", corpus_stems())
def test_nothing_lost_line_by_line(corpus_build, stem: str) -> None:
    """Every word of every source line is in the TEI, on that line, in order."""
    doc = corpus_build.tei(stem)
    tei_words = _line_words(doc)
    repaired = {}
    for row in (corpus_build.out / "report" / "cleanup.jsonl").read_text().splitlines():
        entry = json.loads(row)
        if entry["source"].startswith(stem) and entry["action"] == "repaired":
            repaired[entry["line"]] = entry["after"]
    source_lines = (SOURCES / f"{stem}.txt").read_text(encoding="utf-8").split("\n")
    missing = []
    for number, line in enumerate(source_lines, 1):
        # compare the word characters in order, so a gap inside a word is not a loss
        expected = "".join(WORD.findall(repaired.get(number, line)))
        found = "".join(tei_words.get(number, []))
        if found != expected:
            missing.append((number, expected[:60], found[:60]))
    assert not missing, f"{len(missing)} lines differ, first: {missing[:3]}"
    extra = set(tei_words) - set(range(1, len(source_lines) + 1))
    assert not extra, f"lb/@n outside the source: {sorted(extra)[:5]}"


def test_output_is_deterministic(corpus_build) -> None:
    """Encoding the same source twice gives the same bytes (ids from content, no clock)."""
    from edition.config import Config
    from edition.encode.witness import encode_witness, serialise
    from edition.ingest import ingest_source

    path = SOURCES / "003_a62227af89236541.txt"
    title = Config().title
    first = serialise(encode_witness(ingest_source(path, "D"), edition_title=title))
    second = serialise(encode_witness(ingest_source(path, "D"), edition_title=title))
    assert first == second
    assert first == (corpus_build.out / "tei" / "003_a62227af89236541.xml").read_bytes()


def test_notes_numbered_anew_get_unique_ids_and_calls_find_their_own() -> None:
    """Notes numbered anew in each chapter, or two reference lists (Wikipedia), repeat a
    label: each note gets its own id, each call points to the next note so labelled, and a
    call whose note the source lacks keeps its text with no pointer (never a dangling one)."""
    from edition.encode import encode_witness
    from edition.model import Block, BlockKind, LineBreak, NoteRef, SourceFormat, Text, Witness
    from edition.validate import validate_tree

    def p(line: int, *items: object) -> Block:
        return Block(BlockKind.P, (LineBreak(line), *items))

    blocks = (
        Block(BlockKind.HEAD, (LineBreak(1), Text("One", 1)), level=1),
        p(2, Text("A claim.", 2), NoteRef("1", 2)),
        Block(BlockKind.NOTE, (LineBreak(3), Text("First note of one.", 3)), label="1"),
        Block(BlockKind.HEAD, (LineBreak(4), Text("Two", 4)), level=1),
        p(5, Text("Another claim.", 5), NoteRef("1", 5), Text(" And more.", 5), NoteRef("9", 5)),
        Block(BlockKind.NOTE, (LineBreak(6), Text("First note of two.", 6)), label="1"),
    )
    lines = ("One", "A claim.[1]", "[1] First note of one.", "Two",
             "Another claim.[1] And more.[9]", "[1] First note of two.")
    witness = Witness("A", "notes.txt", SourceFormat.TEXT, "utf-8", lines, (), blocks)
    doc = encode_witness(witness)
    notes = doc.getroot().findall(".//tei:note[@type='authorial']", TEI_NS)
    ids = [n.get("{http://www.w3.org/XML/1998/namespace}id") for n in notes]
    assert ids == ["A-n1", "A-n1-2"]
    refs = doc.getroot().findall(".//tei:ref[@type='noteAnchor']", TEI_NS)
    assert [r.get("target") for r in refs] == ["#A-n1", "#A-n1-2", None]
    assert refs[2].text == "[9]"
    problems = [p for p in validate_tree(doc, Path("notes.xml")) if p.severity == "error"]
    assert not problems, [p.format() for p in problems]
