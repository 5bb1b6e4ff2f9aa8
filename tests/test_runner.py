"""The command entry points: the baseline cache and `serve`."""

from __future__ import annotations

import os

import pytest

from monitor.config import Settings
from monitor.errors import MonitorError
from monitor.lock import AlreadyRunningError, InstanceLock
from monitor.runner import BaselineCache, serve
from monitor.store import Store


def test_baseline_cache_loads_files_once_and_rebuilds_only_on_change(tmp_path):
    folder = tmp_path / "base"
    folder.mkdir()
    (folder / "a.txt").write_text("Title\n\nRebels captured the airport of Aleppo on Friday.\n")
    settings = Settings(db_path=tmp_path / "m.db", baseline_paths=(folder,))
    store = Store(settings.db_path)
    cache = BaselineCache()
    first = cache.sync(settings, store)
    assert len(first) == 1
    assert cache.sync(settings, store) is first  # nothing changed: same index object
    (folder / "b.txt").write_text("Title\n\nThe army said it had withdrawn from Hama.\n")
    second = cache.sync(settings, store)
    assert second is not first and len(second) == 2
    assert len(store.baseline_documents()) == 2


def test_serve_refuses_a_database_another_service_holds(tmp_path):
    settings = Settings(db_path=tmp_path / "m.db", baseline_paths=())
    store = Store(settings.db_path)
    holder = InstanceLock(settings.db_path)
    holder.acquire()
    try:
        with pytest.raises(AlreadyRunningError) as caught:
            serve(settings, store)
    finally:
        holder.release()
    assert isinstance(caught.value, MonitorError)  # the CLI prints it and exits 1
    assert str(caught.value) == (
        f"another `monitor run` (pid {os.getpid()}) is already using {settings.db_path}")
    assert store.service_info() is None  # refused before touching anything
