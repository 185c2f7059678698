"""Collation, classification and the apparatus: small cases with exact expectations, then
the real chapter held twice (from the shared corpus build)."""

from __future__ import annotations

import json

import pytest
from lxml import etree

from edition.collate import alignment as collate_module
from edition.collate.alignment import collate
from edition.collate.variants import classify_collation
from edition.lexicon import Lexicon
from edition.model import Cause
from edition.tokens import ReadingToken, normalise

from ..conftest import TEI_NS


def toks(text: str, line: int = 1) -> list[ReadingToken]:
    return [ReadingToken(w, normalise(w), line, 0) for w in text.split() if normalise(w)]


def readings(col, segment) -> dict[str, str]:
    return {s: " ".join(t.t for t in col.reading(segment, s)) for s in col.sigla}


def covers_every_token_once(col) -> bool:
    for s in col.sigla:
        pos = 0
        for seg in col.segments:
            start, end = seg.range_of(s)
            if start != pos:
                return False
            pos = end
        if pos != len(col.tokens[s]):
            return False
    return True


def test_near_matching_pairs_damaged_words_with_their_counterparts() -> None:
    a = toks("the Society for the Development of its Aviation and Chemical Industries was so big")
    b = toks("the Society for the Development of its deviation and Chemical Industries was 80 big")
    col = collate({"A": a, "B": b})
    assert covers_every_token_once(col)
    pairs = [readings(col, s) for s in col.variants()]
    assert pairs == [{"A": "Aviation", "B": "deviation"}, {"A": "so", "B": "80"}]


def test_split_and_joined_words_line_up_one_to_two() -> None:
    a = toks("he said who would come about 0.7 tons of coal")
    b = toks("he said w ho would come about0.7 tons of coal")
    col = collate({"A": a, "B": b})
    pairs = [readings(col, s) for s in col.variants()]
    assert {"A": "who", "B": "w ho"} in pairs
    assert {"A": "about 0.7", "B": "about0.7"} in pairs
    lexicon = Lexicon()
    causes = {v.readings[1].text: v.cause for v in classify_collation(col, lexicon)}
    assert causes["w ho"] is Cause.WORD_SPLIT
    assert causes["about0.7"] is Cause.WORD_JOIN


def test_three_witnesses_every_token_once() -> None:
    a = toks("one two three four five six seven eight nine ten")
    b = toks("one two 3 four five six seven eight nine ten eleven")
    c = toks("one two three four six seven eight nine ten")
    col = collate({"A": a, "B": b, "C": c})
    assert covers_every_token_once(col)
    texts = [readings(col, s) for s in col.variants()]
    assert {"A": "three", "B": "3", "C": "three"} in texts
    assert {"A": "five", "B": "five", "C": ""} in texts
    assert {"A": "", "B": "eleven", "C": ""} in texts


def test_anchored_alignment_equals_direct_alignment(monkeypatch: pytest.MonkeyPatch) -> None:
    sentence = ("the workers of the soviet union had to stand in line for bread while the "
                "bureaucracy bought its food in special stores closed to the public")
    words = sentence.split(" ")
    a = toks(" ".join(f"{w} {i}" for i, w in enumerate(words * 4)))
    damaged = " ".join(f"{w} {i}" for i, w in enumerate(words * 4)).split()
    damaged[10] = "sovlet"
    del damaged[40:48]
    b = toks(" ".join(damaged))
    direct = collate({"A": a, "B": b})
    monkeypatch.setattr(collate_module, "MAX_DIRECT", 10)  # force cutting at anchors
    anchored = collate({"A": a, "B": b})
    assert covers_every_token_once(anchored)
    assert [readings(direct, s) for s in direct.variants()] == \
        [readings(anchored, s) for s in anchored.variants()]


def test_typography_is_not_a_corruption() -> None:
    col = collate({"A": toks("the G.P.U. arrested him"), "B": toks("the GPU arrested him")})
    (v,) = classify_collation(col, Lexicon())
    assert v.cause is Cause.TYPOGRAPHY and v.type == "orthographic" and not v.corrupt


# --- the real chapter held twice ----------------------------------------------------------


@pytest.fixture(scope="module")
def edition_tree(corpus_build) -> etree._ElementTree:
    return corpus_build.tei("edition")


@pytest.fixture(scope="module")
def flags(corpus_build) -> list[dict]:
    path = corpus_build.out / "report" / "flags.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()]


def app_for(tree: etree._ElementTree, reading: str) -> etree._Element:
    for app in tree.iterfind(".//tei:app", TEI_NS):
        if any("".join(r.itertext()).strip() == reading
               for r in app.iterfind("tei:rdg", TEI_NS)):
            return app
    raise AssertionError(f"no app with the reading {reading!r}")


def test_apparatus_in_edition_file(edition_tree) -> None:
    app = app_for(edition_tree, "Isvestia,")
    lem = app.find("tei:lem", TEI_NS)
    rdg = app.find("tei:rdg", TEI_NS)
    assert lem.text == "Izvestia," and lem.get("wit") == "#D"
    assert rdg.get("wit") == "#C" and rdg.get("cause") == "ocr" and app.get("type") == "substantive"
    assert 0.8 <= float(rdg.get("cert")) <= 1 and rdg.get("resp") == "#edition"
    gpu = app_for(edition_tree, "GPU!")
    assert gpu.find("tei:rdg", TEI_NS).get("cause") == "typography"
    assert gpu.get("type") == "orthographic"


def test_lost_page_is_a_lacuna_entry_with_the_text_of_the_other_witness(edition_tree) -> None:
    lacunae = [a for a in edition_tree.iterfind(".//tei:app", TEI_NS)
               if any(r.get("cause") == "lacuna" for r in a.iterfind("tei:rdg", TEI_NS))]
    longest = max(lacunae, key=lambda a: len("".join(a.find("tei:lem", TEI_NS).itertext())))
    lem_words = "".join(longest.find("tei:lem", TEI_NS).itertext()).split()
    assert 650 <= len(lem_words) <= 720
    assert longest.find("tei:lem", TEI_NS).get("wit") == "#D"
    # the lost paragraphs of D are marked inside the lemma
    assert longest.find("tei:lem/tei:milestone", TEI_NS) is not None


def test_flags_report_fields_and_sources(flags) -> None:
    assert flags
    for row in flags:
        for key in ("id", "witness", "source", "line", "reading", "suggestion", "cause",
                    "type", "confidence", "against", "status"):
            assert key in row, key
        assert 0 <= row["confidence"] <= 1 and row["status"] == "open"
    ids = [row["id"] for row in flags]
    assert len(ids) == len(set(ids))
    by_reading = {(r["witness"], r["reading"]): r for r in flags}
    isv = by_reading[("C", "Isvestia,")]
    assert isv["source"] == "002_58ccb17ca8d2a55e.txt" and isv["line"] == 2758
    assert isv["suggestion"] == "Izvestia," and isv["against"] == [
        {"witness": "D", "reading": "Izvestia,"}]
    assert by_reading[("C", "i9")]["suggestion"] == "is"
    years = {r["line"] for r in flags if r["reading"].startswith("1986")}
    assert {3626, 5919, 6316} <= years  # impossible years in a book of 1936


def test_single_witness_corruptions_become_choice_in_the_edition(edition_tree) -> None:
    sics = {c.findtext("tei:sic", namespaces=TEI_NS): c.findtext("tei:corr", namespaces=TEI_NS)
            for c in edition_tree.iterfind(".//tei:choice", TEI_NS)}
    assert sics.get("occassion") == "occasion"
    assert sics.get("about0.7") == "about 0.7"
    assert "meagre" not in sics and "centre" not in sics  # British spellings are words


def test_many_witnesses_positions_never_step_back() -> None:
    """Random three-witness cases (substitutions, insertions, deletions): every witness's
    ranges follow each other without gap or overlap (a bug seen in 4 of 400 once)."""
    import random

    for seed in range(300):
        r = random.Random(seed)
        base = [r.choice("abcdefghij") for _ in range(30)]
        witnesses = {"A": base}
        for siglum in "BC":
            w = list(base)
            for _ in range(4):
                op, i = r.random(), r.randrange(len(w))
                if op < 0.3:
                    w[i] = r.choice("klmnop")
                elif op < 0.6:
                    w.insert(i, r.choice("qrstuv"))
                elif len(w) > 5:
                    del w[i]
            witnesses[siglum] = w
        col = collate({s: toks(" ".join(w)) for s, w in witnesses.items()})
        assert covers_every_token_once(col), seed


def test_normalisation_rules_are_configurable_and_recorded(tmp_path) -> None:
    """[collate] normalise chooses the rules; a typo is a configuration error; the edition
    records how many tokens each rule changed in each witness."""
    import shutil

    from click.testing import CliRunner

    from edition.cli import main
    from edition.tokens import DEFAULT_RULES, normalise

    from ..conftest import SOURCES

    assert normalise("G.P.U.!") == "g.p.u"
    assert normalise("G.P.U.!", DEFAULT_RULES | {"abbreviations"}) == "gpu"
    assert normalise("“Soviet", frozenset({"case"})) == "“soviet"
    src = tmp_path / "sources"
    src.mkdir()
    for name in ("002_58ccb17ca8d2a55e.txt", "003_a62227af89236541.txt"):
        shutil.copy(SOURCES / name, src / name)
    rules = '"case", "quotes", "dashes", "ligatures", "punctuation", "unicode", "abbreviations"'
    (tmp_path / "edition.toml").write_text(f"[collate]\nnormalise = [{rules}]\n")
    result = CliRunner().invoke(main, ["--config", str(tmp_path / "edition.toml"), "build",
                                       str(src), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    tree = etree.parse(str(tmp_path / "out" / "tei" / "edition.xml"))
    readings = {"".join(r.itertext()) for r in tree.iterfind(".//tei:rdg", TEI_NS)}
    assert not any("G.P.U" in r or r.startswith("GPU") for r in readings)  # regularised
    items = [i.text for i in tree.iterfind(".//tei:normalization//tei:item", TEI_NS)]
    # the book is witness A here (two sources, sigla in file-name order)
    counts = dict(part.rsplit(" ", 1) for part in items[0].split(": ", 1)[1].split(", "))
    assert items[0].startswith("A: ") and int(counts["abbreviations"]) > 0
    (tmp_path / "edition.toml").write_text('[collate]\nnormalise = ["caps"]\n')
    bad = CliRunner().invoke(main, ["--config", str(tmp_path / "edition.toml"), "build",
                                    str(src), "-o", str(tmp_path / "out2")])
    assert bad.exit_code == 2 and "caps" in bad.stderr


def test_stray_full_stop_suggestion_drops_the_stop(flags) -> None:
    """'hang a. tablet' (000 line 147): the correction is 'a', without the stop."""
    stop = next(r for r in flags if r["witness"] == "A" and r["line"] == 147)
    assert stop["reading"] == "a." and stop["suggestion"] == "a"
