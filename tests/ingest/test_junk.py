"""Junk is junk only when it is: what a reader reads as words never goes into a `gap`.

Tokens and fixtures are real (tests/fixtures/junk/README.md says where each comes from); the
junk of the corpus's PDF-to-text dump (source 002) must stay junk.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from edition.ingest import ingest_source
from edition.ingest.junk import junk_score, junk_spans
from edition.lexicon import Lexicon, other_language
from edition.model import BlockKind, Gap

from ..conftest import FIXTURES, SOURCES

JUNK = FIXTURES / "junk"
LEXICON = Lexicon.for_texts([])

READ_AS_TEXT = [
    # legal citations and numbers (US court opinions)
    "F.3d", "S.W.2d", "L.Ed.2d", "U.S.C.", "§", "1292(a)(1).", "12(b)(6);", "4001.003(1)(B).",
    "28(j)", "__F.4th__,", "569", "Tr.",
    # codes, units, identifiers
    "3:20-CV-257", "ED108783", "1711-CC00064", "20A87,", "2000cc-2000cc-5", "CO2", "H2O",
    "1.E.8.", "53ème", "1stCir.",
    # e-mail addresses and URLs inside the text
    "editor@example.org", "https://www.gutenberg.org/ebooks/98", "www.loc.gov/item/x",
    # note calls glued to their word
    "statutory.1", "called.[1]", "Greece[2]", "Phaleron.”[3]", "word²", "Curiam:*",
    # names and coinages written with capitals inside; acronyms
    "FedEx", "YouTube", "McDonald", "PhD", "eBook", "iPhone", "USDC", "CFR",
    # dialect spellings
    "respectin’", "futur’", "’em",
]
CERTAIN_JUNK = [".1429", "over.1429", ".1429boundary,", "Tto", "rA", "tGod.", "6tuation",
                "T*a/Artopules", "*a/imatn", "Tj", "expendi29", "rAstate", "29the",
                "1429arbitrary"]


@pytest.mark.parametrize("token", READ_AS_TEXT)
def test_what_a_reader_reads_is_not_junk(token: str) -> None:
    assert junk_score(token, LEXICON) == 0


@pytest.mark.parametrize("token", CERTAIN_JUNK)
def test_pdf_debris_is_certain_junk(token: str) -> None:
    assert junk_score(token, LEXICON) == 2


def test_a_number_with_four_decimals_is_junk_only_among_junk() -> None:
    assert junk_spans("See 14 CFR 25.1585. for the rule", LEXICON) == []
    assert junk_spans("the .1429 6.1429 Tto rA7 state", LEXICON)


def gaps(path: Path) -> list[str]:
    """The junk of every gap of the source as ingested (inline gaps and gap blocks)."""
    witness = ingest_source(path, "A")
    return [i.junk for b in witness.blocks for i in b.items if isinstance(i, Gap)] + [
        " ".join(getattr(i, "junk", getattr(i, "text", "")) for i in b.items)
        for b in witness.blocks if b.kind is BlockKind.GAP]


@pytest.mark.parametrize("name", ["court_opinion.txt", "french_novel.txt", "etext_voices.txt"])
def test_real_text_full_of_unknown_words_has_no_gap(name: str) -> None:
    assert gaps(JUNK / name) == []


def test_another_language_is_recognised_and_garble_is_not() -> None:
    assert other_language(["qui", "se", "passe", "ses", "fantaisies"]) == "fr"
    assert other_language(["vers", "l'île", "d'Elbe,", "où", "j'arrivai"]) == "fr"
    assert other_language(["ultemelsnmen", "thimnt", "oikinution", "llookd", "udownupon"]) is None


def test_the_corpus_pdf_dump_keeps_its_junk_gaps() -> None:
    """Source 002 (a browser print through PDF-to-text) has PDF operator debris and garbled
    runs; each stays a gap with the junk kept in it."""
    source = next(SOURCES.glob("002_*.txt"))
    text = "\n".join(gaps(source))
    for debris in (".1429 6.1429 Tto rA7", "T*a/Artopules", "ultemelsnmen, thimnt. Tto",
                   "oikinution llookd udownupon the molshevisk."):
        assert debris in text, debris


def test_a_text_in_another_language_is_read_in_it() -> None:
    """A French text that does not say its language is recognised as French, and the
    classifier reads it with French words: far fewer 'non-words' than with English ones."""
    from dataclasses import replace

    from edition.collate import collate_and_classify, collate_rules

    witness = ingest_source(JUNK / "french_novel.txt", "A")
    assert witness.language == "fr"
    assert ingest_source(JUNK / "court_opinion.txt", "A").language == "en"
    as_french = collate_and_classify([witness], [], collate_rules({})).flags
    as_english = collate_and_classify([replace(witness, language="en")], [],
                                      collate_rules({})).flags
    assert len(as_english) >= 10 and len(as_french) * 3 <= len(as_english), (
        len(as_french), len(as_english))


def test_coordinates_beside_other_suspicious_tokens_are_junk() -> None:
    """A four-decimal number alone is a number (`25.1585`); beside another suspicious token
    (`6.1429 rA7`, PDF drawing debris) the pair is junk."""
    assert junk_spans("prices 6.1429 rA7 of the", LEXICON)
    assert junk_spans("prices 6.1429 of the", LEXICON) == []
