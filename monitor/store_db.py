"""The SQLite file under every Store: opening it (WAL), its schema and migrations, and
transactions.

The schema is versioned with `PRAGMA user_version` and migrated forward on open; a database
from a newer `monitor` is refused. `StoreBase` is the base of monitor.store.Store and of its
parts (monitor.store_schedule, monitor.store_changes).
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlite_utils

from .errors import StorageError
from .models import Source

log = logging.getLogger(__name__)

# Each entry migrates the schema from version i to i + 1. Never edit a released entry:
# append a new one.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE sources (
        name TEXT PRIMARY KEY,
        url TEXT NOT NULL,
        kind TEXT NOT NULL DEFAULT 'page',
        interval REAL NOT NULL,
        selector TEXT,
        tags TEXT NOT NULL DEFAULT '[]',
        origin TEXT NOT NULL DEFAULT 'cli',
        parent TEXT,
        added_at TEXT NOT NULL
    );
    CREATE INDEX sources_parent ON sources(parent);
    CREATE TABLE source_state (
        name TEXT PRIMARY KEY,
        etag TEXT,
        last_modified TEXT,
        body_hash TEXT,
        last_checked TEXT,
        last_outcome TEXT,
        last_error TEXT,
        last_change TEXT,
        failures INTEGER NOT NULL DEFAULT 0,
        next_due TEXT
    );
    CREATE TABLE fetch_log (
        id INTEGER PRIMARY KEY,
        source TEXT NOT NULL,
        url TEXT NOT NULL,
        checked_at TEXT NOT NULL,
        duration_ms INTEGER NOT NULL,
        outcome TEXT NOT NULL,
        status INTEGER,
        error TEXT,
        changes INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX fetch_log_source ON fetch_log(source, checked_at);
    CREATE TABLE versions (
        id INTEGER PRIMARY KEY,
        source TEXT NOT NULL,
        url TEXT NOT NULL,
        fetched_at TEXT NOT NULL,
        text_hash TEXT NOT NULL,
        title TEXT,
        published TEXT,
        author TEXT,
        text_z BLOB NOT NULL
    );
    CREATE INDEX versions_source ON versions(source, id);
    CREATE TABLE claims (
        id INTEGER PRIMARY KEY,
        version_id INTEGER NOT NULL REFERENCES versions(id),
        position INTEGER NOT NULL,
        text TEXT NOT NULL,
        norm TEXT NOT NULL
    );
    CREATE INDEX claims_version ON claims(version_id);
    CREATE TABLE baseline_documents (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        path TEXT NOT NULL,
        text_hash TEXT NOT NULL UNIQUE,
        title TEXT,
        loaded_at TEXT NOT NULL,
        text_z BLOB NOT NULL
    );
    CREATE TABLE baseline_claims (
        id INTEGER PRIMARY KEY,
        document_id INTEGER NOT NULL REFERENCES baseline_documents(id),
        position INTEGER NOT NULL,
        text TEXT NOT NULL,
        norm TEXT NOT NULL
    );
    CREATE INDEX baseline_claims_document ON baseline_claims(document_id);
    CREATE TABLE changes (
        id INTEGER PRIMARY KEY,
        source TEXT NOT NULL,
        url TEXT NOT NULL,
        article_title TEXT,
        version_id INTEGER REFERENCES versions(id),
        type TEXT NOT NULL,
        claim TEXT NOT NULL,
        previous_claim TEXT,
        baseline_claim TEXT,
        baseline_source TEXT,
        details TEXT NOT NULL DEFAULT '{}',
        detected_at TEXT NOT NULL
    );
    CREATE INDEX changes_detected ON changes(detected_at);
    CREATE INDEX changes_source ON changes(source);
    """,
    # 2: the service (robots switch, retirement, heartbeat) and the alert outbox.
    """
    ALTER TABLE sources ADD COLUMN robots INTEGER NOT NULL DEFAULT 1;
    ALTER TABLE source_state ADD COLUMN retired_at TEXT;
    CREATE INDEX source_state_due ON source_state(next_due);
    CREATE TABLE service (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        pid INTEGER,
        hostname TEXT,
        version TEXT,
        started_at TEXT,
        heartbeat_at TEXT,
        stopped_at TEXT
    );
    CREATE TABLE webhooks (
        name TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        url TEXT,
        url_env TEXT,
        secret TEXT,
        secret_env TEXT,
        types TEXT NOT NULL DEFAULT '[]',
        sources TEXT NOT NULL DEFAULT '[]',
        min_severity TEXT NOT NULL DEFAULT 'low',
        origin TEXT NOT NULL DEFAULT 'cli',
        added_at TEXT NOT NULL,
        disabled_at TEXT,
        disabled_reason TEXT,
        backoff_until TEXT
    );
    CREATE TABLE deliveries (
        id INTEGER PRIMARY KEY,
        change_id INTEGER NOT NULL REFERENCES changes(id),
        webhook TEXT NOT NULL,
        msg_id TEXT NOT NULL UNIQUE,
        state TEXT NOT NULL DEFAULT 'pending',
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT,
        last_status INTEGER,
        last_error TEXT,
        created_at TEXT NOT NULL,
        delivered_at TEXT
    );
    CREATE INDEX deliveries_due ON deliveries(state, next_attempt_at);
    CREATE INDEX deliveries_webhook ON deliveries(webhook, state);
    CREATE TABLE delivery_attempts (
        id INTEGER PRIMARY KEY,
        delivery_id INTEGER NOT NULL REFERENCES deliveries(id),
        attempted_at TEXT NOT NULL,
        status INTEGER,
        error TEXT,
        duration_ms INTEGER,
        digest_size INTEGER NOT NULL DEFAULT 1
    );
    CREATE INDEX delivery_attempts_delivery ON delivery_attempts(delivery_id);
    """,
    # 3: which config file the database was last synced from (so that another config cannot
    # silently remove its sources), and the exact stamp of the file a folder article was
    # last read from (so that an unchanged file is not re-read).
    """
    CREATE TABLE meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    ALTER TABLE source_state ADD COLUMN file_stamp TEXT;
    """,
)


class StoreBase:
    """One sqlite-utils `Database` in WAL mode, migrated to the current schema on open."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            if self.path.parent and not self.path.parent.exists():
                self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(str(self.path), timeout=30, check_same_thread=False)
            self.db = sqlite_utils.Database(conn)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute("PRAGMA foreign_keys=ON")
            self._migrate()
        except (sqlite3.Error, OSError) as exc:
            raise StorageError(f"cannot open database {self.path}: {exc}") from exc

    def close(self) -> None:
        self.db.conn.close()

    # -- schema -------------------------------------------------------------------------

    @property
    def schema_version(self) -> int:
        return int(self.db.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        current = self.schema_version
        if current > len(MIGRATIONS):
            raise StorageError(
                f"database {self.path} has schema version {current}, newer than this "
                f"monitor ({len(MIGRATIONS)}); upgrade monitor"
            )
        for version in range(current, len(MIGRATIONS)):
            with self.transaction():
                for statement in MIGRATIONS[version].split(";"):
                    if statement.strip():
                        self.db.execute(statement)
                self.db.execute(f"PRAGMA user_version = {version + 1}")
            log.info("database %s migrated to schema version %s", self.path, version + 1)

    # -- meta: small facts about the database itself -----------------------------------

    def get_meta(self, key: str) -> str | None:
        """The value stored under `key` in the `meta` table, or None."""
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        with self.transaction():
            self.db.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [key, value],
            )

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Everything inside commits together or not at all; nested blocks are savepoints."""
        conn = self.db.conn
        if conn.in_transaction:
            with self.db.atomic():
                yield
            return
        # IMMEDIATE takes the write lock up front, so two processes never deadlock on a
        # read-then-write upgrade; the busy timeout makes the second one wait instead.
        conn.execute("BEGIN IMMEDIATE")
        try:
            with self.db.atomic():
                yield
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")


def source_from_row(row: dict[str, Any]) -> Source:
    """The Source stored in a `sources` row."""
    return Source(
        name=row["name"], url=row["url"], kind=row["kind"], interval=row["interval"],
        selector=row["selector"], tags=tuple(json.loads(row["tags"] or "[]")),
        origin=row["origin"], parent=row["parent"], robots=bool(row.get("robots", 1)),
    )
