"""Turn what the parser and libxml2's RelaxNG say into `Problem`s a user can act on: the TEI
namespace noise stripped, a lost line number found again, and what to change."""

from __future__ import annotations

import re
from pathlib import Path

from lxml import etree

from ..errors import InputError, UnsafeXMLError
from ..tei import TEI_NS
from .results import Problem
from .schemas import cause_vocabulary

_ADVICE = {
    "cert": "write a decimal from 0 to 1, e.g. cert=\"0.85\" (not high, medium, low or unknown)",
    "type": "use type=\"substantive\" or type=\"orthographic\"",
}
_RNG_ADVICE = (
    (r"Did not expect element (\S+) there",
     "remove <{0}>, or move it where the TEI Guidelines allow it"),
    (r"Did not expect text in element (\S+) content",
     "wrap the text in an element such as <p>, or remove it"),
    (r"Expecting element (\S+), got (\S+)", "add <{0}> before <{1}>, or move <{1}>"),
    (r"Element (\S+) failed to validate attributes",
     "<{0}> lacks a required attribute or has one not allowed; compare it with the Guidelines"),
    (r"Element (\S+) has extra content: (\S+)", "remove <{1}> from <{0}> or move it"),
)


def xml_problem(path: Path, data: bytes, exc: InputError) -> Problem:
    """Turn a parse refusal into one Problem, with a line number where one can be found."""
    message = str(exc.args[0]) if exc.args else str(exc)
    line = 0
    if isinstance(exc, UnsafeXMLError):
        at = min((i for i in (data.find(b"<!ENTITY"), data.find(b"<!DOCTYPE")) if i >= 0),
                 default=-1)
        line = data.count(b"\n", 0, at) + 1 if at >= 0 else 0
    elif match := re.search(r"\(line (\d+)\)", message):
        line = int(match.group(1))
    column = int(col.group(1)) if (col := re.search(r"column (\d+)", message)) else 0
    if dup := re.search(r"ID (\S+) already defined", message):
        message = f'xml:id="{dup.group(1)}" is used twice; give each element its own xml:id'
    if exc.hint:
        message = f"{message}; {exc.hint}"
    return Problem(path, line, column, "error", message, "xml")


def not_tei_problem(path: Path, root: etree._Element) -> Problem:
    qname = etree.QName(root)
    if qname.localname in {"TEI", "teiCorpus"}:
        message = (f"the root element <{qname.localname}> is not in the TEI namespace; add "
                   f'xmlns="{TEI_NS}" to it')
    else:
        where = f" (namespace {qname.namespace})" if qname.namespace else ""
        message = (f"this is not a TEI file: the root element is <{qname.localname}>{where}, "
                   f'not <TEI xmlns="{TEI_NS}"> or <teiCorpus>; validate TEI P5 files only')
    return Problem(path, root.sourceline or 0, 0, "error", message, "xml")


def readable_rng_message(
    raw: str, tree: etree._ElementTree, line: int, ours: bool
) -> tuple[int, str]:
    """Strip the TEI namespace noise, find a missing line, and say what to change."""
    message = raw.replace(f"{{{TEI_NS}}}", "").strip()
    named = re.search(r"[Ee]lement (\w[\w.-]*)", message)
    if line == 0 and named:  # libxml2 sometimes loses the line: use the element's, if unique
        same = list(tree.iter(f"{{{TEI_NS}}}{named.group(1)}"))
        line = (same[0].sourceline or 0) if len(same) == 1 else 0
    if attr_match := re.fullmatch(r"Invalid attribute (\S+) for element (\S+)", message):
        return line, _bad_attribute(*attr_match.groups(), tree, line, ours)
    if message.startswith("Expecting an element , got nothing"):
        first = next((el for el in tree.iter(etree.Element) if el.sourceline == line), None)
        name = f"<{etree.QName(first).localname}>" if first is not None else "the element"
        return line, (f"{name} on this line lacks a required element, or has one repeated or out "
                      "of place; compare its content with the TEI Guidelines")
    for pattern, advice in _RNG_ADVICE:
        if found := re.fullmatch(pattern, message):
            return line, f"{message}; {advice.format(*found.groups())}"
    return line, message


def _bad_attribute(attr: str, element: str, tree: etree._ElementTree, line: int,
                   ours: bool) -> str:
    value = next((el.get(attr) for el in tree.iter(f"{{{TEI_NS}}}{element}")
                  if el.sourceline == line and el.get(attr) is not None), None)
    shown = f'{attr}="{value}"' if value is not None else f"@{attr}"
    if ours and attr == "cause":
        advice = "use one of: " + " ".join(cause_vocabulary())
    elif ours and attr in _ADVICE:
        advice = _ADVICE[attr]
    else:
        advice = "correct the value or remove the attribute (see the TEI Guidelines)"
    return f"Element {element}: {shown} is not allowed here; {advice}"

