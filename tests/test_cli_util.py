"""The helpers every command module shares: clip, table, stamp, Env."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.cli_util import Env, clip, stamp, table


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
