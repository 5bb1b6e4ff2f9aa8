"""Slack messages and digests: escaping, clipping, highlighting, limits, the notifier."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from monitor.alerts import NOTIFIERS, Outgoing, sample_alert
from monitor.models import ChangeType
from monitor.slack import (
    DIGEST_SIZE,
    SlackNotifier,
    article_link,
    clip_slack,
    escape_slack,
    highlight,
    render_runs,
    slack_digest,
    slack_message,
)
from tests.test_alerts import CLAIM, HOSTILE, HOSTILE_IDS, NOW, PREVIOUS, make_alert

# -- Slack checks shared by the tests ---------------------------------------------------------

LINK = re.compile(r"<https?://[^\s<>|]+\|[^<>]*>")
BARE_AMP = re.compile(r"&(?!amp;|lt;|gt;)")


def unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def slen(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def texts(message: dict[str, Any]) -> list[str]:
    """The fallback and every `text` string of every block, element and field."""
    out = [message["text"]]

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "text" and isinstance(value, str):
                    out.append(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(message["blocks"])
    return out


def text_objects(node: Any) -> list[dict[str, Any]]:
    """Every Block Kit text object (a dict with "type" mrkdwn or plain_text)."""
    if isinstance(node, list):
        return [o for v in node for o in text_objects(v)]
    if not isinstance(node, dict):
        return []
    found = [node] if node.get("type") in ("mrkdwn", "plain_text") else []
    return found + [o for v in node.values() for o in text_objects(v)]


def check_slack(message: dict[str, Any]) -> None:
    """Slack's limits, and no control sequence but the article link we write."""
    json.dumps(message)  # serialisable
    blocks = message["blocks"]
    assert 1 <= len(blocks) <= 50
    assert 0 < slen(message["text"]) <= 3000
    for block in blocks:
        if block["type"] == "header":
            assert block["text"]["type"] == "plain_text"
            assert 0 < slen(block["text"]["text"]) <= 150
        elif block["type"] == "section":
            assert 0 < slen(block["text"]["text"]) <= 3000
        elif block["type"] == "context":
            assert all(0 < slen(e["text"]) <= 3000 for e in block["elements"])
    for obj in text_objects(message["blocks"]):
        # mrkdwn without automatic links or #channel names; plain text without :emoji:
        if obj["type"] == "mrkdwn":
            assert obj["verbatim"] is True
        else:
            assert obj["emoji"] is False
    for text in texts(message):
        assert not BARE_AMP.search(text), text[:200]
        bare = LINK.sub("", text)
        assert "<" not in bare and ">" not in bare, text[:200]


def section_texts(message: dict[str, Any]) -> list[str]:
    return [b["text"]["text"] for b in message["blocks"] if b["type"] == "section"]


def section(message: dict[str, Any], label: str) -> str:
    """The body of the section whose first line is `label`."""
    for text in section_texts(message):
        head, _, body = text.partition("\n")
        if head == label:
            return body
    raise AssertionError(f"no section {label!r} in {section_texts(message)}")


@pytest.mark.parametrize("text", HOSTILE, ids=HOSTILE_IDS)
def test_hostile_text_arrives_literally_in_slack(text: str) -> None:
    alert = make_alert(type=ChangeType.CONTRADICTED, claim=text, previous_claim=None,
                       article_title=text, source=text, baseline_claim=text,
                       baseline_source="seed.txt", details={}, tags=(text,))
    message = slack_message(alert)
    check_slack(message)
    assert unescape(section(message, "*The article says*")) == text
    assert unescape(section(message, "*Baseline* (seed.txt)")) == text
    assert unescape(message["blocks"][0]["text"]["text"]) == f"Contradicted claim: {text}"
    assert unescape(message["text"]) == f"Contradicted claim in {text}: {text}"
    links = [m for t in section_texts(message) for m in LINK.findall(t)]
    assert links == [f"<https://news.example.com/world/jalali|{escape_slack(text)}>"]
    # in a digest too
    digest = slack_digest([alert] * 5)
    check_slack(digest)
    assert all(escape_slack(text) in t for t in section_texts(digest)[1:6])


@pytest.mark.parametrize("text", HOSTILE, ids=HOSTILE_IDS)
def test_hostile_text_keeps_its_words_when_highlighted(text: str) -> None:
    alert = make_alert(previous_claim="Earlier: " + text, claim="Later: " + text)
    old_runs, new_runs = highlight(alert.previous_claim or "", alert.claim)
    assert "".join(t for t, _ in new_runs) == alert.claim
    assert "".join(t for t, _ in old_runs) == alert.previous_claim
    check_slack(slack_message(alert))


@pytest.mark.parametrize(
    ("url", "title", "expected"),
    [
        ("https://a.example/x?a=1&b=2", "Title", "<https://a.example/x?a=1&amp;b=2|Title>"),
        ("HTTP://A.EXAMPLE/", None, "<HTTP://A.EXAMPLE/|HTTP://A.EXAMPLE/>"),
        ("https://evil.example/a|b<c>", "<!channel>",
         "<https://evil.example/a%7Cb%3Cc%3E|&lt;!channel&gt;>"),
        ("https://a.example/x y", "T", "<https://a.example/x%20y|T>"),
        ("javascript:alert(1)//https://x", "T", "T (javascript:alert(1)//https://x)"),
        ("/tmp/inbox/story.txt", None, "/tmp/inbox/story.txt"),
        ("https://a.example/\n<!here>", "T", "T (https://a.example/\n&lt;!here&gt;)"),
    ],
    ids=["https", "upper-case-no-title", "hostile-url", "space", "javascript", "file",
         "newline"],
)
def test_article_link(url: str, title: str | None, expected: str) -> None:
    assert article_link(url, title, 3000) == expected


def test_an_article_link_that_cannot_fit_is_plain_text() -> None:
    url = "https://a.example/" + "x" * 5000
    text = article_link(url, "Title", 2989)
    assert not text.startswith("<") and text.endswith("…") and slen(text) <= 2989


# -- Slack message shape -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "labels"),
    [
        ({"type": ChangeType.NEW, "previous_claim": None, "details": {}},
         ["*The article says*"]),
        ({}, ["*Before*", "*After*", "*Changed:* number 300 → 3000"]),
        ({"type": ChangeType.UPDATED, "previous_claim": None, "baseline_claim": PREVIOUS,
          "baseline_source": "003.txt"},
         ["*The article says*", "*Changed:* number 300 → 3000", "*Baseline* (003.txt)"]),
        ({"type": ChangeType.CONTRADICTED, "details": {}, "baseline_claim": "B.",
          "baseline_source": "001.txt"},
         ["*Before*", "*After*", "*Baseline* (001.txt)"]),
        ({"type": ChangeType.RETRACTED, "previous_claim": None, "details": {}},
         ["*Removed from the article*"]),
    ],
    ids=["new", "updated", "updated-vs-baseline", "contradicted", "retracted"],
)
def test_slack_message_sections(fields: dict[str, Any], labels: list[str]) -> None:
    alert = make_alert(**fields)
    message = slack_message(alert)
    check_slack(message)
    heads = [t.partition("\n")[0] for t in section_texts(message)]
    assert heads[:-1] == labels
    assert heads[-1].startswith("*Article:* <https://news.example.com/world/jalali|")
    assert message["blocks"][0]["text"]["text"] == f"{LABELS[alert.type]}: inbox/jalali.txt"
    context = message["blocks"][-1]["elements"][0]["text"]
    assert context == (f"Detected 2026-11-21 19:43 UTC · severity *{alert.severity}* · "
                       f"change {alert.change_id} · tags: syria")


LABELS = {ChangeType.NEW: "New claim", ChangeType.UPDATED: "Updated claim",
          ChangeType.CONTRADICTED: "Contradicted claim", ChangeType.RETRACTED: "Retracted claim"}


def test_updated_claim_shows_the_change_in_bold() -> None:
    message = slack_message(make_alert())
    assert section(message, "*Before*") == PREVIOUS.replace("300", "*300*")
    assert section(message, "*After*") == CLAIM.replace("3,000", "*3,000*")


def test_updated_against_the_baseline_highlights_both() -> None:
    message = slack_message(make_alert(previous_claim=None, baseline_claim=PREVIOUS,
                                       baseline_source="003.txt"))
    assert section(message, "*The article says*") == CLAIM.replace("3,000", "*3,000*")
    assert section(message, "*Baseline* (003.txt)") == PREVIOUS.replace("300", "*300*")


@pytest.mark.parametrize(
    ("old", "new", "bold_old", "bold_new"),
    [
        ("At least 300 prisoners", "At least 3,000 prisoners", ["300"], ["3,000"]),
        ("Jalali pledged cooperation with the rebels.",
         "Jalali refused to cooperate with the rebels.",
         ["pledged cooperation"], ["refused to cooperate"]),
        ("The talks began on Monday in Geneva.", "The talks began on Monday in Geneva, "
         "officials said.", ["Geneva."], ["Geneva, officials said."]),
        ("Assad fled to Moscow.", "Prices of bread doubled in Aleppo this week.", [], []),
        ("The toll was 12.", "The toll was {{7*7}}.", ["12."], []),
        ("Rebels  took\nHama.", "Rebels  took\nHoms.", ["Hama."], ["Homs."]),
    ],
    ids=["number", "polarity", "insertion", "unrelated", "asterisk", "whitespace-kept"],
)
def test_highlight(old: str, new: str, bold_old: list[str], bold_new: list[str]) -> None:
    old_runs, new_runs = highlight(old, new)
    assert "".join(t for t, _ in old_runs) == old
    assert "".join(t for t, _ in new_runs) == new
    assert [t for t, b in old_runs if b] == bold_old
    assert [t for t, b in new_runs if b] == bold_new


# -- limits ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("abc", 3, "abc"),
        ("abcd", 3, "ab…"),
        ("a&b", 7, "a&amp;b"),
        ("a&bc", 7, "a&amp;…"),
        ("a&b", 5, "a…"),
        ("&&&", 12, "&amp;&amp;…"),
        ("<<<", 11, "&lt;&lt;…"),
        ("🚨🚨🚨", 5, "🚨🚨…"),
        ("word word", 6, "word…"),
    ],
    ids=["fits", "cut", "entity-fits", "after-entity", "before-entity", "ampersands",
         "angles", "astral", "trailing-space"],
)
def test_clip_slack(text: str, limit: int, expected: str) -> None:
    assert clip_slack(text, limit) == expected


@pytest.mark.parametrize(
    ("runs", "limit", "expected"),
    [
        ([("At least ", False), ("3,000", True), (" freed", False)], 100,
         "At least *3,000* freed"),
        ([("a" * 10, False), ("&" * 10, True)], 20, "a" * 10 + "*&amp;*…"),
        ([("a" * 10, False), ("bbbb", True)], 13, "a" * 10 + "…"),
        ([("a" * 10, False), ("bb bb", True), (" c", False)], 16, "a" * 10 + "*bb*…"),
        ([("<!here>", True)], 8, "*&lt;!*…"),
        ([], 10, " "),
    ],
    ids=["fits", "cut-inside-bold", "no-room-for-bold", "bold-cut-at-space", "entity", "empty"],
)
def test_render_runs(runs: list[tuple[str, bool]], limit: int, expected: str) -> None:
    assert render_runs(runs, limit) == expected


def test_a_long_highlighted_claim_is_cut_with_closed_bold_spans() -> None:
    words = [f"{'w' * 16}{i:03d}" for i in range(190)]  # 190 words, 3,800 characters
    changed = [w.upper() if i % 7 == 0 else w for i, w in enumerate(words)]
    message = slack_message(make_alert(previous_claim=" ".join(words), claim=" ".join(changed)))
    check_slack(message)
    for label in ("*Before*", "*After*"):
        body = section(message, label)
        assert body.endswith("…") and body.count("*") % 2 == 0
        assert body.count("*") > 40  # the words that changed are bold up to the cut
        assert f"*{'W' * 16}000*" in body or f"*{'w' * 16}000*" in body


LONG_TEXTS = [
    "word " * 4000,
    "&" * 20_000,
    "<!channel>" * 2000,
    "🚨" * 20_000,
    "x" * 20_000,
    "a&b " * 5000,
]
LONG_IDS = ["words", "ampersands", "mentions", "astral", "one-token", "mixed-entities"]


@pytest.mark.parametrize("text", LONG_TEXTS, ids=LONG_IDS)
@pytest.mark.parametrize("change_type", list(ChangeType), ids=[t.value for t in ChangeType])
def test_a_20000_character_claim_stays_inside_slack_limits(text: str,
                                                           change_type: ChangeType) -> None:
    # the previous version differs at the end, past the cut, and at the start
    alert = make_alert(type=change_type, claim="Now " + text + " end.",
                       previous_claim="Before " + text + " fin.", baseline_claim=text,
                       baseline_source=text, article_title=text, source=text,
                       url="https://a.example/" + "p" * 20_000, tags=(text,))
    message = slack_message(alert)
    check_slack(message)
    for body in section_texts(message):
        assert body.count("*") % 2 == 0  # every bold span is closed
    digest = slack_digest([alert] * 30)
    check_slack(digest)


def test_header_truncation() -> None:
    for source in ("s" * 500, "&" * 200, "<!channel>" * 30, "🚨" * 100):
        header = slack_message(make_alert(source=source))["blocks"][0]["text"]["text"]
        assert slen(header) <= 150
        assert header.endswith("…")
        assert f"Updated claim: {source}".startswith(unescape(header[:-1]))


# -- digests ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "sizes"),
    [(1, [1]), (3, [1, 1, 1]), (4, [4]), (20, [20]), (21, [10, 11]), (100, [20] * 5)],
    ids=["one", "threshold", "digest", "full-digest", "two-digests", "hundred"],
)
def test_slack_notifier_groups_alerts(count: int, sizes: list[int]) -> None:
    alerts = [make_alert(n) for n in range(1, count + 1)]
    sent = SlackNotifier().build(alerts, secret=None, now=NOW)
    assert [len(o.delivery_ids) for o in sent] == sizes
    assert [d for o in sent for d in o.delivery_ids] == list(range(1, count + 1))
    for out in sent:
        assert out.headers["Content-Type"] == "application/json"
        assert out.headers["webhook-id"] == out.msg_id
        assert "webhook-signature" not in out.headers
        message = json.loads(out.body)
        check_slack(message)
        if count <= 3:
            assert out.msg_id == alerts[out.delivery_ids[0] - 1].msg_id
        else:
            assert message["blocks"][0]["text"]["text"].startswith(f"{len(out.delivery_ids)} ")
    assert len({o.msg_id for o in sent}) == len(sent)
    # a retry of the same alerts carries the same ids and bodies
    again = SlackNotifier().build(alerts, secret=None, now=NOW + timedelta(hours=1))
    assert [(o.msg_id, o.body) for o in again] == [(o.msg_id, o.body) for o in sent]


def test_a_digest_of_100_alerts_stays_inside_slack_limits() -> None:
    types = list(ChangeType)
    alerts = [make_alert(n, type=types[n % 4], claim=f"{n} " + "word " * 4000,
                         source=f"feed/story-{n % 7}") for n in range(100)]
    digest = slack_digest(alerts, total=250)
    check_slack(digest)
    assert len(digest["blocks"]) == 50
    assert section_texts(digest)[0] == ("*25* contradicted · *25* retracted · *25* updated · "
                                        "*25* new")
    assert section_texts(digest)[-1] == "…and 55 more"
    assert digest["blocks"][0]["text"]["text"] == "100 claim changes (of 250 due)"
    assert digest["blocks"][-1]["elements"][0]["text"].endswith("150 more in further messages")
    # most severe first
    assert section_texts(digest)[1].startswith("*Contradicted claim*")
    assert unescape(digest["text"]).startswith("100 claim changes (of 250 due): 25 contradicted")


def test_slack_messages_are_under_digest_size_blocks() -> None:
    alerts = [make_alert(n) for n in range(DIGEST_SIZE)]
    digest = slack_digest(alerts)
    check_slack(digest)
    items = section_texts(digest)[1:]
    assert len(items) == DIGEST_SIZE
    assert items[0] == ("*Updated claim* · inbox/jalali.txt · "
                        "<https://news.example.com/world/jalali|Syrian PM Jalali stays in Damascus>"
                        "\n" + CLAIM.replace("3,000", "*3,000*")
                        + "\n_Changed:_ number 300 → 3000")


# -- the sample alert ------------------------------------------------------------------------


def test_the_sample_alert_as_a_slack_message() -> None:
    now = datetime.now(UTC)
    out: Outgoing = NOTIFIERS["slack"].build([sample_alert(now)], secret=None, now=now)[0]
    message = json.loads(out.body)
    check_slack(message)
    assert "At least *3,000* prisoners" in section(message, "*After*")
