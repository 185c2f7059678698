"""The apparatus of a TEI critical edition: its witnesses and what each of them reads.

An existing edition given as a source is not one text but several: the witnesses its
`listWit` declares (and any its `@wit` attributes name), each reading the lemma where the
apparatus names it on the lemma or not at all (a negative apparatus) and its own reading
elsewhere. This module finds those witnesses and picks, for one witness, its reading in an
`app`; `teisource.py` walks the text once per witness with that choice, so the pipeline
can collate the witnesses again and rebuild (and extend) the apparatus.

Only an apparatus inline in the text (parallel segmentation, TEI's default) holds each
witness's text; a location-referenced or double-end-point apparatus keeps the base text
whole and the readings apart, so the source is then read as one witness, as before.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from ..tei import TEI, XML_ID
from .markup import norm_space, snippet

_READINGS = ("lem", "rdg")
_INLINE_METHODS = ("", "parallel-segmentation")


@dataclass(frozen=True)
class DeclaredWitness:
    """A witness of the source's apparatus: its id, where it is declared and how described."""

    ident: str
    line: int
    description: str = ""  # the text of its <witness> element
    declared: bool = True  # False: named by @wit only, not declared in a listWit


@dataclass(frozen=True)
class Apparatus:
    """The witnesses of a source's apparatus, and the groups that name several at once."""

    witnesses: tuple[DeclaredWitness, ...]
    groups: dict[str, tuple[str, ...]]  # a listWit/@xml:id or witness group -> its members

    def named(self, wit: str | None) -> set[str]:
        """The witnesses a @wit names, groups expanded to their members."""
        found: set[str] = set()
        for ident in wit_ids(wit):
            found.update(self.groups.get(ident, (ident,)))
        return found


def wit_ids(wit: str | None) -> list[str]:
    """The ids a @wit (or @ed, @edRef) points at: `#A`, `A`, or `witnesses.xml#A`."""
    return [token.rsplit("#", 1)[-1] for token in (wit or "").split() if token.strip("#")]


def find_apparatus(root: etree._Element) -> Apparatus | None:
    """The witnesses to read the source as, or None to read it as one witness.

    None when the source has no `app`, names fewer than two witnesses, or encodes its
    apparatus apart from the text (location-referenced, double-end-point).
    """
    apps = list(root.iter(f"{TEI}app"))
    if not apps or method(root) not in _INLINE_METHODS:
        return None
    groups = _groups(root)
    declared: dict[str, DeclaredWitness] = {}
    for witness in root.iter(f"{TEI}witness"):
        ident = witness.get(XML_ID)
        if ident and ident not in groups:
            declared.setdefault(ident, DeclaredWitness(
                ident, witness.sourceline or 0, _description(witness)))
    for app in apps:
        for reading in readings(app):
            for ident in wit_ids(reading.get("wit")):
                for member in groups.get(ident, (ident,)):
                    if member not in declared:
                        declared[member] = DeclaredWitness(member, reading.sourceline or 0,
                                                           declared=False)
    if len(declared) < 2:
        return None
    return Apparatus(tuple(declared.values()), groups)


def method(root: etree._Element) -> str:
    """The `variantEncoding/@method` the header declares ("" when it declares none)."""
    found = root.find(f".//{TEI}variantEncoding")
    return (found.get("method") or "") if found is not None else ""


def readings(app: etree._Element) -> list[etree._Element]:
    """The lem and rdg of an app, those in an rdgGrp included (in document order)."""
    found: list[etree._Element] = []
    for child in app:
        local = etree.QName(child).localname if isinstance(child.tag, str) else ""
        if local in _READINGS:
            found.append(child)
        elif local == "rdgGrp":
            found += [c for c in child.iter(f"{TEI}lem", f"{TEI}rdg")
                      if _nearest_app(c) is app]
    return found


def choose(app: etree._Element, siglum: str,
           apparatus: Apparatus) -> tuple[etree._Element | None, str]:
    """The reading of `app` that witness `siglum` reads, and why (for the cleanup list)."""
    options = readings(app)
    named = [r for r in options if siglum in apparatus.named(_wit(r))]
    if named:
        why = "named on it"
        if len(named) > 1:
            why += f" (and on {len(named) - 1} more reading(s) of this app: the first taken)"
        return named[0], why
    lemma = next((r for r in options if _local(r) == "lem"), None)
    if lemma is not None:
        return lemma, "not named in this app: reads the lemma"
    unattested = next((r for r in options if not _wit(r)), None)
    if unattested is not None:
        return unattested, "not named in this app, which has no lemma: reads its reading " \
            "without @wit"
    return (options[0] if options else None), "not named in this app, which has no lemma: " \
        "reads its first reading"


def belongs(el: etree._Element, siglum: str, apparatus: Apparatus) -> bool:
    """Whether a milestone (pb, lb, cb, fw, milestone) with @ed or @edRef is the witness's."""
    editions = el.get("ed") or el.get("edRef")
    return not editions or siglum in apparatus.named(editions)


def describe(reading: etree._Element) -> str:
    """`rdg #B: tunnage` (the form the cleanup list gives a reading set aside)."""
    wit = reading.get("wit")
    return f"{_local(reading)}{' ' + wit if wit else ''}: {norm_space(''.join(reading.itertext()))}"


def witness_note(witness: DeclaredWitness, siglum: str) -> str:
    """What the cleanup list says about how the witness's text was made."""
    where = ("declared in listWit" if witness.declared
             else "named by @wit only (not declared in a listWit)")
    renamed = f", siglum {siglum}" if siglum != witness.ident else ""
    return (f"witness {witness.ident} of the source's apparatus ({where}{renamed}): the text "
            "as it reads it: the lemma where the apparatus names it on the lemma or not at "
            "all, its own reading elsewhere; the other readings are listed here")


def _groups(root: etree._Element) -> dict[str, tuple[str, ...]]:
    """listWit/@xml:id and witnesses holding witnesses -> the witnesses they contain."""
    groups: dict[str, tuple[str, ...]] = {}
    for el in root.iter(f"{TEI}listWit", f"{TEI}witness"):
        ident = el.get(XML_ID)
        members = tuple(w.get(XML_ID) for w in el.iter(f"{TEI}witness")
                        if w is not el and w.get(XML_ID)
                        and not any(True for _ in w.iter(f"{TEI}witness") if _ is not w))
        if ident and members:
            groups[ident] = members
    return groups


def _description(witness: etree._Element) -> str:
    return snippet("".join(witness.itertext()), 300)


def _wit(reading: etree._Element) -> str:
    """A reading's @wit, or its rdgGrp's when it has none."""
    wit = reading.get("wit")
    parent = reading.getparent()
    while not wit and parent is not None and _local(parent) == "rdgGrp":
        wit, parent = parent.get("wit"), parent.getparent()
    return wit or ""


def _nearest_app(el: etree._Element) -> etree._Element | None:
    return next(el.iterancestors(f"{TEI}app"), None)


def _local(el: etree._Element) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


__all__ = ["Apparatus", "DeclaredWitness", "belongs", "choose", "describe",
           "find_apparatus", "method", "readings", "wit_ids", "witness_note"]
