"""Fetch one URL safely and politely.

`Fetcher.fetch` either returns a FetchResult (200 or 304) or raises FetchError: its
subclass BlockedAddressError when the guard refuses a URL, RobotsDisallowedError when
robots.txt forbids it, DeferredError when the host asked us to wait (429/503 with
Retry-After). Every request, each redirect hop and each robots.txt fetch, passes the
address guard and a HostPolicy slot (per-host and global limits, spacing, backoff);
every httpx exception is translated to FetchError in one place, keeping the cause.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TypeVar

import httpx

from monitor.config import FetchSettings
from monitor.decode import ACCEPT_ENCODING, SNIFF_BYTES, decode_body, read_body
from monitor.errors import DeferredError, FetchError, RobotsDisallowedError
from monitor.models import FetchResult
from monitor.netguard import Resolver, check_url, guard_host
from monitor.polite import HostPolicy, host_key, parse_retry_after
from monitor.robots import MAX_ROBOTS_BYTES, RobotsCache
from monitor.transport import GuardedTransport

logger = logging.getLogger(__name__)

EXPECT_KINDS = ("html", "feed", "any")
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
FEED_TYPES = frozenset({"text/html", "application/xhtml+xml", "text/plain", "application/json"})
REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})
DEFER_CODES = frozenset({429, 503})  # statuses whose Retry-After backs the host off

T = TypeVar("T")


def make_client(settings: FetchSettings, *, resolver: Resolver | None = None) -> httpx.AsyncClient:
    """An AsyncClient for Fetcher: no automatic redirects, our headers, on a GuardedTransport.

    The transport (monitor.transport) speaks HTTP/1.1 itself, resolves every host it
    connects to with `resolver` and, unless `settings.allow_private`, refuses non-public
    addresses, connecting only to an address it checked. It keeps as many idle keep-alive
    connections per host as requests may be in flight to one host. The caller owns the
    client and must close it (`async with` or `aclose()`).
    """
    per_origin = max(1, min(settings.per_host, settings.concurrency))
    transport = GuardedTransport(
        allow_private=settings.allow_private,
        resolver=resolver,
        max_idle_per_origin=per_origin,
        max_idle=max(20, settings.concurrency),
        keepalive_expiry=30.0,
    )
    return httpx.AsyncClient(
        transport=transport,
        follow_redirects=False,
        # Proxies from the environment would bypass the address guard; cookies are not
        # shared between unrelated sites.
        trust_env=False,
        timeout=httpx.Timeout(settings.timeout, connect=min(settings.timeout, 10.0)),
        headers={
            "User-Agent": settings.user_agent,
            "Accept-Encoding": ACCEPT_ENCODING,
        },
    )


class _Budget:
    """The overall deadline of one fetch, spent only while resolving and talking to servers.

    Time spent queueing for a HostPolicy slot or waiting for robots.txt does not count:
    politeness may delay a fetch, it must not make it time out.
    """

    def __init__(self, seconds: float) -> None:
        self.left = seconds

    @contextlib.asynccontextmanager
    async def spend(self) -> AsyncIterator[None]:
        """Run the body under the time left; TimeoutError when it runs out."""
        loop = asyncio.get_running_loop()
        started = loop.time()
        try:
            async with asyncio.timeout_at(started + max(self.left, 0.0)):
                yield
        finally:
            self.left -= loop.time() - started


class Fetcher:
    """Fetches URLs through a shared client under the guard, limits and manners of `settings`.

    One long-lived Fetcher (and its HostPolicy and robots.txt cache) should serve a whole
    service, so that limits, backoffs and robots.txt verdicts are shared and persist.
    """

    def __init__(
        self,
        client: httpx.AsyncClient,
        settings: FetchSettings,
        *,
        resolver: Resolver | None = None,
        policy: HostPolicy | None = None,
    ) -> None:
        self._client = client
        self._settings = settings
        self._resolver = resolver
        self.policy = policy if policy is not None else HostPolicy(settings)
        self.robots = RobotsCache(self._fetch_robots, user_agent=settings.user_agent)

    async def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        expect: str = "html",
        robots: bool = True,
    ) -> FetchResult:
        """GET `url` and return its decoded text, or a 304 result when the validators match.

        `expect` is "html" (an HTML page; refuses other types, empty and binary bodies),
        "feed" (XML/JSON feeds, also text/html and text/plain, as feeds are often
        mislabelled) or "any". Redirects are followed by hand, each hop re-checked by the
        guard and, when `robots` and `settings.robots`, by its site's robots.txt. Raises
        FetchError (url = the URL asked for) on any failure, including the overall
        deadline (`settings.timeout` of network time, over all hops) and a decoded body
        over `max_bytes`; DeferredError (nothing more sent) when the host is backed off or
        answers 429/503 with a usable Retry-After.
        """
        if expect not in EXPECT_KINDS:
            raise ValueError(f"expect must be one of {EXPECT_KINDS}, not {expect!r}")
        headers = _request_headers(etag, last_modified, expect)

        async def finish(response: httpx.Response) -> FetchResult:
            return await self._finish(url, response, etag, last_modified, expect)

        return await self._exchange(url, headers, finish, robots=self._settings.robots and robots)

    async def _exchange(
        self,
        url: str,
        headers: dict[str, str],
        finish: Callable[[httpx.Response], Awaitable[T]],
        *,
        robots: bool,
    ) -> T:
        """GET `url`, following redirects under the guard, and pass the final response to
        `finish` (inside the deadline, while the response streams)."""
        timeout = self._settings.timeout
        budget = _Budget(timeout)
        try:
            current = check_url(url)
            for hop in range(self._settings.max_redirects + 1):
                if hop:
                    try:
                        check_url(str(current))
                    except FetchError as exc:
                        raise type(exc)(url, f"redirected to {current}: {exc.reason}") from exc
                async with budget.spend():
                    await self._guard(url, current, hop)
                if robots:
                    await self._check_robots(url, current, hop)
                async with self.policy.slot(current), budget.spend():
                    logger.debug("GET %s (hop %d)", current, hop)
                    response = await self._send(url, current, hop, headers)
                    try:
                        target = _redirect_target(current, response)
                        if target is None:
                            self._defer_if_asked(url, current, response)
                            return await finish(response)
                    finally:
                        await response.aclose()
                current = target
        except DeferredError as exc:
            if exc.url == url:
                raise
            # Refused by the policy for a redirect hop or for robots.txt: report the URL
            # the caller asked for, like every other error.
            raise DeferredError(url, exc.reason, exc.until) from exc
        except TimeoutError as exc:
            raise FetchError(url, f"timed out after {timeout:g}s") from exc
        except (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError) as exc:
            raise FetchError(url, describe_httpx_error(exc)) from exc
        raise FetchError(url, f"too many redirects (more than {self._settings.max_redirects})")

    async def _guard(self, url: str, current: httpx.URL, hop: int) -> None:
        if self._settings.allow_private:
            return
        try:
            await guard_host(
                current.host, _port(current), resolver=self._resolver, url=str(current)
            )
        except FetchError as exc:
            raise _at_hop(exc, url, current, hop) from exc

    async def _send(
        self, url: str, current: httpx.URL, hop: int, headers: dict[str, str]
    ) -> httpx.Response:
        """Send a GET for `current` and return the streaming response (the caller closes it)."""
        request = self._client.build_request("GET", current, headers=headers)
        try:
            return await self._client.send(request, stream=True)
        except FetchError as exc:  # the transport's own guard refused the address it resolved
            raise _at_hop(exc, url, current, hop) from exc

    async def _check_robots(self, url: str, current: httpx.URL, hop: int) -> None:
        verdict = await self.robots.check(str(current))
        if not verdict.allowed:
            logger.debug("%s: %s", current, verdict.reason)
            reason = f"redirected to {current}: {verdict.reason}" if hop else verdict.reason
            raise RobotsDisallowedError(url, reason)

    def _defer_if_asked(self, url: str, current: httpx.URL, response: httpx.Response) -> None:
        """Back the host off and raise DeferredError on 429/503 with a usable Retry-After."""
        status = response.status_code
        if status not in DEFER_CODES:
            return
        seconds = parse_retry_after(response.headers.get("retry-after"), self.policy.now())
        if seconds is None:
            return  # no usable Retry-After: an ordinary HTTP error
        until = self.policy.back_off(str(current), seconds)
        phrase = response.reason_phrase or httpx.codes.get_reason_phrase(status)
        host = host_key(current)
        raise DeferredError(
            url,
            f"HTTP {status} {phrase}; {host} asks to wait until "
            f"{until.isoformat(timespec='seconds')}",
            until,
            status=status,
        )

    async def _fetch_robots(self, robots_url: str) -> tuple[int | None, str]:
        """(status, body) of a robots.txt; (None, why) when it cannot be fetched.

        Goes through the same guard, slots, deadline and redirects as any fetch (but is
        not itself checked against robots.txt); the body is cut at 500 KiB (RFC 9309).
        DeferredError (the host asked us to wait) is raised, not turned into a status.
        """
        limit = min(MAX_ROBOTS_BYTES, self._settings.max_bytes)

        async def finish(response: httpx.Response) -> tuple[int | None, str]:
            status = response.status_code
            if not 200 <= status < 300:
                return status, ""
            body = await read_body(robots_url, response, limit, truncate=True)
            return status, body.decode("utf-8", "replace")

        try:
            return await self._exchange(
                robots_url, {"Accept": "text/plain,*/*;q=0.5"}, finish, robots=False
            )
        except DeferredError:
            raise
        except FetchError as exc:
            return None, exc.reason

    async def _finish(
        self,
        url: str,
        response: httpx.Response,
        etag: str | None,
        last_modified: str | None,
        expect: str,
    ) -> FetchResult:
        status = response.status_code
        final_url = str(response.url)
        new_etag = response.headers.get("etag")
        new_modified = response.headers.get("last-modified")
        content_type_header = response.headers.get("content-type")
        media_type = _media_type(content_type_header)
        if status == 304:
            logger.debug("%s not modified", final_url)
            # Reading the (empty) body lets the pool reuse the connection; left unread it
            # is closed, and the next request pays a new connect (and TLS handshake).
            await response.aread()
            return FetchResult(
                url=final_url,
                status=304,
                text="",
                content_type=media_type,
                etag=new_etag or etag,
                last_modified=new_modified or last_modified,
            )
        if not 200 <= status < 300:
            phrase = response.reason_phrase or httpx.codes.get_reason_phrase(status)
            extra = " (redirect without Location)" if 300 <= status < 400 else ""
            raise FetchError(url, f"HTTP {status} {phrase}".rstrip() + extra, status=status)
        if media_type and not _type_accepted(media_type, expect):
            raise FetchError(url, f"{_expect_noun(expect)} (content-type {media_type})")

        body = await read_body(url, response, self._settings.max_bytes)
        text, encoding = decode_body(body, content_type_header)
        if expect != "any":
            _check_text(url, text, media_type, expect)
        logger.debug("%s: %d bytes, %s, %s", final_url, len(body), media_type or "?", encoding)
        return FetchResult(
            url=final_url,
            status=status,
            text=text,
            content_type=media_type,
            etag=new_etag,
            last_modified=new_modified,
            encoding=encoding,
        )


def _at_hop(exc: FetchError, url: str, current: httpx.URL, hop: int) -> FetchError:
    """`exc` reported for `url`, the URL asked for, saying which redirect hop failed."""
    reason = f"redirected to {current}: {exc.reason}" if hop else exc.reason
    return type(exc)(url, reason)


def _redirect_target(current: httpx.URL, response: httpx.Response) -> httpx.URL | None:
    """Where a redirect response points (without fragment), or None if it is not one."""
    if response.status_code not in REDIRECT_CODES or "location" not in response.headers:
        return None
    target = current.join(response.headers["location"]).copy_with(fragment=None)
    logger.debug("%s redirects (%d) to %s", current, response.status_code, target)
    return target


def _port(url: httpx.URL) -> int:
    if url.port is not None:
        return url.port
    return 443 if url.scheme == "https" else 80


def _request_headers(etag: str | None, last_modified: str | None, expect: str) -> dict[str, str]:
    accept = {
        "html": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5",
        "feed": "application/rss+xml,application/atom+xml,application/feed+json,"
        "application/xml;q=0.9,text/xml;q=0.9,*/*;q=0.5",
        "any": "*/*",
    }[expect]
    headers = {"Accept": accept}
    for name, value in (("If-None-Match", etag), ("If-Modified-Since", last_modified)):
        if value and value.isascii() and value.isprintable():
            headers[name] = value
    return headers


def _media_type(content_type: str | None) -> str:
    """The lower-cased media type of a Content-Type header ("" when absent)."""
    if not content_type:
        return ""
    return content_type.split(";", 1)[0].strip().lower()


def _type_accepted(media_type: str, expect: str) -> bool:
    if expect == "html":
        return media_type in HTML_TYPES
    if expect == "feed":
        return (
            media_type in FEED_TYPES
            or media_type.endswith(("/xml", "+xml", "+json"))
            or media_type.startswith("application/rss")
        )
    return True


def _expect_noun(expect: str) -> str:
    return "not an HTML page" if expect == "html" else "not a feed"


def _check_text(url: str, text: str, media_type: str, expect: str) -> None:
    """Refuse empty bodies, binary content and (html, no content-type) non-HTML text."""
    if not text.strip():
        raise FetchError(url, "empty body")
    head = text[:SNIFF_BYTES]
    if "\x00" in head:
        raise FetchError(url, "binary content, not text")
    if expect == "html" and not media_type:
        lowered = head.lower()
        if "<html" not in lowered and "<!doctype html" not in lowered:
            raise FetchError(url, "not an HTML page (no content-type, no <html> tag)")


def describe_httpx_error(exc: Exception) -> str:
    """A readable reason for an httpx exception (connect refused, TLS, read error...)."""
    kinds: tuple[tuple[type[Exception], str], ...] = (
        (httpx.ConnectTimeout, "connect timed out"),
        (httpx.ReadTimeout, "read timed out"),
        (httpx.TimeoutException, "timed out"),
        (httpx.ConnectError, "cannot connect"),
        (httpx.ReadError, "read error"),
        (httpx.WriteError, "write error"),
        (httpx.RemoteProtocolError, "bad HTTP response"),
        (httpx.LocalProtocolError, "bad HTTP request"),
        (httpx.ProxyError, "proxy error"),
        (httpx.DecodingError, "cannot decode body"),
        (httpx.TooManyRedirects, "too many redirects"),
        (httpx.UnsupportedProtocol, "unsupported protocol"),
        (httpx.InvalidURL, "invalid URL"),
    )
    label = next((text for kind, text in kinds if isinstance(exc, kind)), "HTTP error")
    detail = str(exc) or type(exc).__name__
    return f"{label} ({detail})"
