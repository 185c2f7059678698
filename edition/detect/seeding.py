"""Seeds and links: where two stretches of text may be the same, found without comparing them.

6-word shingles are hashed (vectorised) and thinned by winnowing (the minimum hash of every
window of 4), which keeps a guaranteed sample of any shared passage; equal hashes are linked
to their *next* occurrence only (k-1 links for k copies, never k^2), which also drops stock
phrases found in too many places.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .options import DetectOptions
from .streams import TokenStream


def seeds(streams: Sequence[TokenStream], table: np.ndarray,
          options: DetectOptions) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    k, w = options.shingle, options.window
    all_h, all_d, all_p = [], [], []
    for d, stream in enumerate(streams):
        n = len(stream.ids) - k + 1
        if n <= 0:
            continue
        mixed = table[stream.ids]
        h = np.zeros(n, dtype=np.uint64)
        with np.errstate(over="ignore"):
            for j in range(k):
                h = h * np.uint64(1_000_003) + mixed[j:j + n]
        if n > w:
            windows = sliding_window_view(h, w)
            picks = np.unique(windows.argmin(axis=1) + np.arange(n - w + 1))
        else:
            picks = np.arange(n)
        all_h.append(h[picks])
        all_d.append(np.full(len(picks), d, dtype=np.int32))
        all_p.append(picks.astype(np.int64))
    if not all_h:
        empty = np.zeros(0, dtype=np.int64)
        return empty.astype(np.uint64), empty.astype(np.int32), empty
    return np.concatenate(all_h), np.concatenate(all_d), np.concatenate(all_p)


def links(hashes: np.ndarray, docs: np.ndarray, positions: np.ndarray,
          options: DetectOptions) -> np.ndarray:
    """Pairs of seed occurrences (doc a, pos a, doc b, pos b), each to its next occurrence."""
    order = np.lexsort((positions, docs, hashes))
    h, d, p = hashes[order], docs[order], positions[order]
    if len(h) < 2:
        return np.zeros((0, 4), dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, h[1:] != h[:-1]])
    sizes = np.diff(np.r_[starts, len(h)])
    size_of = np.repeat(sizes, sizes)
    same = (h[1:] == h[:-1]) & (size_of[1:] <= options.max_occurrences)
    i = np.flatnonzero(same)
    links = np.stack([d[i], p[i], d[i + 1], p[i + 1]], axis=1).astype(np.int64)
    # a seed overlapping its own next occurrence is periodic text, not a repeat
    self_overlap = (links[:, 0] == links[:, 2]) & (links[:, 3] - links[:, 1] < options.shingle)
    return links[~self_overlap]
