"""The delivery worker: sends the alerts the outbox holds, and records every attempt.

`DeliveryWorker.run_once` sends everything due now, one task per endpoint (endpoints in
parallel, one endpoint's requests in order): at most one message per second to a Slack
webhook, every request under the address guard of monitor.netguard, without following
redirects, with TLS verification, and under a total deadline. Each answer is recorded (and
the deliveries marked) in its own transaction right after it arrives, so a crash re-sends at
most the alert in flight, with the same webhook-id. In `monitor run`, while one endpoint is
busy (a receiver that does not answer holds its task up to the deadline), alerts coming due
for the others are sent at once: one silent receiver delays nobody else.

How one message is sent and its answer read is monitor.sender's. After a retryable
failure the endpoint's other alerts wait for the next `run_once` call, so a dead receiver
costs one request per call, not one per alert. `Retry-After` (seconds or an HTTP date,
capped at RETRY_AFTER_CAP) backs that endpoint off and nothing else.

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
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

import httpx

from .alerts import NOTIFIERS
from .clock import utcnow
from .config import Settings
from .errors import StorageError
from .models import Webhook
from .netguard import Resolver
from .outbox import Due, Outbox, Outcome, Rng
from .sender import DEADLINE, RETRY_AFTER_CAP, Clock, DeliveryError, Sender, Target
from .store import Store

log = logging.getLogger(__name__)

REBUILD_AFTER = 60.0  # re-sign messages still unsent this long after they were built
MIN_INTERVAL = {"slack": 1.0}  # seconds between two messages to one webhook of this kind
POLL = 1.0  # seconds between looks for newly due alerts while an endpoint is busy

Sleep = Callable[[float], Awaitable[object]]


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


__all__ = ["POLL", "DeliverySummary", "DeliveryWorker"]
