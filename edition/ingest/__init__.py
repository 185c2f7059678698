"""Stage 1, ingest: bytes of a source -> `Witness`.

The format is recognised from content, never from the file name. Each reader returns a
`Parsed` (lines, metadata, blocks, cleanups, anomalies); `ingest_source` adds the siglum
and the configuration's overrides. PDF files become text (one page per form feed) and go
through the same plain-text analysis as a PDF-to-text dump.

`ingest_witnesses` is the same for a source that holds several witnesses: a TEI critical
edition gives one `Witness` per witness of its apparatus, each with the text it reads.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from ..config import WitnessOverride
from ..errors import InputError
from ..lexicon import guess_language
from ..model import BlockKind, Cleanup, MetaField, SourceFormat, Witness
from .parsed import Parsed

__all__ = ["MAX_SOURCE_BYTES", "Parsed", "free_siglum", "ingest_source", "ingest_witnesses",
           "read_source_bytes", "sniff_format"]

MAX_SOURCE_BYTES = 256 * 1024 * 1024


def sniff_format(data: bytes) -> SourceFormat:
    """Recognise PDF, TEI, HTML, Markdown or plain text from the first bytes."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"%PDF-") or b"%PDF-" in data[:1024]:  # readers allow junk before it
        return SourceFormat.PDF
    lowered = head.lower()
    if b"\x00" in head[:200]:  # UTF-16 text: decode the head to look inside
        lowered = data[:4096].decode("utf-16", "ignore").lower().lstrip().encode()
    if lowered.startswith(b"<?xml") or lowered.startswith(b"<tei"):
        if b"http://www.tei-c.org/ns/1.0" in data[:8192] or b"<tei" in lowered:
            return SourceFormat.TEI
        if b"<html" in lowered:
            return SourceFormat.HTML
    if lowered.startswith((b"<!doctype html", b"<html")) or (
        b"<html" in lowered[:1024] and b"<body" in data[:65536].lower()
    ):
        return SourceFormat.HTML
    from .mdsyntax import looks_like_markdown

    if looks_like_markdown(data[:65536].decode("utf-8", "ignore")):
        return SourceFormat.MARKDOWN
    return SourceFormat.TEXT


def ingest_source(
    path: Path,
    siglum: str,
    override: WitnessOverride | None = None,
    *,
    data: bytes | None = None,
) -> Witness:
    """Read one source file into a `Witness`, or raise `InputError` saying why not."""
    data, fmt = _data_and_format(path, override, data)
    return _witness(path, siglum, fmt, _read(fmt, data, path), override)


def ingest_witnesses(
    path: Path,
    siglum: str,
    override: WitnessOverride | None = None,
    *,
    taken: set[str] | None = None,
    data: bytes | None = None,
) -> list[Witness]:
    """Read one source file into its witnesses: one (with `siglum`), or, for a TEI critical
    edition, one per witness of its apparatus, with the siglum it declares if that is not
    in `taken` (the configured `siglum`, if any, before it). `taken` gets the sigla used."""
    data, fmt = _data_and_format(path, override, data)
    if fmt is not SourceFormat.TEI:
        return [_witness(path, siglum, fmt, _read(fmt, data, path), override)]
    from .teiapparatus import witness_note
    from .teisource import read_tei_witnesses

    taken = set() if taken is None else taken
    found = read_tei_witnesses(data, path)
    witnesses = []
    for declared, parsed in found:
        if declared is None:
            return [_witness(path, siglum, fmt, parsed, override)]
        own = free_siglum(f"{siglum}-{declared.ident}" if siglum else declared.ident, taken)
        taken.add(own)
        title = next((f.value for f in parsed.metadata if f.name == "title"), path.stem)
        fields = (MetaField("title", f"{title}, witness {own}", 0, ""),
                  *([MetaField("description", declared.description, declared.line,
                               declared.description)] if declared.description else []),
                  *parsed.metadata)
        note = Cleanup("tei-witness", "classified", declared.line,
                       witness_note(declared, own), declared.description)
        parsed = replace(parsed, metadata=fields, cleanups=(note, *parsed.cleanups))
        witnesses.append(_witness(path, own, fmt, parsed, override, keep_title=True))
    return witnesses


def free_siglum(wanted: str, taken: set[str]) -> str:
    """`wanted` made a siglum (letters, digits, hyphens; a letter first) and not in `taken`
    (else `wanted-2`, `wanted-3`...)."""
    name = "".join(c if c.isalnum() else "-" for c in wanted).strip("-") or "W"
    name = "-".join(part for part in name.split("-") if part)
    if not name[0].isalpha():
        name = f"W{name}"
    found, n = name, 1
    while found in taken:
        n += 1
        found = f"{name}-{n}"
    return found


def _data_and_format(path: Path, override: WitnessOverride | None,
                     data: bytes | None) -> tuple[bytes, SourceFormat]:
    if data is None:
        data = read_source_bytes(path)
    if not data.strip():
        raise InputError("the source is empty", path=path,
                         hint="remove it from the sources folder or give it content")
    fmt = SourceFormat(override.format) if override and override.format else sniff_format(data)
    return data, fmt


def _witness(path: Path, siglum: str, fmt: SourceFormat, parsed: Parsed,
             override: WitnessOverride | None, *, keep_title: bool = False) -> Witness:
    """The `Witness` of what a reader found, the configuration's overrides applied."""
    if not any(b.kind not in _NON_AUTHORIAL for b in parsed.blocks):
        raise InputError(
            "no authorial text was found: the source holds only navigation, page furniture "
            "or boilerplate",
            path=path,
        )
    witness = Witness(
        siglum=siglum,
        source_name=path.name,
        source_format=fmt,
        encoding=parsed.encoding,
        lines=parsed.lines,
        metadata=parsed.metadata,
        blocks=parsed.blocks,
        cleanups=parsed.cleanups,
        anomalies=parsed.anomalies,
        language=_language(parsed),
    )
    return _apply_override(witness, override, keep_title=keep_title)


def _language(parsed: Parsed) -> str:
    """The language the source declares; where it declares none (the readers' default,
    English), the one its words are in, so that no language is taken for junk or OCR."""
    if parsed.language != "en":
        return parsed.language
    words = (w for b in parsed.blocks if b.kind not in _NON_AUTHORIAL
             for w in b.text.split())
    return guess_language(words)


def read_source_bytes(path: Path) -> bytes:
    """The bytes of a regular file, never more than the limit (devices and pipes refused)."""
    try:
        if not path.is_file():
            raise InputError("not a regular file (a folder, device or pipe)", path=path,
                             hint="name text, HTML, PDF or TEI files")
        with path.open("rb") as handle:
            data = handle.read(MAX_SOURCE_BYTES + 1)
    except OSError as exc:
        raise InputError(f"cannot read the source: {exc.strerror}", path=path) from exc
    if len(data) > MAX_SOURCE_BYTES:
        raise InputError(f"the source is larger than {MAX_SOURCE_BYTES // 2**20} MB", path=path,
                         hint="split it into several sources")
    return data


def _read(fmt: SourceFormat, data: bytes, path: Path) -> Parsed:
    if fmt is SourceFormat.PDF:
        from .pdf import read_pdf

        return read_pdf(data, path)
    if fmt is SourceFormat.HTML:
        from .html import read_html

        return read_html(data, path)
    if fmt is SourceFormat.TEI:
        from .teisource import read_tei

        return read_tei(data, path)
    if fmt is SourceFormat.MARKDOWN:
        from .markdown import read_markdown

        return read_markdown(data, path)
    from .text import read_text

    return read_text(data, path)


def _apply_override(witness: Witness, override: WitnessOverride | None, *,
                    keep_title: bool = False) -> Witness:
    """The configured title, author, date and language before the source's own (a source of
    several witnesses keeps its witnesses' titles: the configured one names the source)."""
    if override is None:
        return witness
    fields = list(witness.metadata)
    for name in ("title", "author", "date"):
        value = getattr(override, name)
        if name == "title" and keep_title:
            value = value and f"{value}, witness {witness.siglum}"
        if value:
            fields = [f for f in fields if f.name != name]
            fields.insert(0, MetaField(name=name, value=value, line=0, raw=""))
    return replace(
        witness,
        metadata=tuple(fields),
        language=override.language or witness.language,
    )


_NON_AUTHORIAL = {
    BlockKind.FURNITURE,
    BlockKind.PAGE_BREAK,
    BlockKind.BOILERPLATE,
    BlockKind.GAP,
    BlockKind.DIVIDER,
}
