"""TEI namespace helpers, the one safe XML parser, and atomic writes.

Every XML document the project reads goes through `parse_xml`: no DTD is loaded, no
entity is resolved, nothing is fetched, and a document that declares entities is
refused outright (the defusedxml policy), so XXE and entity-expansion bombs never run.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from lxml import etree

from .errors import InputError, OutputError, UnsafeXMLError

TEI_NS = "http://www.tei-c.org/ns/1.0"
XML_NS = "http://www.w3.org/XML/1998/namespace"
TEI = f"{{{TEI_NS}}}"
XML_ID = f"{{{XML_NS}}}id"
XML_LANG = f"{{{XML_NS}}}lang"
NSMAP = {None: TEI_NS}
NS = {"tei": TEI_NS}
# the <?xml-model?> lines of every file we write: tei_all, then our Schematron
SCHEMA_PIS = (
    'href="https://tei-c.org/release/xml/tei/custom/schema/relaxng/tei_all.rng" '
    'type="application/xml" schematypens="http://relaxng.org/ns/structure/1.0"',
    'href="edition.sch" type="application/xml" '
    'schematypens="http://purl.oclc.org/dsdl/schematron"',
)
MACHINE = "#edition"  # @resp of what the pipeline asserts

MAX_XML_BYTES = 200 * 1024 * 1024
_UMASK = os.umask(0)
os.umask(_UMASK)
FILE_MODE = 0o666 & ~_UMASK  # what open() gives new files: outputs are ordinary files
_NOT_XML_CHAR = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """Characters XML 1.0 cannot hold, written as visible escapes (\\x07), reversibly."""
    return _NOT_XML_CHAR.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def _declares_entities(data: bytes) -> bool:
    """Entity declarations in any of the encodings XML allows (UTF-8, UTF-16, UTF-32)."""
    if b"<!ENTITY" in data:
        return True
    for bom, encoding in ((b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"),
                          (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            return "<!ENTITY" in data.decode(encoding, "ignore")
    if b"\x00" in data[:4096]:
        for encoding in ("utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"):
            if "<!ENTITY" in data.decode(encoding, "ignore"):
                return True
    return False


def _looks_binary(data: bytes) -> bool:
    """NUL bytes that are not the pattern of UTF-16/32 text."""
    head = data[:4096]
    if b"\x00" not in head or head.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")):
        return False
    for encoding in ("utf-16-le", "utf-16-be"):
        text = head[: len(head) // 2 * 2].decode(encoding, "replace")
        printable = sum(1 for c in text if c.isprintable() or c in "\r\n\t")
        if text and printable >= 0.95 * len(text) and "<" in text:
            return False  # UTF-16 markup without a byte-order mark
    return True


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
    if _looks_binary(data):
        raise InputError("the file is binary, not XML", path=path)
    if _declares_entities(data):
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
        os.fchmod(fd, FILE_MODE)
        binary = "b" in mode
        with os.fdopen(fd, mode, encoding=None if binary else encoding) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_all_atomic(outputs: dict[Path, bytes]) -> None:
    """Write every file or none: all go to temporary files first, then all are renamed.

    A failure while writing (a full disk, an output path that is a file) removes the
    temporary files and leaves the previous outputs as they were.
    """
    staged: list[tuple[str, Path]] = []
    created: list[Path] = []
    try:
        for path, data in outputs.items():
            missing = [p for p in (path.parent, *path.parent.parents) if not p.exists()]
            path.parent.mkdir(parents=True, exist_ok=True)
            created += reversed(missing)
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
            staged.append((tmp, path))
            os.fchmod(fd, FILE_MODE)  # mkstemp makes 0600; outputs are ordinary files
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
    except OSError as exc:
        for tmp, _ in staged:
            Path(tmp).unlink(missing_ok=True)
        for folder in reversed(created):  # folders this call made, deepest first
            with contextlib.suppress(OSError):
                folder.rmdir()
        where = exc.filename or (staged[-1][1] if staged else "")
        raise OutputError(f"cannot write the output: {exc.strerror}", path=where,
                          hint="check that the output folder is a writable folder") from exc
    for tmp, path in staged:
        os.replace(tmp, path)


def write_atomic(path: Path, data: bytes | str) -> None:
    if isinstance(data, str):
        data = data.encode("utf-8")
    with atomic_writer(path, "wb") as handle:
        handle.write(data)


def tei(tag: str) -> str:
    """Clark name of a TEI element: tei('p') -> '{http://www.tei-c.org/ns/1.0}p'."""
    return TEI + tag
