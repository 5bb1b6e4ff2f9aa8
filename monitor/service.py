"""`monitor run`: the long-running service, on one asyncio event loop.

One `Service` holds the database lock for its whole life and runs, on an APScheduler
`AsyncIOScheduler` (every job `max_instances=1, coalesce=True`):

- the dispatcher (monitor.dispatch) every second: due checks start, new sources get a due
  time, and the CLI's edits (another process writing the same database) count at once;
  at start, sources that fell due while no service ran are first spread over the next
  minute (`Store.respread_overdue`), so a restart after a long stop is not a burst;
- the folder watcher (monitor.watch) for every `dir` source, its folder list re-read from
  the database every few seconds; a written file is checked as soon as it is reported;
- a heartbeat in the `service` table every 10 s, the baseline refresh and a log summary
  (checked, changed, failed) every minute;
- any job added with `add_job` (for example alert delivery, woken right after a check stored
  changes).

All checks share one HTTP client and one Fetcher, so per-host limits and back-offs persist.
The checks' writes are committed in batches: those finished in one pass of the event loop
together (`Store.batching`; a check that stored changes commits at once, before alert
delivery is woken).
SIGTERM and SIGINT stop it gracefully: dispatching stops, checks in flight get a few seconds,
the rest are cancelled (each database write is one synchronous transaction, so nothing is
half-written), and the service is recorded as stopped. The handlers are installed
explicitly, so this also works as PID 1 in a container, where the kernel gives a process
no default signal actions. A second press of Ctrl-C skips the grace period.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import signal
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC
from functools import partial
from pathlib import Path
from typing import Any

from . import __version__
from .config import Settings
from .dispatch import Dispatcher
from .fetch import Fetcher, make_client
from .lock import AlreadyRunningError, InstanceLock
from .pipeline import Checker, Clock, dir_child, utcnow
from .runner import BaselineCache
from .store import Store
from .watch import FolderWatcher

log = logging.getLogger(__name__)

BATCH_ITEMS = 100  # check results committed together at most...
BATCH_SECONDS = 0.2  # ...(without a running loop; also the wait before retrying a commit)


@dataclass(frozen=True)
class Timings:
    """How often the service's periodic jobs run, in seconds (tests shorten them)."""

    dispatch: float = 1.0
    folders: float = 5.0  # re-read the list of watched folders
    heartbeat: float = 10.0
    baseline: float = 60.0  # reload new or changed baseline files
    summary: float = 60.0  # one INFO line: checked, changed, failed
    grace: float = 5.0  # for checks in flight at shutdown, before they are cancelled


class _Job:
    """A periodic async job that never overlaps itself; `kick` asks for a run now (a run
    already going is followed by exactly one more)."""

    def __init__(self, name: str, func: Callable[[], Awaitable[object]]) -> None:
        self.name = name
        self.func = func
        self.task: asyncio.Task[None] | None = None
        self._again = False

    def kick(self) -> None:
        if self.task is not None and not self.task.done():
            self._again = True
        else:
            self.task = asyncio.create_task(self._loop(), name=self.name)

    async def _loop(self) -> None:
        while True:
            self._again = False
            try:
                await self.func()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("job %s failed; it runs again at its next time", self.name)
            if not self._again:
                return


class Service:
    """The `monitor run` service on one database (see the module docstring)."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        *,
        clock: Clock = utcnow,
        rng: random.Random | None = None,
        timings: Timings = Timings(),
    ) -> None:
        self.settings = settings
        self.store = store
        self.clock = clock
        self.rng = rng or random.Random()
        self.timings = timings
        self.stopping = asyncio.Event()
        self.changes_stored = asyncio.Event()  # set whenever a check stored changes
        self._hurry = asyncio.Event()
        self._jobs: list[tuple[_Job, float, bool]] = []
        self._baseline = BaselineCache()
        self.checker: Checker | None = None
        self.dispatcher: Dispatcher | None = None

    def add_job(
        self,
        func: Callable[[], Awaitable[object]],
        *,
        seconds: float,
        name: str,
        on_changes: bool = False,
    ) -> None:
        """Run `func` every `seconds` while the service runs, never two runs at once; with
        `on_changes` also right after a check stored changes. Call before `run`."""
        self._jobs.append((_Job(name, func), seconds, on_changes))

    def request_stop(self) -> None:
        """Begin a graceful stop (what SIGTERM and SIGINT do); a second call hurries it."""
        if self.stopping.is_set():
            log.info("stopping now")
            self._hurry.set()
        else:
            log.info("stopping: finishing checks in flight (up to %ss)", self.timings.grace)
            self.stopping.set()

    async def run(self, *, lock: InstanceLock | None = None) -> None:
        """Run until `request_stop` (or SIGTERM/SIGINT); AlreadyRunningError if another
        service holds this database.

        `lock` is this database's lock already acquired by the caller (who releases it),
        so that the caller can refuse a second service before changing anything (the CLI
        syncs the config only once it holds the lock); without it `run` takes the lock
        itself and releases it when it ends.
        """
        if lock is not None and not (lock.held and lock.db_path == self.store.path):
            raise ValueError(f"run needs the held lock of {self.store.path}")
        owned = lock is None
        if lock is None:
            lock = InstanceLock(self.store.path)
            lock.acquire()
        loop = asyncio.get_running_loop()
        signals = (signal.SIGTERM, signal.SIGINT)
        for signum in signals:
            loop.add_signal_handler(signum, self.request_stop)
        try:
            with self.store.batching(max_items=BATCH_ITEMS, max_seconds=BATCH_SECONDS):
                await self._serve()
        finally:
            for signum in signals:
                loop.remove_signal_handler(signum)
            if owned:
                lock.release()

    async def _serve(self) -> None:
        from apscheduler.schedulers.asyncio import AsyncIOScheduler

        settings, store = self.settings, self.store
        # Sources that fell due while no service ran would otherwise all start at once.
        moved = store.respread_overdue(self.clock(), self.rng)
        if moved:
            log.info(
                "%s source(s) fell due while the service was stopped; "
                "spreading their checks over the next minute",
                moved,
            )
        async with make_client(settings.fetch) as client:
            self.checker = checker = Checker(
                store,
                Fetcher(client, settings.fetch),
                self._baseline.sync(settings, store),
                clock=self.clock,
            )
            self.dispatcher = dispatcher = Dispatcher(
                store,
                checker.check,
                settings.schedule,
                concurrency=settings.fetch.concurrency,
                per_host=settings.fetch.per_host,
                clock=self.clock,
                rng=self.rng,
                changes_stored=self.changes_stored,
                prime=checker.prime,
            )
            watcher = FolderWatcher(self._on_file)
            sync_folders = partial(self._sync_folders, watcher)
            sync_folders()
            scheduler = AsyncIOScheduler(timezone=UTC)
            every, t = partial(self._every, scheduler), self.timings
            every(self._dispatch, t.dispatch, "dispatch", first=True)
            every(_async(sync_folders), t.folders, "folders")
            every(_async(lambda: store.heartbeat(self.clock())), t.heartbeat, "heartbeat")
            every(_async(self._refresh_baseline), t.baseline, "baseline")
            every(_async(self._summary), t.summary, "summary")
            for job, seconds, _ in self._jobs:
                # Added jobs (alert delivery) also run at once: alerts a crash left pending
                # go out right after a restart.
                every(_async(job.kick), seconds, job.name, first=True)
            waker = asyncio.create_task(self._wake_on_changes())
            watching = asyncio.create_task(watcher.run(self.stopping))
            scheduler.start()
            await asyncio.sleep(0)  # the watcher's first step sets up its inotify watches
            store.service_started(os.getpid(), socket.gethostname(), __version__, self.clock())
            log.info(
                "monitor %s running on %s: %s source(s), watching %s folder(s)",
                __version__,
                store.path,
                len(store.list_sources()),
                len(watcher.folders),
            )
            try:
                await self.stopping.wait()
            finally:
                scheduler.shutdown(wait=False)
                waker.cancel()
                await asyncio.gather(
                    dispatcher.drain(t.grace, hurry=self._hurry),
                    _finish([j.task for j, _, _ in self._jobs if j.task], t.grace),
                )
                await _finish([watching], 2.0)
                self._summary()
                store.service_stopped(self.clock())
        log.info("monitor stopped")

    def _every(
        self,
        scheduler: Any,
        func: Callable[[], Awaitable[None]],
        seconds: float,
        name: str,
        *,
        first: bool = False,
    ) -> None:
        # Without next_run_time the first run is after `seconds` (passing None would add
        # the job paused); APScheduler keeps real time, whatever the service's clock.
        start = {"next_run_time": utcnow()} if first else {}
        scheduler.add_job(
            func,
            "interval",
            seconds=seconds,
            id=name,
            name=name,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,  # late after a suspend: run once, not skipped
            **start,
        )

    async def _dispatch(self) -> None:
        assert self.dispatcher is not None
        try:
            self.dispatcher.tick()
        except Exception:  # the database may be busy or broken: log, retry next second
            log.exception("dispatch failed; retrying")

    async def _wake_on_changes(self) -> None:
        while True:
            await self.changes_stored.wait()
            self.changes_stored.clear()
            for job, _, on_changes in self._jobs:
                if on_changes:
                    job.kick()

    async def _on_file(self, name: str, path: Path) -> None:
        """The watcher saw `path` written in folder source `name`: check it now."""
        assert self.checker is not None and self.dispatcher is not None
        folder = self.store.get_source(name)
        if folder is None or folder.kind != "dir":
            return  # removed since the folder list was read
        child = dir_child(folder, path)
        log.debug("%s written; checking %s", path, child.name)
        self.dispatcher.check_now(child.name, partial(self.checker.check_file, folder, path))

    def _sync_folders(self, watcher: FolderWatcher) -> None:
        watcher.set_folders(
            {s.name: Path(s.url) for s in self.store.list_sources(kind="dir")}
        )

    def _refresh_baseline(self) -> None:
        assert self.checker is not None
        self.checker.baseline = self._baseline.sync(self.settings, self.store)

    def _summary(self) -> None:
        assert self.dispatcher is not None
        tally = self.dispatcher.take_tally()
        if tally.checked:
            log.info(
                "checked %s source(s): %s changed, %s failed, %s deferred",
                tally.checked,
                tally.changed,
                tally.failed,
                tally.deferred,
            )


def _async(func: Callable[[], object]) -> Callable[[], Awaitable[None]]:
    """A coroutine function running `func` on the loop (APScheduler runs plain functions
    in a thread pool; every database access stays on the loop's thread). An error is
    logged and the job runs again at its next time."""

    async def job() -> None:
        try:
            func()
        except Exception:
            log.exception("job %s failed", getattr(func, "__name__", func))

    return job


async def _finish(tasks: list[asyncio.Task[Any]], timeout: float) -> None:
    """Wait up to `timeout` for `tasks`, then cancel what is left."""
    if not tasks:
        return
    _, pending = await asyncio.wait(tasks, timeout=timeout)
    for task in pending:
        task.cancel()
    if pending:
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait(pending, timeout=1.0)


__all__ = ["AlreadyRunningError", "InstanceLock", "Service", "Timings"]
