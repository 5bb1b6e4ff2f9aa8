"""The dispatcher with a controllable clock, a seeded rng and a fake check on a real store."""

from __future__ import annotations

import asyncio
import logging
import random
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from monitor.config import ScheduleSettings
from monitor.dispatch import Dispatcher
from monitor.models import Source
from monitor.pipeline import CheckResult
from monitor.store import Store, parse_time

T0 = datetime(2024, 12, 9, 12, 0, tzinfo=UTC)
SCHEDULE = ScheduleSettings(jitter=0.1)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


class FakeChecks:
    """Stands in for Checker.check: records the check in the store like the real one.

    `outcomes[name]` picks the outcome ("boom" raises); a check of a name in `gates`
    waits until its event is set.
    """

    def __init__(self, store: Store, clock: Clock) -> None:
        self.store, self.clock = store, clock
        self.calls: list[str] = []
        self.urls: list[str] = []
        self.outcomes: dict[str, str] = {}
        self.gates: dict[str, asyncio.Event] = {}
        self.until: datetime | None = None
        self.touched: tuple[str, ...] = ()

    async def __call__(self, source: Source) -> CheckResult:
        self.calls.append(source.name)
        self.urls.append(source.url)
        gate = self.gates.get(source.name)
        if gate is not None:
            await gate.wait()
        outcome = self.outcomes.get(source.name, "unchanged")
        if outcome == "boom":
            raise RuntimeError("boom")
        error = "HTTP 500" if outcome == "error" else None
        self.store.record_check(source, url=source.url, now=self.clock(), duration_ms=1,
                                outcome=outcome, error=error, changes=outcome == "changed")
        return CheckResult(
            source.name, outcome, changes=Counter(new_claim=1) if outcome == "changed" else
            Counter(), error=error, until=self.until if outcome == "deferred" else None,
            touched=self.touched if source.kind == "dir" else ())


Scenario = Callable[[Dispatcher, FakeChecks, Clock], Awaitable[Any]]


def run(tmp_path: Path, sources: list[Source], scenario: Scenario, *, concurrency: int = 8,
        per_host: int = 2, schedule: ScheduleSettings = SCHEDULE, seed: int = 7) -> Any:
    """Run `scenario` with a dispatcher over a store holding `sources` (added at T0)."""
    store = Store(tmp_path / "m.db")
    for source in sources:
        if store.get_source(source.name) is None:
            store.add_source(source, now=T0)
    clock = Clock()
    checks = FakeChecks(store, clock)

    async def main() -> Any:
        dispatcher = Dispatcher(store, checks, schedule, concurrency=concurrency,
                                per_host=per_host, clock=clock, rng=random.Random(seed))
        return await scenario(dispatcher, checks, clock)

    return asyncio.run(main())


async def settle(dispatcher: Dispatcher) -> None:
    """Wait until no check is in flight."""
    async with asyncio.timeout(5):
        while dispatcher.in_flight:
            await asyncio.sleep(0.001)


async def tick(dispatcher: Dispatcher) -> list[str]:
    """One dispatch, then let the started checks (that are not gated) finish."""
    started = dispatcher.tick()
    for _ in range(5):
        await asyncio.sleep(0)
    return started


async def first_checks(dispatcher: Dispatcher, clock: Clock) -> list[str]:
    """Schedule the new sources (at the clock's time), then start all of them that fit:
    first checks are spread over at most a minute."""
    started = await tick(dispatcher)
    clock.advance(61)
    return started + await tick(dispatcher)


def pages(n: int, *, host: str = "news{i}.example", interval: float = 900) -> list[Source]:
    return [Source(f"p{i}", f"http://{host.format(i=i)}/story", interval=interval)
            for i in range(n)]


def next_due(dispatcher: Dispatcher, name: str) -> datetime:
    value = dispatcher.store.state(name).next_due
    assert value is not None, name
    return parse_time(value)


def test_new_sources_are_spread_over_the_first_minute_and_checked_when_due(tmp_path):
    async def scenario(d, checks, clock):
        started_at = {name: clock.now for name in await tick(d)}
        dues = {s.name: next_due(d, s.name) for s in pages(20) if s.name not in started_at}
        dues.update({n: clock.now for n in started_at})
        assert all(T0 <= t <= T0 + timedelta(seconds=60) for t in dues.values())
        assert len(set(dues.values())) > 10  # spread, not all at one instant
        for _ in range(61):
            clock.advance(1)
            started_at.update({name: clock.now for name in await tick(d)})
            await settle(d)
        assert sorted(started_at) == sorted(dues) == sorted(checks.calls)
        # Each started in the first tick at or after its due time.
        assert all(timedelta(0) <= started_at[n] - dues[n] < timedelta(seconds=1)
                   for n in dues), {n: (started_at[n], dues[n]) for n in dues}

    run(tmp_path, pages(20), scenario, concurrency=20)


def test_a_source_is_never_checked_twice_at_once(tmp_path):
    async def scenario(d, checks, clock):
        gate = checks.gates["p0"] = asyncio.Event()
        assert await first_checks(d, clock) == ["p0"]
        for _ in range(3):  # still due (its check has not finished), but in flight
            clock.advance(3600)
            assert await tick(d) == []
        assert d.in_flight == {"p0"}
        gate.set()
        await settle(d)
        assert checks.calls == ["p0"]
        assert next_due(d, "p0") > clock.now  # rescheduled from the end of the check

    run(tmp_path, pages(1), scenario)


def test_concurrency_bound_and_per_host_bound(tmp_path):
    sources = [Source(f"busy{i}", f"http://busy.example/{i}") for i in range(4)]
    sources += [Source(f"other{i}", f"http://other{i}.example/") for i in range(6)]

    async def scenario(d, checks, clock):
        for s in sources:
            checks.gates[s.name] = asyncio.Event()
        started = await first_checks(d, clock)
        assert len(started) == 3  # concurrency=3
        assert len([n for n in started if n.startswith("busy")]) <= 1  # per_host=1
        assert await tick(d) == []  # every slot taken
        for name in started:
            checks.gates[name].set()
        await asyncio.sleep(0.01)
        # The freed slots start the next due checks at once, without waiting for a tick.
        more = sorted(d.in_flight)
        assert len(more) == 3 and not set(more) & set(started)
        assert await tick(d) == []  # and the bounds still hold
        assert len([n for n in more if n.startswith("busy")]) <= 1
        for gate in checks.gates.values():
            gate.set()
        await settle(d)

    run(tmp_path, sources, scenario, concurrency=3, per_host=1)


def test_a_busy_host_does_not_hold_up_other_hosts(tmp_path):
    sources = [Source(f"busy{i:02}", f"http://busy.example/{i}") for i in range(40)]
    sources.append(Source("zz-other", "http://other.example/"))

    async def scenario(d, checks, clock):
        for s in sources:
            checks.gates[s.name] = asyncio.Event()
        started = await first_checks(d, clock)
        assert "zz-other" in started and len(started) == 3  # 2 busy (per_host) + other
        for gate in checks.gates.values():
            gate.set()
        await settle(d)

    run(tmp_path, sources, scenario, concurrency=8, per_host=2)


def test_missed_runs_coalesce_after_a_suspend(tmp_path):
    async def scenario(d, checks, clock):
        await first_checks(d, clock)
        await settle(d)
        clock.advance(10 * 3600)  # the machine slept through 40 intervals
        assert await tick(d) == ["p0"]
        await settle(d)
        assert await tick(d) == []
        assert checks.calls == ["p0", "p0"]
        assert next_due(d, "p0") > clock.now

    run(tmp_path, pages(1), scenario)


def test_restart_resumes_from_stored_due_times_without_a_burst(tmp_path):
    sources = pages(10, interval=600)

    async def first_run(d, checks, clock):
        await first_checks(d, clock)
        await settle(d)
        assert len(checks.calls) == 10
        return {s.name: next_due(d, s.name) for s in sources}

    dues = run(tmp_path, sources, first_run, concurrency=10)
    assert all(t >= T0 + timedelta(seconds=61 + 540) for t in dues.values())

    async def second_run(d, checks, clock):  # a new process on the same database
        clock.advance(120)
        assert await tick(d) == []  # nothing that is not yet due
        clock.now = min(dues.values())
        started = await tick(d)
        await settle(d)
        return started

    started = run(tmp_path, sources, second_run, concurrency=10)
    assert started and started == [n for n, t in dues.items() if t == min(dues.values())]


def test_deferred_check_is_next_due_when_the_host_said(tmp_path):
    until = T0 + timedelta(hours=2)

    async def scenario(d, checks, clock):
        checks.outcomes["p0"] = "deferred"
        checks.until = until
        await first_checks(d, clock)
        await settle(d)
        assert next_due(d, "p0") == until
        assert d.take_tally().deferred == 1

    run(tmp_path, pages(1), scenario)


def test_failing_source_backs_off_and_is_logged_once_when_it_crosses(tmp_path, caplog):
    schedule = ScheduleSettings(jitter=0.0, max_failures=3)

    async def scenario(d, checks, clock):
        checks.outcomes["p0"] = "error"
        await tick(d)
        clock.now = next_due(d, "p0")
        waits = []
        for _ in range(5):
            before = clock.now
            assert await tick(d) == ["p0"]
            await settle(d)
            waits.append((next_due(d, "p0") - before).total_seconds())
            clock.now = next_due(d, "p0")
        return waits

    with caplog.at_level(logging.WARNING, logger="monitor.dispatch"):
        waits = run(tmp_path, pages(1, interval=60), scenario, schedule=schedule)
    assert waits == [60, 120, 240, 480, 960]
    warnings = [r.getMessage() for r in caplog.records
                if r.name == "monitor.dispatch" and r.levelno == logging.WARNING]
    assert warnings == ["p0 has failed 3 times in a row (checks back off): HTTP 500"]


def test_old_feed_articles_retire(tmp_path):
    schedule = ScheduleSettings(retire_after=3600.0)
    feed = Source("feed", "http://feeds.example/rss", kind="feed")
    article = Source("feed/a", "http://news.example/a", origin="feed", parent="feed")

    async def scenario(d, checks, clock):
        clock.advance(3600)
        await first_checks(d, clock)
        await settle(d)
        assert d.store.state("feed/a").retired_at is not None
        clock.advance(30 * 86400)
        await tick(d)
        await settle(d)
        return checks.calls

    calls = run(tmp_path, [feed, article], scenario, schedule=schedule)
    assert calls.count("feed/a") == 1 and calls.count("feed") == 2


def test_watcher_checks_start_at_once_and_run_again_if_asked_while_in_flight(tmp_path):
    async def scenario(d, checks, clock):
        gate = checks.gates["p0"] = asyncio.Event()
        source = d.store.get_source("p0")
        d.check_now("p0", lambda: checks(source))
        await asyncio.sleep(0)
        d.check_now("p0", lambda: checks(source))  # written again while being read
        d.check_now("p0", lambda: checks(source))  # ... and again: still one more check
        assert checks.calls == ["p0"]
        gate.set()
        await settle(d)
        assert checks.calls == ["p0", "p0"]

    run(tmp_path, pages(1), scenario, concurrency=1)


def test_an_unexpected_error_is_logged_with_the_source_and_others_continue(tmp_path, caplog):
    async def scenario(d, checks, clock):
        checks.outcomes["p0"] = "boom"
        await first_checks(d, clock)
        await settle(d)
        clock.advance(1)
        assert await tick(d) == []  # p0 cools down instead of failing every second
        return checks.calls

    with caplog.at_level(logging.ERROR, logger="monitor.dispatch"):
        calls = run(tmp_path, pages(3), scenario)
    assert sorted(calls) == ["p0", "p1", "p2"]
    assert any("p0" in r.getMessage() and r.exc_info for r in caplog.records)


def test_a_source_removed_during_its_check_finishes_harmlessly(tmp_path):
    async def scenario(d, checks, clock):
        gate = checks.gates["p0"] = asyncio.Event()
        await first_checks(d, clock)
        d.store.remove_source("p0")  # `monitor sources remove` in another process
        gate.set()
        await settle(d)
        clock.advance(86400)
        assert await tick(d) == []
        return d.store.get_source("p0")

    assert run(tmp_path, pages(1), scenario) is None


def test_an_edited_source_is_checked_with_its_new_definition_at_the_next_tick(tmp_path):
    async def scenario(d, checks, clock):
        await first_checks(d, clock)
        await settle(d)
        # `monitor sources edit` in another process: a new URL makes the source due now.
        d.store.update_source("p0", url="http://moved.example/story", now=clock.now)
        clock.advance(1)
        assert await tick(d) == ["p0"]
        await settle(d)
        return checks.urls

    assert run(tmp_path, pages(1), scenario) == ["http://news0.example/story",
                                                 "http://moved.example/story"]


def test_touched_files_are_due_now_and_changes_set_the_event(tmp_path):
    folder = Source("inbox", "/tmp/inbox", kind="dir", interval=30)
    child = Source("inbox/a.txt", "file:///tmp/inbox/a.txt", origin="dir", parent="inbox")

    async def scenario(d, checks, clock):
        await first_checks(d, clock)
        await settle(d)
        assert next_due(d, "inbox/a.txt") > clock.now + timedelta(hours=1)  # daily fallback
        checks.touched = ("inbox/a.txt",)
        checks.outcomes["inbox/a.txt"] = "changed"
        clock.now = next_due(d, "inbox")
        assert await tick(d) == ["inbox"]
        checks.touched = ()
        await settle(d)
        await settle(d)
        # Touched, so due now, and started as soon as the folder's check freed its slot.
        assert checks.calls.count("inbox/a.txt") == 2
        assert d.changes_stored.is_set()
        assert d.take_tally().changed == 1 and d.take_tally().checked == 0

    run(tmp_path, [folder, child], scenario)


def test_drain_cancels_hung_checks_and_then_starts_nothing(tmp_path):
    async def scenario(d, checks, clock):
        checks.gates["p0"] = asyncio.Event()  # never released: a hung check
        await first_checks(d, clock)
        assert d.in_flight == {"p0"}
        assert await d.drain(0.1) == 1 and not d.in_flight
        d.check_now("p0", lambda: checks(d.store.get_source("p0")))
        clock.advance(86400)
        assert d.tick() == [] and not d.in_flight  # closed: nothing starts
        return checks.calls

    assert run(tmp_path, pages(1), scenario) == ["p0"]


@pytest.mark.parametrize("hurry", [True, False], ids=["hurried", "patient"])
def test_drain_waits_for_checks_unless_hurried(tmp_path, hurry):
    async def scenario(d, checks, clock):
        gate = checks.gates["p0"] = asyncio.Event()
        await first_checks(d, clock)
        hurry_event = asyncio.Event()
        asyncio.get_running_loop().call_later(0.05, hurry_event.set if hurry else gate.set)
        return await d.drain(5.0, hurry=hurry_event)

    assert run(tmp_path, pages(1), scenario) == (1 if hurry else 0)


def test_batched_results_are_committed_before_delivery_hears_of_changes(tmp_path):
    import sqlite3

    def committed(store: Store) -> dict[str, str | None]:
        other = sqlite3.connect(store.path)
        try:
            return dict(other.execute("SELECT name, next_due FROM source_state"))
        finally:
            other.close()

    async def scenario(d, checks, clock):
        await first_checks(d, clock)  # p0 and p1 scheduled (not batched) and checked
        await settle(d)
        before = committed(d.store)
        checks.outcomes["p1"] = "changed"
        seen: dict[str, str | None] = {}

        async def delivery() -> None:  # what alert delivery would read when woken
            await d.changes_stored.wait()
            seen.update(committed(d.store))

        listener = asyncio.create_task(delivery())
        with d.store.batching(max_items=100, max_seconds=60):
            d.changes_stored.clear()
            clock.advance(86400)
            assert await tick(d) == ["p0", "p1"]
            await settle(d)
            await listener
        return before, seen, committed(d.store)

    before, seen, after = run(tmp_path, pages(2), scenario)
    assert seen == after and seen["p1"] != before["p1"]  # the check and its next due time


def test_a_tick_primes_the_state_of_the_sources_it_starts_before_they_run(tmp_path):
    store = Store(tmp_path / "m.db")
    for source in pages(3):
        store.add_source(source, now=T0)
    clock = Clock()
    checks = FakeChecks(store, clock)
    primed: list[tuple[list[str], list[str]]] = []  # (names, checks already run)

    async def main() -> list[str]:
        d = Dispatcher(store, checks, SCHEDULE, concurrency=2, per_host=2, clock=clock,
                       rng=random.Random(7),
                       prime=lambda names: primed.append((list(names), list(checks.calls))))
        return await first_checks(d, clock)

    started = asyncio.run(main())
    assert len(primed[0][0]) == 2 and primed[0][1] == []  # the first tick: two slots
    for names, ran in primed:  # every check's state was read before it ran
        assert not set(names) & set(ran), (names, ran)
    # The third started when a slot freed (a refill tick), primed too.
    assert set(started) < set(checks.calls)
    assert sorted(n for names, _ in primed for n in names) == sorted(checks.calls) == [
        "p0", "p1", "p2"]
