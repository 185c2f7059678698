"""The set-up stays reproducible: pyproject.toml and the lock agree, everything is hashed.

`make edition` / `make test` install requirements/lock.txt with --require-hashes, then
the project with --no-deps: a dependency of pyproject.toml missing from the lock, or
pinned at a version its specifier refuses, would go unnoticed until a fresh machine.
"""

from __future__ import annotations

import importlib.util
import re
import sys
import tomllib

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from .conftest import REPO

LOCK = REPO / "requirements" / "lock.txt"
UV_LOCK = REPO / "requirements" / "uv.txt"
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))


def pins(path) -> dict[str, tuple[Version, int]]:
    """name -> (pinned version, number of hashes) of a hashed requirements file."""
    found: dict[str, tuple[Version, int]] = {}
    name = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if m := re.match(r"([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)", line):
            name = canonicalize_name(m.group(1))
            assert name not in found, f"{path.name}: {name} pinned twice"
            found[name] = (Version(m.group(2)), 0)
        elif name and line.strip().startswith("--hash=sha256:"):
            version, hashes = found[name]
            found[name] = (version, hashes + 1)
        elif line.strip() and not line.lstrip().startswith("#"):
            pytest.fail(f"{path.name}: unexpected line {line!r} (not a hashed pin)")
    return found


def declared() -> list[Requirement]:
    """Every requirement of pyproject: runtime, the test extra, and the build backend."""
    project = PYPROJECT["project"]
    texts = [*project["dependencies"], *project["optional-dependencies"]["test"],
             *PYPROJECT["build-system"]["requires"]]
    return [Requirement(t) for t in texts]


def test_every_dependency_of_pyproject_is_pinned_in_the_lock_at_an_allowed_version() -> None:
    locked = pins(LOCK)
    env = default_environment() | {"extra": "test"}
    problems = []
    for req in declared():
        if req.marker is not None and not req.marker.evaluate(env):
            continue
        name = canonicalize_name(req.name)
        if name not in locked:
            problems.append(f"{req.name}: not in the lock")
        elif not req.specifier.contains(locked[name][0], prereleases=True):
            problems.append(f"{req.name}: locked at {locked[name][0]}, pyproject says {req}")
    assert not problems, "pyproject.toml and requirements/lock.txt disagree (run `make lock`):\n" \
        + "\n".join(problems)


def test_every_pin_has_hashes() -> None:
    for path in (LOCK, UV_LOCK):
        found = pins(path)
        assert found, path
        assert all(hashes for _, hashes in found.values()), path
    assert set(pins(UV_LOCK)) == {"uv"}


def test_the_installed_versions_are_the_locked_ones() -> None:
    from importlib.metadata import PackageNotFoundError, version

    wrong = []
    for name, (pinned, _) in pins(LOCK).items():
        try:
            installed = Version(version(name))
        except PackageNotFoundError:
            wrong.append(f"{name}: not installed")
            continue
        if installed != pinned:
            wrong.append(f"{name}: {installed} installed, {pinned} locked")
    assert not wrong, "\n".join(wrong)


def test_licence_is_an_spdx_expression_with_its_file() -> None:
    project = PYPROJECT["project"]
    assert project["license"] == "MIT"
    for name in project["license-files"]:
        assert (REPO / name).is_file(), name
    assert "MIT License" in (REPO / "LICENSE").read_text(encoding="utf-8")


def test_this_python_is_one_the_readme_claims() -> None:
    # CI runs the whole check (Python and Debian) in .ci/run; here, the Python alone
    spec = importlib.util.spec_from_file_location("check_platform",
                                                  REPO / "scripts" / "check-platform.py")
    check = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(check)
    debians, pythons = check.claims((REPO / "README.md").read_text(encoding="utf-8"))
    assert debians and pythons
    assert f"{sys.version_info.major}.{sys.version_info.minor}" in pythons
