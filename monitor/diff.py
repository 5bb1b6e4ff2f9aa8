"""Classify how an article's claims changed: new, updated, contradicted, retracted.

``diff_claims`` is pure (no I/O, no clock). Steps:

1. previous vs current: claims with equal ``norm`` are unchanged (multiset; reordering
   produces nothing). The rest are aligned by ``monitor.align`` (one to one, or a merge /
   split of adjacent sentences). An aligned group whose polarity flipped is
   ``contradicted_claim``; one whose numbers, dates, entities or source changed is
   ``updated_claim`` (``details["changed"]``); otherwise it is a rewording and produces
   nothing. A detail only one version gives that the other version states within
   ``NEIGHBOURS`` sentences (a resolved reference: "that year" -> "in 2015", "Syria's
   former president" -> "Bashar al-Assad"), or one added that the baseline already gives
   for the statement, is no change. A split reports the part that carries the change.
   Claims still left over that stand in the same place of the article (a kept
   neighbour) with the same details, polarity and most content words are a copy edit
   (``same_slot_paraphrases``): nothing. So is a pair anywhere in the article worded
   alike with no detail changed (``moved_paraphrases``): a sentence moved to another
   paragraph and reworded there.
2. current claims left over (all of them on first sight) are checked against the
   baseline by ``monitor.baseline_check``: held -> nothing; else ``contradicted_claim``,
   ``updated_claim`` (``baseline_claim`` set, ``previous_claim`` None) or ``new_claim``.
   On first sight a sentence of rumour, doubt or signposting that gives no figure,
   date or source and names only the story's own subjects is framing ("Where Assad had
   gone was at first unclear."), not a new claim (``framing``).
3. previous claims left over -> ``retracted_claim``.

The sentences of one quotation that spans sentences ('"A. B," said X') are reported as
one claim when they are all retracted or all new.

Changes are ordered by the position of their claim in its article (retractions use the
previous version's position), ties in input order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from monitor.align import (
    ALIGN_THRESHOLD,
    Aligned,
    align,
    align_score,
    combine,
    same_slot_paraphrases,
)
from monitor.baseline import BaselineIndex, concept_set, content_tokens
from monitor.baseline_check import BASELINE_THRESHOLD, check_baseline
from monitor.compare import denial_added, detail_changes, polarity_flipped
from monitor.containment import HELD
from monitor.models import BaselineClaim, Change, ChangeType, Claim
from monitor.moved import holds, moved_paraphrases, stated_nearby
from monitor.restatement import framing
from monitor.sentences import quote_open

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


def _description(value: object) -> bool:
    """A source or person given by description, not name: "Syria's former president",
    "the ministry" (every word lowercase but a possessive place)."""
    words = str(value).split()
    return bool(words) and all(w.islower() or w.endswith(("'s", "’s")) for w in words)


def _resolved(
    change: dict, group: Aligned, before: Sequence[Claim], after: Sequence[Claim]
) -> bool:
    """A detail only one version gives, which the other version states in a nearby
    sentence: the edit resolved a reference or moved the detail ("Its intervention that
    year" -> "Russia's intervention in 2015" after "... since 2015."), no fact changed."""
    if change["old"] is None:
        return stated_nearby(change["new"], change["kind"], before, group.old)
    if change["new"] is None:
        return stated_nearby(change["old"], change["kind"], after, group.new)
    if change["kind"] in ("entity", "source"):
        # "Syria's former president said" -> "Bashar al-Assad said" where the article
        # names him nearby: the reference was resolved (and the same the other way)
        if _description(change["old"]):
            return stated_nearby(change["new"], change["kind"], before, group.old)
        if _description(change["new"]):
            return stated_nearby(change["old"], change["kind"], after, group.new)
    return False


def _classify(
    group: Aligned,
    now: datetime,
    before: Sequence[Claim],
    after: Sequence[Claim],
    baseline: BaselineIndex,
) -> tuple[Claim, Change] | None:
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
    changed = [
        c for c in detail_changes(old, new) if not _resolved(c, group, before, after)
    ]
    if not changed:
        return None
    if all(c["old"] is None for c in changed) and check_baseline(new, baseline).kind is None:
        # a detail added that the baseline already gives for this statement
        # ("a Kremlin source said" -> "... told TASS"): the article caught up, no news
        return None
    part = next((c for c in group.new if any(holds(c, ch) for ch in changed)), group.new[0])
    details = {"changed": changed}
    return part, _change(ChangeType.UPDATED, part, now, previous=previous, details=details)


SHARED_TOKENS = 2  # an unedited sentence shares this many words with one it may help hold
SCREEN_SHARE = 0.4  # share of a claim's concepts the other version must use to be checked


def _not_stated(
    claims: Sequence[Claim], own: Sequence[Claim], other: Sequence[Claim]
) -> list[Claim]:
    """The ``claims`` (of version ``own``) that the ``other`` version of the article does
    not state: each is judged against the other version's claims as the baseline judges
    a claim (held: a restatement, in one sentence or across two; a changed detail or a
    turned polarity is not held). "The group cut ties with al-Qaeda in 2016." is still
    stated by "HTS, which broke with al-Qaeda in 2016 after years of affiliation, ...".
    A dropped copy of a kept sentence is stated. For speed, the other version's claims
    that both versions have verbatim are indexed only when they share ``SHARED_TOKENS``
    words with one of ``claims``: alone they hold nothing the own version did not also
    say, but they may hold half of a restatement."""
    other_norms = {c.norm for c in other}
    left = [c for c in claims if c.norm not in other_norms]
    if not left or not other:
        return left
    own_norms = {c.norm for c in own}
    words = [content_tokens(c.key) for c in left]
    # a speaker's name held by another sentence resolves the pronoun of one that quotes
    # him ("Peskov said he ..." / "Peskov told reporters ... | He said he ...")
    speakers = {w for c in left if c.attribution for w in c.attribution.lower().split()}
    useful = [
        c for c in other
        if c.norm not in own_norms
        or any(len(w & content_tokens(c.key)) >= SHARED_TOKENS for w in words)
        or not speakers.isdisjoint(content_tokens(c.key))
    ]
    # cheap screen first: a claim most of whose concepts the other version never uses is
    # not stated there (the checks below need far more than this share)
    theirs = frozenset().union(*(concept_set(c.key) for c in useful))
    maybe = [c for c in left if _share(concept_set(c.key), theirs) >= SCREEN_SHARE]
    if not maybe:
        return left
    index = BaselineIndex(BaselineClaim(c, "other version") for c in useful)
    held = {id(c) for c in maybe if check_baseline(c, index).kind is None}
    return [c for c in left if id(c) not in held]


def _gone(before: Sequence[Claim], left: Sequence[Claim]) -> list[Claim]:
    kept = {id(c) for c in left}
    return [c for c in before if id(c) not in kept]


def _unrestated(
    claims: Sequence[Claim], version: Sequence[Claim], restatements: Sequence[Claim]
) -> list[Claim]:
    """The ``claims`` (of ``version``) that none of ``restatements`` (claims of the other
    version found to be stated by ``version``) needs in order to be held: "Peskov said he
    had nothing further to add on where Assad was" is held by "He said he had nothing to
    add about Assad's location" (with "Peskov told reporters ..."), and not without it, so
    that sentence is not retracted either."""
    if not claims or not restatements:
        return list(claims)
    out = []
    for c in claims:
        mine = content_tokens(c.key)
        for r in restatements:
            theirs = content_tokens(r.key)
            shared = len(mine & theirs)
            # the restatement says all of it but one word ("location" / "where he was"),
            # and no number or date of it is left out: the rest is wording, not a
            # statement of its own
            if (
                shared < SHARED_TOKENS
                or len(mine) - shared > 1
                or not set(c.numbers + c.dates) <= set(r.numbers + r.dates)
            ):
                continue
            near = [
                x for x in version if x is not c and not theirs.isdisjoint(content_tokens(x.key))
            ]
            with_c = BaselineIndex(BaselineClaim(x, "other version") for x in (*near, c))
            without = BaselineIndex(BaselineClaim(x, "other version") for x in near)
            if check_baseline(r, with_c).kind is None and (
                not near or check_baseline(r, without).kind is not None
            ):
                break
        else:
            out.append(c)
    return out


def _share(mine: frozenset[str], theirs: frozenset[str]) -> float:
    return len(mine & theirs) / len(mine) if mine else 1.0


MAX_QUOTE = 4  # sentences of one quotation reported as one claim


def _quotes(claims: Sequence[Claim]) -> list[list[Claim]]:
    """``claims`` (in reading order) in runs: the sentences of one quotation that spans
    sentences, from the one that opens it to the one that closes it with its speech tag
    ('"I left Homs in 2012 with two children. | Now I am going back with five," said
    Fatima.'), at consecutive positions, form one run; every other claim is a run of its
    own. A run is one statement of its speaker, reported once."""
    runs: list[list[Claim]] = []
    i = 0
    while i < len(claims):
        run = [claims[i]]
        if quote_open(claims[i].text) == 1:
            j = i + 1
            while (
                j < len(claims)
                and j - i < MAX_QUOTE
                and claims[j].position == claims[j - 1].position + 1
            ):
                state = quote_open(claims[j].text)
                if state == 1:
                    break
                if state == -1:
                    run = list(claims[i : j + 1])
                    break
                j += 1
        runs.append(run)
        i += len(run)
    return runs


def _joined(run: Sequence[Claim]) -> Claim:
    """One claim for the sentences of a run (its first claim when it has one)."""
    if len(run) == 1:
        return run[0]
    return replace(run[0], text=" ".join(c.text for c in run))


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
        kept: dict[int, int] = {}  # positions of the claims kept, previous -> current
        for c in current:
            same = pool.get(c.norm)
            if same:
                kept[same.pop(0).position] = c.position
            else:
                leftover_cur.append(c)
        leftover_prev = sorted((p for ps in pool.values() for p in ps), key=lambda p: p.position)
        paired: set[int] = set()
        for group in align(leftover_prev, leftover_cur):
            paired.update(id(c) for c in (*group.old, *group.new))
            for i, o in enumerate(group.old):
                kept[o.position] = group.new[min(i, len(group.new) - 1)].position
            found = _classify(group, now, previous, current, baseline)
            if found is not None:
                emit(found[0].position, found[1])
        leftover_cur = [c for c in leftover_cur if id(c) not in paired]
        leftover_prev = [p for p in leftover_prev if id(p) not in paired]
        # a copy edit in the same place, with the same details, is no change
        for p, c in same_slot_paraphrases(previous, current, leftover_prev, leftover_cur, kept):
            paired.update((id(p), id(c)))
        leftover_cur = [c for c in leftover_cur if id(c) not in paired]
        leftover_prev = [p for p in leftover_prev if id(p) not in paired]
        # ... and so is one moved into another paragraph and reworded there
        for p, c in moved_paraphrases(previous, current, leftover_prev, leftover_cur):
            paired.update((id(p), id(c)))
        leftover_cur = [c for c in leftover_cur if id(c) not in paired]
        leftover_prev = [p for p in leftover_prev if id(p) not in paired]
        # a statement moved into another sentence, or reworded in another place, is still
        # stated by the other version: neither retracted nor new
        left_prev = _not_stated(leftover_prev, previous, current)
        left_cur = _not_stated(leftover_cur, current, previous)
        # a restatement holds both ways: a sentence that a restatement needs is not
        # retracted (or new) because it has more words than the restatement uses
        held_prev, held_cur = _gone(leftover_prev, left_prev), _gone(leftover_cur, left_cur)
        leftover_prev = _unrestated(left_prev, previous, held_cur)
        leftover_cur = _unrestated(left_cur, current, held_prev)

    for run in _quotes(leftover_cur):
        verdicts = [check_baseline(c, baseline) for c in run]
        if previous is None:
            # an article seen for the first time frames the story in its own words: only
            # a new statement with something to check in it is news
            verdicts = [
                HELD if v.kind is ChangeType.NEW and framing(c, baseline) else v
                for c, v in zip(run, verdicts, strict=True)
            ]
        if len(run) > 1 and all(v.kind is ChangeType.NEW for v in verdicts):
            # a new quotation is one new statement
            emit(run[0].position, _change(ChangeType.NEW, _joined(run), now))
            continue
        for c, verdict in zip(run, verdicts, strict=True):
            if verdict.kind is not None:
                details = {"changed": verdict.changed} if verdict.changed else None
                emit(
                    c.position,
                    _change(verdict.kind, c, now, baseline=verdict.baseline, details=details),
                )
    for run in _quotes(leftover_prev):
        emit(run[0].position, _change(ChangeType.RETRACTED, _joined(run), now))
    out.sort(key=lambda t: t[:3])
    return [t[3] for t in out]
