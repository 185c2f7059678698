"""HTML page -> `Parsed`: the article as blocks, the site's furniture kept and marked.

A saved web page is mostly not the author's: navigation, banners, sidebars of other
articles, share buttons, footers. Nothing is dropped: those regions become BOILERPLATE
blocks (each with a `Cleanup` saying which rule took it out of the reading text), and
the article's paragraphs, headings, quotations and footnotes become blocks whose words
carry the line of the markup file they stand on. The rules are generic (elements, ARIA
roles, class/id words, link density), never tuned to one site: `htmlregions` holds them,
`htmlnotes` pairs footnote markers with their notes, `webmeta` reads the head's metadata;
this module decodes the page and walks it, building the blocks.
"""

from __future__ import annotations

import codecs
import html as htmlmod
import re
from dataclasses import dataclass, replace
from pathlib import Path

import lxml.html
import regex
from lxml import etree

from ..errors import InputError
from ..model import Anomaly, BlockKind, Cleanup, MetaField, NoteRef
from .decode import Decoded, decode_source
from .htmlnotes import Footnotes
from .htmlregions import PageRegions, is_layout, is_notes, is_teaser, words
from .markup import BlockBuilder, end_line, norm_space, snippet
from .parsed import Parsed
from .webmeta import head_metadata, last_updated, meta_line, split_title, standfirst_author

_SKIP = {"script", "style", "noscript", "template", "head", "iframe", "object", "canvas"}
_HEADINGS = {f"h{n}": n for n in range(1, 7)}
_LEAF = {"p": BlockKind.P, "li": BlockKind.LIST_ITEM, "dt": BlockKind.LIST_ITEM,
         "dd": BlockKind.LIST_ITEM, "tr": BlockKind.TABLE_ROW, "pre": BlockKind.P,
         "figcaption": BlockKind.P, "caption": BlockKind.P, "address": BlockKind.P,
         "summary": BlockKind.P, "legend": BlockKind.P} | dict.fromkeys(_HEADINGS, BlockKind.HEAD)
_CONTAINERS = {"html", "body", "div", "section", "article", "main", "header", "footer", "nav",
               "aside", "form", "menu", "ul", "ol", "dl", "table", "thead", "tbody", "tfoot",
               "blockquote", "figure", "fieldset", "details", "center", "hgroup", "search"}
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_DIVIDER = regex.compile(r"^[\s*•·⁂~#=_—–-]{1,20}$")


@dataclass(frozen=True)
class _Ctx:
    """Where the walk is: boilerplate role, footnote label, the kind plain text takes."""

    role: str = ""
    rule: str = ""
    inside: bool = False  # inside the chosen authorial region
    inner: BlockKind = BlockKind.P
    note: str | None = None
    cell: bool = False
    layout: bool = False  # inside a table used for page layout: rows and cells are containers


def read_html(data: bytes, path: Path | str | None = None) -> Parsed:
    """Read an HTML page; raise `InputError` if it cannot be decoded or parsed."""
    decoded, extra = _decode(data, path)
    lines = tuple(decoded.text.split("\n"))
    # libxml2 drops whatever follows </html>; without the end tags it lands in <body>
    markup = re.sub(r"</\s*(?:body|html)\s*>", "", decoded.text, flags=re.I)
    parser = lxml.html.HTMLParser(no_network=True, remove_comments=False, encoding="utf-8")
    try:
        root = lxml.html.document_fromstring(markup.encode("utf-8"), parser=parser)
    except (etree.ParserError, ValueError) as exc:
        raise InputError(f"cannot parse the HTML: {exc}", path=path) from exc
    limit = next((e for e in parser.error_log if e.type_name == "ERR_RESOURCE_LIMIT"), None)
    if limit is not None:  # libxml2 drops what lies deeper than 255 elements: text would be lost
        raise InputError(f"the page is nested too deeply to read safely (line {limit.line}: "
                         f"{limit.message})", path=path,
                         hint="save the page again from a browser, or give its text instead")
    reader = _Reader(lines, root)
    reader.run()
    lang = root.get("lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang") or "en"
    return Parsed(lines=lines, metadata=tuple(reader.meta), blocks=tuple(reader.out.blocks),
                  cleanups=(*decoded.cleanups, *extra, *reader.cleanups),
                  anomalies=tuple(reader.anomalies), encoding=decoded.encoding,
                  language=lang.strip() or "en")


def _decode(data: bytes, path: Path | str | None) -> tuple[Decoded, tuple[Cleanup, ...]]:
    """decode_source, but a declared legacy charset wins over the cp1252 guess."""
    decoded = decode_source(data, path)
    found = re.search(rb"<meta[^>]{0,200}?charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]+)",
                      data[:8192], re.I)
    if decoded.encoding.startswith("utf") or not found:
        return decoded, ()
    try:
        name = codecs.lookup(found.group(1).decode("ascii")).name
        if name in {"cp1252", "latin-1", "iso8859-1", "ascii", "utf-8"}:
            return decoded, ()
        text = data.decode(name)
    except (LookupError, UnicodeDecodeError):
        return decoded, ()
    again = decode_source(text.encode("utf-8"), path)
    line = data[: found.start()].count(b"\n") + 1
    note = Cleanup("html-meta-charset", "classified", line,
                   f"decoded as {name}, the charset the page declares (not {decoded.encoding})")
    return Decoded(again.text, name, again.cleanups), (note,)


class _Reader:
    """One walk over <body>, in document order, building blocks as it goes."""

    def __init__(self, lines: tuple[str, ...], root: etree._Element) -> None:
        self.out = BlockBuilder(lines, unescape=True)
        self.cleanups: list[Cleanup] = []
        self.meta: list[MetaField] = head_metadata(root)
        self.anomalies: list[Anomaly] = []
        self.body = root.find("body")
        if self.body is None:
            self.body = root
        order = {el: i for i, el in enumerate(root.iter())}
        self.regions = PageRegions(self.body, order)
        self.region = self.regions.region
        self.notes = Footnotes(self.body, order, self.region)
        self.header_area = True
        self.byline_found = any(f.name == "author" for f in self.meta)

    # --- the walk ---------------------------------------------------------------------

    def run(self) -> None:
        outside = self.region is not None
        start = _Ctx(role="page", rule="html-outside-main") if outside else _Ctx()
        self._walk(self.body, start)
        self._flush()
        self._levels()
        self.meta = split_title(self.meta, self.out.blocks)

    def _walk(self, el: etree._Element, ctx: _Ctx) -> int:
        line = el.sourceline or 1
        if not isinstance(el.tag, str):
            return line  # a comment or PI: not text; its tail starts on its last line
        tag = el.tag.lower()
        if tag in _SKIP or el in self.notes.consumed:
            if el not in self.notes.consumed:
                self._record(f"html-{tag}-element", "removed", line,
                             f"<{tag}> content is not text", snippet(el.text_content()))
            return end_line(el)
        if tag in ("br", "hr", "a") and self._inline(el, tag, ctx, line):
            return end_line(el)
        ctx = self._enter(el, tag, ctx, line)
        grid = ctx.layout and tag in ("tr", "td", "th")
        opens = (tag in _LEAF or tag in _CONTAINERS or grid) and not (ctx.cell and tag != "tr")
        if opens:
            self._flush()
            if tag in _LEAF and not grid:
                self._open(ctx, tag)
        if tag in ("td", "th") and ctx.cell:
            self.out.sep()
        end = line
        if el.text:
            self._text(el.text, line, ctx)
            end = line + el.text.count("\n")
        sib = ctx
        for child in el:
            sib = self._sibling(child, ctx, sib)
            end = max(end, self._walk(child, sib))
            if child.tail:
                self._text(child.tail, end, sib)
                end += child.tail.count("\n")
        if opens:
            self._flush()
        return end

    def _inline(self, el: etree._Element, tag: str, ctx: _Ctx, line: int) -> bool:
        """br, hr and footnote links; True when the element is fully handled."""
        if tag == "br":
            self.out.space()
            return True
        if tag == "hr":
            if not ctx.role:
                self._flush()
                self.out.open(BlockKind.DIVIDER, rule="html-hr")
                self.out.linebreak(line)
                self._flush()
            return True
        if tag != "a" or ctx.role:
            return False
        text = norm_space(el.text_content())
        if self.notes.is_backlink(el):
            if not words(text):
                self._record("html-footnote-backlink", "removed", line,
                             "link back from a footnote to its marker", text)
                return True
            return False
        label = self.notes.ref_label(el, text)
        if label is None or ctx.note is not None:
            return False
        self._ensure_open(ctx)
        self.out.add(NoteRef(label, line, text))
        return True

    def _enter(self, el: etree._Element, tag: str, ctx: _Ctx, line: int) -> _Ctx:
        """The context inside `el`: authorial region, footnotes, boilerplate role."""
        if self.region is not None and ctx.rule == "html-outside-main" and ctx.role == "page":
            if el is self.region:
                return _Ctx(inside=True)
            outside = self.regions.outside(el, tag)
            if outside is not None:
                ctx = _Ctx(role=outside[0], rule=outside[1])
                self._region_cleanup(el, tag, ctx, line)
        in_list = ctx.inner is BlockKind.NOTE and ctx.note is None and tag in ("li", "p", "div")
        note, marker = self.notes.label(el, tag, in_list=in_list)
        if marker is not None:
            self.cleanups.append(marker)
        if note is not None:
            return replace(ctx, role="", rule="", note=note, inner=BlockKind.NOTE)
        if is_notes(el):
            return replace(ctx, role="", rule="", inner=BlockKind.NOTE)
        if not ctx.role and ctx.note is None and ctx.inner is not BlockKind.NOTE:
            role, rule = self.regions.signal(el, tag, inside=ctx.inside)
            if role:
                ctx = replace(ctx, role=role, rule=rule)
                self._region_cleanup(el, tag, ctx, line)
                return ctx
        if tag == "blockquote":
            ctx = replace(ctx, inner=BlockKind.QUOTE)
        elif tag in ("li", "dd", "dt") and ctx.inner is not BlockKind.NOTE:
            ctx = replace(ctx, inner=BlockKind.LIST_ITEM)
        elif tag == "table":
            ctx = replace(ctx, layout=is_layout(el))
        elif tag == "tr" and not ctx.layout:
            ctx = replace(ctx, cell=True)
        return ctx

    def _sibling(self, child: etree._Element, parent: _Ctx, current: _Ctx) -> _Ctx:
        """A "Latest articles" heading turns the siblings after it into teasers."""
        if parent.role or parent.note is not None or not isinstance(child.tag, str):
            return current
        text = norm_space(child.text_content()) if child.tag in _HEADINGS or len(child) < 3 \
            else ""
        if is_teaser(text):
            ctx = replace(parent, role="related", rule="html-related-heading")
            self._region_cleanup(child, child.tag, ctx, child.sourceline or 1)
            return ctx
        if current.rule == "html-related-heading" and any(
                words(p.text_content()) >= 60 for p in child.iter("p")):
            return parent
        return current

    # --- building blocks --------------------------------------------------------------

    def _open(self, ctx: _Ctx, tag: str = "") -> None:
        kind = _LEAF.get(tag, ctx.inner)
        if ctx.role:
            kind = BlockKind.BOILERPLATE
        elif ctx.note is not None:
            kind = BlockKind.NOTE
        elif kind is BlockKind.P:
            kind = ctx.inner
        self.out.open(kind, level=_HEADINGS.get(tag, 0) if kind is BlockKind.HEAD else 0,
                      role=ctx.role, label=ctx.note or "", rule=ctx.rule)

    def _ensure_open(self, ctx: _Ctx) -> None:
        if not self.out.is_open:
            self._open(ctx)

    def _text(self, text: str, line: int, ctx: _Ctx) -> None:
        if not self.out.is_open and not text.strip():
            return
        for m in reversed(list(_ENTITY.finditer(text))):
            char = htmlmod.unescape(m.group())
            if char != m.group():
                at = line + text.count("\n", 0, m.start())
                self._record("html-entity-debris", "repaired", at,
                             f"literal {m.group()} in the text (an entity escaped twice) read "
                             f"as U+{ord(char[0]):04X}", m.group(), char)
                text = text[: m.start()] + char + text[m.end():]
        self._ensure_open(ctx)
        self.out.text(text, line)

    def _flush(self) -> None:
        block = self.out.flush()
        if block is None:
            return
        text = block.text
        if block.kind is BlockKind.BOILERPLATE:
            if block.rule == "html-outside-main" and block.role == "page":
                self._record(block.rule, "removed", block.first_line,
                             "text outside the page's <main>/<article>", snippet(text))
            if value := last_updated(text):
                self.meta.append(MetaField("last_updated", value, block.first_line, text))
            return
        if block.kind is BlockKind.P and _DIVIDER.match(text):
            self.out.blocks[-1] = replace(block, kind=BlockKind.DIVIDER, rule="html-divider")
            return
        found = meta_line(text, header=self.header_area) if block.kind in (
            BlockKind.P, BlockKind.HEAD) else []
        if found and (block.kind is BlockKind.P or found[0][0] == "date"):
            self.out.blocks.pop()
            for name, value in found:
                self.meta.append(MetaField(name, value, block.first_line, text))
            self._record(f"html-{found[0][0].replace('_', '-')}", "moved", block.first_line,
                         f"{', '.join(n for n, _ in found)} line moved to the metadata", text)
            self.byline_found |= any(n == "author" for n, _ in found)
            return
        if block.kind is BlockKind.P and self.header_area and not self.byline_found:
            name = standfirst_author(text)
            if name:
                self.meta.append(MetaField("author", name, block.first_line, text))
                self._record("html-standfirst-author", "classified", block.first_line,
                             "author named in the standfirst (text kept)", text, name)
                self.byline_found = True
        if block.kind is BlockKind.P and words(text) >= 40:
            self.header_area = False

    def _record(self, rule: str, action: str, line: int, detail: str, before: str = "",
                after: str = "") -> None:
        self.cleanups.append(Cleanup(rule, action, line, detail, before, after))

    def _region_cleanup(self, el: etree._Element, tag: str, ctx: _Ctx, line: int) -> None:
        what = f"<{tag}" + "".join(f' {a}="{el.get(a)}"' for a in ("id", "class", "role")
                                   if el.get(a)) + ">"
        self._record(ctx.rule, "removed", line, f"{what} taken as {ctx.role}",
                     snippet(el.text_content()))

    def _levels(self) -> None:
        """Heading levels from h1..h6, shifted so the top heading present is 1."""
        heads = [(i, b) for i, b in enumerate(self.out.blocks) if b.kind is BlockKind.HEAD]
        if not heads:
            return
        top = min(b.level for _, b in heads)
        previous = 0
        for i, block in heads:
            level = block.level - top + 1
            self.out.blocks[i] = replace(block, level=level)
            if previous and level > previous + 1:
                self.anomalies.append(Anomaly(
                    "heading-level-skip", block.first_line,
                    f"heading level jumps from {previous} to {level} "
                    f"(h{block.level})", evidence=block.text))
            previous = level

