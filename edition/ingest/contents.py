"""Contents lists of a plain-text source: recognised as lists, not read as empty chapters.

A contents list is a run of short lines that name the headings the text goes on to give
("CHAPTER I  The Period", "The Cock and the Pearl"), after a "Contents" line or, without
one, as three or more chapter lines in a row with no text between them (a real chapter
heading is followed by its text). The run ends where the text begins: a long line, a
long blank stretch, or a line repeating the list's first entry (the first heading
itself). It is kept whole, as a `list` of items (role "toc"), and recorded as a cleanup.
"""

from __future__ import annotations

import re

from .lines import LineInfo, LineKind
from .structure import CHAPTER_LINE, words

CONTENTS_LINE = re.compile(
    r"^\s*(?:table\s+of\s+contents|contents|table\s+des\s+mati[eè]res|inhalt(?:sverzeichnis)?|"
    r"[íi]ndice|sommaire|inhoud|sisällys)\s*[.:]?\s*$", re.I)
_NUMBERING = re.compile(
    r"^\s*(?:(?:chapter|chap\.|part|book|letter|stave|section|canto|chapitre|kapitel)\b\.?\s*)?"
    r"(?:[0-9]+|[ivxlcdm]+\b|the\s+\w+|one|two|three|four|five|six|seven|eight|nine|ten)?"
    r"\s*[.:\-—–]*\s*", re.I)


def title_key(text: str) -> str:
    """An entry's or heading's words without its numbering, case folded."""
    rest = _NUMBERING.sub("", text, count=1)
    return " ".join(re.findall(r"\w+", rest.lower()))


def _key(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def find_contents(infos: list[LineInfo]) -> dict[int, list[int]]:
    """Contents runs: index of the first line -> indices of the run's lines (anchor first)."""
    found: dict[int, list[int]] = {}
    taken: set[int] = set()
    for i, info in enumerate(infos):
        if i in taken or info.kind is LineKind.FRAME or not info.stripped:
            continue
        anchored = bool(CONTENTS_LINE.match(info.text))
        if not anchored and not _chapter_run_starts(infos, i):
            continue
        run = _entries(infos, i + 1 if anchored else i)
        if not _confirmed(infos, run):
            continue
        lines = ([i] if anchored else []) + run
        found[lines[0]] = lines
        taken.update(lines)
    return found


def _chapter_run_starts(infos: list[LineInfo], i: int) -> bool:
    """Three chapter lines in a row, at most one blank line between them."""
    seen, j = 0, i
    while j < len(infos) and seen < 3:
        if infos[j].kind is LineKind.BLANK and j > i and infos[j - 1].kind is not LineKind.BLANK:
            j += 1
            continue
        if infos[j].kind is not LineKind.TEXT or not _is_chapter_line(infos[j].stripped):
            return False
        seen, j = seen + 1, j + 1
    return seen == 3


def _is_chapter_line(s: str) -> bool:
    return bool(CHAPTER_LINE.match(s)) and words(s) <= 12


def _entries(infos: list[LineInfo], start: int) -> list[int]:
    run: list[int] = []
    blanks = 0
    first_key = ""
    for j in range(start, len(infos)):
        info = infos[j]
        if info.kind in (LineKind.BLANK, LineKind.FRAME) or not info.stripped:
            blanks += 1
            if blanks >= 4 or info.kind is LineKind.FRAME:
                break
            continue
        s = info.stripped
        key = title_key(s) or _key(s)
        if words(s) > 14 or (run and blanks >= 2 and run and key == first_key):
            break
        if run and key == first_key:
            break
        blanks = 0
        run.append(j)
        first_key = first_key or key
    while run and not title_key(infos[run[-1]].stripped) and len(run) > 1:
        run.pop()  # a bare number after the list is the first heading, not an entry
    return run


def _confirmed(infos: list[LineInfo], run: list[int]) -> bool:
    """Most entries name a heading line that comes later in the text."""
    if len(run) < 2:
        return False
    after = range(run[-1] + 1, len(infos))
    later = {title_key(infos[j].stripped) for j in after
             if infos[j].kind is LineKind.TEXT and words(infos[j].stripped) <= 16}
    later |= {_key(infos[j].stripped) for j in after
              if infos[j].kind is LineKind.TEXT and words(infos[j].stripped) <= 16}
    keys = [title_key(infos[j].stripped) or _key(infos[j].stripped) for j in run]
    matched = sum(1 for k in keys if k and k in later)
    return matched >= max(2, 0.5 * len(keys))
