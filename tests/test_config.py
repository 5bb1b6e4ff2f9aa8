"""Config parsing: defaults, durations, and one error listing every problem with its key."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.config import (
    FetchSettings,
    default_source_name,
    format_duration,
    load_settings,
    parse_duration,
    parse_settings,
)
from monitor.errors import ConfigError, UsageError


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("90", 90), ("45s", 45), ("15m", 900), ("1h30m", 5400), ("2d", 172800), (60, 60),
     ("1.5h", 5400)],
    ids=["bare", "seconds", "minutes", "compound", "days", "number", "fraction"],
)
def test_parse_duration(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["soon", "15x", "-5m", "0", "m15", ""],
                         ids=["word", "bad-unit", "negative", "zero", "unit-first", "empty"])
def test_parse_duration_rejects(text):
    with pytest.raises(ValueError):
        parse_duration(text)


def test_format_duration_round_trips():
    assert format_duration(5400) == "1h30m"
    assert parse_duration(format_duration(93784)) == 93784


def test_defaults_without_any_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    settings = load_settings(env={})
    assert settings.fetch == FetchSettings()
    assert settings.fetch.max_bytes == 5_000_000 and settings.fetch.allow_private is False
    assert settings.db_path == tmp_path / "monitor.db"
    assert settings.baseline_paths == (tmp_path / "seeds",)
    assert settings.config_path is None


def test_monitor_toml_in_cwd_is_used_and_env_overrides(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "monitor.toml").write_text('[storage]\npath = "x.db"\n')
    assert load_settings(env={}).db_path == tmp_path / "x.db"
    assert load_settings(env={"MONITOR_DB": "/tmp/y.db"}).db_path == Path("/tmp/y.db")
    assert load_settings(db="z.db", env={}).db_path == Path("z.db")


def test_relative_paths_resolve_against_the_config_folder(tmp_path):
    sub = tmp_path / "conf"
    sub.mkdir()
    (sub / "m.toml").write_text('[storage]\npath = "../data/m.db"\n[baseline]\n'
                               'paths = ["../seeds"]\n[[sources]]\nkind = "dir"\n'
                               'url = "../inbox"\nname = "inbox"\n')
    settings = load_settings(str(sub / "m.toml"), env={})
    assert settings.db_path == tmp_path / "data/m.db"
    assert settings.sources[0].url == str((tmp_path / "inbox").resolve())


def test_example_config_is_valid():
    example = Path(__file__).resolve().parent.parent / "config" / "monitor.toml"
    settings = load_settings(str(example), env={})
    assert [s.name for s in settings.sources] == ["inbox"]
    assert settings.sources[0].kind == "dir"


def test_named_config_must_exist(tmp_path):
    with pytest.raises(UsageError, match="config file not found"):
        load_settings(str(tmp_path / "nope.toml"), env={})
    with pytest.raises(UsageError, match="config file not found"):
        load_settings(env={"MONITOR_CONFIG": str(tmp_path / "nope.toml")})


def test_every_problem_is_listed_with_its_key():
    data = {
        "storage": {"path": 3},
        "fetch": {"timeout": "x", "max_bytes": -1, "allow_private": "yes", "proxy": "p"},
        "baseline": {"paths": [1]},
        "schedule": {"interval": "often"},
        "sources": [
            {"url": "https://example.com/a", "name": "a"},
            {"url": "https://example.com/b", "name": "a"},
            {"url": "mailto:x@example.com"},
            {"name": "nourl"},
            {"url": "https://example.com/c", "kind": "tweet", "colour": "red"},
        ],
        "alerts": {},
    }
    with pytest.raises(ConfigError) as info:
        parse_settings(data, base=Path("."), config_path=Path("m.toml"))
    problems = "\n".join(info.value.problems)
    for key in ("storage.path", "fetch.timeout", "fetch.max_bytes", "fetch.allow_private",
                "fetch.proxy: unknown key", "baseline.paths", "schedule.interval",
                "sources[1].name: duplicate", "sources[2].url", "sources[3].url: missing",
                "sources[4].kind", "sources[4].colour: unknown key", "alerts: unknown key"):
        assert key in problems, key
    assert len(info.value.problems) == 13


def test_invalid_toml_is_a_config_error(tmp_path):
    bad = tmp_path / "m.toml"
    bad.write_text("[fetch\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(str(bad), env={})


@pytest.mark.parametrize(
    ("url", "name"),
    [("https://www.example.com/news/2024/assad-flees.html", "example.com/assad-flees.html"),
     ("https://example.com/", "example.com"),
     ("http://Example.com/a?b=c", "example.com/a")],
    ids=["path", "root", "query"],
)
def test_default_source_name(url, name):
    assert default_source_name(url) == name


SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


def test_schedule_fetch_and_webhook_settings_are_read():
    data = {
        "schedule": {"interval": "10m", "jitter": 0.2, "max_interval": "12h",
                     "retire_after": "7d", "max_failures": 3},
        "fetch": {"per_host": 4, "host_delay": 0.5, "robots": False},
        "sources": [{"url": "https://example.com/a", "robots": False}],
        "webhooks": [
            {"name": "desk", "kind": "slack", "url_env": "SLACK_URL",
             "types": ["contradicted_claim"], "sources": ["syria"], "min_severity": "high"},
            {"name": "cms", "kind": "json", "url": "https://hooks.example.com/in",
             "secret": SECRET},
        ],
    }
    settings = parse_settings(data, base=Path("."), config_path=None)
    assert settings.schedule.interval == 600 and settings.default_interval == 600
    assert (settings.schedule.jitter, settings.schedule.max_interval) == (0.2, 43200)
    assert (settings.schedule.retire_after, settings.schedule.max_failures) == (604800, 3)
    assert (settings.fetch.per_host, settings.fetch.host_delay) == (4, 0.5)
    assert settings.fetch.robots is False and settings.sources[0].robots is False
    assert settings.sources[0].interval == 600  # the schedule's interval is the default
    desk, cms = settings.webhooks
    assert (desk.kind, desk.url_env, desk.types, desk.sources, desk.min_severity) == (
        "slack", "SLACK_URL", ("contradicted_claim",), ("syria",), "high")
    assert cms.origin == "config" and cms.secret == SECRET
    assert SECRET not in repr(cms) and "hooks.example.com" not in repr(cms)


@pytest.mark.parametrize(
    ("hook", "problem"),
    [
        ({"kind": "json", "url": "https://h.example/x"}, "secret: a json webhook needs"),
        ({"kind": "json", "url": "https://h.example/x", "secret": "s3cr3t"}, "secret: expected"),
        ({"kind": "slack", "url": "https://h.example/x", "secret": SECRET},
         "secret: only json"),
        ({"kind": "slack"}, "url: give exactly one"),
        ({"kind": "slack", "url": "https://h.example/x", "url_env": "X"}, "url: give exactly"),
        ({"kind": "slack", "url": "ftp://h.example/x"}, "url: not an http(s) URL"),
        ({"kind": "slack", "url_env": "NOT A VAR"}, "url_env: not an environment"),
        ({"kind": "email", "url_env": "X"}, "kind: unknown kind"),
        ({"kind": "slack", "url_env": "X", "types": ["rumour"]}, "types: unknown change type"),
        ({"kind": "slack", "url_env": "X", "min_severity": "urgent"}, "min_severity: unknown"),
        ({"kind": "slack", "url_env": "X", "colour": "red"}, "colour: unknown key"),
    ],
    ids=["json-no-secret", "bad-secret", "slack-secret", "no-url", "two-urls", "bad-scheme",
         "bad-env-name", "bad-kind", "bad-type", "bad-severity", "unknown-key"],
)
def test_webhook_problems_name_their_key_and_never_the_secret(hook, problem):
    data = {"webhooks": [{"name": "w", **hook}]}
    with pytest.raises(ConfigError) as info:
        parse_settings(data, base=Path("."), config_path=None)
    text = "\n".join(info.value.problems)
    assert f"webhooks[0].{problem}" in text
    assert "s3cr3t" not in text and "h.example" not in text


def test_duplicate_and_unnamed_webhooks_are_listed():
    hook = {"kind": "slack", "url_env": "X"}
    data = {"webhooks": [{"name": "a", **hook}, {"name": "a", **hook}, hook],
            "schedule": {"jitter": 1.5, "max_failures": 0}}
    with pytest.raises(ConfigError) as info:
        parse_settings(data, base=Path("."), config_path=None)
    text = "\n".join(info.value.problems)
    for key in ("webhooks[1].name: duplicate", "webhooks[2].name: missing",
                "schedule.jitter", "schedule.max_failures"):
        assert key in text, key
