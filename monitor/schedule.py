"""When each source is checked next: the scheduling policy of `monitor run`.

Pure decisions only: no I/O and no clock reads. The caller passes `now` and a
`random.Random`, so the same inputs always give the same answer and tests control time.

The rules, in plain words:

- A source is first checked within a minute of being added or discovered (or within its own
  interval if that is shorter), at a random moment, so that thousands of sources added at
  once (a first start, a big import) do not all fire together.
- Feeds and folders are checked on their own interval.
- Articles (kind "page") are checked adaptively. While an article is fresh (it changed, or
  was first seen, less than an hour ago) it is checked on its interval (default 15 minutes).
  Once it has been quiet for a while, the wait is a quarter of its quiet time, never below
  its interval and never above `schedule.max_interval` (default one day): with the default
  15 minutes that is 15 minutes while it changes, 1 hour after 4 quiet hours, 6 hours after
  a quiet day, daily after 4 quiet days. A change brings it straight back to its interval.
- Articles found in feeds retire `schedule.retire_after` (default 14 days) after they were
  found: they are no longer checked, and their history stays.
- Article files found in a watched folder are re-read when the folder watcher reports them;
  the schedule only re-checks them every `schedule.max_interval` as a fallback.
- A source that fails backs off: after n consecutive failures it waits its interval times
  2^(n-1) (15m, 30m, 1h, 2h, 4h, then 6h), capped at 6 hours or `schedule.max_interval`
  if that is shorter, and never sooner than it would be checked without the failure. From
  `schedule.max_failures` (default 5) consecutive failures it is flagged in `monitor status`.
- A host that answers 429 or 503 with Retry-After is next asked exactly when it said.
- Every other due time moves by a random amount of up to `schedule.jitter` (default 10%) of
  the wait, either way, and is never earlier than now, so sources keep spreading out.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from .config import ScheduleSettings

FIRST_SPREAD = 60.0  # seconds over which first checks are spread (at most the interval)
FRESH = 3600.0  # an article that changed (or appeared) this recently keeps its interval
QUIET_FACTOR = 4.0  # a quiet article waits a quarter of its quiet time
BACKOFF_CAP = 6 * 3600.0  # the longest wait a failure alone can cause
_MAX_DOUBLINGS = 30  # 2**30 intervals is far beyond any cap; keeps the arithmetic finite


@dataclass(frozen=True)
class Timing:
    """What the policy needs to know about one source, read after its latest check.

    `interval` is the source's own interval in seconds; `origin` is "config", "cli",
    "feed" (an article found in a feed) or "dir" (a file found in a folder); `failures`
    counts consecutive failed checks, this one included; `first_seen` is when the first
    version of an article was stored (None if none yet).
    """

    interval: float
    kind: str
    origin: str
    added_at: datetime
    last_change: datetime | None
    failures: int
    first_seen: datetime | None = None


def first_due(
    timing: Timing, now: datetime, rng: random.Random, settings: ScheduleSettings
) -> datetime:
    """When a source that was never scheduled is first checked.

    Uniformly at random within `min(interval, 60 s)` from `now`: a new source is checked
    within a minute, and 10,000 sources added at once arrive at about 170 per second instead
    of all at the same instant. Never earlier than `now`.
    """
    spread = min(timing.interval, FIRST_SPREAD)
    return now + timedelta(seconds=rng.uniform(0.0, spread))


def next_due(
    timing: Timing,
    outcome: str,
    now: datetime,
    rng: random.Random,
    settings: ScheduleSettings,
    *,
    deferred_until: datetime | None = None,
) -> datetime | None:
    """When to check a source again after a check with `outcome`; None means "retire it".

    `outcome` is a check outcome ("changed", "unchanged", "not_modified", "first_seen",
    "no_article", "ok", "error") or "deferred" (the host asked us to wait until
    `deferred_until`). The rules are the module docstring's, in this order:

    1. an article found in a feed at least `settings.retire_after` ago retires (None);
    2. "deferred" returns exactly `deferred_until` (without one, it counts as a normal check);
    3. the regular wait: adaptive for articles, the interval for feeds and folders,
       `settings.max_interval` for files found in a folder;
    4. "error" waits at least `interval * 2**(failures - 1)`, capped at
       `max(interval, min(6 h, max_interval))`;
    5. the wait moves by up to `settings.jitter` of itself either way; never before `now`.
    """
    if timing.origin == "feed" and (now - timing.added_at).total_seconds() >= settings.retire_after:
        return None
    if outcome == "deferred" and deferred_until is not None:
        return deferred_until
    wait = regular_wait(timing, outcome, now, settings)
    if outcome == "error":
        wait = max(wait, backoff_wait(timing.interval, max(1, timing.failures), settings))
    offset = rng.uniform(-settings.jitter, settings.jitter) * wait
    return max(now, now + timedelta(seconds=wait + offset))


def regular_wait(timing: Timing, outcome: str, now: datetime, settings: ScheduleSettings) -> float:
    """Seconds until the next check of a source that did not fail, before jitter."""
    base = timing.interval
    if timing.kind != "page":
        return base  # feeds and folders keep their interval
    if timing.origin == "dir":
        return max(base, settings.max_interval)  # the folder watcher reports edits
    if outcome in ("changed", "first_seen"):
        return base
    fresh_since = timing.last_change or timing.first_seen or timing.added_at
    quiet = (now - fresh_since).total_seconds()
    if quiet < FRESH:
        return base
    return min(max(base, settings.max_interval), max(base, quiet / QUIET_FACTOR))


def backoff_wait(interval: float, failures: int, settings: ScheduleSettings) -> float:
    """Seconds to wait after `failures` consecutive failures (>= 1), before jitter."""
    cap = max(interval, min(BACKOFF_CAP, settings.max_interval))
    doublings = min(max(failures, 1) - 1, _MAX_DOUBLINGS)
    return min(interval * 2**doublings, cap)


def is_failing(failures: int, settings: ScheduleSettings) -> bool:
    """True when a source has failed `settings.max_failures` times or more in a row."""
    return failures >= settings.max_failures


__all__ = ["Timing", "backoff_wait", "first_due", "is_failing", "next_due", "regular_wait"]
