"""TEI namespace helpers, the one safe XML parser, and atomic writes.

Every XML document the project reads goes through `parse_xml`: no DTD is loaded, no
entity is resolved, nothing is fetched, and a document that declares entities is
refused outright (the defusedxml policy), so XXE and entity-expansion bombs never run.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from lxml import etree

from .errors import InputError, UnsafeXMLError

TEI_NS = "http://www.tei-c.org/ns/1.0"
XML_NS = "http://www.w3.org/XML/1998/namespace"
TEI = f"{{{TEI_NS}}}"
XML_ID = f"{{{XML_NS}}}id"
XML_LANG = f"{{{XML_NS}}}lang"
NSMAP = {None: TEI_NS}
NS = {"tei": TEI_NS}

MAX_XML_BYTES = 200 * 1024 * 1024


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_blank_text=False,
    )


def parse_xml(data: bytes, path: Path | str | None = None) -> etree._ElementTree:
    """Parse XML bytes safely, or raise an error that says what is wrong with the file."""
    if not data.strip():
        raise InputError("the file is empty", path=path)
    if len(data) > MAX_XML_BYTES:
        raise InputError(f"the file is larger than {MAX_XML_BYTES // 2**20} MB", path=path)
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError("the file is binary, not XML", path=path)
    if b"<!ENTITY" in data:
        raise UnsafeXMLError(
            "the document declares entities; they are refused (XXE and entity-expansion "
            "attacks use them)",
            path=path,
            hint="replace entity references by the characters themselves",
        )
    try:
        tree = etree.ElementTree(etree.fromstring(data, _parser()))
    except etree.XMLSyntaxError as exc:
        line = getattr(exc, "lineno", None)
        where = f" (line {line})" if line else ""
        raise InputError(f"not well-formed XML{where}: {exc.msg}", path=path) from exc
    docinfo = tree.docinfo
    if docinfo.system_url or docinfo.public_id:
        raise UnsafeXMLError(
            "the document's DOCTYPE points at an external DTD; it is never loaded",
            path=path,
            hint="remove the DOCTYPE line; TEI is validated with RelaxNG, not a DTD",
        )
    return tree


def parse_xml_file(path: Path) -> etree._ElementTree:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror}", path=path) from exc
    return parse_xml(data, path)


@contextmanager
def atomic_writer(path: Path, mode: str = "w", encoding: str | None = "utf-8") -> Iterator[IO]:
    """Write to a temporary file beside `path` and rename it into place on success only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        binary = "b" in mode
        with os.fdopen(fd, mode, encoding=None if binary else encoding) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_atomic(path: Path, data: bytes | str) -> None:
    if isinstance(data, str):
        data = data.encode("utf-8")
    with atomic_writer(path, "wb") as handle:
        handle.write(data)


def tei(tag: str) -> str:
    """Clark name of a TEI element: tei('p') -> '{http://www.tei-c.org/ns/1.0}p'."""
    return TEI + tag
