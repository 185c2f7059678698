"""The runner: composes the stages and does their I/O.

Stages are pure; this module finds the sources, assigns sigla, runs each stage, and
writes outputs only once everything has succeeded, each file atomically, so a failed
run never leaves a half-written edition behind.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import classify
from .apparatus import plan_works
from .collate import Collation, collate
from .config import Config
from .detect import DetectOptions, detect
from .encode import encode_witness, serialise
from .encode_edition import encode_edition, line_anchors
from .errors import ConfigError, EditionError, InputError, UsageError
from .ingest import ingest_source
from .lexicon import Lexicon
from .model import (
    BlockKind,
    Flag,
    Furniture,
    Gap,
    Match,
    MatchKind,
    PageBreak,
    SourceFormat,
    Variant,
    Witness,
)
from .report import jsonl, write_json
from .resources import schema_asset
from .tei import parse_xml, write_all_atomic
from .tokens import DEFAULT_RULES, ReadingToken, check_rules, reading_tokens, regularisations

Progress = Callable[[str, int, int], None]  # (what, done, total)


@dataclass
class BuildResult:
    witnesses: list[Witness]
    matches: list[Match] = field(default_factory=list)
    collations: list[tuple[Match, Collation, dict[str, int]]] = field(default_factory=list)
    variants: list[Variant] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)
    regularisations: dict[str, dict[str, int]] = field(default_factory=dict)
    tokens: dict[str, list[ReadingToken]] = field(default_factory=dict)  # reading text
    decisions: dict[str, Any] = field(default_factory=dict)  # flag id -> current Decision
    orphans: list[Any] = field(default_factory=list)  # decisions whose passage is gone

    @property
    def open_flags(self) -> int:
        return sum(1 for f in self.flags if f.id not in self.decisions)
    written: list[Path] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # validation errors, formatted
    warnings: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

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


def assign_sigla(sources: list[Path], config: Config) -> dict[Path, str]:
    """Configured sigla first; the others get A, B, C... in file-name order."""
    taken = {config.override_for(p.name).siglum for p in sources} - {""}
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
    """Ingest every source; all unreadable sources are reported together."""
    sigla = assign_sigla(sources, config)
    witnesses: list[Witness] = []
    errors: list[EditionError] = []
    for n, path in enumerate(sources, 1):
        if progress:
            progress(f"ingest {path.name}", n - 1, len(sources))
        try:
            witnesses.append(ingest_source(path, sigla[path], config.override_for(path.name)))
        except EditionError as exc:
            errors.append(exc)
    if progress:
        progress("ingest", len(sources), len(sources))
    if errors:
        if len(errors) == 1:
            raise errors[0]
        raise InputError(f"{len(errors)} sources cannot be used:\n  "
                         + "\n  ".join(str(e) for e in errors))
    return witnesses


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
    """Run the stages, encode and validate; then write all outputs at once."""
    timings: dict[str, float] = {}
    start = time.perf_counter()
    paths = discover_sources(sources or [config.sources])
    detect_options = DetectOptions.from_mapping(config.options("detect"))
    witnesses = ingest_all(paths, config, progress)
    timings["ingest"] = time.perf_counter() - start
    start = time.perf_counter()
    names = output_names(witnesses)
    documents = {names[w.siglum]: encode_witness(w, edition_title=config.title)
                 for w in witnesses}
    timings["encode"] = time.perf_counter() - start
    result = BuildResult(witnesses, timings=timings)
    tei_sources = [p for p, w in zip(paths, witnesses, strict=True)
                   if w.source_format is SourceFormat.TEI]
    if tei_sources and validate:
        from .validate import validate_paths

        for problem in validate_paths(tei_sources, project_rules=False).problems:
            if problem.severity == "error":
                result.warnings.append(f"TEI source not valid against tei_all (used anyway): "
                                       f"{problem.format()}")
    named = {p.name for p in paths}
    for name in sorted(set(config.witnesses) - named):
        result.warnings.append(f"edition.toml: [witness.\"{name}\"] names no source of this "
                               "build (a typo, or a source not given)")
    if "detect" in stages:
        if progress:
            progress("detect duplicated passages", 0, 1)
        start = time.perf_counter()
        result.matches = detect(witnesses, detect_options)
        timings["detect"] = time.perf_counter() - start
        if "collate" in stages:
            if progress:
                progress("collate and classify", 0, 1)
            start = time.perf_counter()
            collate_and_classify(result, config)
            apply_review(result, config)
            timings["collate"] = time.perf_counter() - start
        anchors = {w.siglum: line_anchors(documents[names[w.siglum]]) for w in witnesses}
        files = {siglum: f"{name}.xml" for siglum, name in names.items()}
        works = []
        if "collate" in stages:
            works = plan_works(witnesses, result.tokens, result.collations, result.variants,
                               result.flags, result.decisions)
        documents[EDITION_NAME] = encode_edition(witnesses, result.matches, anchors, files,
                                                 title=config.title, editor=config.editor,
                                                 works=works,
                                                 regularisations=result.regularisations,
                                                 decisions=result.decisions)
    if validate:
        from .validate import validate_tree  # the only validation entry point

        start = time.perf_counter()
        tei_dir = config.output / "tei"
        for n, (stem, doc) in enumerate(documents.items(), 1):
            if progress:
                progress(f"validate {stem}", n - 1, len(documents))
            written = parse_xml(serialise(doc))  # line numbers of the file as written
            for problem in validate_tree(written, tei_dir / f"{stem}.xml"):
                if problem.severity == "error":
                    result.problems.append(problem.format())
        timings["validate"] = time.perf_counter() - start
    outputs: dict[Path, bytes] = {}
    for stem, doc in documents.items():
        outputs[config.output / "tei" / f"{stem}.xml"] = serialise(doc)
    outputs[config.output / "tei" / "edition.sch"] = schema_asset("edition.sch").read_bytes()
    report = config.output / "report"
    outputs[report / "structure.jsonl"] = jsonl(_structure_rows(witnesses))
    outputs[report / "cleanup.jsonl"] = jsonl(_cleanup_rows(witnesses))
    if "collate" in stages:
        sources_by = {w.siglum: w.source_name for w in witnesses}
        outputs[report / "flags.jsonl"] = jsonl(
            flag_row(f, sources_by, result.decisions.get(f.id)) for f in result.flags)
    if "detect" in stages:
        sources_by = {w.siglum: w.source_name for w in witnesses}
        outputs[report / "duplicates.jsonl"] = jsonl(
            duplicate_row(m, sources_by) for m in result.matches)
    outputs[report / "ingest.json"] = write_json({
        "witnesses": [ingest_counts(w) for w in witnesses],
        "timings_seconds": {k: round(v, 3) for k, v in timings.items()},
        "matches": {kind: sum(1 for m in result.matches if m.kind.value == kind)
                    for kind in ("parallel", "repeat", "quotation")},
    })
    if "render" in stages and "collate" in stages:
        if progress:
            progress("render the HTML and PDF edition", 0, 1)
        start = time.perf_counter()
        outputs.update(_render(outputs, config.output))
        timings["render"] = time.perf_counter() - start
    write_all_atomic(outputs)
    result.written.extend(outputs)
    return result


def _render(outputs: dict[Path, bytes], out: Path) -> dict[Path, bytes]:
    """The HTML site and the PDFs, rendered from the TEI and reports of this build (staged in
    a temporary folder, so nothing is written to the output before everything succeeded)."""
    import tempfile

    from .render_data import load_site
    from .render_html import site_files
    from .render_pdf import pdf_files

    with tempfile.TemporaryDirectory(prefix="edition-render-") as tmp:
        staged = Path(tmp)
        for path, data in outputs.items():
            target = staged / path.relative_to(out)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        site = load_site(staged / "tei", staged / "report")
        html, pdfs = site_files(site), pdf_files(site)
    return {**{out / "html" / name: data for name, data in html.items()},
            **{out / "pdf" / name: data for name, data in pdfs.items()}}


def collate_and_classify(result: BuildResult, config: Config) -> None:
    """Collate every parallel passage, classify its variants, and gather every flag."""
    witnesses = {w.siglum: w for w in result.witnesses}
    rules = collate_rules(config)
    tokens = result.tokens = {s: reading_tokens(w, rules) for s, w in witnesses.items()}
    result.regularisations = {s: regularisations(tokens[s], rules) for s in witnesses}
    lexicon = Lexicon.for_texts(t.t for seq in tokens.values() for t in seq)
    covered: dict[str, set[int]] = {s: set() for s in witnesses}
    flags: list[Flag] = []
    checked: dict[str, dict[int, Flag | None]] = {s: {} for s in witnesses}
    first_pass = {s: classify.single_witness_flags(w, tokens[s], lexicon, set(), checked[s])
                  for s, w in witnesses.items()}
    rates = {s: 1000 * len(first_pass[s]) / max(len(tokens[s]), 1) for s in witnesses}
    for match in result.matches:
        if match.kind is not MatchKind.PARALLEL:
            continue
        a, b = match.a, match.b
        base = (config.base_witness if config.base_witness in (a.siglum, b.siglum)
                else max((a.siglum, b.siglum), key=lambda s: (len(tokens[s]), s)))
        spans = {a.siglum: a, b.siglum: b}
        order = [base] + [s for s in spans if s != base]
        sliced: dict[str, list[ReadingToken]] = {
            s: list(tokens[s][spans[s].start:spans[s].end]) for s in order}
        collation = collate(sliced, base)
        variants = classify.classify_collation(collation, lexicon, match=match.id,
                                               error_rates=rates)
        offsets = {s: spans[s].start for s in order}
        variants = classify.copies_are_dittography(variants, offsets, result.matches)
        result.collations.append((match, collation, offsets))
        result.variants += variants
        flags += classify.variant_flags(variants, sliced)
        flags += classify.paragraph_flags(collation, rates)
        for v in variants:
            for r in v.readings:
                covered[r.siglum].update(range(offsets[r.siglum] + r.start,
                                               offsets[r.siglum] + r.end))
        for s in order:
            flags += classify.furniture_flags(witnesses[s], spans[s].start_line,
                                              spans[s].end_line)
    for s, w in witnesses.items():
        flags += classify.single_witness_flags(w, tokens[s], lexicon, covered[s], checked[s])
        flags += classify.anomaly_flags(w)
        flags += classify.split_flags(w)
        flags += classify.junk_flags(w)
    flags += classify.repeat_flags(result.matches, witnesses)
    unique: dict[str, Flag] = {}
    for flag in flags:
        unique.setdefault(flag.id, flag)
    result.flags = sorted(unique.values(), key=lambda f: (f.siglum, f.line, f.id))


def collate_rules(config: Config) -> frozenset[str]:
    """The normalisation rules of [collate] in edition.toml (checked), or the defaults."""
    options = config.options("collate")
    unknown = sorted(set(options) - {"normalise"})
    if unknown:
        raise ConfigError(f"unknown [collate] option(s): {', '.join(unknown)}",
                          path=config.path, hint="known: normalise")
    return check_rules(options.get("normalise", DEFAULT_RULES))


def apply_review(result: BuildResult, config: Config) -> None:
    """The editors' decisions (output/review/decisions.sqlite), matched to this build's flags
    by content; a decision whose passage is gone is reported, never dropped."""
    from .review.anchor import anchors
    from .review.store import DecisionStore, default_path, review_state

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


def flag_row(f: Flag, sources: dict[str, str], decision: Any = None) -> dict:
    """One row of flags.jsonl (DESIGN §5 fields first); status from the editors' decision."""
    row = _flag_fields(f, sources)
    if decision is not None:
        row["status"] = decision.status
        row["decision"] = {"id": decision.id, "status": decision.status,
                           "reviewer": decision.reviewer, "emendation": decision.emendation,
                           "note": decision.note, "created": decision.created}
    return row


def _flag_fields(f: Flag, sources: dict[str, str]) -> dict:
    return {
        "id": f.id, "witness": f.siglum, "source": sources[f.siglum], "line": f.line,
        "reading": f.reading, "suggestion": f.suggestion, "cause": str(f.cause),
        "type": f.type, "confidence": f.confidence,
        "against": [{"witness": s, "reading": r} for s, r in f.against],
        "status": "open", "evidence": f.evidence, "variant": f.variant, "context": f.context,
    }


def duplicate_row(m: Match, sources: dict[str, str]) -> dict:
    """One row of duplicates.jsonl (DESIGN §5 fields first)."""

    def side(span) -> dict:
        return {"source": sources[span.siglum], "witness": span.siglum,
                "start_line": span.start_line, "end_line": span.end_line, "words": span.words}

    return {
        "id": m.id, "kind": m.kind.value, "a": side(m.a), "b": side(m.b),
        "similarity": m.similarity, "subkind": m.subkind,
        "corruption_likelihood": m.likelihood, "why": m.why, "first_words": m.first_words,
        "holes": [{"witness": h.siglum, "source": sources[h.siglum], "line": h.at_line,
                   "words_missing": h.words, "other_start_line": h.other_start_line,
                   "other_end_line": h.other_end_line} for h in m.holes],
    }


def _structure_rows(witnesses: list[Witness]) -> Iterable[dict]:
    for w in witnesses:
        for n, a in enumerate(w.anomalies, 1):
            yield {"id": f"{w.siglum}-a{n}", "witness": w.siglum, "source": w.source_name,
                   "line": a.line, "kind": a.kind, "cause": a.cause, "message": a.message,
                   "evidence": a.evidence}


def _cleanup_rows(witnesses: list[Witness]) -> Iterable[dict]:
    for w in witnesses:
        for n, c in enumerate(w.cleanups, 1):
            yield {"id": f"{w.siglum}-c{n}", "witness": w.siglum, "source": w.source_name,
                   "line": c.line, "rule": c.rule, "action": c.action, "detail": c.detail,
                   "before": c.before, "after": c.after}


def ingest_counts(w: Witness) -> dict[str, object]:
    """Per-source counts for the note and the build summary."""
    kinds = Counter(b.kind for b in w.blocks)
    inline = Counter(type(item).__name__ for b in w.blocks for item in b.items)
    actions = Counter(c.action for c in w.cleanups)
    return {
        "siglum": w.siglum,
        "source": w.source_name,
        "format": str(w.source_format),
        "lines": len(w.lines),
        "divisions": kinds[BlockKind.HEAD],
        "paragraphs": kinds[BlockKind.P] + kinds[BlockKind.QUOTE],
        "block_quotes": kinds[BlockKind.QUOTE],
        "notes": kinds[BlockKind.NOTE],
        "boilerplate": kinds[BlockKind.BOILERPLATE],
        "fw": kinds[BlockKind.FURNITURE] + inline[Furniture.__name__],
        "pb": kinds[BlockKind.PAGE_BREAK] + inline[PageBreak.__name__],
        "gaps": kinds[BlockKind.GAP] + inline[Gap.__name__],
        "table_rows": kinds[BlockKind.TABLE_ROW],
        "joins": actions["joined"],
        "splits": actions["split"],
        "removals": actions["removed"],
        "moved_to_header": actions["moved"],
        "repairs": actions["repaired"],
        "anomalies": len(w.anomalies),
        "metadata": {f.name: f.value for f in w.metadata},
    }
