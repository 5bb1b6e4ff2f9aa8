"""Pure work in a daemon thread: results and errors come back, the loop keeps running, a
cancelled call is abandoned, and the slots bound how many run at once."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
import time

import pytest

from monitor.offload import Slots, offload


def test_the_result_and_the_exception_come_back() -> None:
    def boom() -> None:
        raise ValueError("bad input")

    async def go() -> int:
        with pytest.raises(ValueError, match="bad input"):
            await offload(boom)
        return await offload(sum, [1, 2, 3])

    assert asyncio.run(go()) == 6


def test_the_work_runs_off_the_loop_thread_while_the_loop_keeps_serving() -> None:
    loop_ran = threading.Event()

    def work() -> tuple[bool, bool]:
        # Only a loop that is free while this runs can set the event.
        return threading.current_thread() is threading.main_thread(), loop_ran.wait(5)

    async def go() -> tuple[bool, bool]:
        pending = asyncio.ensure_future(offload(work))
        await asyncio.sleep(0.01)
        loop_ran.set()
        return await pending

    on_main, saw_loop = asyncio.run(go())
    assert (on_main, saw_loop) == (False, True)


def test_cancelling_abandons_the_call_and_drops_its_result() -> None:
    release, finished = threading.Event(), threading.Event()
    results: list[str] = []

    def work() -> str:
        release.wait(5)
        finished.set()
        return "late"

    async def go() -> None:
        task = asyncio.ensure_future(offload(work))
        await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        release.set()
        await asyncio.sleep(0)  # let the thread finish; nothing may raise or be delivered
        results.append("cancelled cleanly")

    asyncio.run(go())
    assert finished.wait(5) and results == ["cancelled cleanly"]


def test_an_abandoned_call_does_not_hold_up_the_process_exit() -> None:
    # asyncio.to_thread would keep the interpreter alive until the 30 s sleep ended.
    script = (
        "import asyncio, time\n"
        "from monitor.offload import offload\n"
        "async def main():\n"
        "    task = asyncio.ensure_future(offload(time.sleep, 30))\n"
        "    await asyncio.sleep(0.1)\n"
        "    task.cancel()\n"
        "asyncio.run(main())\n"
    )
    started = time.monotonic()
    subprocess.run([sys.executable, "-c", script], check=True, timeout=20)
    assert time.monotonic() - started < 15


def test_slots_bound_the_calls_running_at_once() -> None:
    lock = threading.Lock()
    running: list[int] = [0, 0]  # now, most at once

    def work() -> None:
        with lock:
            running[0] += 1
            running[1] = max(running)
        time.sleep(0.02)
        with lock:
            running[0] -= 1

    async def go() -> None:
        slots = Slots(2)
        await asyncio.gather(*(slots.run(work) for _ in range(6)))

    asyncio.run(go())
    assert running == [0, 2]
