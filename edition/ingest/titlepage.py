"""The title page of a plain text: front matter, never a run of empty divisions.

Before its first real division an e-text often copies the printed title page: the title
cut into short lines ("COMMON SENSE;" / "addressed to the" / "INHABITANTS"), "by", the
author, a motto, the place, the printer and the year, each line standing alone. Read
line by line these look like headings with nothing under them. The title page is found
by form: the opening of the text up to its first division recognised by a strong rule (a
"Chapter" line, a contents list, a numeral heading) or its first long prose paragraph,
when that opening is short, mostly made of short lines, and holds a heading. Its
headings become paragraphs of role "title-page" (their lines kept, each change a
`Cleanup`); its other paragraphs take the same role.
"""

from __future__ import annotations

import re
from dataclasses import replace

from ..model import Block, BlockKind, Cleanup, LineBreak

_STRONG = {"chapter-heading", "contents-list", "roman-numeral-heading",
           "numbered-section-heading"}
_SKIP = {BlockKind.BOILERPLATE, BlockKind.FURNITURE, BlockKind.PAGE_BREAK, BlockKind.FIGURE}
_PROSE_WORDS = 100  # a paragraph this long: the work has begun
_MAX_WORDS = 250  # a title page is short
_SHORT_LINE = 6  # words


def mark_title_page(blocks: list[Block]) -> tuple[list[Block], list[Cleanup]]:
    """The blocks with a title page's headings and paragraphs re-classified."""
    region = _opening(blocks)
    if not region or not any(blocks[i].kind is BlockKind.HEAD for i in region):
        return blocks, []
    lines = [n for i in region for n in _line_words(blocks[i])]
    if not lines or sum(lines) > _MAX_WORDS or \
            sum(1 for n in lines if n <= _SHORT_LINE) < 0.5 * len(lines):
        return blocks, []
    out = list(blocks)
    cleanups: list[Cleanup] = []
    for i in region:
        block = blocks[i]
        if block.kind is BlockKind.HEAD:
            out[i] = replace(block, kind=BlockKind.P, level=0, role="title-page",
                             rule="title-page")
            cleanups.append(Cleanup(
                "title-page", "classified", block.first_line,
                "a line of the title page (before the first division) kept as a title-page "
                "paragraph, not a heading of an empty division", before=block.text))
        elif block.kind is BlockKind.P and not block.role:
            out[i] = replace(block, role="title-page")
    return out, cleanups


def _opening(blocks: list[Block]) -> list[int]:
    """Indices of the authorial blocks before the first strong division or long paragraph."""
    region: list[int] = []
    for i, block in enumerate(blocks):
        if block.kind in _SKIP:
            continue
        if block.kind is BlockKind.HEAD and block.rule in _STRONG:
            return region
        if block.kind in (BlockKind.P, BlockKind.QUOTE) and _words(block.text) >= _PROSE_WORDS:
            return region
        region.append(i)
    return []  # no division and no prose after it: nothing to set apart


def _line_words(block: Block) -> list[int]:
    """Words of each source line of the block."""
    counts: dict[int, int] = {}
    for item in block.items:
        if hasattr(item, "line") and not isinstance(item, LineBreak):
            counts[item.line] = counts.get(item.line, 0) + _words(getattr(item, "text", ""))
    return list(counts.values())


def _words(text: str) -> int:
    return len(re.findall(r"\w+", text))
