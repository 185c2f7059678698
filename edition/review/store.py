"""The decision store: an append-only SQLite history of editors' verdicts on flags.

Durability (issue 7, "Nothing lost"): WAL journal, `synchronous=FULL`, one
`BEGIN IMMEDIATE` transaction per decision, so a decision is on disk once `decide`
returns -- it survives `kill -9` and a power cut. `busy_timeout` lets several
processes (two reviewers, the web app and the CLI) write at once. Rows are never
updated or deleted (triggers refuse it): the latest decision per anchor is current,
earlier ones remain as history.

Decisions are keyed by content anchors (`edition.review.anchor`), not flag ids; the
reading of a build's flags and their matching to decisions is `edition.review.state`.
"""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..errors import InputError, OutputError, UsageError
from .anchor import anchor as content_anchor
from .anchor import fold

SCHEMA_VERSION = 1
STATUSES = ("accepted", "rejected", "emended")
BUSY_TIMEOUT_MS = 30_000

_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS decisions (
    id INTEGER PRIMARY KEY,
    anchor TEXT NOT NULL,
    flag_id TEXT,
    witness TEXT,
    reading TEXT,
    context TEXT,
    status TEXT NOT NULL CHECK (status IN {STATUSES!r}),
    emendation TEXT,
    note TEXT,
    reviewer TEXT NOT NULL CHECK (length(trim(reviewer)) > 0),
    created TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS decisions_anchor ON decisions (anchor, id);
CREATE TRIGGER IF NOT EXISTS decisions_no_update BEFORE UPDATE ON decisions
BEGIN SELECT RAISE(ABORT, 'decisions are append-only'); END;
CREATE TRIGGER IF NOT EXISTS decisions_no_delete BEFORE DELETE ON decisions
BEGIN SELECT RAISE(ABORT, 'decisions are append-only'); END;
"""

_FIELDS = ("anchor", "flag_id", "witness", "reading", "context", "status", "emendation",
           "note", "reviewer", "created")


@dataclass(frozen=True)
class Decision:
    """One editor's verdict on one flag, as recorded."""

    id: int
    anchor: str
    flag_id: str | None
    witness: str | None
    reading: str | None
    context: str | None
    status: str
    emendation: str | None
    note: str | None
    reviewer: str
    created: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def content(self) -> tuple[Any, ...]:
        """Everything but the local row id: what makes two records the same decision."""
        return tuple(getattr(self, name) for name in _FIELDS)


def default_path(output: Path) -> Path:
    """Where a build's decisions live: <output>/review/decisions.sqlite."""
    return Path(output) / "review" / "decisions.sqlite"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def validate(status: str, reviewer: str | None, emendation: str | None) -> None:
    """Raise UsageError for a decision that cannot be recorded."""
    if status not in STATUSES:
        raise UsageError(f"unknown decision status {status!r}",
                         hint=f"use one of: {', '.join(STATUSES)}")
    if not reviewer or not reviewer.strip():
        raise UsageError("a decision needs a reviewer",
                         hint="give --reviewer NAME or set $EDITION_REVIEWER")
    if status == "emended" and (emendation is None or not emendation.strip()):
        raise UsageError("an emendation needs the emended text",
                         hint="give the text with --emend TEXT")
    if status != "emended" and emendation is not None:
        raise UsageError(f"an emendation text goes only with 'emended', not {status!r}")


class DecisionStore:
    """The decisions of one edition. Cheap to open; one connection per instance.

    One instance may be shared by the threads of a web server: every operation holds
    the instance's lock. Other processes coordinate through SQLite's own locking.
    """

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, isolation_level=None, timeout=BUSY_TIMEOUT_MS
                                       / 1000, check_same_thread=False)
        except (OSError, sqlite3.Error) as exc:
            raise OutputError(f"cannot open the decision store: {exc}", path=self.path) from exc
        self._db.row_factory = sqlite3.Row
        self._lock = threading.RLock()
        self._retry(self._setup)

    # -- connection ---------------------------------------------------------------
    def _retry(self, action: Any) -> Any:
        """Run `action`, waiting out the rare lock errors busy_timeout does not cover
        (switching to WAL while another process creates the file)."""
        deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
        while True:
            try:
                with self._lock:
                    return action()
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise InputError(f"the decision store cannot be used: {exc}",
                                     path=self.path) from exc
                if time.monotonic() > deadline:
                    raise OutputError("the decision store stayed locked", path=self.path,
                                      hint="is another process holding it open?") from exc
                time.sleep(0.05)
            except sqlite3.DatabaseError as exc:
                raise InputError(f"not a usable decision store: {exc}", path=self.path,
                                 hint="restore it from a `edition decisions export` file") \
                    from exc

    def _setup(self) -> None:
        db = self._db
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        mode = db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise sqlite3.OperationalError(f"database is locked (journal mode {mode})")
        db.execute("PRAGMA synchronous = FULL")
        with self._transaction():
            # one by one: executescript would COMMIT; no ";\n" occurs inside a statement
            for statement in _SCHEMA.split(";\n"):
                if statement.strip():
                    db.execute(statement)
            row = db.execute("SELECT max(version) FROM schema_version").fetchone()
            version = row[0]
            if version is None:
                db.execute("INSERT INTO schema_version (version) VALUES (?)",
                           (SCHEMA_VERSION,))
            elif version > SCHEMA_VERSION:
                raise InputError(f"the decision store has schema version {version}; this "
                                 f"edition knows only up to {SCHEMA_VERSION}", path=self.path,
                                 hint="upgrade edition")

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
            self._db.execute("COMMIT")
        except BaseException:
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            raise

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> DecisionStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing ------------------------------------------------------------------
    def decide(self, flag: Mapping[str, Any], status: str, reviewer: str,
               emendation: str | None = None, note: str | None = None, *,
               anchor: str | None = None) -> Decision:
        """Record a decision on `flag` (a flags.jsonl object) and return it once durable.

        The anchor is `anchor`, else `flag["anchor"]`, else computed from the flag's
        content; pass the one from `anchors(all_flags)` when the build has duplicates.
        """
        validate(status, reviewer, emendation)
        if note is not None and not note.strip():
            note = None
        key = anchor or flag.get("anchor") or content_anchor(flag)
        values = (key, _opt(flag.get("id")), _opt(flag.get("witness")),
                  _opt(flag.get("reading")), _opt(flag.get("context")), status, emendation,
                  note, reviewer.strip(), _now())
        return self._retry(lambda: self._insert(values))

    def _insert(self, values: tuple[Any, ...]) -> Decision:
        with self._transaction() as db:
            cursor = db.execute(
                f"INSERT INTO decisions ({', '.join(_FIELDS)}) VALUES "
                f"({', '.join('?' * len(_FIELDS))})", values)
            rowid = cursor.lastrowid
        assert rowid is not None
        return Decision(rowid, *values)

    # -- reading ------------------------------------------------------------------
    def history(self, anchor: str | None = None) -> list[Decision]:
        """Every decision recorded (for one anchor, if given), oldest first."""
        if anchor is None:
            rows = self._retry(lambda: self._db.execute(
                "SELECT * FROM decisions ORDER BY id").fetchall())
        else:
            rows = self._retry(lambda: self._db.execute(
                "SELECT * FROM decisions WHERE anchor = ? ORDER BY id", (anchor,)).fetchall())
        return [_decision(row) for row in rows]

    def current(self) -> dict[str, Decision]:
        """anchor -> the latest decision on it."""
        rows = self._retry(lambda: self._db.execute(
            "SELECT d.* FROM decisions d JOIN (SELECT anchor, max(id) AS id FROM decisions "
            "GROUP BY anchor) latest ON d.id = latest.id ORDER BY d.id").fetchall())
        return {row["anchor"]: _decision(row) for row in rows}

    def count(self) -> int:
        return int(self._retry(lambda: self._db.execute(
            "SELECT count(*) FROM decisions").fetchone()[0]))

    def integrity_check(self) -> str:
        """'ok', or SQLite's description of what is wrong."""
        rows = self._retry(lambda: self._db.execute("PRAGMA integrity_check").fetchall())
        return "\n".join(str(row[0]) for row in rows)

    # -- exchange -----------------------------------------------------------------
    def export(self, path: Path | str) -> int:
        """Write the whole history as JSON Lines (atomically); returns the count."""
        path = Path(path)
        decisions = self.history()
        data = "".join(json.dumps(d.to_json(), ensure_ascii=False, sort_keys=True) + "\n"
                       for d in decisions)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    handle.write(data)
                    handle.flush()
                    os.fsync(handle.fileno())
                os.chmod(tmp, 0o644)
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError as exc:
            raise OutputError(f"cannot write the decisions: {exc.strerror}", path=path) from exc
        return len(decisions)

    def import_(self, path: Path | str) -> tuple[int, int]:
        """Append the decisions of a JSON Lines export; (imported, skipped duplicates).

        Every line is checked before anything is written: a bad line raises InputError
        naming it and nothing is imported. Records already present (same content,
        whatever their local id) are skipped, so importing twice changes nothing.
        """
        path = Path(path)
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError as exc:
            raise InputError("no such decisions file", path=path) from exc
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"cannot read the decisions file: {exc}", path=path) from exc
        records: list[tuple[Any, ...]] = []
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            records.append(_parse_record(line, path, number))

        def write() -> tuple[int, int]:
            with self._transaction() as db:
                present = {_decision(row).content()
                           for row in db.execute("SELECT * FROM decisions")}
                added = 0
                for values in records:
                    if values in present:
                        continue
                    db.execute(f"INSERT INTO decisions ({', '.join(_FIELDS)}) VALUES "
                               f"({', '.join('?' * len(_FIELDS))})", values)
                    present.add(values)
                    added += 1
            return added, len(records) - added

        return self._retry(write)


def _opt(value: Any) -> str | None:
    return None if value is None else str(value)


def _decision(row: sqlite3.Row) -> Decision:
    return Decision(**{key: row[key] for key in row.keys()})  # noqa: SIM118 (Row)


def _parse_record(line: str, path: Path, number: int) -> tuple[Any, ...]:
    def bad(why: str) -> InputError:
        return InputError(f"line {number}: {why}", path=path,
                          hint="each line must be one decision as `edition decisions export` "
                               "writes it")

    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        raise bad(f"not JSON ({exc.msg})") from exc
    if not isinstance(obj, dict):
        raise bad("not a JSON object")
    for name in ("anchor", "status", "reviewer", "created"):
        if not isinstance(obj.get(name), str) or not obj[name].strip():
            raise bad(f"missing or empty {name!r}")
    for name in ("flag_id", "witness", "reading", "context", "emendation", "note"):
        if obj.get(name) is not None and not isinstance(obj[name], str):
            raise bad(f"{name!r} must be a string or null")
    try:
        validate(obj["status"], obj["reviewer"], obj.get("emendation"))
    except UsageError as exc:
        raise bad(str(exc).split("\n")[0]) from exc
    try:
        datetime.fromisoformat(obj["created"].replace("Z", "+00:00"))
    except ValueError as exc:
        raise bad(f"'created' is not an ISO date-time: {obj['created']!r}") from exc
    return tuple(obj.get(name) for name in _FIELDS)


__all__ = ["STATUSES", "Decision", "DecisionStore", "default_path", "fold", "validate"]
