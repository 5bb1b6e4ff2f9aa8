"""The delivery worker: sends the alerts the outbox holds, and records every attempt.

`DeliveryWorker.run_once` sends everything due now, one task per endpoint (endpoints in
parallel, one endpoint's requests in order): at most one message per second to a Slack
webhook, every request under the address guard of monitor.netguard, without following
redirects, with TLS verification, and under a total deadline. Each answer is recorded (and
the deliveries marked) in its own transaction right after it arrives, so a crash re-sends at
most the alert in flight, with the same webhook-id. In `monitor run`, while one endpoint is
busy (a receiver that does not answer holds its task up to the deadline), alerts coming due
for the others are sent at once: one silent receiver delays nobody else.

How answers are read (`classify`): 2xx delivered; 410 gone (the endpoint is disabled);
408, 429, 5xx, 3xx (never followed), network and TLS errors, a missing environment
variable, a refused address or a host that does not resolve are retried on the schedule of
monitor.outbox; any other 4xx fails for good. After a retryable failure the endpoint's other
alerts wait for the next `run_once` call, so a dead receiver costs one request per call, not
one per alert. `Retry-After` (seconds or an HTTP date, capped at RETRY_AFTER_CAP) backs that
endpoint off and nothing else.

Secrets (webhook URLs, signing keys) never reach a log line or an error message: errors
name the webhook, and any text from httpx or the receiver is scrubbed of them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import sqlite3
import ssl
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

import httpx

from .alerts import NOTIFIERS, Outgoing, sample_alert
from .clock import utcnow
from .config import FetchSettings, Settings
from .errors import BlockedAddressError, FetchError, MonitorError, StorageError
from .fetch import describe_httpx_error
from .models import Webhook
from .netguard import Resolver, check_url, guard_host
from .outbox import Due, Outbox, Outcome, Rng
from .polite import MAX_RETRY_AFTER, parse_retry_after
from .store import Store

log = logging.getLogger(__name__)

DEADLINE = 15.0  # seconds for one request, connect to last byte read
# A receiver cannot park an endpoint for longer than this; the same cap as for a site's
# Retry-After (parse_retry_after never returns more).
RETRY_AFTER_CAP = float(MAX_RETRY_AFTER)
REPLY_BYTES = 4096  # of an error reply, kept to explain the failure
ERROR_CHARS = 300
REBUILD_AFTER = 60.0  # re-sign messages still unsent this long after they were built
MIN_INTERVAL = {"slack": 1.0}  # seconds between two messages to one webhook of this kind
POLL = 1.0  # seconds between looks for newly due alerts while an endpoint is busy
CHECK_TIMEOUT = 3.0  # seconds `check_destination` may spend resolving a host
ALLOW_PRIVATE_HINT = (
    "private and loopback destinations need [fetch] allow_private = true in the config"
)

Clock = Callable[[], datetime]
Sleep = Callable[[float], Awaitable[object]]


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
    environment (they would bypass the address guard). The caller closes it."""
    return httpx.AsyncClient(
        verify=True,
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


@dataclass(frozen=True)
class DeliverySummary:
    """What one run did. Counts are of deliveries (a digest carries several); `requests`
    counts HTTP requests made."""

    requests: int = 0
    delivered: int = 0
    retrying: int = 0
    failed: int = 0
    disabled: tuple[str, ...] = ()  # webhooks disabled by a 410 in this run
    errors: tuple[str, ...] = ()  # "webhook NAME: reason" for each failed request

    def __add__(self, other: DeliverySummary) -> DeliverySummary:
        return DeliverySummary(
            self.requests + other.requests,
            self.delivered + other.delivered,
            self.retrying + other.retrying,
            self.failed + other.failed,
            self.disabled + other.disabled,
            self.errors + other.errors,
        )

    @classmethod
    def total(cls, parts: Iterable[DeliverySummary]) -> DeliverySummary:
        return sum(parts, cls())


class DeliveryWorker:
    """Sends the outbox's due alerts through `client`. Everything with a time is injectable."""

    def __init__(
        self,
        store: Store,
        settings: Settings,
        client: httpx.AsyncClient,
        *,
        clock: Clock = utcnow,
        rng: Rng | None = None,
        sleep: Sleep = asyncio.sleep,
        environ: Mapping[str, str] = os.environ,
        resolver: Resolver | None = None,
        deadline: float = DEADLINE,
        limit: int = 500,
        poll: float = POLL,
    ) -> None:
        self.outbox = Outbox(store)
        self.sender = Sender(
            client, settings, environ=environ, resolver=resolver, deadline=deadline, clock=clock
        )
        self.clock = clock
        self.rng: Rng = rng if rng is not None else random.Random()
        self.sleep = sleep
        self.limit = limit
        self.poll = poll
        self._last_sent: dict[str, datetime] = {}

    async def run_once(self, *, follow: bool = True) -> DeliverySummary:
        """Send what is due, one task per endpoint, and return when every endpoint is idle;
        StorageError when the database fails.

        With `follow` (what `monitor run` calls every second), an idle endpoint's alerts
        that come due while another endpoint is still busy are sent at once (looked for
        every `poll` seconds and whenever an endpoint finishes), so a silent receiver held
        up to its deadline delays no other endpoint. An endpoint whose receiver failed
        (an answer to retry, a 410, a bug) is not started again in the same call: a dead
        receiver gets one request per call. Without `follow` (`monitor deliver`), each
        endpoint with alerts due at the start gets one run: a one-shot flush.

        Cancelling the call cancels the sends in flight; their alerts stay pending.
        """
        running: dict[asyncio.Task[tuple[DeliverySummary, bool]], str] = {}
        done: set[str] = set()  # endpoints not to start again in this call
        parts: list[DeliverySummary] = []
        try:
            self._start(running, done)
            while running:
                finished, _ = await asyncio.wait(
                    running,
                    timeout=self.poll if follow else None,
                    return_when=asyncio.FIRST_COMPLETED,
                )
                for task in finished:
                    name = running.pop(task)
                    summary, healthy = task.result()  # only a database error is raised
                    parts.append(summary)
                    if not (follow and healthy):
                        done.add(name)
                if follow:
                    self._start(running, done)
        except sqlite3.Error as exc:
            raise StorageError(
                f"cannot record deliveries in {self.outbox.store.path}: {exc}"
            ) from exc
        finally:
            for task in running:
                task.cancel()
            await asyncio.gather(*running, return_exceptions=True)
        return DeliverySummary.total(parts)

    def _start(
        self, running: dict[asyncio.Task[tuple[DeliverySummary, bool]], str], done: set[str]
    ) -> None:
        """A task for each endpoint with alerts due that is neither running nor done."""
        busy = set(running.values()) | done
        for due in self.outbox.due(self.clock(), limit=self.limit, skip=busy):
            task = asyncio.create_task(self._endpoint(due), name=f"webhook {due.webhook.name}")
            running[task] = due.webhook.name

    async def _endpoint(self, due: Due) -> tuple[DeliverySummary, bool]:
        """Send one endpoint's due alerts: what was done, and whether the receiver is well
        (no answer to retry, no 410). A bug here must not stop the other endpoints."""
        try:
            return await self._send_due(due)
        except sqlite3.Error:
            raise
        except Exception as exc:
            # Logged without a traceback, whose chained messages could quote the URL; the
            # type and the scrubbed message say what went wrong.
            text = f"unexpected {type(exc).__name__}: {exc}"
            with contextlib.suppress(DeliveryError):
                text = self.sender.target(due.webhook).scrub(text)
            log.error("webhook %s: %s", due.webhook.name, text)
            return DeliverySummary(errors=(f"webhook {due.webhook.name}: {text}",)), False

    async def _send_due(self, due: Due) -> tuple[DeliverySummary, bool]:
        hook = due.webhook
        try:
            target = self.sender.target(hook)
        except DeliveryError as exc:
            outcome = Outcome("retry", error=str(exc))
            return self._record(hook, None, (due.alerts[0].delivery_id,), outcome), False
        summary = DeliverySummary()
        pending = list(due.alerts)
        while pending:
            built = self.clock()
            try:
                messages = NOTIFIERS[hook.kind].build(pending, secret=target.secret, now=built)
            except Exception as exc:  # a bad secret or a formatting bug: this endpoint only
                error = target.scrub(f"cannot build the message: {exc}")
                outcome = Outcome("retry", error=error)
                first = (pending[0].delivery_id,)
                return summary + self._record(hook, target, first, outcome), False
            stale = False
            for index, message in enumerate(messages):
                if index and (self.clock() - built).total_seconds() > REBUILD_AFTER:
                    stale = True  # webhook-timestamp would be old: sign the rest again
                    break
                await self._pace(hook)
                outcome = await self.sender.send(hook, target, message)
                self._last_sent[hook.name] = self.clock()
                summary += self._record(hook, target, message.delivery_ids, outcome, request=True)
                sent = set(message.delivery_ids)
                pending = [a for a in pending if a.delivery_id not in sent]
                if outcome.result in ("retry", "gone"):
                    return summary, False  # the receiver is unwell or gone: the rest wait
            if not stale:
                break
        return summary, True

    async def _pace(self, hook: Webhook) -> None:
        gap = MIN_INTERVAL.get(hook.kind, 0.0)
        last = self._last_sent.get(hook.name)
        if gap and last is not None:
            wait = gap - (self.clock() - last).total_seconds()
            if wait > 0:
                await self.sleep(wait)

    def _record(
        self,
        hook: Webhook,
        target: Target | None,
        ids: tuple[int, ...],
        outcome: Outcome,
        *,
        request: bool = False,
    ) -> DeliverySummary:
        states = self.outbox.record(
            hook.name, ids, outcome, now=self.clock(), rng=self.rng, retry_after_cap=RETRY_AFTER_CAP
        )
        values = list(states.values())
        if outcome.result == "delivered":
            log.info(
                "webhook %s: delivered %d alert(s) (HTTP %s, %s ms)",
                hook.name,
                len(ids),
                outcome.status,
                outcome.duration_ms,
            )
        else:
            more = {
                "retry": "will retry",
                "failed": "not retried",
                "gone": f"webhook disabled (monitor webhooks enable {hook.name})",
            }[outcome.result]
            if outcome.result == "retry" and "failed" in values:
                more = "retries exhausted"
            log.warning(
                "webhook %s: delivery %s: %s; %s",
                hook.name,
                ",".join(map(str, ids)),
                outcome.error,
                more,
            )
        return DeliverySummary(
            requests=int(request),
            delivered=values.count("delivered"),
            retrying=values.count("pending"),
            failed=values.count("failed"),
            disabled=(hook.name,) if outcome.result == "gone" else (),
            errors=() if outcome.error is None else (f"webhook {hook.name}: {outcome.error}",),
        )


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
    "DEADLINE",
    "POLL",
    "RETRY_AFTER_CAP",
    "DeliveryError",
    "DeliverySummary",
    "DeliveryWorker",
    "Sender",
    "Target",
    "check_destination",
    "classify",
    "make_delivery_client",
    "send_sample",
]
