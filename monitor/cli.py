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
            from .pipeline import utcnow
            from .store import Store

            self._store = Store(self.settings.db_path)
            self._store.sync_config_sources(self.settings.sources, now=utcnow())
        return self._store


pass_env = click.make_pass_decorator(Env)


def fail(message: str, code: int = 2) -> NoReturn:
    click.echo(f"monitor: error: {message}", err=True)
    sys.exit(code)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--config", "config", metavar="PATH", envvar="MONITOR_CONFIG",
              help="Config file (TOML). Default: ./monitor.toml if present, else built-in "
                   "defaults. Env: MONITOR_CONFIG.")
@click.option("--db", metavar="PATH", envvar="MONITOR_DB",
              help="SQLite database. Default: [storage] path of the config (monitor.db). "
                   "Env: MONITOR_DB.")
@click.option("--log-level", default="warning", show_default=True,
              type=click.Choice(["debug", "info", "warning", "error"], case_sensitive=False),
              help="Logging detail on stderr.")
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
    if log_level.lower() != "debug":
        # APScheduler logs every job run at INFO; that is noise in a long-running service.
        logging.getLogger("apscheduler").setLevel(logging.WARNING)
    ctx.obj = Env(config, db)


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
    from .pipeline import utcnow

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
@pass_env
def sources_add(env: Env, url: str, name: str | None, kind: str, interval: str | None,
                selector: str | None, tags: tuple[str, ...]) -> None:
    """Start watching URL (for --kind dir, a folder path)."""
    from .pipeline import utcnow

    source = _make_source(env, url, name, kind, interval, selector, tags)
    env.store().add_source(source, now=utcnow())
    click.echo(f"added {source.kind} {source.name!r}: {source.url} "
               f"(every {format_duration(source.interval)})")


def _make_source(env: Env, url: str, name: str | None, kind: str, interval: str | None,
                 selector: str | None, tags: tuple[str, ...]) -> Any:
    from .config import default_source_name, validate_source_fields
    from .models import Source

    try:
        every = parse_duration(interval) if interval else env.settings.default_interval
    except ValueError as exc:
        raise UsageError(f"--interval: {exc}") from exc
    if kind == "dir":
        url = str(Path(url).expanduser().resolve())
    problems = validate_source_fields(url, name, kind, every, selector)
    if problems:
        raise UsageError("; ".join(problems))
    return Source(name or default_source_name(url), url, kind, every, selector, tuple(tags))


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
    from .pipeline import utcnow

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
    """The watched sources (config and CLI)."""
    store = env.store()
    rows = store.list_sources(top_level=not show_all)
    if as_json:
        for s in rows:
            state = store.state(s.name)
            click.echo(json.dumps({
                "name": s.name, "url": s.url, "kind": s.kind, "interval": s.interval,
                "selector": s.selector, "tags": list(s.tags), "origin": s.origin,
                "parent": s.parent, "last_checked": state.last_checked,
                "last_outcome": state.last_outcome, "last_error": state.last_error,
            }, ensure_ascii=False))
        return
    if not rows:
        click.echo("no sources (monitor sources add URL)")
        return
    _table([(s.name, s.kind, format_duration(s.interval), ",".join(s.tags), s.origin,
             _clip(s.url, 70)) for s in rows],
           ("NAME", "KIND", "EVERY", "TAGS", "FROM", "URL"))


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
@click.option("--once", is_flag=True, help="Run one pass and exit (like check).")
@pass_env
def run(env: Env, once: bool) -> None:
    """Run the service: check every source on its interval until stopped (Ctrl-C, SIGTERM)."""
    from .runner import serve

    if once:
        from .runner import check_once

        _print_summary(check_once(env.settings, env.store(), (), echo=click.echo))
        return
    serve(env.settings, env.store())


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
