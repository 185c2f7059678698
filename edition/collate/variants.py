"""Stage 5, classify the variants of a collation: what kind of difference each variant is,
which reading is corrupt, how sure we are, and which reading the edition prints.

Evidence, never witness names: a real word against a non-word (the shipped word list plus
the corpus's own vocabulary), letter-confusion patterns of OCR, junk touching a reading,
word frequency, and each witness's measured error rate. Every verdict carries a short
human-readable reason. Text found in one witness only is checked by `single`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence

from rapidfuzz.distance import Levenshtein

from ..lexicon import Lexicon
from ..model import CORRUPTIONS, Cause, Flag, Match, MatchKind, Reading, Variant
from ..tokens import ReadingToken
from .alignment import Collation, Segment
from .common import CONFUSIONS, context, short_id, surface

LACUNA_WORDS = 8  # an omission this long is a lacuna, shorter ones may be a dropped word


def _letters(tokens: Sequence[ReadingToken]) -> str:
    return re.sub(r"[\W_]", "", "".join(t.n for t in tokens))


def _is_word(lexicon: Lexicon, token: ReadingToken) -> bool:
    core = re.sub(r"^[\W_]+|[\W_]+$", "", token.t)
    if not core or core.isdigit() or re.fullmatch(r"[\d.,/½]+", core):
        return True
    if len(core) == 1:  # a lone letter is a word only as 'a', 'I' or 'O'
        return core.lower() in "aio"
    return lexicon.is_word(core)


def classify_collation(collation: Collation, lexicon: Lexicon, *, match: str = "",
                       error_rates: dict[str, float] | None = None) -> list[Variant]:
    """Classify every point of variation of a collation."""
    rates = error_rates or {}
    variants = []
    for segment in collation.variants():
        readings = {s: collation.reading(segment, s) for s in collation.sigla}
        variants.append(_classify(collation, segment, readings, lexicon, rates, match))
    return variants


def _reading(collation: Collation, segment: Segment, siglum: str) -> Reading:
    start, end = segment.range_of(siglum)
    tokens = collation.tokens[siglum]
    if start < end or start == 0:
        line = tokens[min(start, len(tokens) - 1)].line if tokens else 0
    else:  # an omission: where the text breaks off, the end of the preceding word
        line = tokens[start - 1].line
    return Reading(siglum, surface(tokens[start:end]), start, end, line)


def _classify(collation: Collation, segment: Segment,
              readings: dict[str, Sequence[ReadingToken]], lexicon: Lexicon,
              rates: dict[str, float], match: str) -> Variant:
    sigla = list(readings)
    present = [s for s in sigla if readings[s]]
    absent = [s for s in sigla if not readings[s]]
    cause, kind, conf, why, corrupt = _verdict(collation, segment, readings, present, absent,
                                               lexicon, rates)
    lemma = _lemma(collation.base, sigla, corrupt, readings, rates)
    all_readings = tuple(_reading(collation, segment, s) for s in sigla)
    base = all_readings[0]
    vid = short_id("v", match, base.siglum, base.start, base.end,
              *[(r.siglum, r.start, r.end) for r in all_readings[1:]])
    return Variant(vid, all_readings, lemma, cause, kind, round(conf, 2), why, tuple(corrupt),
                   match)


def _verdict(collation: Collation, segment: Segment,
             readings: dict[str, Sequence[ReadingToken]], present: list[str], absent: list[str],
             lexicon: Lexicon, rates: dict[str, float]
             ) -> tuple[Cause, str, float, str, list[str]]:
    if absent:
        longest = max(len(readings[s]) for s in present)
        text = surface(readings[present[0]])
        junk_near = [s for s in absent if _junk_near(collation, segment, s)]
        if text.startswith("[") and text.rstrip(".,;").endswith("]"):
            return (Cause.TYPOGRAPHY, "orthographic", 0.7,
                    "a bracketed note printed inline in one witness (a footnote or endnote in "
                    "the other)", [])
        if junk_near:
            return (Cause.JUNK, "substantive", 0.85,
                    f"{longest} word(s) replaced by extraction junk in {', '.join(junk_near)}",
                    junk_near)
        fragments = [s for s in present
                     if not any(_is_word(lexicon, t) for t in readings[s])]
        if fragments and longest <= 3:
            junky = any(t.junk for s in fragments for t in readings[s]) or any(
                _junk_region(collation, segment, s) for s in fragments)
            return (Cause.JUNK if junky else Cause.OCR, "substantive", 0.75,
                    f"'{text}' in {', '.join(fragments)} is no word: a fragment of damaged text",
                    fragments)
        if _doubles_neighbour(collation, segment, present[0]):
            return (Cause.DITTOGRAPHY, "substantive", 0.85,
                    f"'{text}' repeats the words beside it in {present[0]}", present)
        if longest >= LACUNA_WORDS:
            return (Cause.LACUNA, "substantive", 0.9,
                    f"{longest} words present in {', '.join(present)} are missing in "
                    f"{', '.join(absent)} (a lost page or line)", absent)
        return (Cause.LACUNA, "substantive", 0.55,
                f"'{text}' missing in {', '.join(absent)}", absent)
    return _both_present(collation, segment, readings, present, lexicon, rates)


def _both_present(collation: Collation, segment: Segment,
                  readings: dict[str, Sequence[ReadingToken]], present: list[str],
                  lexicon: Lexicon, rates: dict[str, float]
                  ) -> tuple[Cause, str, float, str, list[str]]:
    letters = {s: _letters(readings[s]) for s in present}
    words = {s: len(readings[s]) for s in present}
    junk = [s for s in present if any(t.junk for t in readings[s])]
    nonwords = {s: [t.t for t in readings[s] if not _is_word(lexicon, t)] for s in present}
    if len(set(letters.values())) == 1:
        if len(set(words.values())) == 1:
            return (Cause.TYPOGRAPHY, "orthographic", 0.9,
                    "the same letters, different punctuation or abbreviation style", [])
        bad = [s for s in present if nonwords[s]]
        more = [s for s in present if words[s] == max(words.values())]
        fewer = [s for s in present if words[s] == min(words.values())]
        if bad and set(bad) <= set(more):
            return (Cause.WORD_SPLIT, "orthographic", 0.9,
                    f"a word split by a space in {', '.join(bad)}: {', '.join(nonwords[bad[0]])}",
                    bad)
        if bad and set(bad) <= set(fewer):
            return (Cause.WORD_JOIN, "orthographic", 0.9,
                    f"words run together in {', '.join(bad)}: {', '.join(nonwords[bad[0]])}",
                    bad)
        one_word = [s for s in fewer if words[s] == 1 and all(_is_word(lexicon, t)
                                                             for t in readings[s])]
        if one_word and len(more) == 1:
            return (Cause.WORD_SPLIT, "orthographic", 0.65,
                    f"'{surface(readings[one_word[0]])}' written as two words in {more[0]}",
                    more)
        return (Cause.TYPOGRAPHY, "orthographic", 0.6,
                "the same letters, spaced differently (both forms are words)", [])
    if junk:
        return (Cause.JUNK, "substantive", 0.85,
                f"the reading of {', '.join(junk)} is cut by extraction junk", junk)
    in_junk = [s for s in present if nonwords[s] and _junk_region(collation, segment, s)]
    if in_junk:
        return (Cause.JUNK, "substantive", 0.8,
                f"'{surface(readings[in_junk[0]])}' is damaged inside a stretch of extraction "
                f"junk in {', '.join(in_junk)}", in_junk)
    digits = [s for s in present if all(re.fullmatch(r"[\d.,]+", t.n) for t in readings[s])]
    wordy = [s for s in present if all(t.n.isalpha() for t in readings[s])]
    if digits and wordy:
        confusion = _confusion(readings, digits[0], wordy[0])
        if confusion:
            return (Cause.OCR, "substantive", 0.85,
                    f"'{surface(readings[digits[0]])}' for '{surface(readings[wordy[0]])}': "
                    f"{confusion}", digits)
        return (Cause.JUNK, "substantive", 0.7,
                f"a number, '{surface(readings[digits[0]])}', stands where "
                f"{', '.join(wordy)} has words: debris of extraction", digits)
    bad = [s for s in present if nonwords[s]]
    good = [s for s in present if not nonwords[s]]
    pair = [_letters(readings[s]) for s in present[:2]]
    similarity = Levenshtein.normalized_similarity(pair[0], pair[1]) if len(pair) == 2 else 0
    if bad and good:
        confusion = _confusion(readings, bad[0], good[0])
        conf = min(0.97, 0.6 + 0.35 * similarity + (0.1 if confusion else 0))
        why = (f"'{surface(readings[bad[0]])}' is not a word; '{surface(readings[good[0]])}' "
               f"is (letter similarity {similarity:.2f}{'; ' + confusion if confusion else ''})")
        if similarity < 0.4 and not confusion:
            return (Cause.SUBSTANTIVE, "substantive", 0.4,
                    why + "; too different for a misreading", bad)
        return Cause.OCR, "substantive", conf, why, bad
    if bad and not good:  # non-words on every side
        rated = sorted(present, key=lambda s: rates.get(s, 0.0))
        return (Cause.OCR, "substantive", 0.5,
                "no reading is a known word; the witness with the higher measured error rate "
                "is taken as corrupt", rated[1:])
    # real words on every side
    if similarity >= 0.75 and max(words.values()) == 1:
        freq = {s: lexicon.frequency(readings[s][0].n) for s in present}
        rarer = min(present, key=lambda s: (freq[s], -rates.get(s, 0.0)))
        common = max(present, key=lambda s: freq[s])
        if freq[common] > 20 * max(freq[rarer], 1):
            return (Cause.OCR, "substantive", 0.55,
                    f"'{surface(readings[rarer])}' and '{surface(readings[common])}' differ by "
                    "a letter or two; the rarer word is likely a misreading", [rarer])
    return (Cause.SUBSTANTIVE, "substantive", 0.6,
            "real words in every witness: a difference of wording", [])


def _confusion(readings: dict[str, Sequence[ReadingToken]], bad: str, good: str) -> str:
    """A known OCR confusion explains the difference (digits for letters, rn/m, l/I)."""
    x, y = surface(readings[bad]).lower(), surface(readings[good]).lower()
    mapped = "".join(CONFUSIONS.get(c, c) for c in x)
    if mapped == y or Levenshtein.distance(mapped, y) < Levenshtein.distance(x, y):
        return "digits read for letters"
    if x.replace("rn", "m") == y or y.replace("rn", "m") == x:
        return "rn read for m"
    if x.replace("1", "l").replace("i", "l") == y.replace("i", "l"):
        return "l/I/1 confusion"
    return ""


def _junk_near(collation: Collation, segment: Segment, siglum: str) -> bool:
    start, _ = segment.range_of(siglum)
    tokens = collation.tokens[siglum]
    return any(tokens[i].junk for i in (start - 1, start) if 0 <= i < len(tokens))


def _junk_region(collation: Collation, segment: Segment, siglum: str, reach: int = 12) -> bool:
    """Extraction junk within a few words of the reading, in the same witness."""
    start, end = segment.range_of(siglum)
    tokens = collation.tokens[siglum]
    return any(t.junk for t in tokens[max(0, start - reach):end + reach])


def _doubles_neighbour(collation: Collation, segment: Segment, siglum: str) -> bool:
    start, end = segment.range_of(siglum)
    tokens = collation.tokens[siglum]
    size = end - start
    here = [t.n for t in tokens[start:end]]
    before = [t.n for t in tokens[max(0, start - size):start]]
    after = [t.n for t in tokens[end:end + size]]
    return bool(here) and here in (before, after)


def _lemma(base: str, sigla: list[str], corrupt: list[str],
           readings: dict[str, Sequence[ReadingToken]], rates: dict[str, float]) -> str:
    """The base witness's reading unless it is corrupt; else the cleanest witness's."""
    if base not in corrupt:
        return base
    sound = [s for s in sigla if s not in corrupt]
    if not sound:
        return base
    return min(sound, key=lambda s: (rates.get(s, 0.0), s))


def paragraph_flags(collation: Collation, rates: dict[str, float]) -> list[Flag]:
    """Where the witnesses agree word for word but one starts a paragraph the other runs
    on, the paragraphing differs: a paragraph glued to the previous one (or a spurious
    break). The witness with the higher measured error rate is taken as the wrong one."""
    flags = []
    base = collation.base
    for segment in collation.segments:
        if not segment.agree:
            continue
        b0, b1 = segment.range_of(base)
        for other in collation.sigla[1:]:
            o0, _ = segment.range_of(other)
            for k in range(1, b1 - b0):
                tb, ub = collation.tokens[base][b0 + k - 1], collation.tokens[base][b0 + k]
                to, uo = collation.tokens[other][o0 + k - 1], collation.tokens[other][o0 + k]
                breaks = {base: tb.block != ub.block, other: to.block != uo.block}
                if breaks[base] == breaks[other]:
                    continue
                glued = base if breaks[other] else other
                wrong = max((base, other), key=lambda s: (rates.get(s, 0.0), s == glued))
                token = ub if wrong == base else uo
                what = ("runs on where the other starts a paragraph" if wrong == glued
                        else "starts a paragraph the other runs on")
                flags.append(Flag(short_id("f", wrong, "para", token.line), wrong, token.line,
                                  token.t, "(new paragraph)" if wrong == glued else "(join)",
                                  Cause.STRUCTURE, "substantive", 0.6,
                                  f"{wrong} {what} (the words agree): paragraphs glued or "
                                  "split at a page boundary", (), "", token.t))
    return flags


def copies_are_dittography(variants: list[Variant], offsets: dict[str, int],
                           matches: Iterable[Match]) -> list[Variant]:
    """Text present in one witness only, when it is the second copy of a repeat that
    detection found in that witness, is that witness's dittography, not a lacuna of the
    others."""
    copies = [(m.b.siglum, m.b.start, m.b.end) for m in matches
              if m.kind is MatchKind.REPEAT and m.b.words >= 5]
    out = []
    for v in variants:
        if v.cause is Cause.LACUNA:
            present = [r for r in v.readings if r.text]
            for r in present:
                start, end = offsets[r.siglum] + r.start, offsets[r.siglum] + r.end
                if any(s == r.siglum and a <= start and end <= b + 1 for s, a, b in copies):
                    v = Variant(v.id, v.readings, next(x.siglum for x in v.readings
                                                       if not x.text), Cause.DITTOGRAPHY,
                                "substantive", 0.9, f"{end - start} words of {r.siglum} repeat "
                                "a passage printed elsewhere in it (found by detection)",
                                (r.siglum,), v.match)
                    break
        out.append(v)
    return out


def error_rates(variants: Iterable[Variant], sizes: dict[str, int]) -> dict[str, float]:
    """Corrupt readings per 1,000 words, per witness: a witness's measured reliability."""
    counts: Counter[str] = Counter()
    for v in variants:
        if v.cause in CORRUPTIONS:
            counts.update(v.corrupt)
    return {s: 1000 * counts[s] / max(n, 1) for s, n in sizes.items()}


def variant_flags(variants: Iterable[Variant], sources: dict[str, Sequence[ReadingToken]]
                  ) -> list[Flag]:
    """One flag per corrupt reading of a variant."""
    flags = []
    for v in variants:
        if v.cause not in CORRUPTIONS:
            continue
        lemma = v.reading(v.lemma)
        for siglum in v.corrupt:
            r = v.reading(siglum)
            if r is None:
                continue
            against = tuple((o.siglum, o.text) for o in v.readings if o.siglum != siglum)
            flags.append(Flag(short_id("f", v.id, siglum), siglum, r.line, r.text,
                              lemma.text if lemma and lemma.siglum != siglum else "",
                              v.cause, v.type, v.confidence, v.evidence, against, v.id,
                              context(sources[siglum], r.start, r.end)))
    return flags
