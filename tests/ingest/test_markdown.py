"""The Markdown reader, on Markdown sources of our own making (tests/fixtures/markdown/).

Promises: Markdown is recognised from content only on strong repeated signals (plain-text
e-texts and the default corpus stay text); headings, emphasis, footnotes, quotes, lists,
tables, code and front matter become structure, never literal markup in the reading
text; every word of the source is kept, in order, on its own source line; what the
markup held besides text (URLs, comments, definitions) is recorded as a `Cleanup`; the
witness TEI is valid.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from edition.config import WitnessOverride, load_config
from edition.encode.witness import encode_witness
from edition.ingest import ingest_source, sniff_format
from edition.ingest.markdown import read_markdown
from edition.ingest.mdsyntax import markdown_signals
from edition.model import BlockKind, Hi, Label, NoteRef, SourceFormat, Text
from edition.tei import TEI_NS
from edition.validate import validate_tree

HERE = Path(__file__).resolve().parents[1]
MD = HERE / "fixtures" / "markdown"
REPO = HERE.parent
GUTENBERG = REPO.parent / "shared" / "realworld" / "gutenberg"
WORD = re.compile(r"[^\W_]+")  # "_em_" is markup: its underscores are no part of a word
NS = {"t": TEI_NS}


def kept_words(path: Path) -> dict[int, list[str]]:
    """The words the reader kept, by source line: text, note labels, metadata, cleanups."""
    parsed = read_markdown(path.read_bytes(), path)
    by_line: dict[int, list[str]] = {}
    for block in parsed.blocks:
        if block.kind is BlockKind.NOTE:  # "[^1]:" opens the note's first line
            by_line.setdefault(block.first_line, []).extend(WORD.findall(block.label))
        for item in block.items:
            if isinstance(item, Text | Hi | Label):
                by_line.setdefault(item.line, []).extend(WORD.findall(item.text))
            elif isinstance(item, NoteRef):
                by_line.setdefault(item.line, []).extend(WORD.findall(item.label))
    for field in parsed.metadata:
        if field.raw:
            by_line.setdefault(field.line, []).extend(WORD.findall(field.raw))
    for cleanup in parsed.cleanups:
        by_line.setdefault(cleanup.line, []).extend(WORD.findall(cleanup.before))
    return by_line


def reading(path: Path) -> str:
    return " ".join(b.text for b in read_markdown(path.read_bytes(), path).blocks)


# --- recognition ----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["essay.md", "readme.md"])
def test_markdown_is_recognised_from_content(name: str) -> None:
    assert sniff_format((MD / name).read_bytes()) is SourceFormat.MARKDOWN


def test_a_plain_etext_with_underscores_stars_and_a_hash_stays_text() -> None:
    data = (MD / "plain-etext.txt").read_bytes()
    assert sniff_format(data) is SourceFormat.TEXT
    assert markdown_signals(data.decode()) == set()


def test_one_kind_of_signal_is_not_enough() -> None:
    """Footnotes alone (weak-signals.md) do not make a file Markdown: text, unless forced."""
    assert sniff_format((MD / "weak-signals.md").read_bytes()) is SourceFormat.TEXT


@pytest.mark.parametrize("path", sorted((REPO / "sources").glob("*.txt")), ids=lambda p: p.name)
def test_default_sources_still_sniff_as_text(path: Path) -> None:
    assert sniff_format(path.read_bytes()) is SourceFormat.TEXT


@pytest.mark.skipif(not GUTENBERG.is_dir(), reason="the realworld set is not beside the repo")
def test_gutenberg_etexts_still_sniff_as_text() -> None:
    for path in sorted(GUTENBERG.glob("*.txt")):
        assert sniff_format(path.read_bytes()) is SourceFormat.TEXT, path.name


def test_a_format_override_forces_markdown(tmp_path: Path) -> None:
    (tmp_path / "edition.toml").write_text('[witness."weak-signals.md"]\nformat = "markdown"\n')
    override = load_config(tmp_path / "edition.toml").override_for("weak-signals.md")
    assert override.format == "markdown"
    witness = ingest_source(MD / "weak-signals.md", "A", override)
    assert witness.source_format is SourceFormat.MARKDOWN
    assert [b.kind for b in witness.blocks][:2] == [BlockKind.HEAD, BlockKind.P]


# --- structure --------------------------------------------------------------------------


def test_essay_structure_emphasis_and_notes() -> None:
    parsed = read_markdown((MD / "essay.md").read_bytes(), "essay.md")
    heads = [(b.level, b.text) for b in parsed.blocks if b.kind is BlockKind.HEAD]
    assert heads == [(1, "The Commons and the Enclosures"), (2, "Two voices"),
                     (2, "Conclusion")]
    his = {(i.text, i.rend) for b in parsed.blocks for i in b.items if isinstance(i, Hi)}
    assert {("right", "italic"), ("yield", "bold"),
            ("the whole independence of a household", "italic bold")} <= his
    calls = [i.label for b in parsed.blocks for i in b.items if isinstance(i, NoteRef)]
    notes = [b.label for b in parsed.blocks if b.kind is BlockKind.NOTE]
    assert calls == ["1", "young", "2", "3"] and sorted(notes) == sorted(calls)
    young = next(b for b in parsed.blocks if b.label == "young")
    assert young.text.endswith("with less heat.")  # a note's second paragraph stays in it
    kinds = Counter(b.kind for b in parsed.blocks)
    assert kinds[BlockKind.QUOTE] == 1 and kinds[BlockKind.LIST_ITEM] == 3
    assert kinds[BlockKind.DIVIDER] == 1
    meta = {f.name: f.value for f in parsed.metadata}
    assert meta["title"] == "The Commons and the Enclosures"
    assert meta["author"] == "Margaret Ellery" and meta["date"] == "2019-11-02"
    assert parsed.language == "en"


@pytest.mark.parametrize("name", ["essay.md", "readme.md", "weak-signals.md"])
def test_no_markup_in_the_reading_text(name: str) -> None:
    text = reading(MD / name)
    for markup in ("**", "[^1]", "[^2]", "[^young]", "](", "`", "<!--", "<div", "---",
                   "==="):
        assert markup not in text, markup
    assert not re.search(r"(?<!\w)[*_]\w|\w[*_](?!\w)", text)


def test_readme_links_code_table_html_and_comments() -> None:
    parsed = read_markdown((MD / "readme.md").read_bytes(), "readme.md")
    rules = Counter(c.rule for c in parsed.cleanups)
    assert rules == {"markdown-link": 2, "markdown-link-definition": 1,
                     "markdown-html-comment": 1, "markdown-image": 1}
    urls = {c.before for c in parsed.cleanups if c.rule == "markdown-link"}
    assert urls == {"https://example.com/notes", "https://example.com/notes/style"}
    assert "https" not in reading(MD / "readme.md")
    heads = [(b.level, b.text) for b in parsed.blocks if b.kind is BlockKind.HEAD]
    assert heads[:2] == [(1, "Field Notes Toolkit"), (2, "Getting started")]  # setext
    rows = [b for b in parsed.blocks if b.kind is BlockKind.TABLE_ROW]
    assert [[i.text for i in r.items if isinstance(i, Text)] for r in rows][1] == [
        "draft", "transcribed once, not checked"]
    code = [i for b in parsed.blocks for i in b.items if isinstance(i, Hi) and i.line == 17]
    assert code and code[0].text.startswith("field-notes convert") and code[0].rend == "code"
    assert "frozen & citable" in reading(MD / "readme.md")


def test_weak_signals_edge_cases() -> None:
    parsed = read_markdown((MD / "weak-signals.md").read_bytes(), "weak-signals.md")
    notes = {b.label: b.text for b in parsed.blocks if b.kind is BlockKind.NOTE}
    assert notes["orphan"] == "A note that no call points to."  # no call: still kept
    call = next(i for b in parsed.blocks for i in b.items if isinstance(i, NoteRef))
    assert call.label == "a-1" and "a-1" in notes  # a label safe in an xml:id
    assert "[^missing]" in reading(MD / "weak-signals.md")  # no definition: kept as written
    assert [c.rule for c in parsed.cleanups if c.rule == "markdown-html-comment"]
    assert all("\r" not in line for line in parsed.lines)


# --- nothing lost, every word on its line -------------------------------------------------


def test_every_word_of_the_essay_is_kept_on_its_own_line() -> None:
    path = MD / "essay.md"
    kept = kept_words(path)
    for number, line in enumerate(path.read_text().split("\n"), 1):
        assert Counter(kept.get(number, [])) == Counter(WORD.findall(line)), (number, line)


@pytest.mark.parametrize("name", ["essay.md", "readme.md", "weak-signals.md"])
def test_reading_words_come_in_source_order_on_their_lines(name: str) -> None:
    path = MD / name
    lines = path.read_text().splitlines()
    parsed = read_markdown(path.read_bytes(), path)
    source = [(n, w) for n, line in enumerate(lines, 1) for w in WORD.findall(line)]
    at = 0
    for block in parsed.blocks:
        for item in block.items:
            if not isinstance(item, Text | Hi | Label):
                continue
            for word in WORD.findall(item.text):
                while at < len(source) and source[at] != (item.line, word):
                    at += 1
                assert at < len(source), (item, word)
                at += 1


# --- TEI ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["essay.md", "readme.md", "weak-signals.md"])
def test_witness_tei_is_valid_with_hi_and_linked_notes(name: str) -> None:
    override = WitnessOverride(format="markdown")
    doc = encode_witness(ingest_source(MD / name, "A", override))
    errors = [p.format() for p in validate_tree(doc, Path(f"{name}.xml"))
              if p.severity == "error"]
    assert errors == []
    body = doc.find(".//t:body", NS)
    assert body is not None
    assert body.findall(".//t:hi", NS)
    ids = {n.get("{http://www.w3.org/XML/1998/namespace}id") for n in body.iter()}
    for ref in body.iterfind(".//t:ref[@type='noteAnchor']", NS):
        assert (ref.get("target") or "")[1:] in ids
    text = "".join(t for n in body.iter() if n.tag != f"{{{TEI_NS}}}ref" for t in [n.text or ""])
    assert "**" not in text and "[^1]" not in text
