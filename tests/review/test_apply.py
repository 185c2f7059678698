"""Review decisions flow into every build: the edition, the reports, the HTML, --strict."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

from click.testing import CliRunner
from lxml import etree, html

from edition.cli import main

from ..conftest import SOURCES, TEI_NS


def run(*args: str, reviewer: str = "Ada Editor"):
    return CliRunner(env={"EDITION_REVIEWER": reviewer}).invoke(main, list(args))


def flag_id(out: Path, reading: str) -> str:
    for line in (out / "report" / "flags.jsonl").read_text().splitlines():
        row = json.loads(line)
        if row["reading"] == reading:
            return row["id"]
    raise AssertionError(reading)


def test_decisions_are_applied_on_rebuild(tmp_path: Path) -> None:
    src = tmp_path / "sources"
    src.mkdir()
    for name in ("002_58ccb17ca8d2a55e.txt", "003_a62227af89236541.txt"):
        shutil.copy(SOURCES / name, src / name)
    out = tmp_path / "out"
    assert run("-q", "build", str(src), "-o", str(out), "--no-validate").exit_code == 0
    emend, reject, accept = (flag_id(out, r) for r in ("Isvestia,", "occassion", "i9"))
    conjecture = flag_id(out, "similacrum")   # a correction no witness attests
    _check_conjecture(out, conjecture, "similacrum", "simulacrum", accepted=False)
    assert run("decide", emend, "--emend", "Izvestia,", "--note", "as elsewhere",
               "-o", str(out)).exit_code == 0
    assert run("decide", reject, "--reject", "-o", str(out)).exit_code == 0
    assert run("decide", accept, "--accept", "-o", str(out), reviewer="Bo").exit_code == 0
    assert run("decide", conjecture, "--accept", "-o", str(out), reviewer="Bo").exit_code == 0
    rebuilt = run("-q", "build", str(src), "-o", str(out))
    assert rebuilt.exit_code == 0, rebuilt.output  # valid with the decisions applied
    tree = etree.parse(str(out / "tei" / "edition.xml"))
    variant = _variant(out, emend)
    app = next(a for a in tree.iterfind(".//tei:app", TEI_NS)
               if a.get("{http://www.w3.org/XML/1998/namespace}id") == variant)
    lem = app.find("tei:lem", TEI_NS)
    assert lem.text == "Izvestia," and lem.get("resp") == "#rev-Ada-Editor"
    machine = app.find("tei:rdg[@subtype='machine-lemma']", TEI_NS)
    assert machine is not None and machine.get("resp") == "#edition"  # not erased
    assert app.find("tei:note[@type='review']", TEI_NS).get("subtype") == "emended"
    sics = [s.text for s in tree.iterfind(".//tei:choice/tei:sic", TEI_NS)]
    assert "occassion" not in sics  # rejected: the witness's reading is printed
    changes = [c.text for c in tree.iterfind(".//tei:revisionDesc/tei:change", TEI_NS)]
    assert any("rejected flag" in c and "occassion" in c for c in changes)
    names = {n.text for n in tree.iterfind(".//tei:titleStmt/tei:respStmt/tei:name", TEI_NS)}
    assert {"Ada Editor", "Bo"} <= names
    rows = {json.loads(x)["id"]: json.loads(x)
            for x in (out / "report" / "flags.jsonl").read_text().splitlines()}
    assert rows[emend]["status"] == "emended" and rows[reject]["status"] == "rejected"
    assert rows[accept]["decision"]["reviewer"] == "Bo"
    flags_page = (out / "html" / "flags.html").read_text()
    assert "emended" in flags_page and "rejected" in flags_page
    _check_pdf(out / "pdf" / "edition.pdf", emend, reject, accept)
    _check_conjecture(out, conjecture, "similacrum", "simulacrum", accepted=True)
    _check_conjecture(out, flag_id(out, "creativencss"), "creativencss", "creativeness",
                      accepted=False)   # not decided: still a proposal
    strict = run("-q", "build", str(src), "-o", str(out), "--no-validate", "--strict")
    assert strict.exit_code == 1 and "still open" in strict.stderr


def _check_pdf(pdf: Path, emend: str, reject: str, accept: str) -> None:
    """The rebuilt PDF prints the reviewed state: the emendation in the text with the
    editor named in its entry, the rejected correction gone (the witness's reading printed),
    and the decided flags no longer in the appendix of readings awaiting review."""
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    squashed = " ".join(text.split())
    assert "Izvestia,] emend. Ada Editor" in squashed
    assert "occassion" in squashed and "occasion] occassion" not in squashed
    appendix = squashed[squashed.index("flags raised by the pipeline"):]
    for fid in (emend, reject, accept):
        assert fid not in appendix
    assert re.search(r"f-[0-9a-f]{6}", appendix)   # the flags still open are there


def _check_conjecture(out: Path, fid: str, sic: str, corr: str, accepted: bool) -> None:
    """A machine correction prints as the text of the HTML and the PDF only once accepted;
    before, the text keeps the witness's reading and the entry offers the conjecture."""
    marks = [m for page in (out / "html" / "works").glob("*.html")
             for m in html.fromstring(page.read_bytes()).xpath(f"//*[@id='c-{fid}']")]
    assert len(marks) == 1
    lem = marks[0].xpath(".//span[contains(@class, 'lem')]")[0].text_content()
    assert lem == (corr if accepted else sic)
    text = subprocess.run(["pdftotext", "-layout", str(out / "pdf" / "edition.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    squashed = " ".join(text.split())
    if accepted:
        assert f"{corr}] {sic}" in squashed and f"{sic}] {corr} conj." not in squashed
    else:
        assert f"{sic}] {corr} conj." in squashed and f"{corr}] {sic}" not in squashed


def _variant(out: Path, fid: str) -> str:
    for line in (out / "report" / "flags.jsonl").read_text().splitlines():
        row = json.loads(line)
        if row["id"] == fid:
            return row["variant"]
    raise AssertionError(fid)
