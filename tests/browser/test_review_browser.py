"""`edition review` in a real browser: three flags reviewed with the keyboard, then rebuilt.

Debian's chromium (/usr/bin/chromium) driven by playwright; never `playwright install`.
Screenshots go to $EDITION_SHOTS when set (else a temporary folder), to be looked at.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from edition.cli import main
from edition.review.app import make_server
from edition.review.store import DecisionStore, default_path

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--headless", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]
EVIL = "<img src=x onerror=\"window.pwned=1\"><script>window.pwned=2</script>"
EMENDATION = "Emended by keyboard"

if not CHROMIUM.exists():
    pytest.skip("headless browser tests need Debian's chromium at /usr/bin/chromium "
                "(scripts/setup-system.sh installs it)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api",
                               reason="the playwright Python package is not installed")


def statuses(flags_html: str) -> dict[str, str]:
    return dict(re.findall(r'<tr id="([\w-]+)"[^>]*data-status="(\w+)"', flags_html))


def test_review_three_flags_by_keyboard_then_rebuild(corpus_build, tmp_path: Path) -> None:
    root = tmp_path / "project"
    shutil.copytree(corpus_build.root, root, ignore=shutil.ignore_patterns("review"))
    out = root / "output"
    flags_path = out / "report" / "flags.jsonl"
    first = json.loads(flags_path.read_text(encoding="utf-8").splitlines()[0])
    evil = dict(first, id="f-evil01", reading=EVIL, confidence=0.01, suggestion=EVIL,
                context=f"before [{EVIL}] after", evidence=EVIL)
    with flags_path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(evil) + "\n")

    store = DecisionStore(default_path(out))
    server = make_server(out, store, port=0, reviewer="Keyboard Reviewer")
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    shots = Path(os.environ.get("EDITION_SHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    try:
        # the OCR queue: its corrections are printed in the reading text
        queue = sorted((f for f in server.app.flags if f["cause"] == "ocr"),
                       key=lambda f: (-f["confidence"], f["cause"], f["witness"], f["line"],
                                      f["id"]))
        ids = [f["id"] for f in queue[:3]]
        with sync_api.sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
            page = browser.new_page(viewport={"width": 1300, "height": 850})
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("dialog", lambda d: (errors.append(f"dialog: {d.message}"), d.dismiss()))
            page.on("request", lambda r: None if r.url.startswith(url)
                    else errors.append(f"outside request: {r.url}"))
            page.goto(url)
            page.wait_for_selector("body[data-ready='1']")
            assert page.text_content("#progress-text").startswith("0 / ")
            page.select_option("#f-cause", "ocr")
            page.wait_for_function("id => document.getElementById('c-id').textContent === id",
                                   arg=ids[0])
            page.focus("body")
            for flag_id, key in zip(ids, "are", strict=True):
                assert page.text_content("#c-id") == flag_id
                page.keyboard.press(key)
                if key == "e":
                    page.wait_for_selector("#emendation", state="visible")
                    page.keyboard.type(EMENDATION)
                    page.keyboard.press("Enter")
                page.wait_for_function(
                    "id => document.getElementById('message').textContent.includes(id + ':')"
                    " && document.getElementById('c-id').textContent !== id", arg=flag_id)
            assert page.text_content("#progress-text").startswith("3 / ")
            page.screenshot(path=str(shots / "review-after-three.png"))

            page.select_option("#f-cause", "")
            page.wait_for_selector('#queue li[data-id="f-evil01"]')
            page.click('#queue li[data-id="f-evil01"]')
            page.wait_for_function("document.getElementById('c-id').textContent === 'f-evil01'")
            card = page.text_content("#card")
            assert EVIL in card  # shown as text
            assert page.evaluate("window.pwned") is None
            assert page.locator("#card img, #card script").count() == 0
            page.screenshot(path=str(shots / "review-escaped.png"))
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
        store.close()
    assert not errors, errors

    decided = {d.flag_id: d for d in DecisionStore(default_path(out)).history()}
    assert [decided[i].status for i in ids] == ["accepted", "rejected", "emended"]
    assert decided[ids[2]].emendation == EMENDATION
    assert {d.reviewer for d in decided.values()} == {"Keyboard Reviewer"}

    previous = Path.cwd()
    os.chdir(root)
    try:
        result = CliRunner().invoke(main, ["-q", "build", "--no-validate"])
    finally:
        os.chdir(previous)
    assert result.exit_code in (0, 1), result.output
    rebuilt = statuses((out / "html" / "flags.html").read_text(encoding="utf-8"))
    assert [rebuilt.get(i) for i in ids] == ["accepted", "rejected", "emended"]
    assert sum(1 for s in rebuilt.values() if s != "open") == 3
    pages = "".join(p.read_text(encoding="utf-8") for p in (out / "html").rglob("*.html"))
    assert EMENDATION in pages
