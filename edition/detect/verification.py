"""Verification and classification: a candidate passage checked by alignment, made a `Match`.

Each passage is aligned (rapidfuzz, on word ids) window by window, so verification stays
linear however long the passage; a passage similar enough becomes a `Match` with its spans
and holes, classified: within one witness a repeat (dittography, a spliced block, a passage
quoted twice), across two a parallel or a quotation (which side quotes which).
"""

from __future__ import annotations

import numpy as np
from rapidfuzz.distance import Indel

from ..model import Hole, Match, MatchKind, Span
from .chaining import Passage
from .options import DetectOptions
from .streams import ENDS_SENTENCE, QUOTED, TokenStream, span


def _segments(p: Passage, options: DetectOptions) -> list[tuple[int, int, int, int]]:
    """Aligned stretches between holes: (a0, a1, b0, b1)."""
    segs: list[tuple[int, int, int, int]] = []
    a0, b0 = p.a0, p.b0
    prev = p.chains[0]
    for chain in p.chains[1:]:
        if max(chain.a0 - prev.a1, chain.b0 - prev.b1) > options.max_gap:
            segs.append((a0, prev.a1, b0, prev.b1))
            a0, b0 = chain.a0, chain.b0
        prev = chain
    segs.append((a0, prev.a1, b0, prev.b1))
    return segs


WINDOW = 2000  # longest stretch verified in one alignment: keeps verification linear


def _windows(p: Passage, options: DetectOptions) -> list[tuple[int, int, int, int]]:
    """Aligned stretches between holes, cut at chain starts into windows of at most
    WINDOW words, so a 400,000-word passage costs 200 small alignments, not one huge one."""
    out: list[tuple[int, int, int, int]] = []
    starts = []  # chain starts, and points every WINDOW words along each chain's diagonal
    for c in p.chains:
        starts += [(a, a + c.b0 - c.a0) for a in range(c.a0, max(c.a1, c.a0 + 1), WINDOW)]
    for a0, a1, b0, b1 in _segments(p, options):
        cut_a, cut_b = a0, b0
        for ca, cb in starts:
            if cut_a < ca < a1 and cut_b <= cb <= b1 and ca - cut_a >= WINDOW:
                out.append((cut_a, ca, cut_b, cb))
                cut_a, cut_b = ca, cb
        out.append((cut_a, a1, cut_b, b1))
    return out


def verify(sa: TokenStream, sb: TokenStream, p: Passage,
           options: DetectOptions) -> Match | None:
    same = sa is sb
    if same and p.b0 < p.a1:  # overlapping copies of one stretch: periodic text
        return None
    words = min(p.a1 - p.a0, p.b1 - p.b0)
    if words < options.min_words:
        quoted = not same and max(_quoted_share(sa, span(sa, p.a0, p.a1)),
                                  _quoted_share(sb, span(sb, p.b0, p.b1))) >= 0.5
        if not quoted or words < options.min_quoted_words:
            return None
    total = matched = 0.0
    for a0, a1, b0, b1 in _windows(p, options):
        x, y = sa.ids[a0:a1].tolist(), sb.ids[b0:b1].tolist()
        sim = Indel.normalized_similarity(x, y)
        total += len(x) + len(y)
        matched += sim * (len(x) + len(y))
    similarity = matched / total if total else 0.0
    if similarity < options.min_similarity:
        return None
    a = span(sa, p.a0, p.a1)
    b = span(sb, p.b0, p.b1)
    holes = tuple(_hole(sa, sb, p, h) for h in p.holes)
    first = " ".join(sa.surfaces[p.a0:p.a0 + 8]) if sa.surfaces else ""
    if same:
        return _repeat(sa, a, b, similarity, holes, first)
    return _cross(sa, sb, a, b, similarity, holes, first, options)


def _hole(sa: TokenStream, sb: TokenStream, p: Passage, h: tuple[str, int, int, int]) -> Hole:
    side, at, gap_a, gap_b = h
    lacking, other = (sa, sb) if side == "a" else (sb, sa)
    other_at = _other_position(p, side, at)
    words = gap_b if side == "a" else gap_a
    at = min(at, len(lacking.lines) - 1)
    start = min(other_at, len(other.lines) - 1)
    end = min(other_at + words, len(other.lines)) - 1
    return Hole(lacking.name, int(lacking.lines[at]), int(words), int(other.lines[start]),
                int(other.lines[max(start, end)]))


def _other_position(p: Passage, side: str, at: int) -> int:
    for prev in p.chains[:-1]:
        if (prev.a1 if side == "a" else prev.b1) == at:
            return prev.b1 if side == "a" else prev.a1
    return p.b1 if side == "a" else p.a1


def match_id(kind: MatchKind, a: Span, b: Span) -> str:
    return f"{kind.value[:3]}-{a.siglum}{a.start_line}-{b.siglum}{b.start_line}"


def _repeat(s: TokenStream, a: Span, b: Span, similarity: float, holes: tuple[Hole, ...],
            first: str) -> Match:
    kind = MatchKind.REPEAT
    adjacent = b.start - a.end <= 1
    mid_sentence = b.start > 0 and not (s.flags[b.start - 1] & ENDS_SENTENCE)
    quoted = bool(s.flags[a.start] & QUOTED) and bool(s.flags[b.start] & QUOTED)
    if adjacent:
        sub, likelihood = "dittography", 0.9
        why = f"the same {a.words} words written twice in a row"
    elif quoted:
        sub, likelihood = "quoted-again", 0.15
        why = "both copies are inside quotation marks: the author quotes the passage twice"
    elif mid_sentence and a.words >= 20:
        sub, likelihood = "spliced-block", 0.95
        why = (f"a block of {a.words} words printed again at line {b.start_line}, spliced in "
               "mid-sentence")
    else:
        sub, likelihood = "repeated-passage", 0.6
        why = f"a passage of {a.words} words occurs twice, {b.start - a.end} words apart"
    return Match(match_id(kind, a, b), kind, a, b, round(similarity, 4), sub, likelihood, why,
                 holes, first)


def _cross(sa: TokenStream, sb: TokenStream, a: Span, b: Span, similarity: float,
           holes: tuple[Hole, ...], first: str, options: DetectOptions) -> Match:
    if min(a.words, b.words) >= options.parallel_words:
        kind, sub = MatchKind.PARALLEL, "parallel"
        why = f"{min(a.words, b.words)} words shared at similarity {similarity:.2f}"
        if holes:
            why += f"; {len(holes)} hole(s) where one witness lacks text"
        return Match(match_id(kind, a, b), kind, a, b, round(similarity, 4), sub, 0.0, why,
                     holes, first)
    kind = MatchKind.QUOTATION
    a_marked = _quoted_share(sa, a) >= 0.5
    b_marked = _quoted_share(sb, b) >= 0.5
    # a is the quoted source, b the quoting text: the marked side quotes, else the later one
    if a_marked != b_marked:
        swap = a_marked
    elif sa.date and sb.date and sa.date != sb.date:
        swap = sa.date > sb.date  # the later text quotes the earlier
    else:
        swap = len(sa.ids) < len(sb.ids)  # the shorter text quotes the longer
    if swap:
        a, b, sa, sb = b, a, sb, sa
        a_marked, b_marked = b_marked, a_marked
    if a_marked and b_marked:
        sub = "shared-quotation"
        why = (f"{b.siglum} at line {b.start_line} and {a.siglum} at line {a.start_line} both "
               f"quote the same {b.words} words in quotation marks: a common source, or one "
               "quoting the other's quotation")
    else:
        sub = "marked" if b_marked else "unmarked"
        how = "quoted in quotation marks" if b_marked else "borrowed without quotation marks"
        why = (f"{b.words} words of {a.siglum} at line {a.start_line} {how} "
               f"by {b.siglum} at line {b.start_line}")
    first = " ".join(sa.surfaces[a.start:a.start + 8]) if sa.surfaces else first
    return Match(match_id(kind, a, b), kind, a, b, round(similarity, 4), sub, 0.0, why, holes,
                 first)


def _quoted_share(s: TokenStream, span: Span) -> float:
    flags = s.flags[span.start:span.end]
    return float(np.count_nonzero(flags & QUOTED)) / max(len(flags), 1)
