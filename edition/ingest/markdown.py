"""Markdown source -> `Parsed`: CommonMark read as structure, never as literal text.

Many digital texts now come as Markdown (CommonMark with footnotes): `# headings`,
`*emphasis*`, `[^n]` footnotes, `> quotes`, lists, links, YAML front matter. Read as plain
text its markup would land in the reading text. markdown-it-py parses it (mdit-py-plugins
for footnotes and front matter, definitions kept where they stand); its block tokens carry
line ranges, so every word keeps the source line it stands on (`lb/@n`). Emphasis becomes
`Hi` (TEI `hi/@rend`), `[^n]` a `NoteRef` to a NOTE block. Markup is not the author's
words; what it carried besides text (link targets, image sources, HTML comments, link
definitions, the front-matter fences) is recorded as a `Cleanup`.
"""

from __future__ import annotations

import html as htmlmod
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..model import (
    Block,
    BlockKind,
    Cleanup,
    Hi,
    Inline,
    Label,
    LineBreak,
    MetaField,
    NoteRef,
    Text,
)
from .decode import decode_source
from .mdsyntax import read_front_matter
from .parsed import Parsed

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

_REND = {"em": "italic", "strong": "bold", "s": "strikethrough"}
_WORD = re.compile(r"\w+")
_LABEL_UNSAFE = re.compile(r"[^\w.-]")
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_TAG = re.compile(r"<[^<>]*>")
_BR = re.compile(r"^<br\s*/?>$", re.I)


def read_markdown(data: bytes, path: Path | str | None = None) -> Parsed:
    """Read a Markdown file (CommonMark, footnotes, tables, front matter)."""
    decoded = decode_source(data, path)
    lines = tuple(decoded.text.split("\n"))
    env: dict = {}
    tokens = _parser().parse(decoded.text, env)
    reader = _Reader(lines)
    reader.run(tokens)
    reader.definitions(env.get("references", {}))
    reader.unread(tokens, env)
    return Parsed(lines=lines, metadata=tuple(reader.metadata), blocks=tuple(reader.blocks),
                  cleanups=(*decoded.cleanups, *sorted(reader.cleanups, key=lambda c: c.line)),
                  anomalies=(), encoding=decoded.encoding, language=reader.language or "en")


def _parser() -> MarkdownIt:
    """Imported here, not at the top: sniffing and `import edition` stay cheap."""
    from markdown_it import MarkdownIt
    from mdit_py_plugins.footnote import footnote_plugin
    from mdit_py_plugins.front_matter import front_matter_plugin

    md = MarkdownIt("commonmark", {"html": True, "typographer": False})
    md.use(front_matter_plugin).use(footnote_plugin, inline=False, move_to_end=False)
    return md.enable(["table", "strikethrough"])


def note_label(label: str) -> str:
    """A footnote label safe inside an xml:id (`[^a:b]` -> `a-b`)."""
    return _LABEL_UNSAFE.sub("-", label) or "note"


def _styled(text: str, line: int, rend: str) -> Text | Hi:
    return Hi(text, line, rend) if rend else Text(text, line)


def _rend(item: Text | Hi) -> str:
    return item.rend if isinstance(item, Hi) else ""


@dataclass
class _Open:
    """The block being built: its kind and the inline items gathered so far."""

    kind: BlockKind
    level: int = 0
    label: str = ""
    role: str = ""
    items: list[Inline] = field(default_factory=list)
    line: int = 0


class _Reader:
    """One pass over markdown-it's token stream, building blocks in source order."""

    def __init__(self, lines: tuple[str, ...]) -> None:
        self.lines = lines
        self.blocks: list[Block] = []
        self.cleanups: list[Cleanup] = []
        self.metadata: list[MetaField] = []
        self.language = ""
        self.open: _Open | None = None
        self.stack: list[str] = []  # containers: "quote" | "item" | "note" | "table"
        self.cell = False

    # --- blocks ------------------------------------------------------------------------

    def run(self, tokens: list[Token]) -> None:
        for tok in tokens:
            kind = tok.type
            if kind == "front_matter" and tok.map:
                fields, cleanups, self.language = read_front_matter(
                    self.lines, tok.map[0] + 1, tok.map[1])
                self.metadata += fields
                self.cleanups += cleanups
            elif kind == "heading_open":
                if self.stack:
                    self._start(self._inner())
                else:
                    self._start(BlockKind.HEAD, level=int(tok.tag[1:]))
            elif kind == "paragraph_open":
                if self.open is None:
                    self._start(self._inner())
            elif kind in ("paragraph_close", "heading_close"):
                if not self.stack or self.stack[-1] not in ("item", "note"):
                    self._flush()
            elif kind == "inline":
                self._inline(tok)
            elif kind in ("blockquote_open", "list_item_open", "footnote_reference_open",
                          "table_open"):
                self._container(tok)
            elif kind in ("blockquote_close", "list_item_close", "footnote_reference_close",
                          "table_close"):
                self._flush(force=kind == "footnote_reference_close")
                self.stack.pop()
            elif kind == "tr_open":
                self._start(BlockKind.TABLE_ROW)
            elif kind in ("th_open", "td_open"):
                self.cell = True
            elif kind in ("th_close", "td_close"):
                self.cell = False
            elif kind == "tr_close":
                self._flush()
            elif kind == "hr" and tok.map:
                self._start(BlockKind.DIVIDER)
                self._text(self.lines[tok.map[0]].strip(), tok.map[0] + 1)
                self._flush()
            elif kind in ("fence", "code_block") and tok.map:
                self._code(tok)
            elif kind == "html_block" and tok.map:
                self._html(tok.content, tok.map[0] + 1)
        self._flush(force=True)
        if not any(f.name == "title" for f in self.metadata):
            head = next((b for b in self.blocks if b.kind is BlockKind.HEAD), None)
            if head is not None and head.level == 1:
                self.metadata.append(MetaField("title", head.text, head.first_line, ""))

    def _container(self, tok: Token) -> None:
        kind = tok.type
        if "note" not in self.stack:
            self._flush()
        if kind == "blockquote_open":
            self.stack.append("quote")
        elif kind == "table_open":
            self.stack.append("table")
        elif kind == "list_item_open":
            self.stack.append("item")
            if tok.info and tok.map:  # an ordered item's number, as the author wrote it
                line = tok.map[0] + 1
                self._start(self._inner())
                self._add(Label(f"{tok.info}{tok.markup}", line), line)
                self._text(" ", line)  # the label is a word of its own in the reading text
        else:
            self._flush(force=True)
            self.stack.append("note")
            label = str(tok.meta.get("label", ""))
            self._start(BlockKind.NOTE, label=note_label(label))

    def _inner(self) -> BlockKind:
        for container in reversed(self.stack):
            if container == "note":
                return BlockKind.NOTE
            if container == "item":
                return BlockKind.LIST_ITEM
            if container == "quote":
                return BlockKind.QUOTE
        return BlockKind.P

    def _start(self, kind: BlockKind, *, level: int = 0, label: str = "") -> None:
        if self.open is not None and "note" in self.stack and self.open.kind is BlockKind.NOTE:
            return  # everything inside a footnote definition is that one note
        self._flush()
        self.open = _Open(kind, level, label)

    def _flush(self, *, force: bool = False) -> None:
        block = self.open
        if block is None or ("note" in self.stack and not force):
            return
        self.open = None
        items = block.items
        if items and isinstance(items[-1], Text | Hi):
            items[-1] = _styled(items[-1].text.rstrip(), items[-1].line, _rend(items[-1]))
        has_text = any(isinstance(i, NoteRef | Label)
                       or (isinstance(i, Text | Hi) and i.text.strip()) for i in items)
        if block.kind is BlockKind.TABLE_ROW:
            has_text = any(isinstance(i, Text | NoteRef) for i in items)
        if has_text:
            self.blocks.append(Block(block.kind, tuple(items), block.level, block.role,
                                     block.label, "markdown"))

    # --- inline content -----------------------------------------------------------------

    def _inline(self, tok: Token) -> None:
        if self.open is None:
            self._start(self._inner())
        first = tok.map[0] + 1 if tok.map else max(self._line(), 1)
        last = tok.map[1] if tok.map else first
        if self.cell:
            self._cell(tok, first)
            return
        line, rend = first, []
        for child in tok.children or ():
            kind = child.type
            if kind in ("softbreak", "hardbreak"):
                line = min(line + 1, last)
            elif kind == "text":
                line = self._locate(child.content, line, last)
                self._text(child.content, line, " ".join(rend))
            elif kind == "code_inline":
                for piece, at in self._spread(child.content, line, last):
                    self._text(piece, at, " ".join(dict.fromkeys([*rend, "code"])))
                    line = at
            elif kind.endswith("_open") and kind[:-5] in _REND:
                rend.append(_REND[kind[:-5]])
            elif kind.endswith("_close") and kind[:-6] in _REND and rend:
                rend.pop()
            elif kind == "footnote_ref":
                label = str(child.meta.get("label", ""))
                safe = note_label(label)
                self._add(NoteRef(safe, line, "" if safe == label else f"[{label}]"), line)
            elif kind == "link_open" and child.markup != "autolink":
                href, title = child.attrs.get("href", ""), child.attrs.get("title", "")
                self.cleanups.append(Cleanup(
                    "markdown-link", "removed", line, "link target kept out of the reading "
                    "text (the link's words are kept)",
                    before=f'{href} "{title}"' if title else str(href)))
            elif kind == "image":
                line = self._locate(child.content, line, last)
                self._text(child.content, line, " ".join(rend))
                self.cleanups.append(Cleanup(
                    "markdown-image", "removed", line, "image source kept out of the reading "
                    "text (its description is kept)", before=str(child.attrs.get("src", ""))))
            elif kind == "html_inline":
                self._html_inline(child.content, line)

    def _cell(self, tok: Token, line: int) -> None:
        """A table cell: one `Text` (the model's convention), emphasis flattened."""
        parts: list[str] = []
        noted = False
        for child in tok.children or ():
            if child.type in ("text", "code_inline", "image"):
                parts.append(child.content)
            elif child.type in ("softbreak", "hardbreak"):
                parts.append(" ")
            elif child.type == "footnote_ref":
                if parts:
                    self._add(Text(" ".join("".join(parts).split()), line), line)
                parts, noted = [], True
                self._add(NoteRef(note_label(str(child.meta.get("label", ""))), line), line)
        if parts or not noted:
            self._add(Text(" ".join("".join(parts).split()), line), line)

    def _html_inline(self, markup: str, line: int) -> None:
        if markup.startswith("<!--"):
            self.cleanups.append(Cleanup("markdown-html-comment", "removed", line,
                                         "HTML comment kept out of the reading text",
                                         before=markup))
        elif _BR.match(markup.strip()):
            last = self._last()
            if isinstance(last, Text | Hi) and not last.text.endswith(" "):
                self._text(" ", last.line, _rend(last))

    def _code(self, tok: Token) -> None:
        assert tok.map is not None
        first = tok.map[0] + (2 if tok.type == "fence" else 1)
        self._start(self._inner())
        for offset, text in enumerate(tok.content.rstrip("\n").split("\n")):
            if text.strip():
                self._text(text, first + offset, "code")
        self._flush()

    def _html(self, content: str, first: int) -> None:
        """An HTML block: its text kept line by line, tags dropped, comments recorded."""
        for found in _COMMENT.finditer(content):
            line = first + content.count("\n", 0, found.start())
            self.cleanups.append(Cleanup("markdown-html-comment", "removed", line,
                                         "HTML comment kept out of the reading text",
                                         before=found.group()))
        content = _COMMENT.sub(lambda m: "\n" * m.group().count("\n"), content)
        self._start(self._inner())
        for offset, raw in enumerate(content.split("\n")):
            text = htmlmod.unescape(_TAG.sub(" ", raw))
            if text.strip():
                self._text(" ".join(text.split()), first + offset)
        self._flush()

    def _text(self, text: str, line: int, rend: str = "") -> None:
        if not text:
            return
        last = self._last()
        if isinstance(last, Text | Hi) and last.line == line and _rend(last) == rend:
            assert self.open is not None
            self.open.items[-1] = _styled(last.text + text, line, rend)
            return
        if line != self._line():
            text = text.lstrip()
            if not text:
                return
        self._add(_styled(text, line, rend), line)

    def _add(self, item: Inline, line: int) -> None:
        if self.open is None:
            self._start(self._inner())
        assert self.open is not None
        if line != self.open.line:
            self.open.items.append(LineBreak(line))
            self.open.line = line
        self.open.items.append(item)

    def _last(self) -> Inline | None:
        return self.open.items[-1] if self.open and self.open.items else None

    def _line(self) -> int:
        return self.open.line if self.open else 0

    def _spread(self, text: str, line: int, last: int) -> list[tuple[str, int]]:
        """A code span over several source lines (its newlines became spaces), split back."""
        current = self._locate(text, line, last)
        pieces: list[tuple[str, int]] = []
        words: list[str] = []
        for word in text.split(" "):
            trial = " ".join([*words, word])
            if (words and current < min(last, len(self.lines)) and trial not in
                    self.lines[current - 1] and word in self.lines[current]):
                pieces.append((" ".join(words), current))
                words, current = [], current + 1
            words.append(word)
        return [*pieces, (" ".join(words), current)]

    def _locate(self, text: str, line: int, last: int) -> int:
        """`line`, or the next line of the block holding the text's first word.

        Line breaks inside a code span or an image's description leave no token behind,
        so the count of breaks can fall behind; the source line is the judge.
        """
        found = _WORD.search(text)
        if not found or not 1 <= line <= len(self.lines) or found.group() in self.lines[line - 1]:
            return line
        for near in range(line + 1, min(last, len(self.lines)) + 1):
            if found.group() in self.lines[near - 1]:
                return near
        return line

    # --- what the markup held besides text ---------------------------------------------

    def definitions(self, references: dict) -> None:
        """Link reference definitions (`[id]: url`) have no token: record each line."""
        for ref in references.values():
            where = ref.get("map") or ()
            for number in range(where[0] + 1, where[1] + 1) if where else ():
                self.cleanups.append(Cleanup(
                    "markdown-link-definition", "removed", number,
                    "link definition kept out of the reading text", before=self.lines[number - 1]))

    def unread(self, tokens: list[Token], env: dict) -> None:
        """A safety net: every non-blank source line no token covers is recorded."""
        covered: set[int] = set()
        for tok in tokens:
            if tok.map:
                covered.update(range(tok.map[0] + 1, tok.map[1] + 1))
        for ref in env.get("references", {}).values():
            if ref.get("map"):
                covered.update(range(ref["map"][0] + 1, ref["map"][1] + 1))
        for number, raw in enumerate(self.lines, 1):
            if raw.strip() and number not in covered:
                self.cleanups.append(Cleanup("markdown-unread", "removed", number,
                                             "source line that the Markdown parser did not read",
                                             before=raw))
