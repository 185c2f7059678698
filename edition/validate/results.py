"""What validation gives: a `Problem` per finding, a `FileResult` per file, a `ValidationReport`
for a run, and the text each prints (`file:line:col: severity: message`, the summary line)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One finding in one file, located as precisely as the validator allows."""

    path: Path
    line: int  # 0 if unknown
    column: int  # 0 if unknown
    severity: str  # "error" | "warning"
    message: str
    source: str  # "xml" | "relaxng" | "schematron" | "io"

    def format(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.severity}: {self.message}"


@dataclass(frozen=True)
class FileResult:
    """The problems of one file; `project_file` says whether our own rules were applied."""

    path: Path
    problems: tuple[Problem, ...]
    project_file: bool

    @property
    def ok(self) -> bool:
        return not any(p.severity == "error" for p in self.problems)


@dataclass(frozen=True)
class ValidationReport:
    files: tuple[FileResult, ...]

    @property
    def ok(self) -> bool:
        return all(f.ok for f in self.files)

    @property
    def problems(self) -> tuple[Problem, ...]:
        return tuple(p for f in self.files for p in f.problems)

    def summary(self) -> str:
        valid = sum(f.ok for f in self.files)
        errors = sum(p.severity == "error" for p in self.problems)
        warnings = len(self.problems) - errors
        n = len(self.files)
        return (f"{n} file{'' if n == 1 else 's'}: {valid} valid, {n - valid} invalid "
                f"({errors} error{'' if errors == 1 else 's'}, "
                f"{warnings} warning{'' if warnings == 1 else 's'})")

