"""A worker process for the parsing of a long one-shot pass (`monitor check`).

A pass spends its time in two kinds of work: fetching and recording (the event loop's
thread: sockets, SQLite) and parsing (extraction, claims, diffs: pure CPU). Python runs
one thread at a time, so on a machine with two or more cores a pass of many pages hands
the parsing to a worker process and fetches meanwhile (`ProcessCompute`); the loop never
waits for a page to be parsed unless it has nothing else to do.

The worker is a plain `python -c` child on one end of a socket pair; the event loop
writes each call to the other end and reads the answers itself. No helper thread stands
between them: with concurrent.futures' process pool, every call and every answer went
through a thread of this process that had to win the interpreter lock from the busy
loop first, and the worker sat idle meanwhile (on 1,000 pages that cost a fifth of a
re-check). Each message is an 8-byte length and a pickle.

The baseline index is never sent across: the Checker holds a `SharedIndex`, a reference
(database path, baseline revision) that unpickles, in the worker, to the index the worker
built from the database once (and, should the worker die, to the same index built in the
main process, where the work then carries on inline).

Only pure functions go to the worker, named at module level (pickled by reference); their
arguments and results are plain data (text, StoredVersion, Analysis).
"""

from __future__ import annotations

import itertools
import logging
import os
import pickle
import signal
import socket
import struct
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    import asyncio

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


_HEADER = struct.Struct("!Q")  # the length of the pickle that follows
_PROTOCOL = pickle.HIGHEST_PROTOCOL
_BOOT = "import sys, monitor.workers as w; w.serve(int(sys.argv[1]), sys.argv[2], int(sys.argv[3]))"


class WorkerGone(Exception):
    """The worker process ended or its connection broke."""


def serve(fd: int, db: str, revision: int) -> None:
    """The worker's life: answer each call read from socket `fd` until the other end
    closes it, then exit at once (there is nothing to flush)."""
    # Ctrl-C and SIGTERM are for the main process, which stops the pass and then the
    # worker; the worker reports nothing of its own.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    sock = socket.socket(fileno=fd)
    # everything a page needs, loaded while the main process sends its first requests
    import monitor.analysis
    import monitor.extract
    import monitor.region  # noqa: F401

    shared_index(db, revision)
    inbox = sock.makefile("rb", buffering=1 << 20)
    while True:
        header = inbox.read(_HEADER.size)
        if len(header) < _HEADER.size:
            break
        body = inbox.read(_HEADER.unpack(header)[0])
        try:
            ident, func, args = pickle.loads(body)
        except Exception:  # a truncated message: the main process has gone
            break
        try:
            data = pickle.dumps((ident, True, func(*args)), _PROTOCOL)
        except Exception as exc:  # the caller gets it, as if it had made the call itself
            data = _error_reply(ident, exc)
        try:
            sock.sendall(_HEADER.pack(len(data)) + data)
        except OSError:
            break
    os._exit(0)


def _error_reply(ident: int, exc: Exception) -> bytes:
    """The answer that raises `exc` in the caller; a RuntimeError with its text when `exc`
    (or the result that failed to pickle) would not survive the trip."""
    try:
        data = pickle.dumps((ident, False, exc), _PROTOCOL)
        pickle.loads(data)  # an exception whose __init__ differs from its args fails here
        return data
    except Exception:
        return pickle.dumps((ident, False, RuntimeError(f"{type(exc).__name__}: {exc}")))


class ProcessCompute:
    """Runs pure calls in one worker process (see the module docstring); after the worker
    died (killed, out of memory), in the calling thread instead."""

    def __init__(self, db: Path | str, revision: int) -> None:
        """Start the worker now, not when the first page arrives: it builds the baseline
        index of database `db` at `revision` while the main process starts fetching."""
        self._ids = itertools.count()
        self._waiting: dict[int, asyncio.Future[tuple[bool, Any]]] = {}
        self._inbox = bytearray()  # what arrived of the next answers
        self._loop: asyncio.AbstractEventLoop | None = None
        self._reader: asyncio.Task[None] | None = None
        self._send_lock: asyncio.Lock | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        ours, theirs = socket.socketpair()
        self._sock: socket.socket | None = ours
        ours.setblocking(False)
        try:
            self._proc = subprocess.Popen(
                [sys.executable, "-c", _BOOT, str(theirs.fileno()), str(db), str(revision)],
                pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
            )
        except OSError as exc:
            log.warning("cannot start a parsing worker (%s); parsing in this process", exc)
            self.close()
        finally:
            theirs.close()

    async def run(self, func: Callable[..., T], /, *args: Any) -> T:
        """`func(*args)`, computed by the worker."""
        if self._sock is not None:
            try:
                return await self._remote(func, args)
            except WorkerGone as exc:
                log.warning("the parsing worker stopped (%s); parsing in this process", exc)
                self.close()
        return func(*(a.resolve() if isinstance(a, SharedIndex) else a for a in args))

    async def _remote(self, func: Callable[..., T], args: tuple[Any, ...]) -> T:
        import asyncio

        loop = asyncio.get_running_loop()
        if self._loop is not loop:
            self._attach(loop)
        assert self._sock is not None and self._send_lock is not None
        ident = next(self._ids)
        data = pickle.dumps((ident, func, args), _PROTOCOL)
        future = self._waiting[ident] = loop.create_future()
        try:
            async with self._send_lock:  # one message at a time on the socket
                await loop.sock_sendall(self._sock, _HEADER.pack(len(data)) + data)
            ok, value = await future
        except OSError as exc:
            raise WorkerGone(str(exc)) from exc
        finally:
            self._waiting.pop(ident, None)
        if ok:
            return value  # type: ignore[no-any-return]
        raise value

    def _attach(self, loop: asyncio.AbstractEventLoop) -> None:
        """Serve calls on `loop` (a new `asyncio.run`): calls left over from an earlier
        loop are forgotten, and their answers dropped when they arrive."""
        import asyncio

        self._loop = loop
        self._waiting.clear()
        self._send_lock = asyncio.Lock()
        self._reader = loop.create_task(self._read(loop))  # held: a task must be referenced

    async def _read(self, loop: asyncio.AbstractEventLoop) -> None:
        """Hand each answer to the call waiting for it, until the worker goes."""
        sock = self._sock
        assert sock is not None
        while self._loop is loop:  # a later loop has its own reader
            try:
                chunk = await loop.sock_recv(sock, 1 << 20)
            except OSError as exc:
                chunk, why = b"", str(exc)
            else:
                why = "it closed the connection"
            if not chunk:
                self._fail(WorkerGone(why))
                return
            inbox = self._inbox
            inbox += chunk
            # Whole messages only; a part stays in the inbox, also when this loop ends.
            while len(inbox) >= _HEADER.size:
                end = _HEADER.size + _HEADER.unpack_from(inbox)[0]
                if len(inbox) < end:
                    break
                try:
                    ident, ok, value = pickle.loads(inbox[_HEADER.size:end])
                except Exception as exc:  # whose answer it was is unknown: all go inline
                    self._fail(WorkerGone(f"unreadable answer ({type(exc).__name__}: {exc})"))
                    return
                del inbox[:end]
                future = self._waiting.get(ident)
                if future is not None and not future.done():
                    future.set_result((ok, value))

    def _fail(self, exc: WorkerGone) -> None:
        for future in self._waiting.values():
            if not future.done():
                future.set_exception(exc)
        self._waiting.clear()

    def close(self) -> None:
        """Stop the worker (work not started is dropped); later calls run inline."""
        sock, self._sock = self._sock, None
        if sock is not None:
            if self._loop is not None and not self._loop.is_closed():
                self._loop.remove_reader(sock.fileno())  # a read of this loop still waiting
                self._loop.remove_writer(sock.fileno())
            sock.close()  # the worker reads the end of its input and exits
        proc, self._proc = self._proc, None
        if proc is not None:
            try:
                proc.wait(timeout=1.0)
            except subprocess.TimeoutExpired:  # in the middle of a long page: no need to wait
                proc.kill()
                proc.wait()


__all__ = ["MIN_PAGES", "ProcessCompute", "SharedIndex", "WorkerGone", "serve", "shared_index",
           "usable_cores"]
