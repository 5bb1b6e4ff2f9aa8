"""`monitor run` as a real process: signals, the single-instance lock, the folder watcher,
sources added from the CLI while it runs, and a restart without a burst; then the
service's periodic jobs in-process, with short timings.

Each process test starts `python -m monitor --config ... run` against the local
`http_server` and a tmp folder, and watches the database (polling with a deadline).
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from monitor.config import FetchSettings, Settings
from monitor.models import Source
from monitor.service import Service, Timings
from monitor.store import Store, parse_time
from tests.helpers import REPO, SEEDS, article_page

HTML = {"Content-Type": "text/html; charset=utf-8"}
STORY = article_page("Rebels enter Hama", [
    "Rebel fighters entered the city of Hama on Thursday after days of fighting, "
    "residents said.",
])


def query(db: Path, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    """Rows of `sql` on the service's database, read from this (second) process."""
    conn = sqlite3.connect(db, timeout=10)
    try:
        return conn.execute(sql, params).fetchall()
    except sqlite3.OperationalError:  # not created (or not migrated) yet
        return []
    finally:
        conn.close()


def wait_for(condition: Callable[[], Any], timeout: float, what: str) -> Any:
    """Poll `condition` until it is truthy; fail naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.05)


@dataclass
class Env:
    """A config on tmp_path (database, an inbox folder) and the processes started on it."""

    tmp: Path
    sources: str = ""
    timeout: float = 5.0
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def db(self) -> Path:
        return self.tmp / "m.db"

    @property
    def inbox(self) -> Path:
        return self.tmp / "inbox"

    @property
    def config(self) -> Path:
        path = self.tmp / "monitor.toml"
        if not path.exists():
            self.inbox.mkdir(exist_ok=True)
            path.write_text(
                f'[storage]\npath = "{self.db}"\n[baseline]\npaths = ["{SEEDS}"]\n'
                f"[fetch]\nallow_private = true\ntimeout = {self.timeout}\nhost_delay = 0.0\n"
                f'[[sources]]\nname = "inbox"\nkind = "dir"\nurl = "{self.inbox}"\n'
                f'interval = "5s"\n' + self.sources)
        return path

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "monitor", "--config", str(self.config), *args],
            capture_output=True, text=True, timeout=30, cwd=REPO)

    def start(self, *options: str) -> subprocess.Popen[bytes]:
        """Start `monitor run` (global `options`; default: --log-level info) and wait until
        it says (in the database) that it runs."""
        log = open(self.tmp / f"run{len(self.procs)}.log", "wb")  # noqa: SIM115
        proc = subprocess.Popen(
            [sys.executable, "-m", "monitor", "--config", str(self.config),
             *(options or ("--log-level", "info")), "run"],
            stdout=log, stderr=subprocess.STDOUT, cwd=REPO)
        log.close()
        self.procs.append(proc)

        def started() -> bool:
            if proc.poll() is not None:
                pytest.fail(f"monitor run exited with {proc.returncode}: {self.log(proc)}")
            return bool(query(self.db, "SELECT 1 FROM service WHERE pid = ? AND "
                                       "stopped_at IS NULL", proc.pid))

        wait_for(started, 20, "the service to start")
        return proc

    def log(self, proc: subprocess.Popen[bytes]) -> str:
        return (self.tmp / f"run{self.procs.index(proc)}.log").read_text()

    def stop(self, proc: subprocess.Popen[bytes], signum: int = signal.SIGTERM) -> float:
        """Send `signum`; returns how long the process took to exit (it must exit 0)."""
        started = time.monotonic()
        proc.send_signal(signum)
        code = proc.wait(timeout=15)
        elapsed = time.monotonic() - started
        assert code == 0, self.log(proc)
        return elapsed


@pytest.fixture
def env(tmp_path: Path) -> Iterator[Env]:
    handle = Env(tmp_path)
    yield handle
    for proc in handle.procs:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def database_is_consistent(db: Path) -> bool:
    return query(db, "PRAGMA integrity_check") == [("ok",)]


@pytest.mark.parametrize(
    ("signals", "hung", "abandoned"),
    [([signal.SIGTERM], True, True), ([signal.SIGINT], False, False),
     ([signal.SIGINT, signal.SIGINT], True, True)],
    ids=["SIGTERM-abandons-a-hung-check", "SIGINT", "second-SIGINT-hurries"],
)
def test_a_signal_stops_the_service_gracefully(env, http_server, signals, hung, abandoned):
    release = threading.Event()

    def slow(_request):  # a check that would take far longer than the shutdown allows
        release.wait(30)
        return 200, HTML, STORY

    http_server.routes["/hung"] = slow if hung else (200, HTML, STORY)
    http_server.route("/story", headers=HTML, body=STORY)
    env.timeout = 30.0
    env.sources = (f'[[sources]]\nname = "hung"\nurl = "{http_server.url("hung")}"\n'
                   f'interval = "2s"\n'
                   f'[[sources]]\nname = "story"\nurl = "{http_server.url("story")}"\n'
                   f'interval = "2s"\n')
    proc = env.start()
    wait_for(lambda: http_server.requests_for("/hung"), 10, "the hung check to start")
    wait_for(lambda: query(env.db, "SELECT 1 FROM versions WHERE source = 'story'"), 10,
             "the story to be stored")
    try:
        for signum in signals[:-1]:
            proc.send_signal(signum)
            wait_for(lambda: "stopping:" in env.log(proc), 5, "the first signal to count")
        elapsed = env.stop(proc, signals[-1])
    finally:
        release.set()
    assert elapsed < (3 if len(signals) > 1 else 10)
    assert database_is_consistent(env.db)
    (pid, stopped_at), = query(env.db, "SELECT pid, stopped_at FROM service")
    assert pid == proc.pid and stopped_at is not None
    log = env.log(proc)
    assert ("abandoned 1 check(s) in flight: hung" in log) is abandoned
    assert "monitor stopped" in log and "Traceback" not in log


@pytest.mark.parametrize(
    ("options", "says"),
    [(("--db", ""), True), (("--log-level", "warning"), False)],
    ids=["default-info", "global-warning-kept"],
)
def test_the_service_says_when_it_starts_and_stops(env, options, says):
    # a service in the foreground logs at info unless the user asked for less
    options = ("--db", str(env.db)) if options[0] == "--db" else options
    proc = env.start(*options)
    env.stop(proc)
    log = env.log(proc)
    assert ("running on" in log and "monitor stopped" in log) is says, log


def test_a_second_instance_is_refused_while_the_first_runs(env):
    first = env.start()
    second = env.cli("run")
    assert second.returncode == 1
    assert second.stderr.strip() == (
        f"monitor: error: another `monitor run` (pid {first.pid}) is already using {env.db}")
    assert first.poll() is None  # the first one is unaffected
    env.stop(first)


def test_a_killed_service_does_not_block_the_next_start(env):
    first = env.start()
    first.kill()  # SIGKILL: no cleanup at all; the kernel drops the lock
    first.wait()
    second = env.start()
    env.stop(second)
    assert database_is_consistent(env.db)


def test_a_file_dropped_into_the_folder_is_processed_quickly(env):
    proc = env.start()
    time.sleep(0.2)  # the watch is set up with the start; leave it a moment on a slow box
    written = time.monotonic()
    (env.inbox / "sednaya.txt").write_text(
        "Flight data\n\nAt least 300 prisoners were freed from Sednaya prison, "
        "monitors said.\n")
    rows = wait_for(lambda: query(env.db, "SELECT type, claim FROM changes WHERE source = ?",
                                  "inbox/sednaya.txt"), 10, "the change of the dropped file")
    latency = time.monotonic() - written
    assert rows == [("new_claim", "At least 300 prisoners were freed from Sednaya prison, "
                                  "monitors said.")]
    # An edit is picked up the same way (the file's schedule alone would wait a day).
    (env.inbox / "sednaya.txt").write_text(
        "Flight data\n\nAt least 3,000 prisoners were freed from Sednaya prison, "
        "monitors said.\n")
    wait_for(lambda: query(env.db, "SELECT 1 FROM changes WHERE type = 'updated_claim'"),
             10, "the edit's change")
    env.stop(proc)
    print(f"drop -> change row: {latency:.2f}s")


def test_a_source_added_with_the_cli_while_running_is_checked(env, http_server):
    http_server.route("/late", headers=HTML, body=STORY)
    proc = env.start()
    added = env.cli("sources", "add", http_server.url("late"), "--name", "late",
                    "--interval", "2s")
    assert added.returncode == 0, added.stderr
    wait_for(lambda: query(env.db, "SELECT 1 FROM fetch_log WHERE source = 'late'"), 10,
             "the new source's first check")
    assert http_server.requests_for("/late")
    removed = env.cli("sources", "remove", "late")
    assert removed.returncode == 0, removed.stderr
    http_server.clear()
    time.sleep(3)  # more than the removed source's interval
    env.stop(proc)
    assert http_server.requests_for("/late") == []
    assert "Traceback" not in env.log(proc)


def test_a_restart_resumes_without_a_burst(env, http_server):
    times: dict[str, list[float]] = {}  # source name -> when its page was requested

    def page(request):
        times.setdefault(request.path[1:], []).append(time.time())
        return 200, HTML, STORY

    names = ["p0", "p1", "p2"]
    for name in names:
        http_server.routes[f"/{name}"] = page
    env.sources = "".join(f'[[sources]]\nname = "{n}"\nurl = "{http_server.url(n)}"\n'
                          f'interval = "5s"\n' for n in names)
    first = env.start()
    wait_for(lambda: all(times.get(n) for n in names), 10, "a first check of every page")
    env.stop(first)
    stored = dict(query(env.db, "SELECT name, strftime('%s', next_due) FROM source_state "
                                "WHERE name LIKE 'p_'"))
    checked = {n: len(times[n]) for n in names}
    second = env.start()
    time.sleep(2.0)  # watch the restarted service for a while
    env.stop(second)
    # Nothing is checked again before the due time the first run stored for it.
    early = {n: [t for t in times[n][checked[n]:] if t < int(stored[n])] for n in names}
    assert early == {n: [] for n in names}, stored
    assert database_is_consistent(env.db)


# -- in-process: the periodic jobs ---------------------------------------------------------

FAST = Timings(dispatch=0.05, folders=0.1, heartbeat=0.1, baseline=0.1, summary=0.1, grace=1.0)


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2024, 12, 9, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


async def until(condition: Callable[[], Any], what: str, timeout: float = 5.0) -> Any:
    """Await `condition` becoming truthy (polling), failing after `timeout` seconds."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not (value := condition()):
        if asyncio.get_running_loop().time() > deadline:
            pytest.fail(f"timed out after {timeout}s waiting for {what}")
        await asyncio.sleep(0.01)
    return value


def serve_in_process(tmp_path: Path, scenario: Callable[[Service, Clock], Any],
                     *, jobs: tuple[tuple[Callable[[], Any], bool], ...] = (),
                     prepare: Callable[[Store, Clock], Any] | None = None,
                     rng: Any = None) -> Service:
    """Run a Service on tmp_path (a folder source "inbox", a baseline folder, and whatever
    `prepare` puts in the store) around `scenario`, then stop it as SIGTERM would."""
    (tmp_path / "inbox").mkdir()
    (tmp_path / "base").mkdir()
    settings = Settings(db_path=tmp_path / "m.db", baseline_paths=(tmp_path / "base",),
                        fetch=FetchSettings(allow_private=True, host_delay=0.0))
    store = Store(settings.db_path)
    clock = Clock()
    store.add_source(Source("inbox", str(tmp_path / "inbox"), kind="dir", interval=30),
                     now=clock.now)
    if prepare is not None:
        prepare(store, clock)
    service = Service(settings, store, clock=clock, rng=rng, timings=FAST)
    for i, (func, on_changes) in enumerate(jobs):
        service.add_job(func, seconds=3600, name=f"job{i}", on_changes=on_changes)

    async def main() -> None:
        running = asyncio.create_task(service.run())
        await until(lambda: (store.service_info() or {}).get("pid") == os.getpid(),
                    "the service to start")
        try:
            await scenario(service, clock)
        finally:
            service.request_stop()
            await asyncio.wait_for(running, 10)

    asyncio.run(main())
    return service


def test_heartbeat_baseline_folders_and_summary_jobs_run(tmp_path, caplog):
    async def scenario(service: Service, clock: Clock) -> None:
        store = service.store
        clock.now += timedelta(minutes=5)
        await until(lambda: parse_time(store.service_info()["heartbeat_at"]) == clock.now,
                    "a heartbeat")
        assert service.checker is not None and len(service.checker.baseline) == 0
        (tmp_path / "base" / "known.txt").write_text(
            "Known\n\nRebels captured the airport of Aleppo on Friday.\n")
        await until(lambda: len(service.checker.baseline) == 1, "the baseline refresh")
        other = tmp_path / "other"
        other.mkdir()
        store.add_source(Source("other", str(other), kind="dir"), now=clock.now)
        await asyncio.sleep(3 * FAST.folders)  # the folder list is re-read
        (other / "story.txt").write_text("Story\n\nThe army withdrew from Hama.\n")
        await until(lambda: store.changes(sources=["other"]), "the new folder's file")
        await until(lambda: any("checked 1 source(s): 1 changed" in r.getMessage()
                                for r in caplog.records), "the summary line")

    with caplog.at_level(logging.INFO, logger="monitor"):
        service = serve_in_process(tmp_path, scenario)
    assert service.store.service_info()["stopped_at"] is not None


def test_an_added_job_runs_right_after_a_check_stored_changes(tmp_path, caplog):
    runs: list[str] = []

    async def deliver() -> None:  # the shape of the alert delivery worker's run_once
        runs.append("deliver")

    async def broken() -> None:
        runs.append("broken")
        raise RuntimeError("receiver exploded")

    async def scenario(service: Service, clock: Clock) -> None:
        # Once at start (alerts left pending by a crash go out at once) ...
        await until(lambda: sorted(runs) == ["broken", "deliver"], "the jobs' first run")
        await asyncio.sleep(0.2)
        assert len(runs) == 2  # an hourly period: only a stored change wakes them again
        story = tmp_path / "inbox" / "a.txt"
        story.write_text("A\n\nAt least 300 prisoners were freed, monitors said.\n")
        await until(lambda: sorted(runs) == ["broken"] * 2 + ["deliver"] * 2, "the jobs to run")
        await asyncio.sleep(0.2)
        assert len(runs) == 4  # once per change, not in a loop
        story.write_text("A\n\nAt least 3,000 prisoners were freed, monitors said.\n")
        await until(lambda: sorted(runs) == ["broken"] * 3 + ["deliver"] * 3,
                    "the jobs to run again")

    with caplog.at_level(logging.ERROR, logger="monitor.service"):
        serve_in_process(tmp_path, scenario, jobs=((deliver, True), (broken, True)))
    assert any("job1 failed" in r.getMessage() and r.exc_info for r in caplog.records)


class Fractions:
    """A stand-in for random.Random whose `uniform` walks through 5%, 15%, ... 95% of the
    range: spread like random draws, but never in the first second of a minute (a due
    time that rounds to `now` is rightly checked at once, and would make this test flaky)."""

    def __init__(self) -> None:
        self.calls = 0

    def uniform(self, low: float, high: float) -> float:
        self.calls += 1
        return low + (high - low) * (0.05 + 0.1 * (self.calls % 10))


def test_a_start_after_a_long_stop_spreads_the_overdue_sources(tmp_path, http_server):
    http_server.route("/p", headers=HTML, body=STORY)
    names = [f"p{i}" for i in range(12)]

    def prepare(store: Store, clock: Clock) -> None:
        for name in names:  # hourly pages, last due 3 hours ago: the service was down
            store.add_source(Source(name, http_server.url(f"/p?{name}"), interval=3600),
                             now=clock.now - timedelta(days=1))
            store.set_next_due(name, clock.now - timedelta(hours=3))

    async def scenario(service: Service, clock: Clock) -> None:
        await asyncio.sleep(10 * FAST.dispatch)  # several dispatches at the same moment
        assert http_server.requests_for("/p") == []  # no burst
        due = [parse_time(service.store.state(n).next_due) for n in names]
        assert all(clock.now <= d <= clock.now + timedelta(seconds=60) for d in due), due
        assert len(set(due)) >= 10  # spread, not moved together
        clock.now += timedelta(seconds=61)  # a minute later every one of them has run
        await until(lambda: len(http_server.requests_for("/p")) == len(names),
                    "the spread checks")

    serve_in_process(tmp_path, scenario, prepare=prepare, rng=Fractions())


def _floods(paragraphs: int) -> bytes:
    return article_page("Floods", [
        f"Officials in district {i} said on Tuesday that {i * 7} residents had moved to "
        f"shelters after the river burst its banks." for i in range(paragraphs)])


def test_sigterm_during_a_heavy_page_stops_quickly_and_files_are_not_held_up(env, http_server):
    # A 4.6 MB archive page: seconds of parsing, and 30,000 sentences (over the limit).
    http_server.route("/archive", headers=HTML, body=_floods(30_000))
    env.sources = (f'[[sources]]\nname = "archive"\nurl = "{http_server.url("archive")}"\n'
                   f'interval = "2s"\n')
    proc = env.start()
    wait_for(lambda: http_server.requests_for("/archive"), 10, "the archive to be fetched")
    (env.inbox / "sednaya.txt").write_text(
        "Flight data\n\nAt least 300 prisoners were freed from Sednaya prison, "
        "monitors said.\n")
    wait_for(lambda: query(env.db, "SELECT 1 FROM changes WHERE source = 'inbox/sednaya.txt'"),
             10, "the dropped file's change")
    # The file went through while the archive was still being parsed.
    assert query(env.db, "SELECT 1 FROM fetch_log WHERE source = 'archive'") == []
    elapsed = env.stop(proc)
    assert elapsed < 10
    assert database_is_consistent(env.db)
    assert query(env.db, "SELECT count(*) FROM versions WHERE source = 'archive'") == [(0,)]
    log = env.log(proc)
    assert "monitor stopped" in log and "Traceback" not in log
    print(f"SIGTERM during the parse -> exit: {elapsed:.2f}s")
