#!/usr/bin/env python3
"""Check that this Python (and Debian release) is one the README says is tested.

Run by CI with the venv's Python (`.venv/bin/python scripts/check-platform.py`): the
README's line "Tested on: Debian 12 (bookworm), Python 3.11." is the claim, and a CI
run on anything else fails here instead of quietly widening it. Prints one line.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def claims(readme: str) -> tuple[set[str], set[str]]:
    """The Debian releases and Python versions of the README's "Tested on:" line."""
    line = next((ln for ln in readme.splitlines() if ln.startswith("Tested on:")), None)
    if line is None:
        raise SystemExit("check-platform: README.md has no 'Tested on:' line")
    return set(re.findall(r"Debian (\d+)", line)), set(re.findall(r"Python (3\.\d+)", line))


def debian_release() -> str | None:
    try:
        return Path("/etc/debian_version").read_text().strip().split(".")[0]
    except OSError:
        return None


def main() -> int:
    debians, pythons = claims(README.read_text(encoding="utf-8"))
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    debian = debian_release()
    problems = []
    if python not in pythons:
        problems.append(f"Python {python} (README claims {', '.join(sorted(pythons))})")
    if debian not in debians:
        problems.append(f"Debian {debian or 'none'} (README claims {', '.join(sorted(debians))})")
    if problems:
        print("check-platform: not a tested platform: " + "; ".join(problems)
              + ". Test it, then add it to README's 'Tested on:' line.", file=sys.stderr)
        return 1
    print(f"check-platform: Python {sys.version.split()[0]} on Debian "
          f"{Path('/etc/debian_version').read_text().strip()}, as README claims")
    return 0


if __name__ == "__main__":
    sys.exit(main())
