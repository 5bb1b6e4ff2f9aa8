"""The SQLite database: sources and their state, fetch log, versions, claims, baseline, changes.

One `Store` wraps one sqlite-utils `Database` in WAL mode. The schema is versioned with
`PRAGMA user_version` and migrated forward on open; a database from a newer `monitor`
is refused. Every write that must be atomic (a version with its claims and changes) happens
in one transaction, so a crash leaves either all of it or none of it.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import zlib
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlite_utils

from .errors import StorageError, UsageError
from .models import Change, ChangeType, Claim, Document, Source
from .schedule import Timing

log = logging.getLogger(__name__)

# The fields `Store.update_source` may change.
EDITABLE_FIELDS = ("url", "interval", "selector", "tags", "robots")

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
)


def utc_iso(moment: datetime) -> str:
    """ISO 8601 in UTC with a Z suffix, second precision: 2024-12-08T21:00:00Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(text: str) -> datetime:
    """The inverse of `utc_iso`: an aware UTC datetime."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _pack(text: str) -> bytes:
    return zlib.compress(text.encode("utf-8"), 6)


def _unpack(blob: bytes) -> str:
    return zlib.decompress(blob).decode("utf-8")


@dataclass(frozen=True)
class StoredVersion:
    """The latest stored version of an article."""

    id: int
    text_hash: str
    text: str
    title: str | None


@dataclass(frozen=True)
class SourceState:
    """What the last checks of a source left behind."""

    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None
    last_checked: str | None = None
    last_outcome: str | None = None
    last_error: str | None = None
    last_change: str | None = None
    failures: int = 0
    next_due: str | None = None
    retired_at: str | None = None


class Store:
    """The change log and everything `monitor` remembers, in one SQLite file."""

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

    # -- sources ------------------------------------------------------------------------

    def add_source(self, source: Source, *, now: datetime) -> None:
        """Insert a new source; a name already in use is a UsageError."""
        if self.get_source(source.name) is not None:
            raise UsageError(f"a source named {source.name!r} already exists")
        with self.transaction():
            self.db.table("sources").insert(self._source_row(source, now))

    def _source_row(self, source: Source, now: datetime) -> dict[str, Any]:
        return {
            "name": source.name,
            "url": source.url,
            "kind": source.kind,
            "interval": source.interval,
            "selector": source.selector,
            "tags": json.dumps(list(source.tags)),
            "origin": source.origin,
            "parent": source.parent,
            "robots": int(source.robots),
            "added_at": utc_iso(now),
        }

    def sync_config_sources(self, sources: Sequence[Source], *, now: datetime) -> None:
        """Make the config's sources present as declared; the config wins on a name clash.

        Config sources that disappeared from the file are removed (their changes stay). A
        source whose definition changed takes effect at the next dispatch, as with
        `update_source`.
        """
        wanted = {s.name: s for s in sources}
        with self.transaction():
            for row in self.db.query("SELECT name, origin FROM sources WHERE parent IS NULL"):
                if row["origin"] == "config" and row["name"] not in wanted:
                    self._delete_source(row["name"])
            for source in sources:
                existing = self.get_source(source.name)
                if existing is not None and existing.origin != "config":
                    log.warning(
                        "source %s is defined in the config and by the CLI; the config wins",
                        source.name,
                    )
                if existing is None:
                    self.db.table("sources").insert(self._source_row(source, now))
                elif existing != source:
                    self._write_edit(existing, source, now)

    def update_source(self, name: str, *, now: datetime, **fields: Any) -> Source:
        """Change some of a source's EDITABLE_FIELDS; returns the source as now stored.

        The change takes effect at the service's next dispatch, without a restart: a
        shorter interval pulls the next check in to at most `now` + the new interval; a new
        URL, selector or robots switch makes the source due now, and a new URL or selector
        forgets the stored ETag, Last-Modified and body hash (so the page is fetched and
        extracted afresh). Articles found through a feed or folder inherit its interval,
        selector, tags and robots switch. Validation is the caller's job.
        """
        unknown = set(fields) - set(EDITABLE_FIELDS)
        if unknown:
            raise TypeError(f"not editable: {', '.join(sorted(unknown))}")
        old = self.get_source(name)
        if old is None:
            raise UsageError(f"unknown source {name!r}")
        if "tags" in fields:
            fields["tags"] = tuple(fields["tags"])
        new = replace(old, **fields)
        if new != old:
            with self.transaction():
                self._write_edit(old, new, now)
        return new

    def _write_edit(self, old: Source, new: Source, now: datetime) -> None:
        """Store `new` over `old` (same name) so that the edit counts at the next dispatch."""
        row = self._source_row(new, now)
        row.pop("added_at")
        self.db.table("sources").update(new.name, row)
        refetch = (new.url, new.selector, new.kind) != (old.url, old.selector, old.kind)
        if refetch:
            # The validators and body hash describe what the old definition produced: a 304
            # or the same bytes would skip fetching or extracting what the new one asks for.
            self.db.execute(
                "UPDATE source_state SET etag = NULL, last_modified = NULL, "
                "body_hash = NULL WHERE name = ?",
                [new.name],
            )
        if refetch or new.robots != old.robots:
            soon = now
        elif new.interval < old.interval:
            soon = now + timedelta(seconds=new.interval)
        else:
            soon = None
        if soon is not None:
            self.db.execute(
                "UPDATE source_state SET next_due = min(next_due, ?) "
                "WHERE name = ? AND next_due IS NOT NULL",
                [utc_iso(soon), new.name],
            )
        inherited = ("interval", "selector", "tags", "robots")
        if any(getattr(new, f) != getattr(old, f) for f in inherited):
            # Articles found through a feed or folder carry its settings; each picks up the
            # new interval at its next check (no burst of pulled-in checks).
            self.db.execute(
                "UPDATE sources SET interval = ?, selector = ?, tags = ?, robots = ? "
                "WHERE parent = ?",
                [new.interval, new.selector, json.dumps(list(new.tags)), int(new.robots), new.name],
            )
            if new.selector != old.selector:
                self.db.execute(
                    "UPDATE source_state SET etag = NULL, last_modified = NULL, "
                    "body_hash = NULL WHERE name IN (SELECT name FROM sources WHERE parent = ?)",
                    [new.name],
                )

    def remove_source(self, name: str) -> None:
        """Remove a source (and the articles found through it); its change log stays."""
        if self.get_source(name) is None:
            raise UsageError(f"unknown source {name!r}")
        with self.transaction():
            self._delete_source(name)

    def _delete_source(self, name: str) -> None:
        children = [r["name"] for r in self.db.query(
            "SELECT name FROM sources WHERE parent = ?", [name])]
        for child in children:
            self._delete_source(child)
        self.db.execute("DELETE FROM sources WHERE name = ?", [name])
        self.db.execute("DELETE FROM source_state WHERE name = ?", [name])

    def get_source(self, name: str) -> Source | None:
        rows = list(self.db.query("SELECT * FROM sources WHERE name = ?", [name]))
        return _source(rows[0]) if rows else None

    def list_sources(
        self, *, parent: str | None = None, top_level: bool = True, kind: str | None = None
    ) -> list[Source]:
        """Sources in name order: top-level ones, or the articles found through `parent`;
        with `kind`, only sources of that kind."""
        where, params = [], []
        if parent is not None:
            where.append("parent = ?")
            params.append(parent)
        elif top_level:
            where.append("parent IS NULL")
        if kind is not None:
            where.append("kind = ?")
            params.append(kind)
        sql = "SELECT * FROM sources"
        if where:
            sql += " WHERE " + " AND ".join(where)
        return [_source(r) for r in self.db.query(sql + " ORDER BY name", params)]

    def add_child(self, source: Source, *, now: datetime) -> bool:
        """Track an article found in a feed or folder; False when it is already tracked."""
        if self.get_source(source.name) is not None:
            return False
        with self.transaction():
            self.db.table("sources").insert(self._source_row(source, now))
        return True

    # -- state and fetch log --------------------------------------------------------------

    def state(self, name: str) -> SourceState:
        rows = list(self.db.query("SELECT * FROM source_state WHERE name = ?", [name]))
        if not rows:
            return SourceState()
        row = dict(rows[0])
        row.pop("name")
        return SourceState(**row)

    def record_check(
        self,
        source: Source,
        *,
        url: str,
        now: datetime,
        duration_ms: int,
        outcome: str,
        status: int | None = None,
        error: str | None = None,
        changes: int = 0,
        etag: str | None = None,
        last_modified: str | None = None,
        body_hash: str | None = None,
    ) -> None:
        """Log one check and update the source's state.

        "error" counts a failure up, "deferred" leaves the count alone, anything else resets
        it. An error keeps the stored validators.
        """
        previous = self.state(source.name)
        failed = outcome == "error"
        current = self.get_source(source.name)
        # Edited (URL, selector, kind) while this check ran: the validators it brings back
        # belong to the old definition, and keeping them would skip the new one.
        stale = current is not None and (current.url, current.selector, current.kind) != (
            source.url,
            source.selector,
            source.kind,
        )
        keep = failed or stale
        state = {
            "name": source.name,
            "etag": etag if not keep and etag is not None else previous.etag,
            "last_modified": (
                last_modified if not keep and last_modified is not None else previous.last_modified
            ),
            "body_hash": body_hash if not stale and body_hash is not None else previous.body_hash,
            "last_checked": utc_iso(now),
            "last_outcome": outcome,
            "last_error": error if failed else previous.last_error,
            "last_change": utc_iso(now) if changes else previous.last_change,
            # A deferral (the host asked us to wait; nothing was sent) neither counts as a
            # failure nor clears the ones before it.
            "failures": previous.failures + 1 if failed
            else previous.failures if outcome == "deferred" else 0,
            "next_due": previous.next_due,
            "retired_at": previous.retired_at,
        }
        with self.transaction():
            self.db.table("fetch_log").insert({
                "source": source.name, "url": url, "checked_at": utc_iso(now),
                "duration_ms": duration_ms, "outcome": outcome, "status": status,
                "error": error, "changes": changes,
            })
            # A source removed while its check ran keeps its log line but gets no state back.
            if current is not None:
                self.db.table("source_state").upsert(state, pk="name")

    def fetch_log(self, name: str, limit: int = 20) -> list[dict[str, Any]]:
        return list(self.db.query(
            "SELECT * FROM fetch_log WHERE source = ? ORDER BY id DESC LIMIT ?", [name, limit]))

    # -- scheduling ---------------------------------------------------------------------

    def timing(self, name: str) -> Timing:
        """What the scheduling policy needs to know about a source (see monitor.schedule)."""
        rows = list(
            self.db.query(
                "SELECT s.interval, s.kind, s.origin, s.added_at, st.last_change, "
                "coalesce(st.failures, 0) AS failures, "
                "(SELECT v.fetched_at FROM versions v WHERE v.source = s.name ORDER BY v.id "
                "LIMIT 1) AS first_seen "
                "FROM sources s LEFT JOIN source_state st ON st.name = s.name WHERE s.name = ?",
                [name],
            )
        )
        if not rows:
            raise UsageError(f"unknown source {name!r}")
        row = rows[0]
        return Timing(
            interval=float(row["interval"]),
            kind=row["kind"],
            origin=row["origin"],
            added_at=parse_time(row["added_at"]),
            last_change=parse_time(row["last_change"]) if row["last_change"] else None,
            failures=int(row["failures"]),
            first_seen=parse_time(row["first_seen"]) if row["first_seen"] else None,
        )

    def unscheduled(self, limit: int = 1000) -> list[Source]:
        """Sources (any level) with no due time that are not retired, oldest first.

        New sources from the CLI or the config, and articles just found in feeds or folders.
        """
        return [
            _source(r)
            for r in self.db.query(
                "SELECT s.* FROM sources s LEFT JOIN source_state st ON st.name = s.name "
                "WHERE st.next_due IS NULL AND st.retired_at IS NULL "
                "ORDER BY s.added_at, s.name LIMIT ?",
                [limit],
            )
        ]

    def due(
        self, now: datetime, *, limit: int = 500, exclude: Collection[str] = ()
    ) -> list[Source]:
        """Sources due at `now` (next_due <= now), not retired, earliest first.

        `exclude` names sources to leave out (for example the ones being checked).
        """
        return [
            _source(r)
            for r in self.db.query(
                "SELECT s.* FROM source_state st JOIN sources s ON s.name = st.name "
                "WHERE st.next_due <= ? AND st.retired_at IS NULL "
                "AND st.name NOT IN (SELECT value FROM json_each(?)) "
                "ORDER BY st.next_due, st.name LIMIT ?",
                [utc_iso(now), json.dumps(list(exclude)), limit],
            )
        ]

    def set_next_due(self, name: str, when: datetime) -> None:
        """Schedule the next check of a source; a source removed meanwhile is left alone."""
        self._upsert_state(name, next_due=utc_iso(when))

    def retire(self, name: str, now: datetime) -> None:
        """Stop checking a source (an old article); its history and changes stay."""
        self._upsert_state(name, next_due=None, retired_at=utc_iso(now))

    def _upsert_state(self, name: str, **values: Any) -> None:
        columns = list(values)
        sets = ", ".join(f"{c} = excluded.{c}" for c in columns)
        with self.transaction():
            # Only for a source that still exists, so a late write after `sources remove`
            # leaves no orphan state for a future source of the same name to inherit.
            self.db.execute(
                f"INSERT INTO source_state (name, {', '.join(columns)}) "
                f"SELECT ?, {', '.join('?' * len(columns))} "
                f"WHERE EXISTS (SELECT 1 FROM sources WHERE name = ?) "
                f"ON CONFLICT(name) DO UPDATE SET {sets}",
                [name, *values.values(), name],
            )

    def next_wakeup(self) -> datetime | None:
        """The earliest due time of any source that is not retired (None: nothing scheduled)."""
        rows = list(
            self.db.query(
                "SELECT st.next_due FROM source_state st WHERE st.next_due IS NOT NULL "
                "AND st.retired_at IS NULL AND EXISTS (SELECT 1 FROM sources s "
                "WHERE s.name = st.name) ORDER BY st.next_due LIMIT 1"
            )
        )
        return parse_time(rows[0]["next_due"]) if rows else None

    def failing(self, threshold: int) -> list[str]:
        """Names of the sources (any level) with at least `threshold` consecutive failures."""
        return [
            r["name"]
            for r in self.db.query(
                "SELECT st.name FROM source_state st JOIN sources s ON s.name = st.name "
                "WHERE st.failures >= ? AND st.retired_at IS NULL ORDER BY st.name",
                [threshold],
            )
        ]

    def status_rows(self, *, include_articles: bool) -> list[dict[str, Any]]:
        """Per source, its definition and state, as plain dicts (times as ISO text).

        Keys: name, kind, origin, parent, url, interval, last_checked, last_outcome,
        last_change, last_error, failures, next_due, retired_at, and for feeds and folders
        `articles` / `retired_articles` (how many articles found through them are checked /
        retired). Top-level sources only, unless `include_articles`; each feed or folder is
        followed by its articles.
        """
        where = "" if include_articles else "WHERE s.parent IS NULL "
        return [
            dict(r)
            for r in self.db.query(
                "SELECT s.name, s.kind, s.origin, s.parent, s.url, s.interval, st.last_checked, "
                "st.last_outcome, st.last_change, st.last_error, coalesce(st.failures, 0) "
                "AS failures, st.next_due, st.retired_at, "
                "(SELECT count(*) FROM sources c LEFT JOIN source_state cs ON cs.name = c.name "
                " WHERE c.parent = s.name AND cs.retired_at IS NULL) AS articles, "
                "(SELECT count(*) FROM sources c JOIN source_state cs ON cs.name = c.name "
                " WHERE c.parent = s.name AND cs.retired_at IS NOT NULL) AS retired_articles "
                "FROM sources s LEFT JOIN source_state st ON st.name = s.name "
                f"{where}ORDER BY coalesce(s.parent, s.name), s.parent IS NOT NULL, s.name"
            )
        ]

    # -- the service's heartbeat ----------------------------------------------------------

    def service_started(self, pid: int, hostname: str, version: str, now: datetime) -> None:
        """Record that a service started on this database (replacing the previous record)."""
        with self.transaction():
            self.db.table("service").upsert(
                {
                    "id": 1,
                    "pid": pid,
                    "hostname": hostname,
                    "version": version,
                    "started_at": utc_iso(now),
                    "heartbeat_at": utc_iso(now),
                    "stopped_at": None,
                },
                pk="id",
            )

    def heartbeat(self, now: datetime) -> None:
        """The running service says it is alive (every ~10 s)."""
        with self.transaction():
            self.db.execute("UPDATE service SET heartbeat_at = ? WHERE id = 1", [utc_iso(now)])

    def service_stopped(self, now: datetime) -> None:
        """The service stopped cleanly."""
        with self.transaction():
            self.db.execute(
                "UPDATE service SET heartbeat_at = ?, stopped_at = ? WHERE id = 1",
                [utc_iso(now), utc_iso(now)],
            )

    def service_info(self) -> dict[str, Any] | None:
        """pid, hostname, version, started_at, heartbeat_at, stopped_at (ISO text or None)
        of the last service that ran on this database; None if none ever did."""
        rows = list(
            self.db.query(
                "SELECT pid, hostname, version, started_at, heartbeat_at, stopped_at "
                "FROM service WHERE id = 1"
            )
        )
        return dict(rows[0]) if rows else None

    # -- versions and changes -----------------------------------------------------------

    def latest_version(self, source: str) -> StoredVersion | None:
        rows = list(self.db.query(
            "SELECT id, text_hash, text_z, title FROM versions WHERE source = ? "
            "ORDER BY id DESC LIMIT 1", [source]))
        if not rows:
            return None
        row = rows[0]
        return StoredVersion(row["id"], row["text_hash"], _unpack(row["text_z"]), row["title"])

    def save_version(
        self,
        source: Source,
        document: Document,
        *,
        text_hash: str,
        claims: Sequence[Claim],
        changes: Sequence[Change],
        now: datetime,
    ) -> int:
        """Store a new article version, its claims and its changes in one transaction."""
        with self.transaction():
            version_id = self.db.table("versions").insert({
                "source": source.name, "url": document.url, "fetched_at": utc_iso(now),
                "text_hash": text_hash, "title": document.title,
                "published": document.published, "author": document.author,
                "text_z": _pack(document.text),
            }).last_pk
            self.db.table("claims").insert_all(
                {"version_id": version_id, "position": c.position, "text": c.text,
                 "norm": c.norm} for c in claims
            )
            # One insert per change, to know its id: its alert deliveries are queued in this
            # same transaction (the outbox), so a crash leaves both or neither.
            change_ids = [
                int(
                    self.db.table("changes")
                    .insert(
                        {  # type: ignore[arg-type]
                            "source": source.name,
                            "url": document.url,
                            "article_title": document.title,
                            "version_id": version_id,
                            "type": change.type.value,
                            "claim": change.claim,
                            "previous_claim": change.previous_claim,
                            "baseline_claim": change.baseline_claim,
                            "baseline_source": change.baseline_source,
                            "details": json.dumps(dict(change.details), ensure_ascii=False),
                            "detected_at": utc_iso(change.detected_at or now),
                        }
                    )
                    .last_pk
                )
                for change in changes
            ]
            if change_ids:
                from .outbox import Outbox

                Outbox(self).enqueue(source, list(zip(change_ids, changes, strict=True)), now=now)
        return int(version_id)  # type: ignore[arg-type]

    def changes(
        self,
        *,
        since: datetime | None = None,
        types: Iterable[str] = (),
        sources: Iterable[str] = (),
        limit: int | None = None,
    ) -> list[dict[str, Any]]:
        """The change log, newest first, as plain dicts with `details` decoded."""
        where: list[str] = []
        params: list[Any] = []
        if since is not None:
            where.append("detected_at >= ?")
            params.append(utc_iso(since))
        type_list = list(types)
        if type_list:
            where.append(f"type IN ({', '.join('?' * len(type_list))})")
            params.extend(type_list)
        source_list = list(sources)
        if source_list:
            marks = ", ".join("?" * len(source_list))
            # A feed or folder name selects the articles found through it, too.
            where.append(
                f"(source IN ({marks}) OR source IN "
                f"(SELECT name FROM sources WHERE parent IN ({marks})))"
            )
            params.extend(source_list + source_list)
        sql = "SELECT * FROM changes"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY detected_at DESC, id DESC"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        rows = []
        for row in self.db.query(sql, params):
            row = dict(row)
            row["details"] = json.loads(row["details"] or "{}")
            rows.append(row)
        return rows

    def count_changes(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM changes").fetchone()[0])

    # -- baseline -----------------------------------------------------------------------

    def has_baseline_text(self, text_hash: str) -> bool:
        return bool(list(self.db.query(
            "SELECT 1 FROM baseline_documents WHERE text_hash = ?", [text_hash])))

    def add_baseline_document(
        self, *, name: str, path: str, text_hash: str, document: Document,
        claims: Sequence[Claim], now: datetime,
    ) -> int:
        """Store one baseline document and its claims atomically."""
        with self.transaction():
            doc_id = self.db.table("baseline_documents").insert({
                "name": name, "path": path, "text_hash": text_hash, "title": document.title,
                "loaded_at": utc_iso(now), "text_z": _pack(document.text),
            }).last_pk
            self.db.table("baseline_claims").insert_all(
                {"document_id": doc_id, "position": c.position, "text": c.text, "norm": c.norm}
                for c in claims
            )
        return int(doc_id)  # type: ignore[arg-type]

    def baseline_documents(self) -> list[dict[str, Any]]:
        return list(self.db.query(
            "SELECT d.id, d.name, d.path, d.title, d.loaded_at, count(c.id) AS claims "
            "FROM baseline_documents d LEFT JOIN baseline_claims c ON c.document_id = d.id "
            "GROUP BY d.id ORDER BY d.id"))

    def baseline_claims(self) -> Iterator[tuple[str, str]]:
        """(claim text, document name) for every baseline claim, in load order."""
        for row in self.db.query(
            "SELECT c.text, d.name FROM baseline_claims c "
            "JOIN baseline_documents d ON d.id = c.document_id ORDER BY c.id"
        ):
            yield row["text"], row["name"]

    def baseline_revision(self) -> int:
        """A number that changes whenever the baseline gains a claim (for caching)."""
        return int(self.db.execute("SELECT coalesce(max(id), 0) FROM baseline_claims")
                   .fetchone()[0])


def _source(row: dict[str, Any]) -> Source:
    return Source(
        name=row["name"], url=row["url"], kind=row["kind"], interval=row["interval"],
        selector=row["selector"], tags=tuple(json.loads(row["tags"] or "[]")),
        origin=row["origin"], parent=row["parent"], robots=bool(row.get("robots", 1)),
    )


__all__ = [
    "EDITABLE_FIELDS",
    "ChangeType",
    "SourceState",
    "Store",
    "StoredVersion",
    "parse_time",
    "utc_iso",
]
