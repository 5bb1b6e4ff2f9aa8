"""The fetch guard: which URLs and addresses `monitor` is allowed to contact.

A monitored URL comes from a config file, the CLI or a feed, and a redirect can point
anywhere; without a guard a hostile feed could make the daemon probe the local network
or a cloud metadata service (169.254.169.254). `check_url` refuses anything but
http(s) URLs with a host, and `guard_host` refuses hosts that resolve to any address
that is not publicly routable. `checked_addresses` returns the addresses it checked, so
that a connection (monitor.transport) goes to one of them and not to what a second DNS
answer says.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
from collections.abc import Awaitable, Callable

import httpx

from monitor.errors import BlockedAddressError, FetchError

logger = logging.getLogger(__name__)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

Resolver = Callable[[str, int], Awaitable[list[str]]]
"""Resolves (host, port) to address strings; raises OSError when the name does not resolve."""

ALLOWED_SCHEMES = frozenset({"http", "https"})

_CGNAT = ipaddress.IPv4Network("100.64.0.0/10")
_NAT64_WELL_KNOWN = ipaddress.IPv6Network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.IPv6Network("64:ff9b:1::/48")


def check_url(url: str) -> httpx.URL:
    """Parse `url` and return it if it is an http or https URL with a host.

    Raises BlockedAddressError (with a readable reason) for any other scheme, a
    missing host or an unparsable URL. Does not resolve or contact anything.
    """
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        raise BlockedAddressError(url, f"invalid URL ({exc})") from exc
    if parsed.scheme not in ALLOWED_SCHEMES:
        shown = parsed.scheme or "(none)"
        raise BlockedAddressError(url, f"unsupported scheme {shown!r}")
    if not parsed.host:
        raise BlockedAddressError(url, "URL has no host")
    return parsed


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address carried inside a mapped, 6to4 or NAT64 IPv6 address, if any."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in _NAT64_WELL_KNOWN:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def non_public_reason(ip: IPAddress) -> str | None:
    """Why `ip` is not a public unicast address ("loopback", "private", ...), or None if it is."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip in _NAT64_LOCAL:
            return "local-use NAT64"
        embedded = _embedded_ipv4(ip)
        if embedded is not None:
            inner = non_public_reason(embedded)
            return None if inner is None else f"embeds {embedded}, {inner}"
        if ip.is_site_local:
            return "site-local"
    checks: tuple[tuple[bool, str], ...] = (
        (ip.is_unspecified, "unspecified"),
        (ip.is_loopback, "loopback"),
        (ip.is_link_local, "link-local"),
        (ip.is_multicast, "multicast"),
        (isinstance(ip, ipaddress.IPv4Address) and ip in _CGNAT, "shared address space"),
        (ip.is_private, "private"),
        (ip.is_reserved, "reserved"),
        (not ip.is_global, "not globally routable"),
    )
    for failed, reason in checks:
        if failed:
            return reason
    return None


def is_public_address(ip: IPAddress) -> bool:
    """True only for globally routable unicast addresses.

    False for loopback, private, link-local, shared (CGNAT 100.64/10), multicast,
    reserved, unspecified, site-local and documentation ranges, and for IPv4-mapped,
    6to4 and NAT64 IPv6 addresses whose embedded IPv4 address is not public.
    """
    return non_public_reason(ip) is None


async def default_resolver(host: str, port: int) -> list[str]:
    """Resolve `host` with the event loop's getaddrinfo; every address, duplicates removed."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses: list[str] = []
    for _family, _type, _proto, _canon, sockaddr in infos:
        address = str(sockaddr[0])
        if address not in addresses:
            addresses.append(address)
    return addresses


def _parse_ip(text: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(text.strip("[]"))
    except ValueError:
        return None


async def guard_host(
    host: str,
    port: int,
    *,
    allow_private: bool = False,
    resolver: Resolver | None = None,
    url: str | None = None,
) -> list[str]:
    """Check that `host` is safe to connect to and return the addresses it resolved to.

    With `allow_private` nothing is checked (nor resolved) and [] is returned. Otherwise
    as `checked_addresses`: an IP literal is checked as is, a name is resolved and refused
    if ANY of its addresses is not public.

    The check and a later connection by someone else resolve separately, so a DNS server
    that answers differently the second time (DNS rebinding) is not stopped by this alone:
    monitor.transport connects only to the addresses `checked_addresses` gave it.
    """
    if allow_private:
        return []
    return await checked_addresses(host, port, resolver=resolver, url=url)


async def checked_addresses(
    host: str,
    port: int,
    *,
    allow_private: bool = False,
    resolver: Resolver | None = None,
    url: str | None = None,
) -> list[str]:
    """The addresses to connect to for `host`, every one of them checked to be public.

    An IP literal is returned as is, without DNS. A name is resolved with `resolver`
    (default: getaddrinfo) and refused if ANY of its addresses is not public, since the
    connection may use any of them. With `allow_private` the addresses are resolved the
    same way but not checked.

    Raises BlockedAddressError for a non-public address and FetchError when the name
    does not resolve. Both name `url` (default: the host) as the input at fault.
    """
    subject = url or host
    literal = _parse_ip(host)
    if literal is not None:
        reason = None if allow_private else non_public_reason(literal)
        if reason is not None:
            raise BlockedAddressError(subject, f"address {literal} is not public ({reason})")
        return [str(literal)]

    resolve = resolver or default_resolver
    try:
        addresses = await resolve(host, port)
    except FetchError:
        raise
    except (OSError, UnicodeError, ValueError) as exc:
        raise FetchError(subject, f"cannot resolve host {host!r} ({exc})") from exc
    if not addresses:
        raise FetchError(subject, f"cannot resolve host {host!r} (no addresses)")

    for address in addresses:
        ip = _parse_ip(address)
        if ip is None:
            raise BlockedAddressError(
                subject, f"host {host!r} resolved to unparsable address {address!r}"
            )
        reason = None if allow_private else non_public_reason(ip)
        if reason is not None:
            raise BlockedAddressError(
                subject, f"host {host!r} resolves to {address}, which is not public ({reason})"
            )
    logger.debug("guard: %s resolves to %s", host, ", ".join(addresses))
    return addresses
