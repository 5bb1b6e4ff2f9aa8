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


def test_with_a_worker_fetches_go_on_while_pages_wait_to_be_parsed(
        http_server, tmp_path, monkeypatch):
    # One request at a time, and parsing that waits until every page has been fetched:
    # a pass whose checks held their slot while waiting for the worker would never end.
    import asyncio
    import time

    from monitor import pipeline, runner, workers
    from monitor.config import FetchSettings
    from monitor.models import Source
    from tests.helpers import article_page

    served: list[str] = []
    pages = ["a", "b", "c"]
    for name in pages:
        page = article_page(name.upper(), [f"The army said {len(name)} soldiers left {name}."])
        http_server.routes[f"/{name}"] = lambda request, page=page, name=name: (
            served.append(name) or (200, {"Content-Type": "text/html"}, page))

    class WaitingCompute:
        def __init__(self, db, revision):
            pass

        async def run(self, func, /, *args):
            if func is pipeline._analyse:
                deadline = time.monotonic() + 5
                while len(served) < len(pages):
                    assert time.monotonic() < deadline, f"fetches held up: {served}"
                    await asyncio.sleep(0.01)
            return func(*(a.resolve() if isinstance(a, workers.SharedIndex) else a
                          for a in args))

        def close(self):
            pass

    monkeypatch.setattr(workers, "usable_cores", lambda: 2)
    monkeypatch.setattr(workers, "MIN_PAGES", 1)
    monkeypatch.setattr(workers, "ProcessCompute", WaitingCompute)
    settings = Settings(db_path=tmp_path / "m.db", baseline_paths=(),
                        fetch=FetchSettings(allow_private=True, host_delay=0.0, concurrency=1))
    store = Store(settings.db_path)
    for name in pages:
        store.add_source(Source(name, http_server.url(f"/{name}")), now=runner.utcnow())
    summary = runner.check_once(settings, store, [])
    assert sorted(r.outcome for r in summary.results) == ["changed"] * 3
    assert sorted(served) == pages
