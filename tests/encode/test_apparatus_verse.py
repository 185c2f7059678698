"""Verse in the edition text: a stanza is `lg` with one `l` per source line, unless an
apparatus entry runs across a line end (then the stanza's text stays in one `l`)."""

from __future__ import annotations

from lxml import etree

from edition.encode.apparatus import Work, encode_works
from edition.model import (
    Block,
    BlockKind,
    Cause,
    LineBreak,
    Reading,
    SourceFormat,
    Text,
    Variant,
    Witness,
)
from edition.tei import TEI
from edition.tokens import ReadingToken

NS = {"t": TEI.strip("{}")}
LINES = {10: "He did not wear his scarlet coat,", 11: "For blood and wine are red,"}


def _work() -> Work:
    items = []
    for n, text in LINES.items():
        items += [LineBreak(n), Text(text, n)]
    block = Block(BlockKind.STANZA, tuple(items))
    w = Witness("A", "a.txt", SourceFormat.TEXT, "utf-8", (), (), (block,))
    tokens = [ReadingToken(t, t.lower(), n, 0) for n, text in LINES.items() for t in text.split()]
    return Work(w, tokens)


def _variant(start: int, end: int) -> Variant:
    readings = (Reading("A", "x", start, end, 10), Reading("B", "y", start, end, 10))
    return Variant("v1", readings, "A", Cause.SUBSTANTIVE, "substantive", 0.9, "test")


def _lg(work: Work) -> etree._Element:
    body = etree.Element(f"{TEI}body")
    encode_works(body, [work])
    lg = body.find(".//t:lg", NS)
    assert lg is not None and lg.get("corresp") == "#A" and lg.get("n") == "10"
    return lg


def test_stanza_is_lg_with_one_l_per_source_line() -> None:
    work = _work()
    work.apps[1] = [(_variant(1, 3), {"A": work.tokens[1:3], "B": work.tokens[1:2]}, 0)]
    lg = _lg(work)
    lines = lg.findall("t:l", NS)
    assert [line.get("n") for line in lines] == ["10", "11"]
    assert "".join(lines[1].itertext()) == LINES[11]
    assert lines[0].find("t:app", NS) is not None


def test_entry_across_a_line_end_keeps_the_stanza_in_one_l() -> None:
    work = _work()
    work.apps[6] = [(_variant(6, 8), {"A": work.tokens[6:8], "B": work.tokens[6:7]}, 0)]
    lg = _lg(work)
    lines = lg.findall("t:l", NS)
    assert len(lines) == 1 and lines[0].find("t:app", NS) is not None
    assert "scarlet" in "".join(lines[0].itertext()) and "red," in "".join(lines[0].itertext())
