"""The small data model every stage shares.

A `Witness` is one source as the pipeline understood it: its decoded lines, its
metadata, its content as a flat sequence of `Block`s in source order, and the
`Cleanup` log that says which rule changed what, so every change can be undone.
Everything carries source line numbers (1-based), so every word is traceable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class SourceFormat(StrEnum):
    TEXT = "text"
    HTML = "html"
    PDF = "pdf"
    TEI = "tei"
    MARKDOWN = "markdown"


# --- inline content ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Text:
    """Authorial text taken from one source line (possibly a part of it)."""

    text: str
    line: int


@dataclass(frozen=True, slots=True)
class LineBreak:
    """The start of a source line inside a block (TEI `lb/@n`).

    `joined` is True where a word was split across the break (hyphenation), so the
    reading text joins it (TEI `@break="no"`); `rule` names the cleanup rule that
    decided so, when one did.
    """

    line: int
    joined: bool = False
    rule: str = ""


@dataclass(frozen=True, slots=True)
class Gap:
    """Extraction junk in place of text: kept verbatim, never silently dropped."""

    junk: str
    line: int
    reason: str = "illegible"
    rule: str = ""


@dataclass(frozen=True, slots=True)
class Furniture:
    """Non-authorial page furniture met inside a block (header, footer, URL line)."""

    kind: str  # "header" | "footer"
    text: str
    line: int
    rule: str = ""


@dataclass(frozen=True, slots=True)
class PageBreak:
    """A page boundary of the source: printed page `n`, from URL `url` if known."""

    n: str
    line: int
    url: str = ""
    of: str = ""  # total pages printed for that URL, as the footer says


@dataclass(frozen=True, slots=True)
class NoteRef:
    """A footnote marker in the text, pointing at a `Block` of kind NOTE by its label."""

    label: str
    line: int
    text: str = ""  # the marker as printed ("[1]", "¹"); empty means "[label]"


@dataclass(frozen=True, slots=True)
class Label:
    """A run-in heading at the start of a paragraph ("STAKHANOVISM: ...")."""

    text: str
    line: int


@dataclass(frozen=True, slots=True)
class Hi:
    """Authorial text the source highlights (TEI `hi/@rend`: "italic", "bold", ...)."""

    text: str
    line: int
    rend: str = "italic"


Inline = Text | LineBreak | Gap | Furniture | PageBreak | NoteRef | Label | Hi


# --- blocks -------------------------------------------------------------------------


class BlockKind(StrEnum):
    HEAD = "head"  # a division heading; `level` says which division (1 = chapter)
    P = "p"
    QUOTE = "quote"  # a block quotation
    NOTE = "note"  # an authorial or translator's note (footnote body); `label` set
    LIST_ITEM = "item"  # an item of a list made of short lines (e.g. a chapter's contents)
    TABLE_ROW = "row"  # one row of a flattened table; each `Text` item is one cell
    DIVIDER = "divider"  # "* * *" and the like
    CLOSER = "closer"  # dateline or signature at the end of a text
    FURNITURE = "fw"  # page header or footer between blocks
    PAGE_BREAK = "pb"
    BOILERPLATE = "boilerplate"  # site navigation, banners, teasers: TEI note type=boilerplate
    GAP = "gap"  # a whole block of junk
    STANZA = "lg"  # a stanza of verse: a LineBreak opens each verse line (TEI lg/l)
    FIGURE = "figure"  # an illustration; its Text items are the caption (TEI figure/figDesc)


@dataclass(frozen=True, slots=True)
class Block:
    """One block of the source, in source order.

    `kind` says what it is; `items` its inline content; `level` the division depth of a
    heading; `role` a finer type (e.g. "navigation", "toc", "sidebar", "translator");
    `label` a footnote label; `rule` the rule that classified it.
    """

    kind: BlockKind
    items: tuple[Inline, ...]
    level: int = 0
    role: str = ""
    label: str = ""
    rule: str = ""

    @property
    def first_line(self) -> int:
        for item in self.items:
            if hasattr(item, "line"):
                return item.line  # type: ignore[union-attr]
        return 0

    @property
    def last_line(self) -> int:
        for item in reversed(self.items):
            if hasattr(item, "line"):
                return item.line  # type: ignore[union-attr]
        return 0

    @property
    def text(self) -> str:
        """The block's reading text (authorial text only, joined as read)."""
        parts: list[str] = []
        for item in self.items:
            if isinstance(item, Text | Label | Hi):
                parts.append(item.text)
            elif isinstance(item, LineBreak) and parts and not item.joined:
                parts.append(" ")
        return " ".join("".join(parts).split())


# --- metadata, provenance, anomalies ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class MetaField:
    """One metadata value found in the source, with the line it came from."""

    name: str  # title | subtitle | author | date | publication | pages | transcriber | ...
    value: str
    line: int
    raw: str  # the whole source line, kept so that no word is lost


@dataclass(frozen=True, slots=True)
class Cleanup:
    """One automatic change, recorded so it can be reversed.

    `action`: removed (moved out of the reading text into fw/note/gap), joined, split,
    repaired (characters changed), moved (into the teiHeader), classified, included
    (a file an xi:include names, put in its place).
    """

    rule: str
    action: str
    line: int
    detail: str
    before: str = ""
    after: str = ""


@dataclass(frozen=True, slots=True)
class Anomaly:
    """A structural anomaly reported, never silently fixed (structure.jsonl)."""

    kind: str  # lost-heading | numbering-gap | truncated-division | header-footer-mismatch | ...
    line: int
    message: str
    evidence: str = ""
    cause: str = "structure"  # becomes a flag cause later: structure | lacuna


@dataclass(frozen=True, slots=True)
class Token:
    """A word of the reading text: surface `t`, normalised `n` (CollateX), and its line."""

    t: str
    n: str
    line: int


@dataclass(frozen=True, slots=True)
class Witness:
    """One source as ingested."""

    siglum: str
    source_name: str  # file name, e.g. 000_77bc83882fa68282.txt
    source_format: SourceFormat
    encoding: str
    lines: tuple[str, ...]  # decoded source lines (after character repairs), 1-based by index+1
    metadata: tuple[MetaField, ...]
    blocks: tuple[Block, ...]
    cleanups: tuple[Cleanup, ...] = ()
    anomalies: tuple[Anomaly, ...] = ()
    language: str = "en"
    extra: dict[str, str] = field(default_factory=dict, hash=False, compare=False)

    def meta(self, name: str) -> str:
        for f in self.metadata:
            if f.name == name:
                return f.value
        return ""

    @property
    def stem(self) -> str:
        return self.source_name.rsplit(".", 1)[0]


# --- detection ------------------------------------------------------------------------


class MatchKind(StrEnum):
    PARALLEL = "parallel"  # the same text in two witnesses
    REPEAT = "repeat"  # a passage repeated inside one witness
    QUOTATION = "quotation"  # one source quoting or borrowing from another


@dataclass(frozen=True, slots=True)
class Span:
    """A stretch of one witness's reading text: token indices [start, end) and its lines."""

    siglum: str
    start: int
    end: int
    start_line: int
    end_line: int

    @property
    def words(self) -> int:
        return self.end - self.start


@dataclass(frozen=True, slots=True)
class Hole:
    """Text one witness lacks inside a matched passage (a lost page, a dropped line)."""

    siglum: str  # the witness that lacks the text
    at_line: int  # where, in that witness, the text is missing
    words: int  # how many words the other witness has there
    other_start_line: int
    other_end_line: int


@dataclass(frozen=True, slots=True)
class Match:
    """Two spans carrying the same text; `a` is the source or first copy, `b` the other."""

    id: str
    kind: MatchKind
    a: Span
    b: Span
    similarity: float  # 0..1, of the aligned text (holes excluded)
    subkind: str = ""  # dittography, spliced-block, formula, marked, unmarked, ...
    likelihood: float = 0.0  # that the repetition is a corruption (repeats); 0 otherwise
    why: str = ""
    holes: tuple[Hole, ...] = ()
    first_words: str = ""


# --- collation and classification -----------------------------------------------------


class Cause(StrEnum):
    """The closed vocabulary of DESIGN §4 (documented in tei/edition.rng)."""

    OCR = "ocr"
    JUNK = "junk"
    BOILERPLATE = "boilerplate"
    LACUNA = "lacuna"
    DITTOGRAPHY = "dittography"
    WORD_SPLIT = "word-split"
    WORD_JOIN = "word-join"
    STRUCTURE = "structure"
    TYPOGRAPHY = "typography"
    SUBSTANTIVE = "substantive"


CORRUPTIONS = frozenset(Cause) - {Cause.TYPOGRAPHY, Cause.SUBSTANTIVE}


@dataclass(frozen=True, slots=True)
class Reading:
    """One witness's reading at a point of variation: its surface text and where it is."""

    siglum: str
    text: str  # as printed; "" for an omission
    start: int  # token range in the witness's reading tokens
    end: int
    line: int  # source line (of the reading, or where the omission is)


@dataclass(frozen=True)
class Variant:
    """A point of variation between witnesses, classified, with the lemma chosen."""

    id: str
    readings: tuple[Reading, ...]
    lemma: str  # siglum whose reading the edition prints
    cause: Cause
    type: str  # substantive | orthographic
    confidence: float  # 0..1, that the classification (and corruption, if any) is right
    evidence: str
    corrupt: tuple[str, ...] = ()  # sigla whose reading is judged corrupt
    match: str = ""  # id of the duplicated passage it belongs to

    def reading(self, siglum: str) -> Reading | None:
        return next((r for r in self.readings if r.siglum == siglum), None)


@dataclass(frozen=True)
class Flag:
    """A reading judged a probable corruption, for an editor to review."""

    id: str
    siglum: str
    line: int
    reading: str
    suggestion: str
    cause: Cause
    type: str
    confidence: float
    evidence: str
    against: tuple[tuple[str, str], ...] = ()  # other witnesses' readings (siglum, text)
    variant: str = ""  # id of the Variant, when the flag comes from a collation
    context: str = ""  # a few words around the reading, to anchor decisions to content
    start: int = -1  # token range in the witness's reading tokens, when known
    end: int = -1
