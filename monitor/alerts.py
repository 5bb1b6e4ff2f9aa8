"""What an alert looks like on the wire: the signed JSON payload, and the notifiers.

Pure formatting: no I/O. The delivery worker asks a notifier from `NOTIFIERS` (keyed by the
webhook kind) to turn the alerts due for one endpoint into requests (`Outgoing`), sends them,
and marks `Outgoing.delivery_ids` delivered. The Slack notifier and its Block Kit messages
are in monitor.slack.

JSON payload, version 1 (`json_payload`), one per alert, compact UTF-8, keys in this order::

    {"type": "claim.updated",             # "claim." + change type without "_claim":
                                          #   claim.new, claim.updated, claim.contradicted,
                                          #   claim.retracted
     "timestamp": "2026-11-21T19:43:04Z", # when the change was detected (the event time)
     "version": 1,                        # PAYLOAD_VERSION; fields are only ever added
     "data": {
       "id": 5,                           # change id (as in `monitor changes --json`)
       "type": "updated_claim",           # new_claim | updated_claim | contradicted_claim |
                                          #   retracted_claim
       "severity": "medium",              # low (new) | medium (updated) | high (retracted) |
                                          #   critical (contradicted)
       "source": "inbox/jalali.txt",      # source name
       "tags": ["syria"],                 # the source's tags
       "url": "https://...",              # article URL (a file path for folder sources)
       "article_title": "..." | null,
       "claim": "...",                    # new claim text; the removed text if retracted
       "previous_claim": "..." | null,    # the claim it replaced in the previous version
       "baseline_claim": "..." | null,    # baseline claim it updates or contradicts
       "baseline_source": "..." | null,   # baseline document of that claim
       "details": {"changed": [{"kind": "number", "new": "3000", "old": "300"}]},
                                          # kinds: number, date, entity, role, source; old/new
                                          #   are normalised values, either may be null;
                                          #   keys sorted at every level
       "detected_at": "2026-11-21T19:43:04Z",
       "version_id": 2 | null,            # stored article version that produced it
       "delivery_id": 12,                 # this endpoint's outbox row
       "msg_id": "msg_..."}}              # = the webhook-id header, same on every retry

Headers: Content-Type application/json, webhook-id, webhook-timestamp (Unix seconds of the
attempt), webhook-signature (Standard Webhooks v1, see `monitor.signing`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from .clock import parse_time
from .models import SEVERITY, Alert, ChangeType
from .signing import SecretError, signature_headers

PAYLOAD_VERSION = 1
JSON_TYPE = "application/json"


def event_type(change_type: str) -> str:
    """The payload `type`: "updated_claim" -> "claim.updated"."""
    return "claim." + str(change_type).removesuffix("_claim")


def _iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def parse_iso(value: str) -> datetime | None:
    """An ISO 8601 time as an aware datetime (UTC when it has no offset); None if unreadable."""
    try:
        return parse_time(value)
    except ValueError:
        return None


def _sorted_json(value: Any) -> Any:
    """Mappings with sorted keys, all the way down (a deterministic `details`)."""
    if isinstance(value, Mapping):
        return {str(k): _sorted_json(value[k]) for k in sorted(value, key=str)}
    if isinstance(value, list | tuple):
        return [_sorted_json(v) for v in value]
    return value


def payload_data(alert: Alert) -> dict[str, Any]:
    """The `data` object of the JSON payload (documented in the module docstring)."""
    return {
        "id": alert.change_id,
        "type": str(alert.type),
        "severity": alert.severity,
        "source": alert.source,
        "tags": list(alert.tags),
        "url": alert.url,
        "article_title": alert.article_title,
        "claim": alert.claim,
        "previous_claim": alert.previous_claim,
        "baseline_claim": alert.baseline_claim,
        "baseline_source": alert.baseline_source,
        "details": _sorted_json(alert.details),
        "detected_at": alert.detected_at,
        "version_id": alert.version_id,
        "delivery_id": alert.delivery_id,
        "msg_id": alert.msg_id,
    }


def json_payload(alert: Alert, *, timestamp: datetime) -> bytes:
    """The version-1 payload of one alert: compact UTF-8 JSON, fixed key order, the same
    bytes for the same alert and timestamp."""
    payload = {
        "type": event_type(alert.type),
        "timestamp": _iso(timestamp),
        "version": PAYLOAD_VERSION,
        "data": payload_data(alert),
    }
    return json_bytes(payload)


def json_bytes(value: Any) -> bytes:
    """`value` as compact UTF-8 JSON (no spaces, non-ASCII characters as they are)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


# -- notifiers ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outgoing:
    """One HTTP POST to an endpoint and the outbox rows it delivers when answered 2xx."""

    body: bytes
    headers: Mapping[str, str]
    delivery_ids: tuple[int, ...]
    msg_id: str


class Notifier(Protocol):
    """Turns the alerts due for one endpoint into the requests to send, in order."""

    def build(
        self, alerts: Sequence[Alert], *, secret: str | None, now: datetime
    ) -> list[Outgoing]: ...


class JsonNotifier:
    """One signed request per alert. The payload's timestamp is the detection time, so the
    body is identical on every retry; webhook-timestamp is the time of this attempt."""

    def build(
        self, alerts: Sequence[Alert], *, secret: str | None, now: datetime
    ) -> list[Outgoing]:
        if secret is None:
            raise SecretError("a json webhook needs a signing secret (secret or secret_env)")
        stamp = int(now.timestamp())
        out = []
        for alert in alerts:
            body = json_payload(alert, timestamp=parse_iso(alert.detected_at) or now)
            headers = {"Content-Type": JSON_TYPE,
                       **signature_headers(secret, alert.msg_id, stamp, body)}
            out.append(Outgoing(body, headers, (alert.delivery_id,), alert.msg_id))
        return out


# The registry, built when first read: monitor.slack builds on this module (Outgoing,
# json_bytes, parse_iso), so importing it at the top would be an import cycle.
NOTIFIERS: dict[str, Notifier]


def __getattr__(name: str) -> Any:
    """`NOTIFIERS` on first use (PEP 562); AttributeError for any other missing name."""
    if name != "NOTIFIERS":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from .slack import SlackNotifier

    registry: dict[str, Notifier] = {"json": JsonNotifier(), "slack": SlackNotifier()}
    globals()["NOTIFIERS"] = registry
    return registry


def sample_alert(now: datetime, *, webhook: str = "test") -> Alert:
    """A realistic alert for `monitor webhooks test`: the Sednaya prisoner count of the
    README's story grew from 300 to 3,000. Tagged "test"; its id is new for each `now`."""
    stamp = _iso(now.replace(microsecond=0))
    return Alert(
        delivery_id=0,
        msg_id=f"msg_test_{int(now.timestamp() * 1000)}",
        webhook=webhook,
        change_id=0,
        type=ChangeType.UPDATED,
        severity=SEVERITY[ChangeType.UPDATED.value],
        source="sample/jalali",
        url="https://news.example.com/world/syria-jalali",
        article_title="Syrian PM Jalali stays in Damascus",
        claim="At least 3,000 prisoners were freed from Sednaya prison overnight, "
              "the Syrian Observatory for Human Rights said.",
        previous_claim="At least 300 prisoners were freed from Sednaya prison overnight, "
                       "the Syrian Observatory for Human Rights said.",
        baseline_claim=None,
        baseline_source=None,
        details={"changed": [{"kind": "number", "old": "300", "new": "3000"}]},
        detected_at=stamp,
        version_id=None,
        tags=("test",),
    )
