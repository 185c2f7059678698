"""The schemas: tei_all (given, named by $EDITION_TEI_SCHEMA, or vendored), our customisation
tei/edition.rng and the Schematron tei/edition.sch, found and compiled at most once per process.

Compiling tei_all takes seconds. A schema never reaches the network: remote includes are refused.
"""

from __future__ import annotations

import os
import re
import threading
from collections import Counter
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from lxml import etree, isoschematron

from .. import resources
from ..errors import InputError, SchemaError
from ..tei import parse_xml

ENV_SCHEMA = "EDITION_TEI_SCHEMA"
RNG_NS = "http://relaxng.org/ns/structure/1.0"
SCHEMA_HINT = (
    "point --schema or the environment variable EDITION_TEI_SCHEMA at a local copy of "
    "tei_all.rng (TEI P5 4.12.0); nothing is ever downloaded"
)

LOCK = threading.RLock()  # compiled validators keep per-call state: one user at a time
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
    with LOCK:
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


def compiled_tei_all(tei_all: Path) -> etree.RelaxNG:
    """tei_all itself, for TEI files that are not ours."""
    return _cached(("relaxng", str(tei_all)),
                   lambda: _compile_relaxng(_load_schema(tei_all), tei_all))


def compiled_customisation(tei_all: Path) -> etree.RelaxNG:
    """edition.rng, its include pointed at the chosen tei_all (vendored or --schema)."""
    rng = _required_asset("edition.rng")

    def build() -> etree.RelaxNG:
        tree = _load_schema(rng)
        for include in tree.iter(f"{{{RNG_NS}}}include"):
            if include.get("href") == "tei_all.rng":
                include.set("href", tei_all.as_uri())
        return _compile_relaxng(tree, rng)

    return _cached(("relaxng", str(tei_all), str(rng)), build)


def compiled_schematron() -> isoschematron.Schematron:
    """edition.sch, keeping its SVRL report for the caller to read."""
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

