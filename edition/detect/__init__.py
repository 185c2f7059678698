"""Stage 3, detect: duplicated passages, from content alone.

Takes the witnesses (`Witness[]`); gives `Match[]`: the same text in two witnesses
(`parallel`, with the holes where one lost a page), repeats inside one witness (`repeat`:
doubled words, a block spliced in twice, the author's formulas), and quotations of one source
in another (`quotation`, marked or not). Winnowed shingles, chained on diagonals and verified
by alignment; near-linear in corpus size.
"""

from __future__ import annotations

from .passages import DetectOptions, detect, detect_streams

__all__ = ["DetectOptions", "detect", "detect_streams"]
