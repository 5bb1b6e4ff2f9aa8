"""Turn a response body into text, safely: bounded decompression and charset detection.

`read_body` reads a streaming httpx response, undoing its Content-Encoding (gzip, deflate,
br, stacked) in small pieces, and stops as soon as the decoded body passes a size limit, so a
compression bomb never expands far in memory. `decode_body` picks the charset the way
browsers do and never raises for undecodable bytes.
"""

from __future__ import annotations

import codecs
import logging
import re
import zlib
from collections.abc import Iterator
from typing import Protocol

import httpx

from monitor.errors import FetchError

try:
    import brotli
except ImportError:  # pragma: no cover - httpx[brotli] is a dependency
    brotli = None

log = logging.getLogger(__name__)

SNIFF_BYTES = 4096  # of a body, read for a <meta> charset (and by monitor.fetch to sniff)
# What a client should ask for: the codings read_body can undo.
ACCEPT_ENCODING = "gzip, deflate, br" if brotli is not None else "gzip, deflate"
_PIECE = 64 * 1024  # largest piece a decompressor may produce at once


# --- content decoding, bounded ---------------------------------------------------------


class _Decoder(Protocol):
    def decode(self, data: bytes) -> Iterator[bytes]: ...
    def flush(self) -> bytes: ...


class _ZlibDecoder:
    """gzip or deflate (zlib-wrapped, or raw as some servers send it), in bounded pieces."""

    def __init__(self, gzip: bool) -> None:
        self._gzip = gzip
        self._first = True
        wbits = zlib.MAX_WBITS | 16 if gzip else zlib.MAX_WBITS
        self._obj = zlib.decompressobj(wbits)

    def decode(self, data: bytes) -> Iterator[bytes]:
        if self._first and not self._gzip:
            self._first = False
            try:
                yield self._obj.decompress(data, _PIECE)
            except zlib.error:
                self._obj = zlib.decompressobj(-zlib.MAX_WBITS)
                yield self._obj.decompress(data, _PIECE)
        else:
            yield self._obj.decompress(data, _PIECE)
        while self._obj.unconsumed_tail:
            yield self._obj.decompress(self._obj.unconsumed_tail, _PIECE)

    def flush(self) -> bytes:
        return self._obj.flush()


class _BrotliDecoder:
    def __init__(self) -> None:
        assert brotli is not None
        self._obj = brotli.Decompressor()
        try:
            self._obj.process(b"", output_buffer_limit=_PIECE)
            self._bounded = True
        except TypeError:  # older brotli: no output limit
            self._bounded = False

    def decode(self, data: bytes) -> Iterator[bytes]:
        if not self._bounded:
            yield self._obj.process(data)
            return
        yield self._obj.process(data, output_buffer_limit=_PIECE)
        while not self._obj.can_accept_more_data():
            yield self._obj.process(b"", output_buffer_limit=_PIECE)

    def flush(self) -> bytes:
        return b""


def _decoders(content_encoding: str) -> list[_Decoder]:
    """Decoders to apply in order (the reverse of the listed codings); unknown ones are skipped."""
    decoders: list[_Decoder] = []
    for coding in reversed([c.strip().lower() for c in content_encoding.split(",")]):
        if coding in ("gzip", "x-gzip"):
            decoders.append(_ZlibDecoder(gzip=True))
        elif coding == "deflate":
            decoders.append(_ZlibDecoder(gzip=False))
        elif coding == "br" and brotli is not None:
            decoders.append(_BrotliDecoder())
        elif coding not in ("", "identity"):
            log.debug("unknown content-encoding %r, left as is", coding)
    return decoders


def _run(decoders: list[_Decoder], data: bytes) -> Iterator[bytes]:
    if not decoders:
        if data:
            yield data
        return
    first, rest = decoders[0], decoders[1:]
    for piece in first.decode(data):
        yield from _run(rest, piece)


async def read_body(
    url: str, response: httpx.Response, limit: int, *, truncate: bool = False
) -> bytes:
    """The decoded body, read in bounded pieces; FetchError as soon as it passes `limit`.

    With `truncate`, reading stops at `limit` and the first `limit` bytes are returned
    instead (robots.txt: only the start of an oversized file counts). Decompression is
    done here (not by httpx) so that a compression bomb never expands more than one small
    piece past the limit in memory.
    """
    too_big = FetchError(url, f"body larger than {limit} bytes")
    if response.is_stream_consumed:  # a pre-read response (e.g. from httpx.MockTransport)
        return _capped(response.content, limit, truncate, too_big)
    encoding = response.headers.get("content-encoding", "")
    declared = response.headers.get("content-length", "")
    if not truncate and not encoding and declared.isdigit() and int(declared) > limit:
        raise too_big
    decoders = _decoders(encoding)
    body = bytearray()
    try:
        async for chunk in response.aiter_raw():
            for piece in _run(decoders, chunk):
                body += piece
                if len(body) > limit:
                    return _capped(body, limit, truncate, too_big)
        for index, decoder in enumerate(decoders):
            for piece in _run(decoders[index + 1 :], decoder.flush()):
                body += piece
    except (zlib.error, _brotli_error()) as exc:
        raise FetchError(url, f"cannot decode {encoding} body ({exc})") from exc
    return _capped(body, limit, truncate, too_big)


def _capped(body: bytes | bytearray, limit: int, truncate: bool, too_big: FetchError) -> bytes:
    """`body` when it fits in `limit`; else its first `limit` bytes (`truncate`) or `too_big`."""
    if len(body) > limit and not truncate:
        raise too_big
    return bytes(body[:limit])


def _brotli_error() -> type[Exception]:
    return brotli.error if brotli is not None else zlib.error


# --- charsets ---------------------------------------------------------------------------

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_CHARSET_PARAM = re.compile(r"""charset\s*=\s*["']?\s*([A-Za-z0-9._:\-]+)""", re.IGNORECASE)
_META_TAG = re.compile(rb"<meta\b[^>]*>", re.IGNORECASE)
# WHATWG: these labels mean windows-1252 on the web (pages use its 0x80-0x9F characters).
_WEB_ALIASES = {"iso8859-1": "cp1252", "latin-1": "cp1252", "ascii": "cp1252"}


def _lookup(label: str | None) -> str | None:
    """Python codec name for a charset label, or None when unknown."""
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip().strip("\"'")).name
    except LookupError:
        return None
    return _WEB_ALIASES.get(name, name)


def _meta_charset(body: bytes) -> str | None:
    for tag in _META_TAG.finditer(body[:SNIFF_BYTES]):
        match = _CHARSET_PARAM.search(tag.group(0).decode("ascii", "replace"))
        if match:
            name = _lookup(match.group(1))
            if name is not None:
                # A meta tag read as ASCII cannot truly be UTF-16/32 (WHATWG: use UTF-8).
                return "utf-8" if name.startswith(("utf-16", "utf-32")) else name
    return None


def decode_body(body: bytes, content_type: str | None) -> tuple[str, str]:
    """Decode `body`, returning (text, Python codec name used).

    Order: a byte-order mark (it wins over the header, as in browsers), the
    Content-Type charset, a <meta> charset in the first 4 KB, UTF-8 if the body is
    valid UTF-8, else cp1252. Unknown labels are skipped; undecodable bytes are
    replaced, never raised.
    """
    for bom, name in _BOMS:
        if body.startswith(bom):
            return body.decode(name, "replace"), name
    header = _CHARSET_PARAM.search(content_type or "")
    encoding = (_lookup(header.group(1)) if header else None) or _meta_charset(body)
    if encoding is not None:
        return body.decode(encoding, "replace"), encoding
    try:
        return body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return body.decode("cp1252", "replace"), "cp1252"

