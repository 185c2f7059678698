"""The reading text of a witness as tokens: what detection and collation compare.

Only authorial blocks count (no furniture, boilerplate or junk). Each token keeps its
surface form `t`, a normalised form `n` (CollateX's pair) and the source line where it
starts; words split across a joined line break (de-hyphenation) are one token.
Normalisation is deliberately small and named, so a scholar can see what was folded.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from .model import BlockKind, Gap, Hi, Label, LineBreak, NoteRef, Text, Witness

READING_KINDS = frozenset({BlockKind.HEAD, BlockKind.P, BlockKind.QUOTE, BlockKind.NOTE,
                           BlockKind.LIST_ITEM, BlockKind.TABLE_ROW, BlockKind.CLOSER,
                           BlockKind.STANZA})

# a dash between words is a token of its own (it normalises to nothing): "fact—that" and
# "fact – that" are the same words; a hyphen inside a word stays ("rank-and-file")
_TOKEN = re.compile(r"[^\s—–―]+|[—–―]+")
_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "„": '"', "«": '"', "»": '"'})
_DASHES = str.maketrans({"–": "-", "—": "-", "‒": "-", "―": "-", "\u00ad": ""})
_LIGATURES = str.maketrans({"ﬁ": "fi", "ﬂ": "fl", "ﬀ": "ff", "ﬃ": "ffi", "ﬄ": "ffl"})
_EDGE_PUNCT = re.compile(r"^[\W_]+|[\W_]+$")
_WORDLIKE = re.compile(r"[^\W_]")
_ABBREVIATION = re.compile(r"^(?:[^\W\d_]\.){2,}[^\W\d_]?\.?$")  # G.P.U., U.S.A

# The normalisation rules a scholar can choose ([collate] normalise in edition.toml); each
# is recorded in the edition with the number of tokens it folded in each witness.
RULES = ("case", "quotes", "dashes", "ligatures", "punctuation", "abbreviations", "unicode")
DEFAULT_RULES = frozenset({"case", "quotes", "dashes", "ligatures", "punctuation", "unicode"})


@dataclass(frozen=True, slots=True)
class ReadingToken:
    t: str  # surface, as printed (with attached punctuation)
    n: str  # normalised: case, quotes, dashes, ligatures folded; edge punctuation removed
    line: int  # source line where the token starts
    block: int  # index of its block in witness.blocks
    junk: bool = False  # touches a gap of extraction junk (a word cut by junk)


def normalise(surface: str, rules: frozenset[str] = DEFAULT_RULES) -> str:
    """The token's normalised form under the chosen rules (default: fold case, quote and
    dash styles, ligatures, Unicode compatibility forms; drop punctuation at the edges;
    abbreviations such as "G.P.U."/"GPU" are folded only when asked)."""
    text = surface
    if "quotes" in rules:
        text = text.translate(_QUOTES)
    if "dashes" in rules:
        text = text.translate(_DASHES)
    if "ligatures" in rules:
        text = text.translate(_LIGATURES)
    if "unicode" in rules:
        text = unicodedata.normalize("NFKC", text)
    if "case" in rules:
        text = text.lower()
    if "punctuation" in rules:
        text = _EDGE_PUNCT.sub("", text)
    if "abbreviations" in rules and _ABBREVIATION.match(text + "."):
        text = text.replace(".", "")
    return text


def regularisations(tokens: Iterable[ReadingToken], rules: frozenset[str]) -> dict[str, int]:
    """How many tokens each rule changed (what the collation compared differs from what the
    witness prints): the record of every regularisation, for the edition's header."""
    counts = dict.fromkeys(sorted(rules), 0)
    for token in tokens:
        for rule in rules:
            if normalise(token.t, frozenset({rule})) != token.t:
                counts[rule] += 1
    return counts


def check_rules(names: Iterable[str]) -> frozenset[str]:
    """Validate configured rule names (a typo is an error, not a silent no-op)."""
    from .errors import ConfigError

    chosen = frozenset(names)
    unknown = sorted(chosen - set(RULES))
    if unknown:
        raise ConfigError(f"unknown normalisation rule(s) in [collate] normalise: "
                          f"{', '.join(unknown)}", hint=f"known rules: {', '.join(RULES)}")
    return chosen


def iter_reading_tokens(witness: Witness,
                        rules: frozenset[str] = DEFAULT_RULES) -> Iterator[ReadingToken]:
    """Tokens of the reading text in order; tokens with no letters or digits are dropped."""
    for index, block in enumerate(witness.blocks):
        if block.kind not in READING_KINDS:
            continue
        text, lines, gaps = _block_string(block.items)
        # which tokens exist never depends on the rules, so positions agree across stages
        matches = [m for m in _TOKEN.finditer(text) if _WORDLIKE.search(m.group())]
        for k, m in enumerate(matches):
            # a gap anywhere between this word and its neighbours: the word touches junk
            before = matches[k - 1].end() if k else 0
            after = matches[k + 1].start() if k + 1 < len(matches) else len(text)
            touches = any(before <= g < m.start() or m.end() <= g < after for g in gaps)
            yield ReadingToken(m.group(), normalise(m.group(), rules), lines[m.start()], index,
                               touches)


def reading_tokens(witness: Witness,
                   rules: frozenset[str] = DEFAULT_RULES) -> list[ReadingToken]:
    return list(iter_reading_tokens(witness, rules))


def _block_string(items: tuple) -> tuple[str, list[int], set[int]]:
    """A block's reading string, each character's source line, and where gaps stand."""
    parts: list[str] = []
    lines: list[int] = []
    gaps: set[int] = set()
    current = items[0].line if items and hasattr(items[0], "line") else 0
    for item in items:
        if isinstance(item, LineBreak):
            current = item.line
            if not item.joined and parts:
                parts.append(" ")
                lines.append(current)
        elif isinstance(item, Text | Label | Hi):
            parts.append(item.text)
            lines.extend([item.line] * len(item.text))
        elif isinstance(item, Gap | NoteRef):
            if isinstance(item, Gap):
                gaps.add(len(lines))
            parts.append(" ")
            lines.append(item.line)
        # furniture and page breaks inside a paragraph are not reading text
    return "".join(parts), lines, gaps
