"""Small helpers shared by the site and the print HTML: escaped HTML strings, and the
values read off TEI elements (local names, sigla, words, line numbers, block anchors).

Every piece of source text goes through `esc` (markupsafe), and `tag`/`attrs` escape every
attribute value, so nothing from a TEI file reaches a page unescaped: a source holding
`<script>` shows it as text.
"""

from __future__ import annotations

import re

from lxml import etree
from markupsafe import escape

from ..tei import MACHINE, TEI

LONG_WORDS = 40  # a reading longer than this is shortened in its apparatus entry


# Invisible format characters that change how the text around them is shown: bidi embeddings,
# overrides and isolates, direction marks, the word joiner and invisible operators, a stray
# byte-order mark. From a source they are shown, never obeyed (a U+202E would turn the rest of
# a line around). Joiners that scripts need (U+200C, U+200D) are left alone.
_INVISIBLE = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


def visible_controls(page: str) -> str:
    """A rendered page (or any text) with every such character written as a visible mark,
    `⟨U+202E⟩`: plain characters, so safe inside text and attribute values alike."""
    return _INVISIBLE.sub(lambda m: f"⟨U+{ord(m.group()):04X}⟩", page)


def esc(value: object) -> str:
    return str(escape("" if value is None else str(value)))


def attrs(**pairs: object) -> str:
    """` k="v"` pairs, escaped; None and False are left out, True is a bare attribute."""
    out = []
    for key, value in pairs.items():
        if value is None or value is False:
            continue
        name = key.rstrip("_").replace("_", "-")
        out.append(f" {name}" if value is True else f' {name}="{esc(value)}"')
    return "".join(out)


def tag(name: str, inner: str = "", **pairs: object) -> str:
    """An element around already-escaped `inner`."""
    return f"<{name}{attrs(**pairs)}>{inner}</{name}>"


def local(el: etree._Element) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def sigla(value: str | None) -> list[str]:
    return [s.lstrip("#") for s in (value or "").split() if s.lstrip("#")]


def words(el: etree._Element | None) -> list[str]:
    return "".join(el.itertext()).split() if el is not None else []


def shorten(text: str, limit: int = LONG_WORDS) -> str:
    parts = text.split()
    if len(parts) <= limit:
        return " ".join(parts)
    return f"{' '.join(parts[:24])} … {' '.join(parts[-10:])} ({len(parts)} words)"


def as_int(value: object) -> int:
    """A line number from TEI or a report; 0 when there is none."""
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return 0


def cert_text(value: object) -> str:
    try:
        return f"{float(value):.2f}"  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return "—"


def block_anchor(el: etree._Element) -> str | None:
    """The HTML id of an edition block: its witness and source line, e.g. C-2749."""
    wit, n = sigla(el.get("corresp")), as_int(el.get("n"))
    return f"{wit[0]}-{n}" if wit and n else None


def correction_state(corr: etree._Element | None) -> str:
    """Who stands behind a `corr`, read off its `@resp` as the encoder writes it:
    "proposed" (the machine's alone: a conjecture no witness attests and no editor has
    accepted), "accepted" (the machine's, and a reviewer's beside it), "emended" (a
    reviewer's own text), "editorial" (no `@resp`: a correction from elsewhere, printed)."""
    resp = sigla(corr.get("resp")) if corr is not None else []
    machine = MACHINE.lstrip("#")
    if machine in resp:
        return "accepted" if len(resp) > 1 else "proposed"
    return "emended" if resp else "editorial"


def printed_reading(choice: etree._Element) -> etree._Element | None:
    """The child of a `choice` the edited text prints: the correction once an editor made
    or accepted it, the witness's reading (`sic`) while it is only the machine's proposal.
    Editorial policy: a conjecture is never the text until an editor accepts it."""
    corr = choice.find(f"{TEI}corr")
    if correction_state(corr) == "proposed":
        return choice.find(f"{TEI}sic")
    return corr
