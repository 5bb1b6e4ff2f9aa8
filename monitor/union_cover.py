"""Union cover: a sentence that restates facts of a few baseline claims in its own words.

A first-sight article often writes one sentence from two or three baseline sentences,
interleaved rather than clause by clause ("Russia and Iran backed Assad throughout the
civil war, which broke out in 2011" from "... the outbreak of the civil war in 2011, with
backing from Russia and Iran" and "... support for Assad throughout the civil war").
``union_cover`` holds such a sentence when, on concept stems (``monitor.lexicon``):

- one baseline claim (the primary) holds at least ``UNION_PRIMARY`` of its content stems,
  and at most ``UNION_MAX`` claims in all (one more per ``UNION_STEMS_PER_CLAIM`` stems of
  a long sentence), each sharing at least ``UNION_SHARED`` stems with it, one of them
  not a name or title (or asserting one of its states alike), hold at least
  ``CONTAINMENT`` of them; the claims are chosen for the names first, then for the
  numbers and dates, then for the other stems, one that agrees before one that says the
  opposite;
- every detail is found in those claims: each word of each name, each number, each date;
  and no claim has another name in the place of one of the sentence's ("officials said
  the terminal in Dover ..." against "... the terminal in Calais ..."; ``detail_changes``
  on the part of the claim that holds the shared stems);
- nothing is flipped: in each claim, the words it shares with the sentence are judged
  against the sentence's own words in scope (``norms_flipped`` on the two windows), every
  negator of the sentence lies in such a window, and each state the sentence asserts
  ("left", "confirmed", "alive") is asserted by one of the claims with the same sign (or
  with a word of the same lexicon class: "supported" / "received support").
  A claim that says the opposite of a main part of the sentence (``UNION_PRIMARY`` of its
  stems, at least ``UNION_CONTRADICTS``) makes the cover a contradiction; one that says
  the opposite of a smaller part leaves the sentence undecided (None).

A detail that no baseline claim has (a new name, number or date), or content words that no
few claims share, leave the sentence to the later steps (it is new). Pure.
"""

from __future__ import annotations

from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from monitor.claims import entity_words, polarity_cues
from monitor.compare import detail_changes, norms_flipped, same_date
from monitor.containment import (
    CONTAINMENT,
    HELD,
    Verdict,
    contain_stems,
    reporting_frame,
    restrict,
    said_as_noun,
    scope_start,
    window,
)
from monitor.fields import TITLE_WORDS
from monitor.lexicon import concept_stems, implied_stems, joined_stems, stems
from monitor.models import BaselineClaim, ChangeType, Claim
from monitor.polarity import NEGATORS

__all__ = [
    "UNION_CONTRADICTS",
    "UNION_MAX",
    "UNION_MIN_STEMS",
    "UNION_PRIMARY",
    "UNION_SHARED",
    "UNION_STEMS_PER_CLAIM",
    "union_cover",
]

UNION_MAX = 3  # baseline claims one sentence may draw on ...
UNION_STEMS_PER_CLAIM = 4  # ... or one per this many of its content stems, if more
UNION_PRIMARY = 0.5  # share of the sentence's content stems the primary claim holds
UNION_SHARED = 2  # stems every contributing claim shares with the sentence
UNION_MIN_STEMS = 4  # sentences with fewer content stems are too unspecific for this
UNION_CONTRADICTS = 3  # a claim of the cover saying the opposite shares at least this many
_TITLE_STEMS = stems(TITLE_WORDS)
_NAME_AFTER = 2  # tokens after a window where a name of its statement may stand ("of X")


@dataclass(frozen=True)
class _Support:
    """One baseline claim usable in a cover: the sentence stems it holds, the span of the
    sentence they lie in, the states of that span it asserts alike, and whether it says
    the opposite of that span."""

    shared: frozenset[str]
    predicate: int  # shared stems that are not names or titles, and agreed states
    span: tuple[int, int]
    agreed: frozenset[str]
    flipped: bool
    baseline: BaselineClaim
    window: str  # the part of the baseline claim that holds the shared stems
    named_window: str  # ... and the two tokens after it, where a name of it may stand


def _support(
    claim: Claim,
    claim_stems: list[str],
    mine: AbstractSet[str],
    names: AbstractSet[str],
    bc: BaselineClaim,
) -> _Support | None:
    """``bc`` as a contributor to a cover of ``claim``; None if it shares too little."""
    other = bc.claim
    toks = other.norm.split()
    keys = other.key.split()
    other_stems = concept_stems(keys if len(keys) == len(toks) else toks)
    shared = (mine & set(other_stems)) | (mine & implied_stems(toks))
    shared |= mine & joined_stems(claim.key.split(), toks)  # "air base" / "airbase"
    if len(shared) < UNION_SHARED:
        return None
    lo, hi = window(other_stems, shared)
    c_lo, c_hi = window(claim_stems, shared)
    # a negator or auxiliary just before a window belongs to it ("did not confirm")
    mine_toks = claim.norm.split()
    c_lo = scope_start(mine_toks, c_lo)
    mine_window = " ".join(mine_toks[c_lo:c_hi])
    their_window = " ".join(toks[scope_start(toks, lo) : hi])
    states = polarity_cues(mine_window).effective()
    theirs = {"truth": 1} | polarity_cues(their_window).effective()  # see ``_opposite``
    flipped = _opposite(mine_window, their_window) and _flipped_where_said(
        claim_stems, mine_toks, their_window, shared - names
    )
    agreed = frozenset(
        c
        for c, sign in states.items()
        if theirs.get(c) == sign or (c not in theirs and said_as_noun(claim, [c], their_window))
    )
    # what it states besides names: other shared words, and the states it asserts alike
    # ("... confirmed that Assad fled Syria on December 8" states the flight)
    predicate = len(shared - names - _TITLE_STEMS) + len(agreed)
    # the name a window ends before ("... west of the city | of Homs") is its place
    named_window = " ".join(toks[scope_start(toks, lo) : hi + _NAME_AFTER])
    return _Support(
        frozenset(shared), predicate, (c_lo, c_hi), agreed, flipped, bc, their_window,
        named_window,
    )


def _opposite(mine: str, theirs: str) -> bool:
    """Window ``mine`` of the sentence says the opposite of window ``theirs`` of a baseline
    claim: polarity flipped, or a state of it asserted the other way there (a flat
    statement asserts itself: "X denied that P" says the opposite of "P")."""
    asserted = {"truth": 1} | polarity_cues(theirs).effective()
    return norms_flipped(mine, theirs) or any(
        asserted.get(concept) == -sign for concept, sign in polarity_cues(mine).effective().items()
    )


def _flipped_where_said(
    claim_stems: list[str], mine_toks: list[str], their_window: str, said: AbstractSet[str]
) -> bool:
    """The sentence's window of the shared words that are not names still says the
    opposite of the other claim's window: a shared name only stretches it over clauses
    the other claim does not state ("Bashar al-Assad has said he had no intention of
    leaving Syria, in a statement on the presidency's channel" against "the statement,
    which appeared on the channel, ... Assad's actions")."""
    if len(said) < UNION_SHARED:
        return True
    c_lo, c_hi = window(claim_stems, said)
    return _opposite(" ".join(mine_toks[scope_start(mine_toks, c_lo) : c_hi]), their_window)


def _answered(support: _Support, chosen: Sequence[_Support], claim: Claim) -> bool:
    """The support's flip comes from negators of the sentence that another chosen claim
    states alike, negation and all: read without them, its window agrees ("... he decided
    to leave the presidential post," the ministry said, adding that Russia had not taken
    part in the talks" with "Russia did not participate in these negotiations")."""
    toks = claim.norm.split()
    lo, hi = support.span
    negators = [i for i in range(lo, hi) if toks[i] in NEGATORS]
    if not negators:
        return False
    for i in negators:
        if not any(
            other is not support
            and not other.flipped
            and other.span[0] <= i < other.span[1]
            and polarity_cues(other.window).negators
            for other in chosen
        ):
            return False
    rest = " ".join(t for i, t in enumerate(toks[lo:hi], lo) if i not in negators)
    return not _opposite(rest, support.window)


def _renamed(support: _Support, claim: Claim) -> bool:
    """The part of the baseline claim that holds the shared stems has another name in
    the place of one of the sentence's: "officials said the terminal in Dover ..." is
    not held by "officials said the terminal in Calais ..."; the name may stand right after
    the shared words ("a U-turn west of the city | of Homs"). Numbers and dates are checked
    by ``_details_found`` (the window may hold those of another fact)."""
    restricted = restrict(support.baseline.claim, support.named_window)
    return any(
        change["kind"] == "entity"
        for change in detail_changes(restricted, claim, replace_only=True)
    )


def _missing_details(
    claim: Claim, chosen: Sequence[_Support], of: Sequence[str] | None = None
) -> list[str]:
    """The numbers and dates of ``claim`` (or those in ``of``) that none of the chosen
    claims has (a date written more or less fully counts)."""
    numbers = {n for s in chosen for n in s.baseline.claim.numbers}
    dates = {d for s in chosen for d in s.baseline.claim.dates}
    wanted = [*claim.numbers, *claim.dates] if of is None else of
    return [
        v
        for v in wanted
        if v not in numbers and v not in dates and not any(same_date(v, o) for o in dates)
    ]


def _polarity_kept(claim: Claim, chosen: Sequence[_Support]) -> bool:
    """Every negator of ``claim`` is inside the span of a chosen claim (whose window was
    compared with it), and every state ``claim`` asserts is asserted alike by one."""
    toks = claim.norm.split()
    for i, tok in enumerate(toks):
        if tok in NEGATORS and not any(s.span[0] <= i < s.span[1] for s in chosen):
            return False
    agreed = {c for s in chosen for c in s.agreed}
    return all(c in agreed for c in polarity_cues(claim.norm).effective())


def union_cover(claim: Claim, cands: Sequence[tuple[BaselineClaim, float]]) -> Verdict | None:
    """``HELD`` when a few of the candidate baseline claims together state ``claim`` (see
    the module docstring); contradicted when such a cover has a claim that says the
    opposite of its part of the sentence; None when there is no cover."""
    mine = contain_stems(claim)
    if len(mine) < UNION_MIN_STEMS:
        return None
    names = stems(entity_words(claim.entities) - reporting_frame(claim)) & mine
    claim_stems = concept_stems(claim.key.split())
    supports = [
        s
        for bc, _ in cands
        if (s := _support(claim, claim_stems, mine, names, bc)) is not None
        and s.predicate >= 1
    ]
    if not supports:
        return None
    primary = max(supports, key=lambda s: (len(s.shared), not s.flipped))
    if len(primary.shared) < UNION_PRIMARY * len(mine) or _renamed(primary, claim):
        return None
    chosen = [primary]
    covered = set(primary.shared)
    missing = _missing_details(claim, chosen)
    limit = max(UNION_MAX, -(-len(mine) // UNION_STEMS_PER_CLAIM))
    rest = [s for s in supports if s is not primary]

    def gain(s: _Support) -> tuple[int, int, int, bool, int]:
        # names first: each of their words must be found; then the numbers and dates,
        # then the other stems; a claim that agrees before one that says the opposite
        new = s.shared - covered
        found = len(missing) - len(_missing_details(claim, [s], missing))
        return len(new & names), found, len(new), not s.flipped, len(s.shared)

    while len(chosen) < limit and not (names <= covered and len(covered) == len(mine)
                                       and not missing):  # fmt: skip
        rest.sort(key=gain)
        while rest and any(gain(rest[-1])[:3]) and _renamed(rest[-1], claim):
            rest.pop()
        if not rest or not any(gain(rest[-1])[:3]):
            break
        best = rest.pop()
        chosen.append(best)
        covered |= best.shared
        missing = _missing_details(claim, [best], missing)
    if not names <= covered or len(covered) < CONTAINMENT * len(mine):
        return None
    if missing:
        return None
    # a claim that says the opposite of a main part of the sentence makes it a
    # contradiction; of a smaller part, the cover is in doubt (its window of the
    # sentence is too loose to judge)
    major = max(UNION_CONTRADICTS, UNION_PRIMARY * len(mine))
    flipped = [s for s in chosen if s.flipped and not _answered(s, chosen, claim)]
    strong = next((s.baseline for s in flipped if len(s.shared) >= major), None)
    if strong is not None:
        return Verdict(ChangeType.CONTRADICTED, strong)
    if flipped:
        return None
    return HELD if _polarity_kept(claim, chosen) else None
