"""Structure recognition on plain text: headings, metadata lines, junk, anomalies.

Pure functions over strings and line numbers; `text.py` composes them. Every rule is
written for the next web page or PDF dump too: headings are recognised by form (a
"Chapter N" line, "N. Title", short capitalised lines standing alone), metadata by the
phrases that introduce it ("From ... Vol.", "Transcribed by", a personal name at the top).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from ..lexicon import Lexicon
from ..model import Anomaly, MetaField

TERMINAL = tuple(".!?:;\"”’)]»…")
OPEN_QUOTES = ("“", '"', "‘", "«")
CLOSE_QUOTES = ("”", '"', "’", "»")

_MONTHS = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
           r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")
DATE_LINE = re.compile(
    rf"^\s*\(?(?:{_MONTHS}\s+\d{{1,2}},?\s+\d{{4}}|\d{{1,2}}\s+{_MONTHS}\s+\d{{4}}|"
    rf"{_MONTHS}\s+\d{{4}}|\d{{4}})\)?\s*$",
    re.I,
)
CHAPTER_LINE = re.compile(
    r"^\s*(?P<word>chapter|part|book|appendix|introduction|preface|foreword|postscript|"
    r"epilogue|prologue|conclusion)\b\.?\s*(?P<num>[0-9]+|[ivxlc]+\b)?\s*[.:]?\s*(?P<rest>.*)$",
    re.I,
)
NUMBERED_SECTION = re.compile(r"^\s*(?P<num>\d{1,2})\.\s*(?P<title>[A-Z“\"'].{0,120})?$")
RUN_IN = re.compile(r"^(?P<label>[A-Z][A-Z0-9’'&\-]+(?:[ ,]+[A-Z0-9’'&\-]+){0,12}):\s+\S")
NAME_LINE = re.compile(
    r"^\s*(?:[A-Z][a-z’'\-]+|[A-Z]\.)(?:\s+(?:[A-Z][a-z’'\-]+|[A-Z]\.)){1,3}\s*$")
_STOP = {"the", "a", "an", "of", "and", "in", "on", "to", "for", "with", "from", "by", "at", "is",
         "what", "how", "why", "main", "index", "page", "chapter", "archive", "archives",
         "marxists", "internet", "encyclopedia"}
_FROM_LINE = re.compile(r"^\s*(?:from|source|originally published in|first published in)\s*:?\s+"
                        r"(?P<pub>[^,]+)(?P<rest>,.*)?$", re.I)
_CREDIT_LINE = re.compile(r"^\s*(?:transcribed|marked up|html markup|scanned|proofread|"
                          r"digiti[sz]ed|converted|prepared)\b.*\bby\b\s*(?P<who>[^.;]+?)"
                          r"(?:\s+(?:for|at)\s+.*)?[.;]?\s*$", re.I)
_PAGES = re.compile(r"\bpp?\.\s*(?P<pages>\d+\s*[–\-]\s*\d+|\d+)")
_VOLUME = re.compile(r"\bvol\.?\s*(?P<vol>\w+)(?:\s*no\.?\s*(?P<no>\w+))?", re.I)
_YEAR = re.compile(r"\b(1[5-9]\d\d|20\d\d)\b")
_WRITES = re.compile(r"(?:,\s*|\s[-–—]\s*|^)(?:writes|says|reports|argues|by)\s+"
                     r"(?P<who>[A-Z][\w’'\-]+(?:\s+[A-Z][\w’'\-]+){0,3})\s*\.?\s*$")
_PERIODICAL = re.compile(
    rf"^\s*(?P<pub>[A-Z][^,]{{2,60}}),\s*(?P<date>{_MONTHS}\s+\d{{4}}|\d{{4}})\s*$", re.I)


def words(text: str) -> int:
    return len(re.findall(r"\w+", text))


def ends_sentence(text: str) -> bool:
    return text.rstrip().endswith(TERMINAL)


def is_title_like(text: str, max_words: int = 14) -> bool:
    s = text.strip()
    if not s or words(s) > max_words or s.endswith((",", ";")):
        return False
    if s.endswith(".") and not re.search(r"\b\d+\.$|[A-Z]\.$", s):
        return False
    letters = [w for w in re.findall(r"[^\W\d_][\w’'\-]*", s)]
    if not letters:
        return False
    capitalised = sum(1 for w in letters if w[0].isupper() or w.lower() in _STOP)
    return capitalised / len(letters) >= 0.6 or s.isupper()


def is_short_unpunctuated(text: str, max_words: int = 16) -> bool:
    """A short line that does not end a sentence: a heading or contents entry by form."""
    s = text.strip()
    return 0 < words(s) <= max_words and not s.endswith((".", ",", ";", ":"))


_FUNCTION_END = re.compile(r"(?:\b(?:of|the|a|an|and|or|in|on|to|for|with|by|from|at)|,)\s*$",
                           re.I)


def ends_open(text: str) -> bool:
    """A heading line that ends with a function word or comma goes on on the next line."""
    return bool(_FUNCTION_END.search(text))


def is_caps_line(text: str) -> bool:
    letters = re.sub(r"[^A-Za-z]", "", text)
    return len(letters) >= 3 and letters.isupper()


def is_name_line(text: str) -> bool:
    if not NAME_LINE.match(text):
        return False
    tokens = [t.strip(".").lower() for t in text.split()]
    return not any(t in _STOP for t in tokens)


@dataclass(frozen=True)
class MetaHit:
    fields: tuple[MetaField, ...]


def metadata_from_line(line: str, number: int) -> tuple[MetaField, ...]:
    """Recognise a front-matter line; the whole line is kept as `raw` (nothing lost)."""
    s = line.strip()
    found: list[MetaField] = []
    m = _FROM_LINE.match(s)
    if m and (_VOLUME.search(s) or _YEAR.search(s)):
        found.append(MetaField("publication", m.group("pub").strip(), number, line))
        if (pages := _PAGES.search(s)) is not None:
            found.append(MetaField("pages", pages.group("pages"), number, ""))
        if (vol := _VOLUME.search(s)) is not None:
            found.append(MetaField("volume", vol.group(0), number, ""))
        if (date := re.search(rf"{_MONTHS}\s+\d{{4}}", s, re.I)) or (date := _YEAR.search(s)):
            found.append(MetaField("date", date.group(0), number, ""))
        return tuple(found)
    m = re.match(r"^\s*by\s+(?P<who>.+?)\s*$", s, re.I)
    if m and is_name_line(m.group("who")):
        return (MetaField("author", m.group("who"), number, line),)
    m = _CREDIT_LINE.match(s)
    if m:
        return (MetaField("transcriber", m.group("who").strip(), number, line),)
    m = _PERIODICAL.match(s)
    if m and not s.lower().startswith(("chapter", "part")):
        return (MetaField("publication", m.group("pub").strip(), number, line),
                MetaField("date", m.group("date"), number, ""))
    if DATE_LINE.match(s) and s.startswith("("):
        return (MetaField("date", s.strip("() "), number, line),)
    return ()


def author_from_byline(line: str, number: int) -> MetaField | None:
    """'..., writes Tom Orsag' or 'By Jane Doe': a derived author (the line stays in the text)."""
    m = _WRITES.search(line.strip())
    if m and is_name_line(m.group("who")):
        return MetaField("author", m.group("who"), number, "")
    return None


# --- junk ---------------------------------------------------------------------------

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


# --- anomalies ---------------------------------------------------------------------


def chapter_number(text: str) -> int | None:
    m = CHAPTER_LINE.match(text)
    if not m or not m.group("num"):
        return None
    num = m.group("num")
    return int(num) if num.isdigit() else _roman(num)


def _roman(text: str) -> int | None:
    values = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100}
    total, prev = 0, 0
    for ch in reversed(text.lower()):
        if ch not in values:
            return None
        v = values[ch]
        total = total - v if v < prev else total + v
        prev = max(prev, v)
    return total or None


def numbering_anomalies(chapters: list[tuple[int, int]]) -> list[Anomaly]:
    """Chapters (number, line) whose numbering skips or goes back."""
    found: list[Anomaly] = []
    for (prev, _), (num, line) in itertools.pairwise(chapters):
        if num > prev + 1:
            missing = ", ".join(str(n) for n in range(prev + 1, num))
            found.append(Anomaly(
                "lost-heading", line,
                f"chapter numbering skips from {prev} to {num}: the heading of chapter "
                f"{missing} was not found (lost, or its text runs on under chapter {prev})",
                evidence=f"Chapter {prev} … Chapter {num}", cause="structure"))
        elif num <= prev:
            found.append(Anomaly(
                "out-of-order", line,
                f"chapter {num} comes after chapter {prev}: a part is out of order or repeated",
                evidence=f"Chapter {prev} … Chapter {num}", cause="structure"))
    return found
