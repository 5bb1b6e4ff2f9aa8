"""Due times, retirement, the scheduling policy's inputs, the heartbeat and status rows."""

from __future__ import annotations

import pytest

from monitor.clock import utc_iso
from monitor.errors import UsageError
from monitor.models import Document
from monitor.store import SourceState, Store
from tests.test_store import NOW, add, at, names


def test_due_is_ordered_by_due_time_and_honours_limit_exclude_and_retirement(store):
    for name, minutes in [("c", 3), ("a", 1), ("b", 2), ("late", 30), ("old", -5)]:
        add(store, name)
        store.set_next_due(name, at(minutes))
    add(store, "new")  # never scheduled: not due, it is unscheduled
    store.retire("old", NOW)
    assert names(store.due(at(10))) == ["a", "b", "c"]
    assert names(store.due(at(2))) == ["a", "b"]  # due at exactly `now` counts
    assert names(store.due(at(10), limit=2)) == ["a", "b"]
    assert names(store.due(at(10), exclude=["b"])) == ["a", "c"]
    assert names(store.due(at(10), exclude={f"x{i}" for i in range(5000)} | {"a"})) == ["b", "c"]
    assert names(store.due(at(60))) == ["a", "b", "c", "late"]
    for kwargs in ({}, {"limit": 2}, {"exclude": ["b"]}):  # due_refs: the same, lighter
        assert store.due_refs(at(60), **kwargs) == [
            (s.name, s.kind, s.url) for s in store.due(at(60), **kwargs)]


def test_unscheduled_holds_new_sources_and_articles_but_not_retired_ones(store):
    add(store, "feed", kind="feed")
    add(store, "feed/one", parent="feed", origin="feed")
    add(store, "feed/two", parent="feed", origin="feed")
    add(store, "scheduled")
    store.set_next_due("scheduled", at(5))
    store.retire("feed/two", NOW)
    # A source that has state (a check ran) but no due time yet is unscheduled too.
    store.record_check(store.get_source("feed"), url="u", now=NOW, duration_ms=1, outcome="ok")
    assert names(store.unscheduled()) == ["feed", "feed/one"]
    assert len(store.unscheduled(limit=1)) == 1
    store.set_next_due("feed", at(1))
    assert names(store.unscheduled()) == ["feed/one"]


def test_retire_and_next_due_keep_the_rest_of_the_state(store):
    source = add(store, "a")
    store.record_check(source, url=source.url, now=NOW, duration_ms=1, outcome="unchanged",
                       etag='"v1"')
    store.set_next_due("a", at(15))
    state = store.state("a")
    assert state.next_due == "2024-12-09T12:15:00Z" and state.etag == '"v1"'
    store.record_check(source, url=source.url, now=at(1), duration_ms=1, outcome="unchanged")
    assert store.state("a").next_due == "2024-12-09T12:15:00Z"  # a check keeps the due time
    store.retire("a", at(2))
    state = store.state("a")
    assert state.retired_at == "2024-12-09T12:02:00Z" and state.next_due is None
    assert state.etag == '"v1"' and state.last_outcome == "unchanged"
    assert store.next_wakeup() is None


def test_next_due_of_a_removed_source_leaves_no_state_behind(store):
    add(store, "a")
    store.remove_source("a")
    store.set_next_due("a", at(5))
    store.retire("a", NOW)
    assert store.db["source_state"].count == 0
    add(store, "a")
    assert store.state("a") == SourceState()


def test_next_wakeup_is_the_earliest_live_due_time(store):
    assert store.next_wakeup() is None
    for name, minutes in [("a", 9), ("b", 4), ("gone", 1)]:
        add(store, name)
        store.set_next_due(name, at(minutes))
    store.remove_source("gone")
    assert store.next_wakeup() == at(4)


def test_timing_reads_definition_and_state(store):
    add(store, "feed", kind="feed", interval=600.0)
    child = add(store, "feed/x", parent="feed", origin="feed", interval=600.0)
    t = store.timing("feed/x")
    assert (t.interval, t.kind, t.origin, t.added_at) == (600.0, "page", "feed", NOW)
    assert t.last_change is None and t.failures == 0 and t.first_seen is None
    store.save_version(child, Document(child.url, "One."), text_hash="h1", claims=[],
                       changes=[], now=at(2))
    store.record_check(child, url=child.url, now=at(2), duration_ms=1, outcome="first_seen")
    store.record_check(child, url=child.url, now=at(30), duration_ms=1, outcome="changed",
                       changes=2)
    for minute in (40, 50):
        store.record_check(child, url=child.url, now=at(minute), duration_ms=1,
                           outcome="error", error="HTTP 500")
    t = store.timing("feed/x")
    assert t.first_seen == at(2) and t.last_change == at(30) and t.failures == 2
    with pytest.raises(UsageError, match="unknown source"):
        store.timing("nope")


# -- heartbeat and status -------------------------------------------------------------------


def test_service_heartbeat_round_trip(tmp_path):
    store = Store(tmp_path / "m.db")
    assert store.service_info() is None
    store.service_started(4242, "host-a", "0.1.0", NOW)
    store.heartbeat(at(1))
    store.close()
    other = Store(tmp_path / "m.db")  # another process sees it
    assert other.service_info() == {
        "pid": 4242, "hostname": "host-a", "version": "0.1.0",
        "started_at": "2024-12-09T12:00:00Z", "heartbeat_at": "2024-12-09T12:01:00Z",
        "stopped_at": None}
    other.service_stopped(at(2))
    info = other.service_info()
    assert info["stopped_at"] == info["heartbeat_at"] == "2024-12-09T12:02:00Z"
    other.service_started(99, "host-b", "0.2.0", at(3))  # a new run replaces the record
    info = other.service_info()
    assert (info["pid"], info["stopped_at"]) == (99, None)
    assert other.db["service"].count == 1
    other.close()


def test_status_rows_and_failing(store):
    add(store, "feed", kind="feed")
    add(store, "feed-b")  # sorts between "feed" and "feed/..." by name
    for i, name in enumerate(["feed/x", "feed/y", "feed/z"]):
        add(store, name, parent="feed", origin="feed")
        store.set_next_due(name, at(i))
    store.retire("feed/z", NOW)
    page = store.get_source("feed-b")
    for _ in range(5):
        store.record_check(page, url=page.url, now=NOW, duration_ms=1, outcome="error",
                           error="HTTP 503")
    top = store.status_rows(include_articles=False)
    assert [r["name"] for r in top] == ["feed", "feed-b"]
    assert (top[0]["articles"], top[0]["retired_articles"]) == (2, 1)
    assert top[0]["last_change"] is None  # no article of the feed changed yet
    assert top[1]["failures"] == 5 and top[1]["last_error"] == "HTTP 503"
    assert top[1]["last_outcome"] == "error" and top[1]["last_checked"] == "2024-12-09T12:00:00Z"
    every = store.status_rows(include_articles=True)
    assert [r["name"] for r in every] == ["feed", "feed/x", "feed/y", "feed/z", "feed-b"]
    assert every[3]["retired_at"] == "2024-12-09T12:00:00Z" and every[3]["next_due"] is None
    assert every[1]["next_due"] == "2024-12-09T12:00:00Z" and every[1]["parent"] == "feed"
    assert store.failing(5) == ["feed-b"]
    assert store.failing(6) == []


def test_a_feed_s_last_change_is_its_articles_newest(store):
    add(store, "feed", kind="feed")
    for i, name in enumerate(["feed/x", "feed/y"]):
        child = add(store, name, parent="feed", origin="feed")
        store.record_check(child, url=child.url, now=at(10 * (i + 1)), duration_ms=1,
                           outcome="changed", changes=1)
    feed = store.get_source("feed")
    store.record_check(feed, url=feed.url, now=at(40), duration_ms=1, outcome="ok")
    rows = {r["name"]: r for r in store.status_rows(include_articles=True)}
    assert rows["feed"]["last_change"] == rows["feed/y"]["last_change"] == utc_iso(at(20))
    assert rows["feed/x"]["last_change"] == utc_iso(at(10))


def test_respread_overdue_spreads_long_overdue_sources_over_the_next_minute(store):
    import random

    # name -> (interval, due in minutes from NOW)
    plan = {f"late{i}": (900.0, -60 - i) for i in range(40)}
    plan |= {"short": (20.0, -600), "just": (900.0, -0.05), "soon": (900.0, 5)}
    for name, (interval, minutes) in plan.items():
        add(store, name, interval=interval)
        store.set_next_due(name, at(minutes))
    add(store, "retired")
    store.set_next_due("retired", at(-600))
    store.retire("retired", at(-500))
    add(store, "unscheduled")
    moved = store.respread_overdue(NOW, random.Random(7))
    assert moved == 41  # the 40 late ones and "short"; "just" is 3 s late: due as it is
    due = {name: store.state(name).next_due for name in plan}
    spread = sorted(due[f"late{i}"] for i in range(40))
    assert spread[0] >= "2024-12-09T12:00:00Z" and spread[-1] <= "2024-12-09T12:01:00Z"
    assert len(set(spread)) > 20  # spread out, not moved together
    assert "2024-12-09T12:00:00Z" <= due["short"] <= "2024-12-09T12:00:20Z"  # its interval
    assert (due["just"], due["soon"]) == ("2024-12-09T11:59:57Z", "2024-12-09T12:05:00Z")
    assert store.state("retired").next_due is None
    assert store.state("unscheduled").next_due is None
    assert store.respread_overdue(NOW, random.Random(7)) == 0  # nothing is overdue now


def test_status_rows_say_why_a_source_was_deferred(store):
    page = add(store, "busy")
    store.record_check(page, url=page.url, now=NOW, duration_ms=1, outcome="error",
                       error="HTTP 500")
    reason = "HTTP 429 Too Many Requests; example.com asks to wait until 2024-12-09T13:00:00"
    store.record_check(page, url=page.url, now=at(1), duration_ms=1, outcome="deferred",
                       error=reason)
    (row,) = store.status_rows(include_articles=False)
    assert (row["last_outcome"], row["deferred_reason"], row["failures"]) == (
        "deferred", reason, 1)
    assert row["last_error"] == "HTTP 500"  # the failure's error stays the last error
    store.record_check(page, url=page.url, now=at(2), duration_ms=1, outcome="unchanged")
    (row,) = store.status_rows(include_articles=False)
    assert row["deferred_reason"] is None and row["failures"] == 0
