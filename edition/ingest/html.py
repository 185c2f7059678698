"""HTML page -> `Parsed`: the article as blocks, the site's furniture kept and marked.

A saved web page is mostly not the author's: navigation, banners, sidebars of other
articles, share buttons, footers. Nothing is dropped: those regions become BOILERPLATE
blocks (each with a `Cleanup` saying which rule took it out of the reading text), and
the article's paragraphs, headings, quotations and footnotes become blocks whose words
carry the line of the markup file they stand on. The rules are generic (elements, ARIA
roles, class/id words, link density), never tuned to one site.
"""

from __future__ import annotations

import codecs
import html as htmlmod
import re
from dataclasses import dataclass, replace
from itertools import pairwise
from pathlib import Path

import lxml.html
import regex
from lxml import etree

from ..errors import InputError
from ..model import Anomaly, BlockKind, Cleanup, MetaField, NoteRef
from . import Parsed
from .decode import Decoded, decode_source
from .markup import BlockBuilder, end_line, norm_space, snippet
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
_ELEMENT_ROLE = {"nav": "navigation", "aside": "sidebar", "form": "form", "menu": "navigation",
                 "header": "banner", "footer": "footer", "search": "navigation"}
_ARIA_ROLE = {"navigation": "navigation", "banner": "banner", "contentinfo": "footer",
              "complementary": "sidebar", "search": "navigation", "menu": "navigation",
              "menubar": "navigation"}
_WORD_ROLE = {word: role for role, words in {  # words of class/id attributes
    "navigation": "nav navbar navigation menu menubar breadcrumb breadcrumbs pagination pager "
                  "skip skiplink",
    "banner": "banner masthead branding", "sidebar": "sidebar widget widgets",
    "related": "related latest-articles latest-posts read-more more-stories recommended "
               "popular trending read-next",
    "share": "share sharing social sharethis addthis", "cookie": "cookie cookies consent gdpr",
    "advert": "advert advertisement adverts ad ads sponsor sponsored promo",
    "comments": "comment comments disqus", "footer": "footer colophon copyright",
    "subscribe": "subscribe newsletter signup"}.items() for word in words.split()}
_NOTES_WORDS = {"footnotes", "endnotes", "notes", "reflist", "footnote-list"}
_NOTE_ID = re.compile(r"^(?:fn|footnote|note|endnote|_?ftn|_?edn|cite_note)[-:_]?(\d{1,4})$",
                      re.I)
_NOTE_HREF = re.compile(r"^#(?:fn|footnote|note|endnote|_?ftn|_?edn|cite_note)[-:_]?(\d{1,4})",
                        re.I)
_BACK_HREF = re.compile(r"^#(?:fnref|footnote-ref|_?ftnref|_?ednref|cite_ref)", re.I)
_MARKER = re.compile(r"^\W{0,2}(\d{1,4}|[a-z]|[*†‡§]{1,3})\W{0,2}$", re.I)
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_TEASER = regex.compile(  # a heading over other pages' teasers (the whole heading)
    r"^(?:(?:latest|related|recent|popular|trending|recommended|more)(?:\s+(?:articles?|posts?|"
    r"stories|news|reads?|content|videos?|like this|(?:from|on|in)\s.+))?|most read|top stories|"
    r"read (?:more|next)|other articles|you (?:may|might) also (?:like|enjoy))\s*:?$", regex.I)
_DIVIDER = regex.compile(r"^[\s*•·⁂~#=_—–-]{1,20}$")
_WORDS = regex.compile(r"\w+")


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


def _tokens(el: etree._Element) -> list[str]:
    words = " ".join(filter(None, (el.get("class"), el.get("id")))).lower()
    parts = [p for p in re.split(r"[^a-z0-9]+", words) if p]
    return parts + [f"{a}-{b}" for a, b in pairwise(parts)]


def _words(text: str) -> int:
    return len(_WORDS.findall(text))


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
        self.region = _main_region(self.body)
        self.ancestors = set(self.region.iterancestors()) if self.region is not None else set()
        self.order = {el: i for i, el in enumerate(root.iter())}
        self.long_words = sum(n for n in map(_long_words, self.body.iter("p")))
        self.consumed: set[etree._Element] = set()
        self.refs, self.note_bodies = self._pair_notes()
        self.notes_seen = 0
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
        if tag in _SKIP or el in self.consumed:
            if el not in self.consumed:
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
        href, text = el.get("href") or "", norm_space(el.text_content())
        if _BACK_HREF.match(href) or el.get("role") == "doc-backlink":
            if not _WORDS.search(text):
                self._record("html-footnote-backlink", "removed", line,
                             "link back from a footnote to its marker", text)
                return True
            return False
        ref = _NOTE_HREF.match(href)
        if el in self.refs or ((ref or el.get("role") == "doc-noteref") and len(text) <= 6):
            if ctx.note is not None:
                return False
            label = self.refs.get(el) or text.strip("[]() ") or (ref.group(1) if ref else "")
            self._ensure_open(ctx)
            self.out.add(NoteRef(label, line, text))
            return True
        return False

    def _enter(self, el: etree._Element, tag: str, ctx: _Ctx, line: int) -> _Ctx:
        """The context inside `el`: authorial region, footnotes, boilerplate role."""
        if self.region is not None and ctx.rule == "html-outside-main" and ctx.role == "page":
            if el is self.region:
                return _Ctx(inside=True)
            if el not in self.ancestors and el is not self.body:
                role, rule = self._signal(el, tag, ctx)
                if not role:
                    before = self.order.get(el, 0) < self.order.get(self.region, 0)
                    role, rule = ("banner" if before else "footer"), "html-outside-main"
                ctx = _Ctx(role=role, rule=rule)
                self._region_cleanup(el, tag, ctx, line)
        note = self._note_label(el, tag, ctx)
        if note is not None:
            return replace(ctx, role="", rule="", note=note, inner=BlockKind.NOTE)
        if _is_notes(el):
            return replace(ctx, role="", rule="", inner=BlockKind.NOTE)
        if not ctx.role and ctx.note is None and ctx.inner is not BlockKind.NOTE:
            role, rule = self._signal(el, tag, ctx)
            if role:
                ctx = replace(ctx, role=role, rule=rule)
                self._region_cleanup(el, tag, ctx, line)
                return ctx
        if tag == "blockquote":
            ctx = replace(ctx, inner=BlockKind.QUOTE)
        elif tag in ("li", "dd", "dt") and ctx.inner is not BlockKind.NOTE:
            ctx = replace(ctx, inner=BlockKind.LIST_ITEM)
        elif tag == "table":
            ctx = replace(ctx, layout=_is_layout(el))
        elif tag == "tr" and not ctx.layout:
            ctx = replace(ctx, cell=True)
        return ctx

    def _signal(self, el: etree._Element, tag: str, ctx: _Ctx) -> tuple[str, str]:
        """A boilerplate role for `el` from its element, ARIA role, class/id or links."""
        if el is self.region or el in self.ancestors:
            return "", ""
        role = _ELEMENT_ROLE.get(tag, "")
        if role == "banner" and (ctx.inside or el.xpath("ancestor::article|ancestor::main")):
            role = ""  # an article's own <header> holds its title and byline
        if role:
            return role, f"html-{tag}-element"
        if _hidden(el):
            return "hidden", "html-hidden"
        aria = (el.get("role") or "").lower()
        if aria in _ARIA_ROLE and not (aria == "banner" and ctx.inside):
            return _ARIA_ROLE[aria], "html-aria-role"
        for word in _tokens(el):
            role = _WORD_ROLE.get(word, "")
            if role and not (role == "banner" and ctx.inside) and not self._wrapper(el):
                return role, "html-class-pattern"
        if tag in ("div", "ul", "ol", "section", "p", "table", "dl") and _link_dense(el):
            hrefs = [a.get("href") or "" for a in el.iter("a")]
            toc = len(hrefs) >= 3 and all(h.startswith("#") for h in hrefs)
            return ("toc" if toc else "navigation"), "html-link-density"
        return "", ""

    def _wrapper(self, el: etree._Element) -> bool:
        """A layout wrapper (class "has-sidebar"...) holding most of the article's prose."""
        if self.long_words == 0:
            return False
        return 2 * sum(map(_long_words, el.iter("p"))) > self.long_words

    def _sibling(self, child: etree._Element, parent: _Ctx, current: _Ctx) -> _Ctx:
        """A "Latest articles" heading turns the siblings after it into teasers."""
        if parent.role or parent.note is not None or not isinstance(child.tag, str):
            return current
        text = norm_space(child.text_content()) if child.tag in _HEADINGS or len(child) < 3 \
            else ""
        if text and _words(text) <= 5 and _TEASER.match(text):
            ctx = replace(parent, role="related", rule="html-related-heading")
            self._region_cleanup(child, child.tag, ctx, child.sourceline or 1)
            return ctx
        if current.rule == "html-related-heading" and any(
                _words(p.text_content()) >= 60 for p in child.iter("p")):
            return parent
        return current

    def _pair_notes(self) -> tuple[dict[etree._Element, str], dict[etree._Element, str]]:
        """Footnotes by their links: a marker ("1", "[2]", "*") linking to a later anchor
        whose block starts with the same marker (or has a footnote id) is a note pair."""
        anchors: dict[str, etree._Element] = {}
        for el in self.body.iter("*"):
            key = el.get("id") or (el.get("name") if el.tag == "a" else None)
            if key:
                anchors.setdefault(key, el)
        refs, bodies = {}, {}
        for a in self.body.iter("a"):
            target = anchors.get((a.get("href") or "#")[1:]) if (a.get("href") or "")[:1] == "#" \
                else None
            marker = _MARKER.match(norm_space(a.text_content()))
            if target is None or not marker or self.order[target] <= self.order[a]:
                continue
            body = next((x for x in (target, *target.iterancestors())
                         if x.tag in ("p", "li", "div", "dd", "aside")), None)
            label = marker.group(1)
            starts = norm_space(body.text_content() if body is not None else "").lstrip("[(")
            if body is None or body is self.region or not (
                    starts.startswith(label) or _NOTE_ID.match(target.get("id") or "")):
                continue
            refs[a], bodies[body] = label, label
        return refs, bodies

    def _note_label(self, el: etree._Element, tag: str, ctx: _Ctx) -> str | None:
        """The label of a footnote body (by id, list position or leading marker)."""
        found = _NOTE_ID.match(el.get("id") or "")
        in_list = ctx.inner is BlockKind.NOTE and ctx.note is None and tag in ("li", "p", "div")
        paired = self.note_bodies.get(el, "")
        if not (found or in_list or paired or el.get("role") == "doc-footnote"):
            return None
        label = found.group(1) if found else paired
        node = el
        while not (node.text or "").strip() and len(node) and node[0].tag in ("p", "div", "li"):
            node = node[0]
        first = node[0] if len(node) and not (node.text or "").strip() else None
        if first is not None and first.tag in ("a", "sup", "span", "b", "strong"):
            marker = norm_space(first.text_content())
            if _MARKER.match(marker):
                label = label or marker.strip("[]().: ")
                self.consumed.add(first)
                self._record("html-footnote-label", "moved", first.sourceline or 1,
                             "footnote marker taken as the note's label", marker, label)
        if not label and tag == "li":
            label = str(int(el.getparent().get("start", "1") or 1)
                        + el.getparent().index(el)) if el.getparent() is not None else ""
        self.notes_seen += 1
        return label or str(self.notes_seen)

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
        if block.kind is BlockKind.P and _words(text) >= 40:
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


def _main_region(body: etree._Element) -> etree._Element | None:
    """<main> (or role=main), else the one <article> that clearly outweighs the others."""
    mains = body.xpath(".//main|.//*[@role='main']")
    if mains:
        return mains[0]
    sizes = sorted(((len(norm_space(a.text_content())), i, a)
                    for i, a in enumerate(body.iter("article"))), reverse=True)
    if sizes and (len(sizes) == 1 or sizes[0][0] > 2 * sizes[1][0]):
        return sizes[0][2]
    return None


def _is_notes(el: etree._Element) -> bool:
    if (el.get("role") or "").lower() in ("doc-endnotes", "doc-footnotes"):
        return True
    return bool(set(_tokens(el)) & _NOTES_WORDS) and el.tag in (
        "ol", "ul", "div", "section", "aside", "footer", "dl")


def _hidden(el: etree._Element) -> bool:
    """Text a browser does not show: hidden, aria-hidden, display:none, screen-reader only."""
    style = (el.get("style") or "").replace(" ", "").lower()
    return (el.get("hidden") is not None or el.get("aria-hidden") == "true"
            or "display:none" in style or "visibility:hidden" in style
            or bool({"sr-only", "screen-reader-text", "visually-hidden", "visuallyhidden"}
                    & set(_tokens(el))))


def _is_layout(table: etree._Element) -> bool:
    """A table used for page layout: its cells hold paragraphs, not data."""
    if (table.get("role") or "") == "presentation":
        return True
    return bool(table.xpath("./tr/td/*[self::p or self::div or self::table or self::h1 or "
                            "self::h2 or self::ul]|./tbody/tr/td/*[self::p or self::div or "
                            "self::table or self::h1 or self::h2 or self::ul]"))


def _link_dense(el: etree._Element) -> bool:
    """Mostly links, in short items (a menu, a list of other pages), or a lone "Top" link."""
    links = [a for a in el.iter("a") if a.get("href")]
    words = _words(el.text_content())
    if not links or not words:
        return False
    linked = sum(_words(a.text_content()) for a in links)
    if len(links) < 3:  # "Top of page", "Back to top": a short in-page jump and nothing else
        return linked == words <= 4 and all(a.get("href", "").startswith("#") for a in links)
    return linked / words >= 0.7 and words / len(links) <= 10


def _long_words(p: etree._Element) -> int:
    n = _words(p.text_content())
    return n if n >= 30 else 0
