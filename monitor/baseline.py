"""In-memory index of baseline claims with bounded-cost candidate retrieval.

Retrieval never scans the whole baseline:

1. exact ``norm`` matches come from a dict;
2. an inverted index maps content tokens of ``key`` (stopwords and masked numbers/dates
   dropped), and the lexicon classes of those in one (``monitor.lexicon``), to claim ids.
   A lookup takes the query's ``MAX_QUERY_TOKENS`` rarest tokens and up to
   ``MAX_NAME_TOKENS`` of its names besides,
   reads at most ``MAX_POSTINGS`` ids per token (tokens more common than that are only
   used when nothing rarer is available), and ranks the ids by summed IDF-like weight;
3. only the best ``max(SHORTLIST, 4 * limit)`` ids are scored with rapidfuzz; the
   ``limit`` most similar are returned, and after them up to ``KEEP_BY_WEIGHT`` of the
   heaviest ids that scored lower (a short claim sharing the rarest words) and up to
   ``KEEP_BY_COVER`` whose content the query holds almost whole, said in other words
   ("Russia did not participate in these negotiations" for "Russia had taken part in the
   negotiations between Assad and the armed groups"). ``by_class`` looks up, by the
   query's rarest lexicon classes (up to ``MAX_CLASS_TOKENS``), up to ``KEEP_BY_CLASS``
   more claims that say them in other words ("startling" / "stunning").

So the work per lookup is bounded by constants, whatever the size of the index;
``last_visited`` and ``last_scored`` record it for tests and benchmarks.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

from rapidfuzz import fuzz

from monitor.fields import DEMONYM_ENDINGS, entity_words
from monitor.lexicon import FRAME, content_stems, stem
from monitor.models import BaselineClaim, Claim
from monitor.names import name_skeleton, same_name
from monitor.stopwords import STOPWORDS

__all__ = ["STOPWORDS", "BaselineIndex", "content_tokens", "ent_head", "name_key", "similarity"]

MAX_NAME_VARIANTS = 8  # full names kept per last word (the check is bounded too)
MAX_QUERY_TOKENS = 10
MAX_NAME_TOKENS = 3  # names looked up besides the rarest tokens
MAX_CLASS_TOKENS = 3  # lexicon classes looked up by ``by_class`` ...
CLASS_SHORTLIST = 8  # ... the claims using most of them scored ...
KEEP_BY_CLASS = 2  # ... and the most similar returned besides the others
MAX_POSTINGS = 300
SHORTLIST = 24
KEEP_BY_WEIGHT = 3  # of the shortlist's heaviest, returned past the limit if need be
KEEP_BY_COVER = 2  # of the shortlist's claims the query covers, returned past it too
COVER_SHARE = 0.75  # ... this share of their concept stems found in the query
COVER_MIN_STEMS = 3  # ... and at least this many
COVER_MAX_WORDS = 12  # ... of a short claim (a long one that low on similarity is another)


@lru_cache(maxsize=65536)
def name_key(entity: str) -> frozenset[str]:
    """The significant words of a name without titles and nationality adjectives
    ("Syrian Prime Minister Mohammad Jalali" -> {"mohammad", "jalali"})."""
    return frozenset(w for w in entity_words((entity,)) if not w.endswith(DEMONYM_ENDINGS))


@lru_cache(maxsize=65536)
def ent_head(entity: str) -> str:
    """The last significant word of a name ("Bashar al-Assad" -> "assad")."""
    significant = entity_words((entity,))
    words = [w for w in re.split(r"[\s'-]+", entity.lower()) if w in significant]
    return words[-1] if words else ""


def content_tokens(key: str) -> set[str]:
    """The index tokens of a claim key: no stopwords, masks or one-letter tokens."""
    return {t for t in key.split() if len(t) > 1 and t not in STOPWORDS}


def similarity(a: Claim, b: Claim) -> float:
    """0..100 similarity of two claims' keys (word-order insensitive, details masked)."""
    if a.key == b.key:
        return 100.0
    return float(fuzz.token_sort_ratio(a.key, b.key))


# Small on purpose: what a cache holds at its peak stays in the service's RSS for good.
@lru_cache(maxsize=2048)
def concept_set(key: str) -> frozenset[str]:
    """Concept stems of a key's content words."""
    return frozenset(content_stems(key.split())) - {""}


def _classes(key: str) -> set[str]:
    """The lexicon classes of a key's content words, two-word verbs included ("played no
    part" is ``PARTICIPATE``), but the class of framing words."""
    return {c for c in content_stems(key.split()) if c.isupper() and c != FRAME}


def _covers(mine: frozenset[str], theirs: frozenset[str]) -> bool:
    """``mine`` holds ``COVER_SHARE`` of ``theirs``, at least ``COVER_MIN_STEMS`` of it."""
    shared = len(mine & theirs)
    return shared >= COVER_MIN_STEMS and shared >= COVER_SHARE * len(theirs)


class BaselineIndex:
    """Baseline claims, indexed for candidate retrieval. Pure: no I/O."""

    def __init__(self, claims: Iterable[BaselineClaim] = ()) -> None:
        self._claims: list[BaselineClaim] = []
        self._by_norm: dict[str, list[int]] = {}
        self._postings: dict[str, list[int]] = {}
        self._names: set[str] = set()  # significant words of the baseline's names
        self._by_skeleton: dict[str, set[str]] = {}  # their consonant skeletons
        self._full_names: dict[str, set[frozenset[str]]] = {}  # last word -> full names
        self._name_claims: dict[str, int] = {}  # stem of a name word -> claims naming it
        self.last_visited = 0  # posting entries read by the last lookup
        self.last_scored = 0  # claims scored with rapidfuzz by the last lookup
        for claim in claims:
            self.add(claim)

    def add(self, claim: BaselineClaim) -> None:
        idx = len(self._claims)
        self._claims.append(claim)
        self._by_norm.setdefault(claim.claim.norm, []).append(idx)
        for tok in content_tokens(claim.claim.key) | _classes(claim.claim.key):
            self._postings.setdefault(tok, []).append(idx)
        for word in entity_words(claim.claim.entities) - self._names:
            self._names.add(word)
            self._by_skeleton.setdefault(name_skeleton(word), set()).add(word)
        for word_stem in {stem(w) for w in entity_words(claim.claim.entities)}:
            self._name_claims[word_stem] = self._name_claims.get(word_stem, 0) + 1
        for ent in claim.claim.entities:
            full = name_key(ent)
            if len(full) > 1:
                variants = self._full_names.setdefault(ent_head(ent), set())
                if len(variants) < MAX_NAME_VARIANTS:
                    variants.add(full)

    def knows_name(self, entity: str) -> bool:
        """The baseline writes this person's or thing's full name ("Bashar al-Assad") and
        no other full name with the same last word ("Asma al-Assad"): its other words
        then only say who is meant."""
        full = name_key(entity)
        variants = self._full_names.get(ent_head(entity), set())
        if len(full) < 2 or full not in variants:
            return False
        return all(v <= full or full <= v for v in variants)

    def given_names(self, entity: str) -> list[str]:
        """The words before the last of a name ("Vladimir" of "Vladimir Putin") that only
        say who is meant: the baseline names that last word, never with other words, and
        does not know these; empty otherwise ("Asma al-Assad" where the baseline writes
        "Bashar al-Assad" keeps "Asma")."""
        words = [w for w in re.split(r"[\s'-]+", entity.lower()) if w]
        head = ent_head(entity)
        if len(words) < 2 or words[-1] != head or head not in self._names:
            return []
        if self._full_names.get(head):
            return []
        given = words[:-1]
        return given if all(w.isalpha() and w not in self._names for w in given) else []

    def name_share(self, word_stem: str) -> float:
        """The share (0..1) of baseline claims that name a word with this stem
        (``monitor.lexicon.stem``): high for the story's own subjects ("Assad")."""
        return self._name_claims.get(word_stem, 0) / len(self._claims) if self._claims else 0.0

    def respell(self, word: str) -> str | None:
        """The baseline's spelling of a name word written otherwise ("saydnaya" ->
        "sednaya", see ``monitor.names.same_name``); None if the baseline has the word
        as it is, or no such name."""
        if word in self._names:
            return None
        for cand in sorted(self._by_skeleton.get(name_skeleton(word), ())):
            if same_name(word, cand):
                return cand
        return None

    def __len__(self) -> int:
        return len(self._claims)

    def candidates(self, claim: Claim, limit: int = 5) -> list[BaselineClaim]:
        """The most similar baseline claims, most similar first (``limit`` of them, and
        up to ``KEEP_BY_WEIGHT`` more: see ``scored_candidates``)."""
        return [bc for bc, _ in self.scored_candidates(claim, limit)]

    def scored_candidates(self, claim: Claim, limit: int = 5) -> list[tuple[BaselineClaim, float]]:
        """Like ``candidates`` but with each candidate's similarity (0..100); past the
        ``limit`` most similar, up to ``KEEP_BY_WEIGHT`` more: those of the shortlist's
        heaviest (most rare words shared) that scored below them."""
        self.last_visited = 0
        self.last_scored = 0
        if not self._claims or limit <= 0:
            return []
        exact = self._by_norm.get(claim.norm, [])
        weights: dict[int, float] = {}
        toks = [t for t in content_tokens(claim.key) if t in self._postings]
        # rarest first; ties by the token itself, so that the query (and with it the
        # candidates) does not depend on set order, which varies between processes
        toks.sort(key=lambda t: (len(self._postings[t]), t))
        # the names past the rarest tokens too: a sentence whose rare words all come from
        # one baseline claim still finds the others that name what it names
        names = entity_words(claim.entities)
        query = toks[:MAX_QUERY_TOKENS]
        query += [t for t in toks[MAX_QUERY_TOKENS:] if t in names][:MAX_NAME_TOKENS]
        n = len(self._claims)
        for used, tok in enumerate(query):
            posting = self._postings[tok]
            df = len(posting)
            if df > MAX_POSTINGS:
                if used >= 2:
                    break  # enough rare evidence; common tokens add nothing
                posting = posting[-MAX_POSTINGS:]  # bounded: the most recent ones
            w = math.log(1.0 + n / df)
            for idx in posting:
                weights[idx] = weights.get(idx, 0.0) + w
            self.last_visited += len(posting)
        shortlist_size = max(SHORTLIST, 4 * limit)
        for idx in exact:
            weights.pop(idx, None)
        ranked = sorted(weights, key=weights.__getitem__, reverse=True)[:shortlist_size]
        scored: list[tuple[BaselineClaim, float]] = [(self._claims[i], 100.0) for i in exact]
        for idx in ranked:
            bc = self._claims[idx]
            scored.append((bc, similarity(claim, bc.claim)))
        self.last_scored = len(ranked)
        scored.sort(key=lambda pair: pair[1], reverse=True)
        best = scored[:limit]
        # the few that share the rarest words come too, however low a short one scores
        # on similarity ("Russia does not betray its friends in difficult situations")
        heaviest = {id(self._claims[idx]) for idx in ranked[:KEEP_BY_WEIGHT]}
        rest = scored[limit:]
        out = best + [pair for pair in rest if id(pair[0]) in heaviest]
        # a short claim the query restates in other words ("taken part" / "participate")
        # shares few rare tokens and scores low; its concepts are what it shares
        if rest:
            mine = concept_set(claim.key)
            covered = [
                pair for pair in rest
                if id(pair[0]) not in heaviest
                and pair[0].claim.key.count(" ") < COVER_MAX_WORDS
                and _covers(mine, concept_set(pair[0].claim.key))
            ]
            out += covered[:KEEP_BY_COVER]
        return out

    def by_class(
        self, claim: Claim, have: Sequence[tuple[BaselineClaim, float]]
    ) -> list[tuple[BaselineClaim, float]]:
        """Up to ``KEEP_BY_CLASS`` claims not in ``have`` that share the most of the claim's
        rarest ``MAX_CLASS_TOKENS`` lexicon classes, whatever words say them ("startling"
        / "stunning", "played no part" / "did not participate"), the most similar first;
        bounded like ``scored_candidates``."""
        query = sorted(
            (c for c in _classes(claim.key) if c in self._postings),
            key=lambda c: (len(self._postings[c]), c),
        )[:MAX_CLASS_TOKENS]
        if not query:
            return []
        seen = {id(bc) for bc, _ in have}
        counts: dict[int, int] = {}
        for c in query:
            posting = self._postings[c][-MAX_POSTINGS:]
            self.last_visited += len(posting)
            for idx in posting:
                if id(self._claims[idx]) not in seen:
                    counts[idx] = counts.get(idx, 0) + 1
        ranked = sorted(counts, key=lambda i: (-counts[i], i))[:CLASS_SHORTLIST]
        self.last_scored += len(ranked)
        scored = [(self._claims[i], similarity(claim, self._claims[i].claim)) for i in ranked]
        scored.sort(key=lambda pair: pair[1], reverse=True)
        return scored[:KEEP_BY_CLASS]
