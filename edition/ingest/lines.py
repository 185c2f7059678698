"""Line-level recognition of what is not the author's in a plain-text source.

Each rule looks at one line and its neighbourhood and labels it: page furniture
(browser-print footers with URL, "(i of n)" and timestamp; running titles repeated at
page boundaries; bare page numbers), site navigation ("A | B | C", "Back to ... On to
...", "Top of page", "Last updated ..."), banners (short title lines repeated at the
starts of parts). Labels are evidence for the layout pass, which records every decision
as a `Cleanup`; nothing is deleted here.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from enum import StrEnum


class LineKind(StrEnum):
    BLANK = "blank"
    TEXT = "text"
    FOOTER_URL = "footer-url"  # URL line of a browser-print footer -> fw + pb
    RUNNING_TITLE = "running-title"  # title repeated at page boundaries -> fw
    PAGE_NUMBER = "page-number"  # a bare page number at a page boundary -> fw
    NAVIGATION = "navigation"  # site/chapter navigation -> note type=boilerplate
    BANNER = "banner"  # repeated site/book banner -> note type=boilerplate
    UPDATED = "updated"  # "Last updated ..." -> teiHeader (and boilerplate)
    LINK_DEBRIS = "link-debris"  # "return return return" -> boilerplate
    SIDEBAR = "sidebar"  # trailing teasers of other articles -> boilerplate
    FRAME = "frame"  # an e-text distributor's header, licence or credit (etext.py)


@dataclass(frozen=True, slots=True)
class LineInfo:
    number: int  # 1-based
    text: str  # the line as decoded, without the form feed
    kind: LineKind
    rule: str = ""
    page_break_before: bool = False  # a form feed started this line
    url: str = ""
    page: str = ""
    of: str = ""

    @property
    def stripped(self) -> str:
        return self.text.strip()


_URL_FOOTER = re.compile(
    r"^\s*(?P<url>(?:https?|ftp)://\S+|www\.\S+)"
    r"(?:\s*\((?P<page>\d+)\s+of\s+(?P<of>\d+)\))?"
    r"(?:\s*\[(?P<stamp>[^\]]{4,40})\])?\s*$",
    re.I,
)
_PAGE_NUMBER = re.compile(
    r"^\s*(?:[-–—]\s*)?(?:page\s+)?\d{1,4}(?:\s+of\s+\d{1,4})?(?:\s*[-–—])?\s*$", re.I)
_PIPE_NAV = re.compile(r"\s[|¦]\s")
_BACK_ON = re.compile(r"^\s*(?:back\s+to|previous|prev\.?|last)\b.{1,60}\b(?:on\s+to|next)\b",
                      re.I)
_TOP_OF_PAGE = re.compile(r"^\s*(?:top\s+of\s+(?:the\s+)?page|back\s+to\s+top|\^?\s*top)\s*$",
                          re.I)
_UPDATED = re.compile(r"^\s*(?:last\s+)?(?:updated|modified)(?:\s+on)?\s*:?\s*\S.{0,40}$", re.I)
_NAV_WORDS = re.compile(
    r"^\s*(?:index|contents|home|main\s+page|next|previous|next\s+chapter|last\s+chapter|"
    r"read\s+more|latest\s+articles|related\s+articles|share(?:\s+this)?|print|email)\s*$",
    re.I,
)


def _norm(text: str) -> str:
    """Key for repetition: case, digits and spacing folded."""
    return re.sub(r"\s+", " ", re.sub(r"\d+", "#", text.strip().lower()))


def _word_count(text: str) -> int:
    return len(re.findall(r"\w+", text))


def classify_lines(raw_lines: list[str], frame: set[int] | frozenset[int] = frozenset()
                   ) -> list[LineInfo]:
    """Label every line (`frame`: indices of an e-text distributor's lines, already
    recorded); see the module docstring for the kinds."""
    infos: list[LineInfo] = []
    for number, raw in enumerate(raw_lines, 1):
        page_break = "\f" in raw
        text = raw.replace("\f", "")
        if number - 1 in frame:
            infos.append(LineInfo(number, text, LineKind.FRAME, "etext-frame", page_break))
            continue
        infos.append(_classify_alone(number, text, page_break))
    _mark_page_numbers(infos)
    _mark_running_titles(infos)
    _mark_frame_banners(infos)
    _mark_banners(infos)
    _mark_sidebar(infos)
    return infos


def _classify_alone(number: int, text: str, page_break: bool) -> LineInfo:
    s = text.strip()
    if not s:
        return LineInfo(number, text, LineKind.BLANK, page_break_before=page_break)
    m = _URL_FOOTER.match(s)
    if m and (m.group("page") or m.group("stamp")):
        return LineInfo(number, text, LineKind.FOOTER_URL, "browser-print-footer", page_break,
                        url=m.group("url"), page=m.group("page") or "", of=m.group("of") or "")
    if _PIPE_NAV.search(s):
        parts = [p.strip() for p in re.split(r"\s[|¦]\s", s)]
        if len(parts) >= 2 and all(0 < _word_count(p) <= 6 for p in parts):
            return LineInfo(number, text, LineKind.NAVIGATION, "nav-pipe-separated", page_break)
    if _BACK_ON.search(s) and _word_count(s) <= 14:
        return LineInfo(number, text, LineKind.NAVIGATION, "nav-back-on-to", page_break)
    if _TOP_OF_PAGE.match(s):
        return LineInfo(number, text, LineKind.NAVIGATION, "nav-top-of-page", page_break)
    if _UPDATED.match(s) and re.search(r"\d", s):
        return LineInfo(number, text, LineKind.UPDATED, "last-updated", page_break)
    words = s.split()
    if len(words) >= 3 and len({w.lower() for w in words}) == 1 and words[0].isalpha():
        return LineInfo(number, text, LineKind.LINK_DEBRIS, "link-debris-repeated-word",
                        page_break)
    if _NAV_WORDS.match(s):
        return LineInfo(number, text, LineKind.NAVIGATION, "nav-link-word", page_break)
    return LineInfo(number, text, LineKind.TEXT, page_break_before=page_break)


def _replace(infos: list[LineInfo], i: int, kind: LineKind, rule: str) -> None:
    old = infos[i]
    infos[i] = LineInfo(old.number, old.text, kind, rule, old.page_break_before,
                        old.url, old.page, old.of)


def _boundary_indices(infos: list[LineInfo]) -> list[int]:
    """Indices of lines that mark a page boundary: URL footers and form feeds.

    Where the text has form feeds, its first and last lines are page edges too (the
    first page's head, the last page's foot).
    """
    found = [i for i, info in enumerate(infos)
             if info.kind is LineKind.FOOTER_URL or info.page_break_before]
    if any(info.page_break_before for info in infos):
        text = [i for i, info in enumerate(infos) if info.kind is not LineKind.BLANK]
        found += [text[0], text[-1]] if text else []
    return found


def _near_boundary(infos: list[LineInfo], i: int, boundaries: set[int], reach: int = 3) -> bool:
    """True if a page boundary is within `reach` non-blank lines of line i."""
    for step in (-1, 1):
        j, seen = i, 0
        while 0 <= j + step < len(infos) and seen < reach:
            j += step
            if j in boundaries:
                return True
            if infos[j].kind is not LineKind.BLANK:
                seen += 1
    return i in boundaries


def _mark_running_titles(infos: list[LineInfo]) -> None:
    """Short lines repeated at page boundaries are running heads/feet (digits folded)."""
    boundaries = set(_boundary_indices(infos))
    if not boundaries:
        return
    candidates = [i for i, info in enumerate(infos)
                  if info.kind is LineKind.TEXT and _word_count(info.text) <= 12
                  and _near_boundary(infos, i, boundaries, reach=1)]
    counts = Counter(_norm(infos[i].text) for i in candidates)
    footers = {i for i in boundaries if infos[i].kind is LineKind.FOOTER_URL}
    for i in candidates:
        if counts[_norm(infos[i].text)] >= 2:
            _replace(infos, i, LineKind.RUNNING_TITLE, "running-title-at-page-boundary")
        elif _is_title_like(infos[i].text) and _near_boundary(infos, i, footers, reach=1):
            # a browser print puts the page title right beside its URL footer
            _replace(infos, i, LineKind.RUNNING_TITLE, "page-title-beside-url-footer")


def _mark_page_numbers(infos: list[LineInfo]) -> None:
    boundaries = set(_boundary_indices(infos))
    for i, info in enumerate(infos):
        if (info.kind is LineKind.TEXT and _PAGE_NUMBER.match(info.text)
                and _near_boundary(infos, i, boundaries, reach=2)):
            _replace(infos, i, LineKind.PAGE_NUMBER, "page-number-at-page-boundary")


def _mark_frame_banners(infos: list[LineInfo]) -> None:
    """Between chapter navigation and the next chapter heading, short title lines with no
    prose among them are the site's frame (banner), even where they occur only once."""
    for i, info in enumerate(infos):
        if info.kind is not LineKind.NAVIGATION or info.rule != "nav-back-on-to":
            continue
        frame: list[int] = []
        for j in range(i + 1, min(len(infos), i + 12)):
            line = infos[j]
            if line.kind is LineKind.BLANK:
                continue
            if line.kind is not LineKind.TEXT or not _is_title_like(line.text):
                frame = []
                break
            if _HEADING_WORD.match(line.text):
                break
            frame.append(j)
        else:
            frame = []
        for j in frame:
            _replace(infos, j, LineKind.BANNER, "banner-between-navigation-and-heading")


def _is_title_like(text: str) -> bool:
    s = text.strip()
    return 0 < _word_count(s) <= 12 and not re.search(r"[.;,]$", s)


def _mark_banners(infos: list[LineInfo]) -> None:
    """Title-like lines repeated 3+ times next to navigation are a site's banner.

    Repetition alone is not enough (an author may repeat a formula); each occurrence
    must stand within a few lines of navigation, so the banner is part of the site's
    frame between two pages. Title-like lines adjacent to a banner line in the same
    frame (no prose between) are banner too.
    """
    nav = {i for i, info in enumerate(infos) if info.kind is LineKind.NAVIGATION}
    texts = [i for i, info in enumerate(infos)
             if info.kind in (LineKind.TEXT, LineKind.BANNER) and _is_title_like(info.text)
             and not _looks_like_heading(info.text) and not _DATE_ONLY.match(info.text)]
    counts = Counter(_norm(infos[i].text) for i in texts)
    repeated = {k for k, c in counts.items() if c >= 3}
    banner: set[int] = {i for i in texts if infos[i].kind is LineKind.BANNER}
    for i in texts:
        if _norm(infos[i].text) in repeated and _near_boundary(infos, i, nav, reach=4):
            banner.add(i)
    frame_keys = {_norm(infos[i].text) for i in banner}
    for i in texts:  # other occurrences of a banner line confirmed elsewhere
        if _norm(infos[i].text) in frame_keys:
            banner.add(i)
    for i in sorted(banner):
        if infos[i].kind is LineKind.TEXT:
            _replace(infos, i, LineKind.BANNER, "banner-repeated-near-navigation")
    # title-like neighbours inside the same frame (up to the next heading-like line)
    changed = True
    while changed:
        changed = False
        for i in list(banner):
            for j in (i - 1, i - 2, i + 1, i + 2):
                if not 0 <= j < len(infos) or j in banner:
                    continue
                info = infos[j]
                between = range(min(i, j) + 1, max(i, j))
                if any(infos[k].kind is not LineKind.BLANK for k in between):
                    continue
                if (info.kind is LineKind.TEXT and _is_title_like(info.text)
                        and _word_count(info.text) <= 4 and not _looks_like_heading(info.text)
                        and not _DATE_ONLY.match(info.text) and j < i):
                    banner.add(j)
                    _replace(infos, j, LineKind.BANNER, "banner-neighbour")
                    changed = True


_DATE_ONLY = re.compile(r"^\s*\(?[\w ,.]{0,20}\b1[5-9]\d\d\b[\w ,.]{0,12}\)?\s*$"
                        r"|^\s*\d{1,2}[./]\d{1,2}[./]\d{2,4}\s*$")
_HEADING_WORD = re.compile(r"^\s*(?:chapter|part|book|section|appendix|introduction|preface|"
                           r"postscript|epilogue|prologue|contents)\b", re.I)


def _looks_like_heading(text: str) -> bool:
    return bool(_HEADING_WORD.match(text)) or bool(re.match(r"^\s*\d+\.\s*\S*$", text))


_SIDEBAR_MARKER = re.compile(
    r"^\s*(?:latest|related|recent|popular|more|other|trending|most\s+read|you\s+may\s+also\s+like|"
    r"read\s+more|see\s+also)(?:\s+(?:articles?|stories|posts|news|from\s+\w+|reading))?\s*:?\s*$",
    re.I,
)


def _mark_sidebar(infos: list[LineInfo]) -> None:
    """Teasers of other articles after the text: everything from a marker such as
    "Latest articles" or "Read more" in the last part of the page to its end, and the
    short title lines just above the marker (no prose between)."""
    start = next((i for i, info in enumerate(infos)
                  if i > len(infos) * 0.6 and _SIDEBAR_MARKER.match(info.text)), None)
    if start is None:
        return
    j = start - 1
    while j >= 0 and (infos[j].kind is LineKind.BLANK or (
            infos[j].kind is LineKind.TEXT and _word_count(infos[j].text) <= 4
            and _is_title_like(infos[j].text))):
        j -= 1
    first = j + 1
    for i in range(first, len(infos)):
        if infos[i].kind in (LineKind.TEXT, LineKind.NAVIGATION):
            _replace(infos, i, LineKind.SIDEBAR, "sidebar-after-marker")
