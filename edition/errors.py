"""One error hierarchy for every stage.

Stages never print or exit: they raise one of these, and the CLI turns it into a
message and the exit code of DESIGN §5. Every message says what the user can do.
"""

from __future__ import annotations

from pathlib import Path


class EditionError(Exception):
    """Base of every error the pipeline raises on purpose."""

    exit_code = 3

    def __init__(self, message: str, *, path: Path | str | None = None, hint: str = "") -> None:
        self.path = Path(path) if path is not None else None
        self.hint = hint
        super().__init__(message)

    def __str__(self) -> str:
        text = super().__str__()
        if self.path is not None:
            text = f"{self.path}: {text}"
        if self.hint:
            text = f"{text}\n  hint: {self.hint}"
        return text


class UsageError(EditionError):
    """Wrong arguments or configuration (exit 2)."""

    exit_code = 2


class ConfigError(UsageError):
    """A malformed or inconsistent edition.toml (exit 2)."""


class InputError(EditionError):
    """A source that cannot be read or decoded: empty, binary, unreadable (exit 3)."""

    exit_code = 3


class UnsafeXMLError(InputError):
    """XML that reaches outside the file (DTDs, external entities) or expands without bound."""


class OutputError(EditionError):
    """The output cannot be written (exit 3); nothing of the new output was left behind."""

    exit_code = 3


class SchemaError(EditionError):
    """A schema that cannot be found or compiled (exit 3)."""

    exit_code = 3
