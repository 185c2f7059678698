"""Structural anomalies that need the whole document: reported, never 'fixed'.

- a running title whose chapter contradicts its page footer's URL, or the chapter the
  text is in (a header that contradicts its footer; a chapter whose heading was lost);
- navigation that names a chapter the text never heads;
- navigation that says a part comes *after* this point while the text has it earlier.
"""

from __future__ import annotations

import re

from rapidfuzz import fuzz

from ..model import Anomaly, Block, BlockKind
from .lines import LineInfo, LineKind
from .structure import CHAPTER_LINE, chapter_number

_NUM_IN_URL = re.compile(r"(?:ch|chap|chapter|part|sec)[_\-]?0*(\d+)[^/]*$", re.I)


def _url_number(url: str) -> int | None:
    m = _NUM_IN_URL.search(url.rsplit("/", 1)[-1])
    return int(m.group(1)) if m else None


def _title_number(text: str) -> int | None:
    m = re.search(r"\b(?:chapter|part)\s+(\d+|[ivxlc]+)\b", text, re.I)
    return chapter_number("chapter " + m.group(1)) if m else None


def running_title_anomalies(infos: list[LineInfo],
                            chapters: list[tuple[int, int]]) -> list[Anomaly]:
    found: list[Anomaly] = []
    reported_lost: set[int] = set()
    for i, info in enumerate(infos):
        if info.kind is not LineKind.RUNNING_TITLE:
            continue
        number = _title_number(info.text)
        if number is None:
            continue
        footer = next((f for f in infos[i + 1:i + 5] if f.kind is LineKind.FOOTER_URL), None)
        if footer is not None:
            url_number = _url_number(footer.url)
            if url_number != number:
                where = (f"chapter {url_number}" if url_number is not None
                         else f"'{footer.url.rsplit('/', 1)[-1]}'")
                found.append(Anomaly(
                    "header-footer-mismatch", info.number,
                    f"the running title names chapter {number} but the page footer's URL "
                    f"is {where}: the page header contradicts its footer",
                    evidence=f"{info.stripped} / {footer.stripped}", cause="structure"))
        current = max((c for c in chapters if c[1] < info.number), key=lambda c: c[1],
                       default=None)
        headed = {num for num, _ in chapters}
        if number not in headed and number not in reported_lost and current is not None:
            reported_lost.add(number)
            found.append(Anomaly(
                "lost-heading", info.number,
                f"the running title names chapter {number}, which has no heading in the text: "
                f"its heading line was lost (the text here runs on after chapter {current[0]})",
                evidence=info.stripped, cause="structure"))
    return found


_NAV_TARGET = re.compile(r"\b(?:back\s+to|on\s+to|next|previous)\s+(?P<target>[\w ]{2,30}?)"
                         r"\s*(?=$|[|—–-]|\bon\s+to\b)", re.I)


def navigation_anomalies(infos: list[LineInfo], blocks: list[Block]) -> list[Anomaly]:
    """Compare chapter navigation with the headings the text actually has."""
    headings: list[tuple[str, int]] = []
    for block in blocks:
        if block.kind is BlockKind.HEAD and block.level == 1:
            headings.append((block.text.lower(), block.first_line))
    headed_numbers = {chapter_number(text) for text, _ in headings} - {None}
    found: list[Anomaly] = []
    named_missing: set[int] = set()
    for info in infos:
        if info.kind is not LineKind.NAVIGATION or info.rule != "nav-back-on-to":
            continue
        for m in _NAV_TARGET.finditer(info.stripped):
            target = m.group("target").strip()
            number = chapter_number(target) if CHAPTER_LINE.match(target) else None
            if number is not None:
                if number not in headed_numbers and number not in named_missing:
                    named_missing.add(number)
                    found.append(Anomaly(
                        "lost-heading", info.number,
                        f"the navigation names chapter {number}, which the text never heads",
                        evidence=info.stripped, cause="structure"))
                continue
            if not m.group(0).lower().startswith("on to"):
                continue
            best = max(headings, key=lambda h: fuzz.partial_ratio(target.lower(), h[0]),
                       default=None)
            if best and fuzz.partial_ratio(target.lower(), best[0]) >= 85 and best[1] < info.number:
                found.append(Anomaly(
                    "out-of-order", best[1],
                    f"the navigation at line {info.number} says '{target}' comes next, but the "
                    f"text has it earlier, at line {best[1]}: a part is out of order",
                    evidence=info.stripped, cause="structure"))
    return found
