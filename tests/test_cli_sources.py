"""`monitor sources add|import|list|edit|remove`."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from monitor.models import Source
from monitor.store import Store
from tests.helpers import run_cli, write_config


@pytest.fixture
def cfg(tmp_path: Path) -> str:
    return str(write_config(tmp_path / "monitor.toml", tmp_path / "monitor.db"))


def test_duplicate_source_name_exits_2(cfg, capsys):
    assert run_cli(capsys, "--config", cfg, "sources", "add", "https://example.com/a",
                   "--name", "a").code == 0
    result = run_cli(capsys, "--config", cfg, "sources", "add", "https://example.com/b",
                     "--name", "a")
    assert result.code == 2
    assert "already exists" in result.err


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


def test_import_tells_apart_urls_whose_derived_names_clash(tmp_path, cfg, capsys):
    long = "https://example.com/news/" + "a" * 70
    plain = tmp_path / "urls.txt"
    plain.write_text("https://example.com/article.php?id=1\nhttps://example.com/article.php?id=2\n"
                     f"{long}-one\n{long}-two\n")
    result = run_cli(capsys, "--config", cfg, "sources", "import", str(plain))
    assert "imported 4 source(s), skipped 0" in result.out, result.out
    names = [s["name"] for s in run_cli(capsys, "--config", cfg, "sources", "list",
                                        "--json").jsonl()]
    assert len(set(names)) == 4 and "example.com/article.php" in names


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


def test_sources_edit_changes_only_what_is_given(tmp_path, cfg, capsys):
    assert run_cli(capsys, "--config", cfg, "sources", "add", "https://example.com/a",
                   "--name", "a", "--tag", "x", "--selector", "main").code == 0
    store = Store(tmp_path / "monitor.db")
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
    config = tmp_path / "monitor.toml"
    config.write_text(f'[storage]\npath = "{tmp_path / "m.db"}"\n[[sources]]\nname = "wire"\n'
                      'url = "https://example.com/wire"\nkind = "feed"\n')
    result = run_cli(capsys, "--config", str(config), "sources", "edit", "wire",
                     "--interval", "5m")
    assert result.code == 2
    assert "source 'wire' is defined in the config file; edit it there" in result.err
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
