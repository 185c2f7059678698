"""`edition review`: the local web app for reviewing flags (HTTP handler and server).

Standard library only (`http.server.ThreadingHTTPServer`). Serves 127.0.0.1 unless told
otherwise, makes no outside connection, and defends itself as a local app must:

- the Host header must name this server (no DNS rebinding), on every request;
- state-changing requests carry the page's CSRF token in `X-CSRF-Token` (403 without);
  a cross-site `Origin` is refused; no CORS, so other sites cannot read any answer;
- every input is validated (body size, JSON shape, statuses, ids) -> 400 with a message;
- static files come only from the app's templates and OUTPUT/html (served at /edition/),
  with `..`, encoded or not, answered 404; the page renders data with textContent only.

A decision is acknowledged (201) only after `DecisionStore.decide` has committed it.
The JSON logic behind the routes, which needs no HTTP, is `edition.review.api`.
"""

from __future__ import annotations

import hmac
import html
import json
import mimetypes
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from ..errors import EditionError, UsageError
from .api import ApiError, ReviewApp
from .store import DecisionStore

MAX_BODY = 64 * 1024
MAX_DEPTH = 20  # our requests nest two levels; more is not ours
IDLE_SECONDS = 10
MAX_WORKERS = 32  # requests served at once; more wait in the listen queue, not in threads
_ASSETS = {"review.js": "text/javascript", "review.css": "text/css"}
_CSP_APP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "connect-src 'self'; frame-src 'self'; form-action 'none'; base-uri 'none'; "
            "frame-ancestors 'none'")
_CSP_EDITION = ("default-src 'self' 'unsafe-inline' data:; connect-src 'none'; "
                "form-action 'none'; base-uri 'none'; frame-ancestors 'self'")


def _template(name: str) -> bytes:
    return (resources.files("edition.review") / "templates" / name).read_bytes()


class Handler(BaseHTTPRequestHandler):
    server_version = "edition-review"
    sys_version = ""
    app: ReviewApp
    timeout = IDLE_SECONDS  # an idle connection is closed, so idle clients cannot pile up

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
        if _nesting(raw) > MAX_DEPTH:  # json.loads recurses: 30,000 '[' would overflow
            raise ApiError(400, f"the JSON body is nested deeper than {MAX_DEPTH} levels")
        try:
            obj = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
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


def _nesting(raw: bytes) -> int:
    """The deepest nesting of brackets in a JSON text, strings skipped (linear, no recursion)."""
    depth = deepest = 0
    in_string = escaped = False
    for byte in raw:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):
            depth += 1
            deepest = max(deepest, depth)
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return deepest


class _CappedServer(ThreadingHTTPServer):
    """A thread per request, at most MAX_WORKERS at once: the next connections wait in the
    listen queue until a worker is free, so a flood of connections cannot spawn threads
    without bound."""

    daemon_threads = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._workers = threading.BoundedSemaphore(MAX_WORKERS)

    def process_request(self, request: Any, client_address: Any) -> None:
        self._workers.acquire()
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._workers.release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._workers.release()


def make_server(output: Path, store: DecisionStore, host: str = "127.0.0.1", port: int = 0,
                reviewer: str = "") -> ThreadingHTTPServer:
    """A server bound to host:port (0 = a free port); `server.app` is its ReviewApp."""
    app = ReviewApp(output, store, reviewer)
    handler = type("BoundHandler", (Handler,), {"app": app})
    try:
        server = _CappedServer((host, port), handler)
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
