"""The dispatcher of `monitor run`: which sources to check now, and when to check them next.

Due times live in SQLite (`source_state.next_due`), not in memory, so a restart resumes
where the last run stopped without a burst (sources that fell due while no service ran are
spread over a minute before the first tick: `Store.respread_overdue`, called by
monitor.service), and sources added, edited or removed by the CLI
(another process writing the same database) count at the next tick. Each `tick`:

1. gives every source that has no due time yet its first one (`schedule.first_due`: spread
   at random, so a first start or a big import does not fire everything at once);
2. starts checks of the due sources: never two checks of one source at once, at most
   `concurrency` at a time, and at most `per_host` to one host, so that one slow or
   rate-limited host cannot take every slot while others wait;
3. after each check (as it ends) stores the next due time that `schedule.next_due` computes
   from the fresh state and the outcome, or retires the source.

The checks' writes may be batched (`Store.batching`, set up by monitor.service); a check
that stored changes commits the batch before alert delivery is woken, so that the outbox a
delivery reads is always committed.

After a suspend or a long check every overdue source is simply due once: missed runs
coalesce. Checks asked for by the folder watcher (`check_now`) start at once, outside the
concurrency bound (they read a local file), and a file written again while its check runs
is checked again right after.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import random
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

import httpx

from .config import ScheduleSettings
from .errors import UsageError
from .models import Source
from .pipeline import CheckResult, Clock, utcnow
from .polite import host_key
from .schedule import first_due, is_failing, next_due
from .store import Store

log = logging.getLogger(__name__)

Check = Callable[[], Awaitable[CheckResult]]
COOLDOWN_SECONDS = 60.0  # after an unexpected error around a check, before trying it again
DUE_WINDOW = 500  # due sources read per tick, so that a busy host does not hide the others


@dataclass
class Tally:
    """Checks finished since the tally was last taken, by result."""

    checked: int = 0
    changed: int = 0
    failed: int = 0
    deferred: int = 0


class Dispatcher:
    """Starts the checks of due sources and schedules their next ones (see module doc)."""

    def __init__(
        self,
        store: Store,
        check: Callable[[Source], Awaitable[CheckResult]],
        schedule: ScheduleSettings,
        *,
        concurrency: int,
        per_host: int,
        clock: Clock = utcnow,
        rng: random.Random | None = None,
        changes_stored: asyncio.Event | None = None,
        prime: Callable[[Collection[str]], None] | None = None,
    ) -> None:
        """`prime`, if given, is told the names of the sources a tick starts, before their
        checks run (Checker.prime: their state is read in one query)."""
        self.store = store
        self._check = check
        self._prime = prime
        self.schedule = schedule
        self.concurrency = max(1, concurrency)
        self.per_host = max(1, per_host)
        self.clock = clock
        self.rng = rng or random.Random()
        # Set whenever a check stored changes (alert delivery listens to it).
        self.changes_stored = changes_stored or asyncio.Event()
        self._tally = Tally()
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._bounded: dict[str, str] = {}  # checks counted against the bounds -> host
        self._again: dict[str, Check] = {}  # checks to run again as soon as theirs ends
        self._cooldown: dict[str, float] = {}  # name -> monotonic time it may run again
        self._closing = False
        self._refill_pending = False

    @property
    def in_flight(self) -> frozenset[str]:
        """Names of the sources being checked right now."""
        return frozenset(self._tasks)

    def take_tally(self) -> Tally:
        """The checks finished since the last call (and start a new count)."""
        tally, self._tally = self._tally, Tally()
        return tally

    def tick(self) -> list[str]:
        """Schedule new sources and start the checks that are due; returns their names.

        Must run in the event loop (the checks are tasks of it). Never raises for one
        source's sake; a database error propagates to the caller (the next tick retries).
        """
        if self._closing:
            return []
        now = self.clock()
        self._schedule_new(now)
        return self._start_due(now)

    def _start_due(self, now: datetime) -> list[str]:
        """Start the checks that are due and fit the bounds; returns their names."""
        free = self.concurrency - len(self._bounded)
        if free <= 0:
            return []
        moment = time.monotonic()
        self._cooldown = {n: t for n, t in self._cooldown.items() if t > moment}
        busy = Counter(host for host in self._bounded.values() if host)
        chosen: list[tuple[Source, str]] = []
        exclude = set(self._tasks) | set(self._cooldown)
        # Read cheaply (after every check, with a backlog on a busy host, most are skipped).
        for name, kind, url in self.store.due_refs(now, limit=DUE_WINDOW, exclude=exclude):
            host = _host(kind, url)
            if host and busy[host] >= self.per_host:
                continue
            source = self.store.get_source(name)
            if source is None:  # removed since the query
                continue
            busy[host] += 1
            chosen.append((source, host))
            if len(chosen) >= free:
                break
        if chosen and self._prime is not None:
            self._prime([source.name for source, _ in chosen])
        for source, host in chosen:  # the tasks run once this tick returns
            self._start(source.name, partial(self._check, source), bound=host)
        return [source.name for source, _ in chosen]

    def check_now(self, name: str, check: Check) -> None:
        """Run `check` for source `name` now (outside the bounds), or right after its
        check in flight ends; a second request while one is waiting replaces it."""
        if self._closing:
            return
        if name in self._tasks:
            self._again[name] = check
        else:
            self._start(name, check, bound=None)

    async def drain(
        self, grace: float, *, hurry: asyncio.Event | None = None, cancel_wait: float = 2.0
    ) -> int:
        """Start nothing more; let checks in flight finish for up to `grace` seconds (less if
        `hurry` is set), then cancel the rest. Returns how many were cancelled.

        Cancelling is safe: a check writes the database only in synchronous transactions,
        so a cancelled check leaves either all of a write or none of it.
        """
        self._closing = True
        self._again.clear()
        pending: set[asyncio.Future[Any]] = set(self._tasks.values())
        loop = asyncio.get_running_loop()
        deadline = loop.time() + grace
        hurried: asyncio.Future[Any] = asyncio.ensure_future((hurry or asyncio.Event()).wait())
        try:
            while pending and not hurried.done():
                remaining = deadline - loop.time()
                if remaining <= 0:
                    break
                _, pending = await asyncio.wait(
                    pending | {hurried}, timeout=remaining, return_when=asyncio.FIRST_COMPLETED
                )
                pending.discard(hurried)
        finally:
            hurried.cancel()
        if pending:
            names = sorted(n for n, t in self._tasks.items() if t in pending)
            for task in pending:
                task.cancel()
            await asyncio.wait(pending, timeout=cancel_wait)
            log.info("abandoned %s check(s) in flight: %s", len(pending), ", ".join(names))
        return len(pending)

    # -- internals ------------------------------------------------------------------------

    def _schedule_new(self, now: datetime) -> None:
        sources = self.store.unscheduled()
        if not sources:
            return
        with self.store.transaction():  # one commit for the lot, not one per source
            for source in sources:
                try:
                    timing = self.store.timing(source.name)
                except UsageError:  # removed since the query
                    continue
                self.store.set_next_due(
                    source.name, first_due(timing, now, self.rng, self.schedule)
                )
        log.debug("scheduled %s new source(s)", len(sources))

    def _start(self, name: str, check: Check, *, bound: str | None) -> None:
        self._tasks[name] = asyncio.create_task(self._run(name, check), name=f"check {name}")
        if bound is not None:
            self._bounded[name] = bound

    async def _run(self, name: str, check: Check) -> None:
        try:
            result = await check()
            self._after(name, result)
        except asyncio.CancelledError:
            raise
        except Exception:  # a bug in one check must not stop the service
            log.exception(
                "unexpected error in the check of %s; trying it again in %ss",
                name,
                COOLDOWN_SECONDS,
            )
            self._cooldown[name] = time.monotonic() + COOLDOWN_SECONDS
        finally:
            del self._tasks[name]
            freed = self._bounded.pop(name, None) is not None
            again = self._again.pop(name, None)
            if again is not None and not self._closing:
                self._start(name, again, bound=None)
            if freed:
                self._refill_soon()

    def _refill_soon(self) -> None:
        """Start the next due checks as soon as a slot frees, not at the next tick: with
        one tick a second, `concurrency` checks a second would be the service's ceiling."""
        if self._refill_pending or self._closing:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # the loop is shutting down: nothing more to start
            return
        self._refill_pending = True
        loop.call_soon(self._refill)

    def _refill(self) -> None:
        self._refill_pending = False
        if self._closing:
            return
        try:
            # New sources wait for the regular tick (a second at most): looking for them
            # reads every source, and this runs after every check.
            self._start_due(self.clock())
        except Exception:  # the database may be busy: the regular tick retries
            log.exception("dispatch after a finished check failed; retrying at the next tick")

    def _after(self, name: str, result: CheckResult) -> None:
        """Count the result and store the source's next due time (or retire it)."""
        now = self.clock()
        self._count(result)
        try:
            self._schedule_next(name, result, now)
        finally:
            if result.changes:
                # Alert delivery reads the outbox: what it reads must be committed.
                self.store.commit_pending()
                self.changes_stored.set()

    def _schedule_next(self, name: str, result: CheckResult, now: datetime) -> None:
        try:
            timing = self.store.timing(name)
        except UsageError:
            log.debug("%s was removed while it was checked", name)
            return
        when = next_due(
            timing, result.outcome, now, self.rng, self.schedule, deferred_until=result.until
        )
        if when is None:
            self.store.retire(name, now)
            log.info("%s retired: no more checks (tracked since %s)", name, timing.added_at.date())
        else:
            self.store.set_next_due(name, when)
        for child in result.touched:
            # A folder's file changed while nothing watched it: re-read it now.
            self.store.set_next_due(child, now)
        failures = timing.failures
        if (
            result.outcome == "error"
            and is_failing(failures, self.schedule)
            and not is_failing(failures - 1, self.schedule)
        ):
            log.warning(
                "%s has failed %s times in a row (checks back off): %s",
                name,
                failures,
                result.error,
            )
        if log.isEnabledFor(logging.DEBUG):  # the arguments cost, once per check
            log.debug(
                "%s: %s%s; next check %s",
                name,
                result.outcome,
                f" ({result.error})" if result.error else "",
                when.isoformat(timespec="seconds") if when else "never",
            )

    def _count(self, result: CheckResult) -> None:
        self._tally.checked += 1
        self._tally.changed += result.outcome == "changed"
        self._tally.failed += result.outcome == "error"
        self._tally.deferred += result.outcome == "deferred"


@functools.lru_cache(maxsize=1 << 14)  # parsing a URL costs ~15 us, asked after every check
def _host(kind: str, url: str) -> str:
    """The host a check of a source of `kind` at `url` talks to, keyed as the Fetcher's
    HostPolicy keys it; "" for local files and folders (no limit)."""
    if kind == "dir" or not url.lower().startswith(("http://", "https://")):
        return ""
    try:
        return host_key(url)
    except httpx.InvalidURL:  # its check will fail and say why
        return ""


__all__ = ["COOLDOWN_SECONDS", "Check", "Dispatcher", "Tally"]
