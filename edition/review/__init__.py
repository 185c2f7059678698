"""Review of flagged corruptions: decisions anchored to content, kept for good.

`store` holds the append-only SQLite history, `anchor` ties decisions to flags by
content, `commands` has the CLI (`edition flags`, `decide`, `decisions`).
"""

from __future__ import annotations

from .anchor import anchor, anchors, match
from .store import STATUSES, Decision, DecisionStore, default_path, load_flags, review_state

__all__ = ["STATUSES", "Decision", "DecisionStore", "anchor", "anchors", "default_path",
           "load_flags", "match", "review_state"]
