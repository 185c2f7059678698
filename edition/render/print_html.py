"""The print edition as HTML: the document WeasyPrint lays out into the PDF.

One document: title page, edition statement, conspectus siglorum, contents (`print_front`),
the works, and an appendix of the flags still awaiting review. In the works, every apparatus
entry is an inline footnote (`float: footnote`, `footnote-policy: line` in styles/print.css),
so WeasyPrint puts it at the foot of the page that holds its lemma, or moves the line to the
next page with it.

Line numbers cannot be known before the lines are broken, so each entry starts with a slot
(`span.ln`, placeholder digits) that `render_pdf` fills after layout. The lemma in the text
is wrapped in `span.lm#L-<id>`, which is how `render_pdf` finds the line an entry belongs to.
Every piece of source text goes through `esc`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from lxml import etree

from ..tei import TEI, TEI_NS, XML_ID
from .apparatus import main_cause, space_after
from .data import Site, Work
from .html import (
    as_int,
    block_anchor,
    correction_state,
    esc,
    local,
    printed_reading,
    shorten,
    sigla,
    tag,
    visible_controls,
    words,
)
from .print_front import front_matter

# The label printed after an entry that corrects a corrupt reading, by cause. Substantive
# variants carry none: a label means "this reading is damage, not a variant".
CLASS_LABELS = {"ocr": "ocr", "junk": "junk", "boilerplate": "boil.", "lacuna": "lac.",
                "dittography": "dittogr.", "word-split": "split", "word-join": "join",
                "structure": "struct.", "typography": "typ."}
SLOT_SHORT, SLOT_RANGE, SLOT_REF = "00", "00–00", "000.00"
LEMMA_WORDS = 8  # longer lemmata are cited by their first and last words


@dataclass
class PrintOptions:
    work: str | None = None          # a work siglum: print only that work
    apparatus: bool = True           # False: the plain text (the benchmark's baseline)
    today: str = field(default_factory=lambda: date.today().isoformat())


@dataclass
class PrintEdition:
    html: str
    works: list[str]                 # work sigla printed, in order
    entries: int = 0                 # apparatus entries (app + choice)
    notes: int = 0                   # authorial notes printed as footnotes
    pending: int = 0                 # flags listed in the appendix


def print_html(site: Site, css: str, options: PrintOptions | None = None) -> PrintEdition:
    """The whole print document for `site` (or one work of it)."""
    options = options or PrintOptions()
    works = [w for w in site.works if options.work in (None, w.siglum)]
    writer = _Writer(site, options)
    body = front_matter(site, works, options.today, CLASS_LABELS)
    body += [writer.work(w) for w in works]
    pending = [f for f in site.flags if f.get("status", "open") == "open"
               and any(_flag_work(site, f) == w.siglum for w in works)]
    body.append(writer.appendix(works, pending))
    authors = sorted({site.witnesses[w.siglum].author for w in works
                      if w.siglum in site.witnesses and site.witnesses[w.siglum].author})
    title = site.title if options.work is None else f"{site.title}: {works[0].title}"
    head = (f"<meta charset='utf-8'><title>{esc(title)}</title>"
            + _meta("author", "; ".join(authors) or "edition")
            + _meta("description", _subject(works))
            + _meta("keywords", "critical edition, TEI, apparatus criticus, collation")
            + _meta("generator", "edition")
            + _meta("dcterms.created", options.today)
            + f"<style>{css}</style>")
    html = (f"<!DOCTYPE html><html lang='en'><head>{head}</head>"
            f"<body class='{'' if options.apparatus else 'plain'}'>{''.join(body)}</body></html>")
    return PrintEdition(visible_controls(html), [w.siglum for w in works], writer.entries,
                        writer.notes, len(pending))


def _meta(name: str, content: str) -> str:
    return f'<meta name="{esc(name)}" content="{esc(content)}">'


def _subject(works: list[Work]) -> str:
    return "Critical edition with apparatus of " + "; ".join(w.title for w in works)


# -- the works -------------------------------------------------------------------------------
class _Writer:
    """Works and appendix; counts what it printed."""

    def __init__(self, site: Site, options: PrintOptions) -> None:
        self.site, self.options = site, options
        self.entries = self.notes = 0
        self.flag_by_variant = {f.get("variant"): f for f in site.flags if f.get("variant")}
        self.flag_by_id = {f["id"]: f for f in site.flags}
        self.note_calls: dict[str, list[str]] = {}   # block anchor -> footnote HTML
        self.placed: list[etree._Element] = []      # notes printed at their call

    def work(self, w: Work) -> str:
        self.note_calls = self._note_calls(w)
        head = tag("h1", esc(w.title), class_="work-title", id=f"work-{w.siglum}")
        parts = [head]
        chapter = 0
        for child in w.div:
            name = local(child)
            if name == "head" and child.get("type") == "work":
                continue
            if name == "div":
                chapter += 1
                parts.append(self.division(child, 2, f"ch-{w.siglum}-{chapter}"))
            elif name:
                parts.append(self.block(child))
        return tag("section", "".join(parts), class_="work", id=f"w-{w.siglum}")

    def division(self, div: etree._Element, depth: int, ident: str | None = None) -> str:
        parts = []
        for child in div:
            name = local(child)
            if name == "head":
                cls = "chapter" if depth == 2 else "section"
                anchor = block_anchor(child)   # the appendix's target for a flag on it
                inner = (tag("span", "", id=anchor) if anchor else "") + self.inline(child)
                parts.append(tag(f"h{min(depth, 4)}", inner, class_=cls, id=ident))
            elif name == "div":
                parts.append(self.division(child, depth + 1))
            elif name:
                parts.append(self.block(child))
        return tag("section", "".join(parts), class_=f"div div-{div.get('type') or 'part'}")

    def block(self, el: etree._Element) -> str:
        name, anchor = local(el), block_anchor(el) or ""
        if name == "note" and el.get("type") == "authorial":
            if el in self.placed:
                return ""
            return tag("div", tag("p", self.inline(el)), class_="num author-note")
        body = self.inline(el) + "".join(self.note_calls.get(anchor, ()))
        ident = anchor or None   # where the appendix points a flag outside the apparatus
        if name == "quote":
            return tag("blockquote", tag("p", body, class_="num"), id=ident)
        if name == "closer":
            return tag("p", body, class_="num closer", id=ident)
        if name == "head":
            return tag("h4", body, class_="section", id=ident)
        return tag("p", body, class_="num", id=ident)

    # -- authorial notes: a footnote at the block holding its call in the witness ----------
    def _note_calls(self, w: Work) -> dict[str, list[str]]:
        calls: dict[str, list[str]] = {}
        for note in w.div.iter(f"{TEI}note"):
            if note.get("type") != "authorial":
                continue
            wit = (sigla(note.get("corresp")) or [w.siglum])[0]
            line = _call_line(self.site, wit, as_int(note.get("n")))
            where = self.site.locate(wit, line) if line else None
            if where is None or where[0] != w.siglum:
                continue
            number = _note_number(note)
            text = " ".join(words(note))
            if number and text.startswith(number):
                text = text[len(number):].lstrip(". ")
            self.placed.append(note)
            self.notes += 1
            calls.setdefault(where[1], []).append(tag(
                "span", esc(text), class_="author-fn", data_n=number or "*"))
        return calls

    # -- running text ----------------------------------------------------------------------
    def inline(self, el: etree._Element) -> str:
        out = [esc(el.text or "")]
        for child in el:
            name = local(child)
            if name == "app":
                out.append(self.app(child) + space_after(child))
            elif name == "choice":
                out.append(self.choice(child))
            elif name in ("milestone", "lb", "pb") or (
                    name == "note" and child.get("type") in ("evidence", "review")):
                pass
            elif name:
                out.append(self.inline(child))
            out.append(esc(child.tail or ""))
        return "".join(out)

    def app(self, app: etree._Element) -> str:
        ident = app.get(XML_ID) or f"app{self.entries}"
        lem = app.find(f"{TEI}lem")
        text = self.inline(lem) if lem is not None else ""
        if not self.options.apparatus:
            return text
        review = app.find(f"{TEI}note[@type='review']")
        status = review.get("subtype") if review is not None else None
        flag = self.flag_by_variant.get(ident)
        readings = []
        if lem is not None and lem.get("wit") is None:   # an editor's emendation
            readings.append(f"<i>emend.</i> {esc(_reviewer(lem))}")
        for rdg in app.findall(f"{TEI}rdg"):
            said = " ".join(words(rdg))
            wits = " ".join(sigla(rdg.get("wit")))
            shown = ("<i>om.</i>" if not said
                     else (f"<i>add.</i> {esc(shorten(said, LEMMA_WORDS))}" if not words(lem)
                           else esc(shorten(said, LEMMA_WORDS))))
            readings.append(f"{shown} <span class='sig'>{esc(wits)}</span>")
        cause = main_cause(app.findall(f"{TEI}rdg"))
        label = CLASS_LABELS.get(cause, "") if status != "rejected" else ""
        pending = bool(flag) and flag.get("status", "open") == "open"
        return self._entry(ident, text, " ".join(words(lem)), readings, label, pending,
                           "corr" if label else "var")

    def choice(self, choice: etree._Element) -> str:
        """A single-witness correction. While it is only the machine's proposal the text
        keeps the witness's reading and the entry offers the conjecture the other way round
        (`destalinization] desalinization conj. ocr*`); once an editor accepted or made it,
        the correction is the lemma and the witness's reading (sic) stands in the entry."""
        sic, corr = choice.find(f"{TEI}sic"), choice.find(f"{TEI}corr")
        proposed = correction_state(corr) == "proposed"
        shown = printed_reading(choice)
        text = self.inline(shown) if shown is not None else ""
        if not self.options.apparatus:
            return text
        ident = choice.get(XML_ID) or f"choice{self.entries}"
        flag = self.flag_by_id.get(ident[2:]) if ident.startswith("c-") else None
        wit = (flag or {}).get("witness") or ""
        kind = (corr.get("type") if corr is not None else None) or "ocr"
        label = CLASS_LABELS.get(kind, kind)
        if proposed:
            said = " ".join(words(corr))
            offered = (esc(shorten(said, LEMMA_WORDS)) if said else "<i>om.</i>")
            return self._entry(ident, text, " ".join(words(sic)), [f"{offered} <i>conj.</i>"],
                               label, True, "corr conj")
        readings = []
        if corr is not None and "edition" not in sigla(corr.get("resp")):
            readings.append(f"<i>emend.</i> {esc(_reviewer(corr))}")
        said = " ".join(words(sic))
        readings.append((esc(shorten(said, LEMMA_WORDS)) if said else "<i>om.</i>")
                        + f" <span class='sig'>{esc(wit)}</span>")
        pending = bool(flag) and flag.get("status", "open") == "open"
        return self._entry(ident, text, " ".join(words(corr)), readings, label, pending, "corr")

    def _entry(self, ident: str, text_html: str, lemma: str, readings: list[str], label: str,
               pending: bool, kind: str) -> str:
        self.entries += 1
        parts = lemma.split()
        slot = SLOT_RANGE if len(parts) > 1 else SLOT_SHORT
        if not parts:
            shown = "<i>lacuna</i>" if label == "lac." else "‸"
        elif len(parts) > 4:
            shown = f"{esc(parts[0])} … {esc(parts[-1])}"
        else:
            shown = esc(lemma)
        entry = (tag("span", slot, class_="ln", id=f"N-{ident}") + "\u2002"
                 + tag("span", shown, class_="lem") + "]\u2002" + " : ".join(readings)
                 + (f"\u2002<span class='cls'>{esc(label)}</span>" if label else "")
                 + ("<span class='pending'>*</span>" if pending else ""))
        footnote = tag("span", entry, class_=f"app {kind}", id=f"A-{ident}")
        lemma_html = text_html or "\u200b"
        return footnote + tag("span", lemma_html, class_="lm", id=f"L-{ident}")

    # -- appendix ---------------------------------------------------------------------------
    def appendix(self, works: list[Work], pending: list[dict]) -> str:
        parts = [tag("h1", "Appendix: readings awaiting review", class_="fm", id="appendix"),
                 tag("p", f"{len(pending)} flags raised by the pipeline have not been "
                     "reviewed yet. Each gives the witness and the line of its source file, "
                     "where the passage stands in this book (page.line, or the page), what "
                     "the pipeline found and what it proposes, with its confidence.")]
        for w in works:
            rows = [self._flag_row(f) for f in pending if _flag_work(self.site, f) == w.siglum]
            if not rows:
                continue
            head = ("<colgroup><col class='c-id'><col class='c-src'><col class='c-here'>"
                    "<col class='c-kind'><col><col class='c-conf'></colgroup>"
                    "<thead><tr><th>Flag</th><th>Source</th><th>Here</th><th>Kind</th>"
                    "<th>Reading → proposal</th><th>Conf.</th></tr></thead>")
            parts.append(tag("h2", esc(w.title), class_="appx", id=f"appx-{w.siglum}"))
            parts.append(tag("table", head + tag("tbody", "".join(rows)), class_="flags"))
        return tag("section", "".join(parts), class_="appendix")

    def _flag_row(self, f: dict) -> str:
        target = self.site.flag_target(f)   # an apparatus entry, or else a block
        in_apparatus = f["variant"] in self.site.app_work or f["id"] in self.site.choice_flag
        if target and in_apparatus:
            here = tag("span", SLOT_REF, class_="ln ref", id=f"R-{target[1]}",
                       data_target=f"L-{target[1]}")
        else:
            here = tag("a", "", href=f"#{target[1]}", class_="pg") if target else "—"
        reading = shorten(str(f.get("reading") or ""), 12)
        proposal = shorten(str(f.get("suggestion") or ""), 12)
        said = esc(reading) + (f" → {esc(proposal)}" if proposal else "")
        return tag("tr", tag("td", esc(f["id"])) + tag("td", esc(f"{f.get('witness')} "
                                                                f"{f.get('line')}"))
                   + tag("td", here) + tag("td", esc(f.get("cause", "")))
                   + tag("td", said) + tag("td", esc(f"{float(f.get('confidence') or 0):.2f}")))


def _flag_work(site: Site, flag: dict) -> str | None:
    target = site.flag_target(flag)
    return target[0] if target else None


def _reviewer(el: etree._Element) -> str:
    resp = [s for s in sigla(el.get("resp")) if s != "edition"]
    return resp[0].removeprefix("rev-").replace("-", " ") if resp else "ed."


def _note_number(note: etree._Element) -> str:
    first = (" ".join(words(note)).split() or [""])[0].rstrip(".")
    return first if first.isdigit() else ""


def _call_line(site: Site, siglum: str, note_line: int) -> int | None:
    """The source line of the call (`ref[@type='noteAnchor']`) of the witness note that
    starts on `note_line`, read from the witness file; None when the witness has none."""
    wit = site.witnesses.get(siglum)
    if wit is None or wit.body is None or not note_line:
        return None
    target = None
    for note in wit.body.iter(f"{TEI}note"):
        first = note.find(f".//{TEI}lb")
        if first is not None and as_int(first.get("n")) == note_line:
            target = note.get(XML_ID)
            break
    if not target:
        return None
    for ref in wit.body.iter(f"{TEI}ref"):
        if ref.get("target") == f"#{target}":
            lbs = ref.xpath("preceding::t:lb[1]", namespaces={"t": TEI_NS})
            return as_int(lbs[0].get("n")) if lbs else None
    return None
