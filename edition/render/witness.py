"""A witness file as HTML: the witness view of the site, every source line anchored, page
furniture and boilerplate shown as such; and the plain text of each source line (for the
synopsis's word diff and the furniture list).
"""

from __future__ import annotations

from collections.abc import Mapping

from lxml import etree

from ..tei import TEI, XML_ID
from .html import esc, local, tag, words

# the witness view's HTML element for each TEI block element
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
