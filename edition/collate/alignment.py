"""Stage 4, collate: word-by-word alignment of witnesses of one passage.

Any number of witnesses are aligned against a base (star alignment): each pair is cut
into stretches at anchors (words unique in both texts, taken in increasing order on both
sides), so cost grows close to linearly and no matrix over whole texts is built; each
stretch is aligned on normalised tokens by rapidfuzz; inside replaced stretches, near
matching pairs OCR-damaged words with their counterparts ("deviation"/"Aviation") and
lines up split and joined words ("w ho"/"who"). The result is parallel segmentation: a
sequence of segments where the witnesses agree or vary.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein

from ..tokens import ReadingToken

MAX_DIRECT = 4_000_000  # aligned in one piece below this many token pairs
NEAR_BLOCK = 40  # replaced stretches up to this long are sub-aligned by near matching


@dataclass(frozen=True, slots=True)
class Segment:
    """One column of the alignment: per witness a token range [start, end) in its tokens.

    `agree` is True where every witness has the same normalised words."""

    ranges: tuple[tuple[str, int, int], ...]  # (siglum, start, end)
    agree: bool

    def range_of(self, siglum: str) -> tuple[int, int]:
        for s, a, b in self.ranges:
            if s == siglum:
                return a, b
        return 0, 0


@dataclass(frozen=True)
class Collation:
    """An aligned passage: the witnesses' tokens and the segments in reading order."""

    base: str
    tokens: dict[str, Sequence[ReadingToken]]
    segments: tuple[Segment, ...]

    @property
    def sigla(self) -> tuple[str, ...]:
        return tuple(self.tokens)

    def reading(self, segment: Segment, siglum: str) -> Sequence[ReadingToken]:
        start, end = segment.range_of(siglum)
        return self.tokens[siglum][start:end]

    def variants(self) -> list[Segment]:
        return [s for s in self.segments if not s.agree]


def collate(tokens: dict[str, Sequence[ReadingToken]], base: str | None = None) -> Collation:
    """Align every witness against the base (default: the first) and merge the pairs."""
    if not tokens:
        raise ValueError("nothing to collate")
    base = base or next(iter(tokens))
    others = [s for s in tokens if s != base]
    pair_ops = {s: align(tokens[base], tokens[s]) for s in others}
    return Collation(base, dict(tokens), _merge_star(base, len(tokens[base]), pair_ops))


# --- pairwise alignment -----------------------------------------------------------------

Op = tuple[str, int, int, int, int]  # (tag, a0, a1, b0, b1), tag in equal|replace|insert|delete


def align(a: Sequence[ReadingToken], b: Sequence[ReadingToken]) -> list[Op]:
    """Opcodes aligning b to a on normalised words, with near matching in replacements."""
    vocab: dict[str, int] = {}
    ia = [vocab.setdefault(t.n, len(vocab)) for t in a]
    ib = [vocab.setdefault(t.n, len(vocab)) for t in b]
    ops: list[Op] = []
    for a0, a1, b0, b1 in _stretches(ia, ib):
        raw = [(tag, a0 + x0, a0 + x1, b0 + y0, b0 + y1)
               for tag, x0, x1, y0, y1 in Levenshtein.opcodes(ia[a0:a1], ib[b0:b1])]
        for op in _differences_together(raw):
            tag, x0, x1, y0, y1 = op
            if tag == "replace" and max(x1 - x0, y1 - y0) <= NEAR_BLOCK:
                ops.extend(_near(a, b, op))
            else:
                ops.append(op)
    return _coalesce(ops)


def _differences_together(ops: list[Op]) -> list[Op]:
    """Adjacent non-equal opcodes (an insert beside a replace: 'who' / 'w ho') become one
    replaced stretch, so near matching sees the whole difference."""
    out: list[Op] = []
    for op in ops:
        if out and op[0] != "equal" and out[-1][0] != "equal":
            prev = out[-1]
            out[-1] = ("replace", prev[1], op[2], prev[3], op[4])
        else:
            out.append(op)
    return out


def _stretches(ia: list[int], ib: list[int]) -> list[tuple[int, int, int, int]]:
    """Cut both sequences at anchors when aligning them whole would be too costly."""
    if len(ia) * len(ib) <= MAX_DIRECT:
        return [(0, len(ia), 0, len(ib))]
    ca, cb = Counter(ia), Counter(ib)
    where_b = {v: i for i, v in enumerate(ib) if cb[v] == 1}
    pairs = [(i, where_b[v]) for i, v in enumerate(ia) if ca[v] == 1 and v in where_b]
    chain = _increasing(pairs)
    cuts: list[tuple[int, int, int, int]] = []
    pa = pb = 0
    for i, j in chain:
        if (i - pa) * (j - pb) > 0 or i > pa or j > pb:
            cuts.append((pa, i, pb, j))
        cuts.append((i, i + 1, j, j + 1))
        pa, pb = i + 1, j + 1
    cuts.append((pa, len(ia), pb, len(ib)))
    return [c for c in cuts if c[1] > c[0] or c[3] > c[2]]


def _increasing(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Longest chain of pairs increasing in both coordinates (patience sorting, n log n)."""
    tails: list[int] = []
    tail_index: list[int] = []
    back: list[int] = []
    for k, (_, j) in enumerate(pairs):
        pos = bisect.bisect_left(tails, j)
        if pos == len(tails):
            tails.append(j)
            tail_index.append(k)
        else:
            tails[pos] = j
            tail_index[pos] = k
        back.append(tail_index[pos - 1] if pos else -1)
    chain = []
    k = tail_index[-1] if tail_index else -1
    while k >= 0:
        chain.append(pairs[k])
        k = back[k]
    return chain[::-1]


def _similar(x: str, y: str) -> float:
    return Levenshtein.normalized_similarity(x, y)


def _near(a: Sequence[ReadingToken], b: Sequence[ReadingToken], op: Op) -> list[Op]:
    """Sub-align a replaced stretch: 1:1 pairs by letter similarity, 2:1 and 1:2 for
    split and joined words, gaps elsewhere (dynamic programming on a small block)."""
    _, a0, a1, b0, b1 = op
    n, m = a1 - a0, b1 - b0
    inf = float("inf")
    cost = [[inf] * (m + 1) for _ in range(n + 1)]
    step: list[list[tuple[int, int] | None]] = [[None] * (m + 1) for _ in range(n + 1)]
    cost[0][0] = 0.0
    gap = 1.0
    for i in range(n + 1):
        for j in range(m + 1):
            c = cost[i][j]
            if c == inf:
                continue
            moves: list[tuple[int, int, float]] = [(1, 0, gap), (0, 1, gap)]
            if i < n and j < m:
                moves.append((1, 1, 1.6 * (1 - _similar(a[a0 + i].n, b[b0 + j].n))))
            if i + 1 < n and j < m:  # two words of a are one of b (a split in a)
                joined = a[a0 + i].n + a[a0 + i + 1].n
                moves.append((2, 1, 0.2 + 1.6 * (1 - _similar(joined, b[b0 + j].n))))
            if i < n and j + 1 < m:  # one word of a is two of b (a join in a)
                joined = b[b0 + j].n + b[b0 + j + 1].n
                moves.append((1, 2, 0.2 + 1.6 * (1 - _similar(a[a0 + i].n, joined))))
            for di, dj, w in moves:
                ni, nj = i + di, j + dj
                if ni <= n and nj <= m and c + w < cost[ni][nj]:
                    cost[ni][nj] = c + w
                    step[ni][nj] = (di, dj)
    path: list[tuple[int, int, int, int]] = []
    i, j = n, m
    while i or j:
        di, dj = step[i][j]  # type: ignore[misc]
        path.append((i - di, i, j - dj, j))
        i, j = i - di, j - dj
    ops: list[Op] = []
    for x0, x1, y0, y1 in reversed(path):
        tag = "replace" if x1 > x0 and y1 > y0 else ("delete" if x1 > x0 else "insert")
        ops.append((tag, a0 + x0, a0 + x1, b0 + y0, b0 + y1))
    return ops


def _coalesce(ops: list[Op]) -> list[Op]:
    """Adjacent equal runs merge; adjacent gaps merge into one delete/insert/replace only
    when they are pure gaps (paired words stay separate variants)."""
    out: list[Op] = []
    for op in ops:
        if out and op[0] == out[-1][0] and op[0] in ("equal", "delete", "insert"):
            prev = out[-1]
            out[-1] = (op[0], prev[1], op[2], prev[3], op[4])
        else:
            out.append(op)
    return out


# --- merging pairs into one alignment (star) ---------------------------------------------


def _merge_star(base: str, n_base: int, pair_ops: dict[str, list[Op]]) -> tuple[Segment, ...]:
    """Segments on base boundaries: for each base stretch, each witness's aligned range.

    Boundaries come from every pair's opcodes; insertions (text only in a witness) become
    segments of their own, between base tokens. Each pair's opcodes are indexed once, so
    merging costs O(n log n), not a rescan per boundary."""
    if not pair_ops:
        return (Segment(((base, 0, n_base),), True),) if n_base else ()
    index = {s: _OpIndex(ops) for s, ops in pair_ops.items()}
    cuts = {0, n_base}
    for ops in pair_ops.values():
        for _, a0, a1, _, _ in ops:
            cuts.update((a0, a1))
    bounds = sorted(cuts)
    segments: list[Segment] = []
    for lo, hi in zip(bounds, [*bounds[1:], None], strict=True):
        inserted = {s: ix.inserted[lo] for s, ix in index.items() if lo in ix.inserted}
        if inserted:
            ranges = [(base, lo, lo)]
            for s, ix in index.items():
                b0, b1 = inserted.get(s, (ix.position(lo),) * 2)
                ranges.append((s, b0, b1))
            segments.append(Segment(tuple(ranges), False))
        if hi is None:
            break
        ranges = [(base, lo, hi)]
        agree = True
        for s, ix in index.items():
            b0, b1, tag = ix.map(lo, hi)
            ranges.append((s, b0, b1))
            agree = agree and tag == "equal"
        segments.append(Segment(tuple(ranges), agree))
    return tuple(_join_agreeing(segments))


class _OpIndex:
    """One witness's opcodes against the base, searchable by base position."""

    def __init__(self, ops: list[Op]) -> None:
        self.inserted = {a0: (b0, b1) for tag, a0, _, b0, b1 in ops if tag == "insert"}
        self.spans = [op for op in ops if op[0] != "insert"]  # cover the base in order
        self.starts = [op[1] for op in self.spans]
        self.end = ops[-1][4] if ops else 0

    def _op_at(self, pos: int) -> Op | None:
        k = bisect.bisect_right(self.starts, pos) - 1
        if k >= 0 and self.spans[k][1] <= pos < self.spans[k][2]:
            return self.spans[k]
        return None

    def position(self, base_pos: int) -> int:
        """The witness position at a base position (after any insertion there)."""
        if base_pos in self.inserted:
            return self.inserted[base_pos][1]
        op = self._op_at(base_pos)
        if op is None:
            return self.end
        tag, a0, _, b0, b1 = op
        if tag == "equal":
            return b0 + (base_pos - a0)
        return b0 if base_pos == a0 else b1  # inside a replacement: after its reading

    def map(self, lo: int, hi: int) -> tuple[int, int, str]:
        """Witness range and kind for the base stretch [lo, hi) (inside one opcode)."""
        op = self._op_at(lo)
        if op is None:
            return self.end, self.end, "delete"
        tag, a0, _, b0, b1 = op
        if tag == "equal":
            return b0 + (lo - a0), b0 + (hi - a0), "equal"
        # a replaced reading cut by another witness's boundary goes with its first part
        return (b0, b1, tag) if lo == a0 else (b1, b1, tag)


def _join_agreeing(segments: list[Segment]) -> list[Segment]:
    out: list[Segment] = []
    for seg in segments:
        if out and seg.agree and out[-1].agree:
            prev = out[-1]
            ranges = tuple((s, pa, b) for (s, pa, _), (_, _, b) in
                           zip(prev.ranges, seg.ranges, strict=True))
            out[-1] = Segment(ranges, True)
        else:
            out.append(seg)
    return out
