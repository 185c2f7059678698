"""Structure recognition on plain text: headings, metadata lines, anomalies.

Pure functions over strings and line numbers; `text.py` composes them. Every rule is
written for the next web page or PDF dump too: headings are recognised by form (a
"Chapter N" line, "N. Title", short capitalised lines standing alone), metadata by the
phrases that introduce it ("From ... Vol.", "Transcribed by", a personal name at the top).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

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
    r"epilogue|prologue|conclusion|stave|canto|volume|chapitre|livre|kapitel|"
    r"letter(?=\s+(?:[0-9]+|[ivxlc]+)\b\.?\s*$))\b\.?\s*(?P<num>[0-9]+|[ivxlc]+\b)?\s*[.:]?\s*(?P<rest>.*)$",
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


_BOOK_WORDS = {"book", "part", "volume", "livre"}


def heading_rank(text: str) -> int:
    """0 for a line heading a book, part or volume, 1 for a chapter-like heading."""
    m = CHAPTER_LINE.match(text)
    return 0 if m and m.group("word").lower() in _BOOK_WORDS else 1


def words(text: str) -> int:
    return len(re.findall(r"\w+", text))


_CLOSING_APOSTROPHE = re.compile(r"[.!?…,;:\-—]'$")


def ends_sentence(text: str) -> bool:
    """The line ends with a sentence's (or a quotation's) last mark. A straight apostrophe
    closes a quotation only after punctuation (an elision, "goin'", follows a letter)."""
    s = text.rstrip()
    return s.endswith(TERMINAL) or bool(_CLOSING_APOSTROPHE.search(s))


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


def closes_quote(s: str) -> bool:
    """The paragraph is one quotation: its first closing mark ends it (a citation may follow)."""
    m = re.search(r"[”»]|(?<=.)\"", s[1:])
    if not m:
        return False
    rest = s[1 + m.end():]
    return bool(re.fullmatch(r"[.,;:!?)]*(?:\s*\([^)]{0,80}\)[.;]?)?\s*", rest))


def after_colon(text: str) -> str:
    m = re.search(r"(?:updated|modified)(?:\s+on)?\s*:?\s*(.*)$", text, re.I)
    return m.group(1).strip() if m else text

