"""Classify how an article's claims changed: new, updated, contradicted, retracted.

``diff_claims`` is pure (no I/O, no clock). Steps:

1. previous vs current: claims with equal ``norm`` are unchanged (multiset; reordering
   produces nothing). The rest are aligned by ``similarity`` (rapidfuzz token_sort_ratio
   on ``key``, i.e. numbers/dates masked) >= ``ALIGN_THRESHOLD``, best pair first. An
   aligned pair whose polarity flipped is ``contradicted_claim``; one whose numbers,
   dates, entities or source changed is ``updated_claim`` (``details["changed"]``);
   polarity is judged on the whole sentences and on the edited tokens only (scope);
   alignment also tries the sentences with polarity cues dropped and with names masked
   (a replaced person aligns as an update, not a retraction plus a new claim);
   otherwise it is a rewording and produces nothing.
2. current claims left over (all of them on first sight) are looked up in the baseline:
   - a candidate with similarity >= ``BASELINE_THRESHOLD`` that agrees (same polarity,
     no replaced number/date/entity) -> nothing;
   - else such a candidate with flipped polarity -> ``contradicted_claim``;
   - else such a candidate with replaced details -> ``updated_claim`` against the
     baseline (``baseline_claim`` set, ``previous_claim`` None). Choice: a differing
     detail versus the baseline is worth reporting as an update of a known claim rather
     than as a new claim; details only present on one side are compatible;
   - else containment: a candidate (of the ``CONTAIN_LIMIT`` best) holding at least
     ``CONTAINMENT`` of the claim's content stems (source words and polarity cues
     dropped). Polarity is compared in scope, on the smallest window of the baseline
     claim covering the shared stems, and details only against that window: flipped ->
     ``contradicted_claim``; agreeing -> nothing (a shortened / reworded baseline claim);
     replaced details -> ``updated_claim``;
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

import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from difflib import SequenceMatcher
from typing import Any

from rapidfuzz import fuzz

from monitor.baseline import STOPWORDS, BaselineIndex, content_tokens, similarity
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
SOURCE_TYPO_RATIO = 90.0  # attributions this close are the same source, respelled
CONTAIN_LIMIT = 24  # baseline candidates checked for containment
CONTAINMENT = 0.8  # share of the claim's content stems found in a baseline claim
CONTAIN_MIN_STEMS = 3  # shorter claims are too unspecific for containment matching
CONTAIN_LOOSE_STEMS = 4  # below this, the covering window must be tight (no inserts)
CONTAIN_TIGHT_SLACK = 3  # ... at most this many tokens longer than the claim
FRAME_THRESHOLD = 90.0  # names masked, the rest of the sentence this similar: same claim
FRAME_MIN_WORDS = 5  # ... and at least this many content words outside the names
STEM = 5  # crude stemming: "participated"/"participate" -> "parti"


# --------------------------------------------------------------------------------------
# Pair comparison


def _norms_flipped(a: str, b: str) -> bool:
    pa, pb = polarity_cues(a), polarity_cues(b)
    flips = (pa.negators - pb.negators) % 2
    for concept in {c for c, _ in pa.concepts} | {c for c, _ in pb.concepts}:
        sa, sb = pa.signs(concept), pb.signs(concept)
        if len(sa) == 1 and len(sb) == 1 and sa != sb:
            flips += 1
    return flips % 2 == 1


def _edited_segments(a: str, b: str) -> tuple[str, str]:
    """The tokens that differ between two normalised sentences (each run with the token
    before it, so that bigram cues such as "still in" survive), joined per side."""
    ta, tb = a.split(), b.split()
    seg_a: list[str] = []
    seg_b: list[str] = []
    ops = SequenceMatcher(None, ta, tb, autojunk=False).get_opcodes()
    for tag, i1, i2, j1, j2 in ops:
        if tag == "equal":
            continue
        seg_a += [*ta[max(0, i1 - 1) : i2], "|"]
        seg_b += [*tb[max(0, j1 - 1) : j2], "|"]
    return " ".join(seg_a), " ".join(seg_b)


def polarity_flipped(a: Claim, b: Claim) -> bool:
    """True if b says the opposite of a (negator toggled, or antonym swapped).

    Judged on the whole sentences, then in scope: on the edited part only, so that
    an unchanged cue elsewhere in the sentence ("... and promised a handover") does not
    mask a swap ("pledged cooperation" -> "refused to cooperate").
    """
    if _norms_flipped(a.norm, b.norm):
        return True
    seg_a, seg_b = _edited_segments(a.norm, b.norm)
    return bool(seg_a or seg_b) and _norms_flipped(seg_a, seg_b)


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


def _source_changed(old: str | None, new: str | None) -> bool:
    """Sources differ (a respelling such as "defnce" -> "defence" is a typo fix)."""
    a, b = _norm_source(old), _norm_source(new)
    if a == b:
        return False
    if a is None or b is None:
        return True
    return fuzz.ratio(a, b) < SOURCE_TYPO_RATIO


def _head(entity: str) -> str | None:
    words = [w for w in re.split(r"[\s-]+", entity.lower()) if w in entity_words((entity,))]
    return words[-1] if words else None


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
    # an entity whose head (last word: the surname, the place) is still named on the
    # other side is the same one, re-qualified ("Syrian President Bashar al-Assad" ->
    # "Bashar al-Assad"); "Mayor Anna Keller" -> "Mayor Tomas Brandt" is a change
    old_ents = [e for e in old.entities if _head(e) in gone]
    new_ents = [e for e in new.entities if _head(e) in came]
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
    if not replace_only and _source_changed(old.attribution, new.attribution):
        changed.append({"kind": "source", "old": old.attribution, "new": new.attribution})
    # A detail found on one side only is no change when its words still stand in the other
    # version: a capitalised sentence opener, or a source the parser saw in one word order.
    return [
        c for c in changed
        if not (c["old"] is None and _words_in(c["new"], old))
        and not (c["new"] is None and _words_in(c["old"], new))
    ]


def _words_in(value: object, claim: Claim) -> bool:
    words = re.findall(r"\w+", str(value).lower())
    tokens = set(claim.norm.split())
    return bool(words) and all(w in tokens for w in words)


# --------------------------------------------------------------------------------------
# Alignment


def _skeleton(claim: Claim) -> str:
    """Content words without polarity cues, crudely stemmed (5-letter prefixes).

    Lets "pledged cooperation" align with "refused to cooperate" so that the pair can be
    classified as a contradiction instead of a retraction plus a new claim.
    """
    cues = polarity_cues(claim.norm).cue_words
    return " ".join(sorted(t[:5] for t in content_tokens(claim.key) if t not in cues))


def _frame(claim: Claim) -> tuple[str, int]:
    """The key with every name masked ("E"), and its number of unmasked content words.

    Lets "... taken by President Vladimir Putin" align with "... taken by Foreign
    Minister Sergei Lavrov" so that the pair is an updated claim (person changed).
    """
    names = {w for ent in claim.entities for w in re.split(r"[\s'-]+", ent.lower()) if w}
    out: list[str] = []
    content = 0
    for tok in claim.key.split():
        if tok in names or tok.removesuffix("s") in names:
            if not out or out[-1] != "E":
                out.append("E")
            continue
        out.append(tok)
        content += tok not in STOPWORDS and len(tok) > 1
    return " ".join(out), content


def align_score(a: Claim, b: Claim, skel_a: str | None = None, skel_b: str | None = None) -> float:
    """Alignment score of two versions of a sentence: the best of key similarity,
    skeleton similarity (polarity cues dropped) and frame similarity (names masked)."""
    s = similarity(a, b)
    if s >= ALIGN_THRESHOLD:
        return s
    sa = _skeleton(a) if skel_a is None else skel_a
    sb = _skeleton(b) if skel_b is None else skel_b
    if sa and sb:
        s = max(s, float(fuzz.token_sort_ratio(sa, sb)))
    if s >= ALIGN_THRESHOLD or not a.entities or not b.entities:
        return s
    (fa, na), (fb, nb) = _frame(a), _frame(b)
    if min(na, nb) >= FRAME_MIN_WORDS and fa != a.key and fb != b.key:
        frame = float(fuzz.ratio(fa, fb))
        if frame >= FRAME_THRESHOLD:
            s = max(s, frame)
    return s


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


def _stems(tokens: Sequence[str]) -> list[str]:
    return [t[:STEM] for t in tokens]


def _source_words(claim: Claim) -> set[str]:
    return set(claim.attribution.lower().split()) if claim.attribution else set()


def _contained_span(claim: Claim, other: Claim) -> str | None:
    """The part of ``other`` that states ``claim``, if ``other`` contains it.

    ``claim``'s content stems (stopwords, polarity cues and the words of its source
    dropped) must be found in ``other`` at ``CONTAINMENT`` or more. The result is the
    smallest window of ``other``'s normalised tokens covering the shared stems, so that
    polarity is judged in scope: a negation in another clause of ``other`` is ignored.
    """
    cues = polarity_cues(claim.norm).cue_words
    drop = cues | _source_words(claim)
    mine = {t[:STEM] for t in content_tokens(claim.key) if t not in drop}
    if len(mine) < CONTAIN_MIN_STEMS:
        return None
    toks = other.norm.split()
    stems = _stems(other.key.split()) if len(other.key.split()) == len(toks) else _stems(toks)
    shared = mine & set(stems)
    if len(shared) < CONTAINMENT * len(mine):
        return None
    # minimal window of ``toks`` covering every shared stem (sliding window)
    need = len(shared)
    have: dict[str, int] = {}
    best: tuple[int, int] = (0, len(toks))
    lo = 0
    for hi, st in enumerate(stems):
        if st in shared:
            have[st] = have.get(st, 0) + 1
        while len(have) == need:
            if hi - lo < best[1] - best[0]:
                best = (lo, hi + 1)
            left = stems[lo]
            if left in have:
                have[left] -= 1
                if not have[left]:
                    del have[left]
            lo += 1
    start, end = best
    tight = len(claim.norm.split()) + CONTAIN_TIGHT_SLACK
    if len(mine) < CONTAIN_LOOSE_STEMS and end - start > tight:
        return None
    # a negator or auxiliary just before the window belongs to it ("did not confirm")
    start = max(0, start - 2)
    return " ".join(toks[start:end])


def _restrict(claim: Claim, span: str) -> Claim:
    """``claim`` with only the numbers, dates and names that occur in ``span`` (a window
    of its normalised text), so details of other clauses are not compared."""
    toks = set(span.split())

    def named(ent: str) -> bool:
        words = [w for w in re.split(r"[\s'-]+", ent.lower()) if w]
        return any(w in toks or w + "s" in toks for w in words)

    return replace(
        claim,
        numbers=tuple(n for n in claim.numbers if n in toks),
        dates=tuple(d for d in claim.dates if d in toks),
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
    theirs = polarity_cues(other.norm).effective()
    if any(theirs.get(concept) == -sign for concept, sign in mine.items()):
        return -1
    return 1 if all(concept in theirs for concept in mine) else 0


def _span_flipped(claim: Claim, span: str) -> bool:
    """Polarity flip between a claim and a span of another claim (see polarity_flipped)."""
    return _norms_flipped(claim.norm, span)


def _against_baseline(claim: Claim, baseline: BaselineIndex, now: datetime) -> Change | None:
    cands = baseline.scored_candidates(claim, CONTAIN_LIMIT)
    if any(bc.claim.norm == claim.norm for bc, _ in cands):
        return None
    close = [(bc, s) for bc, s in cands[:BASELINE_LIMIT] if s >= BASELINE_THRESHOLD]
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
    if flipped is None and updated is None:
        # a shortened / lightly reworded baseline claim ("In response to X," dropped,
        # a clause cut off): the claim's content is contained in the baseline claim
        for bc, _ in cands:
            if id(bc) in {id(c) for c, _ in close}:
                continue
            span = _contained_span(claim, bc.claim)
            if span is None:
                continue
            if _span_flipped(claim, span):
                flipped = flipped or bc
                continue
            state = _state_agreement(claim, bc.claim)
            if state < 0:
                flipped = flipped or bc
                continue
            if state == 0:
                continue  # the baseline names the same things but does not say this of them
            changed = detail_changes(_restrict(bc.claim, span), claim, replace_only=True)
            if not changed:
                return None
            updated = updated or (bc, changed)
    if flipped is not None:
        return _change(ChangeType.CONTRADICTED, claim, now, baseline=flipped)
    if updated is not None:
        return _change(
            ChangeType.UPDATED, claim, now, baseline=updated[0], details={"changed": updated[1]}
        )
    for bc, _ in cands[:BASELINE_LIMIT]:
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
