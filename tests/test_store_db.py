"""The database under every Store: WAL, migrations, refusing a newer schema, transactions."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
import zlib

import pytest

from monitor.errors import StorageError
from monitor.store import Store
from monitor.store_db import MIGRATIONS


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


def test_a_transaction_commits_together_or_not_at_all(store):
    def count() -> int:
        return store.db["service"].count

    with pytest.raises(sqlite3.IntegrityError), store.transaction():
        store.db.execute("INSERT INTO service (id, pid) VALUES (1, 10)")
        store.db.execute("INSERT INTO service (id, pid) VALUES (1, 11)")  # same primary key
    assert count() == 0
    with store.transaction():
        store.db.execute("INSERT INTO service (id, pid) VALUES (1, 10)")
        with pytest.raises(ZeroDivisionError), store.transaction():  # nested: a savepoint
            store.db.execute("UPDATE service SET pid = 20 WHERE id = 1")
            raise ZeroDivisionError
    assert [r["pid"] for r in store.db.query("SELECT pid FROM service")] == [10]
    assert not store.db.conn.in_transaction


def _database_at(path, schema: int) -> sqlite3.Connection:
    """A database file left by a monitor whose schema was version `schema`."""
    conn = sqlite3.connect(path)
    for version, script in enumerate(MIGRATIONS[:schema], 1):
        conn.executescript(script)
        conn.execute(f"PRAGMA user_version = {version}")
    return conn


def test_a_schema_2_database_migrates_keeping_its_rows(tmp_path):
    path = tmp_path / "m.db"
    conn = _database_at(path, 2)
    conn.execute("INSERT INTO sources (name, url, interval, added_at) "
                 "VALUES ('a', 'https://example.com/a', 900, '2024-12-09T12:00:00Z')")
    conn.execute("INSERT INTO source_state (name, etag, failures) VALUES ('a', '\"v1\"', 2)")
    conn.commit()
    conn.close()
    store = Store(path)
    assert store.schema_version == len(MIGRATIONS)
    state = store.state("a")
    assert (state.etag, state.failures, state.file_stamp) == ('"v1"', 2, None)
    assert store.get_meta("config_path") is None
    store.set_meta("config_path", "/srv/monitor.toml")
    store.set_meta("config_path", "/srv/other.toml")
    assert store.get_meta("config_path") == "/srv/other.toml"
    store.close()


# -- batched commits ----------------------------------------------------------------------


def _log(store: Store, name: str) -> None:
    """One batched write, as a check makes (a fetch-log line)."""
    with store.batched():
        store.conn.execute(
            "INSERT INTO fetch_log (source, url, checked_at, duration_ms, outcome) "
            "VALUES (?, 'u', '2024-12-09T12:00:00Z', 1, 'ok')", [name])


def _committed(store: Store) -> list[str]:
    """The fetch-log lines another connection sees (committed ones only)."""
    other = sqlite3.connect(store.path)
    try:
        return [r[0] for r in other.execute("SELECT source FROM fetch_log ORDER BY id")]
    finally:
        other.close()


def test_without_batching_a_batched_block_commits_at_once(store):
    _log(store, "a")
    assert _committed(store) == ["a"] and not store.conn.in_transaction


def test_batched_blocks_commit_every_max_items_and_when_batching_ends(store):
    with store.batching(max_items=3, max_seconds=60):
        for name in "abcd":
            _log(store, name)
        assert _committed(store) == ["a", "b", "c"]  # the fourth waits for the next commit
    assert _committed(store) == ["a", "b", "c", "d"] and not store.conn.in_transaction


def test_a_batch_commits_after_max_seconds_at_the_next_block(store):
    with store.batching(max_items=100, max_seconds=0.0):
        _log(store, "a")
        assert _committed(store) == ["a"]


def test_an_exception_leaving_batching_still_commits_what_was_written(store):
    with pytest.raises(RuntimeError), store.batching(max_items=100, max_seconds=60):
        _log(store, "a")
        _log(store, "b")
        raise RuntimeError("the pass broke off")
    assert _committed(store) == ["a", "b"]


def test_a_failed_block_rolls_back_alone_and_the_batch_keeps_the_others(store):
    with store.batching(max_items=100, max_seconds=60):
        _log(store, "a")
        with pytest.raises(ZeroDivisionError), store.batched():
            store.conn.execute(
                "INSERT INTO fetch_log (source, url, checked_at, duration_ms, outcome) "
                "VALUES ('bad', 'u', 'x', 1, 'ok')")
            raise ZeroDivisionError
        _log(store, "c")
    assert _committed(store) == ["a", "c"]


def test_any_other_write_commits_the_pending_batch_first(store):
    with store.batching(max_items=100, max_seconds=60):
        _log(store, "a")
        store.set_meta("k", "v")  # an unbatched write: committed when it returns...
        assert _committed(store) == ["a"]  # ...and so is the batch before it
        with store.transaction():  # a batched write inside a transaction is part of it
            _log(store, "b")
        assert _committed(store) == ["a", "b"]


def test_the_event_loop_commits_a_batch_when_its_pass_ends(store):
    async def main() -> tuple[list[str], list[str]]:
        with store.batching(max_items=100, max_seconds=60):
            _log(store, "a")
            _log(store, "b")  # finished in the same pass: one commit for both
            before = _committed(store)
            await asyncio.sleep(0)  # the loop's pass ends: committed, not held while waiting
            return before, _committed(store)

    assert asyncio.run(main()) == ([], ["a", "b"])


def test_a_busy_batching_loop_does_not_starve_another_writer(store):
    # Checks write and then wait on the network, over and over: the write lock must be free
    # while they wait, or another process's write (a CLI command) would time out.
    async def busy_checks(stop: threading.Event) -> None:
        async def check(k: int) -> None:
            while not stop.is_set():
                _log(store, f"check{k}")
                await asyncio.sleep(0.002)  # the network

        with store.batching(max_items=100, max_seconds=0.5):
            await asyncio.gather(*(check(k) for k in range(8)))

    stop = threading.Event()
    outcome: list[str] = []

    def other_writer() -> None:
        time.sleep(0.2)  # while the checks are running
        conn = sqlite3.connect(store.path, timeout=3.0)
        try:
            for _ in range(5):
                conn.execute("INSERT INTO meta (key, value) VALUES ('cli', 'x') "
                             "ON CONFLICT (key) DO UPDATE SET value = excluded.value")
                conn.commit()
            outcome.append("written")
        except sqlite3.OperationalError as exc:
            outcome.append(str(exc))
        finally:
            conn.close()
            stop.set()

    writer = threading.Thread(target=other_writer)
    writer.start()
    asyncio.run(busy_checks(stop))
    writer.join()
    assert outcome == ["written"]


def test_closing_the_store_commits_a_pending_batch(tmp_path):
    store = Store(tmp_path / "m.db")
    with store.batching(max_items=100, max_seconds=60):
        _log(store, "a")
        store.close()
    assert _committed(Store(tmp_path / "m.db")) == ["a"]


def test_a_schema_3_version_reads_without_stored_claims(tmp_path):
    path = tmp_path / "m.db"
    conn = _database_at(path, 3)
    conn.execute("INSERT INTO versions (source, url, fetched_at, text_hash, text_z) "
                 "VALUES ('a', 'https://example.com/a', '2024-12-09T12:00:00Z', 'h1', ?)",
                 [zlib.compress(b"One. Two.")])
    conn.commit()
    conn.close()
    store = Store(path)
    assert store.schema_version == 4 == len(MIGRATIONS)
    latest = store.latest_version("a")
    assert latest is not None
    assert (latest.text, latest.engine, latest.claims_z) == ("One. Two.", None, None)
    store.close()
