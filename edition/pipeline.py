"""The runner: composes the stages and does their I/O.

Stages are pure; this module finds the sources, assigns sigla, runs each stage, and
writes outputs only once everything has succeeded, as one new generation of the output
folder made current in one step (`output.py`), so a failed or killed run never leaves a
half-written edition behind.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .collate import Collation, collate_and_classify, collate_rules
from .config import Config
from .detect import DetectOptions, detect
from .encode import encode_edition, encode_witness, line_anchors, plan_works, serialise
from .errors import EditionError, InputError, UsageError
from .ingest import ingest_witnesses
from .model import Flag, Match, SourceFormat, Variant, Witness
from .output import transaction
from .report import (
    cleanup_rows,
    duplicate_row,
    flag_row,
    ingest_counts,
    jsonl,
    structure_rows,
    write_json,
)
from .resources import schema_asset
from .tei import parse_xml
from .tokens import ReadingToken

Progress = Callable[[str, int, int], None]  # (what, done, total)


@dataclass
class BuildResult:
    """What a build made, for the CLI's summary and exit code (and the tests)."""

    witnesses: list[Witness]
    matches: list[Match] = field(default_factory=list)
    collations: list[tuple[Match, Collation, dict[str, int]]] = field(default_factory=list)
    variants: list[Variant] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)
    regularisations: dict[str, dict[str, int]] = field(default_factory=dict)
    tokens: dict[str, list[ReadingToken]] = field(default_factory=dict)  # reading text
    decisions: dict[str, Any] = field(default_factory=dict)  # flag id -> current Decision
    orphans: list[Any] = field(default_factory=list)  # decisions whose passage is gone
    written: list[Path] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)  # files of the previous output now gone
    leftovers: int = 0  # what an interrupted build had left, removed by this one
    problems: list[str] = field(default_factory=list)  # validation errors, formatted
    warnings: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def open_flags(self) -> int:
        return sum(1 for f in self.flags if f.id not in self.decisions)

    @property
    def ok(self) -> bool:
        return not self.problems


def discover_sources(paths: Iterable[Path]) -> list[Path]:
    """Source files from files and folders (hidden files and edition.toml skipped)."""
    found: list[Path] = []
    for path in paths:
        if not path.exists():
            raise UsageError("no such file or folder", path=path)
        if path.is_dir():
            found += sorted(p for p in path.iterdir()
                            if p.is_file() and not p.name.startswith(".")
                            and p.name != "edition.toml")
        else:
            found.append(path)
    if not found:
        raise UsageError("no sources found", path=next(iter(paths), None),
                         hint="put text, HTML, PDF or TEI files in the folder, or name them")
    return found


def assign_sigla(sources: list[Path], config: Config,
                 taken: Iterable[str] = ()) -> dict[Path, str]:
    """Configured sigla first; the others get A, B, C... in file-name order (never one of
    `taken`, the sigla of the witnesses a critical edition given as a source declares)."""
    taken = {config.override_for(p.name).siglum for p in sources} - {""} | set(taken)
    sigla: dict[Path, str] = {}
    letters = _siglum_names()
    for path in sorted(sources, key=lambda p: p.name):
        configured = config.override_for(path.name).siglum
        if configured:
            sigla[path] = configured
            continue
        name = next(letters)
        while name in taken:
            name = next(letters)
        sigla[path] = name
    return sigla


def _siglum_names() -> Iterable[str]:
    import itertools
    import string

    for size in itertools.count(1):
        for letters in itertools.product(string.ascii_uppercase, repeat=size):
            yield "".join(letters)


def ingest_all(sources: list[Path], config: Config,
               progress: Progress | None = None) -> list[Witness]:
    """Ingest every source; all unreadable sources are reported together.

    A source of several witnesses (a TEI critical edition) gives them the sigla it declares,
    where no configured siglum has them; the other sources then get theirs (`assign_sigla`).
    A file a TEI source includes (`xi:include`) is a part of it, not a source of its own.
    """
    taken = {config.override_for(p.name).siglum for p in sources} - {""}
    found: list[tuple[Path, list[Witness]]] = []
    errors: list[tuple[Path, EditionError]] = []
    for n, path in enumerate(sources, 1):
        if progress:
            progress(f"ingest {path.name}", n - 1, len(sources))
        override = config.override_for(path.name)
        try:
            found.append((path, ingest_witnesses(path, override.siglum, override, taken=taken)))
        except EditionError as exc:
            errors.append((path, exc))
    if progress:
        progress("ingest", len(sources), len(sources))
    parts = _included_files(found)
    found = [(p, ws) for p, ws in found if p.resolve() not in parts]
    if kept := [e for p, e in errors if p.resolve() not in parts]:
        if len(kept) == 1:
            raise kept[0]
        raise InputError(f"{len(kept)} sources cannot be used:\n  "
                         + "\n  ".join(str(e) for e in kept))
    sigla = assign_sigla([p for p, ws in found if len(ws) == 1], config, taken)
    return [w if len(ws) > 1 else replace(w, siglum=sigla[path])
            for path, ws in found for w in ws]


def _included_files(found: list[tuple[Path, list[Witness]]]) -> set[Path]:
    """The files the sources include (the `after` of their tei-xinclude cleanups: the file,
    relative to the source's folder)."""
    return {(path.parent / c.after).resolve() for path, ws in found for c in ws[0].cleanups
            if c.rule == "tei-xinclude" and c.after}


STAGES = ("ingest", "detect", "collate", "render")
EDITION_NAME = "edition"


def output_names(witnesses: list[Witness]) -> dict[str, str]:
    """siglum -> output file stem: the source's stem, or its whole name where stems clash
    (a.txt and a.html) or the stem is the edition file's."""
    stems = Counter(w.stem for w in witnesses)
    full = Counter(w.source_name for w in witnesses)
    names = {}
    for w in witnesses:
        if stems[w.stem] == 1 and w.stem != EDITION_NAME:
            names[w.siglum] = w.stem
        elif full[w.source_name] == 1:
            names[w.siglum] = w.source_name
        else:  # the same name in two folders: the siglum tells them apart
            names[w.siglum] = f"{w.stem}-{w.siglum}"
    return names


def build(config: Config, sources: list[Path] | None = None, *, validate: bool = True,
          progress: Progress | None = None, stages: tuple[str, ...] = STAGES) -> BuildResult:
    """Run the stages in order, validate, then write every output as one new generation of
    the output folder, made current in one step (`output.py`): a build that fails or is
    killed leaves the previous output as it was, and what it left is removed by the next.
    The output folder is locked for the whole build (a second build on it is refused)."""
    timed = _Timer(progress)
    with transaction(config.output) as generation:
        result, outputs = _run(config, sources, validate, progress, stages, timed)
        generation.write(outputs)
        if "render" in stages and "collate" in stages:
            with timed("render", "render the HTML and PDF edition"):
                rendered = _render(generation.path, config.output)
                generation.write(rendered)
            outputs.update(rendered)
        result.removed = generation.commit()
        result.leftovers = generation.leftovers
    result.written.extend(outputs)
    return result


def _run(config: Config, sources: list[Path] | None, validate: bool,
         progress: Progress | None, stages: tuple[str, ...],
         timed: _Timer) -> tuple[BuildResult, dict[Path, bytes]]:
    """The stages, in memory: the build's result and every file to write but the rendered."""
    with timed("ingest"):
        paths = discover_sources(sources or [config.sources])
        detect_options = DetectOptions.from_mapping(config.options("detect"))
        witnesses = ingest_all(paths, config, progress)
    result = BuildResult(witnesses, timings=timed.timings)
    with timed("encode"):
        names = output_names(witnesses)
        documents = {names[w.siglum]: encode_witness(w, edition_title=config.title)
                     for w in witnesses}
    if validate:
        result.warnings += _invalid_tei_sources(paths, witnesses)
    result.warnings += _unused_overrides(paths, config)
    if "detect" in stages:
        with timed("detect", "detect duplicated passages"):
            result.matches = detect(witnesses, detect_options)
        if "collate" in stages:
            with timed("collate", "collate and classify"):
                _collate(result, config)
                apply_review(result, config)
        documents[EDITION_NAME] = _edition(result, documents, names, config,
                                           collated="collate" in stages)
    if validate:
        with timed("validate"):
            result.problems = _validate(documents, config.output / "tei", progress)
    return result, _outputs(result, documents, config.output, stages)


class _Timer:
    """`with timed(stage, what)`: report progress, then time the stage into `timings`."""

    def __init__(self, progress: Progress | None) -> None:
        self.progress = progress
        self.timings: dict[str, float] = {}

    @contextmanager
    def __call__(self, stage: str, what: str | None = None) -> Iterator[None]:
        if what and self.progress:
            self.progress(what, 0, 1)
        start = time.perf_counter()
        yield
        self.timings[stage] = time.perf_counter() - start


def _invalid_tei_sources(paths: list[Path], witnesses: list[Witness]) -> list[str]:
    """TEI sources are used even when invalid against tei_all; each error is a warning."""
    tei_names = {w.source_name for w in witnesses if w.source_format is SourceFormat.TEI}
    tei_sources = [p for p in dict.fromkeys(paths) if p.name in tei_names]
    if not tei_sources:
        return []
    from .validate import validate_paths

    return [f"TEI source not valid against tei_all (used anyway): {problem.format()}"
            for problem in validate_paths(tei_sources, project_rules=False).problems
            if problem.severity == "error"]


def _unused_overrides(paths: list[Path], config: Config) -> list[str]:
    named = {p.name for p in paths}
    return [f"edition.toml: [witness.\"{name}\"] names no source of this build (a typo, or a "
            "source not given)" for name in sorted(set(config.witnesses) - named)]


def _collate(result: BuildResult, config: Config) -> None:
    """Collate and classify (collate stage); the result's tokens, collations, variants, flags."""
    collated = collate_and_classify(
        result.witnesses, result.matches,
        collate_rules(config.options("collate"), config.path), config.base_witness)
    result.tokens, result.regularisations = collated.tokens, collated.regularisations
    result.collations, result.variants = collated.collations, collated.variants
    result.flags = collated.flags


def apply_review(result: BuildResult, config: Config) -> None:
    """The editors' decisions (output/review/decisions.sqlite), matched to this build's flags
    by content; a decision whose passage is gone is reported, never dropped."""
    from .review import DecisionStore, anchors, default_path, review_state

    path = default_path(config.output)
    if not path.exists():
        return
    sources = {w.siglum: w.source_name for w in result.witnesses}
    rows = [flag_row(f, sources) for f in result.flags]
    keys = anchors(rows)
    for row in rows:
        row["anchor"] = keys[row["id"]]
    with DecisionStore(path) as store:
        state = review_state(rows, store)
    result.decisions = dict(state.applied)
    result.orphans = list(state.orphans)
    for d in result.orphans:
        result.warnings.append(f"orphaned decision #{d.id} ({d.status} by {d.reviewer}) on "
                               f"{d.witness} '{d.reading}': its passage is no longer in the "
                               "sources (kept in the store)")


def _edition(result: BuildResult, documents: dict[str, Any], names: dict[str, str],
             config: Config, *, collated: bool) -> Any:
    """The edition TEI: the works and their apparatus (when collated), links between passages."""
    witnesses = result.witnesses
    anchors = {w.siglum: line_anchors(documents[names[w.siglum]]) for w in witnesses}
    files = {siglum: f"{name}.xml" for siglum, name in names.items()}
    works = (plan_works(witnesses, result.tokens, result.collations, result.variants,
                        result.flags, result.decisions) if collated else [])
    return encode_edition(witnesses, result.matches, anchors, files, title=config.title,
                          editor=config.editor, works=works,
                          regularisations=result.regularisations, decisions=result.decisions)


def _validate(documents: dict[str, Any], tei_dir: Path,
              progress: Progress | None) -> list[str]:
    """Every TEI document as it will be written, against tei_all and our rules: the errors."""
    from .validate import validate_tree  # the only validation entry point

    problems: list[str] = []
    for n, (stem, doc) in enumerate(documents.items(), 1):
        if progress:
            progress(f"validate {stem}", n - 1, len(documents))
        written = parse_xml(serialise(doc))  # line numbers of the file as written
        problems += [problem.format() for problem in validate_tree(written, tei_dir / f"{stem}.xml")
                     if problem.severity == "error"]
    return problems


def _outputs(result: BuildResult, documents: dict[str, Any], out: Path,
             stages: tuple[str, ...]) -> dict[Path, bytes]:
    """Every file of the build but the rendered ones: TEI, Schematron, reports."""
    witnesses = result.witnesses
    outputs = {out / "tei" / f"{stem}.xml": serialise(doc) for stem, doc in documents.items()}
    outputs[out / "tei" / "edition.sch"] = schema_asset("edition.sch").read_bytes()
    report = out / "report"
    outputs[report / "structure.jsonl"] = jsonl(structure_rows(witnesses))
    outputs[report / "cleanup.jsonl"] = jsonl(cleanup_rows(witnesses))
    sources_by = {w.siglum: w.source_name for w in witnesses}
    if "collate" in stages:
        outputs[report / "flags.jsonl"] = jsonl(
            flag_row(f, sources_by, result.decisions.get(f.id)) for f in result.flags)
    if "detect" in stages:
        outputs[report / "duplicates.jsonl"] = jsonl(
            duplicate_row(m, sources_by) for m in result.matches)
    outputs[report / "ingest.json"] = write_json({
        "witnesses": [ingest_counts(w) for w in witnesses],
        "timings_seconds": {k: round(v, 3) for k, v in result.timings.items()},
        "matches": {kind: sum(1 for m in result.matches if m.kind.value == kind)
                    for kind in ("parallel", "repeat", "quotation")},
    })
    return outputs


def _render(staged: Path, out: Path) -> dict[Path, bytes]:
    """The HTML site and the PDFs, rendered from the TEI and reports of this build as staged
    in its generation (nothing is visible in the output before the generation is made
    current, so no temporary folder is needed)."""
    from .render import load_site, pdf_files, site_files

    site = load_site(staged / "tei", staged / "report")
    html, pdfs = site_files(site), pdf_files(site)
    return {**{out / "html" / name: data for name, data in html.items()},
            **{out / "pdf" / name: data for name, data in pdfs.items()}}
