"""Containment: does a baseline claim state what a (shorter, reworded) claim states?

``contained`` looks for a candidate baseline claim that holds at least ``CONTAINMENT`` of
the claim's concept stems (``monitor.lexicon``; the reporting frame, polarity cues,
sentence adverbs and hedges dropped) and names every name of it at least by its last word
(a capital may stand for its country; "the capital" for a capital city; a compound in
one word or two). Polarity is compared in scope, on the smallest window of the baseline
claim covering the shared stems against the claim's own window of them (each begun where
a negator before it still governs it, ``scope_start``), and details only against that
window (numbers and dates on a window widened by the claim's own lead and tail): flipped
-> contradicted; agreeing -> held (a shortened / reworded baseline claim); replaced
details -> updated. A claim's states ("left", "confirmed", "alive") must be asserted by
the container too, or stated with a word of the same lexicon class ("supported" /
"received support"). Pure.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from itertools import pairwise

from monitor.align import claim_stems
from monitor.claims import polarity_cues
from monitor.compare import detail_changes, norms_flipped, source_replaced, source_words
from monitor.fields import DEMONYM_ENDINGS, TITLE_WORDS, frame_words, speaker_resumed
from monitor.lexicon import (
    CAPITALS,
    FRAME,
    concept_stems,
    content_stems,
    implied_stems,
    joined_stems,
    stem,
)
from monitor.models import BaselineClaim, ChangeType, Claim
from monitor.polarity import NEGATING_WORDS, NEGATORS
from monitor.stopwords import DISCOURSE_WORDS, STOPWORDS

__all__ = [
    "CONTAINMENT",
    "CONTAIN_LIMIT",
    "CONTAIN_MIN_STEMS",
    "HELD",
    "Verdict",
    "contain_stems",
    "contained",
    "date_qualifiers",
    "names_found",
    "reporting_frame",
    "restrict",
    "said_as_noun",
    "scope_start",
    "state_agreement",
    "window",
]

CONTAIN_LIMIT = 32  # baseline candidates checked for containment
CONTAINMENT = 0.8  # share of the claim's content stems found in a baseline claim
CONTAIN_MIN_STEMS = 3  # claims with fewer content stems (source words not counted) are
# too unspecific for containment matching; the polarity cues count here, not in matching
CONTAIN_LOOSE_STEMS = 4  # below this, the covering window must be tight (no inserts)
CONTAIN_TIGHT_SLACK = 3  # ... at most this many tokens longer than the claim
NEGATING_REACH = 3  # tokens after a window in which a negating word ("pending") joins it


@dataclass(frozen=True)
class Verdict:
    """The outcome for one claim: ``kind`` None means the baseline holds it."""

    kind: ChangeType | None
    baseline: BaselineClaim | None = None
    changed: list[dict] = field(default_factory=list)


HELD = Verdict(None)  # the baseline holds the claim


# Small on purpose: what a cache holds at its peak stays in the service's RSS for good.
@lru_cache(maxsize=512)
def contain_stems(claim: Claim) -> frozenset[str]:
    """The stems containment looks for: content words, minus polarity cues, the source
    and the rest of the reporting frame ("told the TASS news agency", "wrote on
    Telegram"), sentence adverbs ("nevertheless", "meanwhile") and framing words
    ("insisted", "is believed to"). Cached: a claim is compared with many candidates."""
    # a negator that negates nothing ("not only", "it is not clear whether") is no
    # content either
    drop = (
        polarity_cues(claim.norm).cue_words
        | reporting_frame(claim)
        | DISCOURSE_WORDS
        | NEGATORS
        | date_qualifiers(claim.key)
        | _discourse_phrases(claim.key)
        | _opening_adverb(claim)
    )
    return frozenset(claim_stems(claim, drop) - {FRAME})


# Words that place a time within a date ("late on Sunday", "early in December", "mid
# December"): part of the when, which is compared as a date, not content to be found
_DATE_QUALIFIERS = frozenset({"late", "early", "mid"})
_DATE_LINKS = frozenset({"on", "in", "last", "this", "next", "the"})


# Two-word sentence adverbs ("at first" as "initially"): their second word states nothing
_DISCOURSE_PHRASES = frozenset({("at", "first"), ("at", "last"), ("so", "far"), ("for", "now")})


def _discourse_phrases(key: str) -> set[str]:
    toks = key.split()
    return {b for a, b in pairwise(toks) if (a, b) in _DISCOURSE_PHRASES}


_OPENER = re.compile(r"\s*([A-Z][a-z]+),\s")


def _opening_adverb(claim: Claim) -> set[str]:
    """A word set off by a comma at the start of the sentence that names nothing ("Still,
    the group's past ...", "Separately, ..."): a sentence adverb, not content."""
    m = _OPENER.match(claim.text)
    if m is None or any(m.group(1) in e.split() for e in claim.entities):
        return set()
    return {m.group(1).lower()}


def date_qualifiers(key: str) -> set[str]:
    """The words of ``key`` that qualify a date after them (``@`` masks a date in a key,
    "late on @"), as they are written."""
    toks = key.split()
    out: set[str] = set()
    for i, tok in enumerate(toks):
        if tok not in _DATE_QUALIFIERS:
            continue
        j = i + 1
        while j < len(toks) and toks[j] in _DATE_LINKS:
            j += 1
        if j < len(toks) and toks[j] == "@":
            out.add(tok)
    return out


def reporting_frame(claim: Claim) -> set[str]:
    """Lowercase words of who states ``claim`` and how (``source_words`` and
    ``frame_words``); the source is left out when a pronoun takes it up as the subject
    of the statement ("Turkey denied that it had backed ..."), and so is a word of it
    that the sentence writes twice."""
    frame = set(frame_words(claim.text))
    if not speaker_resumed(claim.text):
        frame |= _source_only(claim)
    return frame


def _source_only(claim: Claim) -> set[str]:
    """The words of the claim's source, but one written again, which is part of the
    statement too ("Russia's foreign ministry said that Russia took part ...")."""
    toks = claim.norm.split()
    return {w for w in source_words(claim) if toks.count(w) < 2}


def window(seq: Sequence[str], targets: Collection[str]) -> tuple[int, int]:
    """The smallest ``(start, end)`` slice of ``seq`` holding every item of ``targets``
    that occurs in it (sliding window); ``(0, len(seq))`` when none does."""
    need = len(set(targets).intersection(seq))
    have: dict[str, int] = {}
    best: tuple[int, int] = (0, len(seq))
    lo = 0
    for hi, st in enumerate(seq):
        if st in targets:
            have[st] = have.get(st, 0) + 1
        while need and len(have) == need:
            if hi - lo < best[1] - best[0]:
                best = (lo, hi + 1)
            left = seq[lo]
            if left in have:
                have[left] -= 1
                if not have[left]:
                    del have[left]
            lo += 1
    return best


_CAPITAL_OF = {country: capital for capital, country in CAPITALS.items()}


def names_found(claim: Claim, other_stems: set[str]) -> bool:
    """Every name of ``claim`` (besides its source and reporting frame) is named in the
    other claim, at least by its last word: "Jalali and his family were granted asylum"
    is not what "Assad and his family were granted asylum" states, though most of its
    words are there."""
    frame = reporting_frame(claim)
    for ent in claim.entities:
        words = [w for w in re.split(r"[\s'-]+", ent.lower()) if w and w not in frame]
        words = [w for w in words if w not in TITLE_WORDS and w not in STOPWORDS]
        # a nationality adjective ("Syrian", "Lebanese") may be left out in a restatement
        if not words or (len(words) == 1 and words[0].endswith(DEMONYM_ENDINGS)):
            continue
        head = words[-1]
        # a capital for its country and back ("Moscow has backed ..." / "Russia ...")
        alt = CAPITALS.get(head) or _CAPITAL_OF.get(head)
        if stem(head) not in other_stems and (alt is None or stem(alt) not in other_stems):
            return False
    return True


def _contained_span(claim: Claim, other: Claim) -> tuple[str, str, str] | None:
    """The part of ``other`` that states ``claim``, if ``other`` contains it, and the part
    of ``claim`` compared with it.

    ``claim``'s content stems (stopwords, polarity cues and the words of its source
    dropped) must be found in ``other`` at ``CONTAINMENT`` or more. Returns two windows
    of ``other``'s normalised tokens: the smallest one covering the shared stems (and the
    two tokens before it), where polarity is judged in scope (a negation in another clause
    of ``other`` is ignored) and names are compared; and that window widened by as many
    tokens as ``claim`` has before and after its shared stems, where numbers and dates are
    compared ("On November 27, the HTS alliance launched ..." dates it before the stems).
    """
    mine = contain_stems(claim)
    if len(claim_stems(claim, _source_only(claim))) < CONTAIN_MIN_STEMS:
        return None
    toks = other.norm.split()
    keys = other.key.split()
    other_stems = concept_stems(keys if len(keys) == len(toks) else toks)
    shared = mine.intersection(other_stems) | (mine & implied_stems(toks))
    if len(shared) < CONTAINMENT * len(mine):
        shared |= mine & joined_stems(claim.key.split(), toks)  # "air base" / "airbase"
    if len(shared) < CONTAINMENT * len(mine):
        return None
    if not names_found(claim, set(other_stems)):
        return None
    start, end = window(other_stems, shared)
    tight = len(claim.norm.split()) + CONTAIN_TIGHT_SLACK
    if len(mine) < CONTAIN_LOOSE_STEMS and end - start > tight:
        return None
    claim_keys = claim.key.split()
    mine_at = [i for i, st in enumerate(content_stems(claim_keys)) if st in shared]
    lead, tail = mine_at[0], len(claim_keys) - 1 - mine_at[-1]
    details = " ".join(toks[max(0, start - lead - 1) : end + tail + 1])
    # a word that negates the window's statement right after it ("independent
    # verification | remains pending") is in its scope
    after = toks[end : end + NEGATING_REACH]
    for k, tok in enumerate(after):
        if tok in NEGATING_WORDS:
            end += k + 1
            break
    return " ".join(toks[scope_start(toks, start) : end]), details, _claim_window(claim, mine_at)


def scope_start(toks: Sequence[str], start: int) -> int:
    """Where a window starting at ``start`` begins with the words that belong to it: the
    two tokens before it ("did not confirm"), and back to a negator before them when only
    function and framing words stand between ("no evidence that | Assad fled"); a negator
    of another content word stays out ("no means of | escape")."""
    first = max(0, start - 2)
    j = start - 1
    while j >= 0 and (
        toks[j] in STOPWORDS
        or toks[j] in NEGATORS
        or toks[j] in DISCOURSE_WORDS
        or stem(toks[j]) == FRAME
    ):
        if toks[j] in NEGATORS:
            first = min(first, j)
        j -= 1
    return first


def _claim_window(claim: Claim, mine_at: list[int]) -> str:
    """The part of ``claim`` that the container's window is judged against: its shared
    stems and its polarity cues, begun as on the other side (a negator of another word
    before both windows, "with no way | to escape" / "with no means | of escape", is left
    out of both)."""
    toks = claim.norm.split()
    cues = polarity_cues(claim.norm).cue_words - NEGATORS
    at = mine_at + [i for i, t in enumerate(toks) if t in cues]
    return " ".join(toks[scope_start(toks, min(at)) : max(at) + 1])


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


def state_agreement(claim: Claim, other: str) -> int:
    """Whether ``other`` (the part of a baseline claim that states ``claim``, normalised)
    asserts the states ``claim`` asserts (left, confirmed, alive...).

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
    theirs = {"truth": 1} | polarity_cues(other).effective()
    if any(theirs.get(concept) == -sign for concept, sign in mine.items()):
        return -1
    missing = [concept for concept in mine if concept not in theirs]
    return 1 if not missing or said_as_noun(claim, missing, other) else 0


def said_as_noun(claim: Claim, concepts: list[str], other: str) -> bool:
    """Each of ``concepts`` is stated in ``other`` by a word of the same lexicon class as
    the claim's cue, in a form the polarity lexicon does not list ("supported by the
    United States" / "received support from the United States")."""
    their_stems = set(concept_stems(other.split()))
    cues = polarity_cues(claim.norm).cue_words
    for concept in concepts:
        words = [w for w in cues if any(c == concept for c, _ in polarity_cues(w).concepts)]
        if not any(stem(w).isupper() and stem(w) in their_stems for w in words):
            return False
    return True


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
        span, detail_span, own = spans
        if norms_flipped(own, span):
            flipped = flipped or bc
            continue
        # judged where the baseline claim states it: "no official confirmation" in
        # another clause does not deny what this one reports; a state the window lacks
        # may stand elsewhere in the claim ("... in 2011, with backing from Russia")
        state = state_agreement(claim, detail_span) or max(
            0, state_agreement(claim, bc.claim.norm)
        )
        if state < 0:
            flipped = flipped or bc
            continue
        if state == 0:
            continue  # the baseline names the same things but does not say this of them
        restricted = restrict(bc.claim, span, like=claim, wide=detail_span)
        changed = detail_changes(restricted, claim, replace_only=True)
        # the source is the whole baseline claim's, wherever it stands
        changed += source_replaced(bc.claim, claim, changed)
        if not changed:
            return HELD
        updated = updated or Verdict(ChangeType.UPDATED, bc, changed)
    if flipped is not None:
        return Verdict(ChangeType.CONTRADICTED, flipped)
    return updated
