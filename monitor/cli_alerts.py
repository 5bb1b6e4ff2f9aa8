"""`monitor deliver` and `monitor deliveries [show|retry]`: a thin click layer over
monitor.outbox and monitor.deliver; `register_alert_commands` also adds `monitor webhooks`
(monitor.cli_webhooks).

httpx and the worker are imported inside the commands that send, so `monitor --help` stays
fast. No command prints a webhook URL or a signing secret.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from .cli_util import Env, clip, stamp, table
from .cli_webhooks import webhooks
from .clock import utc_iso, utcnow
from .errors import ConfigError, StorageError, UsageError


def _next_try(when: str | None) -> str:
    """A pending delivery's next try; "now" once it is due."""
    return "now" if when is not None and when <= utc_iso(utcnow()) else stamp(when)


def _tries(attempts: int, logged: int) -> str:
    """TRIES: "2", or "1 (4 in all)" when attempts were made before a re-queue."""
    return str(attempts) if logged <= attempts else f"{attempts} ({logged} in all)"


@click.command()
@click.pass_obj
def deliver(env: Env) -> None:
    """Send every alert that is due now, print a summary, and exit.

    Failed alerts are retried by later runs (5s, 5m, 30m, 2h, 5h, 10h, then daily, for about
    three days); `monitor run` does this continuously. While a `monitor run` service uses
    the same database, it is the one delivering: `deliver` says so and sends nothing (two
    senders would send alerts twice, and Slack allows one message per second). Exit status
    0 even when some deliveries failed, 1 when the database or the config is unusable.
    """
    import asyncio

    from .deliver import DeliveryWorker
    from .lock import held_by
    from .sender import make_delivery_client

    try:
        settings = env.settings
        pid = held_by(settings.db_path)
        if pid is not None:
            click.echo(f"monitor run (pid {pid}) is delivering alerts continuously; nothing to do")
            return
        store = env.store(sync=True)
    except (ConfigError, StorageError) as exc:
        click.echo(f"monitor: error: {exc}", err=True)
        sys.exit(1)

    async def go() -> Any:
        async with make_delivery_client(settings.fetch) as client:
            return await DeliveryWorker(store, settings, client).run_once(follow=False)

    try:
        summary = asyncio.run(go())
    except StorageError as exc:
        click.echo(f"monitor: error: {exc}", err=True)
        sys.exit(1)
    if summary.requests:
        click.echo(
            f"sent {summary.requests} request(s): {summary.delivered} delivered, "
            f"{summary.retrying} to retry, {summary.failed} failed"
        )
    else:
        click.echo("nothing due" if not summary.errors else "nothing sent")
    for line in summary.errors:
        click.echo(line)
    for name in summary.disabled:
        click.echo(
            f"webhook {name} answered 410 Gone and is disabled: monitor webhooks enable {name}"
        )
    count, first = env.outbox().pending()
    if count:
        when = _next_try(first)
        click.echo(f"{count} alert(s) pending; next try {when}" + ("" if when == "now" else " UTC"))


@click.group(invoke_without_command=True)
@click.option("--failed", is_flag=True, help="Only deliveries that failed for good.")
@click.option("--webhook", metavar="NAME", help="Only this webhook's deliveries.")
@click.option(
    "--json", "as_json", is_flag=True, help="JSON Lines, one delivery per line, with its attempts."
)
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=50,
    show_default=True,
    help="At most N deliveries, newest first.",
)
@click.pass_context
def deliveries(
    ctx: click.Context, failed: bool, webhook: str | None, as_json: bool, limit: int
) -> None:
    """The alert outbox: each delivery's state, attempts, last answer and next try.

    \b
    STATE: pending (sent at NEXT TRY), delivered, failed (a permanent 4xx, a 410, or
    retries exhausted), skipped (the webhook was disabled), cancelled (webhook removed).
    TRIES: attempts since the delivery was queued; `deliveries retry` starts it again at
    0, and "1 (4 in all)" then also counts the earlier attempts, which `show` lists.
      monitor deliveries show ID         every attempt of one delivery
      monitor deliveries retry ID...     send again now (or --all-failed)
    """
    if ctx.invoked_subcommand is not None:
        return
    outbox = ctx.obj.outbox()
    rows = outbox.deliveries(failed=failed, webhook=webhook, limit=limit)
    if as_json:
        for d in rows:
            click.echo(
                json.dumps(
                    {
                        **d.__dict__,
                        "attempt_log": [
                            {k: v for k, v in a.__dict__.items() if k != "delivery_id"}
                            for a in outbox.attempts(d.id)
                        ],
                    },
                    ensure_ascii=False,
                )
            )
        return
    if not rows:
        click.echo("no deliveries")
        return
    logged = outbox.logged_attempts([d.id for d in rows])
    table(
        [
            (
                d.id,
                d.webhook,
                d.change_id,
                d.state,
                _tries(d.attempts, logged[d.id]),
                clip(d.last_error or (f"HTTP {d.last_status}" if d.last_status else "-"), 60),
                _next_try(d.next_attempt_at),
            )
            for d in rows
        ],
        ("ID", "WEBHOOK", "CHANGE", "STATE", "TRIES", "LAST ANSWER", "NEXT TRY (UTC)"),
    )


@deliveries.command("show")
@click.argument("delivery_id", type=int)
@click.pass_obj
def deliveries_show(env: Env, delivery_id: int) -> None:
    """One delivery and every attempt made (time, HTTP status, duration, error)."""
    outbox = env.outbox()
    d = outbox.get_delivery(delivery_id)
    if d is None:
        raise UsageError(f"unknown delivery {delivery_id}")
    click.echo(f"delivery {d.id}: change {d.change_id} to webhook {d.webhook}, {d.state}")
    click.echo(f"webhook-id: {d.msg_id}")
    click.echo(
        f"queued: {stamp(d.created_at)} UTC; delivered: {stamp(d.delivered_at)}; "
        f"next try: {_next_try(d.next_attempt_at)}"
    )
    attempts = outbox.attempts(d.id)
    if not attempts:
        click.echo("no attempts yet")
        return
    table(
        [
            (
                stamp(a.attempted_at),
                a.status or "-",
                "-" if a.duration_ms is None else a.duration_ms,
                a.digest_size,
                clip(a.error or "ok", 80),
            )
            for a in attempts
        ],
        ("ATTEMPTED (UTC)", "STATUS", "MS", "IN MESSAGE", "ERROR"),
    )


@deliveries.command("retry")
@click.argument("ids", nargs=-1, type=int, metavar="ID...")
@click.option("--all-failed", is_flag=True, help="Every failed delivery.")
@click.pass_obj
def deliveries_retry(env: Env, ids: tuple[int, ...], all_failed: bool) -> None:
    """Queue deliveries to be sent now, with a fresh retry budget.

    Works on failed, skipped and pending deliveries; `monitor deliver` (or `monitor run`)
    sends them.
    """
    if bool(ids) == all_failed:
        raise UsageError("give delivery IDs or --all-failed (not both)")
    outbox = env.outbox(sync=True)
    queued = outbox.retry(ids, all_failed=all_failed, now=utcnow())
    if not queued:
        click.echo("nothing to retry")
        return
    click.echo(
        f"re-queued {len(queued)} deliver{'y' if len(queued) == 1 else 'ies'}: "
        + " ".join(map(str, queued[:30]))
        + (" ..." if len(queued) > 30 else "")
    )
    hooks = {d.webhook for d in (outbox.get_delivery(i) for i in queued) if d is not None}
    for name in sorted(hooks):
        status = outbox.status(name)
        if status is not None and status.disabled_at is not None:
            click.echo(f"note: webhook {name} is disabled; monitor webhooks enable {name}")


def register_alert_commands(group: click.Group) -> None:
    """Add `webhooks`, `deliver` and `deliveries` to the main command group."""
    group.add_command(webhooks)
    group.add_command(deliver)
    group.add_command(deliveries)
