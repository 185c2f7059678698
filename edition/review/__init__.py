"""Review of flagged corruptions: decisions anchored to content, kept for good.

`store` holds the append-only SQLite history, `anchor` ties decisions to flags by
content, `state` reads a build's flags and matches the decisions to them, `commands`
has the CLI (`edition flags`, `decide`, `decisions`), `api` and `app` the local web app.
"""

from __future__ import annotations

from .anchor import anchor, anchors, match
from .state import load_flags, review_state
from .store import STATUSES, Decision, DecisionStore, default_path

__all__ = ["STATUSES", "Decision", "DecisionStore", "anchor", "anchors", "default_path",
           "load_flags", "match", "review_state"]
