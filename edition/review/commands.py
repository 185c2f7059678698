"""CLI for reviewing flags: `edition flags`, `decide`, `decisions`, `review` (web app).

Registered on the main group by `edition.cli` (`main.add_command(...)`); it shares the
consoles and the error convention of `edition.console` and imports nothing from `cli`
(cli imports it). As everywhere in edition, only the command prints; errors are
`edition.errors` exceptions turned into an exit code.
"""

from __future__ import annotations

import getpass
import json
import os
import sys
from pathlib import Path
from typing import Any

import click

from ..console import err, out
from ..console import handle_errors as _handle_errors
from ..errors import UsageError

_OUTPUT_HELP = "The build's output folder (default: output, or [edition] output)."
_STORE_HELP = "The decision store (default: OUTPUT/review/decisions.sqlite)."


def _quiet() -> bool:
    ctx = click.get_current_context(silent=True)
    obj = ctx.find_root().obj if ctx is not None else None
    return bool(getattr(obj, "quiet", False))



def _output(output: Path | None) -> Path:
    if output is not None:
        return output
    ctx = click.get_current_context()
    obj = ctx.find_root().obj
    if hasattr(obj, "config"):
        return Path(obj.config().output)
    from ..config import load_config

    return Path(load_config(None).output)


def _store_path(output: Path, store: Path | None) -> Path:
    from .store import default_path

    return store if store is not None else default_path(output)


def _open_store(path: Path) -> Any:
    from .store import DecisionStore

    return DecisionStore(path)


def default_reviewer() -> str:
    """$EDITION_REVIEWER, else the login name, else ''."""
    name = os.environ.get("EDITION_REVIEWER", "").strip()
    if name:
        return name
    try:
        return getpass.getuser().strip()
    except (OSError, KeyError):  # no login name (some containers)
        return ""


def _short(text: Any, width: int = 40) -> str:
    text = " ".join(str(text or "").split())
    return text if len(text) <= width else text[: width - 1] + "…"


# -- edition flags ---------------------------------------------------------------------
@click.command("flags")
@click.option("--status", type=click.Choice(["open", "accepted", "rejected", "emended"]),
              help="Only flags with this review status.")
@click.option("--cause", help="Only flags of this cause (ocr, junk, dittography, ...).")
@click.option("--witness", help="Only flags in the witness with this siglum.")
@click.option("--json", "as_json", is_flag=True,
              help="JSON Lines instead of a table: each flag as in flags.jsonl, plus `review` "
                   "(open|accepted|rejected|emended) and `decision` (the current one, or null).")
@click.option("-o", "--output", type=click.Path(path_type=Path), help=_OUTPUT_HELP)
@click.option("--store", type=click.Path(path_type=Path), help=_STORE_HELP)
@_handle_errors
def flags_command(status: str | None, cause: str | None, witness: str | None, as_json: bool,
                  output: Path | None, store: Path | None) -> None:
    """List the flags of a build with their review status (open or the current decision)."""
    from rich.table import Table

    from .state import load_flags, review_state

    folder = _output(output)
    flags = load_flags(folder)
    with _open_store(_store_path(folder, store)) as decisions:
        state = review_state(flags, decisions)
    shown = [f for f in flags
             if (status is None or state.status(f) == status)
             and (cause is None or f.get("cause") == cause)
             and (witness is None or f.get("witness") == witness)]
    if as_json:
        for flag in shown:
            decision = state.applied.get(flag["id"])
            row = dict(flag, review=state.status(flag),
                       decision=decision.to_json() if decision is not None else None)
            click.echo(json.dumps(row, ensure_ascii=False, sort_keys=True))
    else:
        table = Table(show_edge=False, pad_edge=False)
        table.add_column("id", no_wrap=True, min_width=8)
        table.add_column("wit:line", no_wrap=True)
        table.add_column("cause", no_wrap=True)
        table.add_column("conf", justify="right", no_wrap=True)
        table.add_column("reading", ratio=3, min_width=12)
        table.add_column("suggestion", ratio=1, min_width=8)
        table.add_column("review", ratio=1, min_width=8)
        for flag in shown:
            decision = state.applied.get(flag["id"])
            review = state.status(flag)
            if decision is not None:
                if decision.status == "emended":
                    review = f"emended: {_short(decision.emendation, 20)}"
                review = f"{review} ({decision.reviewer})"
            table.add_row(flag["id"], f"{flag.get('witness', '')}:{flag.get('line', '')}",
                          str(flag.get("cause", "")), f"{flag.get('confidence', '')}",
                          _short(flag.get("reading")), _short(flag.get("suggestion"), 20),
                          review)
        if shown:
            out.print(table)
    if not _quiet():
        counts: dict[str, int] = {}
        for flag in flags:
            counts[state.status(flag)] = counts.get(state.status(flag), 0) + 1
        summary = ", ".join(f"{counts.get(s, 0)} {s}"
                            for s in ("open", "accepted", "rejected", "emended"))
        err.print(f"{len(shown)} of {len(flags)} flags shown ({summary})", markup=False)
    for orphan in state.orphans:
        err.print(f"warning: orphaned decision #{orphan.id} ({orphan.status} by "
                  f"{orphan.reviewer}, {orphan.created}): its passage is gone from "
                  f"witness {orphan.witness}: {_short(orphan.context or orphan.reading, 60)!r}",
                  markup=False)
    sys.exit(0)


# -- edition decide ---------------------------------------------------------------------
@click.command("decide")
@click.argument("flag_id")
@click.option("--accept", "accept", is_flag=True, help="Accept the flag's correction.")
@click.option("--reject", "reject", is_flag=True, help="Reject the flag: the reading stands.")
@click.option("--emend", "emend", metavar="TEXT", help="Emend the reading to TEXT.")
@click.option("--note", help="A note kept with the decision.")
@click.option("--reviewer", help="Who decides (default: $EDITION_REVIEWER, else the login "
                                 "name).")
@click.option("-o", "--output", type=click.Path(path_type=Path), help=_OUTPUT_HELP)
@click.option("--store", type=click.Path(path_type=Path), help=_STORE_HELP)
@_handle_errors
def decide_command(flag_id: str, accept: bool, reject: bool, emend: str | None,
                   note: str | None, reviewer: str | None, output: Path | None,
                   store: Path | None) -> None:
    """Record a decision on flag FLAG_ID of the current build (see `edition flags`)."""
    from .state import load_flags

    chosen = [name for name, on in (("--accept", accept), ("--reject", reject),
                                    ("--emend", emend is not None)) if on]
    if len(chosen) != 1:
        raise UsageError("give exactly one of --accept, --reject, --emend TEXT"
                         + (f" (got {' and '.join(chosen)})" if chosen else ""))
    status = "accepted" if accept else "rejected" if reject else "emended"
    who = reviewer if reviewer is not None else default_reviewer()
    if not who.strip():
        raise UsageError("a decision needs a reviewer",
                         hint="give --reviewer NAME or set $EDITION_REVIEWER")
    folder = _output(output)
    flags = load_flags(folder)
    flag = next((f for f in flags if f["id"] == flag_id), None)
    if flag is None:
        raise UsageError(f"no flag {flag_id!r} in this build", path=folder / "report",
                         hint="list the flags with `edition flags`; ids change when a "
                              "source changes")
    with _open_store(_store_path(folder, store)) as decisions:
        decision = decisions.decide(flag, status, who, emendation=emend, note=note)
    if not _quiet():
        what = f"emended to {decision.emendation!r}" if status == "emended" else status
        err.print(f"{flag_id}: {what} by {decision.reviewer} (decision #{decision.id})",
                  markup=False)
    sys.exit(0)


# -- edition decisions export|import -------------------------------------------------------
@click.group("decisions")
def decisions_group() -> None:
    """Export or import the review decisions (JSON Lines, the whole history)."""


@decisions_group.command("export")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), help=_OUTPUT_HELP)
@click.option("--store", type=click.Path(path_type=Path), help=_STORE_HELP)
@_handle_errors
def export_command(file: Path, output: Path | None, store: Path | None) -> None:
    """Write every decision ever recorded to FILE (JSON Lines)."""
    path = _store_path(_output(output), store)
    if not path.exists():
        raise UsageError("no decisions recorded yet", path=path,
                         hint="record some with `edition decide` or give --store")
    with _open_store(path) as decisions:
        count = decisions.export(file)
    if not _quiet():
        err.print(f"wrote {count} decisions to {file}", markup=False)
    sys.exit(0)


@decisions_group.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), help=_OUTPUT_HELP)
@click.option("--store", type=click.Path(path_type=Path), help=_STORE_HELP)
@_handle_errors
def import_command(file: Path, output: Path | None, store: Path | None) -> None:
    """Append the decisions in FILE (JSON Lines) to the history; duplicates are skipped."""
    with _open_store(_store_path(_output(output), store)) as decisions:
        added, skipped = decisions.import_(file)
    if not _quiet():
        err.print(f"imported {added} decisions from {file} ({skipped} already present)",
                  markup=False)
    sys.exit(0)


# -- edition review ------------------------------------------------------------------------
@click.command("review")
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True,
              help="The port to listen on (0 picks a free one).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="The interface to listen on; only this machine by default.")
@click.option("--reviewer", help="Who decides (default: $EDITION_REVIEWER, else the login "
                                 "name); the page lets each reviewer change it.")
@click.option("-o", "--output", type=click.Path(path_type=Path), help=_OUTPUT_HELP)
@click.option("--store", type=click.Path(path_type=Path), help=_STORE_HELP)
@_handle_errors
def review_command(port: int, host: str, reviewer: str | None, output: Path | None,
                   store: Path | None) -> None:
    """Review the flags of a build in a local web app (and its JSON API) until Ctrl-C."""
    from .app import address, make_server

    folder = _output(output)
    who = reviewer if reviewer is not None else default_reviewer()
    with _open_store(_store_path(folder, store)) as decisions:
        server = make_server(folder, decisions, host=host, port=port, reviewer=who)
        app = server.app  # type: ignore[attr-defined]
        click.echo(f"Reviewing {len(app.flags)} flags of {folder} at {address(server)}")
        if host not in ("127.0.0.1", "localhost", "::1"):
            err.print(f"warning: listening on {host}: other machines can reach this app",
                      markup=False)
        if not _quiet():
            err.print("press Ctrl-C to stop", markup=False)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
    sys.exit(0)


COMMANDS = (flags_command, decide_command, decisions_group, review_command)
