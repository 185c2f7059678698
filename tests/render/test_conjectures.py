"""Editorial policy: a machine conjecture is never printed as the text until an editor
accepts it (issue 13).

A `choice` whose `corr` is the machine's alone (`@resp="#edition"`) is a correction no
witness attests and no editor has accepted. On the default corpus, the HTML reading view and
the PDF must print its `sic` as the text and offer the `corr` in the apparatus only. The PDF
is read back (pdftotext for the entries, pdfplumber for the words set in the text size), so
the check does not trust the code that wrote it.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from lxml import etree, html

from ..conftest import TEI_NS
from .test_pdf import BODY, QUOTE

pdfplumber = pytest.importorskip("pdfplumber")

pytestmark = pytest.mark.corpus

XML_ID = "{http://www.w3.org/XML/1998/namespace}id"


def _squash(text: str) -> str:
    return re.sub(r"\W", "", text.casefold())


@pytest.fixture(scope="module")
def out(corpus_build) -> Path:
    assert corpus_build.exit_code in (0, 1), corpus_build.output
    return corpus_build.out


@pytest.fixture(scope="module")
def proposals(out: Path) -> list[dict]:
    """Every machine correction not accepted: its work, id, sic and corr."""
    tree = etree.parse(str(out / "tei" / "edition.xml"))
    found = []
    for work in tree.iterfind(".//tei:body/tei:div[@type='work']", TEI_NS):
        for choice in work.iterfind(".//tei:choice", TEI_NS):
            corr = choice.find("tei:corr", TEI_NS)
            if corr.get("resp") != "#edition":
                continue
            found.append({"work": work.get("corresp").lstrip("#"), "id": choice.get(XML_ID),
                          "sic": " ".join("".join(choice.find("tei:sic", TEI_NS).itertext())
                                          .split()),
                          "corr": " ".join("".join(corr.itertext()).split())})
    return found


def test_the_corpus_has_machine_conjectures(proposals: list[dict]) -> None:
    said = {(p["sic"], p["corr"]) for p in proposals}
    assert ("destalinization", "desalinization") in said and ("unviable", "enviable") in said
    assert len(proposals) >= 15


def test_html_prints_the_witness_reading_and_offers_the_proposal(
        out: Path, proposals: list[dict]) -> None:
    pages: dict[str, html.HtmlElement] = {}
    for p in proposals:
        if p["work"] not in pages:
            pages[p["work"]] = html.fromstring((out / "html" / "works" /
                                                f"{p['work']}.html").read_bytes())
        page = pages[p["work"]]
        mark = page.get_element_by_id(p["id"])
        printed = [" ".join(rd.text_content().split()) for rd in mark.find_class("rd")]
        assert printed == [p["sic"]], (p, printed)   # the text; nothing else to switch to
        entry = page.get_element_by_id(f"e-{p['id']}")
        offered = " ".join(entry.find_class("rdg-text")[0].text_content().split())
        assert offered == p["corr"]
        assert "proposed correction (not reviewed)" in entry.text_content()
        assert " ".join(entry.find_class("lemma")[0].text_content().split()) == p["sic"]


def test_pdf_prints_the_witness_reading_and_offers_the_proposal(
        out: Path, proposals: list[dict]) -> None:
    pdf = out / "pdf" / "edition.pdf"
    text = " ".join(subprocess.run(["pdftotext", "-layout", str(pdf), "-"],
                                   capture_output=True, text=True, check=True).stdout.split())
    for p in proposals:   # the entry reads the other way round: sic] corr conj.
        assert f"{p['sic']}] {p['corr']} conj." in text, p
        assert f"{p['corr']}] {p['sic']}" not in text, p
    # The words set in the size of the text: a conjecture that is in no source must not be
    # among them (a word hyphenated at a line end is joined again first).
    sources = {_squash(w) for f in (out.parent / "sources").iterdir() if f.is_file()
               for w in f.read_text(encoding="utf-8", errors="replace").split()}
    unattested = {_squash(p["corr"]): p for p in proposals
                  if _squash(p["corr"]) not in sources and _squash(p["corr"])}
    assert {"desalinization", "enviable", "dirge"} <= set(unattested)
    body: set[str] = set()
    with pdfplumber.open(pdf) as doc:
        for page in doc.pages:
            words = [w for w in page.extract_words(extra_attrs=["size"])
                     if round(w["size"], 2) in (BODY, QUOTE)]
            words.sort(key=lambda w: (round(w["top"]), w["x0"]))
            joined = ""
            for w in words:
                joined += w["text"]
                if joined.endswith(("-", "‐")):
                    joined = joined[:-1]
                    continue
                body.add(_squash(joined))
                joined = ""
    assert {"destalinization", "unviable", "etatism"} <= body   # the witness's readings
    printed = sorted(set(unattested) & body)
    assert not printed, [unattested[w] for w in printed]
