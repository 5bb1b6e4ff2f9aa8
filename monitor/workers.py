"""A worker process for the parsing of a long one-shot pass (`monitor check`).

A pass spends its time in two kinds of work: fetching and recording (the event loop's
thread: sockets, SQLite) and parsing (extraction, claims, diffs: pure CPU). Python runs
one thread at a time, so on a machine with two or more cores a pass of many pages hands
the parsing to a worker process and fetches meanwhile (`ProcessCompute`); the loop never
waits for a page to be parsed unless it has nothing else to do.

The baseline index is never sent across: the Checker holds a `SharedIndex`, a reference
(database path, baseline revision) that unpickles, in the worker, to the index the worker
built from the database once (and, should the worker die, to the same index built in the
main process, where the work then carries on inline).

Only pure functions go to the worker, named at module level (pickled by reference); their
arguments and results are plain data (text, StoredVersion, Analysis).
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from collections.abc import Callable
from concurrent.futures import BrokenExecutor, ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from .baseline import BaselineIndex

log = logging.getLogger(__name__)

T = TypeVar("T")

MIN_PAGES = 64  # a worker costs a process start (about 0.4 s of CPU): worth it past this

_INDEXES: dict[tuple[str, int], BaselineIndex] = {}  # per process: built once


def usable_cores() -> int:
    """The CPU cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not Linux
        return os.cpu_count() or 1


class SharedIndex:
    """The baseline index of database `db` at baseline `revision`, by reference: in any
    process, `resolve()` (or unpickling) gives that process's copy, built on first use."""

    def __init__(self, db: Path | str, revision: int) -> None:
        self.db = str(db)
        self.revision = revision

    def resolve(self) -> BaselineIndex:
        return shared_index(self.db, self.revision)

    def __reduce__(self) -> tuple[Callable[..., BaselineIndex], tuple[str, int]]:
        return shared_index, (self.db, self.revision)


def shared_index(db: str, revision: int) -> BaselineIndex:
    """This process's baseline index of database `db` (built from its stored baseline
    claims the first time; `revision` tells a rebuilt baseline from the one cached)."""
    key = (db, revision)
    index = _INDEXES.get(key)
    if index is None:
        from .baseline_files import build_index
        from .store import Store

        store = Store(db)
        try:
            index = _INDEXES[key] = build_index(store)
        finally:
            store.close()
    return index


def _start_worker(db: str, revision: int) -> None:
    # Ctrl-C and SIGTERM are for the main process, which stops the pass and then the
    # worker; the worker reports nothing of its own.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    # everything a page needs, loaded while the main process sends its first requests
    import monitor.analysis
    import monitor.extract
    import monitor.region  # noqa: F401

    shared_index(db, revision)


class ProcessCompute:
    """Runs pure calls in one worker process (see the module docstring); after the worker
    died (killed, out of memory), in the calling thread instead."""

    def __init__(self, index: SharedIndex) -> None:
        self._pool: ProcessPoolExecutor | None = ProcessPoolExecutor(
            max_workers=1, mp_context=get_context("spawn"), initializer=_start_worker,
            initargs=(index.db, index.revision),
        )
        self._pool.submit(int)  # start the worker now, not when the first page arrives

    async def run(self, func: Callable[..., T], /, *args: Any) -> T:
        """`func(*args)`, computed by the worker."""
        if self._pool is not None:
            loop = asyncio.get_running_loop()
            try:
                return await loop.run_in_executor(self._pool, func, *args)
            except BrokenExecutor as exc:
                log.warning("the parsing worker stopped (%s); parsing in this process", exc)
                self.close()
        return func(*(a.resolve() if isinstance(a, SharedIndex) else a for a in args))

    def close(self) -> None:
        """Stop the worker (work not started is dropped)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


__all__ = ["MIN_PAGES", "ProcessCompute", "SharedIndex", "shared_index", "usable_cores"]
