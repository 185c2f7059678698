"""`edition review`: the JSON API, its defences, and a crash of the server (SIGKILL)."""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from edition.review.app import make_server
from edition.review.store import DecisionStore, default_path

EVIL = "<script>alert('x')</script>"


def copy_output(corpus_build, dest: Path) -> Path:
    out = dest / "output"
    shutil.copytree(corpus_build.out, out, ignore=shutil.ignore_patterns("review"))
    return out


def add_evil_flag(out: Path) -> None:
    path = out / "report" / "flags.jsonl"
    first = json.loads(path.read_text(encoding="utf-8").splitlines()[0])
    evil = dict(first, id="f-evil01", reading=EVIL, suggestion="<b>bold</b>", confidence=0.99,
                context=f'"><img src=x onerror=alert(1)> [{EVIL}] &amp; after', line=1)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(evil) + "\n")


class Client:
    """Raw HTTP (http.client sends paths exactly as given, `..` included)."""

    def __init__(self, port: int, token: str = "") -> None:
        self.port = port
        self.token = token

    def request(self, method: str, path: str, body: Any = None, *, token: bool = True,
                headers: dict[str, str] | None = None, raw: bytes | None = None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        head = {"Host": f"127.0.0.1:{self.port}"}
        data = raw
        if body is not None:
            data = json.dumps(body).encode()
        if data is not None:
            head["Content-Type"] = "application/json"
        if token and self.token:
            head["X-CSRF-Token"] = self.token
        head.update(headers or {})
        conn.request(method, path, body=data, headers=head)
        res = conn.getresponse()
        payload = res.read()
        conn.close()
        ctype = res.getheader("Content-Type") or ""
        value = json.loads(payload) if ctype.startswith("application/json") else payload
        return res.status, value, res

    def get(self, path: str, **kw: Any):
        return self.request("GET", path, **kw)

    def post(self, path: str, body: Any = None, **kw: Any):
        return self.request("POST", path, body, **kw)


@pytest.fixture(scope="module")
def served(corpus_build, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Client]:
    out = copy_output(corpus_build, tmp_path_factory.mktemp("review"))
    add_evil_flag(out)
    store = DecisionStore(default_path(out))
    server = make_server(out, store, port=0, reviewer='Ada "><script>')
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    client = Client(server.server_address[1], server.app.token)
    client.out = out  # type: ignore[attr-defined]
    yield client
    server.shutdown()
    server.server_close()
    store.close()


def test_page_carries_token_escapes_reviewer_and_sets_headers(served: Client) -> None:
    status, page, res = served.get("/")
    assert status == 200
    text = page.decode()
    assert f'content="{served.token}"' in text
    assert "<script>" not in text.split("<body>")[0].replace('<script src="/static/review.js" '
                                                            "defer></script>", "")
    assert "Ada &quot;&gt;&lt;script&gt;" in text
    assert "default-src 'none'" in res.getheader("Content-Security-Policy")
    assert res.getheader("X-Content-Type-Options") == "nosniff"
    script = served.get("/static/review.js")[1].decode()
    assert "innerHTML" not in script and "insertAdjacentHTML" not in script


def test_list_filter_and_order(served: Client) -> None:
    status, data, _ = served.get("/api/flags")
    assert status == 200 and data["count"] == data["progress"]["total"] == len(data["flags"])
    confs = [f["confidence"] for f in data["flags"]]
    assert confs == sorted(confs, reverse=True)
    _, ocr, _ = served.get("/api/flags?cause=ocr&witness=C&status=open")
    assert ocr["count"] > 0
    assert all(f["cause"] == "ocr" and f["witness"] == "C" and f["review"] == "open"
               for f in ocr["flags"])
    for bad in ("/api/flags?status=maybe", "/api/flags?colour=red"):
        status, err, _ = served.get(bad)
        assert status == 400 and err["error"]


def test_get_decide_and_undo(served: Client) -> None:
    flag = served.get("/api/flags?cause=ocr")[1]["flags"][0]
    status, one, _ = served.get(f"/api/flags/{flag['id']}")
    assert status == 200 and one["id"] == flag["id"] and "history" in one
    assert one["links"]["witness"].startswith("/edition/witnesses/")
    status, d1, _ = served.post(f"/api/flags/{flag['id']}/decision",
                                {"status": "accepted", "reviewer": "Ada", "note": "clear"})
    assert status == 201 and d1["status"] == "accepted" and d1["note"] == "clear"
    status, d2, _ = served.post(f"/api/flags/{flag['id']}/decision",
                                {"status": "emended", "emendation": "X", "reviewer": "Bo"})
    assert status == 201 and d2["emendation"] == "X"
    status, d3, _ = served.post(f"/api/flags/{flag['id']}/undo", {"reviewer": "Bo"})
    assert status == 201 and d3["status"] == "accepted" and "undo of" in d3["note"]
    one = served.get(f"/api/flags/{flag['id']}")[1]
    assert one["review"] == "accepted" and [d["id"] for d in one["history"]] == [
        d1["id"], d2["id"], d3["id"]]
    all_ids = [d["id"] for d in served.get("/api/decisions")[1]["decisions"]]
    assert {d1["id"], d2["id"], d3["id"]} <= set(all_ids)
    other = served.get("/api/flags?status=open")[1]["flags"][-1]
    served.post(f"/api/flags/{other['id']}/decision", {"status": "rejected", "reviewer": "A"})
    status, err, _ = served.post(f"/api/flags/{other['id']}/undo", {"reviewer": "A"})
    assert status == 409 and "nothing to undo" in err["error"]


@pytest.mark.parametrize(("body", "raw", "code"), [
    ({"status": "maybe", "reviewer": "A"}, None, 400),
    ({"status": "emended", "reviewer": "A"}, None, 400),
    ({"status": "accepted", "emendation": "x", "reviewer": "A"}, None, 400),
    ({"status": "accepted", "reviewer": 5}, None, 400),
    ({"status": "accepted", "note": "x" * 5000, "reviewer": "A"}, None, 400),
    (None, b"{not json", 400),
    (None, b"[1, 2]", 400),
    (None, b'{"status": "accepted", "note": "' + b"x" * 70_000 + b'"}', 413),
    (None, b"[" * 30_000 + b"]" * 30_000, 400),  # once a traceback and a dropped connection
])
def test_bad_input_is_refused(served: Client, body: Any, raw: bytes | None, code: int) -> None:
    flag = served.get("/api/flags")[1]["flags"][0]
    before = len(served.get("/api/decisions")[1]["decisions"])
    status, err, _ = served.post(f"/api/flags/{flag['id']}/decision", body, raw=raw)
    assert status == code and err["error"]
    assert len(served.get("/api/decisions")[1]["decisions"]) == before


def test_unknown_ids_and_routes(served: Client) -> None:
    body = {"status": "accepted", "reviewer": "A"}
    assert served.post("/api/flags/f-nope00/decision", body)[0] == 404
    assert served.get("/api/flags/..%2f..%2fetc")[0] == 404
    assert served.get("/api/nothing")[0] == 404
    assert served.request("DELETE", "/api/decisions")[0] == 405


def test_csrf_host_and_origin(served: Client) -> None:
    flag = served.get("/api/flags")[1]["flags"][0]
    url, body = f"/api/flags/{flag['id']}/decision", {"status": "rejected", "reviewer": "A"}
    assert served.post(url, body, token=False)[0] == 403
    assert served.post(url, body, headers={"X-CSRF-Token": "guess"})[0] == 403
    assert served.post(url, body, headers={"Origin": "http://evil.example"})[0] == 403
    for host in ("evil.example", f"evil.example:{served.port}", "127.0.0.1:1", ""):
        status, _err, _ = served.get("/api/flags", headers={"Host": host})
        assert status == 403, host
    assert served.get("/", headers={"Host": f"localhost:{served.port}"})[0] == 200


@pytest.mark.parametrize("path", [
    "/edition/../report/flags.jsonl", "/edition/%2e%2e/report/flags.jsonl",
    "/edition/%2E%2E%2Freport%2Fflags.jsonl", "/edition/..%5creport%5cflags.jsonl",
    "/edition/works/../../report/flags.jsonl", "/edition/%252e%252e/report/flags.jsonl",
    "/edition//etc/passwd", "/static/../report/flags.jsonl", "/static/review.html",
    "/edition/.%2e/review/decisions.sqlite",
])
def test_no_path_leaves_the_served_folders(served: Client, path: str) -> None:
    status, body, _ = served.get(path)
    assert status == 404, path
    assert b"evidence" not in (body if isinstance(body, bytes) else json.dumps(body).encode())


def test_edition_is_served(served: Client) -> None:
    status, page, res = served.get("/edition/flags.html")
    assert status == 200 and b"<table" in page
    assert res.getheader("Content-Type").startswith("text/html")
    assert served.get("/edition/")[0] == 200


def test_evil_flag_is_data_not_markup(served: Client) -> None:
    status, flag, res = served.get("/api/flags/f-evil01")
    assert status == 200 and flag["reading"] == EVIL
    assert res.getheader("Content-Type").startswith("application/json")
    assert EVIL not in served.get("/")[1].decode()


def test_bulk_preview_then_apply(served: Client) -> None:
    body = {"filter": {"cause": "junk", "witness": "C"}, "status": "accepted",
            "reviewer": "Bulk", "note": "page furniture"}
    before = len(served.get("/api/decisions")[1]["decisions"])
    status, preview, _ = served.post("/api/bulk?preview=1", body)
    assert status == 200 and preview["preview"] and preview["count"] > 0
    assert len(served.get("/api/decisions")[1]["decisions"]) == before
    assert {f["id"] for f in preview["flags"]} == {
        f["id"] for f in served.get("/api/flags?cause=junk&witness=C&status=open")[1]["flags"]}
    status, done, _ = served.post("/api/bulk", body)
    assert status == 201 and done["count"] == preview["count"]
    assert all(d["reviewer"] == "Bulk" and d["note"] == "page furniture"
               for d in done["decisions"])
    assert served.get("/api/flags?cause=junk&witness=C&status=open")[1]["count"] == 0
    for bad in ({"status": "accepted"}, {"filter": {"colour": "red"}, "status": "accepted"},
                {"filter": {"cause": "ocr"}, "status": "emended"}):
        assert served.post("/api/bulk?preview=1", bad)[0] == 400
    assert served.post("/api/bulk", body, token=False)[0] == 403


# -- the crash test: SIGKILL the server in a burst of decisions ---------------------------
def start_server(out: Path) -> tuple[subprocess.Popen, Client]:
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    proc = subprocess.Popen(
        [sys.executable, "-c", "from edition.cli import main; main()", "review", "-o",
         str(out), "--port", "0", "--reviewer", "crash"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    found = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
    assert found, line
    client = Client(int(found.group(1)))
    client.token = client.get("/api/session")[1]["csrf_token"]
    return proc, client


def test_sigkill_loses_no_acknowledged_decision(corpus_build, tmp_path: Path) -> None:
    out = copy_output(corpus_build, tmp_path)
    proc, client = start_server(out)
    flags = client.get("/api/flags")[1]["flags"]
    acked: list[dict[str, Any]] = []
    killer: threading.Timer | None = None
    try:
        for i in range(100_000):
            flag = flags[i % len(flags)]
            status = ("accepted", "rejected")[i % 2]
            try:
                code, d, _ = client.post(f"/api/flags/{flag['id']}/decision",
                                         {"status": status, "reviewer": f"r{i}"})
            except (OSError, http.client.HTTPException):
                break  # the server is gone: this one was never acknowledged
            assert code == 201
            acked.append(d)
            if len(acked) == 60:
                killer = threading.Timer(0.05, os.kill, (proc.pid, signal.SIGKILL))
                killer.start()
    finally:
        if killer is not None:
            killer.join()
        proc.kill()
        proc.wait(timeout=10)
    assert len(acked) >= 60
    proc, client = start_server(out)
    try:
        stored = {d["id"]: d for d in client.get("/api/decisions")[1]["decisions"]}
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=10)
    for d in acked:
        assert stored.get(d["id"]) == d
    with sqlite3.connect(default_path(out)) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    print(f"{len(acked)} acknowledged before SIGKILL, {len(stored)} stored, all present")


def test_idle_connections_are_closed_and_workers_capped(
        served: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    """Idle connections cannot pile up threads: each is closed after the idle timeout, and
    no more requests are served at once than the cap (the others wait in the queue)."""
    import socket

    from edition.review import app

    assert app.Handler.timeout == app.IDLE_SECONDS > 0 and app.MAX_WORKERS >= 8
    idle = [socket.create_connection(("127.0.0.1", served.port)) for _ in range(3)]
    try:
        assert served.get("/api/session")[0] == 200  # three idle clients block nobody
        before = threading.active_count()
        more = [socket.create_connection(("127.0.0.1", served.port))
                for _ in range(app.MAX_WORKERS + 8)]
        time.sleep(0.5)
        assert threading.active_count() - before <= app.MAX_WORKERS
        for sock in more:
            sock.close()
    finally:
        for sock in idle:
            sock.close()


def test_json_depth_is_counted_outside_strings() -> None:
    from edition.review.app import _nesting

    assert _nesting(b'{"a": [1, {"b": []}]}') == 4
    assert _nesting(b'{"note": "[[[[ {{ \\" [["}') == 1
