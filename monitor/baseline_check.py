"""Check one claim against the baseline: held, contradicted, updated, or new.

``check_baseline`` is pure; it looks a claim up in a ``BaselineIndex`` (bounded work per
lookup) and returns a ``Verdict``. Steps, first conclusive one wins:

1. an exact ``norm`` match, or a candidate with similarity >= ``BASELINE_THRESHOLD``
   that agrees (same polarity, no replaced number/date/entity) -> held;
   such a candidate with flipped polarity -> contradicted; with replaced details ->
   updated (a differing detail versus the baseline is worth reporting as an update of a
   known claim rather than as a new claim; a detail on one side only is compatible);
2. containment (``monitor.containment``): a candidate that states the claim within a
   longer sentence -> held, contradicted or updated;
3. covers, for a sentence that joins several baseline statements (only when the
   candidates together hold most of its content stems, a cheap screen):
   a. clause cover: the sentence is split at commas, semicolons, dashes, conjunctions
      and relative pronouns, the pieces regrouped into the fewest clauses that each state
      something and are each contained in some baseline claim ("X arrived in Moscow,
      and Russia granted them asylum, a source said");
   b. split cover: the sentence cut in two anywhere, each half contained ("Insurgent
      forces led by X | seized control of the capital");
   held if every part is held; contradicted / updated if a part is; a clause may also
   be held by a union cover (c);
   c. union cover (``monitor.union_cover``): the sentence's words, names, numbers and
      dates found in a few baseline claims together, interleaved, with nothing flipped
      -> held (contradicted when one of them says the opposite of a main part);
4. a clause that says the opposite of a baseline claim, when nothing holds the whole
   sentence ("Russia took part in the talks | that ended Assad's rule": the relative
   clause adds words the baseline lacks) -> contradicted; the clauses are searched too
   when the screen of 3 fails but a close candidate has the other polarity;
5. a looser "state" contradiction: a candidate sharing the claim's entities (at least
   two, or all if it has one; every name of it at least by its last word; a speaker
   taken up by "he" is the subject) and most of its content words, with an
   antonym-lexicon concept of opposite sign ("Jalali had left Damascus" vs "Jalali,
   still in Damascus, ...") -> contradicted;
6. steps 2-5 once more with a known name's titles and first names set aside
   (``_described``: "Deposed Syrian president Bashar al-Assad left Syria" as "Assad
   left Syria", when the baseline writes "Bashar al-Assad" and no other "... al-Assad");
7. a loose restatement of one or two baseline claims (``monitor.restatement``: most of
   its words, and all its names, numbers and dates, in the closest claims) -> held, or
   updated when only a place differs; otherwise new;
   then a retelling in the neighbourhood's words (``monitor.retelling``: every word,
   name, number and date of it in some retrieved claim, each state it asserts and each
   negation it makes asserted by one, its names with what it says of them) -> held;
8. a held or new claim that turns a confirmation the baseline states for the same
   statement ("officially confirmed" / "no official confirmation", the same speaker
   confirming / denying; ``monitor.confirmation``) -> contradicted.

A contradiction found by steps 1-5 is withdrawn when the baseline holds both accounts:
the claim denies ("rejected reports that he fled as false") what one baseline claim
affirms ("Assad has fled"), but loosely restates (step 7) another that denies it the same
way ("denied reports that he fled, calling them false"), or retells it with its
neighbours when it denies a report; see ``_denial_known``.

Words are compared as concept stems (``monitor.lexicon``: "seized" / "took control of",
"backing" / "supported"), and names in the baseline's spelling ("Saydnaya" is looked up
as the baseline's "Sednaya").

A part of a cover must state something: enough content stems and ``CLAUSE_MIN_WORDS``
lowercase content words besides names, so that "Prime Minister Mohammad Jalali" from one
baseline claim and "has arrived in Moscow" from another do not hold a new statement.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from monitor.baseline import BaselineIndex, content_tokens
from monitor.claims import entity_words, make_claim, polarity_cues
from monitor.compare import (
    detail_changes,
    norms_flipped,
    polarity_flipped,
    source_replaced,
    source_words,
)
from monitor.confirmation import turned_confirmation
from monitor.containment import (
    CONTAIN_LIMIT,
    CONTAIN_MIN_STEMS,
    CONTAINMENT,
    HELD,
    Verdict,
    contain_stems,
    contained,
    names_found,
    restrict,
)
from monitor.fields import DEMONYM_ENDINGS, TITLE_WORDS, is_speech_tag, speaker_resumed
from monitor.lexicon import concept_stems, content_stems, implied_stems, joined_stems, stem
from monitor.models import BaselineClaim, ChangeType, Claim
from monitor.restatement import restated
from monitor.retelling import NEGATED_REACH, negated_stems, retold
from monitor.stopwords import REPORTING_WORDS
from monitor.textnorm import fold, normalise
from monitor.union_cover import union_cover

__all__ = ["BASELINE_THRESHOLD", "Verdict", "check_baseline"]

BASELINE_THRESHOLD = 85.0  # a claim vs the baseline (other articles): stricter than versions
BASELINE_LIMIT = 8  # candidates compared as whole sentences
STATE_CONTAINMENT = 0.6  # share of the claim's content words found in the baseline claim
CLAUSE_MIN_WORDS = 2  # a clause states something: this many lowercase content words
CLAUSE_MAX_PIECES = 12  # longer sentences are not searched for a clause cover
CLAUSE_MAX_JOIN = 4  # a clause joins at most this many pieces
DENIAL_SHARE = 0.5  # share of the claim's content stems such a denial holds


# --------------------------------------------------------------------------------------
# Clause cover

# Where a sentence may join statements: punctuation; conjunctions, subordinators and
# relative pronouns that open a clause; a reduced relative clause ("forces led by X").
# Pieces are regrouped (see ``_clause_cover``), so splitting too finely costs only lookups.
_CLAUSE_BREAK = re.compile(
    r"\s*(?:[;()]|[,:](?=\s))\s*|\s+-\s+"
    r"|\s+(?=(?:and|but|while|whereas|which|who|where|that|as|when|once|before|after"
    r"|because|although|though|until|unless)\s)"
    r"|\s+(?=[a-z]+ed\s+by\s)",
    re.I,
)
_LOWER_WORD = re.compile(r"\b[a-z][\w'-]*")


def _states_something(clause: Claim) -> bool:
    """Enough content for containment, and a predicate: ``CLAUSE_MIN_WORDS`` lowercase
    content words besides names (a name, a date or "a source said" alone is not a clause,
    nor is "Prime Minister Mohammad Jalali"), nor a speech tag, however its speaker is
    described ("Mikhail Ulyanov, Russia's envoy in Geneva, said on Telegram")."""
    if len(contain_stems(clause)) < CONTAIN_MIN_STEMS or is_speech_tag(clause.text):
        return False
    names = entity_words(clause.entities) | source_words(clause) | TITLE_WORDS
    lower = [w for w in _LOWER_WORD.findall(clause.text) if w not in names]
    return len(content_tokens(" ".join(lower))) >= CLAUSE_MIN_WORDS


def _pieces(text: str) -> list[tuple[int, int]]:
    """The spans of ``text`` between clause breaks, without their surrounding spaces."""
    spans: list[tuple[int, int]] = []
    at = 0
    for m in [*_CLAUSE_BREAK.finditer(text), None]:
        lo, hi = at, (len(text) if m is None else m.start())
        piece = text[lo:hi]
        if piece.strip():
            lead = len(piece) - len(piece.lstrip())
            spans.append((lo + lead, lo + len(piece.rstrip())))
        if m is not None:
            at = m.end()
    return spans


def _clause_cover(
    claim: Claim, baseline: BaselineIndex, *, describe: bool = False
) -> tuple[Verdict | None, Verdict | None]:
    """Step 3: the sentence's pieces grouped into clauses that each state something and
    are each contained in some baseline claim; the fewest clauses win. Returns the verdict
    of that grouping (None if there is none, or only the whole sentence, already checked)
    and the first clause found contradicted (the verdict when nothing else holds the
    sentence). With ``describe``, each clause is compared without a known name's titles
    and first names (``_described``)."""
    text = fold(claim.text)
    # each piece as a span of the text, so that a clause keeps the commas between its
    # pieces: "Mikhail Ulyanov, Russia's envoy in Geneva, said" is not one name
    pieces = _pieces(text)
    n = len(pieces)
    if not 2 <= n <= CLAUSE_MAX_PIECES:
        return None, None
    # best[i]: the fewest clauses covering pieces[:i], with their verdicts
    best: list[list[Verdict] | None] = [[], *([None] * n)]
    # a clause that says the opposite of a baseline claim makes the sentence a
    # contradiction even when another of its clauses is not found ("Russia had taken
    # part in the talks | that ended Assad's rule")
    opposed: Verdict | None = None
    for i in range(1, n + 1):
        for j in range(max(0, i - CLAUSE_MAX_JOIN), i):
            head = best[j]
            if head is None or (j == 0 and i == n):
                continue
            current = best[i]
            if current is not None and len(current) <= len(head) + 1:
                continue
            clause = make_claim(text[pieces[j][0] : pieces[i - 1][1]], claim.position)
            if describe:
                clause = _described(clause, baseline)
            if not _states_something(clause):
                continue
            clause_cands = baseline.scored_candidates(clause, CONTAIN_LIMIT)
            verdict = contained(clause, clause_cands, set()) or union_cover(clause, clause_cands)
            if verdict is not None:
                best[i] = [*head, verdict]
                if verdict.kind is ChangeType.CONTRADICTED and opposed is None:
                    opposed = None if _dangling(clause) else verdict
    verdicts = best[n]
    return (None if verdicts is None else _worst(verdicts)), opposed


def _may_contradict(claim: Claim, cands: Sequence[tuple[BaselineClaim, float]]) -> bool:
    """Cheap screen for a contradicted clause: one of the best candidates shares
    ``CONTAIN_MIN_STEMS`` stems with the sentence and has the other polarity."""
    mine = contain_stems(claim)
    return any(
        len(mine.intersection(concept_stems(bc.claim.key.split()))) >= CONTAIN_MIN_STEMS
        and norms_flipped(claim.norm, bc.claim.norm)
        for bc, _ in cands[:BASELINE_LIMIT]
    )


def _dangling(clause: Claim) -> bool:
    """The clause ends in a verb of speech or stance whose statement was cut off ("Assad,
    in a statement, denied | that he fled"): its polarity is not its own."""
    toks = clause.norm.split()
    return bool(toks) and (
        toks[-1] in REPORTING_WORDS or toks[-1] in polarity_cues(clause.norm).cue_words
    )


def _union_holds(claim: Claim, cands: Sequence[tuple[BaselineClaim, float]]) -> bool:
    """Cheap screen before the covers: the candidates together hold ``CONTAINMENT`` of the
    claim's content stems (a sentence with new words is new, however it is cut)."""
    mine = contain_stems(claim)
    if len(mine) < 2 * CONTAIN_MIN_STEMS:
        return False
    theirs: set[str] = set()
    keys = claim.key.split()
    for bc, _ in cands:
        toks = bc.claim.key.split()
        theirs.update(concept_stems(toks), implied_stems(toks), joined_stems(keys, toks))
    return len(mine & theirs) >= CONTAINMENT * len(mine)


def _part(claim: Claim, lo: int, hi: int) -> Claim:
    """Tokens ``lo:hi`` of a claim as a claim of their own (``norm`` and ``key`` tokens
    correspond one to one), with only the details and names that occur in them."""
    norm = " ".join(claim.norm.split()[lo:hi])
    return restrict(replace(claim, norm=norm, key=" ".join(claim.key.split()[lo:hi])), norm)


def _split_cover(claim: Claim, cands: Sequence[tuple[BaselineClaim, float]]) -> Verdict | None:
    """Step 3b: the sentence cut in two anywhere (not only at a clause break), each part
    stating something and contained in a baseline claim ("Insurgent forces led by X |
    seized control of the capital" from two sentences). Cuts are pre-screened on stems."""
    keys = claim.key.split()
    drop = polarity_cues(claim.norm).cue_words | source_words(claim)
    names = entity_words(claim.entities) | TITLE_WORDS  # "Prime Minister X" names someone
    # per token: its stem if it is a content word, and whether it is a lowercase word
    content = content_stems(keys, drop)
    lower = [bool(st) and t not in names for st, t in zip(content, keys, strict=True)]
    if len(set(content) - {""}) < 2 * CONTAIN_MIN_STEMS:
        return None
    cand_stems = [
        set(concept_stems(toks)) | implied_stems(toks)
        for toks in (bc.claim.key.split() for bc, _ in cands)
    ]

    def held_somewhere(mine: set[str]) -> bool:
        need = CONTAINMENT * len(mine)
        return any(len(mine & theirs) >= need for theirs in cand_stems)

    for cut in range(1, len(keys)):
        if not content[cut - 1]:
            continue  # cuts inside a run of function words give the same parts
        left, right = set(content[:cut]) - {""}, set(content[cut:]) - {""}
        if min(len(left), len(right)) < CONTAIN_MIN_STEMS:
            continue
        if min(sum(lower[:cut]), sum(lower[cut:])) < CLAUSE_MIN_WORDS:
            continue
        if not (held_somewhere(left) and held_somewhere(right)):
            continue
        first = contained(_part(claim, 0, cut), cands, set())
        second = contained(_part(claim, cut, len(keys)), cands, set()) if first else None
        if first is not None and second is not None:
            return _worst([first, second])
    return None


def _worst(verdicts: Sequence[Verdict]) -> Verdict:
    """Contradicted over updated over held."""
    for kind in (ChangeType.CONTRADICTED, ChangeType.UPDATED):
        for verdict in verdicts:
            if verdict.kind is kind:
                return verdict
    return HELD


# --------------------------------------------------------------------------------------
# State contradiction


def _state_contradiction(claim: Claim, other: Claim) -> bool:
    """Loose contradiction: same subject/place, opposite antonym-lexicon state."""
    eff_a = polarity_cues(claim.norm).effective()
    if not eff_a:
        return False
    eff_b = polarity_cues(other.norm).asserted()
    if not any(c in eff_b and eff_b[c] == -s for c, s in eff_a.items()):
        return False
    # the source is the subject when a pronoun takes it up ("Jalali said he would stay")
    attr = set() if speaker_resumed(claim.text) else source_words(claim)
    ents = entity_words(claim.entities) - attr
    if not ents:
        return False
    shared = ents & entity_words(other.entities)
    if len(shared) < min(2, len(ents)):
        return False
    if not names_found(claim, set(concept_stems(other.key.split()))):
        return False  # another subject or place: "Jalali would stay" / "Assad had fled"
    mine = content_tokens(claim.key) - polarity_cues(claim.norm).cue_words - attr
    if not mine:
        return False
    theirs = content_tokens(other.key)
    return len(mine & theirs) / len(mine) >= STATE_CONTAINMENT


# --------------------------------------------------------------------------------------


def _respelled(claim: Claim, baseline: BaselineIndex) -> Claim:
    """``claim`` with its names in the baseline's spelling ("Saydnaya" -> "Sednaya"), and
    without the given names of a name the baseline writes bare ("Vladimir Putin" ->
    "Putin": who is meant, not what is said)."""
    subs: dict[str, str] = {}
    for word in entity_words(claim.entities):
        alt = baseline.respell(word)
        if alt is not None:
            subs[word] = alt
    text = claim.text
    for ent in claim.entities:
        given = baseline.given_names(ent)
        if given:
            head = ent.split()[-1]
            text = re.sub(r"\b" + r"\s+".join(given) + r"\s+(?=" + re.escape(head) + r"\b)",
                          "", text, flags=re.I)
    if not subs:
        return claim if text == claim.text else make_claim(text, claim.position)
    pattern = re.compile(r"\b(?:" + "|".join(map(re.escape, subs)) + r")\b", re.I)

    def _sub(m: re.Match[str]) -> str:
        alt = subs[m.group(0).lower()]
        return alt.capitalize() if m.group(0)[:1].isupper() else alt

    return make_claim(pattern.sub(_sub, text), claim.position)


_MASK = "_"  # a key token that no stem is computed for (one letter)


def _described(claim: Claim, baseline: BaselineIndex) -> Claim:
    """``claim`` with the words that only say who a known name is masked in its key: the
    other words of a full name the baseline writes ("Bashar" of "Bashar al-Assad") and
    the titles before it ("Deposed Syrian president"), so that "Deposed Syrian president
    Bashar al-Assad left Syria" compares as "Assad left Syria"; and a description set off
    after a name the baseline uses ("Aleppo, Syria's second-largest city"), numbers and
    all. ``norm`` and the names are kept: the name is still checked by its last word."""
    toks = claim.norm.split()
    keys = claim.key.split()
    if len(toks) != len(keys):
        return claim
    masked = list(keys)
    numbers = list(claim.numbers)
    for ent in claim.entities:
        words = [w.replace("'", "") for w in re.split(r"[\s-]+", ent.lower()) if w]
        n = len(words)
        at = next((i for i in range(len(toks) - n + 1) if toks[i : i + n] == words), None)
        if at is None:
            continue
        if baseline.name_share(stem(words[-1])) > 0:
            # a description after a name the baseline uses ("Aleppo, Syria's
            # second-largest city"), with its numbers
            for k in _appositive(claim.text, ent, toks, at + n):
                masked[k] = _MASK
                if toks[k] in numbers:
                    numbers.remove(toks[k])
        if not baseline.knows_name(ent):
            continue
        masked[at : at + n - 1] = [_MASK] * (n - 1)
        j = at - 1
        while j >= 0 and (toks[j] in TITLE_WORDS or toks[j].endswith(DEMONYM_ENDINGS)):
            masked[j] = _MASK
            j -= 1
    if masked == keys:
        return claim
    return replace(claim, key=" ".join(masked), numbers=tuple(numbers))


_APPOSITIVE_AFTER = r",\s+((?:the|an?|[A-Z][\w-]*'s?)\s[^,.;:!?\"()]{1,60})(?=[,.;:!?]|$)"


def _appositive(text: str, name: str, toks: list[str], after: int) -> range:
    """The token positions of a description set off by a comma right after ``name``
    (starting at token ``after``): "the Kremlin's special envoy", "Syria's second-largest
    city"; empty when there is none."""
    m = re.search(re.escape(name) + _APPOSITIVE_AFTER, fold(text))
    if m is None:
        return range(0)
    words = normalise(m.group(1))[0].split()
    if toks[after : after + len(words)] != words:
        return range(0)
    return range(after, after + len(words))


def check_baseline(claim: Claim, baseline: BaselineIndex) -> Verdict:
    """What the baseline says about ``claim`` (see the module docstring); names are
    compared in the baseline's spelling."""
    claim = _respelled(claim, baseline)
    cands = baseline.scored_candidates(claim, CONTAIN_LIMIT)
    verdict = _check(claim, cands, baseline)
    if verdict.kind is ChangeType.CONTRADICTED and _denial_known(
        claim, verdict.baseline, cands, baseline
    ):
        return HELD
    if verdict.kind is None or verdict.kind is ChangeType.NEW:
        # step 8: a confirmation the baseline says is missing, or the reverse
        turned = turned_confirmation(claim, cands)
        if turned is not None:
            return Verdict(ChangeType.CONTRADICTED, turned)
    return verdict


def _denial_known(
    claim: Claim,
    contradicted: BaselineClaim | None,
    cands: Sequence[tuple[BaselineClaim, float]],
    baseline: BaselineIndex,
) -> bool:
    """The claim denies what a baseline claim affirms, but the baseline reports that
    denial too: it holds both accounts ("Assad has fled" and "Assad has denied that he
    fled"), and the claim restates the denying one (step 7: most of its words in it, and
    it denies as well). An affirmation is not let off the same way: the loose match of
    an affirmation to some other baseline claim ("after negotiations with several
    participants") is no evidence that the baseline affirms it; nor is a claim that
    affirms what the ``contradicted`` claim negates ("Russia took part in the talks that
    led Assad to leave" against "Russia did not participate"), whatever else it denies."""
    denial = _denial(claim)
    if not denial:
        return False
    if contradicted is not None and "not" in _denial(contradicted.claim) - denial:
        return False
    mine = contain_stems(claim)
    negated = negated_stems(claim) | _denied_stems(claim)
    denying = [
        bc for bc, _ in cands  # all retrieved: a short denial may rank it low
        if denial <= _denial(bc.claim)
        and len(mine & contain_stems(bc.claim)) >= DENIAL_SHARE * len(mine)
        # it denies the same thing: "had not been granted asylum" is not "no official
        # confirmation of Assad's asylum"
        and negated <= negated_stems(bc.claim, reach=NEGATED_REACH, cues=True)
    ]
    if not denying:
        return False
    if restated(claim, cands, baseline) is HELD:
        return True
    # a denial of a report ("denied that he had fled") told in the neighbourhood's words,
    # the denial among them; not a refusal ("refused to cooperate"), which retelling
    # does not weigh
    return "truth" in denial and retold(claim, cands) is HELD


def _denied_stems(claim: Claim) -> set[str]:
    """The first content stem after each word of the claim that denies a report
    ("denied that he had fled" -> flee; "rejected as false reports that" -> report)."""
    toks = claim.key.split()
    out: set[str] = set()
    for i, tok in enumerate(toks):
        if ("truth", -1) in polarity_cues(tok).concepts:
            rest = [t for t in toks[i + 1 :] if t != "having"]  # "denied having fled"
            out.update([st for st in content_stems(rest) if st][:1])
    return out


def _denial(claim: Claim) -> set[str]:
    """The negative cues of a claim: "not" for a negator, and each polar concept it uses
    on its negative side ("denied", "false": truth)."""
    cues = polarity_cues(claim.norm)
    out = {concept for concept, sign in cues.concepts if sign < 0}
    if cues.negators:
        out.add("not")
    return out


def _check(
    claim: Claim, cands: Sequence[tuple[BaselineClaim, float]], baseline: BaselineIndex
) -> Verdict:
    """Steps 1-7 (see the module docstring)."""
    if any(bc.claim.norm == claim.norm for bc, _ in cands):
        return HELD
    close = [(bc, s) for bc, s in cands[:BASELINE_LIMIT] if s >= BASELINE_THRESHOLD]
    flipped: BaselineClaim | None = None
    updated: Verdict | None = None
    for bc, _ in close:
        if polarity_flipped(bc.claim, claim):
            flipped = flipped or bc
            continue
        changed = detail_changes(bc.claim, claim, replace_only=True)
        changed += source_replaced(bc.claim, claim, changed)
        if not changed:
            return HELD
        updated = updated or Verdict(ChangeType.UPDATED, bc, changed)
    if flipped is not None:
        return Verdict(ChangeType.CONTRADICTED, flipped)
    if updated is not None:
        return updated
    skip = {id(bc) for bc, _ in close}
    verdict = _covered(claim, cands, skip, baseline, describe=False)
    if verdict.kind is ChangeType.NEW:
        # once more with a known name's titles and first names aside, which another
        # article need not repeat ("Deposed Syrian president Bashar al-Assad left ...")
        core = _described(claim, baseline)
        if core is not claim:
            verdict = _covered(core, cands, skip, baseline, describe=True)
    if verdict.kind is ChangeType.NEW:
        # a retelling may use a synonym of a word no baseline claim uses: the claims that
        # have it are its neighbours too ("startling speed" / "stunning victories")
        return (
            restated(claim, cands, baseline)
            or retold(claim, [*cands, *baseline.by_class(claim, cands)])
            or verdict
        )
    return verdict


def _covered(
    claim: Claim,
    cands: Sequence[tuple[BaselineClaim, float]],
    skip: set[int],
    baseline: BaselineIndex,
    *,
    describe: bool,
) -> Verdict:
    """Steps 2-5 (see the module docstring)."""
    verdict = contained(claim, cands, skip)
    opposed: Verdict | None = None
    if verdict is None and _union_holds(claim, cands):
        verdict, opposed = _clause_cover(claim, baseline, describe=describe)
        verdict = verdict or _split_cover(claim, cands)
    elif verdict is None and _may_contradict(claim, cands):
        # new words, but a clause may still say the opposite of a baseline claim
        opposed = _clause_cover(claim, baseline, describe=describe)[1]
    if verdict is not None:
        return verdict
    verdict = union_cover(claim, cands) or opposed
    if verdict is not None:
        return verdict
    for bc, _ in cands:
        if _state_contradiction(claim, bc.claim):
            return Verdict(ChangeType.CONTRADICTED, bc)
    return Verdict(ChangeType.NEW)
