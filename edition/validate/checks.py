"""Run the checks: tei_all for every TEI file, our customisation and Schematron for our own.

A file's `xi:include`s are resolved first, from local files beside it only (as ingest does).
Files this project wrote (teiHeader//appInfo/application[@ident='edition']) are checked against
tei/edition.rng, which includes tei_all and only narrows it (so passing it implies passing
tei_all), and against the XPath-1 rules of tei/edition.sch. Other TEI files get tei_all only.
One bad file never stops the others: it becomes a `Problem`, not an exception.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from lxml import etree, isoschematron

from ..errors import InputError, UsageError
from ..tei import NS, TEI_NS, parse_xml
from .messages import not_tei_problem, readable_rng_message, xml_problem
from .results import FileResult, Problem, ValidationReport
from .schemas import (
    LOCK,
    compiled_customisation,
    compiled_schematron,
    compiled_tei_all,
    tei_all_path,
)

SVRL_NS = {"svrl": "http://purl.oclc.org/dsdl/svrl"}
_TEI_ROOTS = frozenset({f"{{{TEI_NS}}}TEI", f"{{{TEI_NS}}}teiCorpus"})
_IS_OURS = etree.XPath(
    "boolean(/*/tei:teiHeader//tei:encodingDesc/tei:appInfo/tei:application[@ident='edition'])",
    namespaces=NS,
)
_WARNING_ROLES = frozenset({"warning", "warn", "info", "information"})
_XI_INCLUDES = ("{http://www.w3.org/2001/XInclude}include",
                "{http://www.w3.org/2003/XInclude}include")


def validate_paths(
    paths: Sequence[Path], *, schema: Path | None = None, project_rules: bool | None = None
) -> ValidationReport:
    """Validate files and folders (every *.xml below, sorted); bad files become Problems."""
    files = _collect(paths)
    tei_all = tei_all_path(schema)  # a missing schema is a usage problem: say so before work
    parts: set[Path] = set()  # files another file includes: validated as part of it
    results = [_validate_file(f, tei_all, project_rules, parts) for f in files]
    return ValidationReport(tuple(r for r in results if r.path.resolve() not in parts))


def validate_tree(
    tree: etree._ElementTree,
    path: Path,
    *,
    schema: Path | None = None,
    project_rules: bool | None = None,
) -> tuple[Problem, ...]:
    """Validate an in-memory tree (the pipeline's output before or after writing it)."""
    path = Path(path)
    if isinstance(tree, etree._Element):
        tree = tree.getroottree()
    root = tree.getroot()
    if root.tag not in _TEI_ROOTS:
        return (not_tei_problem(path, root),)
    ours = _IS_OURS(tree) if project_rules is None else project_rules
    tei_all = tei_all_path(schema)
    if ours:
        problems = _relaxng_problems(compiled_customisation(tei_all), tree, path, ours=True)
        problems += _schematron_problems(compiled_schematron(), tree, path)
    else:
        problems = _relaxng_problems(compiled_tei_all(tei_all), tree, path, ours=False)
    return tuple(sorted(problems, key=lambda p: (p.line, p.column)))


def _collect(paths: Sequence[Path]) -> list[Path]:
    if not paths:
        raise UsageError("no file or folder to validate", hint="name TEI files or folders")
    found: dict[Path, None] = {}
    for given in map(Path, paths):
        if given.is_dir():
            below = sorted(p for p in given.rglob("*.xml") if not p.is_dir())
            if not below:
                raise UsageError(f"the folder {given} holds no .xml file",
                                 hint="name TEI files, or a folder that contains some")
            found.update(dict.fromkeys(below))
        elif given.exists():
            found[given] = None
        else:
            raise UsageError(f"{given} does not exist", hint="check the path and try again")
    return list(found)


def _validate_file(path: Path, tei_all: Path, project_rules: bool | None,
                   parts: set[Path]) -> FileResult:
    try:
        if not path.is_file():  # a FIFO or device would block or never end
            raise OSError(0, "not a regular file")
        data = path.read_bytes()
    except OSError as exc:
        problem = Problem(path, 0, 0, "error", f"cannot read the file ({exc.strerror or exc}); "
                          "check that it is a regular file you may read", "io")
        return FileResult(path, (problem,), False)
    try:
        tree = parse_xml(data, path)
        parts.update(_resolve_includes(tree, path))
    except InputError as exc:
        return FileResult(path, (xml_problem(path, data, exc),), False)
    if tree.getroot().tag not in _TEI_ROOTS:
        return FileResult(path, (not_tei_problem(path, tree.getroot()),), False)
    ours = bool(_IS_OURS(tree)) if project_rules is None else project_rules
    return FileResult(path, validate_tree(tree, path, schema=tei_all, project_rules=ours), ours)


def _resolve_includes(tree: etree._ElementTree, path: Path) -> set[Path]:
    """The file's xi:includes replaced by the local files they name (as ingest reads them);
    the files included."""
    if not any(True for _ in tree.getroot().iter(*_XI_INCLUDES)):
        return set()
    from ..ingest.teiinclude import resolve_includes

    folder = path.resolve().parent
    return {(folder / inc.target).resolve() for inc in resolve_includes(tree, path)
            if inc.target}


def _relaxng_problems(
    rng: etree.RelaxNG, tree: etree._ElementTree, path: Path, *, ours: bool
) -> list[Problem]:
    with LOCK:
        if rng.validate(tree):
            return []
        entries = [(e.line, e.column, e.message) for e in rng.error_log]
    problems: list[Problem] = []
    seen: set[tuple[int, str]] = set()
    for line, column, raw in entries:
        line, message = readable_rng_message(raw, tree, line or 0, ours)
        if (line, message) not in seen:  # libxml2 repeats cascading messages verbatim
            seen.add((line, message))
            problems.append(Problem(path, line, column or 0, "error", message, "relaxng"))
    return problems


def _schematron_problems(
    sch: isoschematron.Schematron, tree: etree._ElementTree, path: Path
) -> list[Problem]:
    with LOCK:
        sch.validate(tree)
        report = sch.validation_report
    problems = []
    for node in report.xpath("//svrl:failed-assert | //svrl:successful-report",
                             namespaces=SVRL_NS):
        text = " ".join("".join(node.xpath("svrl:text//text()", namespaces=SVRL_NS)).split())
        severity = "warning" if node.get("role", "").lower() in _WARNING_ROLES else "error"
        line = _line_of(tree, node.get("location", ""))
        problems.append(Problem(path, line, 0, severity, text, "schematron"))
    return problems


def _line_of(tree: etree._ElementTree, location: str) -> int:
    """Map an SVRL location XPath back to the source line of the element it names."""
    try:
        hits = tree.xpath(location, namespaces=NS) if location else []
    except etree.XPathError:
        return 0
    node = hits[0] if isinstance(hits, list) and hits else None
    if isinstance(node, str) and hasattr(node, "getparent"):  # an attribute: use its element
        node = node.getparent()
    return getattr(node, "sourceline", None) or 0
