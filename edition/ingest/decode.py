"""Bytes -> text, recording every repair.

Recognises UTF-8 (with or without BOM), UTF-16 (BOM or the zero-byte pattern) and
cp1252/Latin-1. Mojibake is repaired conservatively with ftfy, with every option that
would *normalise* rather than repair switched off (curly quotes, ligatures, width and
line breaks stay as the source has them); each repaired line is logged as a `Cleanup`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import ftfy

from ..errors import InputError
from ..model import Cleanup

_FTFY = ftfy.TextFixerConfig(
    unescape_html=False,  # entity debris is recorded by the readers, not silently replaced
    remove_terminal_escapes=True,
    fix_encoding=True,
    restore_byte_a0=True,
    replace_lossy_sequences=True,
    decode_inconsistent_utf8=True,
    fix_c1_controls=True,
    fix_latin_ligatures=False,
    fix_character_width=False,
    uncurl_quotes=False,
    fix_line_breaks=False,
    fix_surrogates=True,
    remove_control_chars=False,
    normalization=None,
    explain=False,
)

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    cleanups: tuple[Cleanup, ...]


def looks_binary(data: bytes) -> bool:
    """True for bytes that are not text in any encoding we read (NULs, control soup)."""
    sample = data[:8192]
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    if _utf16_without_bom(sample):
        return False
    # NULs count with the other control bytes: a stray one in a text is damage to record
    # (decode removes it, with a cleanup), a soup of them is a binary file
    controls = sum(1 for b in sample if b < 9 or (13 < b < 32 and b != 27))
    return controls > max(8, len(sample) // 50)


def _utf16_without_bom(sample: bytes) -> bool:
    """UTF-16 without a byte-order mark puts a NUL in every other byte of Latin text."""
    if b"\x00" not in sample:
        return False
    evens, odds = sample[0::2], sample[1::2]
    return evens.count(0) > len(evens) * 0.4 or odds.count(0) > len(odds) * 0.4


def decode_source(data: bytes, path: Path | str | None = None) -> Decoded:
    """Decode source bytes and repair mojibake, or raise `InputError` for binary data."""
    if looks_binary(data):
        raise InputError("the file is binary, not text", path=path,
                         hint="give a text, HTML, PDF or TEI file")
    text, encoding = _decode(data, path)
    cleanups: list[Cleanup] = []
    if encoding == "utf-8-sig":
        cleanups.append(Cleanup("decode-bom", "removed", 1, "byte-order mark removed", "\ufeff"))
        cleanups += _escaped_lines(data[3:])
    lines = text.split("\n")
    fixed_lines = []
    for number, line in enumerate(lines, 1):
        fixed = ftfy.fix_text(line, _FTFY) if _may_need_repair(line) else line
        stripped = _CONTROL.sub("", fixed)
        if stripped != line:
            cleanups.append(
                Cleanup("decode-mojibake" if fixed != line else "decode-control",
                        "repaired", number,
                        "character repair (ftfy, conservative)" if fixed != line
                        else "control characters removed",
                        before=line, after=stripped)
            )
        fixed_lines.append(stripped)
    return Decoded("\n".join(fixed_lines), encoding, tuple(cleanups))


def _may_need_repair(line: str) -> bool:
    return not line.isascii() or "\x1b" in line


def _decode(data: bytes, path: Path | str | None) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):  # UTF-8 declared: damaged bytes kept as \xNN
        return _normalise_newlines(data[3:].decode("utf-8", "backslashreplace")), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return _normalise_newlines(data.decode("utf-16")), "utf-16"
        except UnicodeDecodeError as exc:
            raise InputError("the file has a UTF-16 byte-order mark but is not UTF-16",
                             path=path) from exc
    if _utf16_without_bom(data[:8192]):
        odd_zeros = data[1:8192:2].count(0)
        enc = "utf-16-le" if odd_zeros > data[0:8192:2].count(0) else "utf-16-be"
        try:
            return _normalise_newlines(data.decode(enc)), enc
        except UnicodeDecodeError as exc:
            raise InputError("undecodable bytes (looks like UTF-16 but is not)",
                             path=path) from exc
    try:
        return _normalise_newlines(data.decode("utf-8")), "utf-8"
    except UnicodeDecodeError as exc:
        utf8_error = exc
    try:
        return _normalise_newlines(data.decode("cp1252")), "cp1252"
    except UnicodeDecodeError:
        pass
    # cp1252 leaves five bytes undefined; Latin-1 maps every byte, but a file full of
    # C1 controls is not Latin-1 text either.
    text = data.decode("latin-1")
    c1 = sum(1 for c in text if "\x80" <= c <= "\x9f")
    if c1 > max(4, len(text) // 200):
        raise InputError(
            f"undecodable bytes: not UTF-8 ({utf8_error.reason} at byte {utf8_error.start}), "
            "nor cp1252 or Latin-1 text",
            path=path,
            hint="convert the file to UTF-8 (e.g. iconv -f ENCODING -t UTF-8)",
        )
    return _normalise_newlines(text), "latin-1"


def _escaped_lines(data: bytes) -> list[Cleanup]:
    """A file that declares UTF-8 (its byte-order mark) with bytes that are not: each such
    byte is kept in the text as a visible `\\xNN` escape, reversibly, and recorded here."""
    found = []
    for number, raw in enumerate(_normalise_newlines_bytes(data).split(b"\n"), 1):
        try:
            raw.decode("utf-8", "strict")
        except UnicodeDecodeError:
            escaped = raw.decode("utf-8", "backslashreplace")
            found.append(Cleanup("decode-invalid-utf8", "repaired", number,
                                 "bytes that are not UTF-8 kept as \\xNN escapes",
                                 before=raw.decode("latin-1"), after=escaped))
    return found


def _normalise_newlines_bytes(data: bytes) -> bytes:
    return data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")


def _normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")
