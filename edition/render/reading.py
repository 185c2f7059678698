"""The edited text as HTML for the static site: the reading view, and a synopsis column
(the same text read as one witness).

Everything here returns strings of HTML in which every piece of source text went through
`esc` (markupsafe): nothing from a TEI file reaches the page unescaped, so a source holding
`<script>` shows it as text. The page templates (Jinja2, autoescape on) wrap these strings
in `Markup` only after they were built this way.

The reading view keeps the DOM small: one element per block (paragraph, heading, quotation,
note) and one mark per apparatus entry or correction; running text stays plain text.
"""

from __future__ import annotations

from lxml import etree

from ..tei import TEI, XML_ID
from .apparatus import (
    Annotations,
    Links,
    entry_html,
    facts_html,
    main_cause,
    mark_html,
    space_after,
)
from .html import (
    as_int,
    block_anchor,
    cert_text,
    correction_state,
    esc,
    local,
    printed_reading,
    shorten,
    sigla,
    tag,
    words,
)


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
        """A single-witness correction. The text prints what `printed_reading` says: the
        witness's reading while the correction is only the machine's proposal (the entry
        then offers the proposal), the correction once an editor accepted or made it."""
        sic, corr = choice.find(f"{TEI}sic"), choice.find(f"{TEI}corr")
        state = correction_state(corr)
        flag = self.notes.choice_flags.get((anchor, " ".join(words(sic))))
        self._choices += 1
        ident = f"c-{flag['id']}" if flag else f"c-{anchor}-{self._choices}"
        kind = (corr.get("type") if corr is not None else None) or "ocr"
        if self.as_wit is not None:
            shown = sic if self.as_wit == wit else printed_reading(choice)
            return tag("span", self.reading(shown, "[om.]"), class_=f"diff c-{kind}")
        facts = [("cause", kind),
                 ("confidence", cert_text(corr.get("cert") if corr is not None else None)),
                 ("status", flag.get("status", "open") if flag else "not flagged"),
                 ("by", " ".join(sigla(corr.get("resp") if corr is not None else "")) or "—")]
        evidence = flag.get("evidence", "") if flag else ""
        if state == "proposed":   # the witness's reading is the text; the proposal is offered
            head = (tag("span", self.reading(sic, "‸"), class_="lemma") + "&#8201;] "
                    + tag("span", esc(wit), class_="sig") + " "
                    + tag("span", "the witness's reading, printed until an editor accepts "
                          "a correction", class_="facts"))
            reading = (tag("span", self.reading(corr, "om."), class_="rdg-text") + " "
                       + tag("span", "proposed correction (not reviewed)",
                             class_="facts proposal")
                       + facts_html(facts, self.flag_links(flag)))
            self._entries.append(entry_html(ident, f"Proposed correction {ident}", head,
                                            [tag("li", reading)], evidence))
            spans = tag("span", self.reading(sic, "‸"), class_="rd lem", data_wit=wit)
            return mark_html(ident, f"mark choice proposed c-{kind}", spans)
        reading = (tag("span", self.reading(sic, "om."), class_="rdg-text") + " "
                   + tag("span", esc(wit), class_="sig") + " "
                   + tag("span", "as the source reads (sic)", class_="facts")
                   + facts_html(facts, self.flag_links(flag)))
        who = ("the editor's emendation" if state == "emended"
               else "the edition's correction, accepted by an editor" if state == "accepted"
               else "the edition's correction")
        head = (tag("span", self.reading(corr, ""), class_="lemma") + "&#8201;] "
                + tag("span", who, class_="facts"))
        self._entries.append(entry_html(ident, f"Correction {ident}", head,
                                        [tag("li", reading)], evidence))
        spans = (tag("span", self.reading(corr, "‸"), class_="rd lem")
                 + tag("span", self.reading(sic, "[om.]"), class_="rd sic", data_wit=wit,
                       hidden=True))
        return mark_html(ident, f"mark choice c-{kind}", spans)
