"""The alert outbox: a delivery row per alert and endpoint, and the retry schedule.

Every change row gets one delivery row per matching endpoint, written in the same transaction
as the change (`enqueue`, called by `Store.save_version`), so a crash leaves a change with all
its deliveries or neither. A delivery's `msg_id` (the Standard Webhooks `webhook-id`) is fixed
here, once, so every re-send of the alert carries the same id and receivers can de-duplicate.

Delivery states: `pending` (to send at `next_attempt_at`), `delivered`, `failed` (a permanent
answer, or retries exhausted), `skipped` (the endpoint was disabled by a 410 when the alert was
due: not sent; `monitor deliveries retry ID` re-queues it) and `cancelled` (the endpoint was
removed). The worker in monitor.deliver sends; this module only decides and records. The
endpoints themselves (definitions, 410 disables, back-offs) are kept by monitor.endpoints.

One request is one retry time: every delivery a failed message carried is retried at the same
moment, so a Slack digest is retried as a digest. A Slack endpoint with something due also
takes its alerts due within PULL_IN (`due`), so they travel in one digest, not one by one.
"""

from __future__ import annotations

import json
import secrets
import string
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from .clock import utc_iso
from .endpoints import Endpoints, webhook_from_row
from .errors import UsageError
from .models import SEVERITY, Alert, Change, ChangeType, Source, Webhook, severity_rank

STATES = ("pending", "delivered", "failed", "skipped", "cancelled")
# Delay before retry n (after the n-th failed attempt): about three days in all, then 'failed'.
RETRY_DELAYS: tuple[float, ...] = (5, 300, 1800, 7200, 18000, 36000, 86400, 86400)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
JITTER = 0.2  # each delay moves by up to this fraction, so retries of many messages spread out
# Seconds ahead: alerts due this soon join a message going to the endpoint now (per kind).
# Slack digests them (at most one message per second per webhook); a JSON request carries
# one alert, so nothing is gained by sending early.
PULL_IN = {"slack": 600.0}
_ALPHABET = string.ascii_letters + string.digits


class Rng(Protocol):
    """The part of random.Random the schedule uses (tests inject a fixed one)."""

    def uniform(self, a: float, b: float) -> float: ...


def new_msg_id() -> str:
    """A fresh webhook-id: "msg_" and 24 random letters and digits."""
    return "msg_" + "".join(secrets.choice(_ALPHABET) for _ in range(24))


def retry_delay(attempts: int, rng: Rng) -> float | None:
    """Seconds to wait after the `attempts`-th failed attempt, or None when retries are over.

    5 s, 5 min, 30 min, 2 h, 5 h, 10 h, then daily twice (the last try about 2.7 days after
    the first), each moved by up to ±20 % of jitter.
    """
    if attempts < 1 or attempts > len(RETRY_DELAYS):
        return None
    return RETRY_DELAYS[attempts - 1] * rng.uniform(1 - JITTER, 1 + JITTER)


def matches(hook: Webhook, change_type: str, names: Iterable[str]) -> bool:
    """Whether `hook` wants a change of `change_type` whose source is known by `names`.

    `names` are the article's name and tags and, for an article found in a feed or folder,
    the parent's name and tags. Empty `types`/`sources` filters mean all.
    """
    if hook.types and change_type not in hook.types:
        return False
    if hook.sources and not set(hook.sources) & set(names):
        return False
    return severity_rank(SEVERITY[change_type]) >= severity_rank(hook.min_severity)



@dataclass(frozen=True)
class Delivery:
    """One row of the outbox."""

    id: int
    change_id: int
    webhook: str
    msg_id: str
    state: str
    attempts: int
    next_attempt_at: str | None
    last_status: int | None
    last_error: str | None
    created_at: str
    delivered_at: str | None


@dataclass(frozen=True)
class Attempt:
    """One logged send of a delivery (a digest logs one attempt per delivery it carried)."""

    delivery_id: int
    attempted_at: str
    status: int | None
    error: str | None
    duration_ms: int | None
    digest_size: int


@dataclass(frozen=True)
class Due:
    """The alerts due now for one endpoint, oldest first."""

    webhook: Webhook
    alerts: tuple[Alert, ...]


@dataclass(frozen=True)
class Outcome:
    """What one request did, as the outbox records it.

    `result` is "delivered", "retry" (try again later), "failed" (permanent) or "gone" (HTTP
    410: the delivery fails and the endpoint is disabled). `retry_after` (seconds) backs
    the whole endpoint off.
    """

    result: str
    status: int | None = None
    error: str | None = None
    duration_ms: int | None = None
    retry_after: float | None = None


class Outbox(Endpoints):
    """Endpoints (see monitor.endpoints) and their deliveries in one Store's database."""

    # -- enqueue --------------------------------------------------------------------------

    def enqueue(
        self, source: Source, changes: Sequence[tuple[int, Change]], *, now: datetime
    ) -> int:
        """Queue one delivery per (change, matching endpoint); returns how many were queued.

        Runs inside the caller's transaction (as a savepoint), so the change rows and their
        deliveries commit together. An endpoint disabled by a 410 gets a 'skipped' row.
        """
        hooks = [
            (webhook_from_row(r), r["disabled_at"])
            for r in self.db.query("SELECT * FROM webhooks ORDER BY name")
        ]
        if not hooks or not changes:
            return 0
        names = self._names(source)
        stamp = utc_iso(now)
        rows = []
        for change_id, change in changes:
            for hook, disabled_at in hooks:
                if not matches(hook, change.type.value, names):
                    continue
                row = {
                    "change_id": change_id,
                    "webhook": hook.name,
                    "msg_id": new_msg_id(),
                    "state": "pending",
                    "attempts": 0,
                    "next_attempt_at": stamp,
                    "created_at": stamp,
                }
                if disabled_at is not None:
                    row.update(
                        state="skipped",
                        next_attempt_at=None,
                        last_error="webhook disabled; not sent",
                    )
                rows.append(row)
        with self.store.transaction():
            self.db.table("deliveries").insert_all(rows)
        return sum(r["state"] == "pending" for r in rows)

    def _names(self, source: Source) -> set[str]:
        names = {source.name, *source.tags}
        if source.parent is not None:
            names.add(source.parent)
            parent = self.store.get_source(source.parent)
            if parent is not None:
                names.update(parent.tags)
        return names

    # -- sending ----------------------------------------------------------------------------

    def due(
        self, now: datetime, *, limit: int = 500, skip: Collection[str] = ()
    ) -> list[Due]:
        """Pending alerts due at `now` for enabled endpoints not backing off, per endpoint
        (the endpoint with the oldest due alert first), at most `limit` per endpoint.

        An endpoint of a kind in PULL_IN that has an alert due also gets its alerts due
        within that many seconds: they go in the same digest. Endpoints named in `skip`
        (busy ones) are left out.
        """
        stamp = utc_iso(now)
        names = [
            r["webhook"]
            for r in self.db.query(
                "SELECT d.webhook FROM deliveries d JOIN webhooks w ON w.name = d.webhook "
                "WHERE d.state = 'pending' AND d.next_attempt_at <= ? AND w.disabled_at IS NULL "
                "AND (w.backoff_until IS NULL OR w.backoff_until <= ?) "
                "GROUP BY d.webhook ORDER BY min(d.id)",
                [stamp, stamp],
            )
        ]
        tags: dict[str, tuple[str, ...]] = {}
        due = []
        for name in names:
            hook = self.get_webhook(name)
            if hook is None or name in skip:
                continue
            until = now + timedelta(seconds=PULL_IN.get(hook.kind, 0.0))
            alerts = []
            for row in self.db.query(
                "SELECT d.id AS delivery_id, d.msg_id, d.webhook, c.* FROM deliveries d "
                "JOIN changes c ON c.id = d.change_id WHERE d.webhook = ? "
                "AND d.state = 'pending' AND d.next_attempt_at <= ? ORDER BY d.id LIMIT ?",
                [name, utc_iso(until), limit],
            ):
                if row["source"] not in tags:
                    tags[row["source"]] = self._tags(row["source"])
                alerts.append(_alert(row, tags[row["source"]]))
            due.append(Due(hook, tuple(alerts)))
        return due

    def _tags(self, source_name: str) -> tuple[str, ...]:
        source = self.store.get_source(source_name)
        if source is None:
            return ()
        tags = list(source.tags)
        if source.parent is not None:
            parent = self.store.get_source(source.parent)
            tags += [t for t in (parent.tags if parent else ()) if t not in tags]
        return tuple(tags)

    def record(
        self,
        webhook: str,
        delivery_ids: Sequence[int],
        outcome: Outcome,
        *,
        now: datetime,
        rng: Rng,
        retry_after_cap: float,
    ) -> dict[int, str]:
        """Log one attempt for each delivery a request carried and mark them, atomically.

        Returns each delivery's state afterwards. Only deliveries still pending are marked:
        one cancelled (its endpoint removed) or settled elsewhere while the request was in
        flight keeps its state; the attempt is logged all the same.

        A retry comes at one time for the whole message, so a digest is retried as one:
        the delay is that of the delivery with the most attempts (a fresh alert riding
        with an old one waits as long; none is retried sooner than its own schedule
        says), drawn once. A delivery whose retries are over fails. A 410 also disables
        the endpoint and skips its other pending alerts; a Retry-After backs the endpoint
        off (at most `retry_after_cap` seconds) and no retry of these alerts comes before
        it ends.
        """
        stamp = utc_iso(now)
        backoff = (
            now + timedelta(seconds=min(outcome.retry_after, retry_after_cap))
            if outcome.retry_after is not None
            else None
        )
        states: dict[int, str] = {}
        with self.store.transaction():
            current = {
                r["id"]: (r["state"], r["attempts"] + 1)
                for r in self.db.query(
                    "SELECT id, state, attempts FROM deliveries WHERE id IN "
                    f"({','.join('?' * len(delivery_ids))})",
                    list(delivery_ids),
                )
            }
            retry_at = (
                self._retry_time(
                    [n for state, n in current.values() if state == "pending"], now, rng, backoff
                )
                if outcome.result == "retry"
                else None
            )
            for delivery_id in delivery_ids:
                if delivery_id not in current:
                    continue
                state, attempts = current[delivery_id]
                if state == "pending":
                    update: dict[str, Any] = {
                        "attempts": attempts,
                        "last_status": outcome.status,
                        "last_error": outcome.error,
                        "next_attempt_at": None,
                    }
                    if outcome.result == "delivered":
                        update.update(state="delivered", delivered_at=stamp)
                    elif outcome.result == "retry" and attempts <= len(RETRY_DELAYS):
                        assert retry_at is not None
                        update.update(state="pending", next_attempt_at=utc_iso(retry_at))
                    else:  # a permanent failure, a 410, or retries over
                        update["state"] = "failed"
                    self.db.table("deliveries").update(delivery_id, update)
                    state = update["state"]
                self.db.table("delivery_attempts").insert(
                    {
                        "delivery_id": delivery_id,
                        "attempted_at": stamp,
                        "status": outcome.status,
                        "error": outcome.error,
                        "duration_ms": outcome.duration_ms,
                        "digest_size": len(delivery_ids),
                    }
                )
                states[delivery_id] = state
            if outcome.result == "gone":
                self.db.execute(
                    "UPDATE webhooks SET disabled_at = ?, disabled_reason = ? WHERE name = ?",
                    [stamp, outcome.error or f"HTTP {outcome.status}", webhook],
                )
                self.db.execute(
                    "UPDATE deliveries SET state = 'skipped', next_attempt_at = NULL, "
                    "last_error = 'webhook disabled; not sent' "
                    "WHERE webhook = ? AND state = 'pending'",
                    [webhook],
                )
            if backoff is not None:
                self.db.execute(
                    "UPDATE webhooks SET backoff_until = ? WHERE name = ?",
                    [utc_iso(backoff), webhook],
                )
        return states

    @staticmethod
    def _retry_time(
        attempts: Sequence[int], now: datetime, rng: Rng, backoff: datetime | None
    ) -> datetime | None:
        """When a failed message whose pending deliveries have made `attempts` is tried
        again (one time for all of them); None when none has a retry left."""
        left = [n for n in attempts if n <= len(RETRY_DELAYS)]
        if not left:
            return None
        delay = retry_delay(max(left), rng)
        assert delay is not None
        when = now + timedelta(seconds=delay)
        return backoff if backoff is not None and backoff > when else when

    # -- inspection and re-queueing -----------------------------------------------------------

    def deliveries(
        self,
        *,
        failed: bool = False,
        webhook: str | None = None,
        limit: int | None = None,
    ) -> list[Delivery]:
        """Deliveries, newest first; `failed` keeps only the failed ones."""
        where: list[str] = []
        params: list[Any] = []
        if failed:
            where.append("state = 'failed'")
        if webhook is not None:
            where.append("webhook = ?")
            params.append(webhook)
        sql = "SELECT * FROM deliveries"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY id DESC"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return [Delivery(**row) for row in self.db.query(sql, params)]

    def pending(self) -> tuple[int, str | None]:
        """How many deliveries are pending for an existing endpoint, and the earliest next
        try among them."""
        row = self.db.execute(
            "SELECT count(*), min(next_attempt_at) FROM deliveries WHERE state = 'pending' "
            "AND webhook IN (SELECT name FROM webhooks)"
        ).fetchone()
        return int(row[0]), row[1]

    def get_delivery(self, delivery_id: int) -> Delivery | None:
        rows = list(self.db.query("SELECT * FROM deliveries WHERE id = ?", [delivery_id]))
        return Delivery(**rows[0]) if rows else None

    def attempts(self, delivery_id: int) -> list[Attempt]:
        return [
            Attempt(**{k: row[k] for k in Attempt.__dataclass_fields__})
            for row in self.db.query(
                "SELECT * FROM delivery_attempts WHERE delivery_id = ? ORDER BY id", [delivery_id]
            )
        ]

    def logged_attempts(self, delivery_ids: Collection[int]) -> dict[int, int]:
        """How many attempts the log holds for each of `delivery_ids` (0 when none): every
        attempt made, while a delivery's `attempts` restarts at 0 when it is re-queued."""
        counts = dict.fromkeys(delivery_ids, 0)
        ids = list(counts)
        for start in range(0, len(ids), 500):  # SQLite limits the number of parameters
            chunk = ids[start : start + 500]
            counts.update(
                (r["delivery_id"], r["n"])
                for r in self.db.query(
                    "SELECT delivery_id, count(*) AS n FROM delivery_attempts WHERE delivery_id "
                    f"IN ({','.join('?' * len(chunk))}) GROUP BY delivery_id",
                    chunk,
                )
            )
        return counts

    def retry(
        self, ids: Sequence[int] = (), *, all_failed: bool = False, now: datetime
    ) -> list[int]:
        """Re-queue deliveries to be sent now, with a fresh retry budget; returns their ids.

        Pending, failed and skipped deliveries can be re-queued; a delivered one, or one whose
        endpoint was removed, is a UsageError (and nothing is changed).
        """
        if all_failed:
            ids = [
                r["id"]
                for r in self.db.query(
                    "SELECT id FROM deliveries WHERE state = 'failed' ORDER BY id"
                )
            ]
        problems = []
        for delivery_id in ids:
            found = self.get_delivery(delivery_id)
            if found is None:
                problems.append(f"unknown delivery {delivery_id}")
            elif found.state == "delivered":
                problems.append(f"delivery {delivery_id} was already delivered")
            elif self.get_webhook(found.webhook) is None:
                problems.append(f"delivery {delivery_id}: webhook {found.webhook!r} was removed")
        if problems:
            raise UsageError("; ".join(problems))
        with self.store.transaction():
            for delivery_id in ids:
                self.db.execute(
                    "UPDATE deliveries SET state = 'pending', attempts = 0, "
                    "next_attempt_at = ? WHERE id = ?",
                    [utc_iso(now), delivery_id],
                )
        return list(ids)



def _alert(row: dict[str, Any], tags: tuple[str, ...]) -> Alert:
    return Alert(
        delivery_id=row["delivery_id"],
        msg_id=row["msg_id"],
        webhook=row["webhook"],
        change_id=row["id"],
        type=ChangeType(row["type"]),
        severity=SEVERITY[row["type"]],
        source=row["source"],
        url=row["url"],
        article_title=row["article_title"],
        claim=row["claim"],
        previous_claim=row["previous_claim"],
        baseline_claim=row["baseline_claim"],
        baseline_source=row["baseline_source"],
        details=json.loads(row["details"] or "{}"),
        detected_at=row["detected_at"],
        version_id=row["version_id"],
        tags=tags,
    )


__all__ = [
    "MAX_ATTEMPTS",
    "PULL_IN",
    "RETRY_DELAYS",
    "STATES",
    "Attempt",
    "Delivery",
    "Due",
    "Outbox",
    "Outcome",
    "matches",
    "new_msg_id",
    "retry_delay",
]
