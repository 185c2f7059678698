"""Machine-readable reports: JSON Lines and JSON, deterministic (sorted keys, UTF-8)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any


def jsonl(rows: Iterable[dict[str, Any]]) -> bytes:
    """One JSON object per line; empty input gives an empty file."""
    return "".join(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n"
                   for row in rows).encode("utf-8")


def write_json(data: Any) -> bytes:
    return (json.dumps(data, ensure_ascii=False, sort_keys=True, indent=2) + "\n").encode("utf-8")
