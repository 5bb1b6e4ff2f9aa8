"""Fetcher against a real local HTTP server (127.0.0.1, so allow_private=True)."""

from __future__ import annotations

import asyncio
import functools
import gzip
import socket
import time
import tracemalloc
import zlib
from collections.abc import Iterator
from typing import Any

import brotli
import httpx
import pytest

from monitor.errors import FetchError
from monitor.fetch import Fetcher, FetchSettings, decode_body, make_client
from monitor.models import FetchResult

HTML_TYPE = {"Content-Type": "text/html; charset=utf-8"}
PAGE = "<!doctype html><html><head><title>T</title></head><body><p>Zürich — “hi”</p></body></html>"


def _settings(**overrides: Any) -> FetchSettings:
    base: dict[str, Any] = {"allow_private": True, "timeout": 5.0}
    base.update(overrides)
    return FetchSettings(**base)


def fetch(url: str, settings: FetchSettings | None = None, **kwargs: Any) -> FetchResult:
    settings = settings or _settings()

    async def go() -> FetchResult:
        async with make_client(settings) as client:
            return await Fetcher(client, settings).fetch(url, **kwargs)

    return asyncio.run(go())


def fetch_error(url: str, settings: FetchSettings | None = None, **kwargs: Any) -> FetchError:
    with pytest.raises(FetchError) as info:
        fetch(url, settings, **kwargs)
    assert info.value.url == url
    return info.value


# --- success paths ------------------------------------------------------------------------


def test_fetch_html_page(http_server: Any) -> None:
    url = http_server.route("/a", headers=HTML_TYPE, body=PAGE.encode())
    result = fetch(url)
    assert result == FetchResult(
        url=url, status=200, text=PAGE, content_type="text/html", encoding="utf-8"
    )
    request = http_server.requests[0]
    assert request.headers["user-agent"] == FetchSettings().user_agent
    assert request.headers["accept-encoding"] == "gzip, deflate, br"
    assert "text/html" in request.headers["accept"]
    assert "if-none-match" not in request.headers


def test_conditional_get_round_trip(http_server: Any) -> None:
    def handler(request: Any) -> tuple[int, dict[str, str], bytes]:
        validators = {"ETag": '"v1"', "Last-Modified": "Wed, 01 Jan 2025 00:00:00 GMT"}
        if request.headers.get("if-none-match") == '"v1"':
            return 304, {"ETag": '"v1"'}, b""
        return 200, {**HTML_TYPE, **validators}, PAGE.encode()

    http_server.routes["/c"] = handler
    url = http_server.url("/c")
    first = fetch(url)
    assert (first.status, first.etag, first.not_modified) == (200, '"v1"', False)
    second = fetch(url, etag=first.etag, last_modified=first.last_modified)
    assert second.not_modified and second.text == ""
    assert second.etag == '"v1"'
    assert second.last_modified == first.last_modified  # kept from the caller's validators
    sent = http_server.requests[1].headers
    assert sent["if-none-match"] == '"v1"'
    assert sent["if-modified-since"] == "Wed, 01 Jan 2025 00:00:00 GMT"


def test_validators_with_line_breaks_are_not_sent(http_server: Any) -> None:
    url = http_server.route("/v", headers=HTML_TYPE, body=PAGE.encode())
    fetch(url, etag='"x"\r\nX-Evil: 1')
    assert "if-none-match" not in http_server.requests[0].headers


def _raw_deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush()


ENCODINGS = [
    ("gzip", gzip.compress),
    ("br", brotli.compress),
    ("deflate", zlib.compress),
    ("deflate", _raw_deflate),
    ("gzip, br", lambda data: brotli.compress(gzip.compress(data))),
]


@pytest.mark.parametrize(
    ("coding", "compress"), ENCODINGS, ids=["gzip", "brotli", "deflate", "raw-deflate", "gzip+br"]
)
def test_compressed_bodies_are_decoded(http_server: Any, coding: str, compress: Any) -> None:
    body = (PAGE * 200).encode()
    url = http_server.route(
        "/z", headers={**HTML_TYPE, "Content-Encoding": coding}, body=compress(body)
    )
    assert fetch(url).text == PAGE * 200


def test_chunked_body(http_server: Any) -> None:
    chunks = [b"<html><body>", "é".encode() * 1000, b"</body></html>"]
    url = http_server.route("/chunked", headers=HTML_TYPE, body=chunks)
    assert fetch(url).text == "<html><body>" + "é" * 1000 + "</body></html>"


def test_malformed_html_is_returned_as_is(http_server: Any) -> None:
    body = "<html><body><p>unclosed <div><b>bold</p></i><table><td>x"
    url = http_server.route("/m", headers=HTML_TYPE, body=body.encode())
    assert fetch(url).text == body


def test_redirect_chain_is_followed(http_server: Any) -> None:
    http_server.route("/r1", 301, {"Location": "/r2"})
    http_server.route("/r2", 302, {"Location": http_server.url("/dir/r3")})
    http_server.route("/dir/r3", 307, {"Location": "r4#frag"})
    final = http_server.route("/dir/r4", headers=HTML_TYPE, body=PAGE.encode())
    result = fetch(http_server.url("/r1"))
    assert result.url == final and result.text == PAGE
    assert [r.path for r in http_server.requests] == ["/r1", "/r2", "/dir/r3", "/dir/r4"]


@pytest.mark.parametrize(
    ("content_type", "expect"),
    [
        ("application/rss+xml", "feed"),
        ("application/atom+xml; charset=utf-8", "feed"),
        ("text/xml", "feed"),
        ("application/feed+json", "feed"),
        ("text/html", "feed"),
        ("application/xhtml+xml", "html"),
        ("image/png", "any"),
    ],
    ids=["rss", "atom", "text-xml", "json-feed", "feed-as-html", "xhtml", "any"],
)
def test_accepted_content_types(http_server: Any, content_type: str, expect: str) -> None:
    url = http_server.route("/t", headers={"Content-Type": content_type}, body=b"<rss/>")
    result = fetch(url, expect=expect)
    assert result.text == "<rss/>"
    assert result.content_type == content_type.split(";")[0]


def test_missing_content_type_is_sniffed(http_server: Any) -> None:
    url = http_server.route("/s", body=b"\n  <!DOCTYPE html><html><p>x</p></html>")
    assert fetch(url).content_type == ""


# --- failures -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "headers", "reason"),
    [
        (404, {}, "HTTP 404 Not Found"),
        (500, {}, "HTTP 500 Internal Server Error"),
        (403, {}, "HTTP 403 Forbidden"),
        (302, {}, "HTTP 302 Found (redirect without Location)"),
    ],
    ids=["404", "500", "403", "302-no-location"],
)
def test_http_error_statuses(
    http_server: Any, status: int, headers: dict[str, str], reason: str
) -> None:
    url = http_server.route("/e", status, headers, b"error page")
    assert fetch_error(url).reason == reason


def test_redirect_loop_is_too_many_redirects(http_server: Any) -> None:
    url = http_server.route("/loop", 302, {"Location": "/loop"})
    assert fetch_error(url).reason == "too many redirects (more than 5)"
    assert len(http_server.requests) == 6


def test_max_redirects_zero(http_server: Any) -> None:
    url = http_server.route("/once", 301, {"Location": "/target"})
    http_server.route("/target", headers=HTML_TYPE, body=PAGE.encode())
    error = fetch_error(url, _settings(max_redirects=0))
    assert error.reason == "too many redirects (more than 0)"


def _slow_headers(request: Any) -> tuple[int, dict[str, str], bytes]:
    time.sleep(1.5)
    return 200, HTML_TYPE, PAGE.encode()


def _drip(request: Any) -> tuple[int, dict[str, str], Iterator[bytes]]:
    def body() -> Iterator[bytes]:
        yield b"<html>"
        for _ in range(30):  # every read is quick; only an overall deadline stops this
            time.sleep(0.05)
            yield b"x"

    return 200, HTML_TYPE, body()


@pytest.mark.parametrize("handler", [_slow_headers, _drip], ids=["slow-headers", "drip"])
def test_overall_deadline(http_server: Any, handler: Any) -> None:
    http_server.routes["/slow"] = handler
    started = time.monotonic()
    error = fetch_error(http_server.url("/slow"), _settings(timeout=0.5))
    assert error.reason == "timed out after 0.5s"
    assert time.monotonic() - started < 1.2


@pytest.mark.parametrize(
    ("content_type", "expect", "reason"),
    [
        ("image/png", "html", "not an HTML page (content-type image/png)"),
        ("application/json", "html", "not an HTML page (content-type application/json)"),
        ("application/rss+xml", "html", "not an HTML page (content-type application/rss+xml)"),
        ("image/png", "feed", "not a feed (content-type image/png)"),
    ],
    ids=["png-html", "json-html", "rss-html", "png-feed"],
)
def test_refused_content_types(
    http_server: Any, content_type: str, expect: str, reason: str
) -> None:
    url = http_server.route("/t", headers={"Content-Type": content_type}, body=b"\x89PNG")
    assert fetch_error(url, expect=expect).reason == reason


@pytest.mark.parametrize(
    ("headers", "body", "reason"),
    [
        (HTML_TYPE, b"", "empty body"),
        (HTML_TYPE, b" \r\n\t  \n", "empty body"),
        (HTML_TYPE, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary content, not text"),
        ({}, b"just some text, no markup", "not an HTML page (no content-type, no <html> tag)"),
        ({}, b"\x00\x01\x02<html>", "binary content, not text"),
    ],
    ids=["empty", "whitespace", "binary", "untyped-text", "untyped-binary"],
)
def test_bad_bodies(http_server: Any, headers: dict[str, str], body: bytes, reason: str) -> None:
    url = http_server.route("/b", headers=headers, body=body)
    assert fetch_error(url).reason == reason


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_body_over_max_bytes(http_server: Any, chunked: bool) -> None:
    data = b"<html>" + b"a" * 2000
    body: Any = [data[i : i + 100] for i in range(0, len(data), 100)] if chunked else data
    url = http_server.route("/big", headers=HTML_TYPE, body=body)
    assert fetch_error(url, _settings(max_bytes=1000)).reason == "body larger than 1000 bytes"
    http_server.route("/fits", headers=HTML_TYPE, body=data[:1000])
    assert len(fetch(http_server.url("/fits"), _settings(max_bytes=1000)).text) == 1000


@functools.cache
def _bomb(coding: str) -> bytes:
    """50 MB of zeros, compressed (about 50 KB)."""
    zeros = bytes(1 << 20)
    if coding == "br":
        compressor = brotli.Compressor(quality=5)
        return b"".join(compressor.process(zeros) for _ in range(50)) + compressor.finish()
    gz = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    return b"".join(gz.compress(zeros) for _ in range(50)) + gz.flush()


@pytest.mark.parametrize("coding", ["gzip", "br"])
def test_compression_bomb_fails_fast_in_bounded_memory(http_server: Any, coding: str) -> None:
    url = http_server.route(
        "/bomb", headers={**HTML_TYPE, "Content-Encoding": coding}, body=_bomb(coding)
    )
    started = time.monotonic()
    tracemalloc.start()
    try:
        error = fetch_error(url, _settings(max_bytes=1_000_000))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert error.reason == "body larger than 1000000 bytes"
    assert peak < 8_000_000, f"peak {peak} bytes"
    assert time.monotonic() - started < 2


def test_unreachable_host(http_server: Any) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}/"
    error = fetch_error(url)
    assert error.reason.startswith("cannot connect")
    assert isinstance(error.__cause__, httpx.ConnectError)


def test_unknown_expect_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        fetch("http://127.0.0.1:1/", expect="pdf")


# --- charsets -----------------------------------------------------------------------------

RUSSIAN = "Привет, мир"
FRENCH = "Café à la crème brûlée"

CHARSETS = [
    (
        "text/html; charset=windows-1251",
        f"<html><p>{RUSSIAN}</p></html>".encode("cp1251"),
        RUSSIAN,
        "cp1251",
    ),
    (
        "text/html",
        f'<html><head><meta charset="windows-1251"></head><p>{RUSSIAN}</p></html>'.encode("cp1251"),
        RUSSIAN,
        "cp1251",
    ),
    (
        "text/html",
        (
            '<html><head><meta http-equiv="Content-Type" content="text/html; charset=koi8-r">'
            f"</head><p>{RUSSIAN}</p></html>"
        ).encode("koi8_r"),
        RUSSIAN,
        "koi8-r",
    ),
    ("text/html", f"<html><p>{FRENCH}</p></html>".encode("latin-1"), FRENCH, "cp1252"),
    (
        "text/html; charset=iso-8859-1",
        "<html><p>“quoted” – dash</p></html>".encode("cp1252"),
        "“quoted” – dash",
        "cp1252",
    ),
    ("text/html", "\ufeff<html><p>Grüße</p></html>".encode("utf-16-le"), "Grüße", "utf-16"),
    ("text/html", "\ufeff<html><p>Grüße</p></html>".encode("utf-16-be"), "Grüße", "utf-16"),
    (
        "text/html; charset=iso-8859-1",
        "\ufeff<html><p>Grüße</p></html>".encode(),
        "<html><p>Grüße",
        "utf-8-sig",
    ),
    ("text/html; charset=x-bogus", f"<html><p>{FRENCH}</p></html>".encode(), FRENCH, "utf-8"),
    ("text/html", f"<html><p>{FRENCH}</p></html>".encode(), FRENCH, "utf-8"),
]


@pytest.mark.parametrize(
    ("content_type", "body", "expected", "encoding"),
    CHARSETS,
    ids=[
        "cp1251-header",
        "cp1251-meta",
        "koi8r-http-equiv",
        "latin1-undeclared",
        "iso-8859-1-is-cp1252",
        "utf16le-bom",
        "utf16be-bom",
        "bom-beats-header",
        "unknown-charset",
        "utf8-undeclared",
    ],
)
def test_charsets(
    http_server: Any, content_type: str, body: bytes, expected: str, encoding: str
) -> None:
    url = http_server.route("/cs", headers={"Content-Type": content_type}, body=body)
    result = fetch(url)
    assert expected in result.text
    assert not result.text.startswith("\ufeff")
    assert result.encoding == encoding


@pytest.mark.parametrize(
    ("content_type", "body", "encoding"),
    [
        (None, b'<meta charset="utf-16"><p>x</p>', "utf-8"),
        (None, b"<meta charset='nonsense'><p>\xe9</p>", "cp1252"),
        ('text/html; charset="UTF-8"', b"<p>\xff</p>", "utf-8"),
    ],
    ids=["meta-utf16-means-utf8", "unknown-meta", "quoted-header-invalid-bytes"],
)
def test_decode_body_edge_cases(content_type: str | None, body: bytes, encoding: str) -> None:
    text, used = decode_body(body, content_type)
    assert used == encoding
    assert text.startswith(("<meta", "<p>"))
