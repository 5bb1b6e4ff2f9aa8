"""A lean HTTP/1.1 transport for httpx on asyncio streams, connecting only to checked addresses.

httpx's default transport (httpcore on anyio) costs about 0.7 ms of CPU per request, most
of a 304 re-check. `GuardedTransport` speaks just the HTTP/1.1 that `monitor` needs, for a
fraction of that, behind httpx's public API: the Fetcher keeps taking an
`httpx.AsyncClient`, and tests keep using httpx.MockTransport.

It also closes the DNS-rebinding gap of a separate guard: it resolves the host itself
(monitor.netguard.checked_addresses), refuses non-public addresses unless `allow_private`,
and connects to one of the addresses it checked. Errors are BlockedAddressError and
FetchError from the guard, otherwise the httpx exception classes (ConnectError,
ConnectTimeout, ReadTimeout, RemoteProtocolError...) that monitor.fetch translates.
"""

from __future__ import annotations

import asyncio
import logging
import re
import ssl
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Literal

import httpx

from monitor.netguard import Resolver, checked_addresses

logger = logging.getLogger(__name__)

MAX_HEADER_BYTES = 64 * 1024  # of one response head (or of the trailers of a chunked body)
MAX_HEADER_LINES = 100
MAX_INTERIM = 10  # 1xx responses skipped before the final one
MAX_CHUNK_LINE = 1024  # a chunk-size line, extensions included
READ_SIZE = 64 * 1024
RETRYABLE = frozenset({"GET", "HEAD", "OPTIONS"})  # idempotent, sent without a body
DEFAULT_PORTS = {"http": 80, "https": 443}

Origin = tuple[str, str, int]  # scheme, ASCII host, port
Clock = Callable[[], float]

_END_OF_HEAD = re.compile(rb"\n\r?\n")  # a line end followed by an empty line (CRLF or LF)
_TOKEN = re.compile(rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_HEX = re.compile(rb"[0-9A-Fa-f]{1,15}")


# --- pure parsing and framing decisions ------------------------------------------------


@dataclass(frozen=True)
class Head:
    """A parsed response head: status line and headers (names and values as sent)."""

    version: bytes  # b"HTTP/1.1" or b"HTTP/1.0"
    status: int
    reason: bytes
    headers: list[tuple[bytes, bytes]]


@dataclass(frozen=True)
class Framing:
    """How a response body is delimited and whether the connection may carry another request.

    `kind` is "none", "length" (`length` bytes), "chunked" or "close" (read until EOF).
    """

    kind: Literal["none", "length", "chunked", "close"]
    length: int
    reusable: bool


def parse_head(block: bytes) -> Head:
    """Parse a response head (without its final empty line); RemoteProtocolError if malformed.

    Accepts CRLF or bare LF line ends and obsolete line folding; refuses more than
    MAX_HEADER_LINES header lines, header names that are not tokens and lines without colon.
    """
    lines = block.lstrip(b"\r\n").split(b"\n")
    if len(lines) > MAX_HEADER_LINES + 1:
        raise httpx.RemoteProtocolError(f"more than {MAX_HEADER_LINES} response header lines")
    status_line = lines[0].rstrip(b"\r")
    version, _, rest = status_line.partition(b" ")
    code, _, reason = rest.partition(b" ")
    if (
        version not in (b"HTTP/1.1", b"HTTP/1.0")
        or len(code) != 3
        or not code.isdigit()
        or code < b"100"
    ):
        raise httpx.RemoteProtocolError(f"not an HTTP/1 status line: {status_line[:80]!r}")
    headers: list[tuple[bytes, bytes]] = []
    for raw in lines[1:]:
        line = raw.rstrip(b"\r")
        if b"\r" in line or b"\0" in line:
            raise httpx.RemoteProtocolError(f"bare CR or NUL in response header {line[:80]!r}")
        if line[:1] in (b" ", b"\t") and headers:  # obs-fold: continues the previous value
            name, value = headers[-1]
            headers[-1] = (name, value + b" " + line.strip(b" \t"))
            continue
        name, colon, value = line.partition(b":")
        if not colon or not _TOKEN.fullmatch(name):
            raise httpx.RemoteProtocolError(f"malformed response header line {line[:80]!r}")
        headers.append((name, value.strip(b" \t")))
    return Head(version, int(code), reason.strip(), headers)


def framing(method: str, head: Head) -> Framing:
    """How the body of `head` (the answer to `method`) is delimited (RFC 9112 section 6.3).

    RemoteProtocolError for an unusable Content-Length (not a number, or conflicting values).
    """
    tokens: set[bytes] = set()  # of Connection headers
    codings: list[bytes] = []
    lengths: set[bytes] = set()
    for name, value in head.headers:
        lowered = name.lower()
        if lowered == b"connection":
            tokens.update(t.strip() for t in value.lower().split(b","))
        elif lowered == b"transfer-encoding":
            codings += [c.strip() for c in value.lower().split(b",")]
        elif lowered == b"content-length":
            lengths.update(v.strip() for v in value.split(b","))
    close = b"close" in tokens or (head.version != b"HTTP/1.1" and b"keep-alive" not in tokens)
    if method == "HEAD" or head.status < 200 or head.status in (204, 304):
        return Framing("none", 0, not close)
    if codings:
        # Transfer-Encoding wins over Content-Length; both at once smells of smuggling, and
        # so does Transfer-Encoding on HTTP/1.0 (RFC 9112 section 6.1): read, never reuse.
        if codings == [b"chunked"]:
            reusable = not close and not lengths and head.version == b"HTTP/1.1"
            return Framing("chunked", 0, reusable)
        if set(codings) <= {b"identity"}:
            return Framing("close", 0, False)
        raise httpx.RemoteProtocolError(
            f"unsupported Transfer-Encoding {b', '.join(codings).decode('latin-1')!r}"
        )
    if lengths:
        value = lengths.pop()
        if lengths or not value.isdigit() or len(value) > 18:
            raise httpx.RemoteProtocolError("invalid Content-Length header")
        return Framing("length", int(value), not close)
    return Framing("close", 0, False)


def serialize_head(request: httpx.Request) -> bytes:
    """The request line and headers of `request`; LocalProtocolError for CR/LF in a header."""
    method = request.method.encode("ascii")
    if not _TOKEN.fullmatch(method):
        raise httpx.LocalProtocolError(f"illegal request method {method!r}")
    parts = [method, b" ", request.url.raw_path, b" HTTP/1.1\r\n"]
    for name, value in request.headers.raw:
        if b"\r" in value or b"\n" in value or b"\0" in value or not _TOKEN.fullmatch(name):
            raise httpx.LocalProtocolError(f"illegal request header {name!r}")
        parts += (name, b": ", value, b"\r\n")
    parts.append(b"\r\n")
    return b"".join(parts)


# --- one connection ----------------------------------------------------------------------


class _Connection:
    """One HTTP/1.1 connection: request out, response head and body in, one at a time."""

    def __init__(
        self, origin: Origin, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        self.origin = origin
        self.reader = reader
        self.writer = writer
        self.buffer = bytearray()  # received, not yet consumed
        self.received = False  # any byte of the current response arrived
        self.idle_since = 0.0

    def usable(self) -> bool:
        # Bytes that arrived while idle (the late tail of an over-long body, a body after
        # HEAD or 304, an unsolicited response) would be read as the next response: such a
        # connection is not reused. StreamReader has no public "bytes buffered" query.
        pending = getattr(self.reader, "_buffer", b"")
        return (
            not self.buffer
            and not pending
            and not self.reader.at_eof()
            and not self.writer.is_closing()
        )

    def close(self) -> None:
        # abort(): no TLS close_notify round trip to wait for and no unsent bytes to flush,
        # so the socket is released now (as httpcore does), not when the loop ends.
        self.writer.transport.abort()

    async def send(self, data: bytes, timeout: float | None) -> None:
        self.received = False
        try:
            self.writer.write(data)
            if self.writer.transport.get_write_buffer_size():
                async with asyncio.timeout(timeout):
                    await self.writer.drain()
        except TimeoutError as exc:
            raise httpx.WriteTimeout(f"sending the request took more than {timeout}s") from exc
        except OSError as exc:
            raise httpx.WriteError(str(exc) or type(exc).__name__) from exc

    async def recv(self, timeout: float | None) -> bytes:
        """The next bytes from the socket; b"" at end of stream."""
        try:
            async with asyncio.timeout(timeout):
                data = await self.reader.read(READ_SIZE)
        except TimeoutError as exc:
            raise httpx.ReadTimeout(f"no data from the server for {timeout}s") from exc
        except OSError as exc:
            raise httpx.ReadError(str(exc) or type(exc).__name__) from exc
        self.received = self.received or bool(data)
        return data

    async def read_head(self, timeout: float | None) -> Head:
        start = 0
        while True:
            match = _END_OF_HEAD.search(self.buffer, max(0, start - 3))
            if match is not None and match.end() <= MAX_HEADER_BYTES:
                block = bytes(self.buffer[: match.start()])
                del self.buffer[: match.end()]
                return parse_head(block)
            if match is not None or len(self.buffer) > MAX_HEADER_BYTES:
                raise httpx.RemoteProtocolError(
                    f"response headers larger than {MAX_HEADER_BYTES} bytes"
                )
            start = len(self.buffer)
            data = await self.recv(timeout)
            if not data:
                raise httpx.RemoteProtocolError(
                    "server closed the connection in the response headers"
                    if self.received
                    else "server disconnected without sending a response"
                )
            self.buffer += data

    async def read_final_head(self, timeout: float | None) -> Head:
        """The head of the final response, skipping up to MAX_INTERIM 1xx responses."""
        head = await self.read_head(timeout)
        for _ in range(MAX_INTERIM):
            if not 100 <= head.status < 200:
                return head
            if head.status == 101:
                raise httpx.RemoteProtocolError("unexpected 101 Switching Protocols")
            head = await self.read_head(timeout)
        if 100 <= head.status < 200:
            raise httpx.RemoteProtocolError(f"more than {MAX_INTERIM} 1xx responses")
        return head

    async def line(self, timeout: float | None, limit: int) -> bytes:
        """The next line (without its CRLF or LF); RemoteProtocolError past `limit` bytes."""
        start = 0
        while (end := self.buffer.find(b"\n", start)) < 0:
            if len(self.buffer) > limit:
                raise httpx.RemoteProtocolError(f"line longer than {limit} bytes in chunked body")
            start = len(self.buffer)
            data = await self.recv(timeout)
            if not data:
                raise httpx.RemoteProtocolError("server closed the connection inside the body")
            self.buffer += data
        if end > limit:  # the whole line arrived in one read
            raise httpx.RemoteProtocolError(f"line longer than {limit} bytes in chunked body")
        line = bytes(self.buffer[:end]).rstrip(b"\r")
        del self.buffer[: end + 1]
        return line

    async def length_body(self, remaining: int, timeout: float | None) -> AsyncIterator[bytes]:
        while remaining:
            if self.buffer:
                data = bytes(self.buffer[:remaining])
                del self.buffer[:remaining]
            else:
                data = await self.recv(timeout)
                if not data:
                    raise httpx.RemoteProtocolError(
                        f"server closed the connection {remaining} bytes before the body ended"
                    )
                if len(data) > remaining:
                    self.buffer += data[remaining:]
                    data = data[:remaining]
            remaining -= len(data)
            yield data

    async def chunked_body(self, timeout: float | None) -> AsyncIterator[bytes]:
        while True:
            size_text = (await self.line(timeout, MAX_CHUNK_LINE)).split(b";", 1)[0].strip()
            if not _HEX.fullmatch(size_text):
                raise httpx.RemoteProtocolError(f"bad chunk size {size_text[:20]!r}")
            size = int(size_text, 16)
            if size == 0:
                break
            async for piece in self.length_body(size, timeout):
                yield piece
            if await self.line(timeout, 2):
                raise httpx.RemoteProtocolError("chunk data not followed by a line end")
        total = lines = 0  # trailers: read and dropped, under the same limits as headers
        while trailer := await self.line(timeout, MAX_HEADER_BYTES):
            total, lines = total + len(trailer), lines + 1
            if total > MAX_HEADER_BYTES or lines > MAX_HEADER_LINES:
                raise httpx.RemoteProtocolError("chunked body trailers too large")

    async def close_body(self, timeout: float | None) -> AsyncIterator[bytes]:
        if self.buffer:
            data = bytes(self.buffer)
            self.buffer.clear()
            yield data
        while data := await self.recv(timeout):
            yield data


class _Body(httpx.AsyncByteStream):
    """A streaming response body; gives the connection back only when it was read to the end."""

    def __init__(
        self,
        transport: GuardedTransport,
        conn: _Connection,
        frame: Framing,
        timeout: float | None,
    ) -> None:
        self._transport = transport
        self._conn = conn
        self._frame = frame
        self._timeout = timeout
        self._finished = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        conn, frame = self._conn, self._frame
        if frame.kind == "length":
            pieces = conn.length_body(frame.length, self._timeout)
        elif frame.kind == "chunked":
            pieces = conn.chunked_body(self._timeout)
        else:
            pieces = conn.close_body(self._timeout)
        async for piece in pieces:
            yield piece
        self._finished = True
        self._transport._release(conn, frame.reusable)

    async def aclose(self) -> None:
        if not self._finished:
            self._finished = True
            self._conn.close()  # the rest of the body is still on the wire


# --- the transport -----------------------------------------------------------------------


class GuardedTransport(httpx.AsyncBaseTransport):
    """HTTP/1.1 for httpx.AsyncClient over asyncio, with a per-origin keep-alive pool.

    Every new connection goes to an address that `checked_addresses` resolved and (unless
    `allow_private`) found public. At most `max_idle_per_origin` idle connections are kept
    per origin and `max_idle` in all, each for `keepalive_expiry` seconds; connections in
    use are not limited here (the Fetcher's HostPolicy limits requests in flight). A GET,
    HEAD or OPTIONS whose reused connection fails before any response byte is retried
    once on a new connection. `ssl_context` defaults to httpx's (certifi CAs, verified).
    No proxies, no HTTP/2, no request bodies of unknown length.
    """

    def __init__(
        self,
        *,
        allow_private: bool = False,
        resolver: Resolver | None = None,
        ssl_context: ssl.SSLContext | None = None,
        max_idle_per_origin: int = 8,
        max_idle: int = 100,
        keepalive_expiry: float = 30.0,
        clock: Clock = time.monotonic,
    ) -> None:
        self._allow_private = allow_private
        self._resolver = resolver
        self._ssl_context = ssl_context
        self._max_idle_per_origin = max_idle_per_origin
        self._max_idle = max_idle
        self._expiry = keepalive_expiry
        self._clock = clock
        self._idle: dict[Origin, list[_Connection]] = {}
        self._idle_count = 0
        self._next_sweep = 0.0
        self._closed = False

    def idle_connections(self) -> int:
        """How many connections wait in the pool."""
        return self._idle_count

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self._closed:
            raise RuntimeError("the transport is closed")
        scheme = request.url.scheme
        if scheme not in DEFAULT_PORTS:
            raise httpx.UnsupportedProtocol(f"unsupported URL scheme {scheme!r}")
        host = request.url.raw_host.decode("ascii")
        origin: Origin = (scheme, host, request.url.port or DEFAULT_PORTS[scheme])
        timeouts = request.extensions.get("timeout", {})
        read_timeout = timeouts.get("read")
        message = serialize_head(request) + await _body_bytes(request)
        may_retry = request.method in RETRYABLE
        fresh = False
        while True:
            conn = None if fresh else self._take(origin)
            reused = conn is not None
            if conn is None:
                conn = await self._connect(request, origin, timeouts.get("connect"))
            try:
                await conn.send(message, timeouts.get("write"))
                head = await conn.read_final_head(read_timeout)
                frame = framing(request.method, head)
            except (httpx.WriteError, httpx.ReadError, httpx.RemoteProtocolError):
                conn.close()
                if reused and may_retry and not conn.received:
                    # The server closed the idle connection as we sent: a race, not an
                    # answer. Once more, on a new connection.
                    logger.debug("%s: kept-alive connection was closed, retrying", request.url)
                    fresh = True
                    continue
                raise
            except BaseException:
                conn.close()  # cancelled or timed out mid-exchange: the state is unknown
                raise
            break
        stream: httpx.AsyncByteStream
        if frame.kind == "none":
            self._release(conn, frame.reusable)
            stream = httpx.ByteStream(b"")
        else:
            stream = _Body(self, conn, frame, read_timeout)
        extensions = {"http_version": head.version, "reason_phrase": head.reason}
        return httpx.Response(
            head.status, headers=head.headers, stream=stream, extensions=extensions
        )

    async def _connect(
        self, request: httpx.Request, origin: Origin, timeout: float | None
    ) -> _Connection:
        scheme, host, port = origin
        context = self._ssl() if scheme == "https" else None
        errors: list[str] = []
        last: OSError | None = None  # kept as the cause: a TLS failure is told apart by it
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        try:
            async with asyncio.timeout(timeout):
                addresses = await checked_addresses(
                    host,
                    port,
                    allow_private=self._allow_private,
                    resolver=self._resolver,
                    url=str(request.url),
                )
        except TimeoutError as exc:
            raise httpx.ConnectTimeout(f"resolving {host} took over {timeout}s") from exc
        for index, address in enumerate(addresses):
            # Each address gets an even share of the time left, so one that drops SYNs (a
            # dead A record, broken IPv6) cannot use up the budget of the ones after it.
            left = len(addresses) - index
            share = None if deadline is None else (deadline - loop.time()) / left
            try:
                async with asyncio.timeout(share):
                    reader, writer = await asyncio.open_connection(
                        address, port, ssl=context, server_hostname=host if context else None
                    )
            except TimeoutError:
                errors.append(f"{address}: timed out")
                continue
            except OSError as exc:  # refused, unreachable, TLS failure: next address
                errors.append(f"{address}: {exc or type(exc).__name__}")
                last = exc
                continue
            logger.debug("connected to %s:%d (%s)", host, port, address)
            return _Connection(origin, reader, writer)
        if last is None:
            raise httpx.ConnectTimeout(f"connecting to {host}:{port} took over {timeout}s")
        raise httpx.ConnectError(f"cannot connect to {host}:{port} ({'; '.join(errors)})") from last

    def _ssl(self) -> ssl.SSLContext:
        if self._ssl_context is None:
            self._ssl_context = httpx.create_ssl_context()
            self._ssl_context.set_alpn_protocols(["http/1.1"])
        return self._ssl_context

    def _take(self, origin: Origin) -> _Connection | None:
        """A live idle connection to `origin` (the most recently used), or None."""
        idle = self._idle.get(origin)
        now = self._clock()
        while idle:
            conn = idle.pop()
            self._idle_count -= 1
            if now - conn.idle_since < self._expiry and conn.usable():
                return conn
            conn.close()
        return None

    def _release(self, conn: _Connection, reusable: bool) -> None:
        """Pool `conn` after a complete exchange, or close it."""
        if not reusable or self._closed or not conn.usable():
            conn.close()
            return
        now = self._clock()
        conn.idle_since = now
        idle = self._idle.setdefault(conn.origin, [])
        idle.append(conn)
        self._idle_count += 1
        if len(idle) > self._max_idle_per_origin:
            self._evict(idle)
        if now >= self._next_sweep:  # drop expired connections to hosts we stopped visiting
            self._next_sweep = now + self._expiry / 2
            for origin, conns in list(self._idle.items()):
                while conns and now - conns[0].idle_since >= self._expiry:
                    self._evict(conns)
                if not conns:
                    del self._idle[origin]
        while self._idle_count > self._max_idle:
            oldest = min((c for c in self._idle.values() if c), key=lambda c: c[0].idle_since)
            self._evict(oldest)

    def _evict(self, idle: list[_Connection]) -> None:
        idle.pop(0).close()
        self._idle_count -= 1

    async def aclose(self) -> None:
        self._closed = True
        for conns in self._idle.values():
            for conn in conns:
                conn.close()
        self._idle.clear()
        self._idle_count = 0


async def _body_bytes(request: httpx.Request) -> bytes:
    """The request body as sent on the wire (one chunk when httpx asked for chunked)."""
    body = await request.aread()
    if "transfer-encoding" in request.headers:
        return (b"%x\r\n%s\r\n" % (len(body), body) if body else b"") + b"0\r\n\r\n"
    return body
