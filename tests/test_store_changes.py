"""Versions, claims and changes written together; the change log's filters; the baseline."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

import pytest

from monitor.models import Change, ChangeType, Document, Source, Webhook
from tests.test_store import NOW, claim


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
    assert (latest.engine, latest.claims_z) == (None, None)  # none given: none kept


def test_a_version_keeps_its_encoded_claims_and_their_engine(store):
    source = Source("a", "https://example.com/a")
    store.save_version(source, Document(source.url, "One. Two."), text_hash="h1", claims=[],
                       changes=[], now=NOW, engine="e1", claims_z=b"blob-1")
    store.save_version(source, Document(source.url, "One. Three."), text_hash="h2",
                       claims=[], changes=[], now=NOW, engine="e2", claims_z=b"blob-2")
    latest = store.latest_version("a")
    assert latest is not None
    assert (latest.text_hash, latest.engine, latest.claims_z) == ("h2", "e2", b"blob-2")


def test_a_failure_mid_transaction_leaves_nothing_half_written(store):
    source = Source("a", "https://example.com/a")
    doc = Document(url=source.url, text="One.")
    bad = Change(ChangeType.NEW, None, detected_at=NOW)  # type: ignore[arg-type]
    with pytest.raises(sqlite3.IntegrityError):
        store.save_version(source, doc, text_hash="h", claims=[claim("One.")], changes=[bad],
                           now=NOW)
    assert store.latest_version("a") is None
    assert store.db["claims"].count == 0


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


def test_baseline_documents_and_claims(store):
    assert (store.baseline_revision(), store.baseline_documents()) == (0, [])
    doc = Document(url="seeds/a.txt", text="One. Two.", title="A")
    store.add_baseline_document(name="a.txt", path="seeds/a.txt", text_hash="ha", document=doc,
                                claims=[claim("One."), claim("Two.", 1)], now=NOW)
    first = store.baseline_revision()
    store.add_baseline_document(name="b.txt", path="seeds/b.txt", text_hash="hb",
                                document=Document(url="seeds/b.txt", text="Three."),
                                claims=[claim("Three.")], now=NOW)
    assert store.has_baseline_text("ha") and not store.has_baseline_text("hc")
    assert [(d["name"], d["claims"], d["title"]) for d in store.baseline_documents()] == [
        ("a.txt", 2, "A"), ("b.txt", 1, None)]
    assert list(store.baseline_claims()) == [("One.", "a.txt"), ("Two.", "a.txt"),
                                             ("Three.", "b.txt")]
    assert store.baseline_revision() > first > 0
    with pytest.raises(sqlite3.IntegrityError):  # the same text twice
        store.add_baseline_document(name="c.txt", path="c.txt", text_hash="ha", document=doc,
                                    claims=[], now=NOW)
    assert store.db["baseline_claims"].count == 3


def _seen_by_another_connection(
    store, tables: tuple[str, ...] = ("versions", "changes", "deliveries")
) -> tuple[int, ...]:
    """Rows committed in each table, as another process sees them."""
    other = sqlite3.connect(store.path)
    try:
        return tuple(other.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                     for table in tables)
    finally:
        other.close()


def _with_webhook(store) -> Source:
    from monitor.outbox import Outbox

    Outbox(store).add_webhook(Webhook(name="desk", kind="json", url="https://hooks.example/x",
                                      secret="whsec_" + "A" * 32), now=NOW)
    source = Source("a", "https://example.com/a")
    store.add_source(source, now=NOW)
    return source


def test_in_a_batch_a_version_its_changes_and_their_deliveries_commit_together(store):
    source = _with_webhook(store)
    change = Change(ChangeType.NEW, "Two.", detected_at=NOW)
    with store.batching(max_items=100, max_seconds=60):
        store.save_version(source, Document(source.url, "One. Two."), text_hash="h1",
                           claims=[claim("One.")], changes=[change], now=NOW)
        assert _seen_by_another_connection(store) == (0, 0, 0)  # pending: none of it yet
    assert _seen_by_another_connection(store) == (1, 1, 1)


def test_a_failing_outbox_leaves_no_version_or_change_and_keeps_the_batch(store, monkeypatch):
    from monitor.outbox import Outbox

    source = _with_webhook(store)
    change = Change(ChangeType.NEW, "Two.", detected_at=NOW)

    def broken(*args, **kwargs):
        raise sqlite3.OperationalError("disk I/O error")

    with store.batching(max_items=100, max_seconds=60):
        store.record_check(source, url=source.url, now=NOW, duration_ms=1, outcome="unchanged")
        monkeypatch.setattr(Outbox, "enqueue", broken)
        with pytest.raises(sqlite3.OperationalError):
            store.save_version(source, Document(source.url, "One. Two."), text_hash="h1",
                               claims=[claim("One.")], changes=[change], now=NOW)
    assert _seen_by_another_connection(store) == (0, 0, 0)
    assert _seen_by_another_connection(store, ("fetch_log", "claims")) == (1, 0)
