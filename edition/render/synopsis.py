"""The synopsis: duplicated passages side by side, differences highlighted.

A parallel whose second witness is collated into a work is aligned block by block from the
apparatus (each column is the same edited block read as one witness, its readings
highlighted). Anything else (quotations, repeated blocks, parallels between two works) is
shown line range against line range from the witness files, with a word diff: text outside
the aligned stretch is muted, differences inside it are marked.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from markupsafe import Markup

from ..tei import TEI
from .apparatus import Annotations
from .data import BLOCK_TAGS, Site
from .html import block_anchor, esc, local, tag
from .links import Hrefs
from .reading import TextRenderer
from .witness import source_lines

SMALL_REPEATS = {"doubled-word", "doubled-phrase"}
VERBS = {  # (kind, subkind) -> (what side a says of b, what side b says of a)
    "parallel": ("Parallel in", "Parallel in"),
    "quotation": ("Quoted in", "Quotes"),
    "shared-quotation": ("Same quotation in", "Same quotation in"),
    "repeat": ("Repeated at", "Repeats"),
}


def in_synopsis(dup: dict) -> bool:
    kind = dup.get("kind")
    return kind in ("parallel", "quotation") or (kind == "repeat"
                                                 and dup.get("subkind") not in SMALL_REPEATS)


def synopsis_sections(site: Site, h: Hrefs, only_ids: bool = False) -> list[dict]:
    """One section per passage shown side by side; `only_ids` skips the text (for links)."""
    sections = []
    lines_cache: dict[str, dict[int, str]] = {}
    for dup in site.duplicates:
        if not in_synopsis(dup):
            continue
        kind, subkind = str(dup.get("kind")), str(dup.get("subkind") or "")
        verbs = VERBS.get(subkind if subkind in VERBS else kind, ("Compare", "Compare"))
        sides = [_side(dup.get(k) or {}, h, verb) for k, verb in zip("ab", verbs, strict=True)]
        section = {"id": str(dup.get("id")), "kind": kind, "subkind": subkind,
                   "why": str(dup.get("why") or ""), "a": sides[0], "b": sides[1],
                   "similarity": f"{dup['similarity']:.2f}", "rows": []}
        if kind == "quotation":
            sides[0]["role"], sides[1]["role"] = (("quotes", "quotes") if subkind ==
                                                  "shared-quotation" else ("source", "quoting"))
        if not only_ids:
            section["rows"] = (_apparatus_rows(site, h, sides)
                               or _line_rows(site, sides, lines_cache))
            section["aligned"] = "apparatus" if section["rows"] and section["rows"][0].get(
                "aligned") else "words"
        sections.append(section)
    return sections


def _side(side: dict, h: Hrefs, verb: str) -> dict:
    wit = str(side.get("witness") or "")
    start, end = side["start_line"], side["end_line"]
    lines = f"{start}" if start == end else f"{start}–{end}"
    return {"witness": wit, "start": start, "end": end, "lines": lines, "verb": verb,
            "words": side.get("words"), "role": "", "source": side.get("source") or "",
            "href": h.witness(wit, start), "read": h.block(wit, start)}


def _apparatus_rows(site: Site, h: Hrefs, sides: list[dict]) -> list[dict]:
    """Blocks of the work collating both witnesses, each read as either witness."""
    a, b = sides
    for base, other in ((a, b), (b, a)):
        work = site.work_of(base["witness"])
        if work is None or other["witness"] not in work.collated:
            continue
        rows = [r for r in site.blocks.get(base["witness"], []) if r[1] == work.siglum]
        keep = set()
        for i, (line, _, anchor) in enumerate(rows):
            end = rows[i + 1][0] - 1 if i + 1 < len(rows) else 10**9
            if line <= base["end"] and end >= base["start"]:
                keep.add(anchor)
        links = h.links(app_work=work.siglum)
        left, right = (TextRenderer(links, Annotations(), as_wit=s["witness"]) for s in sides)
        out = []
        for el in work.div.iter(*BLOCK_TAGS):
            anchor = block_anchor(el)
            if anchor not in keep or local(el.getparent()) != "div":
                continue
            depth = sum(1 for _ in el.iterancestors(f"{TEI}div")) + 1
            out.append({"aligned": True, "label": anchor.replace("-", " "),
                        "href": h.work(work.siglum, anchor),
                        "left": Markup(left.block(el, depth)),
                        "right": Markup(right.block(el, depth))})
        return out
    return []


def _line_rows(site: Site, sides: list[dict], cache: dict[str, dict[int, str]]) -> list[dict]:
    texts = []
    for side in sides:
        wit = site.witnesses.get(side["witness"])
        if wit is None or wit.body is None:
            return []
        if wit.siglum not in cache:
            cache[wit.siglum] = source_lines(wit.body)
        lines = cache[wit.siglum]
        texts.append(" ".join(lines[n] for n in range(side["start"], side["end"] + 1)
                              if lines.get(n)))
    left, right = diff_pair(*texts)
    return [{"aligned": False, "label": "", "href": "", "left": Markup(tag("p", left)),
             "right": Markup(tag("p", right))}]


def _norm(token: str) -> str:
    return re.sub(r"\W+", "", token.casefold()) or token


def diff_pair(a: str, b: str) -> tuple[str, str]:
    """Both texts as HTML: context outside the shared stretch muted, differences marked."""
    ta, tb = a.split(), b.split()
    matcher = SequenceMatcher(None, [_norm(t) for t in ta], [_norm(t) for t in tb],
                              autojunk=False)
    blocks = [m for m in matcher.get_matching_blocks() if m.size >= 3]
    if not blocks:
        return esc(a), esc(b)
    span_a = (blocks[0].a, blocks[-1].a + blocks[-1].size)
    span_b = (blocks[0].b, blocks[-1].b + blocks[-1].size)
    cls_a, cls_b = ["ctx"] * len(ta), ["ctx"] * len(tb)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        for i in range(max(i1, span_a[0]), min(i2, span_a[1])):
            cls_a[i] = "" if op == "equal" else "diff"
        for j in range(max(j1, span_b[0]), min(j2, span_b[1])):
            cls_b[j] = "" if op == "equal" else "diff"
    return _spans(ta, cls_a), _spans(tb, cls_b)


def _spans(tokens: list[str], classes: list[str]) -> str:
    out, i = [], 0
    while i < len(tokens):
        j = i
        while j < len(tokens) and classes[j] == classes[i]:
            j += 1
        text = esc(" ".join(tokens[i:j]))
        if classes[i] == "diff":
            out.append(tag("mark", text, class_="diff"))
        elif classes[i] == "ctx":
            out.append(tag("span", text, class_="ctx"))
        else:
            out.append(text)
        i = j
    return " ".join(out)
