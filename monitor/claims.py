"""Turn article text into claims: the public entry of the claim engine.

Pipeline: ``split_sentences`` (paragraphs = lines, abbreviation-aware) -> ``is_claim``
(drops headings, bylines, captions, CTAs, questions, social-embed lines) -> ``make_claim``
(fills ``norm``, ``key``, ``numbers``, ``dates``, ``entities``, ``attribution``, ``negated``).

The work is done in small modules, one concern each, re-exported here:

- ``monitor.textnorm``: character folding, dates, clock times, numbers -> ``norm``/``key``;
- ``monitor.sentences``: sentence splitting and the claim filter;
- ``monitor.fields``: named entities and attribution;
- ``monitor.polarity``: negators and the antonym lexicon (``polarity_cues``);
- ``monitor.stopwords``: the shared word lists;
- ``monitor.lexicon``: concept stems for matching (inflections, synonyms, two-word verbs).

Everything is pure and regex-based (no models, no downloads).
"""

from __future__ import annotations

from monitor.fields import attribution, entities, entity_words
from monitor.models import Claim
from monitor.polarity import Polarity, polarity_cues
from monitor.sentences import LEADING_MARKUP, is_claim, split_sentences
from monitor.textnorm import ENTRY_STAMP, fix_weekday_typos, fold, normalise, undot_acronyms

__all__ = [
    "Polarity",
    "entity_words",
    "is_claim",
    "make_claim",
    "polarity_cues",
    "split_claims",
    "split_sentences",
]


def make_claim(sentence: str, position: int = 0) -> Claim:
    """Build a Claim with all comparison fields filled from one sentence.

    A live-blog entry stamp at the start ("12:30 GMT - ") is not part of the claim's
    fields, and dotted acronyms are read without their dots ("U.S." as "US"); ``text``
    keeps both as written.
    """
    text = sentence.strip()
    folded = fix_weekday_typos(undot_acronyms(ENTRY_STAMP.sub("", fold(text), count=1)))
    norm, key, numbers, dates = normalise(folded)
    clean = LEADING_MARKUP.sub("", folded)
    names = entities(clean)
    return Claim(
        text=text,
        norm=norm,
        key=key,
        position=position,
        numbers=numbers,
        dates=dates,
        entities=names,
        attribution=attribution(clean, names),
        negated=polarity_cues(norm).negated,
    )


def split_claims(text: str) -> list[Claim]:
    """All claims of an article, positions 0..n-1 in reading order."""
    claims: list[Claim] = []
    for sent in split_sentences(text):
        if is_claim(sent):
            claims.append(make_claim(sent, len(claims)))
    return claims
