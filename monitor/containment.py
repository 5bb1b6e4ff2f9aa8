"""Containment: does a baseline claim state what a (shorter, reworded) claim states?

``contained`` looks for a candidate baseline claim that holds at least ``CONTAINMENT`` of
the claim's content stems (source words and polarity cues dropped). Polarity is compared
in scope, on the smallest window of the baseline claim covering the shared stems, and
details only against that window (numbers and dates on a window widened by the claim's
own lead and tail): flipped -> contradicted; agreeing -> held (a shortened / reworded
baseline claim); replaced details -> updated. A claim's states ("left", "confirmed",
"alive") must be asserted by the container too. Pure.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace

from monitor.align import STEM, stems
from monitor.baseline import content_tokens
from monitor.claims import polarity_cues
from monitor.compare import detail_changes, norms_flipped, source_words
from monitor.models import BaselineClaim, ChangeType, Claim

__all__ = [
    "CONTAINMENT",
    "CONTAIN_LIMIT",
    "CONTAIN_MIN_STEMS",
    "HELD",
    "Verdict",
    "contain_stems",
    "contained",
    "restrict",
]

CONTAIN_LIMIT = 24  # baseline candidates checked for containment
CONTAINMENT = 0.8  # share of the claim's content stems found in a baseline claim
CONTAIN_MIN_STEMS = 3  # claims with fewer content stems (source words not counted) are
# too unspecific for containment matching; the polarity cues count here, not in matching
CONTAIN_LOOSE_STEMS = 4  # below this, the covering window must be tight (no inserts)
CONTAIN_TIGHT_SLACK = 3  # ... at most this many tokens longer than the claim


@dataclass(frozen=True)
class Verdict:
    """The outcome for one claim: ``kind`` None means the baseline holds it."""

    kind: ChangeType | None
    baseline: BaselineClaim | None = None
    changed: list[dict] = field(default_factory=list)


HELD = Verdict(None)  # the baseline holds the claim


def contain_stems(claim: Claim) -> set[str]:
    """The stems containment looks for: content words, minus polarity cues and source."""
    drop = polarity_cues(claim.norm).cue_words | source_words(claim)
    return stems(t for t in content_tokens(claim.key) if t not in drop)


def _contained_span(claim: Claim, other: Claim) -> tuple[str, str] | None:
    """The part of ``other`` that states ``claim``, if ``other`` contains it.

    ``claim``'s content stems (stopwords, polarity cues and the words of its source
    dropped) must be found in ``other`` at ``CONTAINMENT`` or more. Returns two windows
    of ``other``'s normalised tokens: the smallest one covering the shared stems (and the
    two tokens before it), where polarity is judged in scope (a negation in another clause
    of ``other`` is ignored) and names are compared; and that window widened by as many
    tokens as ``claim`` has before and after its shared stems, where numbers and dates are
    compared ("On November 27, the HTS alliance launched ..." dates it before the stems).
    """
    mine = contain_stems(claim)
    if len(stems(content_tokens(claim.key) - source_words(claim))) < CONTAIN_MIN_STEMS:
        return None
    toks = other.norm.split()
    keys = other.key.split()
    other_stems = [t[:STEM] for t in (keys if len(keys) == len(toks) else toks)]
    shared = mine.intersection(other_stems)
    if len(shared) < CONTAINMENT * len(mine):
        return None
    # minimal window of ``toks`` covering every shared stem (sliding window)
    need = len(shared)
    have: dict[str, int] = {}
    best: tuple[int, int] = (0, len(toks))
    lo = 0
    for hi, st in enumerate(other_stems):
        if st in shared:
            have[st] = have.get(st, 0) + 1
        while len(have) == need:
            if hi - lo < best[1] - best[0]:
                best = (lo, hi + 1)
            left = other_stems[lo]
            if left in have:
                have[left] -= 1
                if not have[left]:
                    del have[left]
            lo += 1
    start, end = best
    tight = len(claim.norm.split()) + CONTAIN_TIGHT_SLACK
    if len(mine) < CONTAIN_LOOSE_STEMS and end - start > tight:
        return None
    mine_at = [i for i, t in enumerate(claim.key.split()) if t[:STEM] in shared]
    lead, tail = mine_at[0], len(claim.key.split()) - 1 - mine_at[-1]
    details = " ".join(toks[max(0, start - lead - 1) : end + tail + 1])
    # a negator or auxiliary just before the window belongs to it ("did not confirm")
    return " ".join(toks[max(0, start - 2) : end]), details


def restrict(claim: Claim, span: str, like: Claim | None = None, wide: str | None = None) -> Claim:
    """``claim`` with only the names that occur in ``span`` (a window of its normalised
    text) and the numbers and dates that occur in ``wide`` (a wider one; default
    ``span``), so details of other clauses are not compared. With ``like`` (the claim it is
    compared with), a sole date or number is kept wherever it stands when ``like`` has a
    sole one too: both give the when / how many of the statement."""
    toks = set(span.split())
    wide_toks = set(wide.split()) if wide is not None else toks

    def named(ent: str) -> bool:
        words = [w for w in re.split(r"[\s'-]+", ent.lower()) if w]
        return any(w in toks or w + "s" in toks for w in words)

    def kept(values: tuple[str, ...], theirs: tuple[str, ...]) -> tuple[str, ...]:
        inside = tuple(v for v in values if v in wide_toks)
        return values if not inside and len(values) == len(theirs) == 1 else inside

    return replace(
        claim,
        numbers=kept(claim.numbers, like.numbers if like else ()),
        dates=kept(claim.dates, like.dates if like else ()),
        entities=tuple(e for e in claim.entities if named(e)),
    )


def _state_agreement(claim: Claim, other: Claim) -> int:
    """Whether ``other`` asserts the states ``claim`` asserts (left, confirmed, alive...).

    Containment drops a claim's state words before matching, so without this check
    "X had left Damascus" would be held by any baseline sentence naming X and Damascus.
    Returns 1 when every state of ``claim`` is in ``other`` with the same sign (or
    ``claim`` asserts none), -1 when one has the opposite sign, 0 when one is missing.
    """
    mine = polarity_cues(claim.norm).effective()
    if not mine:
        return 1
    # a flat statement asserts itself: "X denied that P" contradicts "P", "X confirmed
    # that P" agrees with it
    theirs = {"truth": 1} | polarity_cues(other.norm).effective()
    if any(theirs.get(concept) == -sign for concept, sign in mine.items()):
        return -1
    return 1 if all(concept in theirs for concept in mine) else 0


def contained(
    claim: Claim,
    cands: Sequence[tuple[BaselineClaim, float]],
    skip: Collection[int] = (),
) -> Verdict | None:
    """Step 2 over ``cands`` (ids in ``skip`` already compared whole): the first
    agreeing container wins; else a flipped one; else one with replaced details."""
    flipped: BaselineClaim | None = None
    updated: Verdict | None = None
    for bc, _ in cands:
        if id(bc) in skip:
            continue
        spans = _contained_span(claim, bc.claim)
        if spans is None:
            continue
        span, detail_span = spans
        if norms_flipped(claim.norm, span):
            flipped = flipped or bc
            continue
        state = _state_agreement(claim, bc.claim)
        if state < 0:
            flipped = flipped or bc
            continue
        if state == 0:
            continue  # the baseline names the same things but does not say this of them
        restricted = restrict(bc.claim, span, like=claim, wide=detail_span)
        changed = detail_changes(restricted, claim, replace_only=True)
        if not changed:
            return HELD
        updated = updated or Verdict(ChangeType.UPDATED, bc, changed)
    if flipped is not None:
        return Verdict(ChangeType.CONTRADICTED, flipped)
    return updated
