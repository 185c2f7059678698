"""The build as one transaction (issue 16): a build or render killed at any moment leaves
the previous output or the new one, complete, never a mixture; what it left is removed by
the next build; a second build on the same output is refused; a source removed from the
folder leaves no file behind; the review store is never touched.

The builds run as subprocesses (`python -m edition.cli`) killed with SIGKILL, on three small
sources so that each build takes a few seconds. Nothing here imports the package: the same
file checks any version of it.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

TRIALS = int(os.environ.get("EDITION_KILL_TRIALS", "20"))
RENDER_TRIALS = 6
FOLDERS = ("tei", "report", "html", "pdf")
WORDS = ("the", "committee", "met", "on", "tuesday", "and", "spoke", "at", "length", "about",
         "harvest", "plan", "of", "workers", "who", "asked", "for", "freedom", "in", "cafe",
         "while", "a", "second", "meeting", "followed", "with", "more", "words", "bread",
         "land", "long", "winter")


def edition(*args: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "edition.cli", *args], capture_output=True,
                          text=True, **kwargs)  # type: ignore[call-overload]


def start(*args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "edition.cli", "-q", *args],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def manifest(out: Path) -> dict[str, str]:
    """Digest of every file a reader finds at the contract paths (through links); the
    timings of ingest.json, which differ from run to run, left out."""
    found: dict[str, str] = {}
    for folder in FOLDERS:
        for root, dirs, files in os.walk(out / folder, followlinks=True):
            dirs[:] = [d for d in dirs if not d.startswith(".")]
            for name in files:
                path = Path(root) / name
                data = path.read_bytes()
                if name == "ingest.json":
                    data = json.dumps({k: v for k, v in json.loads(data).items()
                                       if k != "timings_seconds"}).encode()
                found[str(path.relative_to(out))] = hashlib.sha256(data).hexdigest()
    return found


def leftovers(out: Path) -> list[str]:
    """What a finished build must not leave: temporary files, a lock file, staged or older
    generations (only the current one stays)."""
    left = [str(p.relative_to(out)) for p in out.rglob("*")
            if p.name.endswith(".tmp") or p.name == ".lock"]
    generations = out / ".generations"
    if generations.is_dir():
        current = (out / ".current").resolve()
        left += [str(p.relative_to(out)) for p in generations.iterdir() if p.resolve() != current]
    return sorted(left)


def review_state(out: Path) -> tuple[int, list[tuple[object, ...]]]:
    """The store's inode (it must stay the same file, where it is) and every decision."""
    path = out / "review" / "decisions.sqlite"
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        rows = db.execute("SELECT * FROM decisions ORDER BY rowid").fetchall()
    return path.stat().st_ino, rows


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """Two source folders (the second changes a.txt and drops c.txt), the complete output of
    each, with a review decision in the first, and how long a build takes."""
    root = tmp_path_factory.mktemp("transaction")
    rng = random.Random(16)
    paragraphs = [" ".join(rng.choice(WORDS) for _ in range(50)).capitalize() + "."
                  for _ in range(5)]
    old, new = root / "old", root / "new"
    old.mkdir()
    new.mkdir()
    (old / "a.txt").write_text("\n\n".join(paragraphs) + "\n")
    (old / "b.txt").write_text("\n\n".join(p.replace("harvest", "harvset") for p in paragraphs))
    (old / "c.txt").write_text("\n\n".join(p.replace("workers", "wokers") for p in paragraphs[:3]))
    (new / "a.txt").write_text("\n\n".join(paragraphs[:4]).replace("bread", "braed") + "\n")
    shutil.copy(old / "b.txt", new / "b.txt")
    old_out, new_out = root / "old-out", root / "new-out"
    done = edition("-q", "build", "--no-validate", str(old), "-o", str(old_out))
    assert done.returncode == 0, done.stderr
    flag = json.loads((old_out / "report" / "flags.jsonl").read_text().splitlines()[0])
    decided = edition("decide", flag["id"], "--accept", "--reviewer", "test", "-o", str(old_out))
    assert decided.returncode == 0, decided.stderr
    shutil.copytree(old_out / "review", new_out / "review")  # both builds apply the decision
    began = time.perf_counter()
    done = edition("-q", "build", "--no-validate", str(new), "-o", str(new_out))
    assert done.returncode == 0, done.stderr
    seconds = time.perf_counter() - began
    return {"root": root, "old": old, "new": new, "old_out": old_out, "new_out": new_out,
            "seconds": seconds}


def copy_output(source: Path, target: Path) -> Path:
    shutil.copytree(source, target, symlinks=True)
    return target


def test_complete_builds_differ_and_removed_source_leaves_nothing(corpus: dict) -> None:
    old, new = manifest(corpus["old_out"]), manifest(corpus["new_out"])
    assert "tei/c.xml" in old and old != new
    out = copy_output(corpus["old_out"], corpus["root"] / "removed")
    before = review_state(out)
    done = edition("build", "--no-validate", str(corpus["new"]), "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert manifest(out) == new  # c.xml, its witness page and its PDF, if any, are gone
    assert not any("c.xml" in name for name in manifest(out))
    gone = sorted(set(old) - set(new))
    assert f"removed {len(gone)} files of the previous output" in done.stdout, done.stdout
    assert "tei/c.xml" in done.stdout
    assert review_state(out) == before
    assert (out / "review").is_dir() and not (out / "review").is_symlink()
    assert leftovers(out) == []
    for path in ("tei/a.xml", "tei/edition.xml", "report/flags.jsonl", "html/index.html",
                 "pdf/edition.pdf"):
        assert (out / path).is_file(), path


def _kill_trial(corpus: dict, out: Path, rng: random.Random, mode: int) -> tuple[str, bool]:
    """Start the new build on a copy of the old output and SIGKILL it: anywhere in the run
    (mode 0), once it has begun staging its output (1), or as soon as it has switched the
    output to its new generation, before it removed the old one (2).
    (outcome, killed while staging or switching)"""
    process = start("build", "--no-validate", str(corpus["new"]), "-o", str(out))
    generations = out / ".generations"
    current = _current(out)
    if mode == 1:
        while process.poll() is None and _generations(generations) < 2:
            time.sleep(0.002)
        time.sleep(rng.uniform(0, corpus["seconds"] * 0.6))
    elif mode == 2:
        while process.poll() is None and _current(out) == current:
            time.sleep(0.001)
    else:
        time.sleep(rng.uniform(0, corpus["seconds"] * 1.1))
    staging = _generations(generations) >= 2
    process.send_signal(signal.SIGKILL)
    code = process.wait()
    found = manifest(out)
    outcome = ("old" if found == manifest(corpus["old_out"]) else
               "new" if found == manifest(corpus["new_out"]) else "MIXED")
    return ("completed-" if code == 0 else "killed-") + outcome, staging


def _current(out: Path) -> str:
    return os.readlink(out / ".current") if (out / ".current").is_symlink() else ""


def _generations(folder: Path) -> int:
    return len(list(folder.iterdir())) if folder.is_dir() else 0


def test_build_killed_at_random_moments_leaves_old_or_new(corpus: dict) -> None:
    rng = random.Random(1616)
    outcomes: Counter[str] = Counter()
    while_staging = left = 0
    for trial in range(TRIALS):
        out = copy_output(corpus["old_out"], corpus["root"] / f"kill-{trial}")
        before = review_state(out)
        outcome, staging = _kill_trial(corpus, out, rng, mode=trial % 3)
        outcomes[outcome] += 1
        while_staging += staging and outcome.startswith("killed")
        assert "MIXED" not in outcome, f"trial {trial}: a mixture of the two builds"
        assert review_state(out) == before
        left += bool(leftovers(out))
        done = edition("build", "--no-validate", str(corpus["new"]), "-o", str(out))
        assert done.returncode == 0, done.stderr
        assert manifest(out) == manifest(corpus["new_out"])
        assert leftovers(out) == [], f"trial {trial}"
        assert review_state(out) == before
        shutil.rmtree(out)
    print(f"\n{TRIALS} kill trials: {dict(outcomes)}; {while_staging} killed with a staged "
          f"generation on disk; {left} left leftovers, all removed by the next build")
    assert while_staging >= TRIALS // 4  # the window that matters was hit, not only compute


def test_render_killed_leaves_old_or_new(corpus: dict) -> None:
    rng = random.Random(17)
    out = copy_output(corpus["new_out"], corpus["root"] / "render")
    complete = manifest(out)
    outcomes: Counter[str] = Counter()
    for trial in range(RENDER_TRIALS):
        (out / "html" / "flags.html").unlink(missing_ok=True)  # what the render restores
        damaged = manifest(out)
        process = start("render", "-o", str(out))
        time.sleep(rng.uniform(0, corpus["seconds"]))
        process.send_signal(signal.SIGKILL)
        code = process.wait()
        found = manifest(out)
        outcome = "old" if found == damaged else "new" if found == complete else "MIXED"
        outcomes[("completed-" if code == 0 else "killed-") + outcome] += 1
        assert outcome != "MIXED", f"render trial {trial}"
    done = edition("render", "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert manifest(out) == complete and leftovers(out) == []
    print(f"\n{RENDER_TRIALS} render kill trials: {dict(outcomes)}")


def test_second_build_on_the_same_output_is_refused(corpus: dict) -> None:
    out = copy_output(corpus["old_out"], corpus["root"] / "busy")
    first = start("build", "--no-validate", str(corpus["new"]), "-o", str(out))
    lock = out / ".lock"
    while first.poll() is None and not (lock.exists() and lock.read_text() == f"{first.pid}\n"):
        time.sleep(0.002)
    first.send_signal(signal.SIGSTOP)  # holds the lock for as long as the test needs
    try:
        second = edition("build", "--no-validate", str(corpus["old"]), "-o", str(out))
        render = edition("render", "--html", "-o", str(out))
    finally:
        first.send_signal(signal.SIGCONT)
    assert first.wait() == 0
    for refused in (second, render):
        assert refused.returncode == 2, refused.stderr
        assert f"another edition build (pid {first.pid}) is writing this output folder" \
            in refused.stderr
        assert "hint:" in refused.stderr and "Traceback" not in refused.stderr
    assert manifest(out) == manifest(corpus["new_out"])  # the first build won, whole


def test_lock_held_by_another_process_refuses_then_frees(corpus: dict) -> None:
    out = copy_output(corpus["old_out"], corpus["root"] / "held")
    with open(out / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        refused = edition("ingest", str(corpus["new"]), "-o", str(out))
        assert refused.returncode == 2
        assert "is writing this output folder" in refused.stderr
        assert manifest(out) == manifest(corpus["old_out"])
    done = edition("ingest", str(corpus["new"]), "-o", str(out))  # the lock file, unheld
    assert done.returncode == 0, done.stderr
    assert leftovers(out) == []


def test_older_layout_and_its_temporary_files_are_replaced(corpus: dict, tmp_path: Path) -> None:
    """An output written by the file-by-file writer: real folders with .tmp files left by a
    killed build. The next build replaces them; nothing of them stays."""
    out = tmp_path / "out"
    for folder in (*FOLDERS, "review"):
        shutil.copytree(corpus["old_out"] / folder, out / folder)
    (out / "tei" / ".a.xml.k2j4x9.tmp").write_text("half")
    (out / "html" / "works" / ".index.html.q8d7.tmp").write_text("half")
    done = edition("build", "--no-validate", str(corpus["new"]), "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert manifest(out) == manifest(corpus["new_out"])
    assert leftovers(out) == []


def test_failed_build_removes_its_staging_and_keeps_the_output(corpus: dict) -> None:
    out = copy_output(corpus["old_out"], corpus["root"] / "failed")
    bad = corpus["root"] / "bad"
    bad.mkdir()
    (bad / "empty.txt").write_bytes(b"")
    done = edition("build", "--no-validate", str(bad), "-o", str(out))
    assert done.returncode == 3
    assert manifest(out) == manifest(corpus["old_out"]) and leftovers(out) == []
