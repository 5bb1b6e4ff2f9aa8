"""Slack incoming-webhook messages: one Block Kit message per alert, or digests of many.

Pure formatting: no I/O. `SlackNotifier` (registered in monitor.alerts.NOTIFIERS under
"slack") turns the alerts due for one endpoint into requests (`Outgoing`).

Article text is escaped (&, <, >) so it can neither mention (`<!channel>`) nor link;
`*`, `_`, `~` and backticks are left alone: mrkdwn has no escape for them, they can only
style text (never ping, link or run anything), and the workarounds (zero-width spaces,
look-alike characters) would change the words a reader copies and searches for. The JSON
kind always carries the exact text.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime
from difflib import SequenceMatcher
from typing import Any

from .alerts import JSON_TYPE, Outgoing, json_bytes, parse_iso
from .models import SEVERITIES, SEVERITY, Alert, ChangeType

DIGEST_THRESHOLD = 3  # more alerts than this due at once for one Slack endpoint -> digests
DIGEST_SIZE = 20  # alerts per digest message

# Slack's limits (https://api.slack.com/reference/block-kit/blocks)
MAX_BLOCKS = 50
SECTION_LIMIT = 3000
HEADER_LIMIT = 150
CONTEXT_LIMIT = 2000
FALLBACK_LIMIT = 600  # the `text` fallback is a notification line, not the message
DIGEST_CLAIM_LIMIT = 300  # claim characters per alert in a digest
MIN_DIFF_RATIO = 0.4  # below this similarity, bold words would highlight noise
MAX_DIFF_WORDS = 200  # longer texts are not sentences: shown without highlighting

LABELS = {
    ChangeType.NEW.value: "New claim",
    ChangeType.UPDATED.value: "Updated claim",
    ChangeType.CONTRADICTED.value: "Contradicted claim",
    ChangeType.RETRACTED.value: "Retracted claim",
}


# -- Slack text -----------------------------------------------------------------------------


def escape_slack(text: str) -> str:
    """`&`, `<`, `>` as Slack's entities, so that text shows literally and cannot mention,
    link or format a control sequence. Nothing else is changed."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _slen(text: str) -> int:
    # counted in UTF-16 units, an upper bound of however Slack counts characters
    return len(text.encode("utf-16-le")) // 2


def clip_slack(text: str, limit: int) -> str:
    """`text` escaped, cut to at most `limit` characters with "…" if it was longer.

    Cuts between source characters, so an entity (`&amp;`) is never split."""
    escaped = escape_slack(text)
    if _slen(escaped) <= limit:
        return escaped
    return _prefix(text, limit - 1) + "…"


def _prefix(text: str, room: int) -> str:
    """The longest escaped prefix of `text` within `room` characters, trailing space cut."""
    out: list[str] = []
    for ch in text:
        piece = escape_slack(ch)
        room -= _slen(piece)
        if room < 0:
            break
        out.append(piece)
    return "".join(out).rstrip()


Runs = list[tuple[str, bool]]  # (raw text, bold)


def highlight(old: str, new: str) -> tuple[Runs, Runs]:
    """Word-level diff of two claims: runs of each (together exactly the text) with the
    words that differ marked bold.

    No word is marked when the texts are too different for a diff to help or too long to be
    sentences, and never a word holding `*` (it would end the bold span early)."""
    old_tokens, new_tokens = _TOKEN.findall(old), _TOKEN.findall(new)
    if max(len(old_tokens), len(new_tokens)) > 2 * MAX_DIFF_WORDS + 1:
        return [(old, False)], [(new, False)]
    old_words = [i for i, t in enumerate(old_tokens) if not t.isspace()]
    new_words = [i for i, t in enumerate(new_tokens) if not t.isspace()]
    old_flags, new_flags = [False] * len(old_tokens), [False] * len(new_tokens)
    matcher = SequenceMatcher(None, [old_tokens[i] for i in old_words],
                              [new_tokens[j] for j in new_words], autojunk=False)
    if matcher.ratio() >= MIN_DIFF_RATIO:
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag != "equal":
                for i in old_words[i1:i2]:
                    old_flags[i] = "*" not in old_tokens[i]
                for j in new_words[j1:j2]:
                    new_flags[j] = "*" not in new_tokens[j]
    return _runs(old_tokens, old_flags), _runs(new_tokens, new_flags)


_TOKEN = re.compile(r"\s+|\S+")


def _runs(tokens: list[str], flags: list[bool]) -> Runs:
    for i, tok in enumerate(tokens):
        # a space between two bold words joins them into one span; a newline ends a span
        if tok.isspace() and "\n" not in tok and 0 < i < len(tokens) - 1:
            flags[i] = flags[i - 1] and flags[i + 1]
    runs: Runs = []
    start = 0
    for i in range(1, len(tokens) + 1):
        if i == len(tokens) or flags[i] != flags[start]:
            runs.append(("".join(tokens[start:i]), flags[start]))
            start = i
    return runs


def render_runs(runs: Runs, limit: int) -> str:
    """mrkdwn of the runs (bold ones in `*...*`), escaped, at most `limit` characters; a cut
    lands between characters and keeps every bold span closed."""
    full = "".join(f"*{escape_slack(t)}*" if b else escape_slack(t) for t, b in runs)
    if _slen(full) <= limit:
        return full or " "
    out: list[str] = []
    room = limit - 1  # the ellipsis
    for text, bold in runs:
        piece = escape_slack(text)
        cost = _slen(piece) + (2 if bold else 0)
        if cost <= room:
            out.append(f"*{piece}*" if bold else piece)
            room -= cost
            continue
        cut = _prefix(text, room - (2 if bold else 0))
        if cut:
            out.append(f"*{cut}*" if bold else cut)
        break
    return "".join(out).rstrip() + "…"


def _section(label: str, runs: Runs) -> dict[str, Any]:
    """A mrkdwn section: `label` (already mrkdwn) on its own line, then the runs."""
    body = render_runs(runs, SECTION_LIMIT - _slen(label) - 1)
    return _mrkdwn_section(f"{label}\n{body}")


def _mrkdwn_section(text: str) -> dict[str, Any]:
    # verbatim: no automatic linking of URLs or #channel names found in article text
    return {"type": "section", "text": {"type": "mrkdwn", "text": text, "verbatim": True}}


def _plain(text: str, limit: int) -> dict[str, Any]:
    return {"type": "plain_text", "text": clip_slack(text, limit) or " ", "emoji": False}


def _is_web_url(url: str) -> bool:
    return re.match(r"^https?://[^\s/?#]+", url, re.I) is not None and url.isprintable()


def article_link(url: str, title: str | None, limit: int) -> str:
    """`<url|title>` for an http(s) URL that fits, else the title and address as plain text.

    In the link, `<`, `>`, `|` and spaces of the URL are percent-encoded (they would end the
    link or start its label) and `&` is escaped; the label is escaped like any text."""
    label = (title or "").strip() or url
    if _is_web_url(url):
        target = (escape_slack(url.replace("<", "%3C").replace(">", "%3E"))
                  .replace("|", "%7C").replace(" ", "%20"))
        room = limit - _slen(target) - 3
        if room >= 20:
            return f"<{target}|{clip_slack(label, room)}>"
    if label == url:
        return clip_slack(url, limit)
    return clip_slack(f"{label} ({url})", limit)


def _details_text(details: Mapping[str, Any]) -> str:
    changed = details.get("changed") if isinstance(details, Mapping) else None
    parts = []
    for item in changed if isinstance(changed, list) else []:
        if isinstance(item, Mapping):
            old, new = item.get("old"), item.get("new")
            parts.append(f"{item.get('kind', 'detail')} "
                         f"{'—' if old is None else old} → {'—' if new is None else new}")
    return "; ".join(parts)


def _label(alert: Alert) -> str:
    return LABELS.get(str(alert.type), str(alert.type))


def _when(alert: Alert) -> str:
    moment = parse_iso(alert.detected_at)
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else alert.detected_at


def slack_message(alert: Alert) -> dict[str, Any]:
    """One alert as a Slack incoming-webhook message: header, the claim before and after
    with the changed words in bold, the changed details, the baseline claim and its source,
    a link to the article, and context (detected time, severity). Every piece of page text
    is escaped; every block is inside Slack's limits."""
    label = _label(alert)
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": _plain(f"{label}: {alert.source}", HEADER_LIMIT)}
    ]
    reference = alert.previous_claim or alert.baseline_claim
    if reference and str(alert.type) != ChangeType.RETRACTED.value:
        ref_runs, claim_runs = highlight(reference, alert.claim)
    else:
        ref_runs, claim_runs = [(reference or "", False)], [(alert.claim, False)]
    if str(alert.type) == ChangeType.RETRACTED.value:
        blocks.append(_section("*Removed from the article*", claim_runs))
    elif alert.previous_claim:
        blocks.append(_section("*Before*", ref_runs))
        blocks.append(_section("*After*", claim_runs))
    else:
        blocks.append(_section("*The article says*", claim_runs))
    details = _details_text(alert.details)
    if details:
        blocks.append(_mrkdwn_section("*Changed:* " + clip_slack(details, SECTION_LIMIT - 12)))
    if alert.baseline_claim:
        where = clip_slack(alert.baseline_source or "baseline", 200)
        runs = ref_runs if not alert.previous_claim else [(alert.baseline_claim, False)]
        blocks.append(_section(f"*Baseline* ({where})", runs))
    blocks.append(_mrkdwn_section(
        "*Article:* " + article_link(alert.url, alert.article_title, SECTION_LIMIT - 11)
    ))
    context = f"Detected {_when(alert)} · severity *{alert.severity}* · change {alert.change_id}"
    if alert.tags:
        context += " · tags: " + ", ".join(alert.tags)
    blocks.append({"type": "context", "elements": [
        {"type": "mrkdwn", "text": clip_slack(context, CONTEXT_LIMIT), "verbatim": True}
    ]})
    fallback = clip_slack(f"{label} in {alert.source}: {alert.claim}", FALLBACK_LIMIT)
    return {"text": fallback, "blocks": blocks, "unfurl_links": False, "unfurl_media": False}


def _by_severity(alerts: Sequence[Alert]) -> list[Alert]:
    def rank(a: Alert) -> int:
        sev = a.severity if a.severity in SEVERITIES else SEVERITY.get(str(a.type), "low")
        return -SEVERITIES.index(sev)

    return sorted(alerts, key=rank)  # stable: outbox order within a severity


def _digest_item(alert: Alert) -> dict[str, Any]:
    head = (f"*{_label(alert)}* · {clip_slack(alert.source, 200)} · "
            + article_link(alert.url, alert.article_title, 1200))
    reference = alert.previous_claim or alert.baseline_claim
    if reference and str(alert.type) != ChangeType.RETRACTED.value:
        runs = highlight(reference, alert.claim)[1]
    else:
        runs = [(alert.claim, False)]
    text = head + "\n" + render_runs(runs, DIGEST_CLAIM_LIMIT)
    details = _details_text(alert.details)
    if details:
        text += "\n_Changed:_ " + clip_slack(details, 300)
    return _mrkdwn_section(text)


def slack_digest(alerts: Sequence[Alert], *, total: int | None = None) -> dict[str, Any]:
    """One message for many alerts: counts per change type, one compact section per alert
    (most severe first) while Slack's 50 blocks allow, and an "and N more" line for the rest.

    `total`, when larger than len(alerts), says how many alerts are due in all: the message
    then notes that the others follow in further messages."""
    ordered = _by_severity(alerts)
    counts = Counter(str(a.type) for a in ordered)
    kinds = sorted(counts, key=lambda t: -SEVERITIES.index(SEVERITY.get(t, "low")))
    summary = " · ".join(f"*{counts[t]}* {LABELS.get(t, t).split()[0].lower()}" for t in kinds)
    title = f"{len(ordered)} claim change{'s' if len(ordered) != 1 else ''}"
    if total is not None and total > len(ordered):
        title += f" (of {total} due)"
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": _plain(title, HEADER_LIMIT)},
        _mrkdwn_section(summary or "nothing"),
        {"type": "divider"},
    ]
    room = MAX_BLOCKS - len(blocks) - 2  # keep room for "and N more" and the context
    shown = ordered[:room]
    blocks += [_digest_item(a) for a in shown]
    if len(ordered) > len(shown):
        blocks.append(_mrkdwn_section(f"…and {len(ordered) - len(shown)} more"))
    sources = sorted({a.source for a in ordered})
    context = f"{len(sources)} source{'s' if len(sources) != 1 else ''}: " + ", ".join(sources)
    if total is not None and total > len(ordered):
        context += f" · {total - len(ordered)} more in further messages"
    blocks.append({"type": "context", "elements": [
        {"type": "mrkdwn", "text": clip_slack(context, CONTEXT_LIMIT), "verbatim": True}
    ]})
    plain_counts = ", ".join(f"{counts[t]} {LABELS.get(t, t).split()[0].lower()}" for t in kinds)
    fallback = clip_slack(f"{title}: {plain_counts}", FALLBACK_LIMIT)
    return {"text": fallback, "blocks": blocks, "unfurl_links": False, "unfurl_media": False}


# -- the notifier ---------------------------------------------------------------------------


def _split(alerts: Sequence[Alert], size: int) -> list[Sequence[Alert]]:
    """Consecutive groups of at most `size`, as even as possible (21 -> 11 + 10)."""
    count = -(-len(alerts) // size)
    bounds = [i * len(alerts) // count for i in range(count + 1)]
    return [alerts[a:b] for a, b in itertools.pairwise(bounds)]


class SlackNotifier:
    """One message per alert; when more than DIGEST_THRESHOLD are due at once, digests of
    up to DIGEST_SIZE alerts. Not signed (Slack does not verify incoming webhooks); a
    `webhook-id` header still names the message."""

    def build(
        self, alerts: Sequence[Alert], *, secret: str | None, now: datetime
    ) -> list[Outgoing]:
        headers = {"Content-Type": JSON_TYPE}
        if len(alerts) <= DIGEST_THRESHOLD:
            return [
                Outgoing(json_bytes(slack_message(a)), {**headers, "webhook-id": a.msg_id},
                         (a.delivery_id,), a.msg_id)
                for a in alerts
            ]
        out = []
        for group in _split(alerts, DIGEST_SIZE):
            # the same group of alerts gets the same id on a retry
            digest = hashlib.sha256(",".join(a.msg_id for a in group).encode()).hexdigest()
            msg_id = f"digest_{digest[:32]}"
            body = json_bytes(slack_digest(group, total=len(alerts)))
            out.append(Outgoing(body, {**headers, "webhook-id": msg_id},
                                tuple(a.delivery_id for a in group), msg_id))
        return out

