"""The single-instance lock of `monitor run`: one service per database."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from .errors import MonitorError


class AlreadyRunningError(MonitorError):
    """Another `monitor run` holds the database's lock."""


class InstanceLock:
    """An exclusive `flock` on `<database>.lock`, held while the service runs.

    The kernel releases it when the process ends however it ends (even `kill -9`), so a
    stale lock file never blocks a restart. The holder's pid is written into the file
    for the message the next instance shows.
    """

    def __init__(self, db_path: Path) -> None:
        self.db_path = db_path
        self.path = db_path.with_name(db_path.name + ".lock")
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock, or raise AlreadyRunningError naming the holder's pid."""
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "unknown"
            os.close(fd)
            raise AlreadyRunningError(
                f"another `monitor run` (pid {holder}) is already using {self.db_path}"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd = fd

    @property
    def held(self) -> bool:
        """True between a successful `acquire` and `release`."""
        return self._fd is not None

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor drops the flock
            self._fd = None


def held_by(db_path: Path) -> str | None:
    """The pid (as written in the lock file) of the `monitor run` using `db_path`, or None
    when no service holds it. Probing takes and drops a shared lock; it never blocks."""
    path = db_path.with_name(db_path.name + ".lock")
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "unknown"
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


__all__ = ["AlreadyRunningError", "InstanceLock", "held_by"]
