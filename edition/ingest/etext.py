"""Distributor frames of e-texts (Project Gutenberg and the like): recorded, never read as the work.

An e-text distributor wraps the work in its own header (a banner, `Title:`/`Author:`/
`Release date:` lines, a usage notice), a `*** START OF ... ***` marker, and after an
`*** END OF ... ***` marker its licence. Inside the markers it may add a credit
("Produced by ..."), a note about its own edition ("All of the original Project Gutenberg
Etexts ...", a transcriber's notes section) and an "End of the Project Gutenberg EBook"
line. `find_frame` finds all of these by structure (the markers; the `Key: value` block)
and, for texts without markers, by the distributor's vocabulary. Every frame line becomes
a `note type="boilerplate"` block (its words kept), the `Key: value` lines become
`MetaField`s moved into the teiHeader, and each decision is a `Cleanup`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..model import Block, BlockKind, Cleanup, LineBreak, MetaField, Text

_START = re.compile(r"^\s*\*{3}\s*START\s+OF\b.{0,200}?\*{3}\s*$"
                    r"|^\s*\*END\*\s*THE\s+SMALL\s+PRINT\b", re.I)
_END = re.compile(r"^\s*\*{3}\s*END\s+OF\b.{0,200}?\*{3}\s*$", re.I)
_END_LINE = re.compile(r"^\s*End\s+of\s+(?:the\s+)?(?:Project\s+Gutenberg|this\s+\w*\s*e-?(?:book|"
                       r"text))", re.I)
_CREDIT = re.compile(r"^\s*(?:Produced|Prepared|Transcribed|Scanned|Proofread|Digiti[sz]ed|"
                     r"(?:This\s+)?e-?(?:text|book)\s+(?:was\s+)?(?:prepared|produced|"
                     r"transcribed))\b.{0,200}\bby\b", re.I)
_TRANSCRIBER = re.compile(r"^\s*\[?\s*Transcriber['’]?s?['’]?\s+Notes?\b", re.I)
_FIELD = re.compile(
    r"^(?P<key>Title|Sub-?title|Author|Authors|Translator|Translators|Editor|Editors|"
    r"Illustrator|Illustrators|Contributor|Release\s+[Dd]ate|Posting\s+[Dd]ate|"
    r"Last\s+[Uu]pdated|Most\s+recently\s+updated|Language|Original\s+publication|"
    r"Credits|Produced\s+by|Character\s+set\s+encoding|Series|Date\s+first\s+posted)"
    r"\s*:\s*(?P<value>.*)$", re.I)
_FIELD_NAME = {"subtitle": "subtitle", "sub-title": "subtitle", "authors": "author",
               "translators": "translator", "editors": "editor", "illustrators": "illustrator",
               "release date": "release_date", "posting date": "release_date",
               "date first posted": "release_date", "last updated": "last_updated",
               "most recently updated": "last_updated", "original publication": "publication",
               "credits": "transcriber", "produced by": "transcriber",
               "character set encoding": "encoding"}
_PEOPLE = {"author", "translator", "editor", "illustrator", "contributor"}
# words a distributor uses about itself and its licence, rarely all in an author's paragraph
_VOCAB = re.compile(r"\b(?:project\s+gutenberg|gutenberg|e-?texts?|e-?books?|licen[cs]e[ds]?|"
                    r"trademark|royalt(?:y|ies)|donations?|copyright|warrant(?:y|ies)|"
                    r"liabilit(?:y|ies)|refund|electronic\s+works?|small\s+print|"
                    r"public\s+domain|www\.\S+|https?://\S+)", re.I)
_LANGUAGES = {"english": "en", "french": "fr", "german": "de", "spanish": "es", "italian": "it",
              "portuguese": "pt", "dutch": "nl", "latin": "la", "finnish": "fi",
              "swedish": "sv", "danish": "da", "norwegian": "no", "greek": "el",
              "russian": "ru", "polish": "pl", "czech": "cs", "hungarian": "hu",
              "esperanto": "eo", "chinese": "zh", "japanese": "ja", "catalan": "ca",
              "tagalog": "tl", "welsh": "cy", "irish": "ga", "icelandic": "is"}


@dataclass
class Frame:
    """What the distributor added: blocks before and after the work, metadata, cleanups."""

    before: list[Block] = field(default_factory=list)
    after: list[Block] = field(default_factory=list)
    metadata: list[MetaField] = field(default_factory=list)
    cleanups: list[Cleanup] = field(default_factory=list)
    lines: set[int] = field(default_factory=set)  # 0-based indices of the frame's lines
    language: str = ""


def find_frame(lines: list[str]) -> Frame | None:
    """The distributor's frame of an e-text, or None if the text has none."""
    start = next((i for i, s in enumerate(lines[:2000]) if _START.match(s)), None)
    if start is not None:
        end = next((i for i in range(start + 1, len(lines)) if _END.match(lines[i])),
                   len(lines))
    else:
        start, end = _licence_edges(lines)
        if start is None and end == len(lines):
            return None
    frame = Frame()
    head_end = -1 if start is None else start
    first, last = _body_edges(lines, head_end + 1, end)
    _header(frame, lines, 0, head_end + 1)
    frame.before += _paragraphs(frame, lines, head_end + 1, first, "distributor-note")
    tail_role = "transcriber-note" if last < end and _TRANSCRIBER.match(lines[last]) else (
        "distributor-note")
    frame.after += _paragraphs(frame, lines, last, end, tail_role)
    frame.after += _paragraphs(frame, lines, end, len(lines), "licence")
    return frame if frame.lines else None


def _licence_edges(lines: list[str]) -> tuple[int | None, int]:
    """Without markers: the last line of a licence/header run at the top, the first of one at
    the bottom, each made of paragraphs full of the distributor's vocabulary."""
    paras = _split(lines, 0, len(lines))
    hits = [p for p in paras if _is_licence(lines, p)]
    start = None
    top = [p for p in hits if p[0] < len(lines) * 0.2]
    if top:
        start = top[-1][1] - 1
    bottom = [p for p in hits if p[0] > len(lines) * 0.8 or _END_LINE.match(lines[p[0]])]
    end = bottom[0][0] if bottom else len(lines)
    return start, end


def _is_licence(lines: list[str], para: tuple[int, int]) -> bool:
    text = " ".join(lines[para[0]:para[1]])
    found = {m.group(0).lower() for m in _VOCAB.finditer(text)}
    return ("project gutenberg" in " ".join(found) and len(found) >= 2) or len(found) >= 3


def _body_edges(lines: list[str], start: int, end: int) -> tuple[int, int]:
    """The work's first and last line: credits, the distributor's notes, a transcriber's
    notes section and an "End of the Project Gutenberg EBook" line at either edge are not."""
    paras = _split(lines, start, end)
    first, last = start, end
    for a, b in paras:
        s = lines[a]
        if _CREDIT.match(s) or _is_licence(lines, (a, b)) or (
                re.fullmatch(r"\s*(?:\*\s*){3,}", s) and b - a == 1 and a - first < 3):
            first = b
            continue
        break
    for a, b in reversed(paras):
        if a < first:
            break
        s = lines[a]
        if _END_LINE.match(s) or _CREDIT.match(s) or _is_licence(lines, (a, b)):
            last = a
            continue
        break
    tail = [a for a, _ in paras if a >= first and a < last and _TRANSCRIBER.match(lines[a])
            and a > start + 0.8 * (end - start)]
    if tail:
        last = tail[0]
    return first, last


def _split(lines: list[str], start: int, end: int) -> list[tuple[int, int]]:
    """Paragraphs [a, b) of lines[start:end], split at blank lines."""
    paras: list[tuple[int, int]] = []
    a = None
    for i in range(start, end):
        if lines[i].strip():
            a = i if a is None else a
        elif a is not None:
            paras.append((a, i))
            a = None
    if a is not None:
        paras.append((a, end))
    return paras


def _header(frame: Frame, lines: list[str], start: int, end: int) -> None:
    """`Key: value` lines move into the teiHeader; the rest is boilerplate."""
    rest: list[int] = []
    key = ""
    for i in range(start, end):
        s = lines[i]
        m = _FIELD.match(s.strip()) if s[:1].strip() else None
        if m:
            key = m.group("key").lower()
            key = re.sub(r"\s+", " ", key)
            name = _FIELD_NAME.get(key, key)
            _meta(frame, name, m.group("value").strip(), i, s)
            continue
        if key and s.strip() and s[:1].isspace():  # an indented continuation of the field
            inner = _FIELD.match(s.strip())
            name = _FIELD_NAME.get(re.sub(r"\s+", " ", inner.group("key").lower()), "") \
                if inner else ""
            value = inner.group("value").strip() if inner else s.strip()
            previous = _FIELD_NAME.get(key, key)
            if not name:  # another person in the same role, or the field's next line
                name = previous if previous in _PEOPLE else f"{previous}_continued"
            _meta(frame, name, value, i, s)
            continue
        key = "" if not s.strip() and key and i + 1 < end and not lines[i + 1].strip() else key
        rest.append(i)
    frame.before += _paragraphs(frame, lines, start, end, "distributor-header", keep=set(rest))


def _meta(frame: Frame, name: str, value: str, i: int, raw: str) -> None:
    frame.lines.add(i)
    if name == "transcriber":
        value = re.sub(r"^(?:produced|prepared|transcribed)\s+by\s+", "", value, flags=re.I)
    frame.metadata.append(MetaField(name, value, i + 1, raw))
    frame.cleanups.append(Cleanup("etext-header-field", "moved", i + 1,
                                  f"the distributor's '{name}' line moved into the teiHeader",
                                  before=raw))
    if name == "language" and not frame.language:
        frame.language = _LANGUAGES.get(value.split(",")[0].split()[0].lower(), "") \
            if value else ""


def _paragraphs(frame: Frame, lines: list[str], start: int, end: int, role: str,
                keep: set[int] | None = None) -> list[Block]:
    """One boilerplate block per paragraph of lines[start:end] (all lines when keep is None)."""
    blocks: list[Block] = []
    for a, b in _split(lines, start, end):
        idx = [i for i in range(a, b) if keep is None or i in keep]
        if not idx:
            continue
        block_role = role
        if _START.match(lines[a]) or _END.match(lines[a]) or _END_LINE.match(lines[a]):
            block_role = "distributor-marker"
        elif _CREDIT.match(lines[a]):
            block_role = "credits"
        elif _TRANSCRIBER.match(lines[a]):
            block_role = "transcriber-note"
        items: list[LineBreak | Text] = []
        for i in idx:
            frame.lines.add(i)
            items += [LineBreak(i + 1), Text(lines[i].strip(), i + 1)]
        rule = f"etext-{block_role}"
        blocks.append(Block(BlockKind.BOILERPLATE, tuple(items), role=block_role, rule=rule))
        frame.cleanups.append(Cleanup(
            rule, "removed", a + 1,
            f"the distributor's {block_role.replace('-', ' ')} (lines {a + 1}–{idx[-1] + 1}) "
            "recorded as note type=boilerplate", before=lines[a].strip()[:120]))
        if block_role == "credits" and not any(f.name == "transcriber" for f in frame.metadata):
            m = re.search(r"\bby\s+(.+?)\s*\.?$", " ".join(lines[i].strip() for i in idx))
            if m:
                frame.metadata.append(MetaField("transcriber", m.group(1), a + 1, ""))
    return blocks
