"""End-to-end on the real default corpus: valid TEI, no boilerplate read, reports written.

Uses the one shared build of the corpus (conftest.corpus_build). That every word of the
source is in the witness file, on its line, is checked in tests/encode/test_witness.py.
"""

from __future__ import annotations

import json
import re

import pytest
from lxml import etree

from .conftest import SOURCES, TEI_NS, corpus_stems

WORD = re.compile(r"\w+")
TEI = "{http://www.tei-c.org/ns/1.0}"

# Hand-checked by reading the sources: lines that are not the author's and must never be
# in the reading text (navigation, banners, page furniture, sidebars, 'last updated').
NOT_AUTHORIAL = {
    "000_77bc83882fa68282": [1, 360],
    "001_18adab57d2298814": [1, 3, 97, 99, 101, 103],
    "002_58ccb17ca8d2a55e": [39, 41, 98, 99, 101, 102, 103, 104, 106, 145, 147, 452, 453, 454,
                             456, 1923, 3386, 6450, 6908, 6909, 6910, 6912, 7377],
    "003_a62227af89236541": [151, 153, 155],
    "004_90960ef981d27cfa": [106, 108, 110, 112, 114, 116, 118, 120, 122],
}


def test_build_exits_zero(corpus_build) -> None:
    assert corpus_build.exit_code == 0, corpus_build.output


@pytest.mark.parametrize("stem", corpus_stems())
def test_witness_valid_against_official_tei_all(corpus_build, tei_all, stem: str) -> None:
    doc = corpus_build.tei(stem)
    assert tei_all.validate(doc), "\n".join(
        f"{e.line}: {e.message}" for e in list(tei_all.error_log)[:10])


def _reading_lines(doc: etree._ElementTree) -> set[int]:
    """Source lines that contribute words to the reading text (not fw/boilerplate/gap)."""
    lines: set[int] = set()
    text = doc.getroot().find("tei:text", TEI_NS)
    skip = {f"{TEI}fw", f"{TEI}gap", f"{TEI}pb"}
    current = None

    def visit(node: etree._Element, hidden: bool) -> None:
        nonlocal current
        hidden = hidden or node.tag in skip or (
            node.tag == f"{TEI}note" and node.get("type") == "boilerplate")
        if node.tag == f"{TEI}lb":
            current = int(node.get("n"))
        if not hidden and node.text and WORD.search(node.text):
            lines.add(current)
        for child in node:
            visit(child, hidden)
            if not hidden and child.tail and WORD.search(child.tail):
                lines.add(current)

    visit(text, False)
    return lines


@pytest.mark.parametrize("stem", corpus_stems())
def test_reading_text_has_no_boilerplate(corpus_build, stem: str) -> None:
    doc = corpus_build.tei(stem)
    reading = _reading_lines(doc)
    source = (SOURCES / f"{stem}.txt").read_text(encoding="utf-8").split("\n")
    leaked = [n for n in NOT_AUTHORIAL[stem] if n in reading]
    assert not leaked, [(n, source[n - 1][:60]) for n in leaked]
    for n in reading:
        line = source[n - 1]
        assert not re.match(r"\s*https?://", line), (n, line)
        assert not re.search(r"\s\|\s.*\s\|\s", line), (n, line)


def test_reports_written(corpus_build) -> None:
    report = corpus_build.out / "report"
    rows = [json.loads(r) for r in (report / "structure.jsonl").read_text().splitlines()]
    kinds = {(r["source"][:3], r["kind"]) for r in rows}
    # the book dump lost chapter headings, has a header contradicting its footer, and a
    # postscript placed before the chapters the navigation puts it after
    assert ("002", "lost-heading") in kinds
    assert ("002", "header-footer-mismatch") in kinds
    assert ("002", "out-of-order") in kinds
    lost = {r["message"] for r in rows if r["kind"] == "lost-heading"}
    assert any("chapter 5" in m for m in lost) and any("chapter 8" in m for m in lost)
    # chapter 10's heading is glued to a paragraph that breaks off mid-sentence
    assert any(r["kind"] == "breaks-off" and r["source"].startswith("002") and r["line"] == 6104
               for r in rows)
    # text that breaks off and resumes mid-sentence after several blank lines (lost passages)
    resumes = {r["line"] for r in rows if r["kind"] == "breaks-and-resumes"}
    assert {1100, 6516} <= resumes
    summary = json.loads((report / "ingest.json").read_text())
    assert {w["source"] for w in summary["witnesses"]} == {f"{s}.txt" for s in corpus_stems()}
