"""The fetch guard: URL checks, address classification, and guarded fetches (no network)."""

from __future__ import annotations

import asyncio
import ipaddress
import socket

import httpx
import pytest

from monitor.errors import BlockedAddressError, FetchError
from monitor.fetch import Fetcher, FetchSettings
from monitor.netguard import check_url, checked_addresses, guard_host, is_public_address

# --- check_url ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    ["http://news.example/a?b=1", "https://news.example:8443/", "HTTP://News.Example/"],
    ids=["http", "https-port", "upper-case"],
)
def test_check_url_accepts_http_and_https(url: str) -> None:
    assert check_url(url).scheme in ("http", "https")


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://news.example/file", "unsupported scheme 'ftp'"),
        ("file:///etc/passwd", "unsupported scheme 'file'"),
        ("javascript:alert(1)", "unsupported scheme 'javascript'"),
        ("gopher://127.0.0.1:6379/_x", "unsupported scheme 'gopher'"),
        ("news.example/page", "unsupported scheme '(none)'"),
        ("http:///no-host", "URL has no host"),
        ("http://[zz]/", "invalid URL"),
    ],
    ids=["ftp", "file", "javascript", "gopher", "no-scheme", "no-host", "invalid"],
)
def test_check_url_refuses(url: str, reason: str) -> None:
    with pytest.raises(BlockedAddressError) as info:
        check_url(url)
    assert info.value.url == url
    assert reason in info.value.reason


# --- is_public_address --------------------------------------------------------------------

ADDRESSES = [
    ("93.184.216.34", True, "public-v4"),
    ("8.8.8.8", True, "public-v4-dns"),
    ("2606:4700:4700::1111", True, "public-v6"),
    ("127.0.0.1", False, "loopback"),
    ("127.8.9.10", False, "loopback-range"),
    ("10.0.0.5", False, "private-10"),
    ("172.16.3.4", False, "private-172"),
    ("192.168.1.1", False, "private-192"),
    ("169.254.169.254", False, "metadata-link-local"),
    ("100.64.0.1", False, "cgnat"),
    ("100.127.255.254", False, "cgnat-end"),
    ("0.0.0.0", False, "unspecified-v4"),
    ("224.0.0.1", False, "multicast-v4"),
    ("239.255.255.250", False, "multicast-ssdp"),
    ("240.0.0.1", False, "reserved-v4"),
    ("255.255.255.255", False, "broadcast"),
    ("192.0.2.10", False, "documentation-v4"),
    ("198.18.0.1", False, "benchmarking"),
    ("::1", False, "loopback-v6"),
    ("::", False, "unspecified-v6"),
    ("fe80::1", False, "link-local-v6"),
    ("fc00::1", False, "unique-local"),
    ("fd12:3456::1", False, "unique-local-fd"),
    ("fec0::1", False, "site-local"),
    ("ff02::1", False, "multicast-v6"),
    ("2001:db8::1", False, "documentation-v6"),
    ("::ffff:127.0.0.1", False, "mapped-loopback"),
    ("::ffff:10.1.2.3", False, "mapped-private"),
    ("::ffff:169.254.169.254", False, "mapped-metadata"),
    ("::ffff:93.184.216.34", True, "mapped-public"),
    ("2002:7f00:1::1", False, "6to4-loopback"),
    ("2002:a00:1::1", False, "6to4-private"),
    ("64:ff9b::7f00:1", False, "nat64-loopback"),
    ("64:ff9b::a9fe:a9fe", False, "nat64-metadata"),
    ("64:ff9b::5db8:d822", True, "nat64-public"),
    ("64:ff9b:1::1", False, "nat64-local-use"),
]


@pytest.mark.parametrize(
    ("address", "public"),
    [(a, p) for a, p, _ in ADDRESSES],
    ids=[i for _, _, i in ADDRESSES],
)
def test_is_public_address(address: str, public: bool) -> None:
    assert is_public_address(ipaddress.ip_address(address)) is public


# --- guard_host ---------------------------------------------------------------------------

DNS = {
    "news.example": ["93.184.216.34"],
    "internal.example": ["10.0.0.5"],
    "mixed.example": ["93.184.216.34", "127.0.0.1"],
    "v6.example": ["2606:4700:4700::1111"],
    "mapped.example": ["::ffff:127.0.0.1"],
}


class FakeResolver:
    """Resolves from DNS above; unknown names fail like getaddrinfo does. Logs lookups."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, int]] = []

    async def __call__(self, host: str, port: int) -> list[str]:
        self.calls.append((host, port))
        if host not in DNS:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return DNS[host]


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("news.example", ["93.184.216.34"]),
        ("v6.example", ["2606:4700:4700::1111"]),
        ("93.184.216.34", ["93.184.216.34"]),
    ],
    ids=["name", "name-v6", "literal"],
)
def test_guard_host_allows_public(host: str, expected: list[str]) -> None:
    assert asyncio.run(guard_host(host, 80, resolver=FakeResolver())) == expected


@pytest.mark.parametrize(
    ("host", "needle"),
    [
        ("internal.example", "10.0.0.5"),
        ("mixed.example", "127.0.0.1"),
        ("mapped.example", "::ffff:127.0.0.1"),
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("[::ffff:127.0.0.1]", "embeds 127.0.0.1"),
        ("169.254.169.254", "link-local"),
        ("100.64.0.1", "shared address space"),
    ],
    ids=[
        "private-name",
        "any-address-private",
        "mapped-name",
        "literal-loopback",
        "literal-v6-loopback",
        "literal-mapped",
        "metadata",
        "cgnat",
    ],
)
def test_guard_host_blocks_non_public(host: str, needle: str) -> None:
    with pytest.raises(BlockedAddressError) as info:
        asyncio.run(guard_host(host, 80, resolver=FakeResolver()))
    assert needle in info.value.reason


def test_guard_host_literal_skips_dns() -> None:
    resolver = FakeResolver()
    with pytest.raises(BlockedAddressError):
        asyncio.run(guard_host("10.1.1.1", 80, resolver=resolver))
    assert resolver.calls == []


def test_guard_host_allow_private_checks_nothing() -> None:
    resolver = FakeResolver()
    assert (
        asyncio.run(guard_host("internal.example", 80, allow_private=True, resolver=resolver)) == []
    )
    assert resolver.calls == []


def test_guard_host_unresolvable_is_fetch_error() -> None:
    with pytest.raises(FetchError) as info:
        asyncio.run(
            guard_host(
                "nowhere.example", 443, resolver=FakeResolver(), url="https://nowhere.example/"
            )
        )
    assert not isinstance(info.value, BlockedAddressError)
    assert info.value.url == "https://nowhere.example/"
    assert "cannot resolve host 'nowhere.example'" in info.value.reason


@pytest.mark.parametrize(
    ("host", "allow_private", "expected"),
    [
        ("news.example", False, ["93.184.216.34"]),
        ("internal.example", True, ["10.0.0.5"]),
        ("mixed.example", True, ["93.184.216.34", "127.0.0.1"]),
        ("127.0.0.1", True, ["127.0.0.1"]),
        ("[::1]", True, ["::1"]),
        ("internal.example", False, BlockedAddressError),
        ("127.0.0.1", False, BlockedAddressError),
        ("nowhere.example", True, FetchError),
    ],
    ids=[
        "public", "private-allowed", "mixed-allowed", "literal-allowed", "v6-literal-allowed",
        "private-refused", "literal-refused", "unresolvable-even-when-allowed",
    ],
)
def test_checked_addresses_resolves_even_when_private_is_allowed(
    host: str, allow_private: bool, expected: list[str] | type[Exception]
) -> None:
    # A caller that connects (monitor.transport) needs the addresses in every case.
    call = checked_addresses(host, 80, allow_private=allow_private, resolver=FakeResolver())
    if isinstance(expected, list):
        assert asyncio.run(call) == expected
        return
    with pytest.raises(expected) as info:
        asyncio.run(call)
    assert type(info.value) is expected


def test_default_resolver_blocks_localhost() -> None:
    with pytest.raises(BlockedAddressError):
        asyncio.run(guard_host("localhost", 80))  # /etc/hosts, no network


# --- Fetcher with the guard on (MockTransport, fake DNS) ----------------------------------

HTML = b"<!doctype html><html><body><p>Hello</p></body></html>"


def _fetch(
    url: str, routes: dict[str, httpx.Response], **settings: object
) -> tuple[object, list[str]]:
    """Fetch through a MockTransport serving `routes` (keyed by full URL); returns
    (result or raised exception, URLs the transport was asked for)."""
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return routes.get(str(request.url), httpx.Response(404))

    async def go() -> object:
        async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
            # robots.txt and host spacing are tested in test_fetch.py; here only the guard.
            options: dict[str, object] = {"robots": False, "host_delay": 0.0, **settings}
            fetcher = Fetcher(
                client,
                FetchSettings(**options),  # type: ignore[arg-type]
                resolver=FakeResolver(),
            )
            try:
                return await fetcher.fetch(url)
            except FetchError as exc:
                return exc

    return asyncio.run(go()), seen


def _redirect(location: str, status: int = 302) -> httpx.Response:
    return httpx.Response(status, headers={"Location": location})


def _page() -> httpx.Response:
    return httpx.Response(200, headers={"Content-Type": "text/html"}, content=HTML)


def test_guarded_fetch_of_public_host_succeeds() -> None:
    result, seen = _fetch("http://news.example/a", {"http://news.example/a": _page()})
    assert not isinstance(result, Exception), result
    assert seen == ["http://news.example/a"]


@pytest.mark.parametrize(
    ("location", "needle"),
    [
        ("http://127.0.0.1:1/", "127.0.0.1"),
        ("http://internal.example/admin", "10.0.0.5"),
        ("http://[::ffff:127.0.0.1]/", "embeds 127.0.0.1"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254"),
        ("http://100.64.0.1/", "100.64.0.1"),
        ("file:///etc/passwd", "unsupported scheme 'file'"),
        ("ftp://news.example/x", "unsupported scheme 'ftp'"),
    ],
    ids=["loopback", "private-name", "mapped", "metadata", "cgnat", "file", "ftp"],
)
def test_redirect_to_forbidden_target_is_blocked_without_connecting(
    location: str, needle: str
) -> None:
    result, seen = _fetch("http://news.example/a", {"http://news.example/a": _redirect(location)})
    assert isinstance(result, BlockedAddressError)
    assert result.url == "http://news.example/a"
    assert "redirected to" in result.reason and needle in result.reason
    assert seen == ["http://news.example/a"]  # the forbidden hop was never requested


@pytest.mark.parametrize(
    "url",
    [
        "http://internal.example/",
        "http://127.0.0.1:8080/",
        "http://[::1]/",
        "http://169.254.169.254/",
        "ftp://news.example/",
        "file:///etc/passwd",
    ],
    ids=["private-name", "loopback", "v6-loopback", "metadata", "ftp", "file"],
)
def test_forbidden_first_url_is_blocked_without_connecting(url: str) -> None:
    result, seen = _fetch(url, {})
    assert isinstance(result, BlockedAddressError)
    assert result.url == url
    assert seen == []


def test_unresolvable_host_is_fetch_error_without_connecting() -> None:
    result, seen = _fetch("http://nowhere.example/", {})
    assert isinstance(result, FetchError) and not isinstance(result, BlockedAddressError)
    assert "cannot resolve host" in result.reason
    assert seen == []


def test_allow_private_lets_private_redirects_through() -> None:
    routes = {
        "http://news.example/a": _redirect("http://10.0.0.5/b"),
        "http://10.0.0.5/b": _page(),
    }
    result, seen = _fetch("http://news.example/a", routes, allow_private=True)
    assert not isinstance(result, Exception), result
    assert seen == ["http://news.example/a", "http://10.0.0.5/b"]


def test_public_redirect_chain_is_checked_per_hop() -> None:
    routes = {
        "http://news.example/a": _redirect("/b", 301),
        "http://news.example/b": _redirect("https://v6.example/c", 307),
        "https://v6.example/c": _page(),
    }
    result, seen = _fetch("http://news.example/a", routes)
    assert not isinstance(result, Exception), result
    assert seen == list(routes)
