"""The delivery worker against real local receivers: statuses, retries, guard, deadline, Slack.

Time is a fake clock that starts at the real time (receivers check webhook-timestamp against
their own clock) and only moves when a test moves it.
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import ssl
import threading
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import ThreadingHTTPServer
from typing import Any

import pytest
import trustme
from standardwebhooks.webhooks import Webhook as Verifier

from monitor.config import FetchSettings, Settings
from monitor.deliver import DeliverySummary, DeliveryWorker
from monitor.models import Change, ChangeType, Claim, Document, Source, Webhook
from monitor.outbox import Outbox
from monitor.sender import RETRY_AFTER_CAP, make_delivery_client
from monitor.store import Store, parse_time, utc_iso
from tests.conftest import RecordedRequest, _make_handler
from tests.test_sender import HINT, no_such_host, private_resolver

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
LOCAL = Settings(fetch=FetchSettings(allow_private=True))
HOSTILE = "<!channel> see <https://evil.example|x> {{7*7}} <img src=x onerror=alert(1)> & co"

# A self-signed certificate for 127.0.0.1 (test only; valid until 2126): no CA vouches for it.
class FakeClock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC).replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


class FixedRng:
    def uniform(self, a: float, b: float) -> float:
        return (a + b) / 2




@pytest.fixture
def clock():
    return FakeClock()


def add_hook(store: Store, name: str, url: str | None, kind: str = "json", **kw: Any) -> Webhook:
    if kind == "json" and "secret_env" not in kw:
        kw.setdefault("secret", SECRET)
    hook = Webhook(name=name, kind=kind, url=url, **kw)
    Outbox(store).add_webhook(hook, now=datetime.now(UTC))
    return hook


def add_changes(store: Store, clock: FakeClock, *claims: str,
                change_type: ChangeType = ChangeType.NEW) -> None:
    """One stored version of source `story` with one change per claim, detected now."""
    source = Source("story", "https://news.example.com/story", tags=("syria",))
    if store.get_source("story") is None:
        store.add_source(source, now=clock())
    n = store.count_changes()
    changes = [Change(type=change_type, claim=text, previous_claim="before") for text in claims]
    store.save_version(source, Document(url=source.url, text="x", title="Story"),
                       text_hash=f"h{n}", claims=[Claim("x", "x", "x")], changes=changes,
                       now=clock())


def run(store: Store, clock: FakeClock, steps: Callable[[DeliveryWorker], Awaitable[Any]] | None
        = None, *, settings: Settings = LOCAL, **kw: Any) -> Any:
    """Run `steps(worker)` (default: one run_once) with a real client, in one event loop."""
    kw.setdefault("rng", FixedRng())

    async def go() -> Any:
        async with make_delivery_client(settings.fetch) as client:
            worker = DeliveryWorker(store, settings, client, clock=clock, **kw)
            return await (steps or (lambda w: w.run_once()))(worker)

    return asyncio.run(go())


def deliveries(store: Store, webhook: str | None = None) -> list[Any]:
    return sorted(Outbox(store).deliveries(webhook=webhook), key=lambda d: d.id)


def verify(request: RecordedRequest) -> dict[str, Any]:
    """The payload, after the Standard Webhooks reference code verified its signature."""
    return Verifier(SECRET).verify(request.body, request.headers)


# -- answers ----------------------------------------------------------------------------------


def test_json_alerts_are_signed_one_per_request_and_marked_delivered(store, clock, http_server):
    http_server.route("/hook", 204)
    add_hook(store, "a", http_server.url("/hook"))
    add_changes(store, clock, "First claim.", "Second claim.")
    summary = run(store, clock)
    assert summary == DeliverySummary(requests=2, delivered=2)
    requests = http_server.requests_for("/hook")
    payloads = [verify(r) for r in requests]
    assert [p["data"]["claim"] for p in payloads] == ["First claim.", "Second claim."]
    rows = deliveries(store)
    assert [r.msg_id for r in rows] == [r.headers["webhook-id"] for r in requests]
    for row in rows:
        assert (row.state, row.attempts, row.last_status) == ("delivered", 1, 204)
        assert row.delivered_at == utc_iso(clock())
        (attempt,) = Outbox(store).attempts(row.id)
        assert attempt.status == 204 and attempt.error is None and attempt.duration_ms >= 0
    assert run(store, clock) == DeliverySummary()  # nothing due any more
    assert len(http_server.requests_for("/hook")) == 2


def test_500_then_200_resends_the_same_webhook_id(store, clock, http_server):
    answers = iter([(500, {}, b"oops"), (200, {}, b"ok")])
    http_server.routes["/hook"] = lambda request: next(answers)
    add_hook(store, "a", http_server.url("/hook"))
    add_changes(store, clock, "A claim.")

    first = run(store, clock)
    assert (first.requests, first.retrying, first.delivered) == (1, 1, 0)
    assert first.errors == ("webhook a: HTTP 500 Internal Server Error: oops",)
    (row,) = deliveries(store)
    assert (row.state, row.attempts, row.last_status) == ("pending", 1, 500)
    assert parse_time(row.next_attempt_at) == clock() + timedelta(seconds=5)
    assert run(store, clock).requests == 0  # not due yet

    clock.advance(5)
    assert run(store, clock).delivered == 1
    one, two = http_server.requests_for("/hook")
    assert one.headers["webhook-id"] == two.headers["webhook-id"] == row.msg_id
    assert verify(one) == verify(two)  # the same payload, signed for each attempt
    assert [a.status for a in Outbox(store).attempts(row.id)] == [500, 200]


@pytest.mark.parametrize("status, state, retried", [
    (200, "delivered", False), (202, "delivered", False), (400, "failed", False),
    (401, "failed", False), (404, "failed", False), (408, "pending", True),
    (429, "pending", True), (500, "pending", True), (503, "pending", True),
    (301, "pending", True), (410, "failed", False),
], ids=lambda v: str(v))
def test_status_decides_the_delivery_state(store, clock, http_server, status, state, retried):
    http_server.route("/hook", status, {"Location": "/elsewhere"} if status == 301 else {})
    add_hook(store, "a", http_server.url("/hook"))
    add_changes(store, clock, "A claim.")
    run(store, clock)
    (row,) = deliveries(store)
    assert (row.state, row.last_status, row.attempts) == (state, status, 1)
    assert (row.next_attempt_at is not None) is retried
    assert (Outbox(store).status("a").disabled_at is not None) is (status == 410)
    assert http_server.requests_for("/elsewhere") == []


def test_a_permanent_failure_does_not_hold_back_the_next_alert(store, clock, http_server):
    answers = iter([(400, {}, b"bad"), (200, {}, b"")])
    http_server.routes["/hook"] = lambda request: next(answers)
    add_hook(store, "a", http_server.url("/hook"))
    add_changes(store, clock, "One.", "Two.")
    summary = run(store, clock)
    assert (summary.requests, summary.failed, summary.delivered) == (2, 1, 1)
    assert [r.state for r in deliveries(store)] == ["failed", "delivered"]


def test_a_retryable_failure_holds_that_endpoint_only_until_the_next_run(store, clock,
                                                                         http_server):
    def slowish(request: RecordedRequest) -> tuple[int, dict[str, str], bytes]:
        time.sleep(0.05)  # the run looks for due alerts several times while "up" is busy
        return 200, {}, b""

    http_server.route("/down", 503)
    http_server.routes["/up"] = slowish
    add_hook(store, "down", http_server.url("/down"))
    add_hook(store, "up", http_server.url("/up"))
    add_changes(store, clock, "One.", "Two.", "Three.")
    summary = run(store, clock, poll=0.01)
    assert len(http_server.requests_for("/down")) == 1  # a sick receiver gets one request
    assert len(http_server.requests_for("/up")) == 3
    assert (summary.delivered, summary.retrying) == (3, 1)
    assert [(r.state, r.attempts) for r in deliveries(store, "down")] == [
        ("pending", 1), ("pending", 0), ("pending", 0)]


@pytest.mark.parametrize("header, wait", [
    ("120", 120), ("http-date", 300), ("soon, please", None), ("99999999", RETRY_AFTER_CAP),
], ids=["seconds", "http-date", "garbage", "capped"])
def test_429_retry_after_backs_off_that_endpoint_only(store, clock, http_server, header, wait):
    if header == "http-date":
        header = format_datetime(clock() + timedelta(seconds=300), usegmt=True)
    http_server.route("/busy", 429, {"Retry-After": header}, b"slow down")
    http_server.route("/fine", 200)
    add_hook(store, "busy", http_server.url("/busy"))
    add_hook(store, "fine", http_server.url("/fine"))
    add_changes(store, clock, "One.")
    run(store, clock)
    busy = Outbox(store).status("busy")
    (row,) = deliveries(store, "busy")
    assert row.state == "pending" and row.last_error == "HTTP 429 Too Many Requests: slow down"
    if wait is None:
        assert busy.backoff_until is None
        assert parse_time(row.next_attempt_at) == clock() + timedelta(seconds=5)
    else:
        until = clock() + timedelta(seconds=wait)
        assert parse_time(busy.backoff_until) == until
        assert parse_time(row.next_attempt_at) == until
    assert [r.state for r in deliveries(store, "fine")] == ["delivered"]

    add_changes(store, clock, "Two.")  # a new alert for the busy endpoint waits too
    clock.advance(6)
    run(store, clock)
    sent = len(http_server.requests_for("/busy"))
    assert sent == (2 if wait is None else 1)
    assert len(http_server.requests_for("/fine")) == 2


def test_410_disables_the_endpoint_and_skips_its_queue(store, clock, http_server):
    http_server.route("/gone", 410, {}, b"channel_is_archived")
    add_hook(store, "a", http_server.url("/gone"))
    add_changes(store, clock, "One.", "Two.")
    summary = run(store, clock)
    assert summary.disabled == ("a",) and summary.requests == 1
    assert [r.state for r in deliveries(store)] == ["failed", "skipped"]
    status = Outbox(store).status("a")
    assert status.disabled_reason == "HTTP 410 Gone: channel_is_archived"
    add_changes(store, clock, "Three.")
    clock.advance(3600)
    assert run(store, clock).requests == 0
    assert [r.state for r in deliveries(store)] == ["failed", "skipped", "skipped"]


def test_a_redirect_is_a_failure_and_is_never_followed(store, clock, http_server):
    internal = http_server.route("/internal", 200)
    http_server.route("/hook", 302, {"Location": internal})
    add_hook(store, "a", http_server.url("/hook"))
    add_changes(store, clock, "One.")
    run(store, clock)
    assert http_server.requests_for("/internal") == []
    (row,) = deliveries(store)
    assert (row.state, row.last_error) == ("pending", "HTTP 302 Found")


@pytest.mark.parametrize("host, resolver, error", [
    ("127.0.0.1", None, f"address refused: address 127.0.0.1 is not public (loopback); {HINT}"),
    ("hooks.internal.example", private_resolver,
     "address refused: host 'hooks.internal.example' resolves to 10.1.2.3, which is not public "
     f"(private); {HINT}"),
    ("hooks.typo.example", no_such_host,
     "cannot resolve host 'hooks.typo.example' ([Errno -2] Name or service not known)"),
], ids=["loopback-literal", "name-resolving-to-private", "name-not-resolving"])
def test_destinations_pass_the_address_guard(store, clock, http_server, host, resolver, error):
    http_server.route("/hook", 200)
    add_hook(store, "a", f"http://{host}:{http_server.port}/hook")
    add_changes(store, clock, "One.")
    summary = run(store, clock, settings=Settings(), resolver=resolver)
    assert http_server.requests == []
    (row,) = deliveries(store)
    assert (row.state, row.last_error) == ("pending", error)
    assert summary.requests == 1 and summary.retrying == 1


def test_a_silent_endpoint_does_not_delay_a_fresh_alert_for_another(store, clock,
                                                                     http_server):
    receiver = RawReceiver(silent)  # takes the request and never answers
    http_server.route("/up", 200)
    add_hook(store, "silent", f"http://127.0.0.1:{receiver.port}/hook", types=("new_claim",))
    add_hook(store, "up", http_server.url("/up"))
    add_changes(store, clock, "One.")

    async def until(done: Callable[[], bool], run: asyncio.Task[Any]) -> None:
        while not done() and not run.done():
            await asyncio.sleep(0.01)

    async def steps(worker: DeliveryWorker) -> None:
        run = asyncio.create_task(worker.run_once())
        await until(lambda: receiver.connections == 1 and len(http_server.requests) == 1, run)
        add_changes(store, clock, "Two.", change_type=ChangeType.RETRACTED)  # for "up" only
        await until(lambda: [d.state for d in deliveries(store, "up")] == ["delivered"] * 2,
                    run)
        assert not run.done()  # "silent" is still waiting for its answer...
        assert len(http_server.requests_for("/up")) == 2  # ...and "up" already had both
        run.cancel()
        with pytest.raises(asyncio.CancelledError):
            await run

    try:
        run(store, clock, steps, deadline=5.0, poll=0.01)
    finally:
        receiver.close()
    assert [(d.state, d.attempts) for d in deliveries(store, "up")] == [("delivered", 1)] * 2
    # cancelled in flight: not marked, so it is sent again (same webhook-id) by the next run
    assert [(d.state, d.attempts) for d in deliveries(store, "silent")] == [("pending", 0)]


def test_a_one_shot_run_sends_only_what_was_due_when_it_started(store, clock, http_server):
    receiver = RawReceiver(silent)
    http_server.route("/up", 200)
    add_hook(store, "silent", f"http://127.0.0.1:{receiver.port}/hook", types=("new_claim",))
    add_hook(store, "up", http_server.url("/up"))
    add_changes(store, clock, "One.")

    async def steps(worker: DeliveryWorker) -> DeliverySummary:
        run = asyncio.create_task(worker.run_once(follow=False))
        while not (receiver.connections == 1 and len(http_server.requests) == 1):
            await asyncio.sleep(0.01)
        add_changes(store, clock, "Two.", change_type=ChangeType.RETRACTED)
        return await run

    try:
        summary = run(store, clock, steps, deadline=0.3, poll=0.01)
    finally:
        receiver.close()
    assert (summary.requests, summary.delivered, summary.retrying) == (2, 1, 1)
    assert [d.state for d in deliveries(store, "up")] == ["delivered", "pending"]


def test_removing_a_webhook_during_its_send_leaves_nothing_pending(store, clock, http_server):
    def remove_then_fail(request: RecordedRequest) -> tuple[int, dict[str, str], bytes]:
        other = Store(store.path)  # `monitor webhooks remove` in another process
        try:
            Outbox(other).remove_webhook("a", now=clock())
        finally:
            other.close()
        return 500, {}, b"oops"

    http_server.routes["/hook"] = remove_then_fail
    add_hook(store, "a", http_server.url("/hook"))
    add_changes(store, clock, "One.")
    summary = run(store, clock)
    (row,) = deliveries(store)
    assert (row.state, row.next_attempt_at) == ("cancelled", None)
    assert [a.status for a in Outbox(store).attempts(row.id)] == [500]
    assert Outbox(store).pending() == (0, None)
    assert (summary.requests, summary.retrying) == (1, 0)


class RawReceiver:
    """A TCP server whose handler gets the raw socket (for receivers that misbehave)."""

    def __init__(self, handle: Callable[[socket.socket, threading.Event], None]) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.stop = threading.Event()
        self.connections = 0
        threading.Thread(target=self._serve, args=(handle,), daemon=True).start()

    def _serve(self, handle: Callable[[socket.socket, threading.Event], None]) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            conn.recv(65536)
            threading.Thread(target=self._run, args=(handle, conn), daemon=True).start()

    def _run(self, handle: Callable[[socket.socket, threading.Event], None],
             conn: socket.socket) -> None:
        try:
            handle(conn, self.stop)
        except OSError:
            pass
        finally:
            conn.close()

    def close(self) -> None:
        self.stop.set()
        self.sock.close()


def drip(conn: socket.socket, stop: threading.Event) -> None:
    """A 200 whose head arrives a few bytes at a time, for about ten seconds."""
    head = b"HTTP/1.1 200 OK\r\n" + b"X-Pad: aaaaaaaaaa\r\n" * 12 + b"Content-Length: 0\r\n\r\n"
    for i in range(0, len(head), 4):
        if stop.wait(0.04):
            return
        conn.sendall(head[i:i + 4])


def silent(conn: socket.socket, stop: threading.Event) -> None:
    stop.wait(10)


@pytest.mark.parametrize("handler", [drip, silent], ids=["slow-drip", "silent"])
def test_a_total_deadline_cuts_off_slow_receivers(store, clock, handler):
    receiver = RawReceiver(handler)
    try:
        add_hook(store, "a", f"http://127.0.0.1:{receiver.port}/hook")
        add_changes(store, clock, "One.")
        summary = run(store, clock, deadline=0.5)
    finally:
        receiver.close()
    assert receiver.connections == 1
    (row,) = deliveries(store)
    assert (row.state, row.last_status, row.last_error) == (
        "pending", None, "no answer within 0.5s")
    assert summary.retrying == 1


def test_tls_is_always_verified(store, clock):
    # A certificate from a throwaway CA made for this test (trustme): valid, but not trusted
    # by the system store the sender uses, so the handshake must fail.
    issued = trustme.CA().issue_cert("127.0.0.1")
    seen: list[str] = []

    class Quiet(ThreadingHTTPServer):
        def handle_error(self, request: Any, client_address: Any) -> None:
            pass

    handle = type("H", (), {"routes": {}, "requests": [], "_record": lambda s, r: seen.append(
        r.path), "_lookup": lambda s, p: (200, {}, b"ok")})()
    httpd = Quiet(("127.0.0.1", 0), _make_handler(handle))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    issued.configure_cert(context)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.01},
                              daemon=True)
    thread.start()
    try:
        add_hook(store, "a", f"https://127.0.0.1:{httpd.server_address[1]}/hook")
        add_changes(store, clock, "One.")
        run(store, clock)
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert seen == []  # the request was never sent over the unverified connection
    (row,) = deliveries(store)
    assert row.state == "pending" and row.last_error.startswith("TLS error (")
    assert "certificate" in row.last_error


# -- Slack -------------------------------------------------------------------------------------


@pytest.mark.parametrize("reply", ["invalid_payload", "no_text"])
def test_slack_error_replies_are_recorded(store, clock, http_server, reply):
    http_server.route("/slack", 400, {"Content-Type": "text/html"}, reply.encode())
    add_hook(store, "team", http_server.url("/slack"), kind="slack")
    add_changes(store, clock, "One.")
    summary = run(store, clock)
    (row,) = deliveries(store)
    assert (row.state, row.last_error) == ("failed", f"HTTP 400 Bad Request: {reply}")
    assert Outbox(store).attempts(row.id)[0].error == row.last_error
    assert summary.errors == (f"webhook team: HTTP 400 Bad Request: {reply}",)


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def test_hostile_article_text_arrives_literally_in_both_kinds(store, clock, http_server):
    http_server.route("/json", 200)
    http_server.route("/slack", 200, {}, b"ok")
    add_hook(store, "j", http_server.url("/json"))
    add_hook(store, "s", http_server.url("/slack"), kind="slack")
    add_changes(store, clock, HOSTILE)
    run(store, clock)
    (json_request,) = http_server.requests_for("/json")
    assert verify(json_request)["data"]["claim"] == HOSTILE
    (slack_request,) = http_server.requests_for("/slack")
    message = json.loads(slack_request.body)
    texts = _strings(message)
    joined = "\n".join(texts)
    assert "<!channel>" not in joined and "<https://evil.example|x>" not in joined
    assert "<img" not in joined
    assert any("&lt;!channel&gt;" in t and "&lt;https://evil.example|x&gt;" in t
               and "{{7*7}}" in t and "&lt;img src=x onerror=alert(1)&gt;" in t
               and "&amp; co" in t for t in texts)
    # nothing evaluated {{7*7}} (only texts carrying the claim: a detection time may hold 49)
    assert not any("49" in t for t in texts if "7*7" in t)
    assert message["text"] and len(message["blocks"]) <= 50


def test_many_due_alerts_reach_slack_as_one_digest(store, clock, http_server):
    http_server.route("/slack", 200, {}, b"ok")
    add_hook(store, "team", http_server.url("/slack"), kind="slack")
    add_changes(store, clock, *[f"Claim number {i}." for i in range(10)])
    sleeps: list[float] = []

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    summary = run(store, clock, sleep=sleep)
    assert summary == DeliverySummary(requests=1, delivered=10)
    (request,) = http_server.requests_for("/slack")
    body = request.body.decode()
    assert all(f"Claim number {i}." in body for i in range(10))
    for row in deliveries(store):
        assert row.state == "delivered"
        assert Outbox(store).attempts(row.id)[0].digest_size == 10


class StepRng:
    """A different point of every range on each call, as random.Random would give."""

    def __init__(self) -> None:
        self.calls = 0

    def uniform(self, a: float, b: float) -> float:
        self.calls += 1
        return a + (b - a) * (self.calls % 7) / 6


def test_a_failed_slack_digest_is_retried_as_one_digest(store, clock, http_server):
    answers = iter([(500, {}, b"oops")])
    http_server.routes["/slack"] = lambda request: next(answers, (200, {}, b"ok"))
    add_hook(store, "team", http_server.url("/slack"), kind="slack")
    add_changes(store, clock, *[f"Claim number {i}." for i in range(10)])
    sleeps: list[float] = []

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        clock.advance(seconds)

    assert run(store, clock, sleep=sleep, rng=StepRng()).retrying == 10
    first = min(parse_time(d.next_attempt_at) for d in deliveries(store))
    clock.advance((first - clock()).total_seconds())
    assert run(store, clock, sleep=sleep, rng=StepRng()) == DeliverySummary(requests=1,
                                                                            delivered=10)
    failed, retried = http_server.requests_for("/slack")
    assert failed.body == retried.body  # the same digest, with the same webhook-id
    assert failed.headers["webhook-id"] == retried.headers["webhook-id"]


def test_slack_gets_at_most_one_message_per_second_per_webhook(store, clock, http_server):
    http_server.route("/slack", 200, {}, b"ok")
    http_server.route("/json", 200)
    add_hook(store, "team", http_server.url("/slack"), kind="slack")
    sleeps: list[float] = []

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        clock.advance(seconds)

    async def steps(worker: DeliveryWorker) -> None:
        add_changes(store, clock, "One.", "Two.", "Three.")
        await worker.run_once()
        assert sleeps == [1.0, 1.0]
        add_changes(store, clock, "Four.")
        clock.advance(0.25)
        await worker.run_once()  # the next run keeps the pace too
        assert sleeps == [1.0, 1.0, 0.75]
        clock.advance(5)
        add_changes(store, clock, "Five.")
        await worker.run_once()
        assert sleeps == [1.0, 1.0, 0.75]

    run(store, clock, steps, sleep=sleep)
    assert len(http_server.requests_for("/slack")) == 5
    assert all(r.state == "delivered" for r in deliveries(store))

    add_hook(store, "j", http_server.url("/json"))
    add_changes(store, clock, "Six.", "Seven.", "Eight.")
    sleeps.clear()
    run(store, clock, sleep=sleep)
    assert len(http_server.requests_for("/json")) == 3
    assert sleeps == [1.0, 1.0]  # between the 3 Slack messages only; JSON is not paced


def test_messages_left_waiting_are_signed_again(store, clock, http_server):
    clock.advance(-120)  # receivers accept timestamps up to 5 minutes old

    def slow_receiver(request: RecordedRequest) -> tuple[int, dict[str, str], bytes]:
        clock.advance(61)
        return 200, {}, b""

    http_server.routes["/hook"] = slow_receiver
    add_hook(store, "a", http_server.url("/hook"))
    add_changes(store, clock, "One.", "Two.", "Three.")
    start = int(clock().timestamp())
    run(store, clock)
    stamps = [int(r.headers["webhook-timestamp"]) for r in http_server.requests_for("/hook")]
    assert stamps == [start, start + 61, start + 122]
    for request in http_server.requests_for("/hook"):
        verify(request)


# -- secrets ----------------------------------------------------------------------------------


def test_secrets_stay_out_of_logs_errors_and_reprs(store, clock, http_server, caplog):
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="httpx")  # the CLI quietens it; here we want it
    path = "/services/T0001/B0001/sEcReTpAtH"
    http_server.routes[path] = lambda r: (404, {}, f"no_service at {r.path}".encode())
    http_server.route("/ok/xyzSECRETok", 200, {}, b"ok")
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    dead_port = closed.getsockname()[1]
    closed.close()
    hooks = [
        add_hook(store, "slack404", http_server.url(path), kind="slack"),
        add_hook(store, "dead", f"http://127.0.0.1:{dead_port}/hook/zzSECRETzz"),
        add_hook(store, "fromenv", None, url_env="HOOK_URL_FOR_TEST"),
        add_hook(store, "ok", http_server.url("/ok/xyzSECRETok"), kind="slack"),
    ]
    add_changes(store, clock, "One.")
    summary = run(store, clock, environ={})
    errors = "\n".join([*summary.errors, *(d.last_error or "" for d in deliveries(store)),
                        *(a.error or "" for d in deliveries(store)
                          for a in Outbox(store).attempts(d.id))])
    assert "no_service at <redacted>" in errors
    assert "webhook fromenv: environment variable HOOK_URL_FOR_TEST is not set" in errors
    assert "cannot connect" in errors
    assert "<webhook ok>" in caplog.text  # httpx's request line names the webhook instead
    for secret in ("sEcReTpAtH", "zzSECRETzz", "xyzSECRETok", SECRET):
        assert secret not in errors
        assert secret not in caplog.text
        assert all(secret not in repr(h) for h in hooks)
        assert all(secret not in repr(s) for s in Outbox(store).statuses())

    # The variable, once set, is read at send time.
    clock.advance(5)
    run(store, clock, environ={"HOOK_URL_FOR_TEST": http_server.url("/ok/xyzSECRETok")})
    assert [d.state for d in deliveries(store, "fromenv")] == ["delivered"]


def test_a_bug_for_one_endpoint_does_not_stop_the_others(store, clock, http_server,
                                                        monkeypatch, caplog):
    from monitor.sender import Sender

    http_server.route("/ok", 200)
    http_server.route("/bug/xyzSECRET", 200)
    add_hook(store, "ok", http_server.url("/ok"))
    add_hook(store, "buggy", http_server.url("/bug/xyzSECRET"))
    add_changes(store, clock, "One.")
    real_send = Sender.send

    async def send(self, hook, target, message):
        if hook.name == "buggy":
            raise RuntimeError(f"bug while posting to {target.url}")
        return await real_send(self, hook, target, message)

    monkeypatch.setattr(Sender, "send", send)
    summary = run(store, clock)
    assert summary.delivered == 1
    assert summary.errors == ("webhook buggy: unexpected RuntimeError: bug while posting to "
                              "<redacted>",)
    assert "xyzSECRET" not in caplog.text
    assert [d.state for d in deliveries(store, "buggy")] == ["pending"]


def test_the_signing_secret_can_come_from_the_environment(store, clock, http_server):
    http_server.route("/hook", 200)
    add_hook(store, "a", http_server.url("/hook"), secret_env="HOOK_SECRET")
    add_changes(store, clock, "One.")
    run(store, clock, environ={"HOOK_SECRET": SECRET})
    (request,) = http_server.requests_for("/hook")
    assert verify(request)["data"]["claim"] == "One."


def test_a_bad_secret_in_the_environment_is_a_retryable_named_failure(store, clock,
                                                                     http_server):
    http_server.route("/hook", 200)
    add_hook(store, "a", http_server.url("/hook"), secret_env="HOOK_SECRET")
    add_changes(store, clock, "One.")
    summary = run(store, clock, environ={"HOOK_SECRET": "whsec_notbase64!!secretvalue"})
    assert http_server.requests == []
    (row,) = deliveries(store)
    assert row.state == "pending" and "signing secret" in row.last_error
    assert "secretvalue" not in row.last_error and summary.retrying == 1


def test_time_is_measured_per_attempt(store, clock, http_server):
    def slowish(request: RecordedRequest) -> tuple[int, dict[str, str], bytes]:
        time.sleep(0.05)
        return 200, {}, b""

    http_server.routes["/hook"] = slowish
    add_hook(store, "a", http_server.url("/hook"))
    add_changes(store, clock, "One.")
    run(store, clock)
    (row,) = deliveries(store)
    assert Outbox(store).attempts(row.id)[0].duration_ms >= 50


def test_a_locked_database_is_a_storage_error_and_the_alert_stays_queued(store, clock,
                                                                         http_server):
    import sqlite3

    from monitor.errors import StorageError

    http_server.route("/hook", 200)
    add_hook(store, "a", http_server.url("/hook"))
    add_changes(store, clock, "One.")
    store.db.execute("PRAGMA busy_timeout = 50")
    other = sqlite3.connect(store.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another writer holds the lock for too long
    try:
        with pytest.raises(StorageError, match="cannot record deliveries"):
            run(store, clock)
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert len(http_server.requests) == 1
    (row,) = deliveries(store)
    assert (row.state, row.attempts) == ("pending", 0)  # sent, not marked: it will be re-sent
