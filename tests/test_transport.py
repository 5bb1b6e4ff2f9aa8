"""GuardedTransport: HTTP/1.1 framing, keep-alive pool, limits, timeouts, TLS and the guard.

Edge cases run against small asyncio servers started in each test that answer with
scripted bytes; everyday responses against the `http_server` fixture. No network: names
resolve through fake resolvers to 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import socket
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import trustme

from monitor import netguard
from monitor.errors import BlockedAddressError, FetchError
from monitor.fetch import Fetcher, FetchSettings, make_client
from monitor.transport import Framing, GuardedTransport, Head, framing, parse_head


def reply(body: bytes = b"ok", *headers: str, status: str = "200 OK") -> bytes:
    lines = [f"HTTP/1.1 {status}", *headers]
    if not any(h.lower().startswith(("content-length", "transfer-encoding")) for h in headers):
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


class Closing(bytes):
    """A scripted reply after which the server closes the connection."""


CLOSE = Closing(b"")  # close the connection without answering
HANG = None  # answer nothing, keep the connection open


@dataclass
class Script:
    """A server on 127.0.0.1 that answers the n-th request (over all connections) with
    replies[n]; counts connections and records request heads."""

    replies: list[bytes | None]
    port: int = 0
    connections: int = 0
    requests: list[bytes] = field(default_factory=list)

    def url(self, path: str = "/", scheme: str = "http", host: str = "127.0.0.1") -> str:
        return f"{scheme}://{host}:{self.port}{path}"

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                self.requests.append(await reader.readuntil(b"\r\n\r\n"))
                if not self.replies:
                    return
                answer = self.replies.pop(0)
                if answer is None:
                    await reader.read()  # until the client gives up
                    return
                writer.write(answer)
                await writer.drain()
                if isinstance(answer, Closing):
                    return
        except (asyncio.IncompleteReadError, ConnectionError):
            return
        finally:
            writer.close()


@contextlib.asynccontextmanager
async def scripted(
    *replies: bytes | None, tls: ssl.SSLContext | None = None
) -> AsyncIterator[Script]:
    script = Script(list(replies))
    server = await asyncio.start_server(script.handle, "127.0.0.1", 0, ssl=tls)
    script.port = server.sockets[0].getsockname()[1]
    async with server:
        yield script


def client(**options: Any) -> httpx.AsyncClient:
    options.setdefault("allow_private", True)
    timeout = options.pop("timeout", 5.0)
    return httpx.AsyncClient(transport=GuardedTransport(**options), timeout=timeout)


async def get_all(replies: Sequence[bytes | None], count: int) -> tuple[list[Any], Script]:
    """GET / `count` times one after another from a scripted server: (status, body) each."""
    out = []
    async with scripted(*replies) as script, client() as c:
        for _ in range(count):
            response = await c.get(script.url())
            out.append((response.status_code, response.content))
    return out, script


# --- pure parsing and framing --------------------------------------------------------------


@pytest.mark.parametrize(
    ("block", "expected"),
    [
        (b"HTTP/1.1 200 OK\r\nA: 1\r\nB:  two  ", (200, b"OK", [(b"A", b"1"), (b"B", b"two")])),
        (b"HTTP/1.0 404 Not Found\nX-A: 1", (404, b"Not Found", [(b"X-A", b"1")])),
        (b"HTTP/1.1 204", (204, b"", [])),
        (b"\r\nHTTP/1.1 200 OK\r\nA: 1\r\n  folded", (200, b"OK", [(b"A", b"1 folded")])),
    ],
    ids=["crlf", "lf-only-http10", "no-reason", "leading-crlf-obs-fold"],
)
def test_parse_head(block: bytes, expected: tuple[int, bytes, list[tuple[bytes, bytes]]]) -> None:
    head = parse_head(block)
    assert (head.status, head.reason, head.headers) == expected


@pytest.mark.parametrize(
    "block",
    [
        b"HTTP/2 200 OK",
        b"ICY 200 OK",
        b"HTTP/1.1 2000 OK",
        b"HTTP/1.1 200 OK\r\nno colon here",
        b"HTTP/1.1 200 OK\r\nBad Name: x",
        b"HTTP/1.1 200 OK\r\n" + b"A: 1\r\n" * 101,
        b"HTTP/1.1 099 Odd",
        b"HTTP/1.1 200 OK\r\nX-A: 1\rX-B: 2",
        b"HTTP/1.1 200 OK\r\nX-A: 1\0",
    ],
    ids=["http2", "not-http", "status-digits", "no-colon", "space-in-name", "too-many-lines",
         "status-below-100", "bare-cr", "nul"],
)
def test_parse_head_refuses(block: bytes) -> None:
    with pytest.raises(httpx.RemoteProtocolError):
        parse_head(block)


LENGTH_5 = (b"Content-Length", b"5")


def _head(status: int = 200, *headers: tuple[bytes, bytes], version: bytes = b"HTTP/1.1") -> Head:
    return Head(version, status, b"", list(headers))


@pytest.mark.parametrize(
    ("method", "head", "expected"),
    [
        ("GET", _head(200, (b"Content-Length", b"5")), Framing("length", 5, True)),
        ("GET", _head(200, (b"content-length", b"5, 5")), Framing("length", 5, True)),
        ("HEAD", _head(200, (b"Content-Length", b"5")), Framing("none", 0, True)),
        ("GET", _head(304, (b"Content-Length", b"5")), Framing("none", 0, True)),
        ("GET", _head(204), Framing("none", 0, True)),
        ("GET", _head(200, (b"Transfer-Encoding", b"Chunked")), Framing("chunked", 0, True)),
        ("GET", _head(200, (b"Transfer-Encoding", b"identity")), Framing("close", 0, False)),
        ("GET", _head(200), Framing("close", 0, False)),
        (
            "GET",
            _head(200, (b"Transfer-Encoding", b"chunked"), (b"Content-Length", b"9")),
            Framing("chunked", 0, False),
        ),
        (
            "GET",
            _head(200, LENGTH_5, (b"Connection", b"Close")),
            Framing("length", 5, False),
        ),
        (
            "GET",
            _head(200, LENGTH_5, (b"Connection", b"Close"), (b"Connection", b"upgrade")),
            Framing("length", 5, False),
        ),
        ("GET", _head(200, LENGTH_5, version=b"HTTP/1.0"), Framing("length", 5, False)),
        (
            "GET",
            _head(200, (b"Transfer-Encoding", b"chunked"), (b"Connection", b"keep-alive"),
                  version=b"HTTP/1.0"),
            Framing("chunked", 0, False),
        ),
        (
            "GET",
            _head(200, LENGTH_5, (b"Connection", b"keep-alive"), version=b"HTTP/1.0"),
            Framing("length", 5, True),
        ),
    ],
    ids=[
        "length", "repeated-length", "head", "304", "204", "chunked", "te-not-chunked",
        "until-close", "te-and-length", "connection-close", "close-among-tokens", "http10",
        "http10-chunked", "http10-keep-alive",
    ],
)
def test_framing(method: str, head: Head, expected: Framing) -> None:
    assert framing(method, head) == expected


@pytest.mark.parametrize(
    "codings", [b"gzip, chunked", b"chunked, chunked", b"gzip"],
    ids=["gzip-chunked", "chunked-twice", "gzip-only"],
)
def test_framing_refuses_codings_it_cannot_undo(codings: bytes) -> None:
    # Handing gzip-coded bytes on as the body, or de-chunking once of twice, would store
    # garbage as the page: refused instead.
    with pytest.raises(httpx.RemoteProtocolError, match="Transfer-Encoding"):
        framing("GET", _head(200, (b"Transfer-Encoding", codings)))


@pytest.mark.parametrize(
    "value", [b"5, 6", b"-1", b"0x5", b"9" * 19], ids=["conflict", "negative", "hex", "huge"]
)
def test_framing_refuses_bad_content_length(value: bytes) -> None:
    with pytest.raises(httpx.RemoteProtocolError):
        framing("GET", _head(200, (b"Content-Length", value)))


# --- bodies and connection reuse (scripted server) ----------------------------------------

CHUNKED = b"4;ext=1\r\nWiki\r\n5\r\npedia\r\n0\r\nTrailer: x\r\n\r\n"
UNTIL_CLOSE = Closing(b"HTTP/1.1 200 OK\r\n\r\nuntil the end")


@pytest.mark.parametrize(
    ("first", "expected", "connections"),
    [
        (reply(b"hello"), (200, b"hello"), 1),
        (reply(CHUNKED, "Transfer-Encoding: chunked"), (200, b"Wikipedia"), 1),
        (reply(b"", status="204 No Content"), (204, b""), 1),
        (reply(b"", "Content-Length: 99", status="304 Not Modified"), (304, b""), 1),
        (b"HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n" + reply(b"hi"), (200, b"hi"), 1),
        (reply(b"bye", "Connection: close"), (200, b"bye"), 2),
        (UNTIL_CLOSE, (200, b"until the end"), 2),
        (reply(b"ok") + b"junk", (200, b"ok"), 2),
    ],
    ids=[
        "length", "chunked", "204", "304", "early-hints", "connection-close", "until-close",
        "bytes-after-body",
    ],
)
def test_bodies_and_reuse(first: bytes, expected: tuple[int, bytes], connections: int) -> None:
    out, script = asyncio.run(get_all([first, reply(b"second")], 2))
    assert out == [expected, (200, b"second")]
    assert script.connections == connections


def test_keep_alive_reuses_one_connection_and_closes_when_told() -> None:
    replies = [reply(b"a"), reply(b"b"), reply(b"c", "Connection: close"), reply(b"d")]
    out, script = asyncio.run(get_all(replies, 4))
    assert out == [(200, b"a"), (200, b"b"), (200, b"c"), (200, b"d")]
    assert script.connections == 2
    assert script.requests[0].startswith(b"GET / HTTP/1.1\r\nHost: 127.0.0.1:")


def test_a_body_closed_half_read_closes_its_connection() -> None:
    async def go() -> tuple[bytes, int, int]:
        async with scripted(reply(b"x" * 1_000_000), reply(b"z")) as script, client() as c:
            async with c.stream("GET", script.url()) as response:
                async for _ in response.aiter_raw():
                    break  # the rest of the body is still on the wire
            idle = c._transport.idle_connections()  # type: ignore[attr-defined]
            last = await c.get(script.url())
            return last.content, script.connections, idle

    assert asyncio.run(go()) == (b"z", 2, 0)


@pytest.mark.parametrize(
    ("replies", "method", "outcome", "connections"),
    [
        ([reply(b"a"), CLOSE, reply(b"b")], "GET", (200, b"b"), 2),
        ([reply(b"a"), CLOSE, CLOSE], "GET", httpx.RemoteProtocolError, 2),
        ([reply(b"a"), CLOSE, reply(b"b")], "POST", httpx.RemoteProtocolError, 1),
        ([reply(b"a"), Closing(b"HTTP/1.1 200 OK\r\nContent-Le"), reply(b"b")], "GET",
         httpx.RemoteProtocolError, 1),
    ],
    ids=["retried-once", "fresh-connection-fails-too", "post-not-retried", "partial-answer"],
)
def test_a_reused_connection_closed_by_the_server_is_retried_once(
    replies: list[bytes | None], method: str, outcome: Any, connections: int
) -> None:
    async def go() -> tuple[Any, int]:
        async with scripted(*replies) as script, client() as c:
            await c.get(script.url())
            try:
                response = await c.request(method, script.url())
                return (response.status_code, response.content), script.connections
            except httpx.HTTPError as exc:
                return type(exc), script.connections

    assert asyncio.run(go()) == (outcome, connections)


def test_idle_connections_are_bounded_and_expire() -> None:
    now = [0.0]

    async def go() -> list[tuple[int, int]]:
        seen = []
        pool = GuardedTransport(
            allow_private=True, max_idle_per_origin=2, keepalive_expiry=30, clock=lambda: now[0]
        )
        async with scripted(*[reply()] * 6) as script, httpx.AsyncClient(transport=pool) as c:
            await asyncio.gather(*(c.get(script.url()) for _ in range(4)))
            seen.append((script.connections, pool.idle_connections()))
            now[0] = 29.0
            await c.get(script.url())
            seen.append((script.connections, pool.idle_connections()))
            now[0] = 60.0
            await c.get(script.url())
            seen.append((script.connections, pool.idle_connections()))
        return seen

    # 4 at once need 4 connections, 2 are kept; one is reused; after 30 s idle none is.
    assert asyncio.run(go()) == [(4, 2), (4, 2), (5, 1)]


# --- limits, timeouts, errors --------------------------------------------------------------

HUGE_HEADER = b"HTTP/1.1 200 OK\r\nX: " + b"a" * 70_000 + b"\r\n\r\n"
MANY_HEADERS = b"HTTP/1.1 200 OK\r\n" + b"A: 1\r\n" * 150 + b"\r\n"


@pytest.mark.parametrize(
    ("answer", "error", "needle"),
    [
        (HUGE_HEADER, httpx.RemoteProtocolError, "larger than 65536 bytes"),
        (MANY_HEADERS, httpx.RemoteProtocolError, "more than 100"),
        (reply(b"zz\r\nab\r\n0\r\n\r\n", "Transfer-Encoding: chunked"), httpx.RemoteProtocolError,
         "bad chunk size"),
        (reply(b"2\r\nabc\r\n0\r\n\r\n", "Transfer-Encoding: chunked"), httpx.RemoteProtocolError,
         "not followed by a line end"),
        (Closing(reply(b"short", "Content-Length: 10")), httpx.RemoteProtocolError,
         "5 bytes before the body ended"),
        (b"HTTP/1.1 200 OK\r\nContent-Le", httpx.ReadTimeout, "no data"),
        (reply(b"half", "Content-Length: 10"), httpx.ReadTimeout, "no data"),
        (HANG, httpx.ReadTimeout, "no data from the server for 0.3s"),
    ],
    ids=[
        "huge-header", "many-headers", "bad-chunk-size", "chunk-overrun", "truncated",
        "stalled-headers", "stalled-body", "silent",
    ],
)
def test_hostile_or_broken_servers(
    answer: bytes | None, error: type[Exception], needle: str
) -> None:
    async def go() -> Exception:
        async with scripted(answer) as script, client(timeout=0.3) as c:
            with pytest.raises(error) as info:
                await c.get(script.url())
            return info.value

    assert needle in str(asyncio.run(go()))


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _hang(host: str, port: int) -> list[str]:
    await asyncio.sleep(10)
    return []


async def _no_such_name(host: str, port: int) -> list[str]:
    raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")


@pytest.mark.parametrize(
    ("url", "resolver", "error", "needle"),
    [
        (f"http://127.0.0.1:{_closed_port()}/", None, httpx.ConnectError, "cannot connect to"),
        ("http://slow.example/", _hang, httpx.ConnectTimeout, "took over 0.2s"),
        ("http://nowhere.example/", _no_such_name, FetchError, "cannot resolve host"),
    ],
    ids=["refused", "resolver-timeout", "unresolvable"],
)
def test_connect_errors(url: str, resolver: Any, error: type[Exception], needle: str) -> None:
    async def go() -> Exception:
        async with client(resolver=resolver, timeout=0.2) as c:
            with pytest.raises(error) as info:
                await c.get(url)
            return info.value

    assert needle in str(asyncio.run(go()))


def test_bytes_arriving_on_an_idle_connection_are_never_read_as_the_next_response() -> None:
    served = 0

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal served
        try:
            while await reader.readuntil(b"\r\n\r\n"):
                writer.write(reply(f"r{served}".encode()))
                served += 1
                await asyncio.sleep(0.02)
                writer.write(reply(b"INJECTED"))  # unsolicited, after the answer was complete
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def go() -> list[bytes]:
        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        async with server, client() as c:
            first = await c.get(f"http://127.0.0.1:{port}/")
            await asyncio.sleep(0.1)
            second = await c.get(f"http://127.0.0.1:{port}/")
        await asyncio.sleep(0.05)  # let the server's side see the close before the loop ends
        return [first.content, second.content]

    assert asyncio.run(go()) == [b"r0", b"r1"]


def test_one_silent_address_does_not_use_up_the_connect_timeout(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = asyncio.open_connection

    async def open_connection(host: str, port: int, **kw: Any) -> Any:
        if host == "10.255.255.1":  # drops the SYN: hangs until the timeout
            await asyncio.sleep(60)
        return await real(host, port, **kw)

    async def two_addresses(host: str, port: int) -> list[str]:
        return ["10.255.255.1", "127.0.0.1"]

    async def go(port: int) -> int:
        async with client(resolver=two_addresses, timeout=1.0) as c:
            return (await c.get(f"http://dual.example:{port}/")).status_code

    async def main() -> int:
        monkeypatch.setattr(asyncio, "open_connection", open_connection)
        async with scripted(reply()) as script:
            status = await go(script.port)
            await asyncio.sleep(0.05)  # let the server's side see the close before the loop ends
            return status

    assert asyncio.run(main()) == 200


def test_header_injection_is_refused_before_sending() -> None:
    async def go() -> int:
        async with scripted(reply()) as script, client() as c:
            with pytest.raises(httpx.LocalProtocolError):
                await c.get(script.url(), headers={"X-A": "1\r\nX-Evil: 1"})
            with pytest.raises(httpx.LocalProtocolError):
                await c.request("GET / HTTP/1.1\r\nX-Smuggled: 1\r\n\r\nGET", script.url())
            return script.connections

    assert asyncio.run(go()) == 0


# --- the address guard ---------------------------------------------------------------------


def _resolver(*addresses: str) -> Callable[[str, int], Awaitable[list[str]]]:
    async def resolve(host: str, port: int) -> list[str]:
        return list(addresses)

    return resolve


@pytest.mark.parametrize(
    ("host", "addresses", "allow_private", "outcome"),
    [
        ("news.example", ["127.0.0.1"], False, "resolves to 127.0.0.1, which is not public"),
        ("news.example", ["93.184.216.34", "127.0.0.1"], False, "resolves to 127.0.0.1"),
        ("127.0.0.1", [], False, "address 127.0.0.1 is not public (loopback)"),
        ("news.example", ["127.0.0.1"], True, "ok"),
        ("news.example", ["127.0.0.2", "127.0.0.1"], True, "ok"),
    ],
    ids=["loopback-name", "any-address-private", "literal", "allowed", "next-address-on-refusal"],
)
def test_the_transport_connects_only_to_checked_addresses(
    host: str, addresses: list[str], allow_private: bool, outcome: str
) -> None:
    # news.example does not exist: when it works, the transport connected to what it resolved.
    async def go() -> tuple[str, int]:
        async with scripted(reply()) as script:
            c = client(resolver=_resolver(*addresses), allow_private=allow_private)
            async with c:
                try:
                    response = await c.get(script.url(host=host))
                    return response.text, script.connections
                except BlockedAddressError as exc:
                    assert exc.url == script.url(host=host)
                    return exc.reason, script.connections

    text, connections = asyncio.run(go())
    assert outcome in text
    assert connections == (outcome == "ok")


@pytest.mark.parametrize("hop", [0, 1], ids=["first-url", "redirect-hop"])
def test_dns_rebinding_is_caught_on_every_hop(monkeypatch: pytest.MonkeyPatch, hop: int) -> None:
    # Here 127.0.0.1 counts as public, so the server is reachable with the guard on. The
    # Fetcher's own guard sees every name at 127.0.0.1; a moment later, when the transport
    # resolves, internal.example has moved to 127.0.0.2 (loopback).
    real = netguard.non_public_reason
    monkeypatch.setattr(
        netguard, "non_public_reason", lambda ip: None if str(ip) == "127.0.0.1" else real(ip)
    )

    async def rebinding(host: str, port: int) -> list[str]:
        return ["127.0.0.2" if host == "internal.example" else "127.0.0.1"]

    async def go() -> tuple[FetchError, list[bytes], str]:
        async with scripted() as script:
            target = script.url("/b", host="internal.example")
            script.replies.append(reply(b"", f"Location: {target}", status="302 Found"))
            url = script.url("/a", host="internal.example" if hop == 0 else "news.example")
            settings = FetchSettings(robots=False, host_delay=0.0, timeout=5.0)
            async with make_client(settings, resolver=rebinding) as c:
                fetcher = Fetcher(c, settings, resolver=_resolver("127.0.0.1"))
                with pytest.raises(BlockedAddressError) as info:
                    await fetcher.fetch(url)
            return info.value, script.requests, url

    error, requests, url = asyncio.run(go())
    assert error.url == url
    assert "resolves to 127.0.0.2, which is not public (loopback)" in error.reason
    assert error.reason.startswith("redirected to http://internal.example") == bool(hop)
    assert len(requests) == hop


# --- TLS -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.mark.parametrize(
    ("host", "trusted", "needle"),
    [
        ("news.example", True, "secure"),
        ("127.0.0.1", True, "secure"),
        ("other.example", True, "match"),
        ("news.example", False, "certificate verify failed"),
    ],
    ids=["name", "ip-literal", "wrong-name", "untrusted-ca"],
)
def test_tls_verifies_the_url_host_though_connecting_to_an_address(
    ca: trustme.CA, host: str, trusted: bool, needle: str
) -> None:
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("news.example", "127.0.0.1").configure_cert(server_context)
    client_context = ssl.create_default_context()
    if trusted:
        ca.configure_trust(client_context)

    async def go() -> str:
        async with scripted(reply(b"secure"), tls=server_context) as script:
            c = client(resolver=_resolver("127.0.0.1"), ssl_context=client_context)
            async with c:
                try:
                    return (await c.get(script.url(scheme="https", host=host))).text
                except httpx.ConnectError as exc:
                    return str(exc)

    assert needle in asyncio.run(go())


# --- against the local HTTP server ----------------------------------------------------------


def test_streams_raw_bytes_from_the_local_server(http_server: Any) -> None:
    page = b"<html>" + bytes(range(256)) * 4096 + b"</html>"
    packed = gzip.compress(page)
    http_server.route("/big", headers={"Content-Type": "text/html"}, body=page)
    http_server.route("/gz", headers={"Content-Encoding": "gzip"}, body=packed)
    http_server.route("/chunks", body=[b"a" * 10, b"b" * 20000, b"c"])

    async def go() -> dict[str, Any]:
        out: dict[str, Any] = {}
        async with client() as c:
            async with c.stream("GET", http_server.url("/big")) as response:
                pieces = [piece async for piece in response.aiter_raw()]
            out["big"] = (len(pieces) > 1, b"".join(pieces) == page)
            async with c.stream("GET", http_server.url("/gz")) as response:
                out["gz"] = b"".join([p async for p in response.aiter_raw()]) == packed
            out["gz-decoded"] = (await c.get(http_server.url("/gz"))).content == page
            out["chunks"] = (await c.get(http_server.url("/chunks"))).content
            out["head"] = (await c.head(http_server.url("/big"))).content
            missing = await c.get(http_server.url("/missing"))
            out["404"] = (missing.status_code, missing.reason_phrase, missing.content)
            out["idle"] = c._transport.idle_connections()  # type: ignore[attr-defined]
        return out

    assert asyncio.run(go()) == {
        "big": (True, True),
        "gz": True,
        "gz-decoded": True,
        "chunks": b"a" * 10 + b"b" * 20000 + b"c",
        "head": b"",
        "404": (404, "Not Found", b"not found"),
        "idle": 1,
    }
