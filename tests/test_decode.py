"""Body decoding: bounded decompression (`read_body`) and charset detection (`decode_body`)."""

from __future__ import annotations

import asyncio
import functools
import gzip
import time
import tracemalloc
import zlib
from collections.abc import AsyncIterator
from typing import Any

import brotli
import httpx
import pytest

from monitor.decode import decode_body, read_body
from monitor.errors import FetchError

PAGE = "<!doctype html><html><head><title>T</title></head><body><p>Zürich — “hi”</p></body></html>"


class Chunks(httpx.AsyncByteStream):
    """A response body that arrives in pieces of `size` bytes, as from a socket."""

    def __init__(self, data: bytes, size: int = 1000) -> None:
        self.data, self.size = data, size

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for start in range(0, len(self.data), self.size):
            yield self.data[start : start + self.size]


def read(data: bytes, limit: int, *, truncate: bool = False, **headers: str) -> bytes:
    """`read_body` of a streaming response with `headers` (underscores become dashes)."""
    response = httpx.Response(
        200, headers={k.replace("_", "-"): v for k, v in headers.items()}, stream=Chunks(data)
    )
    return asyncio.run(read_body("http://x.example/", response, limit, truncate=truncate))


def read_error(data: bytes, limit: int, **headers: str) -> FetchError:
    with pytest.raises(FetchError) as info:
        read(data, limit, **headers)
    assert info.value.url == "http://x.example/"
    return info.value


# --- content codings ------------------------------------------------------------------------


def _raw_deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush()


ENCODINGS = [
    ("gzip", gzip.compress),
    ("x-gzip", gzip.compress),
    ("br", brotli.compress),
    ("deflate", zlib.compress),
    ("deflate", _raw_deflate),
    ("gzip, br", lambda data: brotli.compress(gzip.compress(data))),
    ("identity", lambda data: data),
    ("compress", lambda data: data),
]


@pytest.mark.parametrize(
    ("coding", "compress"),
    ENCODINGS,
    ids=["gzip", "x-gzip", "brotli", "deflate", "raw-deflate", "gzip+br", "identity",
         "unknown-left-as-is"],
)
def test_compressed_bodies_are_decoded(coding: str, compress: Any) -> None:
    body = (PAGE * 200).encode()
    assert read(compress(body), 1_000_000, content_encoding=coding) == body


@pytest.mark.parametrize("coding", ["gzip", "deflate", "br"])
def test_a_corrupt_body_cannot_be_decoded(coding: str) -> None:
    error = read_error(b"\x1f\x8b\x08 this is not compressed" * 10, 10_000,
                       content_encoding=coding)
    assert error.reason.startswith(f"cannot decode {coding} body (")


# --- the size limit -------------------------------------------------------------------------

BODY = b"<html>" + b"a" * 1994  # 2000 bytes


@pytest.mark.parametrize(
    ("headers", "limit", "truncate", "expected"),
    [
        ({}, 2000, False, BODY),
        ({}, 1000, False, None),
        ({"content_length": "2000"}, 1000, False, None),
        ({}, 1000, True, BODY[:1000]),
        ({"content_length": "2000"}, 1000, True, BODY[:1000]),
        ({"content_encoding": "gzip"}, 1000, False, None),
        ({"content_encoding": "gzip"}, 1000, True, BODY[:1000]),
    ],
    ids=["fits", "streamed-over", "declared-over", "truncated", "declared-truncated",
         "decoded-over", "decoded-truncated"],
)
def test_body_over_the_limit(
    headers: dict[str, str], limit: int, truncate: bool, expected: bytes | None
) -> None:
    data = gzip.compress(BODY) if headers.get("content_encoding") else BODY
    if expected is None:
        assert read_error(data, limit, **headers).reason == f"body larger than {limit} bytes"
    else:
        assert read(data, limit, truncate=truncate, **headers) == expected


@pytest.mark.parametrize(("truncate", "expected"), [(False, None), (True, BODY[:1000])],
                         ids=["over", "truncated"])
def test_a_pre_read_body_is_held_to_the_limit(truncate: bool, expected: bytes | None) -> None:
    response = httpx.Response(200, content=BODY)  # as httpx.MockTransport hands it over
    assert response.is_stream_consumed

    async def go() -> bytes:
        return await read_body("http://x.example/", response, 1000, truncate=truncate)

    if expected is None:
        with pytest.raises(FetchError, match="body larger than 1000 bytes"):
            asyncio.run(go())
    else:
        assert asyncio.run(go()) == expected


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
def test_compression_bomb_fails_fast_in_bounded_memory(coding: str) -> None:
    bomb = _bomb(coding)
    started = time.monotonic()
    tracemalloc.start()
    try:
        error = read_error(bomb, 1_000_000, content_encoding=coding)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert error.reason == "body larger than 1000000 bytes"
    assert peak < 8_000_000, f"peak {peak} bytes"
    assert time.monotonic() - started < 2


# --- charsets -------------------------------------------------------------------------------

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
def test_charsets(content_type: str, body: bytes, expected: str, encoding: str) -> None:
    text, used = decode_body(body, content_type)
    assert expected in text
    assert not text.startswith("\ufeff")
    assert used == encoding


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
