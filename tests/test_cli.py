"""End-to-end tests of the `monitor` command line against a local HTTP server."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import SEEDS, article_page, run_cli, seed_paragraphs, write_config

STORY = "003_5fe53b3493fae1ec.txt"


@pytest.fixture
def cfg(tmp_path: Path) -> str:
    return str(write_config(tmp_path / "monitor.toml", tmp_path / "monitor.db"))


def test_seed_page_then_number_insert_delete_gives_three_typed_changes(http_server, cfg, capsys):
    title, paragraphs = seed_paragraphs(STORY)
    paragraphs = paragraphs[:12]  # the article part of the seed, before the interview
    http_server.route("/story", headers={"Content-Type": "text/html; charset=utf-8"},
                      body=article_page(title, paragraphs))

    loaded = run_cli(capsys, "--config", cfg, "baseline", "load", str(SEEDS))
    assert loaded.code == 0, loaded.err
    assert "5 loaded" in loaded.out
    again = run_cli(capsys, "--config", cfg, "baseline", "load", str(SEEDS / STORY))
    assert "0 loaded, 1 already present" in again.out

    added = run_cli(capsys, "--config", cfg, "sources", "add", http_server.url("/story"),
                    "--name", "story", "--tag", "syria")
    assert added.code == 0, added.err

    first = run_cli(capsys, "--config", cfg, "check")
    assert first.code == 0, first.err
    assert "checked 1: 0 changed" in first.out
    assert run_cli(capsys, "--config", cfg, "changes", "--json").jsonl() == []

    edited = [p.replace("two military bases", "three military bases") for p in paragraphs]
    dropped = ("These theories were ultimately dispelled, paving the way for confirmation of "
               "his presence in Russia.")
    assert any(dropped in p for p in edited)
    edited = [p.replace(dropped, "").strip() for p in edited]
    inserted = "Turkey said on Monday that it had closed two border crossings with Syria."
    edited.insert(3, inserted)
    http_server.route("/story", headers={"Content-Type": "text/html; charset=utf-8"},
                      body=article_page(title, edited))

    second = run_cli(capsys, "--config", cfg, "check")
    assert second.code == 0, second.err
    assert "checked 1: 1 changed" in second.out

    changes = run_cli(capsys, "--config", cfg, "changes", "--json").jsonl()
    by_type = {c["type"]: c for c in changes}
    assert sorted(by_type) == ["new_claim", "retracted_claim", "updated_claim"], changes
    assert by_type["new_claim"]["claim"] == inserted
    assert by_type["retracted_claim"]["claim"] == dropped
    updated = by_type["updated_claim"]
    assert "three military bases" in updated["claim"]
    assert "two military bases" in updated["previous_claim"]
    assert any(d["kind"] == "number" for d in updated["details"]["changed"])
    for change in changes:
        assert change["source"] == "story"
        assert change["url"] == http_server.url("/story")
        assert change["article_title"] == title
        assert change["detected_at"].endswith("Z")
        assert set(change) >= {"id", "previous_claim", "baseline_claim", "baseline_source"}

    table = run_cli(capsys, "--config", cfg, "changes", "--type", "new_claim")
    assert "new_claim" in table.out and "updated_claim" not in table.out
    limited = run_cli(capsys, "--config", cfg, "changes", "--json", "--limit", "1").jsonl()
    assert len(limited) == 1

    # The same page again: nothing new, and a 304 or the same body costs no parse.
    third = run_cli(capsys, "--config", cfg, "check", "story")
    assert "checked 1: 0 changed" in third.out
    assert len(run_cli(capsys, "--config", cfg, "changes", "--json").jsonl()) == 3


def test_failing_source_is_reported_and_others_still_checked(http_server, cfg, capsys):
    title, paragraphs = seed_paragraphs(STORY)
    http_server.route("/ok", headers={"Content-Type": "text/html"},
                      body=article_page(title, paragraphs[:4]))
    http_server.route("/gone", status=404, headers={"Content-Type": "text/html"}, body=b"no")
    run_cli(capsys, "--config", cfg, "sources", "add", http_server.url("/ok"), "--name", "ok")
    run_cli(capsys, "--config", cfg, "sources", "add", http_server.url("/gone"), "--name", "gone")
    result = run_cli(capsys, "--config", cfg, "check")
    assert result.code == 0
    assert "checked 2: 0 changed, 1 unchanged, 1 failed" in result.out
    assert "failed: gone: HTTP 404" in result.out
    listed = run_cli(capsys, "--config", cfg, "sources", "list", "--json").jsonl()
    states = {s["name"]: s for s in listed}
    assert states["gone"]["last_outcome"] == "error"
    assert "404" in states["gone"]["last_error"]
    assert states["ok"]["last_outcome"] in ("first_seen", "unchanged")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["sources", "add", "ftp://example.com/x"], "unsupported scheme"),
        (["sources", "add", "not a url"], "not a URL"),
        (["sources", "add", "https://example.com/x", "--interval", "soon"], "--interval"),
        (["sources", "remove", "nope"], "unknown source 'nope'"),
        (["check", "nope"], "unknown source: 'nope'"),
        (["changes", "--since", "yesterday-ish"], "--since"),
        (["changes", "--source", "nope"], "unknown source 'nope'"),
        (["baseline", "load", "/no/such/path"], "no such file or folder"),
    ],
    ids=["ftp-scheme", "not-a-url", "bad-interval", "remove-unknown", "check-unknown",
         "bad-since", "changes-unknown-source", "baseline-missing"],
)
def test_bad_use_exits_2_with_one_clear_line(cfg, capsys, args, message):
    result = run_cli(capsys, "--config", cfg, *args)
    assert result.code == 2
    assert message in result.err
    assert result.err.count("\n") == 1


def test_missing_named_config_exits_2(tmp_path, capsys):
    result = run_cli(capsys, "--config", str(tmp_path / "absent.toml"), "sources", "list")
    assert result.code == 2
    assert "config file not found" in result.err


def test_bad_config_lists_every_problem_with_its_key(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text('[fetch]\ntimeout = "soon"\nretries = 3\n[[sources]]\nurl = "gopher://x"\n')
    result = run_cli(capsys, "--config", str(bad), "check")
    assert result.code == 2
    for key in ("fetch.timeout", "fetch.retries: unknown key", "sources[0].url"):
        assert key in result.err


def test_extract_json_prints_one_object_per_input(tmp_path, cfg, capsys):
    page = tmp_path / "story.html"
    title, paragraphs = seed_paragraphs(STORY)
    page.write_bytes(article_page(title, paragraphs[:6]))
    result = run_cli(capsys, "--config", cfg, "extract", "--json", str(page),
                     str(SEEDS / "001_faf6987c39893a7f.txt"))
    assert result.code == 0, result.err
    first, second = result.jsonl()
    assert first["title"] == title
    assert first["author"] == "Staff Reporter"
    assert first["published"].startswith("2024-12-09")
    assert "Hayat Tahrir al-Sham" in first["text"]
    assert "Related stories" not in first["text"]
    assert first["claims"] and all("text" in c for c in first["claims"])
    assert "Jalali" in second["text"]
    human = run_cli(capsys, "--config", cfg, "extract", str(page))
    assert f"title: {title}" in human.out and "claims (" in human.out
    missing = run_cli(capsys, "--config", cfg, "extract", str(tmp_path / "nope.html"))
    assert missing.code == 1 and "no such file" in missing.err


def test_dir_source_tracks_files_as_articles(tmp_path, cfg, capsys):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a.txt").write_text("Breaking update\n\nRebels said on Monday that they had "
                                 "captured 40 tanks near the city of Hama.\n")
    assert run_cli(capsys, "--config", cfg, "sources", "add", str(inbox), "--kind", "dir",
                   "--name", "inbox").code == 0
    first = run_cli(capsys, "--config", cfg, "check")
    assert "1 changed" in first.out
    (inbox / "a.txt").write_text("Breaking update\n\nRebels said on Monday that they had "
                                 "captured 45 tanks near the city of Hama.\n")
    run_cli(capsys, "--config", cfg, "check")
    changes = run_cli(capsys, "--config", cfg, "changes", "--json", "--source", "inbox").jsonl()
    assert [c["type"] for c in changes] == ["updated_claim", "new_claim"]
    assert changes[0]["source"] == "inbox/a.txt"


def test_help_answers_the_question(capsys):
    result = run_cli(capsys, "--help")
    assert result.code == 0
    for command in ("baseline", "sources", "check", "changes", "extract", "run", "status"):
        assert command in result.out
    assert "--interval" in run_cli(capsys, "sources", "add", "--help").out


def test_run_has_its_own_log_level(cfg, capsys):
    import logging

    helped = run_cli(capsys, "run", "--help")
    assert "--log-level" in helped.out
    bad = run_cli(capsys, "--config", cfg, "run", "--log-level", "loud")
    assert bad.code == 2 and "loud" in bad.err
    root = logging.getLogger()
    before = root.level
    try:
        result = run_cli(capsys, "--config", cfg, "--log-level", "error", "run", "--once",
                         "--log-level", "info")
        assert result.code == 0, result.err
        assert root.level == logging.INFO  # the command's value wins
    finally:
        root.setLevel(before)


def test_a_refused_second_run_changes_nothing_even_with_another_config(tmp_path, capsys):
    import sqlite3

    from monitor.lock import InstanceLock

    db = tmp_path / "m.db"
    first = tmp_path / "first.toml"
    first.write_text(f'[storage]\npath = "{db}"\n[baseline]\npaths = []\n'
                     '[[sources]]\nname = "wire"\nurl = "https://example.com/wire"\n')
    assert run_cli(capsys, "--config", str(first), "sources", "add",
                   "https://example.com/mine", "--name", "mine").code == 0
    other = tmp_path / "other.toml"
    other.write_text(f'[storage]\npath = "{db}"\n[baseline]\npaths = []\n')
    running = InstanceLock(db)  # the service already running on this database
    running.acquire()
    try:
        result = run_cli(capsys, "--config", str(other), "--resync", "run")
    finally:
        running.release()
    assert result.code == 1
    assert result.err.startswith("monitor: error: another `monitor run` (pid ")
    names = sqlite3.connect(db).execute("SELECT name FROM sources ORDER BY name").fetchall()
    assert names == [("mine",), ("wire",)]  # the config it would have synced removed "wire"


@pytest.mark.parametrize(
    ("command", "phrases"),
    [
        (["run"], ["deliver", "Only one `monitor run` may use a database", "within 10 s",
                   "SIGTERM", "Ctrl-C"]),
        (["status"], ["changed", "unchanged", "not_modified", "first_seen", "no_article",
                      " ok ", "deferred", "error", '"!"', "crashed"]),
    ],
    ids=["run", "status"],
)
def test_help_explains_the_service_and_the_status_columns(capsys, command, phrases):
    result = run_cli(capsys, *command, "--help")
    assert result.code == 0
    text = " ".join(result.out.split())
    missing = [p for p in phrases if " ".join(p.split()) not in text and p not in result.out]
    assert missing == []


HEAVY = ("asyncio", "httpx", "sqlite_utils", "trafilatura", "lxml", "feedparser", "rapidfuzz",
         "apscheduler", "watchfiles", "monitor.cli_sources", "monitor.cli_alerts")


@pytest.mark.parametrize("args", [["check"], ["check", "--help"]], ids=["check", "check-help"])
def test_check_with_nothing_to_check_loads_no_heavy_module(cfg, args):
    import subprocess
    import sys

    script = (
        "import sys\nfrom monitor.cli import main\nmain(sys.argv[1:])\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", script, "--config", cfg, *args],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "[]", done.stdout


def test_commands_from_other_modules_are_suggested_and_run(cfg, capsys):
    typo = run_cli(capsys, "--config", cfg, "webhok")
    assert typo.code == 2 and "Did you mean 'webhooks'?" in typo.err
    assert run_cli(capsys, "--config", cfg, "webhooks", "list").code == 0
