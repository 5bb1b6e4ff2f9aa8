"""Polarity of a claim: negators and antonym-lexicon cues.

``polarity_cues`` exposes the negators and antonym-lexicon hits of a normalised claim so
that the diff can tell a polarity flip ("was alive" -> "was dead", "has been confirmed"
-> "has not been confirmed", "pledged cooperation" -> "refused to cooperate") from a
paraphrase. ``Polarity.negated`` is the parity of negators plus negative members of the
polar concepts. The lexicon is general and small: concepts with their two sides, not
phrases of any one story. A negator's scope is counted in content words, so that a list
after it ("at no point had he considered stepping down or fleeing") stays in it. Some
words only look like cues: a hedge ("it is not clear whether"), "left him unable",
"stayed in power", "a failed initiative to". ``clauses`` splits a sentence where a
coordinator opens a new verb group, so that flips are counted clause by clause.
"""

from __future__ import annotations

from collections import Counter
from functools import lru_cache

from monitor.lexicon import phrase_concept
from monitor.stopwords import DISCOURSE_WORDS, STOPWORDS, wordset

__all__ = ["HEDGED_WORDS", "NEGATING_WORDS", "NEGATORS", "Polarity", "clauses", "polarity_cues"]

NEGATORS = wordset(
    """
    not no never nor neither none nobody nothing nowhere cannot cant dont doesnt without
    didnt isnt wasnt werent arent hasnt havent hadnt wont wouldnt couldnt shouldnt
    aint mustnt neednt
    """
)
# Words that carry a negation of what follows them or stands before them: "denied that
# Assad had left" says what "insisted that Assad had not left" says, "to avoid detection"
# what "so that it could not be detected" says, "verification remains pending" what
# "there was still no verification" says. They are no negators: a sentence with one of
# them and the same sentence with "not" instead say the same thing.
_NEGATING_FORMS = """
    deny:denied,denies,denying,denial refute:refuted,refutes dismiss:dismissed,dismisses
    avoid:avoided,avoids,avoiding evade:evaded,evading,evades pending:
    lack:lacks,lacked,lacking absence:absent lose:lost,loses unable: fail:failed,fails,failure
    prevent:prevented,prevents
"""
# word -> its root ("denied" -> "deny")
NEGATING_WORDS: dict[str, str] = {
    form: root
    for entry in _NEGATING_FORMS.split()
    for root, forms in [entry.split(":")]
    for form in (root, *filter(None, forms.split(",")))
}
# concept -> (positive members, negative members); multi-word members are bigrams.
_ANTONYMS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "life": (
        wordset("alive survived survives survive living"),
        wordset("dead died dies killed deceased"),
    ),
    "presence": (
        wordset("remain remains remained stay stays stayed still_in still_at still_inside"),
        wordset(
            "left leave leaves fled flee flees departed escaped withdrew withdrawn withdraws "
            "took_off takes_off take_off taking_off"  # a plane "took off from Damascus"
        ),
    ),
    # a report called false is denied; "ruled out" denies a possibility
    "truth": (
        wordset(
            "confirmed confirms confirm confirmation verified acknowledged admitted true accurate"
        ),
        wordset(
            """
            denied denies deny denying denial unconfirmed unverified refuted disputed
            dismissed dismisses dismiss debunked rebutted false untrue baseless unfounded
            groundless fabricated fake bogus inaccurate incorrect ruled_out contrary_to
            rejected_reports rejects_reports rejected_claims rejects_claims
            rejected_allegations rejects_allegations rejected_accusations
            """
        ),
    ),
    "acceptance": (
        wordset(
            "accepted accepts accept approved approves approve welcomed welcomes endorsed endorses"
        ),
        wordset(
            "rejected rejects reject refused refuses declined declines vetoed vetoes blocked "
            "disapproved disapproves"
        ),
    ),
    "commitment": (
        wordset("pledged pledges pledge promised promises vowed vows agreed agrees"),
        wordset(
            "refused refuses refuse declined declines renounced renounces reneged revoked "
            "disagreed disagrees"
        ),
    ),
    "outcome": (wordset("succeeded succeeds won wins"), wordset("failed fails lost loses")),
    # "captured" is left out: a town is captured far more often than a person
    "custody": (
        wordset("arrested detained jailed imprisoned in_custody"),
        wordset("released freed"),
    ),
    "guilt": (wordset("guilty convicted"), wordset("innocent acquitted")),
    "openness": (
        wordset("open opened opens reopen reopened reopens reopening"),
        wordset("closed closes shut shuts sealed"),
    ),
    "operation": (
        wordset("resumed resume resumes restarted go_ahead goes_ahead went_ahead"),
        wordset(
            "suspended suspends halted halts stopped cancelled canceled called_off calls_off"
        ),
    ),
    "restriction": (wordset("imposed imposes introduced"), wordset("lifted lifts")),
    "permission": (
        wordset("allowed allows permitted permits authorised authorized"),
        wordset("banned bans barred bars prohibited forbidden blocked"),
    ),
    "support": (
        wordset(
            "supported supports backed backs endorsed advocated advocates favoured favored "
            "championed voted_for votes_for welcomed welcomes praised praises hailed hails"
        ),
        wordset(
            "opposed opposes condemned condemns voted_against votes_against criticised "
            "criticized criticises criticizes denounced denounces"
        ),
    ),
    "attendance": (
        wordset("attended attends attend"),
        wordset("skipped skips boycotted boycotts missed"),
    ),
    "trend": (
        wordset("rose risen increased increases grew grown"),
        wordset("fell fallen decreased decreases dropped"),
    ),
    "damage": (
        wordset("intact undamaged unharmed unhurt"),
        wordset("damaged destroyed injured wounded hurt"),
    ),
}
# Concepts whose negative side reads as a negation of the positive one; only these count
# towards ``Claim.negated`` (for "presence" or "outcome" neither side is a negation).
_POLAR_CONCEPTS = frozenset({"life", "truth", "acceptance", "commitment"})


_INFLECTIONS = ("ing", "ed", "es", "s")


def _lemma(word: str) -> str:
    """Crude lemma: "capturing" / "captured" / "captures" / "capture" -> "captur"."""
    for suffix in _INFLECTIONS:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    return word[:-1] if word.endswith("e") and len(word) > 3 else word


# word (or "~" + lemma, for inflections the lexicon does not list) -> (concept, sign)
_CUE_INDEX: dict[str, list[tuple[str, int]]] = {}
for _concept, (_pos, _neg) in _ANTONYMS.items():
    for _sign, _members in ((1, _pos), (-1, _neg)):
        for _w in _members:
            _CUE_INDEX.setdefault(_w, []).append((_concept, _sign))
            if "_" not in _w:
                _hits = _CUE_INDEX.setdefault("~" + _lemma(_w), [])
                if (_concept, _sign) not in _hits:
                    _hits.append((_concept, _sign))
_BIGRAM_FIRST = frozenset(k.split("_")[0] for k in _CUE_INDEX if "_" in k)
# "no fewer than 20", "not only": a negator that does not negate the claim; "it was not
# clear whether ...": a hedge on the question, which it neither asserts nor denies
HEDGED_WORDS = wordset("clear known certain sure")  # "not clear" / "unclear": a hedge
_NOT_NEGATION = frozenset(
    {("not", "only"), ("no", "doubt"), ("not", "just"), ("no", "fewer"), ("no", "less")}
    | {("no", "more"), ("not", "least")}
    | {("not", word) for word in HEDGED_WORDS}
)
# "judged by its deeds, not its words", "Moscow, not Washington": a "not" after a noun
# and before a noun phrase sets one thing against another; it negates neither
_CONTRAST_BEFORE = frozenset({"its", "his", "her", "their", "the", "our", "my", "your"})
_NOT_AFTER_VERB = wordset(
    """
    is are was were be been being am do does did has have had will would can could
    should shall may might must to and or that if whether why how he she it they we i
    you said says say told tell ones one this these those there here also still yet
    """
)


def _contrastive(toks: list[str], i: int) -> bool:
    """``toks[i]`` is a "not" that contrasts two noun phrases ("by its deeds not its
    words"): a word other than a verb group, pronoun or conjunction before it, and a
    determiner or possessive after it."""
    return (
        toks[i] == "not"
        and 0 < i < len(toks) - 1
        and toks[i + 1] in _CONTRAST_BEFORE
        and toks[i - 1] not in _NOT_AFTER_VERB
        and not toks[i - 1].endswith(("n't", "ed"))
    )


# "stay away from", "left behind": a member followed by one of these states nothing of
# its concept
_NOT_CUE_BEFORE = frozenset({"stay", "left", "remain"})
_NOT_CUE_AFTER = frozenset({"away", "behind", "unclear", "unknown"})
# "left him unable to ...", "leaving them exposed": "leave" with a person as its object
# makes a state, it does not depart
_LEAVE = frozenset({"left", "leave", "leaves", "leaving"})
_PERSON_OBJECTS = frozenset({"him", "her", "them", "us", "me", "you"})
# "left many skeptical", "left thousands homeless": a quantity of people as the object is
# left in a state too (a place is never a quantity)
_QUANTITY_OBJECTS = wordset(
    "many most some several few dozens hundreds thousands millions scores countless"
)
# "stayed in power", "remains in office": a position held, not a place
_POSITIONS = frozenset({"power", "office", "charge"})
# Verbs that negate the verb after "to" (at most two words later): "declined to confirm",
# "failed on Monday to reach", "has yet to confirm", "refused to leave" (by lemma).
_NEGATING_BEFORE_TO = frozenset({"refus", "declin", "fail", "unabl"})
_NEGATING_PREFIXES = frozenset(w[:4] for w in _NEGATING_BEFORE_TO)
# verbs of denial that take a clause ("denied that", "denies reports that")
_DENIAL_VERBS = wordset(
    "denied denies deny denying rejected rejects rejecting dismissed dismisses refuted refutes"
)
_CLAUSE_SUBJECTS_AFTER_DENIAL = wordset("that reports claims")
# "rejected as false", "dismissed as baseless": the verb denies the truth of what follows
# (the adjective, a negative member of "truth", carries that cue); it refuses nothing
_FALSE_WORDS = _ANTONYMS["truth"][1]


def _gerund(tok: str) -> bool:
    """``tok`` opens a gerund clause after a denial verb: "denied having fled", "denies
    fleeing" (what is denied follows)."""
    return tok == "having" or (len(tok) > 5 and tok.endswith("ing"))


def _denial_as(toks: list[str], i: int) -> bool:
    """``toks[i]`` is the word of "rejected as false (the) reports that ..." (or
    "dismissed as baseless claims that") after which the denied statement begins."""
    nxt = toks[i + 1 : i + 3]
    if nxt[:1] == ["the"]:
        nxt = nxt[1:]
    return (
        i >= 2
        and toks[i - 1] == "as"
        and toks[i - 2] in _DENIAL_VERBS
        and nxt[:1] != []
        and nxt[0] in _CLAUSE_SUBJECTS_AFTER_DENIAL
    )


# Idioms that say something was not done: "stopped short of confirming", "refrained from
# commenting" ("short" / "refrained" is the negator)
_STOP_FORMS = wordset("stop stops stopped stopping fell falls fall falling")
_REFRAIN = wordset("refrain refrains refrained refraining")

NEG_SCOPE = 5  # a negator negates the state words up to this many content words after it


class Polarity:
    """Negators and antonym-lexicon hits of one normalised sentence."""

    __slots__ = ("concepts", "cue_words", "denied", "negative_words", "negators", "scoped")

    def __init__(
        self,
        negators: int,
        concepts: Counter[tuple[str, int]],
        cue_words: frozenset[str],
        negative_words: int,
        scoped: dict[str, set[int]],
        denied: frozenset[str] = frozenset(),
    ) -> None:
        self.negators = negators  # "not", "never", "didn't" ...
        self.concepts = concepts  # (concept, +1/-1) -> hits
        self.cue_words = cue_words  # the tokens that produced the cues
        self.negative_words = negative_words  # tokens on the negative side of a polar concept
        self.scoped = scoped  # concept -> signs, each flipped by a negator just before it
        self.denied = denied  # concepts flipped by a denial ("denied that he had left")

    @property
    def negated(self) -> bool:
        return (self.negators + self.negative_words) % 2 == 1

    def signs(self, concept: str) -> set[int]:
        return {sign for (c, sign) in self.concepts if c == concept}

    def effective(self) -> dict[str, int]:
        """Concept -> the state the sentence asserts: the member's sign, flipped when a
        negator stands at most ``NEG_SCOPE`` words before it ("would not be allowed");
        a concept asserted both ways is left out."""
        return {c: next(iter(signs)) for c, signs in self.scoped.items() if len(signs) == 1}

    def asserted(self) -> dict[str, int]:
        """``effective`` without the states a denial reports ("denied that he had fled"
        asserts nothing of his whereabouts in the writer's own voice)."""
        return {c: s for c, s in self.effective().items() if c not in self.denied}


_WEEKDAYS = wordset("monday tuesday wednesday thursday friday saturday sunday")


def _verb_before_to(toks: list[str], i: int) -> bool:
    """``toks[i]`` ("failed", "refused") governs a "to" at most two words later, with only
    function words, adverbs or dates between ("failed on Monday to reach"); not "a failed
    diplomatic initiative to remove", where it qualifies a noun."""
    if i and toks[i - 1] in ("a", "an", "the"):
        return False
    for tok in toks[i + 1 : i + 4]:
        if tok == "to":
            return True
        if not (
            tok in STOPWORDS
            or tok in DISCOURSE_WORDS
            or tok.endswith("ly")
            or tok in _WEEKDAYS
            or tok[:1].isdigit()
        ):
            return False
    return False


def _not_a_cue(toks: list[str], i: int) -> bool:
    """A member of the lexicon that states nothing of its concept where it stands: the
    verb of a two-word verb of ``monitor.lexicon`` ("losing altitude" is descending, not
    an outcome), "lives" / "lived" (where people live, or their lives), "stay away",
    "left behind", "left him unable", "left thousands homeless", "remained in power",
    "questions remain", "remains unstable", "were left under" (a passive), "is living in";
    "fell" and "dropped" said of no quantity ("the capital fell", "dropped off radar",
    "fell 8 days ago"); "closed in on" (approached); "stopped short of" (did not);
    "should not be allowed" (a modal's ought, as "should not have").
    """
    tok = toks[i]
    nxt = toks[i + 1] if i + 1 < len(toks) else ""
    after = toks[i + 2 : i + 3]
    if tok in _RESIDENCE or (tok == "living" and nxt in _PLACE_AFTER_LIVING):
        return True
    if phrase_concept(tok, nxt) is not None and f"{tok}_{nxt}" not in _CUE_INDEX:
        return True  # (a two-word verb that is a cue itself, "took off", is one)
    if nxt in _NOT_CUE_AFTER and _lemma(tok) in _NOT_CUE_BEFORE:
        return True
    if tok in _DENIAL_VERBS and nxt == "as" and after and after[0] in _FALSE_WORDS:
        return True  # "rejected as false reports that ...": the denial is "false"
    if nxt == "short" and after == ["of"]:
        return True  # "stopped short of": the "short" is the negator, nothing halted
    if tok == "lost" and i and toks[i - 1] in _BE_FORMS:
        return True  # "since the capital was lost": a place taken, no contest's outcome
    if _lemma(tok) == "clos" and nxt == "in" and after == ["on"]:
        return True  # "as rebels closed in on the capital": nothing was shut
    if tok in _LEAVE and (nxt in _PERSON_OBJECTS or nxt in _QUANTITY_OBJECTS):
        return True
    if tok == "left" and i and toks[i - 1] in _BE_FORMS:
        return True  # "the buildings were left under X's supervision": nobody departed
    if tok in _TREND_WORDS and not _of_quantity(toks, i):
        return True
    if tok in _PERMITTED and _ought_not_be(toks, i):
        return True  # "must not be allowed a role": what must not be, not a ban stated
    if _lemma(tok) in _STAY_LEMMAS and nxt not in _PLACE_AFTER_STAY:
        return True
    return nxt == "in" and bool(after) and after[0] in _POSITIONS


_PERMITTED = wordset("allowed permitted")
_OUGHT = wordset("should must")
_OUGHT_NOT = wordset("cannot shouldnt mustnt")


def _ought_not_be(toks: list[str], i: int) -> bool:
    """"should not be" / "must not be" / "cannot be" just before ``toks[i]``."""
    if i < 2 or toks[i - 1] != "be":
        return False
    return toks[i - 2] in _OUGHT_NOT or (i >= 3 and toks[i - 2] == "not" and toks[i - 3] in _OUGHT)


# "where the community lives", "lost their lives": residence or a noun, not survival
_RESIDENCE = wordset("lives lived")
_BE_FORMS = wordset("is are was were be been being")
# "is living in Moscow", "living abroad": residence, not survival ("still living" is)
_PLACE_AFTER_LIVING = wordset("in at abroad near under with there outside")
# "rose" and "fell" state a trend of a quantity: a figure within a few words after ("fell
# to 300", "dropped by 5%"), or a quantity noun before ("prices fell")
_TREND_WORDS = _ANTONYMS["trend"][0] | _ANTONYMS["trend"][1] | wordset("dropping falling rising")
_QUANTITY_NOUNS = wordset(
    """
    price prices rate rates number numbers figure figures toll count share shares output
    production value values level levels cost costs total totals percent inflation
    currency pound lira dollar rouble ruble exports imports sales turnout
    """
)
TREND_REACH = 4  # tokens after a trend word where its figure may stand


def _of_quantity(toks: list[str], i: int) -> bool:
    if i and toks[i - 1] in _QUANTITY_NOUNS:
        return True
    after = toks[i + 1 : i + 2 + TREND_REACH]
    return any(
        t in _QUANTITY_NOUNS
        # "fell 8 days ago" gives a time, not a figure; "grew as one city after another
        # fell" no figure either ("one" is as much an article as a count)
        or (
            t[:1].isdigit()
            and t != "1"
            and (k + 1 >= len(after) or after[k + 1] not in _TIME_UNITS)
        )
        for k, t in enumerate(after[:TREND_REACH])
    )


_TIME_UNITS = wordset(
    "second seconds minute minutes hour hours day days week weeks month months year years "
    "decade decades"
)


# "stayed in Damascus", "remained at the base", "stayed put": staying is a presence where
# a place or "put" follows; "questions remain", "remains unstable" state no presence
_STAY_LEMMAS = frozenset({_lemma(w) for w in ("remain", "stay")})
_PLACE_AFTER_STAY = wordset("in at inside on under there here put home with behind")


# A coordinator or relative pronoun opens a clause of its own when a verb group or a
# subject follows it ("... had not been found | and might have been destroyed"): a
# negator in one clause says nothing of the states of the other.
_CLAUSE_OPENERS = frozenset(
    {"and", "but", "or", "nor", "while", "whereas", "although", "though"}
)
_RELATIVES = frozenset({"which", "who"})
_VERB_GROUP = wordset(
    """
    would will could can might may must should shall was were is are had has have did
    does do he she they it we i
    """
)


# "... alert but that there was no threat": a second reported clause, or an existential one
_CLAUSE_SUBJECTS = frozenset({"that", "there"})


def clauses(norm: str) -> list[str]:
    """The clauses of a normalised sentence (split before a coordinator that opens a new
    verb group, and before a relative pronoun); one item when there is no such break."""
    toks = norm.split()
    out: list[list[str]] = [[]]
    for i, tok in enumerate(toks):
        nxt = toks[i + 1] if i + 1 < len(toks) else ""
        opens = tok in _RELATIVES or (
            tok in _CLAUSE_OPENERS and (nxt in _VERB_GROUP or nxt in _CLAUSE_SUBJECTS)
        )
        if opens and out[-1]:
            out.append([])
        out[-1].append(tok)
    return [" ".join(c) for c in out]


# Small on purpose: what a cache holds at its peak stays in the service's RSS for good.
@lru_cache(maxsize=4096)
def polarity_cues(norm: str) -> Polarity:
    toks = norm.split()
    negators = 0
    concepts: Counter[tuple[str, int]] = Counter()
    negative_words = 0
    words: set[str] = set()
    scoped: dict[str, set[int]] = {}
    last_negator = -NEG_SCOPE - 1
    last_denial = -NEG_SCOPE - 1
    denied: set[str] = set()
    # content words so far: the scope of a negator is counted in them, so that function
    # words do not end it ("at no point had he considered stepping down or fleeing")
    content = 0
    for i, tok in enumerate(toks):
        nxt = toks[i + 1] if i + 1 < len(toks) else ""
        if tok in NEGATORS:
            # "neither X nor Y" is one negation, not two
            negator = (
                (tok, nxt) not in _NOT_NEGATION
                and not (tok == "nor" and "neither" in toks[:i])
                and not _contrastive(toks, i)
            )
        elif tok == "yet":
            negator = nxt == "to"
        elif tok == "short":
            # "stopped short of confirming": did not confirm
            negator = nxt == "of" and i > 0 and toks[i - 1] in _STOP_FORMS
        elif tok in _REFRAIN:
            negator = nxt == "from"  # "refrained from commenting"
        else:
            negator = (
                tok[:4] in _NEGATING_PREFIXES
                and _lemma(tok) in _NEGATING_BEFORE_TO
                and _verb_before_to(toks, i)
            )
        if negator:
            negators += 1
            words.add(tok)
            last_negator = content
            continue
        content += tok not in STOPWORDS
        # an unlisted inflection of a member counts ("capturing"); a bare form does not
        # ("dispute", "escape" and "release" are nouns as often as verbs)
        hits = _CUE_INDEX.get(tok)
        if hits is None and tok.endswith(_INFLECTIONS):
            hits = _CUE_INDEX.get("~" + _lemma(tok))
        bigram = _CUE_INDEX.get(f"{tok}_{nxt}") if tok in _BIGRAM_FIRST else None
        if (not hits and not bigram) or _not_a_cue(toks, i):
            continue
        negative = False
        # a phrase means what the phrase means: "rejected reports" is a denial, not also
        # a refusal
        for cand_hits, pair in ((bigram, True),) if bigram else ((hits, False),):
            for hit in cand_hits or ():
                concepts[hit] += 1
                flip = -1 if content - max(last_negator, last_denial) <= NEG_SCOPE else 1
                if last_denial > last_negator and content - last_denial <= NEG_SCOPE:
                    denied.add(hit[0])
                scoped.setdefault(hit[0], set()).add(hit[1] * flip)
                words.add(tok)
                if pair:
                    words.add(nxt)
                if hit[1] < 0 and hit[0] in _POLAR_CONCEPTS:
                    negative = True
        negative_words += negative
        if tok in _DENIAL_VERBS and (nxt in _CLAUSE_SUBJECTS_AFTER_DENIAL or _gerund(nxt)):
            # "denied that Assad had left" states that he had not: the state words after a
            # denial are in its scope as after "not" (it is no negator: "denied" and "did
            # not confirm" are not the same statement)
            last_denial = content
        if _denial_as(toks, i):
            last_denial = content  # from "false": "rejecting as false reports that ..."
    return Polarity(
        negators, concepts, frozenset(words), negative_words, scoped, frozenset(denied)
    )
