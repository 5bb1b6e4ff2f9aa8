"""The alert outbox: enqueue filters, the transactional outbox, marking and the retry schedule."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from monitor.errors import UsageError
from monitor.models import Change, ChangeType, Claim, Document, Source, Webhook
from monitor.outbox import (
    MAX_ATTEMPTS,
    PULL_IN,
    RETRY_DELAYS,
    Outbox,
    Outcome,
    matches,
    new_msg_id,
    retry_delay,
)
from monitor.store import Store, parse_time, utc_iso

NOW = datetime(2024, 12, 9, 12, 0, tzinfo=UTC)
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


class FixedRng:
    """uniform() returns the same point of every range: 0 = low end, 0.5 = middle, 1 = top."""

    def __init__(self, at: float = 0.5) -> None:
        self.at = at

    def uniform(self, a: float, b: float) -> float:
        return a + (b - a) * self.at


class StepRng:
    """uniform() returns a different point of the range on each call (0, 0.25, 0.5, ...)."""

    def __init__(self) -> None:
        self.calls = 0

    def uniform(self, a: float, b: float) -> float:
        self.calls += 1
        return a + (b - a) * ((self.calls - 1) % 5) / 4




def hook(name: str, **kw) -> Webhook:
    kw.setdefault("url", f"https://hooks.example.com/{name}")
    if kw.get("kind", "json") == "json":
        kw.setdefault("secret", SECRET)
    return Webhook(name=name, kind=kw.pop("kind", "json"), **kw)


def claim(text: str, position: int = 0) -> Claim:
    return Claim(text=text, norm=text.lower(), key=text.lower(), position=position)


def save(store: Store, source: Source, *types: ChangeType, now: datetime = NOW) -> list[int]:
    """Store a version of `source` with one change per type; returns the new change ids."""
    before = store.db.execute("SELECT coalesce(max(id), 0) FROM changes").fetchone()[0]
    changes = [Change(type=t, claim=f"claim {i} of {source.name}") for i, t in enumerate(types)]
    store.save_version(source, Document(url=source.url, text="text", title="T"),
                       text_hash=f"h{before}", claims=[claim("c")], changes=changes, now=now)
    return [r[0] for r in store.db.execute(
        "SELECT id FROM changes WHERE id > ? ORDER BY id", [before]).fetchall()]


def rows(store: Store, sql: str, params=()) -> list[dict]:
    return [dict(r) for r in store.db.query(sql, params)]


# -- pure decisions ---------------------------------------------------------------------------


@pytest.mark.parametrize("attempts, expected", [
    (0, None), (1, 5), (2, 300), (3, 1800), (4, 7200), (5, 18000), (6, 36000), (7, 86400),
    (8, 86400), (9, None), (10, None),
], ids=["none-yet", "5s", "5m", "30m", "2h", "5h", "10h", "1d", "1d-again", "exhausted",
        "past-the-end"])
def test_retry_schedule(attempts, expected):
    assert retry_delay(attempts, FixedRng(0.5)) == expected


def test_retry_schedule_spans_about_three_days_with_jitter():
    assert MAX_ATTEMPTS == len(RETRY_DELAYS) + 1 == 9
    total = sum(RETRY_DELAYS)
    assert 2.5 * 86400 < total < 3 * 86400  # the last try comes about 2.7 days after the first
    assert retry_delay(1, FixedRng(0.0)) == pytest.approx(4.0)
    assert retry_delay(1, FixedRng(1.0)) == pytest.approx(6.0)
    assert retry_delay(7, FixedRng(1.0)) == pytest.approx(86400 * 1.2)


@pytest.mark.parametrize("webhook, change_type, names, expected", [
    (hook("a"), "new_claim", {"s"}, True),
    (hook("a", types=("updated_claim",)), "new_claim", {"s"}, False),
    (hook("a", types=("updated_claim", "new_claim")), "new_claim", {"s"}, True),
    (hook("a", sources=("s",)), "new_claim", {"s", "tag"}, True),
    (hook("a", sources=("tag",)), "new_claim", {"s", "tag"}, True),
    (hook("a", sources=("other",)), "new_claim", {"s", "tag"}, False),
    (hook("a", min_severity="high"), "updated_claim", {"s"}, False),
    (hook("a", min_severity="high"), "retracted_claim", {"s"}, True),
    (hook("a", min_severity="critical"), "retracted_claim", {"s"}, False),
    (hook("a", min_severity="critical"), "contradicted_claim", {"s"}, True),
    (hook("a", min_severity="medium", types=("new_claim",)), "new_claim", {"s"}, False),
], ids=["all", "type-excluded", "type-listed", "source-name", "source-tag", "source-other",
        "medium-below-high", "high-at-high", "high-below-critical", "critical",
        "type-ok-severity-too-low"])
def test_matches(webhook, change_type, names, expected):
    assert matches(webhook, change_type, names) is expected


def test_msg_ids_are_unique_and_prefixed():
    ids = {new_msg_id() for _ in range(500)}
    assert len(ids) == 500
    assert all(i.startswith("msg_") and i[4:].isalnum() and len(i) == 28 for i in ids)


# -- enqueue ------------------------------------------------------------------------------------


def test_every_change_gets_one_delivery_per_matching_endpoint(store):
    outbox = Outbox(store)
    for h in (hook("all"), hook("critical", min_severity="critical"),
              hook("syria", kind="slack", sources=("syria",)),
              hook("feed", sources=("wire",)), hook("updates", types=("updated_claim",))):
        outbox.add_webhook(h, now=NOW)
    feed = Source("wire", "https://example.com/feed", kind="feed", tags=("syria",))
    store.add_source(feed, now=NOW)
    article = Source("wire/story", "https://example.com/story", tags=(), parent="wire",
                     origin="feed")
    store.add_child(article, now=NOW)
    other = Source("other", "https://example.com/other")
    store.add_source(other, now=NOW)

    ids = save(store, article, ChangeType.NEW, ChangeType.CONTRADICTED)
    save(store, other, ChangeType.UPDATED)

    got = {(r["change_id"], r["webhook"]) for r in rows(store, "SELECT * FROM deliveries")}
    new, contradicted = ids
    updated = ids[-1] + 1
    assert got == {
        (new, "all"), (new, "syria"), (new, "feed"),
        (contradicted, "all"), (contradicted, "critical"), (contradicted, "syria"),
        (contradicted, "feed"),
        (updated, "all"), (updated, "updates"),
    }
    for r in rows(store, "SELECT * FROM deliveries"):
        assert r["state"] == "pending" and r["attempts"] == 0
        assert r["next_attempt_at"] == r["created_at"] == utc_iso(NOW)
    msg_ids = [r["msg_id"] for r in rows(store, "SELECT msg_id FROM deliveries")]
    assert len(set(msg_ids)) == len(msg_ids)


def test_no_endpoint_means_no_delivery_and_no_cost(store):
    source = Source("s", "https://example.com/s")
    assert len(save(store, source, ChangeType.NEW)) == 1
    assert rows(store, "SELECT * FROM deliveries") == []


def test_a_failing_delivery_insert_rolls_back_the_change_and_its_version(store):
    Outbox(store).add_webhook(hook("a"), now=NOW)
    Outbox(store).add_webhook(hook("b"), now=NOW)
    store.db.execute("CREATE TRIGGER boom BEFORE INSERT ON deliveries WHEN NEW.webhook = 'b' "
                     "BEGIN SELECT RAISE(ABORT, 'disk full'); END")
    with pytest.raises(sqlite3.IntegrityError, match="disk full"):
        save(store, Source("s", "https://example.com/s"), ChangeType.NEW, ChangeType.UPDATED)
    for table in ("versions", "claims", "changes", "deliveries"):
        assert rows(store, f"SELECT * FROM {table}") == [], table


def test_a_failing_change_insert_leaves_no_delivery(store):
    Outbox(store).add_webhook(hook("a"), now=NOW)
    store.db.execute("CREATE TRIGGER boom BEFORE INSERT ON changes WHEN NEW.type = "
                     "'updated_claim' BEGIN SELECT RAISE(ABORT, 'disk full'); END")
    with pytest.raises(sqlite3.IntegrityError, match="disk full"):
        save(store, Source("s", "https://example.com/s"), ChangeType.NEW, ChangeType.UPDATED)
    assert rows(store, "SELECT * FROM changes") == []
    assert rows(store, "SELECT * FROM deliveries") == []
    # and the store still works afterwards
    store.db.execute("DROP TRIGGER boom")
    save(store, Source("s", "https://example.com/s"), ChangeType.NEW, ChangeType.UPDATED)
    assert len(rows(store, "SELECT * FROM deliveries")) == 2


# -- due, marking -------------------------------------------------------------------------------


def test_due_groups_per_endpoint_with_alert_fields(store):
    outbox = Outbox(store)
    outbox.add_webhook(hook("a"), now=NOW)
    outbox.add_webhook(hook("b", kind="slack"), now=NOW)
    store.add_source(Source("wire", "https://example.com/feed", kind="feed", tags=("syria",)),
                     now=NOW)
    article = Source("wire/x", "https://example.com/x", tags=("local",), parent="wire")
    store.add_child(article, now=NOW)
    change_ids = save(store, article, ChangeType.CONTRADICTED, ChangeType.NEW)
    assert outbox.due(NOW - timedelta(seconds=1)) == []
    due = {d.webhook.name: d for d in outbox.due(NOW)}
    assert set(due) == {"a", "b"}
    alerts = due["a"].alerts
    assert [a.change_id for a in alerts] == change_ids
    first = alerts[0]
    assert first.type == ChangeType.CONTRADICTED and first.severity == "critical"
    assert first.source == "wire/x" and first.url == "https://example.com/x"
    assert first.tags == ("local", "syria")
    assert first.article_title == "T" and first.detected_at == utc_iso(NOW)
    assert first.webhook == "a" and first.msg_id.startswith("msg_")
    assert alerts[1].severity == "low"


def test_retry_marks_schedule_and_exhaustion(store):
    outbox = Outbox(store)
    outbox.add_webhook(hook("a"), now=NOW)
    save(store, Source("s", "https://example.com/s"), ChangeType.NEW)
    (delivery,) = rows(store, "SELECT * FROM deliveries")
    msg_id = delivery["msg_id"]
    when = NOW
    for attempt in range(1, MAX_ATTEMPTS + 1):
        assert [d.alerts[0].msg_id for d in outbox.due(when)] == [msg_id]
        states = outbox.record("a", [delivery["id"]], Outcome("retry", status=503,
                               error="HTTP 503"), now=when, rng=FixedRng(), retry_after_cap=60)
        row = rows(store, "SELECT * FROM deliveries")[0]
        assert row["attempts"] == attempt and row["msg_id"] == msg_id
        if attempt < MAX_ATTEMPTS:
            assert states == {delivery["id"]: "pending"}
            assert row["next_attempt_at"] == utc_iso(when + timedelta(
                seconds=RETRY_DELAYS[attempt - 1]))
            assert outbox.due(parse_time(row["next_attempt_at"]) - timedelta(seconds=1)) == []
            when = parse_time(row["next_attempt_at"])
        else:
            assert states == {delivery["id"]: "failed"}
            assert row["next_attempt_at"] is None
    assert when - NOW > timedelta(days=2.5)
    log = outbox.attempts(delivery["id"])
    assert len(log) == MAX_ATTEMPTS and {a.status for a in log} == {503}


@pytest.mark.parametrize("retry_after, cap, expect_backoff", [
    (120.0, 3600, 120), (10**7, 3600, 3600), (None, 3600, None), (2.0, 3600, 2),
], ids=["seconds", "capped", "absent", "shorter-than-schedule"])
def test_retry_after_backs_off_only_that_endpoint(store, retry_after, cap, expect_backoff):
    outbox = Outbox(store)
    outbox.add_webhook(hook("a"), now=NOW)
    outbox.add_webhook(hook("b"), now=NOW)
    save(store, Source("s", "https://example.com/s"), ChangeType.NEW, ChangeType.UPDATED)
    first = rows(store, "SELECT id FROM deliveries WHERE webhook = 'a' ORDER BY id")[0]["id"]
    outbox.record("a", [first], Outcome("retry", status=429, retry_after=retry_after),
                  now=NOW, rng=FixedRng(), retry_after_cap=cap)
    status = outbox.status("a")
    row = rows(store, "SELECT next_attempt_at FROM deliveries WHERE id = ?", [first])[0]
    if expect_backoff is None:
        assert status.backoff_until is None
        assert {d.webhook.name for d in outbox.due(NOW)} == {"a", "b"}
    else:
        until = NOW + timedelta(seconds=expect_backoff)
        assert status.backoff_until == utc_iso(until)
        assert row["next_attempt_at"] == utc_iso(max(until, NOW + timedelta(seconds=5)))
        assert status.state(NOW) == "backing off"
        assert {d.webhook.name for d in outbox.due(NOW)} == {"b"}
        assert {d.webhook.name for d in outbox.due(until)} == {"a", "b"}


def test_gone_disables_skips_queued_and_future_alerts_until_enabled(store):
    outbox = Outbox(store)
    outbox.add_webhook(hook("a"), now=NOW)
    outbox.add_webhook(hook("b"), now=NOW)
    save(store, Source("s", "https://example.com/s"), ChangeType.NEW, ChangeType.UPDATED)
    first, second = [r["id"] for r in rows(
        store, "SELECT id FROM deliveries WHERE webhook = 'a' ORDER BY id")]
    outbox.record("a", [first], Outcome("gone", status=410, error="HTTP 410 Gone"), now=NOW,
                  rng=FixedRng(), retry_after_cap=60)
    status = outbox.status("a")
    assert status.state(NOW) == "disabled" and status.disabled_reason == "HTTP 410 Gone"
    states = {r["id"]: r["state"] for r in rows(
        store, "SELECT id, state FROM deliveries WHERE webhook = 'a'")}
    assert states == {first: "failed", second: "skipped"}
    save(store, Source("s", "https://example.com/s"), ChangeType.NEW)
    newest = rows(store, "SELECT * FROM deliveries WHERE webhook = 'a' ORDER BY id DESC")[0]
    assert newest["state"] == "skipped" and newest["next_attempt_at"] is None
    assert {d.webhook.name for d in outbox.due(NOW)} == {"b"}

    assert outbox.enable_webhook("a") is True
    assert outbox.enable_webhook("a") is False
    save(store, Source("s", "https://example.com/s"), ChangeType.NEW)
    assert [a.change_id for d in outbox.due(NOW) if d.webhook.name == "a"
            for a in d.alerts] == [4]


def test_delivered_digest_logs_one_attempt_per_alert(store):
    outbox = Outbox(store)
    outbox.add_webhook(hook("a", kind="slack"), now=NOW)
    save(store, Source("s", "https://example.com/s"), *[ChangeType.NEW] * 3)
    ids = [r["id"] for r in rows(store, "SELECT id FROM deliveries")]
    states = outbox.record("a", ids, Outcome("delivered", status=200, duration_ms=12),
                           now=NOW, rng=FixedRng(), retry_after_cap=60)
    assert set(states.values()) == {"delivered"}
    assert [(a.digest_size, a.duration_ms, a.status) for i in ids
            for a in outbox.attempts(i)] == [(3, 12, 200)] * 3
    assert outbox.due(NOW) == []
    assert outbox.pending() == (0, None)


def test_retry_requeues_now_with_a_fresh_budget(store):
    outbox = Outbox(store)
    outbox.add_webhook(hook("a"), now=NOW)
    save(store, Source("s", "https://example.com/s"), *[ChangeType.NEW] * 3)
    one, two, three = [r["id"] for r in rows(store, "SELECT id FROM deliveries ORDER BY id")]
    outbox.record("a", [one], Outcome("failed", status=400), now=NOW, rng=FixedRng(),
                  retry_after_cap=60)
    outbox.record("a", [two], Outcome("failed", status=404), now=NOW, rng=FixedRng(),
                  retry_after_cap=60)
    outbox.record("a", [three], Outcome("delivered", status=200), now=NOW, rng=FixedRng(),
                  retry_after_cap=60)
    assert [d.id for d in outbox.deliveries(failed=True)] == [two, one]
    with pytest.raises(UsageError, match="already delivered"):
        outbox.retry([one, three], now=NOW)
    with pytest.raises(UsageError, match="unknown delivery 99"):
        outbox.retry([99], now=NOW)
    assert outbox.get_delivery(one).state == "failed"  # nothing changed

    later = NOW + timedelta(hours=1)
    assert outbox.retry(all_failed=True, now=later) == [one, two]
    for delivery_id in (one, two):
        d = outbox.get_delivery(delivery_id)
        assert (d.state, d.attempts, d.next_attempt_at) == ("pending", 0, utc_iso(later))
    assert outbox.pending() == (2, utc_iso(later))
    outbox.remove_webhook("a", now=later)
    with pytest.raises(UsageError, match="was removed"):
        outbox.retry([one], now=later)


@pytest.mark.parametrize("before, states, delay", [
    ([0, 0, 0, 0, 0], ["pending"] * 5, 5),
    ([0, 3, 0, 1, 0], ["pending"] * 5, 7200),
    ([0, 8, 2, 0, 0], ["pending", "failed", "pending", "pending", "pending"], 1800),
    ([8, 8, 8, 8, 8], ["failed"] * 5, None),
], ids=["fresh", "oldest-sets-the-time", "exhausted-one-fails", "all-exhausted"])
def test_a_failed_digest_is_retried_at_one_time_for_all_its_alerts(store, before, states,
                                                                   delay):
    outbox = Outbox(store)
    outbox.add_webhook(hook("team", kind="slack"), now=NOW)
    save(store, Source("s", "https://example.com/s"), *[ChangeType.NEW] * 5)
    ids = [r["id"] for r in rows(store, "SELECT id FROM deliveries ORDER BY id")]
    for delivery_id, attempts in zip(ids, before, strict=True):
        store.db.execute("UPDATE deliveries SET attempts = ? WHERE id = ?", [attempts, delivery_id])
    rng = StepRng()
    got = outbox.record("team", ids, Outcome("retry", status=500, error="HTTP 500"), now=NOW,
                        rng=rng, retry_after_cap=60)
    assert [got[i] for i in ids] == states
    assert rng.calls == (0 if delay is None else 1)  # one draw for the whole message
    times = {r["next_attempt_at"] for r in rows(
        store, "SELECT next_attempt_at FROM deliveries WHERE state = 'pending'")}
    if delay is None:
        assert times == set()
        return
    (when,) = times
    assert parse_time(when) == NOW + timedelta(seconds=delay * 0.8)  # StepRng's first point
    (due,) = outbox.due(parse_time(when))
    assert [a.delivery_id for a in due.alerts] == [
        i for i, state in zip(ids, states, strict=True) if state == "pending"]


@pytest.mark.parametrize("kind, expected", [
    ("slack", ["now", "in-5m"]), ("json", ["now"]),
], ids=["slack-pulls-in", "json-does-not"])
def test_due_pulls_in_alerts_due_soon_for_a_digesting_endpoint(store, kind, expected):
    outbox = Outbox(store)
    outbox.add_webhook(hook("a", kind=kind), now=NOW)
    save(store, Source("s", "https://example.com/s"), *[ChangeType.NEW] * 3)
    offsets = {"now": 0, "in-5m": 300, "in-20m": 1200}
    ids = {}
    for (label, seconds), row in zip(offsets.items(), rows(
            store, "SELECT id FROM deliveries ORDER BY id"), strict=True):
        ids[row["id"]] = label
        store.db.execute("UPDATE deliveries SET next_attempt_at = ? WHERE id = ?",
                         [utc_iso(NOW + timedelta(seconds=seconds)), row["id"]])
    assert PULL_IN["slack"] < offsets["in-20m"]
    (due,) = outbox.due(NOW)
    assert [ids[a.delivery_id] for a in due.alerts] == expected
    assert outbox.due(NOW - timedelta(seconds=1)) == []  # nothing due now: nothing pulled in


def test_due_limits_each_endpoint_and_skips_busy_ones(store):
    outbox = Outbox(store)
    outbox.add_webhook(hook("a"), now=NOW)
    outbox.add_webhook(hook("b", types=("updated_claim",)), now=NOW)
    save(store, Source("s", "https://example.com/s"), *[ChangeType.NEW] * 3)
    save(store, Source("s", "https://example.com/s"), ChangeType.UPDATED)
    due = {d.webhook.name: len(d.alerts) for d in outbox.due(NOW, limit=2)}
    assert due == {"a": 2, "b": 1}  # a backlog for one endpoint does not starve another
    assert [d.webhook.name for d in outbox.due(NOW, skip={"a"})] == ["b"]


@pytest.mark.parametrize("outcome", [
    Outcome("retry", status=500, error="HTTP 500"), Outcome("delivered", status=200),
    Outcome("failed", status=400, error="HTTP 400"),
], ids=["retry", "delivered", "failed"])
def test_an_answer_for_a_removed_endpoint_leaves_its_delivery_cancelled(store, outcome):
    outbox = Outbox(store)
    outbox.add_webhook(hook("a"), now=NOW)
    save(store, Source("s", "https://example.com/s"), ChangeType.NEW)
    (delivery,) = rows(store, "SELECT id FROM deliveries")
    outbox.remove_webhook("a", now=NOW)  # while the request was in flight
    states = outbox.record("a", [delivery["id"]], outcome, now=NOW, rng=FixedRng(),
                           retry_after_cap=60)
    assert states == {delivery["id"]: "cancelled"}
    row = outbox.get_delivery(delivery["id"])
    assert (row.state, row.next_attempt_at, row.attempts) == ("cancelled", None, 0)
    assert [a.status for a in outbox.attempts(row.id)] == [outcome.status]  # logged anyway
    assert outbox.pending() == (0, None)


def test_logged_attempts_count_every_attempt_across_retries(store):
    outbox = Outbox(store)
    outbox.add_webhook(hook("a"), now=NOW)
    save(store, Source("s", "https://example.com/s"), ChangeType.NEW, ChangeType.NEW)
    one, two = [r["id"] for r in rows(store, "SELECT id FROM deliveries ORDER BY id")]
    for _ in range(2):
        outbox.record("a", [one], Outcome("failed", status=400), now=NOW, rng=FixedRng(),
                      retry_after_cap=60)
        outbox.retry([one], now=NOW)
    assert outbox.get_delivery(one).attempts == 0
    assert outbox.logged_attempts([one, two]) == {one: 2, two: 0}
