"""Statements and details that moved within an article between two versions.

A detail one version gives and the other gives in a nearby sentence moved (or a
reference was resolved: "that year" -> "in 2015"), it did not change; a sentence
removed in one place and restated in other words in another paragraph
(``moved_paraphrases``) is neither retracted nor new. Pure functions over claims.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from monitor.align import align_score, worded_alike
from monitor.baseline import content_tokens
from monitor.claims import entity_words, make_claim
from monitor.compare import detail_changes, source_words
from monitor.containment import reporting_frame
from monitor.lexicon import country_word
from monitor.models import Claim

__all__ = ["NEIGHBOURS", "holds", "moved_paraphrases", "stated_nearby"]


def holds(claim: Claim, change: dict) -> bool:
    """``claim`` carries the new value of a detail change."""
    new = change["new"]
    if new is None:
        return False
    return {
        "number": lambda: new in claim.numbers,
        "date": lambda: new in claim.dates,
        "entity": lambda: new in claim.entities,
        "source": lambda: claim.attribution == new,
        "role": lambda: new.split()[-1] in claim.norm.split(),
    }.get(change["kind"], lambda: False)()


NEIGHBOURS = 2  # sentences either side where a moved or resolved detail is looked for


def stated_nearby(
    value: object,
    kind: str,
    claims: Sequence[Claim],
    at: Sequence[Claim],
    reach: int | None = NEIGHBOURS,
) -> bool:
    """A sentence of ``claims`` within ``reach`` of the sentences ``at`` (not one of
    them; anywhere in ``claims`` when ``reach`` is None) states the detail ``value`` of
    ``kind``."""
    first, last = min(c.position for c in at), max(c.position for c in at)
    lo, hi = (first - reach, last + reach) if reach is not None else (0, math.inf)
    own = {id(c) for c in at}
    probe = {"kind": kind, "new": value}
    # a person named in full in one sentence is "Assad" in the next
    words = re.findall(r"[a-z0-9]+", str(value).lower())
    head = words[-1] if words and kind in ("entity", "source") else None
    return any(
        holds(c, probe) or (head is not None and _names(head, c))
        for c in claims
        if lo <= c.position <= hi and id(c) not in own
    )


def _names(head: str, claim: Claim) -> bool:
    """``claim`` names ``head``, or the country ``head`` is through its capital or its
    people ("Russia" in "Russian officials", "Moscow said")."""
    words = claim.norm.split()
    return head in words or any(country_word(w) == head for w in words)


MOVED_THRESHOLD = 55.0  # skeleton similarity of a sentence moved elsewhere and reworded
MOVED_SHARE = 0.4  # ... and share (Dice) of its content stems besides names and source


def _framed(change: dict, claim: Claim) -> bool:
    """The detail ``change`` gives to one side only is in that side's reporting frame
    (who said it, and when: "according to two former officials", "told reporters on
    Monday"), not in what the claim states."""
    value = change["new"] if change["old"] is None else change["old"]
    if change["kind"] == "source":
        return True
    frame = " ".join(sorted(reporting_frame(claim)))
    if change["kind"] == "number":
        return value in make_claim(frame).numbers
    return change["kind"] == "date" and value in make_claim(frame).dates


def _swapped(a: Claim, b: Claim) -> bool:
    """Each side has words of its own in about the measure of the other: a rewording
    swaps words ("premature" / "too early"), a clause dropped ("... or the state of his
    health") only takes them away, and one added only brings them. Names and sources are
    details, compared as such."""
    names = entity_words(a.entities) | entity_words(b.entities) | source_words(a) | source_words(b)
    wa, wb = content_tokens(a.key) - names, content_tokens(b.key) - names
    own_a, own_b = len(wa - wb), len(wb - wa)
    return own_a <= 2 * own_b + 1 and own_b <= 2 * own_a + 1


def _stated_anywhere(change: dict, claims: Sequence[Claim], at: Claim) -> bool:
    """A sentence of ``claims`` other than ``at`` states the value ``change`` gives to
    one side only."""
    value = change["new"] if change["old"] is None else change["old"]
    return stated_nearby(value, change["kind"], claims, [at], reach=None)


def moved_paraphrases(
    previous: Sequence[Claim],
    current: Sequence[Claim],
    prev_left: Sequence[Claim],
    cur_left: Sequence[Claim],
) -> list[tuple[Claim, Claim]]:
    """Left-over claims of the two versions, anywhere in the article, that say one thing
    in other words: a sentence removed and restated in another paragraph ("Several
    members of his inner circle had already left the country by then, according to two
    former officials." -> "By that point, they said, several people from his inner
    circle had already fled abroad."). Worded alike (``MOVED_THRESHOLD``,
    ``MOVED_SHARE``), with no detail changed: a detail one side gives alone is in its
    reporting frame, or the other version states it elsewhere (the sentence moved, so
    any of it is its context). The most alike pairs are taken first, one to one."""
    scored = []
    for p in prev_left:
        for c in cur_left:
            if not worded_alike(p, c, MOVED_THRESHOLD, MOVED_SHARE) or not _swapped(p, c):
                continue
            if all(
                (ch["old"] is None and (_framed(ch, c) or _stated_anywhere(ch, previous, p)))
                or (ch["new"] is None and (_framed(ch, p) or _stated_anywhere(ch, current, c)))
                for ch in detail_changes(p, c)
            ):
                scored.append((-align_score(p, c), p.position, c.position, p, c))
    out: list[tuple[Claim, Claim]] = []
    used: set[int] = set()
    for *_, p, c in sorted(scored, key=lambda t: t[:3]):
        if id(p) not in used and id(c) not in used:
            used.update((id(p), id(c)))
            out.append((p, c))
    return out
