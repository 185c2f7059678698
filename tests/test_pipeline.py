"""The runner: TEI sources validated then used; output names that never collide."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from edition.cli import main
from edition.ingest import ingest_source
from edition.pipeline import output_names

from .conftest import FIXTURES, SOURCES


def test_invalid_tei_source_is_reported_and_used(tmp_path: Path) -> None:
    src = tmp_path / "sources"
    src.mkdir()
    shutil.copy(FIXTURES / "validate" / "foreign_invalid.xml", src / "letter.xml")
    shutil.copy(SOURCES / "004_90960ef981d27cfa.txt", src / "article.txt")
    result = CliRunner().invoke(main, ["build", str(src), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "TEI source not valid against tei_all (used anyway)" in result.stderr
    assert "letter.xml:" in result.stderr and "blink" in result.stderr
    assert (tmp_path / "out" / "tei" / "letter.xml").exists()


def test_output_names_never_collide(tmp_path: Path) -> None:
    for folder, name in (("one", "x.txt"), ("two", "x.txt"), ("one", "x.html"),
                         ("one", "edition.txt"), ("one", "y.txt")):
        (tmp_path / folder).mkdir(exist_ok=True)
        (tmp_path / folder / name).write_text("A line of text long enough to be a paragraph of "
                                              "prose, with a full stop at its end.\n")
    paths = [tmp_path / "one/x.txt", tmp_path / "two/x.txt", tmp_path / "one/x.html",
             tmp_path / "one/edition.txt", tmp_path / "one/y.txt"]
    witnesses = [ingest_source(p, s) for p, s in zip(paths, "ABCDE", strict=True)]
    names = output_names(witnesses)
    assert names == {"A": "x-A", "B": "x-B", "C": "x.html", "D": "edition.txt", "E": "y"}
