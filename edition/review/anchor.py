"""Content anchors: which flag of a (re)build a recorded decision belongs to.

A decision is keyed to what the reviewer saw -- the witness, the reading and the words
around it -- never to the flag id or the line, which move whenever a source is edited.

- `anchor(flag)`: the stable key of one flag (witness, reading, context; whitespace
  folded, Unicode NFC).
- `anchors(flags)`: the keys of a whole build. Flags with identical content (the same
  doubled "of of" twice in a witness, with no wider context) get an ordinal suffix in
  source order (`~1`, `~2`, ...) so each keeps a decision of its own.
- `match(decisions, flags)`: the current decision per anchor applied to the flags:
  exact anchor first; else a fuzzy match (same witness and reading, context similar
  >= 0.8) so an edit elsewhere in the line keeps the decision; else an *orphan*, which
  is reported and never dropped. A fuzzily matched decision that was decided again
  since (the new one under the passage's new anchor) is superseded, not an orphan.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from rapidfuzz import fuzz

FUZZY_THRESHOLD = 0.8
_PREFIX = "a1:"  # bump if the normalisation changes


def fold(text: str | None) -> str:
    """Whitespace folded to single spaces, trimmed, Unicode NFC."""
    return " ".join(unicodedata.normalize("NFC", text or "").split())


def _content(flag: Mapping[str, Any]) -> tuple[str, str, str]:
    return (fold(str(flag.get("witness", ""))), fold(str(flag.get("reading", ""))),
            fold(str(flag.get("context", ""))))


def anchor(flag: Mapping[str, Any], occurrence: int = 0) -> str:
    """The content key of a flag; `occurrence` > 0 for the n-th identical one."""
    key = json.dumps(_content(flag), ensure_ascii=False, separators=(",", ":"))
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:20]
    return f"{_PREFIX}{digest}" + (f"~{occurrence}" if occurrence else "")


def anchors(flags: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """flag id -> anchor for every flag of a build, duplicates told apart in source order."""
    ordered = sorted(flags, key=lambda f: (str(f.get("source", "")), _int(f.get("line")),
                                           str(f.get("cause", "")), str(f.get("id", ""))))
    seen: dict[str, int] = {}
    result: dict[str, str] = {}
    for flag in ordered:
        base = anchor(flag)
        n = seen.get(base, 0)
        seen[base] = n + 1
        result[str(flag["id"])] = anchor(flag, n)
    return result


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


class Anchored(Protocol):
    """What `match` needs of a decision (the store's `Decision` has it)."""

    id: int
    anchor: str
    witness: str
    reading: str
    context: str


def similarity(a: str, b: str) -> float:
    """0..1 similarity of two folded contexts."""
    a, b = fold(a), fold(b)
    if a == b:
        return 1.0
    return fuzz.ratio(a, b) / 100.0


def match(decisions: Iterable[Any], flags: Iterable[Mapping[str, Any]],
          threshold: float = FUZZY_THRESHOLD) -> tuple[dict[str, Any], list[Any]]:
    """Apply decisions to flags: (flag id -> decision, orphaned decisions).

    `decisions` may be a whole history or `DecisionStore.current()` (a mapping or a
    list); only the latest decision (highest id) per anchor counts. Each flag takes
    at most one decision and each decision at most one flag. Orphans come back in
    decision order.
    """
    if isinstance(decisions, Mapping):
        decisions = decisions.values()
    latest: dict[str, Any] = {}
    for decision in sorted(decisions, key=lambda d: d.id):
        latest[decision.anchor] = decision
    flags = list(flags)
    by_id = {str(f["id"]): f for f in flags}
    keys = anchors(flags)
    by_anchor = {key: fid for fid, key in keys.items()}

    applied: dict[str, Any] = {}
    pending: list[Any] = []
    for key, decision in latest.items():
        fid = by_anchor.get(key)
        if fid is not None:
            applied[fid] = decision
        else:
            pending.append(decision)

    # fuzzy: best pairs first, one to one, among flags that no decision claimed exactly
    near: list[tuple[float, int, str, Any]] = []
    for decision in pending:
        witness, reading = fold(decision.witness), fold(decision.reading)
        for fid, flag in by_id.items():
            if fold(str(flag.get("witness", ""))) != witness:
                continue
            if fold(str(flag.get("reading", ""))) != reading:
                continue
            score = similarity(decision.context, str(flag.get("context", "")))
            if score >= threshold:
                near.append((score, decision.id, fid, decision))
    near.sort(key=lambda c: (-c[0], -c[1], c[2]))
    exact = set(applied)
    taken: set[int] = set()
    for _score, did, fid, decision in near:
        if did in taken or fid in applied:
            continue
        applied[fid] = decision
        taken.add(did)
    # a decision whose passage is still there but was decided again since (the newer
    # decision recorded under the passage's new anchor) is superseded, not orphaned
    superseded = {did for _score, did, fid, _d in near
                  if did not in taken and fid in exact and applied[fid].id > did}
    orphans = sorted((d for d in pending if d.id not in taken and d.id not in superseded),
                     key=lambda d: d.id)
    return applied, orphans
