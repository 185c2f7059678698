"""The front matter of the print edition: title page, edition statement (with the key to
the apparatus), conspectus siglorum and contents. `print_html` puts it before the works.
"""

from __future__ import annotations

from lxml import etree

from ..tei import TEI
from .data import Site, Work
from .html import esc, local, tag, words


def front_matter(site: Site, works: list[Work], today: str, labels: dict[str, str]) -> list[str]:
    """Title page, statement, conspectus and contents; `today` dates the statement, `labels`
    are the corruption labels (by cause) the statement explains."""
    return [_title_page(site, works), _statement(site, works, today, labels),
            _conspectus(site, works), _contents(works)]


def _title_page(site: Site, works: list[Work]) -> str:
    lines = [tag("p", esc(site.title), class_="tp-title")]
    for w in works:
        wit = site.witnesses.get(w.siglum)
        who = f"{wit.author}, " if wit and wit.author else ""
        lines.append(tag("p", esc(who) + tag("i", esc(w.title)), class_="tp-work"))
    lines.append(tag("p", "Edited from " + esc(str(len(site.witnesses)))
                     + " witnesses, with a critical apparatus", class_="tp-sub"))
    lines.append(tag("p", "Prepared by <span class='sc'>edition</span>", class_="tp-by"))
    return tag("section", "".join(lines), class_="title-page")


def _statement(site: Site, works: list[Work], today: str, labels: dict[str, str]) -> str:
    apps = sum(w.apps for w in works)
    corr = sum(w.choices for w in works)
    proposed = sum(w.proposals for w in works)
    decided = sum(1 for f in site.flags if f.get("status", "open") != "open")
    parts = [
        tag("h1", "Edition statement", class_="fm", id="statement"),
        tag("p", f"This edition was prepared automatically on {esc(today)} from "
            f"{len(site.witnesses)} source files (the witnesses listed in the conspectus "
            "siglorum). Each source was decoded, cleaned and encoded in TEI P5; page headers "
            "and footers, site navigation, addresses and extraction debris were recorded as "
            "such and are not printed. Passages present in more than one witness were found "
            "automatically and collated word by word; the readings of every witness are kept "
            "in the TEI files, from which this book is typeset."),
        tag("p", f"The text of {len(works)} work{'s' if len(works) != 1 else ''} follows "
            f"its base witness. The apparatus records {apps} points of variation between "
            f"witnesses and {corr} corrections of readings judged corrupt in a single "
            f"witness: {corr - proposed} printed in the text, accepted or made by an editor, "
            f"and {proposed} proposed by the pipeline and awaiting review, for which the "
            f"text keeps the witness's reading. {decided} of the {len(site.flags)} readings "
            "flagged as probable corruptions have been reviewed by an editor; those still "
            "open are listed in the appendix."),
        tag("h2", "How to read the apparatus", class_="fm"),
        tag("p", "Lines are counted on each page; every fifth line is numbered in the outer "
            "margin (thus: <span class='ln-proto' id='ln-proto'>5</span>). At the foot of the "
            "page, each entry gives the line number, the reading of this edition (the lemma) "
            "followed by a square bracket, then the differing readings with the sigla of the "
            "witnesses that have them. <i>om.</i> means that the witness lacks the lemma, "
            "<i>add.</i> that it has words the lemma lacks, <i>emend.</i> an editor's "
            "emendation. <i>conj.</i> marks a conjecture: a correction proposed by the "
            "pipeline that no witness attests; until an editor accepts it the text keeps the "
            "witness's reading, which is then the lemma. An entry that corrects a corrupt "
            "reading ends with the kind of corruption in small capitals: " + ", ".join(
                f"<span class='cls'>{esc(v)}</span> {esc(k)}" for k, v in labels.items())
            + ". Entries without such a label record substantive variants. An asterisk marks a "
            "correction not yet reviewed. Footnotes with a number are the author's."),
    ]
    return tag("section", "".join(parts), class_="front")


def _conspectus(site: Site, works: list[Work]) -> str:
    roles: dict[str, list[str]] = {}
    for w in works:
        roles.setdefault(w.siglum, []).append(f"base text of <i>{esc(w.title)}</i>")
        for s in w.collated:
            roles.setdefault(s, []).append(f"collated in <i>{esc(w.title)}</i>")
    rows = []
    for siglum, wit in site.witnesses.items():
        desc = ", ".join(esc(x) for x in (wit.author, wit.title, wit.date) if x)
        role = "; ".join(roles.get(siglum, ["not collated in the works printed"]))
        rows.append(tag("tr", tag("th", esc(siglum)) + tag(
            "td", f"{desc}. <span class='src'>Source file {esc(wit.source)}</span>. {role}.")))
    return tag("section", tag("h1", "Conspectus siglorum", class_="fm", id="sigla")
               + tag("table", "".join(rows), class_="sigla"), class_="front")


def _contents(works: list[Work]) -> str:
    items = [_toc_item("#statement", "Edition statement", "fm"),
             _toc_item("#sigla", "Conspectus siglorum", "fm")]
    for w in works:
        items.append(_toc_item(f"#work-{w.siglum}", w.title, "toc-work"))
        for i, div in enumerate(_chapters(w.div), 1):
            items.append(_toc_item(f"#ch-{w.siglum}-{i}", _head_text(div), "toc-ch"))
    items.append(_toc_item("#appendix", "Appendix: readings awaiting review", "fm"))
    return tag("section", tag("h1", "Contents", class_="fm", id="contents")
               + tag("ul", "".join(items), class_="toc"), class_="front toc-page")


def _toc_item(href: str, text: str, cls: str) -> str:
    return tag("li", tag("a", esc(text), href=href), class_=cls)


def _chapters(div: etree._Element) -> list[etree._Element]:
    return [c for c in div if local(c) == "div"]


def _head_text(div: etree._Element) -> str:
    head = div.find(f"{TEI}head")
    return " ".join(words(head)) or (div.get("type") or "part").capitalize()
