"""Alert formatting: the signed JSON payload, the JSON notifier, the registry, the sample."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from standardwebhooks.webhooks import Webhook as Receiver

from monitor.alerts import (
    NOTIFIERS,
    PAYLOAD_VERSION,
    JsonNotifier,
    event_type,
    json_payload,
    sample_alert,
)
from monitor.models import SEVERITY, Alert, ChangeType
from monitor.signing import SecretError, generate_secret
from monitor.slack import SlackNotifier

NOW = datetime(2026, 11, 21, 19, 45, tzinfo=UTC)
PREVIOUS = ("At least 300 prisoners were freed from Sednaya prison overnight, "
            "the Syrian Observatory for Human Rights said.")
CLAIM = PREVIOUS.replace("300", "3,000")


def make_alert(n: int = 1, **fields: Any) -> Alert:
    change_type = fields.pop("type", ChangeType.UPDATED)
    values: dict[str, Any] = {
        "delivery_id": n, "msg_id": f"msg_{n:04d}", "webhook": "newsroom", "change_id": 100 + n,
        "type": change_type, "severity": SEVERITY[change_type.value],
        "source": "inbox/jalali.txt", "url": "https://news.example.com/world/jalali",
        "article_title": "Syrian PM Jalali stays in Damascus", "claim": CLAIM,
        "previous_claim": PREVIOUS, "baseline_claim": None, "baseline_source": None,
        "details": {"changed": [{"kind": "number", "old": "300", "new": "3000"}]},
        "detected_at": "2026-11-21T19:43:04Z", "version_id": 2, "tags": ("syria",),
    }
    values.update(fields)
    return Alert(**values)


# -- JSON payload ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change_type", "expected"),
    [
        (ChangeType.NEW, "claim.new"),
        (ChangeType.UPDATED, "claim.updated"),
        (ChangeType.CONTRADICTED, "claim.contradicted"),
        (ChangeType.RETRACTED, "claim.retracted"),
    ],
    ids=["new", "updated", "contradicted", "retracted"],
)
def test_event_type(change_type: ChangeType, expected: str) -> None:
    assert event_type(change_type) == expected


def test_json_payload_round_trips_every_field() -> None:
    alert = make_alert(
        7, type=ChangeType.CONTRADICTED, claim="Zürich – «refused» to cooperate 🚨",
        previous_claim="Zürich pledged cooperation", baseline_claim="Jalali pledged cooperation",
        baseline_source="001_faf6987c39893a7f.txt", tags=("syria", "pm"),
        details={"changed": [{"old": "Lattakia", "new": None, "kind": "entity"}]},
    )
    body = json_payload(alert, timestamp=NOW)
    payload = json.loads(body)
    assert list(payload) == ["type", "timestamp", "version", "data"]
    assert payload["type"] == "claim.contradicted"
    assert payload["timestamp"] == "2026-11-21T19:45:00Z"
    assert payload["version"] == PAYLOAD_VERSION == 1
    assert payload["data"] == {
        "id": 107, "type": "contradicted_claim", "severity": "critical",
        "source": "inbox/jalali.txt", "tags": ["syria", "pm"],
        "url": "https://news.example.com/world/jalali",
        "article_title": "Syrian PM Jalali stays in Damascus",
        "claim": "Zürich – «refused» to cooperate 🚨",
        "previous_claim": "Zürich pledged cooperation",
        "baseline_claim": "Jalali pledged cooperation",
        "baseline_source": "001_faf6987c39893a7f.txt",
        "details": {"changed": [{"kind": "entity", "new": None, "old": "Lattakia"}]},
        "detected_at": "2026-11-21T19:43:04Z", "version_id": 2,
        "delivery_id": 7, "msg_id": "msg_0007",
    }
    # compact UTF-8 (no \u escapes, no spaces between tokens)
    assert body == json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    assert "Zürich – «refused» to cooperate 🚨".encode() in body


def test_json_payload_is_deterministic() -> None:
    one = make_alert(details={"changed": [{"kind": "number", "old": "300", "new": "3000"}]})
    other = dataclasses.replace(
        one, details={"changed": [{"new": "3000", "old": "300", "kind": "number"}]}
    )
    assert json_payload(one, timestamp=NOW) == json_payload(other, timestamp=NOW)
    assert json_payload(one, timestamp=NOW) == json_payload(one, timestamp=NOW)


def test_json_payload_with_nulls_and_a_naive_timestamp() -> None:
    alert = make_alert(type=ChangeType.NEW, previous_claim=None, article_title=None,
                       version_id=None, details={}, tags=())
    payload = json.loads(json_payload(alert, timestamp=datetime(2026, 1, 2, 3, 4, 5)))
    assert payload["timestamp"] == "2026-01-02T03:04:05Z"
    data = payload["data"]
    assert (data["previous_claim"], data["article_title"], data["version_id"]) == (None,) * 3
    assert (data["details"], data["tags"]) == ({}, [])


def test_json_notifier_signs_each_alert_for_the_reference_receiver() -> None:
    secret = generate_secret()
    alerts = [make_alert(n) for n in (1, 2, 3, 4, 5)]
    now = datetime.now(UTC)
    sent = JsonNotifier().build(alerts, secret=secret, now=now)
    assert [o.delivery_ids for o in sent] == [(1,), (2,), (3,), (4,), (5,)]
    for alert, out in zip(alerts, sent, strict=True):
        assert out.headers["Content-Type"] == "application/json"
        assert out.headers["webhook-id"] == out.msg_id == alert.msg_id
        assert out.headers["webhook-timestamp"] == str(int(now.timestamp()))
        payload = Receiver(secret).verify(out.body, dict(out.headers))
        assert payload["data"]["msg_id"] == alert.msg_id
        # the payload's timestamp is the event's: the body is the same on every retry
        assert payload["timestamp"] == alert.detected_at


def test_a_retry_keeps_id_and_body_and_signs_anew() -> None:
    secret = generate_secret()
    alert = make_alert()
    now = datetime.now(UTC)
    first = JsonNotifier().build([alert], secret=secret, now=now - timedelta(seconds=90))[0]
    retry = JsonNotifier().build([alert], secret=secret, now=now)[0]
    assert retry.headers["webhook-id"] == first.headers["webhook-id"] == alert.msg_id
    assert retry.body == first.body
    assert retry.headers["webhook-signature"] != first.headers["webhook-signature"]
    Receiver(secret).verify(retry.body, dict(retry.headers))
    Receiver(secret).verify(first.body, dict(first.headers))


def test_json_notifier_without_a_secret_refuses() -> None:
    with pytest.raises(SecretError):
        JsonNotifier().build([make_alert()], secret=None, now=NOW)


def test_registry() -> None:
    assert set(NOTIFIERS) == {"json", "slack"}
    assert isinstance(NOTIFIERS["json"], JsonNotifier)
    assert isinstance(NOTIFIERS["slack"], SlackNotifier)


# -- hostile text ----------------------------------------------------------------------------

HOSTILE = [
    "<!channel> Assad fled.",
    "<!here> Assad fled.",
    "Ask <@U123> about it.",
    "Read <https://evil.example|the full story> now.",
    "Total: {{7*7}} ${7*7} prisoners.",
    'Photo <img src=x onerror=alert(1)> caption.',
    "AT&amp;T and AT&T &lt;sic&gt; said so.",
    "<!everyone> <#C123> <!subteam^S1|@team> <mailto:a@b.c|mail> >quote",
]
HOSTILE_IDS = ["channel", "here", "user", "link", "template", "img", "entities", "mixed"]


@pytest.mark.parametrize("text", HOSTILE, ids=HOSTILE_IDS)
def test_hostile_text_arrives_literally_in_json(text: str) -> None:
    secret = generate_secret()
    alert = make_alert(claim=text, previous_claim=text + " Update", article_title=text,
                       source=text, baseline_claim=text, baseline_source=text)
    out = JsonNotifier().build([alert], secret=secret, now=datetime.now(UTC))[0]
    data = Receiver(secret).verify(out.body, dict(out.headers))["data"]
    for key in ("claim", "article_title", "source", "baseline_claim", "baseline_source"):
        assert data[key] == text
    assert data["previous_claim"] == text + " Update"


# -- the sample alert ------------------------------------------------------------------------


def test_sample_alert_is_a_signed_json_alert() -> None:
    now = datetime.now(UTC)
    alert = sample_alert(now)
    assert alert.type is ChangeType.UPDATED and "test" in alert.tags
    assert sample_alert(now).msg_id == alert.msg_id
    assert sample_alert(now + timedelta(seconds=1)).msg_id != alert.msg_id
    secret = generate_secret()
    sent = NOTIFIERS["json"].build([alert], secret=secret, now=now)
    payload = Receiver(secret).verify(sent[0].body, dict(sent[0].headers))
    assert payload["type"] == "claim.updated"
    assert payload["data"]["details"]["changed"] == [{"kind": "number", "new": "3000",
                                                      "old": "300"}]
