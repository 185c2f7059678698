"""Small helpers both halves of classification use (`variants`: the variants of a
collation; `single`: checks of one witness alone): the stable short ids of variants and flags,
a reading's surface text and its context in the witness, and the digits OCR reads for letters.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from ..tokens import ReadingToken

CONFUSIONS = {"0": "o", "1": "l", "5": "s", "8": "s", "9": "s", "6": "b", "3": "e", "4": "a"}


def short_id(prefix: str, *parts: object) -> str:
    digest = hashlib.sha1("\x1f".join(map(str, parts)).encode()).hexdigest()[:6]
    return f"{prefix}-{digest}"


def surface(tokens: Sequence[ReadingToken]) -> str:
    return " ".join(t.t for t in tokens)


def context(tokens: Sequence[ReadingToken], start: int, end: int, width: int = 4) -> str:
    left = " ".join(t.t for t in tokens[max(0, start - width):start])
    right = " ".join(t.t for t in tokens[end:end + width])
    return f"{left} [{surface(tokens[start:end])}] {right}".strip()
