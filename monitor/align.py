"""Align the claims of two versions of one article: which statements are the same.

``align`` pairs the claims left over after exact matching, best pair first, one to one,
and also merges and splits: two or three neighbouring sentences of one version (at most
``MAX_GAP`` positions apart, so an unchanged quote may stand between them) that together
state what one sentence of the other version states ("X left at dawn. It reached Y by
midday." -> "X left at dawn and reached Y by midday.") form one group. Each claim is in
at most one group. Everything here is pure.

Two sides of a group are the same statement when ``align_score`` is at least
``ALIGN_THRESHOLD``. The score is the best of:

- key similarity (rapidfuzz token_sort_ratio on ``key``: numbers and dates masked; or
  the plain ratio, in word order, so that synonyms swapped in place keep a pair);
- skeleton similarity: content words only, polarity cues dropped, concept-stemmed
  (``monitor.lexicon``), so that "pledged cooperation" aligns with "refused to
  cooperate" (a contradiction, not a retraction plus a new claim);
- frame similarity: every name masked as a whole ("the Organisation for the Safety of
  Air Navigation" is one mask), so that "... met Geir Pedersen in Damascus" aligns with
  "... met Kaja Kallas in Aleppo" (an update). Needs enough words besides the names, or
  an identical frame in about the same place of the article;
- body similarity: the source masked, so that "The Red Crescent said X" aligns with
  "The UN agency said X" (an update of the source).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz

from monitor.baseline import similarity
from monitor.claims import entity_words, make_claim, polarity_cues
from monitor.compare import denial_added, detail_changes, polarity_flipped, source_words
from monitor.lexicon import STEM, content_stems, stems
from monitor.models import Claim
from monitor.stopwords import STOPWORDS

__all__ = [
    "ALIGN_THRESHOLD",
    "STEM",
    "Aligned",
    "align",
    "align_score",
    "claim_stems",
    "combine",
    "same_slot_paraphrases",
    "stems",
]

ALIGN_THRESHOLD = 80.0  # previous vs current version of one article
FRAME_THRESHOLD = 90.0  # names masked, the rest of the sentence this similar: same claim
FRAME_MIN_WORDS = 5  # ... and at least this many content words outside the names
SLOT_DISTANCE = 3  # an identical frame with fewer words must be this close in the article
BODY_THRESHOLD = 85.0  # source and names masked, the rest this similar: same claim
BODY_MIN_WORDS = 2  # ... with at least this many content words besides the source
MAX_RUN = 3  # merges and splits join at most this many adjacent sentences
MAX_GAP = 2  # ... each at most this many positions after the one before it
GROUP_COVER = 0.6  # share of each joined sentence's content stems found on the other side
SLOT_THRESHOLD = 60.0  # skeleton similarity of a copy-edited sentence in the same slot
SLOT_SHARE = 0.5  # ... and share (Dice) of its content stems besides names and source


@dataclass(frozen=True)
class Aligned:
    """One statement in both versions: ``old`` and ``new`` claims (one of them a single
    claim; both single for an ordinary edit), each in reading order."""

    old: tuple[Claim, ...]
    new: tuple[Claim, ...]
    score: float


def claim_stems(claim: Claim, drop: Iterable[str] = ()) -> set[str]:
    """The concept stems (``monitor.lexicon``) of a claim's content words, without the
    tokens in ``drop``."""
    return set(content_stems(claim.key.split(), frozenset(drop))) - {""}


def combine(parts: Sequence[Claim]) -> Claim:
    """One claim for adjacent sentences read as one (a single part is returned as is)."""
    if len(parts) == 1:
        return parts[0]
    return make_claim(" ".join(p.text for p in parts), parts[0].position)


def _skeleton(claim: Claim, drop: Iterable[str] = ()) -> str:
    """Content words without polarity cues (and the words ``drop``), concept-stemmed,
    sorted."""
    cues = polarity_cues(claim.norm).cue_words
    return " ".join(sorted(claim_stems(claim, {*cues, *drop})))


def _masked(claim: Claim, words: set[str], mask: str) -> tuple[str, int]:
    """The key with every name (as a whole: "the Organisation for the Safety of Air
    Navigation" is one) and the tokens in ``words`` replaced by ``mask`` (runs collapsed),
    and its number of unmasked content words."""
    toks = claim.key.split()
    named = _name_positions(claim, toks)
    out: list[str] = []
    content = 0
    for i, tok in enumerate(toks):
        if i in named or tok in words or tok.removesuffix("s") in words:
            if not out or out[-1] != mask:
                out.append(mask)
            continue
        out.append(tok)
        content += tok not in STOPWORDS and len(tok) > 1
    return " ".join(out), content


def _name_positions(claim: Claim, toks: list[str]) -> set[int]:
    """Positions of the claim's names among its key tokens (a name's words in a row)."""
    out: set[int] = set()
    if not claim.entities:
        return out
    bare = [t.removesuffix("s") for t in toks]  # a possessive or plural "s"
    for ent in claim.entities:
        words = [w for w in re.split(r"[\s'-]+", ent.lower()) if w]
        n = len(words)
        for i in range(len(toks) - n + 1):
            if (toks[i] == words[0] or bare[i] == words[0]) and all(
                toks[i + k] == words[k] or bare[i + k] == words[k] for k in range(1, n)
            ):
                out.update(range(i, i + n))
    return out


# Small on purpose: what a cache holds at its peak stays in the service's RSS for good.
@lru_cache(maxsize=512)
def _frame(claim: Claim) -> tuple[str, int]:
    return _masked(claim, set(), "E")


@lru_cache(maxsize=512)
def _body(claim: Claim) -> tuple[str, int]:
    """The key with the source and every name masked (a source is often a name)."""
    return _masked(claim, source_words(claim), "S")


# ", the Kremlin's special envoy for Syria," after a name: who the person is, said again
_APPOSITIVE = re.compile(
    r"\b([A-Z][\w'’-]+), (?:the|a|an|its|his|her|their) [^,;:.()\"“”]{3,80}?,"
)


@lru_cache(maxsize=512)
def _plain(claim: Claim) -> Claim | None:
    """The claim without appositives after its names, None if it has none."""
    text = _APPOSITIVE.sub(r"\1,", claim.text)
    return make_claim(text, claim.position) if text != claim.text else None


def align_score(a: Claim, b: Claim, skel_a: str | None = None, skel_b: str | None = None) -> float:
    """Alignment score (0..100) of two versions of a statement (see the module docstring)."""
    s = _score(a, b, skel_a, skel_b)
    if s >= ALIGN_THRESHOLD or not (a.entities and b.entities):
        return s
    # a person named with a description in one version and without it in the other
    # ("by Mikhail Bogdanov, according to" / "by Alexander Lavrentiev, the Kremlin's
    # envoy, according to"): the frames compare without it
    pa, pb = _plain(a), _plain(b)
    if pa is None and pb is None:
        return s
    return max(s, _frame_score(pa or a, pb or b))


def _score(a: Claim, b: Claim, skel_a: str | None, skel_b: str | None) -> float:
    s = similarity(a, b)
    if s >= ALIGN_THRESHOLD:
        return s
    # in word order: synonyms swapped in place ("repaired" -> "fixed") keep the sequence
    s = max(s, float(fuzz.ratio(a.key, b.key)))
    if s >= ALIGN_THRESHOLD:
        return s
    sa = _skeleton(a) if skel_a is None else skel_a
    sb = _skeleton(b) if skel_b is None else skel_b
    if sa and sb:
        s = max(s, float(fuzz.token_sort_ratio(sa, sb)))
    if s >= ALIGN_THRESHOLD:
        return s
    if a.attribution and b.attribution:
        (ba, na), (bb, nb) = _body(a), _body(b)
        if min(na, nb) >= BODY_MIN_WORDS and ba != a.key and bb != b.key:
            body = float(max(fuzz.ratio(ba, bb), fuzz.token_sort_ratio(ba, bb)))
            if body >= BODY_THRESHOLD:
                return max(s, body)
    if a.entities and b.entities:
        s = max(s, _frame_score(a, b))
    return s


def _frame_score(a: Claim, b: Claim) -> float:
    """Frame similarity (every name masked), 0 unless it counts (module docstring)."""
    (fa, na), (fb, nb) = _frame(a), _frame(b)
    if fa != a.key and fb != b.key and min(na, nb) >= 1:
        frame = float(fuzz.ratio(fa, fb))
        enough = min(na, nb) >= FRAME_MIN_WORDS
        same_slot = fa == fb and abs(a.position - b.position) <= SLOT_DISTANCE
        if frame >= FRAME_THRESHOLD and (enough or same_slot):
            return frame
    return 0.0


def _covered(parts: Sequence[Claim], whole: Claim) -> bool:
    """Every part states something of ``whole``: ``GROUP_COVER`` of its content stems."""
    theirs = claim_stems(whole)
    for part in parts:
        mine = claim_stems(part)
        if not mine or len(mine & theirs) < GROUP_COVER * len(mine):
            return False
    return True


def _runs(claims: list[Claim]) -> list[tuple[int, ...]]:
    """Index runs of 2..MAX_RUN claims next to each other among ``claims`` (the unpaired
    ones, in reading order) and close in their article: at most ``MAX_GAP`` positions
    apart, so that sentences merged across an unchanged one (a quote between two
    paragraphs) still form a group."""
    out: list[tuple[int, ...]] = []
    for i in range(len(claims)):
        for k in range(2, MAX_RUN + 1):
            run = tuple(range(i, i + k))
            if run[-1] >= len(claims):
                break
            gap = claims[run[-1]].position - claims[run[-2]].position
            if not 0 < gap <= MAX_GAP:
                break
            out.append(run)
    return out


def align(prev: list[Claim], cur: list[Claim]) -> list[Aligned]:
    """Greedy best-first grouping above ``ALIGN_THRESHOLD`` (see the module docstring).

    At equal scores a one-to-one pair wins over a merge or split, then the pair closer
    in the article.
    """
    if not prev or not cur:
        return []
    skel_p = [_skeleton(p) for p in prev]
    skel_c = [_skeleton(c) for c in cur]
    # (score, -group size, -distance, old indices, new indices)
    scored: list[tuple[float, int, int, tuple[int, ...], tuple[int, ...]]] = []
    for i, p in enumerate(prev):
        for j, c in enumerate(cur):
            s = align_score(p, c, skel_p[i], skel_c[j])
            if s >= ALIGN_THRESHOLD:
                scored.append((s, -2, -abs(p.position - c.position), (i,), (j,)))
    for run in _runs(prev):
        merged = combine([prev[i] for i in run])
        skel = _skeleton(merged)
        for j, c in enumerate(cur):
            s = align_score(merged, c, skel, skel_c[j])
            if s >= ALIGN_THRESHOLD and _covered([prev[i] for i in run], c):
                scored.append((s, -1 - len(run), -abs(merged.position - c.position), run, (j,)))
    for run in _runs(cur):
        merged = combine([cur[j] for j in run])
        skel = _skeleton(merged)
        for i, p in enumerate(prev):
            s = align_score(p, merged, skel_p[i], skel)
            if s >= ALIGN_THRESHOLD and _covered([cur[j] for j in run], p):
                scored.append((s, -1 - len(run), -abs(p.position - merged.position), (i,), run))
    scored.sort(reverse=True)
    used_p: set[int] = set()
    used_c: set[int] = set()
    out: list[Aligned] = []
    for s, _, _, olds, news in scored:
        if used_p.intersection(olds) or used_c.intersection(news):
            continue
        used_p.update(olds)
        used_c.update(news)
        out.append(Aligned(tuple(prev[i] for i in olds), tuple(cur[j] for j in news), s))
    return out


def same_slot_paraphrases(
    previous: Sequence[Claim],
    current: Sequence[Claim],
    prev_left: Sequence[Claim],
    cur_left: Sequence[Claim],
    kept: dict[int, int],
) -> list[tuple[Claim, Claim]]:
    """Copy-edited sentences that ``align`` did not pair: a left-over claim of each version
    in the same place of the article (the claim before it, or the one after it, is kept in
    the other version as the claim before / after the other one; ``kept`` maps the
    positions of kept claims old -> new) with the same numbers, dates, names and source,
    the same polarity, and skeletons (content words, concept-stemmed) at least
    ``SLOT_THRESHOLD`` alike. "The officials said large transport aircraft had been
    landing ..." -> "According to the officials, big transport planes had been touching
    down ..." is one statement; a different statement in its place ("... said the base
    would be handed over") has other words or other details. A pair found is kept in
    turn, so a run of edited sentences pairs one by one."""
    kept = {-1: -1, len(previous): len(current), **kept}
    out: list[tuple[Claim, Claim]] = []
    left_p, left_c = list(prev_left), list(cur_left)
    found = True
    while found:
        found = False
        for p in left_p:
            c = next(
                (
                    c
                    for c in left_c
                    if (
                        kept.get(p.position - 1) == c.position - 1
                        or kept.get(p.position + 1) == c.position + 1
                    )
                    and _paraphrase(p, c)
                ),
                None,
            )
            if c is not None:
                out.append((p, c))
                kept[p.position] = c.position
                left_p.remove(p)
                left_c.remove(c)
                found = True
                break
    return out


def _paraphrase(a: Claim, b: Claim) -> bool:
    """Same details and polarity, skeletons at least ``SLOT_THRESHOLD`` alike, and
    ``SLOT_SHARE`` of the content stems besides names and sources in common (the same
    names saying something else share the names only)."""
    return not detail_changes(a, b) and worded_alike(a, b, SLOT_THRESHOLD, SLOT_SHARE)


def worded_alike(a: Claim, b: Claim, threshold: float, share: float) -> bool:
    """Same polarity, skeletons at least ``threshold`` alike (token sort ratio) and
    ``share`` (Dice) of the content stems besides names and sources in common. Details
    (numbers, dates, names, source) are the caller's to compare."""
    if polarity_flipped(a, b) or denial_added(a, b):
        return False
    names = entity_words(a.entities) | entity_words(b.entities) | source_words(a) | source_words(b)
    # a source only one side gives is a detail of who said it, not the wording of what
    # it says ("according to two former officials" / "they said")
    unshared = source_words(a) ^ source_words(b)
    sa, sb = _skeleton(a, unshared), _skeleton(b, unshared)
    if not (sa and sb) or fuzz.token_sort_ratio(sa, sb) < threshold:
        return False
    wa, wb = claim_stems(a, names), claim_stems(b, names)
    return bool(wa and wb) and 2 * len(wa & wb) >= share * (len(wa) + len(wb))
