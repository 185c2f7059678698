"""Regions of an HTML page: the author's main text versus the site's furniture.

Finds the page's main region (<main>, role=main, or the one <article> that outweighs the
others) and gives any other element a boilerplate role (navigation, banner, sidebar,
related, share, footer...) from its element, ARIA role, class/id words or link density.
Also tells notes sections, layout tables and "Latest articles" teaser headings. The rules
are generic, never tuned to one site; `html._Reader` asks them as it walks the page.
"""

from __future__ import annotations

import re
from itertools import pairwise

import regex
from lxml import etree

from .markup import norm_space

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
_TEASER = regex.compile(  # a heading over other pages' teasers (the whole heading)
    r"^(?:(?:latest|related|recent|popular|trending|recommended|more)(?:\s+(?:articles?|posts?|"
    r"stories|news|reads?|content|videos?|like this|(?:from|on|in)\s.+))?|most read|top stories|"
    r"read (?:more|next)|other articles|you (?:may|might) also (?:like|enjoy))\s*:?$", regex.I)
_WORDS = regex.compile(r"\w+")


class PageRegions:
    """The main region of one page's <body>, and the boilerplate role of what lies around."""

    def __init__(self, body: etree._Element, order: dict[etree._Element, int]) -> None:
        self.body = body
        self.order = order  # document position of every element
        self.region = main_region(body)
        self.ancestors = set(self.region.iterancestors()) if self.region is not None else set()
        self.long_words = sum(n for n in map(_long_words, body.iter("p")))

    def outside(self, el: etree._Element, tag: str) -> tuple[str, str] | None:
        """The role and rule of an element met outside the main region, None when it is the
        body or leads down to the main region."""
        if el in self.ancestors or el is self.body:
            return None
        role, rule = self.signal(el, tag, inside=False)
        if not role:
            before = self.order.get(el, 0) < self.order.get(self.region, 0)
            role, rule = ("banner" if before else "footer"), "html-outside-main"
        return role, rule

    def signal(self, el: etree._Element, tag: str, *, inside: bool) -> tuple[str, str]:
        """A boilerplate role for `el` from its element, ARIA role, class/id or links."""
        if el is self.region or el in self.ancestors:
            return "", ""
        role = _ELEMENT_ROLE.get(tag, "")
        if role == "banner" and (inside or el.xpath("ancestor::article|ancestor::main")):
            role = ""  # an article's own <header> holds its title and byline
        if role:
            return role, f"html-{tag}-element"
        if _hidden(el):
            return "hidden", "html-hidden"
        aria = (el.get("role") or "").lower()
        if aria in _ARIA_ROLE and not (aria == "banner" and inside):
            return _ARIA_ROLE[aria], "html-aria-role"
        for word in _tokens(el):
            role = _WORD_ROLE.get(word, "")
            if role and not (role == "banner" and inside) and not self._wrapper(el):
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


def main_region(body: etree._Element) -> etree._Element | None:
    """<main> (or role=main), else the one <article> that clearly outweighs the others."""
    mains = body.xpath(".//main|.//*[@role='main']")
    if mains:
        return mains[0]
    sizes = sorted(((len(norm_space(a.text_content())), i, a)
                    for i, a in enumerate(body.iter("article"))), reverse=True)
    if sizes and (len(sizes) == 1 or sizes[0][0] > 2 * sizes[1][0]):
        return sizes[0][2]
    return None


def is_notes(el: etree._Element) -> bool:
    if (el.get("role") or "").lower() in ("doc-endnotes", "doc-footnotes"):
        return True
    return bool(set(_tokens(el)) & _NOTES_WORDS) and el.tag in (
        "ol", "ul", "div", "section", "aside", "footer", "dl")


def is_layout(table: etree._Element) -> bool:
    """A table used for page layout: its cells hold paragraphs, not data."""
    if (table.get("role") or "") == "presentation":
        return True
    return bool(table.xpath("./tr/td/*[self::p or self::div or self::table or self::h1 or "
                            "self::h2 or self::ul]|./tbody/tr/td/*[self::p or self::div or "
                            "self::table or self::h1 or self::h2 or self::ul]"))


def is_teaser(text: str) -> bool:
    """A heading over other pages' teasers ("Latest articles", "You may also like")."""
    return bool(text and words(text) <= 5 and _TEASER.match(text))


def words(text: str) -> int:
    return len(_WORDS.findall(text))


def _tokens(el: etree._Element) -> list[str]:
    names = " ".join(filter(None, (el.get("class"), el.get("id")))).lower()
    parts = [p for p in re.split(r"[^a-z0-9]+", names) if p]
    return parts + [f"{a}-{b}" for a, b in pairwise(parts)]


def _hidden(el: etree._Element) -> bool:
    """Text a browser does not show: hidden, aria-hidden, display:none, screen-reader only."""
    style = (el.get("style") or "").replace(" ", "").lower()
    return (el.get("hidden") is not None or el.get("aria-hidden") == "true"
            or "display:none" in style or "visibility:hidden" in style
            or bool({"sr-only", "screen-reader-text", "visually-hidden", "visuallyhidden"}
                    & set(_tokens(el))))


def _link_dense(el: etree._Element) -> bool:
    """Mostly links, in short items (a menu, a list of other pages), or a lone "Top" link."""
    links = [a for a in el.iter("a") if a.get("href")]
    n = words(el.text_content())
    if not links or not n:
        return False
    linked = sum(words(a.text_content()) for a in links)
    if len(links) < 3:  # "Top of page", "Back to top": a short in-page jump and nothing else
        return linked == n <= 4 and all(a.get("href", "").startswith("#") for a in links)
    return linked / n >= 0.7 and n / len(links) <= 10


def _long_words(p: etree._Element) -> int:
    n = words(p.text_content())
    return n if n >= 30 else 0
