"""Stage 2 (edition text): the works of the edition, with their critical apparatus.

A work is a witness and every witness whose text it contains (a chapter also printed on
its own). Its edited text follows the base witness's structure (divisions, headings,
paragraphs) and prints, at each point of variation, an `app` (parallel segmentation):
the lemma chosen by evidence in `lem`, the other readings in `rdg`, each with the
cause, type and machine confidence; single-witness corruptions with a suggestion become
`choice/sic/corr`. Page furniture, navigation and junk are not edition text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from ..collate.alignment import Collation
from ..model import BlockKind, Cause, Flag, Match, Variant, Witness
from ..tei import MACHINE, XML_ID
from ..tokens import ReadingToken
from .build import DIV_TYPES, append_text, el, more_authorial

_CHOICE_CAUSES = {Cause.OCR, Cause.WORD_SPLIT, Cause.WORD_JOIN}


@dataclass
class Work:
    """A base witness and the collations of the witnesses its text contains."""

    base: Witness
    tokens: Sequence[ReadingToken]
    members: list[str] = field(default_factory=list)
    # base token index -> (variant, readings' tokens per siglum)
    apps: dict[int, list[tuple[Variant, dict[str, Sequence[ReadingToken]], int]]] = field(
        default_factory=dict)
    choices: dict[int, Flag] = field(default_factory=dict)
    decisions: dict[str, Any] = field(default_factory=dict)  # variant or flag id -> Decision


def plan_works(witnesses: Sequence[Witness], tokens: dict[str, Sequence[ReadingToken]],
               collations: Sequence[tuple[Match, Collation, dict[str, int]]],
               variants: Sequence[Variant], flags: Sequence[Flag],
               decisions: dict[str, Any] | None = None, contained: float = 0.8) -> list[Work]:
    """Group witnesses into works and place every variant and correction in its work."""
    by_siglum = {w.siglum: w for w in witnesses}
    inside: dict[str, str] = {}
    for match, collation, _ in collations:
        for span, other in ((match.a, match.b), (match.b, match.a)):
            share = span.words / max(len(tokens[span.siglum]), 1)
            if share >= contained and collation.base == other.siglum:
                inside[span.siglum] = other.siglum
    works = {s: Work(w, tokens[s]) for s, w in by_siglum.items() if s not in inside}
    for member, base in inside.items():
        works[base].members.append(member)
    per_match: dict[str, list[Variant]] = {}
    for v in variants:
        per_match.setdefault(v.match, []).append(v)
    for match, collation, offsets in collations:
        work = works.get(collation.base)
        if work is None:
            continue
        for segment, variant in zip(collation.variants(), per_match.get(match.id, []),
                                    strict=True):
            start, _ = segment.range_of(collation.base)
            readings = {s: collation.reading(segment, s) for s in collation.sigla}
            at = offsets[collation.base] + start
            work.apps.setdefault(at, []).append((variant, readings, offsets[collation.base]))
    decisions = decisions or {}
    by_variant = {f.variant: decisions[f.id] for f in flags if f.variant and f.id in decisions}
    for work in works.values():
        work.decisions = {**by_variant, **{f.id: decisions[f.id] for f in flags
                                           if f.id in decisions and not f.variant}}
    for flag in flags:
        work = works.get(flag.siglum)
        if (work is not None and flag.start >= 0 and flag.cause in _CHOICE_CAUSES
                and flag.suggestion and not flag.variant):
            work.choices.setdefault(flag.start, flag)
    return list(works.values())


def encode_works(body: etree._Element, works: Sequence[Work]) -> None:
    for work in works:
        _work(body, work)


def _work(body: etree._Element, work: Work) -> None:
    w = work.base
    div = el(body, "div", type="work", corresp=f"#{w.siglum}")
    div.set(XML_ID, f"work-{w.siglum}")
    el(div, "head", w.meta("title") or w.source_name, type="work")
    by_block: dict[int, list[int]] = {}
    for i, token in enumerate(work.tokens):
        by_block.setdefault(token.block, []).append(i)
    stack: list[tuple[int, etree._Element]] = [(0, div)]
    done = -1  # last base token already encoded (an app may run past a block's end)
    for index, block in enumerate(w.blocks):
        indices = [i for i in by_block.get(index, []) if i > done]
        if not indices:  # not reading text, or already printed inside an app
            continue
        if block.kind is BlockKind.HEAD:
            level = max(1, block.level)
            while stack[-1][0] >= level:
                stack.pop()
            sub = el(stack[-1][1], "div", type=DIV_TYPES.get(level, "subsection"))
            stack.append((level, sub))
            node = el(sub, "head")
        elif block.kind is BlockKind.QUOTE:
            node = el(stack[-1][1], "quote", type="block")
        elif block.kind is BlockKind.NOTE:
            node = el(stack[-1][1], "note", type="authorial", n=block.label)
        elif block.kind is BlockKind.CLOSER and not more_authorial(list(w.blocks), index):
            node = el(el(stack[-1][1], "closer"), "dateline")
        elif block.kind is BlockKind.CLOSER:
            node = el(stack[-1][1], "p", rend="dateline")
        elif block.kind is BlockKind.STANZA:
            node = el(stack[-1][1], "lg", type="stanza", corresp=f"#{w.siglum}",
                      n=str(block.first_line))
            done = _verse(node, work, indices, done)
            continue
        else:
            node = el(stack[-1][1], "p")
        node.set("corresp", f"#{w.siglum}")
        node.set("n", str(block.first_line))
        done = _fill(node, work, indices, done)


def _verse(lg: etree._Element, work: Work, indices: list[int], done: int) -> int:
    """A stanza: one `l` per source line of the base witness. An `app` or `choice` that
    runs from one line into the next cannot sit inside either `l` (elements may not
    overlap), so such a stanza keeps its whole text in one `l`: the apparatus is never
    cut, the verse lines of that stanza are (the witness file keeps them)."""
    lines: list[list[int]] = []
    for i in indices:
        if i > done and (not lines or work.tokens[i].line != work.tokens[lines[-1][-1]].line):
            lines.append([])
        if i > done:
            lines[-1].append(i)
    if any(_crosses(work, line[0], line[-1]) for line in lines[:-1]):
        lines = [[i for line in lines for i in line]]
    for n, line in enumerate(lines):
        verse = el(lg, "l", n=str(work.tokens[line[0]].line))
        done = _fill(verse, work, line, done)
        if n < len(lines) - 1:
            verse.tail = "\n"  # a word space between lines for renderers that inline them
    return done


def _crosses(work: Work, first: int, last: int) -> bool:
    """An apparatus entry starting in tokens first..last ends after `last`."""
    for i in range(first, last + 1):
        for variant, _, offset in work.apps.get(i, []):
            if _base_range(variant, work.base.siglum, offset)[1] - 1 > last:
                return True
        if (flag := work.choices.get(i)) is not None and flag.end - 1 > last:
            return True
    return False


def _fill(node: etree._Element, work: Work, indices: list[int], done: int) -> int:
    """Text of the base tokens `indices`, with apps and choices; returns the last done."""
    words: list[str] = []

    def flush() -> None:
        if words:
            append_text(node, " ".join(words) + " ")
            words.clear()

    for i in indices:
        if i <= done:
            continue
        entries = work.apps.get(i, [])
        for variant, readings, offset in entries:
            flush()
            _app(node, variant, readings, work.base.siglum, work.decisions.get(variant.id))
            append_text(node, " ")  # the word space after the entry belongs to the text
            _, end = _base_range(variant, work.base.siglum, offset)
            done = max(done, end - 1)
        if i <= done:
            continue
        flag = work.choices.get(i)
        decision = work.decisions.get(flag.id) if flag is not None else None
        if flag is not None and not (decision is not None and decision.status == "rejected"):
            flush()
            _choice(node, flag, decision)
            done = max(done, flag.end - 1)
            continue
        words.append(work.tokens[i].t)
        done = i
    flush()
    if len(node) and node[-1].tail:
        node[-1].tail = node[-1].tail.rstrip()
    elif node.text:
        node.text = node.text.rstrip()
    return done


def _base_range(variant: Variant, base: str, offset: int) -> tuple[int, int]:
    reading = variant.reading(base)
    if reading is None:
        return offset, offset
    return offset + reading.start, offset + reading.end


def reviewer_id(name: str) -> str:
    """The xml:id of a reviewer (declared in the edition's titleStmt)."""
    return "rev-" + ("".join(c if c.isalnum() else "-" for c in name).strip("-") or "anonymous")


def _app(node: etree._Element, v: Variant, readings: dict[str, Sequence[ReadingToken]],
         base: str, decision: Any = None) -> None:
    app = el(node, "app", type=v.type)
    app.set(XML_ID, v.id)
    groups: dict[str, list[str]] = {}
    for r in v.readings:
        groups.setdefault(r.text, []).append(r.siglum)
    lemma_text = v.reading(v.lemma).text if v.reading(v.lemma) else ""
    emended = decision is not None and decision.status == "emended"
    if emended:  # the editor's text is the lemma; the machine's choice stays as a reading
        el(app, "lem", decision.emendation or "", resp=f"#{reviewer_id(decision.reviewer)}")
        keep = el(app, "rdg", wit=" ".join(f"#{s}" for s in groups[lemma_text]),
                  resp=MACHINE, type=v.type, subtype="machine-lemma")
        _reading_text(keep, readings[v.lemma], v.lemma)
    else:
        lem = el(app, "lem", wit=" ".join(f"#{s}" for s in groups[lemma_text]), resp=MACHINE)
        _reading_text(lem, readings[v.lemma], v.lemma)
    for text, sigla in groups.items():
        if text == lemma_text:
            continue
        rdg = el(app, "rdg", wit=" ".join(f"#{s}" for s in sigla), cause=v.cause.value,
                 cert=f"{v.confidence:.2f}", resp=MACHINE)
        _reading_text(rdg, readings[sigla[0]], sigla[0])
    el(app, "note", v.evidence, type="evidence")
    if decision is not None:
        _review_note(app, decision)


def _review_note(parent: etree._Element, decision: Any) -> None:
    """The editor's verdict beside the machine's assertion, which is never erased."""
    text = f"{decision.status} by {decision.reviewer}"
    if decision.emendation:
        text += f": {decision.emendation}"
    if decision.note:
        text += f" ({decision.note})"
    el(parent, "note", text, type="review", subtype=decision.status,
       resp=f"#{reviewer_id(decision.reviewer)}")


def _reading_text(node: etree._Element, tokens: Sequence[ReadingToken], siglum: str) -> None:
    """A reading's words; where the witness changes paragraph inside it, a milestone."""
    words: list[str] = []
    block = tokens[0].block if tokens else -1
    for token in tokens:
        if token.block != block:
            append_text(node, " ".join(words) + " ")
            words = []
            el(node, "milestone", unit="paragraph", edRef=f"#{siglum}")
            block = token.block
        words.append(token.t)
    if words:
        append_text(node, " ".join(words))


def _choice(node: etree._Element, flag: Flag, decision: Any = None) -> None:
    choice = el(node, "choice")
    choice.set(XML_ID, f"c-{flag.id}")
    el(choice, "sic", flag.reading)
    if decision is not None and decision.status == "emended":
        el(choice, "corr", decision.emendation or "", resp=f"#{reviewer_id(decision.reviewer)}",
           type=flag.cause.value)
    else:
        resp = MACHINE if decision is None else f"{MACHINE} #{reviewer_id(decision.reviewer)}"
        el(choice, "corr", flag.suggestion, resp=resp, cert=f"{flag.confidence:.2f}",
           type=flag.cause.value)
    append_text(node, " ")
