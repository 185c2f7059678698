"""Stage 7, validate: any TEI file, ours or anyone's, against TEI P5 and our rules.

Takes paths or parsed trees; gives `Problem`s (`file:line:col: severity: message`) from the
official `tei_all` RelaxNG and, for our own files, our customisation (`tei/edition.rng`) and
Schematron rules (`tei/edition.sch`). Never loads DTDs or external entities.

`results` holds what a run gives, `schemas` finds and compiles the schemas once per process,
`checks` runs them on files and trees, and `messages` words what they find.
"""

from __future__ import annotations

from .checks import validate_paths, validate_tree
from .results import FileResult, Problem, ValidationReport
from .schemas import ENV_SCHEMA, cause_vocabulary, compile_counts, tei_all_path

__all__ = ["ENV_SCHEMA", "FileResult", "Problem", "ValidationReport", "cause_vocabulary",
           "compile_counts", "tei_all_path", "validate_paths", "validate_tree"]
