"""Stage 2, encode: `Witness` -> TEI P5 witness file (DESIGN §4).

Conventions: every source line that lands anywhere in the file is opened by `<lb n="L"/>`
(L = 1-based line of the source file), in the body and in the teiHeader alike, so each
word can be traced to its line. Non-authorial matter is kept and marked (`fw`, `pb`,
`note type="boilerplate"`, `gap` with the junk in `desc`); every automatic change is an
`annotation` in `standOff`, pointing at the element it concerns. `xml:id`s derive from
the siglum and the source line, so repeated runs write identical files.

This module writes the body and the standOff; the teiHeader is `header.witness_header`.
"""

from __future__ import annotations

from collections.abc import Iterable

from lxml import etree

from ..model import (
    Anomaly,
    Block,
    BlockKind,
    Cleanup,
    Furniture,
    Gap,
    Hi,
    Inline,
    Label,
    LineBreak,
    NoteRef,
    PageBreak,
    Text,
    Witness,
)
from ..tei import MACHINE, NSMAP, SCHEMA_PIS, XML_ID, XML_LANG, tei, xml_safe
from .build import DIV_TYPES, Ids, append_text, el, more_authorial
from .header import witness_header

_ANNOTATION_MOTIVATION = {"classified": "classifying"}


def encode_witness(witness: Witness, *, edition_title: str = "") -> etree._ElementTree:
    """Build the TEI document of one witness."""
    root = etree.Element(tei("TEI"), nsmap=NSMAP)
    root.set(XML_ID, f"wit-{witness.siglum}")
    root.set(XML_LANG, witness.language)
    ids = Ids(witness.siglum)
    line_ids: dict[int, str] = {}
    witness_header(root, witness, ids, line_ids, edition_title)
    text = el(root, "text")
    text.set(XML_ID, f"{witness.siglum}-text")
    body = el(text, "body")
    ids.assign_notes(witness.blocks)
    _body(body, witness, ids, line_ids)
    _stand_off(root, witness, ids, line_ids, text.get(XML_ID) or "")
    doc = etree.ElementTree(root)
    for data in SCHEMA_PIS:
        root.addprevious(etree.ProcessingInstruction("xml-model", data))
    return doc


def serialise(doc: etree._ElementTree) -> bytes:
    return etree.tostring(doc, xml_declaration=True, encoding="UTF-8", pretty_print=False) + b"\n"


# --- body ---------------------------------------------------------------------------


def _body(body: etree._Element, w: Witness, ids: Ids, line_ids: dict[int, str]) -> None:
    stack: list[tuple[int, etree._Element]] = [(0, body)]
    blocks = list(w.blocks)
    i = 0
    while i < len(blocks):
        block = blocks[i]
        ids.position = i
        if block.kind is BlockKind.HEAD:
            level = max(1, block.level)
            while stack[-1][0] >= level:
                stack.pop()
            div = el(stack[-1][1], "div", type=DIV_TYPES.get(level, "subsection"))
            div.set(XML_ID, ids.make("d", block.first_line))
            stack.append((level, div))
            head = el(div, "head")
            _fill(head, block.items, w.siglum, ids)
            _register(head, block, ids, line_ids, "h")
            i += 1
            continue
        parent = stack[-1][1]
        if block.kind in (BlockKind.TABLE_ROW, BlockKind.LIST_ITEM):
            run = [block]
            while i + len(run) < len(blocks) and blocks[i + len(run)].kind is block.kind:
                run.append(blocks[i + len(run)])
            _group(parent, run, w.siglum, ids, line_ids)
            i += len(run)
            continue
        if block.kind is BlockKind.CLOSER and more_authorial(blocks, i):
            node = el(parent, "p", rend="dateline")
            _fill(node, block.items, w.siglum, ids)
            _register(node, block, ids, line_ids, "p")
        else:
            _block(parent, block, w.siglum, ids, line_ids)
        i += 1


def _block(parent: etree._Element, block: Block, siglum: str, ids: Ids,
           line_ids: dict[int, str]) -> None:
    kind = block.kind
    if kind is BlockKind.P:
        node = el(parent, "p")
        prefix = "p"
    elif kind is BlockKind.QUOTE:
        node = el(parent, "quote", type="block")
        prefix = "q"
    elif kind is BlockKind.NOTE:
        node = el(parent, "note", type="authorial", place="foot", n=block.label)
        node.set(XML_ID, ids.note_ids.get(id(block)) or ids.make("n", block.first_line))
        prefix = ""
    elif kind is BlockKind.DIVIDER:
        node = el(parent, "ab", type="divider")
        prefix = "ab"
    elif kind is BlockKind.CLOSER:
        closer = el(parent, "closer")
        node = el(closer, "dateline" if block.role == "dateline" else "signed")
        prefix = "cl"
    elif kind is BlockKind.BOILERPLATE:
        node = el(parent, "note", type="boilerplate", subtype=block.role, resp=MACHINE)
        prefix = "bp"
    elif kind is BlockKind.STANZA:
        node = el(parent, "lg", type="stanza")
        _verse_lines(node, block.items, siglum, ids)
        _register(node, block, ids, line_ids, "lg")
        return
    elif kind is BlockKind.FIGURE:
        node = el(parent, "figure")
        caption = [i for i in block.items if not isinstance(i, LineBreak)]
        breaks = [i for i in block.items if isinstance(i, LineBreak)]
        _fill(node, breaks, siglum, ids)  # lb is not allowed inside figDesc
        if caption:
            _fill(el(node, "figDesc"), caption, siglum, ids)
        _register(node, block, ids, line_ids, "fig")
        return
    elif kind is BlockKind.FURNITURE:
        _fill(parent, block.items, siglum, ids)
        _register_lines(block, line_ids, "")
        return
    elif kind is BlockKind.PAGE_BREAK or kind is BlockKind.GAP:
        _fill(parent, block.items, siglum, ids)
        return
    else:  # pragma: no cover - every kind is handled above
        raise ValueError(f"unknown block kind {kind}")
    _fill(node, block.items, siglum, ids)
    if prefix:
        _register(node, block, ids, line_ids, prefix)
    else:
        _register_lines(block, line_ids, node.get(XML_ID) or "")


def _group(parent: etree._Element, run: list[Block], siglum: str, ids: Ids,
           line_ids: dict[int, str]) -> None:
    if run[0].kind is BlockKind.TABLE_ROW:
        table = el(parent, "table", type="flattened")
        table.set(XML_ID, ids.make("t", run[0].first_line))
        for block in run:
            row = el(table, "row")
            _cells(row, block.items, siglum, ids)
            _register_lines(block, line_ids, table.get(XML_ID) or "")
        return
    lst = el(parent, "list")
    lst.set(XML_ID, ids.make("l", run[0].first_line))
    for block in run:
        item = el(lst, "item")
        _fill(item, block.items, siglum, ids)
        _register_lines(block, line_ids, lst.get(XML_ID) or "")


def _verse_lines(lg: etree._Element, items: tuple[Inline, ...], siglum: str, ids: Ids) -> None:
    """A stanza's items -> one `l` per verse line; the LineBreak opening it goes inside."""
    line: etree._Element | None = None
    for item in items:
        if isinstance(item, LineBreak) or line is None:
            line = el(lg, "l")
        _fill(line, (item,), siglum, ids)


def _cells(row: etree._Element, items: tuple[Inline, ...], siglum: str, ids: Ids) -> None:
    """Each Text is one cell (the model's convention); a line break before it goes in it."""
    pending: list[Inline] = []
    cell: etree._Element | None = None
    for item in items:
        if isinstance(item, LineBreak):
            pending.append(item)
        elif isinstance(item, Text):
            cell = el(row, "cell")
            _fill(cell, (*pending, item), siglum, ids)
            pending = []
        else:
            if cell is None:
                cell = el(row, "cell")
            _fill(cell, (*pending, item), siglum, ids)
            pending = []
    if pending:
        _fill(cell if cell is not None else el(row, "cell"), pending, siglum, ids)


def _register(node: etree._Element, block: Block, ids: Ids, line_ids: dict[int, str],
              prefix: str) -> None:
    node.set(XML_ID, ids.make(prefix, block.first_line))
    _register_lines(block, line_ids, node.get(XML_ID) or "")


def _register_lines(block: Block, line_ids: dict[int, str], xml_id: str) -> None:
    if not xml_id:
        return
    for item in block.items:
        line = getattr(item, "line", 0)
        if line and line not in line_ids:
            line_ids[line] = xml_id


def _fill(node: etree._Element, items: Iterable[Inline], siglum: str, ids: Ids) -> None:
    """Inline items -> TEI mixed content."""
    for item in items:
        if isinstance(item, Text):
            append_text(node, item.text)
        elif isinstance(item, LineBreak):
            lb = el(node, "lb", n=str(item.line))
            if item.joined:
                lb.set("break", "no")
                if item.rule:
                    lb.set("type", item.rule)
        elif isinstance(item, Gap):
            gap = el(node, "gap", reason=item.reason, resp=MACHINE)
            el(gap, "desc", item.junk, type="junk")
        elif isinstance(item, Furniture):
            fw = el(node, "fw", type=item.kind)
            el(fw, "lb", n=str(item.line)).tail = xml_safe(item.text)
        elif isinstance(item, PageBreak):
            el(node, "pb", n=item.n, type="browser-print" if item.url else "", source=item.url)
        elif isinstance(item, NoteRef):
            el(node, "ref", item.text or f"[{item.label}]", type="noteAnchor",
               target=ids.note_target(item.label))
        elif isinstance(item, Label):
            el(node, "label", item.text, type="run-in")
        elif isinstance(item, Hi):
            el(node, "hi", item.text, rend=item.rend)
        else:  # pragma: no cover
            raise TypeError(f"unknown inline item {item!r}")


# --- standOff -----------------------------------------------------------------------


def _stand_off(root: etree._Element, w: Witness, ids: Ids, line_ids: dict[int, str],
               fallback: str) -> None:
    if not w.cleanups and not w.anomalies:
        return
    stand_off = el(root, "standOff", type="provenance")
    if w.cleanups:
        cleanups = el(stand_off, "listAnnotation", type="cleanup")
        for n, cleanup in enumerate(w.cleanups, 1):
            _annotation(cleanups, f"{w.siglum}-c{n}", line_ids.get(cleanup.line, fallback),
                        cleanup)
    if w.anomalies:
        anomalies = el(stand_off, "listAnnotation", type="anomaly")
        for n, anomaly in enumerate(w.anomalies, 1):
            _anomaly(anomalies, f"{w.siglum}-a{n}", line_ids.get(anomaly.line, fallback),
                     anomaly)


def _annotation(parent: etree._Element, xml_id: str, target: str, cleanup: Cleanup) -> None:
    ann = el(parent, "annotation", target=f"#{target}",
             motivation=_ANNOTATION_MOTIVATION.get(cleanup.action, "editing"), resp=MACHINE,
             n=str(cleanup.line))
    ann.set(XML_ID, xml_id)
    el(ann, "note", cleanup.detail, type=cleanup.action, subtype=cleanup.rule)
    if cleanup.before:
        el(ann, "note", cleanup.before, type="before")
    if cleanup.after:
        el(ann, "note", cleanup.after, type="after")


def _anomaly(parent: etree._Element, xml_id: str, target: str, anomaly: Anomaly) -> None:
    ann = el(parent, "annotation", target=f"#{target}", motivation="assessing",
             resp=MACHINE, n=str(anomaly.line))
    ann.set(XML_ID, xml_id)
    el(ann, "note", anomaly.message, type=anomaly.kind, subtype=anomaly.cause)
    if anomaly.evidence:
        el(ann, "note", anomaly.evidence, type="evidence")
