"""Extraction junk in plain text: PDF operators, drawing coordinates, garbled runs.

Apart from the rest of structure recognition because it decides what is *not* text: every
rule here removes words from the reading text (into a `gap`, with the junk kept), so it must
hold for any source, and a token a reader would read as a word, a number or a citation
must score 0. A lone suspicious token is left for the classifier (OCR damage is flagged,
never removed).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..lexicon import Lexicon

# text-showing and marked-content operators that are not also English words
_PDF_OPS = {"Tj", "TJ", "Tf", "Td", "TD", "Tm", "T*", "Tc", "Tw", "Tz", "TL", "Tr", "Ts",
            "BDC", "EMC", "endobj", "endstream"}
_DIGITS_AS_LETTERS = str.maketrans("01458369", "olassebs")
_ORDINAL = re.compile(r"^\d+(?:st|nd|rd|th|s|'s|’s)$", re.I)
_VOWELS = set("aeiouyAEIOUY")


def junk_score(token: str, lexicon: Lexicon | None = None) -> int:
    """2 = certainly extraction junk, 1 = suspicious, 0 = plausible word or number.

    Certain: PDF operators, drawing coordinates, digits glued into words, case breaks
    inside a short token. Suspicious: a non-word (with a lexicon), a short letter+digit
    token (OCR more likely than junk), a consonant-only token. Suspicious tokens become
    junk only in a run with others (see `junk_spans`); a lone one is left for the
    classifier, which deals with OCR misreadings.
    """
    if re.fullmatch(r"\w*\.\d{4,}[.,;]?|\d*\.\d{4,}[.,;]?", token):
        return 2  # drawing coordinates such as .1429, 6.1429, over.1429
    core = token.strip(".,;:!?\"“”‘’()[]")
    if not core:
        return 0
    if core in _PDF_OPS or (re.search(r"\*|/[A-Za-z]*[A-Z]", core)
                            and re.search(r"[A-Za-z]", core)):
        return 2  # 'T*a/Artopules': operator and name syntax inside letters
    if re.fullmatch(r"\d+[a-z]|[A-Za-z]{1,3}\.\d+|\d+/\d+[a-z]{0,2}", core):
        return 0  # algebra (2a), 'No.2', '1/3rd'
    glued = re.fullmatch(r"([A-Za-z]+)(\d+(?:[.,]\d+)?)", core)
    if (glued and lexicon is not None and lexicon.is_word(glued.group(1))
            and (glued.group(1).islower() or glued.group(1).istitle())):
        return 0  # 'about0.7': a word joined to a number, for the classifier
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
    if re.fullmatch(r"[A-Z][a-z]{1,2}", core) and core[0].lower() == core[1]:
        return 2  # Tto: a doubled letter across case, never English
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


@dataclass(frozen=True)
class Span:
    start: int
    end: int


def junk_spans(line: str, lexicon: Lexicon | None = None,
               cache: dict[str, int] | None = None) -> list[Span]:
    """Character spans of extraction junk inside a line.

    A span is a run of suspicious tokens holding at least one certain junk token, or a
    run of four or more non-words (a garbled passage). Digits glued to the end of a word
    ('expendi29') and a case break inside a token ('rAstate') cut the token so the word
    part stays text.
    """
    tokens = [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(line)]
    if cache is None:
        cache = {}
    scores = []
    for _, _, token in tokens:
        score = cache.get(token)
        if score is None:
            score = cache[token] = junk_score(token, lexicon)
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
        if not (2 in run or sum(1 for x in run if x >= 1) >= 4):
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
