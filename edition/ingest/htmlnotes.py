"""Footnotes of an HTML page: markers in the text paired with the note bodies they link to.

A marker ("1", "[2]", "*") linking to a later anchor whose block starts with the same marker
(or carries a footnote id) is a note pair; links back from a note to its marker are found
too. `html._Reader` asks these as it walks the page: whether a link is a note reference
(and its label), and the label of a note body (its id, list position or leading marker).
"""

from __future__ import annotations

import re

from lxml import etree

from ..model import Cleanup
from .markup import norm_space

_NOTE_ID = re.compile(r"^(?:fn|footnote|note|endnote|_?ftn|_?edn|cite_note)[-:_]?(\d{1,4})$",
                      re.I)
_NOTE_HREF = re.compile(r"^#(?:fn|footnote|note|endnote|_?ftn|_?edn|cite_note)[-:_]?(\d{1,4})",
                        re.I)
_BACK_HREF = re.compile(r"^#(?:fnref|footnote-ref|_?ftnref|_?ednref|cite_ref)", re.I)
_MARKER = re.compile(r"^\W{0,2}(\d{1,4}|[a-z]|[*†‡§]{1,3})\W{0,2}$", re.I)


class Footnotes:
    """The note pairs of one page's <body>, and the note bodies labelled so far."""

    def __init__(self, body: etree._Element, order: dict[etree._Element, int],
                 region: etree._Element | None) -> None:
        self.refs, self.bodies = _pair_notes(body, order, region)
        self.consumed: set[etree._Element] = set()  # markers taken as their note's label
        self.seen = 0

    def is_backlink(self, a: etree._Element) -> bool:
        """A link back from a footnote to its marker."""
        return bool(_BACK_HREF.match(a.get("href") or "")) or a.get("role") == "doc-backlink"

    def ref_label(self, a: etree._Element, text: str) -> str | None:
        """The label of the note the link `a` (whose text is `text`) marks; None if none."""
        ref = _NOTE_HREF.match(a.get("href") or "")
        if a in self.refs or ((ref or a.get("role") == "doc-noteref") and len(text) <= 6):
            return self.refs.get(a) or text.strip("[]() ") or (ref.group(1) if ref else "")
        return None

    def label(self, el: etree._Element, tag: str, *, in_list: bool
              ) -> tuple[str | None, Cleanup | None]:
        """The label of a footnote body (by id, list position or leading marker), None if
        `el` is none; with the cleanup recording a leading marker taken as the label."""
        found = _NOTE_ID.match(el.get("id") or "")
        paired = self.bodies.get(el, "")
        if not (found or in_list or paired or el.get("role") == "doc-footnote"):
            return None, None
        label = found.group(1) if found else paired
        cleanup = None
        node = el
        while not (node.text or "").strip() and len(node) and node[0].tag in ("p", "div", "li"):
            node = node[0]
        first = node[0] if len(node) and not (node.text or "").strip() else None
        if first is not None and first.tag in ("a", "sup", "span", "b", "strong"):
            marker = norm_space(first.text_content())
            if _MARKER.match(marker):
                label = label or marker.strip("[]().: ")
                self.consumed.add(first)
                cleanup = Cleanup("html-footnote-label", "moved", first.sourceline or 1,
                                  "footnote marker taken as the note's label", marker, label)
        if not label and tag == "li":
            label = str(int(el.getparent().get("start", "1") or 1)
                        + el.getparent().index(el)) if el.getparent() is not None else ""
        self.seen += 1
        return label or str(self.seen), cleanup


def _pair_notes(body: etree._Element, order: dict[etree._Element, int],
                region: etree._Element | None
                ) -> tuple[dict[etree._Element, str], dict[etree._Element, str]]:
    """Footnotes by their links: a marker ("1", "[2]", "*") linking to a later anchor
    whose block starts with the same marker (or has a footnote id) is a note pair."""
    anchors: dict[str, etree._Element] = {}
    for el in body.iter("*"):
        key = el.get("id") or (el.get("name") if el.tag == "a" else None)
        if key:
            anchors.setdefault(key, el)
    refs, bodies = {}, {}
    for a in body.iter("a"):
        target = anchors.get((a.get("href") or "#")[1:]) if (a.get("href") or "")[:1] == "#" \
            else None
        marker = _MARKER.match(norm_space(a.text_content()))
        if target is None or not marker or order[target] <= order[a]:
            continue
        block = next((x for x in (target, *target.iterancestors())
                      if x.tag in ("p", "li", "div", "dd", "aside")), None)
        label = marker.group(1)
        starts = norm_space(block.text_content() if block is not None else "").lstrip("[(")
        if block is None or block is region or not (
                starts.startswith(label) or _NOTE_ID.match(target.get("id") or "")):
            continue
        refs[a], bodies[block] = label, label
    return refs, bodies
