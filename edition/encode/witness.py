"""Stage 2, encode: `Witness` -> TEI P5 witness file (DESIGN §4).

Conventions: every source line that lands anywhere in the file is opened by `<lb n="L"/>`
(L = 1-based line of the source file), in the body and in the teiHeader alike, so each
word can be traced to its line. Non-authorial matter is kept and marked (`fw`, `pb`,
`note type="boilerplate"`, `gap` with the junk in `desc`); every automatic change is an
`annotation` in `standOff`, pointing at the element it concerns. `xml:id`s derive from
the siglum and the source line, so repeated runs write identical files.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from lxml import etree

from .. import __version__
from ..model import (
    Anomaly,
    Block,
    BlockKind,
    Cleanup,
    Furniture,
    Gap,
    Inline,
    Label,
    LineBreak,
    MetaField,
    NoteRef,
    PageBreak,
    Text,
    Witness,
)
from ..tei import MACHINE, NSMAP, SCHEMA_PIS, XML_ID, XML_LANG, tei, xml_safe

# metadata field -> (element, attributes) inside a bibl
_META_ELEMENT: dict[str, tuple[str, dict[str, str]]] = {
    "title": ("title", {"type": "main"}),
    "subtitle": ("title", {"type": "sub"}),
    "author": ("author", {}),
    "date": ("date", {}),
    "publication": ("title", {"level": "j"}),
    "pages": ("biblScope", {"unit": "page"}),
    "volume": ("biblScope", {"unit": "volume"}),
    "transcriber": ("editor", {"role": "transcriber"}),
    "last_updated": ("date", {"type": "last-updated"}),
    "source_url": ("ref", {}),
    "description": ("note", {"type": "description"}),
}
_ANNOTATION_MOTIVATION = {"classified": "classifying"}


def _el(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    node = etree.SubElement(parent, tei(tag))
    for key, value in attrs.items():
        if value:
            node.set(key.rstrip("_").replace("__", ":"), value)
    if text:
        node.text = xml_safe(text)
    return node


def _append_text(node: etree._Element, text: str) -> None:
    """Append character data after the last child (or as the node's text)."""
    if not text:
        return
    text = xml_safe(text)
    if len(node):
        last = node[-1]
        last.tail = (last.tail or "") + text
    else:
        node.text = (node.text or "") + text


class _Ids:
    """Stable, unique xml:ids: siglum + kind letter + source line."""

    def __init__(self, siglum: str) -> None:
        self.siglum = siglum
        self.used: set[str] = set()

    def make(self, kind: str, line: int) -> str:
        base = f"{self.siglum}-{kind}{line}"
        candidate, n = base, 1
        while candidate in self.used:
            n += 1
            candidate = f"{base}-{n}"
        self.used.add(candidate)
        return candidate


def encode_witness(witness: Witness, *, edition_title: str = "") -> etree._ElementTree:
    """Build the TEI document of one witness."""
    root = etree.Element(tei("TEI"), nsmap=NSMAP)
    root.set(XML_ID, f"wit-{witness.siglum}")
    root.set(XML_LANG, witness.language)
    ids = _Ids(witness.siglum)
    line_ids: dict[int, str] = {}
    _header(root, witness, ids, line_ids, edition_title)
    text = _el(root, "text")
    text.set(XML_ID, f"{witness.siglum}-text")
    body = _el(text, "body")
    _body(body, witness, ids, line_ids)
    _stand_off(root, witness, ids, line_ids, text.get(XML_ID) or "")
    doc = etree.ElementTree(root)
    for data in SCHEMA_PIS:
        root.addprevious(etree.ProcessingInstruction("xml-model", data))
    return doc


def serialise(doc: etree._ElementTree) -> bytes:
    return etree.tostring(doc, xml_declaration=True, encoding="UTF-8", pretty_print=False) + b"\n"


# --- header -------------------------------------------------------------------------


def _header(root: etree._Element, w: Witness, ids: _Ids, line_ids: dict[int, str],
            edition_title: str) -> None:
    header = _el(root, "teiHeader")
    file_desc = _el(header, "fileDesc")
    title_stmt = _el(file_desc, "titleStmt")
    _el(title_stmt, "title", w.meta("title") or f"Witness {w.siglum}: {w.source_name}",
        type="main")
    if w.meta("subtitle"):
        _el(title_stmt, "title", w.meta("subtitle"), type="sub")
    for field in w.metadata:
        if field.name == "author":
            _el(title_stmt, "author", field.value)
            break
    for field in w.metadata:
        if field.name == "transcriber":
            resp = _el(title_stmt, "respStmt")
            _el(resp, "resp", "transcription")
            _el(resp, "name", field.value)
    machine = _el(title_stmt, "respStmt")
    machine.set(XML_ID, "edition")
    _el(machine, "resp", "ingest, cleanup and TEI encoding (automatic)")
    _el(machine, "name", f"edition {__version__}")
    pub = _el(file_desc, "publicationStmt")
    _el(pub, "p", f"Witness {w.siglum} of {edition_title or 'the edition'}, encoded "
        f"automatically by edition {__version__} from the file {w.source_name}. Not published.")
    source_desc = _el(file_desc, "sourceDesc")
    bibl = _el(source_desc, "bibl", type="source")
    for name in ("title", "subtitle", "author", "publication", "volume", "pages", "date"):
        value = w.meta(name)
        if value:
            tag, attrs = _META_ELEMENT[name]
            _el(bibl, tag, value, **attrs)
            _append_text(bibl, ". ")
    _el(bibl, "idno", w.source_name, type="file")
    _el(bibl, "note", f"{w.source_format} source, decoded as {w.encoding}; "
        f"{len(w.lines)} lines", type="format")
    moved = [f for f in w.metadata if f.raw]
    if moved:
        _front_matter(source_desc, moved, w.siglum, ids, line_ids)
    enc = _el(header, "encodingDesc")
    app_info = _el(enc, "appInfo")
    app = _el(app_info, "application", ident="edition", version=__version__)
    _el(app, "label", "edition")
    _el(app, "desc", "Ingest of messy sources into TEI; every automatic change is listed "
        "in standOff/listAnnotation[@type='cleanup'].")
    decl = _el(enc, "editorialDecl")
    _el(decl, "p", "Each source line is marked lb with @n = its 1-based line number in the "
        "source file, in the text and in the header. Lines recognised as front matter "
        "are moved into sourceDesc/listBibl[@type='front-matter'].")
    norm = _el(decl, "normalization")
    _el(norm, "p", "No normalisation: quotation marks, dashes, ligatures and spelling are kept "
        "as the source has them. Mojibake is repaired conservatively; each repair is listed.")
    hyph = _el(decl, "hyphenation", eol="none")
    _el(hyph, "p", "Words hyphenated at a line end are joined: lb/@break='no', the hyphen "
        "recorded in the cleanup list.")
    seg = _el(decl, "segmentation")
    _el(seg, "p", "Paragraphs follow the source; paragraph breaks judged spurious (blank "
        "lines inside a sentence, page furniture) are removed and each join is listed; "
        "paragraphs glued together are split and each split is listed.")
    profile = _el(header, "profileDesc")
    lang_usage = _el(profile, "langUsage")
    _el(lang_usage, "language", w.language, ident=w.language)
    rev = _el(header, "revisionDesc")
    _el(rev, "change", f"Encoded by edition {__version__}: {len(w.cleanups)} automatic "
        f"cleanup steps, {len(w.anomalies)} structural anomalies reported.", who=MACHINE)


def _front_matter(source_desc: etree._Element, fields: list[MetaField], siglum: str, ids: _Ids,
                  line_ids: dict[int, str]) -> None:
    list_bibl = _el(source_desc, "listBibl", type="front-matter")
    by_line: dict[int, list[MetaField]] = {}
    for field in fields:
        by_line.setdefault(field.line, []).append(field)
    all_fields = fields
    for line, moved in sorted(by_line.items()):
        raw = moved[0].raw
        bibl = _el(list_bibl, "bibl")
        bibl.set(XML_ID, ids.make("fm", line))
        line_ids[line] = bibl.get(XML_ID) or ""
        _el(bibl, "lb", n=str(line))
        derived = [f for f in all_fields if f.line == line]
        _marked_up(bibl, raw.strip(), derived)


def _marked_up(parent: etree._Element, raw: str, fields: Sequence[MetaField]) -> None:
    """The raw line with each recognised value wrapped in its element (first occurrence)."""
    spans: list[tuple[int, int, MetaField]] = []
    for field in fields:
        pos = raw.find(field.value)
        if pos < 0 or any(s <= pos < e or pos <= s < pos + len(field.value) for s, e, _ in spans):
            continue
        spans.append((pos, pos + len(field.value), field))
    cursor = 0
    for start, end, field in sorted(spans, key=lambda s: s[0]):
        _append_text(parent, raw[cursor:start])
        tag, attrs = _META_ELEMENT.get(field.name, ("note", {"type": field.name}))
        _el(parent, tag, raw[start:end], **attrs)
        cursor = end
    _append_text(parent, raw[cursor:])


# --- body ---------------------------------------------------------------------------

_DIV_TYPES = {1: "chapter", 2: "section", 3: "subsection"}


def _body(body: etree._Element, w: Witness, ids: _Ids, line_ids: dict[int, str]) -> None:
    stack: list[tuple[int, etree._Element]] = [(0, body)]
    blocks = list(w.blocks)
    i = 0
    while i < len(blocks):
        block = blocks[i]
        if block.kind is BlockKind.HEAD:
            level = max(1, block.level)
            while stack[-1][0] >= level:
                stack.pop()
            div = _el(stack[-1][1], "div", type=_DIV_TYPES.get(level, "subsection"))
            div.set(XML_ID, ids.make("d", block.first_line))
            stack.append((level, div))
            head = _el(div, "head")
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
        if block.kind is BlockKind.CLOSER and _more_authorial(blocks, i):
            node = _el(parent, "p", rend="dateline")
            _fill(node, block.items, w.siglum, ids)
            _register(node, block, ids, line_ids, "p")
        else:
            _block(parent, block, w.siglum, ids, line_ids)
        i += 1


_AUTHORIAL = {BlockKind.P, BlockKind.QUOTE, BlockKind.LIST_ITEM, BlockKind.TABLE_ROW,
              BlockKind.DIVIDER, BlockKind.CLOSER}


def _more_authorial(blocks: list[Block], i: int) -> bool:
    """True if authorial prose follows block i before the next heading (closer must be last)."""
    for block in blocks[i + 1:]:
        if block.kind is BlockKind.HEAD:
            return False
        if block.kind in _AUTHORIAL:
            return True
    return False


def _block(parent: etree._Element, block: Block, siglum: str, ids: _Ids,
           line_ids: dict[int, str]) -> None:
    kind = block.kind
    if kind is BlockKind.P:
        node = _el(parent, "p")
        prefix = "p"
    elif kind is BlockKind.QUOTE:
        node = _el(parent, "quote", type="block")
        prefix = "q"
    elif kind is BlockKind.NOTE:
        node = _el(parent, "note", type="authorial", place="foot", n=block.label)
        note_id = f"{siglum}-n{block.label}" if block.label else ids.make("n", block.first_line)
        node.set(XML_ID, note_id)
        ids.used.add(node.get(XML_ID) or "")
        prefix = ""
    elif kind is BlockKind.DIVIDER:
        node = _el(parent, "ab", type="divider")
        prefix = "ab"
    elif kind is BlockKind.CLOSER:
        closer = _el(parent, "closer")
        node = _el(closer, "dateline" if block.role == "dateline" else "signed")
        prefix = "cl"
    elif kind is BlockKind.BOILERPLATE:
        node = _el(parent, "note", type="boilerplate", subtype=block.role, resp=MACHINE)
        prefix = "bp"
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


def _group(parent: etree._Element, run: list[Block], siglum: str, ids: _Ids,
           line_ids: dict[int, str]) -> None:
    if run[0].kind is BlockKind.TABLE_ROW:
        table = _el(parent, "table", type="flattened")
        table.set(XML_ID, ids.make("t", run[0].first_line))
        for block in run:
            row = _el(table, "row")
            _cells(row, block.items, siglum, ids)
            _register_lines(block, line_ids, table.get(XML_ID) or "")
        return
    lst = _el(parent, "list")
    lst.set(XML_ID, ids.make("l", run[0].first_line))
    for block in run:
        item = _el(lst, "item")
        _fill(item, block.items, siglum, ids)
        _register_lines(block, line_ids, lst.get(XML_ID) or "")


def _cells(row: etree._Element, items: tuple[Inline, ...], siglum: str, ids: _Ids) -> None:
    """Each Text is one cell (the model's convention); a line break before it goes in it."""
    pending: list[Inline] = []
    cell: etree._Element | None = None
    for item in items:
        if isinstance(item, LineBreak):
            pending.append(item)
        elif isinstance(item, Text):
            cell = _el(row, "cell")
            _fill(cell, (*pending, item), siglum, ids)
            pending = []
        else:
            if cell is None:
                cell = _el(row, "cell")
            _fill(cell, (*pending, item), siglum, ids)
            pending = []
    if pending:
        _fill(cell if cell is not None else _el(row, "cell"), pending, siglum, ids)


def _register(node: etree._Element, block: Block, ids: _Ids, line_ids: dict[int, str],
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


def _fill(node: etree._Element, items: Iterable[Inline], siglum: str, ids: _Ids) -> None:
    """Inline items -> TEI mixed content."""
    for item in items:
        if isinstance(item, Text):
            _append_text(node, item.text)
        elif isinstance(item, LineBreak):
            lb = _el(node, "lb", n=str(item.line))
            if item.joined:
                lb.set("break", "no")
                if item.rule:
                    lb.set("type", item.rule)
        elif isinstance(item, Gap):
            gap = _el(node, "gap", reason=item.reason, resp=MACHINE)
            _el(gap, "desc", item.junk, type="junk")
        elif isinstance(item, Furniture):
            fw = _el(node, "fw", type=item.kind)
            _el(fw, "lb", n=str(item.line)).tail = xml_safe(item.text)
        elif isinstance(item, PageBreak):
            _el(node, "pb", n=item.n, type="browser-print" if item.url else "", source=item.url)
        elif isinstance(item, NoteRef):
            _el(node, "ref", item.text or f"[{item.label}]", type="noteAnchor",
                target=f"#{siglum}-n{item.label}")
        elif isinstance(item, Label):
            _el(node, "label", item.text, type="run-in")
        else:  # pragma: no cover
            raise TypeError(f"unknown inline item {item!r}")


# --- standOff -----------------------------------------------------------------------


def _stand_off(root: etree._Element, w: Witness, ids: _Ids, line_ids: dict[int, str],
               fallback: str) -> None:
    if not w.cleanups and not w.anomalies:
        return
    stand_off = _el(root, "standOff", type="provenance")
    if w.cleanups:
        cleanups = _el(stand_off, "listAnnotation", type="cleanup")
        for n, cleanup in enumerate(w.cleanups, 1):
            _annotation(cleanups, f"{w.siglum}-c{n}", line_ids.get(cleanup.line, fallback),
                        cleanup)
    if w.anomalies:
        anomalies = _el(stand_off, "listAnnotation", type="anomaly")
        for n, anomaly in enumerate(w.anomalies, 1):
            _anomaly(anomalies, f"{w.siglum}-a{n}", line_ids.get(anomaly.line, fallback),
                     anomaly)


def _annotation(parent: etree._Element, xml_id: str, target: str, cleanup: Cleanup) -> None:
    ann = _el(parent, "annotation", target=f"#{target}",
              motivation=_ANNOTATION_MOTIVATION.get(cleanup.action, "editing"), resp=MACHINE,
              n=str(cleanup.line))
    ann.set(XML_ID, xml_id)
    _el(ann, "note", cleanup.detail, type=cleanup.action, subtype=cleanup.rule)
    if cleanup.before:
        _el(ann, "note", cleanup.before, type="before")
    if cleanup.after:
        _el(ann, "note", cleanup.after, type="after")


def _anomaly(parent: etree._Element, xml_id: str, target: str, anomaly: Anomaly) -> None:
    ann = _el(parent, "annotation", target=f"#{target}", motivation="assessing",
              resp=MACHINE, n=str(anomaly.line))
    ann.set(XML_ID, xml_id)
    _el(ann, "note", anomaly.message, type=anomaly.kind, subtype=anomaly.cause)
    if anomaly.evidence:
        _el(ann, "note", anomaly.evidence, type="evidence")
