"""The helpers every command module shares: clip, table, stamp, Env."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from monitor.cli_util import Env, clip, stamp, table
from tests.helpers import run_cli


@pytest.mark.parametrize(
    ("text", "width", "expected"),
    [
        ("short", 10, "short"),
        ("exactly10!", 10, "exactly10!"),
        ("eleven chars", 10, "eleven ch…"),
        ("  folded \n\t white   space ", 40, "folded white space"),
        (None, 10, ""),
    ],
    ids=["short", "exact", "clipped", "whitespace", "none"],
)
def test_clip(text: str | None, width: int, expected: str) -> None:
    assert clip(text, width) == expected


def test_table_aligns_columns_and_trims_trailing_space(capsys: pytest.CaptureFixture[str]) -> None:
    table([(1, "alpha", ""), (22, "b", "x")], ("ID", "NAME", "NOTE"))
    assert capsys.readouterr().out.splitlines() == [
        "ID  NAME   NOTE",
        "1   alpha",
        "22  b      x",
    ]


@pytest.mark.parametrize(
    ("iso", "expected"),
    [("2024-12-08T21:00:00Z", "2024-12-08 21:00:00"), (None, "-"), ("", "-")],
    ids=["utc", "none", "empty"],
)
def test_stamp(iso: str | None, expected: str) -> None:
    assert stamp(iso) == expected


def test_env_opens_nothing_until_asked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no ./monitor.toml: built-in defaults
    db = tmp_path / "sub" / "m.db"
    env = Env(None, str(db))
    assert not db.exists()
    assert env.settings.db_path == db
    assert not db.exists()  # settings alone do not open the database
    store = env.store()
    assert db.exists() and env.store() is store
    store.close()


# -- syncing the config: only where it is asked for, and never another config's wipe --------


def write_sources_config(path: Path, db: Path, sources: dict[str, str],
                         hooks: tuple[str, ...] = ()) -> Path:
    """A config on `db` with page sources (name -> URL) and Slack webhooks."""
    lines = ["[storage]", f'path = "{db}"', "[baseline]", "paths = []"]
    for name, url in sources.items():
        lines += ["[[sources]]", f'name = "{name}"', f'url = "{url}"']
    for hook in hooks:
        lines += ["[[webhooks]]", f'name = "{hook}"', 'kind = "slack"',
                  f'url = "https://hooks.example.com/{hook}"']
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")
    return path


WIRE = {"wire": "https://example.com/wire", "world": "https://example.com/world"}


@pytest.fixture
def synced(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Path, Path]:
    """(config A, database): A's sources and webhook synced, one alert pending for it."""
    from monitor.models import Change, ChangeType, Claim, Document
    from monitor.store import Store

    db = tmp_path / "data" / "m.db"
    config = write_sources_config(tmp_path / "a" / "monitor.toml", db, WIRE, ("ops",))
    added = run_cli(capsys, "--config", str(config), "sources", "add",
                    "https://example.com/mine", "--name", "mine")
    assert added.code == 0, added.err
    store = Store(db)
    wire = store.get_source("wire")
    store.save_version(wire, Document(wire.url, "x"), text_hash="h", claims=[Claim("x", "x", "x")],
                       changes=[Change(ChangeType.NEW, "The army withdrew.")],
                       now=datetime.now(UTC))
    store.close()
    return config, db


def snapshot(db: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row of the tables a config sync could change."""
    conn = sqlite3.connect(db)
    try:
        return {table: conn.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()
                for table in ("sources", "source_state", "webhooks", "deliveries", "meta")
                if conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", [table]).fetchone()}
    finally:
        conn.close()


READ_ONLY = [["status"], ["status", "--json"], ["changes"], ["sources", "list"],
             ["sources", "list", "--json"], ["baseline", "list"], ["webhooks", "list"],
             ["deliveries"], ["deliveries", "show", "1"]]


@pytest.mark.parametrize("where", ["no-config", "other-config"])
@pytest.mark.parametrize("command", READ_ONLY, ids=lambda c: "-".join(c))
def test_read_only_commands_never_sync(synced, tmp_path, capsys, monkeypatch, command, where):
    _, db = synced
    before = snapshot(db)
    assert [r[0] for r in before["sources"]] == ["mine", "wire", "world"]
    assert [r[4] for r in before["deliveries"]] == ["pending"]
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # no ./monitor.toml here
    args = ["--db", str(db)]
    if where == "other-config":
        other = write_sources_config(elsewhere / "other.toml", db, {})
        args = ["--config", str(other)]
    result = run_cli(capsys, *args, *command)
    assert result.code == 0, result.err
    assert snapshot(db) == before


def test_a_command_that_edits_syncs_only_a_loaded_config(synced, tmp_path, capsys, monkeypatch):
    _, db = synced
    monkeypatch.chdir(tmp_path)  # no ./monitor.toml: nothing to sync
    added = run_cli(capsys, "--db", str(db), "sources", "add", "https://example.com/x",
                    "--name", "x")
    assert added.code == 0, added.err
    rows = snapshot(db)
    assert [r[0] for r in rows["sources"]] == ["mine", "wire", "world", "x"]
    assert [r[0] for r in rows["webhooks"]] == ["ops"]
    assert [r[4] for r in rows["deliveries"]] == ["pending"]


def test_another_config_that_would_remove_sources_is_refused_unless_resync(
        synced, tmp_path, capsys):
    config, db = synced
    other = write_sources_config(tmp_path / "b" / "monitor.toml", db,
                                 {"other": "https://example.com/other"})
    before = snapshot(db)
    refused = run_cli(capsys, "--config", str(other), "sources", "add",
                      "https://example.com/y", "--name", "y")
    assert refused.code == 2
    assert refused.err == (
        f"monitor: error: {db} was last synced from {config}; syncing {other} would remove "
        f"sources wire, world and webhook ops defined there. Use --config {config}, or add "
        f"--resync to make {other} the config of this database\n")
    assert snapshot(db) == before
    forced = run_cli(capsys, "--config", str(other), "--resync", "sources", "add",
                     "https://example.com/y", "--name", "y")
    assert forced.code == 0, forced.err
    rows = snapshot(db)
    assert [r[0] for r in rows["sources"]] == ["mine", "other", "y"]
    assert rows["webhooks"] == [] and [r[4] for r in rows["deliveries"]] == ["cancelled"]
    assert rows["meta"] == [("config_path", str(other))]


def test_a_config_that_only_adds_or_edits_is_synced_and_remembered(synced, tmp_path, capsys):
    _, db = synced
    moved = write_sources_config(tmp_path / "moved" / "monitor.toml", db,
                                 {**WIRE, "extra": "https://example.com/extra"}, ("ops",))
    result = run_cli(capsys, "--config", str(moved), "check", "nothing-by-this-name")
    assert result.code == 2  # the unknown name is refused after the sync
    rows = snapshot(db)
    assert [r[0] for r in rows["sources"]] == ["extra", "mine", "wire", "world"]
    assert rows["meta"] == [("config_path", str(moved))]
    # The remembered config itself may drop a source: that is an edit of the file.
    write_sources_config(moved, db, {"wire": WIRE["wire"]}, ("ops",))
    assert run_cli(capsys, "--config", str(moved), "sources", "remove", "mine").code == 0
    assert [r[0] for r in snapshot(db)["sources"]] == ["wire"]


def test_read_only_commands_say_when_the_config_is_not_synced(synced, tmp_path, capsys):
    config, db = synced
    assert run_cli(capsys, "--config", str(config), "status").err == ""
    write_sources_config(config, db, {"wire": "https://example.com/wire2",
                                      "new": "https://example.com/new"}, ())
    result = run_cli(capsys, "--config", str(config), "sources", "list")
    assert result.err == (
        f"note: {config} is not synced into the database yet (~wire, +new, -world, "
        f"webhook -ops); `monitor check` or `monitor run` syncs it\n")
    other = write_sources_config(tmp_path / "b.toml", db, {})
    result = run_cli(capsys, "--config", str(other), "status")
    assert result.err == (f"note: {db} was last synced from {config}, not from {other}; its "
                          f"sources and webhooks are shown\n")
