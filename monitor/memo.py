"""Claims of the versions of one article, each shared paragraph and sentence worked out once.

A check splits two versions of an edited article into claims (the latest stored one and
the fresh one), and they share almost every paragraph. A `ClaimMemo` gives exactly what
`monitor.claims.split_sentences` and `monitor.claims.split_claims` give, but splits each
distinct paragraph into sentences once, and sorts (`is_claim`) and makes (`make_claim`)
each distinct sentence once; only a claim's position is filled in per version.

Sentences are also remembered across memos, in one small LRU cache for the process
(SHARED_SENTENCES claims of about 3 KB each): the next version of a page checked a little
later, and wire copy that several sources carry, reuse them. A memo keeps everything it
saw until it is dropped, so one comparison is served whole however long the article.

This relies on two promises of the claim engine, which tests/test_memo.py checks against
the plain functions on the benchmark cases:

- `split_sentences` splits every line on its own (a sentence never spans two lines);
- `make_claim(sentence, position)` depends on `sentence` alone, apart from `position`.

Make one memo per comparison (as monitor.analysis does); a memo is not meant to be shared
by threads (the process-wide cache is).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from functools import lru_cache

from monitor import claims as engine
from monitor.models import Claim

__all__ = ["SHARED_SENTENCES", "ClaimMemo", "clear_shared"]

SHARED_SENTENCES = 1024  # about 3 MB when full; 2048 did no better on the bench pages
_MAX_SHARED_CHARS = 1000  # longer sentences (run-on table rows) are not kept past a memo


class ClaimMemo:
    """Sentences and claims of texts that share paragraphs (versions of one article)."""

    def __init__(self) -> None:
        self._paragraphs: dict[str, tuple[str, ...]] = {}
        self._claims: dict[str, Claim | None] = {}  # None: the sentence is not a claim

    def sentences(self, text: str) -> list[str]:
        """Exactly `monitor.claims.split_sentences(text)`."""
        out: list[str] = []
        for line in text.splitlines():
            found = self._paragraphs.get(line)
            if found is None:
                found = self._paragraphs[line] = tuple(engine.split_sentences(line))
            out.extend(found)
        return out

    def claims_of(self, sentences: Iterable[str]) -> list[Claim]:
        """The claims among `sentences` (one text's, in reading order), positions 0..n-1."""
        out: list[Claim] = []
        for sentence in sentences:
            if sentence in self._claims:
                claim = self._claims[sentence]
            else:
                shared = len(sentence) <= _MAX_SHARED_CHARS
                claim = _shared_claim(sentence) if shared else _claim(sentence)
                self._claims[sentence] = claim
            if claim is not None:
                # always a fresh object, as split_claims gives: the claims of two versions
                # are never the same object (monitor.diff tells claims apart by identity)
                out.append(replace(claim, position=len(out)))
        return out

    def split_claims(self, text: str) -> list[Claim]:
        """Exactly `monitor.claims.split_claims(text)`."""
        return self.claims_of(self.sentences(text))

    def seed(self, text: str, claims: list[Claim]) -> bool:
        """Take `claims`, stored as what `split_claims(text)` gave, instead of making them.

        Each sentence of `text` whose stripped form is the next stored claim's text is that
        claim; every other sentence is left to be sorted and made as usual, so a claim the
        stored list lacks is still found. When claims are left over (they are not this
        text's, in this order), nothing is taken and the result is False.
        """
        taken: dict[str, Claim] = {}
        pending = iter(claims)
        upcoming = next(pending, None)
        for sentence in self.sentences(text):
            if upcoming is not None and upcoming.text == sentence.strip():
                taken.setdefault(sentence, upcoming)
                upcoming = next(pending, None)
        if upcoming is not None:
            return False
        for sentence, claim in taken.items():
            self._claims.setdefault(sentence, claim)
        return True


def clear_shared() -> None:
    """Forget the sentences remembered across memos."""
    _shared_claim.cache_clear()


def _claim(sentence: str) -> Claim | None:
    return engine.make_claim(sentence) if engine.is_claim(sentence) else None


_shared_claim = lru_cache(maxsize=SHARED_SENTENCES)(_claim)
