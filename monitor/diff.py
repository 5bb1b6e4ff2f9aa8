"""Classify how an article's claims changed: new, updated, contradicted, retracted.

``diff_claims`` is pure (no I/O, no clock). Steps:

1. previous vs current: claims with equal ``norm`` are unchanged (multiset; reordering
   produces nothing). The rest are aligned by ``similarity`` (rapidfuzz token_sort_ratio
   on ``key``, i.e. numbers/dates masked) >= ``ALIGN_THRESHOLD``, best pair first. An
   aligned pair whose polarity flipped is ``contradicted_claim``; one whose numbers,
   dates, entities or source changed is ``updated_claim`` (``details["changed"]``);
   otherwise it is a rewording and produces nothing.
2. current claims left over (all of them on first sight) are looked up in the baseline:
   - a candidate with similarity >= ``BASELINE_THRESHOLD`` that agrees (same polarity,
     no replaced number/date/entity) -> nothing;
   - else such a candidate with flipped polarity -> ``contradicted_claim``;
   - else such a candidate with replaced details -> ``updated_claim`` against the
     baseline (``baseline_claim`` set, ``previous_claim`` None). Choice: a differing
     detail versus the baseline is worth reporting as an update of a known claim rather
     than as a new claim; details only present on one side are compatible;
   - else a looser "state" contradiction: a candidate sharing the claim's entities
     (at least two, or all if it has one) and most of its content words, with an
     antonym-lexicon concept of opposite sign ("Jalali had left Damascus" vs "Jalali,
     still in Damascus, ...") -> ``contradicted_claim``;
   - else ``new_claim``.
3. previous claims left over -> ``retracted_claim``.

Changes are ordered by the position of their claim in its article (retractions use the
previous version's position), ties in input order.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from rapidfuzz import fuzz

from monitor.baseline import BaselineIndex, content_tokens, similarity
from monitor.claims import entity_words, polarity_cues
from monitor.models import BaselineClaim, Change, ChangeType, Claim

__all__ = [
    "ALIGN_THRESHOLD",
    "BASELINE_THRESHOLD",
    "align_score",
    "detail_changes",
    "diff_claims",
    "polarity_flipped",
]

ALIGN_THRESHOLD = 80.0  # previous vs current version of one article
BASELINE_THRESHOLD = 85.0  # a claim vs the baseline (other articles): stricter
STATE_CONTAINMENT = 0.6  # share of the claim's content words found in the baseline claim
ENTITY_TYPO_RATIO = 85.0  # an entity respelled this closely is a typo fix, not a change
BASELINE_LIMIT = 8


# --------------------------------------------------------------------------------------
# Pair comparison


def polarity_flipped(a: Claim, b: Claim) -> bool:
    """True if b says the opposite of a (negator toggled, or antonym swapped)."""
    pa, pb = polarity_cues(a.norm), polarity_cues(b.norm)
    flips = (pa.negators - pb.negators) % 2
    for concept in {c for c, _ in pa.concepts} | {c for c, _ in pb.concepts}:
        sa, sb = pa.signs(concept), pb.signs(concept)
        if len(sa) == 1 and len(sb) == 1 and sa != sb:
            flips += 1
    return flips % 2 == 1


def _multiset_diff(old: Sequence[str], new: Sequence[str]) -> tuple[list[str], list[str]]:
    removed = list(old)
    added: list[str] = []
    for v in new:
        if v in removed:
            removed.remove(v)
        else:
            added.append(v)
    return removed, added


def _pairs(kind: str, removed: list[Any], added: list[Any], replace_only: bool) -> list[dict]:
    out: list[dict] = []
    n = max(len(removed), len(added))
    for i in range(n):
        old = removed[i] if i < len(removed) else None
        new = added[i] if i < len(added) else None
        if replace_only and (old is None or new is None):
            continue
        out.append({"kind": kind, "old": old, "new": new})
    return out


def _norm_source(s: str | None) -> str | None:
    return " ".join(s.lower().replace("'s", "").split()) if s else None


def _entity_changes(old: Claim, new: Claim, replace_only: bool) -> list[dict]:
    # words of the sources are reported as "source" changes, not entity changes
    skip = set()
    for src in (old.attribution, new.attribution):
        if src:
            skip |= set(src.lower().split())
    ow = entity_words(old.entities) - skip
    nw = entity_words(new.entities) - skip
    gone = ow - nw
    came = nw - ow
    if not gone and not came:
        return []
    old_ents = [e for e in old.entities if entity_words((e,)) & gone]
    new_ents = [e for e in new.entities if entity_words((e,)) & came]
    # respelled names ("Lattakia" -> "Latakia") are typo fixes
    for o in list(old_ents):
        for n in new_ents:
            if fuzz.ratio(o.lower(), n.lower()) >= ENTITY_TYPO_RATIO:
                old_ents.remove(o)
                new_ents.remove(n)
                break
    return _pairs("entity", old_ents, new_ents, replace_only)


def detail_changes(old: Claim, new: Claim, *, replace_only: bool = False) -> list[dict]:
    """Changed numbers, dates, entities and source between two versions of a claim.

    With ``replace_only`` a detail counts only where both sides have a value and they
    differ (an added or dropped detail is compatible); used against the baseline.
    """
    changed: list[dict] = []
    removed, added = _multiset_diff(old.numbers, new.numbers)
    changed += _pairs("number", removed, added, replace_only)
    removed, added = _multiset_diff(old.dates, new.dates)
    changed += _pairs("date", removed, added, replace_only)
    changed += _entity_changes(old, new, replace_only)
    if not replace_only:
        os_, ns = _norm_source(old.attribution), _norm_source(new.attribution)
        if os_ != ns:
            changed.append({"kind": "source", "old": old.attribution, "new": new.attribution})
    return changed


# --------------------------------------------------------------------------------------
# Alignment


def _skeleton(claim: Claim) -> str:
    """Content words without polarity cues, crudely stemmed (5-letter prefixes).

    Lets "pledged cooperation" align with "refused to cooperate" so that the pair can be
    classified as a contradiction instead of a retraction plus a new claim.
    """
    cues = polarity_cues(claim.norm).cue_words
    return " ".join(sorted(t[:5] for t in content_tokens(claim.key) if t not in cues))


def align_score(a: Claim, b: Claim, skel_a: str | None = None, skel_b: str | None = None) -> float:
    """Alignment score of two versions of a sentence: max(key similarity, skeleton one)."""
    s = similarity(a, b)
    if s >= ALIGN_THRESHOLD:
        return s
    sa = _skeleton(a) if skel_a is None else skel_a
    sb = _skeleton(b) if skel_b is None else skel_b
    if not sa or not sb:
        return s
    return max(s, float(fuzz.token_sort_ratio(sa, sb)))


def _align(prev: list[Claim], cur: list[Claim]) -> list[tuple[Claim, Claim]]:
    """Greedy best-first one-to-one pairing above ALIGN_THRESHOLD."""
    if not prev or not cur:
        return []
    skel_p = [_skeleton(p) for p in prev]
    skel_c = [_skeleton(c) for c in cur]
    scored: list[tuple[float, int, int, int]] = []
    for i, p in enumerate(prev):
        for j, c in enumerate(cur):
            s = align_score(p, c, skel_p[i], skel_c[j])
            if s >= ALIGN_THRESHOLD:
                scored.append((s, -abs(p.position - c.position), i, j))
    scored.sort(reverse=True)
    used_p: set[int] = set()
    used_c: set[int] = set()
    pairs: list[tuple[Claim, Claim]] = []
    for _, _, i, j in scored:
        if i in used_p or j in used_c:
            continue
        used_p.add(i)
        used_c.add(j)
        pairs.append((prev[i], cur[j]))
    return pairs


# --------------------------------------------------------------------------------------
# Baseline check


def _state_contradiction(claim: Claim, other: Claim) -> bool:
    """Loose contradiction: same subject/place, opposite antonym-lexicon state."""
    eff_a = polarity_cues(claim.norm).effective()
    if not eff_a:
        return False
    eff_b = polarity_cues(other.norm).effective()
    if not any(c in eff_b and eff_b[c] == -s for c, s in eff_a.items()):
        return False
    ents = entity_words(claim.entities)
    if claim.attribution:
        ents -= set(claim.attribution.lower().split())
    if not ents:
        return False
    shared = ents & entity_words(other.entities)
    if len(shared) < min(2, len(ents)):
        return False
    cues = polarity_cues(claim.norm).cue_words
    attr = set(claim.attribution.lower().split()) if claim.attribution else set()
    mine = content_tokens(claim.key) - cues - attr
    if not mine:
        return False
    theirs = content_tokens(other.key)
    return len(mine & theirs) / len(mine) >= STATE_CONTAINMENT


def _against_baseline(claim: Claim, baseline: BaselineIndex, now: datetime) -> Change | None:
    cands = baseline.scored_candidates(claim, BASELINE_LIMIT)
    if any(bc.claim.norm == claim.norm for bc, _ in cands):
        return None
    close = [(bc, s) for bc, s in cands if s >= BASELINE_THRESHOLD]
    flipped: BaselineClaim | None = None
    updated: tuple[BaselineClaim, list[dict]] | None = None
    for bc, _ in close:
        if polarity_flipped(bc.claim, claim):
            flipped = flipped or bc
            continue
        changed = detail_changes(bc.claim, claim, replace_only=True)
        if not changed:
            return None  # the baseline already holds this statement
        updated = updated or (bc, changed)
    if flipped is not None:
        return _change(ChangeType.CONTRADICTED, claim, now, baseline=flipped)
    if updated is not None:
        return _change(
            ChangeType.UPDATED, claim, now, baseline=updated[0], details={"changed": updated[1]}
        )
    for bc, _ in cands:
        if _state_contradiction(claim, bc.claim):
            return _change(ChangeType.CONTRADICTED, claim, now, baseline=bc)
    return _change(ChangeType.NEW, claim, now)


def _change(
    kind: ChangeType,
    claim: Claim,
    now: datetime,
    *,
    previous: Claim | None = None,
    baseline: BaselineClaim | None = None,
    details: dict | None = None,
) -> Change:
    return Change(
        type=kind,
        claim=claim.text,
        previous_claim=previous.text if previous else None,
        baseline_claim=baseline.claim.text if baseline else None,
        baseline_source=baseline.source if baseline else None,
        details=details or {},
        detected_at=now,
    )


# --------------------------------------------------------------------------------------


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
        paired_p: set[int] = set()
        paired_c: set[int] = set()
        for p, c in _align(leftover_prev, leftover_cur):
            paired_p.add(id(p))
            paired_c.add(id(c))
            if polarity_flipped(p, c):
                emit(c.position, _change(ChangeType.CONTRADICTED, c, now, previous=p))
                continue
            changed = detail_changes(p, c)
            if changed:
                emit(
                    c.position,
                    _change(ChangeType.UPDATED, c, now, previous=p, details={"changed": changed}),
                )
        leftover_cur = [c for c in leftover_cur if id(c) not in paired_c]
        leftover_prev = [p for p in leftover_prev if id(p) not in paired_p]

    for c in leftover_cur:
        emit(c.position, _against_baseline(c, baseline, now))
    for p in leftover_prev:
        emit(p.position, _change(ChangeType.RETRACTED, p, now))
    out.sort(key=lambda t: t[:3])
    return [t[3] for t in out]
