"""Shared fixtures: paths, the official schema, and ONE build of the default corpus.

The end-to-end build runs once per test session through the real CLI; every test that
needs its output shares it, so CI stays fast.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SOURCES = REPO / "sources"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
TEI_NS = {"tei": "http://www.tei-c.org/ns/1.0"}


@pytest.fixture(scope="session")
def official_schema_path() -> Path:
    path = SHARED / "schema" / "tei_all.rng"
    if not path.exists():
        pytest.fail(f"the official schema is expected at {path} (../shared beside the repo)")
    return path


@pytest.fixture(scope="session")
def tei_all(official_schema_path: Path) -> etree.RelaxNG:
    """The official TEI P5 tei_all schema, compiled once per session (~6 s)."""
    return etree.RelaxNG(etree.parse(str(official_schema_path)))


class CorpusBuild:
    def __init__(self, root: Path, exit_code: int, output: str) -> None:
        self.root = root
        self.out = root / "output"
        self.exit_code = exit_code
        self.output = output

    def tei(self, stem: str) -> etree._ElementTree:
        return etree.parse(str(self.out / "tei" / f"{stem}.xml"))


@pytest.fixture(scope="session")
def corpus_build(tmp_path_factory: pytest.TempPathFactory) -> CorpusBuild:
    """`edition build` with no arguments, in a copy of the project's default layout."""
    from edition.cli import main

    root = tmp_path_factory.mktemp("corpus")
    shutil.copytree(SOURCES, root / "sources")
    previous = Path.cwd()
    os.chdir(root)
    try:
        result = CliRunner().invoke(main, ["build"], catch_exceptions=False)
    finally:
        os.chdir(previous)
    return CorpusBuild(root, result.exit_code, result.output)


def corpus_stems() -> list[str]:
    return sorted(p.stem for p in SOURCES.glob("*.txt"))
