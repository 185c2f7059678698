"""Stage 5, flags without a collation: probable corruptions found in one witness alone
(non-words, digits in words, impossible years, split and joined words, stray punctuation,
words cut by junk), and the flags detection and ingest leave (repeats, page furniture,
extraction junk, split paragraphs, structural anomalies). Every flag carries a short
human-readable reason. The variants of a collation are classified by `variants`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from ..lexicon import Lexicon
from ..model import Anomaly, Cause, Flag, Furniture, Gap, Match, MatchKind, Witness
from ..tokens import ReadingToken
from .common import CONFUSIONS, context, short_id, surface

_DIGIT_WORD = re.compile(r"[^\W\d_]*\d[\w]*")
_ABBREVIATIONS = {"kg", "km", "cm", "mm", "lb", "oz", "ft", "no", "pp", "cf", "ed", "ch", "vs",
                  "ca", "op", "st", "mr", "dr", "ff", "ie", "eg"}


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
    reading = surface(tokens[start:end])
    if keep_punctuation and suggestion and end - start == 1 and not suggestion.startswith("("):
        # the correction keeps the reading's punctuation: 'pissiors,' -> 'pissoirs,'
        lead = re.match(r"^[\W_]*", reading).group()
        trail = re.search(r"[\W_]*$", reading).group()
        suggestion = lead + suggestion + trail
    return Flag(short_id("f", witness.siglum, tokens[start].line, start, reading), witness.siglum,
                tokens[start].line, reading, suggestion, cause,
                "orthographic" if cause in (Cause.WORD_SPLIT, Cause.WORD_JOIN) else "substantive",
                round(confidence, 2), why, (), "", context(tokens, start, end), start, end)


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
        mapped = "".join(CONFUSIONS.get(c, c) for c in core.lower())
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
        flags.append(Flag(short_id("f", m.id), m.b.siglum, m.b.start_line, reading, "(delete)",
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
                flags.append(Flag(short_id("f", witness.siglum, "fw", item.line), witness.siglum,
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
                flags.append(Flag(short_id("f", witness.siglum, "gap", item.line, item.junk),
                                  witness.siglum, item.line, item.junk, "(remove)", Cause.JUNK,
                                  "substantive", 0.9, "extraction junk removed from the reading "
                                  "text and kept as gap", (), "", item.junk))
    return flags


def split_flags(witness: Witness) -> list[Flag]:
    """Paragraphs the ingest split apart (glued at a page top): an editor should confirm."""
    return [Flag(short_id("f", witness.siglum, "split", c.line), witness.siglum, c.line,
                 witness.lines[c.line - 1][:60] if 0 < c.line <= len(witness.lines) else "",
                 "(new paragraph)", Cause.STRUCTURE, "substantive", 0.5, c.detail, (), "", "")
            for c in witness.cleanups if c.action == "split"]


def anomaly_flags(witness: Witness) -> list[Flag]:
    """Structural anomalies of ingest become flags (cause structure or lacuna)."""
    flags = []
    for a in witness.anomalies:
        cause = Cause.LACUNA if a.cause == "lacuna" else Cause.STRUCTURE
        flags.append(Flag(short_id("f", witness.siglum, a.kind, a.line), witness.siglum, a.line,
                          a.evidence or a.kind, "", cause, "substantive",
                          _anomaly_confidence(a), a.message, (), "", a.evidence))
    return flags


def _anomaly_confidence(a: Anomaly) -> float:
    return {"header-footer-mismatch": 0.9, "lost-heading": 0.85, "out-of-order": 0.8,
            "breaks-off": 0.6, "breaks-and-resumes": 0.65}.get(a.kind, 0.5)
