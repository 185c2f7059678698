"""Nothing crashes: real sources of every kind, damaged at random (lines shuffled, cut short,
control characters and stray bytes injected, a block doubled), build without a traceback:
either they are read, or they are refused with an `InputError` that says why.

Seeded, so every run damages them the same way; the build runs every stage but rendering
(which reads only what the earlier stages wrote), without validation.
"""

from __future__ import annotations

import random
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from edition.config import Config
from edition.errors import InputError
from edition.pipeline import build

from .conftest import FIXTURES, SHARED

REALWORLD = SHARED / "realworld"
SEEDS = (20261207, 20261208)


def _sources() -> list[Path]:
    found = [FIXTURES / "junk" / "french_novel.txt", FIXTURES / "markdown" / "essay.md",
             FIXTURES / "formats" / "letter.xml", FIXTURES / "formats" / "article.html"]
    for name in ("gutenberg/pg375.txt", "pdf/ca8_.pdf", "html/mozilla-2/source.html"):
        if (REALWORLD / name).exists():
            found.append(REALWORLD / name)
    return found


def shuffle_lines(data: bytes, rng: random.Random) -> bytes:
    lines = data.split(b"\n")
    rng.shuffle(lines)
    return b"\n".join(lines)


def truncate(data: bytes, rng: random.Random) -> bytes:
    return data[:rng.randrange(1, max(2, len(data)))]


def control_characters(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(max(1, len(data) // 500)):
        out.insert(rng.randrange(len(out) + 1), rng.choice(b"\x00\x01\x07\x0b\x0c\x1b\x7f"))
    return bytes(out)


def stray_bytes(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(max(1, len(data) // 1000)):
        at = rng.randrange(len(out))
        out[at:at + 1] = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 6)))
    return bytes(out)


def double_a_block(data: bytes, rng: random.Random) -> bytes:
    start = rng.randrange(len(data))
    end = min(len(data), start + rng.randrange(1, 2000))
    return data[:end] + data[start:end] + data[end:]


MUTATIONS: dict[str, Callable[[bytes, random.Random], bytes]] = {
    f.__name__: f for f in (shuffle_lines, truncate, control_characters, stray_bytes,
                            double_a_block)}


def _cut(path: Path) -> bytes:
    """The source, long e-texts cut to their first 40 KB so the test stays fast."""
    data = path.read_bytes()
    return data if path.suffix != ".txt" else data[:40_000]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("mutation", sorted(MUTATIONS))
def test_damaged_sources_never_crash(mutation: str, seed: int, tmp_path: Path) -> None:
    rng = random.Random(f"{mutation}-{seed}")
    refused = []
    for source in _sources():
        folder = tmp_path / source.stem
        folder.mkdir()
        damaged = folder / source.name
        damaged.write_bytes(MUTATIONS[mutation](_cut(source), rng))
        try:
            result = build(Config(output=folder / "out"), [damaged], validate=False,
                           stages=("ingest", "detect", "collate"))
        except InputError as exc:  # refused with a reason: fine, never a traceback
            assert str(exc).strip() and "Traceback" not in str(exc)
            refused.append(source.name)
            continue
        assert (folder / "out" / "tei" / "edition.xml").is_file()
        assert result.witnesses
        shutil.rmtree(folder)
    assert len(refused) < len(_sources()), f"every damaged source refused: {refused}"
