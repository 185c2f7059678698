"""Validate TEI files: tei_all for every file, our customisation and Schematron for our own.

Files this project wrote (teiHeader//appInfo/application[@ident='edition']) are checked against
tei/edition.rng, which includes tei_all and only narrows it (so passing it implies passing
tei_all), and against the XPath-1 rules of tei/edition.sch. Other TEI files get tei_all only.
Compiling tei_all takes seconds, so each schema is compiled at most once per process. One bad
file never stops the others: it becomes a `Problem`, not an exception.
"""

from __future__ import annotations

import os
import re
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from lxml import etree, isoschematron

from .. import resources
from ..errors import InputError, SchemaError, UnsafeXMLError, UsageError
from ..tei import NS, TEI_NS, parse_xml

ENV_SCHEMA = "EDITION_TEI_SCHEMA"
RNG_NS = "http://relaxng.org/ns/structure/1.0"
SVRL_NS = {"svrl": "http://purl.oclc.org/dsdl/svrl"}
SCHEMA_HINT = (
    "point --schema or the environment variable EDITION_TEI_SCHEMA at a local copy of "
    "tei_all.rng (TEI P5 4.12.0); nothing is ever downloaded"
)
_TEI_ROOTS = frozenset({f"{{{TEI_NS}}}TEI", f"{{{TEI_NS}}}teiCorpus"})
_IS_OURS = etree.XPath(
    "boolean(/*/tei:teiHeader//tei:encodingDesc/tei:appInfo/tei:application[@ident='edition'])",
    namespaces=NS,
)
_WARNING_ROLES = frozenset({"warning", "warn", "info", "information"})
_ADVICE = {
    "cert": "write a decimal from 0 to 1, e.g. cert=\"0.85\" (not high, medium, low or unknown)",
    "type": "use type=\"substantive\" or type=\"orthographic\"",
}


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


# --- schemas: found once, compiled once -------------------------------------------------------

_LOCK = threading.RLock()  # compiled validators keep per-call state: one user at a time
_COMPILED: dict[tuple[str, ...], Any] = {}
_COMPILES: Counter[str] = Counter()


def compile_counts() -> dict[str, int]:
    """How many times each schema was compiled in this process; every value should be 1."""
    return dict(_COMPILES)


def tei_all_path(schema: Path | None = None) -> Path:
    """The tei_all.rng to use: `schema`, else $EDITION_TEI_SCHEMA, else the vendored copy."""
    if schema is not None:
        return _readable(Path(schema), "the schema given with --schema")
    if os.environ.get(ENV_SCHEMA):
        return _readable(Path(os.environ[ENV_SCHEMA]), f"the schema named by ${ENV_SCHEMA}")
    vendored = _asset("tei_all.rng")
    if vendored is None:
        raise SchemaError("the vendored tei/tei_all.rng is missing", hint=SCHEMA_HINT)
    return vendored


def _readable(path: Path, what: str) -> Path:
    path = path.expanduser().resolve()
    if not path.is_file() or not os.access(path, os.R_OK):
        raise SchemaError(f"{what}, {path}, does not exist or cannot be read", hint=SCHEMA_HINT)
    return path


def _asset(name: str) -> Path | None:
    """A file of tei/, from the installed package or, failing that, from this checkout."""
    try:
        found = resources.schema_asset(name)
        if isinstance(found, Path):
            return found.resolve()
    except (SchemaError, ModuleNotFoundError):
        pass
    local = Path(__file__).resolve().parents[2] / "tei" / name
    return local if local.is_file() else None


def _required_asset(name: str) -> Path:
    if (found := _asset(name)) is None:
        raise SchemaError(f"the project's schema file tei/{name} is missing",
                          hint="reinstall the project or run from a complete checkout")
    return found


def _cached(key: tuple[str, ...], build: Callable[[], Any]) -> Any:
    with _LOCK:
        if key not in _COMPILED:
            _COMPILED[key] = build()
            _COMPILES[" + ".join(key)] += 1
        return _COMPILED[key]


def _load_schema(path: Path) -> etree._ElementTree:
    """Parse a schema with the safe parser and refuse includes that would reach the network."""
    try:
        tree = parse_xml(path.read_bytes(), path)
    except (OSError, InputError) as exc:
        raise SchemaError(f"cannot load the schema {path}: {exc}", hint=SCHEMA_HINT) from exc
    tree.docinfo.URL = path.as_uri()  # relative includes resolve beside the schema
    for ref in tree.iter(f"{{{RNG_NS}}}include", f"{{{RNG_NS}}}externalRef"):
        if re.match(r"(?i)(https?|ftp):", ref.get("href", "")):
            raise SchemaError(f"{path} includes {ref.get('href')}; remote schemas are never "
                              "fetched", hint=SCHEMA_HINT)
    return tree


def _compile_relaxng(tree: etree._ElementTree, path: Path) -> etree.RelaxNG:
    try:
        return etree.RelaxNG(tree)
    except etree.RelaxNGParseError as exc:
        raise SchemaError(f"cannot compile the RelaxNG schema {path}: {exc}",
                          hint=SCHEMA_HINT) from exc


def _tei_all(tei_all: Path) -> etree.RelaxNG:
    return _cached(("relaxng", str(tei_all)),
                   lambda: _compile_relaxng(_load_schema(tei_all), tei_all))


def _customisation(tei_all: Path) -> etree.RelaxNG:
    """edition.rng, its include pointed at the chosen tei_all (vendored or --schema)."""
    rng = _required_asset("edition.rng")

    def build() -> etree.RelaxNG:
        tree = _load_schema(rng)
        for include in tree.iter(f"{{{RNG_NS}}}include"):
            if include.get("href") == "tei_all.rng":
                include.set("href", tei_all.as_uri())
        return _compile_relaxng(tree, rng)

    return _cached(("relaxng", str(tei_all), str(rng)), build)


def _schematron() -> isoschematron.Schematron:
    sch = _required_asset("edition.sch")

    def build() -> isoschematron.Schematron:
        try:
            return isoschematron.Schematron(_load_schema(sch), store_report=True)
        except (etree.SchematronParseError, etree.XSLTError) as exc:
            raise SchemaError(f"cannot compile the Schematron rules {sch}: {exc}") from exc

    return _cached(("schematron", str(sch)), build)


@cache
def cause_vocabulary() -> tuple[str, ...]:
    """The closed @cause vocabulary, read from edition.rng (its single source of truth)."""
    tree = _load_schema(_required_asset("edition.rng"))
    values = tree.xpath("//r:define[@name='edition.cause']//r:value/text()",
                        namespaces={"r": RNG_NS})
    return tuple(str(v).strip() for v in values)


# --- validation -------------------------------------------------------------------------------


def validate_paths(
    paths: Sequence[Path], *, schema: Path | None = None, project_rules: bool | None = None
) -> ValidationReport:
    """Validate files and folders (every *.xml below, sorted); bad files become Problems."""
    files = _collect(paths)
    tei_all = tei_all_path(schema)  # a missing schema is a usage problem: say so before work
    return ValidationReport(tuple(_validate_file(f, tei_all, project_rules) for f in files))


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
        return (_not_tei(path, root),)
    ours = _IS_OURS(tree) if project_rules is None else project_rules
    tei_all = tei_all_path(schema)
    if ours:
        problems = _relaxng_problems(_customisation(tei_all), tree, path, ours=True)
        problems += _schematron_problems(_schematron(), tree, path)
    else:
        problems = _relaxng_problems(_tei_all(tei_all), tree, path, ours=False)
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


def _validate_file(path: Path, tei_all: Path, project_rules: bool | None) -> FileResult:
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
    except InputError as exc:
        return FileResult(path, (_xml_problem(path, data, exc),), False)
    if tree.getroot().tag not in _TEI_ROOTS:
        return FileResult(path, (_not_tei(path, tree.getroot()),), False)
    ours = bool(_IS_OURS(tree)) if project_rules is None else project_rules
    return FileResult(path, validate_tree(tree, path, schema=tei_all, project_rules=ours), ours)


def _xml_problem(path: Path, data: bytes, exc: InputError) -> Problem:
    """Turn a parse refusal into one Problem, with a line number where one can be found."""
    message = str(exc.args[0]) if exc.args else str(exc)
    line = 0
    if isinstance(exc, UnsafeXMLError):
        at = min((i for i in (data.find(b"<!ENTITY"), data.find(b"<!DOCTYPE")) if i >= 0),
                 default=-1)
        line = data.count(b"\n", 0, at) + 1 if at >= 0 else 0
    elif match := re.search(r"\(line (\d+)\)", message):
        line = int(match.group(1))
    column = int(col.group(1)) if (col := re.search(r"column (\d+)", message)) else 0
    if dup := re.search(r"ID (\S+) already defined", message):
        message = f'xml:id="{dup.group(1)}" is used twice; give each element its own xml:id'
    if exc.hint:
        message = f"{message}; {exc.hint}"
    return Problem(path, line, column, "error", message, "xml")


def _not_tei(path: Path, root: etree._Element) -> Problem:
    qname = etree.QName(root)
    if qname.localname in {"TEI", "teiCorpus"}:
        message = (f"the root element <{qname.localname}> is not in the TEI namespace; add "
                   f'xmlns="{TEI_NS}" to it')
    else:
        where = f" (namespace {qname.namespace})" if qname.namespace else ""
        message = (f"this is not a TEI file: the root element is <{qname.localname}>{where}, "
                   f'not <TEI xmlns="{TEI_NS}"> or <teiCorpus>; validate TEI P5 files only')
    return Problem(path, root.sourceline or 0, 0, "error", message, "xml")


def _relaxng_problems(
    rng: etree.RelaxNG, tree: etree._ElementTree, path: Path, *, ours: bool
) -> list[Problem]:
    with _LOCK:
        if rng.validate(tree):
            return []
        entries = [(e.line, e.column, e.message) for e in rng.error_log]
    problems: list[Problem] = []
    seen: set[tuple[int, str]] = set()
    for line, column, raw in entries:
        line, message = _readable_rng(raw, tree, line or 0, ours)
        if (line, message) not in seen:  # libxml2 repeats cascading messages verbatim
            seen.add((line, message))
            problems.append(Problem(path, line, column or 0, "error", message, "relaxng"))
    return problems


_RNG_ADVICE = (
    (r"Did not expect element (\S+) there",
     "remove <{0}>, or move it where the TEI Guidelines allow it"),
    (r"Did not expect text in element (\S+) content",
     "wrap the text in an element such as <p>, or remove it"),
    (r"Expecting element (\S+), got (\S+)", "add <{0}> before <{1}>, or move <{1}>"),
    (r"Element (\S+) failed to validate attributes",
     "<{0}> lacks a required attribute or has one not allowed; compare it with the Guidelines"),
    (r"Element (\S+) has extra content: (\S+)", "remove <{1}> from <{0}> or move it"),
)


def _readable_rng(raw: str, tree: etree._ElementTree, line: int, ours: bool) -> tuple[int, str]:
    """Strip the TEI namespace noise, find a missing line, and say what to change."""
    message = raw.replace(f"{{{TEI_NS}}}", "").strip()
    named = re.search(r"[Ee]lement (\w[\w.-]*)", message)
    if line == 0 and named:  # libxml2 sometimes loses the line: use the element's, if unique
        same = list(tree.iter(f"{{{TEI_NS}}}{named.group(1)}"))
        line = (same[0].sourceline or 0) if len(same) == 1 else 0
    if attr_match := re.fullmatch(r"Invalid attribute (\S+) for element (\S+)", message):
        return line, _bad_attribute(*attr_match.groups(), tree, line, ours)
    if message.startswith("Expecting an element , got nothing"):
        first = next((el for el in tree.iter(etree.Element) if el.sourceline == line), None)
        name = f"<{etree.QName(first).localname}>" if first is not None else "the element"
        return line, (f"{name} on this line lacks a required element, or has one repeated or out "
                      "of place; compare its content with the TEI Guidelines")
    for pattern, advice in _RNG_ADVICE:
        if found := re.fullmatch(pattern, message):
            return line, f"{message}; {advice.format(*found.groups())}"
    return line, message


def _bad_attribute(attr: str, element: str, tree: etree._ElementTree, line: int,
                   ours: bool) -> str:
    value = next((el.get(attr) for el in tree.iter(f"{{{TEI_NS}}}{element}")
                  if el.sourceline == line and el.get(attr) is not None), None)
    shown = f'{attr}="{value}"' if value is not None else f"@{attr}"
    if ours and attr == "cause":
        advice = "use one of: " + " ".join(cause_vocabulary())
    elif ours and attr in _ADVICE:
        advice = _ADVICE[attr]
    else:
        advice = "correct the value or remove the attribute (see the TEI Guidelines)"
    return f"Element {element}: {shown} is not allowed here; {advice}"


def _schematron_problems(
    sch: isoschematron.Schematron, tree: etree._ElementTree, path: Path
) -> list[Problem]:
    with _LOCK:
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
