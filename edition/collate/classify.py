"""Stage 5, classify: what kind of difference each variant is, which reading is corrupt,
how sure we are, and which reading the edition prints.

Evidence, never witness names: a real word against a non-word (the shipped word list plus
the corpus's own vocabulary), letter-confusion patterns of OCR, junk touching a reading,
word frequency, and each witness's measured error rate. Text found in one witness only is
checked too: non-words, digits in words, impossible years, split and joined words, stray
punctuation, words cut by junk. Every verdict carries a short human-readable reason.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable, Sequence

from rapidfuzz.distance import Levenshtein

from ..lexicon import Lexicon
from ..model import (
    CORRUPTIONS,
    Anomaly,
    Cause,
    Flag,
    Furniture,
    Gap,
    Match,
    MatchKind,
    Reading,
    Variant,
    Witness,
)
from ..tokens import ReadingToken
from .alignment import Collation, Segment

LACUNA_WORDS = 8  # an omission this long is a lacuna, shorter ones may be a dropped word
_CONFUSIONS = {"0": "o", "1": "l", "5": "s", "8": "s", "9": "s", "6": "b", "3": "e", "4": "a"}
_DIGIT_WORD = re.compile(r"[^\W\d_]*\d[\w]*")
_ABBREVIATIONS = {"kg", "km", "cm", "mm", "lb", "oz", "ft", "no", "pp", "cf", "ed", "ch", "vs",
                  "ca", "op", "st", "mr", "dr", "ff", "ie", "eg"}


def _id(prefix: str, *parts: object) -> str:
    digest = hashlib.sha1("\x1f".join(map(str, parts)).encode()).hexdigest()[:6]
    return f"{prefix}-{digest}"


def _surface(tokens: Sequence[ReadingToken]) -> str:
    return " ".join(t.t for t in tokens)


def _letters(tokens: Sequence[ReadingToken]) -> str:
    return re.sub(r"[\W_]", "", "".join(t.n for t in tokens))


def _is_word(lexicon: Lexicon, token: ReadingToken) -> bool:
    core = re.sub(r"^[\W_]+|[\W_]+$", "", token.t)
    if not core or core.isdigit() or re.fullmatch(r"[\d.,/½]+", core):
        return True
    if len(core) == 1:  # a lone letter is a word only as 'a', 'I' or 'O'
        return core.lower() in "aio"
    return lexicon.is_word(core)


# --- variants ------------------------------------------------------------------------


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
    return Reading(siglum, _surface(tokens[start:end]), start, end, line)


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
    vid = _id("v", match, base.siglum, base.start, base.end,
              *[(r.siglum, r.start, r.end) for r in all_readings[1:]])
    return Variant(vid, all_readings, lemma, cause, kind, round(conf, 2), why, tuple(corrupt),
                   match)


def _verdict(collation: Collation, segment: Segment,
             readings: dict[str, Sequence[ReadingToken]], present: list[str], absent: list[str],
             lexicon: Lexicon, rates: dict[str, float]
             ) -> tuple[Cause, str, float, str, list[str]]:
    if absent:
        longest = max(len(readings[s]) for s in present)
        text = _surface(readings[present[0]])
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
                    f"'{_surface(readings[one_word[0]])}' written as two words in {more[0]}",
                    more)
        return (Cause.TYPOGRAPHY, "orthographic", 0.6,
                "the same letters, spaced differently (both forms are words)", [])
    if junk:
        return (Cause.JUNK, "substantive", 0.85,
                f"the reading of {', '.join(junk)} is cut by extraction junk", junk)
    in_junk = [s for s in present if nonwords[s] and _junk_region(collation, segment, s)]
    if in_junk:
        return (Cause.JUNK, "substantive", 0.8,
                f"'{_surface(readings[in_junk[0]])}' is damaged inside a stretch of extraction "
                f"junk in {', '.join(in_junk)}", in_junk)
    digits = [s for s in present if all(re.fullmatch(r"[\d.,]+", t.n) for t in readings[s])]
    wordy = [s for s in present if all(t.n.isalpha() for t in readings[s])]
    if digits and wordy:
        confusion = _confusion(readings, digits[0], wordy[0])
        if confusion:
            return (Cause.OCR, "substantive", 0.85,
                    f"'{_surface(readings[digits[0]])}' for '{_surface(readings[wordy[0]])}': "
                    f"{confusion}", digits)
        return (Cause.JUNK, "substantive", 0.7,
                f"a number, '{_surface(readings[digits[0]])}', stands where "
                f"{', '.join(wordy)} has words: debris of extraction", digits)
    bad = [s for s in present if nonwords[s]]
    good = [s for s in present if not nonwords[s]]
    pair = [_letters(readings[s]) for s in present[:2]]
    similarity = Levenshtein.normalized_similarity(pair[0], pair[1]) if len(pair) == 2 else 0
    if bad and good:
        confusion = _confusion(readings, bad[0], good[0])
        conf = min(0.97, 0.6 + 0.35 * similarity + (0.1 if confusion else 0))
        why = (f"'{_surface(readings[bad[0]])}' is not a word; '{_surface(readings[good[0]])}' "
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
                    f"'{_surface(readings[rarer])}' and '{_surface(readings[common])}' differ by "
                    "a letter or two; the rarer word is likely a misreading", [rarer])
    return (Cause.SUBSTANTIVE, "substantive", 0.6,
            "real words in every witness: a difference of wording", [])


def _confusion(readings: dict[str, Sequence[ReadingToken]], bad: str, good: str) -> str:
    """A known OCR confusion explains the difference (digits for letters, rn/m, l/I)."""
    x, y = _surface(readings[bad]).lower(), _surface(readings[good]).lower()
    mapped = "".join(_CONFUSIONS.get(c, c) for c in x)
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
                flags.append(Flag(_id("f", wrong, "para", token.line), wrong, token.line,
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
            flags.append(Flag(_id("f", v.id, siglum), siglum, r.line, r.text,
                              lemma.text if lemma and lemma.siglum != siglum else "",
                              v.cause, v.type, v.confidence, v.evidence, against, v.id,
                              _context(sources[siglum], r.start, r.end)))
    return flags


def _context(tokens: Sequence[ReadingToken], start: int, end: int, width: int = 4) -> str:
    left = " ".join(t.t for t in tokens[max(0, start - width):start])
    right = " ".join(t.t for t in tokens[end:end + width])
    return f"{left} [{_surface(tokens[start:end])}] {right}".strip()


# --- single-witness checks -------------------------------------------------------------------


def single_witness_flags(witness: Witness, tokens: Sequence[ReadingToken], lexicon: Lexicon,
                         covered: set[int],
                         checked: dict[int, Flag | None] | None = None) -> list[Flag]:
    """Probable corruptions found in one witness alone (token indices in `covered` are
    already variants of a collation and are skipped). The check of a position depends on
    that position only, so a caller running several passes may share `checked`."""
    flags: list[Flag] = []
    year = _document_year(witness, tokens)
    checked = {} if checked is None else checked
    i = 0
    while i < len(tokens):
        if i in covered:
            i += 1
            continue
        if i not in checked:
            checked[i] = _check_token(witness, tokens, i, lexicon, year)
        found = checked[i]
        if found is not None:
            flags.append(found)
            i += 2 if found.cause in (Cause.WORD_SPLIT,) else 1
            continue
        i += 1
    return flags


def _flag(witness: Witness, tokens: Sequence[ReadingToken], start: int, end: int, cause: Cause,
          suggestion: str, confidence: float, why: str, keep_punctuation: bool = True) -> Flag:
    reading = _surface(tokens[start:end])
    if keep_punctuation and suggestion and end - start == 1 and not suggestion.startswith("("):
        # the correction keeps the reading's punctuation: 'pissiors,' -> 'pissoirs,'
        lead = re.match(r"^[\W_]*", reading).group()
        trail = re.search(r"[\W_]*$", reading).group()
        suggestion = lead + suggestion + trail
    return Flag(_id("f", witness.siglum, tokens[start].line, start, reading), witness.siglum,
                tokens[start].line, reading, suggestion, cause,
                "orthographic" if cause in (Cause.WORD_SPLIT, Cause.WORD_JOIN) else "substantive",
                round(confidence, 2), why, (), "", _context(tokens, start, end), start, end)


def _check_token(witness: Witness, tokens: Sequence[ReadingToken], i: int, lexicon: Lexicon,
                 year: int | None) -> Flag | None:
    t = tokens[i]
    core = re.sub(r"^[\W_]+|[\W_]+$", "", t.t)
    if not core:
        return None
    if t.junk and core.isalpha() and not lexicon.is_word(core):
        return _flag(witness, tokens, i, i + 1, Cause.JUNK, "", 0.8,
                     f"'{core}' is cut off by extraction junk")
    if year and re.fullmatch(r"1[5-9]\d\d|20\d\d", core) and int(core) > year + 1:
        return _flag(witness, tokens, i, i + 1, Cause.OCR, "", 0.75,
                     f"the year {core} is after the document's date ({year}): a misread digit")
    glued = re.fullmatch(r"([A-Za-z]{2,})(\d[\d.,]*)", core)
    if glued and lexicon.is_word(glued.group(1)):
        return _flag(witness, tokens, i, i + 1, Cause.WORD_JOIN,
                     f"{glued.group(1)} {glued.group(2)}", 0.9,
                     f"a word and a number run together: '{core}'")
    ordinal_or_algebra = re.fullmatch(r"\d+(?:st|nd|rd|th|s)|\d+[a-z]", core)
    if _DIGIT_WORD.fullmatch(core) and any(c.isalpha() for c in core) and not ordinal_or_algebra:
        mapped = "".join(_CONFUSIONS.get(c, c) for c in core.lower())
        if lexicon.is_word(mapped) or mapped.replace("o", "0").isdigit():
            suggestion = mapped if lexicon.is_word(mapped) else mapped.replace("o", "0")
            return _flag(witness, tokens, i, i + 1, Cause.OCR, suggestion, 0.85,
                         f"digits read for letters in '{core}'")
    if i + 1 < len(tokens) and tokens[i + 1].line == t.line:
        nxt = re.sub(r"^[\W_]+|[\W_]+$", "", tokens[i + 1].t)
        joined = core + nxt
        if (nxt and core.isalpha() and nxt.isalpha() and not t.t.endswith((",", ".", ";", ":"))
                and (not lexicon.is_word(core) or not lexicon.is_word(nxt))
                and lexicon.is_word(joined)):
            return _flag(witness, tokens, i, i + 2, Cause.WORD_SPLIT, joined, 0.8,
                         f"'{core} {nxt}' is one word split by a space")
    if (re.fullmatch(r"[a-z]{1,2}\.", t.t) and core not in _ABBREVIATIONS
            and i + 1 < len(tokens) and tokens[i + 1].t[:1].islower()):
        return _flag(witness, tokens, i, i + 1, Cause.OCR, core, 0.6,
                     f"a full stop inside a sentence after '{core}'", keep_punctuation=False)
    if (core.isalpha() and core.islower() and len(core) >= 5 and not lexicon.is_word(core)
            and not _unknown_neighbour(tokens, i, lexicon)):
        suggestion = lexicon.suggest(core)
        if suggestion:
            return _flag(witness, tokens, i, i + 1, Cause.OCR, suggestion, 0.65,
                         f"'{core}' is not a word; '{suggestion}' is one letter away")
    return None


def _unknown_neighbour(tokens: Sequence[ReadingToken], i: int, lexicon: Lexicon) -> bool:
    """An unknown word beside another is more likely a foreign phrase than a misreading."""
    for j in (i - 1, i + 1):
        if 0 <= j < len(tokens) and not tokens[j].junk:
            core = re.sub(r"^[\W_]+|[\W_]+$", "", tokens[j].t)
            if core.isalpha() and len(core) > 1 and not lexicon.is_word(core):
                return True
    return False


def _document_year(witness: Witness, tokens: Sequence[ReadingToken]) -> int | None:
    """The document's year: its metadata date, else its datelines."""
    for name in ("date",):
        m = re.search(r"\b(1[5-9]\d\d|20\d\d)\b", witness.meta(name))
        if m:
            return int(m.group(1))
    years = []
    for block in witness.blocks:
        if block.kind.value == "closer":
            years += [int(y) for y in re.findall(r"\b(1[5-9]\d\d|20\d\d)\b", block.text)]
    return max(years) if years else None


# --- flags from detection and ingest ----------------------------------------------------------


def repeat_flags(matches: Iterable[Match], witnesses: dict[str, Witness]) -> list[Flag]:
    """Repeats judged likely corruptions (dittography, spliced blocks) become flags."""
    flags = []
    for m in matches:
        if m.kind is not MatchKind.REPEAT or m.likelihood < 0.5:
            continue
        reading = m.first_words if m.b.words <= 8 else f"{m.first_words} … ({m.b.words} words)"
        flags.append(Flag(_id("f", m.id), m.b.siglum, m.b.start_line, reading, "(delete)",
                          Cause.DITTOGRAPHY, "substantive", m.likelihood, m.why, (), m.id,
                          m.first_words))
    return flags


def furniture_flags(witness: Witness, first_line: int, last_line: int) -> list[Flag]:
    """Page furniture that broke into a sentence inside a collated passage: the ingest
    removed it from the reading text; the flag lets an editor confirm."""
    flags = []
    for block in witness.blocks:
        if block.kind.value != "p" or block.last_line < first_line or block.first_line > last_line:
            continue
        for item in block.items:
            if isinstance(item, Furniture):
                flags.append(Flag(_id("f", witness.siglum, "fw", item.line), witness.siglum,
                                  item.line, item.text, "(remove)", Cause.BOILERPLATE,
                                  "substantive", 0.95,
                                  f"page {item.kind} inside a sentence: recorded as fw and "
                                  "removed from the reading text", (), "", item.text))
    return flags


def junk_flags(witness: Witness) -> list[Flag]:
    """Extraction junk removed from the reading text (kept as gap): an editor confirms."""
    flags = []
    for block in witness.blocks:
        for item in block.items:
            if isinstance(item, Gap) and item.reason == "illegible":
                flags.append(Flag(_id("f", witness.siglum, "gap", item.line, item.junk),
                                  witness.siglum, item.line, item.junk, "(remove)", Cause.JUNK,
                                  "substantive", 0.9, "extraction junk removed from the reading "
                                  "text and kept as gap", (), "", item.junk))
    return flags


def split_flags(witness: Witness) -> list[Flag]:
    """Paragraphs the ingest split apart (glued at a page top): an editor should confirm."""
    return [Flag(_id("f", witness.siglum, "split", c.line), witness.siglum, c.line,
                 witness.lines[c.line - 1][:60] if 0 < c.line <= len(witness.lines) else "",
                 "(new paragraph)", Cause.STRUCTURE, "substantive", 0.5, c.detail, (), "", "")
            for c in witness.cleanups if c.action == "split"]


def anomaly_flags(witness: Witness) -> list[Flag]:
    """Structural anomalies of ingest become flags (cause structure or lacuna)."""
    flags = []
    for a in witness.anomalies:
        cause = Cause.LACUNA if a.cause == "lacuna" else Cause.STRUCTURE
        flags.append(Flag(_id("f", witness.siglum, a.kind, a.line), witness.siglum, a.line,
                          a.evidence or a.kind, "", cause, "substantive",
                          _anomaly_confidence(a), a.message, (), "", a.evidence))
    return flags


def _anomaly_confidence(a: Anomaly) -> float:
    return {"header-footer-mismatch": 0.9, "lost-heading": 0.85, "out-of-order": 0.8,
            "breaks-off": 0.6, "breaks-and-resumes": 0.65}.get(a.kind, 0.5)
