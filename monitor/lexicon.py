"""Concept folding for matching claims: light morphology and a small synonym lexicon.

Two statements of one fact rarely use the same words: "seized the capital" / "took
control of the capital", "backed Assad" / "backing from Moscow", "the war broke out" /
"the outbreak of the war". ``stem`` maps a normalised token to a comparable stem:

1. irregular verb forms to their base ("took" -> "take", "fled" -> "flee");
2. inflections stripped ("capturing" / "captured" / "captures" -> "captur"; "swiftly"
   -> "swift");
3. members of a concept class to the class label ("seize", "capture", "overrun" ->
   ``CAPTURE``); other words to their first ``STEM`` letters (three more after a start
   that unrelated words share: "international" / "interior", "officer" / "official").

``concept_stems`` does the same over a token sequence and also folds two-word verbs
("take part" -> ``PARTICIPATE``, "broke out" -> ``BEGIN``): the first token becomes the
concept, the second an empty string, so the result keeps the sequence's length (windows
computed on it are windows of the tokens).

The classes are general news vocabulary (verbs of conflict, movement, power and
speech acts, and the nouns they go with), not the phrasing of any one story. Polarity
is not folded here: antonyms stay apart (``monitor.polarity`` compares them), and no
class joins two sides of a polarity concept. Pure; results are cached.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from functools import lru_cache

from monitor.stopwords import STOPWORDS, wordset

__all__ = [
    "CAPITALS",
    "FRAME",
    "SEATS",
    "STEM",
    "concept_stems",
    "content_stems",
    "country_of",
    "lemma",
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
    undertake:undertook,undertaken die:died,dying lie:lied,lying tie:tied,tying
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
    "CAPTURE": "capture seize overrun conquer storm take_control gain_control seize_control "
    "take_over break_through",
    "FLEE": "flee escape leave depart fly_out",
    "ARRIVE": "arrive arrival reach",
    "BEGIN": "begin start launch commence outbreak break_out erupt",
    "ATTACK": "attack offensive assault strike raid",
    "SUPPORT": "support back backing backer",
    "HELP": "help aid assist assistance",
    "PARTICIPATE": "participate participation take_part join involve",
    "DECIDE": "decide decision",
    "ASYLUM": "asylum refuge shelter sanctuary haven",
    "KILL": "kill slay assassinate",
    "DIE": "die dead death",
    "FREE": "free release liberate",
    "DETAINEE": "detainee prisoner inmate captive",
    "PRISON": "prison jail gaol",
    "FORCE": "force troop soldier fighter",
    "REBEL": "rebel insurgent",
    "PLANE": "plane aircraft jet airplane airliner",
    "GOVERNMENT": "government regime administration",
    "TALKS": "talk negotiation negotiate dialogue",
    "MEET": "meet meeting",
    "RESIGN": "resign resignation step_down stand_down quit",
    "OUST": "oust depose topple overthrow unseat ouster",
    "WITHDRAW": "withdraw withdrawal pull_out pullout retreat",
    "TRANSFER": "transfer hand_over handover cede",
    "REMAIN": "remain stay",
    "SEEK": "seek request",
    "GRANT": "grant give",
    "FAST": "swift rapid quick fast speedy",
    "COUNTRY": "country nation",
    "URGE": "urge call_on call_for appeal",
    "WARN": "warn caution",
    "INJURE": "injure wound hurt",
    "DISAPPEAR": "disappear disappearance vanish go_missing",
    "ACCUSE": "accuse blame",
    "PRAISE": "praise hail laud",
    "CEASEFIRE": "ceasefire truce armistice",
    "ELECTION": "election vote poll ballot",
    "LEADER": "leader chief",
    "ANNOUNCE": "announce announcement declare proclaim",
    "ESTABLISH": "establish form create set_up",
    "KIDNAP": "kidnap abduct",
    "ARREST": "arrest detain",
    "END": "end conclude finish",
    "DISABLE": "disable deactivate switch_off turn_off shut_off",
    "AVOID": "avoid stay_away shun",
    "ABANDON": "abandon desert",
    "TRAVEL": "travel fly journey",
    # how a statement is framed, not what it states: speech acts, hedges and evidence
    # ("insisted that", "is believed to", "no evidence that": the "no" stays a negator)
    FRAME: "insist maintain argue assert contend stress emphasise emphasize explain "
    "suggest claim believe think expect appear seem likely probably possibly perhaps "
    "evidence indication proof quote cite",
}

# Capitals stand for their countries' governments ("Moscow has backed Assad"): a name
# check may accept one for the other.
CAPITALS: dict[str, str] = {
    "moscow": "russia", "washington": "us", "tehran": "iran", "ankara": "turkey",
    "beijing": "china", "london": "britain", "paris": "france", "berlin": "germany",
    "kyiv": "ukraine", "kiev": "ukraine", "riyadh": "saudi", "doha": "qatar",
    "cairo": "egypt", "amman": "jordan", "baghdad": "iraq", "beirut": "lebanon",
    "jerusalem": "israel", "tokyo": "japan", "delhi": "india", "rome": "italy",
    "madrid": "spain", "warsaw": "poland", "brussels": "eu", "kabul": "afghanistan",
    "islamabad": "pakistan", "pyongyang": "korea", "seoul": "korea", "minsk": "belarus",
    "abu": "uae", "tripoli": "libya", "khartoum": "sudan", "sanaa": "yemen",
}  # fmt: skip

# Seats of government that stand for their countries ("the Kremlin said")
SEATS: dict[str, str] = {
    "kremlin": "russia", "white house": "us", "elysee": "france",
    "downing street": "britain",
}  # fmt: skip


def country_of(name: str) -> str:
    """The country a capital or a seat of government stands for ("Moscow", "the Kremlin"
    -> "russia"); other names lowercased as they are."""
    n = name.lower().removeprefix("the ").strip()
    return CAPITALS.get(n) or SEATS.get(n) or n


_INFLECTIONS = ("ing", "ed", "es", "s")
_SIBILANT_ES = ("ches", "shes", "sses", "xes", "zes")


@lru_cache(maxsize=65536)
def lemma(token: str) -> str:
    """Crude lemma: irregular forms to their base, inflections and "-ly" stripped, a final
    "e" dropped ("took" -> "tak", "capturing" / "captured" / "capture" -> "captur",
    "swiftly" -> "swift")."""
    word = _IRREGULAR.get(token, token)
    if len(word) >= 7 and word.endswith("ly"):
        word = word[:-2]
    elif word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word not in _KEEP_S and not word.endswith(("ss", "us", "is")):
        for suffix in _INFLECTIONS:
            # "-es" only after a sibilant ("reaches", "boxes"); "forces" -> "force"
            if suffix == "es" and not word.endswith(_SIBILANT_ES):
                continue
            if word.endswith(suffix) and len(word) - len(suffix) >= 3:
                word = word[: -len(suffix)]
                # a doubled final consonant: "stopped" -> "stop", "beginning" -> "begin"
                if suffix in ("ing", "ed") and word[-1] == word[-2] and word[-1] not in "lsz":
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


# Word starts shared by unrelated words ("international" / "interior", "officer" /
# "official" / "office", "military" / "militant", "control" / "contribute"): words with
# one of them keep three more letters.
_CROWDED_STARTS = (
    "inter", "trans", "under", "over", "counter", "super", "contr", "commi", "parti",
    "prese", "confi", "secur", "offic", "milit",
)  # fmt: skip
_CROWDED_EXTRA = 3


@lru_cache(maxsize=65536)
def stem(token: str) -> str:
    """The comparable stem of one lowercase token: its concept label or the first
    ``STEM`` letters of its lemma (a few more after a crowded start such as "inter")."""
    base = lemma(token)
    label = _CONCEPT.get(base)
    if label is not None:
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


@lru_cache(maxsize=16384)
def _concept_stems(tokens: tuple[str, ...]) -> tuple[str, ...]:
    # baseline claims are stemmed again for every claim compared with them: cached
    out = [stem(t) for t in tokens]
    for i in range(len(tokens) - 1):
        base = lemma(tokens[i])
        if base in _PHRASE_VERBS:
            label = _PHRASES.get((base, tokens[i + 1]))
            if label is not None:
                out[i] = label
                out[i + 1] = ""
    return tuple(out)


def content_stems(tokens: Sequence[str], drop: Collection[str] = ()) -> list[str]:
    """``concept_stems`` with "" for every token that carries no content (stopwords,
    masks, one-letter tokens, and the tokens in ``drop``); same length as ``tokens``."""
    return [
        st if st and len(t) > 1 and t not in STOPWORDS and t not in drop else ""
        for t, st in zip(tokens, concept_stems(tokens), strict=True)
    ]
