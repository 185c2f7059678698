"""The consoles and the error convention every command shares.

Only commands print. Project errors become a message and their exit code (DESIGN §5);
anything else is an internal error, exit 3; a traceback only with -v. Kept apart from
`cli` so that command modules registered on the main group (review) use the same
convention without importing `cli`.
"""

from __future__ import annotations

import functools
import sys
import traceback
from collections.abc import Callable
from typing import Any

import click
from rich.console import Console

from .errors import EditionError

err = Console(stderr=True, highlight=False, soft_wrap=True)  # paths stay on one line
out = Console(highlight=False, soft_wrap=True)


def verbosity() -> int:
    """-v count of the running command (the root context's object carries it)."""
    ctx = click.get_current_context(silent=True)
    obj = ctx.find_root().obj if ctx is not None else None
    return int(getattr(obj, "verbose", 0) or 0)


def handle_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn project errors into a message and an exit code; others into exit 3."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except EditionError as exc:
            err.print("[bold red]error:[/] ", end="")
            err.print(str(exc), markup=False)
            if verbosity():
                err.print(traceback.format_exc(), markup=False)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            err.print("interrupted", markup=False)
            sys.exit(3)
        except Exception as exc:
            err.print(f"[bold red]internal error:[/] {type(exc).__name__}: ", end="")
            err.print(str(exc), markup=False)
            if verbosity():
                err.print(traceback.format_exc(), markup=False)
            else:
                err.print("run again with -v for the traceback", markup=False)
            sys.exit(3)

    return wrapper
