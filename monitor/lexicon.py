"""Concept folding for matching claims: light morphology and a small synonym lexicon.

Two statements of one fact rarely use the same words: "seized the capital" / "took
control of the capital", "backed Assad" / "backing from Moscow", "the war broke out" /
"the outbreak of the war". ``stem`` maps a normalised token to a comparable stem:

1. a capital or nationality adjective to its country ("Moscow", "Iranian" -> the stem
   of "russia", "iran"; names that are more than a capital, "Abu", "Washington", aside);
2. irregular verb forms to their base ("took" -> "take", "fled" -> "flee");
3. inflections stripped ("capturing" / "captured" / "captures" -> "captur"; "swiftly"
   -> "swift"), British spellings read as American ("rumours", "fuelled", "sceptical");
4. members of a concept class to the class label ("seize", "capture", "overrun" ->
   ``CAPTURE``); other words to their first ``STEM`` letters (three more after a start
   that unrelated words share: "international" / "interior", "officer" / "official").

``concept_stems`` does the same over a token sequence and also folds two-word verbs
("take part" -> ``PARTICIPATE``, "broke out" -> ``BEGIN``): the first token becomes the
concept, the second an empty string, so the result keeps the sequence's length (windows
computed on it are windows of the tokens). A framing verb with an object is content
("maintained two bases" -> ``KEEP``; "maintains that" -> ``FRAME``).

``implied_stems`` gives what a sentence states without the word ("Damascus" is also
"the capital"); ``joined_stems`` matches compounds written in one or two words ("air
base" / "airbase").

The classes are general news vocabulary (verbs of conflict, movement, power and
speech acts, and the nouns they go with), not the phrasing of any one story. Polarity
is not folded here: antonyms stay apart (``monitor.polarity`` compares them), and no
class joins two sides of a polarity concept. Pure; results are cached.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence
from functools import lru_cache
from itertools import pairwise

from monitor.stopwords import STOPWORDS, wordset

__all__ = [
    "CAPITALS",
    "CAPITAL_CITIES",
    "DEMONYMS",
    "FRAME",
    "SEATS",
    "STEM",
    "concept_stems",
    "content_stems",
    "country_of",
    "implied_stems",
    "joined_stems",
    "lemma",
    "phrase_concept",
    "stem",
    "stems",
]

FRAME = "FRAME"  # the concept of framing words (speech acts, hedges)
STEM = 5  # words outside the lexicon compare by their first letters after inflection

_IRREGULAR_FORMS = """
    take:took,taken go:went,gone flee:fled leave:left win:won lose:lost begin:began,begun
    break:broke,broken hold:held see:saw,seen give:gave,given come:came speak:spoke,spoken
    send:sent meet:met fall:fell,fallen bring:brought build:built buy:bought catch:caught
    choose:chose,chosen drive:drove,driven fly:flew,flown fight:fought find:found
    get:got,gotten hide:hid,hidden keep:kept know:knew,known lead:led make:made mean:meant
    run:ran rise:rose,risen say:said seek:sought sell:sold shoot:shot sit:sat stand:stood
    strike:struck,stricken swear:swore,sworn teach:taught tell:told think:thought
    throw:threw,thrown understand:understood withdraw:withdrew,withdrawn write:wrote,written
    overrun:overran overthrow:overthrew,overthrown forbid:forbade,forbidden grow:grew,grown
    freeze:froze,frozen hang:hung feel:felt hear:heard pay:paid draw:drew,drawn
    spend:spent steal:stole,stolen tear:tore,torn wear:wore,worn sink:sank,sunk
    arise:arose,arisen awake:awoke,awoken bear:bore,borne beat:beaten bite:bit,bitten
    blow:blew,blown forget:forgot,forgotten ride:rode,ridden shake:shook,shaken
    undertake:undertook,undertaken die:died,dying lie:lied,lying tie:tied,tying show:shown
    lay:laid
"""
_IRREGULAR: dict[str, str] = {
    form: base
    for entry in _IRREGULAR_FORMS.split()
    for base, forms in [entry.split(":")]
    for form in forms.split(",")
}
# words whose final "s" is no plural
_KEEP_S = wordset("news series species status crisis analysis basis bus gas perhaps")

# Concept classes: label -> members (base forms; "verb_particle" for two-word verbs).
_CLASSES: dict[str, str] = {
    # "take" alone is the usual plain word for a capture ("took Aleppo"); its other uses
    # are two-word verbs of their own ("take part", "take place", "take off")
    "CAPTURE": "capture seize overrun conquer storm take takeover take_control "
    "gain_control seize_control take_over break_through control",
    "FLEE": "flee escape leave depart departure exit fly_out take_off",
    "HAPPEN": "happen occur take_place",
    "ARRIVE": "arrive arrival reach land touch_down",
    "BEGIN": "begin start launch commence outbreak break_out erupt",
    "ATTACK": "attack offensive assault strike raid",
    "SUPPORT": "support back backing backer advocate favour favor champion stand_by",
    "HELP": "help aid assist assistance",
    "PARTICIPATE": "participate participation take_part play_part join involve",
    "DECIDE": "decide decision",
    "ASYLUM": "asylum refuge shelter sanctuary haven take_refuge take_in",
    "KILL": "kill slay assassinate",
    "DIE": "die dead death",
    "FREE": "free release liberate",
    "DETAINEE": "detainee prisoner inmate captive",
    "PRISON": "prison jail gaol",
    "FORCE": "force troop soldier fighter",
    "REBEL": "rebel insurgent",
    "PLANE": "plane aircraft jet airplane airliner",
    "GOVERNMENT": "government regime administration rule authority",
    "FAMILY": "family relative",
    "TALKS": "talk negotiation negotiate dialogue",
    "MEET": "meet meeting",
    "RESIGN": "resign resignation step_down stand_down quit",
    "OUST": "oust depose topple overthrow unseat ouster bring_down",
    "WITHDRAW": "withdraw withdrawal pull_out pullout retreat",
    "TRANSFER": "transfer hand_over handover cede",
    "REMAIN": "remain stay",
    "SEEK": "seek request",
    "GRANT": "grant give",
    "FAST": "swift rapid quick fast speedy sharp steep speed",
    "SURPRISE": "surprise surprising stunning startling astonishing shock shocking",
    "SUDDEN": "sudden abrupt",
    "DESCEND": "descend plunge plummet lose_altitude lose_height",
    "SOLUTION": "solution resolution settlement",
    "BIG": "big large huge",
    "HISTORY": "history past",
    "ALMOST": "almost nearly roughly approximately",
    "COUNTRY": "country nation",
    "URGE": "urge call_on call_for appeal advise",
    "WARN": "warn caution",
    "INJURE": "injure wound hurt",
    "DISAPPEAR": "disappear disappearance vanish go_missing",
    "ACCUSE": "accuse blame",
    "PRAISE": "praise hail laud",
    "CEASEFIRE": "ceasefire truce armistice",
    "ELECTION": "election vote poll ballot",
    "LEADER": "leader chief",
    "ROLE": "role part",
    "LITTLE": "little minimal scant",
    "OBSERVER": "observer analyst expert specialist",
    "ANNOUNCE": "announce announcement declare proclaim",
    "ESTABLISH": "establish form create set_up",
    "KIDNAP": "kidnap abduct",
    "ARREST": "arrest detain",
    "END": "end conclude finish dispel",
    "SEVER": "sever cut_ties break_with split_from",
    "DISABLE": "disable deactivate switch_off turn_off shut_off",
    "AVOID": "avoid stay_away shun refrain",
    "ALLOW": "allow let permit",
    "FUNCTION": "function operate",
    "SIDE": "side party faction",
    "LOCATION": "location whereabouts",
    "ABANDON": "abandon desert betray let_down",
    "DIFFICULT": "difficult difficulty trouble hardship",
    "ENVOY": "envoy representative emissary",
    "MEANS": "means way method",
    "TRAVEL": "travel fly journey airlift",
    "LEAD": "lead head_by",
    "SHOW": "show underscore highlight demonstrate illustrate expose reveal lay_bare",
    "DOUBT": "doubt doubtful dubious question skepticism skeptical skeptic uncertainty",
    "CURRENT": "current currently present presently",
    "KEEP": "keep retain preserve hold_on continue",
    "CONTACT": "contact touch reach_him reach_her reach_them get_hold",
    "SAFETY": "safety security safe",
    "ACHIEVE": "achieve secure win attain",
    "PLEDGE": "pledge promise vow assure guarantee ensure",
    "AUTHENTIC": "authentic authenticity genuine",
    "COOPERATE": "cooperate cooperation collaborate collaboration work_with",
    "PREVIOUS": "former formerly previous previously",
    "CAUSE": "cause spark prompt trigger provoke fuel",
    "ABOARD": "aboard board",
    "DIFFER": "differ difference unlike contrast distinguish",
    "INTEND": "intend intention consider contemplate",
    "REASON": "reason ground",
    # how a statement is framed, not what it states: speech acts, hedges and evidence
    # ("insisted that", "is believed to", "no evidence that": the "no" stays a negator)
    FRAME: "insist maintain argue assert contend stress emphasise emphasize explain "
    "suggest claim believe think expect appear seem likely probably possibly perhaps circulate "
    "evidence indication proof quote cite clear unclear certain uncertain make_clear view",
}

# Capitals stand for their countries' governments ("Moscow has backed Assad"): a name
# check may accept one for the other.
CAPITALS: dict[str, str] = {
    "moscow": "russia", "washington": "usa", "tehran": "iran", "ankara": "turkey",
    "beijing": "china", "london": "britain", "paris": "france", "berlin": "germany",
    "kyiv": "ukraine", "kiev": "ukraine", "riyadh": "saudi", "doha": "qatar",
    "cairo": "egypt", "amman": "jordan", "baghdad": "iraq", "beirut": "lebanon",
    "jerusalem": "israel", "tokyo": "japan", "delhi": "india", "rome": "italy",
    "madrid": "spain", "warsaw": "poland", "brussels": "eu", "kabul": "afghanistan",
    "islamabad": "pakistan", "pyongyang": "korea", "seoul": "korea", "minsk": "belarus",
    "abu": "uae", "tripoli": "libya", "khartoum": "sudan", "sanaa": "yemen",
}  # fmt: skip

# Nationality adjectives whose country does not share their first ``STEM`` letters
# ("Iranian" / "Iran"; "Russian" / "Russia" need nothing)
DEMONYMS: dict[str, str] = {
    "iranian": "iran", "iraqi": "iraq", "turkish": "turkey", "british": "britain",
    "chinese": "china", "french": "france", "afghan": "afghanistan", "emirati": "uae",
    "omani": "oman", "cuban": "cuba", "malian": "mali", "yemeni": "yemen",
}  # fmt: skip
# Capitals that name more than one thing ("Abu Mohammed", "Washington Post", the two
# Koreas) are not read as their country when words are compared.
_AMBIGUOUS_CAPITALS = frozenset({"abu", "washington", "seoul", "pyongyang", "jerusalem"})
# a capital or nationality adjective -> the country it stands for, in word comparison
_PLACE_WORDS = {
    word: country
    for word, country in (CAPITALS | DEMONYMS).items()
    if word not in _AMBIGUOUS_CAPITALS
}

# The world's states by their short names (lowercase; "_" joins the words of one): a
# name that is one is a place, never a person
COUNTRIES = frozenset(
    w.replace("_", " ")
    for w in wordset(
        """
    afghanistan albania algeria andorra angola antigua argentina armenia australia
    austria azerbaijan bahamas bahrain bangladesh barbados belarus belgium belize benin
    bhutan bolivia bosnia botswana brazil brunei bulgaria burkina_faso burundi cambodia
    cameroon canada cape_verde chad chile china colombia comoros congo costa_rica
    croatia cuba cyprus czechia czech_republic denmark djibouti dominica
    dominican_republic ecuador egypt el_salvador eritrea estonia eswatini ethiopia fiji
    finland france gabon gambia georgia germany ghana greece grenada guatemala guinea
    guyana haiti honduras hungary iceland india indonesia iran iraq ireland israel italy
    ivory_coast jamaica japan jordan kazakhstan kenya kiribati kosovo kuwait kyrgyzstan
    laos latvia lebanon lesotho liberia libya liechtenstein lithuania luxembourg
    madagascar malawi malaysia maldives mali malta mauritania mauritius mexico
    micronesia moldova monaco mongolia montenegro morocco mozambique myanmar namibia
    nauru nepal netherlands new_zealand nicaragua niger nigeria north_korea
    north_macedonia norway oman pakistan palau palestine panama paraguay peru
    philippines poland portugal qatar romania russia rwanda samoa san_marino
    saudi_arabia senegal serbia seychelles sierra_leone singapore slovakia slovenia
    somalia south_africa south_korea south_sudan spain sri_lanka sudan suriname sweden
    switzerland syria taiwan tajikistan tanzania thailand togo tonga trinidad tunisia
    turkey turkmenistan tuvalu uganda ukraine uae united_arab_emirates britain
    united_kingdom uk us usa united_states america uruguay uzbekistan vanuatu vatican
    venezuela vietnam yemen zambia zimbabwe
    """
    )
)

# Seats of government that stand for their countries ("the Kremlin said")
SEATS: dict[str, str] = {
    "kremlin": "russia", "white house": "usa", "elysee": "france",
    "downing street": "britain",
}  # fmt: skip


# Capital cities: "the capital" in one sentence may name the one another sentence names
CAPITAL_CITIES = frozenset(CAPITALS) | wordset(
    """
    damascus sanaa nicosia athens vienna budapest prague bucharest sofia belgrade
    stockholm oslo helsinki copenhagen dublin lisbon bern ottawa canberra havana caracas
    nairobi addis tunis algiers rabat muscat manama tbilisi yerevan baku tashkent
    """
)


def implied_stems(tokens: Iterable[str]) -> frozenset[str]:
    """Stems a sentence states without their word: one that names a capital city also
    says "capital" ("rebels entered Damascus" / "rebels entered the capital"); a
    nationality adjective or a capital names its country ("Iranian support" / "Iran");
    a question of where says "whereabouts" ("unclear where he is" / "his whereabouts
    are unclear")."""
    tokens = list(tokens)
    out = {_IMPLIED_COUNTRY[t] for t in tokens if t in _IMPLIED_COUNTRY}
    if not CAPITAL_CITIES.isdisjoint(tokens):
        out.add(stem("capital"))
    if "where" in tokens and any(
        a in _ASKS_WHERE for a, b in pairwise(tokens) if b == "where"
    ):
        out.add(stem("whereabouts"))
    return frozenset(out)


# words before "where" that make it a question of place, not a relative clause ("the
# base where he stayed")
_ASKS_WHERE = wordset("clear unclear known unknown know knew ask asked about over disclose reveal")


def joined_stems(tokens: Sequence[str], other: Sequence[str]) -> set[str]:
    """Stems of ``tokens`` that ``other`` writes as one word where they are two, or as two
    where they are one ("air base" / "airbase", "cease fire" / "ceasefire")."""
    mine_words, mine_pairs = _compounds(tuple(tokens))
    their_words, their_pairs = _compounds(tuple(other))
    out: set[str] = set()
    for joined in mine_pairs.keys() & their_words:
        out.update(mine_pairs[joined])
    out.update(stem(t) for t in mine_words & their_pairs.keys())
    return out


# Small on purpose: what a cache holds at its peak stays in the service's RSS for good.
@lru_cache(maxsize=1024)
def _compounds(tokens: tuple[str, ...]) -> tuple[frozenset[str], dict[str, tuple[str, str]]]:
    """The tokens, and each pair of neighbours written as one word -> their stems
    (cached: baseline claims are compared again and again)."""
    pairs = {a + b: (stem(a), stem(b)) for a, b in pairwise(tokens) if len(a) > 1 and len(b) > 1}
    return frozenset(tokens), pairs


def country_of(name: str) -> str:
    """The country a capital or a seat of government stands for ("Moscow", "the Kremlin"
    -> "russia"); other names lowercased as they are."""
    n = name.lower().removeprefix("the ").strip()
    return CAPITALS.get(n) or SEATS.get(n) or _state_name(n) or n


_COUNTRY_NAMES = frozenset(CAPITALS.values()) | frozenset(DEMONYMS.values())
# The words that name a country of ``_COUNTRY_NAMES`` by ``country_word`` (the country, its
# capital or seat, its people's adjective), each with the country's stem: looked up once
# per token on the hot path instead of working ``country_word`` out every time
_IMPLIED_COUNTRY: dict[str, str] = {}


def country_word(word: str) -> str:
    """The country one word stands for: a capital's ("moscow" -> "russia") or a
    nationality adjective's ("russian" -> "russia", "iranian" -> "iran"); any other word
    lowercased as it is."""
    w = word.lower()
    if w in DEMONYMS:
        return DEMONYMS[w]
    if w.endswith("ian"):
        return w[:-1]  # "syrian" -> "syria"
    return country_of(w)


# Words of a state's formal name: "Syrian Arab Republic", "Russian Federation", "Islamic
# Republic of Iran" are the country they name
_STATE_FORMS = frozenset({"republic", "federation", "kingdom", "sultanate", "emirate"})


def _state_name(name: str) -> str | None:
    """The country a state's formal name names ("syrian arab republic" -> "syria",
    "islamic republic of iran" -> "iran"); None for any other name."""
    words = name.split()
    if len(words) < 2 or not _STATE_FORMS.intersection(words):
        return None
    if "of" in words:
        return " ".join(words[words.index("of") + 1 :]) or None
    for word in words:
        if word in DEMONYMS:
            return DEMONYMS[word]
        if word.endswith("ian"):
            return word[:-1]  # "syrian" -> "syria", "russian" -> "russia"
    return None


_INFLECTIONS = ("ing", "ed", "es", "s")
_SIBILANT_ES = ("ches", "shes", "sses", "xes", "zes")


@lru_cache(maxsize=65536)
def lemma(token: str) -> str:
    """Crude lemma: irregular forms to their base, inflections and "-ly" stripped, a final
    "e" dropped ("took" -> "tak", "capturing" / "captured" / "capture" -> "captur",
    "swiftly" -> "swift", "carried" -> "carry")."""
    word = _IRREGULAR.get(token, token)
    if len(word) >= 7 and word.endswith("ly"):
        word = word[:-2]
    elif word.endswith(("ies", "ied")) and len(word) > 4:
        word = word[:-3] + "y"  # "carries" / "carried" -> "carry"; "died" stays
    elif word not in _KEEP_S and not word.endswith(("ss", "us", "is")):
        for suffix in _INFLECTIONS:
            # "-es" only after a sibilant ("reaches", "boxes"); "forces" -> "force"
            if suffix == "es" and not word.endswith(_SIBILANT_ES):
                continue
            if word.endswith(suffix) and len(word) - len(suffix) >= 3:
                if suffix == "ed" and word.endswith("eed"):
                    word = word[:-1]  # "guaranteed" -> "guarantee", "agreed" -> "agree"
                    break
                word = word[: -len(suffix)]
                # a doubled final consonant: "stopped" -> "stop", "beginning" -> "begin";
                # a British "-ll-": "fuelled" -> "fuel", "travelling" -> "travel"; a
                # stressed "-ol": "controlled" -> "control" ("rolled" keeps "roll")
                doubled = word[-1] == word[-2] and word[-1] not in "lsz"
                ll = word.endswith("ell") or (word.endswith("oll") and len(word) >= 6)
                if suffix in ("ing", "ed") and (doubled or ll):
                    word = word[:-1]
                break
    return word[:-1] if word.endswith("e") and len(word) > 3 else word


_CONCEPT: dict[str, str] = {}
_PHRASES: dict[tuple[str, str], str] = {}
for _label, _members in _CLASSES.items():
    for _m in _members.split():
        if "_" in _m:
            _verb, _particle = _m.split("_")
            _PHRASES[(lemma(_verb), _particle)] = _label
        else:
            _CONCEPT[lemma(_m)] = _label
_PHRASE_VERBS = frozenset(v for v, _ in _PHRASES)


def phrase_concept(token: str, following: str) -> str | None:
    """The concept of the two-word verb ``token following`` ("losing altitude" ->
    DESCEND, "took part" -> PARTICIPATE), None if it is none."""
    base = lemma(token)
    return _PHRASES.get((base, following)) if base in _PHRASE_VERBS else None
# Class members whose lemma, with the final "e" dropped, is another word ("plane" /
# "plan"): only the tokens that keep the "e" ("planes", not "plans") are the member.
_E_CLASHES = frozenset({"plan"})


# Word starts shared by unrelated words ("international" / "interior", "officer" /
# "official" / "office", "military" / "militant", "control" / "contribute"): words with
# one of them keep three more letters.
_CROWDED_STARTS = (
    "inter", "trans", "under", "over", "counter", "super", "contr", "commi", "parti",
    "prese", "confi", "secur", "offic", "milit",
)  # fmt: skip
_CROWDED_EXTRA = 3


# British spellings read as American ones, so that both compare: "rumour" / "rumor",
# "favourite" / "favorite", "sceptical" / "skeptical" ("-ise" / "-ize", "defence" /
# "defense" already share their first letters).
_OUR = re.compile(r"(?<=[^aeiou])our(?=(?:ite?|abl|able|ably|ful|less)?$)")


def _american(word: str) -> str:
    if word.startswith("scep"):
        return "skep" + word[4:]
    return _OUR.sub("or", word) if len(word) >= 6 else word


@lru_cache(maxsize=65536)
def stem(token: str) -> str:
    """The comparable stem of one lowercase token: its concept label or the first
    ``STEM`` letters of its lemma (a few more after a crowded start such as "inter").
    A capital or a nationality adjective stems as its country ("Moscow", "Russian" ->
    the stem of "russia"), British spellings as American ones."""
    country = _PLACE_WORDS.get(token)
    if country is not None:
        return stem(country)
    base = _american(lemma(token))
    label = _CONCEPT.get(base)
    if label is not None and not (base in _E_CLASHES and not token.startswith(base + "e")):
        return label
    for start in _CROWDED_STARTS:
        if base.startswith(start):
            return base[: len(start) + _CROWDED_EXTRA]
    return base[:STEM]


def stems(tokens: Iterable[str]) -> set[str]:
    """Stems of tokens (no two-word verbs: use ``concept_stems`` on a sequence)."""
    return {stem(t) for t in tokens}


def concept_stems(tokens: Sequence[str]) -> list[str]:
    """``stem`` of every token, with two-word verbs folded: the verb becomes the concept
    and its particle ""; same length as ``tokens``."""
    return list(_concept_stems(tuple(tokens)))


@lru_cache(maxsize=1024)
def _concept_stems(tokens: tuple[str, ...]) -> tuple[str, ...]:
    # baseline claims are stemmed again for every claim compared with them: cached
    out = [stem(t) for t in tokens]
    for i in range(len(tokens) - 1):
        base = lemma(tokens[i])
        if base in _PHRASE_VERBS:
            # "took no part" is "took part" negated: the "no" stays, as a negator
            j = i + 2 if tokens[i + 1] == "no" and i + 2 < len(tokens) else i + 1
            label = _PHRASES.get((base, tokens[j]))
            if label is not None:
                out[i] = label
                out[j] = ""
    for i, tok in enumerate(tokens):
        # a framing verb with an object states something: "Russia has maintained two
        # bases" (kept them), not "Assad maintains that ..."
        content = _FRAME_WITH_OBJECT.get(lemma(tok))
        if content is not None and tokens[i + 1 : i + 2] not in ((), ("that",)):
            out[i] = content
    return tuple(out)


_FRAME_WITH_OBJECT = {lemma("maintain"): "KEEP"}


def content_stems(tokens: Sequence[str], drop: Collection[str] = ()) -> list[str]:
    """``concept_stems`` with "" for every token that carries no content (stopwords,
    masks, one-letter tokens, and the tokens in ``drop``); same length as ``tokens``."""
    return [
        st if st and len(t) > 1 and t not in STOPWORDS and t not in drop else ""
        for t, st in zip(tokens, concept_stems(tokens), strict=True)
    ]


for _word in (
    {*DEMONYMS, *CAPITALS, *(k for k in SEATS if " " not in k), *_COUNTRY_NAMES}
    | {c + "n" for c in _COUNTRY_NAMES}
):
    if country_word(_word) in _COUNTRY_NAMES:
        _IMPLIED_COUNTRY[_word] = stem(country_word(_word))
