"""Loose restatement: a sentence another outlet wrote from one or two baseline claims.

The last step of ``monitor.baseline_check``, for a claim every stricter step found new.
Outlets restate a known fact in their own words ("The Kremlin also said Assad had
negotiated a peaceful transfer of power shortly before he left" for "... claimed that
shortly before his departure, Assad had negotiated ..."), and a word or two then has no
counterpart the lexicon knows ("left" / "departure", "reach" / "contact"). Such a
sentence adds nothing when all of this holds:

- it has ``RESTATE_MIN_STEMS`` content stems or more (a short sentence is too unspecific
  to be judged loosely), and the closest ``RESTATE_CANDIDATES`` baseline claims (with up
  to ``RESTATE_FILL`` more that hold what those leave out: a short quote) hold
  ``RESTATE_SHARE`` of them, all but ``RESTATE_MAX_MISSING`` at most; two of those
  claims hold ``RESTATE_PAIR_SHARE`` (a restatement, not words gathered from many);
- every name, number and date of it is in those claims (the words left over are
  ordinary words: a new name, figure or date is news);
- the closest claim does not say the opposite (polarity; a negation the other claim of
  the pair carries agrees), and one of the closest asserts
  the states it asserts ("left", "confirmed", "alive": ``state_agreement``);
- its less common names (named by fewer than ``TOPIC_SHARE`` of the baseline's claims,
  unlike the story's own subjects) stand in one of those claims together with
  ``PREDICATE_SHARE`` of what the sentence says about them (or in either of the two
  claims that hold that share between them, each with part of it), so that a known predicate
  moved to another known name ("Jalali and his family have arrived in Moscow", from
  "Assad and his family have arrived in Moscow") stays new.

Pure; the thresholds were set on the held-out sets after they had been measured blind.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from itertools import combinations

from monitor.baseline import BaselineIndex
from monitor.claims import polarity_cues
from monitor.compare import detail_changes, norms_flipped
from monitor.containment import HELD, Verdict, contain_stems, reporting_frame, state_agreement
from monitor.fields import TITLE_WORDS, entity_words
from monitor.lexicon import concept_stems, implied_stems, joined_stems, stem
from monitor.models import BaselineClaim, ChangeType, Claim
from monitor.names import acronym_of_any
from monitor.polarity import NEGATORS, clauses
from monitor.stopwords import STOPWORDS, wordset

__all__ = [
    "by_acronym", "framing", "held_stems", "predicate", "rare_held", "report_dates",
    "restated",
]

RESTATE_MIN_STEMS = 4
RESTATE_CANDIDATES = 8
RESTATE_SHARE = 0.65
RESTATE_PAIR_SHARE = 0.55
RESTATE_MAX_MISSING = 4
RESTATE_FILL = 2  # candidates added for what the closest ones leave out
RESTATE_FILL_GAIN = 2  # stems of the sentence such a candidate must add
RESTATE_POOL = 24  # the candidates those are chosen from (the most similar ones)
PREDICATE_SHARE = 0.4
TOPIC_SHARE = 0.08
_PAIR_POOL = 5  # the best-covering candidates tried in pairs

_TITLE_STEMS = frozenset(stem(w) for w in TITLE_WORDS)


def predicate(claim: Claim, names: set[str], frame: set[str]) -> set[str]:
    """What the claim says, as stems: its content words besides names, titles and its
    reporting frame."""
    toks = [t for t in claim.key.split() if t not in STOPWORDS and t not in TITLE_WORDS]
    return set(concept_stems(toks)) - names - frame - _TITLE_STEMS - {""}


def restated(
    claim: Claim, cands: Sequence[tuple[BaselineClaim, float]], baseline: BaselineIndex
) -> Verdict | None:
    """How the claim loosely restates one or two of ``cands`` (the baseline's closest
    claims, best first): held, updated (a place replaced), or None when it does not
    (see the module docstring)."""
    mine = contain_stems(claim)
    if len(mine) < RESTATE_MIN_STEMS:
        return None
    if not cands:
        return None
    pairs, held = _closest(claim, cands, mine)
    top = [bc.claim for bc, _ in pairs]
    found = mine & set().union(*held)
    spelled = by_acronym(claim, top) & mine
    found |= spelled
    missing = mine - found
    if len(found) < RESTATE_SHARE * len(mine) or len(missing) > RESTATE_MAX_MISSING:
        return None
    # best-covering first (stable: ties keep the retrieval order)
    ranked = sorted(range(len(top)), key=lambda i: -len(mine & held[i]))
    frame = {stem(w) for w in reporting_frame(claim)}
    names = {stem(w) for w in entity_words(claim.entities)} - frame
    if missing & names:
        pool = [(pairs[i][0], held[i]) for i in ranked[:_PAIR_POOL]]
        return _moved(claim, pool, mine, missing, names)
    numbers = {n for other in top for n in other.numbers}
    dates = {d for other in top for d in other.dates}
    if not (set(claim.numbers) <= numbers and set(claim.dates) - report_dates(claim) <= dates):
        return None
    # the two claims that hold most of it between them (the best one alone if only one)
    pair = max(
        combinations(ranked[:_PAIR_POOL], 2),
        key=lambda ij: len(mine & (held[ij[0]] | held[ij[1]])),
        default=(ranked[0],),
    )
    if len(mine & set().union(*(held[i] for i in pair))) < RESTATE_PAIR_SHARE * len(mine):
        return None
    if norms_flipped(claim.norm, top[ranked[0]].norm) and not _negation_elsewhere(
        claim, held[ranked[0]], " ".join(top[i].norm for i in pair)
    ):
        return None
    if not _states_held(claim, [top[i] for i in pair]):
        return None
    rare = {n for n in names if baseline.name_share(n) < TOPIC_SHARE}
    if rare and not rare_held(
        rare - spelled, predicate(claim, names, frame), held, [held[i] for i in pair]
    ):
        # a place the baseline names elsewhere, put in the place of the closest claim's
        # ("a U-turn west of the city of Hama" for "... of Homs")
        pool = [(pairs[i][0], held[i]) for i in ranked[:_PAIR_POOL]]
        moved = {n for n in rare & names if n not in held[ranked[0]]}
        return _moved(claim, pool, mine, moved, names) if moved else None
    return HELD


# "reported on Sunday that", "told Leaders Desk on Tuesday", "said late on Monday": when
# the statement was made, not when what it states happened
_REPORT_DATE = re.compile(
    r"\b(?:said|says|reported|reports|told|tells|wrote|writes|stated|added|announced|"
    r"confirmed|insisted|claimed)\b(?: [a-z]+){0,3}? (?:late |early )?on ([a-z0-9-]+)"
    r"(?=\s|$)"
)


def report_dates(claim: Claim) -> set[str]:
    """The claim's dates that say when its source spoke ("the agency reported on Sunday
    that ..."), not when anything it states happened."""
    return {d for d in _REPORT_DATE.findall(claim.norm) if d in claim.dates}


def _negation_elsewhere(claim: Claim, best: AbstractSet[str], pair: str) -> bool:
    """The claim's negation is in a part the best-covering claim does not hold, and the
    pair's other claim supplies it ("Ulyanov wrote that Assad was in Moscow | and that
    Russia does not betray its friends"): none of the words a negator governs are in
    ``best``, and the pair as a whole has the claim's polarity. "Assad had not been
    granted asylum" against "Assad was granted asylum" stays flipped."""
    governed: list[str] = []
    for clause in clauses(claim.norm):
        toks = clause.split()
        at = next((i for i, t in enumerate(toks) if t in NEGATORS), None)
        if at is not None:
            governed += [t for t in toks[at + 1:] if t not in STOPWORDS]
    if not governed or set(concept_stems(governed)) & best:
        return False
    return not norms_flipped(claim.norm, pair)


def held_stems(keys: list[str], other: Claim) -> set[str]:
    """The stems of a claim (whose key is split into ``keys``) that ``other`` holds, as a
    concept, an implied stem ("the capital" for a capital's name) or a compound written
    as two words ("air base" / "airbase")."""
    toks = other.key.split()
    return set(concept_stems(toks)) | implied_stems(toks) | joined_stems(keys, toks)


def _closest(
    claim: Claim, cands: Sequence[tuple[BaselineClaim, float]], mine: AbstractSet[str]
) -> tuple[list[tuple[BaselineClaim, float]], list[set[str]]]:
    """The candidates a restatement is judged on, with the stems each holds: the closest
    ones by similarity, and the few that hold most of what those leave out (a short
    baseline sentence quoted inside a longer one ranks low on similarity: "Russia does not
    betray its friends in difficult situations")."""
    keys = claim.key.split()
    pairs = list(cands[:RESTATE_CANDIDATES])
    held = [held_stems(keys, bc.claim) for bc, _ in pairs]
    rest = [
        (pair, held_stems(keys, pair[0].claim))
        for pair in cands[RESTATE_CANDIDATES:RESTATE_POOL]
    ]
    for _ in range(RESTATE_FILL):
        left = mine - set().union(set(), *held)
        if not rest or not left:
            break
        best = max(range(len(rest)), key=lambda i: len(left & rest[i][1]))
        if len(left & rest[best][1]) < RESTATE_FILL_GAIN:
            break
        pair, stems = rest.pop(best)
        pairs.append(pair)
        held.append(stems)
    return pairs, held


def rare_held(
    rare: set[str],
    predicate: set[str],
    held: Sequence[set[str]],
    pair: Sequence[set[str]],
) -> bool:
    """The claim's less common names stand with what it says about them: in one claim of
    ``held`` together with ``PREDICATE_SHARE`` of the predicate, or in the two claims of
    ``pair`` that hold that share between them, each rare name with half that share of it ("a
    Kremlin source said Russia favoured a political settlement | and wanted UN-mediated
    talks to resume", from two sentences of one quote). A name none of whose claims says
    any of the predicate ("Jalali" for "Jalali and his family arrived in Moscow") is not
    held, nor one whose claim says a word or so of it ("in a meeting with Jolani", whose
    claim has "rebel")."""
    need = PREDICATE_SHARE * len(predicate)
    if any(rare <= h and len(predicate & h) >= need for h in held):
        return True
    if len(pair) < 2 or len(predicate & set().union(*pair)) < need:
        return False
    part = PREDICATE_SHARE / 2 * len(predicate)
    return all(any(name in h and len(predicate & h) >= part for h in pair) for name in rare)


def by_acronym(claim: Claim, top: Sequence[Claim]) -> set[str]:
    """Stems of the claim's names that ``top`` writes as an acronym or in full ("European
    Union" / "EU", "UN" / "United Nations")."""
    theirs = [e for other in top for e in other.entities]
    out: set[str] = set()
    for entity in claim.entities:
        if acronym_of_any(entity, theirs):
            out |= {stem(w) for w in entity_words((entity,))}
    return out


def _states_held(claim: Claim, others: Sequence[Claim]) -> bool:
    """The states the claim asserts (left, confirmed, alive) are asserted by ``others``
    too, between them: "X has left the archives" is not "X inspected the archives". A
    state word written in another form counts ("the fall of Damascus" / "Damascus
    fell"); one said the other way round does not."""
    agreement = state_agreement(claim, " ".join(o.norm for o in others))
    if agreement != 0:
        return agreement > 0
    theirs: set[str] = set()
    for other in others:
        theirs.update(concept_stems(other.key.split()))
    cues = polarity_cues(claim.norm)
    if all(stem(w) in theirs for w in cues.cue_words):
        return True
    # the same cues in other words ("rejected reports ... as false" / "denied reports
    # ... calling them false"): every polar concept with its sign, and a negator if any
    known = [polarity_cues(other.norm) for other in others]
    return (
        bool(cues.concepts)
        and set(cues.concepts) <= {key for p in known for key in p.concepts}
        and (cues.negators == 0 or any(p.negators for p in known))
    )


# A place follows one of these ("a base in Tartus province", "fled to Moscow", "west of
# the city of Homs").
_LOCATIVE = re.compile(
    r"\b(?:in|to|at|near|from|towards|outside|into"
    r"|(?:north|south|east|west)(?:-?(?:east|west))?\s+of"  # "west of Homs"
    r"|(?:city|town|village|port|province|region|district|governorate)\s+of)"  # "city of X"
    r"\s+(?:the\s+)?$",
    re.I,
)


def _moved(
    claim: Claim,
    pool: Sequence[tuple[BaselineClaim, set[str]]],
    mine: AbstractSet[str],
    missing: AbstractSet[str],
    names: AbstractSet[str],
) -> Verdict | None:
    """The restatement with one place replaced ("a Russian military base in Tartus
    province" for "... in Latakia province"): updated, with the closest claim of ``pool``
    (candidates with their stems, best-covering first) that names
    the other place in the same role (``detail_changes``); None otherwise. Only a place:
    a known statement made of another person ("Jalali and his family have arrived")
    is a new claim."""
    if not missing <= names:
        return None
    places = [e for e in claim.entities if _placed(e, claim.text)]
    moved = [(e, {stem(w) for w in entity_words((e,))}) for e in places]
    moved = [(e, stems) for e, stems in moved if stems & missing]
    if len(moved) != 1 or not moved[0][1] >= missing:
        return None
    place = moved[0][0]
    for bc, stems_held in pool:
        if len(mine & stems_held) < RESTATE_SHARE * (len(mine) - len(missing)):
            continue
        changed = detail_changes(bc.claim, claim, replace_only=True)
        if [c["new"] for c in changed] == [place] and changed[0]["kind"] == "entity":
            return Verdict(ChangeType.UPDATED, bc, changed)
    return None


def _placed(entity: str, text: str) -> bool:
    """``entity`` stands where a place does in ``text`` (after "in", "to", ...)."""
    at = text.find(entity)
    return at > 0 and _LOCATIVE.search(text[:at]) is not None


# words of conjecture: what was rumoured, unclear or open, not what happened
_CONJECTURE = frozenset(
    map(
        stem,
        wordset(
            "rumor speculation speculate theory theories question unclear unknown "
            "uncertain uncertainty mystery confusion doubt appear seem depend"
        ),
    )
)


def framing(claim: Claim, baseline: BaselineIndex) -> bool:
    """The claim frames the story instead of stating a fact an editor could check: it
    signposts ("Here is what we know ...") or speaks of rumour, doubt or open questions
    ("Those theories were eventually put to rest.", "Where Assad had gone was at first
    unclear."), and it gives no number, date or source and names only the story's own
    subjects (each named by at least ``TOPIC_SHARE`` of the baseline's claims). "The new
    authorities have requested the extradition of Assad" states something new. Without a
    baseline there is no story to frame: nothing is framing."""
    if not len(baseline) or claim.numbers or claim.dates or claim.attribution:
        return False
    if not all(
        baseline.name_share(stem(w)) >= TOPIC_SHARE for w in entity_words(claim.entities)
    ):
        return False
    words = claim.key.split()
    return words[:1] == ["here"] or not _CONJECTURE.isdisjoint(map(stem, words))
