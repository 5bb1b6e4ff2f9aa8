"""The `monitor` command line: a thin click layer over the library.

Exit codes: 0 success; 1 the work ran but something failed (a database error, an input that
could not be processed); 2 bad use (unknown source, invalid URL, bad config...). Heavy
modules (httpx, trafilatura, feedparser, sqlite-utils) are imported inside the commands that
need them. The `sources` and `status` commands live in monitor.cli_sources and
monitor.cli_status, the alert commands (`webhooks`, `deliver`, `deliveries`) in
monitor.cli_webhooks and monitor.cli_alerts; all are named in ELSEWHERE below and imported
when used (or listed by `--help`), so that `monitor check` does not load them.
"""

from __future__ import annotations

import importlib
import json
import logging
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, NoReturn

import click

from . import __version__
from .cli_util import CHANGE_TYPES, Env, clip, pass_env, stamp, table
from .clock import utcnow
from .config import parse_duration
from .errors import ConfigError, MonitorError, StorageError, UsageError

log = logging.getLogger(__name__)
LOG_LEVELS = ["debug", "info", "warning", "error"]


# The commands defined in other modules: name -> (module, attribute). The attribute is the
# command, or a function that registers it on the group (with its siblings).
ELSEWHERE = {
    "sources": ("monitor.cli_sources", "sources"),
    "status": ("monitor.cli_status", "status"),
    "webhooks": ("monitor.cli_alerts", "register_alert_commands"),
    "deliver": ("monitor.cli_alerts", "register_alert_commands"),
    "deliveries": ("monitor.cli_alerts", "register_alert_commands"),
}


def fail(message: str, code: int = 2) -> NoReturn:
    click.echo(f"monitor: error: {message}", err=True)
    sys.exit(code)


class _Group(click.Group):
    """The main group: the commands in ELSEWHERE are imported when first looked up."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *ELSEWHERE})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in ELSEWHERE:
            module, attribute = ELSEWHERE[cmd_name]
            found = getattr(importlib.import_module(module), attribute)
            if isinstance(found, click.Command):
                self.add_command(found, cmd_name)
            else:
                found(self)
        return self.commands.get(cmd_name)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        if args and args[0] not in self.commands and args[0] not in ELSEWHERE:
            for name in ELSEWHERE:  # an unknown name: "did you mean" considers every command
                self.get_command(ctx, name)
        return super().resolve_command(ctx, args)


@click.group(
    cls=_Group,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
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
@click.option(
    "--resync",
    is_flag=True,
    help="Let this config file replace the one the database was last synced from, removing "
    "that file's sources and webhooks (refused without this flag).",
)
@click.version_option(__version__, prog_name="monitor")
@click.pass_context
def cli(
    ctx: click.Context, config: str | None, db: str | None, log_level: str, resync: bool
) -> None:
    """Watch news articles, feeds and folders; log how their claims change.

    \b
    Typical first steps:
      monitor baseline load seeds/          what is already known
      monitor sources add https://example.com/news/story
      monitor check                          one pass over every source
      monitor changes                        the change log, newest first
      monitor run                            keep checking on a schedule

    The config file's sources and webhooks are synced into the database by the commands
    that check or edit them (check, run, sources add/import/edit/remove, webhooks add/
    remove...), not by the ones that only show (status, changes, lists). A database
    remembers the config file it was synced from: another file that would remove some of
    its sources is refused unless --resync is given.
    """
    logging.basicConfig(
        level=getattr(logging, log_level.upper()), stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    _set_log_level(log_level)
    ctx.obj = Env(config, db, resync=resync)


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
    table([(d["id"], d["claims"], d["name"], clip(d["title"] or "", 60)) for d in docs],
           ("ID", "CLAIMS", "NAME", "TITLE"))



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

    summary = check_once(env.settings, env.store(sync=True), names, echo=click.echo)
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
    help="Logging detail on stderr; overrides the global --log-level (default here: info, "
    "so the service says when it starts and stops and what each check found).",
)
@pass_env
def run(env: Env, once: bool, log_level: str | None) -> None:
    """Run the service in the foreground: check every source when due and deliver alerts,
    until Ctrl-C or SIGTERM (either stops it within 10 s).

    Each source is checked when it is due: feeds and folders on their interval, articles
    adaptively (often while they change, up to daily when quiet; retired 14 days after a
    feed listed them), failing sources less and less often, with jitter so that checks
    spread out. Files written into a watched folder are checked at once. Due times are kept
    in the database, so a restart resumes without a burst (sources that fell due meanwhile
    are spread over the first minute). Alerts for new changes go to the webhooks as they
    are stored, with retries. Sources and webhooks added, edited or removed with the CLI
    meanwhile are picked up within a minute; changes to the config file need a restart.

    Only one `monitor run` may use a database: a second one exits at once (status 1)
    without changing anything. `monitor status` shows the service's heartbeat and every
    source's next due time.
    """
    if log_level is None:
        root = click.get_current_context().find_root()
        if root.get_parameter_source("log_level") is click.core.ParameterSource.DEFAULT:
            log_level = "info"  # a service in the foreground says what it does
    if log_level is not None:
        _set_log_level(log_level)
    if once:
        from .runner import check_once

        _print_summary(check_once(env.settings, env.store(sync=True), (), echo=click.echo))
        return
    from .lock import InstanceLock
    from .runner import serve

    store = env.store()
    lock = InstanceLock(store.path)
    lock.acquire()  # before syncing: a refused second service must change nothing
    try:
        serve(env.settings, env.store(sync=True), lock=lock)
    finally:
        lock.release()


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
    table([(r["id"], stamp(r["detected_at"]), r["type"],
             clip(r["source"], 28), clip(r["claim"], 80)) for r in rows],
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
        return utcnow() - timedelta(seconds=parse_duration(value))
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
