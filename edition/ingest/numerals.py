"""Titles of sections headed by a bare numeral ("IX", then "Le soir des fiançailles.").

Many texts head each chapter with a numeral standing alone and put the chapter's title on
its own line after it. The title line is one short line standing alone, opening with a
capital (not a speech); it belongs to the heading when it reads as a title by form, or
when most numeral headings of the same text are followed by such a line: the text's own
convention then vouches for titles that end with a full stop or are not in title case
(French, German and older English titles often are neither).
"""

from __future__ import annotations

import re

from .lines import LineInfo, LineKind
from .structure import is_title_like, words

BARE_NUMERAL = re.compile(r"[IVXLC]{1,7}\.?")
_SPEECH = ("“", '"', "‘", "'", "«", "„", "--", "—", "–", "-")


def numeral_titles(infos: list[LineInfo]) -> dict[int, int]:
    """Index of a bare-numeral heading line -> index of its title line."""
    found: dict[int, int] = {}
    numerals = 0
    for idx, info in enumerate(infos):
        if (info.kind is not LineKind.TEXT or not BARE_NUMERAL.fullmatch(info.stripped)
                or (idx and infos[idx - 1].kind is LineKind.TEXT)):
            continue
        numerals += 1
        if (title := _title_line(infos, idx)) is not None:
            found[idx] = title
    if len(found) >= 2 and len(found) >= 0.6 * numerals:
        return found  # the text's convention
    return {idx: j for idx, j in found.items() if is_title_like(infos[j].stripped)}


def _title_line(infos: list[LineInfo], idx: int) -> int | None:
    j = idx + 1
    while j < len(infos) and j <= idx + 3 and infos[j].kind is LineKind.BLANK:
        j += 1
    if j == idx + 1 or j >= len(infos) or infos[j].kind is not LineKind.TEXT:
        return None  # the title stands apart from the numeral, by one to three blank lines
    alone = j + 1 >= len(infos) or infos[j + 1].kind is not LineKind.TEXT
    s = infos[j].stripped
    if (alone and words(s) <= 12 and s[:1].isupper() and not s.startswith(_SPEECH)
            and not s.endswith((",", ";", ":")) and not BARE_NUMERAL.fullmatch(s)):
        return j
    return None
