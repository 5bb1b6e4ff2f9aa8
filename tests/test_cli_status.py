"""`monitor status` against a populated database: the service line, the table, JSON."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from monitor.models import Source
from monitor.store import Store
from tests.helpers import run_cli, write_config


@pytest.fixture
def cfg(tmp_path: Path) -> str:
    return str(write_config(tmp_path / "monitor.toml", tmp_path / "monitor.db"))


def _store(tmp_path: Path) -> Store:
    return Store(tmp_path / "monitor.db")


def _populate(tmp_path: Path, *, heartbeat_age: float = 4.0) -> None:
    """A wire page failing 5 times, a feed with two live articles and a retired one, a
    healthy page that changed 12 minutes ago, and a service that started 2h13m ago."""
    now = datetime.now(UTC)
    ago = lambda **kw: now - timedelta(**kw)  # noqa: E731
    store = _store(tmp_path)
    wire = Source("wire", "https://example.com/wire")
    story = Source("story", "https://example.com/story")
    feed = Source("world", "https://example.com/rss", kind="feed")
    for source in (wire, story, feed):
        store.add_source(source, now=ago(days=1))
    for i in range(5):
        store.record_check(wire, url=wire.url, now=ago(minutes=50 - i), duration_ms=3,
                           outcome="error", error="HTTP 503 Service Unavailable")
    store.record_check(story, url=story.url, now=ago(minutes=12), duration_ms=3,
                       outcome="changed", changes=2)
    store.record_check(feed, url=feed.url, now=ago(minutes=1), duration_ms=3, outcome="ok")
    for slug in ("a", "b", "old"):
        store.add_child(Source(f"world/{slug}", f"https://example.com/{slug}", parent="world",
                               origin="feed"), now=ago(days=1))
    broken = store.get_source("world/b")
    for _ in range(6):
        store.record_check(broken, url=broken.url, now=ago(minutes=3), duration_ms=3,
                           outcome="error", error="HTTP 404")
    store.retire("world/old", ago(hours=1))
    store.set_next_due("wire", now + timedelta(hours=4, minutes=30, seconds=30))
    store.set_next_due("story", now + timedelta(minutes=3, seconds=30))
    store.set_next_due("world", now - timedelta(minutes=2, seconds=30))
    store.service_started(4242, "somewhere-else", "0.1.0", ago(hours=2, minutes=13, seconds=20))
    store.heartbeat(ago(seconds=heartbeat_age))
    store.close()


def test_status_shows_the_service_and_each_source(tmp_path, cfg, capsys):
    _populate(tmp_path)
    result = run_cli(capsys, "--config", cfg, "status")
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0].startswith("service: running, pid 4242 on somewhere-else, heartbeat ")
    assert lines[0].endswith(" ago, up 2h13m")
    assert lines[1].split() == ["NAME", "KIND", "ARTICLES", "LAST", "CHECK", "RESULT", "LAST",
                                "CHANGE", "FAILS", "NEXT", "DUE", "ERROR"]
    rows = {line.split()[0]: line for line in lines[2:5]}
    assert sorted(rows) == ["story", "wire", "world"]
    assert "12m ago" in rows["story"] and "changed" in rows["story"]
    assert "in 3m" in rows["story"]
    assert " !5 " in rows["wire"] and "in 4h30m" in rows["wire"]
    assert "HTTP 503 Service Unavailable" in rows["wire"]
    assert "2 (+1 retired)" in rows["world"] and "overdue 2m" in rows["world"]
    assert "world/a" not in result.out  # articles only with --all
    assert lines[5] == ("2 sources failing (5+ consecutive failures); "
                        "monitor status --failing lists them")

    every = run_cli(capsys, "--config", cfg, "status", "--all").out
    retired = next(line for line in every.splitlines() if line.startswith("world/old"))
    assert retired.split()[-1] == "retired"
    assert "ARTICLES" not in every
    assert every.splitlines()[-1] == "2 sources failing (5+ consecutive failures)"

    failing = run_cli(capsys, "--config", cfg, "status", "--failing").out.splitlines()
    assert [line.split()[0] for line in failing[2:]] == ["wire", "world/b"]


def test_status_json(tmp_path, cfg, capsys):
    _populate(tmp_path)
    result = run_cli(capsys, "--config", cfg, "status", "--json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert data["service"]["state"] == "running" and data["service"]["pid"] == 4242
    assert data["service"]["heartbeat_at"].endswith("Z")
    assert data["failing"] == 2
    by_name = {s["name"]: s for s in data["sources"]}
    assert sorted(by_name) == ["story", "wire", "world"]
    wire = by_name["wire"]
    assert wire["failing"] is True and wire["failures"] == 5
    assert wire["last_error"] == "HTTP 503 Service Unavailable"
    assert wire["next_due"].endswith("Z") and wire["last_checked"].endswith("Z")
    assert by_name["story"]["last_change"].endswith("Z") and not by_name["story"]["failing"]
    assert (by_name["world"]["articles"], by_name["world"]["retired_articles"]) == (2, 1)
    every = json.loads(run_cli(capsys, "--config", cfg, "status", "--json", "--all").out)
    old = next(s for s in every["sources"] if s["name"] == "world/old")
    assert old["retired_at"].endswith("Z") and old["parent"] == "world"


@pytest.mark.parametrize(
    ("heartbeat_age", "stopped", "expected"),
    [
        (None, False, "service: not running (never started on this database)"),
        (300.0, False, "service: stale (no heartbeat for 5m; pid 4242 on somewhere-else may "
                       "have crashed)"),
        (4.0, True, "service: not running (last heartbeat 20"),
    ],
    ids=["never", "stale", "stopped"],
)
def test_status_service_line(tmp_path, cfg, capsys, heartbeat_age, stopped, expected):
    if heartbeat_age is not None:
        _populate(tmp_path, heartbeat_age=heartbeat_age)
    if stopped:
        store = _store(tmp_path)
        store.service_stopped(datetime.now(UTC))
        store.close()
    result = run_cli(capsys, "--config", cfg, "status")
    assert result.code == 0, result.err
    assert result.out.splitlines()[0].startswith(expected)
    state = json.loads(run_cli(capsys, "--config", cfg, "status", "--json").out)["service"]
    assert state["state"] == ("never" if heartbeat_age is None else
                              "stopped" if stopped else "stale")


def test_status_of_an_empty_database(cfg, capsys):
    result = run_cli(capsys, "--config", cfg, "status")
    assert result.out.splitlines()[1:] == ["no sources (monitor sources add URL)"]
    failing = run_cli(capsys, "--config", cfg, "status", "--failing")
    assert failing.out.splitlines()[1:] == ["no failing sources"]


def _service_here(tmp_path: Path, *, heartbeat_age: float, stopped: bool = False) -> None:
    """A service record of this host and process, its last heartbeat `heartbeat_age` ago."""
    import os
    import socket

    now = datetime.now(UTC)
    store = _store(tmp_path)
    store.service_started(os.getpid(), socket.gethostname(), "0.1.0", now - timedelta(hours=1))
    store.heartbeat(now - timedelta(seconds=heartbeat_age))
    if stopped:
        store.service_stopped(now - timedelta(seconds=heartbeat_age))
    store.close()


@pytest.mark.parametrize(
    ("locked", "heartbeat_age", "state", "line"),
    [
        (False, 14.0, "crashed", "service: not running (crashed? last heartbeat 14s ago, pid "),
        (True, 4.0, "running", "service: running, pid "),
        (True, 300.0, "stale", "service: stale (pid "),
    ],
    ids=["killed-recently", "running", "running-but-silent"],
)
def test_status_tells_a_running_service_from_a_killed_one_by_its_lock(
        tmp_path, cfg, capsys, locked, heartbeat_age, state, line):
    import os

    from monitor.lock import InstanceLock

    _service_here(tmp_path, heartbeat_age=heartbeat_age)
    lock = InstanceLock(tmp_path / "monitor.db")
    if locked:
        lock.acquire()  # held by this process, as `monitor run` holds it
    try:
        result = run_cli(capsys, "--config", cfg, "status")
        data = json.loads(run_cli(capsys, "--config", cfg, "status", "--json").out)
    finally:
        lock.release()
    first = result.out.splitlines()[0]
    assert first.startswith(line) and str(os.getpid()) in first, first
    assert data["service"]["state"] == state


def test_status_shows_why_a_source_is_deferred_without_counting_a_failure(tmp_path, cfg, capsys):
    store = _store(tmp_path)
    busy = Source("busy", "https://busy.example/story")
    store.add_source(busy, now=datetime.now(UTC))
    reason = "HTTP 429 Too Many Requests; busy.example asks to wait until 2026-11-21T20:15:52+00:00"
    store.record_check(busy, url=busy.url, now=datetime.now(UTC), duration_ms=3,
                       outcome="deferred", error=reason)
    store.close()
    result = run_cli(capsys, "--config", cfg, "status")
    row = result.out.splitlines()[2]
    assert row.split()[:4] == ["busy", "page", "0s", "ago"]
    assert " deferred " in row and f"deferred: {reason}" in row
    assert " 0 " in row and "failing" not in result.out
    (source,) = json.loads(run_cli(capsys, "--config", cfg, "status", "--json").out)["sources"]
    assert (source["deferred_reason"], source["failures"]) == (reason, 0)
