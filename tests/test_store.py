"""The SQLite store: migrations, atomic versions, source state and the change log query."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from monitor.errors import StorageError, UsageError
from monitor.models import Change, ChangeType, Claim, Document, Source
from monitor.store import MIGRATIONS, SourceState, Store

NOW = datetime(2024, 12, 9, 12, 0, tzinfo=UTC)


def claim(text: str, position: int = 0) -> Claim:
    return Claim(text=text, norm=text.lower(), key=text.lower(), position=position)


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "m.db")
    yield s
    s.close()


def test_new_database_is_migrated_and_in_wal_mode(store):
    assert store.schema_version == len(MIGRATIONS)
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert {"sources", "source_state", "fetch_log", "versions", "claims",
            "baseline_documents", "baseline_claims", "changes"} <= set(store.db.table_names())


def test_reopening_does_not_migrate_again(tmp_path):
    Store(tmp_path / "m.db").close()
    again = Store(tmp_path / "m.db")
    assert again.schema_version == len(MIGRATIONS)


def test_newer_schema_is_refused(tmp_path):
    conn = sqlite3.connect(tmp_path / "m.db")
    conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    conn.close()
    with pytest.raises(StorageError, match="newer than this monitor"):
        Store(tmp_path / "m.db")


def test_unusable_database_is_a_storage_error(tmp_path):
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StorageError, match="cannot open database"):
        Store(junk)


def test_source_add_get_remove(store):
    source = Source("a", "https://example.com/a", tags=("x", "y"))
    store.add_source(source, now=NOW)
    assert store.get_source("a") == source
    with pytest.raises(UsageError, match="already exists"):
        store.add_source(source, now=NOW)
    store.remove_source("a")
    assert store.get_source("a") is None
    with pytest.raises(UsageError, match="unknown source"):
        store.remove_source("a")


def test_version_claims_and_changes_are_written_together(store):
    source = Source("a", "https://example.com/a")
    doc = Document(url=source.url, text="One. Two.", title="T")
    change = Change(ChangeType.NEW, "Two.", details={"k": 1}, detected_at=NOW)
    store.save_version(source, doc, text_hash="h1", claims=[claim("One."), claim("Two.", 1)],
                       changes=[change], now=NOW)
    latest = store.latest_version("a")
    assert latest is not None and latest.text == "One. Two." and latest.text_hash == "h1"
    rows = store.changes()
    assert rows[0]["type"] == "new_claim" and rows[0]["details"] == {"k": 1}
    assert rows[0]["detected_at"] == "2024-12-09T12:00:00Z"


def test_a_failure_mid_transaction_leaves_nothing_half_written(store):
    source = Source("a", "https://example.com/a")
    doc = Document(url=source.url, text="One.")
    bad = Change(ChangeType.NEW, None, detected_at=NOW)  # type: ignore[arg-type]
    with pytest.raises(sqlite3.IntegrityError):
        store.save_version(source, doc, text_hash="h", claims=[claim("One.")], changes=[bad],
                           now=NOW)
    assert store.latest_version("a") is None
    assert store.db["claims"].count == 0


def test_record_check_counts_failures_and_resets(store):
    source = Source("a", "https://example.com/a")
    store.add_source(source, now=NOW)
    for _ in range(3):
        store.record_check(source, url=source.url, now=NOW, duration_ms=1, outcome="error",
                           error="HTTP 500")
    assert store.state("a").failures == 3 and store.state("a").last_error == "HTTP 500"
    store.record_check(source, url=source.url, now=NOW, duration_ms=1, outcome="unchanged",
                       etag='"v1"')
    state = store.state("a")
    assert state.failures == 0 and state.etag == '"v1"' and state.last_outcome == "unchanged"
    assert len(store.fetch_log("a")) == 4


def test_a_check_finishing_after_removal_leaves_only_its_log_line(store):
    source = Source("a", "https://example.com/a")
    store.add_source(source, now=NOW)
    store.remove_source("a")
    store.record_check(source, url=source.url, now=NOW, duration_ms=1, outcome="unchanged")
    assert store.state("a").last_checked is None
    assert len(store.fetch_log("a")) == 1


def test_changes_filters(store):
    source = Source("feed", "https://example.com/rss", kind="feed")
    store.add_source(source, now=NOW)
    child = Source("feed/x", "https://example.com/x", parent="feed")
    store.add_child(child, now=NOW)
    for i, (kind, when) in enumerate([(ChangeType.NEW, NOW - timedelta(days=2)),
                                      (ChangeType.UPDATED, NOW),
                                      (ChangeType.RETRACTED, NOW)]):
        store.save_version(child, Document(child.url, f"v{i}"), text_hash=f"h{i}", claims=[],
                           changes=[Change(kind, f"claim {i}", detected_at=when)], now=when)
    assert [r["claim"] for r in store.changes()] == ["claim 2", "claim 1", "claim 0"]
    assert len(store.changes(since=NOW - timedelta(days=1))) == 2
    assert [r["type"] for r in store.changes(types=["new_claim"])] == ["new_claim"]
    assert len(store.changes(sources=["feed"])) == 3  # a feed selects its articles
    assert len(store.changes(limit=1)) == 1


def test_sync_config_sources_adds_updates_and_removes(store):
    store.add_source(Source("mine", "https://example.com/m"), now=NOW)
    store.sync_config_sources([Source("c", "https://example.com/c", origin="config")], now=NOW)
    assert store.get_source("c").origin == "config"
    store.sync_config_sources([Source("c", "https://example.com/c2", origin="config")], now=NOW)
    assert store.get_source("c").url == "https://example.com/c2"
    store.sync_config_sources([], now=NOW)
    assert store.get_source("c") is None and store.get_source("mine") is not None


# -- scheduling ---------------------------------------------------------------------------


def at(minutes: float) -> datetime:
    return NOW + timedelta(minutes=minutes)


def add(store: Store, name: str, **fields) -> Source:
    source = Source(name, f"https://example.com/{name}", **fields)
    if source.parent is None:
        store.add_source(source, now=NOW)
    else:
        store.add_child(source, now=NOW)
    return source


def names(sources) -> list[str]:
    return [s.name for s in sources]


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


# -- editing ------------------------------------------------------------------------------


def test_shorter_interval_pulls_the_next_check_in(store):
    add(store, "a", interval=3600.0)
    store.set_next_due("a", at(50))
    edited = store.update_source("a", now=NOW, interval=300.0)
    assert edited.interval == 300.0 and store.get_source("a") == edited
    assert store.state("a").next_due == "2024-12-09T12:05:00Z"
    store.update_source("a", now=NOW, interval=7200.0)  # longer: the due time stays
    assert store.state("a").next_due == "2024-12-09T12:05:00Z"
    store.set_next_due("a", at(2))
    store.update_source("a", now=NOW, interval=240.0)  # already sooner: stays
    assert store.state("a").next_due == "2024-12-09T12:02:00Z"


@pytest.mark.parametrize(
    ("fields", "forgets_validators"),
    [({"url": "https://example.com/moved"}, True), ({"selector": "article"}, True),
     ({"robots": False}, False)],
    ids=["url", "selector", "robots"],
)
def test_new_url_selector_or_robots_is_checked_now(store, fields, forgets_validators):
    source = add(store, "a")
    store.record_check(source, url=source.url, now=NOW, duration_ms=1, outcome="unchanged",
                       etag='"v1"', last_modified="Mon, 09 Dec 2024 10:00:00 GMT",
                       body_hash="abc")
    store.set_next_due("a", at(14))
    store.update_source("a", now=at(1), **fields)
    state = store.state("a")
    assert state.next_due == "2024-12-09T12:01:00Z"
    kept = (state.etag, state.last_modified, state.body_hash)
    assert (kept == (None, None, None)) is forgets_validators
    assert state.last_outcome == "unchanged"  # the history stays


def test_a_feed_passes_its_settings_to_its_articles(store):
    add(store, "feed", kind="feed", tags=("a",))
    child = add(store, "feed/x", parent="feed", origin="feed", tags=("a",))
    store.record_check(child, url=child.url, now=NOW, duration_ms=1, outcome="unchanged",
                       etag='"v"', body_hash="abc")
    store.set_next_due("feed/x", at(600))
    store.update_source("feed", now=NOW, interval=60.0, selector="main", tags=["b"],
                        robots=False)
    got = store.get_source("feed/x")
    assert (got.interval, got.selector, got.tags, got.robots, got.url) == (
        60.0, "main", ("b",), False, child.url)
    assert store.state("feed/x").body_hash is None  # re-extracted with the new selector
    assert store.state("feed/x").next_due == "2024-12-09T22:00:00Z"  # no burst of checks


def test_update_source_refuses_unknown_sources_and_fields(store):
    with pytest.raises(UsageError, match="unknown source 'nope'"):
        store.update_source("nope", now=NOW, interval=60.0)
    add(store, "a")
    with pytest.raises(TypeError, match="name"):
        store.update_source("a", now=NOW, name="b")


def test_config_edit_takes_effect_like_a_cli_edit(store):
    config = Source("c", "https://example.com/c", origin="config")
    store.sync_config_sources([config], now=NOW)
    store.record_check(config, url=config.url, now=NOW, duration_ms=1, outcome="unchanged",
                       etag='"v1"', body_hash="abc")
    store.set_next_due("c", at(14))
    store.sync_config_sources([config], now=at(1))  # unchanged: nothing moves
    assert store.state("c").next_due == "2024-12-09T12:14:00Z"
    moved = Source("c", "https://example.com/c2", origin="config")
    store.sync_config_sources([moved], now=at(1))
    state = store.state("c")
    assert state.etag is None and state.body_hash is None
    assert state.next_due == "2024-12-09T12:01:00Z"


def test_a_check_that_ran_during_an_edit_does_not_restore_old_validators(store):
    old = add(store, "a")
    store.update_source("a", now=NOW, url="https://example.com/new")
    # The check of the old URL finishes after the edit.
    store.record_check(old, url=old.url, now=at(1), duration_ms=1, outcome="unchanged",
                       etag='"old"', body_hash="old")
    state = store.state("a")
    assert state.etag is None and state.body_hash is None and state.last_checked is not None


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
    assert top[1]["failures"] == 5 and top[1]["last_error"] == "HTTP 503"
    assert top[1]["last_outcome"] == "error" and top[1]["last_checked"] == "2024-12-09T12:00:00Z"
    every = store.status_rows(include_articles=True)
    assert [r["name"] for r in every] == ["feed", "feed/x", "feed/y", "feed/z", "feed-b"]
    assert every[3]["retired_at"] == "2024-12-09T12:00:00Z" and every[3]["next_due"] is None
    assert every[1]["next_due"] == "2024-12-09T12:00:00Z" and every[1]["parent"] == "feed"
    assert store.failing(5) == ["feed-b"]
    assert store.failing(6) == []


def test_a_deferral_neither_counts_nor_clears_failures(store):
    source = add(store, "a")
    for outcome, expected in [("error", 1), ("error", 2), ("deferred", 2), ("unchanged", 0)]:
        store.record_check(source, url=source.url, now=NOW, duration_ms=1, outcome=outcome,
                           error="HTTP 503" if outcome != "unchanged" else None)
        assert store.state("a").failures == expected, outcome
