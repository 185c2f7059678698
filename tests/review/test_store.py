"""The review foundation (issue 7, part 1): the decision store, content anchors, the CLI.

Real SQLite files, real child processes (crash with SIGKILL, two concurrent writers),
the real corpus build's flags. No wall-clock asserts.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from edition.errors import InputError, UsageError
from edition.review import DecisionStore, anchor, anchors, match
from edition.review.commands import COMMANDS
from edition.review.state import load_flags, review_state
from edition.review.store import default_path

REPO = Path(__file__).resolve().parents[2]


def flag(n: int = 0, **extra: Any) -> dict[str, Any]:
    base = {"id": f"f-{n:06x}", "witness": "A", "source": "a.txt", "line": 10 + n,
            "reading": f"teh{n}", "suggestion": f"the{n}", "cause": "ocr",
            "type": "orthographic", "confidence": 0.9, "against": [], "status": "open",
            "evidence": "", "variant": "",
            "context": f"once upon a time [teh{n}] king of the castle had"}
    base.update(extra)
    return base


@pytest.fixture
def store(tmp_path: Path) -> DecisionStore:
    with DecisionStore(tmp_path / "review" / "decisions.sqlite") as opened:
        yield opened


# -- the store ---------------------------------------------------------------------------
def test_decide_current_history(store: DecisionStore) -> None:
    first = store.decide(flag(1), "accepted", "ann")
    second = store.decide(flag(2), "emended", "bob", emendation="the", note="clear misprint")
    assert first.id < second.id and first.anchor != second.anchor
    assert first.flag_id == "f-000001" and first.witness == "A" and first.reading == "teh1"
    assert first.created.endswith("Z")
    current = store.current()
    assert set(current) == {first.anchor, second.anchor}
    assert current[second.anchor].emendation == "the"
    assert current[second.anchor].note == "clear misprint"
    assert [d.id for d in store.history()] == [first.id, second.id]
    assert store.history(first.anchor) == [first]


def test_append_only_overruled_decision_stays(store: DecisionStore) -> None:
    accepted = store.decide(flag(1), "accepted", "ann")
    rejected = store.decide(flag(1), "rejected", "bob", note="the reading is right")
    assert store.current() == {accepted.anchor: rejected}
    assert store.history(accepted.anchor) == [accepted, rejected]
    db = sqlite3.connect(store.path)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("UPDATE decisions SET status = 'accepted'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("DELETE FROM decisions")
    db.close()
    assert store.count() == 2


def test_store_settings_and_schema_version(store: DecisionStore) -> None:
    store.decide(flag(1), "accepted", "ann")
    db = sqlite3.connect(store.path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("SELECT version FROM schema_version").fetchall() == [(1,)]
    db.close()
    assert store._db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert store._db.execute("PRAGMA busy_timeout").fetchone()[0] >= 1000
    assert store.integrity_check() == "ok"
    # reopening keeps everything and does not add a second version row
    with DecisionStore(store.path) as again:
        assert again.count() == 1
    assert store._db.execute("SELECT count(*) FROM schema_version").fetchone()[0] == 1


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "d.sqlite"
    DecisionStore(path).close()
    db = sqlite3.connect(path)
    db.execute("INSERT INTO schema_version VALUES (99)")
    db.commit()
    db.close()
    with pytest.raises(InputError, match="schema version 99"):
        DecisionStore(path)


def test_not_a_database_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "d.sqlite"
    path.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(InputError):
        DecisionStore(path)


@pytest.mark.parametrize(("status", "reviewer", "emendation", "message"), [
    ("approved", "ann", None, "unknown decision status"),
    ("accepted", "", None, "needs a reviewer"),
    ("accepted", "   ", None, "needs a reviewer"),
    ("emended", "ann", None, "needs the emended text"),
    ("emended", "ann", "  ", "needs the emended text"),
    ("accepted", "ann", "the", "only with 'emended'"),
])
def test_validation(store: DecisionStore, status: str, reviewer: str, emendation: str | None,
                    message: str) -> None:
    with pytest.raises(UsageError, match=message):
        store.decide(flag(1), status, reviewer, emendation=emendation)
    assert store.count() == 0


def test_export_import_roundtrip_and_duplicates(tmp_path: Path, store: DecisionStore) -> None:
    store.decide(flag(1), "accepted", "ann")
    store.decide(flag(1), "rejected", "bob")
    store.decide(flag(2), "emended", "ann", emendation="thé ✓", note="unicode")
    export = tmp_path / "decisions.jsonl"
    assert store.export(export) == 3
    lines = export.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 3 and json.loads(lines[2])["emendation"] == "thé ✓"

    with DecisionStore(tmp_path / "other.sqlite") as other:
        assert other.import_(export) == (3, 0)
        assert other.import_(export) == (0, 3)  # exact duplicates are skipped
        assert [d.content() for d in other.history()] == [d.content() for d in store.history()]
        assert other.current().keys() == store.current().keys()
    assert store.import_(export) == (0, 3)


@pytest.mark.parametrize(("line", "why"), [
    ("not json", "not JSON"),
    ("[1, 2]", "not a JSON object"),
    ('{"anchor": "a1:x", "status": "accepted", "created": "2024-01-01T00:00:00Z"}',
     "'reviewer'"),
    ('{"anchor": "a1:x", "status": "maybe", "reviewer": "a", "created": "2024-01-01T00:00:00Z"}',
     "unknown decision status"),
    ('{"anchor": "a1:x", "status": "accepted", "reviewer": "a", "created": "yesterday"}',
     "ISO date-time"),
])
def test_import_bad_line_names_it_and_imports_nothing(tmp_path: Path, store: DecisionStore,
                                                      line: str, why: str) -> None:
    good = store.decide(flag(1), "accepted", "ann")
    export = tmp_path / "d.jsonl"
    store.export(export)
    export.write_text(export.read_text() + "\n" + line + "\n", encoding="utf-8")
    with DecisionStore(tmp_path / "fresh.sqlite") as fresh:
        with pytest.raises(InputError, match=f"line 3: .*{why}") as info:
            fresh.import_(export)
        assert "d.jsonl" in str(info.value)
        assert fresh.count() == 0  # all or nothing
    assert store.history() == [good]


def test_import_missing_file(tmp_path: Path, store: DecisionStore) -> None:
    with pytest.raises(InputError, match="no such decisions file"):
        store.import_(tmp_path / "nope.jsonl")


# -- crash and concurrency ---------------------------------------------------------------
_WRITER = textwrap.dedent("""
    import sys
    from edition.review import DecisionStore
    path, name, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    store = DecisionStore(path)
    sys.stdin.readline()  # wait for "go" so the writers start together
    for n in range(count):
        flag = {"id": f"f-{name}-{n}", "witness": name, "reading": f"r{n}",
                "context": f"some words [r{n}] around it", "line": n}
        decision = store.decide(flag, "accepted" if n % 2 else "rejected", name,
                                note=f"{name} {n}")
        print(decision.id, flush=True)  # acknowledged: committed and synced
""")


def _writer(path: Path, name: str, count: int) -> subprocess.Popen[str]:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.Popen([sys.executable, "-c", _WRITER, str(path), name, str(count)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)


@pytest.mark.parametrize("kill_points", [(3, 40, 150)])
def test_acknowledged_decisions_survive_sigkill(tmp_path: Path,
                                                kill_points: tuple[int, ...]) -> None:
    path = tmp_path / "decisions.sqlite"
    acknowledged: set[int] = set()
    for round_, kill_after in enumerate(kill_points):
        child = _writer(path, f"w{round_}", 100_000)
        assert child.stdin is not None and child.stdout is not None
        child.stdin.write("go\n")
        child.stdin.flush()
        for _ in range(kill_after):
            line = child.stdout.readline()
            assert line, child.stderr.read() if child.stderr else ""
            acknowledged.add(int(line))
        os.kill(child.pid, signal.SIGKILL)  # mid-burst: the child never stops on its own
        rest, _ = child.communicate()
        acknowledged.update(int(x) for x in rest.split())  # acknowledged before it died
        assert child.returncode == -signal.SIGKILL
        with DecisionStore(path) as store:  # a restart after the crash
            present = {d.id for d in store.history()}
            assert acknowledged <= present, sorted(acknowledged - present)[:5]
            assert store.integrity_check() == "ok"
        db = sqlite3.connect(path)
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        db.close()
    assert len(acknowledged) >= sum(kill_points)


def test_two_processes_write_at_once(tmp_path: Path) -> None:
    path = tmp_path / "decisions.sqlite"
    writers = [_writer(path, name, 200) for name in ("ann", "bob")]
    for child in writers:  # both are open and waiting; release them together
        assert child.stdin is not None
        child.stdin.write("go\n")
        child.stdin.flush()
    acknowledged: set[int] = set()
    for child in writers:
        out, errors = child.communicate(timeout=120)
        assert child.returncode == 0, errors
        ids = [int(x) for x in out.split()]
        assert len(ids) == 200
        acknowledged.update(ids)
    assert len(acknowledged) == 400
    with DecisionStore(path) as store:
        history = store.history()
        assert len(history) == 400 and {d.id for d in history} == acknowledged
        assert {d.reviewer for d in history} == {"ann", "bob"}
        assert sum(d.reviewer == "ann" for d in history) == 200
        assert len(store.current()) == 400  # every decision on its own passage
        assert store.integrity_check() == "ok"


# -- anchors -----------------------------------------------------------------------------
def test_anchor_is_content_not_position() -> None:
    a = flag(1)
    moved = dict(a, id="f-999999", line=500, source="renamed.txt", confidence=0.2)
    assert anchor(a) == anchor(moved)
    spaced = dict(a, context="  once upon a  time\n[teh1]   king of the castle had ")
    assert anchor(spaced) == anchor(a)  # whitespace folded
    assert anchor(dict(a, witness="B")) != anchor(a)
    assert anchor(dict(a, reading="tehh1")) != anchor(a)
    assert anchor(dict(a, context="other words [teh1] here")) != anchor(a)


def test_identical_flags_get_distinct_anchors() -> None:
    twice = [flag(1, id="f-b", line=90, reading="of of", context="of of"),
             flag(1, id="f-a", line=10, reading="of of", context="of of")]
    keys = anchors(twice)
    assert len(set(keys.values())) == 2
    assert keys["f-a"] == anchor(twice[0])  # the first in source order has the plain anchor
    assert keys["f-b"].endswith("~1")


def test_match_exact_fuzzy_orphan_superseded(store: DecisionStore) -> None:
    flags = [flag(n) for n in range(4)]
    keys = anchors(flags)
    for f in flags:
        store.decide(f, "accepted", "ann", anchor=keys[f["id"]])
    edited = [
        dict(flags[0], id="f-new0", line=99),  # moved: exact
        dict(flags[1], id="f-new1", context="once upon a tyme [teh1] king of the castle had"),
        dict(flags[2], id="f-new2", context="entirely different words [teh2] now"),  # orphan
        # flags[3] deleted: orphan
    ]
    applied, orphans = match(store.current(), edited)
    assert applied["f-new0"].flag_id == "f-000000"
    assert applied["f-new1"].flag_id == "f-000001"  # fuzzy
    assert "f-new2" not in applied
    assert [d.flag_id for d in orphans] == ["f-000002", "f-000003"]

    # deciding the fuzzily matched flag again: the new decision applies, the old one is
    # superseded (history), not reported as an orphan
    newer = store.decide(edited[1], "rejected", "bob", anchor=anchors(edited)["f-new1"])
    applied, orphans = match(store.current(), edited)
    assert applied["f-new1"] == newer
    assert [d.flag_id for d in orphans] == ["f-000002", "f-000003"]


# -- the real corpus ---------------------------------------------------------------------
def _two_flags_with_context(flags: list[dict[str, Any]]) -> list[dict[str, Any]]:
    chosen = [f for f in flags
              if "[" in f["context"] and len(f["context"].split()) >= 7
              and not f["context"].startswith("[") and f["reading"].strip()]
    assert len(chosen) >= 2, "the corpus build should have flags with context words"
    return chosen[:2]


def _edit_far_word(context: str) -> str:
    """Change the word farthest from the [reading] (first or last) to a new word."""
    words = context.split(" ")
    index = 0 if context.index("[") > len(context) // 2 else len(words) - 1
    assert "[" not in words[index] and "]" not in words[index]
    words[index] = words[index] + "x"
    return " ".join(words)


@pytest.mark.corpus
def test_reanchoring_on_the_corpus(corpus_build: Any, tmp_path: Path) -> None:
    flags = load_flags(corpus_build.out)
    assert all(f["anchor"] for f in flags)
    assert len({f["anchor"] for f in flags}) == len(flags)
    first, second = _two_flags_with_context(flags)
    with DecisionStore(tmp_path / "d.sqlite") as store:
        store.decide(first, "accepted", "ann", note="obvious")
        store.decide(second, "emended", "bob", emendation="EMENDED")
        state = review_state(flags, store)
        assert state.applied[first["id"]].status == "accepted"
        assert state.applied[second["id"]].emendation == "EMENDED"
        assert state.orphans == []

        # the source was edited: both flags moved and got new ids, and a word of their
        # context far from the reading changed
        edited = []
        for f in flags:
            g = {k: v for k, v in f.items() if k != "anchor"}
            if f["id"] in (first["id"], second["id"]):
                g.update(id=f["id"] + "-v2", line=f["line"] + 7,
                         context=_edit_far_word(f["context"]))
            edited.append(g)
        state = review_state(edited, store)
        assert state.applied[first["id"] + "-v2"].flag_id == first["id"]
        assert state.applied[second["id"] + "-v2"].status == "emended"
        assert state.orphans == []
        assert sum(1 for f in edited if state.status(f) != "open") == 2

        # the second passage was deleted from the source: its decision is an orphan
        gone = [f for f in edited if f["id"] != second["id"] + "-v2"]
        state = review_state(gone, store)
        assert state.applied[first["id"] + "-v2"].flag_id == first["id"]
        assert [d.flag_id for d in state.orphans] == [second["id"]]
        assert store.count() == 2  # nothing dropped


# -- CLI ---------------------------------------------------------------------------------
def _cli() -> click.Group:
    # the settings of the real group: click caches each command's help option the first
    # time it is asked for, so a group without `-h` would take it from later tests
    from edition.cli import main

    return click.Group("edition", commands={c.name: c for c in COMMANDS},
                       context_settings=main.context_settings)


def run(*args: str, env: dict[str, str] | None = None) -> Any:
    return CliRunner().invoke(_cli(), list(args), prog_name="edition",
                              catch_exceptions=False, env=env)


@pytest.fixture
def build_copy(corpus_build: Any, tmp_path: Path) -> Path:
    out = tmp_path / "output"
    shutil.copytree(corpus_build.out / "report", out / "report")
    return out


@pytest.mark.corpus
def test_cli_flags_decide_export_import(build_copy: Path, tmp_path: Path) -> None:
    out = str(build_copy)
    flags = load_flags(build_copy)
    listed = run("flags", "-o", out, "--json")
    assert listed.exit_code == 0, listed.stderr
    rows = [json.loads(line) for line in listed.stdout.splitlines()]
    assert len(rows) == len(flags) and {r["review"] for r in rows} == {"open"}

    target, other = flags[0]["id"], flags[1]["id"]
    result = run("decide", target, "--accept", "--note", "fine", "-o", out,
                 env={"EDITION_REVIEWER": "ann"})
    assert result.exit_code == 0, result.stderr
    assert f"{target}: accepted by ann" in result.stderr
    result = run("decide", other, "--emend", "better text", "--reviewer", "bob", "-o", out)
    assert result.exit_code == 0, result.stderr
    assert default_path(build_copy).is_file()

    accepted = run("flags", "-o", out, "--status", "accepted", "--json")
    assert [json.loads(x)["id"] for x in accepted.stdout.splitlines()] == [target]
    emended = [json.loads(x) for x in run("flags", "-o", out, "--status", "emended",
                                          "--json").stdout.splitlines()]
    assert emended[0]["decision"]["emendation"] == "better text"
    assert emended[0]["decision"]["reviewer"] == "bob"
    opened = run("flags", "-o", out, "--status", "open", "--json")
    assert len(opened.stdout.splitlines()) == len(flags) - 2

    cause = flags[0]["cause"]
    by_cause = run("flags", "-o", out, "--cause", cause, "--witness", flags[0]["witness"])
    assert by_cause.exit_code == 0 and target in by_cause.stdout
    assert "accepted" in by_cause.stdout
    assert f"of {len(flags)} flags shown" in by_cause.stderr

    export = tmp_path / "decisions.jsonl"
    result = run("decisions", "export", str(export), "-o", out)
    assert result.exit_code == 0, result.stderr
    assert len(export.read_text().splitlines()) == 2
    other_store = tmp_path / "elsewhere.sqlite"
    result = run("decisions", "import", str(export), "-o", out, "--store", str(other_store))
    assert result.exit_code == 0 and "imported 2 decisions" in result.stderr
    again = run("decisions", "import", str(export), "-o", out, "--store", str(other_store))
    assert "imported 0 decisions" in again.stderr and "2 already present" in again.stderr


@pytest.mark.corpus
def test_cli_errors(build_copy: Path, tmp_path: Path) -> None:
    out = str(build_copy)
    target = load_flags(build_copy)[0]["id"]
    unknown = run("decide", "f-nosuch", "--accept", "--reviewer", "ann", "-o", out)
    assert unknown.exit_code == 2 and "no flag 'f-nosuch'" in unknown.stderr
    assert "Traceback" not in unknown.stderr
    both = run("decide", target, "--accept", "--reject", "--reviewer", "ann", "-o", out)
    assert both.exit_code == 2 and "exactly one" in both.stderr
    neither = run("decide", target, "--reviewer", "ann", "-o", out)
    assert neither.exit_code == 2
    nobody = run("decide", target, "--accept", "--reviewer", " ", "-o", out)
    assert nobody.exit_code == 2 and "reviewer" in nobody.stderr
    no_build = run("flags", "-o", str(tmp_path / "nothing"))
    assert no_build.exit_code == 2 and "edition build" in no_build.stderr
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{oops\n", encoding="utf-8")
    imported = run("decisions", "import", str(bad), "-o", out)
    assert imported.exit_code == 3 and "line 1" in imported.stderr
    no_store = run("decisions", "export", str(tmp_path / "x.jsonl"), "-o", str(tmp_path))
    assert no_store.exit_code == 2
    if default_path(build_copy).exists():  # failed commands recorded nothing
        with DecisionStore(default_path(build_copy)) as store:
            assert store.count() == 0
