"""The apparatus in the reading view: what a rendered text links to (`Links`), what the
reports add to it (`Annotations`), the HTML of a mark and of its entry, and the two readings
of an `app` the print edition shares (`space_after`, `main_cause`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from lxml import etree

from .html import esc, tag


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
