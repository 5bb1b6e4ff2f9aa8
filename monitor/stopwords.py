"""The word lists shared by the claim engine (lowercase; one list per purpose).

``FUNCTION_WORDS`` is the one general stopword list: articles, prepositions,
conjunctions, pronouns, determiners and auxiliaries. The other lists are built from it:

- ``STOPWORDS``: words that carry no content when claims are matched (the baseline
  index, containment, alignment): function words, reporting verbs (a claim "said" or
  "reported" is the same claim), the particles of Arabic names ("al", "bin") and the
  ``#`` / ``@`` masks of numbers and dates;
- ``DISCOURSE_WORDS``: sentence adverbs and connectives ("nevertheless", "meanwhile"):
  they make a sentence more specific but need not be found in a claim that holds it;
- ``NOT_NAMES``: capitalised words that are not names when they open a sentence or a
  capitalised run ("The", "However", "Officials", "President"): function words except
  the auxiliaries that double as names or months ("Will", "May", "Said" stays out too),
  plus sentence adverbs, generic nouns for people and titles.

Lists with other purposes stay where they are used and say why: the sentence splitter's
abbreviations and sentence starters, the headline test's small words (words a
title-cased headline leaves lowercase: "vs", "via", "amid", but not "he" or "this"), and
the attribution parser's boundary words.
"""

from __future__ import annotations

__all__ = [
    "DISCOURSE_WORDS",
    "FUNCTION_WORDS",
    "NAME_PARTICLES",
    "NOT_NAMES",
    "REPORTING_WORDS",
    "STOPWORDS",
    "wordset",
]


def wordset(text: str) -> frozenset[str]:
    """The whitespace-separated words of ``text``, as a frozenset."""
    return frozenset(text.split())


FUNCTION_WORDS = wordset(
    """
    a an the of in on at to for from by with as and or but nor so that this these those
    it its is are was were be been being has have had do does did will would could should
    may might must can shall he she they we i you his her their our my your them him us me
    himself herself itself themselves myself ourselves yourself
    who whom which what when where while after before about into over under than then
    there here also just only very more most some any all each both such other several
    through throughout during within without against among amid amidst between across
    along around behind beyond despite except inside outside near toward towards upon
    via per whether if because though although unless whose how why
    become becomes became becoming
    """
)
REPORTING_WORDS = wordset(
    """
    said says say saying told tell tells according reportedly reported reports report
    wrote writes write writing
    stated states added adds adding noted notes noting tweeted posted
    """
)
# Sentence adverbs and connectives: they place a statement in its article ("Moscow has
# nevertheless ...", "... has since moved"); they state nothing of their own.
DISCOURSE_WORDS = wordset(
    """
    however nevertheless nonetheless meanwhile moreover furthermore additionally indeed
    also later earlier initially subsequently eventually ultimately finally allegedly
    apparently now since already even too instead thus therefore hence once
    """
)
# particles of Arabic names, written as separate tokens ("al-Assad" -> "al assad")
NAME_PARTICLES = wordset("al el bin ibn")
STOPWORDS = FUNCTION_WORDS | REPORTING_WORDS | NAME_PARTICLES | {"#", "@", "s"}

# Auxiliaries are never sentence-initial names, except these ("Will", "May", "Can").
_NAME_LIKE_AUXILIARIES = wordset("will may can must shall")
NOT_NAMES = (FUNCTION_WORDS - _NAME_LIKE_AUXILIARIES) | wordset(
    """
    according additionally against although amid another because between despite during
    even every furthermore how however if initially earlier later meanwhile moreover now
    once others since still though through today tomorrow until upon well why yes yet
    yesterday faced following conflicting fighting let thank thanks many several no not
    much few little half part rest
    none one two three four five six seven eight nine ten
    official officials source sources report reports experts analysts witnesses residents
    authorities police troops forces rebels protesters critics observers people media news
    statement confirmation anchor
    president prime minister former deposed late new mr mrs ms dr gen
    days weeks months years hours minutes decades
    """
)
