"""Where a paragraph of hard-wrapped plain text ends when no blank line says so.

A hard-wrapped text (every line cut near one width) may mark its paragraphs by a blank
line, by an indented first line, or by nothing but a short last line. Older e-texts use
the indented first line, and their dialogue puts each speech in its own paragraph: a line
that ends with a closing quote after the speech's last punctuation, followed by a line
that opens a quotation, is a change of speaker, not a wrapped line. These tests are by
form only (indentation, punctuation, quotation marks), so they hold for the next text;
the layout pass (`text._Layout`) records each split they cause as a `Cleanup`.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter

from .lines import LineInfo, LineKind
from .structure import CLOSE_QUOTES, OPEN_QUOTES, ends_sentence

_CLOSING_QUOTE_END = re.compile(r"[.!?…]\s*[\"”’'»]+\)?$")
_OPENS_QUOTE = (*OPEN_QUOTES, "'", "„")
_CLOSE_QUOTES = (*CLOSE_QUOTES, "'")
_MAX_INDENT = 8  # deeper than a paragraph indent: a block quotation or verse


def wrap_width(infos: list[LineInfo]) -> int:
    """The width a hard-wrapped text was wrapped at, or 0 for one-line paragraphs."""
    lengths = sorted(len(i.text.rstrip()) for i in infos if i.kind is LineKind.TEXT)
    if len(lengths) < 20:
        return 0
    width = lengths[int(len(lengths) * 0.95)]
    near = sum(1 for n in lengths if 0.75 * width <= n <= width)
    return width if width <= 160 and near >= 0.4 * len(lengths) else 0


def indent(text: str) -> int:
    return len(text) - len(text.lstrip(" \t"))


def paragraph_indent(infos: list[LineInfo]) -> int:
    """The indent of a first line when the text sets its paragraphs that way, else 0.

    Counted where a flush line ending a sentence is followed, in the same group, by an
    indented line: three such places make a convention of the text.
    """
    found: Counter[int] = Counter()
    for prev, info in itertools.pairwise(infos):
        if (prev.kind is LineKind.TEXT and info.kind is LineKind.TEXT and not indent(prev.text)
                and 0 < indent(info.text) <= _MAX_INDENT and _closes(prev.text)
                and not _carried(prev.text, info.text)):
            found[indent(info.text)] += 1
    if not found:
        return 0
    value, count = found.most_common(1)[0]
    return value if count >= 3 else 0


def opens_paragraph(prev: str, line: str, para_indent: int) -> str:
    """The rule by which `line` opens a new paragraph right after `prev` (no blank line
    between them), or "" if it goes on the same paragraph."""
    if not _closes(prev) or line.lstrip()[:1].islower():
        return ""
    ind = indent(line)
    if 0 < ind <= _MAX_INDENT and not _carried(prev, line) and (
            indent(prev) == 0 or ind == para_indent):
        return "para-split-indent"
    if _CLOSING_QUOTE_END.search(prev.rstrip()) and line.lstrip().startswith(_OPENS_QUOTE):
        return "para-split-dialogue"
    return ""


def _closes(prev: str) -> bool:
    """`prev` ends a sentence, and not with a colon or semicolon: those announce what
    follows ("a picture as this of living conditions:" then the quotation, indented or not,
    in the same paragraph)."""
    return ends_sentence(prev) and not prev.rstrip().endswith((":", ";"))


def _carried(prev: str, line: str) -> bool:
    """One space opening a line after a closing quote: the word space after the quote,
    carried to the next line when the text was re-wrapped, not an indent."""
    return indent(line) == 1 and prev.rstrip().endswith(_CLOSE_QUOTES)
