"""The single-instance lock: one `monitor run` per database, never blocked by a dead one."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from monitor.lock import AlreadyRunningError, InstanceLock

HOLD = """
import sys, time
from pathlib import Path
from monitor.lock import InstanceLock
InstanceLock(Path(sys.argv[1])).acquire()
print("held", flush=True)
time.sleep(60)
"""


def test_a_held_lock_is_refused_with_the_holders_pid(tmp_path):
    db = tmp_path / "m.db"
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(db)], stdout=subprocess.PIPE,
                              text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        with pytest.raises(AlreadyRunningError) as caught:
            InstanceLock(db).acquire()
        assert str(caught.value) == (
            f"another `monitor run` (pid {holder.pid}) is already using {db}")
        holder.kill()  # SIGKILL: no cleanup; the kernel drops the lock with the process
        holder.wait()
        InstanceLock(db).acquire()  # free again at once
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()


def test_the_lock_is_free_again_once_released(tmp_path):
    first = InstanceLock(tmp_path / "m.db")
    first.acquire()
    with pytest.raises(AlreadyRunningError):
        InstanceLock(tmp_path / "m.db").acquire()  # a second open file: refused too
    first.release()
    second = InstanceLock(tmp_path / "m.db")
    second.acquire()
    second.release()
    assert (tmp_path / "m.db.lock").read_text().strip() == str(os.getpid())


def test_held_by_names_the_running_holder_and_none_otherwise(tmp_path):
    from monitor.lock import held_by

    db = tmp_path / "m.db"
    assert held_by(db) is None  # no lock file yet
    lock = InstanceLock(db)
    lock.acquire()
    try:
        assert held_by(db) == str(os.getpid())
    finally:
        lock.release()
    assert held_by(db) is None  # the file stays, the lock does not
