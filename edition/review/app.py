"""`edition review`: the local web app for reviewing flags, and the JSON API it uses.

Standard library only (`http.server.ThreadingHTTPServer`). Serves 127.0.0.1 unless told
otherwise, makes no outside connection, and defends itself as a local app must:

- the Host header must name this server (no DNS rebinding), on every request;
- state-changing requests carry the page's CSRF token in `X-CSRF-Token` (403 without);
  a cross-site `Origin` is refused; no CORS, so other sites cannot read any answer;
- every input is validated (body size, JSON shape, statuses, ids) -> 400 with a message;
- static files come only from the app's templates and OUTPUT/html (served at /edition/),
  with `..`, encoded or not, answered 404; the page renders data with textContent only.

A decision is acknowledged (201) only after `DecisionStore.decide` has committed it.
"""

from __future__ import annotations

import hmac
import html
import json
import mimetypes
import re
import secrets
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from ..errors import EditionError, UsageError
from .store import STATUSES, DecisionStore, load_flags, review_state

MAX_BODY = 64 * 1024
MAX_TEXT = 2000
REVIEW_STATUSES = ("open", *STATUSES)
FLAG_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
_ASSETS = {"review.js": "text/javascript", "review.css": "text/css"}
_CSP_APP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "connect-src 'self'; frame-src 'self'; form-action 'none'; base-uri 'none'; "
            "frame-ancestors 'none'")
_CSP_EDITION = ("default-src 'self' 'unsafe-inline' data:; connect-src 'none'; "
                "form-action 'none'; base-uri 'none'; frame-ancestors 'self'")


class ApiError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _template(name: str) -> bytes:
    return (resources.files("edition.review") / "templates" / name).read_bytes()


class ReviewApp:
    """The state behind the server: the build's flags, the store, the session's token."""

    def __init__(self, output: Path, store: DecisionStore, reviewer: str = "") -> None:
        self.output = Path(output)
        self.store = store
        self.reviewer = reviewer.strip()
        self.token = secrets.token_urlsafe(32)
        self.flags = load_flags(self.output)
        self.by_id = {f["id"]: f for f in self.flags}
        self.html_root = (self.output / "html").resolve()
        self.work_links = self._work_links()
        self.allowed_hosts: set[str] = set()
        self.lock = threading.Lock()  # undo reads then writes: one at a time

    def bind(self, host: str, port: int) -> None:
        names = {"127.0.0.1", "localhost", host, f"[{host}]" if ":" in host else host}
        self.allowed_hosts = {f"{name}:{port}".lower() for name in names}

    def _work_links(self) -> dict[str, str]:
        """flag id -> its place in the work (synoptic) view, as flags.html links it."""
        page = self.html_root / "flags.html"
        try:
            text = page.read_text(encoding="utf-8")
        except OSError:
            return {}
        links = {}
        for row in re.finditer(r'<tr id="([\w-]+)"[^>]*>(.*?)</tr>', text, re.DOTALL):
            found = re.search(r'href="(works/[\w.-]+\.html(?:#[\w-]+)?)"', row.group(2))
            if found:
                links[row.group(1)] = html.unescape(found.group(1))
        return links

    # -- views of the data ---------------------------------------------------------
    def state(self) -> Any:
        return review_state(self.flags, self.store)

    def flag_json(self, flag: dict[str, Any], state: Any) -> dict[str, Any]:
        decision = state.applied.get(flag["id"])
        row = {k: v for k, v in flag.items() if k not in ("status", "decision")}
        row["review"] = state.status(flag)
        row["decision"] = decision.to_json() if decision is not None else None
        links: dict[str, Any] = {}
        if self.html_root.is_dir():
            wit = flag.get("witness")
            links["witness"] = f"/edition/witnesses/{wit}.html#L{flag.get('line', '')}"
            if flag["id"] in self.work_links:
                links["work"] = "/edition/" + self.work_links[flag["id"]]
            links["against"] = {a.get("witness"): f"/edition/witnesses/{a.get('witness')}.html"
                                for a in flag.get("against") or [] if a.get("witness")}
            links["flags"] = f"/edition/flags.html#{flag['id']}"
        row["links"] = links
        return row

    def progress(self, state: Any) -> dict[str, int]:
        counts = dict.fromkeys(REVIEW_STATUSES, 0)
        for flag in self.flags:
            counts[state.status(flag)] += 1
        counts["total"] = len(self.flags)
        counts["decided"] = counts["total"] - counts["open"]
        return counts

    def select(self, state: Any, query: dict[str, Any]) -> list[dict[str, Any]]:
        status, cause, witness = query.get("status"), query.get("cause"), query.get("witness")
        if status is not None and status not in (*REVIEW_STATUSES, "decided"):
            raise ApiError(400, f"unknown status {status!r}: use one of "
                                f"{', '.join(REVIEW_STATUSES)} or decided")
        chosen = []
        for flag in self.flags:
            review = state.status(flag)
            if status == "decided" and review == "open":
                continue
            if status not in (None, "decided") and review != status:
                continue
            if cause is not None and flag.get("cause") != cause:
                continue
            if witness is not None and flag.get("witness") != witness:
                continue
            chosen.append(flag)
        chosen.sort(key=lambda f: (-float(f.get("confidence") or 0), str(f.get("cause")),
                                   str(f.get("witness")), int(f.get("line") or 0), f["id"]))
        return chosen

    def flag(self, flag_id: str) -> dict[str, Any]:
        if not FLAG_ID.match(flag_id) or flag_id not in self.by_id:
            raise ApiError(404, f"no flag {flag_id!r} in this build")
        return self.by_id[flag_id]

    # -- decisions -------------------------------------------------------------------
    def decide(self, flag: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
        status = _text(body, "status", required=True)
        if status not in STATUSES:
            raise ApiError(400, f"unknown status {status!r}: use one of {', '.join(STATUSES)}")
        reviewer = _text(body, "reviewer") or self.reviewer
        if not reviewer:
            raise ApiError(400, "a decision needs a reviewer")
        emendation = _text(body, "emendation")
        try:
            decision = self.store.decide(flag, status, reviewer, emendation=emendation,
                                         note=_text(body, "note"))
        except UsageError as exc:
            raise ApiError(400, str(exc).split("\n")[0]) from exc
        return decision.to_json()

    def undo(self, flag: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
        """Record the flag's previous decision again (history is never deleted)."""
        reviewer = _text(body, "reviewer") or self.reviewer
        if not reviewer:
            raise ApiError(400, "a decision needs a reviewer")
        with self.lock:
            history = self.store.history(flag["anchor"])
            if len(history) < 2:
                raise ApiError(409, "nothing to undo: a flag's first decision cannot be "
                                    "taken back (decide it again instead)")
            current, previous = history[-1], history[-2]
            note = f"undo of #{current.id} (restores #{previous.id})"
            decision = self.store.decide(flag, previous.status, reviewer,
                                         emendation=previous.emendation, note=note)
        return decision.to_json()

    def bulk(self, body: dict[str, Any], preview: bool) -> tuple[int, dict[str, Any]]:
        filt = body.get("filter")
        if not isinstance(filt, dict) or not filt:
            raise ApiError(400, "a bulk decision needs a non-empty 'filter' object "
                                "(cause, witness, status)")
        unknown = set(filt) - {"cause", "witness", "status"}
        if unknown:
            raise ApiError(400, f"unknown filter key(s): {', '.join(sorted(unknown))}")
        query = {k: _text(filt, k) for k in filt}
        query.setdefault("status", "open")
        status = _text(body, "status", required=True)
        if status not in ("accepted", "rejected"):
            raise ApiError(400, "a bulk decision is 'accepted' or 'rejected' (emend one by one)")
        chosen = self.select(self.state(), query)
        summary = [{k: f.get(k) for k in ("id", "witness", "line", "cause", "reading",
                                          "suggestion", "confidence")} for f in chosen]
        if preview:
            return 200, {"preview": True, "status": status, "count": len(chosen),
                         "flags": summary}
        if not (_text(body, "reviewer") or self.reviewer):
            raise ApiError(400, "a decision needs a reviewer")
        decisions = [self.decide(flag, {**body, "emendation": None}) for flag in chosen]
        return 201, {"preview": False, "status": status, "count": len(decisions),
                     "decisions": decisions}


def _text(obj: dict[str, Any], key: str, required: bool = False) -> str | None:
    value = obj.get(key)
    if value is None:
        if required:
            raise ApiError(400, f"missing {key!r}")
        return None
    if not isinstance(value, str):
        raise ApiError(400, f"{key!r} must be a string")
    if len(value) > MAX_TEXT or "\x00" in value:
        raise ApiError(400, f"{key!r} is too long or holds a NUL character")
    return value


class Handler(BaseHTTPRequestHandler):
    server_version = "edition-review"
    sys_version = ""
    app: ReviewApp

    def log_message(self, format: str, *args: Any) -> None:  # quiet: the CLI prints
        pass

    # -- plumbing ------------------------------------------------------------------
    def _send(self, status: int, body: bytes, ctype: str, csp: str = _CSP_APP,
              cache: str = "no-store") -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Content-Security-Policy", csp)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Cache-Control", cache)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, status: int, obj: Any) -> None:
        data = json.dumps(obj, ensure_ascii=False).encode("utf-8")
        self._send(status, data, "application/json; charset=utf-8")

    def _error(self, status: int, message: str) -> None:
        self._json(status, {"error": message, "status": status})

    def _host_ok(self) -> bool:
        host = (self.headers.get("Host") or "").strip().lower()
        return host in self.app.allowed_hosts

    def _dispatch(self, method: str) -> None:
        try:
            if not self._host_ok():
                raise ApiError(403, "unexpected Host header: use the address "
                                    "`edition review` printed")
            if method == "POST":
                self._check_post()
            self._route(method)
        except ApiError as exc:
            self._error(exc.status, str(exc))
        except EditionError as exc:
            self._error(500, str(exc).split("\n")[0])
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _check_post(self) -> None:
        origin = self.headers.get("Origin")
        if origin is not None and urlsplit(origin).netloc.lower() not in self.app.allowed_hosts:
            raise ApiError(403, "cross-origin request refused")
        token = self.headers.get("X-CSRF-Token") or ""
        if not hmac.compare_digest(token.encode(), self.app.token.encode()):
            raise ApiError(403, "missing or wrong X-CSRF-Token (reload the page)")

    def _body(self) -> dict[str, Any]:
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if ctype != "application/json":
            raise ApiError(415, "send the body as application/json")
        try:
            length = int(self.headers.get("Content-Length") or "")
        except ValueError as exc:
            raise ApiError(411, "a Content-Length is needed") from exc
        if length < 0 or length > MAX_BODY:
            raise ApiError(413, f"the body is limited to {MAX_BODY} bytes")
        raw = self.rfile.read(length)
        try:
            obj = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ApiError(400, f"the body is not JSON: {exc}") from exc
        if not isinstance(obj, dict):
            raise ApiError(400, "the body must be a JSON object")
        return obj

    def _query(self, query: str, allowed: set[str]) -> dict[str, str]:
        parsed = parse_qs(query, keep_blank_values=True)
        unknown = set(parsed) - allowed
        if unknown:
            raise ApiError(400, f"unknown parameter(s): {', '.join(sorted(unknown))}")
        return {k: v[-1] for k, v in parsed.items() if v and v[-1] != ""}

    # -- routes --------------------------------------------------------------------
    def _route(self, method: str) -> None:
        url = urlsplit(self.path)
        path, app = url.path, self.app
        parts = path.split("/")
        if method == "GET" and path == "/":
            return self._page()
        if method == "GET" and path == "/favicon.ico":
            return self._send(204, b"", "image/x-icon")
        if method == "GET" and path.startswith("/static/"):
            name = path[len("/static/"):]
            if name not in _ASSETS:
                raise ApiError(404, "not found")
            return self._send(200, _template(name), f"{_ASSETS[name]}; charset=utf-8")
        if method == "GET" and (path == "/edition" or path.startswith("/edition/")):
            return self._static(path[len("/edition"):])
        if method == "GET" and path == "/api/session":
            return self._json(200, {"csrf_token": app.token, "reviewer": app.reviewer})
        if method == "GET" and path == "/api/flags":
            query = self._query(url.query, {"status", "cause", "witness"})
            state = app.state()
            flags = [app.flag_json(f, state) for f in app.select(state, query)]
            return self._json(200, {"count": len(flags), "progress": app.progress(state),
                                    "flags": flags})
        if method == "GET" and path == "/api/decisions":
            self._query(url.query, set())
            return self._json(200, {"decisions": [d.to_json() for d in app.store.history()]})
        if len(parts) >= 4 and parts[1:3] == ["api", "flags"]:
            flag = app.flag(unquote(parts[3]))
            if method == "GET" and len(parts) == 4:
                state = app.state()
                row = app.flag_json(flag, state)
                row["history"] = [d.to_json() for d in app.store.history(flag["anchor"])]
                return self._json(200, row)
            if method == "POST" and len(parts) == 5 and parts[4] in ("decision", "undo"):
                body = self._body()
                act = app.decide if parts[4] == "decision" else app.undo
                return self._json(201, act(flag, body))
        if method == "POST" and path == "/api/bulk":
            preview = self._query(url.query, {"preview"}).get("preview") in ("1", "true")
            status, result = app.bulk(self._body(), preview)
            return self._json(status, result)
        if method in ("GET", "POST"):
            raise ApiError(404, "not found")
        raise ApiError(405, "method not allowed")

    def _page(self) -> None:
        page = _template("review.html").decode("utf-8")
        page = page.replace("{{ csrf_token }}", html.escape(self.app.token, quote=True))
        page = page.replace("{{ reviewer }}", html.escape(self.app.reviewer, quote=True))
        page = page.replace("{{ edition }}", "1" if self.app.html_root.is_dir() else "")
        self._send(200, page.encode("utf-8"), "text/html; charset=utf-8")

    def _static(self, rel: str) -> None:
        root = self.app.html_root
        decoded = unquote(rel)
        segments = [s for s in decoded.split("/") if s]
        if any(s in (".", "..") or "\\" in s or "\x00" in s or s.startswith(".")
               for s in segments):
            raise ApiError(404, "not found")
        target = root.joinpath(*segments) if segments else root
        try:
            target = target.resolve()
            if target.is_dir():
                target = target / "index.html"
            if not target.is_relative_to(root) or not target.is_file():
                raise ApiError(404, "not found")
            data = target.read_bytes()
        except OSError as exc:
            raise ApiError(404, "not found") from exc
        ctype = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if ctype.startswith("text/") or ctype in ("application/javascript",):
            ctype += "; charset=utf-8"
        self._send(200, data, ctype, csp=_CSP_EDITION, cache="no-cache")

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_HEAD(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def do_OPTIONS(self) -> None:
        self._dispatch("OPTIONS")


def make_server(output: Path, store: DecisionStore, host: str = "127.0.0.1", port: int = 0,
                reviewer: str = "") -> ThreadingHTTPServer:
    """A server bound to host:port (0 = a free port); `server.app` is its ReviewApp."""
    app = ReviewApp(output, store, reviewer)
    handler = type("BoundHandler", (Handler,), {"app": app})
    try:
        server = ThreadingHTTPServer((host, port), handler)
    except OSError as exc:
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror}",
                         hint="choose another --port (0 picks a free one)") from exc
    server.daemon_threads = True
    app.bind(host, server.server_address[1])
    server.app = app  # type: ignore[attr-defined]
    return server


def address(server: ThreadingHTTPServer) -> str:
    host, port = server.server_address[:2]
    host = str(host)
    return f"http://{f'[{host}]' if ':' in host else host}:{port}/"
