"""Repeats found apart from the seeds: doubled words and the author's formulas.

Doubled words and short phrases ('have have', 'of the of the') are shorter than a seed, so
they are looked for word by word in each stream; formulas are named afterwards, among the
verified repeats, as the short passages one witness repeats three or more times.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ..model import Match, MatchKind
from .options import DetectOptions
from .streams import BLOCK_START, TRAILING_PUNCT, TokenStream, span
from .verification import match_id

_LEGIT_DOUBLES = frozenset({"that", "had", "is", "do", "very", "no", "bye", "ha", "so"})


def doubled(s: TokenStream, options: DetectOptions) -> list[Match]:
    """Doubled words and short phrases ('have have', 'of the of the'), word by word."""
    found: list[Match] = []
    taken = np.zeros(len(s.ids), dtype=bool)
    for length in range(options.doubled_max, 0, -1):
        if len(s.ids) < 2 * length:
            continue
        eq = s.ids[:-length] == s.ids[length:]
        # positions i where ids[i:i+L] == ids[i+L:i+2L]
        run = sliding_window_view(eq, length).all(axis=1) if length > 1 else eq
        for i in np.flatnonzero(run).tolist():
            if taken[i:i + 2 * length].any() or i + 2 * length > len(s.ids):
                continue
            surfaces = s.surfaces[i:i + length] if s.surfaces else []
            if surfaces and any(not _has_letter(w) for w in surfaces):
                continue  # numbers in tables repeat by design
            if s.flags[i + length - 1] & TRAILING_PUNCT or s.flags[i + length] & BLOCK_START:
                continue  # 'it. It', 'etc., etc.', a heading then its first sentence
            taken[i:i + 2 * length] = True
            a = span(s, i, i + length)
            b = span(s, i + length, i + 2 * length)
            word = s.surfaces[i].lower().strip(".,;:!?\"“”’'") if s.surfaces else ""
            legit = length == 1 and word in _LEGIT_DOUBLES
            likelihood = 0.35 if legit else 0.9
            sub = "doubled-word" if length == 1 else "doubled-phrase"
            shown = " ".join(s.surfaces[i:i + length]) if s.surfaces else f"{length} word(s)"
            why = (f"'{shown}' written twice in a row"
                   + (" (a doubling that English allows)" if legit else ""))
            found.append(Match(match_id(MatchKind.REPEAT, a, b), MatchKind.REPEAT, a, b, 1.0,
                               sub, likelihood, why, (),
                               " ".join(s.surfaces[i:i + 2 * length]) if s.surfaces else ""))
    return found


def _has_letter(word: str) -> bool:
    return any(c.isalpha() for c in word)


def classify_formulas(matches: list[Match]) -> list[Match]:
    """Short passages repeated three or more times in one witness are the author's formula."""
    counts: Counter[tuple[str, str]] = Counter()
    for m in matches:
        if m.kind is MatchKind.REPEAT and m.subkind == "repeated-passage":
            counts[(m.a.siglum, m.first_words.lower())] += 1
    result = []
    for m in matches:
        if (m.kind is MatchKind.REPEAT and m.subkind == "repeated-passage"
                and counts[(m.a.siglum, m.first_words.lower())] >= 2 and m.a.words < 40):
            m = Match(m.id, m.kind, m.a, m.b, m.similarity, "formula", 0.1,
                      "a short passage the text repeats three or more times: a formula or "
                      "refrain of the author's, not a corruption", m.holes, m.first_words)
        result.append(m)
    return result
