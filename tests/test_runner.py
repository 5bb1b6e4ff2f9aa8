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


def test_baseline_files_are_not_read_again_by_a_later_process(tmp_path, monkeypatch):
    folder = tmp_path / "base"
    folder.mkdir()
    article = folder / "a.txt"
    article.write_text("Title\n\nRebels captured the airport of Aleppo on Friday.\n")
    settings = Settings(db_path=tmp_path / "m.db", baseline_paths=(folder,))
    BaselineCache().sync(settings, Store(settings.db_path))  # the first `monitor check`
    import monitor.baseline_files as baseline_files

    loaded: list[list[str]] = []
    real = baseline_files.load_baseline

    def spy(store, paths, *, now):
        loaded.append([p.name for p in paths])
        return real(store, paths, now=now)

    monkeypatch.setattr(baseline_files, "load_baseline", spy)
    store = Store(settings.db_path)  # a later process: a new store and a new cache
    assert len(BaselineCache().sync(settings, store)) == 1
    assert loaded == []  # same stamps: the file is not extracted again
    article.write_text("Title\n\nRebels captured the airport of Aleppo on Saturday.\n")
    assert len(BaselineCache().sync(settings, store)) == 2  # both texts are in the baseline
    assert loaded == [["a.txt"]]
    assert len(BaselineCache().sync(settings, Store(settings.db_path))) == 2
    assert loaded == [["a.txt"]]  # the new stamp was saved


@pytest.mark.parametrize("stored", [None, "", "not json", "[1, 2]"],
                         ids=["absent", "empty", "garbage", "not-a-mapping"])
def test_unreadable_baseline_stamps_mean_read_every_file(tmp_path, stored):
    folder = tmp_path / "base"
    folder.mkdir()
    (folder / "a.txt").write_text("Title\n\nRebels captured the airport of Aleppo on Friday.\n")
    settings = Settings(db_path=tmp_path / "m.db", baseline_paths=(folder,))
    store = Store(settings.db_path)
    if stored is not None:
        from monitor.runner import BASELINE_STAMPS_KEY

        store.set_meta(BASELINE_STAMPS_KEY, stored)
    assert len(BaselineCache().sync(settings, store)) == 1
