"""robots.txt: RFC 9309 parsing and matching, status rules and the per-site cache (no network)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from monitor.config import DEFAULT_USER_AGENT
from monitor.errors import DeferredError
from monitor.robots import (
    MAX_ROBOTS_BYTES,
    RobotsCache,
    normalize_path,
    parse_robots,
    product_token,
)

# (robots.txt, path with query, allowed for the product token "monitor")
MATCHING = [
    ("User-agent: *\nDisallow: /a\nAllow: /a/b\n", "/a/b/c", True),
    ("User-agent: *\nDisallow: /a\nAllow: /a/b\n", "/a/c", False),
    ("User-agent: *\nAllow: /\nDisallow: /private\n", "/private/x", False),
    ("User-agent: *\nAllow: /\nDisallow: /private\n", "/public", True),
    ("User-agent: *\nDisallow: /a\nAllow: /a\n", "/a", True),
    ("User-agent: *\nDisallow: /a/\nAllow: /a*\n", "/a/x", True),
    ("User-agent: *\nDisallow: /page\nAllow: /*.html\n", "/page.html", True),
    ("User-agent: *\nDisallow: /*.pdf\n", "/docs/x.pdf?dl=1", False),
    ("User-agent: *\nDisallow: /*.pdf\n", "/docs/x.html", True),
    ("User-agent: *\nDisallow: /*.pdf$\n", "/x.pdf", False),
    ("User-agent: *\nDisallow: /*.pdf$\n", "/x.pdf?dl=1", True),
    ("User-agent: *\nDisallow: /$\n", "/", False),
    ("User-agent: *\nDisallow: /$\n", "/a", True),
    ("User-agent: *\nDisallow: /a*b**c\n", "/axxbyyc", False),
    ("User-agent: *\nDisallow: /a*b*c\n", "/acb", True),
    ("User-agent: *\nDisallow: /*?sort=\n", "/list?sort=asc", False),
    ("User-agent: *\nDisallow: /*?sort=\n", "/list", True),
    ("User-agent: *\nDisallow:\n", "/a", True),
    ("User-agent: *\nDisallow: private\n", "/private", False),
    ("User-agent: *\nDissallow: /x\n", "/x", False),
    ("User-agent: *\nDisallow: /\n", "/robots.txt", True),
    ("User-agent: *\nDisallow: /\n\nUser-agent: monitor\nDisallow: /x\n", "/a", True),
    ("User-agent: *\nDisallow: /\n\nUser-agent: monitor\nDisallow: /x\n", "/x", False),
    ("User-agent: MoNiToR\nDisallow: /\n", "/a", False),
    ("User-agent: monitor/1.0\nDisallow: /\n", "/a", False),
    ("User-agent: mon\nDisallow: /\n\nUser-agent: *\nAllow: /\n", "/a", True),
    ("User-agent: monitoring\nDisallow: /\n", "/a", True),
    ("User-agent: googlebot\nDisallow: /\n", "/a", True),
    ("User-agent: monitor\nDisallow: /x\n\nUser-agent: monitor\nDisallow: /y\n", "/y", False),
    ("User-agent: other\nUser-agent: monitor\nDisallow: /x\n", "/x", False),
    ("User-agent: monitor\nDisallow:\n\nUser-agent: *\nDisallow: /\n", "/a", True),
    ("User-agent: monitor\nDisallow: /x\nUser-agent: other\nDisallow: /y\n", "/y", True),
    ("User-agent: a\nSitemap: http://x/s.xml\nUser-agent: monitor\nDisallow: /x\n", "/x", False),
    ("Disallow: /\nUser-agent: *\nDisallow: /x\n", "/a", True),
    ("User-agent: * # everyone\nDisallow: /x # secret\n# Disallow: /\n", "/x", False),
    ("User-agent: * # everyone\nDisallow: /x # secret\n# Disallow: /\n", "/a", True),
    ("\ufeffUser-agent: *\nDisallow: /\n", "/a", False),
    ("User-agent: *\r\nDisallow: /x\r\n", "/x", False),
    ("User-agent: *\rDisallow: /x\r", "/x", False),
    ("USER-AGENT :  *\nDISALLOW:/x\n", "/x", False),
    ("User-agent: *\nDisallow: /ツ\n", "/%E3%83%84", False),
    ("User-agent: *\nDisallow: /%7ejoe\n", "/%7Ejoe", False),
    ("User-agent: *\nDisallow: /a b\n", "/a%20b", False),
    ("User-agent: *\nCrawl-delay: 10\nNonsense line\n", "/a", True),
    ("", "/a", True),
]
MATCHING_IDS = [
    "longest-allow-wins",
    "longest-disallow-wins",
    "disallow-longer-than-allow-root",
    "allow-root",
    "tie-allow-wins",
    "tie-with-wildcard-allow-wins",
    "wildcard-allow-longer",
    "wildcard-suffix-with-query",
    "wildcard-no-match",
    "dollar-anchor",
    "dollar-anchor-query-escapes",
    "dollar-root-only",
    "dollar-root-other",
    "several-wildcards",
    "wildcards-in-order",
    "query-pattern",
    "query-pattern-no-query",
    "empty-disallow",
    "missing-leading-slash",
    "misspelled-disallow",
    "robots-txt-always-allowed",
    "specific-group-beats-star",
    "specific-group-rules",
    "agent-case-insensitive",
    "agent-with-version",
    "agent-prefix-is-not-ours",
    "agent-longer-is-not-ours",
    "other-agent-only",
    "same-agent-groups-combined",
    "several-agents-one-group",
    "empty-specific-group-beats-star",
    "agent-after-rules-starts-group",
    "sitemap-does-not-split-group",
    "rule-before-any-agent-ignored",
    "comments-rule",
    "comments-other",
    "bom",
    "crlf",
    "cr-only",
    "key-case-and-spaces",
    "non-ascii-rule",
    "escape-case",
    "space-in-rule",
    "unknown-lines",
    "empty-file",
]


@pytest.mark.parametrize(("robots", "path", "allowed"), MATCHING, ids=MATCHING_IDS)
def test_matching(robots: str, path: str, allowed: bool) -> None:
    assert parse_robots(robots, "monitor").allows(path) is allowed


@pytest.mark.parametrize(
    ("user_agent", "token"),
    [
        (DEFAULT_USER_AGENT, "monitor"),
        ("Mozilla/5.0 (compatible; Foo)", "mozilla"),
        ("My_Bot-x/2", "my_bot-x"),
        ("  Spaced/1", "spaced"),
        ("/1.0", ""),
    ],
    ids=["default", "mozilla", "underscore-dash", "leading-space", "no-token"],
)
def test_product_token(user_agent: str, token: str) -> None:
    assert product_token(user_agent) == token


def test_normalize_path_encodes_like_a_url() -> None:
    assert normalize_path('/ä b"%2f') == "/%C3%A4%20b%22%2F"


# --- RobotsCache --------------------------------------------------------------------------


class FakeRobots:
    """A fetch_robots stand-in: answers every robots.txt URL with one (status, body)."""

    def __init__(self, status: int | None, body: str = "") -> None:
        self.status = status
        self.body = body
        self.calls: list[str] = []
        self.gate: asyncio.Event | None = None

    async def __call__(self, url: str) -> tuple[int | None, str]:
        self.calls.append(url)
        if self.gate is not None:
            await self.gate.wait()
        return self.status, self.body


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _cache(robots: FakeRobots, **kwargs: object) -> RobotsCache:
    return RobotsCache(robots, user_agent=DEFAULT_USER_AGENT, **kwargs)  # type: ignore[arg-type]


RULES = "User-agent: *\nDisallow: /x\n"
UNREACHABLE = "robots.txt of news.example unreachable ({}), treated as disallowed"


@pytest.mark.parametrize(
    ("status", "body", "allowed", "reason"),
    [
        (200, RULES, False, "disallowed by robots.txt of news.example"),
        (200, "", True, ""),
        (404, RULES, True, ""),
        (401, "", True, ""),
        (403, "", True, ""),
        (410, "", True, ""),
        (500, "", False, UNREACHABLE.format("HTTP 500")),
        (503, "", False, UNREACHABLE.format("HTTP 503")),
        (429, "", False, UNREACHABLE.format("HTTP 429")),
        (302, "", False, UNREACHABLE.format("HTTP 302")),
        (
            None,
            "cannot connect (refused)",
            False,
            UNREACHABLE.format("cannot connect (refused)"),
        ),
        (None, "", False, "robots.txt of news.example unreachable, treated as disallowed"),
    ],
    ids=["200", "200-empty", "404", "401", "403", "410", "500", "503", "429", "302-unfollowed",
         "unreachable", "unreachable-no-reason"],
)
def test_status_rules(
    status: int | None, body: str, allowed: bool, reason: str
) -> None:
    robots = FakeRobots(status, body)
    verdict = asyncio.run(_cache(robots).check("https://news.example/x/story"))
    assert (verdict.allowed, verdict.reason) == (allowed, reason)
    assert robots.calls == ["https://news.example/robots.txt"]


def test_robots_txt_itself_is_allowed_even_when_unreachable() -> None:
    assert asyncio.run(_cache(FakeRobots(503)).allowed("https://news.example/robots.txt"))


def test_our_agent_group_applies_through_the_cache() -> None:
    robots = FakeRobots(200, "User-agent: *\nAllow: /\n\nUser-agent: Monitor\nDisallow: /\n")
    assert not asyncio.run(_cache(robots).allowed("https://news.example/a"))


def test_one_fetch_serves_many_pages_of_a_site_and_sites_are_separate() -> None:
    robots = FakeRobots(200, RULES)
    cache = _cache(robots)

    async def go() -> list[bool]:
        urls = [f"https://news.example/{n}" for n in range(20)] + [
            "https://news.example/x",
            "http://news.example/x",
            "https://news.example:8443/x",
            "https://other.example/a",
        ]
        return [await cache.allowed(url) for url in urls]

    results = asyncio.run(go())
    assert results == [True] * 20 + [False, False, False, True]
    assert robots.calls == [
        "https://news.example/robots.txt",
        "http://news.example/robots.txt",
        "https://news.example:8443/robots.txt",
        "https://other.example/robots.txt",
    ]


def test_concurrent_callers_share_one_fetch() -> None:
    robots = FakeRobots(200, RULES)
    robots.gate = asyncio.Event()
    cache = _cache(robots)

    async def go() -> list[bool]:
        waiting = [asyncio.create_task(cache.allowed(f"https://news.example/{n}")) for n in "abx"]
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        assert robots.gate is not None
        robots.gate.set()
        return await asyncio.gather(*waiting)

    assert asyncio.run(go()) == [True, True, False]
    assert len(robots.calls) == 1


def test_a_waiter_giving_up_does_not_cancel_the_fetch_for_others() -> None:
    robots = FakeRobots(200, RULES)
    robots.gate = asyncio.Event()
    cache = _cache(robots)

    async def go() -> bool:
        impatient = asyncio.create_task(cache.allowed("https://news.example/a"))
        patient = asyncio.create_task(cache.allowed("https://news.example/x"))
        await asyncio.sleep(0)
        impatient.cancel()
        assert robots.gate is not None
        robots.gate.set()
        return await patient

    assert asyncio.run(go()) is False
    assert len(robots.calls) == 1


@pytest.mark.parametrize(
    ("status", "still_cached_at", "refetched_at"),
    [(200, 86399.0, 86401.0), (404, 86399.0, 86401.0), (503, 299.0, 301.0), (None, 299.0, 301.0)],
    ids=["200-for-a-day", "404-for-a-day", "503-for-minutes", "unreachable-for-minutes"],
)
def test_ttl_expiry(status: int | None, still_cached_at: float, refetched_at: float) -> None:
    robots = FakeRobots(status, RULES)
    clock = Clock()
    cache = _cache(robots, clock=clock)

    async def go() -> None:
        start = clock.now
        await cache.allowed("https://news.example/a")
        clock.now = start + still_cached_at
        await cache.allowed("https://news.example/b")
        assert len(robots.calls) == 1
        clock.now = start + refetched_at
        await cache.allowed("https://news.example/c")
        assert len(robots.calls) == 2

    asyncio.run(go())


def test_recovery_after_unreachable() -> None:
    robots = FakeRobots(503)
    clock = Clock()
    cache = _cache(robots, clock=clock)

    async def go() -> tuple[bool, bool]:
        before = await cache.allowed("https://news.example/a")
        robots.status, robots.body = 200, RULES
        clock.now += 301
        return before, await cache.allowed("https://news.example/a")

    assert asyncio.run(go()) == (False, True)


def test_a_failing_fetch_reaches_every_waiter_and_is_not_cached() -> None:
    until = datetime(2025, 1, 1, tzinfo=UTC)
    calls: list[str] = []

    async def fetch_robots(url: str) -> tuple[int | None, str]:
        calls.append(url)
        if len(calls) == 1:
            await asyncio.sleep(0)
            raise DeferredError(url, "wait", until)
        return 200, RULES

    cache = RobotsCache(fetch_robots, user_agent=DEFAULT_USER_AGENT)

    async def go() -> tuple[list[object], bool]:
        first = await asyncio.gather(
            cache.allowed("https://news.example/a"),
            cache.allowed("https://news.example/b"),
            return_exceptions=True,
        )
        return first, await cache.allowed("https://news.example/x")

    first, later = asyncio.run(go())
    assert all(isinstance(result, DeferredError) for result in first)
    assert later is False
    assert len(calls) == 2


def test_cache_size_is_bounded() -> None:
    robots = FakeRobots(404)
    cache = _cache(robots, max_sites=3)

    async def go() -> None:
        for site in ["a", "b", "c", "d", "a"]:
            await cache.allowed(f"https://{site}.example/")

    asyncio.run(go())
    # "a" was dropped when "d" arrived, so it is fetched again.
    assert [url.split("//")[1].split(".")[0] for url in robots.calls] == ["a", "b", "c", "d", "a"]


def test_only_the_first_500_kib_are_parsed() -> None:
    body = "User-agent: *\nDisallow: /early\n" + "#" * MAX_ROBOTS_BYTES + "\nDisallow: /late\n"
    cache = _cache(FakeRobots(200, body))

    async def go() -> tuple[bool, bool]:
        return (
            await cache.allowed("https://news.example/early"),
            await cache.allowed("https://news.example/late"),
        )

    assert asyncio.run(go()) == (False, True)
