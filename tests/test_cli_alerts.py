"""`monitor deliver` and `monitor deliveries ...` end to end; the help of every alert command."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from monitor.models import Change, ChangeType, Claim, Document, Source
from monitor.store import Store
from tests.helpers import run_cli, write_config

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
HIDDEN = "/hooks/T0001/xyzHIDDENpath"


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "monitor.db"


@pytest.fixture
def cfg(tmp_path: Path, db: Path) -> str:
    return str(write_config(tmp_path / "monitor.toml", db))


def monitor(capsys, cfg: str, *args: str):
    return run_cli(capsys, "--config", cfg, *args)


def add_changes(db: Path, *claims: str) -> None:
    """A new version of source `story` with one new_claim per text, detected now."""
    store = Store(db)
    try:
        source = Source("story", "https://news.example.com/story", tags=("syria",))
        if store.get_source("story") is None:
            store.add_source(source, now=datetime.now(UTC))
        store.save_version(
            source, Document(url=source.url, text="x", title="Story"),
            text_hash=f"h{store.count_changes()}", claims=[Claim("x", "x", "x")],
            changes=[Change(ChangeType.NEW, text) for text in claims], now=datetime.now(UTC))
    finally:
        store.close()


def test_deliver_retry_and_deliveries(capsys, cfg, db, http_server):
    answers = iter([(503, {}, b"busy")])
    http_server.routes["/hook"] = lambda request: next(answers, (200, {}, b""))
    monitor(capsys, cfg, "webhooks", "add", "a", "--kind", "json", "--secret", SECRET,
            "--url", http_server.url("/hook"))
    assert monitor(capsys, cfg, "deliver").out.strip() == "nothing due"
    add_changes(db, "One.", "Two.")

    first = monitor(capsys, cfg, "deliver")
    assert first.code == 0, first.err
    lines = first.out.splitlines()
    assert lines[0] == "sent 1 request(s): 0 delivered, 1 to retry, 0 failed"
    assert lines[1] == "webhook a: HTTP 503 Service Unavailable: busy"
    assert lines[2].startswith("2 alert(s) pending; next try ")

    table = monitor(capsys, cfg, "deliveries").out.splitlines()
    assert table[0].split() == ["ID", "WEBHOOK", "CHANGE", "STATE", "TRIES", "LAST", "ANSWER",
                                "NEXT", "TRY", "(UTC)"]
    assert table[1].split()[:5] == ["2", "a", "2", "pending", "0"]
    assert table[2].split()[:5] == ["1", "a", "1", "pending", "1"]
    assert "HTTP 503 Service Unavailable: busy" in table[2]
    rows = monitor(capsys, cfg, "deliveries", "--json").jsonl()
    assert [(r["id"], r["state"], r["attempts"]) for r in rows] == [
        (2, "pending", 0), (1, "pending", 1)]
    (attempt,) = rows[1]["attempt_log"]
    assert attempt["status"] == 503 and attempt["error"].startswith("HTTP 503")
    shown = monitor(capsys, cfg, "deliveries", "show", "1").out
    assert f"webhook-id: {rows[1]['msg_id']}" in shown and "503" in shown

    retried = monitor(capsys, cfg, "deliveries", "retry", "1")
    assert retried.out.strip() == "re-queued 1 delivery: 1"
    requeued = monitor(capsys, cfg, "deliveries").out.splitlines()
    assert requeued[2].split()[:7] == ["1", "a", "1", "pending", "0", "(1", "in"]
    assert "all)" in requeued[2]  # TRIES restarts at 0; the log keeps the earlier attempt
    second = monitor(capsys, cfg, "deliver")
    assert second.out.splitlines()[0] == "sent 2 request(s): 2 delivered, 0 to retry, 0 failed"
    ids = [r.headers["webhook-id"] for r in http_server.requests_for("/hook")]
    assert ids.count(rows[1]["msg_id"]) == 2 and len(set(ids)) == 2
    assert monitor(capsys, cfg, "deliveries", "--failed").out.strip() == "no deliveries"
    assert monitor(capsys, cfg, "deliveries", "--limit", "1", "--json").jsonl()[0]["id"] == 2


def test_failed_deliveries_are_listed_and_requeued(capsys, cfg, db, http_server):
    http_server.route("/hook", 400, {}, b"invalid_payload")
    monitor(capsys, cfg, "webhooks", "add", "a", "--kind", "slack", "--url",
            http_server.url("/hook"))
    add_changes(db, "One.", "Two.")
    out = monitor(capsys, cfg, "deliver").out
    assert "0 delivered, 0 to retry, 2 failed" in out
    failed = monitor(capsys, cfg, "deliveries", "--failed").out
    assert failed.count("HTTP 400 Bad Request: invalid_payload") == 2
    (listed,) = monitor(capsys, cfg, "webhooks", "list", "--json").jsonl()
    assert (listed["pending"], listed["delivered"], listed["failed"]) == (0, 0, 2)

    nothing = monitor(capsys, cfg, "deliveries", "retry")
    assert nothing.code == 2 and "give delivery IDs or --all-failed" in nothing.err
    requeued = monitor(capsys, cfg, "deliveries", "retry", "--all-failed")
    assert requeued.out.strip() == "re-queued 2 deliveries: 1 2"
    http_server.route("/hook", 200, {}, b"ok")
    assert "2 delivered" in monitor(capsys, cfg, "deliver").out
    again = monitor(capsys, cfg, "deliveries", "retry", "1")
    assert again.code == 2 and "already delivered" in again.err


def test_410_disables_until_enabled(capsys, cfg, db, http_server):
    http_server.route("/hook", 410, {}, b"channel_is_archived")
    monitor(capsys, cfg, "webhooks", "add", "a", "--kind", "slack", "--url",
            http_server.url("/hook"))
    add_changes(db, "One.")
    out = monitor(capsys, cfg, "deliver").out
    assert "webhook a answered 410 Gone and is disabled: monitor webhooks enable a" in out
    listed = monitor(capsys, cfg, "webhooks", "list").out
    assert "disabled" in listed and "HTTP 410 Gone: channel_is_archived" in listed
    add_changes(db, "Two.")
    assert monitor(capsys, cfg, "deliver").out.strip() == "nothing due"

    enabled = monitor(capsys, cfg, "webhooks", "enable", "a").out
    assert "enabled webhook 'a'" in enabled
    assert "monitor deliveries retry 2" in enabled
    http_server.route("/hook", 200, {}, b"ok")
    assert monitor(capsys, cfg, "deliveries", "retry", "2").code == 0
    assert "1 delivered" in monitor(capsys, cfg, "deliver").out
    assert "was not disabled" in monitor(capsys, cfg, "webhooks", "enable", "a").out


def test_deliver_sends_nothing_while_a_service_holds_the_database(capsys, cfg, db,
                                                                   http_server):
    from monitor.lock import InstanceLock

    http_server.route("/hook", 200)
    monitor(capsys, cfg, "webhooks", "add", "a", "--kind", "json", "--secret", SECRET,
            "--url", http_server.url("/hook"))
    add_changes(db, "One.")
    lock = InstanceLock(db)  # what `monitor run` holds while it runs
    lock.acquire()
    try:
        result = monitor(capsys, cfg, "deliver")
    finally:
        lock.release()
    assert result.code == 0
    assert result.out.strip() == (
        f"monitor run (pid {os.getpid()}) is delivering alerts continuously; nothing to do")
    assert http_server.requests == []
    assert [r["state"] for r in monitor(capsys, cfg, "deliveries", "--json").jsonl()] == [
        "pending"]
    assert "1 delivered" in monitor(capsys, cfg, "deliver").out  # once the service is gone


@pytest.mark.parametrize("command", [
    ["webhooks", "list"], ["webhooks", "list", "--json"], ["deliveries"],
    ["deliveries", "--json"], ["deliveries", "show", "1"],
], ids=lambda c: "-".join(c))
def test_commands_that_only_show_never_sync_the_config(capsys, tmp_path, db, command):
    synced = write_config(tmp_path / "monitor.toml", db)
    with synced.open("a") as f:
        f.write('[[webhooks]]\nname = "ops"\nkind = "slack"\n'
                'url = "https://hooks.example.com/ops"\n')
    monitor(capsys, str(synced), "webhooks", "enable", "ops")  # an edit: syncs the config
    add_changes(db, "One.")
    (tmp_path / "elsewhere").mkdir()
    other = write_config(tmp_path / "elsewhere" / "monitor.toml", db)  # declares no webhook
    assert monitor(capsys, str(other), *command).code == 0
    (row,) = monitor(capsys, str(synced), "deliveries", "--json").jsonl()
    assert row["state"] == "pending"  # not cancelled by a config that lacks "ops"
    assert [r["name"] for r in monitor(capsys, str(synced), "webhooks", "list",
                                       "--json").jsonl()] == ["ops"]


def test_webhooks_test_uses_the_config_definition_without_syncing(capsys, tmp_path, db,
                                                                  http_server):
    http_server.route("/ops", 200, {}, b"ok")
    cfg = write_config(tmp_path / "monitor.toml", db)
    with cfg.open("a") as f:
        f.write(f'[[webhooks]]\nname = "ops"\nkind = "slack"\nurl = "{http_server.url("/ops")}"\n')
    tested = monitor(capsys, str(cfg), "webhooks", "test", "ops")
    assert tested.code == 0 and "delivered a sample alert" in tested.out
    assert len(http_server.requests_for("/ops")) == 1
    assert monitor(capsys, str(cfg), "webhooks", "list").out.startswith("no webhooks")


def test_deliver_exits_1_when_the_database_or_config_is_unusable(capsys, tmp_path, cfg):
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    result = run_cli(capsys, "--config", cfg, "--db", str(junk), "deliver")
    assert result.code == 1 and "cannot open database" in result.err
    bad = tmp_path / "bad.toml"
    bad.write_text('[[webhooks]]\nname = "x"\nkind = "json"\nurl = "ftp://x"\n')
    result = run_cli(capsys, "--config", str(bad), "deliver")
    assert result.code == 1 and "webhooks[0].url" in result.err


@pytest.mark.parametrize("command", [
    ["webhooks"], ["webhooks", "add"], ["webhooks", "list"], ["webhooks", "remove"],
    ["webhooks", "enable"], ["webhooks", "test"], ["deliver"], ["deliveries"],
    ["deliveries", "show"], ["deliveries", "retry"],
], ids=lambda c: "-".join(c))
def test_every_command_explains_itself(capsys, command):
    result = run_cli(capsys, *command, "--help")
    assert result.code == 0
    assert result.out.startswith("Usage: monitor " + " ".join(command))
    summary = result.out.split("\n\n")[1].strip()
    assert len(summary) > 20


@pytest.mark.parametrize("command, says", [
    (["deliver"], "While a `monitor run` service uses the same database"),
    (["deliveries"], "sent at NEXT TRY"),
    (["deliveries"], '"1 (4 in all)"'),
    (["webhooks", "add"], "`[fetch] allow_private = true`"),
], ids=["deliver-defers-to-run", "deliveries-columns", "deliveries-tries", "add-private"])
def test_help_says_what_users_asked_about(capsys, command, says):
    result = run_cli(capsys, *command, "--help")
    assert says in " ".join(result.out.split())
