"""Shared fixtures. `http_server`: a real HTTP/1.1 server on 127.0.0.1 with editable routes.

    def test_x(http_server):
        http_server.routes["/a"] = (200, {"Content-Type": "text/html"}, b"<html>hi</html>")
        http_server.route("/b", status=302, headers={"Location": "/a"})
        http_server.routes["/c"] = lambda req: (200, {}, req.headers.get("user-agent", "").encode())
        url = http_server.url("/a")          # "http://127.0.0.1:PORT/a"
        ...
        assert [r.path for r in http_server.requests] == ["/a"]

A route is (status, headers, body) or a callable taking the RecordedRequest and returning
one. `headers` is a mapping or a list of (name, value) pairs. `body` is bytes, or an
iterable of bytes chunks sent with chunked encoding one by one (a generator may sleep
between chunks to drip a slow body). Content-Length is added for bytes bodies unless
given. Routes match on the full path with query first, then the path alone; no match
gives 404. Handlers run in server threads, so a callable may `time.sleep`.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest


@dataclass(frozen=True)
class RecordedRequest:
    """One request the server received. Header names are lower-cased."""

    method: str
    path: str  # with the query string
    headers: dict[str, str]
    body: bytes = b""


Headers = Mapping[str, str] | Sequence[tuple[str, str]]
Body = bytes | Iterable[bytes]
Response = tuple[int, Headers, Body]
Route = Response | Callable[[RecordedRequest], Response]


@dataclass
class LocalHTTPServer:
    """Handle returned by the `http_server` fixture."""

    host: str
    port: int
    routes: dict[str, Route] = field(default_factory=dict)
    requests: list[RecordedRequest] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def url(self, path: str = "/") -> str:
        """Absolute URL of `path` on this server."""
        return self.base_url + (path if path.startswith("/") else "/" + path)

    def route(
        self, path: str, status: int = 200, headers: Headers | None = None, body: Body = b""
    ) -> str:
        """Set (or replace) a static route; returns its absolute URL."""
        self.routes[path] = (status, headers if headers is not None else {}, body)
        return self.url(path)

    def requests_for(self, path: str) -> list[RecordedRequest]:
        """Requests whose path (without query) is `path`."""
        with self._lock:
            return [r for r in self.requests if r.path.split("?", 1)[0] == path]

    def clear(self) -> None:
        """Forget the request log."""
        with self._lock:
            self.requests.clear()

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(request)

    def _lookup(self, path: str) -> Route | None:
        route = self.routes.get(path)
        return route if route is not None else self.routes.get(path.split("?", 1)[0])


def _make_handler(server: LocalHTTPServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        timeout = 10  # idle keep-alive connections give up after this

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            payload = self.rfile.read(length) if length else b""
            request = RecordedRequest(
                method=self.command,
                path=self.path,
                headers={k.lower(): v for k, v in self.headers.items()},
                body=payload,
            )
            server._record(request)
            route = server._lookup(self.path)
            if route is None:
                response: Response = (404, {"Content-Type": "text/plain"}, b"not found")
            elif callable(route):
                response = route(request)
            else:
                response = route
            with contextlib.suppress(ConnectionError, TimeoutError):
                self._respond(*response)

        def _respond(self, status: int, headers: Headers, body: Body) -> None:
            pairs = list(headers.items()) if isinstance(headers, Mapping) else list(headers)
            names = {name.lower() for name, _ in pairs}
            self.send_response(status)
            for name, value in pairs:
                self.send_header(name, value)
            head_only = self.command == "HEAD" or status in (204, 304) or status < 200
            if isinstance(body, bytes | bytearray):
                if "content-length" not in names and status not in (204, 304):
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if not head_only:
                    self.wfile.write(body)
                return
            if "transfer-encoding" not in names:
                self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            if head_only:
                return
            for chunk in body:
                if chunk:
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                    self.wfile.flush()
            self.wfile.write(b"0\r\n\r\n")

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _serve

    return Handler


@pytest.fixture
def http_server() -> Iterator[LocalHTTPServer]:
    """A threaded HTTP/1.1 server on 127.0.0.1:<free port>, stopped after the test."""
    handle = LocalHTTPServer(host="127.0.0.1", port=0)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(handle))
    httpd.daemon_threads = True
    handle.port = httpd.server_address[1]
    thread = threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.01}, name="http_server", daemon=True
    )
    thread.start()
    try:
        yield handle
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


@pytest.fixture
def store(tmp_path):
    """A new Store on a real SQLite file in tmp_path."""
    from monitor.store import Store

    s = Store(tmp_path / "m.db")
    yield s
    s.close()
