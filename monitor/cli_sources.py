"""`monitor sources ...`: add, import, list, edit and remove the pages, feeds and folders
to watch. Registered on the main group in monitor.cli.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from .cli_util import Env, clip, pass_env, table
from .clock import utcnow
from .config import format_duration, parse_duration
from .errors import UsageError
from .models import SOURCE_KINDS


@click.group()
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
    env.store(sync=True).add_source(source, now=utcnow())
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
    store = env.store(sync=True)
    known_urls = {s.url for s in store.list_sources()}
    added = skipped = 0
    for entry in entries:
        if entry.url in known_urls:
            click.echo(f"skipped {entry.url}: already watched")
            skipped += 1
            continue
        source = _make_source(env, entry.url, entry.name, entry.kind, None, None, tags)
        if store.get_source(source.name) is not None and entry.name is None:
            # A derived name can clash (long slugs cut at 60 characters, URLs that differ
            # only in their query): a short hash of the URL tells them apart.
            digest = hashlib.sha1(entry.url.encode("utf-8")).hexdigest()[:6]
            source = replace(source, name=f"{source.name}-{digest}")
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

    Shows the database as it is: the config file's sources as last synced by `check`,
    `run` or a `sources` edit (a note on stderr says when the config has edits not synced
    yet; listing never writes).

    ROBOTS is "off" when the source, or [fetch] robots = false in the config, switches
    robots.txt off; the JSON field `robots` is the source's own switch. For each source's
    last check and next due time, see `monitor status`.
    """
    store = env.store()
    note = env.unsynced_note()
    if note:
        click.echo(note, err=True)
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
    table(
        [
            (
                s.name,
                s.kind,
                format_duration(s.interval),
                ",".join(s.tags),
                s.origin,
                "on" if robots and s.robots else "off",
                clip(s.url, 70),
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
    store = env.store(sync=True)
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
    store = env.store(sync=True)
    source = store.get_source(name)
    if source is not None and source.origin == "config":
        raise UsageError(f"source {name!r} is defined in the config file; remove it there")
    store.remove_source(name)
    click.echo(f"removed {name!r}")

