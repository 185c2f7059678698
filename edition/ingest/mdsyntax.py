"""Markdown recognised from content, and its YAML front matter read as metadata.

Kept apart from the reader (`markdown.py`) so that `sniff_format` can ask whether a
file is Markdown without importing the parser. Recognition needs strong, repeated
signals of at least two kinds (ATX headings, `[^n]` footnote definitions, `**strong**`,
`[text](url)` links, fenced code, link definitions, front matter): plain-text e-texts
use `_italics_`, `*` dividers and the odd `#`, and must stay plain text.
"""

from __future__ import annotations

import re

from ..model import Cleanup, MetaField

# (pattern, how many occurrences make the signal)
_SIGNALS: dict[str, tuple[re.Pattern[str], int]] = {
    "heading": (re.compile(r"^ {0,3}#{1,6}[ \t]+\S", re.M), 2),
    "footnote": (re.compile(r"^ {0,3}\[\^[^\]\s]+\]:[ \t]", re.M), 1),
    "strong": (re.compile(r"(?<![*\w])\*\*(?=[^\s*])[^*\n]{1,200}(?<=[^\s*])\*\*(?![*\w])"), 2),
    "link": (re.compile(r"(?<!\\)\[[^\]\n]{1,300}\]\([^()\s]+(?:[ \t]+\"[^\"\n]*\")?\)"), 2),
    "fence": (re.compile(r"^ {0,3}(?:```|~~~)", re.M), 2),
    "definition": (re.compile(r"^ {0,3}\[[^\]\n^]{1,100}\]:[ \t]+<?(?:[a-z]+:|/|#)\S*",
                              re.M | re.I), 2),
}
_FOOTNOTE_REF = re.compile(r"\[\^[^\]\s]+\]")
_FRONT = re.compile(r"\A---[ \t]*\n((?:.*\n){1,200}?)(?:---|\.\.\.)[ \t]*(?:\n|\Z)")
_KEY = re.compile(r"^([A-Za-z_][\w-]*)[ \t]*:(?:[ \t]+(.*?))?[ \t]*$")
_ITEM = re.compile(r"^[ \t]*-[ \t]+(.*?)[ \t]*$")
_LANG = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")
_NAMES = {"title": "title", "subtitle": "subtitle", "author": "author", "authors": "author",
          "creator": "author", "by": "author", "date": "date", "published": "date",
          "year": "date", "description": "description", "abstract": "description",
          "summary": "description", "publisher": "publication", "journal": "publication",
          "source": "source_url", "url": "source_url",
          "lang": "language", "language": "language"}


def markdown_signals(text: str) -> set[str]:
    """The kinds of Markdown syntax that `text` shows often enough to count."""
    found = {name for name, (pattern, least) in _SIGNALS.items()
             if _at_least(pattern, text, least)}
    if "footnote" in found and len(_FOOTNOTE_REF.findall(text)) < 2:
        found.discard("footnote")  # a definition with no call is no evidence
    if front_matter_lines(text):
        found.add("front-matter")
    return found


def looks_like_markdown(text: str) -> bool:
    """True if `text` shows two kinds of Markdown syntax, each repeated (see module doc)."""
    return len(markdown_signals(text)) >= 2


def front_matter_lines(text: str) -> int:
    """How many lines the YAML front matter at the top takes (fences included), or 0."""
    found = _FRONT.match(text)
    if not found:
        return 0
    body = found.group(1).splitlines()
    if not any(_KEY.match(line) for line in body):
        return 0
    return len(body) + 2


def read_front_matter(lines: tuple[str, ...], first: int, last: int
                      ) -> tuple[list[MetaField], list[Cleanup], str]:
    """Lines first..last (1-based, fences included) -> metadata, the cleanup, a language.

    Every line between the fences becomes a `MetaField` (its raw line kept, so it goes
    into the teiHeader with its `lb`): known keys get their model names (title, author,
    date...), other keys keep their own, `- item` lines take their list's key.
    """
    fields: list[MetaField] = []
    language = ""
    key = "front-matter"
    for number in range(first + 1, last):
        raw = lines[number - 1]
        if not raw.strip():
            continue
        keyed, item = _KEY.match(raw), _ITEM.match(raw)
        if keyed and not raw[:1].isspace():
            key = _NAMES.get(keyed.group(1).lower(), keyed.group(1).lower())
            value = _unquote(keyed.group(2) or "")
            name = key if value else "front-matter-key"
            value = value or keyed.group(1)
        else:
            name, value = key, _unquote(item.group(1) if item else raw.strip())
        if name == "language" and _LANG.match(value) and not language:
            language = value
        fields.append(MetaField(name=name, value=value, line=number, raw=raw))
    cleanup = Cleanup("markdown-front-matter", "moved", fields[0].line if fields else first,
                      f"YAML front matter (lines {first}-{last}) moved into the teiHeader",
                      before=lines[first - 1])
    return fields, [cleanup], language


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1].strip()
    return value


def _at_least(pattern: re.Pattern[str], text: str, least: int) -> bool:
    return any(n >= least for n, _ in enumerate(pattern.finditer(text), 1))
