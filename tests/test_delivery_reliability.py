"""Alerts are never lost: real `monitor` processes, a real receiver, receivers down, kill -9.

Each test detects changes in a watched folder with `monitor check`, then lets a sending
process deliver them to a local receiver that verifies every Standard Webhooks signature and
de-duplicates on `webhook-id`, as a real receiver would. The sending process is a parameter
(`SENDERS`), so every test runs twice: against the one-shot `monitor deliver` and against the
service `monitor run`, which detects and delivers by itself (`Sender` drives both alike).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from standardwebhooks.webhooks import Webhook as Verifier

from tests.helpers import REPO, write_config

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
HOOKS = ("a", "b")  # two JSON endpoints on the receiver: /a and /b
ARTICLE = """Flight data

At least 300 prisoners were freed from Sednaya prison, monitors said.

Turkey said on Monday that it had closed two border crossings with Syria.

The airport in Latakia was closed to civilian flights on Sunday.
"""
WAIT = 30.0  # seconds a test waits for a process or the receiver before failing


@dataclass(frozen=True)
class Sending:
    """A way to run the process that sends alerts.

    `one_shot` commands exit by themselves and are run again until the receiver has
    everything; long-running ones (`monitor run`) are started once, restarted after a kill,
    and stopped with SIGTERM at the end. `detects` says the process also detects the changes
    (so the test does not run `monitor check`).
    """

    argv: tuple[str, ...]
    one_shot: bool = True
    detects: bool = False


SENDERS = {
    "deliver": Sending(("deliver",)),
    "run": Sending(("run",), one_shot=False, detects=True),
}


class Receiver:
    """A webhook receiver on a fixed port: verifies signatures, records webhook-ids.

    Modes: "ok" answers 200; "silent" reads the request and never answers (until closed);
    "lock" takes the write lock of `db` (BEGIN IMMEDIATE on its own connection) before
    answering the first request 200, so the sender cannot mark the delivery until the test
    releases it.
    """

    def __init__(self, port: int, db: Path) -> None:
        self.port, self.db = port, db
        self.mode = "ok"
        self.received: list[tuple[str, str]] = []  # (path, webhook-id) of verified requests
        self.answered = threading.Event()  # a request got a 2xx (in "lock" mode: the first)
        self.first_request = threading.Event()
        self.lock: sqlite3.Connection | None = None
        self.closing = threading.Event()
        self._guard = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {k.lower(): v for k, v in self.headers.items()}
                Verifier(SECRET).verify(body, headers)  # raises (no answer) if forged
                receiver.handle(self, headers["webhook-id"])

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.01},
                         daemon=True).start()

    def handle(self, handler: BaseHTTPRequestHandler, msg_id: str) -> None:
        with self._guard:
            self.received.append((handler.path, msg_id))
            first = not self.first_request.is_set()
            self.first_request.set()
        if self.mode == "silent":
            self.closing.wait(WAIT)
            return
        if self.mode == "lock" and first:
            self.lock = sqlite3.connect(self.db, isolation_level=None, timeout=WAIT,
                                        check_same_thread=False)
            self.lock.execute("BEGIN IMMEDIATE")
        handler.send_response(200)
        handler.send_header("Content-Length", "0")
        handler.end_headers()
        handler.wfile.flush()
        self.answered.set()

    def release(self) -> None:
        if self.lock is not None:
            self.lock.execute("ROLLBACK")
            self.lock.close()
            self.lock = None

    def close(self) -> None:
        self.closing.set()
        self.release()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def ids(self, hook: str) -> Counter[str]:
        with self._guard:
            return Counter(msg_id for path, msg_id in self.received if path == f"/{hook}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Setup:
    cfg: Path
    db: Path
    inbox: Path
    receiver: Receiver


@pytest.fixture
def setup(tmp_path: Path) -> Iterator[Setup]:
    """A config watching ./inbox with two JSON webhooks on a receiver that is not up yet."""
    db, inbox = tmp_path / "monitor.db", tmp_path / "inbox"
    inbox.mkdir()
    port = free_port()
    cfg = write_config(tmp_path / "monitor.toml", db)
    with cfg.open("a") as f:
        f.write(f'[[sources]]\nname = "inbox"\nurl = "{inbox}"\nkind = "dir"\n')
        for hook in HOOKS:
            f.write(f'[[webhooks]]\nname = "{hook}"\nkind = "json"\n'
                    f'url = "http://127.0.0.1:{port}/{hook}"\nsecret = "{SECRET}"\n')
    receiver = Receiver(port, db)
    try:
        yield Setup(cfg, db, inbox, receiver)
    finally:
        receiver.close()


def monitor(setup: Setup, *args: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([sys.executable, "-m", "monitor", "--config", str(setup.cfg), *args],
                            capture_output=True, text=True, timeout=WAIT, cwd=REPO)
    assert result.returncode == 0, result.stderr
    return result


def query(setup: Setup, sql: str) -> list[tuple[object, ...]]:
    """Rows of `sql` ([] before the sender has created and migrated the database)."""
    if not setup.db.exists():
        return []
    with contextlib.closing(sqlite3.connect(setup.db)) as conn:
        try:
            return conn.execute(sql).fetchall()
        except sqlite3.OperationalError:  # not migrated yet
            return []


def changes(setup: Setup) -> int:
    rows = query(setup, "SELECT count(*) FROM changes")
    return int(str(rows[0][0])) if rows else 0


class Sender:
    """Drives the sending process the same way for one-shot and long-running commands.

    Entering starts a long-running one and waits until it serves. `detect` writes the
    article (and runs `monitor check` unless the sender detects by itself); `spawn` gives a
    sending process to kill (a new one-shot process, or the running service); `until` runs
    the sender until a condition holds; `restart` follows a kill.
    """

    def __init__(self, setup: Setup, sending: Sending) -> None:
        self.setup, self.sending = setup, sending
        self.process: subprocess.Popen[str] | None = None

    def __enter__(self) -> Sender:
        if not self.sending.one_shot:
            self.restart()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.communicate(timeout=WAIT)

    def _popen(self) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-m", "monitor", "--config", str(self.setup.cfg),
             *self.sending.argv], cwd=REPO, text=True, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE)

    def restart(self) -> None:
        if self.sending.one_shot:
            return
        self.process = process = self._popen()
        self._wait(lambda: bool(query(self.setup, "SELECT 1 FROM service WHERE pid = "
                                      f"{process.pid} AND started_at IS NOT NULL")))

    def detect(self) -> None:
        """Put an article with three new claims in the inbox and have it detected."""
        (self.setup.inbox / "sednaya.txt").write_text(ARTICLE)
        if not self.sending.detects:
            assert "changes: 3 new_claim" in monitor(self.setup, "check").stdout

    def spawn(self) -> subprocess.Popen[str]:
        if self.sending.one_shot:
            self.process = self._popen()
        assert self.process is not None
        return self.process

    def until(self, done: Callable[[], bool]) -> None:
        if self.sending.one_shot:
            deadline = time.monotonic() + WAIT
            while not done():
                assert time.monotonic() < deadline, "timed out"
                monitor(self.setup, *self.sending.argv)
        else:
            self._wait(done)

    def _wait(self, done: Callable[[], bool]) -> None:
        deadline = time.monotonic() + WAIT
        while not done():
            assert self.process is not None
            if self.process.poll() is not None:
                pytest.fail(f"the sender exited: {self.process.communicate()[1]}")
            assert time.monotonic() < deadline, "timed out"
            time.sleep(0.05)


def wait_for(event: threading.Event, process: subprocess.Popen[str]) -> None:
    if not event.wait(WAIT):
        process.kill()
        pytest.fail(f"nothing reached the receiver: {process.communicate()[1]}")


def kill_9(process: subprocess.Popen[str]) -> None:
    os.kill(process.pid, signal.SIGKILL)
    process.communicate(timeout=WAIT)
    assert process.returncode == -signal.SIGKILL


def time_passes(setup: Setup) -> None:
    """Make every pending retry due now, as if the 5 s (or longer) waits were over."""
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    with contextlib.closing(sqlite3.connect(setup.db, timeout=WAIT)) as conn, conn:
        conn.execute("UPDATE deliveries SET next_attempt_at = ? WHERE state = 'pending'", [now])
        conn.execute("UPDATE webhooks SET backoff_until = NULL")


def all_arrived(setup: Setup) -> Callable[[], bool]:
    def done() -> bool:
        count = changes(setup)
        return count > 0 and all(len(setup.receiver.ids(h)) == count for h in HOOKS)

    return done


def assert_everything_delivered_once_per_id(setup: Setup) -> None:
    count = changes(setup)
    assert count == 3
    with contextlib.closing(sqlite3.connect(setup.db, timeout=WAIT)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows = conn.execute("SELECT webhook, msg_id, state FROM deliveries").fetchall()
    assert len(rows) == count * len(HOOKS)
    assert {state for _, _, state in rows} == {"delivered"}
    for hook in HOOKS:
        expected = {msg_id for name, msg_id, _ in rows if name == hook}
        assert set(setup.receiver.ids(hook)) == expected  # unique ids = number of changes


@pytest.fixture(params=sorted(SENDERS))
def sending(request: pytest.FixtureRequest) -> Sending:
    return SENDERS[request.param]


def test_receiver_down_then_up_every_alert_arrives_once_per_id(setup, sending):
    with Sender(setup, sending) as sender:
        sender.detect()
        sender.until(lambda: len(query(setup, "SELECT 1 FROM delivery_attempts")) >= 2)
        errors = {e for (e,) in query(setup, "SELECT error FROM delivery_attempts")}
        assert all(str(e).startswith("cannot connect") for e in errors), errors
        time_passes(setup)
        setup.receiver.start()
        sender.until(all_arrived(setup))
    assert_everything_delivered_once_per_id(setup)
    for hook in HOOKS:  # nothing had arrived before, so nothing arrived twice
        assert set(setup.receiver.ids(hook).values()) == {1}


def test_kill_9_before_anything_was_delivered_loses_nothing(setup, sending):
    setup.receiver.mode = "silent"  # takes requests, never answers: the send is in flight
    setup.receiver.start()
    with Sender(setup, sending) as sender:
        sender.detect()
        process = sender.spawn()
        wait_for(setup.receiver.first_request, process)
        kill_9(process)
        in_flight = {msg_id for _, msg_id in setup.receiver.received}
        assert in_flight
        setup.receiver.mode = "ok"
        sender.restart()
        sender.until(all_arrived(setup))
    assert_everything_delivered_once_per_id(setup)
    delivered = set().union(*(setup.receiver.ids(h) for h in HOOKS))
    assert in_flight <= delivered  # the alerts in flight were re-sent with the same ids


def test_kill_9_after_a_2xx_but_before_marking_resends_the_same_id(setup, sending):
    setup.receiver.mode = "lock"
    setup.receiver.start()
    with Sender(setup, sending) as sender:
        sender.detect()
        process = sender.spawn()
        wait_for(setup.receiver.answered, process)
        time.sleep(0.2)  # the sender now waits for the lock to mark the delivery
        kill_9(process)
        setup.receiver.release()
        (path, answered_id), *_ = setup.receiver.received
        setup.receiver.mode = "ok"
        sender.restart()
        sender.until(all_arrived(setup))
    assert_everything_delivered_once_per_id(setup)
    hook = path.strip("/")
    assert setup.receiver.ids(hook)[answered_id] == 2  # answered 2xx, unmarked: sent again
