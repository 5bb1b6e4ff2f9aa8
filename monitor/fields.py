"""Comparable fields of a claim besides numbers and dates: named entities and attribution.

``entities`` finds capitalised runs ("Bashar al-Assad", "Hayat Tahrir al-Sham",
"Russian Foreign Ministry") minus sentence openers and generic capitalised words;
``entity_words`` reduces them to their significant lowercase words (titles and particles
dropped) for comparison; ``attribution`` finds who a claim is attributed to ("according
to X", "X said", "X told Y"). Pure and regex-based.
"""

from __future__ import annotations

import re

from monitor.stopwords import NOT_NAMES, wordset
from monitor.textnorm import MONTHS, NUMBER_WORDS, WEEKDAYS

__all__ = ["TITLE_WORDS", "attribution", "entities", "entity_words"]

_ENT_WORD = (
    r"(?:[A-Z][\w]*(?:['-][A-Za-z]\w*)*|(?:al|el|ad|as|an|ash|at|az)-[A-Z]\w*(?:-[A-Za-z]\w*)*)"
)
_ENTITY_RE = re.compile(
    rf"{_ENT_WORD}(?:\s+(?:(?:of|al|bin|ibn|de|del|da|van|von|der|la|le|du)\s+)?{_ENT_WORD})*"
)
_POSSESSIVE = re.compile(r"'s?\b")
# capitalised words that date or count rather than name ("On Sunday", "Dozens of ...")
_DATE_AND_NUMBER_WORDS = frozenset(MONTHS) | WEEKDAYS | NUMBER_WORDS
# Titles and roles before names: not significant words of a name, and a name edited
# together with one of them is re-qualified, not replaced
TITLE_WORDS = wordset(
    """
    president prime minister ministry foreign deputy chief leader former deposed
    late gen general col colonel dr mr mrs ms sen senator gov governor king queen
    prince sheikh spokesman spokeswoman spokesperson ambassador envoy secretary
    state the
    """
)
_ATTR_VERBS = (
    r"said|told|reported|stated|announced|claimed|quoted|noted|declared|added|wrote|"
    r"confirmed|insisted|argued|warned|tweeted|posted|says|tells|writes|insists|warns|"
    # present-tense forms double as plural nouns ("denied reports that"): only at clause end
    r"(?:says|reports|tells|states|writes|claims|notes|adds)(?=\s*(?:[,.;:\"')]|$))"
)
_ACCORDING = re.compile(
    r"\b(?:according to|citing|cited by|quoting)\s+(?:the\s+|a\s+|an\s+)?([^,.;:!?\"()]+)", re.I
)
_SPEAKER_VERB = re.compile(rf"\s(?:{_ATTR_VERBS})\b(?!\s+(?:that\s+)?(?:by|to)\b)")
_SPEAKER_WORDS = re.compile(r"((?:[\w'-]+,?\s+){0,3}[\w'-]+),?\s*$")
# where an "according to X" / "citing X" phrase ends
_ATTR_PHRASE_END = wordset(
    """
    that who which whom whose and as in on at to for with from when while after
    before said say says told claim claims claimed reported reports confirmed is are
    was were has have had will would could may might
    """
)
_ATTR_STOP = wordset(
    """
    that and but which who whom as when while after before because if had has have
    was were is are been be it this there then said told
    """
)
_ATTR_LEAD = wordset(
    """
    earlier later initially also then now per conflicting other some many several
    """
)
_PRONOUNS = frozenset(
    ["he", "she", "they", "it", "we", "i", "you", "who", "which", "one", "someone"]
)
_DETERMINERS = frozenset(
    ["the", "a", "an", "its", "his", "her", "their", "two", "three", "several", "some", "many"]
)
_ATTR_CUT = re.compile(r"\s+(?:that|who|which|as|when|while|in order|to say|on)\b.*$", re.I)


def entities(text: str) -> tuple[str, ...]:
    """Capitalised runs that name someone or something, in reading order, without
    sentence openers, generic capitalised words, months and weekdays."""
    found: list[str] = []
    for m in _ENTITY_RE.finditer(text):
        for part in re.split(r"'s?\s+", m.group(0)):
            words = _POSSESSIVE.sub("", part).split()
            while words and (
                words[0].lower() in NOT_NAMES
                or words[0].lower() in _DATE_AND_NUMBER_WORDS
                or (m.start() == 0 and _common_start(words[0]))
            ):
                words.pop(0)
            while words and words[-1].lower() in _DATE_AND_NUMBER_WORDS:
                words.pop()
            if not words:
                continue
            ent = " ".join(words)
            if len(ent) > 1 and ent not in found:
                found.append(ent)
    return tuple(found)


# Endings of adverbs, participles and abstract nouns: a capitalised sentence opener with
# one of them ("Initially", "Following", "Electricity", "Confirmation") is no name
# ("-ance"/"-ence" are left out: "France", "Florence").
_COMMON_ENDINGS = ("ly", "ing", "ed", "ity", "tion", "sion", "ment", "ness")


def _common_start(word: str) -> bool:
    return word.lower().endswith(_COMMON_ENDINGS) and not word.isupper()


def entity_words(entities: tuple[str, ...]) -> frozenset[str]:
    """Lowercased significant words of entities (titles and particles dropped)."""
    out: set[str] = set()
    for ent in entities:
        for w in re.split(r"[\s-]+", ent.lower()):
            if len(w) > 1 and w not in TITLE_WORDS and w not in {"al", "el", "bin", "ibn", "of"}:
                out.add(w)
    return frozenset(out)


def _clean_attr(phrase: str, cut: bool = False) -> str | None:
    phrase = _ATTR_CUT.sub("", phrase.strip())
    words = phrase.split()
    if cut:
        for i, w in enumerate(words):
            # "for" inside a name goes on: "Syrian Observatory for Human Rights"
            inside_name = w == "for" and i + 1 < len(words) and words[i + 1][:1].isupper()
            if i and w.lower() in _ATTR_PHRASE_END and not inside_name:
                words = words[:i]
                break
    while words and (words[0].lower() in _DETERMINERS or words[0].lower() in _ATTR_LEAD):
        words.pop(0)
    while words and words[-1].islower() and (words[-1].endswith("ly") or words[-1] in _ATTR_LEAD):
        words.pop()
    words = words[:6]
    if not words or (len(words) == 1 and words[0].lower() in _PRONOUNS):
        return None
    return " ".join(words)


def attribution(text: str) -> str | None:
    """Who the sentence is attributed to: "according to X" / "citing X", else the words
    right before a reporting verb ("X said", "X told TASS"); None for a pronoun or none."""
    m = _ACCORDING.search(text)
    if m:
        return _clean_attr(m.group(1), cut=True)
    for v in _SPEAKER_VERB.finditer(text):
        # the (up to four) words right before the verb; the slice keeps this linear
        m = _SPEAKER_WORDS.search(text, max(0, v.start() - 80), v.start())
        if m is None:
            continue
        words = m.group(1).split()
        keep: list[str] = []
        for i, w in enumerate(reversed(words)):
            # an appositive ends at a comma: "..., Mikhail Ulyanov, said" -> the name; a
            # dateline at a dash: "TARTUS, Dec 12 - AFP reported" -> AFP
            if w.lower() in _ATTR_STOP or (i and w.endswith(",")) or not w.strip("-"):
                break
            keep.append(w.rstrip(","))
        if keep:
            cleaned = _clean_attr(" ".join(reversed(keep)))
            if cleaned:
                return cleaned
    return None
