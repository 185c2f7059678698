"""Verse in a plain-text source: stanzas whose lines are kept (TEI `lg`/`l`).

A stanza is a group of consecutive lines (blank lines around it) that a wrapped prose
paragraph cannot be: either indented as a whole with lines of uneven length that mostly
begin with a capital (how e-texts set poems and quoted verse), or, flush left, three or
more short lines, mostly capitalised, next to another group of the same kind (a poem is
a series of stanzas; a lone short group is an address or a heading). Tables, contents
lists and headings are claimed before this rule runs.
"""

from __future__ import annotations

import re

from .lines import LineInfo, LineKind

_FIRST_LETTER = re.compile(r"[^\W\d_]")


def find_stanzas(infos: list[LineInfo], width: int, used: set[int]) -> dict[int, list[int]]:
    """Stanzas: index of the first line -> indices of its lines."""
    groups = _groups(infos, used)
    kinds = [_kind(infos, g, width) for g in groups]
    found: dict[int, list[int]] = {}
    for n, (group, kind) in enumerate(zip(groups, kinds, strict=True)):
        in_series = any(0 <= m < len(groups) and kinds[m] in ("short", "indented")
                        and _near(infos, groups[n], groups[m]) for m in (n - 1, n + 1))
        if kind == "indented" or (kind == "short" and in_series):
            found[group[0]] = group
    return found


def _groups(infos: list[LineInfo], used: set[int]) -> list[list[int]]:
    groups: list[list[int]] = []
    current: list[int] = []
    for i, info in enumerate(infos):
        if info.kind is LineKind.TEXT and i not in used:
            current.append(i)
            continue
        if current:
            groups.append(current)
        current = []
    if current:
        groups.append(current)
    return groups


def _near(infos: list[LineInfo], a: list[int], b: list[int]) -> bool:
    """Two groups separated by blank lines only (at most three)."""
    lo, hi = (a[-1], b[0]) if a[0] < b[0] else (b[-1], a[0])
    between = infos[lo + 1:hi]
    return len(between) <= 3 and all(i.kind is LineKind.BLANK for i in between)


def _kind(infos: list[LineInfo], group: list[int], width: int) -> str:
    """"indented", "short" (a flush-left group of short lines) or "" (not verse)."""
    if len(group) < 2:
        return ""
    texts = [infos[i].text.rstrip() for i in group]
    stripped = [t.strip() for t in texts]
    indents = [len(t) - len(t.lstrip()) for t in texts]
    capitals = sum(1 for s in stripped if (m := _FIRST_LETTER.search(s)) and m.group().isupper())
    if capitals < 0.75 * len(group):
        return ""
    lengths = [len(s) for s in stripped]
    if min(indents) >= 2:
        body = lengths[:-1]
        justified = len(group) >= 3 and min(body) >= 0.85 * max(body) and bool(
            width and max(body) + min(indents) >= 0.9 * width)
        return "" if justified else "indented"
    limit = 0.75 * width if width else 60
    if len(group) >= 3 and max(lengths) <= limit and min(indents) == max(indents):
        return "short"
    return ""
