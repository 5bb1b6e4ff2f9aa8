"""The SQLite database: sources and their state, fetch log, versions, claims, baseline, changes.

One `Store` wraps one SQLite connection in WAL mode. The schema is versioned with
`PRAGMA user_version` and migrated forward on open; a database from a newer `monitor`
is refused. Every write that must be atomic (a version with its claims and changes) happens
in one transaction, so a crash leaves either all of it or none of it.

`Store` is assembled from parts: monitor.store_db (the file, migrations, transactions),
monitor.store_schedule (due times, heartbeat, status rows) and monitor.store_changes
(versions, the change log, the baseline); sources, their state and the fetch log are here.
`utc_iso` and `parse_time` (monitor.clock) are re-exported for the modules that use them.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from dataclasses import fields as dataclass_fields
from datetime import datetime, timedelta
from typing import Any

from .clock import parse_time, utc_iso
from .errors import UsageError
from .models import ChangeType, Source
from .store_changes import ChangeLog, StoredVersion
from .store_db import MIGRATIONS, source_from_row
from .store_schedule import ScheduleQueries

log = logging.getLogger(__name__)

# The fields `Store.update_source` may change.
EDITABLE_FIELDS = ("url", "interval", "selector", "tags", "robots")


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
    file_stamp: str | None = None  # "mtime_ns:size" of the file an article was read from
    region: str | None = None  # where the article was last extracted from (monitor.region)


_STATE_COLUMNS = ", ".join(f.name for f in dataclass_fields(SourceState))

# How a check changes a source's state (see `Store.record_check`): a NULL parameter keeps
# the stored value; next_due and retired_at belong to the scheduler and are left alone.
_RECORD_STATE = (
    "INSERT INTO source_state (name, etag, last_modified, body_hash, last_checked, "
    "last_outcome, last_error, last_change, failures, file_stamp, region) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET "
    "etag = coalesce(excluded.etag, etag), "
    "last_modified = coalesce(excluded.last_modified, last_modified), "
    "body_hash = coalesce(excluded.body_hash, body_hash), "
    "last_checked = excluded.last_checked, last_outcome = excluded.last_outcome, "
    "last_error = coalesce(excluded.last_error, last_error), "
    "last_change = coalesce(excluded.last_change, last_change), "
    "failures = CASE excluded.last_outcome WHEN 'error' THEN failures + 1 "
    "WHEN 'deferred' THEN failures ELSE 0 END, "
    "file_stamp = coalesce(excluded.file_stamp, file_stamp), "
    "region = coalesce(excluded.region, region)"
)
_RECORD_LOG = (
    "INSERT INTO fetch_log (source, url, checked_at, duration_ms, outcome, status, error, "
    "changes) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)


class Store(ScheduleQueries, ChangeLog):
    """The change log and everything `monitor` remembers, in one SQLite file."""

    # -- sources ------------------------------------------------------------------------

    def add_source(self, source: Source, *, now: datetime) -> None:
        """Insert a new source; a name already in use is a UsageError."""
        if self.get_source(source.name) is not None:
            raise UsageError(f"a source named {source.name!r} already exists")
        with self.transaction():
            self._insert_source(source, now)

    def _insert_source(self, source: Source, now: datetime) -> None:
        row = self._source_row(source, now)
        self.conn.execute(
            f"INSERT INTO sources ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
            list(row.values()),
        )

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
            for row in self._rows("SELECT name, origin FROM sources WHERE parent IS NULL"):
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
                    self._insert_source(source, now)
                elif existing != source:
                    self._write_edit(existing, source, now)

    def config_names(self) -> tuple[set[str], set[str]]:
        """Names of the top-level sources and of the webhooks that came from a config file
        (what syncing another config file would remove)."""
        sources = {r[0] for r in self.conn.execute(
            "SELECT name FROM sources WHERE parent IS NULL AND origin = 'config'")}
        hooks = {r[0] for r in self.conn.execute(
            "SELECT name FROM webhooks WHERE origin = 'config'")}
        return sources, hooks

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
        row.pop("name")
        self.conn.execute(
            f"UPDATE sources SET {', '.join(f'{c} = ?' for c in row)} WHERE name = ?",
            [*row.values(), new.name],
        )
        refetch = (new.url, new.selector, new.kind) != (old.url, old.selector, old.kind)
        if refetch:
            # The validators and body hash describe what the old definition produced: a 304
            # or the same bytes would skip fetching or extracting what the new one asks for.
            self.conn.execute(
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
            self.conn.execute(
                "UPDATE source_state SET next_due = min(next_due, ?) "
                "WHERE name = ? AND next_due IS NOT NULL",
                [utc_iso(soon), new.name],
            )
        inherited = ("interval", "selector", "tags", "robots")
        if any(getattr(new, f) != getattr(old, f) for f in inherited):
            # Articles found through a feed or folder carry its settings; each picks up the
            # new interval at its next check (no burst of pulled-in checks).
            self.conn.execute(
                "UPDATE sources SET interval = ?, selector = ?, tags = ?, robots = ? "
                "WHERE parent = ?",
                [new.interval, new.selector, json.dumps(list(new.tags)), int(new.robots), new.name],
            )
            if new.selector != old.selector:
                self.conn.execute(
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
        children = [r[0] for r in self.conn.execute(
            "SELECT name FROM sources WHERE parent = ?", [name])]
        for child in children:
            self._delete_source(child)
        self.conn.execute("DELETE FROM sources WHERE name = ?", [name])
        self.conn.execute("DELETE FROM source_state WHERE name = ?", [name])

    def get_source(self, name: str) -> Source | None:
        rows = self._rows("SELECT * FROM sources WHERE name = ?", [name])
        return source_from_row(rows[0]) if rows else None

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
        return [source_from_row(r) for r in self._rows(sql + " ORDER BY name", params)]

    def add_child(self, source: Source, *, now: datetime) -> bool:
        """Track an article found in a feed or folder; False when it is already tracked."""
        with self.batched():  # part of a feed's or folder's check
            if self.conn.execute(
                "SELECT 1 FROM sources WHERE name = ?", [source.name]
            ).fetchone():
                return False
            self._insert_source(source, now)
        return True

    # -- state and fetch log --------------------------------------------------------------

    def state(self, name: str) -> SourceState:
        """The state the checks of source `name` left (all empty if never checked)."""
        row = self.conn.execute(
            f"SELECT {_STATE_COLUMNS} FROM source_state WHERE name = ?", [name]
        ).fetchone()
        return SourceState(*row) if row is not None else SourceState()

    def states(self, names: Collection[str]) -> dict[str, SourceState]:
        """`state` of each named source, in one query."""
        found = {
            row[0]: SourceState(*row[1:])
            for row in self.conn.execute(
                f"SELECT name, {_STATE_COLUMNS} FROM source_state "
                "WHERE name IN (SELECT value FROM json_each(?))",
                [json.dumps(list(names))],
            )
        }
        return {name: found.get(name) or SourceState() for name in names}

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
        file_stamp: str | None = None,
        region: str | None = None,
    ) -> None:
        """Log one check and update the source's state.

        "error" counts a failure up, "deferred" leaves the count alone, anything else resets
        it. An error keeps the stored validators (and file stamp, so the file is read again).
        A value not given (None) keeps the stored one; `region` "" clears it. While
        `batching`, the commit may be deferred (see monitor.store_db).
        """
        failed = outcome == "error"
        with self.batched():
            current = self.conn.execute(
                "SELECT url, selector, kind FROM sources WHERE name = ?", [source.name]
            ).fetchone()
            checked = utc_iso(now)
            self.conn.execute(
                _RECORD_LOG,
                [source.name, url, checked, duration_ms, outcome, status, error, changes],
            )
            # A source removed while its check ran keeps its log line but gets no state back.
            if current is None:
                return
            # Edited (URL, selector, kind) while this check ran: the validators it brings
            # back belong to the old definition, and keeping them would skip the new one.
            stale = tuple(current) != (source.url, source.selector, source.kind)
            keep = failed or stale
            self.conn.execute(_RECORD_STATE, [
                source.name,
                None if keep else etag,
                None if keep else last_modified,
                None if stale else body_hash,
                checked,
                outcome,
                error if failed else None,
                checked if changes else None,
                # A deferral (the host asked us to wait; nothing was sent) neither counts as
                # a failure nor clears the ones before it.
                1 if failed else 0,
                None if keep else file_stamp,
                "" if stale else (None if failed else region),
            ])

    def file_stamps(self, parent: str) -> dict[str, str | None]:
        """For each article tracked through folder `parent`: the stamp ("mtime_ns:size") of
        its file when it was last read, None if never read (or not since schema 3)."""
        return {
            r["name"]: r["file_stamp"]
            for r in self._rows(
                "SELECT s.name, st.file_stamp FROM sources s "
                "LEFT JOIN source_state st ON st.name = s.name WHERE s.parent = ?",
                [parent],
            )
        }

    def fetch_log(self, name: str, limit: int = 20) -> list[dict[str, Any]]:
        return self._rows(
            "SELECT * FROM fetch_log WHERE source = ? ORDER BY id DESC LIMIT ?", [name, limit])


__all__ = [
    "EDITABLE_FIELDS",
    "MIGRATIONS",
    "ChangeType",
    "SourceState",
    "Store",
    "StoredVersion",
    "parse_time",
    "utc_iso",
]
