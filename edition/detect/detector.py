"""The entry points of detection, `detect` and `detect_streams`: the steps, run in order.

Text-reuse method, near-linear in corpus size:
1. every witness's reading text becomes an array of word ids (`streams`);
2. 6-word shingles are hashed (vectorised) and thinned by winnowing (the minimum hash of
   every window of 4), which keeps a guaranteed sample of any shared passage (`seeding`);
3. equal hashes are linked to their *next* occurrence only (k-1 links for k copies, never
   k^2), which also drops stock phrases found in too many places (`seeding`);
4. seed links on the same pair of witnesses and the same diagonal are chained, and chains
   are merged across holes (a lost page, junk, page furniture) into passages (`chaining`);
5. each passage is verified by alignment (rapidfuzz) and classified: parallel, repeat
   (dittography, a spliced block, an authorial formula) or quotation (`verification`,
   `repeats`, which also finds doubled words).
No pairwise structure over the whole corpus is ever held in memory.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from ..model import Match, Witness
from . import chaining, repeats, seeding, verification
from .options import DetectOptions
from .streams import TokenStream, Vocabulary, witness_stream


def detect(witnesses: Sequence[Witness], options: DetectOptions | None = None) -> list[Match]:
    """Every duplicated passage of the witnesses, in a deterministic order."""
    vocab = Vocabulary()
    streams = [witness_stream(w, vocab) for w in witnesses]
    return detect_streams(streams, options or DetectOptions(), vocab_size=len(vocab))


def detect_streams(streams: Sequence[TokenStream], options: DetectOptions,
                   vocab_size: int) -> list[Match]:
    table = np.random.default_rng(20261122).integers(
        1, 2**63 - 1, size=max(vocab_size, 1), dtype=np.uint64)
    hashes, docs, positions = seeding.seeds(streams, table, options)
    links = seeding.links(hashes, docs, positions, options)
    chains = chaining.chains(links, options)
    matches: list[Match] = []
    for (da, db), group in sorted(chains.items()):
        for passage in chaining.merge(group, options, same_doc=da == db):
            match = verification.verify(streams[da], streams[db], passage, options)
            if match is not None:
                matches.append(match)
    for stream in streams:
        matches += repeats.doubled(stream, options)
    ordered = sorted(matches, key=lambda m: (m.a.siglum, m.a.start, m.b.siglum, m.b.start))
    return unique_ids(repeats.classify_formulas(ordered))


def unique_ids(matches: list[Match]) -> list[Match]:
    """Match ids name the kind and the start lines (`rep-A12-A12`), which two matches share
    when they start on the same lines (two doubled words on one line): those ids also name
    the word positions of both sides, which no two distinct matches share."""
    count = Counter(m.id for m in matches)
    return [m if count[m.id] == 1 else
            replace(m, id=f"{m.id}.{m.a.start}-{m.a.end}.{m.b.start}-{m.b.end}")
            for m in matches]
