"""The `monitor` command line: a thin click layer over the library.

Exit codes: 0 success; 1 the work ran but something failed (a database error, an input that
could not be processed); 2 bad use (unknown source, invalid URL, bad config...). Heavy
modules (httpx, trafilatura, feedparser) are imported inside the commands that need them.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, NoReturn

import click

from . import __version__
from .config import Settings, format_duration, load_settings, parse_duration
from .errors import ConfigError, MonitorError, StorageError, UsageError
from .models import SOURCE_KINDS, ChangeType

log = logging.getLogger(__name__)
CHANGE_TYPES = [t.value for t in ChangeType]
LOG_LEVELS = ["debug", "info", "warning", "error"]
STALE_AFTER = 60.0  # seconds without a heartbeat (sent every ~10 s) before a service is stale


def utcnow() -> datetime:
    return datetime.now(UTC)


class Env:
    """Settings and the store, opened on first use so `--help` and `extract` stay fast."""

    def __init__(self, config: str | None, db: str | None) -> None:
        self._config, self._db = config, db
        self._settings: Settings | None = None
        self._store: Any = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings(self._config, self._db)
        return self._settings

    def store(self) -> Any:
        """The store, with the config's sources synced into it."""
        if self._store is None:
            from .outbox import sync_config_webhooks
            from .store import Store

            self._store = Store(self.settings.db_path)
            self._store.sync_config_sources(self.settings.sources, now=utcnow())
            sync_config_webhooks(self._store, self.settings.webhooks, now=utcnow())
        return self._store


pass_env = click.make_pass_decorator(Env)


def fail(message: str, code: int = 2) -> NoReturn:
    click.echo(f"monitor: error: {message}", err=True)
    sys.exit(code)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option(
    "--config",
    "config",
    metavar="PATH",
    envvar="MONITOR_CONFIG",
    help="Config file (TOML). Default: ./monitor.toml if present, else built-in "
    "defaults. Env: MONITOR_CONFIG.",
)
@click.option(
    "--db",
    metavar="PATH",
    envvar="MONITOR_DB",
    help="SQLite database. Default: [storage] path of the config (monitor.db). Env: MONITOR_DB.",
)
@click.option(
    "--log-level",
    default="warning",
    show_default=True,
    type=click.Choice(LOG_LEVELS, case_sensitive=False),
    help="Logging detail on stderr.",
)
@click.version_option(__version__, prog_name="monitor")
@click.pass_context
def cli(ctx: click.Context, config: str | None, db: str | None, log_level: str) -> None:
    """Watch news articles, feeds and folders; log how their claims change.

    \b
    Typical first steps:
      monitor baseline load seeds/          what is already known
      monitor sources add https://example.com/news/story
      monitor check                          one pass over every source
      monitor changes                        the change log, newest first
      monitor run                            keep checking on a schedule
    """
    logging.basicConfig(
        level=getattr(logging, log_level.upper()), stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    _set_log_level(log_level)
    ctx.obj = Env(config, db)


def _set_log_level(level: str) -> None:
    logging.getLogger().setLevel(getattr(logging, level.upper()))
    # APScheduler logs every job run, httpx every request and watchfiles every file event
    # at INFO; in a long-running service that is noise unless debugging.
    for noisy in ("apscheduler", "httpx", "watchfiles"):
        logging.getLogger(noisy).setLevel(
            logging.NOTSET if level.lower() == "debug" else logging.WARNING
        )


# -- baseline -------------------------------------------------------------------------------


@cli.group()
def baseline() -> None:
    """The baseline: articles whose claims are already known."""


@baseline.command("load")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@pass_env
def baseline_load(env: Env, paths: tuple[Path, ...]) -> None:
    """Add .txt, .md and .html articles (files or folders) to the baseline.

    Loading a file whose text is already in the baseline adds nothing.
    """
    from .baseline_files import load_baseline

    results = load_baseline(env.store(), paths, now=utcnow())
    loaded = [r for r in results if r.loaded]
    for r in results:
        state = f"loaded, {r.claims} claims" if r.loaded else "already in the baseline"
        click.echo(f"{r.path}: {state}")
    click.echo(f"{len(loaded)} loaded, {len(results) - len(loaded)} already present, "
               f"{sum(r.claims for r in loaded)} claims added")


@baseline.command("list")
@click.option("--json", "as_json", is_flag=True, help="JSON Lines, one document per line.")
@pass_env
def baseline_list(env: Env, as_json: bool) -> None:
    """The baseline documents and their claim counts."""
    docs = env.store().baseline_documents()
    if as_json:
        for doc in docs:
            click.echo(json.dumps(doc, ensure_ascii=False))
        return
    if not docs:
        click.echo("the baseline is empty (monitor baseline load PATH...)")
        return
    _table([(d["id"], d["claims"], d["name"], _clip(d["title"] or "", 60)) for d in docs],
           ("ID", "CLAIMS", "NAME", "TITLE"))


# -- sources --------------------------------------------------------------------------------


@cli.group()
def sources() -> None:
    """The pages, feeds and folders to watch."""


@sources.command("add")
@click.argument("url")
@click.option("--name", help="Unique name. Default: host and last path segment.")
@click.option("--kind", type=click.Choice(SOURCE_KINDS), default="page", show_default=True,
              help="page: one article; feed: RSS/Atom/JSON Feed; dir: a folder of files.")
@click.option("--interval", default=None, metavar="DURATION",
              help="How often to check, e.g. 90s, 15m, 1h30m. Default: [schedule] interval.")
@click.option("--selector", metavar="CSS", help="Limit extraction to this element.")
@click.option("--tag", "tags", multiple=True, metavar="TAG", help="Group label (repeatable).")
@click.option(
    "--robots/--no-robots",
    default=True,
    help="Honour robots.txt for this source and the articles found through it "
    "(default: on, unless [fetch] robots = false).",
)
@pass_env
def sources_add(
    env: Env,
    url: str,
    name: str | None,
    kind: str,
    interval: str | None,
    selector: str | None,
    tags: tuple[str, ...],
    robots: bool,
) -> None:
    """Start watching URL (for --kind dir, a folder path).

    A running service checks a new source within a minute, without a restart.
    """
    source = _make_source(env, url, name, kind, interval, selector, tags, robots=robots)
    env.store().add_source(source, now=utcnow())
    note = ", robots.txt ignored" if not source.robots else ""
    click.echo(
        f"added {source.kind} {source.name!r}: {source.url} "
        f"(every {format_duration(source.interval)}{note})"
    )


def _make_source(
    env: Env,
    url: str,
    name: str | None,
    kind: str,
    interval: str | None,
    selector: str | None,
    tags: tuple[str, ...],
    *,
    robots: bool = True,
) -> Any:
    from .config import default_source_name
    from .models import Source

    every = _interval(env, interval)
    url = _check_fields(url, name, kind, every, selector)
    return Source(
        name or default_source_name(url), url, kind, every, selector, tuple(tags), robots=robots
    )


def _interval(env: Env, value: str | None) -> float:
    try:
        return parse_duration(value) if value else env.settings.default_interval
    except ValueError as exc:
        raise UsageError(f"--interval: {exc}") from exc


def _check_fields(url: str, name: str | None, kind: str, every: float, selector: str | None) -> str:
    """The URL as stored (a folder path made absolute); UsageError naming every problem."""
    from .config import validate_source_fields

    if kind == "dir":
        url = str(Path(url).expanduser().resolve())
    problems = validate_source_fields(url, name, kind, every, selector)
    if problems:
        raise UsageError("; ".join(problems))
    return url


@sources.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--kind", type=click.Choice(["page", "feed"]), default="page", show_default=True,
              help="Kind of the imported URLs (an OPML file always imports feeds).")
@click.option("--tag", "tags", multiple=True, metavar="TAG", help="Tag every imported source.")
@pass_env
def sources_import(env: Env, file: Path, kind: str, tags: tuple[str, ...]) -> None:
    """Add many sources: one URL per line (# comments), or an OPML file of feeds.

    Every line is validated first; if any is invalid nothing is imported.
    """
    from .importer import read_import_file

    entries = read_import_file(file, kind=kind)
    store = env.store()
    known_urls = {s.url for s in store.list_sources()}
    added = skipped = 0
    for entry in entries:
        if entry.url in known_urls:
            click.echo(f"skipped {entry.url}: already watched")
            skipped += 1
            continue
        source = _make_source(env, entry.url, entry.name, entry.kind, None, None, tags)
        if store.get_source(source.name) is not None:
            click.echo(f"skipped {entry.url}: the name {source.name!r} is taken")
            skipped += 1
            continue
        store.add_source(source, now=utcnow())
        known_urls.add(entry.url)
        added += 1
    click.echo(f"imported {added} source(s), skipped {skipped}")


@sources.command("list")
@click.option("--json", "as_json", is_flag=True, help="JSON Lines, one source per line.")
@click.option("--all", "show_all", is_flag=True,
              help="Include the articles found in feeds and folders.")
@pass_env
def sources_list(env: Env, as_json: bool, show_all: bool) -> None:
    """The watched sources (config and CLI).

    ROBOTS is "off" when the source, or [fetch] robots = false in the config, switches
    robots.txt off; the JSON field `robots` is the source's own switch. For each source's
    last check and next due time, see `monitor status`.
    """
    store = env.store()
    rows = store.list_sources(top_level=not show_all)
    if as_json:
        for s in rows:
            state = store.state(s.name)
            click.echo(
                json.dumps(
                    {
                        "name": s.name,
                        "url": s.url,
                        "kind": s.kind,
                        "interval": s.interval,
                        "selector": s.selector,
                        "tags": list(s.tags),
                        "origin": s.origin,
                        "parent": s.parent,
                        "robots": s.robots,
                        "last_checked": state.last_checked,
                        "last_outcome": state.last_outcome,
                        "last_error": state.last_error,
                    },
                    ensure_ascii=False,
                )
            )
        return
    if not rows:
        click.echo("no sources (monitor sources add URL)")
        return
    robots = env.settings.fetch.robots
    _table(
        [
            (
                s.name,
                s.kind,
                format_duration(s.interval),
                ",".join(s.tags),
                s.origin,
                "on" if robots and s.robots else "off",
                _clip(s.url, 70),
            )
            for s in rows
        ],
        ("NAME", "KIND", "EVERY", "TAGS", "FROM", "ROBOTS", "URL"),
    )


@sources.command("edit")
@click.argument("name")
@click.option(
    "--url",
    metavar="URL",
    help="A new URL (for a dir source, a folder path). The next check fetches it "
    "afresh (no ETag/Last-Modified of the old one).",
)
@click.option("--interval", metavar="DURATION", help="A new check interval: 90s, 15m, 1h30m.")
@click.option("--selector", metavar="CSS", help="Limit extraction to this element.")
@click.option("--no-selector", is_flag=True, help="Drop the selector: extract from the page.")
@click.option(
    "--tag", "tags", multiple=True, metavar="TAG", help="Replace the tags with these (repeatable)."
)
@click.option("--no-tags", is_flag=True, help="Remove every tag.")
@click.option(
    "--robots/--no-robots",
    default=None,
    help="Honour robots.txt for this source, or not. Default: unchanged.",
)
@pass_env
def sources_edit(
    env: Env,
    name: str,
    url: str | None,
    interval: str | None,
    selector: str | None,
    no_selector: bool,
    tags: tuple[str, ...],
    no_tags: bool,
    robots: bool | None,
) -> None:
    """Change a source added with the CLI; only the options given change.

    A running service uses the change at its next dispatch (within a minute), without a
    restart: a shorter interval brings the next check forward, a new URL, selector or
    robots switch makes the source due now. A feed's or folder's interval, selector, tags
    and robots switch pass to the articles found through it. Sources from the config file
    are edited there.
    """
    if selector is not None and no_selector:
        raise UsageError("give --selector or --no-selector, not both")
    if tags and no_tags:
        raise UsageError("give --tag or --no-tags, not both")
    store = env.store()
    source = store.get_source(name)
    if source is None:
        raise UsageError(f"unknown source {name!r}")
    if source.origin == "config":
        raise UsageError(f"source {name!r} is defined in the config file; edit it there")
    if source.parent is not None:
        raise UsageError(
            f"source {name!r} is an article found in {source.parent!r}; "
            f"edit {source.parent!r} instead"
        )
    fields: dict[str, Any] = {}
    if interval is not None:
        fields["interval"] = _interval(env, interval)
    if selector is not None or no_selector:
        fields["selector"] = selector
    if tags or no_tags:
        fields["tags"] = tuple(tags)
    if robots is not None:
        fields["robots"] = robots
    if url is not None:
        fields["url"] = url
    if not fields:
        raise UsageError(
            "nothing to change (give --url, --interval, --selector, "
            "--no-selector, --tag, --no-tags, --robots or --no-robots)"
        )
    fields["url"] = _check_fields(
        fields.get("url", source.url),
        None,
        source.kind,
        fields.get("interval", source.interval),
        fields.get("selector", source.selector),
    )
    edited = store.update_source(name, now=utcnow(), **fields)
    changed = [
        f"{f} {_shown(f, getattr(source, f))} -> {_shown(f, getattr(edited, f))}"
        for f in ("url", "interval", "selector", "tags", "robots")
        if getattr(source, f) != getattr(edited, f)
    ]
    click.echo(f"edited {name!r}: " + "; ".join(changed) if changed else f"no change to {name!r}")


def _shown(field: str, value: Any) -> str:
    if field == "interval":
        return format_duration(value)
    if field == "tags":
        return ",".join(value) or "(none)"
    if field == "robots":
        return "on" if value else "off"
    return "(none)" if value is None else repr(value) if field == "selector" else str(value)


@sources.command("remove")
@click.argument("name")
@pass_env
def sources_remove(env: Env, name: str) -> None:
    """Stop watching NAME (its change log stays)."""
    store = env.store()
    source = store.get_source(name)
    if source is not None and source.origin == "config":
        raise UsageError(f"source {name!r} is defined in the config file; remove it there")
    store.remove_source(name)
    click.echo(f"removed {name!r}")


# -- check / run ----------------------------------------------------------------------------


@cli.command()
@click.argument("names", nargs=-1)
@pass_env
def check(env: Env, names: tuple[str, ...]) -> None:
    """Check all (or the named) sources once, print a summary, and exit.

    A failing source is recorded and reported; it does not stop the pass or change the
    exit status. The exit status is non-zero only when the pass cannot run.
    """
    from .runner import check_once

    summary = check_once(env.settings, env.store(), names, echo=click.echo)
    _print_summary(summary)


def _print_summary(summary: Any) -> None:
    click.echo(
        f"checked {summary.checked}: {summary.count('changed')} changed, "
        f"{summary.count('unchanged', 'not_modified', 'first_seen', 'ok', 'no_article')} "
        f"unchanged, {summary.count('error')} failed"
        + (f", {summary.count('deferred')} deferred" if summary.count("deferred") else "")
    )
    changes = summary.changes
    if changes:
        click.echo("changes: " + ", ".join(f"{changes[t]} {t}" for t in CHANGE_TYPES
                                           if changes[t]))
    else:
        click.echo("changes: none")
    for failure in summary.failures:
        click.echo(f"failed: {failure.source}: {failure.error}")


@cli.command()
@click.option("--once", is_flag=True, help="Run one pass over every source and exit (like check).")
@click.option(
    "--log-level",
    "log_level",
    default=None,
    type=click.Choice(LOG_LEVELS, case_sensitive=False),
    help="Logging detail on stderr; overrides the global --log-level (default: warning).",
)
@pass_env
def run(env: Env, once: bool, log_level: str | None) -> None:
    """Run the service in the foreground until Ctrl-C or SIGTERM.

    Each source is checked when it is due: feeds and folders on their interval, articles
    adaptively (often while they change, up to daily when quiet; retired 14 days after a
    feed listed them), failing sources less and less often, with jitter so that checks
    spread out. Due times are kept in the database, so a restart resumes without a burst.
    Sources added, edited or removed with the CLI meanwhile are picked up within a minute.
    `monitor status` shows the service's heartbeat and every source's next due time.
    """
    if log_level is not None:
        _set_log_level(log_level)
    from .runner import serve

    if once:
        from .runner import check_once

        _print_summary(check_once(env.settings, env.store(), (), echo=click.echo))
        return
    serve(env.settings, env.store())


@cli.command()
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="One JSON object: {service, sources, failing}; times in ISO 8601 UTC.",
)
@click.option(
    "--all",
    "show_all",
    is_flag=True,
    help="List the articles found in feeds and folders too (default: a count per feed or folder).",
)
@click.option("--failing", is_flag=True, help="Only the failing sources, articles included.")
@pass_env
def status(env: Env, as_json: bool, show_all: bool, failing: bool) -> None:
    """The service's heartbeat; per source its last check, failures and next check.

    First the service: running (pid, last heartbeat, uptime), not running, or stale (no
    heartbeat for over a minute: it may have crashed). Then, per source: the last check
    and its result, the last change, consecutive failures, the next due time and the last
    error. A source that failed [schedule] max_failures (default 5) times in a row is
    flagged with "!" and counted at the end; its checks back off (up to 6 hours apart).
    Articles retired after [schedule] retire_after (default 14 days) show "retired".
    """
    from .schedule import is_failing

    store = env.store()
    settings = env.settings.schedule
    now = utcnow()
    service = _service_state(store.service_info(), now)
    rows = store.status_rows(include_articles=show_all or failing)
    for row in rows:
        row["failing"] = is_failing(row["failures"], settings) and not row["retired_at"]
    if failing:
        rows = [r for r in rows if r["failing"]]
    failing_names = store.failing(settings.max_failures)
    if as_json:
        click.echo(
            json.dumps(
                {"service": service, "sources": rows, "failing": len(failing_names)},
                ensure_ascii=False,
            )
        )
        return
    click.echo(_service_line(service, now))
    if rows:
        with_counts = not (show_all or failing)
        table = []
        for r in rows:
            cells: list[Any] = [r["name"], r["kind"]]
            if with_counts:
                cells.append(_article_count(r))
            cells += [
                _when(r["last_checked"], now) or "never",
                r["last_outcome"] or "-",
                _when(r["last_change"], now) or "-",
                ("!" if r["failing"] else "") + str(r["failures"]),
                _next_due(r, now),
                _clip(r["last_error"] or "", 60) if r["failures"] else "",
            ]
            table.append(tuple(cells))
        header = (
            ["NAME", "KIND"]
            + (["ARTICLES"] if with_counts else [])
            + ["LAST CHECK", "RESULT", "LAST CHANGE", "FAILS", "NEXT DUE", "ERROR"]
        )
        _table(table, tuple(header))
    elif failing:
        click.echo("no failing sources")
    else:
        click.echo("no sources (monitor sources add URL)")
    if failing_names and not failing:
        count = len(failing_names)
        shown = {r["name"] for r in rows}
        hidden = "" if set(failing_names) <= shown else "; monitor status --failing lists them"
        click.echo(
            f"{count} source{'' if count == 1 else 's'} failing "
            f"({settings.max_failures}+ consecutive failures){hidden}"
        )


def _service_state(info: dict[str, Any] | None, now: datetime) -> dict[str, Any]:
    """The service record with its `state`: running, stale, stopped or never."""
    if info is None:
        return {
            "state": "never",
            "pid": None,
            "hostname": None,
            "version": None,
            "started_at": None,
            "heartbeat_at": None,
            "stopped_at": None,
        }
    from .store import parse_time

    if info["stopped_at"]:
        state = "stopped"
    elif (
        info["heartbeat_at"]
        and (now - parse_time(info["heartbeat_at"])).total_seconds() <= STALE_AFTER
    ):
        state = "running"
    else:
        state = "stale"
    return {"state": state, **info}


def _service_line(service: dict[str, Any], now: datetime) -> str:
    from .store import parse_time

    state = service["state"]
    if state == "never":
        return "service: not running (never started on this database)"
    if state == "stopped":
        return f"service: not running (last heartbeat {service['heartbeat_at']})"
    import socket

    host = service["hostname"]
    where = f" on {host}" if host and host != socket.gethostname() else ""
    beat = _span((now - parse_time(service["heartbeat_at"])).total_seconds())
    if state == "stale":
        return (
            f"service: stale (no heartbeat for {beat}; pid {service['pid']}{where} "
            f"may have crashed)"
        )
    up = _span((now - parse_time(service["started_at"])).total_seconds())
    return f"service: running, pid {service['pid']}{where}, heartbeat {beat} ago, up {up}"


def _article_count(row: dict[str, Any]) -> str:
    if row["kind"] not in ("feed", "dir"):
        return ""
    retired = row["retired_articles"]
    return str(row["articles"]) + (f" (+{retired} retired)" if retired else "")


def _next_due(row: dict[str, Any], now: datetime) -> str:
    if row["retired_at"]:
        return "retired"
    if not row["next_due"]:
        return "pending"  # the service schedules it within a minute of starting
    from .store import parse_time

    left = (parse_time(row["next_due"]) - now).total_seconds()
    if abs(left) < 1:
        return "now"
    return f"in {_span(left)}" if left > 0 else f"overdue {_span(-left)}"


def _when(iso: str | None, now: datetime) -> str:
    """'12m ago' or 'in 3m' for an ISO time; '' for None."""
    if not iso:
        return ""
    from .store import parse_time

    seconds = (now - parse_time(iso)).total_seconds()
    return f"{_span(seconds)} ago" if seconds >= 0 else f"in {_span(-seconds)}"


def _span(seconds: float) -> str:
    """A short readable duration: 4s, 12m, 2h13m, 3d4h."""
    total = int(max(seconds, 0))
    if total < 60:
        return f"{total}s"
    if total < 3600:
        return f"{total // 60}m"
    big, small, big_unit, small_unit = (
        (total // 3600, total % 3600 // 60, "h", "m")
        if total < 86400
        else (total // 86400, total % 86400 // 3600, "d", "h")
    )
    return f"{big}{big_unit}{small}{small_unit}" if small else f"{big}{big_unit}"


# -- changes --------------------------------------------------------------------------------


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="JSON Lines, one change per line.")
@click.option("--since", metavar="WHEN",
              help="Only changes since WHEN: an ISO date/time (UTC unless it has an offset) "
                   "or an age such as 2h, 3d.")
@click.option("--type", "types", multiple=True, type=click.Choice(CHANGE_TYPES),
              help="Only this change type (repeatable).")
@click.option("--source", "source_names", multiple=True, metavar="NAME",
              help="Only this source (a feed or folder includes its articles; repeatable).")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="At most N changes.")
@pass_env
def changes(env: Env, as_json: bool, since: str | None, types: tuple[str, ...],
            source_names: tuple[str, ...], limit: int | None) -> None:
    """The change log, newest first."""
    store = env.store()
    for name in source_names:
        if store.get_source(name) is None and not store.changes(sources=[name], limit=1):
            raise UsageError(f"unknown source {name!r}")
    rows = store.changes(since=_parse_since(since) if since else None, types=types,
                         sources=source_names, limit=limit)
    if as_json:
        for row in rows:
            click.echo(json.dumps(change_json(row), ensure_ascii=False))
        return
    if not rows:
        click.echo("no changes")
        return
    _table([(r["id"], r["detected_at"].replace("T", " ").rstrip("Z"), r["type"],
             _clip(r["source"], 28), _clip(r["claim"], 80)) for r in rows],
           ("ID", "DETECTED (UTC)", "TYPE", "SOURCE", "CLAIM"))


def change_json(row: dict[str, Any]) -> dict[str, Any]:
    """The documented JSON shape of one change."""
    return {
        "id": row["id"], "type": row["type"], "source": row["source"], "url": row["url"],
        "article_title": row["article_title"], "claim": row["claim"],
        "previous_claim": row["previous_claim"], "baseline_claim": row["baseline_claim"],
        "baseline_source": row["baseline_source"], "detected_at": row["detected_at"],
        "details": row["details"], "version_id": row["version_id"],
    }


def _parse_since(value: str) -> datetime:
    try:
        return datetime.now(UTC) - timedelta(seconds=parse_duration(value))
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(
            f"--since: cannot read {value!r} (use 2024-12-08, 2024-12-08T21:00Z or 3h)"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# -- extract --------------------------------------------------------------------------------


@cli.command()
@click.argument("inputs", nargs=-1, required=True, metavar="FILE_OR_URL...")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per input, in order.")
@click.option("--selector", metavar="CSS", help="Limit extraction to this element.")
@pass_env
def extract(env: Env, inputs: tuple[str, ...], as_json: bool, selector: str | None) -> None:
    """Show what the extractor sees: title, date, author, body text and claims."""
    from .runner import extract_inputs

    failed = False
    for item, document, claims, error in extract_inputs(env.settings, inputs, selector):
        if error is not None:
            failed = True
            click.echo(f"monitor: error: {item}: {error}", err=True)
            continue
        if as_json:
            click.echo(json.dumps({
                "input": item, "url": document.url, "title": document.title,
                "published": document.published, "author": document.author,
                "text": document.text,
                "claims": [{"text": c.text, "norm": c.norm, "numbers": list(c.numbers),
                            "dates": list(c.dates), "entities": list(c.entities),
                            "attribution": c.attribution, "negated": c.negated}
                           for c in claims],
            }, ensure_ascii=False))
            continue
        click.echo(f"== {item}")
        for label, value in (("title", document.title), ("published", document.published),
                             ("author", document.author)):
            click.echo(f"{label}: {value or '-'}")
        click.echo(f"claims ({len(claims)}):")
        for i, claim in enumerate(claims, 1):
            click.echo(f"  {i:3}. {claim.text}")
        click.echo("text:")
        click.echo(document.text or "(no article text found)")
        click.echo()
    if failed:
        sys.exit(1)


# -- helpers --------------------------------------------------------------------------------


def _clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _table(rows: list[tuple[Any, ...]], header: tuple[str, ...]) -> None:
    cells = [tuple(str(c) for c in header)] + [tuple(str(c) for c in r) for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    for row in cells:
        click.echo("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


# -- alerts: webhooks, deliver, deliveries (monitor/cli_alerts.py) ---------------------------

from .cli_alerts import register_alert_commands  # noqa: E402

register_alert_commands(cli)


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI, turning known errors into one line and an exit status."""
    try:
        code = cli.main(args=argv, prog_name="monitor", standalone_mode=False)
        if isinstance(code, int) and code:
            sys.exit(code)
    except click.exceptions.Abort:
        fail("aborted", 130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except ConfigError as exc:
        click.echo(f"monitor: error: invalid config {exc.path}:", err=True)
        for problem in exc.problems:
            click.echo(f"  {problem}", err=True)
        sys.exit(2)
    except UsageError as exc:
        fail(str(exc), 2)
    except StorageError as exc:
        fail(str(exc), 1)
    except MonitorError as exc:
        fail(str(exc), 1)
    except KeyboardInterrupt:
        fail("interrupted", 130)


if __name__ == "__main__":
    main()
