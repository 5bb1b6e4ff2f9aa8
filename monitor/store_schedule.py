"""The Store's scheduling queries (due times, retirement, failing sources), the service's
heartbeat, and the rows `monitor status` shows. A part of monitor.store.Store.
"""

from __future__ import annotations

import json
import random
from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from .clock import parse_time, utc_iso
from .errors import UsageError
from .models import Source
from .schedule import FIRST_SPREAD, Timing
from .store_db import StoreBase, source_from_row

OVERDUE_GRACE = 5.0  # seconds overdue at a start before a source is spread out again
_DUE = (
    "SELECT {} FROM source_state st JOIN sources s ON s.name = st.name "
    "WHERE st.next_due <= ? AND st.retired_at IS NULL "
    "AND st.name NOT IN (SELECT value FROM json_each(?)) "
    "ORDER BY st.next_due, st.name LIMIT ?"
)


class DueRef(NamedTuple):
    """A due source, named (see `ScheduleQueries.due_refs`)."""

    name: str
    kind: str
    url: str


class ScheduleQueries(StoreBase):
    """When each source is due, and whether the service is alive."""

    # -- scheduling ---------------------------------------------------------------------

    def timing(self, name: str) -> Timing:
        """What the scheduling policy needs to know about a source (see monitor.schedule)."""
        row = self.conn.execute(
            "SELECT s.interval, s.kind, s.origin, s.added_at, st.last_change, "
            "coalesce(st.failures, 0), "
            "(SELECT v.fetched_at FROM versions v WHERE v.source = s.name ORDER BY v.id "
            "LIMIT 1) "
            "FROM sources s LEFT JOIN source_state st ON st.name = s.name WHERE s.name = ?",
            [name],
        ).fetchone()
        if row is None:
            raise UsageError(f"unknown source {name!r}")
        interval, kind, origin, added_at, last_change, failures, first_seen = row
        return Timing(
            interval=float(interval),
            kind=kind,
            origin=origin,
            added_at=parse_time(added_at),
            last_change=parse_time(last_change) if last_change else None,
            failures=int(failures),
            first_seen=parse_time(first_seen) if first_seen else None,
        )

    def unscheduled(self, limit: int = 1000) -> list[Source]:
        """Sources (any level) with no due time that are not retired, oldest first.

        New sources from the CLI or the config, and articles just found in feeds or folders.
        """
        return [
            source_from_row(r)
            for r in self._rows(
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
        return [source_from_row(r) for r in self._rows(_DUE.format("s.*"), [
            utc_iso(now), json.dumps(list(exclude)), limit])]

    def due_refs(
        self, now: datetime, *, limit: int = 500, exclude: Collection[str] = ()
    ) -> list[DueRef]:
        """What `due` returns, as (name, kind, url) only: cheap enough to read many and
        choose a few (the dispatcher, after every check)."""
        return [DueRef(*row) for row in self.conn.execute(_DUE.format("s.name, s.kind, s.url"), [
            utc_iso(now), json.dumps(list(exclude)), limit])]

    def set_next_due(self, name: str, when: datetime) -> None:
        """Schedule the next check of a source; a source removed meanwhile is left alone.
        Part of a check's writes (batched: see monitor.store_db)."""
        self._upsert_state(name, next_due=utc_iso(when))

    def retire(self, name: str, now: datetime) -> None:
        """Stop checking a source (an old article); its history and changes stay."""
        self._upsert_state(name, next_due=None, retired_at=utc_iso(now))

    def _upsert_state(self, name: str, **values: Any) -> None:
        columns = list(values)
        sets = ", ".join(f"{c} = excluded.{c}" for c in columns)
        with self.batched():
            # Only for a source that still exists, so a late write after `sources remove`
            # leaves no orphan state for a future source of the same name to inherit.
            self.conn.execute(
                f"INSERT INTO source_state (name, {', '.join(columns)}) "
                f"SELECT ?, {', '.join('?' * len(columns))} "
                f"WHERE EXISTS (SELECT 1 FROM sources WHERE name = ?) "
                f"ON CONFLICT(name) DO UPDATE SET {sets}",
                [name, *values.values(), name],
            )

    def respread_overdue(
        self, now: datetime, rng: random.Random, *, grace: float = OVERDUE_GRACE
    ) -> int:
        """Spread the sources that fell due more than `grace` seconds before `now` (the
        service was stopped or suspended) over the next minute, as `schedule.first_due`
        spreads new ones: each gets `now` + a random wait of up to min(interval, 60 s).
        Returns how many moved. Without it a restart after a long stop would fire every
        overdue source at once."""
        rows = self._rows(
            "SELECT st.name, s.interval FROM source_state st "
            "JOIN sources s ON s.name = st.name "
            "WHERE st.next_due < ? AND st.retired_at IS NULL ORDER BY st.next_due, st.name",
            [utc_iso(now - timedelta(seconds=grace))],
        )
        with self.transaction():
            for row in rows:
                spread = min(float(row["interval"]), FIRST_SPREAD)
                when = now + timedelta(seconds=rng.uniform(0.0, spread))
                self.conn.execute(
                    "UPDATE source_state SET next_due = ? WHERE name = ?",
                    [utc_iso(when), row["name"]],
                )
        return len(rows)

    def next_wakeup(self) -> datetime | None:
        """The earliest due time of any source that is not retired (None: nothing scheduled)."""
        row = self.conn.execute(
            "SELECT st.next_due FROM source_state st WHERE st.next_due IS NOT NULL "
            "AND st.retired_at IS NULL AND EXISTS (SELECT 1 FROM sources s "
            "WHERE s.name = st.name) ORDER BY st.next_due LIMIT 1"
        ).fetchone()
        return parse_time(row[0]) if row else None

    def failing(self, threshold: int) -> list[str]:
        """Names of the sources (any level) with at least `threshold` consecutive failures."""
        return [
            r[0]
            for r in self.conn.execute(
                "SELECT st.name FROM source_state st JOIN sources s ON s.name = st.name "
                "WHERE st.failures >= ? AND st.retired_at IS NULL ORDER BY st.name",
                [threshold],
            )
        ]

    def status_rows(self, *, include_articles: bool) -> list[dict[str, Any]]:
        """Per source, its definition and state, as plain dicts (times as ISO text).

        Keys: name, kind, origin, parent, url, interval, last_checked, last_outcome,
        last_change, last_error, failures, next_due, retired_at, deferred_reason (why the
        last check was deferred, when it was; None otherwise), and for feeds and folders
        `articles` / `retired_articles` (how many articles found through them are checked /
        retired). A feed's or folder's `last_change` is its articles' newest. Top-level
        sources only, unless `include_articles`; each feed or folder is followed by its
        articles.
        """
        where = "" if include_articles else "WHERE s.parent IS NULL "
        return self._rows(
            "SELECT s.name, s.kind, s.origin, s.parent, s.url, s.interval, st.last_checked, "
            "st.last_outcome, CASE WHEN s.kind IN ('feed', 'dir') THEN (SELECT "
            " max(cs.last_change) FROM sources c JOIN source_state cs ON cs.name = c.name "
            " WHERE c.parent = s.name) ELSE st.last_change END AS last_change, "
            "st.last_error, coalesce(st.failures, 0) "
            "AS failures, st.next_due, st.retired_at, "
            "CASE WHEN st.last_outcome = 'deferred' THEN (SELECT f.error FROM fetch_log f "
            " WHERE f.source = s.name ORDER BY f.checked_at DESC, f.id DESC LIMIT 1) "
            "END AS deferred_reason, "
            "(SELECT count(*) FROM sources c LEFT JOIN source_state cs ON cs.name = c.name "
            " WHERE c.parent = s.name AND cs.retired_at IS NULL) AS articles, "
            "(SELECT count(*) FROM sources c JOIN source_state cs ON cs.name = c.name "
            " WHERE c.parent = s.name AND cs.retired_at IS NOT NULL) AS retired_articles "
            "FROM sources s LEFT JOIN source_state st ON st.name = s.name "
            f"{where}ORDER BY coalesce(s.parent, s.name), s.parent IS NOT NULL, s.name"
        )

    # -- the service's heartbeat ----------------------------------------------------------

    def service_started(self, pid: int, hostname: str, version: str, now: datetime) -> None:
        """Record that a service started on this database (replacing the previous record)."""
        with self.transaction():
            self.conn.execute(
                "INSERT OR REPLACE INTO service (id, pid, hostname, version, started_at, "
                "heartbeat_at, stopped_at) VALUES (1, ?, ?, ?, ?, ?, NULL)",
                [pid, hostname, version, utc_iso(now), utc_iso(now)],
            )

    def heartbeat(self, now: datetime) -> None:
        """The running service says it is alive (every ~10 s)."""
        with self.transaction():
            self.conn.execute("UPDATE service SET heartbeat_at = ? WHERE id = 1", [utc_iso(now)])

    def service_stopped(self, now: datetime) -> None:
        """The service stopped cleanly."""
        with self.transaction():
            self.conn.execute(
                "UPDATE service SET heartbeat_at = ?, stopped_at = ? WHERE id = 1",
                [utc_iso(now), utc_iso(now)],
            )

    def service_info(self) -> dict[str, Any] | None:
        """pid, hostname, version, started_at, heartbeat_at, stopped_at (ISO text or None)
        of the last service that ran on this database; None if none ever did."""
        rows = self._rows(
            "SELECT pid, hostname, version, started_at, heartbeat_at, stopped_at "
            "FROM service WHERE id = 1"
        )
        return rows[0] if rows else None
