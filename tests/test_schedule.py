"""The scheduling policy: first checks spread out, adaptive articles, retirement, backoff."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from monitor.config import ScheduleSettings
from monitor.schedule import Timing, backoff_wait, first_due, is_failing, next_due

NOW = datetime(2024, 12, 9, 12, 0, tzinfo=UTC)
MIN, HOUR, DAY = 60.0, 3600.0, 86400.0
EXACT = ScheduleSettings(jitter=0.0)  # the defaults without jitter: waits are exact


def timing(*, interval: float = 15 * MIN, kind: str = "page", origin: str = "cli",
           added: float = 0.0, changed: float | None = None, failures: int = 0,
           first_seen: float | None = None) -> Timing:
    """A Timing with its times given as seconds before NOW."""
    return Timing(
        interval=interval, kind=kind, origin=origin, added_at=NOW - timedelta(seconds=added),
        last_change=None if changed is None else NOW - timedelta(seconds=changed),
        failures=failures,
        first_seen=None if first_seen is None else NOW - timedelta(seconds=first_seen),
    )


def wait(t: Timing, outcome: str = "unchanged", settings: ScheduleSettings = EXACT) -> float:
    due = next_due(t, outcome, NOW, random.Random(1), settings)
    assert due is not None
    return (due - NOW).total_seconds()


@pytest.mark.parametrize(
    ("t", "outcome", "expected"),
    [
        (timing(added=5 * DAY, changed=10 * MIN), "unchanged", 15 * MIN),
        (timing(added=5 * DAY, changed=59 * MIN), "unchanged", 15 * MIN),
        (timing(added=5 * DAY, changed=4 * HOUR), "unchanged", 1 * HOUR),
        (timing(added=5 * DAY, changed=1 * DAY), "not_modified", 6 * HOUR),
        (timing(added=9 * DAY, changed=4 * DAY), "unchanged", 1 * DAY),
        (timing(added=90 * DAY, changed=60 * DAY), "unchanged", 1 * DAY),
        (timing(added=5 * DAY, changed=3 * DAY), "changed", 15 * MIN),
        (timing(added=8 * HOUR), "unchanged", 2 * HOUR),
        (timing(added=3 * DAY, first_seen=2 * HOUR), "unchanged", 30 * MIN),
        (timing(added=3 * DAY), "first_seen", 15 * MIN),
        (timing(added=3 * DAY, changed=2 * DAY, origin="feed"), "unchanged", 12 * HOUR),
        (timing(interval=2 * DAY, added=30 * DAY, changed=20 * DAY), "unchanged", 2 * DAY),
        (timing(interval=MIN, added=DAY, changed=30 * MIN), "unchanged", MIN),
        (timing(interval=MIN, added=DAY, changed=2 * HOUR), "unchanged", 30 * MIN),
        (timing(interval=10 * MIN, kind="feed", added=60 * DAY), "ok", 10 * MIN),
        (timing(interval=30, kind="dir", added=60 * DAY), "ok", 30),
        (timing(interval=30, origin="dir", added=60 * DAY), "unchanged", DAY),
        (timing(interval=30, origin="dir", added=MIN), "changed", DAY),
    ],
    ids=["changed-10m-ago", "changed-59m-ago", "quiet-4h", "quiet-1d", "quiet-4d-cap",
         "quiet-60d-cap", "changed-now", "never-changed-added-8h", "first-seen-2h",
         "first-seen-now", "feed-article-quiet-2d", "own-interval-above-cap",
         "1m-article-fresh", "1m-article-quiet-2h", "feed-keeps-interval",
         "dir-keeps-interval", "folder-file-fallback", "folder-file-changed"],
)
def test_regular_waits(t, outcome, expected):
    assert wait(t, outcome) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("t", "outcome", "retired"),
    [
        (timing(origin="feed", added=14 * DAY), "unchanged", True),
        (timing(origin="feed", added=14 * DAY - 1), "unchanged", False),
        (timing(origin="feed", added=20 * DAY, failures=3), "error", True),
        (timing(origin="feed", added=14 * DAY, changed=MIN), "changed", True),
        (timing(origin="feed", added=15 * DAY), "deferred", True),
        (timing(origin="cli", added=400 * DAY), "unchanged", False),
        (timing(origin="config", added=400 * DAY), "unchanged", False),
        (timing(origin="dir", added=400 * DAY), "unchanged", False),
        (timing(kind="feed", origin="cli", added=400 * DAY), "ok", False),
    ],
    ids=["feed-article-at-14d", "feed-article-1s-before", "feed-article-failing",
         "feed-article-still-changing", "feed-article-deferred", "cli-page", "config-page",
         "folder-file", "feed-itself"],
)
def test_articles_found_in_feeds_retire_after_14_days(t, outcome, retired):
    due = next_due(t, outcome, NOW, random.Random(1), EXACT,
                   deferred_until=NOW + timedelta(hours=1))
    assert (due is None) == retired


def test_retire_after_is_a_setting():
    t = timing(origin="feed", added=2 * DAY)
    assert next_due(t, "unchanged", NOW, random.Random(1),
                    ScheduleSettings(jitter=0.0, retire_after=2 * DAY)) is None
    assert next_due(t, "unchanged", NOW, random.Random(1), EXACT) is not None


@pytest.mark.parametrize(
    ("t", "settings", "expected"),
    [
        (timing(failures=0), EXACT, 15 * MIN),
        (timing(failures=1), EXACT, 15 * MIN),
        (timing(failures=2), EXACT, 30 * MIN),
        (timing(failures=3), EXACT, 1 * HOUR),
        (timing(failures=5), EXACT, 4 * HOUR),
        (timing(failures=6), EXACT, 6 * HOUR),
        (timing(failures=50), EXACT, 6 * HOUR),
        (timing(failures=10_000), EXACT, 6 * HOUR),
        (timing(failures=6), ScheduleSettings(jitter=0.0, max_interval=2 * HOUR), 2 * HOUR),
        (timing(interval=30, kind="dir", failures=3), EXACT, 2 * MIN),
        (timing(interval=2 * DAY, kind="feed", failures=9), EXACT, 2 * DAY),
        (timing(added=9 * DAY, changed=5 * DAY, failures=1), EXACT, DAY),
        (timing(interval=30, origin="dir", failures=2), EXACT, DAY),
    ],
    ids=["first-failure-uncounted", "1", "2", "3", "5", "6-capped", "50", "10000-no-overflow",
         "cap-is-max-interval-if-shorter", "30s-folder", "own-interval-above-cap",
         "never-sooner-than-when-healthy", "folder-file"],
)
def test_failures_back_off(t, settings, expected):
    assert wait(t, "error", settings) == pytest.approx(expected)


def test_backoff_applies_only_to_errors():
    # The failures of earlier checks do not matter once a check succeeds.
    assert wait(timing(failures=4), "unchanged") == pytest.approx(15 * MIN)
    assert backoff_wait(15 * MIN, 4, EXACT) == pytest.approx(2 * HOUR)


@pytest.mark.parametrize(
    ("until", "expected"),
    [(NOW + timedelta(minutes=37, seconds=3), NOW + timedelta(minutes=37, seconds=3)),
     (NOW - timedelta(seconds=5), NOW - timedelta(seconds=5)),
     (None, None)],
    ids=["exactly-retry-after", "already-past", "no-time-given"],
)
def test_deferred_returns_exactly_the_time_the_host_asked_for(until, expected):
    t = timing(failures=3, changed=3 * DAY, added=3 * DAY)
    due = next_due(t, "deferred", NOW, random.Random(7), ScheduleSettings(),
                   deferred_until=until)
    if expected is None:  # no time given: a normal check's wait, with jitter
        assert due is not None and NOW + timedelta(hours=16) <= due <= NOW + timedelta(hours=20)
    else:
        assert due == expected


@pytest.mark.parametrize("jitter", [0.1, 0.5, 0.99], ids=["10%", "50%", "99%"])
def test_jitter_stays_within_its_bounds_and_spreads(jitter):
    settings = ScheduleSettings(jitter=jitter)
    rng = random.Random(42)
    base = 15 * MIN
    waits = []
    for _ in range(2000):
        due = next_due(timing(changed=MIN), "unchanged", NOW, rng, settings)
        assert due is not None and due >= NOW
        waits.append((due - NOW).total_seconds())
    assert min(waits) >= base * (1 - jitter) and max(waits) <= base * (1 + jitter)
    # Spread over the whole band, not bunched on one side.
    assert min(waits) < base * (1 - 0.9 * jitter) and max(waits) > base * (1 + 0.9 * jitter)


def test_jitter_also_moves_backoff_and_adaptive_waits():
    rng = random.Random(3)
    dues = {next_due(timing(failures=3), "error", NOW, rng, ScheduleSettings())
            for _ in range(50)}
    assert len(dues) > 40
    assert all(d is not None and NOW + timedelta(minutes=54) <= d <= NOW + timedelta(minutes=66)
               for d in dues)


def test_first_checks_of_10000_sources_spread_over_a_minute():
    rng = random.Random(2024)
    dues = [first_due(timing(), NOW, rng, ScheduleSettings()) for _ in range(10_000)]
    assert all(NOW <= d <= NOW + timedelta(seconds=60) for d in dues)
    per_second = Counter(int((d - NOW).total_seconds()) for d in dues)
    assert len(per_second) == 60  # every second of the minute gets some
    assert max(per_second.values()) <= 250  # no second gets more than 2.5% of them


def test_first_check_is_within_a_short_interval():
    rng = random.Random(5)
    dues = [first_due(timing(interval=20), NOW, rng, ScheduleSettings()) for _ in range(500)]
    assert all(NOW <= d <= NOW + timedelta(seconds=20) for d in dues)
    assert max(dues) - min(dues) > timedelta(seconds=15)


def test_same_seed_same_schedule():
    def run(seed: int) -> list[datetime | None]:
        rng = random.Random(seed)
        return [next_due(timing(changed=5 * HOUR), "unchanged", NOW, rng, ScheduleSettings())
                for _ in range(5)]

    assert run(9) == run(9)
    assert run(9) != run(10)


@pytest.mark.parametrize(("failures", "flagged"), [(0, False), (4, False), (5, True), (9, True)],
                         ids=["0", "4", "5", "9"])
def test_is_failing_from_max_failures(failures, flagged):
    assert is_failing(failures, ScheduleSettings()) is flagged
    assert is_failing(failures, ScheduleSettings(max_failures=1)) is (failures >= 1)
