"""monitor.workers: a pass's parsing in a worker process gives what parsing inline gives."""

from __future__ import annotations

import asyncio
import os
import pickle

import pytest

from monitor import runner, workers
from monitor.config import FetchSettings, Settings
from monitor.models import Source
from monitor.runner import BaselineCache, check_once
from monitor.store import Store
from monitor.workers import ProcessCompute, SharedIndex, shared_index
from tests.helpers import article_page

HTML = {"Content-Type": "text/html; charset=utf-8"}
SEED = "Title\n\nRebels captured the airport of Aleppo on Friday, a commander said.\n"


def _baseline(tmp_path) -> tuple[Settings, Store]:
    folder = tmp_path / "base"
    folder.mkdir()
    (folder / "a.txt").write_text(SEED)
    settings = Settings(db_path=tmp_path / "m.db", baseline_paths=(folder,),
                        fetch=FetchSettings(allow_private=True, host_delay=0.0))
    store = Store(settings.db_path)
    BaselineCache().load_files(settings, store)
    return settings, store


def _die_outside(pid: int) -> str:
    """Kills the process it runs in unless that is process `pid`."""
    if os.getpid() != pid:
        os._exit(3)
    return "inline"


def test_a_shared_index_unpickles_to_this_process_s_index(tmp_path):
    settings, store = _baseline(tmp_path)
    ref = SharedIndex(settings.db_path, store.baseline_revision())
    index = pickle.loads(pickle.dumps(ref))
    assert index is shared_index(str(settings.db_path), store.baseline_revision())
    assert index is ref.resolve() and len(index) == 1


def test_the_work_runs_in_another_process_with_the_baseline_built_there(tmp_path):
    settings, store = _baseline(tmp_path)
    ref = SharedIndex(settings.db_path, store.baseline_revision())
    compute = ProcessCompute(ref.db, ref.revision)
    try:
        pid = asyncio.run(compute.run(os.getpid))
        size = asyncio.run(compute.run(len, ref))
    finally:
        compute.close()
    assert pid != os.getpid()
    assert size == 1


def test_a_worker_that_dies_leaves_the_work_to_this_process(tmp_path, caplog):
    settings, store = _baseline(tmp_path)
    compute = ProcessCompute(settings.db_path, store.baseline_revision())
    try:
        assert asyncio.run(compute.run(_die_outside, os.getpid())) == "inline"
        assert asyncio.run(compute.run(len, SharedIndex(settings.db_path, 1))) == 1
    finally:
        compute.close()
    assert "the parsing worker stopped" in caplog.text


@pytest.mark.parametrize("worker", [False, True], ids=["inline", "worker-process"])
def test_a_pass_gives_the_same_results_with_or_without_a_worker(
        http_server, tmp_path, monkeypatch, worker):
    monkeypatch.setattr(workers, "usable_cores", lambda: 2 if worker else 1)
    monkeypatch.setattr(workers, "MIN_PAGES", 2)
    made: list[ProcessCompute] = []
    real = workers.ProcessCompute

    def spy(db, revision):
        made.append(real(db, revision))
        return made[-1]

    monkeypatch.setattr(workers, "ProcessCompute", spy)
    paragraphs = ["Rebels captured the airport of Aleppo on Friday, a commander said.",
                  "The army said 300 soldiers had withdrawn from the city."]
    served = {"/a": article_page("Aleppo", paragraphs), "/b": b"<html><body></body></html>"}
    for path in served:
        http_server.routes[path] = lambda request, path=path: (200, HTML, served[path])
    settings, store = _baseline(tmp_path)
    for path in served:
        store.add_source(Source(path.strip("/"), http_server.url(path)), now=runner.utcnow())
    first = check_once(settings, store, [])
    edited = [paragraphs[0], paragraphs[1].replace("300", "3,000")]
    served["/a"] = article_page("Aleppo", edited)
    second = check_once(settings, store, [])
    assert {r.source: r.outcome for r in first.results} == {"a": "changed", "b": "no_article"}
    assert {r.source: r.outcome for r in second.results} == {"a": "changed", "b": "unchanged"}
    # the first version's claim that the baseline lacks, then the edit
    assert [(c["type"], c["claim"]) for c in store.changes()] == [
        ("updated_claim", "The army said 3,000 soldiers had withdrawn from the city."),
        ("new_claim", "The army said 300 soldiers had withdrawn from the city.")]
    assert len(made) == (2 if worker else 0)  # one worker per pass


def test_with_a_worker_region_work_stays_in_this_process(http_server, tmp_path, monkeypatch):
    from monitor import pipeline

    monkeypatch.setattr(workers, "usable_cores", lambda: 2)
    monkeypatch.setattr(workers, "MIN_PAGES", 1)
    ran_in: list[tuple[str, int]] = []
    real_unchanged, real_locate = pipeline._region_unchanged, pipeline._locate

    def unchanged(html, region):
        ran_in.append(("unchanged", os.getpid()))
        return real_unchanged(html, region)

    def locate(html, text):
        ran_in.append(("locate", os.getpid()))
        return real_locate(html, text)

    # local functions: they cannot be sent to the worker
    monkeypatch.setattr(pipeline, "_region_unchanged", unchanged)
    monkeypatch.setattr(pipeline, "_locate", locate)
    paragraphs = ["Rebels captured the airport of Aleppo on Friday, a commander said.",
                  "The army said 300 soldiers had withdrawn from the city."]
    served = {"page": article_page("Aleppo", paragraphs)}
    http_server.routes["/a"] = lambda request: (200, HTML, served["page"])
    settings, store = _baseline(tmp_path)
    store.add_source(Source("a", http_server.url("/a")), now=runner.utcnow())
    check_once(settings, store, [])
    served["page"] = article_page("Aleppo", paragraphs, extra="<div>Most read: Oil</div>")
    again = check_once(settings, store, [])
    assert [r.outcome for r in again.results] == ["unchanged"]
    assert ran_in == [("locate", os.getpid()), ("unchanged", os.getpid())]


def _fail(message: str) -> None:
    from monitor.errors import ExtractError

    raise ExtractError(message)


def test_an_error_in_the_worker_is_raised_to_the_caller(tmp_path):
    from monitor.errors import ExtractError

    settings, store = _baseline(tmp_path)
    compute = ProcessCompute(settings.db_path, store.baseline_revision())
    try:
        with pytest.raises(ExtractError, match="no article here"):
            asyncio.run(compute.run(_fail, "no article here"))
        assert asyncio.run(compute.run(os.getpid)) != os.getpid()  # the worker lives on
    finally:
        compute.close()


def test_answers_to_calls_of_an_ended_loop_are_dropped(tmp_path):
    import time

    settings, store = _baseline(tmp_path)
    compute = ProcessCompute(settings.db_path, store.baseline_revision())

    async def abandon() -> None:  # a pass interrupted while the worker is busy
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(compute.run(time.sleep, 0.3), 0.05)

    try:
        asyncio.run(abandon())
        # the late answer (None) to the abandoned call must not answer this one
        assert asyncio.run(compute.run(str.upper, "next")) == "NEXT"
    finally:
        compute.close()


def test_the_loop_talks_to_the_worker_without_a_helper_thread(tmp_path):
    import threading

    settings, store = _baseline(tmp_path)
    compute = ProcessCompute(settings.db_path, store.baseline_revision())

    async def calls() -> list[int]:
        threads = [threading.active_count()]
        for text in ("a", "b"):
            await compute.run(str.upper, text)
            threads.append(threading.active_count())
        return threads

    try:
        counts = asyncio.run(calls())
    finally:
        compute.close()
    assert counts == [counts[0]] * 3


def test_a_pass_with_a_worker_loads_no_claim_engine_or_extractor_here(http_server, tmp_path):
    # The main process fetches and records; what comes back from the worker (an Analysis)
    # and the unchanged baseline files must not pull the heavy modules in.
    import subprocess
    import sys

    settings, store = _baseline(tmp_path)  # the baseline files are loaded already
    page = article_page("Aleppo", ["The army said 300 soldiers had withdrawn from the city."])
    http_server.routes["/a"] = lambda request: (200, HTML, page)
    store.add_source(Source("a", http_server.url("/a")), now=runner.utcnow())
    store.close()
    script = f"""
import sys
from pathlib import Path
from monitor import runner, workers
from monitor.config import FetchSettings, Settings
from monitor.store import Store
workers.MIN_PAGES = 1
workers.usable_cores = lambda: 2
settings = Settings(db_path=Path({str(settings.db_path)!r}),
                    baseline_paths=(Path({str(settings.baseline_paths[0])!r}),),
                    fetch=FetchSettings(allow_private=True, host_delay=0.0))
summary = runner.check_once(settings, Store(settings.db_path), [])
heavy = ("monitor.analysis", "monitor.claims", "monitor.diff", "monitor.extract", "trafilatura")
print([r.outcome for r in summary.results], [m for m in heavy if m in sys.modules])
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "['changed'] []"


class _Odd(Exception):
    """An exception that pickles but does not unpickle (its args are not its __init__'s)."""

    def __init__(self, first: str, second: str) -> None:
        super().__init__(f"{first} and {second}")


def _raise_odd() -> None:
    raise _Odd("this", "that")


def test_an_error_that_cannot_travel_arrives_as_its_text(tmp_path):
    settings, store = _baseline(tmp_path)
    compute = ProcessCompute(settings.db_path, store.baseline_revision())
    try:
        with pytest.raises(RuntimeError, match=r"^_Odd: this and that$"):
            asyncio.run(compute.run(_raise_odd))
        assert asyncio.run(compute.run(str.upper, "on")) == "ON"  # nothing hangs
    finally:
        compute.close()
