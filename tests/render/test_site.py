"""The HTML edition without a browser: every page, every link, escaping, determinism.

Most tests share the session's build of the default corpus (`corpus_build`); the escaping
tests build their own small editions, one through the real pipeline and one by hand.
"""

from __future__ import annotations

import json
import re
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

import pytest
from click.testing import CliRunner
from lxml import etree, html

from edition.cli import main
from edition.render.site import render_site
from edition.resources import style_asset, template_dir

from ..conftest import SOURCES, TEI_NS


@pytest.fixture(scope="module")
def corpus_out(corpus_build) -> Path:
    assert corpus_build.exit_code in (0, 1), corpus_build.output
    return corpus_build.out


@pytest.fixture(scope="module")
def site(corpus_out: Path) -> dict[str, bytes]:
    return render_site(corpus_out / "tei", corpus_out / "report")


@pytest.fixture(scope="module")
def docs(site: dict[str, bytes]) -> dict[str, html.HtmlElement]:
    return {path: html.fromstring(data) for path, data in site.items() if path.endswith(".html")}


def _edition(corpus_out: Path) -> etree._ElementTree:
    return etree.parse(str(corpus_out / "tei" / "edition.xml"))


def test_every_page_exists(site: dict[str, bytes], corpus_out: Path) -> None:
    edition = _edition(corpus_out)
    works = edition.xpath("//tei:body/tei:div[@type='work']/@corresp", namespaces=TEI_NS)
    witnesses = edition.xpath("//tei:listWit/tei:witness/@xml:id", namespaces=TEI_NS)
    expected = {"index.html", "flags.html", "synopsis.html", "assets/site.css", "assets/site.js"}
    expected |= {f"works/{w.lstrip('#')}.html" for w in works}
    expected |= {f"witnesses/{w}.html" for w in witnesses}
    assert len(works) >= 4 and len(witnesses) == 5
    assert expected <= set(site)
    assert all(site[p] for p in expected)


def _ids(doc: html.HtmlElement) -> set[str]:
    return {el.get("id") for el in doc.iter() if isinstance(el.tag, str) and el.get("id")}


def test_every_link_resolves_to_a_file_and_an_anchor(docs: dict[str, html.HtmlElement]) -> None:
    ids = {path: _ids(doc) for path, doc in docs.items()}
    checked = 0
    for path, doc in docs.items():
        for el in doc.iter():
            if not isinstance(el.tag, str):
                continue
            for attr in ("href", "src"):
                link = el.get(attr)
                if link is None:
                    continue
                parts = urlsplit(link)
                assert not parts.scheme and not parts.netloc, f"{path}: external link {link}"
                target = path
                if parts.path:
                    target = str(PurePosixPath(path).parent / parts.path)
                    target = str(PurePosixPath(*[p for p in PurePosixPath(target).parts]))
                    while "/../" in f"/{target}":
                        target = re.sub(r"(^|/)[^/]+/\.\./", r"\1", target, count=1)
                    assert target in docs or target.startswith("assets/"), f"{path}: {link}"
                if parts.fragment:
                    assert unquote(parts.fragment) in ids[target], f"{path}: {link}"
                checked += 1
    assert checked > 2000


def test_no_reference_to_outside_resources(site: dict[str, bytes],
                                           docs: dict[str, html.HtmlElement]) -> None:
    for path, doc in docs.items():
        for el in doc.iter():
            if not isinstance(el.tag, str):
                continue
            for name, value in el.attrib.items():
                if name in ("href", "src", "action", "srcset", "data", "poster", "style"):
                    assert not re.search(r"(?i)(https?:)?//", value), f"{path}: {name}={value}"
        assert doc.xpath("count(//link[@rel='stylesheet'])") == 1
        assert not doc.xpath("//iframe | //object | //embed | //img | //video | //audio")
    for asset in ("assets/site.css", "assets/site.js"):
        text = site[asset].decode("utf-8")
        assert not re.search(r"https?://|@import|url\(\s*['\"]?(?!data:)", text), asset
        assert "fetch(" not in text and "XMLHttpRequest" not in text


def test_render_is_deterministic(corpus_out: Path, site: dict[str, bytes]) -> None:
    again = render_site(corpus_out / "tei", corpus_out / "report")
    assert again == site


def test_assets_ship_with_the_package() -> None:
    assert style_asset("site.css").read_text(encoding="utf-8").strip()
    assert (template_dir() / "site.js").is_file()
    for name in ("base.html", "index.html", "work.html", "witness.html", "synopsis.html",
                 "flags.html"):
        assert (template_dir() / name).is_file(), name


def test_reading_view_marks_every_app_with_its_readings(corpus_out: Path,
                                                       docs: dict[str, html.HtmlElement]) -> None:
    edition = _edition(corpus_out)
    for work in edition.xpath("//tei:body/tei:div[@type='work']", namespaces=TEI_NS):
        page = docs[f"works/{work.get('corresp').lstrip('#')}.html"]
        ids = _ids(page)
        for app in work.iterfind(".//tei:app", TEI_NS):
            ident = app.get("{http://www.w3.org/XML/1998/namespace}id")
            mark = page.get_element_by_id(ident)
            assert mark.get("aria-expanded") == "false"
            assert mark.get("aria-controls") == f"e-{ident}" and f"e-{ident}" in ids
            assert page.get_element_by_id(f"e-{ident}").get("role") == "dialog"
            shown = {rd.get("data-wit"): rd.text_content() for rd in mark.find_class("rd")}
            for rdg in app.iterfind("tei:rdg", TEI_NS):
                wit = " ".join(w.lstrip("#") for w in rdg.get("wit").split())
                text = " ".join("".join(rdg.itertext()).split())
                assert wit in shown and (not text or text in " ".join(shown[wit].split()))
        for choice in work.iterfind(".//tei:choice", TEI_NS):
            sic = "".join(choice.find("tei:sic", TEI_NS).itertext())
            assert sic.split()[0] in page.text_content()
    marks = docs["works/C.html"].find_class("mark")
    izvestia = docs["works/C.html"].get_element_by_id("v-68661b")
    assert [rd.text_content() for rd in izvestia.find_class("rd")] == ["Izvestia,", "Isvestia,"]
    assert len(marks) >= 40


def test_every_paragraph_links_to_its_source_line(corpus_out: Path,
                                                  docs: dict[str, html.HtmlElement]) -> None:
    edition = _edition(corpus_out)
    for p in edition.xpath("//tei:body//tei:p[@n]", namespaces=TEI_NS):
        wit, line = p.get("corresp").lstrip("#"), p.get("n")
        work = p.xpath("ancestor::tei:div[@type='work']/@corresp", namespaces=TEI_NS)[0]
        block = docs[f"works/{work.lstrip('#')}.html"].get_element_by_id(f"{wit}-{line}")
        src = block.find_class("src")[0]
        assert src.get("href") == f"../witnesses/{wit}.html#L{line}"


def test_witness_view_anchors_every_source_line(corpus_out: Path,
                                                docs: dict[str, html.HtmlElement]) -> None:
    for path in sorted((corpus_out / "tei").glob("0*.xml")):
        tree = etree.parse(str(path))
        siglum = tree.xpath("string(//tei:publicationStmt/tei:p)", namespaces=TEI_NS).split()[1]
        page = _ids(docs[f"witnesses/{siglum}.html"])
        lines = tree.xpath("//tei:text//tei:lb/@n", namespaces=TEI_NS)
        assert lines and {f"L{n}" for n in lines} <= page, path.name


def test_boilerplate_is_kept_muted_and_hidden(docs: dict[str, html.HtmlElement],
                                              site: dict[str, bytes]) -> None:
    reading = docs["works/C.html"]
    furn = reading.find_class("furn")
    assert furn and any("Revolution Betrayed: Chapter 8" in f.text_content() for f in furn)
    assert reading.get_element_by_id("show-furn").get("type") == "checkbox"
    assert docs["witnesses/C.html"].find_class("furn")
    css = site["assets/site.css"].decode()
    assert re.search(r"^\.furn \{ display: none; \}", css, re.M)


def test_anomalies_and_lacunae_are_shown_where_they_occur(
        corpus_out: Path, docs: dict[str, html.HtmlElement]) -> None:
    reading = docs["works/C.html"]
    notes = reading.find_class("flagnote")
    text = " ".join(n.text_content() for n in notes)
    rows = (corpus_out / "report" / "structure.jsonl").read_text().splitlines()
    for row in map(json.loads, rows):
        assert row["message"] in text, row["id"]
    lacuna = reading.get_element_by_id("v-edcf66")
    assert "c-lacuna" in lacuna.get("class")
    assert "[lacuna: " in lacuna.text_content()


def test_witness_switch_data_and_coverage(docs: dict[str, html.HtmlElement]) -> None:
    page = docs["works/C.html"]
    options = [o.get("value") for o in page.get_element_by_id("wit-switch").iter("option")]
    assert options == ["", "C", "D"]
    assert page.get_element_by_id("C-4").get("data-lacks") == "D"
    assert page.get_element_by_id("C-2749").get("data-lacks") is None
    assert page.find_class("absent-note")


def test_corruptions_list_has_every_flag_with_its_links(corpus_out: Path,
                                                        docs: dict[str, html.HtmlElement]) -> None:
    page = docs["flags.html"]
    lines = (corpus_out / "report" / "flags.jsonl").read_text().splitlines()
    flags = [json.loads(x) for x in lines]
    rows = page.xpath("//table[@id='flags-table']/tbody/tr")
    assert len(rows) == len(flags)
    for flag in flags:
        row = page.get_element_by_id(flag["id"])
        assert row.get("data-cause") == flag["cause"] and row.get("data-witness") == flag["witness"]
        hrefs = [a.get("href") for a in row.iter("a")]
        assert f"witnesses/{flag['witness']}.html#L{flag['line']}" in hrefs
        if flag["variant"].startswith("v-"):
            assert any(h.endswith(f"#{flag['variant']}") for h in hrefs), flag["id"]
        assert any(h.startswith("works/") for h in hrefs), flag["id"]


def test_home_page_lists_works_witnesses_findings_and_flags(
        corpus_out: Path, docs: dict[str, html.HtmlElement]) -> None:
    page = docs["index.html"]
    text = page.text_content()
    for path in sorted(SOURCES.glob("*.txt")):
        assert path.name in text
    assert "Revolution Betrayed" in text and "Leon Trotsky" in text and "January 1941" in text
    hrefs = {a.get("href") for a in page.iter("a")}
    assert "synopsis.html#par-C2654-D6" in hrefs and "synopsis.html#quo-C1888-A101" in hrefs
    assert "flags.html?cause=ocr&status=open" in hrefs


def test_synopsis_aligns_the_parallel_and_links_quotations_both_ways(
        docs: dict[str, html.HtmlElement]) -> None:
    page = docs["synopsis.html"]
    parallel = page.get_element_by_id("par-C2654-D6")
    cells = parallel.find_class("syn-cell")
    left = " ".join(c.text_content() for c in cells[0::2])
    right = " ".join(c.text_content() for c in cells[1::2])
    assert "Isvestia," in left and "Izvestia," in right and "[lacuna: " in left
    quotation = page.get_element_by_id("quo-C1888-A101")
    assert quotation.find_class("diff")
    back = [a.get("href") for a in docs["works/A.html"].find_class("xref")[0].iter("a")]
    assert any(h.startswith("../synopsis.html#quo-") for h in back)


def _build(tmp_path: Path, text: str) -> Path:
    src = tmp_path / "sources"
    src.mkdir()
    (src / "evil.txt").write_text(text, encoding="utf-8")
    (src / "article.txt").write_bytes((SOURCES / "004_90960ef981d27cfa.txt").read_bytes())
    result = CliRunner().invoke(main, ["-q", "build", str(src), "-o", str(tmp_path / "out"),
                                       "--no-validate"])
    assert result.exit_code in (0, 1), result.output
    return tmp_path / "out"


EVIL = ("The Evil Witness\n\nA paragraph of prose that holds <script>alert(1)</script> in the "
        "middle of a sentence, and goes on for a while so that it reads as prose.\n\n"
        "Another paragraph with a stray <b> tag that never closes, and an ampersand & a "
        "less-than < sign, written out in full as a sentence.\n")


def _assert_inert(files: dict[str, bytes]) -> None:
    for path, data in files.items():
        if not path.endswith(".html"):
            continue
        text = data.decode("utf-8")
        assert "<script>alert" not in text and "<b>" not in text, path
        doc = html.fromstring(data)
        scripts = doc.xpath("//script")
        assert len(scripts) == 2 and all(not s.text or "alert" not in s.text for s in scripts)
        assert not doc.xpath("//b[contains(., 'tag')]")


def test_a_witness_holding_markup_shows_it_as_text(tmp_path: Path) -> None:
    out = _build(tmp_path, EVIL)
    files = render_site(out / "tei", out / "report")
    _assert_inert(files)
    page = next(data for path, data in files.items()
                if path.startswith("witnesses/") and b"<dd><code>evil.txt</code>" in data)
    shown = html.fromstring(page).text_content()
    assert "<script>alert(1)</script>" in shown and "stray <b> tag" in shown


def test_markup_in_every_tei_slot_is_escaped(tmp_path: Path) -> None:
    """A hand-made edition with markup-like text in lemma, reading, sic, corr, evidence,
    heading, title, note, furniture and gap: none of it becomes an element."""
    bad = "&lt;script&gt;alert(1)&lt;/script&gt; &lt;b&gt;"
    tei = tmp_path / "tei"
    tei.mkdir()
    ns = 'xmlns="http://www.tei-c.org/ns/1.0"'
    (tei / "edition.xml").write_text(
        f'<TEI {ns}><teiHeader><fileDesc><titleStmt><title>T {bad}</title></titleStmt>'
        f'<sourceDesc><listWit><witness xml:id="X"><bibl><title>W {bad}</title>'
        f'<idno type="file">x.txt</idno><ptr type="witness-file" target="x.xml"/></bibl>'
        f'</witness><witness xml:id="Y"><bibl><title>Y</title></bibl></witness></listWit>'
        f'</sourceDesc></fileDesc></teiHeader><text><body>'
        f'<div type="work" corresp="#X"><head type="work">H {bad}</head>'
        f'<div type="chapter"><head corresp="#X" n="1">C {bad}</head>'
        f'<p corresp="#X" n="2">Text {bad} <app xml:id="v-1"><lem wit="#X">L {bad}</lem>'
        f'<rdg wit="#Y" cause="ocr" cert="0.5">R {bad}</rdg><note type="evidence">E {bad}'
        f'</note></app> more <choice><sic>S {bad}</sic><corr cert="0.6">K {bad}</corr>'
        f'</choice> end.</p><note type="authorial" corresp="#X" n="3">N {bad}</note>'
        f'</div></div></body></text></TEI>', encoding="utf-8")
    (tei / "x.xml").write_text(
        f'<TEI {ns}><teiHeader/><text><body><div type="chapter"><head><lb n="1"/>C {bad}'
        f'</head><p><lb n="2"/>Text {bad}<fw type="header"><lb n="3"/>F {bad}</fw>'
        f'<gap reason="illegible"><desc>G {bad}</desc></gap></p></div></body></text></TEI>',
        encoding="utf-8")
    report = tmp_path / "report"
    report.mkdir()
    (report / "flags.jsonl").write_text(json.dumps({
        "id": "f-1", "witness": "X", "source": "x.txt", "line": 2, "reading": "<script>",
        "suggestion": "<b>", "cause": "ocr", "type": "substantive", "confidence": 0.5,
        "against": [{"witness": "Y", "reading": "<b>"}], "status": "open", "variant": "",
        "evidence": "<script>alert(1)</script>"}) + "\n", encoding="utf-8")
    files = render_site(tei, report)
    _assert_inert(files)
    reading = html.fromstring(files["works/X.html"]).text_content()
    assert reading.count("<script>alert(1)</script>") >= 6


def test_render_command_rewrites_the_site_of_a_build(corpus_build, tmp_path: Path) -> None:
    """`edition render -o OUT` renders an existing build; without one it is a usage error."""
    import shutil

    from click.testing import CliRunner

    from edition.cli import main

    out = tmp_path / "out"
    shutil.copytree(corpus_build.out / "tei", out / "tei")
    shutil.copytree(corpus_build.out / "report", out / "report")
    result = CliRunner().invoke(main, ["render", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "html" / "works" / "C.html").read_bytes() == (
        corpus_build.out / "html" / "works" / "C.html").read_bytes()
    missing = CliRunner().invoke(main, ["render", "-o", str(tmp_path / "none")])
    assert missing.exit_code == 2 and "edition build" in missing.stderr
