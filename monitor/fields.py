"""Comparable fields of a claim besides numbers and dates: named entities and attribution.

``entities`` finds capitalised runs ("Bashar al-Assad", "Hayat Tahrir al-Sham",
"Russian Foreign Ministry", "Institute for the Study of War") minus sentence openers,
generic capitalised words and a participle joined to a name ("HTS-led" -> "HTS");
``entity_words`` reduces them to their significant lowercase words (titles and particles
dropped) for comparison; ``attribution`` finds who a claim is attributed to ("according
to X", "X said", "X has said", "X told Y"); ``frame_words`` finds the other words of the
reporting frame (whom the source told, where it said it). Pure and regex-based.
"""

from __future__ import annotations

import re

from monitor.polarity import NEGATORS, polarity_cues
from monitor.stopwords import NOT_NAMES, wordset
from monitor.textnorm import MONTHS, NUMBER_WORDS, WEEKDAYS

__all__ = [
    "DEMONYM_ENDINGS",
    "TITLE_WORDS",
    "addressees",
    "attribution",
    "entities",
    "entity_words",
    "frame_words",
    "speaker_resumed",
]

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
    r"(?:says|reports|tells|states|writes|claims|notes|adds)(?=\s*(?:[,.;:\"')]|$))|"
    # verbs that report a stance name their speaker at clause end or before "that"
    r"(?:denied|denies|admitted|admits|acknowledged|acknowledges|maintained|maintains|"
    r"stressed|stresses|emphasi[sz]ed|emphasi[sz]es|argued|argues|explained|explains|"
    r"suggested|suggests|believes|thinks)"
    r"(?=\s*(?:[,.;:\"')]|$)|\s+that\b)"
)
_ACCORDING = re.compile(
    r"\b(?:according to|citing|cited by|quoting)\s+(?:the\s+|a\s+|an\s+)?([^,.;:!?\"()]+)", re.I
)
# "was said by X" / "is said to" are no speech tags; "said by phone" is one
_SPEAKER_VERB = re.compile(
    rf"\s(?:{_ATTR_VERBS})\b"
    r"(?!\s+(?:that\s+)?(?:by(?!\s+(?:tele)?phone|\s+text|\s+e-?mail|\s+video)|to)\b)"
)
_PARTICIPIAL_ASIDE = re.compile(r"(?<=\w),\s+(?:\w+ly\s+)?[a-z]\w*(?:ing|ed)\b[^,;\"]{0,60},\s*$")
# (not "Omar Haddad, the governor, said": there the office names the source)
_APPOSITIVE_ASIDE = re.compile(
    r"(?<=\w),\s+(?!(?:the|a|an)\s)(?=[^,;\"]*\b[a-z]{3,})[^,;\"]{2,90},\s*$"
)
_LAST_WORD = re.compile(r"([\w'-]+)\s*$")


def _ends_in_name(text: str, at: int) -> bool:
    """The word before ``at`` is capitalised (a name ends there), not a sentence opener."""
    m = _LAST_WORD.search(text, max(0, at - 40), at)
    return m is not None and m.start() > 0 and m.group(1)[:1].isupper()


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


# Institutions named with a lowercase link ("Institute for the Study of War",
# "Organisation for the Prohibition of Chemical Weapons", "Ministry of the Interior"):
# a run ending in one of these nouns goes on over "for (the)" / "of the" / "on".
_INSTITUTIONS = wordset(
    """
    institute institution organisation organization council committee commission
    office ministry department agency centre center society foundation fund union
    league association federation coalition court bank university observatory
    tribunal authority bureau board academy
    """
)
_INSTITUTION_LINK = re.compile(r"\s+(?:(?:for|of)\s+the|for|on)\s+")
_MAX_LINK = len(" for the ")


def _runs(text: str) -> list[tuple[int, str]]:
    """The capitalised runs of ``text`` with their offsets, an institution's name
    joined over its lowercase link."""
    runs: list[tuple[int, str]] = []
    end = -1
    for m in _ENTITY_RE.finditer(text):
        if (
            runs
            and m.start() - end <= _MAX_LINK
            and _INSTITUTION_LINK.fullmatch(text, end, m.start())
            and runs[-1][1].rsplit(None, 1)[-1].lower() in _INSTITUTIONS
        ):
            runs[-1] = (runs[-1][0], text[runs[-1][0] : m.end()])
            end = m.end()
            continue
        runs.append((m.start(), m.group(0)))
        end = m.end()
    return runs


def entities(text: str) -> tuple[str, ...]:
    """Capitalised runs that name someone or something, in reading order, without
    sentence openers, generic capitalised words, months and weekdays."""
    found: list[str] = []
    for start, run in _runs(text):
        for k, part in enumerate(re.split(r"'s?\s+", run)):
            # "Iranian-backed", "HTS-led": the name without its participle
            words = [
                _PARTICIPLE.sub("", w) if "-" in w else w
                for w in _POSSESSIVE.sub("", part).split()
            ]
            opener = start == 0 and k == 0  # words[0] opens the sentence
            while words and (
                # an all-capitals word is an acronym ("US"), not the pronoun
                (words[0].lower() in NOT_NAMES and not (words[0].isupper() and len(words[0]) > 1))
                or words[0].lower() in _DATE_AND_NUMBER_WORDS
                or (opener and _common_start(words[0]))
            ):
                words.pop(0)
                opener = False  # "The United States": "United" does not open it
            while words and words[-1].lower() in _DATE_AND_NUMBER_WORDS:
                words.pop()
            if not words:
                continue
            ent = " ".join(words)
            if len(ent) > 1 and ent not in found:
                found.append(ent)
    return tuple(found)


_PARTICIPLE = re.compile(r"(?<=\w)(?:-[a-z]{3,})+$")
# Endings of adverbs, participles, abstract nouns and plural nouns of people: a
# capitalised sentence opener with one of them ("Initially", "Following", "Electricity",
# "Confirmation", "Questions", "Specialists", "Migrants", "Investigators", "Rumours") is
# no name ("-ance"/"-ence" are left out: "France", "Florence"; so is "-ers": "Sanders").
_COMMON_ENDINGS = (
    "ly", "ing", "ed", "ity", "ities", "tion", "tions", "sion", "sions", "ment", "ments",
    "ness", "ists", "ants", "ors", "ours",
)  # fmt: skip


def _common_start(word: str) -> bool:
    return word.lower().endswith(_COMMON_ENDINGS) and not word.isupper()


# endings of nationality adjectives ("Syrian", "Lebanese", "Turkish", "Korean")
DEMONYM_ENDINGS = ("ian", "ese", "ish", "ean")
# particles and links inside names: not significant words of them
_NAME_LINKS = frozenset({"al", "el", "bin", "ibn", "of", "for", "on"})
_LINKS_BEFORE = _NAME_LINKS | {"the"}  # words before the last words of a longer name


def entity_words(entities: tuple[str, ...]) -> frozenset[str]:
    """Lowercased significant words of entities (titles and particles dropped)."""
    out: set[str] = set()
    for ent in entities:
        for w in re.split(r"[\s-]+", ent.lower()):
            if len(w) > 1 and w not in TITLE_WORDS and w not in _NAME_LINKS:
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
    words = words[:_MAX_SPEAKER]
    if not words or (len(words) == 1 and words[0].lower() in _PRONOUNS):
        return None
    return " ".join(words)


def attribution(text: str, names: tuple[str, ...] | None = None) -> str | None:
    """Who the sentence is attributed to: "according to X" / "citing X", else the words
    right before a reporting verb ("X said", "X told TASS"); None for a pronoun or none.
    ``names`` are the sentence's ``entities`` when the caller has them already."""
    m = _ACCORDING.search(text)
    if m:
        return _clean_attr(m.group(1), cut=True)
    for v in _SPEAKER_VERB.finditer(text):
        if _NOUN_FORM.match(v.group(0).strip()) and _determined(text, v.start()):
            continue  # "did not comment on the reports.": a noun, no speech tag
        # an inverted speech tag ("..., said a rebel commander, Abu Khaled"): the
        # statement ends in a comma right before the verb and the speaker follows it
        if text[max(0, v.start() - 1) : v.start()] == ",":
            after = _inverted_speaker(text[v.end() :])
            if after:
                return after
        # the (up to four) words right before the verb; the slice keeps this linear. A
        # participial clause between commas is not the speaker ("An embassy employee,
        # speaking by phone, said"): the words before it are.
        end = v.start()
        aside = _PARTICIPIAL_ASIDE.search(text, max(0, end - 80), end)
        if aside is None:
            # a description between commas after a name: "Mikhail Ulyanov, Moscow's
            # envoy in Vienna, wrote" -> the name
            aside = _APPOSITIVE_ASIDE.search(text, max(0, end - 100), end)
            if aside is not None and not _ends_in_name(text, aside.start()):
                aside = None
        if aside is not None:
            end = aside.start()
        m = _SPEAKER_WORDS.search(text, max(0, end - 80), end)
        if m is None:
            continue
        words = m.group(1).split()
        # a perfect tense, a negation, an adverb: "the Foreign Ministry has said", "the
        # government had not officially confirmed" -> the Foreign Ministry, the government
        while len(words) > 1 and (
            words[-1].lower() in _VERB_GROUP or (words[-1].endswith("ly") and words[-1].islower())
        ):
            words.pop()
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
                return _whole_name(cleaned, text, names)
    return None


# speech verbs that are plural nouns too ("the reports", "such claims")
_NOUN_FORM = re.compile(r"(?:reports|claims|states|notes|writes|says|tells|adds)$")
_DETERMINING = wordset(
    "the these those such its their his her our of on about to by and or media news"
)


def _determined(text: str, at: int) -> bool:
    """The word before ``at`` makes the next word a noun ("the", "such", "on")."""
    before = text[max(0, at - 20) : at].split()
    return bool(before) and before[-1].lower() in _DETERMINING


def _whole_name(speaker: str, text: str, names: tuple[str, ...] | None) -> str:
    """The name a speaker's last words end ("the Study of War" of "the Institute for the
    Study of War said"), when it is not much longer; else the speaker as found."""
    at = text.find(speaker)
    before = text[max(0, at - 12) : at].split()
    if at < 0 or not before or not (before[-1][:1].isupper() or before[-1] in _LINKS_BEFORE):
        return speaker  # nothing of a name before it (the usual case: cheap)
    for ent in entities(text) if names is None else names:
        if ent != speaker and ent.endswith(speaker) and len(ent.split()) <= _MAX_SPEAKER:
            return ent
    return speaker


_MAX_SPEAKER = 6  # words of a source
_VERB_GROUP = wordset("has have had not never")
_CLAUSE_WORDS = wordset(
    "would will could should may might can must was were is are had has have be been that"
)
_INVERTED_TAIL = re.compile(r"^\s+(?!(?:that|on|in|at|to|by)\b)([^.;:!?\"()]+)")


def _inverted_speaker(tail: str) -> str | None:
    """The speaker after an inverted speech verb, up to the clause end; of an appositive
    ("a rebel commander, Abu Khaled al-Homsi") the part that is a name."""
    m = _INVERTED_TAIL.match(tail)
    if m is None:
        return None
    parts = [p.strip() for p in m.group(1).split(",") if p.strip()]
    # "A commander, Abu Khaled, said officials would be tried": a clause follows, not
    # a speaker
    words = parts[0].split() if parts else []
    if (
        not words
        or len(words) > 6
        or not (words[0][:1].isupper() or words[0].lower() in _DETERMINERS)
        or any(w in _CLAUSE_WORDS or (w.islower() and w.endswith("ed")) for w in words)
    ):
        return None
    named = [p for p in parts[:2] if p[:1].isupper()]
    return _clean_attr((named or parts)[0], cut=True)


# The reporting frame around a speech verb: whom the source told ("told the TASS news
# agency", "told Reuters") and where or how it said it ("wrote on Telegram", "said in a
# video address", "said at a news conference"): up to three words, never past "that".
_FRAME_RE = re.compile(
    r"\b(?:said|says|wrote|writes|written|[Ww]riting|posted|posts|[Pp]osting|tweeted|stated|states|"
    r"announced|declared|[Ss]peaking|"
    r"added|confirmed|denied|(?P<tell>told|tells))"
    r"(?:(?(tell)\s+(?:[Tt]he\s+)?|(?!))"
    r"(?P<whom>(?!that\b)[A-Z][\w-]*(?:\s+[A-Z][\w-]*){0,3}"
    r"(?:\s+(?:news\s+)?agency|\s+(?:newspaper|team|desk|channel|programme|program|website))?"
    r"|reporters|journalists|lawmakers|parliament|supporters))?"
    r"(?:\s+(?:on|in|at|via|during)\s+(?:(?:a|an|the|his|her|its|their)\s+)?"
    r"(?P<where>(?:(?!that\b)[\w'-]+\s+){0,2}(?:[A-Z][\w-]*|statement|address|post|interview|"
    r"briefing|conference|message|video|broadcast|posting|speech)\b))?"
)
_FRAME_WORD = re.compile(r"[\w'-]+")
# The medium named before the speech verb: "In a Telegram post, Ulyanov said ..."
_MEDIUM_RE = re.compile(
    r"\b(?:[Ii]n|[Oo]n|[Vv]ia)\s+(?:a|an|the|his|her|its|their)\s+(?P<where>[A-Z][\w-]*)\s+"
    r"(?:post|posting|message|video|broadcast|interview|address)\b"
)

# A speech tag that ends the sentence, its speaker described rather than named: ", a
# senior official at the Russian Foreign Ministry told reporters." (the speaker's words
# are no part of the statement)
_TRAILING_SPEAKER = re.compile(
    r",\s+(?P<who>(?:an?|the|two|three|four|several|some|one)\s+[^,;\"]{1,80}?)\s+"
    r"(?:told|said|says|added|wrote|stated|confirmed)\b[^,;\"]*$"
)


def frame_words(text: str) -> frozenset[str]:
    """Lowercase words of the reporting frame besides the source: the addressee of "told"
    and the medium or occasion of the statement ("a Kremlin source told the TASS news
    agency" -> {"tass", "news", "agency"}; "Ulyanov wrote on Telegram" and "in a Telegram
    post, Ulyanov said" -> {"telegram"}),
    the whole of an "according to ..." phrase up to its punctuation, and a speaker
    described in a speech tag that ends the sentence (", a senior official at the
    ministry told reporters": its lowercase words)."""
    out: set[str] = set()
    tag = _TRAILING_SPEAKER.search(text)
    if tag:
        # its names are the source, left to the caller (a pronoun may take it up)
        out.update(w for w in _FRAME_WORD.findall(tag.group("who")) if w.islower())
    for m in _FRAME_RE.finditer(text):
        for group in ("whom", "where"):
            if m.group(group):
                out.update(w.lower() for w in _FRAME_WORD.findall(m.group(group)))
    for m in _MEDIUM_RE.finditer(text):
        out.add(m.group("where").lower())
    acc = _ACCORDING.search(text)
    if acc:
        out.update(w.lower() for w in _FRAME_WORD.findall(acc.group(1)))
    return frozenset(w.replace("'", "") for w in out)


_QUOTES = frozenset("\"“”")


def is_speech_tag(text: str) -> bool:
    """``text`` is only a speaker and its speech verb, with the frame after it ("Mikhail
    Ulyanov, Russia's envoy in Geneva, said on Telegram.", "a Kremlin source told TASS"):
    it states nothing of its own, whatever describes the speaker."""
    last = next(reversed([*_FRAME_RE.finditer(text)]), None)
    if last is None or last.start() == 0 or text[last.end() :].strip(" .!?\"'"):
        return False
    # what stands before the verb is a speaker only if it has no verb of its own and
    # no quote ("Russia did not take part," the ministry said)
    before = text[: last.start()]
    words = _FRAME_WORD.findall(before)
    return not (
        _QUOTES & set(before)
        or any(w in _CLAUSE_WORDS or w in NEGATORS or w.endswith("ed") for w in words)
        or polarity_cues(" ".join(w for w in words if w.islower())).cue_words
    )


def addressees(text: str) -> tuple[str, ...]:
    """Whom a source told, when it is named: the outlet a statement was given to ("a
    Kremlin source told Interfax" -> ("Interfax",); "told the TASS news agency" ->
    ("TASS news agency",)). Reporters, journalists and the like are left out."""
    return tuple(
        m.group("whom")
        for m in _FRAME_RE.finditer(text)
        if m.group("tell") and m.group("whom") and m.group("whom")[:1].isupper()
    )


# "Turkey denied that it had backed ...": the speaker is the subject of what it says
_RESUMED = re.compile(
    r"\b(?:said|says|denied|denies|insisted|insists|claimed|claims|added|maintained|"
    r"maintains|admitted|admits|acknowledged|confirmed|stated|announced|told\s+\w+)"
    r"\s+(?:that\s+)?(?:he|she|it|they|we|i)\b",
    re.I,
)


def speaker_resumed(text: str) -> bool:
    """The speaker is taken up by a pronoun as the subject of the reported statement
    ("Turkey denied that it had backed the offensive"): its name is then part of what
    is stated, not only of who states it."""
    return _RESUMED.search(text) is not None
