"""`edition collate`: collate whole files as CollateX does, and speak CollateX's JSON.

Every source `ingest_source` reads (or one CollateX JSON file) becomes a witness; the whole
reading text of each is aligned (`collate`) and classified (`classify_collation`), and shown
as a terminal table, CollateX's alignment-table JSON, a standalone TEI apparatus or a
self-contained HTML page. Like `pipeline`, this composes stages; renderers return bytes.

CollateX JSON, as CollateX's Java tools write and read it: `{"witnesses": [sigla], "table":
[column, ...]}`, a column holding a cell per witness, a cell a list of tokens `{"t", "n",
"line", "witness", "block"}`. One column per segment: a run of agreeing words is one column,
as with CollateX's default `segmentation=True`. Our verdicts are extras CollateX ignores:
"variants" (parallel to "table": null for agreement, else id, cause, type, confidence,
lemma, corrupt, evidence) and "edition" (base, sources, error rates). `read_alignment` reads
it back, and CollateX's own output: Java's (column-major; tokens objects or strings; empty
cells [] or null) and Python's (row-major, tokens with `_sigil`); `n` is folded by
`normalise`, so "The" and "the" agree as in our own tokens.
"""

from __future__ import annotations

import json
import re
import string
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from .. import __version__
from ..errors import InputError, UsageError
from ..ingest import ingest_source, read_source_bytes
from ..lexicon import Lexicon
from ..model import Cause, Reading, Variant
from ..tokens import ReadingToken, normalise, reading_tokens
from .alignment import Collation, Segment, collate
from .variants import classify_collation, error_rates

FORMATS = ("table", "tei", "collatex-json", "html")
ELIDE_WORDS = 24  # in the table, longer readings show their first and last words only
_WORD = re.compile(r"[^\s—–―]+")  # the word boundaries of edition.tokens (dashes separate)
_SIGLUM = re.compile(r"[^\s,#]+")


@dataclass(frozen=True)
class WitnessInfo:
    """Where a witness came from, for headers and legends."""

    siglum: str
    source: str = ""  # file name; "" for a witness given inside a JSON file
    title: str = ""


@dataclass(frozen=True)
class CollationResult:
    """A collation of whole witnesses and its classified variants."""

    collation: Collation
    variants: tuple[Variant, ...]
    witnesses: tuple[WitnessInfo, ...]
    rates: dict[str, float] = field(default_factory=dict)  # corrupt readings per 1,000 words

    def info(self, siglum: str) -> WitnessInfo:
        return next((w for w in self.witnesses if w.siglum == siglum), WitnessInfo(siglum))

    @cached_property
    def _at(self) -> dict[frozenset, Variant]:
        return {frozenset((r.siglum, r.start, r.end) for r in v.readings): v
                for v in self.variants}

    def variant_of(self, segment: Segment) -> Variant | None:
        """The classified variant of a segment (matched by its ranges)."""
        return self._at.get(frozenset(segment.ranges))


def default_sigla(count: int) -> list[str]:
    """A, B, ... Z, then AA, AB, ... (as spreadsheet columns; up to 702)."""
    abc = string.ascii_uppercase
    return [abc[i] if i < 26 else abc[i // 26 - 1] + abc[i % 26] for i in range(count)]


def collate_paths(paths: Sequence[Path], *, sigla: str | None = None,
                  base: str | None = None) -> CollationResult:
    """Collate two or more source files, or the witnesses of one CollateX JSON file."""
    paths = [Path(p) for p in paths]
    given = [s.strip() for s in sigla.split(",")] if sigla else None
    for path in paths:
        if not path.exists():
            # as `edition build` and `ingest` say it: a name that names nothing is a usage error
            raise UsageError("no such file or folder", path=path,
                             hint="check the name and the folder")
    contents = [read_source_bytes(p) for p in paths]
    documents = [_json_document(data) for data in contents]
    for path, document in zip(paths, documents, strict=True):
        if isinstance(document, dict):
            if len(paths) > 1:
                raise UsageError("a CollateX JSON file holds all the witnesses: give it alone",
                                 path=path)
            return from_collatex_json(document, path, sigla=given, base=base)
    if len(paths) < 2:
        hint = "name two or more text, HTML, PDF or TEI files, or one CollateX JSON file"
        if documents and isinstance(documents[0], str):
            hint += f" (read as CollateX JSON, the file is not valid: {documents[0]})"
        raise UsageError("collate needs at least two witnesses; one was given", hint=hint)
    names = _check_sigla(given, len(paths)) if given else default_sigla(len(paths))
    tokens: dict[str, list[ReadingToken]] = {}
    infos = []
    for siglum, path, data in zip(names, paths, contents, strict=True):
        witness = ingest_source(path, siglum, data=data)
        tokens[siglum] = reading_tokens(witness)
        if not tokens[siglum]:
            raise InputError("the source has no words in its reading text", path=path)
        infos.append(WitnessInfo(siglum, path.name, witness.meta("title")))
    return collate_tokens(tokens, base, infos)


def collate_tokens(tokens: dict[str, Sequence[ReadingToken]], base: str | None = None,
                   infos: Sequence[WitnessInfo] = ()) -> CollationResult:
    """Align the witnesses' tokens against the base (default: the first) and classify."""
    if len(tokens) < 2:
        raise UsageError("collate needs at least two witnesses")
    return _classified(collate(dict(tokens), _check_base(base, list(tokens))), infos)


def _classified(collation: Collation, infos: Sequence[WitnessInfo]) -> CollationResult:
    """Classify twice: the first pass measures each witness's error rate (per word where all
    witnesses have text), which the second uses where words alone cannot tell."""
    lexicon = Lexicon.for_texts(t.t for seq in collation.tokens.values() for t in seq)
    first = classify_collation(collation, lexicon)
    shared = [seg for seg in collation.segments if all(b > a for _, a, b in seg.ranges)]
    rates = error_rates(first, {s: sum(len(collation.reading(seg, s)) for seg in shared)
                                for s in collation.sigla})
    variants = classify_collation(collation, lexicon, error_rates=rates)
    known = {i.siglum: i for i in infos}
    return CollationResult(collation, tuple(variants),
                           tuple(known.get(s, WitnessInfo(s)) for s in collation.sigla),
                           {s: round(r, 2) for s, r in rates.items()})


def _check_base(base: str | None, sigla: list[str]) -> str:
    if base is not None and base not in sigla:
        raise UsageError(f"--base {base}: no witness has that siglum",
                         hint=f"use one of: {', '.join(sigla)}")
    return base or sigla[0]


def _check_sigla(given: list[str], count: int) -> list[str]:
    if (len(given) != count or len(set(given)) < count
            or not all(_SIGLUM.fullmatch(s) for s in given)):
        raise UsageError(f"--sigla {','.join(given)}: give {count} different sigla for the "
                         f"{count} witnesses, comma-separated (each one word, no #)")
    return given


def _json_document(data: bytes) -> dict | str | None:
    """The object of a CollateX JSON file; why it is not one if it looks like JSON; None for
    any other file (a source to ingest)."""
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    try:
        document = json.loads(head.decode("utf-8")) if head.startswith(b"{") else None
    except ValueError as exc:  # UnicodeDecodeError is one too
        return str(exc)
    ok = document is None or (isinstance(document, dict) and "witnesses" in document)
    return document if ok else 'a JSON object without "witnesses"'


def from_collatex_json(document: dict, path: Path | None = None, *,
                       sigla: list[str] | None = None, base: str | None = None
                       ) -> CollationResult:
    """CollateX input (witnesses with "content" or "tokens") is collated; an alignment table
    (with "table") is taken as it is."""
    if "table" in document:
        if sigla:
            raise UsageError("--sigla: an alignment table keeps the sigla it names", path=path)
        return read_alignment(document, path, base=base)
    entries = document.get("witnesses")
    if not isinstance(entries, list) or len(entries) < 2:
        raise UsageError("collate needs at least two witnesses; the JSON file has "
                         f"{len(entries) if isinstance(entries, list) else 0}", path=path)
    tokens: dict[str, list[ReadingToken]] = {}
    for index, entry in enumerate(entries, 1):
        siglum = str(_dict(entry).get("id") or "").strip()
        words = _dict(entry).get("tokens", _dict(entry).get("content"))
        if not siglum or siglum in tokens or not isinstance(words, list | str):
            raise InputError(f"witness {index} needs its own \"id\" (a siglum) and \"content\" "
                             "(a string) or \"tokens\" (a list)", path=path)
        tokens[siglum] = (_tokenise(words) if isinstance(words, str) else
                          [_token(raw, f"witness {siglum}", path) for raw in words])
        if not tokens[siglum]:
            raise InputError(f"witness {siglum} has no words", path=path)
    if sigla:
        tokens = dict(zip(_check_sigla(sigla, len(tokens)), tokens.values(), strict=True))
    return collate_tokens(tokens, base, [WitnessInfo(s) for s in tokens])


def _tokenise(content: str) -> list[ReadingToken]:
    """Words of a "content" string; lines counted from 1, a blank line ends a block."""
    out: list[ReadingToken] = []
    block = 0
    for number, line in enumerate(content.splitlines(), 1):
        if not line.strip():
            block += 1 if out and out[-1].block == block else 0
        out += [ReadingToken(m.group(), n, number, block) for m in _WORD.finditer(line)
                if (n := normalise(m.group()))]
    return out


def _token(raw: Any, where: str, path: Path | None) -> ReadingToken:
    """A pre-tokenised token: an object with "t" (and maybe "n", "line"), or a string."""
    raw = {"t": raw} if isinstance(raw, str) else raw
    if not isinstance(raw, dict) or not isinstance(raw.get("t"), str):
        raise InputError(f'{where}: a token without "t" (its text): {str(raw)[:60]}', path=path)
    t = raw["t"].strip() or raw["t"]
    given = raw["n"] if isinstance(raw.get("n"), str) else t
    line, block = (raw.get(k) if type(raw.get(k)) is int else 0 for k in ("line", "block"))
    return ReadingToken(t, normalise(given) or given.strip() or t, line, block,
                        raw.get("junk") is True)


def read_alignment(document: dict | str | bytes, path: Path | None = None, *,
                   base: str | None = None) -> CollationResult:
    """A CollateX alignment table (ours, Java's or Python's) as a collation; classified anew
    unless it carries our verdicts for the same base."""
    if isinstance(document, str | bytes):
        try:
            document = json.loads(document)
        except ValueError as exc:
            raise InputError(f"not valid JSON: {exc}", path=path) from exc
    sigla = document.get("witnesses") if isinstance(document, dict) else None
    if (not isinstance(sigla, list) or len(sigla) < 2 or len(set(sigla)) < len(sigla)
            or not all(isinstance(s, str) and s for s in sigla)):
        raise InputError('an alignment needs "witnesses": two or more distinct sigla',
                         path=path)
    columns = _columns(document.get("table"), sigla, path)
    edition = document.get("edition") if isinstance(document.get("edition"), dict) else {}
    stored = edition.get("base") if edition.get("base") in sigla else sigla[0]
    base = _check_base(base, sigla) if base else stored
    extras = document.get("variants")
    verdicts = (extras if isinstance(extras, list) and len(extras) == len(columns)
                and base == stored else None)
    order = [base] + [s for s in sigla if s != base]
    tokens: dict[str, list[ReadingToken]] = {s: [] for s in sigla}
    segments: list[Segment] = []
    kept: list[Any] = []
    for number, column in enumerate(columns):
        ranges = []
        cells = dict(zip(sigla, column, strict=True))
        for s in order:
            start = len(tokens[s])
            tokens[s] += [_token(raw, f"column {number + 1}, witness {s}", path)
                          for raw in cells[s] or ()]
            ranges.append((s, start, len(tokens[s])))
        if all(a == b for _, a, b in ranges):
            continue
        words = [[t.n for t in tokens[s][a:b]] for s, a, b in ranges]
        agree = (verdicts[number] is None if verdicts is not None
                 else all(words) and all(w == words[0] for w in words))
        if agree and segments and segments[-1].agree:  # CollateX without segmentation
            ranges = [(s, a, b) for (s, a, _), (_, _, b) in
                      zip(segments.pop().ranges, ranges, strict=True)]
            kept.pop()
        segments.append(Segment(tuple(ranges), agree))
        kept.append(verdicts[number] if verdicts is not None else None)
    collation = Collation(base, tokens, tuple(segments))
    sources = edition.get("sources") if isinstance(edition.get("sources"), dict) else {}
    infos = [WitnessInfo(s, *(str(_dict(sources.get(s)).get(k, "")) for k in ("source", "title")))
             for s in sigla]
    variants = [_verdict(collation, seg, extra, path)
                for seg, extra in zip(segments, kept, strict=True) if not seg.agree]
    if verdicts is None or None in variants:
        return _classified(collation, infos)
    rates = {s: float(r) for s, r in _dict(edition.get("error_rates")).items() if s in sigla}
    return CollationResult(collation, tuple(v for v in variants if v), tuple(infos), rates)


def _dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _columns(table: Any, sigla: list[str], path: Path | None) -> list[list[Any]]:
    """Column-major cells (one per witness), whichever way the table is oriented."""
    if not isinstance(table, list) or not all(isinstance(c, list) for c in table):
        raise InputError('"table" must be a list of columns (lists of cells)', path=path)
    rows = len(table) == len(sigla) and len({len(r) for r in table}) == 1
    owners = [{tok.get("_sigil", tok.get("witness")) for cell in row if isinstance(cell, list)
               for tok in cell if isinstance(tok, dict)} - {None} for row in table] if rows else []
    by_sigil = any(owners) and all(o <= {s} for o, s in zip(owners, sigla, strict=True))
    if rows and (by_sigil or not all(len(c) == len(sigla) for c in table)):
        table = [list(cells) for cells in zip(*table, strict=True)]  # one row per witness
    for number, column in enumerate(table, 1):
        if len(column) != len(sigla) or not all(c is None or isinstance(c, list)
                                                for c in column):
            raise InputError(f'column {number} of "table" does not hold one cell (a list of '
                             f"tokens, or null) for each of the {len(sigla)} witnesses",
                             path=path)
    return table


def _verdict(collation: Collation, segment: Segment, extra: Any,
             path: Path | None) -> Variant | None:
    """Our classification stored with a variant column; None if there is none."""
    if not isinstance(extra, dict) or "cause" not in extra:
        return None
    try:
        return Variant(str(extra["id"]),
                       tuple(reading_of(collation, segment, s) for s in collation.sigla),
                       str(extra["lemma"]), Cause(extra["cause"]), str(extra["type"]),
                       float(extra["confidence"]), str(extra.get("evidence", "")),
                       tuple(map(str, extra.get("corrupt", ()))), str(extra.get("match", "")))
    except (KeyError, ValueError, TypeError) as exc:
        raise InputError(f'a "variants" entry is malformed ({exc}): {str(extra)[:80]}',
                         path=path) from exc


def reading_of(collation: Collation, segment: Segment, siglum: str) -> Reading:
    """As classify makes it: the line of an omission is that of the next word."""
    start, end = segment.range_of(siglum)
    tokens = collation.tokens[siglum]
    line = tokens[min(start, len(tokens) - 1)].line if tokens else 0
    return Reading(siglum, words_text(tokens[start:end]), start, end, line)


def to_collatex_json(result: CollationResult) -> str:
    """The alignment table as CollateX writes it, our verdicts as extras; a column a line."""
    c = result.collation
    columns = [[[{"t": t.t, "n": t.n, "line": t.line, "witness": s, "block": t.block}
                 | ({"junk": True} if t.junk else {}) for t in c.reading(seg, s)]
                for s in c.sigla] for seg in c.segments]
    extras = [None if seg.agree else _variant_json(result.variant_of(seg))
              for seg in c.segments]
    sources = {w.siglum: {k: getattr(w, k) for k in ("source", "title") if getattr(w, k)}
               for w in result.witnesses}
    edition = {"base": c.base, "generator": f"edition {__version__}",
               "segmentation": "one column per segment; a run of agreeing words is one column",
               "sources": sources, "error_rates": result.rates}

    def dump(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False)

    return ('{"witnesses": ' + dump(list(c.sigla)) + ',\n"table": [\n'
            + ",\n".join(map(dump, columns)) + '\n],\n"variants": [\n'
            + ",\n".join(map(dump, extras)) + '\n],\n"edition": ' + dump(edition) + "}\n")


def _variant_json(v: Variant | None) -> dict[str, Any]:
    return {} if v is None else {
        "id": v.id, "cause": str(v.cause), "type": v.type, "confidence": v.confidence,
        "lemma": v.lemma, "corrupt": list(v.corrupt), "evidence": v.evidence,
    } | ({"match": v.match} if v.match else {})


def words_text(tokens: Sequence[ReadingToken]) -> str:
    return " ".join(t.t for t in tokens)


def elided(tokens: Sequence[ReadingToken], most: int = ELIDE_WORDS) -> str:
    """A long reading as its first and last words and its length."""
    if len(tokens) <= most:
        return words_text(tokens)
    head, tail = words_text(tokens[:most // 2]), words_text(tokens[-most // 4:])
    return f"{head} … {tail} [{len(tokens):,} words]"


def summary(result: CollationResult) -> str:
    """How many variants of which causes, in one line."""
    counts = Counter(str(v.cause) for v in result.variants).most_common()
    causes = ", ".join(f"{cause} {n}" for cause, n in counts)
    return f"{len(result.variants)} variants" + (f" ({causes})" if causes else "")


def describe(result: CollationResult) -> list[str]:
    c = result.collation
    what = {s: result.info(s).source or result.info(s).title for s in c.sigla}
    return ["Collation of " + "; ".join(f"{s}{'*' if s == c.base else ''} = "
                                        f"{what[s] + ', ' if what[s] else ''}"
                                        f"{len(c.tokens[s]):,} words" for s in c.sigla)
            + "  (* base)",
            summary(result) + "; lines: the source line of each witness's reading"]
