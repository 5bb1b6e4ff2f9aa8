"""A confirmation turned: "the Kremlin officially confirmed X" against "no official
confirmation of X has been made"; "the presidency's office confirmed that Assad had left"
against "the office of the Syrian president denied that Assad had left".

A live story's claims are often known before they are confirmed, so a baseline holds both
the claim ("Russian media reported that Assad had been granted asylum") and its status
("though no official confirmation has been made"). An article saying it is now officially
confirmed agrees with the first and contradicts the second; the other checks find the
agreement and call it held. This check runs after them and reports the turned status:

- the claim and a close baseline claim assert opposite confirmation states (the "truth"
  concept of ``monitor.polarity``: confirmed / denied, "no confirmation");
- the two are about the same status: both say "official(ly)" (or "independent(ly)"),
  or neither does and they have the same speaker (the words of their sources overlap in
  ``SPEAKER_OVERLAP`` stems: "the Syrian presidency's office" / "the office of the Syrian
  president");
- they share ``CONTENT_SHARE`` of the content stems of the shorter one (the same
  statement, one of them perhaps with more around it);
- no baseline claim linked to it in the same way asserts the claim's state (the baseline
  already knows both).

Pure.
"""

from __future__ import annotations

from collections.abc import Sequence

from monitor.claims import polarity_cues
from monitor.compare import source_terms
from monitor.containment import contain_stems
from monitor.lexicon import stem
from monitor.models import BaselineClaim, Claim

__all__ = ["turned_confirmation"]

CONTENT_SHARE = 0.5
SPEAKER_OVERLAP = 2
CANDIDATES = 8  # the closest baseline claims looked at
_QUALIFIERS = {
    "official": "official", "officially": "official",
    "independent": "independent", "independently": "independent",
}  # fmt: skip
_TRUTH = "truth"


def _qualifiers(claim: Claim) -> set[str]:
    return {_QUALIFIERS[t] for t in claim.norm.split() if t in _QUALIFIERS}


def _speaker(claim: Claim) -> set[str]:
    return {stem(w) for w in source_terms(claim)}


def _linked(claim: Claim, other: Claim) -> bool:
    """The two speak of the same status: the same qualifier, or, when neither has one,
    the same speaker ("no official confirmation" in a sentence credited to local radio is
    not the radio's own word)."""
    mine, theirs = _qualifiers(claim), _qualifiers(other)
    if mine or theirs:
        return bool(mine & theirs)
    return len(_speaker(claim) & _speaker(other)) >= SPEAKER_OVERLAP


def turned_confirmation(
    claim: Claim, cands: Sequence[tuple[BaselineClaim, float]]
) -> BaselineClaim | None:
    """The baseline claim whose confirmation state ``claim`` turns (see the module
    docstring), or None."""
    state = polarity_cues(claim.norm).effective().get(_TRUTH)
    if state is None:
        return None
    mine = contain_stems(claim)
    if not mine:
        return None
    turned: BaselineClaim | None = None
    for bc, _ in cands[:CANDIDATES]:
        theirs = polarity_cues(bc.claim.norm).effective().get(_TRUTH)
        if theirs is None or not _linked(claim, bc.claim):
            continue
        theirs_stems = contain_stems(bc.claim)
        # either holds most of the other ("confirmed X, a day after Y" / "no confirmation
        # of X")
        if len(mine & theirs_stems) < CONTENT_SHARE * min(len(mine), len(theirs_stems)):
            continue
        if theirs == state:
            return None  # the baseline already says it
        turned = turned or bc
    return turned
