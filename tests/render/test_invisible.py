"""Invisible format characters from a source (a bidi override turns the rest of a line
around) are shown as marks in every HTML output, never obeyed."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from edition.cli import main
from edition.render.html import visible_controls

RLO = "\u202e"


def test_marks_are_plain_text_and_joiners_stay() -> None:
    assert visible_controls(f"a{RLO}b\u2066c\u200dd") == "a⟨U+202E⟩b⟨U+2066⟩c\u200dd"


def test_a_bidi_override_in_a_source_is_shown_in_every_page(tmp_path: Path) -> None:
    source = tmp_path / "bidi.txt"
    words = "The treaty was signed in the spring and the border was opened again"
    source.write_text(f"A Title\n\n{words} {RLO}reversed text here{RLO} for all.\n\n"
                      f"{words} with a second paragraph that says more about it.\n",
                      encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["build", str(source), "-o", str(out), "--no-validate"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    pages = sorted((out / "html").rglob("*.html"))
    assert pages
    shown = [p for p in pages if "⟨U+202E⟩" in p.read_text(encoding="utf-8")]
    assert shown, "the mark is on the witness and work pages"
    for page in pages:
        assert RLO not in page.read_text(encoding="utf-8"), page
    assert RLO in (out / "tei" / "bidi.xml").read_text(encoding="utf-8")  # the TEI keeps it
