"""TEI elements to HTML markup for the static site: the edited text and a synopsis column.

Everything here returns strings of HTML in which every piece of source text went through
`esc` (markupsafe): nothing from a TEI file reaches the page unescaped, so a source holding
`<script>` shows it as text. The page templates (Jinja2, autoescape on) wrap these strings
in `Markup` only after they were built this way.

The reading view keeps the DOM small: one element per block (paragraph, heading, quotation,
note) and one mark per apparatus entry or correction; running text stays plain text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from lxml import etree
from markupsafe import escape

from ..tei import TEI, XML_ID

LONG_WORDS = 40  # a reading longer than this is shortened in its apparatus entry


def esc(value: object) -> str:
    return str(escape("" if value is None else str(value)))


def attrs(**pairs: object) -> str:
    """` k="v"` pairs, escaped; None and False are left out, True is a bare attribute."""
    out = []
    for key, value in pairs.items():
        if value is None or value is False:
            continue
        name = key.rstrip("_").replace("_", "-")
        out.append(f" {name}" if value is True else f' {name}="{esc(value)}"')
    return "".join(out)


def tag(name: str, inner: str = "", **pairs: object) -> str:
    """An element around already-escaped `inner`."""
    return f"<{name}{attrs(**pairs)}>{inner}</{name}>"


def local(el: etree._Element) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def sigla(value: str | None) -> list[str]:
    return [s.lstrip("#") for s in (value or "").split() if s.lstrip("#")]


def words(el: etree._Element | None) -> list[str]:
    return "".join(el.itertext()).split() if el is not None else []


def shorten(text: str, limit: int = LONG_WORDS) -> str:
    parts = text.split()
    if len(parts) <= limit:
        return " ".join(parts)
    return f"{' '.join(parts[:24])} … {' '.join(parts[-10:])} ({len(parts)} words)"


def as_int(value: object) -> int:
    """A line number from TEI or a report; 0 when there is none."""
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return 0


def cert_text(value: object) -> str:
    try:
        return f"{float(value):.2f}"  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return "—"


def block_anchor(el: etree._Element) -> str | None:
    """The HTML id of an edition block: its witness and source line, e.g. C-2749."""
    wit, n = sigla(el.get("corresp")), as_int(el.get("n"))
    return f"{wit[0]}-{n}" if wit and n else None


@dataclass
class Links:
    """Where the edited text links to, as hrefs relative to the page being written."""

    source: Callable[[str, int], str | None]   # (siglum, line) -> witness view href
    source_file: Callable[[str], str]           # siglum -> source file name
    flag: Callable[[str], str]                  # flag id -> href into the corruptions list
    app_href: Callable[[str], str] = lambda ident: f"#{ident}"


@dataclass
class Annotations:
    """What the reports add to the edited text, keyed by block anchor (`block_anchor`)."""

    flags_by_variant: Mapping[str, list[dict]] = field(default_factory=dict)
    choice_flags: Mapping[tuple[str, str], dict] = field(default_factory=dict)  # (anchor, sic)
    before: Mapping[str, list[str]] = field(default_factory=dict)  # anchor -> HTML (margin)
    after: Mapping[str, list[str]] = field(default_factory=dict)   # anchor -> HTML (furniture)
    lacks: Mapping[str, str] = field(default_factory=dict)         # anchor -> "D E"


def facts_html(facts: list[tuple[str, str]], links: list[tuple[str, str]]) -> str:
    items = [f"{esc(k)} <strong>{esc(v)}</strong>" for k, v in facts]
    items += [tag("a", esc(text), href=href) for href, text in links]
    return tag("span", " · ".join(items), class_="facts")


def entry_html(ident: str, label: str, head: str, readings: list[str], evidence: str) -> str:
    ev = tag("p", esc(evidence), class_="evidence") if evidence else ""
    foot = (tag("a", esc(ident), class_="entry-id", href=f"#{ident}")
            + tag("button", "Close", type="button", class_="entry-close"))
    return tag("div", tag("p", head, class_="entry-h") + tag("ul", "".join(readings),
                                                            class_="readings")
               + ev + tag("p", foot, class_="entry-foot"),
               class_="entry", id=f"e-{ident}", role="dialog", tabindex="-1",
               aria_label=label)


def mark_html(ident: str, cls: str, spans: str) -> str:
    return tag("a", spans, class_=cls, id=ident, href=f"#e-{ident}", role="button",
               aria_expanded="false", aria_controls=f"e-{ident}")


class TextRenderer:
    """The edition's text. `as_wit=None`: the reading view (interactive marks and entries);
    `as_wit="C"`: the text as witness C has it, each difference a highlighted link."""

    def __init__(self, links: Links, notes: Annotations, as_wit: str | None = None) -> None:
        self.links, self.notes, self.as_wit = links, notes, as_wit
        self._entries: list[str] = []
        self._choices = 0

    # -- blocks ---------------------------------------------------------------------------
    def work(self, div: etree._Element) -> str:
        return "".join(self.element(child, 1) for child in div
                       if not (local(child) == "head" and child.get("type") == "work"))

    def element(self, el: etree._Element, depth: int) -> str:
        name = local(el)
        if name == "div":
            inner = "".join(self.element(c, depth + 1) for c in el)
            return tag("section", inner, class_=f"div div-{el.get('type') or 'part'}")
        return self.block(el, depth) if name else ""

    def block(self, el: etree._Element, depth: int) -> str:
        name, anchor = local(el), block_anchor(el)
        wit = (sigla(el.get("corresp")) or [""])[0]
        self._entries = []
        body = self.inline(el, wit, anchor or "")
        key = anchor or ""
        if self.as_wit is None:
            body = self.source_link(el, wit) + body
        lacks = self.notes.lacks.get(key) or None
        if name == "head":
            html = tag(f"h{min(max(depth, 2), 6)}", body, id=anchor, data_lacks=lacks)
        elif name == "quote":
            html = tag("blockquote", tag("p", body), id=anchor, data_lacks=lacks)
        elif name == "note":
            label = tag("span", "Note. ", class_="note-label")
            html = tag("aside", tag("p", label + body), id=anchor, class_="note",
                       data_lacks=lacks)
        else:
            html = tag("p", body, id=anchor, data_lacks=lacks)
        if self.as_wit is not None:
            return html
        parts = [*self.notes.before.get(key, ()), html]
        if self._entries:
            parts.append(tag("div", "".join(self._entries), class_="apparatus"))
        parts.extend(self.notes.after.get(key, ()))
        return "".join(parts)

    def source_link(self, el: etree._Element, wit: str) -> str:
        line = as_int(el.get("n"))
        href = self.links.source(wit, line) if line else None
        if not href:
            return ""
        title = f"{self.links.source_file(wit)}, line {line}"
        return tag("a", tag("span", "source: ", class_="sr") + f"{esc(wit)}&#8239;{line}",
                   class_="src", href=href, title=title)

    # -- running text ---------------------------------------------------------------------
    def inline(self, el: etree._Element, wit: str, anchor: str) -> str:
        out = [esc(el.text or "")]
        for child in el:
            name = local(child)
            if name == "app":
                out.append(self.app(child) + space_after(child))
            elif name == "choice":
                out.append(self.choice(child, wit, anchor))
            elif name == "milestone":
                who = " ".join(sigla(child.get("edRef"))) or "a witness"
                out.append('<br class="ms">' + tag("span", "¶", class_="ms",
                                                   title=f"new paragraph in {who}") + " ")
            elif name == "note" and child.get("type") == "evidence":
                pass
            elif name:
                out.append(tag("span", self.inline(child, wit, anchor), class_=f"tei-{name}"))
            out.append(esc(child.tail or ""))
        return "".join(out)

    def reading(self, el: etree._Element | None, empty: str) -> str:
        if el is None or not (el.text or len(el)):
            return tag("span", esc(empty), class_="om")
        return self.inline(el, "", "")

    def app(self, app: etree._Element) -> str:
        ident = app.get(XML_ID) or ""
        lem, rdgs = app.find(f"{TEI}lem"), app.findall(f"{TEI}rdg")
        cause = main_cause(rdgs)
        lem_wits = sigla(lem.get("wit") if lem is not None else "")
        lost = f"[lacuna: {len(words(lem))} words lacking]"
        if self.as_wit is not None:
            chosen = next((r for r in rdgs if self.as_wit in sigla(r.get("wit"))), lem)
            if chosen is lem and self.as_wit not in lem_wits:
                return self.reading(lem, "")
            empty = lost if cause == "lacuna" else "[om.]"
            return tag("a", self.reading(chosen, empty), href=self.links.app_href(ident),
                       class_=f"diff c-{cause}", title=f"{cause}: open the apparatus entry")
        spans = [tag("span", self.reading(lem, "‸"), class_="rd lem",
                     data_wit=" ".join(lem_wits))]
        for rdg in rdgs:
            empty = lost if rdg.get("cause") == "lacuna" else "[om.]"
            spans.append(tag("span", self.reading(rdg, empty), class_="rd", hidden=True,
                             data_wit=" ".join(sigla(rdg.get("wit")))))
        self._entries.append(self.app_entry(ident, app, lem, rdgs))
        cls = f"mark app c-{cause} t-{app.get('type') or 'variant'}"
        return mark_html(ident, cls, "".join(spans))

    def app_entry(self, ident: str, app: etree._Element, lem: etree._Element | None,
                  rdgs: list[etree._Element]) -> str:
        flags = self.notes.flags_by_variant.get(ident, [])
        items = []
        for rdg in rdgs:
            wits = sigla(rdg.get("wit"))
            flag = next((f for f in flags if f.get("witness") in wits), None)
            facts = [("cause", rdg.get("cause") or "—"),
                     ("type", rdg.get("type") or app.get("type") or "—"),
                     ("confidence", cert_text(rdg.get("cert"))),
                     ("status", flag.get("status", "open") if flag else "not flagged"),
                     ("by", " ".join(sigla(rdg.get("resp"))) or "—")]
            items.append(tag("span", esc(shorten(" ".join(words(rdg))) or "om."),
                             class_="rdg-text") + " " + tag("span", esc(" ".join(wits)),
                                                           class_="sig")
                         + facts_html(facts, self.flag_links(flag)))
        items = [tag("li", i) for i in items]
        head = (tag("span", esc(shorten(" ".join(words(lem)))) or "<i>nothing</i>",
                    class_="lemma") + "&#8201;] "
                + tag("span", esc(" ".join(sigla(lem.get("wit") if lem is not None else ""))),
                      class_="sig")
                + facts_html([("lemma chosen by", " ".join(
                    sigla(lem.get("resp") if lem is not None else "")) or "—")], []))
        evidence = app.find(f"{TEI}note[@type='evidence']")
        return entry_html(ident, f"Apparatus entry {ident}", head, items,
                          " ".join(words(evidence)))

    def flag_links(self, flag: dict | None) -> list[tuple[str, str]]:
        if not flag:
            return []
        out = [(self.links.flag(flag["id"]), f"flag {flag['id']}")]
        href = self.links.source(flag.get("witness", ""), as_int(flag.get("line")))
        if href:
            out.append((href, f"{flag.get('witness')} line {flag.get('line')}"))
        return out

    def choice(self, choice: etree._Element, wit: str, anchor: str) -> str:
        sic, corr = choice.find(f"{TEI}sic"), choice.find(f"{TEI}corr")
        flag = self.notes.choice_flags.get((anchor, " ".join(words(sic))))
        self._choices += 1
        ident = f"c-{flag['id']}" if flag else f"c-{anchor}-{self._choices}"
        kind = (corr.get("type") if corr is not None else None) or "ocr"
        if self.as_wit is not None:
            shown = sic if self.as_wit == wit else corr
            return tag("span", self.reading(shown, "[om.]"), class_=f"diff c-{kind}")
        facts = [("cause", kind),
                 ("confidence", cert_text(corr.get("cert") if corr is not None else None)),
                 ("status", flag.get("status", "open") if flag else "not flagged"),
                 ("by", " ".join(sigla(corr.get("resp") if corr is not None else "")) or "—")]
        reading = (tag("span", self.reading(sic, "om."), class_="rdg-text") + " "
                   + tag("span", esc(wit), class_="sig") + " "
                   + tag("span", "as the source reads (sic)", class_="facts")
                   + facts_html(facts, self.flag_links(flag)))
        head = (tag("span", self.reading(corr, ""), class_="lemma") + "&#8201;] "
                + tag("span", "the edition's correction", class_="facts"))
        self._entries.append(entry_html(ident, f"Correction {ident}", head,
                                        [tag("li", reading)],
                                        flag.get("evidence", "") if flag else ""))
        spans = (tag("span", self.reading(corr, "‸"), class_="rd lem")
                 + tag("span", self.reading(sic, "[om.]"), class_="rd sic", data_wit=wit,
                       hidden=True))
        return mark_html(ident, f"mark choice c-{kind}", spans)


NO_SPACE_BEFORE = frozenset(".,;:!?)]}’”…")


def space_after(app: etree._Element) -> str:
    """The space an app's tail lacks. The apparatus encoder writes `</app>and Stalin`
    (the word space after an apparatus entry is lost); put it back unless the tail starts
    with a space or closing punctuation. A no-op once the TEI carries the space."""
    tail = app.tail or ""
    return "" if tail[:1].isspace() or tail[:1] in NO_SPACE_BEFORE else " "


def main_cause(rdgs: Iterable[etree._Element]) -> str:
    best = max(rdgs, key=lambda r: _float(r.get("cert")), default=None)
    return (best.get("cause") if best is not None else None) or "variant"


def _float(value: str | None) -> float:
    try:
        return float(value or 0)
    except ValueError:
        return 0.0


# -- witness files --------------------------------------------------------------------------
BLOCK_TAGS = {"head": "h", "p": "p", "quote": "blockquote", "note": "aside", "closer": "div",
              "dateline": "p", "table": "table", "row": "tr", "cell": "td", "list": "ul",
              "item": "li", "lg": "div", "l": "div", "ab": "p", "bibl": "p", "div": "section"}


def is_furniture(el: etree._Element) -> bool:
    """Non-authorial material the encoder kept and marked: page furniture, boilerplate."""
    name = local(el)
    return (name in ("fw", "pb") or (name == "note" and el.get("type") == "boilerplate")
            or (name == "ab" and el.get("type") == "divider"))


def furniture_label(el: etree._Element) -> str:
    name = local(el)
    if name == "fw":
        return f"page {el.get('type') or 'furniture'}"
    if name == "pb":
        return f"page {el.get('n') or ''} ends".replace("  ", " ")
    if name == "ab":
        return "divider"
    return f"boilerplate ({el.get('subtype') or 'site'})"


def first_line(el: etree._Element) -> int | None:
    lb = el if local(el) == "lb" else next(el.iter(f"{TEI}lb"), None)
    n = lb.get("n") if lb is not None else None
    return int(n) if n and n.isdigit() else None


def source_lines(body: etree._Element) -> dict[int, str]:
    """The text of each source line of a witness, without furniture and extraction junk."""
    lines: dict[int, list[str]] = {}
    current = [0]

    def walk(el: etree._Element, keep: bool) -> None:
        for child in el:
            name = local(child)
            inside = keep and bool(name) and not is_furniture(child) and name != "gap"
            if name == "lb":
                n = child.get("n") or ""
                current[0] = int(n) if n.isdigit() else current[0]
            elif name:
                if inside:
                    lines.setdefault(current[0], []).append(child.text or "")
                walk(child, inside)
            if keep and child.tail:
                lines.setdefault(current[0], []).append(child.tail)

    walk(body, True)
    return {n: " ".join("".join(parts).split()) for n, parts in lines.items()}


class WitnessRenderer:
    """A witness file's body, every source line anchored (id="L<n>") on a line of its own."""

    def __init__(self, flag_marks: Mapping[int, list[tuple[str, str, str]]]) -> None:
        self.flag_marks = flag_marks  # line -> [(flag id, cause, href)]
        self._started = False

    def children(self, el: etree._Element, depth: int) -> str:
        out = [esc(el.text or "")] if el.text and el.text.strip() else []
        for child in el:
            out.append(self.node(child, depth) + esc(child.tail or ""))
        return "".join(out)

    def node(self, el: etree._Element, depth: int, phrasing: bool = False) -> str:
        """One element; inside a paragraph (`phrasing`) blocks become spans shown as blocks."""
        name = local(el)
        if not name:
            return ""
        if name not in BLOCK_TAGS:
            return self.inline(el, depth)
        self._started = False
        furn = is_furniture(el)
        label = tag("span", esc(furniture_label(el)) + ": ", class_="furn-label") if furn else ""
        if name in ("div", "table", "row", "list", "lg"):
            inner = self.children(el, depth + (name == "div"))
        else:
            inner = self.mixed(el, depth)
        html_tag = f"h{min(depth, 6)}" if name == "head" else BLOCK_TAGS[name]
        cls = {"note": "note", "div": f"div div-{el.get('type')}"}.get(name)
        if furn:
            html_tag, cls = "div", "furn"
        if name == "table":
            inner = tag("tbody", inner)
        if phrasing:
            html_tag, cls = "span", f"{cls or name} as-block"
        return tag(html_tag, label + inner, id=el.get(XML_ID), class_=cls)

    def mixed(self, el: etree._Element, depth: int) -> str:
        out = [esc(el.text or "")]
        for child in el:
            out.append(self.node(child, depth + 1, phrasing=True) + esc(child.tail or ""))
        return "".join(out)

    def inline(self, el: etree._Element, depth: int) -> str:
        name = local(el)
        if name == "lb":
            n = el.get("n") or ""
            br = "<br>" if self._started else ""
            self._started = True
            marks = "".join(
                tag("a", tag("span", f"flag {esc(fid)} ", class_="sr") + "⚑",
                    class_=f"flagmark c-{cause}", href=href, title=f"flag {fid}: {cause}")
                for fid, cause, href in self.flag_marks.get(int(n) if n.isdigit() else -1, ()))
            return br + tag("span", "", class_="ln", id=f"L{n}" if n else None, data_n=n) + marks
        if name == "fw":
            label = tag("span", f"[{esc(furniture_label(el))}]", class_="furn-label")
            return tag("span", f" {label} {self.mixed(el, depth)} ", class_="furn")
        if name == "pb":
            label = f"[{furniture_label(el)}: {el.get('source') or ''}]"
            return tag("span", f" {esc(label)} ", class_="furn pb")
        if name == "gap":
            title = f"extraction junk kept from the source ({el.get('reason') or 'gap'})"
            return tag("span", f"⟨{esc(' '.join(words(el))) or 'gap'}⟩", class_="gap",
                       title=title)
        target = el.get("target") or ""
        if name == "ref" and target.startswith("#") and " " not in target:
            return tag("a", self.mixed(el, depth), href=target, class_="noteref")
        if name == "label":
            return tag("strong", self.mixed(el, depth))
        return tag("span", self.mixed(el, depth), class_=f"tei-{name}")
