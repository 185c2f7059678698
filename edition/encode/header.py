"""The teiHeader of a witness file: title, responsibility, source, encoding, language, history.

The source's bibliographic metadata goes into sourceDesc/bibl; lines recognised as front
matter are moved into sourceDesc/listBibl[@type='front-matter'], each with its `lb n` and
the recognised values marked up in place, and registered in `line_ids` so that cleanup
annotations on those lines point at them.
"""

from __future__ import annotations

from collections.abc import Sequence

from lxml import etree

from .. import __version__
from ..model import MetaField, Witness
from ..tei import MACHINE, XML_ID
from .build import Ids, append_text, el

# metadata field -> (element, attributes) inside a bibl
_META_ELEMENT: dict[str, tuple[str, dict[str, str]]] = {
    "title": ("title", {"type": "main"}),
    "subtitle": ("title", {"type": "sub"}),
    "author": ("author", {}),
    "date": ("date", {}),
    "publication": ("title", {"level": "j"}),
    "pages": ("biblScope", {"unit": "page"}),
    "volume": ("biblScope", {"unit": "volume"}),
    "transcriber": ("editor", {"role": "transcriber"}),
    "last_updated": ("date", {"type": "last-updated"}),
    "source_url": ("ref", {}),
    "description": ("note", {"type": "description"}),
}


def witness_header(root: etree._Element, w: Witness, ids: Ids, line_ids: dict[int, str],
                   edition_title: str) -> None:
    """The teiHeader of witness `w`; its front-matter lines are registered in `line_ids`."""
    header = el(root, "teiHeader")
    file_desc = el(header, "fileDesc")
    title_stmt = el(file_desc, "titleStmt")
    el(title_stmt, "title", w.meta("title") or f"Witness {w.siglum}: {w.source_name}",
       type="main")
    if w.meta("subtitle"):
        el(title_stmt, "title", w.meta("subtitle"), type="sub")
    for field in w.metadata:
        if field.name == "author":
            el(title_stmt, "author", field.value)
            break
    for field in w.metadata:
        if field.name == "transcriber":
            resp = el(title_stmt, "respStmt")
            el(resp, "resp", "transcription")
            el(resp, "name", field.value)
    machine = el(title_stmt, "respStmt")
    machine.set(XML_ID, "edition")
    el(machine, "resp", "ingest, cleanup and TEI encoding (automatic)")
    el(machine, "name", f"edition {__version__}")
    pub = el(file_desc, "publicationStmt")
    el(pub, "p", f"Witness {w.siglum} of {edition_title or 'the edition'}, encoded "
       f"automatically by edition {__version__} from the file {w.source_name}. Not published.")
    source_desc = el(file_desc, "sourceDesc")
    bibl = el(source_desc, "bibl", type="source")
    for name in ("title", "subtitle", "author", "publication", "volume", "pages", "date"):
        value = w.meta(name)
        if value:
            tag, attrs = _META_ELEMENT[name]
            el(bibl, tag, value, **attrs)
            append_text(bibl, ". ")
    el(bibl, "idno", w.source_name, type="file")
    el(bibl, "note", f"{w.source_format} source, decoded as {w.encoding}; "
       f"{len(w.lines)} lines", type="format")
    moved = [f for f in w.metadata if f.raw]
    if moved:
        _front_matter(source_desc, moved, w.siglum, ids, line_ids)
    enc = el(header, "encodingDesc")
    app_info = el(enc, "appInfo")
    app = el(app_info, "application", ident="edition", version=__version__)
    el(app, "label", "edition")
    el(app, "desc", "Ingest of messy sources into TEI; every automatic change is listed "
       "in standOff/listAnnotation[@type='cleanup'].")
    decl = el(enc, "editorialDecl")
    el(decl, "p", "Each source line is marked lb with @n = its 1-based line number in the "
       "source file, in the text and in the header. Lines recognised as front matter "
       "are moved into sourceDesc/listBibl[@type='front-matter'].")
    norm = el(decl, "normalization")
    el(norm, "p", "No normalisation: quotation marks, dashes, ligatures and spelling are kept "
       "as the source has them. Mojibake is repaired conservatively; each repair is listed.")
    hyph = el(decl, "hyphenation", eol="none")
    el(hyph, "p", "Words hyphenated at a line end are joined: lb/@break='no', the hyphen "
       "recorded in the cleanup list.")
    seg = el(decl, "segmentation")
    el(seg, "p", "Paragraphs follow the source; paragraph breaks judged spurious (blank "
       "lines inside a sentence, page furniture) are removed and each join is listed; "
       "paragraphs glued together are split and each split is listed.")
    profile = el(header, "profileDesc")
    lang_usage = el(profile, "langUsage")
    el(lang_usage, "language", w.language, ident=w.language)
    rev = el(header, "revisionDesc")
    el(rev, "change", f"Encoded by edition {__version__}: {len(w.cleanups)} automatic "
       f"cleanup steps, {len(w.anomalies)} structural anomalies reported.", who=MACHINE)


def _front_matter(source_desc: etree._Element, fields: list[MetaField], siglum: str, ids: Ids,
                  line_ids: dict[int, str]) -> None:
    list_bibl = el(source_desc, "listBibl", type="front-matter")
    by_line: dict[int, list[MetaField]] = {}
    for field in fields:
        by_line.setdefault(field.line, []).append(field)
    all_fields = fields
    for line, moved in sorted(by_line.items()):
        raw = moved[0].raw
        bibl = el(list_bibl, "bibl")
        bibl.set(XML_ID, ids.make("fm", line))
        line_ids[line] = bibl.get(XML_ID) or ""
        el(bibl, "lb", n=str(line))
        derived = [f for f in all_fields if f.line == line]
        _marked_up(bibl, raw.strip(), derived)


def _marked_up(parent: etree._Element, raw: str, fields: Sequence[MetaField]) -> None:
    """The raw line with each recognised value wrapped in its element (first occurrence)."""
    spans: list[tuple[int, int, MetaField]] = []
    for field in fields:
        pos = raw.find(field.value)
        if pos < 0 or any(s <= pos < e or pos <= s < pos + len(field.value) for s, e, _ in spans):
            continue
        spans.append((pos, pos + len(field.value), field))
    cursor = 0
    for start, end, field in sorted(spans, key=lambda s: s[0]):
        append_text(parent, raw[cursor:start])
        tag, attrs = _META_ELEMENT.get(field.name, ("note", {"type": field.name}))
        el(parent, tag, raw[start:end], **attrs)
        cursor = end
    append_text(parent, raw[cursor:])
