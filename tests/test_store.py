"""The SQLite store: migrations, atomic versions, source state and the change log query."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from monitor.errors import StorageError, UsageError
from monitor.models import Change, ChangeType, Claim, Document, Source
from monitor.store import MIGRATIONS, Store

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
    for _ in range(3):
        store.record_check(source, url=source.url, now=NOW, duration_ms=1, outcome="error",
                           error="HTTP 500")
    assert store.state("a").failures == 3 and store.state("a").last_error == "HTTP 500"
    store.record_check(source, url=source.url, now=NOW, duration_ms=1, outcome="unchanged",
                       etag='"v1"')
    state = store.state("a")
    assert state.failures == 0 and state.etag == '"v1"' and state.last_outcome == "unchanged"
    assert len(store.fetch_log("a")) == 4


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
