"""Chains and passages: seed links grouped into the stretches a witness pair shares.

Links on the same pair of witnesses and the same diagonal, close together, are chained; the
chains of a pair are then merged (dynamic programming) across small gaps and holes (a lost
page, junk, page furniture) into passages, the candidates verification checks.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from .options import DetectOptions


@dataclass
class Chain:
    a0: int
    a1: int
    b0: int
    b1: int
    seeds: int


def chains(links: np.ndarray, options: DetectOptions) -> dict[tuple[int, int], list[Chain]]:
    """Seeds on the same witness pair and nearly the same diagonal, close together."""
    by_pair: dict[tuple[int, int], list[Chain]] = defaultdict(list)
    if not len(links):
        return by_pair
    da, pa, db, pb = links.T
    diag = pb - pa
    # (diagonal, position) packed in one key, then a stable sort by witness pair
    inner = ((diag + (1 << 31)).astype(np.uint64) << np.uint64(32)) | pa.astype(np.uint64)
    order = np.argsort(inner, kind="stable")
    pair = da[order] * (int(db.max()) + 1) + db[order]
    order = order[np.argsort(pair, kind="stable")]
    da, pa, db, pb, diag = da[order], pa[order], db[order], pb[order], diag[order]
    k = options.shingle
    brk = np.r_[True, (da[1:] != da[:-1]) | (db[1:] != db[:-1]) | (diag[1:] != diag[:-1])
                | (pa[1:] - pa[:-1] > options.max_gap)]
    chain_id = np.cumsum(brk) - 1
    firsts = np.flatnonzero(brk)
    lasts = np.r_[firsts[1:] - 1, len(pa) - 1]
    counts = np.bincount(chain_id)
    for f, last, c in zip(firsts.tolist(), lasts.tolist(), counts.tolist(), strict=True):
        by_pair[(int(da[f]), int(db[f]))].append(
            Chain(int(pa[f]), int(pa[last]) + k, int(pb[f]), int(pb[last]) + k, c))
    return by_pair


@dataclass
class Passage:
    chains: list[Chain]
    holes: list[tuple[str, int, int, int]] = field(default_factory=list)  # side, at, gap a, gap b

    @property
    def a0(self) -> int:
        return self.chains[0].a0

    @property
    def a1(self) -> int:
        return self.chains[-1].a1

    @property
    def b0(self) -> int:
        return self.chains[0].b0

    @property
    def b1(self) -> int:
        return self.chains[-1].b1


def merge(chains: list[Chain], options: DetectOptions,
          same_doc: bool = False) -> Iterable[Passage]:
    """Best chains of chains (dynamic programming), one passage per chain of chains.

    Small gaps cost little; a hole (one side jumps far ahead: a lost page) costs more and
    is allowed only between two substantial matches, so two paragraphs that merely open
    with the same words never become one passage.
    """
    chains = sorted(chains, key=lambda c: (c.a0, c.b0))
    k = options.shingle
    score: list[float] = []
    back: list[int] = []
    for j, cj in enumerate(chains):
        own = float(cj.a1 - cj.a0)
        best, best_i = own, -1
        for i in range(max(0, j - 64), j):
            ci = chains[i]
            ga, gb = cj.a0 - ci.a1, cj.b0 - ci.b1
            if ga < -k or gb < -k or (same_doc and cj.a1 > ci.b0):
                continue  # in one witness the first copy never runs into the second
            small, large = sorted((max(ga, 0), max(gb, 0)))
            if large <= options.max_gap:
                cost = 0.1 * large
            elif (small <= options.max_gap and large <= options.max_hole
                  and own >= options.hole_anchor and ci.a1 - ci.a0 >= options.hole_anchor):
                cost = 10 + 0.002 * large
            else:
                continue
            if score[i] + own - cost > best:
                best, best_i = score[i] + own - cost, i
        score.append(best)
        back.append(best_i)
    used = [False] * len(chains)
    passages: list[Passage] = []
    for j in sorted(range(len(chains)), key=lambda x: (-score[x], x)):
        if used[j]:
            continue
        path = []
        i = j
        while i >= 0 and not used[i]:
            path.append(i)
            used[i] = True
            i = back[i]
        members = [chains[x] for x in reversed(path)]
        passage = Passage([members[0]])
        for chain in members[1:]:
            ga, gb = chain.a0 - passage.a1, chain.b0 - passage.b1
            if max(ga, gb) > options.max_gap:
                side = "a" if ga < gb else "b"  # the side with the smaller gap lacks text
                passage.holes.append((side, passage.a1 if side == "a" else passage.b1,
                                      max(ga, 0), max(gb, 0)))
            passage.chains.append(chain)
        passages.append(passage)
    return sorted(passages, key=lambda p: (p.a0, p.b0))
