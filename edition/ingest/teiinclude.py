"""`xi:include` in a TEI file, resolved by hand from local files beside it.

A TEI edition often keeps its header, its list of witnesses or its chapters in files of their
own, pulled in with `<xi:include href="header.xml"/>`. Ingest and validation both need the
whole document, so the includes are resolved here, on the parsed tree, and never by lxml's
`xinclude()`, which would follow any URL. Only a relative path to a file in the source's
folder or below is followed: never a URL, an absolute path, a `..` out of the folder or a
link that points out of it. Each file goes through the one safe parser (`tei.parse_xml`);
cycles, deep nesting and runaway fan-out are refused; a missing file falls back to the
include's `xi:fallback` when it has one. Anything else is an `InputError` that names the
include (its href and line), says why and what to do.

The included elements take the line of the `xi:include` (their words are not on the
source's lines, and a line number must point into the source), and their line breaks
become spaces, which TEI does not distinguish from them, so every word lands on that line.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from lxml import etree

from ..errors import InputError
from ..tei import MAX_XML_BYTES, XML_ID, parse_xml

XI_NAMESPACES = ("http://www.w3.org/2001/XInclude", "http://www.w3.org/2003/XInclude")
_INCLUDES = tuple(f"{{{ns}}}include" for ns in XI_NAMESPACES)
_FALLBACKS = tuple(f"{{{ns}}}fallback" for ns in XI_NAMESPACES)
MAX_DEPTH = 8  # a file included from an included file... this deep at most
MAX_INCLUDES = 1000  # includes resolved in one source, nested ones counted


@dataclass(frozen=True)
class Included:
    """One include resolved: where it stood, what it named, what it brought in."""

    href: str
    line: int  # the line of the xi:include in the source (of the outermost include)
    target: str  # the file, relative to the source's folder ("": the include's xi:fallback)
    elements: int
    characters: int


@dataclass
class _Budget:
    root: Path
    includes: int = 0
    size: int = 0
    done: list[Included] = field(default_factory=list)


def has_includes(tree: etree._ElementTree | etree._Element) -> bool:
    root = tree.getroot() if isinstance(tree, etree._ElementTree) else tree
    return any(True for _ in root.iter(*_INCLUDES))


def resolve_includes(tree: etree._ElementTree, path: Path | str | None) -> list[Included]:
    """Replace every `xi:include` of `tree` by what it names; return what was included.

    `path` is the file the tree was read from: includes are looked for beside it.
    """
    root = tree.getroot()
    if not has_includes(root):
        return []
    if root.tag in _INCLUDES:
        raise InputError("the root element is an xi:include", path=path,
                         hint="include parts of the document, not the whole document")
    if path is None:
        raise InputError("the document has xi:include elements but was not read from a file, "
                         "so there is no folder to find them in",
                         hint="give the TEI file by its path")
    source = Path(path).resolve()
    budget = _Budget(source.parent)
    _resolve(root, source, (source,), budget, None)
    return budget.done


def _resolve(root: etree._Element, current: Path, stack: tuple[Path, ...], budget: _Budget,
             line: int | None) -> None:
    """Resolve the includes below `root`, read from `current` (`line`: the outer include's)."""
    for include in list(root.iter(*_INCLUDES)):
        if any(a.tag in _INCLUDES for a in include.iterancestors()):
            continue  # inside an include's fallback: resolved with it, if it is used
        at = line if line is not None else include.sourceline or 0
        _one(include, current, stack, budget, at)


def _one(include: etree._Element, current: Path, stack: tuple[Path, ...], budget: _Budget,
         line: int) -> None:
    href = include.get("href") or ""
    inside = f" in {_rel(current, budget.root)}" if current != stack[0] else ""
    where = f"xi:include href=\"{href}\"{inside} (line {line})"
    budget.includes += 1
    if budget.includes > MAX_INCLUDES:
        raise _refused(where, f"more than {MAX_INCLUDES} includes in one source (nested "
                       "includes multiply)", "merge the parts into fewer files", stack[0])
    target = _local_file(href, include.get("xpointer"), where, current, budget.root, stack[0])
    if target is None or not target.is_file():
        _fallback(include, where, href, target, current, stack, budget, line)
        return
    if target in stack:
        cycle = " -> ".join(_rel(p, budget.root) for p in (*stack, target))
        raise _refused(where, f"an include cycle: {cycle}",
                       "remove the include that leads back to a file already being included",
                       stack[0])
    if len(stack) > MAX_DEPTH:
        raise _refused(where, f"includes nested more than {MAX_DEPTH} files deep",
                       "include the parts from fewer levels of files", stack[0])
    data = _read(target, where, budget, stack[0])
    if (include.get("parse") or "xml") == "text":
        text = _decode(data, include.get("encoding") or "utf-8", where, stack[0])
        _put_text(include, text.replace("\r", " ").replace("\n", " "))
        _remove_keeping_tail(include)
        budget.done.append(Included(href, line, _rel(target, budget.root), 0, len(text)))
        return
    if include.get("parse") not in (None, "xml"):
        raise _refused(where, f"parse=\"{include.get('parse')}\" is not an XInclude mode",
                       "write parse=\"xml\" or parse=\"text\"", stack[0])
    try:
        parsed = parse_xml(data, target).getroot()
    except InputError as exc:
        raise _refused(where, f"the file it names cannot be used: {exc.args[0]}",
                       exc.hint or "correct that file", stack[0]) from exc
    part = _pointed(parsed, include.get("xpointer"), where, stack[0])
    _resolve(part, target, (*stack, target), budget, line)
    _replace(include, part, line)
    budget.done.append(Included(href, line, _rel(target, budget.root),
                                sum(1 for _ in part.iter(etree.Element)),
                                len("".join(part.itertext()))))


def _local_file(href: str, xpointer: str | None, where: str, current: Path, root: Path,
                source: Path) -> Path | None:
    """The file `href` names, if it is a local file in the source's folder or below."""
    if not href.strip():
        what = "an include of a part of the same document (xpointer only)" if xpointer \
            else "no href"
        raise _refused(where, f"{what} is not supported",
                       "name a file beside the source in href", source)
    parts = urlsplit(href.strip())
    if parts.scheme or parts.netloc:
        raise _refused(where, "it names a URL; nothing is fetched from the network",
                       "save the file beside the source and give its relative path in href",
                       source)
    relative = Path(unquote(parts.path))
    if relative.is_absolute():
        raise _refused(where, "it names an absolute path",
                       "give a path relative to the source's folder", source)
    target = (current.parent / relative).resolve()
    if not target.is_relative_to(root):
        raise _refused(where, f"it names a file outside the source's folder ({root})",
                       "copy the file into the source's folder (or below) and include it "
                       "from there", source)
    return target if target.exists() else None


def _fallback(include: etree._Element, where: str, href: str, target: Path | None,
              current: Path, stack: tuple[Path, ...], budget: _Budget, line: int) -> None:
    """A missing file: the include's xi:fallback if it has one, else an error."""
    fallback = next((c for c in include if c.tag in _FALLBACKS), None)
    if fallback is None:
        why = "the file it names does not exist" if target is None \
            else "it names a folder or a special file, not a file"
        raise _refused(where, why, "put the file beside the source, or correct href",
                       stack[0])
    _resolve(fallback, current, stack, budget, line)
    done = Included(href, line, "", sum(1 for _ in fallback.iter(etree.Element)) - 1,
                    len("".join(fallback.itertext())))
    _put_text(include, fallback.text or "")
    for child in list(fallback):
        include.addprevious(child)
    _remove_keeping_tail(include)
    budget.done.append(done)


def _read(target: Path, where: str, budget: _Budget, source: Path) -> bytes:
    try:
        with target.open("rb") as handle:
            data = handle.read(MAX_XML_BYTES + 1)
    except OSError as exc:
        raise _refused(where, f"the file cannot be read: {exc.strerror}",
                       "check that it is a file you may read", source) from exc
    budget.size += len(data)
    if budget.size > MAX_XML_BYTES:
        raise _refused(where, f"the included files exceed {MAX_XML_BYTES // 2**20} MB",
                       "include fewer or smaller files", source)
    return data


def _decode(data: bytes, encoding: str, where: str, source: Path) -> str:
    try:
        return data.decode(encoding).lstrip("\ufeff")
    except (LookupError, UnicodeDecodeError) as exc:
        raise _refused(where, f"the text cannot be read as {encoding}",
                       "give its encoding in @encoding, or save it as UTF-8", source) from exc


def _pointed(root: etree._Element, xpointer: str | None, where: str,
             source: Path) -> etree._Element:
    """The part of the included document `xpointer` names: a bare xml:id, or element(id)."""
    if not xpointer:
        return root
    wanted = xpointer.strip()
    if wanted.startswith("element(") and wanted.endswith(")") and "/" not in wanted:
        wanted = wanted[len("element("):-1]
    if not wanted.replace("-", "").replace("_", "").replace(".", "").isalnum():
        raise _refused(where, f"xpointer=\"{xpointer}\" is not supported (only an xml:id)",
                       "point at an element by its xml:id, e.g. xpointer=\"witnesses\"",
                       source)
    found = next((el for el in root.iter(etree.Element) if el.get(XML_ID) == wanted), None)
    if found is None:
        raise _refused(where, f"no element has xml:id=\"{wanted}\" in the included file",
                       "correct the xpointer or the included file", source)
    return found


def _replace(include: etree._Element, part: etree._Element, line: int) -> None:
    """Put `part` where `include` stands, on the include's line, its newlines as spaces."""
    new = copy.deepcopy(part)
    for node in new.iter():
        node.sourceline = line
        if node is not new and node.tail:
            node.tail = node.tail.replace("\r", " ").replace("\n", " ")
        if isinstance(node.tag, str) and node.text:
            node.text = node.text.replace("\r", " ").replace("\n", " ")
    new.tail = include.tail
    include.getparent().replace(include, new)


def _put_text(include: etree._Element, text: str) -> None:
    """Insert `text` just before `include`."""
    parent, previous = include.getparent(), include.getprevious()
    if previous is not None:
        previous.tail = (previous.tail or "") + text
    elif parent is not None:
        parent.text = (parent.text or "") + text


def _remove_keeping_tail(node: etree._Element) -> None:
    parent = node.getparent()
    if parent is None:
        return
    tail = node.tail or ""
    previous = node.getprevious()
    if previous is not None:
        previous.tail = (previous.tail or "") + tail
    else:
        parent.text = (parent.text or "") + tail
    parent.remove(node)


def _rel(path: Path, root: Path) -> str:
    return str(path.relative_to(root)) if path.is_relative_to(root) else str(path)


def _refused(where: str, why: str, hint: str, source: Path) -> InputError:
    return InputError(f"{where}: {why}", path=source, hint=hint)
