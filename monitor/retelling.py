"""Retelling: a sentence that tells nothing its baseline neighbourhood does not.

The step after ``monitor.restatement`` in ``monitor.baseline_check``, for a claim every
other step found new. Another outlet's retelling often joins three or four baseline
sentences loosely ("The disappearance led to speculation that the plane had crashed or
been shot down, and it fuelled rumours that Assad had been killed" from "suggesting the
plane may have crashed", "speculation that it may have been shot down by rebels" and
"rumors that Assad may have been killed"), so that no one or two of them hold most of
it. What makes a sentence news is something the baseline does not have: a word, a name,
a figure or a date. So a claim is held when all of this holds for its neighbourhood,
the baseline claims retrieved for it (a bounded number, whatever the baseline's size):

- every content stem of it is in a neighbour (as a concept, an implied stem, or a
  compound written as two words), but one in ``UNKNOWN_PER`` (a long sentence may use one
  word of its own; light words such as "make", "go" or "much" need no neighbour), and
  every name, number and date (but the day its source spoke);
- every state it asserts ("left", "killed", "confirmed") is asserted by a neighbour that
  shares its subject matter (``STATE_SHARE`` of the claim's stems), with the same sign;
  a state a modal hedges ("rumours that Assad might have been killed") is asserted by
  nobody: any neighbour with the same sign that shares a stem with it tells it;
- a negation in it is made by a neighbour about the same words ("does not betray its
  friends" for the baseline's "does not betray its friends in difficult situations");
- its names stand with what it says about them (``rare_held``: in one neighbour with
  part of its predicate, or in the two that hold it; or each in a neighbour with part of
  it, those together holding the share), so that a known predicate moved
  to another known name ("Jalali and his family have arrived in Moscow", "workers were
  trapped in Lyon") stays new. Unlike ``monitor.restatement``, which lets the story's
  main subjects off, every name is held this way here: the neighbourhood is wide.

A contradiction or update is found by the stricter steps before this one; this step only
turns "new" into "held". Pure.
"""

from __future__ import annotations

from collections.abc import Sequence

from monitor.claims import polarity_cues
from monitor.containment import HELD, Verdict, contain_stems, reporting_frame
from monitor.fields import entity_words
from monitor.lexicon import concept_stems, content_stems, stem
from monitor.models import BaselineClaim, Claim
from monitor.polarity import NEGATORS
from monitor.restatement import (
    PREDICATE_SHARE,
    by_acronym,
    held_stems,
    predicate,
    rare_held,
    report_dates,
)
from monitor.stopwords import wordset

__all__ = ["NEGATED_REACH", "negated_stems", "retold"]

UNKNOWN_PER = 10  # one word no neighbour has is let pass in a sentence of this many stems
STATE_SHARE = 0.25  # of the claim's stems a neighbour asserting one of its states shares
NEGATED_REACH = 3  # content words after a baseline claim's negator that it may govern


# light verbs and nouns: the words a retelling's grammar needs ("made a U-turn", "where
# he had gone", "for much of the day"), not a thing it tells; and adverbs of degree,
# which weigh what it tells ("stood firmly by Assad")
_LIGHT = frozenset(
    map(
        stem,
        wordset(
            "make made go gone went come came put get got take took give gave know known "
            "day much many way thing time part lot able "
            "firmly strongly fully entirely largely deeply closely heavily greatly"
        ),
    )
)


def negated_stems(claim: Claim, reach: int = 1, *, cues: bool = False) -> set[str]:
    """Stems of the words the claim's negators govern: the first ``reach`` content words
    after each ("had not been granted" -> grant; "at no point did he consider" -> point,
    consider); with ``cues``, after each polarity cue word too ("denied that Assad had
    left" -> assad, left)."""
    toks = claim.key.split()
    governors = set(NEGATORS) | (polarity_cues(claim.norm).cue_words if cues else set())
    stems = content_stems(toks)
    folded = concept_stems(toks)
    out: set[str] = set()
    for i, tok in enumerate(toks):
        if tok not in governors:
            continue
        if 0 < i < len(toks) - 1 and folded[i + 1] == "" and folded[i - 1].isupper():
            # "played no part": the "no" stands inside the two-word verb it negates
            out.add(folded[i - 1])
            continue
        out.update([st for st in stems[i + 1 :] if st][:reach])
    return out


def retold(claim: Claim, cands: Sequence[tuple[BaselineClaim, float]]) -> Verdict | None:
    """``HELD`` when the claim tells nothing its neighbourhood ``cands`` does not (see the
    module docstring); None otherwise."""
    mine = contain_stems(claim)
    if not cands or not mine:
        return None
    others = [bc.claim for bc, _ in cands]
    keys = claim.key.split()
    held = [held_stems(keys, other) for other in others]
    spelled = by_acronym(claim, others)
    frame = {stem(w) for w in reporting_frame(claim)}
    names = {stem(w) for w in entity_words(claim.entities)} - frame
    missing = mine - set().union(*held) - spelled - _LIGHT
    if missing & names or len(missing) > len(mine) // UNKNOWN_PER:
        return None
    if not set(claim.numbers) <= {n for other in others for n in other.numbers}:
        return None
    if not set(claim.dates) - report_dates(claim) <= {d for o in others for d in o.dates}:
        return None
    if not _states_told(claim, mine, others, held):
        return None
    negated = negated_stems(claim)
    if negated and not any(negated <= negated_stems(o, reach=NEGATED_REACH) for o in others):
        return None
    placed = names - spelled
    if placed and not _names_told(placed, predicate(claim, names, frame), held):
        return None
    return HELD


def _states_told(
    claim: Claim, mine: frozenset[str], others: Sequence[Claim], held: Sequence[set[str]]
) -> bool:
    """Each state the claim asserts is asserted, with its sign, by a neighbour that shares
    ``STATE_SHARE`` of its stems: "rebels closed the border" is not told by a neighbour
    about a closed embassy."""
    hedged = _hedged(claim.norm)
    for concept, sign in polarity_cues(claim.norm).effective().items():
        # a hedged state is asserted by nobody: any neighbour that speaks of it so tells it
        need = 1 if concept in hedged else STATE_SHARE * len(mine)
        if not any(
            polarity_cues(other.norm).effective().get(concept) == sign
            and len(mine & stems) >= need
            for other, stems in zip(others, held, strict=True)
        ):
            return False
    return True


_MODALS = wordset("might may could")
MODAL_REACH = 3  # words before a state where a modal hedges it ("might have been killed")


def _hedged(norm: str) -> set[str]:
    """The polar concepts of ``norm`` with a modal just before their word."""
    toks = norm.split()
    return {
        concept
        for i, tok in enumerate(toks)
        if not _MODALS.isdisjoint(toks[max(0, i - MODAL_REACH) : i])
        for concept, _ in polarity_cues(tok).concepts
    }


def _names_told(names: set[str], predicate: set[str], held: Sequence[set[str]]) -> bool:
    """Each name stands with part of what the claim says of it: in one neighbour with
    ``PREDICATE_SHARE`` of the predicate or in the two closest (``rare_held``); or each in
    a neighbour with half that share, those neighbours holding the whole share together
    (a retelling of three sentences: "an aircraft that had left Damascus | made a U-turn
    west of Homs")."""
    if rare_held(names, predicate, held, held[:2]):
        return True
    part = PREDICATE_SHARE / 2 * len(predicate)
    told = [h for h in held if len(predicate & h) >= part]
    if not all(any(name in h for h in told) for name in names):
        return False
    return len(predicate & set().union(*told)) >= PREDICATE_SHARE * len(predicate)
