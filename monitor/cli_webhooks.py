"""`monitor webhooks add|list|remove|enable|test`: the alert endpoints. A thin click layer
over monitor.endpoints (through the outbox) and, for `test`, monitor.deliver.

Registered on the main group by `register_alert_commands(cli)` (monitor.cli_alerts). httpx
is imported only by `webhooks test`, so `monitor --help` stays fast. No command prints a
webhook URL or a signing secret, except the secret `webhooks add` generates, once.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from .cli_util import CHANGE_TYPES, Env, clip, stamp, table
from .clock import utcnow
from .errors import UsageError
from .models import SEVERITIES, WEBHOOK_KINDS, Webhook


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
    env: Env,
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

    Destinations pass the same address guard as fetches: a receiver on a private or
    loopback address (10.x, 192.168.x, 127.0.0.1, localhost, ...) is refused unless the
    config sets `[fetch] allow_private = true`; `add` warns when --url is one.

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
    env.outbox(sync=True).add_webhook(hook, now=utcnow())
    click.echo(f"added {kind} webhook {name!r} to {destination(hook)} (alerts: {_filters(hook)})")
    if url is not None:
        import asyncio

        from .sender import check_destination

        problem = asyncio.run(check_destination(url, env.settings.fetch))
        if problem is not None:
            click.echo(f"warning: webhook {name}: {problem}", err=True)
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
def webhooks_list(env: Env, as_json: bool) -> None:
    """The endpoints, their state and their queued and failed alerts (no URLs or secrets)."""
    now = utcnow()
    statuses = env.outbox().statuses()  # as the database holds them: listing never syncs
    note = env.unsynced_note()
    if note:
        click.echo(note, err=True)
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
    table(
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
                f"{s.webhook.name}: disabled at {stamp(s.disabled_at)} UTC "
                f"({clip(s.disabled_reason, 80)}); "
                f"monitor webhooks enable {s.webhook.name}"
            )
        elif s.state(now) == "backing off":
            click.echo(
                f"{s.webhook.name}: asked to wait (Retry-After) until {stamp(s.backoff_until)} UTC"
            )


@webhooks.command("remove")
@click.argument("name")
@click.pass_obj
def webhooks_remove(env: Env, name: str) -> None:
    """Remove endpoint NAME and cancel its queued alerts (its delivery history stays)."""
    outbox = env.outbox(sync=True)
    hook = outbox.get_webhook(name)
    if hook is not None and hook.origin == "config":
        raise UsageError(f"webhook {name!r} is defined in the config file; remove it there")
    cancelled = outbox.remove_webhook(name, now=utcnow())
    click.echo(f"removed webhook {name!r} ({cancelled} queued alert(s) cancelled)")


@webhooks.command("enable")
@click.argument("name")
@click.pass_obj
def webhooks_enable(env: Env, name: str) -> None:
    """Re-enable NAME after a 410 disabled it (also ends a Retry-After wait).

    Alerts skipped while it was disabled stay skipped; `monitor deliveries retry ID...`
    sends them.
    """
    outbox = env.outbox(sync=True)
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
def webhooks_test(env: Env, name: str) -> None:
    """Send a sample alert to NAME now and print the answer (exit 1 if it failed).

    Goes through the same address guard, signing, deadline and checks as real alerts; the
    outbox is not touched. NAME is looked up in the config file first, then among the
    endpoints in the database.
    """
    import asyncio

    from .sender import Sender, make_delivery_client, send_sample

    settings = env.settings
    status = env.outbox().status(name)  # nothing is written: the config is not synced
    # The config file's definition, as a sync would store it, wins over the database's.
    hook = next((h for h in settings.webhooks if h.name == name), None)
    if hook is None and status is not None:
        hook = status.webhook
    if hook is None:
        raise UsageError(f"unknown webhook {name!r}")

    async def go() -> Any:
        async with make_delivery_client(settings.fetch) as client:
            return await send_sample(hook, Sender(client, settings))

    outcome = asyncio.run(go())
    if status is not None and status.disabled_at is not None:
        click.echo(f"note: webhook {name!r} is disabled ({clip(status.disabled_reason, 60)})")
    if outcome.result == "delivered":
        click.echo(
            f"webhook {name}: delivered a sample alert (HTTP {outcome.status}, "
            f"{outcome.duration_ms} ms)"
        )
        return
    click.echo(f"webhook {name}: failed: {outcome.error}", err=True)
    sys.exit(1)
