"""Metadata of a web page: <head> fields and the byline/date lines of its text.

`head_metadata` reads <title>, <meta> and <link rel=canonical>; `meta_line`,
`last_updated` and `standfirst_author` recognise "By Jane Doe", "Last updated ...",
"Published ...", "From ..." and "..., writes Jane Doe" in the article's own lines;
`split_title` trims a site name off "Article | Site". Used by the HTML reader.
"""

from __future__ import annotations

from dataclasses import replace

import regex
from lxml import etree

from ..model import Block, BlockKind, MetaField
from .markup import norm_space

_META_NAMES = {
    "title": ("og:title", "dc.title", "dcterms.title", "citation_title"),
    "author": ("author", "dc.creator", "dcterms.creator", "citation_author", "article:author"),
    "date": ("date", "dc.date", "dcterms.date", "dcterms.issued", "article:published_time",
             "datepublished", "citation_publication_date"),
    "last_updated": ("article:modified_time", "last-modified", "dcterms.modified"),
    "description": ("description", "og:description", "dc.description"),
    "publication": ("og:site_name", "citation_journal_title"),
    "source_url": ("og:url",),
}
_NAME = r"\p{Lu}[\w.'’-]*(?:\s+(?:\p{Lu}[\w.'’-]*|de|da|del|van|von|der|den|la|le|and|&))*"
_MONTH = r"(?i:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_DATE = (rf"(?:\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH},?\s+\d{{4}}|{_MONTH}\s+\d{{1,2}}"
         rf"(?:st|nd|rd|th)?,?\s+\d{{4}}|{_MONTH}\s+\d{{4}}|\d{{4}}-\d{{2}}-\d{{2}}(?:T[\d:.+Z-]+)?)")
_WHEN = (rf"(?:{_DATE}|\d{{1,2}}[/.]\d{{1,2}}[/.]\d{{2,4}})(?:,?\s+(?:at\s+)?\d{{1,2}}[:.]\d{{2}}"
         r"(?:\s*[ap]\.?m\.?)?)?")
_LINE_META = (  # (name, pattern, header area only); group 1 is the value
    ("author", rf"^(?i:by|written by|words by|text by)\s+({_NAME})(?:\s*[|·,–—-]\s*({_WHEN}))?\.?$",
     False),
    ("last_updated", rf"^(?i:(?:last\s+)?(?:updated|modified)(?:\s+on)?)\s*:?\s*({_WHEN})\.?$",
     False),
    ("date", rf"^(?i:published|posted|first published)(?:\s+(?i:on))?\s*:?\s*({_WHEN})\.?$",
     False),
    ("date", rf"^\(?({_DATE})\)?$", True),
    ("publication", r"^(?i:from|source|originally published in)\s*:?\s+(.*?\d.*?)"
     r"(?=\s+(?i:transcribed|transcription|marked up|html)\b|$)", True),
    ("transcriber", rf"(?i:transcribed|transcription|marked up|markup)[^.;]*?\b(?i:by)\s+({_NAME})",
     True),
)
_LINE_PATTERNS = [(n, regex.compile(p, regex.V1), h) for n, p, h in _LINE_META]
_LAST_UPDATED = regex.compile(r"(?i:last\s+updated)\s*:?\s*(?i:on\s+)?([^|·\n]*\d[^|·\n]*?)\s*"
                              r"(?:[|·]|$)", regex.V1)
_WRITES = regex.compile(rf"[,;–—]\s*(?:writes|argues|reports|explains)\s+({_NAME})\.?\s*$",
                        regex.V1)
_TITLE_SEP = regex.compile(r"\s+[|–—:·-]{1,2}\s+")
_WORDS = regex.compile(r"\w+")


def _words(text: str) -> int:
    return len(_WORDS.findall(text))


def head_metadata(root: etree._Element) -> list[MetaField]:
    """<title>, <meta name|property=...>, <link rel=canonical>: first value per name."""
    found: dict[str, MetaField] = {}
    title = root.find(".//head/title")
    if title is not None and norm_space(title.text_content()):
        text = norm_space(title.text_content())
        found["title"] = MetaField("title", text, title.sourceline or 1, text)
    for meta in root.iter("meta", "link"):
        key = (meta.get("name") or meta.get("property") or meta.get("itemprop") or "").lower()
        value = norm_space(meta.get("content") or "")
        if meta.tag == "link" and "canonical" in (meta.get("rel") or "").lower():
            key, value = "og:url", (meta.get("href") or "").strip()
        for name, keys in _META_NAMES.items():
            url_author = name == "author" and value.startswith("http")
            if key in keys and value and name not in found and not url_author:
                found[name] = MetaField(name, value, meta.sourceline or 1, value)
    return list(found.values())


def meta_line(text: str, *, header: bool = False) -> list[tuple[str, str]]:
    """(name, value) pairs for a byline, a "Last updated"/"Published"/"From ..." line."""
    if _words(text) > (60 if header else 14):
        return []
    found = [(name, m.group(1).strip()) for name, pattern, head_only in _LINE_PATTERNS
             if (header or not head_only) and (m := pattern.search(text))]
    if found and found[0][0] == "author" and (dated := _LINE_PATTERNS[0][1].match(text)[2]):
        found.append(("date", dated))  # "By Jane Doe | 4 March 2023"
    if found and found[0][0] not in ("publication", "transcriber") and _words(text) > 14:
        return []
    return found


def last_updated(text: str) -> str:
    """The date of a "Last updated ..." inside a longer footer line."""
    found = _LAST_UPDATED.search(text)
    return found.group(1).strip() if found else ""


def standfirst_author(text: str) -> str:
    """The author named at the end of a standfirst: "..., writes Jane Doe"."""
    found = _WRITES.search(text)
    return found.group(1) if found else ""


def split_title(meta: list[MetaField], blocks: list[Block]) -> list[MetaField]:
    """"Article | Site": keep the article's title (the one its first heading repeats)."""
    title = next((f for f in meta if f.name == "title" and f.raw == f.value), None)
    head = next((b.text for b in blocks if b.kind is BlockKind.HEAD), "")
    if title is None or not head:
        return meta
    parts = _TITLE_SEP.split(title.value)
    if len(parts) < 2 or norm_space(head).casefold() not in {p.casefold() for p in parts}:
        return meta
    rest = " ".join(p for p in parts if p.casefold() != norm_space(head).casefold())
    out = [replace(f, value=norm_space(head)) if f is title else f for f in meta]
    if rest and not any(f.name == "publication" for f in meta):
        out.append(MetaField("publication", rest, title.line, title.raw))
    return out
