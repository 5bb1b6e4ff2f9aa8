"""`monitor webhooks add|list|remove|enable|test` against a local HTTP server."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from standardwebhooks.webhooks import Webhook as Verifier

from tests.helpers import write_config
from tests.test_cli_alerts import HIDDEN, SECRET, add_changes, monitor


@pytest.fixture
def cfg(tmp_path: Path) -> str:
    return str(write_config(tmp_path / "monitor.toml", tmp_path / "monitor.db"))


def test_add_json_generates_a_secret_shown_once_and_test_delivers_a_signed_sample(
        capsys, cfg, http_server):
    http_server.route(HIDDEN, 200)
    added = monitor(capsys, cfg, "webhooks", "add", "ingest", "--kind", "json", "--url",
                    http_server.url(HIDDEN))
    assert added.code == 0, added.err
    secret = re.search(r"signing secret: (whsec_\S+)", added.out).group(1)
    assert "configure your receiver" in added.out
    assert HIDDEN not in added.out

    listed = monitor(capsys, cfg, "webhooks", "list")
    assert listed.code == 0
    assert f"ingest  json  {http_server.base_url}  enabled" in listed.out
    (row,) = monitor(capsys, cfg, "webhooks", "list", "--json").jsonl()
    assert row["destination"] == http_server.base_url and row["signed"] is True
    assert (row["pending"], row["delivered"], row["failed"]) == (0, 0, 0)
    for text in (listed.out, json.dumps(row)):
        assert secret not in text and HIDDEN not in text

    tested = monitor(capsys, cfg, "webhooks", "test", "ingest")
    assert tested.code == 0, tested.err
    assert "webhook ingest: delivered a sample alert (HTTP 200" in tested.out
    (request,) = http_server.requests_for(HIDDEN)
    payload = Verifier(secret).verify(request.body, request.headers)
    assert payload["type"] == "claim.updated" and payload["data"]["source"] == "sample/jalali"
    assert monitor(capsys, cfg, "deliveries").out.strip() == "no deliveries"  # outbox untouched


def test_test_failure_exits_1_and_names_the_webhook_not_its_url(capsys, cfg, http_server):
    http_server.route(HIDDEN, 500, {}, b"upstream exploded")
    monitor(capsys, cfg, "webhooks", "add", "ingest", "--kind", "json", "--secret", SECRET,
            "--url", http_server.url(HIDDEN))
    tested = monitor(capsys, cfg, "webhooks", "test", "ingest")
    assert tested.code == 1
    assert tested.err.strip() == (
        "webhook ingest: failed: HTTP 500 Internal Server Error: upstream exploded")
    assert HIDDEN not in tested.out + tested.err and SECRET not in tested.out + tested.err
    unknown = monitor(capsys, cfg, "webhooks", "test", "nope")
    assert unknown.code == 2 and "unknown webhook 'nope'" in unknown.err


def test_slack_from_the_environment_with_filters(capsys, cfg, http_server, monkeypatch):
    http_server.route("/slack", 200, {}, b"ok")
    added = monitor(capsys, cfg, "webhooks", "add", "team", "--kind", "slack", "--url-env",
                    "TEAM_SLACK_URL", "--type", "contradicted_claim", "--type",
                    "updated_claim", "--source", "syria", "--min-severity", "medium")
    assert added.code == 0, added.err
    assert "signing secret" not in added.out
    listed = monitor(capsys, cfg, "webhooks", "list").out
    assert "$TEAM_SLACK_URL" in listed
    assert "types=contradicted_claim,updated_claim; sources=syria; severity>=medium" in listed

    missing = monitor(capsys, cfg, "webhooks", "test", "team")
    assert missing.code == 1
    assert "environment variable TEAM_SLACK_URL is not set" in missing.err
    monkeypatch.setenv("TEAM_SLACK_URL", http_server.url("/slack"))
    tested = monitor(capsys, cfg, "webhooks", "test", "team")
    assert tested.code == 0, tested.err
    (request,) = http_server.requests_for("/slack")
    assert json.loads(request.body)["blocks"]


@pytest.mark.parametrize("args, problem", [
    (["--kind", "slack", "--url", "https://h.example/x", "--secret", SECRET],
     "only json webhooks are signed"),
    (["--kind", "json", "--url", "https://h.example/x", "--url-env", "X"],
     "give exactly one of url and url_env"),
    (["--kind", "json"], "give exactly one of url and url_env"),
    (["--kind", "json", "--url", "ftp://h.example/x"], "not an http(s) URL"),
    (["--kind", "json", "--url", "https://h.example/x", "--secret", "whsec_tooShortSECRET"],
     "expected whsec_ followed by base64"),
    (["--kind", "slack", "--url-env", "1BAD"], "not an environment variable name"),
    (["--kind", "xml", "--url", "https://h.example/x"], "Invalid value for '--kind'"),
], ids=["slack-secret", "url-twice", "no-url", "ftp", "short-secret", "bad-env-name",
        "bad-kind"])
def test_add_refuses_bad_definitions(capsys, cfg, args, problem):
    result = monitor(capsys, cfg, "webhooks", "add", "x", *args)
    assert result.code == 2
    assert problem in result.err
    assert "tooShortSECRET" not in result.err
    assert monitor(capsys, cfg, "webhooks", "list").out.startswith("no webhooks")


def test_duplicate_names_and_config_webhooks(capsys, tmp_path, http_server):
    cfg = write_config(tmp_path / "monitor.toml", tmp_path / "monitor.db")
    with cfg.open("a") as f:
        f.write(f'[[webhooks]]\nname = "ops"\nkind = "json"\nurl = "{http_server.url(HIDDEN)}"'
                f'\nsecret_env = "OPS_SECRET"\nmin_severity = "critical"\n')
    cfg = str(cfg)
    unsynced = monitor(capsys, cfg, "webhooks", "list")  # listing shows, never syncs
    assert unsynced.out.startswith("no webhooks")
    assert "is not synced into the database yet (webhook +ops)" in unsynced.err
    duplicate = monitor(capsys, cfg, "webhooks", "add", "ops", "--kind", "slack", "--url",
                        "https://h.example/x")  # adding syncs the config first
    assert duplicate.code == 2 and "already exists" in duplicate.err
    listed = monitor(capsys, cfg, "webhooks", "list")
    assert listed.out.splitlines()[1].split() == [
        "ops", "json", http_server.base_url, "enabled", "0", "0", "0", "config",
        "severity>=critical"]
    assert listed.err == ""
    removed = monitor(capsys, cfg, "webhooks", "remove", "ops")
    assert removed.code == 2 and "defined in the config file" in removed.err


def test_remove_cancels_queued_alerts(capsys, cfg, tmp_path):
    monitor(capsys, cfg, "webhooks", "add", "a", "--kind", "slack", "--url",
            "https://hooks.example.com/a")
    add_changes(tmp_path / "monitor.db", "One.", "Two.")
    removed = monitor(capsys, cfg, "webhooks", "remove", "a")
    assert removed.code == 0
    assert removed.out.strip() == "removed webhook 'a' (2 queued alert(s) cancelled)"
    assert [r["state"] for r in monitor(capsys, cfg, "deliveries", "--json").jsonl()] == [
        "cancelled", "cancelled"]
    assert monitor(capsys, cfg, "webhooks", "remove", "a").code == 2


@pytest.mark.parametrize("url, allow_private, warning", [
    ("http://127.0.0.1:9/hook", False,
     "warning: webhook x: address 127.0.0.1 is not public (loopback): alerts to it would be "
     "refused and retried for about three days; private and loopback destinations need "
     "[fetch] allow_private = true in the config"),
    ("http://localhost:9/hook", False, "warning: webhook x: host 'localhost' resolves to "),
    ("http://127.0.0.1:9/hook", True, None),
    ("https://93.184.215.14/hook", False, None),
], ids=["loopback-literal", "localhost", "allowed", "public"])
def test_add_warns_when_the_destination_would_be_refused(capsys, tmp_path, url, allow_private,
                                                        warning):
    cfg = str(write_config(tmp_path / "monitor.toml", tmp_path / "monitor.db",
                           allow_private=allow_private))
    added = monitor(capsys, cfg, "webhooks", "add", "x", "--kind", "slack", "--url", url)
    assert added.code == 0 and "added slack webhook 'x'" in added.out  # added all the same
    if warning is None:
        assert added.err == ""
    else:
        assert added.err.startswith(warning)
        assert "allow_private = true" in added.err
