"""Fetcher against a real local HTTP server (127.0.0.1, so allow_private=True)."""

from __future__ import annotations

import asyncio
import gzip
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import brotli
import httpx
import pytest

from monitor.errors import BlockedAddressError, DeferredError, FetchError, RobotsDisallowedError
from monitor.fetch import Fetcher, FetchSettings, make_client
from monitor.models import FetchResult
from monitor.polite import HostPolicy

HTML_TYPE = {"Content-Type": "text/html; charset=utf-8"}
PAGE = "<!doctype html><html><head><title>T</title></head><body><p>Zürich — “hi”</p></body></html>"


def _settings(**overrides: Any) -> FetchSettings:
    # No delay between requests to one host: spacing is tested on its own below and in
    # test_polite.py; here every fetch also asks the server for /robots.txt (404: allowed).
    base: dict[str, Any] = {"allow_private": True, "timeout": 5.0, "host_delay": 0.0}
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
    assert [r.path for r in http_server.requests] == ["/robots.txt", "/a"]
    robots, request = http_server.requests
    assert robots.headers["user-agent"] == request.headers["user-agent"]
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
    sent = http_server.requests_for("/c")[1].headers
    assert sent["if-none-match"] == '"v1"'
    assert sent["if-modified-since"] == "Wed, 01 Jan 2025 00:00:00 GMT"


def test_validators_with_line_breaks_are_not_sent(http_server: Any) -> None:
    url = http_server.route("/v", headers=HTML_TYPE, body=PAGE.encode())
    fetch(url, etag='"x"\r\nX-Evil: 1')
    assert "if-none-match" not in http_server.requests_for("/v")[0].headers


def test_compressed_body_is_decoded(http_server: Any) -> None:
    # Every coding, the size cap and compression bombs are in test_decode.py.
    body = (PAGE * 200).encode()
    url = http_server.route(
        "/z",
        headers={**HTML_TYPE, "Content-Encoding": "gzip, br"},
        body=brotli.compress(gzip.compress(body)),
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
    # One robots.txt for the whole chain: every hop is on the same site.
    paths = [r.path for r in http_server.requests]
    assert paths == ["/robots.txt", "/r1", "/r2", "/dir/r3", "/dir/r4"]


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
    assert len(http_server.requests_for("/loop")) == 6
    assert len(http_server.requests) == 7  # and robots.txt once


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


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_unreachable_host() -> None:
    url = f"http://127.0.0.1:{_closed_port()}/"
    error = fetch_error(url, robots=False)
    assert error.reason.startswith("cannot connect")
    assert isinstance(error.__cause__, httpx.ConnectError)


def test_unreachable_host_with_robots_says_why() -> None:
    port = _closed_port()
    url = f"http://127.0.0.1:{port}/"
    error = fetch_error(url)
    assert isinstance(error, RobotsDisallowedError)
    assert error.reason.startswith(f"robots.txt of 127.0.0.1:{port} unreachable (cannot connect")
    assert error.reason.endswith("treated as disallowed")


def test_unknown_expect_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        fetch("http://127.0.0.1:1/", expect="pdf")


# --- charsets -----------------------------------------------------------------------------


def test_the_charset_is_detected_and_reported(http_server: Any) -> None:
    # How the charset is chosen (BOM, header, <meta>, UTF-8, cp1252) is in test_decode.py.
    russian = "Привет, мир"
    url = http_server.route(
        "/cs",
        headers={"Content-Type": "text/html; charset=windows-1251"},
        body=f"<html><p>{russian}</p></html>".encode("cp1251"),
    )
    result = fetch(url)
    assert russian in result.text
    assert result.encoding == "cp1251"


# --- robots.txt ---------------------------------------------------------------------------

TEXT_TYPE = {"Content-Type": "text/plain"}
DISALLOW_ALL = b"User-agent: *\nDisallow: /\n"
NOW = datetime(2025, 3, 1, 12, 0, 0, tzinfo=UTC)


def fetch_all(
    urls: list[str],
    settings: FetchSettings | None = None,
    *,
    handler: Any = None,
    policy: HostPolicy | None = None,
    together: bool = False,
    **kwargs: Any,
) -> list[FetchResult | FetchError]:
    """Fetch `urls` with one Fetcher (one after another, or all at once when `together`),
    through the local server or, given `handler`, an httpx.MockTransport; returns each
    result or FetchError."""
    settings = settings or _settings()

    async def one(fetcher: Fetcher, url: str) -> FetchResult | FetchError:
        try:
            return await fetcher.fetch(url, **kwargs)
        except FetchError as exc:
            return exc

    async def go() -> list[FetchResult | FetchError]:
        if handler is not None:
            client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
        else:
            client = make_client(settings)
        async with client:
            fetcher = Fetcher(client, settings, policy=policy)
            if together:
                return list(await asyncio.gather(*(one(fetcher, url) for url in urls)))
            return [await one(fetcher, url) for url in urls]

    return asyncio.run(go())


class Site:
    """A MockTransport handler for several hosts: routes keyed by full URL, 404 otherwise."""

    def __init__(self, routes: dict[str, httpx.Response]) -> None:
        self.routes = routes
        self.seen: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(str(request.url))
        return self.routes.get(str(request.url), httpx.Response(404))


def _redirect_response(location: str) -> httpx.Response:
    return httpx.Response(302, headers={"Location": location})


def _html() -> httpx.Response:
    return httpx.Response(200, headers=HTML_TYPE, content=PAGE.encode())


def test_robots_disallow_is_honoured_without_requesting_the_page(http_server: Any) -> None:
    http_server.route("/robots.txt", headers=TEXT_TYPE, body=b"User-agent: *\nDisallow: /private\n")
    http_server.route("/private/a", headers=HTML_TYPE, body=PAGE.encode())
    public = http_server.route("/public", headers=HTML_TYPE, body=PAGE.encode())
    error = fetch_error(http_server.url("/private/a"))
    assert isinstance(error, RobotsDisallowedError)
    assert error.reason == f"disallowed by robots.txt of 127.0.0.1:{http_server.port}"
    assert http_server.requests_for("/private/a") == []
    assert fetch(public).text == PAGE


@pytest.mark.parametrize(
    ("status", "allowed"),
    [(404, True), (401, True), (403, True), (500, False), (503, False), (429, False)],
    ids=["404", "401", "403", "500", "503", "429"],
)
def test_robots_status_rules(http_server: Any, status: int, allowed: bool) -> None:
    # The body says "disallow everything": only a 2xx body counts.
    http_server.route("/robots.txt", status, TEXT_TYPE, DISALLOW_ALL)
    url = http_server.route("/page", headers=HTML_TYPE, body=PAGE.encode())
    if allowed:
        assert fetch(url).text == PAGE
        return
    error = fetch_error(url)
    assert isinstance(error, RobotsDisallowedError)
    assert error.reason == (
        f"robots.txt of 127.0.0.1:{http_server.port} unreachable (HTTP {status}), "
        "treated as disallowed"
    )
    assert http_server.requests_for("/page") == []


def test_robots_txt_is_fetched_once_for_many_pages(http_server: Any) -> None:
    http_server.route("/robots.txt", headers=TEXT_TYPE, body=b"User-agent: *\nDisallow: /x\n")
    for n in range(6):
        http_server.route(f"/p{n}", headers=HTML_TYPE, body=PAGE.encode())
    urls = [http_server.url(f"/p{n}") for n in range(6)] + [http_server.url("/x")]
    results = fetch_all(urls, together=True) + fetch_all(urls[:3])
    assert [type(r).__name__ for r in results] == ["FetchResult"] * 6 + [
        "RobotsDisallowedError"
    ] + ["FetchResult"] * 3
    # one robots.txt per Fetcher: once for the 7 concurrent fetches, once for the second Fetcher
    assert len(http_server.requests_for("/robots.txt")) == 2


@pytest.mark.parametrize(
    ("settings", "kwargs"),
    [(_settings(robots=False), {}), (_settings(), {"robots": False})],
    ids=["in-settings", "per-call"],
)
def test_robots_can_be_switched_off(
    http_server: Any, settings: FetchSettings, kwargs: dict[str, Any]
) -> None:
    http_server.route("/robots.txt", headers=TEXT_TYPE, body=DISALLOW_ALL)
    url = http_server.route("/page", headers=HTML_TYPE, body=PAGE.encode())
    assert fetch(url, settings, **kwargs).text == PAGE
    assert [r.path for r in http_server.requests] == ["/page"]


def test_robots_txt_redirect_is_followed(http_server: Any) -> None:
    http_server.route("/robots.txt", 301, {"Location": "/real-robots.txt"})
    http_server.route("/real-robots.txt", headers=TEXT_TYPE, body=b"User-agent: *\nDisallow: /x")
    http_server.route("/x", headers=HTML_TYPE, body=PAGE.encode())
    assert isinstance(fetch_error(http_server.url("/x")), RobotsDisallowedError)
    assert [r.path for r in http_server.requests] == ["/robots.txt", "/real-robots.txt"]


async def _public_dns(host: str, port: int) -> list[str]:
    return {"news.example": ["93.184.216.34"], "b.example": ["93.184.216.35"]}.get(
        host, ["10.0.0.5"]
    )


def test_robots_txt_redirect_to_a_private_address_is_blocked_and_disallows() -> None:
    site = Site({
        "http://news.example/robots.txt": _redirect_response("http://internal.example/robots.txt"),
        "http://news.example/a": _html(),
    })

    async def go() -> FetchError:
        async with httpx.AsyncClient(transport=httpx.MockTransport(site)) as client:
            fetcher = Fetcher(client, FetchSettings(host_delay=0), resolver=_public_dns)
            with pytest.raises(FetchError) as info:
                await fetcher.fetch("http://news.example/a")
            return info.value

    error = asyncio.run(go())
    assert isinstance(error, RobotsDisallowedError)
    assert error.reason.startswith(
        "robots.txt of news.example unreachable (redirected to http://internal.example/robots.txt"
    )
    assert "10.0.0.5" in error.reason
    assert site.seen == ["http://news.example/robots.txt"]


def test_each_redirect_hop_is_checked_against_its_own_robots_txt() -> None:
    site = Site({
        "http://news.example/a": _redirect_response("http://b.example/y"),
        "http://b.example/robots.txt": httpx.Response(200, content=b"User-agent: *\nDisallow: /y"),
        "http://b.example/y": _html(),
    })
    [error] = fetch_all(["http://news.example/a"], _settings(), handler=site)
    assert isinstance(error, RobotsDisallowedError)
    assert error.url == "http://news.example/a"
    assert error.reason == "redirected to http://b.example/y: disallowed by robots.txt of b.example"
    assert site.seen == [
        "http://news.example/robots.txt",
        "http://news.example/a",
        "http://b.example/robots.txt",
    ]


@pytest.mark.parametrize("max_bytes", [5_000_000, 1000], ids=["default-cap", "small-cap"])
def test_only_the_start_of_a_huge_robots_txt_counts(http_server: Any, max_bytes: int) -> None:
    body = b"User-agent: *\nDisallow: /early\n" + b"#" * 600_000 + b"\nDisallow: /late\n"
    http_server.route("/robots.txt", headers=TEXT_TYPE, body=body)
    for path in ("/early", "/late"):
        http_server.route(path, headers=HTML_TYPE, body=PAGE.encode())
    early, late = fetch_all(
        [http_server.url("/early"), http_server.url("/late")], _settings(max_bytes=max_bytes)
    )
    assert isinstance(early, RobotsDisallowedError)
    assert isinstance(late, FetchResult)


# --- Retry-After and host limits ----------------------------------------------------------


def _policy(settings: FetchSettings, **kwargs: Any) -> HostPolicy:
    return HostPolicy(settings, wall=lambda: NOW, **kwargs)


@pytest.mark.parametrize(
    ("status", "retry_after", "wait"),
    [
        (429, "120", 120),
        (503, "Sat, 01 Mar 2025 12:30:00 GMT", 1800),
        (429, "999999", 6 * 3600),
        (503, "Sat, 01 Mar 2025 11:00:00 GMT", 0),
    ],
    ids=["429-seconds", "503-http-date", "capped-at-6h", "past-date"],
)
def test_retry_after_defers_and_backs_off_that_host_only(
    status: int, retry_after: str, wait: int
) -> None:
    site = Site({
        "http://news.example/a": httpx.Response(status, headers={"Retry-After": retry_after}),
        "http://news.example/b": _html(),
        "http://b.example/c": _html(),
    })
    settings = _settings()
    policy = _policy(settings)
    urls = ["http://news.example/a", "http://news.example/b", "http://b.example/c"]
    first, second, other = fetch_all(urls, settings, handler=site, policy=policy)
    until = NOW + timedelta(seconds=wait)
    phrase = httpx.codes.get_reason_phrase(status)
    assert isinstance(first, DeferredError)
    assert (first.url, first.until) == ("http://news.example/a", until)
    assert first.reason == (
        f"HTTP {status} {phrase}; news.example asks to wait until "
        f"{until.isoformat(timespec='seconds')}"
    )
    assert isinstance(other, FetchResult)
    if wait:
        assert isinstance(second, DeferredError) and second.url == "http://news.example/b"
        assert policy.backoff_until("news.example") == until
        assert "http://news.example/b" not in site.seen
    else:  # a date in the past asks for no wait at all
        assert isinstance(second, FetchResult)
    assert policy.backoff_until("b.example") is None


@pytest.mark.parametrize(
    ("status", "headers"),
    [(429, {}), (429, {"Retry-After": "soon"}), (503, {}), (503, {"Retry-After": "-1"}),
     (500, {"Retry-After": "120"})],
    ids=["429-without", "429-garbage", "503-without", "503-negative", "500-ignored"],
)
def test_without_a_usable_retry_after_it_is_an_ordinary_error(
    status: int, headers: dict[str, str]
) -> None:
    site = Site({"http://news.example/a": httpx.Response(status, headers=headers)})
    settings = _settings()
    policy = _policy(settings)
    first, again = fetch_all(["http://news.example/a"] * 2, settings, handler=site, policy=policy)
    for error in (first, again):
        assert type(error) is FetchError
        assert error.reason == f"HTTP {status} {httpx.codes.get_reason_phrase(status)}"
    assert policy.backoff_until("news.example") is None
    assert site.seen.count("http://news.example/a") == 2


def test_retry_after_on_robots_txt_defers_the_page() -> None:
    site = Site({
        "http://news.example/robots.txt": httpx.Response(503, headers={"Retry-After": "60"}),
        "http://news.example/a": _html(),
    })
    settings = _settings()
    policy = _policy(settings)
    [error] = fetch_all(["http://news.example/a"], settings, handler=site, policy=policy)
    assert isinstance(error, DeferredError)
    assert error.url == "http://news.example/a"
    assert error.until == NOW + timedelta(seconds=60)
    assert site.seen == ["http://news.example/robots.txt"]


def test_a_redirect_to_a_backed_off_host_is_deferred() -> None:
    site = Site({
        "http://news.example/a": _redirect_response("http://b.example/c"),
    })
    settings = _settings()
    policy = _policy(settings)
    policy.back_off("b.example", 300)
    [error] = fetch_all(["http://news.example/a"], settings, handler=site, policy=policy)
    assert isinstance(error, DeferredError)
    assert error.url == "http://news.example/a"
    assert error.until == NOW + timedelta(seconds=300)
    assert not any("b.example" in url for url in site.seen)


def test_per_host_limit_holds_against_a_real_server(http_server: Any) -> None:
    lock = threading.Lock()
    active = peak = 0

    def slow(request: Any) -> tuple[int, dict[str, str], bytes]:
        nonlocal active, peak
        with lock:
            active += 1
            peak = max(peak, active)
        time.sleep(0.05)
        with lock:
            active -= 1
        return 200, HTML_TYPE, PAGE.encode()

    http_server.routes["/slow"] = slow
    urls = [http_server.url(f"/slow?n={n}") for n in range(8)]
    results = fetch_all(urls, _settings(per_host=2), together=True, robots=False)
    assert all(isinstance(r, FetchResult) for r in results)
    assert peak == 2


def test_global_limit_holds_over_hosts() -> None:
    active: Counter[str] = Counter()
    peak: Counter[str] = Counter()
    peak_total = 0

    async def handler(request: httpx.Request) -> httpx.Response:
        nonlocal peak_total
        host = request.url.host
        active[host] += 1
        peak[host] = max(peak[host], active[host])
        peak_total = max(peak_total, sum(active.values()))
        await asyncio.sleep(0.01)
        active[host] -= 1
        return _html()

    urls = [f"http://{host}/{n}" for n in range(6) for host in ("a.example", "b.example")]
    results = fetch_all(
        urls, _settings(concurrency=3, per_host=2), handler=handler, together=True, robots=False
    )
    assert all(isinstance(r, FetchResult) for r in results)
    assert peak_total == 3
    assert max(peak.values()) == 2


def test_requests_to_one_host_are_spaced_including_robots_txt(http_server: Any) -> None:
    sleeps: list[float] = []

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    for n in range(3):
        http_server.route(f"/p{n}", headers=HTML_TYPE, body=PAGE.encode())
    settings = _settings(host_delay=2.5)
    # A clock that never moves: every start after the first must wait the whole delay.
    policy = HostPolicy(settings, clock=lambda: 50.0, sleep=sleep)
    results = fetch_all([http_server.url(f"/p{n}") for n in range(3)], settings, policy=policy)
    assert all(isinstance(r, FetchResult) for r in results)
    assert [r.path for r in http_server.requests] == ["/robots.txt", "/p0", "/p1", "/p2"]
    assert sleeps == [2.5, 2.5, 2.5]


def test_waiting_for_a_slot_does_not_count_against_the_deadline(http_server: Any) -> None:
    def slow(request: Any) -> tuple[int, dict[str, str], bytes]:
        time.sleep(0.2)
        return 200, HTML_TYPE, PAGE.encode()

    http_server.routes["/slow"] = slow
    urls = [http_server.url(f"/slow?n={n}") for n in range(3)]
    # One at a time: the third waits 0.4 s for its slot, longer than its 0.3 s deadline.
    results = fetch_all(urls, _settings(per_host=1, timeout=0.3), together=True, robots=False)
    assert all(isinstance(r, FetchResult) for r in results), results


@pytest.mark.parametrize(
    ("url", "routes", "seen"),
    [
        ("http://internal.example/a", {}, []),
        (
            "http://news.example/a",
            {"http://news.example/a": _redirect_response("http://internal.example/b")},
            ["http://news.example/robots.txt", "http://news.example/a"],
        ),
    ],
    ids=["first-url", "redirect-hop"],
)
def test_the_guard_runs_before_robots_txt_is_asked(
    url: str, routes: dict[str, httpx.Response], seen: list[str]
) -> None:
    site = Site(routes)

    async def go() -> FetchError:
        async with httpx.AsyncClient(transport=httpx.MockTransport(site)) as client:
            fetcher = Fetcher(client, FetchSettings(host_delay=0), resolver=_public_dns)
            with pytest.raises(FetchError) as info:
                await fetcher.fetch(url)
            return info.value

    error = asyncio.run(go())
    assert isinstance(error, BlockedAddressError)
    assert "10.0.0.5" in error.reason
    assert site.seen == seen
