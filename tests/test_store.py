"""The Store's sources: add, edit, remove, sync with the config; their state and fetch log.

The other parts of Store are tested in test_store_db.py, test_store_schedule.py and
test_store_changes.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from monitor.errors import UsageError
from monitor.models import Claim, Source
from monitor.store import SourceState, Store

NOW = datetime(2024, 12, 9, 12, 0, tzinfo=UTC)


def claim(text: str, position: int = 0) -> Claim:
    return Claim(text=text, norm=text.lower(), key=text.lower(), position=position)


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


def test_sync_config_sources_adds_updates_and_removes(store):
    store.add_source(Source("mine", "https://example.com/m"), now=NOW)
    store.sync_config_sources([Source("c", "https://example.com/c", origin="config")], now=NOW)
    assert store.get_source("c").origin == "config"
    store.sync_config_sources([Source("c", "https://example.com/c2", origin="config")], now=NOW)
    assert store.get_source("c").url == "https://example.com/c2"
    store.sync_config_sources([], now=NOW)
    assert store.get_source("c") is None and store.get_source("mine") is not None


# -- helpers (test_store_schedule.py uses them too) -----------------------------------------


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


def test_a_deferral_neither_counts_nor_clears_failures(store):
    source = add(store, "a")
    for outcome, expected in [("error", 1), ("error", 2), ("deferred", 2), ("unchanged", 0)]:
        store.record_check(source, url=source.url, now=NOW, duration_ms=1, outcome=outcome,
                           error="HTTP 503" if outcome != "unchanged" else None)
        assert store.state("a").failures == expected, outcome


def test_file_stamps_are_kept_by_a_failed_read_and_listed_per_folder(store):
    add(store, "inbox", kind="dir")
    a = add(store, "inbox/a.txt", parent="inbox", origin="dir")
    add(store, "inbox/b.txt", parent="inbox", origin="dir")
    for outcome, stamp, expected in [("changed", "1:10", "1:10"), ("error", "2:11", "1:10"),
                                     ("unchanged", "3:12", "3:12")]:
        store.record_check(a, url=a.url, now=NOW, duration_ms=1, outcome=outcome,
                           file_stamp=stamp)
        assert store.state("inbox/a.txt").file_stamp == expected, outcome
    assert store.file_stamps("inbox") == {"inbox/a.txt": "3:12", "inbox/b.txt": None}


def test_config_names_are_the_config_sources_and_webhooks(store):
    from monitor.endpoints import Endpoints
    from monitor.models import Webhook

    store.sync_config_sources([Source("c", "https://example.com/c", origin="config")], now=NOW)
    add(store, "mine")
    add(store, "c/child", parent="c", origin="feed")
    outbox = Endpoints(store)
    outbox.sync_config([Webhook("ops", "slack", url="https://h.example/x", origin="config")],
                       now=NOW)
    outbox.add_webhook(Webhook("own", "slack", url="https://h.example/y"), now=NOW)
    assert store.config_names() == ({"c"}, {"ops"})


def test_states_reads_many_sources_at_once_as_state_reads_one(store):
    a, b = add(store, "a"), add(store, "b")
    add(store, "never-checked")
    store.record_check(a, url=a.url, now=NOW, duration_ms=1, outcome="unchanged", etag='"1"')
    store.record_check(b, url=b.url, now=NOW, duration_ms=1, outcome="error", error="HTTP 500")
    names = ["a", "b", "never-checked", "unknown"]
    states = store.states(names)
    assert list(states) == names
    assert states == {name: store.state(name) for name in names}
    assert (states["a"].etag, states["b"].failures, states["unknown"]) == ('"1"', 1, SourceState())


def test_a_check_of_a_source_removed_meanwhile_is_logged_without_state(store):
    gone = add(store, "gone")
    store.remove_source("gone")
    store.record_check(gone, url=gone.url, now=NOW, duration_ms=1, outcome="unchanged",
                       etag='"1"')
    assert [r["outcome"] for r in store.fetch_log("gone")] == ["unchanged"]
    assert store.states(["gone"]) == {"gone": SourceState()}
