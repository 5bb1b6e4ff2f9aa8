"""Politeness: Retry-After parsing and HostPolicy limits, spacing and backoff (fake clocks)."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from monitor.config import FetchSettings
from monitor.errors import DeferredError
from monitor.polite import MAX_RETRY_AFTER, HostPolicy, host_key, parse_retry_after

NOW = datetime(2025, 3, 1, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("120", 120.0),
        (" 0 ", 0.0),
        ("Sat, 01 Mar 2025 12:01:30 GMT", 90.0),
        ("Saturday, 01-Mar-25 12:01:30 GMT", 90.0),
        ("Sat Mar  1 12:01:30 2025", 90.0),
        ("Sat, 01 Mar 2025 11:00:00 GMT", 0.0),
        ("Sat, 01 Mar 2025 22:00:00 GMT", float(MAX_RETRY_AFTER)),
        ("86400", float(MAX_RETRY_AFTER)),
        ("9" * 5000, float(MAX_RETRY_AFTER)),
        ("-5", None),
        ("1.5", None),
        ("soon", None),
        ("", None),
        ("１２", None),
        (None, None),
    ],
    ids=[
        "seconds",
        "zero",
        "imf-date",
        "rfc850-date",
        "asctime-date",
        "past-date",
        "far-date-capped",
        "day-capped",
        "huge-capped",
        "negative",
        "fraction",
        "garbage",
        "empty",
        "non-ascii-digits",
        "missing",
    ],
)
def test_parse_retry_after(value: str | None, seconds: float | None) -> None:
    assert parse_retry_after(value, NOW) == seconds


@pytest.mark.parametrize(
    ("given", "key"),
    [
        ("HTTP://News.Example.COM/a?b", "news.example.com"),
        ("http://a.example:8080/", "a.example:8080"),
        ("https://a.example:443/", "a.example"),
        ("http://a.example:80/", "a.example"),
        ("http://[::1]:8080/", "[::1]:8080"),
        ("News.Example:8080", "news.example:8080"),
    ],
    ids=["url", "port", "https-default-port", "http-default-port", "ipv6", "bare-host"],
)
def test_host_key(given: str, key: str) -> None:
    assert host_key(given) == key


class Fake:
    """A monotonic clock, a sleep that advances it, and a wall clock, all fake."""

    def __init__(self) -> None:
        self.now = 100.0
        self.wall_now = NOW
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def wall(self) -> datetime:
        return self.wall_now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)


def _policy(fake: Fake, **settings: Any) -> HostPolicy:
    return HostPolicy(
        FetchSettings(**settings), clock=fake.clock, wall=fake.wall, sleep=fake.sleep
    )


def test_starts_to_one_host_are_spaced_by_the_delay() -> None:
    fake = Fake()
    policy = _policy(fake, host_delay=1.5, per_host=3)
    starts: list[tuple[str, float]] = []

    async def request(url: str) -> None:
        async with policy.slot(url):
            starts.append((url, fake.now))

    async def go() -> None:
        await asyncio.gather(*(request(f"http://a.example/{n}") for n in range(3)))
        await request("http://b.example/")  # another host is not held back by a's delay

    asyncio.run(go())
    assert starts == [
        ("http://a.example/0", 100.0),
        ("http://a.example/1", 101.5),
        ("http://a.example/2", 103.0),
        ("http://b.example/", 103.0),
    ]
    assert fake.sleeps == [1.5, 1.5]


def test_no_wait_once_the_delay_has_passed() -> None:
    fake = Fake()
    policy = _policy(fake, host_delay=1.0)

    async def go() -> None:
        async with policy.slot("http://a.example/1"):
            pass
        fake.now += 5
        async with policy.slot("http://a.example/2"):
            pass

    asyncio.run(go())
    assert fake.sleeps == []


@pytest.mark.parametrize(
    ("concurrency", "per_host", "hosts", "max_per_host", "max_total"),
    [(8, 2, 1, 2, 2), (3, 2, 2, 2, 3), (8, 1, 4, 1, 4), (1, 2, 2, 1, 1)],
    ids=["per-host-2", "global-3-over-2-hosts", "per-host-1", "global-1"],
)
def test_in_flight_limits(
    concurrency: int, per_host: int, hosts: int, max_per_host: int, max_total: int
) -> None:
    fake = Fake()
    policy = _policy(fake, concurrency=concurrency, per_host=per_host, host_delay=0.0)
    active: Counter[str] = Counter()
    peak: Counter[str] = Counter()
    peak_total = 0

    async def request(host: str) -> None:
        nonlocal peak_total
        async with policy.slot(f"http://{host}/page"):
            active[host] += 1
            peak[host] = max(peak[host], active[host])
            peak_total = max(peak_total, sum(active.values()))
            for _ in range(3):  # stay in flight while the others try to start
                await asyncio.sleep(0)
            active[host] -= 1

    async def go() -> None:
        await asyncio.gather(*(request(f"h{n % hosts}.example") for n in range(6 * hosts)))

    asyncio.run(go())
    assert max(peak.values()) == max_per_host
    assert peak_total == max_total
    assert sum(active.values()) == 0


def test_back_off_refuses_that_host_only_and_at_once() -> None:
    fake = Fake()
    policy = _policy(fake)
    until = policy.back_off("http://a.example/page", 60)
    assert until == NOW + timedelta(seconds=60)
    assert policy.backoff_until("a.example") == until
    assert policy.backoff_until("http://a.example/other") == until
    assert policy.backoff_until("b.example") is None
    assert policy.backoff_until("a.example:8080") is None

    async def go() -> list[str]:
        refused = []
        urls = [
            "http://a.example/x", "https://A.example/y", "http://b.example/", "http://a.example:8080/"
        ]
        for url in urls:
            try:
                async with policy.slot(url):
                    pass
            except DeferredError as exc:
                assert exc.url == url and exc.until == until
                assert exc.reason == "a.example asked to wait until 2025-03-01T12:01:00+00:00"
                refused.append(url)
        return refused

    assert asyncio.run(go()) == ["http://a.example/x", "https://A.example/y"]
    assert fake.sleeps == []


def test_a_shorter_back_off_never_shortens_a_longer_one() -> None:
    fake = Fake()
    policy = _policy(fake)
    long = policy.back_off("a.example", 600)
    assert policy.back_off("a.example", 30) == long
    assert policy.backoff_until("a.example") == long
    longer = policy.back_off("a.example", 900)
    assert longer == NOW + timedelta(seconds=900)


def test_back_off_is_capped_and_expires() -> None:
    fake = Fake()
    policy = _policy(fake)
    until = policy.back_off("a.example", 10**9)
    assert until == NOW + timedelta(seconds=MAX_RETRY_AFTER)
    fake.wall_now = until

    async def go() -> None:
        async with policy.slot("http://a.example/"):
            pass

    asyncio.run(go())
    assert policy.backoff_until("a.example") is None


def test_a_back_off_set_while_waiting_refuses_the_waiting_request() -> None:
    fake = Fake()
    policy = _policy(fake, per_host=1, host_delay=0.0)
    outcome: list[str] = []

    async def first() -> None:
        async with policy.slot("http://a.example/1"):
            await asyncio.sleep(0)
            await asyncio.sleep(0)
            policy.back_off("a.example", 120)  # as a 429 with Retry-After would
        outcome.append("first done")

    async def second() -> None:
        try:
            async with policy.slot("http://a.example/2"):
                outcome.append("second ran")
        except DeferredError:
            outcome.append("second deferred")

    async def go() -> None:
        await asyncio.gather(first(), second())

    asyncio.run(go())
    assert sorted(outcome) == ["first done", "second deferred"]


def test_idle_hosts_are_forgotten() -> None:
    fake = Fake()
    policy = _policy(fake, host_delay=1.0)

    async def go() -> None:
        for n in range(5000):
            async with policy.slot(f"http://h{n}.example/"):
                pass
            fake.now += 1.0  # each host's delay is over before the next request

    asyncio.run(go())
    assert policy.hosts_tracked <= 257


def test_hosts_in_back_off_are_remembered() -> None:
    fake = Fake()
    policy = _policy(fake, host_delay=0.0)
    policy.back_off("kept.example", 3600)

    async def go() -> None:
        for n in range(1000):
            async with policy.slot(f"http://h{n}.example/"):
                pass

    asyncio.run(go())
    assert policy.backoff_until("kept.example") == NOW + timedelta(seconds=3600)


@pytest.mark.parametrize(
    "settings", [{"concurrency": 0}, {"per_host": 0}], ids=["concurrency", "per-host"]
)
def test_limits_must_be_positive(settings: dict[str, int]) -> None:
    with pytest.raises(ValueError):
        HostPolicy(FetchSettings(**settings))  # type: ignore[arg-type]
