"""edition.toml: read strictly, every mistake a configuration error (exit 2) naming the file and
the key, never a traceback; a good file's metadata, sigla and paths reach the build."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from lxml import etree

from edition.cli import main
from edition.config import Config, WitnessOverride, load_config
from edition.errors import ConfigError

from .conftest import REPO, TEI_NS

TEXT = ("The Committee met on Tuesday and spoke at length about the harvest.\n\n"
        "A second paragraph follows here with more words about the plan.\n")


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """tmp_path as the working folder, with sources/a.txt and sources/b.txt."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sources").mkdir()
    (tmp_path / "sources" / "a.txt").write_text(TEXT)
    (tmp_path / "sources" / "b.txt").write_text(TEXT.replace("Tuesday", "Friday"))
    return tmp_path


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def assert_config_error(result: Result, work: Path, *expected: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert "internal error" not in result.output
    message = " ".join(result.stderr.replace("\n", "").split())  # rich's wrapping undone
    for phrase in expected:
        assert phrase in message, message
    assert not (work / "output").exists()


def config_file(work: Path, text: str, name: str = "edition.toml") -> Path:
    path = work / name
    path.write_text(text, encoding="utf-8")
    return path


# --- library --------------------------------------------------------------------------------


def test_no_file_means_defaults(tmp_path: Path) -> None:
    config = load_config(root=tmp_path)
    assert config == Config()
    assert config.path is None
    assert config.override_for("a.txt") == WitnessOverride()


def test_explicit_missing_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path / "nope.toml")
    assert caught.value.exit_code == 2
    assert str(caught.value) == f"{tmp_path / 'nope.toml'}: the configuration file does not exist"


def test_example_file_loads(tmp_path: Path) -> None:
    path = tmp_path / "edition.toml"
    shutil.copy(REPO / "edition.toml.example", path)
    config = load_config(path)
    assert config.title.startswith("The Soviet Union")
    assert config.sources == tmp_path / "sources"  # relative to the file, not to the cwd
    assert config.output == tmp_path / "output"
    override = config.override_for("002_58ccb17ca8d2a55e.txt")
    assert (override.siglum, override.author, override.date) == ("RB", "Leon Trotsky", "1936")


def test_stage_options_are_copies(tmp_path: Path) -> None:
    path = config_file(tmp_path, "[ingest]\nwrap = 80\n")
    config = load_config(path)
    options = config.options("ingest")
    assert options == {"wrap": 80}
    options["wrap"] = 1
    assert config.options("ingest") == {"wrap": 80}
    assert config.options("collate") == {}


@pytest.mark.parametrize(("text", "expected"), [
    ('[edition]\ntitle = "unclosed\n', ["malformed TOML", "line 2", "edition.toml.example"]),
    ('[edition]\ntitle = "a"\ntitle = "b"\n', ["malformed TOML", "line 3"]),
    ('[edition]\ntitel = "x"\n', ["unknown key(s) in [edition]: titel", "allowed:", "title"]),
    ('[editon]\ntitle = "x"\n', ["unknown key(s) in the top level: editon"]),
    ('[witness."a.txt"]\nsiglm = "X"\n', ['unknown key(s) in [witness."a.txt"]: siglm']),
    ('[witness."a.txt"]\nsiglum = "X"\n[witness."b.txt"]\nsiglum = "X"\n',
     ["siglum 'X' is not a unique"]),
    ('[witness."a.txt"]\nsiglum = "X Y"\n', ["siglum 'X Y' is not a unique alphanumeric name"]),
    ("[edition]\ntitle = 3\n", ["[edition] title must be a string"]),
    ('edition = "x"\n', ["[edition] must be a table"]),
    ('[witness]\n"a.txt" = "A"\n', ['[witness."a.txt"] must be a table']),
    ("ingest = 3\n", ["[ingest] must be a table"]),
], ids=["syntax", "duplicate-toml-key", "unknown-edition-key", "unknown-table",
        "unknown-witness-key", "duplicate-siglum", "bad-siglum", "non-string", "edition-not-table",
        "witness-entry-not-table", "stage-not-table"])
def test_bad_configuration(work: Path, text: str, expected: list[str]) -> None:
    config_file(work, text)
    result = run("build", "--no-validate")  # ./edition.toml is read by default
    assert_config_error(result, work, "edition.toml: ", *expected)


def test_not_utf8(work: Path) -> None:
    (work / "edition.toml").write_bytes('[edition]\ntitle = "caf\u00e9"\n'.encode("latin-1"))
    assert_config_error(run("ingest"), work, "edition.toml: the configuration is not UTF-8 text")


def test_config_option_missing_file(work: Path) -> None:
    result = run("--config", "other.toml", "ingest")
    assert_config_error(result, work, "other.toml: the configuration file does not exist")


def test_config_option_names_a_folder(work: Path) -> None:
    (work / "conf").mkdir()
    result = run("--config", "conf", "ingest")
    assert_config_error(result, work, "conf: cannot read the configuration")


def test_config_option_wins_over_default_file(work: Path) -> None:
    config_file(work, "[edition]\nbogus = 1\n")  # would fail if it were read
    config_file(work, '[edition]\noutput = "elsewhere"\n', "good.toml")
    result = run("-q", "--config", "good.toml", "ingest")
    assert result.exit_code == 0, result.output
    assert (work / "elsewhere" / "tei" / "a.xml").exists()


def test_witness_not_a_table(work: Path) -> None:
    config_file(work, "witness = 3\n")
    assert_config_error(run("ingest"), work, "edition.toml: ", "witness")


def test_unknown_format_override(work: Path) -> None:
    config_file(work, '[witness."a.txt"]\nformat = "docx"\n')
    assert_config_error(run("ingest"), work, "edition.toml: ", "format", "docx")


# --- a good configuration reaches the build ----------------------------------------------


def test_paths_relative_to_the_config_file(work: Path) -> None:
    project = work / "project"
    (project / "texts").mkdir(parents=True)
    shutil.move(work / "sources" / "a.txt", project / "texts" / "a.txt")
    config_file(project, '[edition]\nsources = "texts"\noutput = "built"\n')
    result = run("-q", "--config", "project/edition.toml", "ingest")
    assert result.exit_code == 0, result.output
    assert (project / "built" / "tei" / "a.xml").exists()
    assert not (work / "output").exists()


def test_sigla_and_metadata_overrides(work: Path) -> None:
    config_file(work, '[edition]\ntitle = "Two reports"\n'
                      '[witness."b.txt"]\nsiglum = "A"\nauthor = "A. Clerk"\ndate = "1936"\n')
    result = run("-q", "ingest", "-o", "out")
    assert result.exit_code == 0, result.output
    a = etree.parse(str(work / "out" / "tei" / "a.xml")).getroot()
    b = etree.parse(str(work / "out" / "tei" / "b.xml")).getroot()
    # the configured siglum is taken, so a.txt gets the next free letter
    assert a.get("{http://www.w3.org/XML/1998/namespace}id") == "wit-B"
    assert b.get("{http://www.w3.org/XML/1998/namespace}id") == "wit-A"
    header = " ".join("".join(b.find("tei:teiHeader", TEI_NS).itertext()).split())
    assert "A. Clerk" in header and "1936" in header
    assert "Two reports" in " ".join(a.itertext())


def test_override_naming_no_source_is_warned(work: Path) -> None:
    (work / "edition.toml").write_text('[witness."mispelt.txt"]\nsiglum = "Z"\n')
    result = run("ingest", "-o", "out")
    assert result.exit_code == 0
    assert 'warning: edition.toml: [witness."mispelt.txt"] names no source' in result.stderr


def test_unknown_base_witness_is_a_configuration_error(work: Path) -> None:
    """A base_witness naming no witness was silently ignored; now it says which sigla exist."""
    config_file(work, '[edition]\nbase_witness = "Z"\n')
    result = run("build", "--no-validate")
    assert_config_error(result, work, "base_witness = 'Z' names no witness", "the sigla are: A, B")
