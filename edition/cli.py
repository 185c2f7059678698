"""The command line: the only place that prints or exits.

Exit codes (DESIGN §5): 0 ok, 1 findings (invalid TEI), 2 usage or configuration
error, 3 unreadable input or internal error. A traceback is shown only with -v.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from . import __version__
from .config import Config, load_config
from .console import err, out
from .console import handle_errors as _handle_errors
from .review.commands import COMMANDS as _REVIEW_COMMANDS


class _State:
    def __init__(self, verbose: int, quiet: bool, config_path: Path | None) -> None:
        self.verbose = verbose
        self.quiet = quiet
        self.config_path = config_path

    def config(self) -> Config:
        return load_config(self.config_path)


class _ProgressReporter:
    """A rich progress bar on stderr, shown only on a terminal and without -q."""

    def __init__(self, quiet: bool) -> None:
        self.enabled = not quiet and err.is_terminal
        self.progress: Progress | None = None
        self.task: Any = None

    def __enter__(self) -> _ProgressReporter:
        if self.enabled:
            self.progress = Progress(TextColumn("{task.description:<40}"), BarColumn(),
                                     TextColumn("{task.completed}/{task.total}"),
                                     TimeElapsedColumn(), console=err, transient=True)
            self.progress.__enter__()
            self.task = self.progress.add_task("", total=1)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.progress is not None:
            self.progress.__exit__(*exc)

    def __call__(self, what: str, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress.update(self.task, description=what, completed=done, total=total)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="edition")
@click.option("-v", "--verbose", count=True, help="More detail; tracebacks on errors.")
@click.option("-q", "--quiet", is_flag=True, help="Only errors.")
@click.option("--config", "config_path", type=click.Path(path_type=Path),
              help="edition.toml to use (default: ./edition.toml if present).")
@click.pass_context
def main(ctx: click.Context, verbose: int, quiet: bool, config_path: Path | None) -> None:
    """Turn messy source texts into a TEI P5 critical edition.

    With no arguments, `edition build` builds the edition of the sources in ./sources
    into ./output.
    """
    ctx.obj = _State(verbose, quiet, config_path)


def _run_build(state: _State, sources: tuple[Path, ...], output: Path | None,
               validate: bool, stages: tuple[str, ...] | None = None,
               strict: bool = False) -> int:
    from .pipeline import STAGES, build

    config = state.config()
    if output is not None:
        config = _with_output(config, output)
    with _ProgressReporter(state.quiet) as progress:
        result = build(config, list(sources) or None, validate=validate, progress=progress,
                       stages=stages or STAGES)
    if not state.quiet:
        _summary(result)
        if "detect" in (stages or STAGES):
            _match_summary(result)
    for warning in result.warnings:
        err.print(f"warning: {warning}", markup=False)
    for problem in result.problems:
        err.print(problem, markup=False)
    if result.problems:
        err.print(f"{len(result.problems)} validation error(s) in the generated TEI",
                  markup=False)
        return 1
    if strict and result.open_flags:
        err.print(f"--strict: {result.open_flags} flag(s) still open (review them with "
                  "`edition flags` and `edition decide`)", markup=False)
        return 1
    return 0


def _with_output(config: Config, output: Path) -> Config:
    from dataclasses import replace

    return replace(config, output=output)


def _summary(result: Any) -> None:
    from .report import ingest_counts

    table = Table(title="edition: witnesses", show_lines=False, box=None, pad_edge=False)
    for col in ("sig", "source", "head", "p", "fw", "pb", "note", "boiler", "gap", "join",
                "anom"):
        table.add_column(col, justify="left" if col in ("sig", "source") else "right",
                         no_wrap=True)
    for w in result.witnesses:
        c = ingest_counts(w)
        table.add_row(c["siglum"], w.stem[:16], str(c["divisions"]), str(c["paragraphs"]),
                      str(c["fw"]), str(c["pb"]), str(c["notes"]), str(c["boilerplate"]),
                      str(c["gaps"]), str(c["joins"]), str(c["anomalies"]))
    out.print(table)
    timing = ", ".join(f"{k} {v:.2f}s" for k, v in result.timings.items())
    out.print(f"wrote {len(result.written)} files ({timing})", markup=False)
    _changes(result.removed, result.leftovers)


def _changes(removed: list[str], leftovers: int) -> None:
    """What a build or render took away: files the new output no longer has (a source
    removed from the folder), and what an interrupted run had left."""
    if removed:
        shown = ", ".join(removed[:6]) + (", ..." if len(removed) > 6 else "")
        out.print(f"removed {len(removed)} files of the previous output that this one no "
                  f"longer makes: {shown}", markup=False)
    if leftovers:
        out.print(f"removed {leftovers} leftovers of an interrupted build", markup=False)


@main.command()
@click.argument("sources", nargs=-1, type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="Output folder (default: output, or [edition] output in edition.toml).")
@click.option("--validate/--no-validate", default=True, show_default=True,
              help="Validate every TEI file against tei_all and the project's rules.")
@click.option("--strict", is_flag=True,
              help="Exit 1 while any flagged corruption is still open (not reviewed).")
@click.pass_obj
@_handle_errors
def build(state: _State, sources: tuple[Path, ...], output: Path | None, validate: bool,
          strict: bool) -> None:
    """Build the whole edition from SOURCES (default: the sources folder), applying the
    editors' review decisions (output/review/decisions.sqlite) on every build."""
    sys.exit(_run_build(state, sources, output, validate, strict=strict))


def _match_summary(result: Any) -> None:
    table = Table(title="edition: duplicated passages", box=None, pad_edge=False)
    for col in ("kind", "subkind", "a", "b", "words", "sim", "likely"):
        table.add_column(col, no_wrap=True)
    shown = [m for m in result.matches if m.subkind not in ("doubled-word", "doubled-phrase")]
    for m in shown:
        table.add_row(m.kind.value, m.subkind, f"{m.a.siglum} {m.a.start_line}-{m.a.end_line}",
                      f"{m.b.siglum} {m.b.start_line}-{m.b.end_line}", str(m.a.words),
                      f"{m.similarity:.2f}", f"{m.likelihood:.2f}" if m.likelihood else "")
    out.print(table)
    doubled = len(result.matches) - len(shown)
    out.print(f"{len(result.matches)} matches ({doubled} doubled words or phrases not listed; "
              "see output/report/duplicates.jsonl)", markup=False)


@main.command()
@click.argument("sources", nargs=-1, type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Output folder.")
@click.pass_obj
@_handle_errors
def detect(state: _State, sources: tuple[Path, ...], output: Path | None) -> None:
    """Find duplicated passages: parallels, repeats inside a witness, quotations."""
    sys.exit(_run_build(state, sources, output, validate=False, stages=("ingest", "detect")))


@main.command()
@click.argument("sources", nargs=-1, type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Output folder.")
@click.pass_obj
@_handle_errors
def ingest(state: _State, sources: tuple[Path, ...], output: Path | None) -> None:
    """Ingest SOURCES into TEI witness files (output/tei) without validating them."""
    sys.exit(_run_build(state, sources, output, validate=False, stages=("ingest",)))


@main.command()
@click.option("--html", "html", is_flag=True, help="Render the HTML site (output/html).")
@click.option("--pdf", "pdf", is_flag=True,
              help="Render the print edition (output/pdf/edition.pdf and one PDF per work).")
@click.option("--work", "work", metavar="ID",
              help="With --pdf: only this work's PDF (its base witness's siglum, e.g. C).")
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="The build's output folder (default: output, or [edition] output).")
@click.pass_obj
@_handle_errors
def render(state: _State, html: bool, pdf: bool, work: str | None,
           output: Path | None) -> None:
    """Render output/tei and output/report of a build: the HTML site and the PDF edition
    (both unless --html or --pdf is given)."""
    from .errors import UsageError
    from .output import transaction

    out = output or state.config().output
    if not (out / "tei" / "edition.xml").is_file():
        raise UsageError("no edition to render", path=out / "tei",
                         hint="run `edition build` first")
    if work is not None and html and not pdf:
        raise UsageError("--work applies to the PDF", hint="use --pdf --work ID")
    if work is not None:
        pdf = True
    both = not html and not pdf
    from .render import load_site

    with transaction(out) as generation:  # locked: no build switches the output meanwhile
        site = load_site(out / "tei", out / "report")
        files: dict[Path, bytes] = {}
        if html or both:
            from .render import site_files

            files.update({out / "html" / name: data for name, data in site_files(site).items()})
        if pdf or both:
            from .render import pdf_files

            pdfs = pdf_files(site, work=work)
            files.update({out / "pdf" / name: data for name, data in pdfs.items()})
        # a new generation: what is not rendered again is carried over (one work's PDF
        # replaces that file only), then it is made current in one step
        remade = {"html"} if html or both else set()
        remade |= {"pdf"} if (pdf or both) and work is None else set()
        generation.carry(f for f in ("tei", "report", "html", "pdf") if f not in remade)
        generation.write(files)
        removed = generation.commit()
    if not state.quiet:
        for folder in sorted({p.parent for p in files}):
            count = sum(1 for p in files if p.parent == folder)
            err.print(f"wrote {count} files to {folder}", markup=False)
        _changes(removed, generation.leftovers)
    sys.exit(0)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--schema", type=click.Path(path_type=Path),
              help="tei_all.rng to use (default: the copy shipped with edition, or "
                   "$EDITION_TEI_SCHEMA).")
@click.option("--project-rules/--no-project-rules", default=None,
              help="Force (or skip) the project's own schema and Schematron rules; by "
                   "default they apply to files written by edition.")
@click.pass_obj
@_handle_errors
def validate(state: _State, paths: tuple[Path, ...], schema: Path | None,
             project_rules: bool | None) -> None:
    """Validate TEI files or folders: prints file:line:col: severity: message."""
    from .errors import UsageError
    from .validate import validate_paths

    if schema is not None and not schema.is_file():
        raise UsageError("the schema given with --schema does not exist", path=schema)
    report = validate_paths(list(paths), schema=schema, project_rules=project_rules)
    for result in report.files:
        for problem in result.problems:
            if problem.severity == "error" or not state.quiet:
                out.print(problem.format(), markup=False, soft_wrap=True)
    if not state.quiet:
        err.print(report.summary(), markup=False)
    unreadable = [r for r in report.files
                  if any(p.source == "io" for p in r.problems)]
    if unreadable and len(unreadable) == len(report.files):
        sys.exit(3)
    sys.exit(0 if report.ok else 1)


@main.command("collate")
@click.argument("witnesses", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--sigla", help="Sigla of the witnesses, comma-separated, in argument order "
                              "(default: A,B,C...).")
@click.option("--base", help="Siglum of the base witness (default: the first).")
@click.option("--format", "fmt", type=click.Choice(["table", "tei", "collatex-json", "html"]),
              default="table", show_default=True,
              help="table (terminal), tei (TEI apparatus), collatex-json (CollateX's "
                   "alignment table) or html (a self-contained page).")
@click.option("-o", "--output", default="-", show_default=True,
              help="File to write (atomically); - writes to standard output.")
@click.option("--all", "show_all", is_flag=True,
              help="table: show the agreeing text too, not only the variants.")
@click.pass_obj
@_handle_errors
def collate_command(state: _State, witnesses: tuple[Path, ...], sigla: str | None,
                    base: str | None, fmt: str, output: str, show_all: bool) -> None:
    """Collate WITNESSES word by word (files, or one CollateX JSON file), as CollateX does.

    Each file (text, HTML, PDF or TEI) is a witness; its whole reading text is aligned with
    the base and every variant is classified (cause, type, confidence).
    """
    from .collate.collatex import collate_paths, summary
    from .collate.collatex_views import render
    from .tei import write_all_atomic

    result = collate_paths(witnesses, sigla=sigla, base=base)
    data = render(result, fmt, show_all=show_all)
    if output == "-":
        click.echo(data, nl=False)
    else:
        write_all_atomic({Path(output): data})
        if not state.quiet:
            err.print(f"wrote {output}: {summary(result)}", markup=False)


# review of flagged corruptions: edition flags, edition decide, edition decisions export|import
for _command in _REVIEW_COMMANDS:
    main.add_command(_command)


if __name__ == "__main__":  # pragma: no cover
    main()
