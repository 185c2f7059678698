"""TEI-building helpers shared by the witness file, its header and the edition file.

`el` adds a TEI element (attributes given as keywords, empty ones left out), `append_text`
adds character data after the last child; `Ids` makes the stable xml:ids of a witness
file; `DIV_TYPES` and `more_authorial` are the structure rules that the witness body and
the edition's works must apply alike.
"""

from __future__ import annotations

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

    def make(self, kind: str, line: int) -> str:
        base = f"{self.siglum}-{kind}{line}"
        n = self.taken.get(base, 0) + 1
        candidate = base if n == 1 else f"{base}-{n}"
        while candidate in self.used:
            n += 1
            candidate = f"{base}-{n}"
        self.taken[base] = n
        self.used.add(candidate)
        return candidate


def more_authorial(blocks: list[Block], i: int) -> bool:
    """True if authorial prose follows block i before the next heading (closer must be last)."""
    for block in blocks[i + 1:]:
        if block.kind is BlockKind.HEAD:
            return False
        if block.kind in _AUTHORIAL:
            return True
    return False
