"""Quality of the corruption flags: the simulator is honest, and recall does not regress.

The measurement itself is `bench/quality` (see bench/README.md, "quality"); these tests reuse
its simulator and scorer (`bench/benchlib.py`, imported by path) and assert regression floors.
One build of the real corpus and one of two simulated chapters per module (validate=False).

Measured on 2026-11-22 (code b26723b plus uncommitted work in edition/), matching rule ±2 lines:

- simulated, seeds 20261122-20261123 (48 injections), detection recall: lacuna 2/2,
  dittography 2/2, boilerplate 4/4, junk 4/8; classification (same cause): lacuna 2/2,
  dittography 2/2, boilerplate 4/4, junk 3/8. Detection precision 48/48.
- real chapter 6, detection recall of the 21 gold corruptions: 18/21 (d150 structure, d187
  and d188 ocr missed; d198, the lacuna, is only found because the boilerplate flag at 3304
  is within 2 lines of 3302).

Margins: for a cause with at least four injections the floor allows one more miss than
measured (boilerplate 3/4; junk 3/8 and 2/8); lacuna and dittography (two each, big errors)
and the real chapter keep the measured value. Raise the floors when the pipeline improves.
"""

from __future__ import annotations

import importlib.util
import itertools
import sys
from pathlib import Path

import pytest

from edition.config import Config
from edition.pipeline import build

from ..conftest import REPO, SOURCES

_spec = importlib.util.spec_from_file_location("benchlib", REPO / "bench" / "benchlib.py")
assert _spec and _spec.loader
sim = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("benchlib", sim)
_spec.loader.exec_module(sim)

SEEDS = (sim.SEED, sim.SEED + 1)
# found / injected (detection, classification), measured 2026-11-22 minus the margin above
# raised after the classifier fixes of the same day: measured detection ocr 20/20, junk 7/8,
# boilerplate 4/4, lacuna 2/2, dittography 2/2, word-split 6/6, word-join 6/6; the real
# chapter 20/21 (only d187, a misreading inside a note printed inline, is missed)
SIM_FLOORS = {
    "lacuna": ((2, 2), (2, 2)),
    "dittography": ((2, 2), (2, 2)),
    "boilerplate": ((3, 4), (3, 4)),
    "junk": ((6, 8), (6, 8)),
    "ocr": ((19, 20), (17, 20)),
    "word-split": ((6, 6), (6, 6)),
    "word-join": ((6, 6), (6, 6)),
}
REAL_DETECTION_FLOOR = 20  # of 21 gold corruptions, measured 2026-11-22
CHAPTER_C = (2653, 3386)


@pytest.fixture(scope="module")
def simulated(tmp_path_factory: pytest.TempPathFactory) -> tuple[list, list, list]:
    """Gold (injections), the damaged witnesses' flags and the clean witnesses' flags."""
    gold, flags, clean_flags = [], [], []
    for seed in SEEDS:
        s = sim.simulate(seed)
        folder = tmp_path_factory.mktemp(f"sim{seed}")
        sim.write_pair(s, folder / "sources")
        result = build(Config(sources=folder / "sources", output=folder / "out"),
                       validate=False)
        by_file = {w.source_name: w.siglum for w in result.witnesses}
        damaged, clean = by_file["damaged.txt"], by_file["clean.txt"]
        key = f"{seed}:{damaged}"
        gold += sim.injection_gold(s, key, prefix=f"{seed}/")
        flags += [sim.Flagged.of(f, key) for f in result.flags if f.siglum == damaged]
        clean_flags += [f for f in result.flags if f.siglum == clean]
    return gold, flags, clean_flags


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> tuple[list, list]:
    """Gold of chapter 6 (sigla of the build) and the flags of C (chapter lines) and D."""
    out = tmp_path_factory.mktemp("quality-real")
    result = build(Config(sources=SOURCES, output=out), validate=False)
    by_file = {w.source_name: w.siglum for w in result.witnesses}
    c, d = by_file["002_58ccb17ca8d2a55e.txt"], by_file["003_a62227af89236541.txt"]
    rename = {"C": c, "D": d}
    gold = [sim.Gold(g.id, g.cause, rename.get(g.witness, g.witness), g.line, g.reading,
                     g.words) for g in sim.chapter_gold()]
    flags = sim.chapter_flags(result.flags, {c: CHAPTER_C, d: (1, 10**9)})
    return gold, flags


# --- (a) the simulator injects what it says --------------------------------------------------


@pytest.mark.parametrize("seed", range(sim.SEED, sim.SEED + 5))
def test_every_injection_is_in_the_damaged_file_at_its_line(seed: int) -> None:
    s = sim.simulate(seed)
    for cause, n in sim.COUNTS.items():
        assert sum(j.cause == cause for j in s.injections) == n, cause
    for j in s.injections:
        assert sim.check_injection(s, j) == "", (j, sim.check_injection(s, j))
    lines = sorted(j.line for j in s.injections)
    # no flag can be within ±2 lines of two injections
    assert min(b - a for a, b in itertools.pairwise(lines)) > 2 * sim.WINDOW


def test_simulator_is_deterministic_and_leaves_the_clean_text_alone() -> None:
    a, b = sim.simulate(sim.SEED), sim.simulate(sim.SEED)
    assert (a.clean, a.damaged, a.injections) == (b.clean, b.damaged, b.injections)
    assert sim.simulate(sim.SEED + 1).damaged != a.damaged
    assert a.clean == sim.simulate(sim.SEED + 1).clean
    words = " ".join(a.clean.split())
    assert words == " ".join(" ".join(sim.clean_lines()).split())
    for j in a.injections:
        if j.cause in ("ocr", "word-join", "boilerplate"):
            assert j.damaged not in a.clean, j
    assert max(len(line) for line in a.clean.splitlines()) <= sim.WIDTH + 20  # wrapped


def test_check_injection_notices_a_wrong_line() -> None:
    s = sim.simulate(sim.SEED)
    moved = [type(j)(j.id, j.cause, j.line + 3, j.original, j.damaged, j.words)
             for j in s.injections]
    assert all(sim.check_injection(s, j) for j in moved
               if j.cause in ("ocr", "word-join", "boilerplate"))


def test_scoring_rule() -> None:
    gold = [sim.Gold("g1", "ocr", "C", 100, "x"), sim.Gold("g2", "typography", "", 200, "y")]
    flags = [sim.Flagged("C", 102, "ocr", 0.9, "x", "", ""),
             sim.Flagged("C", 103, "junk", 0.9, "x", "", ""),
             sim.Flagged("D", 100, "ocr", 0.9, "x", "", ""),
             sim.Flagged("C", 200, "ocr", 0.9, "y", "", "")]
    det = sim.score(gold, flags, same_cause=False)
    cls = sim.score(gold, flags, same_cause=True)
    assert (det.total.gold, det.total.found, det.total.flagged, det.total.true) == (1, 1, 4, 1)
    assert (cls.rows["ocr"].found, cls.rows["ocr"].true, cls.rows["junk"].true) == (1, 1, 0)
    assert "total" in sim.table(det, {"recall": 0.95})


# --- (b) simulated pair: regression floors ---------------------------------------------------


@pytest.mark.parametrize("cause", sorted(SIM_FLOORS))
def test_simulated_recall_floor(simulated: tuple[list, list, list], cause: str) -> None:
    gold, flags, _ = simulated
    (det_found, n), (cls_found, _) = SIM_FLOORS[cause]
    det = sim.score(gold, flags, same_cause=False).rows[cause]
    cls = sim.score(gold, flags, same_cause=True).rows[cause]
    assert det.gold == n
    assert det.found >= det_found, [g for g in sim.score(gold, flags, same_cause=False).missed
                                    if g.cause == cause]
    assert cls.found >= cls_found


def test_simulated_detection_precision_floor(simulated: tuple[list, list, list]) -> None:
    """Flags of the damaged witness are near an injection (measured: 48 of 48; floor 0.9)."""
    gold, flags, _ = simulated
    det = sim.score(gold, flags, same_cause=False)
    assert det.total.precision is not None and det.total.precision >= 0.9, det.false


# --- (c) the real chapter ----------------------------------------------------------------------


def test_real_chapter_detection_recall_floor(real: tuple[list, list]) -> None:
    gold, flags = real
    det = sim.score(gold, flags, same_cause=False)
    assert det.total.gold == 21
    assert det.total.found >= REAL_DETECTION_FLOOR, [(g.id, g.cause, g.line) for g in det.missed]


def test_gold_list_is_as_documented() -> None:
    gold = sim.chapter_gold()
    assert len(gold) == 226
    corrupt = [g for g in gold if g.cause in sim.CORRUPTIONS]
    assert len(corrupt) == 21 and {g.witness for g in corrupt} == {"C"}
    assert Path(sim.GOLD_PATH).is_file()
