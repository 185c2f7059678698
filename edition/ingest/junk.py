"""Extraction junk in plain text: PDF operators, drawing coordinates, garbled runs.

Apart from the rest of structure recognition because it decides what is *not* text: every
rule here removes words from the reading text (into a `gap`, with the junk kept), so it must
hold for any source. What a reader reads as words is text, whatever it looks like to an
English word list: citations (`F.3d`, `1292(a)(1)`, `U.S.C. §`), codes and numbers
(`3:20-CV-257`, `CO2`, `2000cc`), e-mail addresses and URLs, note calls (`word[2]`), brand
names (`FedEx`, `eBook`), dialect spellings (`keepin’`) and other languages (a French
novel, a quotation in German): `reads_as_text` says so before any rule of junk is tried,
and a run of non-words that are words of another shipped language is not junk. A lone
suspicious token is left for the classifier (OCR damage is flagged, never removed).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..lexicon import Lexicon, other_language

# text-showing and marked-content operators that are not also English words
_PDF_OPS = {"Tj", "TJ", "Tf", "Td", "TD", "Tm", "T*", "Tc", "Tw", "Tz", "TL", "Tr", "Ts",
            "BDC", "EMC", "endobj", "endstream"}
_DIGITS_AS_LETTERS = str.maketrans("01458369", "olassebs")
_ORDINAL = re.compile(r"^\d+(?:st|nd|rd|th|s|'s|’s)$", re.I)
_VOWELS = set("aeiouyAEIOUY")
_EDGES = ".,;:!?\"“”‘’()[]«»"
# a number with four decimals or more: a drawing coordinate among other junk (6.1429 rA7),
# a number or a section when alone (25.1585)
_COORDINATE = re.compile(r"\d+\.\d{4,}[.,;]?")

# --- what reads as text ------------------------------------------------------------------
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_URL = re.compile(r"(?:[a-z][a-z0-9+.-]*://|www\.)\S+|[\w-]+(?:\.[\w-]+)+/\S*", re.I)
# abbreviations with their periods, reporter series included: F.3d, S.W.2d, U.S.C, L.Ed.2d
_ABBREVIATION = re.compile(r"(?:[A-Z][a-z]{0,5}\.)+(?:[A-Z][a-z]{0,5}|\d{1,2}(?:d|st|nd|rd|th))?")
# section and rule numbers: 1292(a)(1), 12(b)(6), 4001.003(1)(B), § 25.1585
_SECTION = re.compile(r"§*\d+(?:[.:\-–]\d+)*[A-Za-z]?(?:\([A-Za-z0-9]{1,4}\))+")
# codes of capitals and digits: 20A87, ED108783, 3:20-CV-257, CO2, B-52, 1.E.8
_CODE = re.compile(r"(?=[^A-Z]*[A-Z])(?=\D*\d)[A-Z0-9]+(?:[-–:/.][A-Z0-9]+)*")
_UNIT = re.compile(r"\d+(?:[.,]\d+)*([^\W\d_]{1,3})")  # 2000cc, 10km, 5mg, 53ème
_NUMBER = re.compile(r"[-–+±]?\d+(?:[.,:/]\d+)*%?")
# brand and family names written in capitals inside: FedEx, YouTube, McDonald, PhD, eBook
_CAMEL = re.compile(r"(?:Mc|Mac|O['’]|D['’])?[A-Z][a-z]+(?:[A-Z][a-z]+)+|[A-Z][a-z]{1,3}[A-Z]"
                    r"|[ei][A-Z][a-z]{2,}")
_NOTE_CALL = re.compile(r"(.+?)(?:[.,;:!?”’\"')]*(?:\[\d{1,3}\]|[¹²³⁴⁵⁶⁷⁸⁹⁰]+|[*†‡]{1,3})"
                        r"|[.,;:!?”’\"')]+\d{1,3})")  # word[2], word², word*, statutory.1
_LEADING_CALL = re.compile(r"[¹²³⁴⁵⁶⁷⁸⁹⁰]+[\"“‘']?(.+)")
_EMPHASIS = re.compile(r"(_{1,2}|\*{1,2})(.+)\1")  # _word_, __F.4th__, *word*
_ELISION = re.compile(r"[^\W\d_]{2,}['’]|['’][^\W\d_]{2,}")  # keepin’, ’tis: dialect
_NUMBER_WORD = re.compile(r"\d+(?:[.,]\d+)*(?:st|nd|rd|th)?([^\W\d_]{2,}(?:-[^\W\d_]+)*\.?)")


def _core(token: str) -> str:
    """The token without edge punctuation; a closing bracket that closes one inside stays
    (`1292(a)(1)`, `called.[1]`)."""
    start, end = 0, len(token)
    while start < end and token[start] in _EDGES:
        start += 1
    while end > start and token[end - 1] in _EDGES:
        inner, closing = token[start:end - 1], token[end - 1]
        opening = {")": "(", "]": "["}.get(closing)
        if opening and inner.count(opening) > inner.count(closing):
            break
        end -= 1
    return token[start:end]


def _unit(core: str, lexicon: Lexicon | None) -> bool:
    """A number with its unit or ordinal ending (2000cc, 10km, 53ème), not junk digits glued
    to a word ('29the')."""
    m = _UNIT.fullmatch(core)
    return bool(m) and (len(m.group(1)) <= 2 or lexicon is None
                        or m.group(1).lower() not in lexicon.freq)


def reads_as_text(core: str, lexicon: Lexicon | None = None) -> bool:
    """A token a reader reads as text, though no word list knows it (see the docstring of
    this module); `core` is the token without its edge punctuation."""
    if (m := _EMPHASIS.fullmatch(core)) or (m := _LEADING_CALL.fullmatch(core)):
        inner = m.group(m.lastindex or 1).strip(_EDGES)
        return not inner or reads_as_text(inner, lexicon) or junk_score(inner, lexicon) == 0
    if (m := _NOTE_CALL.fullmatch(core)) and m.group(1).strip(_EDGES):
        inner = m.group(1).strip(_EDGES)
        return reads_as_text(inner, lexicon) or junk_score(inner, lexicon) == 0
    if any(p.fullmatch(core) for p in (_EMAIL, _URL, _SECTION, _CODE, _CAMEL, _ELISION)):
        return True
    if _unit(core, lexicon):
        return True
    if "." in core and _ABBREVIATION.fullmatch(core):
        return True
    if core.isalpha() and core.isupper() and len(core) <= 6:
        return True  # an acronym: CFR, LLC, USDC
    if (m := _NUMBER_WORD.fullmatch(core)) and m.group(1)[0].isupper():
        return True  # 1stCir.: words run together, for the classifier
    parts = [p for p in re.split(r"[-–/]", core) if p]
    return len(parts) > 1 and all(
        _NUMBER.fullmatch(p) or _unit(p, lexicon) or _CODE.fullmatch(p)
        or (lexicon is not None and lexicon.is_word(p)) for p in parts)


def junk_score(token: str, lexicon: Lexicon | None = None) -> int:
    """2 = certainly extraction junk, 1 = suspicious, 0 = plausible word or number.

    Certain: PDF operators, drawing coordinates, digits glued into words, case breaks
    inside a short token. Suspicious: a non-word (with a lexicon), a short letter+digit
    token (OCR more likely than junk), a consonant-only token. Suspicious tokens become
    junk only in a run with others (see `junk_spans`); a lone one is left for the
    classifier, which deals with OCR misreadings.
    """
    if re.search(r"\.\d{4,}", token):
        if _COORDINATE.fullmatch(token):
            return 1  # 6.1429 beside other junk; alone a number or a section (25.1585)
        return 2  # drawing coordinates such as .1429, over.1429, means6.1429, .1429boundary
    if _ELISION.fullmatch(token.strip(".,;:!?\"“”()[]«»")):
        return 0
    core = _core(token)
    if not core:
        return 0
    if reads_as_text(core, lexicon):
        return 0
    if ((core in _PDF_OPS and not token.rstrip(",;:").endswith("."))  # 'Tr.' abbreviates
            or (re.search(r"\w\*\w|\*\w*/|(?:^|[^A-Za-z])/[A-Z]", core)
                and re.search(r"[A-Za-z]", core))):
        return 2  # 'T*a/Artopules': operator and name syntax inside letters
    if re.fullmatch(r"\d+[a-z]|[A-Za-z]{1,3}\.\d+|\d+/\d+[a-z]{0,2}", core):
        return 0  # algebra (2a), 'No.2', '1/3rd'
    glued = re.fullmatch(r"([A-Za-z]+)(\d+(?:[.,]\d+)?)", core)
    if (glued and lexicon is not None and lexicon.is_word(glued.group(1))
            and (glued.group(1).islower() or glued.group(1).istitle())):
        return 0  # 'about0.7': a word joined to a number, for the classifier
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+[^\W\d_]+(?:-[^\W\d_]+)*", core):
        return 1  # 10,000square-foot: a quantity run into its word (junk '29the' has no comma)
    if re.fullmatch(r"\d+[oOlI]+|[oOlI]+\d+", core):
        return 1  # '5oo': digits misread as letters
    has_digit = any(c.isdigit() for c in core)
    has_alpha = any(c.isalpha() for c in core)
    parts = [p for p in re.split(r"[-–—/]", core) if p]
    compound = all(p.isalpha() or re.fullmatch(r"[\d.,½¼¾]+", p) or _ORDINAL.match(p)
                   for p in parts)
    if (has_digit and has_alpha and lexicon is not None
            and lexicon.is_word(core.translate(_DIGITS_AS_LETTERS))):
        return 1  # f0und, 1abor, th4t: an OCR misreading, for the classifier
    if has_digit and has_alpha and not _ORDINAL.match(core) and not compound:
        if re.fullmatch(r"[A-Za-z]{1,2}\d{1,2}|\d+[A-Za-z]|[A-Za-z]\W\d|[a-z]{2,}\d[a-z]{2,}",
                        core):
            return 1  # i9, U8, revolu9onary: OCR misreading more likely than junk
        return 2
    if (re.search(r"[a-z][A-Z]", core) and (len(core) <= 8 or re.match(r"[a-z]{1,2}[A-Z]", core))
            and not re.match(r"^(?:Mc|Mac|O’|O')", core)):
        return 2  # a case break inside a token: rA7, rAcivilization, tGod
    if (re.fullmatch(r"[A-Z][a-z]{1,2}", core) and core[0].lower() == core[1]
            and not (lexicon and (core.lower() in lexicon.freq or lexicon.uses(core, 10)))):
        return 2  # Tto: a doubled letter across case; not Eel, nor Mme in a French text
    if core.isalpha() and len(core) >= 3 and not (set(core) & _VOWELS) and not core.isupper():
        return 1
    if lexicon is not None and has_alpha and not has_digit and not lexicon.is_word(core):
        if core[:1].isupper() and core[1:].islower():
            return 0  # a capitalised unknown word is most likely a name
        return 1
    if lexicon is None and len(core) >= 18 and core.isalpha() and core.islower():
        return 1
    return 0


_TOKEN = re.compile(r"\S+")
_EMPHASIS_SPAN = re.compile(r"(?<!\w)_[^_\s](?:[^_]*[^_\s])?_(?!\w)")


@dataclass(frozen=True)
class Span:
    start: int
    end: int


def junk_spans(line: str, lexicon: Lexicon | None = None,
               cache: dict[str, int] | None = None) -> list[Span]:
    """Character spans of extraction junk inside a line.

    A span is a run of suspicious tokens holding at least one certain junk token, or a
    run of four or more non-words that is `garbled`. Digits glued to the end of a word
    ('expendi29') and a case break inside a token ('rAstate') cut the token so the word
    part stays text.
    """
    tokens = [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(line)]
    if cache is None:
        cache = {}
    emphasised = [m.span() for m in _EMPHASIS_SPAN.finditer(line)] if "_" in line else []
    scores = []
    for start, end, token in tokens:
        score = cache.get(token)
        if score is None:
            score = cache[token] = junk_score(token, lexicon)
        if score and any(a <= start and end <= b for a, b in emphasised):
            score = 0  # set in italics by the source (_Conimus surdis_): written so
        scores.append(score)
    if not any(scores):
        return []
    spans: list[Span] = []
    i = 0
    while i < len(tokens):
        if scores[i] == 0:
            i += 1
            continue
        j = i
        while j + 1 < len(tokens) and (scores[j + 1] >= 1 or (
                j + 2 < len(tokens) and scores[j + 2] >= 1 and len(tokens[j + 1][2]) <= 3)):
            j += 1  # short glue words ('of', 'a') inside a garbled run stay in it
        while j > i and scores[j] == 0:
            j -= 1
        run = scores[i:j + 1]
        suspicious = [t for (_, _, t), x in zip(tokens[i:j + 1], run, strict=True) if x]
        if not (2 in run or (len(suspicious) >= 2 and any(map(_COORDINATE.fullmatch, suspicious)))
                or (len(suspicious) >= 4 and garbled(suspicious))):
            i = j + 1
            continue
        start, end = tokens[i][0], tokens[j][1]
        first, last = tokens[i][2], tokens[j][2]
        if m := re.match(r"^([a-z]{3,})(?=\d)", first):  # expendi|29
            start += m.end()
        if m := re.search(r"[a-z]?[A-Z]([a-z]{3,}[.,;:]?)$", last):  # rA|state
            end -= len(m.group(1))
        if m := re.match(r"^([a-z]{2,})(?=\.\d)", first):  # over|.1429
            start += m.end()
        if end > start and line[start:end].strip():
            spans.append(Span(start, end))
        i = j + 1
    return spans


def garbled(run: list[str]) -> bool:
    """A run of non-words (no certain junk in it) is garbled text, not language: unless its
    words are words of another language (a French novel, a German quotation) or a refrain
    (the same word again and again, as a song or a cry has it)."""
    words = [w.strip(_EDGES) for w in run]
    words = [w for w in words if w and not any(c.isdigit() for c in w)]
    if len(words) >= 3 and max(words.count(w) for w in words) * 2 >= len(words):
        return False
    return other_language(words) is None
