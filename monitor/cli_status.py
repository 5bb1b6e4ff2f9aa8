"""`monitor status`: the service's heartbeat and, per source, its last check, failures and
next due time. Registered on the main group in monitor.cli.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import click

from .cli_util import Env, clip, pass_env, table
from .clock import parse_time, utcnow

STALE_AFTER = 60.0  # seconds without a heartbeat (sent every ~10 s) before a service is stale


@click.command()
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

    \b
    First the service:
      running      pid, last heartbeat, uptime
      starting     a service holds the database but has not begun yet
      stale        no heartbeat for over a minute (busy, hung, or on another host)
      not running  stopped cleanly, never started, or crashed (no lock held, no clean
                   stop: "crashed?" with its last heartbeat and pid)

    \b
    Then, per source: the last check and its RESULT, the last change (a feed's or
    folder's: its articles' newest), consecutive failures (FAILS), the next due time and
    the last error. RESULT is one of:
      changed       the article's claims changed (see `monitor changes`)
      unchanged     fetched: the same body, text or claims as before, or only the layout
                    around the article changed (a feed: the same feed, not parsed again)
      not_modified  the server answered 304 (nothing downloaded)
      first_seen    the first version of an article was stored
      no_article    the page holds no article text (the last version is kept)
      ok            a feed or folder was read (its articles are sources of their own)
      deferred      the host asked to wait (429/503 Retry-After); ERROR says until when.
                    Not a failure: FAILS is unchanged
      error         the check failed; ERROR says why
    "!" before FAILS flags a source that failed [schedule] max_failures (default 5) times
    in a row; such sources are counted at the end, and their checks back off (up to 6
    hours apart). Articles retired after [schedule] retire_after (default 14 days) show
    "retired" as their next due time. Shows the database as it is: the config file is
    synced into it by `check`, `run` and the `sources` edits, not by `status`.
    """
    from .lock import held_by
    from .schedule import is_failing

    store = env.store()
    note = env.unsynced_note()
    if note:
        click.echo(note, err=True)
    settings = env.settings.schedule
    now = utcnow()
    service = _service_state(store.service_info(), now, held_by(store.path))
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
        lines = []
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
                clip(_error_cell(r), 100),
            ]
            lines.append(tuple(cells))
        header = (
            ["NAME", "KIND"]
            + (["ARTICLES"] if with_counts else [])
            + ["LAST CHECK", "RESULT", "LAST CHANGE", "FAILS", "NEXT DUE", "ERROR"]
        )
        table(lines, tuple(header))
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


def _error_cell(row: dict[str, Any]) -> str:
    """Why the last check was deferred, else the last error while the source is failing."""
    if row["last_outcome"] == "deferred" and row["deferred_reason"]:
        return f"deferred: {row['deferred_reason']}"
    return str(row["last_error"] or "") if row["failures"] else ""


def _service_state(
    info: dict[str, Any] | None, now: datetime, holder: str | None
) -> dict[str, Any]:
    """The service record with its `state`: running, starting, stale, crashed, stopped or
    never. `holder` is the pid holding the database's lock (None: no service holds it).

    The lock tells a live service from a dead one on this host; a service recorded on
    another host (a database on a shared disk) is judged by its heartbeat alone.
    """
    import socket

    empty = dict.fromkeys(
        ("pid", "hostname", "version", "started_at", "heartbeat_at", "stopped_at")
    )
    record = {**empty, **(info or {})}
    local = info is None or info["hostname"] in (None, socket.gethostname())
    beat = info["heartbeat_at"] if info else None
    fresh = beat is not None and (now - parse_time(beat)).total_seconds() <= STALE_AFTER
    if local and holder is not None:
        if info is None or info["stopped_at"] or str(info["pid"]) != holder:
            state = "starting"  # the lock is taken before the service records itself
            record = {**empty, "pid": int(holder) if holder.isdigit() else None}
        else:
            state = "running" if fresh else "stale"
    elif info is None:
        state = "never"
    elif info["stopped_at"]:
        state = "stopped"
    elif local:
        state = "crashed"  # no clean stop recorded, and no process holds the lock
    else:
        state = "running" if fresh else "stale"
    return {"state": state, **record}


def _service_line(service: dict[str, Any], now: datetime) -> str:
    state = service["state"]
    if state == "never":
        return "service: not running (never started on this database)"
    if state == "starting":
        return f"service: starting (pid {service['pid']})"
    if state == "stopped":
        return f"service: not running (last heartbeat {service['heartbeat_at']})"
    import socket

    host = service["hostname"]
    where = f" on {host}" if host and host != socket.gethostname() else ""
    beat = _span((now - parse_time(service["heartbeat_at"])).total_seconds())
    if state == "crashed":
        return f"service: not running (crashed? last heartbeat {beat} ago, pid {service['pid']})"
    if state == "stale":
        if not where:  # this host: the process holds the lock but says nothing
            return (
                f"service: stale (pid {service['pid']} holds the database but sent no "
                f"heartbeat for {beat}: busy or hung?)"
            )
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
    left = (parse_time(row["next_due"]) - now).total_seconds()
    if abs(left) < 1:
        return "now"
    return f"in {_span(left)}" if left > 0 else f"overdue {_span(-left)}"


def _when(iso: str | None, now: datetime) -> str:
    """'12m ago' or 'in 3m' for an ISO time; '' for None."""
    if not iso:
        return ""
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

