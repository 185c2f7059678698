"""The review app's logic, apart from HTTP: the build's flags, the store, the session.

`ReviewApp` answers what the JSON API asks (filtered flags, progress, one flag, decide,
undo, bulk) and validates every input, raising `ApiError` (an HTTP status and a message)
for what it refuses. It also holds the session's CSRF token and the Host names the server
accepts, which `edition.review.app` checks on every request.
"""

from __future__ import annotations

import html
import re
import secrets
import threading
from pathlib import Path
from typing import Any

from ..errors import UsageError
from .state import load_flags, review_state
from .store import STATUSES, DecisionStore

MAX_TEXT = 2000
REVIEW_STATUSES = ("open", *STATUSES)
FLAG_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")


class ApiError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class ReviewApp:
    """The state behind the server: the build's flags, the store, the session's token."""

    def __init__(self, output: Path, store: DecisionStore, reviewer: str = "") -> None:
        self.output = Path(output)
        self.store = store
        self.reviewer = reviewer.strip()
        self.token = secrets.token_urlsafe(32)
        self.flags = load_flags(self.output)
        self.by_id = {f["id"]: f for f in self.flags}
        self.work_links = self._work_links()
        self.allowed_hosts: set[str] = set()
        self.lock = threading.Lock()  # undo reads then writes: one at a time

    @property
    def html_root(self) -> Path:
        """The build's HTML, resolved on every use: a build switches output/html to its new
        generation (`edition/output.py`), and the one resolved at start would be gone."""
        return (self.output / "html").resolve()

    def bind(self, host: str, port: int) -> None:
        names = {"127.0.0.1", "localhost", host, f"[{host}]" if ":" in host else host}
        self.allowed_hosts = {f"{name}:{port}".lower() for name in names}

    def _work_links(self) -> dict[str, str]:
        """flag id -> its place in the work (synoptic) view, as flags.html links it."""
        page = self.html_root / "flags.html"
        try:
            text = page.read_text(encoding="utf-8")
        except OSError:
            return {}
        links = {}
        for row in re.finditer(r'<tr id="([\w-]+)"[^>]*>(.*?)</tr>', text, re.DOTALL):
            found = re.search(r'href="(works/[\w.-]+\.html(?:#[\w-]+)?)"', row.group(2))
            if found:
                links[row.group(1)] = html.unescape(found.group(1))
        return links

    # -- views of the data ---------------------------------------------------------
    def state(self) -> Any:
        return review_state(self.flags, self.store)

    def flag_json(self, flag: dict[str, Any], state: Any) -> dict[str, Any]:
        decision = state.applied.get(flag["id"])
        row = {k: v for k, v in flag.items() if k not in ("status", "decision")}
        row["review"] = state.status(flag)
        row["decision"] = decision.to_json() if decision is not None else None
        links: dict[str, Any] = {}
        if self.html_root.is_dir():
            wit = flag.get("witness")
            links["witness"] = f"/edition/witnesses/{wit}.html#L{flag.get('line', '')}"
            if flag["id"] in self.work_links:
                links["work"] = "/edition/" + self.work_links[flag["id"]]
            links["against"] = {a.get("witness"): f"/edition/witnesses/{a.get('witness')}.html"
                                for a in flag.get("against") or [] if a.get("witness")}
            links["flags"] = f"/edition/flags.html#{flag['id']}"
        row["links"] = links
        return row

    def progress(self, state: Any) -> dict[str, int]:
        counts = dict.fromkeys(REVIEW_STATUSES, 0)
        for flag in self.flags:
            counts[state.status(flag)] += 1
        counts["total"] = len(self.flags)
        counts["decided"] = counts["total"] - counts["open"]
        return counts

    def select(self, state: Any, query: dict[str, Any]) -> list[dict[str, Any]]:
        status, cause, witness = query.get("status"), query.get("cause"), query.get("witness")
        if status is not None and status not in (*REVIEW_STATUSES, "decided"):
            raise ApiError(400, f"unknown status {status!r}: use one of "
                                f"{', '.join(REVIEW_STATUSES)} or decided")
        chosen = []
        for flag in self.flags:
            review = state.status(flag)
            if status == "decided" and review == "open":
                continue
            if status not in (None, "decided") and review != status:
                continue
            if cause is not None and flag.get("cause") != cause:
                continue
            if witness is not None and flag.get("witness") != witness:
                continue
            chosen.append(flag)
        chosen.sort(key=lambda f: (-float(f.get("confidence") or 0), str(f.get("cause")),
                                   str(f.get("witness")), int(f.get("line") or 0), f["id"]))
        return chosen

    def flag(self, flag_id: str) -> dict[str, Any]:
        if not FLAG_ID.match(flag_id) or flag_id not in self.by_id:
            raise ApiError(404, f"no flag {flag_id!r} in this build")
        return self.by_id[flag_id]

    # -- decisions -------------------------------------------------------------------
    def decide(self, flag: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
        status = _text(body, "status", required=True)
        if status not in STATUSES:
            raise ApiError(400, f"unknown status {status!r}: use one of {', '.join(STATUSES)}")
        reviewer = _text(body, "reviewer") or self.reviewer
        if not reviewer:
            raise ApiError(400, "a decision needs a reviewer")
        emendation = _text(body, "emendation")
        try:
            decision = self.store.decide(flag, status, reviewer, emendation=emendation,
                                         note=_text(body, "note"))
        except UsageError as exc:
            raise ApiError(400, str(exc).split("\n")[0]) from exc
        return decision.to_json()

    def undo(self, flag: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
        """Record the flag's previous decision again (history is never deleted)."""
        reviewer = _text(body, "reviewer") or self.reviewer
        if not reviewer:
            raise ApiError(400, "a decision needs a reviewer")
        with self.lock:
            history = self.store.history(flag["anchor"])
            if len(history) < 2:
                raise ApiError(409, "nothing to undo: a flag's first decision cannot be "
                                    "taken back (decide it again instead)")
            current, previous = history[-1], history[-2]
            note = f"undo of #{current.id} (restores #{previous.id})"
            decision = self.store.decide(flag, previous.status, reviewer,
                                         emendation=previous.emendation, note=note)
        return decision.to_json()

    def bulk(self, body: dict[str, Any], preview: bool) -> tuple[int, dict[str, Any]]:
        filt = body.get("filter")
        if not isinstance(filt, dict) or not filt:
            raise ApiError(400, "a bulk decision needs a non-empty 'filter' object "
                                "(cause, witness, status)")
        unknown = set(filt) - {"cause", "witness", "status"}
        if unknown:
            raise ApiError(400, f"unknown filter key(s): {', '.join(sorted(unknown))}")
        query = {k: _text(filt, k) for k in filt}
        query.setdefault("status", "open")
        status = _text(body, "status", required=True)
        if status not in ("accepted", "rejected"):
            raise ApiError(400, "a bulk decision is 'accepted' or 'rejected' (emend one by one)")
        chosen = self.select(self.state(), query)
        summary = [{k: f.get(k) for k in ("id", "witness", "line", "cause", "reading",
                                          "suggestion", "confidence")} for f in chosen]
        if preview:
            return 200, {"preview": True, "status": status, "count": len(chosen),
                         "flags": summary}
        if not (_text(body, "reviewer") or self.reviewer):
            raise ApiError(400, "a decision needs a reviewer")
        decisions = [self.decide(flag, {**body, "emendation": None}) for flag in chosen]
        return 201, {"preview": False, "status": status, "count": len(decisions),
                     "decisions": decisions}


def _text(obj: dict[str, Any], key: str, required: bool = False) -> str | None:
    value = obj.get(key)
    if value is None:
        if required:
            raise ApiError(400, f"missing {key!r}")
        return None
    if not isinstance(value, str):
        raise ApiError(400, f"{key!r} must be a string")
    if len(value) > MAX_TEXT or "\x00" in value:
        raise ApiError(400, f"{key!r} is too long or holds a NUL character")
    return value
