"""Run CPU-heavy pure work (extraction, claim splitting, diffing, feed parsing) off the
event loop, so that one large page does not stall the service.

`await offload(func, *args)` runs `func(*args)` in a thread of its own and returns its
result (or raises its exception). Meanwhile the loop keeps serving: the folder watcher,
the heartbeat, other checks, signals. Only pure functions belong here; every database
access stays on the loop's thread.

Cancelling the await abandons the call: the thread finishes in the background and its
result is dropped, so a caller that writes only after `offload` returns writes nothing.
The threads are not joined at exit (like daemon threads), so an abandoned call never holds
up the process's exit (asyncio.to_thread's executor is joined at exit: a SIGTERM during a
5-second parse would wait for it). `Slots` bounds how many such threads run at once.

A thread is started without waiting for it to run: `threading.Thread.start` blocks the
caller until the new thread holds the interpreter lock, which a worker busy parsing only
hands over after the switch interval (5 ms), so every start would stall the event loop.
"""

from __future__ import annotations

import _thread
import asyncio
import contextlib
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


async def offload(func: Callable[..., T], /, *args: Any) -> T:
    """`func(*args)`, computed in a thread of its own while the event loop keeps running."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()

    def settle(value: Any, error: BaseException | None) -> None:
        if future.done():  # cancelled meanwhile: the result is dropped
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(value)

    def work() -> None:
        try:
            value, error = func(*args), None
        except BaseException as exc:  # handed to the awaiting task, which raises it
            value, error = None, exc
        with contextlib.suppress(RuntimeError):  # the loop is closed: nobody waits
            loop.call_soon_threadsafe(settle, value, error)

    _thread.start_new_thread(work, ())
    return await future


class Slots:
    """At most `limit` offloaded calls at once (the rest wait their turn on the loop).

    `limit` 0 runs each call inline, on the loop's thread. That is for a batch with nothing
    else to serve (`monitor check`): a worker thread parsing while the loop fetches makes
    every system call of the loop (a send, an SQLite write, the poll) wait up to the switch
    interval for the interpreter lock, which cost a 1,000-page re-check a third of its time.
    """

    def __init__(self, limit: int) -> None:
        self._inline = limit <= 0
        self._sem = asyncio.Semaphore(max(1, limit))

    async def run(self, func: Callable[..., T], /, *args: Any) -> T:
        if self._inline:
            return func(*args)
        async with self._sem:
            return await offload(func, *args)


__all__ = ["Slots", "offload"]
