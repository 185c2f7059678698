"""Stage 7, validate: any TEI file, ours or anyone's, against TEI P5 and our rules.

Takes paths or parsed trees; gives `Problem`s (`file:line:col: severity: message`) from the
official `tei_all` RelaxNG and, for our own files, our customisation (`tei/edition.rng`) and
Schematron rules (`tei/edition.sch`). Never loads DTDs or external entities.
"""

from __future__ import annotations

from .validator import (
    ENV_SCHEMA,
    FileResult,
    Problem,
    ValidationReport,
    cause_vocabulary,
    compile_counts,
    tei_all_path,
    validate_paths,
    validate_tree,
)

__all__ = ["ENV_SCHEMA", "FileResult", "Problem", "ValidationReport", "cause_vocabulary",
           "compile_counts", "tei_all_path", "validate_paths", "validate_tree"]
