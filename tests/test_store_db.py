"""The database under every Store: WAL, migrations, refusing a newer schema, transactions."""

from __future__ import annotations

import sqlite3

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


def test_a_schema_2_database_migrates_to_3_keeping_its_rows(tmp_path):
    path = tmp_path / "m.db"
    conn = sqlite3.connect(path)
    for version, script in enumerate(MIGRATIONS[:2], 1):
        conn.executescript(script)
        conn.execute(f"PRAGMA user_version = {version}")
    conn.execute("INSERT INTO sources (name, url, interval, added_at) "
                 "VALUES ('a', 'https://example.com/a', 900, '2024-12-09T12:00:00Z')")
    conn.execute("INSERT INTO source_state (name, etag, failures) VALUES ('a', '\"v1\"', 2)")
    conn.commit()
    conn.close()
    store = Store(path)
    assert store.schema_version == 3 == len(MIGRATIONS)
    state = store.state("a")
    assert (state.etag, state.failures, state.file_stamp) == ('"v1"', 2, None)
    assert store.get_meta("config_path") is None
    store.set_meta("config_path", "/srv/monitor.toml")
    store.set_meta("config_path", "/srv/other.toml")
    assert store.get_meta("config_path") == "/srv/other.toml"
    store.close()
