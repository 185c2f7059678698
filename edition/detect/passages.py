"""Stage 3, detect: duplicated passages across and within witnesses.

Text-reuse method, near-linear in corpus size:
1. every witness's reading text becomes an array of word ids;
2. 6-word shingles are hashed (vectorised) and thinned by winnowing (the minimum hash of
   every window of 4), which keeps a guaranteed sample of any shared passage;
3. equal hashes are linked to their *next* occurrence only (k-1 links for k copies, never
   k^2), which also drops stock phrases found in too many places;
4. seed links on the same pair of witnesses and the same diagonal are chained, and chains
   are merged across holes (a lost page, junk, page furniture) into passages;
5. each passage is verified by alignment (rapidfuzz) and classified: parallel, repeat
   (dittography, a spliced block, an authorial formula) or quotation.
No pairwise structure over the whole corpus is ever held in memory.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from rapidfuzz.distance import Indel

from ..model import Hole, Match, MatchKind, Span, Witness
from ..tokens import READING_KINDS, iter_reading_tokens

ENDS_SENTENCE = 1
QUOTED = 2
BLOCK_START = 4
TRAILING_PUNCT = 8
_LEGIT_DOUBLES = frozenset({"that", "had", "is", "do", "very", "no", "bye", "ha", "so"})


@dataclass(frozen=True)
class DetectOptions:
    """Thresholds ([detect] in edition.toml)."""

    shingle: int = 6  # words per seed
    window: int = 4  # winnowing window
    max_occurrences: int = 500  # a seed found more often is a stock phrase
    min_words: int = 12  # shortest passage reported
    min_quoted_words: int = 8  # shortest passage reported when inside quotation marks
    min_similarity: float = 0.6
    max_gap: int = 60  # words of difference bridged without calling it a hole
    max_hole: int = 2500  # longest hole bridged inside one passage (a lost page or two)
    hole_anchor: int = 20  # a hole is bridged only between matches at least this long
    parallel_words: int = 150  # cross-witness matches this long are parallels
    doubled_max: int = 12  # longest doubled phrase looked for word by word

    @classmethod
    def from_mapping(cls, values: dict) -> DetectOptions:
        known = {f for f in cls.__dataclass_fields__}
        unknown = set(values) - known
        if unknown:
            from ..errors import ConfigError

            raise ConfigError(f"unknown [detect] option(s): {', '.join(sorted(unknown))}",
                              hint=f"known: {', '.join(sorted(known))}")
        return cls(**values)


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


def detect(witnesses: Sequence[Witness], options: DetectOptions | None = None) -> list[Match]:
    """Every duplicated passage of the witnesses, in a deterministic order."""
    vocab = Vocabulary()
    streams = [witness_stream(w, vocab) for w in witnesses]
    return detect_streams(streams, options or DetectOptions(), vocab_size=len(vocab))


def detect_streams(streams: Sequence[TokenStream], options: DetectOptions,
                   vocab_size: int) -> list[Match]:
    table = np.random.default_rng(20261122).integers(
        1, 2**63 - 1, size=max(vocab_size, 1), dtype=np.uint64)
    hashes, docs, positions = _seeds(streams, table, options)
    links = _links(hashes, docs, positions, options)
    chains = _chains(links, options)
    matches: list[Match] = []
    for (da, db), group in sorted(chains.items()):
        for passage in _merge(group, options, same_doc=da == db):
            match = _verify(streams[da], streams[db], passage, options)
            if match is not None:
                matches.append(match)
    for stream in streams:
        matches += _doubled(stream, options)
    return _classify_formulas(sorted(matches, key=lambda m: (m.a.siglum, m.a.start, m.b.siglum,
                                                           m.b.start)))


# --- seeds and links ------------------------------------------------------------------


def _seeds(streams: Sequence[TokenStream], table: np.ndarray,
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


def _links(hashes: np.ndarray, docs: np.ndarray, positions: np.ndarray,
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


@dataclass
class _Chain:
    a0: int
    a1: int
    b0: int
    b1: int
    seeds: int


def _chains(links: np.ndarray, options: DetectOptions) -> dict[tuple[int, int], list[_Chain]]:
    """Seeds on the same witness pair and nearly the same diagonal, close together."""
    by_pair: dict[tuple[int, int], list[_Chain]] = defaultdict(list)
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
            _Chain(int(pa[f]), int(pa[last]) + k, int(pb[f]), int(pb[last]) + k, c))
    return by_pair


@dataclass
class _Passage:
    chains: list[_Chain]
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


def _merge(chains: list[_Chain], options: DetectOptions,
           same_doc: bool = False) -> Iterable[_Passage]:
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
    passages: list[_Passage] = []
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
        passage = _Passage([members[0]])
        for chain in members[1:]:
            ga, gb = chain.a0 - passage.a1, chain.b0 - passage.b1
            if max(ga, gb) > options.max_gap:
                side = "a" if ga < gb else "b"  # the side with the smaller gap lacks text
                passage.holes.append((side, passage.a1 if side == "a" else passage.b1,
                                      max(ga, 0), max(gb, 0)))
            passage.chains.append(chain)
        passages.append(passage)
    return sorted(passages, key=lambda p: (p.a0, p.b0))


# --- verification and classification ---------------------------------------------------


def _segments(p: _Passage, options: DetectOptions) -> list[tuple[int, int, int, int]]:
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


def _windows(p: _Passage, options: DetectOptions) -> list[tuple[int, int, int, int]]:
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


def _verify(sa: TokenStream, sb: TokenStream, p: _Passage,
            options: DetectOptions) -> Match | None:
    same = sa is sb
    if same and p.b0 < p.a1:  # overlapping copies of one stretch: periodic text
        return None
    words = min(p.a1 - p.a0, p.b1 - p.b0)
    if words < options.min_words:
        quoted = not same and max(_quoted_share(sa, _span(sa, p.a0, p.a1)),
                                  _quoted_share(sb, _span(sb, p.b0, p.b1))) >= 0.5
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
    a = _span(sa, p.a0, p.a1)
    b = _span(sb, p.b0, p.b1)
    holes = tuple(_hole(sa, sb, p, h) for h in p.holes)
    first = " ".join(sa.surfaces[p.a0:p.a0 + 8]) if sa.surfaces else ""
    if same:
        return _repeat(sa, a, b, similarity, holes, first)
    return _cross(sa, sb, a, b, similarity, holes, first, options)


def _span(s: TokenStream, start: int, end: int) -> Span:
    end = min(end, len(s.ids))
    return Span(s.name, start, end, int(s.lines[start]), int(s.lines[end - 1]))


def _hole(sa: TokenStream, sb: TokenStream, p: _Passage, h: tuple[str, int, int, int]) -> Hole:
    side, at, gap_a, gap_b = h
    lacking, other = (sa, sb) if side == "a" else (sb, sa)
    other_at = _other_position(p, side, at)
    words = gap_b if side == "a" else gap_a
    at = min(at, len(lacking.lines) - 1)
    start = min(other_at, len(other.lines) - 1)
    end = min(other_at + words, len(other.lines)) - 1
    return Hole(lacking.name, int(lacking.lines[at]), int(words), int(other.lines[start]),
                int(other.lines[max(start, end)]))


def _other_position(p: _Passage, side: str, at: int) -> int:
    for prev in p.chains[:-1]:
        if (prev.a1 if side == "a" else prev.b1) == at:
            return prev.b1 if side == "a" else prev.a1
    return p.b1 if side == "a" else p.a1


def _match_id(kind: MatchKind, a: Span, b: Span) -> str:
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
    return Match(_match_id(kind, a, b), kind, a, b, round(similarity, 4), sub, likelihood, why,
                 holes, first)


def _cross(sa: TokenStream, sb: TokenStream, a: Span, b: Span, similarity: float,
           holes: tuple[Hole, ...], first: str, options: DetectOptions) -> Match:
    if min(a.words, b.words) >= options.parallel_words:
        kind, sub = MatchKind.PARALLEL, "parallel"
        why = f"{min(a.words, b.words)} words shared at similarity {similarity:.2f}"
        if holes:
            why += f"; {len(holes)} hole(s) where one witness lacks text"
        return Match(_match_id(kind, a, b), kind, a, b, round(similarity, 4), sub, 0.0, why,
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
    return Match(_match_id(kind, a, b), kind, a, b, round(similarity, 4), sub, 0.0, why, holes,
                 first)


def _quoted_share(s: TokenStream, span: Span) -> float:
    flags = s.flags[span.start:span.end]
    return float(np.count_nonzero(flags & QUOTED)) / max(len(flags), 1)


def _doubled(s: TokenStream, options: DetectOptions) -> list[Match]:
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
            a = _span(s, i, i + length)
            b = _span(s, i + length, i + 2 * length)
            word = s.surfaces[i].lower().strip(".,;:!?\"“”’'") if s.surfaces else ""
            legit = length == 1 and word in _LEGIT_DOUBLES
            likelihood = 0.35 if legit else 0.9
            sub = "doubled-word" if length == 1 else "doubled-phrase"
            shown = " ".join(s.surfaces[i:i + length]) if s.surfaces else f"{length} word(s)"
            why = (f"'{shown}' written twice in a row"
                   + (" (a doubling that English allows)" if legit else ""))
            found.append(Match(_match_id(MatchKind.REPEAT, a, b), MatchKind.REPEAT, a, b, 1.0,
                               sub, likelihood, why, (),
                               " ".join(s.surfaces[i:i + 2 * length]) if s.surfaces else ""))
    return found


def _has_letter(word: str) -> bool:
    return any(c.isalpha() for c in word)


def _classify_formulas(matches: list[Match]) -> list[Match]:
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


__all__ = ["READING_KINDS", "DetectOptions", "TokenStream", "Vocabulary", "detect",
           "detect_streams", "witness_stream"]
