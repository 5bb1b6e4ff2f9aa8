"""End-to-end tests of the `monitor` command line against a local HTTP server."""

from __future__ import annotations

import json
from datetime import UTC, datetime
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


def test_duplicate_source_name_exits_2(cfg, capsys):
    assert run_cli(capsys, "--config", cfg, "sources", "add", "https://example.com/a",
                   "--name", "a").code == 0
    result = run_cli(capsys, "--config", cfg, "sources", "add", "https://example.com/b",
                     "--name", "a")
    assert result.code == 2
    assert "already exists" in result.err


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


def test_sources_import_lines_and_opml(tmp_path, cfg, capsys):
    plain = tmp_path / "urls.txt"
    plain.write_text("# news\nhttps://example.com/one\n\nhttps://example.com/two  # second\n")
    result = run_cli(capsys, "--config", cfg, "sources", "import", str(plain))
    assert result.code == 0, result.err
    assert "imported 2" in result.out
    opml = tmp_path / "feeds.opml"
    opml.write_text('<?xml version="1.0"?><opml version="2.0"><body>'
                    '<outline text="World" xmlUrl="https://example.org/world.rss"/>'
                    '<outline text="Dup" xmlUrl="https://example.com/one"/></body></opml>')
    result = run_cli(capsys, "--config", cfg, "sources", "import", str(opml))
    assert "imported 1 source(s), skipped 1" in result.out
    listed = {s["url"]: s for s in run_cli(capsys, "--config", cfg, "sources", "list",
                                           "--json").jsonl()}
    assert listed["https://example.org/world.rss"]["kind"] == "feed"
    bad = tmp_path / "bad.txt"
    bad.write_text("https://example.com/three\nftp://nope\n")
    result = run_cli(capsys, "--config", cfg, "sources", "import", str(bad))
    assert result.code == 2 and "line 2" in result.err
    urls = [s["url"] for s in run_cli(capsys, "--config", cfg, "sources", "list",
                                      "--json").jsonl()]
    assert "https://example.com/three" not in urls  # nothing imported from a bad file


def test_config_sources_live_beside_cli_sources_and_config_wins(tmp_path, capsys):
    config = tmp_path / "monitor.toml"
    config.write_text(f'[storage]\npath = "{tmp_path / "m.db"}"\n[[sources]]\nname = "wire"\n'
                      'url = "https://example.com/wire"\ntags = ["wires"]\n')
    assert run_cli(capsys, "--config", str(config), "sources", "add",
                   "https://example.com/cli", "--name", "cli").code == 0
    clash = run_cli(capsys, "--config", str(config), "sources", "add",
                    "https://example.com/other", "--name", "wire")
    assert clash.code == 2
    listed = {s["name"]: s for s in run_cli(capsys, "--config", str(config), "sources",
                                            "list", "--json").jsonl()}
    assert listed["wire"]["origin"] == "config" and listed["wire"]["tags"] == ["wires"]
    assert listed["cli"]["origin"] == "cli"
    removed = run_cli(capsys, "--config", str(config), "sources", "remove", "wire")
    assert removed.code == 2 and "config file" in removed.err


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


# -- status, sources edit, --no-robots, run --log-level --------------------------------------


def _store(tmp_path: Path):
    from monitor.store import Store

    return Store(tmp_path / "monitor.db")


def _populate(tmp_path: Path, *, heartbeat_age: float = 4.0) -> None:
    """A wire page failing 5 times, a feed with two live articles and a retired one, a
    healthy page that changed 12 minutes ago, and a service that started 2h13m ago."""
    from datetime import UTC, datetime, timedelta

    from monitor.models import Source

    now = datetime.now(UTC)
    ago = lambda **kw: now - timedelta(**kw)  # noqa: E731
    store = _store(tmp_path)
    wire = Source("wire", "https://example.com/wire")
    story = Source("story", "https://example.com/story")
    feed = Source("world", "https://example.com/rss", kind="feed")
    for source in (wire, story, feed):
        store.add_source(source, now=ago(days=1))
    for i in range(5):
        store.record_check(wire, url=wire.url, now=ago(minutes=50 - i), duration_ms=3,
                           outcome="error", error="HTTP 503 Service Unavailable")
    store.record_check(story, url=story.url, now=ago(minutes=12), duration_ms=3,
                       outcome="changed", changes=2)
    store.record_check(feed, url=feed.url, now=ago(minutes=1), duration_ms=3, outcome="ok")
    for slug in ("a", "b", "old"):
        store.add_child(Source(f"world/{slug}", f"https://example.com/{slug}", parent="world",
                               origin="feed"), now=ago(days=1))
    broken = store.get_source("world/b")
    for _ in range(6):
        store.record_check(broken, url=broken.url, now=ago(minutes=3), duration_ms=3,
                           outcome="error", error="HTTP 404")
    store.retire("world/old", ago(hours=1))
    store.set_next_due("wire", now + timedelta(hours=4, minutes=30, seconds=30))
    store.set_next_due("story", now + timedelta(minutes=3, seconds=30))
    store.set_next_due("world", now - timedelta(minutes=2, seconds=30))
    store.service_started(4242, "somewhere-else", "0.1.0", ago(hours=2, minutes=13, seconds=20))
    store.heartbeat(ago(seconds=heartbeat_age))
    store.close()


def test_status_shows_the_service_and_each_source(tmp_path, cfg, capsys):
    _populate(tmp_path)
    result = run_cli(capsys, "--config", cfg, "status")
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0].startswith("service: running, pid 4242 on somewhere-else, heartbeat ")
    assert lines[0].endswith(" ago, up 2h13m")
    assert lines[1].split() == ["NAME", "KIND", "ARTICLES", "LAST", "CHECK", "RESULT", "LAST",
                                "CHANGE", "FAILS", "NEXT", "DUE", "ERROR"]
    rows = {line.split()[0]: line for line in lines[2:5]}
    assert sorted(rows) == ["story", "wire", "world"]
    assert "12m ago" in rows["story"] and "changed" in rows["story"]
    assert "in 3m" in rows["story"]
    assert " !5 " in rows["wire"] and "in 4h30m" in rows["wire"]
    assert "HTTP 503 Service Unavailable" in rows["wire"]
    assert "2 (+1 retired)" in rows["world"] and "overdue 2m" in rows["world"]
    assert "world/a" not in result.out  # articles only with --all
    assert lines[5] == ("2 sources failing (5+ consecutive failures); "
                        "monitor status --failing lists them")

    every = run_cli(capsys, "--config", cfg, "status", "--all").out
    retired = next(line for line in every.splitlines() if line.startswith("world/old"))
    assert retired.split()[-1] == "retired"
    assert "ARTICLES" not in every
    assert every.splitlines()[-1] == "2 sources failing (5+ consecutive failures)"

    failing = run_cli(capsys, "--config", cfg, "status", "--failing").out.splitlines()
    assert [line.split()[0] for line in failing[2:]] == ["wire", "world/b"]


def test_status_json(tmp_path, cfg, capsys):
    _populate(tmp_path)
    result = run_cli(capsys, "--config", cfg, "status", "--json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert data["service"]["state"] == "running" and data["service"]["pid"] == 4242
    assert data["service"]["heartbeat_at"].endswith("Z")
    assert data["failing"] == 2
    by_name = {s["name"]: s for s in data["sources"]}
    assert sorted(by_name) == ["story", "wire", "world"]
    wire = by_name["wire"]
    assert wire["failing"] is True and wire["failures"] == 5
    assert wire["last_error"] == "HTTP 503 Service Unavailable"
    assert wire["next_due"].endswith("Z") and wire["last_checked"].endswith("Z")
    assert by_name["story"]["last_change"].endswith("Z") and not by_name["story"]["failing"]
    assert (by_name["world"]["articles"], by_name["world"]["retired_articles"]) == (2, 1)
    every = json.loads(run_cli(capsys, "--config", cfg, "status", "--json", "--all").out)
    old = next(s for s in every["sources"] if s["name"] == "world/old")
    assert old["retired_at"].endswith("Z") and old["parent"] == "world"


@pytest.mark.parametrize(
    ("heartbeat_age", "stopped", "expected"),
    [
        (None, False, "service: not running (never started on this database)"),
        (300.0, False, "service: stale (no heartbeat for 5m; pid 4242 on somewhere-else may "
                       "have crashed)"),
        (4.0, True, "service: not running (last heartbeat 20"),
    ],
    ids=["never", "stale", "stopped"],
)
def test_status_service_line(tmp_path, cfg, capsys, heartbeat_age, stopped, expected):
    from datetime import UTC, datetime

    if heartbeat_age is not None:
        _populate(tmp_path, heartbeat_age=heartbeat_age)
    if stopped:
        store = _store(tmp_path)
        store.service_stopped(datetime.now(UTC))
        store.close()
    result = run_cli(capsys, "--config", cfg, "status")
    assert result.code == 0, result.err
    assert result.out.splitlines()[0].startswith(expected)
    state = json.loads(run_cli(capsys, "--config", cfg, "status", "--json").out)["service"]
    assert state["state"] == ("never" if heartbeat_age is None else
                              "stopped" if stopped else "stale")


def test_status_of_an_empty_database(cfg, capsys):
    result = run_cli(capsys, "--config", cfg, "status")
    assert result.out.splitlines()[1:] == ["no sources (monitor sources add URL)"]
    failing = run_cli(capsys, "--config", cfg, "status", "--failing")
    assert failing.out.splitlines()[1:] == ["no failing sources"]


def test_sources_edit_changes_only_what_is_given(tmp_path, cfg, capsys):
    from datetime import UTC, datetime, timedelta

    assert run_cli(capsys, "--config", cfg, "sources", "add", "https://example.com/a",
                   "--name", "a", "--tag", "x", "--selector", "main").code == 0
    store = _store(tmp_path)
    store.set_next_due("a", datetime.now(UTC) + timedelta(minutes=14))
    store.close()
    result = run_cli(capsys, "--config", cfg, "sources", "edit", "a", "--interval", "2m",
                     "--no-tags", "--no-robots")
    assert result.code == 0, result.err
    assert result.out == "edited 'a': interval 15m -> 2m; tags x -> (none); robots on -> off\n"
    (listed,) = run_cli(capsys, "--config", cfg, "sources", "list", "--json").jsonl()
    assert (listed["interval"], listed["tags"], listed["robots"], listed["selector"]) == (
        120.0, [], False, "main")
    status = json.loads(run_cli(capsys, "--config", cfg, "status", "--json").out)
    due = datetime.fromisoformat(status["sources"][0]["next_due"])
    assert due <= datetime.now(UTC) + timedelta(minutes=2)  # the service sees it at once
    moved = run_cli(capsys, "--config", cfg, "sources", "edit", "a", "--url",
                    "https://example.com/b", "--no-selector", "--tag", "y", "--tag", "z")
    assert moved.out == ("edited 'a': url https://example.com/a -> https://example.com/b; "
                         "selector 'main' -> (none); tags (none) -> y,z\n")
    same = run_cli(capsys, "--config", cfg, "sources", "edit", "a", "--interval", "2m")
    assert same.code == 0 and same.out == "no change to 'a'\n"


def test_sources_edit_refuses_config_sources_and_found_articles(tmp_path, capsys):
    from monitor.models import Source

    config = tmp_path / "monitor.toml"
    config.write_text(f'[storage]\npath = "{tmp_path / "m.db"}"\n[[sources]]\nname = "wire"\n'
                      'url = "https://example.com/wire"\nkind = "feed"\n')
    result = run_cli(capsys, "--config", str(config), "sources", "edit", "wire",
                     "--interval", "5m")
    assert result.code == 2
    assert "source 'wire' is defined in the config file; edit it there" in result.err
    from monitor.store import Store

    store = Store(tmp_path / "m.db")
    store.add_child(Source("wire/x", "https://example.com/x", parent="wire", origin="feed"),
                    now=datetime.now(UTC))
    store.close()
    child = run_cli(capsys, "--config", str(config), "sources", "edit", "wire/x",
                    "--interval", "5m")
    assert child.code == 2 and "article found in 'wire'" in child.err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nope", "--interval", "5m"], "unknown source 'nope'"),
        (["a", "--interval", "soon"], "--interval: not a duration"),
        (["a", "--interval", "0"], "--interval: duration must be positive"),
        (["a", "--url", "ftp://example.com/a"], "unsupported scheme"),
        (["a", "--selector", " "], "empty selector"),
        (["a", "--selector", "main", "--no-selector"], "not both"),
        (["a", "--tag", "x", "--no-tags"], "not both"),
        (["a"], "nothing to change"),
    ],
    ids=["unknown", "bad-interval", "zero-interval", "bad-url", "empty-selector",
         "selector-twice", "tags-twice", "nothing"],
)
def test_sources_edit_bad_use_exits_2(cfg, capsys, args, message):
    assert run_cli(capsys, "--config", cfg, "sources", "add", "https://example.com/a",
                   "--name", "a").code == 0
    result = run_cli(capsys, "--config", cfg, "sources", "edit", *args)
    assert result.code == 2
    assert message in result.err and result.err.count("\n") == 1
    (listed,) = run_cli(capsys, "--config", cfg, "sources", "list", "--json").jsonl()
    assert listed["url"] == "https://example.com/a" and listed["interval"] == 900.0


def test_sources_add_no_robots(cfg, capsys):
    added = run_cli(capsys, "--config", cfg, "sources", "add", "https://example.com/a",
                    "--name", "a", "--no-robots")
    assert added.code == 0 and "robots.txt ignored" in added.out
    run_cli(capsys, "--config", cfg, "sources", "add", "https://example.com/b", "--name", "b")
    listed = {s["name"]: s["robots"] for s in run_cli(capsys, "--config", cfg, "sources",
                                                      "list", "--json").jsonl()}
    assert listed == {"a": False, "b": True}
    table = run_cli(capsys, "--config", cfg, "sources", "list").out.splitlines()
    column = table[0].index("ROBOTS")
    assert [line[column:].split()[0] for line in table[1:]] == ["off", "on"]


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
