"""Politeness towards the sites `monitor` reads: request limits, spacing and backoff.

`HostPolicy.slot(url)` is the gate every outbound request passes: it holds at most
`concurrency` requests in flight overall and `per_host` per host, spaces the starts of two
requests to one host by at least `host_delay` seconds (by waiting, never by failing), and
refuses at once, with DeferredError, a request to a host that asked us to wait (429/503
with Retry-After, recorded by `back_off`). `parse_retry_after` reads that header.

A host is the lower-cased host name plus the port when one is given ("example.com",
"127.0.0.1:8080"); http and https on default ports are one host.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import httpx

from monitor.clock import utcnow
from monitor.config import FetchSettings
from monitor.errors import DeferredError

logger = logging.getLogger(__name__)

MAX_RETRY_AFTER = 6 * 3600  # a host cannot make us wait longer than this (seconds)
_DELTA_SECONDS = re.compile(r"[0-9]+")
_SWEEP_MIN = 256  # hosts remembered before idle ones are forgotten


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait according to a Retry-After header (RFC 9110, section 10.2.3).

    `value` is delta-seconds ("120") or an HTTP date; the wait is capped at
    MAX_RETRY_AFTER and a date in the past gives 0. A missing, negative or unreadable
    value gives None: the header is ignored. A date without a zone is read as UTC (HTTP
    dates are always GMT); so is a naive `now`.
    """
    if value is None:
        return None
    text = value.strip()
    if _DELTA_SECONDS.fullmatch(text):
        # Very long digit strings are capped without converting them (int() refuses
        # more than 4300 digits).
        return float(MAX_RETRY_AFTER) if len(text) > 9 else float(min(int(text), MAX_RETRY_AFTER))
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    seconds = (when - now).total_seconds()
    return min(max(seconds, 0.0), float(MAX_RETRY_AFTER))


def host_key(host_or_url: str | httpx.URL) -> str:
    """The host a URL (or a "host[:port]" string) belongs to, as HostPolicy keys it."""
    if isinstance(host_or_url, httpx.URL):  # already parsed: no second parse per request
        return host_or_url.netloc.decode("ascii").lower()
    if "://" in host_or_url:
        return httpx.URL(host_or_url).netloc.decode("ascii").lower()
    return host_or_url.strip().lower()


@dataclass
class _Host:
    """What HostPolicy remembers about one host."""

    slots: asyncio.Semaphore
    start_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    users: int = 0  # requests holding or waiting for one of this host's slots
    next_start: float = float("-inf")  # clock time before which no request may start
    until: datetime | None = None  # backed off until then (Retry-After)


class HostPolicy:
    """Decides when a request may start; one instance is shared by all fetches.

    `clock` (monotonic seconds) and `sleep` drive the spacing between requests, `wall`
    (aware UTC datetimes) drives backoffs; tests inject all three. State is kept per
    host only while it matters (a request in flight or waiting, a delay or a backoff not
    yet over), so watching thousands of hosts does not grow memory without bound.
    """

    def __init__(
        self,
        settings: FetchSettings,
        *,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], datetime] = utcnow,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        if settings.concurrency < 1 or settings.per_host < 1:
            raise ValueError("concurrency and per_host must be at least 1")
        self._settings = settings
        self._clock = clock
        self._wall = wall
        self._sleep = sleep
        self._global = asyncio.Semaphore(settings.concurrency)
        self._hosts: dict[str, _Host] = {}
        self._sweep_at = _SWEEP_MIN

    def now(self) -> datetime:
        """The current wall-clock time as this policy sees it (aware, UTC)."""
        return self._wall()

    @contextlib.asynccontextmanager
    async def slot(self, url: str | httpx.URL) -> AsyncIterator[None]:
        """Hold one request slot for `url`'s host while the body of the `with` runs.

        Waits for a free per-host and global slot and for the host's delay to pass.
        Raises DeferredError, without waiting, while the host is backed off (and also
        when a backoff was set while this request waited).
        """
        host = host_key(url)
        self._refuse_if_backed_off(url, host)
        state = self._hosts.get(host)
        if state is None:
            state = self._hosts[host] = _Host(asyncio.Semaphore(self._settings.per_host))
        state.users += 1
        try:
            async with state.slots:
                # Starts to one host are serialised so each waits for the one before it
                # to have really started; the global slot is taken last so that a
                # request queued for a busy host never holds up other hosts.
                async with state.start_lock:
                    wait = state.next_start - self._clock()
                    if wait > 0:
                        await self._sleep(wait)
                    self._refuse_if_backed_off(url, host)
                    await self._global.acquire()
                    state.next_start = self._clock() + self._settings.host_delay
                try:
                    yield
                finally:
                    self._global.release()
        finally:
            state.users -= 1
            if len(self._hosts) > self._sweep_at:
                self._sweep()

    def back_off(self, host_or_url: str, seconds: float) -> datetime:
        """Refuse requests to this host for `seconds` (capped at MAX_RETRY_AFTER).

        Only that host is affected; an existing longer backoff is kept. Returns the time
        the host is backed off until.
        """
        host = host_key(host_or_url)
        until = self._wall() + timedelta(seconds=min(max(seconds, 0.0), MAX_RETRY_AFTER))
        state = self._hosts.get(host)
        if state is None:
            state = self._hosts[host] = _Host(asyncio.Semaphore(self._settings.per_host))
        if state.until is None or until > state.until:
            state.until = until
            logger.info("backing off %s until %s", host, until.isoformat(timespec="seconds"))
        return state.until

    def backoff_until(self, host_or_url: str) -> datetime | None:
        """When the host's backoff ends, or None when it is not backed off."""
        state = self._hosts.get(host_key(host_or_url))
        if state is None or state.until is None or state.until <= self._wall():
            return None
        return state.until

    def _refuse_if_backed_off(self, url: str | httpx.URL, host: str) -> None:
        until = self.backoff_until(host)
        if until is not None:
            raise DeferredError(
                str(url),
                f"{host} asked to wait until {until.isoformat(timespec='seconds')}",
                until,
            )

    def _sweep(self) -> None:
        """Forget hosts with nothing in flight, no pending delay and no running backoff."""
        now, wall = self._clock(), self._wall()
        idle = [
            host
            for host, state in self._hosts.items()
            if state.users == 0
            and state.next_start <= now
            and (state.until is None or state.until <= wall)
        ]
        for host in idle:
            del self._hosts[host]
        # Sweep again only once the table has doubled: amortised O(1) per request.
        self._sweep_at = max(_SWEEP_MIN, 2 * len(self._hosts))

    @property
    def hosts_tracked(self) -> int:
        """How many hosts the policy currently holds state for."""
        return len(self._hosts)
