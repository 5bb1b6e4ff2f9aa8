"""Webhook endpoints: add, sync with the config, remove (cancelling their queue), state."""

from __future__ import annotations

from datetime import timedelta

import pytest

from monitor.endpoints import Endpoints, WebhookStatus
from monitor.errors import UsageError
from monitor.models import ChangeType, Source
from monitor.outbox import Outbox, Outcome
from monitor.store import utc_iso
from tests.test_outbox import NOW, FixedRng, hook, rows, save


@pytest.mark.parametrize(
    ("disabled_at", "backoff_until", "expected"),
    [
        (None, None, "enabled"),
        (None, utc_iso(NOW + timedelta(minutes=5)), "backing off"),
        (None, utc_iso(NOW - timedelta(minutes=5)), "enabled"),
        (utc_iso(NOW), utc_iso(NOW + timedelta(minutes=5)), "disabled"),
    ],
    ids=["enabled", "backing-off", "back-off-over", "disabled-wins"],
)
def test_webhook_state(disabled_at, backoff_until, expected):
    status = WebhookStatus(hook("a"), added_at=utc_iso(NOW), disabled_at=disabled_at,
                           backoff_until=backoff_until)
    assert status.state(NOW) == expected


def test_add_get_and_duplicate(store):
    endpoints = Endpoints(store)
    h = hook("a", types=("new_claim",), sources=("x", "y"), min_severity="low")
    endpoints.add_webhook(h, now=NOW)
    assert endpoints.get_webhook("a") == h
    with pytest.raises(UsageError, match="already exists"):
        endpoints.add_webhook(h, now=NOW)
    assert endpoints.get_webhook("nope") is None


def test_config_sync_adds_updates_keeps_state_and_removes(store):
    outbox = Outbox(store)
    outbox.add_webhook(hook("mine"), now=NOW)
    outbox.add_webhook(hook("clash"), now=NOW)
    config = [hook("cfg", origin="config"), hook("clash", kind="slack", origin="config")]
    outbox.sync_config(config, now=NOW)
    assert outbox.get_webhook("clash") == config[1]  # the config wins a name clash
    assert {s.webhook.name for s in outbox.statuses()} == {"mine", "cfg", "clash"}

    save(store, Source("s", "https://example.com/s"), ChangeType.NEW)
    ids = [r["id"] for r in rows(store, "SELECT id FROM deliveries WHERE webhook = 'cfg'")]
    outbox.record("cfg", ids, Outcome("gone", status=410, error="HTTP 410 Gone"), now=NOW,
                  rng=FixedRng(), retry_after_cap=60)
    changed = hook("cfg", origin="config", min_severity="high")
    outbox.sync_config([changed, config[1]], now=NOW)
    status = outbox.status("cfg")
    assert status.webhook == changed
    assert status.disabled_at == utc_iso(NOW)  # editing the file does not re-enable it

    save(store, Source("s", "https://example.com/s"), ChangeType.NEW, now=NOW)
    outbox.sync_config([], now=NOW + timedelta(hours=1))
    assert {s.webhook.name for s in outbox.statuses()} == {"mine"}
    states = {r["webhook"]: r["state"] for r in rows(
        store, "SELECT webhook, state FROM deliveries WHERE change_id = 2")}
    assert states == {"mine": "pending", "clash": "cancelled"}


def test_remove_cancels_queued_alerts_and_keeps_history(store):
    outbox = Outbox(store)
    outbox.add_webhook(hook("a"), now=NOW)
    save(store, Source("s", "https://example.com/s"), ChangeType.NEW, ChangeType.UPDATED)
    first = rows(store, "SELECT id FROM deliveries ORDER BY id")[0]["id"]
    outbox.record("a", [first], Outcome("delivered", status=200), now=NOW, rng=FixedRng(),
                  retry_after_cap=60)
    assert outbox.remove_webhook("a", now=NOW) == 1
    assert [r["state"] for r in rows(store, "SELECT state FROM deliveries ORDER BY id")] == [
        "delivered", "cancelled"]
    assert outbox.get_webhook("a") is None
    with pytest.raises(UsageError, match="unknown webhook"):
        outbox.remove_webhook("a", now=NOW)
