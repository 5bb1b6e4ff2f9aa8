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
from .models import DEFAULT_INTERVAL, SOURCE_KINDS, Source

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
    concurrency: int = 8


@dataclass(frozen=True)
class Settings:
    """Everything `monitor` reads from its config file."""

    db_path: Path = Path(DEFAULT_DB)
    fetch: FetchSettings = field(default_factory=FetchSettings)
    baseline_paths: tuple[Path, ...] = (Path("seeds"),)
    default_interval: float = DEFAULT_INTERVAL
    sources: tuple[Source, ...] = ()
    config_path: Path | None = None


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


def parse_settings(data: Mapping[str, Any], *, base: Path, config_path: Path | None) -> Settings:
    """Settings from parsed TOML; raises ConfigError listing every problem."""
    r = _Reader()
    r.unknown(data, "", {"storage", "fetch", "baseline", "schedule", "sources"})

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
    )

    baseline = r.table(data, "baseline")
    r.unknown(baseline, "baseline.", {"paths"})
    paths = r.get(baseline, "paths", "baseline.", (list, str), ("seeds",), _string_list)

    schedule = r.table(data, "schedule")
    r.unknown(schedule, "schedule.", {"interval"})
    interval = r.get(
        schedule, "interval", "schedule.", (str, int, float), DEFAULT_INTERVAL, parse_duration
    )

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
        r.unknown(entry, prefix, {"url", "name", "kind", "interval", "selector", "tags"})
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
        found = validate_source_fields(url, name, kind, every, selector)
        r.problems.extend(prefix + p for p in found)
        if found:
            continue
        name = name or default_source_name(url)
        if name in seen:
            r.problems.append(f"{prefix}name: duplicate source name {name!r}")
            continue
        seen.add(name)
        sources.append(Source(name, url, kind, every, selector, tags, origin="config"))

    if r.problems:
        raise ConfigError(str(config_path or "<defaults>"), r.problems)
    return Settings(
        db_path=_resolve(base, db_path),
        fetch=fetch_settings,
        baseline_paths=tuple(_resolve(base, p) for p in paths),
        default_interval=interval,
        sources=tuple(sources),
        config_path=config_path,
    )


def _resolve(base: Path, value: str | Path) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else base / path


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
