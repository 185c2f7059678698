"""The installed package finds its own assets (tei/, styles/) without the checkout.

Builds the real wheel, then imports `edition` from that wheel alone in a subprocess and
validates a file with the vendored tei_all: what a user gets after `pip install`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from .conftest import FIXTURES, REPO


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    # build from a clean copy: setuptools reuses a checkout's build/ folder, whose stale
    # files once hid a package missing from pyproject's list
    tree = tmp_path_factory.mktemp("tree") / "repo"
    shutil.copytree(REPO, tree, ignore=shutil.ignore_patterns(
        "build", ".venv", "output", "*.egg-info", ".git", "__pycache__", ".*_cache"))
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
         "--wheel-dir", str(out), str(tree)],
        check=True, capture_output=True, text=True,
    )
    return next(out.glob("*.whl"))


def test_wheel_ships_schema_and_style_assets(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for asset in ("tei_all.rng", "edition.rng", "edition.sch"):
        assert f"edition/schema_assets/{asset}" in names
    assert "edition/style_assets/__init__.py" in names
    # every subpackage of the source tree is in the wheel (a missing one broke review once)
    source = REPO / "edition"
    for init in source.rglob("__init__.py"):
        assert f"edition/{init.relative_to(source).as_posix()}" in names, init
    folders = sorted(source.glob("*/templates"))
    assert {f.parent.name for f in folders} == {"render", "review"}
    for folder in folders:  # the site's and the review app's templates ship with their stage
        for template in folder.iterdir():
            assert f"edition/{template.relative_to(source).as_posix()}" in names, template


def test_installed_package_validates_with_its_own_schema(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    script = (
        "import edition, sys\n"
        "from pathlib import Path\n"
        f"assert Path(edition.__file__).is_relative_to({str(site)!r}), edition.__file__\n"
        "import edition.cli, edition.review.app, edition.render.site  # every stage imports\n"
        "from edition.validate import tei_all_path, validate_paths\n"
        "print(tei_all_path())\n"
        "report = validate_paths([Path(sys.argv[1])])\n"
        "print(report.summary())\n"
        "sys.exit(0 if report.ok else 1)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "EDITION_TEI_SCHEMA"}
    env["PYTHONPATH"] = str(site)
    done = subprocess.run(
        [sys.executable, "-c", script, str(FIXTURES / "validate" / "valid_witness.xml")],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert str(site) in done.stdout  # the schema came from the installed package
    assert "1 valid" in done.stdout
