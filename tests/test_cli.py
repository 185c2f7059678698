"""The command-line contract (DESIGN §5): exit codes 0 ok, 1 findings, 2 usage or configuration
error, 3 unreadable input or internal error; a traceback only with -v; --help on every command;
--version; -q silent on success. In-process through CliRunner, and once through the installed
console script to prove the entry point works."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from edition import __version__
from edition.cli import main
from edition.errors import InputError

from .conftest import FIXTURES, REPO

TEXT = ("The Committee met on Tuesday and spoke at length about the harvest.\n\n"
        "A second paragraph follows here with more words about the plan.\n")
COMMANDS = sorted(main.commands)
CONSOLE_SCRIPT = Path(sys.executable).parent / "edition"


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """tmp_path as the working folder, with one good source in sources/."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sources").mkdir()
    (tmp_path / "sources" / "a.txt").write_text(TEXT)
    return tmp_path


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), prog_name="edition", catch_exceptions=False)


def flat(text: str) -> str:
    """The text with rich's hard wrapping (it keeps the space before each break) undone."""
    return " ".join(text.replace("\n", "").split())


# --- help and version ------------------------------------------------------------------------


def test_there_are_commands() -> None:
    assert {"build", "ingest", "validate"} <= set(COMMANDS)


@pytest.mark.parametrize("name", COMMANDS)
@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_every_command_has_help(name: str, flag: str) -> None:
    command = main.commands[name]
    assert (command.help or "").strip(), f"{name} has no docstring"
    result = run(name, flag)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"Usage: edition {name} ")
    assert command.help.strip().splitlines()[0] in flat(result.stdout)


@pytest.mark.parametrize("name", COMMANDS)
def test_every_option_is_documented(name: str) -> None:
    for param in main.commands[name].params:
        if isinstance(param, click.Option):
            assert (param.help or "").strip(), f"edition {name} {param.opts[0]} has no help"


def test_main_help_lists_every_command() -> None:
    result = run("--help")
    assert result.exit_code == 0
    assert result.stdout.startswith("Usage: edition ")
    commands = result.stdout.split("Commands:")[1]
    for name in COMMANDS:
        assert f"  {name} " in commands
    for option in ("--version", "--verbose", "--quiet", "--config"):
        assert option in result.stdout


def test_version() -> None:
    result = run("--version")
    assert result.exit_code == 0
    assert result.stdout == f"edition, version {__version__}\n"


# --- the installed entry point, in a real process --------------------------------------------


def test_console_script_version() -> None:
    assert CONSOLE_SCRIPT.exists(), f"no console script beside {sys.executable}"
    child = subprocess.run([str(CONSOLE_SCRIPT), "--version"], capture_output=True, text=True,
                           timeout=60)
    assert child.returncode == 0, child.stderr
    assert child.stdout == f"edition, version {__version__}\n"


def test_console_script_bad_input(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    child = subprocess.run([str(CONSOLE_SCRIPT), "ingest", "empty.txt", "-o", "out"],
                           capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert child.returncode == 3
    assert child.stdout == ""
    assert flat(child.stderr).startswith("error: empty.txt: the source is empty")
    assert "Traceback" not in child.stderr
    assert not (tmp_path / "out").exists()


def test_python_dash_m() -> None:
    child = subprocess.run([sys.executable, "-m", "edition.cli", "ingest", "--help"],
                           capture_output=True, text=True, timeout=60, cwd=REPO)
    assert child.returncode == 0, child.stderr
    assert "Usage: " in child.stdout and "ingest" in child.stdout


# --- exit 0, and -q --------------------------------------------------------------------------


def test_quiet_prints_nothing_on_success(work: Path) -> None:
    loud = run("ingest", "-o", "loud")
    assert loud.exit_code == 0
    assert "witnesses" in loud.stdout and "wrote " in loud.stdout  # the summary, without -q
    quiet = run("-q", "ingest", "-o", "quiet")
    assert quiet.exit_code == 0
    assert quiet.stdout == "" and quiet.stderr == ""
    assert (work / "quiet" / "tei" / "a.xml").exists()


def test_quiet_still_reports_errors(work: Path) -> None:
    (work / "sources" / "b.txt").write_bytes(b"")
    result = run("-q", "ingest", "-o", "out")
    assert result.exit_code == 3
    assert "sources/b.txt: the source is empty" in flat(result.stderr)


def test_build_validates_and_exits_0(work: Path) -> None:
    result = run("build")  # no arguments: sources/ into output/
    assert result.exit_code == 0, result.output
    assert "validate" in result.stdout  # timed in the summary
    assert (work / "output" / "tei" / "a.xml").exists()
    checked = run("validate", "output/tei")
    assert checked.exit_code == 0, checked.output


# --- exit 1: findings ------------------------------------------------------------------------


def test_validate_invalid_tei_exits_1() -> None:
    path = FIXTURES / "validate" / "invalid_type.xml"
    result = run("validate", str(path))
    assert result.exit_code == 1
    assert f"{path}:" in result.stdout and ": error: " in result.stdout
    assert "Traceback" not in result.output


def test_build_with_invalid_tei_exits_1(work: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from edition import validate
    from edition.validate import Problem

    def invalid(doc: object, path: Path) -> list[Problem]:
        if path.name != "a.xml":
            return []
        return [Problem(path, 3, 1, "error", "element p not allowed here", "relaxng")]

    monkeypatch.setattr(validate, "validate_tree", invalid)
    result = run("build", "-o", "out")
    assert result.exit_code == 1
    assert "a.xml:3:1: error: element p not allowed here" in result.stderr
    assert "1 validation error(s)" in result.stderr
    assert "Traceback" not in result.output


# --- exit 2: usage -----------------------------------------------------------------------------


@pytest.mark.parametrize("args", [
    ["frobnicate"],
    ["build", "--bogus"],
    ["validate"],
    ["ingest", "-o"],
    ["-q", "--config"],
    [],
], ids=["unknown-command", "unknown-option", "missing-argument", "missing-value",
        "missing-config-value", "no-command"])
def test_usage_errors_exit_2(args: list[str]) -> None:
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert "Usage: edition" in result.stderr or result.stderr.startswith("Error: ")
    assert result.stdout == ""
    assert "Traceback" not in result.output


# --- exit 3, and tracebacks only with -v ------------------------------------------------------


def test_internal_error_exit_3_without_traceback(work: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("edition.pipeline.build", boom)
    result = run("build")
    assert result.exit_code == 3
    assert flat(result.stderr).startswith("internal error: RuntimeError: boom")
    assert result.stderr.endswith("run again with -v for the traceback\n")
    verbose = run("-v", "build")
    assert verbose.exit_code == 3
    assert "Traceback (most recent call last)" in verbose.stderr
    assert 'raise RuntimeError("boom")' in verbose.stderr


def test_input_error_traceback_only_with_verbose(work: Path) -> None:
    (work / "sources" / "a.txt").write_bytes(b"")
    plain = run("ingest", "-o", "out")
    verbose = run("-v", "ingest", "-o", "out")
    assert plain.exit_code == verbose.exit_code == InputError.exit_code == 3
    assert "Traceback" not in plain.output
    assert "Traceback (most recent call last)" in verbose.stderr
    assert "sources/a.txt: the source is empty" in flat(verbose.stderr)


def test_interrupt_exits_3(work: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("edition.pipeline.build", interrupted)
    result = run("build")
    assert result.exit_code == 3
    assert result.stderr == "interrupted\n"


# --- known bugs ------------------------------------------------------------------------------


def test_long_path_in_an_error_message_is_not_split(tmp_path: Path) -> None:
    folder = tmp_path / ("a-rather-long-folder-name-for-the-sources-" * 5)
    folder.mkdir()
    (folder / "empty.txt").write_bytes(b"")
    result = run("ingest", str(folder / "empty.txt"), "-o", str(tmp_path / "out"))
    assert result.exit_code == 3
    assert f"{folder / 'empty.txt'}: the source is empty" in result.stderr


def test_failed_write_leaves_no_half_written_output(work: Path) -> None:
    (work / "out").mkdir()
    (work / "out" / "report").write_text("not a folder")
    result = run("ingest", "-o", "out")
    assert result.exit_code != 0
    assert sorted(p.name for p in (work / "out").iterdir()) == ["report"]


def test_output_option_naming_a_file(work: Path) -> None:
    (work / "out").write_text("a file")
    result = run("ingest", "-o", "out")
    assert result.exit_code in (2, 3)
    assert "internal error" not in result.stderr
    assert "out" in result.stderr
