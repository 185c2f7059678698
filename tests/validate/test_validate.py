"""Tests for edition.validate and the schema assets in tei/.

tei_all and edition.rng take seconds each to compile; the module cache compiles each once per
session, and the fixture report below validates every fixture in one pass.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from pathlib import Path

import pytest
from lxml import etree

from edition import resources, validate
from edition.errors import SchemaError, UsageError
from edition.tei import TEI_NS, parse_xml
from edition.validate import (
    FileResult,
    Problem,
    ValidationReport,
    schemas,
    validate_paths,
    validate_tree,
)

FIXTURES = Path(__file__).parents[1] / "fixtures" / "validate"
REPO = Path(__file__).parents[2]
SHARED_TEI_ALL = Path(__file__).parents[3] / "shared" / "schema" / "tei_all.rng"
TEI_ALL_SHA256 = "b0f115095ead2ccc6933aa3365c6f4a82cba3b2ec7eee7f76bb616d7a63b7e48"
CAUSES = ["ocr", "junk", "boilerplate", "lacuna", "dittography", "word-split", "word-join",
          "structure", "typography", "substantive"]


def line_of(name: str, needle: str, occurrence: int = 1) -> int:
    """1-based line of the n-th line of a fixture that contains `needle`."""
    hits = [i for i, text in enumerate((FIXTURES / name).read_text().splitlines(), 1)
            if needle in text]
    return hits[occurrence - 1]


@pytest.fixture(scope="module")
def report() -> ValidationReport:
    return validate_paths([FIXTURES])


def result(report: ValidationReport, name: str) -> FileResult:
    return next(f for f in report.files if f.path.name == name)


# --- valid files ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["valid_witness.xml", "valid_edition.xml"])
def test_valid_fixtures_pass_our_rules(report: ValidationReport, name: str) -> None:
    found = result(report, name)
    assert found.project_file
    assert found.problems == ()
    assert found.ok


def test_valid_fixtures_pass_tei_all() -> None:
    names = ["valid_witness.xml", "valid_edition.xml"]
    checked = validate_paths([FIXTURES / n for n in names], project_rules=False)
    assert checked.ok, [p.format() for p in checked.problems]
    assert not any(f.project_file for f in checked.files)


def test_foreign_tei_is_held_to_tei_all_only(report: ValidationReport) -> None:
    assert result(report, "foreign_tei.xml").ok
    assert not result(report, "foreign_tei.xml").project_file
    forced = validate_paths([FIXTURES / "foreign_tei.xml"], project_rules=True).files[0]
    text = " ".join(p.message for p in forced.problems)
    assert not forced.ok and 'cert="high"' in text and "#nowhere" in text and "lb" in text


def test_tei_all_errors_are_readable(report: ValidationReport) -> None:
    found = result(report, "foreign_invalid.xml")
    (problem,) = found.problems
    assert problem.source == "relaxng"
    assert problem.line == line_of("foreign_invalid.xml", "<blink>")
    assert "blink" in problem.message and "remove" in problem.message
    assert "{http" not in problem.message


# --- one failing fixture per rule -------------------------------------------------------------

RULES = [
    ("invalid_cert.xml", "relaxng", 'cert="high"', 'cert="high"'),
    ("invalid_cert.xml", "schematron", 'cert="high"', 'cert="high"'),
    ("invalid_cert.xml", "schematron", 'cert="1.5"', 'cert="1.5"'),
    ("invalid_cause.xml", "relaxng", 'cause="foo"', 'cause="foo"'),
    ("invalid_cause.xml", "schematron", 'cause="foo"', 'cause="foo"'),
    ("invalid_type.xml", "relaxng", 'type="minor"', 'type="minor"'),
    ("invalid_type.xml", "relaxng", 'type="spelling"', 'type="spelling"'),
    ("invalid_pointer.xml", "schematron", '@target="#app-9"', 'target="#app-9"'),
    ("invalid_pointer.xml", "schematron", "#nobody", "#nobody"),
    ("invalid_app.xml", "schematron", "0 <lem>", 'xml:id="app-1"'),
    ("invalid_app.xml", "schematron", "no <rdg>", 'xml:id="app-2"'),
    ("invalid_witness.xml", "schematron", "not point at a witness", 'wit="#ed1"'),
    ("invalid_lb.xml", "schematron", "has no @n", "<lb/>"),
    ("invalid_lb.xml", "schematron", 'n="0"', 'n="0"'),
    ("invalid_lb.xml", "schematron", 'n="x7"', 'n="x7"'),
]


@pytest.mark.parametrize(("name", "source", "says", "marker"), RULES)
def test_each_rule_fails_with_message_and_line(
    report: ValidationReport, name: str, source: str, says: str, marker: str
) -> None:
    found = result(report, name)
    assert found.project_file and not found.ok
    hits = [p for p in found.problems if p.source == source and says in p.message]
    assert hits, [p.format() for p in found.problems]
    assert hits[0].severity == "error"
    assert hits[0].line == line_of(name, marker)
    assert ";" in hits[0].message  # the part after it says what to change


def test_cause_message_lists_the_vocabulary(report: ValidationReport) -> None:
    for problem in result(report, "invalid_cause.xml").problems:
        assert all(cause in problem.message for cause in CAUSES)


def test_duplicate_id_in_a_file_is_refused_by_the_parser(report: ValidationReport) -> None:
    (problem,) = result(report, "invalid_duplicate_id.xml").problems
    assert problem.source == "xml" and 'xml:id="app-1" is used twice' in problem.message
    assert problem.line == line_of("invalid_duplicate_id.xml", 'xml:id="app-1"', occurrence=2)


def test_duplicate_id_in_memory_is_caught_by_schematron() -> None:
    tree = parse_xml((FIXTURES / "valid_edition.xml").read_bytes())
    second = tree.getroot().xpath("//tei:app", namespaces={"tei": TEI_NS})[1]
    second.set("{http://www.w3.org/XML/1998/namespace}id", "app-1")
    problems = validate_tree(tree, Path("edition.xml"))
    dup = [p for p in problems if "used 2 times" in p.message]
    apps = {line_of("valid_edition.xml", f'<app xml:id="app-{n}"') for n in (1, 2)}
    assert len(dup) == 2 and {p.line for p in dup} == apps
    assert all(p.path == Path("edition.xml") for p in problems)


@pytest.mark.parametrize(("old", "new", "says"), [
    ('cause="ocr"', 'cause="ocr junk"', 'cause="ocr junk"'),
    ('<rdg wit="#B" cause="ocr"', '<rdg wit="B" cause="ocr"', 'wit="B"'),
    ('cert="0.92"', 'cert="-0.1"', 'cert="-0.1"'),
    ('<lb n="5"/>', '<lb n="3.5"/>', 'n="3.5"'),
    ('<lem wit="#A" resp="#edition">old</lem>',
     '<lem wit="#A" resp="#edition">old</lem><lem wit="#B">old</lem>', "2 <lem>"),
])
def test_schematron_edge_cases(old: str, new: str, says: str) -> None:
    text = (FIXTURES / "valid_edition.xml").read_text()
    assert old in text
    tree = parse_xml(text.replace(old, new, 1).encode())
    problems = validate_tree(tree, Path("edition.xml"))
    assert any(p.source == "schematron" and says in p.message for p in problems), problems


def test_missing_xml_model_is_a_warning(report: ValidationReport) -> None:
    found = result(report, "no_xml_model.xml")
    assert found.ok and found.project_file
    assert [p.severity for p in found.problems] == ["warning", "warning"]
    assert all("xml-model" in p.message and p.line == 2 for p in found.problems)


# --- bad and hostile input: one clear Problem each, never an exception -----------------------

BAD = [
    ("hostile_xxe.xml", "entities; they are refused"),
    ("hostile_bomb.xml", "entities; they are refused"),
    ("hostile_external_dtd.xml", "external DTD"),
    ("bad_binary.xml", "binary"),
    ("bad_empty.xml", "empty"),
    ("bad_not_xml.xml", "not well-formed"),
    ("bad_not_tei.xml", "not a TEI file"),
    ("bad_tei_no_namespace.xml", "not in the TEI namespace"),
]


@pytest.mark.parametrize(("name", "says"), BAD)
def test_bad_input_gives_one_clear_problem(report: ValidationReport, name: str, says: str) -> None:
    found = result(report, name)
    (problem,) = found.problems
    assert problem.source == "xml" and problem.severity == "error"
    assert says in problem.message
    assert not found.ok and not found.project_file
    assert "root:" not in problem.message  # nothing from /etc/passwd was read


@pytest.mark.parametrize("name", [n for n, _ in BAD])
def test_bad_input_alone_does_not_raise(name: str) -> None:
    checked = validate_paths([FIXTURES / name])
    assert not checked.ok and len(checked.problems) == 1


def test_unreadable_file_is_an_io_problem(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    target = tmp_path / "locked.xml"
    shutil.copy(FIXTURES / "valid_witness.xml", target)
    real = Path.read_bytes

    def refuse(self: Path) -> bytes:
        if self == target:
            raise PermissionError(13, "Permission denied")
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", refuse)
    (problem,) = validate_paths([tmp_path]).problems
    assert problem.source == "io" and "Permission denied" in problem.message


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="root reads files whatever their mode")
def test_chmod_000_file_is_an_io_problem(tmp_path: Path) -> None:
    target = tmp_path / "locked.xml"
    shutil.copy(FIXTURES / "valid_witness.xml", target)
    target.chmod(0)
    try:
        (problem,) = validate_paths([target]).problems
    finally:
        target.chmod(0o644)
    assert problem.source == "io"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_fifo_is_an_io_problem_not_a_hang(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.xml")
    (problem,) = validate_paths([tmp_path]).problems
    assert problem.source == "io" and "regular file" in problem.message


# --- compile once -----------------------------------------------------------------------------


def test_hundred_files_one_compile(tmp_path: Path) -> None:
    for i in range(100):
        shutil.copy(FIXTURES / "valid_edition.xml", tmp_path / f"copy-{i:03}.xml")
    checked = validate_paths([tmp_path])
    assert len(checked.files) == 100 and checked.ok
    assert checked.summary() == "100 files: 100 valid, 0 invalid (0 errors, 0 warnings)"
    counts = validate.compile_counts()
    assert any(k.endswith("edition.rng") for k in counts)
    assert any(k.startswith("schematron") for k in counts)
    assert set(counts.values()) == {1}, counts


# --- schemas and assets -----------------------------------------------------------------------


def test_missing_schema_argument_says_how_to_fix(tmp_path: Path) -> None:
    with pytest.raises(SchemaError) as caught:
        validate_paths([FIXTURES / "valid_witness.xml"], schema=tmp_path / "missing.rng")
    assert "--schema" in str(caught.value) and "EDITION_TEI_SCHEMA" in str(caught.value)


def test_missing_env_schema_and_missing_vendored_copy(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(validate.ENV_SCHEMA, str(tmp_path / "nope.rng"))
    with pytest.raises(SchemaError, match="EDITION_TEI_SCHEMA"):
        validate.tei_all_path()
    monkeypatch.delenv(validate.ENV_SCHEMA)
    monkeypatch.setattr(schemas, "_asset", lambda name: None)
    with pytest.raises(SchemaError) as caught:
        validate.tei_all_path()
    assert "--schema" in caught.value.hint


def test_schema_choice_order(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    copy = tmp_path / "tei_all.rng"
    copy.write_bytes(b"<grammar/>")
    monkeypatch.delenv(validate.ENV_SCHEMA, raising=False)
    assert validate.tei_all_path() == (REPO / "tei" / "tei_all.rng").resolve()
    monkeypatch.setenv(validate.ENV_SCHEMA, str(copy))
    assert validate.tei_all_path() == copy.resolve()
    vendored = (REPO / "tei" / "tei_all.rng").resolve()
    assert validate.tei_all_path(REPO / "tei" / "tei_all.rng") == vendored


@pytest.mark.parametrize("text", [
    b"<notagrammar/>",
    b'<grammar xmlns="http://relaxng.org/ns/structure/1.0">'
    b'<include href="http://127.0.0.1:9/tei_all.rng"/></grammar>',
])
def test_bad_schema_is_a_schema_error(tmp_path: Path, text: bytes) -> None:
    bad = tmp_path / "bad.rng"
    bad.write_bytes(text)
    with pytest.raises(SchemaError):
        validate_paths([FIXTURES / "foreign_tei.xml"], schema=bad)


def test_vendored_tei_all_is_the_official_copy() -> None:
    data = (REPO / "tei" / "tei_all.rng").read_bytes()
    assert hashlib.sha256(data).hexdigest() == TEI_ALL_SHA256
    if SHARED_TEI_ALL.exists():
        assert SHARED_TEI_ALL.read_bytes() == data


@pytest.mark.parametrize("name", ["edition.rng", "edition.sch", "tei_all.rng"])
def test_assets_are_found_as_package_resources(name: str) -> None:
    assert resources.schema_asset(name).is_file()


def test_cause_vocabulary_is_the_same_everywhere() -> None:
    assert list(validate.cause_vocabulary()) == CAUSES
    sch = (REPO / "tei" / "edition.sch").read_text()
    listed = re.search(r"contains\(' ([a-z -]+) '", sch)
    assert listed and listed.group(1).split() == CAUSES
    rng = etree.parse(str(REPO / "tei" / "edition.rng"))
    values = rng.xpath("//r:define[@name='edition.cause']/r:choice/r:value",
                       namespaces={"r": schemas.RNG_NS})
    assert all(v.getnext() is not None and v.getnext().tag.endswith("documentation")
               and v.getnext().text.strip() for v in values)


# --- paths and the report ---------------------------------------------------------------------


def test_usage_errors(tmp_path: Path) -> None:
    with pytest.raises(UsageError):
        validate_paths([tmp_path / "nowhere.xml"])
    with pytest.raises(UsageError, match=r"no \.xml"):
        validate_paths([tmp_path])
    with pytest.raises(UsageError):
        validate_paths([])


def test_folders_are_sorted_and_files_counted_once() -> None:
    checked = validate_paths([FIXTURES, FIXTURES / "valid_edition.xml"])
    names = [f.path.name for f in checked.files]
    assert names == sorted(names) and len(names) == len(set(names))


def test_summary_and_format() -> None:
    checked = validate_paths([FIXTURES / n for n in
                              ("valid_edition.xml", "invalid_cause.xml", "no_xml_model.xml")])
    assert not checked.ok
    assert checked.summary() == "3 files: 2 valid, 1 invalid (2 errors, 2 warnings)"
    problem = Problem(Path("a.xml"), 3, 7, "error", "fix it", "relaxng")
    assert problem.format() == "a.xml:3:7: error: fix it"


def test_validate_tree_refuses_non_tei() -> None:
    tree = etree.ElementTree(etree.fromstring(b"<html><body/></html>"))
    (problem,) = validate_tree(tree, Path("page.html"))
    assert "not a TEI file" in problem.message
