"""TEI-building helpers shared by the witness file, its header and the edition file.

`el` adds a TEI element (attributes given as keywords, empty ones left out), `append_text`
adds character data after the last child; `Ids` makes the stable xml:ids of a witness
file; `DIV_TYPES` and `more_authorial` are the structure rules that the witness body and
the edition's works must apply alike.
"""

from __future__ import annotations

from collections.abc import Sequence

from lxml import etree

from ..model import Block, BlockKind
from ..tei import tei, xml_safe

DIV_TYPES = {1: "chapter", 2: "section", 3: "subsection"}

_AUTHORIAL = {BlockKind.P, BlockKind.QUOTE, BlockKind.LIST_ITEM, BlockKind.TABLE_ROW,
              BlockKind.DIVIDER, BlockKind.CLOSER}


def el(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    node = etree.SubElement(parent, tei(tag))
    for key, value in attrs.items():
        if value:
            node.set(key.rstrip("_").replace("__", ":"), value)
    if text:
        node.text = xml_safe(text)
    return node


def append_text(node: etree._Element, text: str) -> None:
    """Append character data after the last child (or as the node's text)."""
    if not text:
        return
    text = xml_safe(text)
    if len(node):
        last = node[-1]
        last.tail = (last.tail or "") + text
    else:
        node.text = (node.text or "") + text


class Ids:
    """Stable, unique xml:ids: siglum + kind letter + source line."""

    def __init__(self, siglum: str) -> None:
        self.siglum = siglum
        self.used: set[str] = set()
        self.taken: dict[str, int] = {}  # base -> how many ids it has given (linear, not n^2)
        self.note_ids: dict[int, str] = {}  # id(note block) -> its xml:id
        self.notes_by_label: dict[str, list[tuple[int, str]]] = {}
        self.position = 0  # index of the block being written, for `note_target`

    def make(self, kind: str, line: int) -> str:
        return self.unique(f"{self.siglum}-{kind}{line}")

    def unique(self, base: str) -> str:
        """`base`, or `base-2`, `base-3`... the first not yet given."""
        n = self.taken.get(base, 0) + 1
        candidate = base if n == 1 else f"{base}-{n}"
        while candidate in self.used:
            n += 1
            candidate = f"{base}-{n}"
        self.taken[base] = n
        self.used.add(candidate)
        return candidate

    def assign_notes(self, blocks: Sequence[Block]) -> None:
        """Every note's id, given before the text is written so that calls can point to
        their notes: `n<label>`, or `n<line>` for a note without a label; a label used
        again (notes numbered anew in each chapter, two lists of references) gets
        `n<label>-2`, and so on. Unique by construction."""
        for i, block in enumerate(blocks):
            if block.kind is not BlockKind.NOTE:
                continue
            if not block.label:
                self.note_ids[id(block)] = self.make("n", block.first_line)
                continue
            ident = self.unique(f"{self.siglum}-n{block.label}")
            self.note_ids[id(block)] = ident
            self.notes_by_label.setdefault(block.label, []).append((i, ident))

    def note_target(self, label: str) -> str:
        """The pointer of a call with this label: to the first note so labelled after the
        block being written, else the last one before it; "" (no pointer, the call's text
        kept) when the source has no such note."""
        notes = self.notes_by_label.get(label)
        if not notes:
            return ""
        after = [ident for i, ident in notes if i >= self.position]
        return "#" + (after[0] if after else notes[-1][1])


def more_authorial(blocks: list[Block], i: int) -> bool:
    """True if authorial prose follows block i before the next heading (closer must be last)."""
    for block in blocks[i + 1:]:
        if block.kind is BlockKind.HEAD:
            return False
        if block.kind in _AUTHORIAL:
            return True
    return False
