"""Classify how an article's claims changed: new, updated, contradicted, retracted.

``diff_claims`` is pure (no I/O, no clock). Steps:

1. previous vs current: claims with equal ``norm`` are unchanged (multiset; reordering
   produces nothing). The rest are aligned by ``monitor.align`` (one to one, or a merge /
   split of adjacent sentences). An aligned group whose polarity flipped is
   ``contradicted_claim``; one whose numbers, dates, entities or source changed is
   ``updated_claim`` (``details["changed"]``); otherwise it is a rewording and produces
   nothing. A split reports the part that carries the change.
2. current claims left over (all of them on first sight) are checked against the
   baseline by ``monitor.baseline_check``: held -> nothing; else ``contradicted_claim``,
   ``updated_claim`` (``baseline_claim`` set, ``previous_claim`` None) or ``new_claim``.
3. previous claims left over -> ``retracted_claim``.

Changes are ordered by the position of their claim in its article (retractions use the
previous version's position), ties in input order.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from monitor.align import ALIGN_THRESHOLD, Aligned, align, align_score, combine
from monitor.baseline import BaselineIndex
from monitor.baseline_check import BASELINE_THRESHOLD, check_baseline
from monitor.compare import denial_added, detail_changes, polarity_flipped
from monitor.models import BaselineClaim, Change, ChangeType, Claim

__all__ = [
    "ALIGN_THRESHOLD",
    "BASELINE_THRESHOLD",
    "align_score",
    "detail_changes",
    "diff_claims",
    "polarity_flipped",
]


def _change(
    kind: ChangeType,
    claim: Claim,
    now: datetime,
    *,
    previous: str | None = None,
    baseline: BaselineClaim | None = None,
    details: dict | None = None,
) -> Change:
    return Change(
        type=kind,
        claim=claim.text,
        previous_claim=previous,
        baseline_claim=baseline.claim.text if baseline else None,
        baseline_source=baseline.source if baseline else None,
        details=details or {},
        detected_at=now,
    )


def _holds(claim: Claim, change: dict) -> bool:
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


def _classify(group: Aligned, now: datetime) -> tuple[Claim, Change] | None:
    """The change an aligned group shows, with the new claim it is reported on (for a
    split: the part that carries the flip or the changed detail)."""
    old, new = combine(group.old), combine(group.new)
    previous = " ".join(p.text for p in group.old)
    if polarity_flipped(old, new) or denial_added(old, new):
        part = next(
            (c for c in group.new if polarity_flipped(old, c) or denial_added(old, c)),
            group.new[0],
        )
        return part, _change(ChangeType.CONTRADICTED, part, now, previous=previous)
    changed = detail_changes(old, new)
    if not changed:
        return None
    part = next((c for c in group.new if any(_holds(c, ch) for ch in changed)), group.new[0])
    details = {"changed": changed}
    return part, _change(ChangeType.UPDATED, part, now, previous=previous, details=details)


def diff_claims(
    previous: Sequence[Claim] | None,
    current: Sequence[Claim],
    baseline: BaselineIndex,
    *,
    now: datetime,
) -> list[Change]:
    """Changes between two versions of an article (``previous`` None: first sight)."""
    out: list[tuple[int, int, int, Change]] = []

    def emit(position: int, change: Change | None) -> None:
        if change is not None:
            # at equal positions a retraction comes before what replaced it
            rank = 0 if change.type is ChangeType.RETRACTED else 1
            out.append((position, rank, len(out), change))

    if previous is None:
        leftover_cur = list(current)
        leftover_prev: list[Claim] = []
    else:
        pool: dict[str, list[Claim]] = {}
        for p in previous:
            pool.setdefault(p.norm, []).append(p)
        leftover_cur = []
        for c in current:
            same = pool.get(c.norm)
            if same:
                same.pop(0)
            else:
                leftover_cur.append(c)
        leftover_prev = sorted((p for ps in pool.values() for p in ps), key=lambda p: p.position)
        paired: set[int] = set()
        for group in align(leftover_prev, leftover_cur):
            paired.update(id(c) for c in (*group.old, *group.new))
            found = _classify(group, now)
            if found is not None:
                emit(found[0].position, found[1])
        leftover_cur = [c for c in leftover_cur if id(c) not in paired]
        leftover_prev = [p for p in leftover_prev if id(p) not in paired]

    for c in leftover_cur:
        verdict = check_baseline(c, baseline)
        if verdict.kind is not None:
            details = {"changed": verdict.changed} if verdict.changed else None
            emit(
                c.position,
                _change(verdict.kind, c, now, baseline=verdict.baseline, details=details),
            )
    for p in leftover_prev:
        emit(p.position, _change(ChangeType.RETRACTED, p, now))
    out.sort(key=lambda t: t[:3])
    return [t[3] for t in out]
