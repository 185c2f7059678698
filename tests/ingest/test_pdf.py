"""The PDF reader's page structure, on pages cut from real court PDFs and on PDFs made here.

opinion-footnote.pdf: three pages of a First Circuit opinion (docket line on every page,
"- 5 -" page numbers, a footnote below a rule with a superscript marker, double spacing).
opinion-small-notes.pdf: two pages of a Fifth Circuit opinion (running head on both, a
footnote set smaller than the text, bare page numbers). transcript-line-numbers.pdf: a
hearing transcript page with margin line numbers and a one-page header and footer.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from edition.ingest.parsed import Parsed
from edition.ingest.pdf import read_pdf
from edition.model import (
    BlockKind,
    Furniture,
    LineBreak,
    NoteRef,
    PageBreak,
    Text,
)

from ..pdfs import literal, pdf_document

FIXTURES = Path(__file__).parent.parent / "fixtures" / "pdf"
WORD = re.compile(r"\w+")


def parse(name: str) -> Parsed:
    path = FIXTURES / name
    return read_pdf(path.read_bytes(), path)


def items(parsed: Parsed, kind: type) -> list:
    return [i for b in parsed.blocks for i in b.items if isinstance(i, kind)]


def kept_words(parsed: Parsed) -> Counter[str]:
    words: Counter[str] = Counter()
    for block in parsed.blocks:
        if block.kind is BlockKind.NOTE:
            words.update(WORD.findall(block.label))
        for item in block.items:
            if isinstance(item, Text | Furniture | NoteRef):
                words.update(WORD.findall(item.text))
    for field in parsed.metadata:
        words.update(WORD.findall(field.raw))
    for cleanup in parsed.cleanups:  # hyphens dropped at line ends are logged
        if cleanup.rule == "dehyphenate":
            words.update(WORD.findall(cleanup.before))
    return words


@pytest.fixture(scope="module")
def opinion() -> Parsed:
    return parse("opinion-footnote.pdf")


def test_one_page_break_per_page_with_the_printed_number(opinion: Parsed) -> None:
    assert [p.n for p in items(opinion, PageBreak)] == ["5", "6", "7"]


def test_docket_lines_and_page_numbers_are_furniture(opinion: Parsed) -> None:
    furniture = items(opinion, Furniture)
    heads = [f.text for f in furniture if f.kind == "header"]
    assert len(heads) == 3 and all(h.startswith("Case: 20-1507") for h in heads)
    assert [f.text for f in furniture if f.kind == "pageNum"] == ["- 5 -", "- 6 -", "- 7 -"]
    reading = " ".join(b.text for b in opinion.blocks if b.kind in (BlockKind.P, BlockKind.HEAD))
    assert "Case:" not in reading and "- 6 -" not in reading
    assert all(any(c.rule == f.rule and c.line == f.line for c in opinion.cleanups)
               for f in furniture)


def test_footnote_below_the_rule_is_a_note_linked_to_its_marker(opinion: Parsed) -> None:
    notes = [b for b in opinion.blocks if b.kind is BlockKind.NOTE]
    assert [n.label for n in notes] == ["1"]
    assert notes[0].text.startswith("The Chapel claimed violations")
    assert notes[0].text.endswith("(Count X).")
    refs = items(opinion, NoteRef)
    assert [(r.label, r.text) for r in refs] == [("1", "1")]
    para = next(b for b in opinion.blocks if any(isinstance(i, NoteRef) for i in b.items))
    assert "statutory. On the heels" in para.text  # the note's text is not in the sentence
    assert "Free Exercise Clause" not in para.text


def test_paragraph_goes_on_across_the_page(opinion: Parsed) -> None:
    para = next(b for b in opinion.blocks if b.text.startswith("vector of transmission"))
    assert any(isinstance(i, PageBreak) for i in para.items) is False
    crossing = [b for b in opinion.blocks if b.kind is BlockKind.P
                and any(isinstance(i, PageBreak) for i in b.items)]
    assert crossing and any(c.rule == "pdf-page-rejoin" for c in opinion.cleanups)


def test_lines_are_the_pdf_rows_and_every_word_is_kept(opinion: Parsed) -> None:
    source = Counter(w for line in opinion.lines for w in WORD.findall(line))
    assert not source - kept_words(opinion)
    for block in opinion.blocks:
        for item in block.items:
            if isinstance(item, Text) and WORD.search(item.text):
                assert WORD.search(item.text).group() in opinion.lines[item.line - 1]


def test_no_word_is_split_by_a_space(opinion: Parsed) -> None:
    """Monospaced justified text has wide gaps between words, never inside them."""
    reading = " ".join(b.text for b in opinion.blocks)
    assert "interlocutory" in reading or "Chapel" in reading
    assert not re.search(r"\b(?:Cha pel|Gov ernor|tran script)\b", reading)


def test_smaller_footnote_and_running_head_on_two_pages() -> None:
    parsed = parse("opinion-small-notes.pdf")
    assert [p.n for p in items(parsed, PageBreak)] == ["2", "3"]
    heads = [f.text for f in items(parsed, Furniture) if f.kind == "header"]
    assert heads.count("No. 21-50498") == 2
    notes = [b for b in parsed.blocks if b.kind is BlockKind.NOTE]
    assert len(notes) == 1 and notes[0].text.startswith("“Pending E of I” is shorthand")
    assert [r.label for r in items(parsed, NoteRef)] == [notes[0].label]
    assert any(b.kind is BlockKind.HEAD and b.text == "I. Facts & Procedural Background"
               for b in parsed.blocks)


def test_line_end_hyphen_is_joined_and_recorded() -> None:
    parsed = parse("opinion-small-notes.pdf")
    joins = [i for i in items(parsed, LineBreak) if i.joined]
    assert joins and all(i.rule in ("dehyphenate", "pdf-hyphen-kept") for i in joins)
    assert {c.line for c in parsed.cleanups if c.rule in ("dehyphenate", "pdf-hyphen-kept")} \
        == {i.line for i in joins}
    assert "bi-weekly" in " ".join(b.text for b in parsed.blocks)  # a compound keeps its hyphen


def test_transcript_line_numbers_and_one_page_furniture() -> None:
    parsed = parse("transcript-line-numbers.pdf")
    furniture = items(parsed, Furniture)
    numbers = [f.text for f in furniture if f.kind == "lineNum"]
    assert numbers == [str(n) for n in range(1, 26)]
    assert [p.n for p in items(parsed, PageBreak)] == ["1"]
    others = {f.text for f in furniture if f.kind in ("header", "footer")}
    assert others == {"Official - Subject to Final Review", "Alderson Reporting Company"}
    reading = " ".join(b.text for b in parsed.blocks if b.kind in (BlockKind.P, BlockKind.HEAD))
    assert "argument before the Supreme Court of the United States at 1:01 p.m." in reading
    assert not re.search(r"\b1[0-9] ", reading.replace("1:01", ""))


# --- PDFs made here ------------------------------------------------------------------


def make_pdf(pages: list[list[tuple[float, float, float, str]]]) -> bytes:
    """A valid PDF; each string is placed at (x, y from the top, font size)."""
    return pdf_document([b"\n".join([b"BT", *(b"/F1 %.1f Tf 1 0 0 1 %.1f %.1f Tm %s Tj"
                                               % (size, x, 792 - y, literal(text))
                                               for x, y, size, text in runs), b"ET"])
                         for runs in pages])


LEFT = ["alpha one begins the left column and", "alpha two goes on down the left",
        "alpha three closes the left column."]
RIGHT = ["beta one begins the right column and", "beta two goes on down the right",
         "beta three closes the right column."]


def test_columns_are_read_one_after_the_other() -> None:
    runs = [(72, 100 + 14 * i, 10, line) for i, line in enumerate(LEFT)]
    runs += [(320, 100 + 14 * i, 10, line) for i, line in enumerate(RIGHT)]
    parsed = read_pdf(make_pdf([runs]))
    text = " ".join(b.text for b in parsed.blocks if b.kind is BlockKind.P)
    assert text.index("alpha three") < text.index("beta one")
    assert text.index("alpha one") < text.index("alpha two")


def test_junk_before_the_header_still_reads() -> None:
    data = b"%%EOF\r\n" + make_pdf([[(72, 100, 11, "Only a sentence of text here.")]])
    parsed = read_pdf(data)
    assert "Only a sentence of text here." in " ".join(b.text for b in parsed.blocks)
