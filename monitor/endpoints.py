"""Webhook endpoints in the database: their definitions (from the config and the CLI), their
state (disabled by a 410, backing off after a Retry-After) and their delivery counts.

`Endpoints` is the base of monitor.outbox.Outbox, which adds the deliveries. Removing an
endpoint cancels its queued alerts; its delivery history stays.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .clock import utc_iso
from .errors import UsageError
from .models import Webhook

if TYPE_CHECKING:
    import sqlite_utils

    from .store import Store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WebhookStatus:
    """An endpoint with its delivery state and counts (for `webhooks list`)."""

    webhook: Webhook
    added_at: str
    disabled_at: str | None = None
    disabled_reason: str | None = None
    backoff_until: str | None = None
    pending: int = 0
    delivered: int = 0
    failed: int = 0

    def state(self, now: datetime) -> str:
        if self.disabled_at is not None:
            return "disabled"
        if self.backoff_until is not None and self.backoff_until > utc_iso(now):
            return "backing off"
        return "enabled"


class Endpoints:
    """The webhook endpoints in one Store's database."""

    def __init__(self, store: Store) -> None:
        self.store = store

    @property
    def db(self) -> sqlite_utils.Database:
        """The store's sqlite-utils view, loaded on first use (not by a check with no
        webhooks)."""
        return self.store.db

    def add_webhook(self, hook: Webhook, *, now: datetime) -> None:
        """Insert a new endpoint; a name in use is a UsageError."""
        if self.get_webhook(hook.name) is not None:
            raise UsageError(f"a webhook named {hook.name!r} already exists")
        with self.store.transaction():
            self.db.table("webhooks").insert({**webhook_row(hook), "added_at": utc_iso(now)})

    def sync_config(self, hooks: Sequence[Webhook], *, now: datetime) -> None:
        """Make the config's `[[webhooks]]` present as declared; the config wins a name clash.

        A changed definition keeps the endpoint's state (disabled by a 410, backing off).
        Config endpoints gone from the file are removed and their pending alerts cancelled.
        """
        wanted = {h.name: h for h in hooks}
        with self.store.transaction():
            for row in self.db.query("SELECT name, origin FROM webhooks"):
                if row["origin"] == "config" and row["name"] not in wanted:
                    self._delete(row["name"], now)
            for hook in hooks:
                existing = self.get_webhook(hook.name)
                if existing is not None and existing.origin != "config":
                    log.warning(
                        "webhook %s is defined in the config and by the CLI; the config wins",
                        hook.name,
                    )
                if existing is None:
                    self.db.table("webhooks").insert(
                        {**webhook_row(hook), "added_at": utc_iso(now)}
                    )
                elif existing != hook:
                    self.db.table("webhooks").update(hook.name, webhook_row(hook))

    def remove_webhook(self, name: str, *, now: datetime) -> int:
        """Remove an endpoint; returns how many of its queued alerts were cancelled."""
        if self.get_webhook(name) is None:
            raise UsageError(f"unknown webhook {name!r}")
        with self.store.transaction():
            return self._delete(name, now)

    def _delete(self, name: str, now: datetime) -> int:
        cursor = self.db.execute(
            "UPDATE deliveries SET state = 'cancelled', next_attempt_at = NULL, "
            "last_error = ? WHERE webhook = ? AND state IN ('pending', 'skipped')",
            [f"webhook removed at {utc_iso(now)}", name],
        )
        self.db.execute("DELETE FROM webhooks WHERE name = ?", [name])
        return int(cursor.rowcount)

    def enable_webhook(self, name: str) -> bool:
        """Clear a 410 disable and any Retry-After back-off; False if it was not disabled."""
        status = self.status(name)
        if status is None:
            raise UsageError(f"unknown webhook {name!r}")
        with self.store.transaction():
            self.db.execute(
                "UPDATE webhooks SET disabled_at = NULL, disabled_reason = NULL, "
                "backoff_until = NULL WHERE name = ?",
                [name],
            )
        return status.disabled_at is not None

    def get_webhook(self, name: str) -> Webhook | None:
        rows = list(self.db.query("SELECT * FROM webhooks WHERE name = ?", [name]))
        return webhook_from_row(rows[0]) if rows else None

    def status(self, name: str) -> WebhookStatus | None:
        found = [s for s in self.statuses() if s.webhook.name == name]
        return found[0] if found else None

    def statuses(self) -> list[WebhookStatus]:
        """Every endpoint, in name order, with its pending/delivered/failed counts."""
        counts: dict[tuple[str, str], int] = {}
        for row in self.db.query(
            "SELECT webhook, state, count(*) AS n FROM deliveries GROUP BY webhook, state"
        ):
            counts[(row["webhook"], row["state"])] = row["n"]
        return [
            WebhookStatus(
                webhook=webhook_from_row(row),
                added_at=row["added_at"],
                disabled_at=row["disabled_at"],
                disabled_reason=row["disabled_reason"],
                backoff_until=row["backoff_until"],
                pending=counts.get((row["name"], "pending"), 0),
                delivered=counts.get((row["name"], "delivered"), 0),
                failed=counts.get((row["name"], "failed"), 0),
            )
            for row in self.db.query("SELECT * FROM webhooks ORDER BY name")
        ]


def webhook_row(hook: Webhook) -> dict[str, Any]:
    """The `webhooks` table columns of a definition (its state columns are left alone)."""
    return {
        "name": hook.name,
        "kind": hook.kind,
        "url": hook.url,
        "url_env": hook.url_env,
        "secret": hook.secret,
        "secret_env": hook.secret_env,
        "types": json.dumps(list(hook.types)),
        "sources": json.dumps(list(hook.sources)),
        "min_severity": hook.min_severity,
        "origin": hook.origin,
    }


def webhook_from_row(row: dict[str, Any]) -> Webhook:
    """The definition stored in a `webhooks` row."""
    return Webhook(
        name=row["name"],
        kind=row["kind"],
        url=row["url"],
        url_env=row["url_env"],
        secret=row["secret"],
        secret_env=row["secret_env"],
        types=tuple(json.loads(row["types"] or "[]")),
        sources=tuple(json.loads(row["sources"] or "[]")),
        min_severity=row["min_severity"],
        origin=row["origin"],
    )


def sync_config_webhooks(store: Store, hooks: Sequence[Webhook], *, now: datetime) -> None:
    """`Endpoints(store).sync_config(hooks, now=now)`: the one call `Env.store()` makes."""
    Endpoints(store).sync_config(hooks, now=now)


__all__ = ["Endpoints", "WebhookStatus", "sync_config_webhooks", "webhook_from_row", "webhook_row"]
