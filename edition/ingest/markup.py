"""Shared machinery for the markup readers: element trees -> blocks with exact source lines.

The HTML reader (`html.py`) and the TEI reader (`teisource.py`) both walk a parsed tree
and must give every word the line of the markup file it stands on. `BlockBuilder` does
that for both: it gathers inline items into `Block`s, breaks at every source newline, and
checks each piece against the source lines (parsers sometimes report a neighbouring line).
"""

from __future__ import annotations

import html as htmlmod

import regex
from lxml import etree

from ..model import Block, BlockKind, Inline, LineBreak, Text

_WORD = regex.compile(r"\w+")
_SEP = object()  # a table-cell boundary: keeps neighbouring cells in separate Text items


def norm_space(text: str) -> str:
    return " ".join(text.split())


def snippet(text: str, size: int = 200) -> str:
    text = norm_space(text)
    return text if len(text) <= size else text[: size - 1] + "…"


def end_line(el: etree._Element) -> int:
    """The line where `el`'s content ends (lxml's sourceline is where its start tag ends)."""
    if len(el):
        last = el[-1]
        return end_line(last) + (last.tail or "").count("\n")
    line = el.sourceline or 1
    return line + (el.text or "").count("\n") if isinstance(el.tag, str) else line


class BlockBuilder:
    """Gathers inline items into `Block`s, with a `LineBreak` at every new source line.

    Shared by the HTML and TEI readers: they walk a tree and say on which line each
    piece of text starts; this splits it at newlines so every word keeps its line, and
    checks that line against the source (a word not on it is looked for nearby).
    """

    def __init__(self, lines: tuple[str, ...] = (), *, unescape: bool = False) -> None:
        self.blocks: list[Block] = []
        self.lines, self.unescape = lines, unescape
        self._items: list[object] = []
        self._spec: tuple[BlockKind, int, str, str, str] | None = None
        self._line = 0
        self._plain: dict[int, str] = {}

    @property
    def is_open(self) -> bool:
        return self._spec is not None

    def open(self, kind: BlockKind, *, level: int = 0, role: str = "", label: str = "",
             rule: str = "") -> None:
        self.flush()
        self._spec = (kind, level, role, label, rule)

    def text(self, text: str, line: int) -> None:
        """Add `text` that starts on source line `line`; each newline in it is a new line."""
        pieces = text.split("\n")
        for i, piece in enumerate(pieces):
            if i < len(pieces) - 1:
                piece = piece.rstrip()
            # whitespace counts only as a separator after text on the same line
            same_line = line + i == self._line and isinstance(self._last(), Text)
            if piece.strip() or (piece and same_line):
                self._put(piece, line + i)

    def space(self) -> None:
        """A word boundary with no line break in the source (<br>)."""
        last = self._last()
        if isinstance(last, Text) and not last.text.endswith(" "):
            self._items[-1] = Text(last.text + " ", last.line)

    def add(self, item: Inline) -> None:
        line = item.line  # type: ignore[union-attr]
        if line != self._line:
            self.linebreak(line)
        self._items.append(item)

    def linebreak(self, line: int, joined: bool = False, rule: str = "") -> None:
        last = self._last()
        if isinstance(last, LineBreak) and last.line == line:
            if joined:
                self._items[-1] = LineBreak(line, True, rule)
        else:
            self._items.append(LineBreak(line, joined, rule))
        self._line = line

    def sep(self) -> None:
        self._items.append(_SEP)

    def flush(self) -> Block | None:
        """Close the open block; return it, or None if it held no text."""
        spec, items = self._spec, [i for i in self._items if i is not _SEP]
        self._spec, self._items, self._line = None, [], 0
        while len(items) > 1 and isinstance(items[-1], LineBreak):
            items.pop()
        if spec is None:
            return None
        if items and isinstance(items[-1], Text):
            items[-1] = Text(items[-1].text.rstrip(), items[-1].line)
        content = [i for i in items if not isinstance(i, LineBreak)]
        if not content and spec[0] is not BlockKind.DIVIDER:
            return None
        if all(isinstance(i, Text) and not i.text.strip() for i in content) and content:
            return None
        kind, level, role, label, rule = spec
        block = Block(kind, tuple(items), level, role, label, rule)  # type: ignore[arg-type]
        self.blocks.append(block)
        return block

    def _last(self) -> object:
        return self._items[-1] if self._items else None

    def _put(self, piece: str, line: int) -> None:
        line = self._check(piece, line)
        if line != self._line:
            self.linebreak(line)
            piece = piece.lstrip()
        last = self._last()
        if isinstance(last, Text) and last.line == line:
            self._items[-1] = Text(last.text + piece, line)
        else:
            self._items.append(Text(piece, line))

    def _check(self, piece: str, line: int) -> int:
        """`line`, or the nearest line that has the piece's first word (parser quirks)."""
        found = _WORD.search(piece)
        if not found or not self.lines:
            return line
        word = found.group()
        for near in (line, line + 1, line - 1, line + 2, line - 2, line + 3, line - 3):
            if 1 <= near <= len(self.lines) and word in self._plain_line(near):
                return near
        return min(max(line, 1), len(self.lines))

    def _plain_line(self, n: int) -> str:
        if not self.unescape:
            return self.lines[n - 1]
        if n not in self._plain:
            raw = self.lines[n - 1]
            self._plain[n] = raw + "\n" + htmlmod.unescape(raw) if "&" in raw else raw
        return self._plain[n]
