"""Witnesses as token streams: what every step of detection reads.

A witness's reading text becomes parallel arrays over one shared `Vocabulary`: word ids,
source lines and flag bits (sentence end, inside quotation marks, block start, trailing
punctuation); `span` turns a stretch of a stream back into a `Span` of the model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from ..model import Span, Witness
from ..tokens import iter_reading_tokens

ENDS_SENTENCE = 1
QUOTED = 2
BLOCK_START = 4
TRAILING_PUNCT = 8


@dataclass
class TokenStream:
    """One document as arrays: word ids, source lines, flags (sentence end, quoted)."""

    name: str
    ids: np.ndarray
    lines: np.ndarray
    flags: np.ndarray
    surfaces: list[str] = field(default_factory=list)  # kept only for reporting
    date: str = ""


class Vocabulary(dict):
    def id(self, word: str) -> int:
        value = self.get(word)
        if value is None:
            value = self[word] = len(self)
        return value


def witness_stream(witness: Witness, vocab: Vocabulary) -> TokenStream:
    ids: list[int] = []
    lines: list[int] = []
    flags: list[int] = []
    surfaces: list[str] = []
    depth = 0
    block = -1
    for token in iter_reading_tokens(witness):
        quoted_block = witness.blocks[token.block].kind.value == "quote"
        starts_block = token.block != block
        if starts_block:  # quotation marks never run on across paragraphs here
            depth, block = 0, token.block
        opens = token.t.count("“") + (token.t.startswith('"') and not token.t.endswith('"'))
        closes = token.t.count("”") + (token.t.endswith('"') and not token.t.startswith('"'))
        depth = max(0, depth + opens)
        flag = QUOTED if (depth > 0 or quoted_block) else 0
        depth = max(0, depth - closes)
        if re.search(r"[.!?][”\"’)]*$", token.t):
            flag |= ENDS_SENTENCE
        if starts_block:
            flag |= BLOCK_START
        if re.search(r"[.,;:!?]$", token.t):
            flag |= TRAILING_PUNCT
        ids.append(vocab.id(token.n))
        lines.append(token.line)
        flags.append(flag)
        surfaces.append(token.t)
    year = re.search(r"\b(1[5-9]\d\d|20\d\d)\b", witness.meta("date"))
    return TokenStream(witness.siglum, np.asarray(ids, dtype=np.int64),
                       np.asarray(lines, dtype=np.int32), np.asarray(flags, dtype=np.uint8),
                       surfaces, year.group(1) if year else "")


def span(s: TokenStream, start: int, end: int) -> Span:
    end = min(end, len(s.ids))
    return Span(s.name, start, end, int(s.lines[start]), int(s.lines[end - 1]))
