"""Stage 3, detect: duplicated passages, from content alone.

Takes the witnesses (`Witness[]`); gives `Match[]`: the same text in two witnesses
(`parallel`, with the holes where one lost a page), repeats inside one witness (`repeat`:
doubled words, a block spliced in twice, the author's formulas), and quotations of one source
in another (`quotation`, marked or not). Winnowed shingles, chained on diagonals and verified
by alignment; near-linear in corpus size.

`detector` runs the steps: `streams` (witnesses as word-id arrays), `seeding` (winnowed
shingles linked to their next occurrence), `chaining` (links chained and merged into
passages), `verification` (passages aligned and made matches), `repeats` (doubled words,
formulas); `options` holds the thresholds.
"""

from __future__ import annotations

from .detector import detect, detect_streams
from .options import DetectOptions
from .streams import BLOCK_START, TokenStream, Vocabulary, witness_stream

__all__ = ["BLOCK_START", "DetectOptions", "TokenStream", "Vocabulary", "detect",
           "detect_streams", "witness_stream"]
