"""Typed settings read once from a TOML file.

`load_settings` promises: either a complete `Settings` with every default filled in, or one
`ConfigError` that lists every problem found, each with its key (`fetch.timeout`,
`sources[2].url`). Relative paths in a config file are resolved against the file's folder;
built-in defaults are resolved against the working directory.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from .errors import ConfigError, UsageError
from .models import (
    DEFAULT_INTERVAL,
    SEVERITIES,
    SOURCE_KINDS,
    WEBHOOK_KINDS,
    ChangeType,
    Source,
    Webhook,
)

DEFAULT_CONFIG_NAME = "monitor.toml"
DEFAULT_DB = "monitor.db"
DEFAULT_USER_AGENT = "monitor/0.1 (article change monitor)"

_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*([smhdw])", re.IGNORECASE)
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/@-]{0,199}$")


def parse_duration(value: str | float | int) -> float:
    """Seconds in a duration such as `90`, `"45s"`, `"15m"`, `"1h30m"` or `"2d"`; > 0."""
    if isinstance(value, bool):
        raise ValueError(f"not a duration: {value!r}")
    if isinstance(value, int | float):
        seconds = float(value)
    else:
        text = value.strip().replace(" ", "")
        if re.fullmatch(r"\d+(\.\d+)?", text):
            seconds = float(text)
        else:
            parts = _DURATION.findall(text)
            if not parts or "".join(n + u for n, u in parts).lower() != text.lower():
                raise ValueError(f"not a duration: {value!r} (use e.g. 90s, 15m, 1h30m, 2d)")
            seconds = sum(float(n) * _UNITS[u.lower()] for n, u in parts)
    if seconds <= 0:
        raise ValueError(f"duration must be positive: {value!r}")
    return seconds


def format_duration(seconds: float) -> str:
    """The shortest readable form of a duration: 900 -> '15m', 5400 -> '1h30m'."""
    rest = round(seconds)
    out = ""
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if rest >= size:
            out += f"{rest // size}{unit}"
            rest %= size
    return out or "0s"


@dataclass(frozen=True)
class FetchSettings:
    """How every outbound request behaves (see monitor.fetch)."""

    timeout: float = 20.0
    user_agent: str = DEFAULT_USER_AGENT
    max_bytes: int = 5_000_000
    allow_private: bool = False
    max_redirects: int = 5
    concurrency: int = 8  # requests in flight at once, over all hosts
    per_host: int = 2  # requests in flight at once to one host
    host_delay: float = 1.0  # seconds between the starts of two requests to one host
    robots: bool = True  # honour robots.txt (a source may switch it off)


@dataclass(frozen=True)
class ScheduleSettings:
    """How `monitor run` spreads and stretches checks (see monitor.schedule)."""

    interval: float = DEFAULT_INTERVAL  # default interval of a source
    jitter: float = 0.1  # each due time moves by up to this fraction of the interval
    max_interval: float = 86400.0  # an unchanging article stretches to at most this
    retire_after: float = 14 * 86400.0  # articles found in feeds stop being checked after
    max_failures: int = 5  # consecutive failures before a source is flagged


@dataclass(frozen=True)
class Settings:
    """Everything `monitor` reads from its config file."""

    db_path: Path = Path(DEFAULT_DB)
    fetch: FetchSettings = field(default_factory=FetchSettings)
    baseline_paths: tuple[Path, ...] = (Path("seeds"),)
    schedule: ScheduleSettings = field(default_factory=ScheduleSettings)
    sources: tuple[Source, ...] = ()
    webhooks: tuple[Webhook, ...] = ()
    config_path: Path | None = None

    @property
    def default_interval(self) -> float:
        return self.schedule.interval


def validate_source_fields(
    url: str, name: str | None, kind: str, interval: float, selector: str | None
) -> list[str]:
    """Problems with one source definition, as readable phrases (empty when it is valid)."""
    problems = []
    if kind not in SOURCE_KINDS:
        problems.append(f"kind: unknown kind {kind!r} (expected one of {', '.join(SOURCE_KINDS)})")
    if kind != "dir":
        scheme = url.split(":", 1)[0].lower() if ":" in url else ""
        if scheme not in ("http", "https"):
            problems.append(
                f"url: unsupported scheme in {url!r} (only http and https)"
                if scheme
                else f"url: not a URL: {url!r}"
            )
        elif not re.match(r"^https?://[^/\s?#]+", url, re.IGNORECASE) or " " in url:
            problems.append(f"url: invalid URL {url!r}")
    if name is not None and not _NAME.match(name):
        problems.append(f"name: invalid name {name!r} (letters, digits and ._:/@- only)")
    if interval <= 0:
        problems.append("interval: must be positive")
    if selector is not None and not selector.strip():
        problems.append("selector: empty selector")
    return problems


def default_source_name(url: str) -> str:
    """A readable name derived from a URL or folder: host plus the last path segment."""
    match = re.match(r"^[a-z]+://([^/?#]+)(/[^?#]*)?", url, re.IGNORECASE)
    if not match:
        return re.sub(r"[^A-Za-z0-9._-]+", "-", Path(url).name or "dir").strip("-") or "dir"
    host = match.group(1).lower().removeprefix("www.")
    tail = [p for p in (match.group(2) or "").split("/") if p]
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", tail[-1])[:60].strip("-") if tail else ""
    return f"{host}/{slug}" if slug else host


class _Reader:
    """Collects problems while reading a TOML table, instead of stopping at the first one."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def table(self, data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
        value = data.get(key, {})
        if not isinstance(value, dict):
            self.problems.append(f"{key}: expected a table, got {type(value).__name__}")
            return {}
        return value

    def unknown(self, data: Mapping[str, Any], prefix: str, allowed: set[str]) -> None:
        for key in data:
            if key not in allowed:
                self.problems.append(f"{prefix}{key}: unknown key")

    def get(
        self,
        data: Mapping[str, Any],
        key: str,
        prefix: str,
        kind: type | tuple[type, ...],
        default: Any,
        convert: Callable[[Any], Any] | None = None,
    ) -> Any:
        if key not in data:
            return default
        value = data[key]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        # TOML booleans are ints to Python; `true` is not a valid timeout.
        ok = isinstance(value, kinds) and not (isinstance(value, bool) and bool not in kinds)
        if not ok:
            names = " or ".join(k.__name__ for k in kinds)
            self.problems.append(
                f"{prefix}{key}: expected {names}, got {type(value).__name__} {value!r}"
            )
            return default
        if convert is not None:
            try:
                return convert(value)
            except ValueError as exc:
                self.problems.append(f"{prefix}{key}: {exc}")
                return default
        return value


def _string_list(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if not all(isinstance(v, str) for v in value):
        raise ValueError("expected a list of strings")
    return tuple(value)


def _positive(value: float) -> float:
    if value <= 0:
        raise ValueError(f"must be positive, got {value!r}")
    return float(value)


def _positive_int(value: int) -> int:
    if value <= 0:
        raise ValueError(f"must be positive, got {value!r}")
    return int(value)


def _not_negative(value: float) -> float:
    if value < 0:
        raise ValueError(f"must not be negative, got {value!r}")
    return float(value)


def _fraction(value: float) -> float:
    if not 0 <= value < 1:
        raise ValueError(f"must be at least 0 and below 1, got {value!r}")
    return float(value)


_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def validate_webhook(hook: Webhook) -> list[str]:
    """Problems with one webhook definition, as readable phrases naming their key.

    Never quotes a URL or a secret: error messages end up in logs and terminals.
    """
    problems = []
    if not _NAME.match(hook.name) or "/" in hook.name:
        problems.append(f"name: invalid name {hook.name!r} (letters, digits and ._:@- only)")
    if hook.kind not in WEBHOOK_KINDS:
        problems.append(f"kind: unknown kind {hook.kind!r} (expected json or slack)")
    if (hook.url is None) == (hook.url_env is None):
        problems.append("url: give exactly one of url and url_env")
    elif hook.url is not None and not re.match(r"^https?://[^/\s?#]+", hook.url, re.I):
        problems.append("url: not an http(s) URL")
    if hook.url_env is not None and not _ENV_NAME.match(hook.url_env):
        problems.append(f"url_env: not an environment variable name: {hook.url_env!r}")
    if hook.kind == "json":
        if (hook.secret is None) == (hook.secret_env is None):
            problems.append("secret: a json webhook needs exactly one of secret and secret_env")
        elif hook.secret is not None and not _valid_secret(hook.secret):
            problems.append("secret: expected whsec_ followed by base64 of 24 to 64 bytes")
    elif hook.secret is not None or hook.secret_env is not None:
        problems.append("secret: only json webhooks are signed")
    if hook.secret_env is not None and not _ENV_NAME.match(hook.secret_env):
        problems.append(f"secret_env: not an environment variable name: {hook.secret_env!r}")
    known = {t.value for t in ChangeType}
    for kind in hook.types:
        if kind not in known:
            problems.append(f"types: unknown change type {kind!r} "
                            f"(expected {', '.join(sorted(known))})")
    if hook.min_severity not in SEVERITIES:
        problems.append(f"min_severity: unknown severity {hook.min_severity!r} "
                        f"(expected {', '.join(SEVERITIES)})")
    return problems


def _valid_secret(secret: str) -> bool:
    from .signing import SecretError, decode_secret

    try:
        decode_secret(secret)
    except SecretError:
        return False
    return True


def parse_settings(data: Mapping[str, Any], *, base: Path, config_path: Path | None) -> Settings:
    """Settings from parsed TOML; raises ConfigError listing every problem."""
    r = _Reader()
    r.unknown(data, "", {"storage", "fetch", "baseline", "schedule", "sources", "webhooks"})

    storage = r.table(data, "storage")
    r.unknown(storage, "storage.", {"path"})
    db_path = r.get(storage, "path", "storage.", str, DEFAULT_DB)

    fetch = r.table(data, "fetch")
    r.unknown(fetch, "fetch.", {f.name for f in fields(FetchSettings)})
    d = FetchSettings()
    fetch_settings = FetchSettings(
        timeout=r.get(fetch, "timeout", "fetch.", (int, float), d.timeout, _positive),
        user_agent=r.get(fetch, "user_agent", "fetch.", str, d.user_agent),
        max_bytes=r.get(fetch, "max_bytes", "fetch.", int, d.max_bytes, _positive_int),
        allow_private=r.get(fetch, "allow_private", "fetch.", bool, d.allow_private),
        max_redirects=r.get(fetch, "max_redirects", "fetch.", int, d.max_redirects),
        concurrency=r.get(fetch, "concurrency", "fetch.", int, d.concurrency, _positive_int),
        per_host=r.get(fetch, "per_host", "fetch.", int, d.per_host, _positive_int),
        host_delay=r.get(fetch, "host_delay", "fetch.", (int, float), d.host_delay,
                         _not_negative),
        robots=r.get(fetch, "robots", "fetch.", bool, d.robots),
    )

    baseline = r.table(data, "baseline")
    r.unknown(baseline, "baseline.", {"paths"})
    paths = r.get(baseline, "paths", "baseline.", (list, str), ("seeds",), _string_list)

    schedule = r.table(data, "schedule")
    r.unknown(schedule, "schedule.", {f.name for f in fields(ScheduleSettings)})
    ds = ScheduleSettings()
    duration = (str, int, float)
    schedule_settings = ScheduleSettings(
        interval=r.get(schedule, "interval", "schedule.", duration, ds.interval, parse_duration),
        jitter=r.get(schedule, "jitter", "schedule.", (int, float), ds.jitter, _fraction),
        max_interval=r.get(schedule, "max_interval", "schedule.", duration, ds.max_interval,
                           parse_duration),
        retire_after=r.get(schedule, "retire_after", "schedule.", duration, ds.retire_after,
                           parse_duration),
        max_failures=r.get(schedule, "max_failures", "schedule.", int, ds.max_failures,
                           _positive_int),
    )
    interval = schedule_settings.interval

    sources: list[Source] = []
    raw_sources = data.get("sources", [])
    if not isinstance(raw_sources, list):
        r.problems.append("sources: expected an array of tables ([[sources]])")
        raw_sources = []
    seen: set[str] = set()
    for i, entry in enumerate(raw_sources):
        prefix = f"sources[{i}]."
        if not isinstance(entry, dict):
            r.problems.append(f"sources[{i}]: expected a table")
            continue
        r.unknown(entry, prefix,
                  {"url", "name", "kind", "interval", "selector", "tags", "robots"})
        url = r.get(entry, "url", prefix, str, None)
        if url is None:
            if "url" not in entry:
                r.problems.append(f"{prefix}url: missing")
            continue
        kind = r.get(entry, "kind", prefix, str, "page")
        if kind == "dir":
            url = str((base / url).resolve())
        name = r.get(entry, "name", prefix, str, None)
        every = r.get(entry, "interval", prefix, (str, int, float), interval, parse_duration)
        selector = r.get(entry, "selector", prefix, str, None)
        tags = r.get(entry, "tags", prefix, (list, str), (), _string_list)
        robots = r.get(entry, "robots", prefix, bool, True)
        found = validate_source_fields(url, name, kind, every, selector)
        r.problems.extend(prefix + p for p in found)
        if found:
            continue
        name = name or default_source_name(url)
        if name in seen:
            r.problems.append(f"{prefix}name: duplicate source name {name!r}")
            continue
        seen.add(name)
        sources.append(Source(name, url, kind, every, selector, tags, origin="config",
                              robots=robots))

    webhooks = _parse_webhooks(r, data.get("webhooks", []))
    if r.problems:
        raise ConfigError(str(config_path or "<defaults>"), r.problems)
    return Settings(
        db_path=_resolve(base, db_path),
        fetch=fetch_settings,
        baseline_paths=tuple(_resolve(base, p) for p in paths),
        schedule=schedule_settings,
        sources=tuple(sources),
        webhooks=webhooks,
        config_path=config_path,
    )


_WEBHOOK_KEYS = {"name", "kind", "url", "url_env", "secret", "secret_env", "types", "sources",
                 "min_severity"}


def _parse_webhooks(r: _Reader, raw: Any) -> tuple[Webhook, ...]:
    if not isinstance(raw, list):
        r.problems.append("webhooks: expected an array of tables ([[webhooks]])")
        return ()
    hooks: list[Webhook] = []
    seen: set[str] = set()
    for i, entry in enumerate(raw):
        prefix = f"webhooks[{i}]."
        if not isinstance(entry, dict):
            r.problems.append(f"webhooks[{i}]: expected a table")
            continue
        r.unknown(entry, prefix, _WEBHOOK_KEYS)
        name = r.get(entry, "name", prefix, str, None)
        if name is None:
            if "name" not in entry:
                r.problems.append(f"{prefix}name: missing")
            continue
        hook = Webhook(
            name=name,
            kind=r.get(entry, "kind", prefix, str, "json"),
            url=r.get(entry, "url", prefix, str, None),
            url_env=r.get(entry, "url_env", prefix, str, None),
            secret=r.get(entry, "secret", prefix, str, None),
            secret_env=r.get(entry, "secret_env", prefix, str, None),
            types=r.get(entry, "types", prefix, (list, str), (), _string_list),
            sources=r.get(entry, "sources", prefix, (list, str), (), _string_list),
            min_severity=r.get(entry, "min_severity", prefix, str, "low"),
            origin="config",
        )
        found = validate_webhook(hook)
        r.problems.extend(prefix + p for p in found)
        if name in seen:
            r.problems.append(f"{prefix}name: duplicate webhook name {name!r}")
        seen.add(name)
        if not found:
            hooks.append(hook)
    return tuple(hooks)


def _resolve(base: Path, value: str | Path) -> Path:
    path = Path(value).expanduser()
    # normpath: "config/../data/monitor.db" reads better as "data/monitor.db" in messages.
    return path if path.is_absolute() else Path(os.path.normpath(base / path))


def load_settings(
    config: str | None = None, db: str | None = None, *, env: Mapping[str, str] | None = None
) -> Settings:
    """Read the config named by `config`, `$MONITOR_CONFIG`, or `./monitor.toml` if present.

    A file named explicitly (argument or environment) must exist; `db` (or `$MONITOR_DB`)
    overrides `[storage] path`.
    """
    env = os.environ if env is None else env
    named = config or env.get("MONITOR_CONFIG") or None
    path: Path | None
    if named:
        path = Path(named).expanduser()
        if not path.is_file():
            raise UsageError(f"config file not found: {path}")
    else:
        path = Path(DEFAULT_CONFIG_NAME) if Path(DEFAULT_CONFIG_NAME).is_file() else None
    data: dict[str, Any] = {}
    if path is not None:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(str(path), [f"not valid TOML: {exc}"]) from exc
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(str(path), [f"cannot read: {exc}"]) from exc
    base = path.resolve().parent if path is not None else Path.cwd()
    settings = parse_settings(data, base=base, config_path=path)
    override = db or env.get("MONITOR_DB") or None
    if override:
        settings = Settings(**{**settings.__dict__, "db_path": Path(override).expanduser()})
    return settings
