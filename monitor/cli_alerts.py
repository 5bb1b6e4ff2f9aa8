"""`monitor webhooks ...`, `monitor deliver` and `monitor deliveries ...`: a thin click layer
over monitor.outbox and monitor.deliver.

Registered on the main group by `register_alert_commands(cli)`. httpx and the worker are
imported inside the commands that send, so `monitor --help` stays fast. No command prints a
webhook URL or a signing secret, except the secret `webhooks add` generates, once.
"""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import UTC, datetime
from typing import Any

import click

from .errors import ConfigError, StorageError, UsageError
from .models import SEVERITIES, WEBHOOK_KINDS, ChangeType, Webhook

CHANGE_TYPES = [t.value for t in ChangeType]


def _now() -> datetime:
    return datetime.now(UTC)


def _outbox(env: Any) -> Any:
    from .outbox import Outbox

    return Outbox(env.store())


def destination(hook: Webhook) -> str:
    """What may be shown of a webhook's address: `$VAR`, or scheme://host[:port] only."""
    if hook.url_env is not None:
        return f"${hook.url_env}"
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(hook.url or "")
        host = parts.hostname or "?"
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "(invalid URL)"
    return f"{parts.scheme}://{host}{port}"


def _filters(hook: Webhook) -> str:
    parts = []
    if hook.types:
        parts.append("types=" + ",".join(hook.types))
    if hook.sources:
        parts.append("sources=" + ",".join(hook.sources))
    if hook.min_severity != SEVERITIES[0]:
        parts.append(f"severity>={hook.min_severity}")
    return "; ".join(parts) or "all"


def _table(rows: list[tuple[Any, ...]], header: tuple[str, ...]) -> None:
    cells = [tuple(str(c) for c in header)] + [tuple(str(c) for c in r) for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    for row in cells:
        click.echo("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


def _clip(text: str | None, width: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _when(stamp: str | None) -> str:
    return stamp.replace("T", " ").rstrip("Z") if stamp else "-"


def _next_try(stamp: str | None) -> str:
    """A pending delivery's next try; "now" once it is due."""
    from .store import utc_iso

    return "now" if stamp is not None and stamp <= utc_iso(_now()) else _when(stamp)


# -- webhooks -------------------------------------------------------------------------------


@click.group()
def webhooks() -> None:
    """Alert endpoints: signed JSON webhooks and Slack incoming webhooks.

    \b
    Endpoints come from the config ([[webhooks]]) and from `webhooks add`. Every change in
    the change log becomes one alert per matching endpoint; `monitor deliver` (or
    `monitor run`) sends them, retrying for about three days.
    """


@webhooks.command("add")
@click.argument("name")
@click.option(
    "--kind",
    type=click.Choice(WEBHOOK_KINDS),
    required=True,
    help="json: a signed JSON POST per alert (Standard Webhooks); slack: a Slack "
    "incoming-webhook message.",
)
@click.option(
    "--url",
    metavar="URL",
    help="Endpoint URL, stored in the database. A Slack webhook URL is a secret: prefer --url-env.",
)
@click.option(
    "--url-env",
    metavar="VAR",
    help="Read the URL from environment variable VAR each time an alert is sent.",
)
@click.option(
    "--secret",
    metavar="whsec_...",
    help="json only: the signing secret. Default: a new one, printed once.",
)
@click.option(
    "--secret-env",
    metavar="VAR",
    help="json only: read the signing secret from environment variable VAR.",
)
@click.option(
    "--type",
    "types",
    multiple=True,
    type=click.Choice(CHANGE_TYPES),
    help="Only alert on this change type (repeatable). Default: all.",
)
@click.option(
    "--source",
    "sources",
    multiple=True,
    metavar="NAME_OR_TAG",
    help="Only alert on this source name or tag; a feed or folder covers the "
    "articles found in it (repeatable). Default: all.",
)
@click.option(
    "--min-severity",
    type=click.Choice(SEVERITIES),
    default=SEVERITIES[0],
    show_default=True,
    help="Only alert at or above this severity: new_claim low, updated_claim "
    "medium, retracted_claim high, contradicted_claim critical.",
)
@click.pass_obj
def webhooks_add(
    env: Any,
    name: str,
    kind: str,
    url: str | None,
    url_env: str | None,
    secret: str | None,
    secret_env: str | None,
    types: tuple[str, ...],
    sources: tuple[str, ...],
    min_severity: str,
) -> None:
    """Add endpoint NAME, given --url or --url-env.

    \b
    Examples:
      monitor webhooks add team --kind slack --url-env SLACK_WEBHOOK_URL --min-severity high
      monitor webhooks add ingest --kind json --url https://example.com/hooks/monitor
    """
    from .config import validate_webhook

    generated = None
    if kind == "json" and secret is None and secret_env is None:
        from .signing import generate_secret

        secret = generated = generate_secret()
    hook = Webhook(
        name=name,
        kind=kind,
        url=url,
        url_env=url_env,
        secret=secret,
        secret_env=secret_env,
        types=types,
        sources=sources,
        min_severity=min_severity,
    )
    problems = validate_webhook(hook)
    if problems:
        raise UsageError("; ".join(problems))
    _outbox(env).add_webhook(hook, now=_now())
    click.echo(f"added {kind} webhook {name!r} to {destination(hook)} (alerts: {_filters(hook)})")
    if generated is not None:
        click.echo(f"signing secret: {generated}")
        click.echo(
            "  shown once: configure your receiver with it (Standard Webhooks, "
            "header webhook-signature); `webhooks list` never shows it"
        )
    click.echo(f"try it: monitor webhooks test {name}")


@webhooks.command("list")
@click.option("--json", "as_json", is_flag=True, help="JSON Lines, one webhook per line.")
@click.pass_obj
def webhooks_list(env: Any, as_json: bool) -> None:
    """The endpoints, their state and their queued and failed alerts (no URLs or secrets)."""
    now = _now()
    statuses = _outbox(env).statuses()
    if as_json:
        for s in statuses:
            h = s.webhook
            click.echo(
                json.dumps(
                    {
                        "name": h.name,
                        "kind": h.kind,
                        "destination": destination(h),
                        "url_env": h.url_env,
                        "secret_env": h.secret_env,
                        "signed": h.secret is not None or h.secret_env is not None,
                        "types": list(h.types),
                        "sources": list(h.sources),
                        "min_severity": h.min_severity,
                        "origin": h.origin,
                        "state": s.state(now),
                        "disabled_at": s.disabled_at,
                        "disabled_reason": s.disabled_reason,
                        "backoff_until": s.backoff_until,
                        "pending": s.pending,
                        "delivered": s.delivered,
                        "failed": s.failed,
                        "added_at": s.added_at,
                    },
                    ensure_ascii=False,
                )
            )
        return
    if not statuses:
        click.echo("no webhooks (monitor webhooks add NAME --kind json|slack --url URL)")
        return
    _table(
        [
            (
                s.webhook.name,
                s.webhook.kind,
                destination(s.webhook),
                s.state(now),
                s.pending,
                s.delivered,
                s.failed,
                s.webhook.origin,
                _filters(s.webhook),
            )
            for s in statuses
        ],
        ("NAME", "KIND", "URL", "STATE", "PENDING", "DELIVERED", "FAILED", "FROM", "ALERTS"),
    )
    for s in statuses:
        if s.disabled_at is not None:
            click.echo(
                f"{s.webhook.name}: disabled at {_when(s.disabled_at)} UTC "
                f"({_clip(s.disabled_reason, 80)}); "
                f"monitor webhooks enable {s.webhook.name}"
            )
        elif s.state(now) == "backing off":
            click.echo(
                f"{s.webhook.name}: asked to wait (Retry-After) until {_when(s.backoff_until)} UTC"
            )


@webhooks.command("remove")
@click.argument("name")
@click.pass_obj
def webhooks_remove(env: Any, name: str) -> None:
    """Remove endpoint NAME and cancel its queued alerts (its delivery history stays)."""
    outbox = _outbox(env)
    hook = outbox.get_webhook(name)
    if hook is not None and hook.origin == "config":
        raise UsageError(f"webhook {name!r} is defined in the config file; remove it there")
    cancelled = outbox.remove_webhook(name, now=_now())
    click.echo(f"removed webhook {name!r} ({cancelled} queued alert(s) cancelled)")


@webhooks.command("enable")
@click.argument("name")
@click.pass_obj
def webhooks_enable(env: Any, name: str) -> None:
    """Re-enable NAME after a 410 disabled it (also ends a Retry-After wait).

    Alerts skipped while it was disabled stay skipped; `monitor deliveries retry ID...`
    sends them.
    """
    outbox = _outbox(env)
    was_disabled = outbox.enable_webhook(name)
    click.echo(
        f"enabled webhook {name!r}"
        if was_disabled
        else f"webhook {name!r} was not disabled (any Retry-After wait is cleared)"
    )
    skipped = [d.id for d in outbox.deliveries(webhook=name) if d.state == "skipped"]
    if skipped:
        shown = " ".join(map(str, skipped[:20])) + (" ..." if len(skipped) > 20 else "")
        click.echo(
            f"{len(skipped)} alert(s) were skipped while it was disabled; to send "
            f"them: monitor deliveries retry {shown}"
        )


@webhooks.command("test")
@click.argument("name")
@click.pass_obj
def webhooks_test(env: Any, name: str) -> None:
    """Send a sample alert to NAME now and print the answer (exit 1 if it failed).

    Goes through the same address guard, signing, deadline and checks as real alerts; the
    outbox is not touched.
    """
    from .deliver import Sender, make_delivery_client, send_sample

    status = _outbox(env).status(name)
    if status is None:
        raise UsageError(f"unknown webhook {name!r}")
    settings = env.settings

    async def go() -> Any:
        async with make_delivery_client(settings.fetch) as client:
            return await send_sample(status.webhook, Sender(client, settings))

    outcome = asyncio.run(go())
    if status.disabled_at is not None:
        click.echo(f"note: webhook {name!r} is disabled ({_clip(status.disabled_reason, 60)})")
    if outcome.result == "delivered":
        click.echo(
            f"webhook {name}: delivered a sample alert (HTTP {outcome.status}, "
            f"{outcome.duration_ms} ms)"
        )
        return
    click.echo(f"webhook {name}: failed: {outcome.error}", err=True)
    sys.exit(1)


# -- deliver and deliveries -----------------------------------------------------------------


@click.command()
@click.pass_obj
def deliver(env: Any) -> None:
    """Send every alert that is due now, print a summary, and exit.

    Failed alerts are retried by later runs (5s, 5m, 30m, 2h, 5h, 10h, then daily, for about
    three days); `monitor run` does this continuously. Exit status 0 even when some
    deliveries failed, 1 when the database or the config is unusable.
    """
    from .deliver import DeliveryWorker, make_delivery_client

    try:
        settings = env.settings
        store = env.store()
    except (ConfigError, StorageError) as exc:
        click.echo(f"monitor: error: {exc}", err=True)
        sys.exit(1)

    async def go() -> Any:
        async with make_delivery_client(settings.fetch) as client:
            return await DeliveryWorker(store, settings, client).run_once()

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
    count, first = _outbox(env).pending()
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
    States: pending (next try at NEXT), delivered, failed (a permanent 4xx, a 410, or
    retries exhausted), skipped (the webhook was disabled), cancelled (webhook removed).
      monitor deliveries show ID         every attempt of one delivery
      monitor deliveries retry ID...     send again now (or --all-failed)
    """
    if ctx.invoked_subcommand is not None:
        return
    outbox = _outbox(ctx.obj)
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
    _table(
        [
            (
                d.id,
                d.webhook,
                d.change_id,
                d.state,
                d.attempts,
                _clip(d.last_error or (f"HTTP {d.last_status}" if d.last_status else "-"), 60),
                _next_try(d.next_attempt_at),
            )
            for d in rows
        ],
        ("ID", "WEBHOOK", "CHANGE", "STATE", "TRIES", "LAST ANSWER", "NEXT TRY (UTC)"),
    )


@deliveries.command("show")
@click.argument("delivery_id", type=int)
@click.pass_obj
def deliveries_show(env: Any, delivery_id: int) -> None:
    """One delivery and every attempt made (time, HTTP status, duration, error)."""
    outbox = _outbox(env)
    d = outbox.get_delivery(delivery_id)
    if d is None:
        raise UsageError(f"unknown delivery {delivery_id}")
    click.echo(f"delivery {d.id}: change {d.change_id} to webhook {d.webhook}, {d.state}")
    click.echo(f"webhook-id: {d.msg_id}")
    click.echo(
        f"queued: {_when(d.created_at)} UTC; delivered: {_when(d.delivered_at)}; "
        f"next try: {_next_try(d.next_attempt_at)}"
    )
    attempts = outbox.attempts(d.id)
    if not attempts:
        click.echo("no attempts yet")
        return
    _table(
        [
            (
                _when(a.attempted_at),
                a.status or "-",
                "-" if a.duration_ms is None else a.duration_ms,
                a.digest_size,
                _clip(a.error or "ok", 80),
            )
            for a in attempts
        ],
        ("ATTEMPTED (UTC)", "STATUS", "MS", "IN MESSAGE", "ERROR"),
    )


@deliveries.command("retry")
@click.argument("ids", nargs=-1, type=int, metavar="ID...")
@click.option("--all-failed", is_flag=True, help="Every failed delivery.")
@click.pass_obj
def deliveries_retry(env: Any, ids: tuple[int, ...], all_failed: bool) -> None:
    """Queue deliveries to be sent now, with a fresh retry budget.

    Works on failed, skipped and pending deliveries; `monitor deliver` (or `monitor run`)
    sends them.
    """
    if bool(ids) == all_failed:
        raise UsageError("give delivery IDs or --all-failed (not both)")
    outbox = _outbox(env)
    queued = outbox.retry(ids, all_failed=all_failed, now=_now())
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
