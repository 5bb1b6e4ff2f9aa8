"""Sending one alert message to one webhook: the guarded, signed, deadline-bound request
and how its answer is read. monitor.deliver's worker decides what to send and when.

How answers are read (`classify`): 2xx delivered; 410 gone (the endpoint is disabled);
408, 429, 5xx, 3xx (never followed), network and TLS errors, a missing environment
variable, a refused address or a host that does not resolve are retried on the schedule of
monitor.outbox; any other 4xx fails for good. `Retry-After` (seconds or an HTTP date,
capped at RETRY_AFTER_CAP) is passed on with the outcome.

Secrets (webhook URLs, signing keys) never reach a log line or an error message: errors
name the webhook, and any text from httpx or the receiver is scrubbed of them.
"""

from __future__ import annotations

import asyncio
import logging
import os
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

import httpx

from .alerts import NOTIFIERS, Outgoing, sample_alert
from .clock import utcnow
from .config import FetchSettings, Settings
from .errors import BlockedAddressError, FetchError, MonitorError
from .fetch import describe_httpx_error
from .models import Webhook
from .netguard import Resolver, check_url, guard_host
from .outbox import Outcome
from .polite import MAX_RETRY_AFTER, parse_retry_after

log = logging.getLogger(__name__)

DEADLINE = 15.0  # seconds for one request, connect to last byte read
# A receiver cannot park an endpoint for longer than this; the same cap as for a site's
# Retry-After (parse_retry_after never returns more).
RETRY_AFTER_CAP = float(MAX_RETRY_AFTER)
REPLY_BYTES = 4096  # of an error reply, kept to explain the failure
ERROR_CHARS = 300
CHECK_TIMEOUT = 3.0  # seconds `check_destination` may spend resolving a host
ALLOW_PRIVATE_HINT = (
    "private and loopback destinations need [fetch] allow_private = true in the config"
)

Clock = Callable[[], datetime]


class _HideWebhookURLs(logging.Filter):
    """Rewrites httpx's "HTTP Request: POST <url> ..." line for webhook requests: a Slack
    webhook URL is a secret. Sender registers each URL (and its webhook name) before sending.
    """

    def __init__(self) -> None:
        super().__init__()
        self.names: dict[str, str] = {}  # URL -> webhook name; one entry per endpoint

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) > 1 and str(args[1]) in self.names:
            record.args = (args[0], f"<webhook {self.names[str(args[1])]}>", *args[2:])
        return True


_HIDE_URLS = _HideWebhookURLs()
logging.getLogger("httpx").addFilter(_HIDE_URLS)


class DeliveryError(MonitorError):
    """An endpoint cannot be sent to right now (an environment variable is not set).

    The message names the variable, never a URL or a secret; callers add the webhook name.
    """


def make_delivery_client(fetch: FetchSettings, *, deadline: float = DEADLINE) -> httpx.AsyncClient:
    """An AsyncClient for webhooks: TLS verified, no redirects, no proxies from the
    environment (they would bypass the address guard), on the same GuardedTransport as
    fetches, so the address a request connects to is one the guard checked. The caller
    closes it."""
    from .transport import GuardedTransport

    return httpx.AsyncClient(
        transport=GuardedTransport(allow_private=fetch.allow_private),
        follow_redirects=False,
        trust_env=False,
        http2=False,
        timeout=httpx.Timeout(deadline, connect=min(deadline, 10.0)),
        headers={"User-Agent": fetch.user_agent, "Accept-Encoding": "identity"},
    )


def classify(status: int) -> str:
    """The outbox result of an HTTP status: delivered, retry, failed or gone."""
    if 200 <= status < 300:
        return "delivered"
    if status == 410:
        return "gone"
    if status in (408, 429) or status >= 500 or 300 <= status < 400:
        return "retry"
    return "failed"


@dataclass(frozen=True)
class Target:
    """Where and how to send for one endpoint, with its secrets resolved."""

    url: str = field(repr=False)
    secret: str | None = field(default=None, repr=False)

    def scrub(self, text: str) -> str:
        """`text` without the URL, its path and query, or the secret; one line, trimmed."""
        parsed = httpx.URL(self.url) if "://" in self.url else None
        hidden = [self.url, self.url.split("://", 1)[-1], self.secret or ""]
        if parsed is not None:
            if len(parsed.path) > 1:
                hidden.append(parsed.path)
            if parsed.query:
                hidden.append(parsed.query.decode("ascii", "replace"))
        for secret in sorted((h for h in hidden if h), key=len, reverse=True):
            text = text.replace(secret, "<redacted>")
        return _one_line(text)


def _one_line(text: str, limit: int = ERROR_CHARS) -> str:
    text = " ".join("".join(c if c.isprintable() else " " for c in text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class Sender:
    """Sends one prepared message to one endpoint, safely. Never raises for the network."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        settings: Settings,
        *,
        environ: Mapping[str, str] = os.environ,
        resolver: Resolver | None = None,
        deadline: float = DEADLINE,
        clock: Clock = utcnow,
    ) -> None:
        self.client = client
        self.settings = settings
        self.environ = environ
        self.resolver = resolver
        self.deadline = deadline
        self.clock = clock

    def target(self, hook: Webhook) -> Target:
        """The endpoint's URL and secret, from its definition or the environment, read now.

        Raises DeliveryError naming the variable that is unset (never its value).
        """
        url = hook.url if hook.url_env is None else self._env(hook.url_env)
        secret = hook.secret if hook.secret_env is None else self._env(hook.secret_env)
        if url is None:
            raise DeliveryError("no URL")
        return Target(url, secret)

    def _env(self, name: str) -> str:
        value = self.environ.get(name, "").strip()
        if not value:
            raise DeliveryError(f"environment variable {name} is not set")
        return value

    async def send(self, hook: Webhook, target: Target, message: Outgoing) -> Outcome:
        """POST `message` after the address guard; the outcome is never a raised exception."""
        started = time.monotonic()
        try:
            url = check_url(target.url)
        except FetchError as exc:
            refused = target.scrub(f"address refused: {exc.reason}")
            return Outcome("retry", error=refused, duration_ms=_ms(started))
        try:
            await _guard(url, self.settings.fetch, self.resolver, f"webhook {hook.name}")
        except BlockedAddressError as exc:
            refused = target.scrub(f"address refused: {exc.reason}; {ALLOW_PRIVATE_HINT}")
            return Outcome("retry", error=refused, duration_ms=_ms(started))
        except FetchError as exc:  # the name does not resolve (now): not a refusal
            return Outcome("retry", error=target.scrub(exc.reason), duration_ms=_ms(started))
        _HIDE_URLS.names[str(url)] = hook.name
        headers = httpx.Headers(message.headers)
        if "content-type" not in headers:
            headers["Content-Type"] = "application/json"
        status: int | None = None
        reply = b""
        retry_after: str | None = None
        try:
            async with asyncio.timeout(self.deadline):
                async with self.client.stream(
                    "POST", url, content=message.body, headers=headers
                ) as response:
                    status = response.status_code
                    retry_after = response.headers.get("retry-after")
                    # Read a short reply (to explain a failure, and so that the connection
                    # can be reused); a longer one is cut off by closing the connection.
                    async for chunk in response.aiter_raw():
                        reply += chunk
                        if len(reply) >= REPLY_BYTES:
                            break
        except TimeoutError:
            if status is None:
                return Outcome(
                    "retry", error=f"no answer within {self.deadline:g}s", duration_ms=_ms(started)
                )
            reply += b" (reply cut off at the deadline)"
        except (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError) as exc:
            if status is None:
                return Outcome(
                    "retry", error=target.scrub(_describe(exc)), duration_ms=_ms(started)
                )
        assert status is not None
        result = classify(status)
        error = None
        if result != "delivered":
            phrase = httpx.codes.get_reason_phrase(status)
            text = reply.decode("utf-8", "replace").strip()
            error = target.scrub(f"HTTP {status} {phrase}".rstrip() + (f": {text}" if text else ""))
        wait = parse_retry_after(retry_after, self.clock()) if result == "retry" else None
        return Outcome(
            result, status=status, error=error, duration_ms=_ms(started), retry_after=wait
        )


async def _guard(
    url: httpx.URL, fetch: FetchSettings, resolver: Resolver | None, subject: str
) -> None:
    """The address guard for a webhook URL (nothing to check with allow_private)."""
    if not fetch.allow_private:
        port = url.port or (443 if url.scheme == "https" else 80)
        await guard_host(url.host, port, resolver=resolver, url=subject)


async def check_destination(
    url: str,
    fetch: FetchSettings,
    *,
    resolver: Resolver | None = None,
    timeout: float = CHECK_TIMEOUT,
) -> str | None:
    """Why alerts to `url` would not be sent now, as `webhooks add` warns of it, or None.

    A private or loopback address (literal, or what the host resolves to) is refused by
    the address guard unless `fetch.allow_private`; a host that does not resolve now may
    be a typo. A resolver slower than `timeout` seconds is given the benefit of the doubt.
    Like every message here, it never quotes the URL's path or query.
    """
    scrub = Target(url).scrub
    try:
        parsed = check_url(url)
    except FetchError as exc:
        return scrub(exc.reason)
    try:
        async with asyncio.timeout(timeout):
            await _guard(parsed, fetch, resolver, parsed.host)
    except BlockedAddressError as exc:
        return scrub(
            f"{exc.reason}: alerts to it would be refused and retried for about three days; "
            f"{ALLOW_PRIVATE_HINT}"
        )
    except FetchError as exc:
        return scrub(f"{exc.reason}: alerts are retried until it resolves")
    except TimeoutError:
        pass
    return None


def _describe(exc: Exception) -> str:
    """A readable reason for an httpx exception; TLS problems are named as such."""
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, ssl.SSLError):
            reason = getattr(cause, "verify_message", None) or getattr(cause, "reason", None)
            return f"TLS error ({reason or cause})"
        cause = cause.__cause__ or cause.__context__
    return describe_httpx_error(exc)


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


async def send_sample(hook: Webhook, sender: Sender) -> Outcome:
    """Send `sample_alert` to `hook` now, through the same guarded path; the outbox is
    untouched. A missing variable or a bad secret is a "retry" outcome with its reason."""
    try:
        target = sender.target(hook)
    except DeliveryError as exc:
        return Outcome("retry", error=str(exc))
    now = sender.clock()
    try:
        messages = NOTIFIERS[hook.kind].build(
            [sample_alert(now, webhook=hook.name)], secret=target.secret, now=now
        )
    except MonitorError as exc:
        return Outcome("retry", error=target.scrub(str(exc)))
    return await sender.send(hook, target, messages[0])


__all__ = [
    "ALLOW_PRIVATE_HINT",
    "DEADLINE",
    "RETRY_AFTER_CAP",
    "Clock",
    "DeliveryError",
    "Sender",
    "Target",
    "check_destination",
    "classify",
    "make_delivery_client",
    "send_sample",
]
