"""The reading text of a witness as tokens: what detection and collation compare.

Only authorial blocks count (no furniture, boilerplate or junk). Each token keeps its
surface form `t`, a normalised form `n` (CollateX's pair) and the source line where it
starts; words split across a joined line break (de-hyphenation) are one token.
Normalisation is deliberately small and named, so a scholar can see what was folded.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from .model import BlockKind, Gap, Label, LineBreak, NoteRef, Text, Witness

READING_KINDS = frozenset({BlockKind.HEAD, BlockKind.P, BlockKind.QUOTE, BlockKind.NOTE,
                           BlockKind.LIST_ITEM, BlockKind.TABLE_ROW, BlockKind.CLOSER})

# a dash between words is a token of its own (it normalises to nothing): "fact—that" and
# "fact – that" are the same words; a hyphen inside a word stays ("rank-and-file")
_TOKEN = re.compile(r"[^\s—–―]+|[—–―]+")
_FOLD = str.maketrans({
    "’": "'", "‘": "'", "“": '"', "”": '"', "„": '"', "«": '"', "»": '"',
    "–": "-", "—": "-", "‒": "-", "―": "-", "\u00ad": "",
    "ﬁ": "fi", "ﬂ": "fl", "ﬀ": "ff", "ﬃ": "ffi", "ﬄ": "ffl",
})
_EDGE_PUNCT = re.compile(r"^[\W_]+|[\W_]+$")


@dataclass(frozen=True, slots=True)
class ReadingToken:
    t: str  # surface, as printed (with attached punctuation)
    n: str  # normalised: case, quotes, dashes, ligatures folded; edge punctuation removed
    line: int  # source line where the token starts
    block: int  # index of its block in witness.blocks
    junk: bool = False  # touches a gap of extraction junk (a word cut by junk)


def normalise(surface: str) -> str:
    """Fold case, quote and dash styles, ligatures; drop punctuation at the edges."""
    text = unicodedata.normalize("NFKC", surface.translate(_FOLD)).lower()
    return _EDGE_PUNCT.sub("", text)


def iter_reading_tokens(witness: Witness) -> Iterator[ReadingToken]:
    """Tokens of the reading text in order; tokens with no letters or digits are dropped."""
    for index, block in enumerate(witness.blocks):
        if block.kind not in READING_KINDS:
            continue
        text, lines, gaps = _block_string(block.items)
        matches = [m for m in _TOKEN.finditer(text) if normalise(m.group())]
        for k, m in enumerate(matches):
            # a gap anywhere between this word and its neighbours: the word touches junk
            before = matches[k - 1].end() if k else 0
            after = matches[k + 1].start() if k + 1 < len(matches) else len(text)
            touches = any(before <= g < m.start() or m.end() <= g < after for g in gaps)
            yield ReadingToken(m.group(), normalise(m.group()), lines[m.start()], index,
                               touches)


def reading_tokens(witness: Witness) -> list[ReadingToken]:
    return list(iter_reading_tokens(witness))


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
        elif isinstance(item, Text | Label):
            parts.append(item.text)
            lines.extend([item.line] * len(item.text))
        elif isinstance(item, Gap | NoteRef):
            if isinstance(item, Gap):
                gaps.add(len(lines))
            parts.append(" ")
            lines.append(item.line)
        # furniture and page breaks inside a paragraph are not reading text
    return "".join(parts), lines, gaps
