"""Existing TEI -> `Parsed`.

A TEI source is already structured, so reading it is mostly a walk: divisions, heads,
paragraphs, quotations, notes, verse, lists, tables, page furniture. Its editorial
alternatives (`choice`, `app`) are resolved to the source's own reading (sic, abbr,
orig, lem) and each resolution is logged as a `Cleanup`, so nothing is silently lost.
Line numbers are lines of the TEI file itself (an `lb/@n` belongs to the older source).

A critical edition (an inline `app` apparatus naming two or more witnesses) is read once
per witness instead (`read_tei_witnesses`): each reading kept, in the text of the witnesses
that read it (`teiapparatus.py`). `xi:include`s are resolved first, from files beside the
source only (`teiinclude.py`), and each is logged.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from lxml import etree

from ..errors import InputError, UnsafeXMLError
from ..model import (
    Block,
    BlockKind,
    Cleanup,
    Furniture,
    Gap,
    Inline,
    MetaField,
    NoteRef,
    PageBreak,
)
from ..tei import TEI, TEI_NS, XML_LANG, parse_xml
from .decode import Decoded, decode_source
from .markup import BlockBuilder, end_line, norm_space
from .parsed import Parsed
from .teiapparatus import (
    Apparatus,
    DeclaredWitness,
    belongs,
    choose,
    describe,
    find_apparatus,
    readings,
)
from .teiinclude import resolve_includes

_DIVS = {"div", "body", "front", "back", "group", "text", "floatingText"} | {
    f"div{n}" for n in range(1, 8)}
_CONTAINERS = _DIVS | {"argument", "epigraph", "figure", "sp", "spGrp", "postscript",
                       "titlePage", "listBibl", "list", "table", "lg", "docTitle"}
_LEAVES = {"p": BlockKind.P, "ab": BlockKind.P, "item": BlockKind.LIST_ITEM,
           "row": BlockKind.TABLE_ROW, "closer": BlockKind.CLOSER, "opener": BlockKind.CLOSER,
           "dateline": BlockKind.CLOSER, "signed": BlockKind.CLOSER, "salute": BlockKind.CLOSER,
           "trailer": BlockKind.P, "byline": BlockKind.P, "docAuthor": BlockKind.P,
           "docDate": BlockKind.P, "docImprint": BlockKind.P, "titlePart": BlockKind.HEAD,
           "l": BlockKind.QUOTE, "bibl": BlockKind.P, "figDesc": BlockKind.P,
           "speaker": BlockKind.P, "label": BlockKind.LIST_ITEM}
_INNER = {BlockKind.LIST_ITEM, BlockKind.QUOTE, BlockKind.NOTE, BlockKind.CLOSER}
_FIRST_CHOICE = ("sic", "orig", "abbr", "lem")
_SKIP = {"teiHeader", "facsimile", "standOff", "sourceDoc"}
_MILESTONES = {"lb", "pb", "cb", "fw", "milestone"}  # with @ed: of some witnesses only


@dataclass(frozen=True)
class _Ctx:
    depth: int = 0
    inner: BlockKind = BlockKind.P
    cell: bool = False


def read_tei(data: bytes, path: Path | str | None = None) -> Parsed:
    """Read a TEI P5 file (TEI or teiCorpus root), or raise `InputError` saying why not."""
    root, included = _parse(data, path)
    return _read(root, decode_source(data, path), included)


def read_tei_witnesses(data: bytes, path: Path | str | None = None
                       ) -> list[tuple[DeclaredWitness | None, Parsed]]:
    """The witnesses of a TEI critical edition, each with its text; for any other TEI file,
    one entry `(None, parsed)` as `read_tei` gives it."""
    root, included = _parse(data, path)
    decoded = decode_source(data, path)
    apparatus = find_apparatus(root)
    if apparatus is None:
        return [(None, _read(root, decoded, included))]
    return [(witness, _read(root, decoded, included, (apparatus, witness)))
            for witness in apparatus.witnesses]


def _parse(data: bytes, path: Path | str | None) -> tuple[etree._Element, list[Cleanup]]:
    """The root of a safe TEI document, its includes resolved (and logged)."""
    tree = parse_xml(data, path)
    dtd = tree.docinfo.internalDTD
    if dtd is not None and (any(True for _ in dtd.iterentities()) or list(dtd.elements())):
        # parse_xml looks for "<!ENTITY" in the bytes, which UTF-16 data never contains
        raise UnsafeXMLError("the document declares entities or a DTD in its DOCTYPE; they are "
                             "refused (XXE and entity-expansion attacks use them)", path=path,
                             hint="remove the DOCTYPE and write the characters themselves")
    root = tree.getroot()
    name = etree.QName(root)
    if name.localname not in ("TEI", "teiCorpus") or name.namespace != TEI_NS:
        where = f" in namespace {name.namespace}" if name.namespace else " (no namespace)"
        raise InputError(
            f"not a TEI document: the root element is <{name.localname}>{where}",
            path=path, hint=f"a TEI file has <TEI xmlns=\"{TEI_NS}\"> as its root")
    included = [Cleanup("tei-xinclude", "included", inc.line,
                        f"<xi:include href=\"{inc.href}\">: {inc.elements} elements, "
                        f"{inc.characters} characters from {inc.target or 'its xi:fallback'}, "
                        "on this line",
                        inc.href, inc.target) for inc in resolve_includes(tree, path)]
    return root, included


def _read(root: etree._Element, decoded: Decoded, included: list[Cleanup],
          witness: tuple[Apparatus, DeclaredWitness] | None = None) -> Parsed:
    """The text of the source, or of one witness of its apparatus."""
    lines = tuple(decoded.text.split("\n"))
    reader = _TeiReader(lines, witness)
    header = root.find(f"{TEI}teiHeader")
    if header is None:
        header = root.find(f".//{TEI}teiHeader")
    if header is not None:
        reader.header(header)
    for text in root.iter(f"{TEI}text"):
        if not any(a.tag == f"{TEI}text" for a in text.iterancestors()):
            reader.walk(text, _Ctx())
    reader.flush()
    text = root.find(f".//{TEI}text")
    lang = root.get(XML_LANG) or (text.get(XML_LANG) if text is not None else None) \
        or reader.language or "en"
    return Parsed(lines=lines, metadata=tuple(reader.meta), blocks=tuple(reader.out.blocks),
                  cleanups=(*decoded.cleanups, *included, *reader.cleanups), anomalies=(),
                  encoding=decoded.encoding, language=lang)


def _local(el: etree._Element) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


class _TeiReader:
    def __init__(self, lines: tuple[str, ...],
                 witness: tuple[Apparatus, DeclaredWitness] | None = None) -> None:
        self.lines = lines
        self.witness = witness  # read as this witness of the apparatus (None: the source)
        self.out = BlockBuilder(lines, unescape=True)
        self.meta: list[MetaField] = []
        self.cleanups: list[Cleanup] = []
        self.main = self.out
        self.pending: list[Block] = []  # notes met inside a paragraph: placed after it
        self.language = ""
        self.notes = 0
        self.label = ""  # the label of the note being read
        self.role = ""  # the role of the boilerplate note being read

    # --- teiHeader ---------------------------------------------------------------------

    def header(self, header: etree._Element) -> None:
        """titleStmt (every child), sourceDesc bibl and its date, publicationStmt date."""
        for child in header.iterfind(f"{TEI}fileDesc/{TEI}titleStmt/*"):
            local = _local(child)
            name = {"title": "subtitle" if child.get("type") in ("sub", "subtitle") else "title",
                    "respStmt": "responsibility"}.get(local, local)
            text = norm_space("".join(child.itertext()))
            if name == "responsibility" and "transcri" in text.lower():
                person = next((c for c in child if _local(c) in ("name", "persName")), None)
                name = "transcriber"
                value = norm_space("".join(person.itertext())) if person is not None else text
                self._meta(name, value, child, text)
            else:
                self._meta(name, text, child, text)
        for bibl in header.iterfind(f"{TEI}fileDesc/{TEI}sourceDesc/*"):
            text = norm_space("".join(bibl.itertext()))
            self._meta("publication", text, bibl, text)
            for date in bibl.iter(f"{TEI}date"):
                self._meta("date", date.get("when") or norm_space(date.text or ""), date,
                           norm_space("".join(date.itertext())))
                break
            for ref in bibl.xpath(".//tei:ref/@target|.//tei:idno[@type='URL']/text()",
                                  namespaces={"tei": TEI_NS}):
                self._meta("source_url", str(ref).strip(), bibl, str(ref))
        for date in header.iterfind(f"{TEI}fileDesc/{TEI}publicationStmt/{TEI}date"):
            self._meta("date", date.get("when") or norm_space(date.text or ""), date,
                       norm_space("".join(date.itertext())))
        language = header.find(f".//{TEI}langUsage/{TEI}language")
        if language is not None:
            self.language = language.get("ident") or ""

    def _meta(self, name: str, value: str, el: etree._Element, raw: str) -> None:
        if value:
            self.meta.append(MetaField(name, value, el.sourceline or 0, raw))

    # --- text --------------------------------------------------------------------------

    def walk(self, el: etree._Element, ctx: _Ctx) -> int:
        """Read `el` and its content; return the line where its content ends."""
        line, local = el.sourceline or 1, _local(el)
        if not local or local in _SKIP:
            return end_line(el)
        if local in ("lb", "pb", "fw", "gap", "choice", "app", "note", "cb", "milestone"):
            if self.witness and local in _MILESTONES and not belongs(el, *self._sig()):
                self._record(f"tei-{local}", "classified", line, f"<{local}> of witness(es) "
                             f"{el.get('ed') or el.get('edRef')} set aside",
                             norm_space("".join(el.itertext())) or el.get("n") or "")
                return end_line(el)
            self._special(el, local, ctx, line)
            return end_line(el)
        block, ctx = self._enter(el, local, ctx)
        if local == "cell":
            self.out.sep()
        end = self._content(el, ctx, line)
        if block:
            self.flush()
        return end

    def _enter(self, el: etree._Element, local: str, ctx: _Ctx) -> tuple[bool, _Ctx]:
        """Open the block `el` starts, if any; return (is block-level, inner context)."""
        has = {_local(c) for c in el}
        if local in ("quote", "cit", "said", "q") and (self.out.is_open or local in ("q", "said")):
            return False, ctx  # inline quotation: just text
        if local in ("quote", "cit") and has & {"p", "lg", "l", "ab"}:
            local = "argument"  # a container whose paragraphs are quotation
            ctx = replace(ctx, inner=BlockKind.QUOTE)
        elif local in ("quote", "cit"):
            self.flush()
            self.out.open(BlockKind.QUOTE)
            return True, replace(ctx, inner=BlockKind.QUOTE)
        if local == "lg" and "l" in has:
            self.flush()
            self.out.open(BlockKind.QUOTE, rule="tei-lg")
            return True, replace(ctx, inner=BlockKind.QUOTE)
        if local == "l" and ctx.inner is BlockKind.QUOTE and self.out.is_open:
            self.out.linebreak(el.sourceline or 1)
            return False, ctx
        if local in _CONTAINERS:
            self.flush()
            depth = ctx.depth + 1 if local == "div" else ctx.depth
            if local[:3] == "div" and local[3:].isdigit():
                depth = int(local[3:])
            inner = BlockKind.QUOTE if local == "epigraph" else ctx.inner
            return True, replace(ctx, depth=depth, inner=inner)
        if local == "head":
            self.flush()
            parent = el.getparent()
            if parent is not None and _local(parent) in _DIVS:
                self.out.open(BlockKind.HEAD, level=max(ctx.depth, 1))
            else:
                self.out.open(ctx.inner)  # the head of a list, a figure, a verse group
            return True, ctx
        if local in _LEAVES and not (ctx.cell and local != "row") and not (
                local in ("label", "bibl", "signed", "dateline", "salute") and self.out.is_open):
            self.flush()
            kind = _LEAVES[local]
            if kind is BlockKind.P and ctx.inner is not BlockKind.P:
                kind = ctx.inner
            self._open(kind, level=1 if kind is BlockKind.HEAD else 0,
                       role="dateline" if local in ("dateline", "opener") else "")
            inner = kind if kind in _INNER else ctx.inner
            return True, replace(ctx, cell=local == "row", inner=inner)
        return False, ctx

    def _special(self, el: etree._Element, local: str, ctx: _Ctx, line: int) -> None:
        """Milestones, furniture, gaps, notes and editorial alternatives."""
        text = norm_space("".join(el.itertext()))
        if local == "lb":
            if self.out.is_open:
                joined = el.get("break") == "no"
                self.out.linebreak(line, joined, "tei-lb-break-no" if joined else "")
        elif local in ("pb", "cb", "milestone"):
            if local == "pb":
                self._item(PageBreak(el.get("n") or "", line), BlockKind.PAGE_BREAK)
        elif local == "fw":
            kind = el.get("type") or "header"
            self._item(Furniture(kind, text, line, "tei-fw"), BlockKind.FURNITURE, kind)
            self._record("tei-fw", "classified", line, f"<fw type=\"{kind}\"> kept as furniture",
                         text)
        elif local == "gap":
            self._item(Gap(text, line, el.get("reason") or "illegible", "tei-gap"), BlockKind.GAP)
        elif local == "note":
            self._note(el, ctx, line)
        else:
            self._alternative(el, local, ctx, line)

    def _item(self, item: Inline, kind: BlockKind, role: str = "") -> None:
        if self.out.is_open:
            self.out.add(item)
        else:
            self.out.open(kind, role=role)
            self.out.add(item)
            self.flush()

    def _note(self, el: etree._Element, ctx: _Ctx, line: int) -> None:
        """A note: its own block; a marker where it stood inside a paragraph."""
        self.notes += 1
        self.label = el.get("n") or str(self.notes)
        boiler = el.get("type") == "boilerplate"
        self.role = el.get("subtype") or "boilerplate"
        inline = self.out.is_open
        if inline and not boiler:
            self.out.add(NoteRef(self.label, line))
        saved = self.out
        if inline:
            self.out = BlockBuilder(self.lines, unescape=True)
        kind = BlockKind.BOILERPLATE if boiler else BlockKind.NOTE
        if boiler:
            self._record("tei-boilerplate", "classified", line,
                         f"<note type=\"boilerplate\"> kept as {self.role}",
                         norm_space("".join(el.itertext())))
        self._open(kind)
        self._content(el, replace(ctx, inner=kind), line)
        self.out.flush()
        if inline:
            self.pending.extend(self.out.blocks)
            self.out = saved

    def _sig(self) -> tuple[str, Apparatus]:
        assert self.witness is not None
        return self.witness[1].ident, self.witness[0]

    def _reading(self, app: etree._Element, ctx: _Ctx, line: int) -> None:
        """app, read as one witness: its own reading kept, every other one logged."""
        siglum, apparatus = self._sig()
        chosen, why = choose(app, siglum, apparatus)
        others = [r for r in readings(app) if r is not chosen] + [
            c for c in app if _local(c) not in ("", "lem", "rdg", "rdgGrp")]  # notes, witDetail
        kept = norm_space("".join(chosen.itertext())) if chosen is not None else ""
        name = f"<{_local(chosen)}>" if chosen is not None else "nothing"
        omits = " (empty: an omission)" if chosen is not None and not kept else ""
        self._record("tei-app", "classified", line,
                     f"<app>: witness {siglum} reads {name}{omits}, {why}; set aside "
                     + (", ".join(f"<{_local(c)}>" for c in others) or "nothing"),
                     " | ".join(describe(c) for c in others), kept)
        if chosen is None:
            return
        if not self.out.is_open and kept:
            self._open(ctx.inner)
        self._content(chosen, ctx, chosen.sourceline or line)

    def _alternative(self, el: etree._Element, local: str, ctx: _Ctx, line: int) -> None:
        """choice/app: read the source's own reading, log the ones set aside."""
        if local == "app" and self.witness:
            self._reading(el, ctx, line)
            return
        options = [c for c in el if _local(c)]
        if local == "app":
            options = [r for c in options for r in ([*c] if _local(c) == "rdgGrp" else [c])]
        chosen = next((c for name in _FIRST_CHOICE for c in options if _local(c) == name),
                      options[0] if options else None)
        others = [f"{_local(c)}{' ' + c.get('wit') if c.get('wit') else ''}: "
                  f"{norm_space(''.join(c.itertext()))}" for c in options if c is not chosen]
        if chosen is None:
            return
        kept = norm_space("".join(chosen.itertext()))
        self._record(f"tei-{local}", "classified", line,
                     f"<{local}>: kept <{_local(chosen)}>, set aside "
                     + ", ".join(f"<{_local(c)}>" for c in options if c is not chosen),
                     " | ".join(others), kept)
        if not self.out.is_open:
            self._open(ctx.inner)
        self._content(chosen, ctx, chosen.sourceline or line)

    def _content(self, el: etree._Element, ctx: _Ctx, line: int) -> int:
        """Read the text and children of `el`; return the line where its content ends."""
        end = line
        if el.text:
            self._text(el.text, line, ctx)
            end += el.text.count("\n")
        for child in el:
            end = max(end, self.walk(child, ctx))
            if child.tail:
                self._text(child.tail, end, ctx)
                end += child.tail.count("\n")
        return end

    def _text(self, text: str, line: int, ctx: _Ctx) -> None:
        if not self.out.is_open:
            if not text.strip():
                return
            self._open(ctx.inner)
        self.out.text(text, line)

    def _open(self, kind: BlockKind, level: int = 0, role: str = "") -> None:
        """Open a block; a note's label and a boilerplate note's role go with it."""
        note, boiler = kind is BlockKind.NOTE, kind is BlockKind.BOILERPLATE
        self.out.open(kind, level=level, label=self.label if note else "",
                      role=self.role if boiler else role,
                      rule="tei-note" if note else "tei-boilerplate" if boiler else "")

    def flush(self) -> None:
        self.out.flush()
        if self.pending and self.out is self.main:
            self.out.blocks.extend(self.pending)
            self.pending.clear()

    def _record(self, rule: str, action: str, line: int, detail: str, before: str = "",
                after: str = "") -> None:
        self.cleanups.append(Cleanup(rule, action, line, detail, before, after))
