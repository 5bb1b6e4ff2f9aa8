"""The SQLite file under every Store: opening it (WAL), its schema and migrations,
transactions, and batched commits.

The schema is versioned with `PRAGMA user_version` and migrated forward on open; a database
from a newer `monitor` is refused. `StoreBase` is the base of monitor.store.Store and of its
parts (monitor.store_schedule, monitor.store_changes).

The Store's own queries go straight to the sqlite3 connection (`conn`): the statements are
prepared once and cached by the sqlite3 module, where sqlite-utils' table helpers read the
table's schema on every call. `db` (sqlite-utils over the same connection) is created on
first use, for code off the check path; importing sqlite-utils costs start-up time.

Batched commits: while `batching()` is active (`monitor check`, `monitor run`), the writes
of the checks (`batched()` blocks) that finish in one pass of the event loop commit
together (at most `max_items`; `max_seconds` without a loop); a crash loses at most that.
Each block still commits or rolls back as a whole (a savepoint), and any other write
(`transaction()`) commits the pending batch first, so only the check's own writes are ever
deferred.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import StorageError
from .models import Source

if TYPE_CHECKING:
    import asyncio

    import sqlite_utils

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
    # 4: each version keeps its claims with their comparison fields (monitor.claim_codec)
    # and the fingerprint of the engine that made them, so the next check of the article
    # reuses them instead of making them again from the text; and a page's state keeps the
    # region its article was last extracted from (monitor.region).
    """
    ALTER TABLE versions ADD COLUMN claims_z BLOB;
    ALTER TABLE versions ADD COLUMN engine TEXT;
    ALTER TABLE source_state ADD COLUMN region TEXT;
    """,
)


@dataclass
class _Batch:
    """The settings and progress of `StoreBase.batching`."""

    max_items: int
    max_seconds: float
    open: bool = False  # a batch transaction (BEGIN IMMEDIATE by us) is open
    depth: int = 0  # `batched()` blocks being executed (nested ones count)
    items: int = 0  # blocks in the open batch
    started: float = 0.0  # monotonic time the open batch began
    timer: asyncio.Handle | None = None


class StoreBase:
    """One sqlite3 connection in WAL mode, migrated to the current schema on open."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._db: sqlite_utils.Database | None = None
        self._batch: _Batch | None = None
        try:
            if self.path.parent and not self.path.parent.exists():
                self.path.parent.mkdir(parents=True, exist_ok=True)
            self.conn = sqlite3.connect(str(self.path), timeout=30, check_same_thread=False)
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=NORMAL")
            self.conn.execute("PRAGMA foreign_keys=ON")
            self._migrate()
        except (sqlite3.Error, OSError) as exc:
            raise StorageError(f"cannot open database {self.path}: {exc}") from exc

    @property
    def db(self) -> sqlite_utils.Database:
        """sqlite-utils over the same connection (for code off the check path)."""
        if self._db is None:
            import sqlite_utils

            self._db = sqlite_utils.Database(self.conn)
        return self._db

    def close(self) -> None:
        """Commit a pending batch (see `batching`) and close the connection."""
        try:
            self._commit_batch()
        finally:
            self.conn.close()

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """The rows of a query as dicts keyed by column name."""
        cursor = self.conn.execute(sql, params)
        keys = [d[0] for d in cursor.description]
        return [dict(zip(keys, row, strict=True)) for row in cursor]

    # -- schema -------------------------------------------------------------------------

    @property
    def schema_version(self) -> int:
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

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
                        self.conn.execute(statement)
                self.conn.execute(f"PRAGMA user_version = {version + 1}")
            log.info("database %s migrated to schema version %s", self.path, version + 1)

    # -- meta: small facts about the database itself -----------------------------------

    def get_meta(self, key: str) -> str | None:
        """The value stored under `key` in the `meta` table, or None."""
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        with self.transaction():
            self.conn.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [key, value],
            )

    # -- transactions -------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Everything inside commits together or not at all; nested blocks are savepoints.

        Outside a `batched()` block, a pending batch is committed first: this write is
        committed when the block ends, as without batching.
        """
        batch = self._batch
        if batch is not None and batch.open and batch.depth == 0:
            self._commit_batch()
        conn = self.conn
        if conn.in_transaction:
            with self._savepoint():
                yield
            return
        # IMMEDIATE takes the write lock up front, so two processes never deadlock on a
        # read-then-write upgrade; the busy timeout makes the second one wait instead.
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    @contextmanager
    def _savepoint(self) -> Iterator[None]:
        # One name for every level: ROLLBACK TO and RELEASE act on the innermost savepoint
        # of that name, and a fixed statement text stays in the statement cache.
        conn = self.conn
        conn.execute("SAVEPOINT monitor")
        try:
            yield
        except BaseException:
            # An error may have ended the whole transaction (savepoints included).
            if conn.in_transaction:
                conn.execute("ROLLBACK TO monitor")
                conn.execute("RELEASE monitor")
            raise
        conn.execute("RELEASE monitor")

    @contextmanager
    def batched(self) -> Iterator[None]:
        """Like `transaction()` (everything inside commits together or not at all), except
        that while `batching()` is active the commit may be deferred and shared with the
        blocks after it (see `batching`). For the writes a check makes."""
        batch = self._batch
        conn = self.conn
        if batch is not None and batch.open and not conn.in_transaction:
            self._reset(batch)  # ended meanwhile (an error rolled it back): nothing pending
        if batch is None or batch.depth > 0 or (conn.in_transaction and not batch.open):
            # Not batching, nested in a batched block, or inside the caller's transaction.
            with self.transaction():
                yield
            return
        if not batch.open:
            conn.execute("BEGIN IMMEDIATE")
            batch.open, batch.items, batch.started = True, 0, time.monotonic()
            self._arm_timer(batch)
        batch.depth += 1
        try:
            with self._savepoint():
                yield
        finally:
            batch.depth -= 1
            if not conn.in_transaction:  # an error ended the transaction: nothing pending
                self._reset(batch)
        batch.items += 1
        if batch.items >= batch.max_items or time.monotonic() - batch.started >= batch.max_seconds:
            self._commit_batch(quiet=True)

    @contextmanager
    def batching(self, *, max_items: int = 100, max_seconds: float = 0.5) -> Iterator[None]:
        """Within: `batched()` blocks commit together, after `max_items` blocks, at the
        end of the current pass of the running event loop (so blocks finished in one pass
        share a commit) or, with no loop running, after `max_seconds`; always on leaving,
        also by an exception or a cancellation, and before any other write
        (`transaction()`). A crash loses at most the blocks since the last commit. Already
        batching: no change.

        A pending batch holds the database's write lock, so it is never kept open while the
        loop waits on the network: SQLite's busy handler polls, and a lock taken again right
        after each short release would starve other writers (a CLI command, another process).
        """
        if self._batch is not None:
            yield
            return
        self._batch = _Batch(max_items=max(1, max_items), max_seconds=max(0.0, max_seconds))
        try:
            yield
        finally:
            try:
                self._commit_batch()
            finally:
                self._batch = None

    def commit_pending(self) -> None:
        """Commit a pending batch now (for example before others are told of new rows)."""
        self._commit_batch()

    def _commit_batch(self, *, quiet: bool = False) -> None:
        """Commit the pending batch, if any. `quiet`: a failure is logged and the batch
        stays pending (it is tried again at the next commit), instead of raising
        StorageError."""
        batch = self._batch
        if batch is None or not batch.open:
            return
        if not self.conn.in_transaction:
            self._reset(batch)
            return
        try:
            self.conn.execute("COMMIT")
        except sqlite3.Error as exc:
            if not self.conn.in_transaction:  # rolled back by SQLite: nothing pending
                self._reset(batch)
            if quiet:
                log.error("committing %s check result(s) to %s failed: %s; retrying",
                          batch.items, self.path, exc)
                return
            raise StorageError(f"cannot commit to {self.path}: {exc}") from exc
        self._reset(batch)

    def _reset(self, batch: _Batch) -> None:
        batch.open, batch.items = False, 0
        if batch.timer is not None:
            batch.timer.cancel()
            batch.timer = None

    def _arm_timer(self, batch: _Batch, *, delay: float | None = None) -> None:
        import asyncio

        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no event loop: committed by count, by other writes, at the end
            return
        # At the end of this pass of the loop (see `batching`); `delay` only to retry a
        # failed commit later rather than on every pass.
        batch.timer = (
            loop.call_soon(self._on_timer, batch)
            if delay is None
            else loop.call_later(delay, self._on_timer, batch)
        )

    def _on_timer(self, batch: _Batch) -> None:
        batch.timer = None
        if batch is not self._batch or not batch.open:
            return
        if batch.depth > 0:  # cannot happen (blocks are synchronous); be safe and wait
            self._arm_timer(batch)
            return
        self._commit_batch(quiet=True)
        if batch.open:  # the commit failed: try again later, not on every loop pass
            self._arm_timer(batch, delay=max(batch.max_seconds, 0.1))


def source_from_row(row: dict[str, Any]) -> Source:
    """The Source stored in a `sources` row."""
    return Source(
        name=row["name"], url=row["url"], kind=row["kind"], interval=row["interval"],
        selector=row["selector"], tags=tuple(json.loads(row["tags"] or "[]")),
        origin=row["origin"], parent=row["parent"], robots=bool(row.get("robots", 1)),
    )
