"""`edition collate`: whole files collated as CollateX does, in four formats.

Two witnesses cut from the corpus (source C, chapter 6) with known differences in B: an OCR
misreading ("experirnent"), a missing phrase ("on a higher basis") and a split word
("inade quate"). Every format must name them with the right cause; the CollateX JSON must
read back to the same JSON; CollateX's own JSON (input and output) must be understood.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from lxml import etree

from edition.cli import main
from edition.collate import collatex
from edition.tei import parse_xml
from edition.validate import validate_tree

from ..conftest import SOURCES, TEI_NS

PASSAGE = SOURCES / "002_58ccb17ca8d2a55e.txt"
CHANGES = (("experiment of", "experirnent of"),  # ocr: rn read for m
           (" on a higher basis.", "."),  # a missing phrase
           ("proved inadequate", "proved inade quate"))  # a split word


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), prog_name="edition", catch_exceptions=False)


@pytest.fixture
def pair(tmp_path: Path) -> tuple[Path, Path]:
    """a.txt: 15 lines of the corpus; b.txt: the same with the three known differences."""
    text = "\n".join(PASSAGE.read_text(encoding="utf-8").splitlines()[2665:2680]) + "\n"
    changed = text
    for old, new in CHANGES:
        assert changed.count(old) == 1, old
        changed = changed.replace(old, new)
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text(text, encoding="utf-8")
    b.write_text(changed, encoding="utf-8")
    return a, b


def row_with(output: str, word: str) -> str:
    return next(line for line in output.splitlines() if word in line)


# --- table -----------------------------------------------------------------------------------


def test_table_names_each_difference_with_its_cause(pair: tuple[Path, Path]) -> None:
    result = run("collate", str(pair[0]), str(pair[1]))
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "A* = a.txt" in out and "B = b.txt" in out
    assert "3 variants" in out
    assert "experiment" in row_with(out, "experirnent")
    assert "ocr: B" in row_with(out, "experirnent")
    assert "word-split: B" in row_with(out, "inade quate")
    lacuna = row_with(out, "lacuna: B")
    assert "on a higher basis." in lacuna and "–" in lacuna  # B has nothing there
    assert all(len(line) <= 100 for line in out.splitlines())


def test_table_all_shows_agreement(pair: tuple[Path, Path]) -> None:
    only = run("collate", str(pair[0]), str(pair[1])).stdout
    everything = run("collate", "--all", str(pair[0]), str(pair[1])).stdout
    assert "After starting out" not in only
    assert "After starting out" in everything
    assert "ocr: B" in everything


def test_output_dash_is_stdout_and_a_file_is_written(pair: tuple[Path, Path],
                                                     tmp_path: Path) -> None:
    default = run("collate", str(pair[0]), str(pair[1]), "--format", "collatex-json")
    dash = run("collate", str(pair[0]), str(pair[1]), "--format", "collatex-json", "-o", "-")
    assert dash.exit_code == 0 and dash.stdout == default.stdout
    assert dash.stdout.startswith('{"witnesses": ["A", "B"]')
    target = tmp_path / "out" / "collation.json"
    written = run("collate", str(pair[0]), str(pair[1]), "--format", "collatex-json",
                  "-o", str(target))
    assert written.exit_code == 0 and written.stdout == ""
    assert "wrote" in written.stderr and "3 variants" in written.stderr
    assert target.read_text(encoding="utf-8") == default.stdout


def test_sigla_and_base(pair: tuple[Path, Path]) -> None:
    result = run("collate", "--sigla", "Ms1,Ms2", "--base", "Ms2", str(pair[0]), str(pair[1]))
    assert result.exit_code == 0, result.output
    assert "Ms1 = a.txt" in result.stdout and "Ms2* = b.txt" in result.stdout
    # with B as base, A's "experiment" is still judged the sound reading
    assert "ocr: Ms2" in row_with(result.stdout, "experirnent")


# --- TEI -------------------------------------------------------------------------------------


def test_tei_is_valid_and_encodes_the_apparatus(pair: tuple[Path, Path]) -> None:
    result = run("collate", str(pair[0]), str(pair[1]), "--format", "tei")
    assert result.exit_code == 0, result.output
    tree = parse_xml(result.stdout_bytes)
    problems = validate_tree(tree, Path("collation.xml"))
    assert not [p for p in problems if p.severity == "error"], problems
    ns = TEI_NS
    assert tree.xpath("//tei:listWit/tei:witness/@xml:id", namespaces=ns) == ["A", "B"]
    enc = tree.find(".//tei:variantEncoding", ns)
    assert (enc.get("method"), enc.get("location")) == ("parallel-segmentation", "internal")
    assert tree.xpath("//*[@xml:id='edition']", namespaces=ns)
    causes = {}
    for app in tree.iterfind(".//tei:app", ns):
        rdg = app.find("tei:rdg", ns)
        assert app.find("tei:lem", ns).get("wit") == "#A"
        assert rdg.get("wit") == "#B" and rdg.get("resp") == "#edition"
        assert 0 <= float(rdg.get("cert")) <= 1
        assert app.get("type") in ("substantive", "orthographic")
        causes[rdg.text or ""] = rdg.get("cause")
    assert causes == {"experirnent": "ocr", "": "lacuna",
                      "inade quate.": "word-split"}
    lacuna = tree.xpath("//tei:app[tei:rdg/@cause='lacuna']/tei:lem/text()", namespaces=ns)
    assert lacuna == ["on a higher basis."]
    assert tree.xpath("count(//tei:body/tei:p)", namespaces=ns) >= 2  # one per base block


def test_tei_groups_witnesses_that_share_a_reading(tmp_path: Path) -> None:
    source = tmp_path / "three.json"
    source.write_text(json.dumps({"witnesses": [
        {"id": "A", "content": "the committee met on tuesday to discuss the harvest plan"},
        {"id": "B", "content": "the committee met on tuesday to discuss the harvest plan"},
        {"id": "C", "content": "the comrnittee met on tuesday to discuss the harvest plan"},
    ]}), encoding="utf-8")
    result = run("collate", str(source), "--format", "tei")
    tree = parse_xml(result.stdout_bytes)
    assert not [p for p in validate_tree(tree, source) if p.severity == "error"]
    app = tree.find(".//tei:app", TEI_NS)
    assert app.find("tei:lem", TEI_NS).get("wit") == "#A #B"
    rdg = app.find("tei:rdg", TEI_NS)
    assert (rdg.get("wit"), rdg.text, rdg.get("cause")) == ("#C", "comrnittee", "ocr")


# --- CollateX JSON ---------------------------------------------------------------------------


def test_collatex_json_table(pair: tuple[Path, Path]) -> None:
    result = run("collate", str(pair[0]), str(pair[1]), "--format", "collatex-json")
    data = json.loads(result.stdout)
    assert data["witnesses"] == ["A", "B"]
    assert len(data["variants"]) == len(data["table"])
    assert all(len(column) == 2 for column in data["table"])
    for siglum, cell in zip(data["witnesses"], data["table"][0], strict=True):
        assert {"t", "n", "line", "witness"} <= set(cell[0]) and cell[0]["witness"] == siglum
    verdicts = {}
    for column, extra in zip(data["table"], data["variants"], strict=True):
        if extra is not None:
            verdicts[" ".join(t["t"] for t in column[1])] = (extra["cause"], extra["corrupt"])
        else:  # agreement: the same normalised words in both cells
            assert [t["n"] for t in column[0]] == [t["n"] for t in column[1]]
    assert verdicts == {"experirnent": ("ocr", ["B"]), "": ("lacuna", ["B"]),
                        "inade quate.": ("word-split", ["B"])}
    words_b = [t["t"] for column in data["table"] for t in column[1]]
    assert " ".join(words_b).count("inade quate") == 1  # every token once, in order
    assert data["edition"]["base"] == "A"


def test_collatex_json_round_trip(pair: tuple[Path, Path], tmp_path: Path) -> None:
    exported = run("collate", str(pair[0]), str(pair[1]), "--format", "collatex-json")
    path = tmp_path / "alignment.json"
    path.write_bytes(exported.stdout_bytes)
    again = run("collate", str(path), "--format", "collatex-json")
    assert again.exit_code == 0, again.output
    assert again.stdout == exported.stdout
    # the library call, and the other formats of the imported alignment
    result = collatex.read_alignment(exported.stdout)
    assert collatex.to_collatex_json(result) == exported.stdout
    table = run("collate", str(path)).stdout
    assert "ocr: B" in row_with(table, "experirnent")
    rebased = run("collate", "--base", "B", str(path)).stdout  # classified anew from B
    assert "B* = b.txt" in rebased and "ocr: B" in row_with(rebased, "experirnent")


# Python CollateX 2.3, collate(..., output="json") on "The quick brown fox jumps over the dog."
# and "The brown fox jumps over the lazy dog." (row-major: one row per witness; null cells).
PYTHON_COLLATEX = json.dumps({"table": [
    [[{"_sigil": "A", "_token_array_position": 0, "n": "The", "t": "The "}],
     [{"_sigil": "A", "_token_array_position": 1, "n": "quick", "t": "quick "}],
     [{"_sigil": "A", "_token_array_position": i, "n": w, "t": w + " "}
      for i, w in enumerate(["brown", "fox", "jumps", "over", "the"], 2)],
     None,
     [{"_sigil": "A", "_token_array_position": 7, "n": "dog", "t": "dog"},
      {"_sigil": "A", "_token_array_position": 8, "n": ".", "t": "."}]],
    [[{"_sigil": "B", "_token_array_position": 10, "n": "The", "t": "The "}],
     None,
     [{"_sigil": "B", "_token_array_position": i, "n": w, "t": w + " "}
      for i, w in enumerate(["brown", "fox", "jumps", "over", "the"], 11)],
     [{"_sigil": "B", "_token_array_position": 16, "n": "lazy", "t": "lazy "}],
     [{"_sigil": "B", "_token_array_position": 17, "n": "dog", "t": "dog"},
      {"_sigil": "B", "_token_array_position": 18, "n": ".", "t": "."}]]],
    "witnesses": ["A", "B"]})


def test_reads_python_collatex_output(tmp_path: Path) -> None:
    result = collatex.read_alignment(PYTHON_COLLATEX)
    c = result.collation
    assert [t.t for t in c.tokens["A"]][:3] == ["The", "quick", "brown"]
    readings = [{r.siglum: r.text for r in v.readings} for v in result.variants]
    assert readings == [{"A": "quick", "B": ""}, {"A": "", "B": "lazy"}]
    assert [v.cause for v in result.variants] == ["lacuna", "lacuna"]
    path = tmp_path / "python.json"
    path.write_text(PYTHON_COLLATEX, encoding="utf-8")
    tei = run("collate", str(path), "--format", "tei")
    assert tei.exit_code == 0, tei.output
    assert b"<rdg wit=\"#B\"" in tei.stdout_bytes


def test_reads_java_collatex_output() -> None:
    """Column-major, tokens as plain strings (plain-text input), empty cells as []."""
    java = {"witnesses": ["A", "B"], "table": [
        [["The", "black"], ["The", "black"]], [["cat"], ["dog"]], [[], ["in"]],
        [["a", "basket"], ["a", "basket"]]]}
    result = collatex.read_alignment(json.dumps(java))
    assert len(result.collation.segments) == 4
    assert [{r.siglum: r.text for r in v.readings} for v in result.variants] == [
        {"A": "cat", "B": "dog"}, {"A": "", "B": "in"}]


def test_collates_collatex_json_input(tmp_path: Path) -> None:
    source = tmp_path / "input.json"
    damaged = "The extreme strctching of material means in the epoch"
    source.write_text(json.dumps({"witnesses": [
        {"id": "W1", "content": "The extreme stretching of material means in the epoch"},
        {"id": "W2", "tokens": [{"t": w, "n": w.lower()} for w in damaged.split(" ")]},
    ]}), encoding="utf-8")
    result = run("collate", str(source))
    assert result.exit_code == 0, result.output
    assert "W1*" in result.stdout
    row = row_with(result.stdout, "strctching")
    assert "stretching" in row and "ocr: W2" in row


# --- HTML ------------------------------------------------------------------------------------


def test_html_escapes_source_text(tmp_path: Path) -> None:
    source = tmp_path / "input.json"
    source.write_text(json.dumps({"witnesses": [
        {"id": "A", "content": "the plan was fulfilled in the year of the harvest"},
        {"id": "B", "content": "the plan was <script>alert(1)</script> fulfilled in the year"
                               " of the harvest"},
    ]}), encoding="utf-8")
    result = run("collate", str(source), "--format", "html")
    assert result.exit_code == 0, result.output
    page = result.stdout
    assert page.startswith("<!DOCTYPE html>")
    assert "<script" not in page.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "http://" not in page and "https://" not in page  # nothing fetched
    html = etree.fromstring(result.stdout_bytes, etree.HTMLParser())
    assert html.xpath("//mark") and html.xpath("//table[@class='apparatus']//tr[@id]")


def test_html_marks_the_known_differences(pair: tuple[Path, Path]) -> None:
    page = run("collate", str(pair[0]), str(pair[1]), "--format", "html").stdout_bytes
    html = etree.fromstring(page, etree.HTMLParser())
    rows = ["|".join(td.xpath("string()") for td in tr.findall("td"))
            for tr in html.xpath("//table[@class='apparatus']//tr[@id]")]
    assert len(rows) == 3
    assert any("experirnent" in r and "ocr (B)" in r for r in rows)
    assert any("inade quate" in r and "word-split (B)" in r for r in rows)


# --- bad input -------------------------------------------------------------------------------


def test_one_witness_is_a_usage_error(pair: tuple[Path, Path]) -> None:
    result = run("collate", str(pair[0]))
    assert result.exit_code == 2
    assert "at least two witnesses" in result.stderr


def test_unknown_base_is_a_usage_error(pair: tuple[Path, Path]) -> None:
    result = run("collate", "--base", "Z", str(pair[0]), str(pair[1]))
    assert result.exit_code == 2
    assert "--base Z" in result.stderr and "A, B" in result.stderr


@pytest.mark.parametrize("args", [["--format", "docx"], ["--sigla", "A"],
                                  ["--sigla", "A,A"], ["--sigla", "A B,C"]])
def test_other_usage_errors(pair: tuple[Path, Path], args: list[str]) -> None:
    result = run("collate", *args, str(pair[0]), str(pair[1]))
    assert result.exit_code == 2, result.output
    assert result.stdout == ""


def test_empty_file_exits_3_naming_it(pair: tuple[Path, Path], tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    result = run("collate", str(pair[0]), str(empty))
    assert result.exit_code == 3
    assert "empty.txt" in result.stderr and "empty" in result.stderr
    assert "Traceback" not in result.output


def test_bad_json_inputs(pair: tuple[Path, Path], tmp_path: Path) -> None:
    no_id = tmp_path / "no-id.json"
    no_id.write_text('{"witnesses": [{"content": "a b"}, {"id": "B", "content": "a c"}]}')
    result = run("collate", str(no_id))
    assert result.exit_code == 3 and "no-id.json" in result.stderr and '"id"' in result.stderr
    alone = tmp_path / "one.json"
    alone.write_text('{"witnesses": [{"id": "A", "content": "a b"}]}')
    assert run("collate", str(alone)).exit_code == 2
    assert run("collate", str(alone), str(pair[0])).exit_code == 2  # JSON holds all witnesses
    broken = tmp_path / "broken.json"
    broken.write_text('{"witnesses": [')
    result = run("collate", str(broken))
    assert result.exit_code == 2 and "not valid" in result.stderr


def test_cli_formats_are_the_library_formats() -> None:
    option = next(p for p in main.commands["collate"].params if p.name == "fmt")
    assert tuple(option.type.choices) == collatex.FORMATS


def test_a_missing_file_exits_2_as_in_ingest(pair: tuple[Path, Path], tmp_path: Path) -> None:
    """Every command says a missing source the same way, with the same exit code (2)."""
    missing = tmp_path / "nope.txt"
    collated = run("collate", str(pair[0]), str(missing))
    ingested = run("ingest", str(missing), "-o", str(tmp_path / "out"))
    assert collated.exit_code == ingested.exit_code == 2, (collated.output, ingested.output)
    assert "nope.txt" in collated.stderr and "no such file" in collated.stderr
