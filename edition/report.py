"""Machine-readable reports: their rows (DESIGN §5) as JSON Lines and JSON, deterministic
(sorted keys, UTF-8).

Each stage gives its results as model objects; the rows of output/report/ are made here, in
one place, so the fields that others depend on are defined once.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from typing import Any

from .model import BlockKind, Flag, Furniture, Gap, Match, PageBreak, Witness


def jsonl(rows: Iterable[dict[str, Any]]) -> bytes:
    """One JSON object per line; empty input gives an empty file."""
    return "".join(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n"
                   for row in rows).encode("utf-8")


def write_json(data: Any) -> bytes:
    return (json.dumps(data, ensure_ascii=False, sort_keys=True, indent=2) + "\n").encode("utf-8")


def flag_row(f: Flag, sources: dict[str, str], decision: Any = None) -> dict:
    """One row of flags.jsonl (DESIGN §5 fields first); status from the editors' decision."""
    row = _flag_fields(f, sources)
    if decision is not None:
        row["status"] = decision.status
        row["decision"] = {"id": decision.id, "status": decision.status,
                           "reviewer": decision.reviewer, "emendation": decision.emendation,
                           "note": decision.note, "created": decision.created}
    return row


def _flag_fields(f: Flag, sources: dict[str, str]) -> dict:
    return {
        "id": f.id, "witness": f.siglum, "source": sources[f.siglum], "line": f.line,
        "reading": f.reading, "suggestion": f.suggestion, "cause": str(f.cause),
        "type": f.type, "confidence": f.confidence,
        "against": [{"witness": s, "reading": r} for s, r in f.against],
        "status": "open", "evidence": f.evidence, "variant": f.variant, "context": f.context,
    }


def duplicate_row(m: Match, sources: dict[str, str]) -> dict:
    """One row of duplicates.jsonl (DESIGN §5 fields first)."""

    def side(span) -> dict:
        return {"source": sources[span.siglum], "witness": span.siglum,
                "start_line": span.start_line, "end_line": span.end_line, "words": span.words}

    return {
        "id": m.id, "kind": m.kind.value, "a": side(m.a), "b": side(m.b),
        "similarity": m.similarity, "subkind": m.subkind,
        "corruption_likelihood": m.likelihood, "why": m.why, "first_words": m.first_words,
        "holes": [{"witness": h.siglum, "source": sources[h.siglum], "line": h.at_line,
                   "words_missing": h.words, "other_start_line": h.other_start_line,
                   "other_end_line": h.other_end_line} for h in m.holes],
    }


def structure_rows(witnesses: list[Witness]) -> Iterable[dict]:
    """Rows of structure.jsonl: each witness's structural anomalies."""
    for w in witnesses:
        for n, a in enumerate(w.anomalies, 1):
            yield {"id": f"{w.siglum}-a{n}", "witness": w.siglum, "source": w.source_name,
                   "line": a.line, "kind": a.kind, "cause": a.cause, "message": a.message,
                   "evidence": a.evidence}


def cleanup_rows(witnesses: list[Witness]) -> Iterable[dict]:
    """Rows of cleanup.jsonl: every automatic change ingest made, with its rule."""
    for w in witnesses:
        for n, c in enumerate(w.cleanups, 1):
            yield {"id": f"{w.siglum}-c{n}", "witness": w.siglum, "source": w.source_name,
                   "line": c.line, "rule": c.rule, "action": c.action, "detail": c.detail,
                   "before": c.before, "after": c.after}


def ingest_counts(w: Witness) -> dict[str, object]:
    """Per-source counts for the note and the build summary."""
    kinds = Counter(b.kind for b in w.blocks)
    inline = Counter(type(item).__name__ for b in w.blocks for item in b.items)
    actions = Counter(c.action for c in w.cleanups)
    return {
        "siglum": w.siglum,
        "source": w.source_name,
        "format": str(w.source_format),
        "lines": len(w.lines),
        "divisions": kinds[BlockKind.HEAD],
        "paragraphs": kinds[BlockKind.P] + kinds[BlockKind.QUOTE],
        "block_quotes": kinds[BlockKind.QUOTE],
        "notes": kinds[BlockKind.NOTE],
        "boilerplate": kinds[BlockKind.BOILERPLATE],
        "fw": kinds[BlockKind.FURNITURE] + inline[Furniture.__name__],
        "pb": kinds[BlockKind.PAGE_BREAK] + inline[PageBreak.__name__],
        "gaps": kinds[BlockKind.GAP] + inline[Gap.__name__],
        "table_rows": kinds[BlockKind.TABLE_ROW],
        "joins": actions["joined"],
        "splits": actions["split"],
        "removals": actions["removed"],
        "moved_to_header": actions["moved"],
        "repairs": actions["repaired"],
        "anomalies": len(w.anomalies),
        "metadata": {f.name: f.value for f in w.metadata},
    }
