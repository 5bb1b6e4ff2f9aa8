"""robots.txt (RFC 9309): parsing, matching, and a per-site cache.

`parse_robots` keeps only the rules that apply to our product token ("monitor" for the
User-Agent "monitor/0.1 (...)"): the groups naming it (case-insensitively, combined), else
the "*" groups, else none. `RobotsRules.allows` applies them: the longest matching
pattern wins, Allow wins a tie, `*` matches any run of characters and a final `$` anchors
the end. `RobotsCache` fetches each site's robots.txt once (concurrent callers share one
request) and applies the RFC's status rules:

- 2xx: the body (first 500 KiB) is parsed; cached for `ttl` (24 h);
- 4xx: no robots.txt, everything allowed; cached for `ttl`. Except 429 (Too Many
  Requests), which, like a server error, says "not now" rather than "no file";
- 5xx, 429, any other status, or unreachable: everything disallowed for now; cached only
  for `unreachable_ttl` (5 minutes) so the site is asked again soon.

protego is not used: it lets a group for "mon" apply to "monitor" (prefix match of
agents), reads a UTF-8 BOM into the first line and allows "/dir/" when
"/dir/index.html" is allowed, none of which RFC 9309 does.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import httpx

logger = logging.getLogger(__name__)

MAX_ROBOTS_BYTES = 500 * 1024  # RFC 9309 section 2.5: parse at least this much
DEFAULT_TTL = 86400.0
UNREACHABLE_TTL = 300.0
MAX_SITES = 1000

RobotsFetch = Callable[[str], Awaitable[tuple[int | None, str]]]
"""Fetches a robots.txt URL: (HTTP status, body text), or (None, why) when unreachable."""

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_TOKEN = re.compile(r"[A-Za-z_-]+")
_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")
_AGENT_KEYS = frozenset({"user-agent", "useragent", "user agent"})
# Misspellings seen in the wild (also accepted by Google's parser); honouring them is
# the polite reading.
_DISALLOW_KEYS = frozenset({"disallow", "dissallow", "dissalow", "disalow", "diasllow", "disallaw"})
_ALLOW_KEYS = frozenset({"allow"})
# Characters a URL carries percent-encoded; a rule may spell them raw.
_TO_ESCAPE = frozenset(' "<>`{}')


def product_token(user_agent: str) -> str:
    """The product token of a User-Agent ("monitor/0.1 (x)" -> "monitor"), lower-cased."""
    match = _TOKEN.match(user_agent.strip())
    return match.group(0).lower() if match else ""


def normalize_path(text: str) -> str:
    """Percent-encode what a URL would carry encoded and upper-case existing escapes.

    Both rule patterns and request paths go through this, so that "/ツ" in a rule
    matches "/%E3%83%84" in a URL and "%7e" equals "%7E".
    """
    out: list[str] = []
    for char in text:
        if ord(char) > 126 or ord(char) < 33 or char in _TO_ESCAPE:
            out.extend(f"%{byte:02X}" for byte in char.encode("utf-8"))
        else:
            out.append(char)
    return _ESCAPE.sub(lambda m: m.group(0).upper(), "".join(out))


@dataclass(frozen=True)
class Rule:
    """One Allow or Disallow line, its pattern normalised."""

    allow: bool
    pattern: str

    def matches(self, path: str) -> bool:
        """Whether the pattern matches `path` (a normalised path with its query)."""
        pattern = self.pattern
        anchored = pattern.endswith("$")
        if anchored:
            pattern = pattern[:-1]
        parts = pattern.split("*")
        if len(parts) == 1:
            return path == pattern if anchored else path.startswith(pattern)
        # Leftmost matching of each literal piece is exact for `*` wildcards and linear
        # in the path, unlike a regex with many `.*` that a hostile file could make slow.
        first, *middle, last = parts
        if not path.startswith(first):
            return False
        position = len(first)
        for part in middle:
            found = path.find(part, position)
            if found < 0:
                return False
            position = found + len(part)
        if anchored:
            return len(path) - len(last) >= position and path.endswith(last)
        return path.find(last, position) >= 0


@dataclass(frozen=True)
class RobotsRules:
    """The rules of one robots.txt that apply to us, most specific first."""

    rules: tuple[Rule, ...] = ()

    def allows(self, path: str) -> bool:
        """Whether a path (with its query, as sent on the wire) may be fetched."""
        path = normalize_path(path or "/")
        if path == "/robots.txt":
            return True  # RFC 9309 section 2.2.2: implicitly allowed
        return next((rule.allow for rule in self.rules if rule.matches(path)), True)


ALLOW_ALL = RobotsRules()


def parse_robots(text: str, product: str) -> RobotsRules:
    """The rules of robots.txt `text` that apply to the (lower-case) product token.

    Groups naming the token are combined; without one the "*" groups apply; without
    either nothing is disallowed. Lines other than user-agent, allow and disallow are
    ignored, as are rules before the first user-agent line and rules with no path.
    """
    text = text.removeprefix("\ufeff")
    mine: list[Rule] = []
    everyone: list[Rule] = []
    seen_mine = seen_everyone = False
    in_agents = False  # the previous user-agent/rule line was a user-agent line
    group_mine = group_everyone = False
    for line in _LINE_BREAK.split(text):
        key, colon, value = line.split("#", 1)[0].partition(":")
        if not colon:
            continue
        key, value = key.strip().lower(), value.strip()
        if key in _AGENT_KEYS:
            if not in_agents:  # a user-agent line after rules starts a new group
                group_mine = group_everyone = False
                in_agents = True
            if value == "*" or value.startswith(("* ", "*\t")):
                group_everyone = seen_everyone = True
            elif product and product_token(value) == product:
                group_mine = seen_mine = True
        elif key in _ALLOW_KEYS or key in _DISALLOW_KEYS:
            in_agents = False
            if not value:
                continue  # "Disallow:" with no path disallows nothing
            if not value.startswith(("/", "*")):
                value = "/" + value  # "Disallow: private" means /private
            rule = Rule(allow=key in _ALLOW_KEYS, pattern=normalize_path(value))
            if group_mine:
                mine.append(rule)
            if group_everyone:
                everyone.append(rule)
    chosen = mine if seen_mine else everyone if seen_everyone else []
    # Longest pattern first; on equal length Allow first (RFC 9309 section 2.2.2).
    chosen.sort(key=lambda rule: (len(rule.pattern), rule.allow), reverse=True)
    return RobotsRules(tuple(chosen))


@dataclass(frozen=True)
class RobotsVerdict:
    """Whether one URL may be fetched, and if not, why (a readable phrase)."""

    allowed: bool
    reason: str = ""


@dataclass(frozen=True)
class _Entry:
    rules: RobotsRules | None  # None: robots.txt unreachable, everything disallowed
    status: int | None
    expires: float
    detail: str = ""  # why it was unreachable


class RobotsCache:
    """robots.txt verdicts per site (scheme, host and port), fetched through `fetch_robots`.

    At most `max_sites` sites are remembered (least recently used are dropped). An
    exception raised by `fetch_robots` reaches every caller waiting for that site and
    nothing is cached.
    """

    def __init__(
        self,
        fetch_robots: RobotsFetch,
        *,
        user_agent: str,
        ttl: float = DEFAULT_TTL,
        unreachable_ttl: float = UNREACHABLE_TTL,
        max_sites: int = MAX_SITES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._fetch_robots = fetch_robots
        self._product = product_token(user_agent)
        self._ttl = ttl
        self._unreachable_ttl = min(unreachable_ttl, ttl)
        self._max_sites = max_sites
        self._clock = clock
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._pending: dict[str, asyncio.Future[_Entry]] = {}

    async def allowed(self, url: str) -> bool:
        """Whether robots.txt of `url`'s site lets us fetch `url`."""
        return (await self.check(url)).allowed

    async def check(self, url: str) -> RobotsVerdict:
        """The verdict for `url`, with a reason naming the site when it is refused."""
        parsed = httpx.URL(url)
        host = parsed.netloc.decode("ascii")
        entry = await self._entry(f"{parsed.scheme}://{host}")
        path = parsed.raw_path.decode("ascii")
        if entry.rules is None:
            if path == "/robots.txt":
                return RobotsVerdict(True)
            why = f"HTTP {entry.status}" if entry.status is not None else entry.detail
            why = f" ({why})" if why else ""
            return RobotsVerdict(
                False, f"robots.txt of {host} unreachable{why}, treated as disallowed"
            )
        if entry.rules.allows(path):
            return RobotsVerdict(True)
        return RobotsVerdict(False, f"disallowed by robots.txt of {host}")

    async def _entry(self, site: str) -> _Entry:
        entry = self._entries.get(site)
        if entry is not None and entry.expires > self._clock():
            self._entries.move_to_end(site)
            return entry
        pending = self._pending.get(site)
        if pending is None:
            pending = asyncio.ensure_future(self._load(site))
            self._pending[site] = pending
            pending.add_done_callback(lambda done: self._settle(site, done))
        # shield: a caller giving up (its deadline) does not cancel the fetch for others.
        return await asyncio.shield(pending)

    def _settle(self, site: str, done: asyncio.Future[_Entry]) -> None:
        self._pending.pop(site, None)
        if not done.cancelled():
            done.exception()  # retrieved here so an unawaited failure is not logged as lost

    async def _load(self, site: str) -> _Entry:
        url = site + "/robots.txt"
        status, body = await self._fetch_robots(url)
        now = self._clock()
        if status is not None and 200 <= status < 300:
            raw = body.encode("utf-8", "replace")
            if len(raw) > MAX_ROBOTS_BYTES:
                body = raw[:MAX_ROBOTS_BYTES].decode("utf-8", "ignore")
            entry = _Entry(parse_robots(body, self._product), status, now + self._ttl)
        elif status is not None and 400 <= status < 500 and status != 429:
            entry = _Entry(ALLOW_ALL, status, now + self._ttl)
        else:
            detail = body.strip()[:200] if status is None else ""
            logger.info(
                "%s unreachable (%s): disallowing for now", url, status or detail or "no reason"
            )
            entry = _Entry(None, status, now + self._unreachable_ttl, detail)
        self._entries[site] = entry
        self._entries.move_to_end(site)
        while len(self._entries) > self._max_sites:
            self._entries.popitem(last=False)
        return entry
