"""Typed data that crosses module boundaries. Every type here is a frozen dataclass."""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

SOURCE_KINDS = ("page", "feed", "dir")
DEFAULT_INTERVAL = 15 * 60.0


class ChangeType(enum.StrEnum):
    """The four kinds of claim change `monitor` reports."""

    NEW = "new_claim"
    UPDATED = "updated_claim"
    CONTRADICTED = "contradicted_claim"
    RETRACTED = "retracted_claim"


@dataclass(frozen=True)
class Source:
    """Something to watch: one article page, a feed of articles, or a folder of article files.

    `origin` is "config" for sources declared in the TOML file and "cli" for sources added
    with `monitor sources add`; `parent` names the feed or folder an article was found in.
    """

    name: str
    url: str
    kind: str = "page"
    interval: float = DEFAULT_INTERVAL
    selector: str | None = None
    tags: tuple[str, ...] = ()
    origin: str = "cli"
    parent: str | None = None
    robots: bool = True  # honour robots.txt for this source's URLs


@dataclass(frozen=True)
class FetchResult:
    """The outcome of one successful HTTP exchange (200 or 304)."""

    url: str  # the final URL, after redirects
    status: int
    text: str  # decoded body; "" on 304
    content_type: str
    etag: str | None = None
    last_modified: str | None = None
    encoding: str | None = None

    @property
    def not_modified(self) -> bool:
        return self.status == 304


@dataclass(frozen=True)
class Document:
    """An extracted article: its metadata and its main text (paragraphs joined by newlines)."""

    url: str
    text: str
    title: str | None = None
    published: str | None = None
    author: str | None = None


@dataclass(frozen=True)
class Claim:
    """One asserting sentence of an article, with the fields that matching compares.

    `norm` is the normalised text (case, quotes, dashes, number words and date formats
    folded) used for exact matching; `key` is the normalised text with the comparable
    details (numbers, dates) masked, used to align edited versions of one statement.
    """

    text: str
    norm: str
    key: str
    position: int = 0
    numbers: tuple[str, ...] = ()
    dates: tuple[str, ...] = ()
    entities: tuple[str, ...] = ()
    attribution: str | None = None
    negated: bool = False


@dataclass(frozen=True)
class BaselineClaim:
    """A claim of the baseline, with the document it came from."""

    claim: Claim
    source: str  # the baseline document's name (file name or URL)


@dataclass(frozen=True)
class Change:
    """One classified claim change. `claim` is the new text, or the removed one for retractions."""

    type: ChangeType
    claim: str
    previous_claim: str | None = None
    baseline_claim: str | None = None
    baseline_source: str | None = None
    details: Mapping[str, Any] = field(default_factory=dict)
    detected_at: datetime | None = None


# Severity of each change type, lowest first; a webhook's `min_severity` filters on it.
SEVERITIES = ("low", "medium", "high", "critical")
SEVERITY: Mapping[str, str] = {
    ChangeType.NEW.value: "low",
    ChangeType.UPDATED.value: "medium",
    ChangeType.RETRACTED.value: "high",
    ChangeType.CONTRADICTED.value: "critical",
}
WEBHOOK_KINDS = ("json", "slack")


def severity_rank(severity: str) -> int:
    """0 for "low" up to 3 for "critical"; ValueError for an unknown name."""
    return SEVERITIES.index(severity)


@dataclass(frozen=True)
class Webhook:
    """An alert endpoint. `url`/`secret` are secrets: they are kept out of repr and logs.

    Exactly one of `url` and `url_env` is set; for kind "json" one of `secret` and
    `secret_env` (a Standard Webhooks key, "whsec_..."). Empty `types` or `sources`
    means all; `sources` holds source names or tags.
    """

    name: str
    kind: str
    url: str | None = field(default=None, repr=False)
    url_env: str | None = None
    secret: str | None = field(default=None, repr=False)
    secret_env: str | None = None
    types: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    min_severity: str = "low"
    origin: str = "cli"


@dataclass(frozen=True)
class Alert:
    """One change on its way to one endpoint (a row of the delivery outbox).

    `msg_id` is the Standard Webhooks `webhook-id`: fixed when the delivery is queued and
    identical on every retry, so receivers can de-duplicate.
    """

    delivery_id: int
    msg_id: str
    webhook: str
    change_id: int
    type: ChangeType
    severity: str
    source: str
    url: str
    article_title: str | None
    claim: str
    previous_claim: str | None
    baseline_claim: str | None
    baseline_source: str | None
    details: Mapping[str, Any]
    detected_at: str  # ISO 8601 UTC, "2024-12-08T21:00:00Z"
    version_id: int | None = None
    tags: tuple[str, ...] = ()


def text_hash(text: str) -> str:
    """The hex SHA-256 of `text` (UTF-8): how versions and bodies are compared."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Analysis:
    """What a freshly extracted article says, next to its latest stored version (made by
    monitor.analysis, possibly in a worker process: unpickling it loads no claim engine).

    `outcome` is "no_article" (no article text: the latest version is kept), "unchanged"
    (the same text as the latest version) or "compared" (`claims` are the article's,
    `changes` what differs from the latest version and the baseline; none for a first
    version whose every claim is already known). `claims_z` is `claims` encoded for the
    store (monitor.claim_codec) by the engine with fingerprint `engine`.
    """

    document: Document
    digest: str
    outcome: str
    claims: tuple[Claim, ...] = ()
    changes: tuple[Change, ...] = ()
    engine: str | None = None
    claims_z: bytes | None = None
