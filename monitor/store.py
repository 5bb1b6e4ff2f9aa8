"""The SQLite database: sources and their state, fetch log, versions, claims, baseline, changes.

One `Store` wraps one sqlite-utils `Database` in WAL mode. The schema is versioned with
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
from collections.abc import Sequence
from dataclasses import dataclass, replace
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


class Store(ScheduleQueries, ChangeLog):
    """The change log and everything `monitor` remembers, in one SQLite file."""

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

    def config_names(self) -> tuple[set[str], set[str]]:
        """Names of the top-level sources and of the webhooks that came from a config file
        (what syncing another config file would remove)."""
        sources = {r["name"] for r in self.db.query(
            "SELECT name FROM sources WHERE parent IS NULL AND origin = 'config'")}
        hooks = {r["name"] for r in self.db.query(
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
        return [source_from_row(r) for r in self.db.query(sql + " ORDER BY name", params)]

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
        file_stamp: str | None = None,
    ) -> None:
        """Log one check and update the source's state.

        "error" counts a failure up, "deferred" leaves the count alone, anything else resets
        it. An error keeps the stored validators (and file stamp, so the file is read again).
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
            "file_stamp": file_stamp if not keep and file_stamp is not None
            else previous.file_stamp,
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

    def file_stamps(self, parent: str) -> dict[str, str | None]:
        """For each article tracked through folder `parent`: the stamp ("mtime_ns:size") of
        its file when it was last read, None if never read (or not since schema 3)."""
        return {
            r["name"]: r["file_stamp"]
            for r in self.db.query(
                "SELECT s.name, st.file_stamp FROM sources s "
                "LEFT JOIN source_state st ON st.name = s.name WHERE s.parent = ?",
                [parent],
            )
        }

    def fetch_log(self, name: str, limit: int = 20) -> list[dict[str, Any]]:
        return list(self.db.query(
            "SELECT * FROM fetch_log WHERE source = ? ORDER BY id DESC LIMIT ?", [name, limit]))


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
