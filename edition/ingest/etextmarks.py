"""Transcribers' conventions of plain e-texts: `[Illustration: ...]`, `[Footnote 1: ...]`,
`_italic_` and `*emphasis*`.

E-texts mark in brackets what the printed book showed otherwise (a picture, a footnote at
the page foot) and put underscores or asterisks round italic words. The bracketed
paragraphs become figures (the caption as `figDesc`) and notes (linked to their `[1]`
calls); the delimited words become `Hi` items. The brackets, labels and delimiters are
the transcriber's, not the author's: each removal is a `Cleanup` that keeps them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..model import Block, BlockKind, Cleanup, Hi, Inline, Text
from .lines import LineInfo, LineKind

_BRACKET = re.compile(r"^\s*\[\s*(?P<kind>Illustrations?|Footnote|Note)\b\s*(?P<label>[\w*†‡]*)"
                      r"\s*(?::\s*|(?=\]))", re.I)
_EMPHASIS = {"_": "italic", "*": "italic"}
_EMPHASIS_KINDS = {BlockKind.P, BlockKind.QUOTE, BlockKind.HEAD, BlockKind.NOTE,
                   BlockKind.STANZA, BlockKind.LIST_ITEM, BlockKind.CLOSER, BlockKind.FIGURE}


@dataclass(frozen=True)
class Bracketed:
    """A bracketed transcriber's paragraph: a figure or a footnote body."""

    kind: BlockKind  # FIGURE or NOTE
    label: str
    lines: list[int]  # indices of its lines
    body: list[str]  # each line's text without the opening "[Kind N:" and closing "]"


def find_bracketed(infos: list[LineInfo]) -> dict[int, Bracketed]:
    """Bracketed figures and footnotes: index of the first line -> what it is."""
    found: dict[int, Bracketed] = {}
    i = 0
    while i < len(infos):
        info = infos[i]
        m = _BRACKET.match(info.text) if info.kind is LineKind.TEXT else None
        if m is None:
            i += 1
            continue
        group = [i]
        while (not infos[group[-1]].text.rstrip().endswith("]") and group[-1] + 1 < len(infos)
               and infos[group[-1] + 1].kind is LineKind.TEXT and len(group) < 40):
            group.append(group[-1] + 1)
        if not infos[group[-1]].text.rstrip().endswith("]"):
            i += 1
            continue
        body = [infos[j].stripped for j in group]
        body[0] = info.text[m.end():].strip()
        body[-1] = body[-1][:-1].rstrip()
        kind = BlockKind.FIGURE if m.group("kind").lower().startswith("illus") else BlockKind.NOTE
        found[i] = Bracketed(kind, m.group("label"), group, body)
        i = group[-1] + 1
    return found


def mark_emphasis(blocks: list[Block]) -> tuple[list[Block], list[Cleanup]]:
    """`_word_` and `*word*` in authorial blocks -> `Hi`, when the text uses the convention
    (balanced delimiters in a block); each removed delimiter pair is a cleanup."""
    cleanups: list[Cleanup] = []
    out: list[Block] = []
    for block in blocks:
        if block.kind not in _EMPHASIS_KINDS:
            out.append(block)
            continue
        items: list[Inline] = list(block.items)
        for mark, rend in _EMPHASIS.items():
            items = _split_marks(items, mark, rend, cleanups)
        out.append(block if items == list(block.items) else Block(
            block.kind, tuple(items), block.level, block.role, block.label, block.rule))
    return out, cleanups


def _delimiters(text: str, mark: str) -> list[tuple[int, str]]:
    m = re.escape(mark)
    found: list[tuple[int, str]] = []
    for pos in (x.start() for x in re.finditer(m, text)):
        before = text[pos - 1] if pos else " "
        after = text[pos + 1] if pos + 1 < len(text) else " "
        if after == mark or before == mark:
            continue  # "__", "***": not a delimiter
        if (before.isspace() or before in "([“\"‘'«—-") and not after.isspace():
            found.append((pos, "open"))
        elif not before.isspace() and (after.isspace() or after in ".,;:!?)]”\"’'»—-"):
            found.append((pos, "close"))
    return found


def _split_marks(items: list[Inline], mark: str, rend: str,
                 cleanups: list[Cleanup]) -> list[Inline]:
    marks = [(n, pos, side) for n, item in enumerate(items) if isinstance(item, Text)
             for pos, side in _delimiters(item.text, mark)]
    sides = [side for _, _, side in marks]
    if not marks or len(marks) % 2 or sides != ["open", "close"] * (len(marks) // 2):
        return items  # unbalanced: leave the text as it is
    cuts: dict[int, list[int]] = {}
    for n, pos, _ in marks:
        cuts.setdefault(n, []).append(pos)
    out: list[Inline] = []
    inside = False
    span: list[str] = []
    first_line = 0
    for n, item in enumerate(items):
        if not isinstance(item, Text):
            out.append(item)
            continue
        start = 0
        for pos in [*cuts.get(n, []), len(item.text)]:
            piece = item.text[start:pos]
            if piece:
                out.append(Hi(piece, item.line, rend) if inside else Text(piece, item.line))
                if inside:
                    span.append(piece)
            if pos == len(item.text):
                break
            if inside:
                cleanups.append(Cleanup(
                    "etext-emphasis", "repaired", first_line,
                    f"the transcriber's {mark}…{mark} round italic words encoded as hi",
                    before=f"{mark}{' '.join(span)}{mark}", after=" ".join(span)))
                span = []
            else:
                first_line = item.line
            inside = not inside
            start = pos + 1
    return out
