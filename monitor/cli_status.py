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
                clip(r["last_error"] or "", 60) if r["failures"] else "",
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

