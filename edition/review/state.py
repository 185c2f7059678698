"""The flags of a build and the decisions that apply to them.

`load_flags` reads the build's report/flags.jsonl and anchors each flag by content;
`review_state` matches the store's current decisions to those flags (`ReviewState`),
setting aside as orphans the decisions whose passage is gone.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import InputError, UsageError
from .anchor import anchors, match
from .store import Decision, DecisionStore


def flags_path(output: Path) -> Path:
    return Path(output) / "report" / "flags.jsonl"


def load_flags(output: Path) -> list[dict[str, Any]]:
    """The flags of the build in `output` (report/flags.jsonl), each with its `anchor`.

    No build -> UsageError (run `edition build` first); a malformed line -> InputError.
    """
    path = flags_path(output)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise UsageError("no flags to review: this folder holds no build", path=path,
                         hint="run `edition build` first, or give the build's folder "
                              "with -o") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the flags: {exc}", path=path) from exc
    flags: list[dict[str, Any]] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            flag = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"line {number}: not JSON ({exc.msg})", path=path,
                             hint="rebuild with `edition build`") from exc
        if not isinstance(flag, dict) or not isinstance(flag.get("id"), str):
            raise InputError(f"line {number}: not a flag (no 'id')", path=path,
                             hint="rebuild with `edition build`")
        flags.append(flag)
    keys = anchors(flags)
    for flag in flags:
        flag["anchor"] = keys[flag["id"]]
    return flags


@dataclass(frozen=True)
class ReviewState:
    """The flags of a build with the decisions that apply to them."""

    flags: list[dict[str, Any]]
    applied: dict[str, Decision]  # flag id -> current decision
    orphans: list[Decision]  # current decisions whose passage is gone

    def status(self, flag: Mapping[str, Any]) -> str:
        decision = self.applied.get(str(flag["id"]))
        return decision.status if decision is not None else "open"


def review_state(flags: list[dict[str, Any]], store: DecisionStore) -> ReviewState:
    applied, orphans = match(store.current(), flags)
    return ReviewState(flags, applied, orphans)


__all__ = ["ReviewState", "flags_path", "load_flags", "review_state"]
