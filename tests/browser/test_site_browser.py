"""The HTML edition in a real browser: Debian's headless chromium driven by playwright.

Never `playwright install`: the system chromium (/usr/bin/chromium, installed by
scripts/setup-system.sh) is launched directly. Pages load from file:// with no network.
Screenshots go to $EDITION_SHOTS when set (else a temporary folder), to be looked at.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from edition.render.site import render_site

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--headless", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]

if not CHROMIUM.exists():
    pytest.skip("headless browser tests need Debian's chromium at /usr/bin/chromium "
                "(scripts/setup-system.sh installs it)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api",
                               reason="the playwright Python package is not installed")


@pytest.fixture(scope="module")
def site(corpus_build, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = corpus_build.out
    root = tmp_path_factory.mktemp("html")
    for rel, data in render_site(out / "tei", out / "report").items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return root


@pytest.fixture(scope="module")
def flags(corpus_build) -> list[dict]:
    text = (corpus_build.out / "report" / "flags.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = os.environ.get("EDITION_SHOTS")
    path = Path(folder) if folder else tmp_path_factory.mktemp("shots")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="module")
def browser() -> Iterator:
    with sync_api.sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield instance
        instance.close()


class Page:
    """A page with its console errors and failed requests collected."""

    def __init__(self, browser, site: Path, width: int = 1300, height: int = 900,
                 js: bool = True) -> None:
        self.context = browser.new_context(viewport={"width": width, "height": height},
                                           java_script_enabled=js)
        self.page = self.context.new_page()
        self.site = site
        self.errors: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("requestfailed", lambda r: self.errors.append(f"failed: {r.url}"))
        self.page.on("request", lambda r: None if r.url.startswith(("file:", "data:"))
                     else self.errors.append(f"network: {r.url}"))

    def open(self, rel: str):
        self.page.goto((self.site / rel.split("?")[0].split("#")[0]).as_uri()
                       + rel[len(rel.split("?")[0].split("#")[0]):], wait_until="load")
        return self.page

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def tab(browser, site: Path) -> Iterator[Page]:
    page = Page(browser, site)
    yield page
    page.close()


def test_every_page_loads_without_console_errors(browser, site: Path, shots: Path) -> None:
    pages = sorted(str(p.relative_to(site)) for p in site.rglob("*.html"))
    assert len(pages) >= 12
    view = Page(browser, site)
    try:
        for rel in pages:
            page = view.open(rel)
            assert page.locator("h1").count() >= 1, rel
            assert page.evaluate("document.body.offsetHeight") > 200, rel
            source = (site / rel).read_text(encoding="utf-8")
            for name in ("p", "div", "a", "section", "aside", "li", "td"):
                # the browser's DOM holds the elements as written: nothing auto-closed
                written = len(re.findall(rf"<{name}[\s>]", source))
                assert page.locator(name).count() == written, (rel, name)
            page.screenshot(path=str(shots / (rel.replace("/", "_") + ".png")))
        assert view.errors == []
    finally:
        view.close()


def test_apparatus_entry_opens_by_click_and_closes_with_escape(tab: Page, shots: Path) -> None:
    page = tab.open("works/C.html#C-2749")
    mark, entry = page.locator("#v-68661b"), page.locator("#e-v-68661b")
    assert not entry.is_visible()
    mark.click()
    assert entry.is_visible() and mark.get_attribute("aria-expanded") == "true"
    text = entry.inner_text()
    assert "Izvestia," in text and "Isvestia," in text
    assert "ocr" in text and "0.91" in text and "open" in text and "f-aa6470" in text
    readings = entry.locator(".readings li")
    assert readings.count() == 1 and "C" in readings.first.locator(".sig").inner_text()
    page.screenshot(path=str(shots / "entry-click.png"))
    page.keyboard.press("Escape")
    assert not entry.is_visible() and mark.get_attribute("aria-expanded") == "false"
    assert page.evaluate("document.activeElement.id") == "v-68661b"
    assert tab.errors == []


def test_apparatus_entry_opens_from_the_keyboard(tab: Page) -> None:
    page = tab.open("works/C.html#C-3344")
    mark, entry = page.locator("#v-7e2a40"), page.locator("#e-v-7e2a40")
    mark.focus()
    page.keyboard.press("Enter")
    assert entry.is_visible()
    assert page.evaluate("document.activeElement.id") == "e-v-7e2a40"
    assert "presenceo" in entry.locator(".readings").inner_text()
    page.keyboard.press("Escape")
    assert not entry.is_visible()
    page.keyboard.press("Space")
    assert entry.is_visible() and mark.get_attribute("aria-expanded") == "true"
    entry.locator(".entry-close").click()
    assert not entry.is_visible()
    page.keyboard.press("Enter")                      # focus is back on the mark
    entry.locator(".entry-close").focus()
    page.keyboard.press("Tab")                        # past the entry: on to the next mark
    assert not entry.is_visible()
    assert page.evaluate("document.activeElement.id") == "v-e39194"
    choice = page.locator(".mark.choice").first
    choice.focus()
    page.keyboard.press("Enter")
    assert page.locator(f"#{choice.get_attribute('aria-controls')}").is_visible()
    assert tab.errors == []


def test_witness_switch_shows_a_witness_reading(tab: Page, shots: Path) -> None:
    page = tab.open("works/C.html#C-2749")
    mark = page.locator("#v-68661b")
    assert mark.inner_text().strip() == "Izvestia,"
    page.select_option("#wit-switch", "C")
    assert mark.inner_text().strip() == "Isvestia,"
    assert "witness C" in page.locator("#wit-status").inner_text()
    page.screenshot(path=str(shots / "switch-C.png"))
    page.select_option("#wit-switch", "D")
    assert mark.inner_text().strip() == "Izvestia,"
    assert page.locator("#C-4").is_hidden()
    assert page.locator(".absent-note[data-wit='D']").first.is_visible()
    page.select_option("#wit-switch", "")
    assert page.locator("#C-4").is_visible()
    page.select_option("#wit-switch", "C")
    lacuna = page.locator("#v-edcf66")
    assert "[lacuna: " in lacuna.inner_text()
    assert tab.errors == []


def test_boilerplate_toggle_shows_the_furniture(tab: Page) -> None:
    page = tab.open("works/C.html")
    furn = page.locator(".furn", has_text="Revolution Betrayed: Chapter 8").first
    assert furn.is_hidden()
    page.locator("#show-furn").check()
    assert furn.is_visible()
    page = tab.open("witnesses/C.html#L39")   # a link into a page header reveals it
    assert page.locator("#show-furn").is_checked()
    assert page.locator(".furn:has(#L39)").is_visible()


def test_corruptions_list_filters_and_sorts(tab: Page, flags: list[dict], shots: Path) -> None:
    page = tab.open("flags.html")
    rows = page.locator("#flags-table tbody tr")
    assert rows.count() == len(flags)
    page.select_option("select[data-filter='cause']", "ocr")
    visible = page.locator("#flags-table tbody tr:not([hidden])")
    assert visible.count() == sum(f["cause"] == "ocr" for f in flags)
    page.select_option("select[data-filter='confidence']", "0.9")
    expected = sum(f["cause"] == "ocr" and f["confidence"] >= 0.9 for f in flags)
    assert visible.count() == expected
    assert f"{expected} of {len(flags)}" in page.locator("#flag-count").inner_text()
    page.screenshot(path=str(shots / "flags-filtered.png"))
    page.locator("button[type='reset']").click()
    page.wait_for_function(f"document.querySelectorAll('#flags-table tbody tr:not([hidden])')"
                           f".length === {len(flags)}")
    header = page.locator("th[data-key='confidence']")
    confidences = page.locator("#flags-table tbody tr td:nth-child(8)")
    header.locator("button").click()
    assert header.get_attribute("aria-sort") == "ascending"
    values = [float(v) for v in confidences.all_inner_texts()]
    assert values == sorted(values)
    header.locator("button").click()
    values = [float(v) for v in confidences.all_inner_texts()]
    assert values == sorted(values, reverse=True)
    page = tab.open("flags.html?cause=lacuna")
    assert visible.count() == sum(f["cause"] == "lacuna" for f in flags)
    assert tab.errors == []


def test_pages_read_without_javascript(browser, site: Path) -> None:
    view = Page(browser, site, js=False)
    try:
        page = view.open("works/C.html#C-2749")
        assert page.locator("#v-68661b").inner_text().strip() == "Izvestia,"
        assert page.locator("#e-v-68661b").is_visible()   # the apparatus after its paragraph
        assert page.locator(".wit-switch").is_hidden()
        page = view.open("flags.html")
        assert page.locator("#flags-table tbody tr:visible").count() > 50
    finally:
        view.close()


def test_phone_width_entry_is_a_bottom_sheet(browser, site: Path, shots: Path) -> None:
    view = Page(browser, site, width=390, height=800)
    try:
        page = view.open("works/C.html#C-2749")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.locator("#v-68661b").click()
        box = page.locator("#e-v-68661b").bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 391
        assert box["y"] + box["height"] <= 801
        page.screenshot(path=str(shots / "phone-entry.png"))
        page = view.open("synopsis.html#par-C2654-D6")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert view.errors == []
    finally:
        view.close()
