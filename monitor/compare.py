"""Compare two versions of one statement: did its polarity flip, which details changed.

Pure functions on ``Claim`` fields, used by the alignment of article versions and by the
baseline check:

- ``polarity_flipped``: a negator toggled or an antonym swapped, judged on the whole
  sentences, on the edited tokens only (scope), and clause by clause (two flips in two
  clauses do not cancel out);
- ``detail_changes``: replaced numbers, dates, names (entities), offices (roles) and
  source, as ``{"kind", "old", "new"}`` dicts. A name that is still written in the other
  version (a sentence opener such as "Rebel forces", a respelling, an acronym of a full
  name, a pronoun in its place) is no change; against the baseline a name counts as
  replaced only in the same place and role ("fled to Moscow" / "left Syria" is none);
  how names are written and compared is in ``monitor.names``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from difflib import SequenceMatcher
from functools import lru_cache
from typing import Any

from rapidfuzz import fuzz

from monitor.claims import entity_words, make_claim, polarity_cues, split_sentences
from monitor.fields import DEMONYM_ENDINGS, TITLE_WORDS, addressees
from monitor.lexicon import CAPITALS, COUNTRIES, DEMONYMS, country_of, stem
from monitor.models import Claim
from monitor.names import (
    acronym_of_any,
    is_acronym_of,
    pro_form_for,
    role_changes,
    same_name,
    same_neighbour,
    same_role,
)
from monitor.polarity import HEDGED_WORDS, NEGATING_WORDS, clauses
from monitor.stopwords import wordset

__all__ = [
    "denial_added",
    "detail_changes",
    "norms_flipped",
    "polarity_flipped",
    "same_date",
    "source_replaced",
    "source_terms",
    "source_words",
]

SOURCE_TYPO_RATIO = 90.0  # attributions this close are the same source, respelled
_SOURCE_FILLER = frozenset({"the", "a", "an", "of", "for", "and"})


# --------------------------------------------------------------------------------------
# Polarity


def norms_flipped(a: str, b: str) -> bool:
    """True if normalised text ``b`` has the opposite polarity of ``a``: the parity of
    negators differs, plus one flip per antonym concept used with opposite signs, plus one
    per word negated by a prefix on one side only ("likely" / "unlikely", "legal" /
    "illegal")."""
    pa, pb = polarity_cues(a), polarity_cues(b)
    negation = (pa.negators - pb.negators) % 2
    flips = 0
    for concept in {c for c, _ in pa.concepts} | {c for c, _ in pb.concepts}:
        sa, sb = pa.signs(concept), pb.signs(concept)
        if len(sa) == 1 and len(sb) == 1 and sa != sb:
            flips += 1
    # a negator on one side only, answered by a word that carries the negation on the
    # other ("denied that he had left" / "insisted that he had not left"); when a
    # concept turned ("not confirmed" / "denied") the turn already answers it
    if negation and not (flips == 0 and _negation_in_a_word(a, b, pa.negators < pb.negators)):
        flips += 1
    cues = pa.cue_words | pb.cue_words  # already counted through the lexicon
    ta, tb = set(a.split()) - cues, set(b.split()) - cues
    flips += _prefix_negations(ta, tb) + _prefix_negations(tb, ta)
    return flips % 2 == 1


def _negation_in_a_word(a: str, b: str, a_has_fewer: bool) -> bool:
    """The side with one negator fewer has a word that carries the negation (and the other
    side does not have it): the two say the same thing two ways."""
    fewer, more = (a, b) if a_has_fewer else (b, a)
    roots = {NEGATING_WORDS[w] for w in fewer.split() if w in NEGATING_WORDS}
    return bool(roots) and roots.isdisjoint(NEGATING_WORDS.get(w) for w in more.split())


# Negative prefixes: a word on one side written with one of them on the other only.
# "un" and "non" negate whatever follows; the others only adjectives and participles
# ("illegal", "impossible", "disloyal"), not "inside" / "side" or "informed" / "formed".
_NEG_PREFIXES = {
    "un": None, "non": None,
    "in": ("able", "ible", "al", "ant", "ent", "ive", "ate", "ect", "ete", "ure", "ous"),
    "im": ("able", "ible", "al", "ant", "ent", "ive", "ect", "ous"),
    "il": ("al", "ate", "ical"),
    "ir": ("able", "ible", "al", "ant", "ar", "ent", "ive"),
    "dis": ("able", "al", "ed", "ee", "ful", "est", "ent"),
}  # fmt: skip
_MIN_BASE = 4  # "able" / "unable"; shorter bases ("in" + "to") are chance
_PREFIX_STARTS = frozenset(p[:2] for p in _NEG_PREFIXES)


def _prefix_negations(mine: set[str], theirs: set[str]) -> int:
    """Words of ``mine`` that are a word of ``theirs`` with a negative prefix, when
    ``mine`` does not also have the bare word."""
    count = 0
    for w in mine:
        if w[:2] not in _PREFIX_STARTS:
            continue
        for prefix, endings in _NEG_PREFIXES.items():
            base = w[len(prefix) :]
            if (
                w.startswith(prefix)
                and len(base) >= _MIN_BASE
                and base in theirs
                and base not in mine
                and (endings is None or base.endswith(endings))
                # "unclear" / "not clear": the other side says it with a "not"
                and not (base in HEDGED_WORDS and "not" in theirs)
            ):
                count += 1
    return count



def _edited_segments(a: str, b: str) -> tuple[str, str]:
    """The tokens that differ between two normalised sentences (each run with the token
    before and the token after it, so that bigram cues such as "still in" and "unable
    to" survive), joined per side."""
    ta, tb = a.split(), b.split()
    seg_a: list[str] = []
    seg_b: list[str] = []
    ops = SequenceMatcher(None, ta, tb, autojunk=False).get_opcodes()
    for tag, i1, i2, j1, j2 in ops:
        if tag == "equal":
            continue
        seg_a += [*ta[max(0, i1 - 1) : i2 + 1], "|"]
        seg_b += [*tb[max(0, j1 - 1) : j2 + 1], "|"]
    return " ".join(seg_a), " ".join(seg_b)


def polarity_flipped(a: Claim, b: Claim) -> bool:
    """True if b says the opposite of a (negator toggled, or antonym swapped).

    Judged on the whole sentences, then in scope: on the edited part only, so that
    an unchanged cue elsewhere in the sentence ("... and promised a handover") does not
    mask a swap ("pledged cooperation" -> "refused to cooperate").
    """
    if norms_flipped(a.norm, b.norm):
        return True
    seg_a, seg_b = _edited_segments(a.norm, b.norm)
    if not (seg_a or seg_b):
        return False
    return norms_flipped(seg_a, seg_b) or _clause_flipped(_clauses(a), _clauses(b))


def _clauses(claim: Claim) -> list[str]:
    """The clauses of a claim; a claim made of adjacent sentences read as one (a merge
    or split) breaks at its sentence ends too: the norm has lost them, and "... for
    torture. They have not said" is two clauses as much as "... for torture but have
    not said"."""
    if ". " not in claim.text:
        return clauses(claim.norm)
    sents = split_sentences(claim.text)
    if len(sents) == 1:
        return clauses(claim.norm)
    return [c for s in sents for c in clauses(make_claim(s).norm)]


CLAUSE_MATCH = 0.8  # share of a clause's tokens the other version's clause must have


def _clause_flipped(ca: list[str], cb: list[str]) -> bool:
    """A clause of ``ca`` says the opposite of the clause of ``cb`` that states it: two
    flips in different clauses ("had been found intact and would be handed over" ->
    "had not been found and might have been destroyed") do not cancel out."""
    if len(ca) == len(cb) == 1:
        return False
    for x in ca:
        tx = set(x.split())
        best = max(cb, key=lambda y: len(tx & set(y.split())))
        ty = set(best.split())
        if (
            x != best
            and len(tx & ty) >= CLAUSE_MATCH * max(len(tx), len(ty))
            and norms_flipped(x, best)
        ):
            return True
    # a clause of one side against the stretch of the other that states it, when the
    # other joins it with more ("in contact with leaders | who have assured the safety"
    # / "had no contact with leaders, and the safety has not been assured")
    for xs, other in ((ca, cb), (cb, ca)):
        if len(xs) < 2:
            continue
        toks = " ".join(other).split()
        for x in xs:
            span = _stretch(x.split(), toks)
            if span is not None and norms_flipped(x, span):
                return True
    return False


STRETCH_SLACK = 3  # tokens a stretch may have beyond its clause's
STRETCH_MATCH = 0.7  # share of the clause's tokens matched in it


def _stretch(clause: list[str], toks: list[str]) -> str | None:
    """The stretch of ``toks`` that states ``clause``: matching it in order, at most
    ``STRETCH_SLACK`` tokens longer than it, with ``STRETCH_MATCH`` of it matched; None when
    there is none."""
    blocks = [
        b for b in SequenceMatcher(None, clause, toks, autojunk=False).get_matching_blocks()
        if b.size
    ]
    best: tuple[int, int, int] | None = None  # matched, start, end
    for i, first in enumerate(blocks):
        matched = 0
        for last in blocks[i:]:
            end = last.b + last.size
            if end - first.b > len(clause) + STRETCH_SLACK:
                break
            matched += last.size
            if best is None or matched > best[0]:
                best = (matched, first.b, end)
    if best is None or best[0] < STRETCH_MATCH * len(clause):
        return None
    return " ".join(toks[best[1] : best[2]])


def denial_added(a: Claim, b: Claim) -> bool:
    """True if one version of a sentence denies what the other states ("officials said
    X had left" -> "officials denied that X had left"): the edit brings in a denial
    with no confirmation or denial on the other side. Only for two versions of one
    sentence: against another article, "denied reports that ..." restates a claim."""
    seg_a, seg_b = _edited_segments(a.norm, b.norm)
    sa = polarity_cues(seg_a).signs(_DENIAL)
    sb = polarity_cues(seg_b).signs(_DENIAL)
    return {frozenset(sa), frozenset(sb)} == {frozenset(), frozenset({-1})} and (
        polarity_cues(a.norm).negators == polarity_cues(b.norm).negators
    )


_DENIAL = "truth"  # the polar concept whose negative side denies a whole statement


# --------------------------------------------------------------------------------------
# Details


def source_words(claim: Claim) -> set[str]:
    """The lowercase words of the claim's source ("Kremlin source" -> {"kremlin", "source"})."""
    if not claim.attribution:
        return set()
    return {w.removesuffix("'s").replace("'", "") for w in claim.attribution.lower().split()}


def _multiset_diff(old: Sequence[str], new: Sequence[str]) -> tuple[list[str], list[str]]:
    removed = list(old)
    added: list[str] = []
    for v in new:
        if v in removed:
            removed.remove(v)
        else:
            added.append(v)
    return removed, added


def _pairs(kind: str, removed: list[Any], added: list[Any], replace_only: bool) -> list[dict]:
    out: list[dict] = []
    for i in range(max(len(removed), len(added))):
        old = removed[i] if i < len(removed) else None
        new = added[i] if i < len(added) else None
        if replace_only and (old is None or new is None):
            continue
        out.append({"kind": kind, "old": old, "new": new})
    return out


# How a source's access is framed: "officials familiar with the talks", "... with knowledge
# of the talks", "... close to the talks", "... briefed on the talks" are one source.
_SOURCE_FRAMING = wordset("familiar knowledge close briefed aware with of to on about")


def _norm_source(s: str | None) -> str | None:
    return " ".join(s.lower().replace("'s", "").split()) if s else None


# Nouns that refer back to a source named elsewhere in the sentence ("Teams from the
# White Helmets searched the prison, the group said")
_GENERIC_SOURCES = frozenset(
    {"group", "ministry", "agency", "organisation", "organization", "office", "army",
     "military", "government", "company", "council", "statement", "spokesman",
     "spokeswoman", "spokesperson", "official", "officials", "source", "sources",
     "the", "a", "an", "its", "their"}
)  # fmt: skip


def _generic_for(generic: str | None, named: str | None, claim: Claim) -> bool:
    """``generic`` is a noun such as "the group" and the words of ``named`` (the other
    version's source) still stand in ``claim``."""
    if not generic or not named:
        return False
    if not set(generic.lower().split()) <= _GENERIC_SOURCES:
        return False
    return _words_in(named, claim)


# A source that names nobody: "early reports", "some media accounts", "rumours"
_UNNAMED_HEADS = wordset("reports report accounts rumours rumors")
_UNNAMED_WORDS = wordset(
    "early earlier initial first some several other conflicting unconfirmed many media news"
)


def _unnamed(source: str) -> bool:
    """``source`` (normalised) names nobody: "early reports", "media reports"."""
    *words, head = source.split() or [""]
    return head in _UNNAMED_HEADS and set(words) <= _UNNAMED_WORDS


def _source_changed(old: str | None, new: str | None) -> bool:
    """Sources differ. A respelling ("defnce" -> "defence") is a typo fix, and a source
    written more or less fully ("Observatory for Human Rights" -> "Syrian Observatory for
    Human Rights", "the ministry" -> "the foreign ministry", "Mr Peskov" -> "Dmitry
    Peskov", "EU" -> "European Union") is the same source."""
    a, b = _norm_source(old), _norm_source(new)
    if a == b:
        return False
    if a is None or b is None:
        # "Early reports suggested" / "Initial reports indicated": nobody was named
        return not _unnamed(a or b or "")
    wa, wb = set(a.split()) - _SOURCE_FILLER, set(b.split()) - _SOURCE_FILLER
    # as written, then without titles ("Mr"), then without the framing of access
    for drop in (frozenset(), TITLE_WORDS, _SOURCE_FRAMING):
        xa, xb = wa - drop, wb - drop
        if xa and xb and (xa <= xb or xb <= xa):
            return False
    if is_acronym_of(old or "", new or "") or is_acronym_of(new or "", old or ""):
        return False  # "EU" / "European Union"
    if country_of(a) == country_of(b):
        return False  # "the Kremlin" / "Moscow"
    if _place_of(wa) and _place_of(wa) == _place_of(wb):
        return False  # "Jordan" / "the government in Amman"
    # a respelt name ("Kremiln" / "Kremlin"): the same source
    return fuzz.ratio(a, b) < SOURCE_TYPO_RATIO and not (
        " " not in a and " " not in b and same_name(a, b)
    )


def _place_of(words: set[str]) -> frozenset[str]:
    """The stems of a source's words besides generic nouns of a government ("the
    government in Amman" -> the stem of "jordan", as "Jordan")."""
    return frozenset(stem(w) for w in words - _GENERIC_SOURCES - _SOURCE_FILLER - {"in"})


# Words of a source that name no one in particular: "reportedly", "according to reports",
# "sources said", "state media reported", "the website shows" are one unnamed source in
# whatever form, and restyling them is no change of source.
_UNNAMED_SOURCE = wordset(
    """
    report reports reported reportedly reporting source sources media news agency agencies
    outlet outlets website site page statement statements official officials state
    """
)
_WORD = re.compile(r"[a-z0-9]+")


# Small on purpose: what a cache holds at its peak stays in the service's RSS for good.
@lru_cache(maxsize=512)
def source_terms(claim: Claim) -> frozenset[str]:
    """The words that name the claim's sources: its attribution and the outlet it was told
    to ("a Kremlin source told Interfax" -> {"kremlin", "interfax"}), lowercase, without
    possessives, fillers and the words of an unnamed source ("reports", "sources")."""
    words: set[str] = set()
    for phrase in (claim.attribution or "", *addressees(claim.text)):
        words.update(_WORD.findall(phrase.lower().replace("'s", "")))
    return frozenset(words - _SOURCE_FILLER - _UNNAMED_SOURCE)


def _written_in(words: AbstractSet[str], claim: Claim) -> set[str]:
    """The words of ``words`` that ``claim`` writes (a plural or possessive "s" aside)."""
    tokens = set(claim.norm.split())
    return {w for w in words if w in tokens or w + "s" in tokens}


def _same_sources(old: Claim, new: Claim) -> bool:
    """Both versions name the same sources, however attributed: every word that names a
    source of one is written in the other ("Bogdanov said X, according to Interfax" /
    "X, Bogdanov said, Interfax reported"), and an unnamed source ("reportedly",
    "according to reports") is none."""
    a, b = source_terms(old), source_terms(new)
    return _written_in(a, new) == a and _written_in(b, old) == b


def source_replaced(old: Claim, new: Claim, changed: Sequence[dict] = ()) -> list[dict]:
    """A named source of ``old`` that ``new`` does not write, and one of ``new`` that
    ``old`` does not write ("a Kremlin source said, according to TASS" / "a Kremlin source
    told Interfax"): names only, and no country or its capital ("Moscow" / "Russia's
    foreign ministry" is one source said two ways). A name already among the ``changed``
    details is not reported again."""

    def names(claim: Claim, other: Claim) -> list[str]:
        named = source_terms(claim) & entity_words(claim.entities)
        return sorted(w for w in named - _written_in(named, other) if not _place_word(w))

    gone, came = names(old, new), names(new, old)
    told = " ".join(str(c["old"]) + " " + str(c["new"]) for c in changed).lower()
    if not gone or not came or came[0] in _WORD.findall(told):
        return []
    return [{"kind": "source", "old": _phrase_of(gone, old), "new": _phrase_of(came, new)}]


_COUNTRIES = frozenset(CAPITALS.values()) | frozenset(DEMONYMS.values())


def _place_word(word: str) -> bool:
    """A country, its capital or seat of government, or a nationality adjective."""
    return (
        word in _COUNTRIES
        or country_of(word) != word
        or word in DEMONYMS
        or word.endswith(DEMONYM_ENDINGS)
    )


def _phrase_of(words: list[str], claim: Claim) -> str:
    """The source phrase of ``claim`` that holds the first of ``words``."""
    for phrase in (claim.attribution or "", *addressees(claim.text)):
        if words[0] in _WORD.findall(phrase.lower()):
            return phrase
    return words[0]


def _head(entity: str) -> str | None:
    words = [w for w in re.split(r"[\s-]+", entity.lower()) if w in entity_words((entity,))]
    return words[-1] if words else None


def _replaced(entity: str, changed: AbstractSet[str], other_heads: set[str | None]) -> bool:
    """``entity`` may have been replaced: its head is among the ``changed`` words, or some
    of its words are and its head names nothing on the other side."""
    head = _head(entity)
    if head in changed:
        return True
    return head not in other_heads and not changed.isdisjoint(entity_words((entity,)))


def _named_in(entity: str, claim: Claim) -> bool:
    """Every significant word of ``entity`` is written in ``claim`` (named or not)."""
    words = entity_words((entity,))
    if not words:
        return False
    tokens = set(claim.norm.split())
    return all(w.replace("'", "") in tokens for w in words)


def _entity_changes(old: Claim, new: Claim, replace_only: bool) -> list[dict]:
    # words of the sources are reported as "source" changes, not entity changes
    skip = source_words(old) | source_words(new)
    ow = entity_words(old.entities) - skip
    nw = entity_words(new.entities) - skip
    gone = ow - nw
    came = nw - ow
    if not gone and not came:
        return []
    # an entity whose head (last word: the surname, the place) is still named on the
    # other side is the same one, re-qualified ("Syrian President Bashar al-Assad" ->
    # "Bashar al-Assad"); "Mayor Anna Keller" -> "Mayor Tomas Brandt" is a change
    # (a head written on the other side inside another name does not make it the same:
    # "Institute for the Study of War" -> "Royal United Services Institute")
    old_heads = {_head(e) for e in old.entities}
    new_heads = {_head(e) for e in new.entities}
    old_ents = [e for e in old.entities if _replaced(e, gone, new_heads)]
    new_ents = [e for e in new.entities if _replaced(e, came, old_heads)]
    # still written on the other side, though not as a name ("Rebel forces ..." opening
    # one sentence, "... rebel forces" inside the other), or written as its acronym
    old_ents = [
        e for e in old_ents if not _named_in(e, new) and not acronym_of_any(e, new.entities)
    ]
    new_ents = [
        e for e in new_ents if not _named_in(e, old) and not acronym_of_any(e, old.entities)
    ]
    # respelled names ("Lattakia" -> "Latakia", "Sednaya" -> "Saydnaya") and a capital or
    # seat of government for its country ("the Kremlin" -> "Moscow") are no change
    for o in list(old_ents):
        for n in new_ents:
            if same_name(o, n) or country_of(o) == country_of(n) or _government(o, old, n, new):
                old_ents.remove(o)
                new_ents.remove(n)
                break
    if replace_only:
        return _slot_pairs(old_ents, new_ents, old, new)
    pairs = _pairs("entity", old_ents, new_ents, replace_only)
    if all(p["old"] and p["new"] for p in pairs):
        return pairs
    # a name added or dropped on one side only is no change when it is a capitalised word
    # that opens the sentence ("Electricity returned ..." -> "Power came back ..."), or part
    # of a title dropped or added with it ("UN special envoy for Syria Geir Pedersen" ->
    # "Geir Pedersen"); a place added to a list ("Jaber and Ramtha") is a change
    deleted, inserted = _edited_runs(old.norm, new.norm)
    return [
        p
        for p in pairs
        if not (
            p["new"] is None
            and (
                _opens(p["old"], old)
                or _in_title(p["old"], deleted)
                or pro_form_for(p["old"], old, new)
            )
        )
        and not (
            p["old"] is None
            and (
                _opens(p["new"], new)
                or _in_title(p["new"], inserted)
                or pro_form_for(p["new"], new, old)
            )
        )
    ]


def _government(a: str, claim_a: Claim, b: str, claim_b: Claim) -> bool:
    """One possessor is a state (its country, capital or seat) and the other a person in
    its place: "Putin's military focus" / "Moscow's military focus" is one government's
    focus, said by metonymy."""
    if not (_possessor(a, claim_a) and _possessor(b, claim_b)):
        return False
    return (_state(a) and _person(b)) or (_state(b) and _person(a))


def _possessor(name: str, claim: Claim) -> bool:
    return re.search(re.escape(name) + r"['’]s?\b", claim.text) is not None


def _state(name: str) -> bool:
    """A country, or its capital or seat of government."""
    return country_of(name) in COUNTRIES or country_of(name) != name.lower().removeprefix("the ")


def _person(name: str) -> bool:
    """A name that may be a person's: no place the lexicon knows, no body known by its
    letters ("EU")."""
    return not (_state(name) or _place_word(name.lower()) or name.isupper())


def _slot_pairs(old_ents: list[str], new_ents: list[str], old: Claim, new: Claim) -> list[dict]:
    """Names replaced in the same place of the sentence: each pair's old name is in a run
    of deleted tokens and its new name in the run inserted there, and the two stand next
    to the same content word ("officials in Calais said" / "officials in Dover said").
    Two sentences that each add a clause of their own ("... after the fall of Damascus" /
    "In a statement on Telegram, ...") have no replaced name."""
    deleted, inserted = _edited_runs(old.norm, new.norm)
    pairs: list[dict] = []
    free = list(new_ents)
    for o in old_ents:
        for n in free:
            if _nationality(o) != _nationality(n):
                continue  # "Putin's backing" / "Russian support": no name replaced
            same_run = any(
                _in_run(o, d) and _in_run(n, i) for d, i in zip(deleted, inserted, strict=True)
            )
            if same_run and same_neighbour(o, old, n, new) and same_role(o, old, n, new):
                pairs.append({"kind": "entity", "old": o, "new": n})
                free.remove(n)
                break
    return pairs


def _nationality(entity: str) -> bool:
    """A nationality adjective standing alone ("Russian", "Iraqi")."""
    word = entity.lower()
    return " " not in word and (word in DEMONYMS or word.endswith(DEMONYM_ENDINGS))


def _in_run(entity: str, run: list[str]) -> bool:
    """Every word of ``entity`` is in ``run`` (possessive "s" allowed)."""
    toks = set(run)
    words = [w.replace("'", "") for w in re.split(r"[\s-]+", entity.lower()) if w]
    return bool(words) and all(w in toks or w + "s" in toks for w in words)


def _edited_runs(a: str, b: str) -> tuple[list[list[str]], list[list[str]]]:
    """The runs of tokens deleted from ``a`` and inserted into ``b``."""
    ta, tb = a.split(), b.split()
    deleted: list[list[str]] = []
    inserted: list[list[str]] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, ta, tb, autojunk=False).get_opcodes():
        if tag != "equal":
            deleted.append(ta[i1:i2])
            inserted.append(tb[j1:j2])
    return deleted, inserted


def _in_title(entity: str, runs: list[list[str]]) -> bool:
    """``entity`` was edited within a run that holds a title word ("envoy", "minister")."""
    words = {w.replace("'", "") for w in re.split(r"[\s-]+", entity.lower()) if w}
    return any(words <= set(run) and not TITLE_WORDS.isdisjoint(run) for run in runs)


def _opens(entity: str, claim: Claim) -> bool:
    """``entity`` is one word and the first word of the claim."""
    words = claim.norm.split()
    return " " not in entity and bool(words) and words[0] == entity.lower().replace("'", "")


def detail_changes(old: Claim, new: Claim, *, replace_only: bool = False) -> list[dict]:
    """Changed numbers, dates, entities and source between two versions of a claim.

    With ``replace_only`` a detail counts only where both sides have a value and they
    differ (an added or dropped detail is compatible); used against the baseline (where
    ``source_replaced`` compares the sources).
    """
    changed: list[dict] = []
    removed, added = _multiset_diff(old.numbers, new.numbers)
    changed += _pairs("number", removed, added, replace_only)
    removed, added = _compatible_dates(*_multiset_diff(old.dates, new.dates))
    changed += _pairs("date", removed, added, replace_only)
    changed += _entity_changes(old, new, replace_only)
    if (
        not replace_only
        and _source_changed(old.attribution, new.attribution)
        and not _generic_for(new.attribution, old.attribution, new)
        and not _generic_for(old.attribution, new.attribution, old)
        and not _same_sources(old, new)
    ):
        changed.append({"kind": "source", "old": old.attribution, "new": new.attribution})
    if not replace_only:
        # an office that is (part of) the source is reported as the source's change
        sources = " ".join(str(c["old"]) + " " + str(c["new"]) for c in changed).lower()
        changed += [r for r in role_changes(old.norm, new.norm) if r["new"] not in sources]
    # A detail found on one side only is no change when its words still stand in the other
    # version (a capitalised sentence opener, or a source the parser saw in one word
    # order), or when a pronoun stands in its place ("Jalali said" -> "He said").
    return [
        c
        for c in changed
        if not (c["old"] is None and _still_stated(c["new"], new, old))
        and not (c["new"] is None and _still_stated(c["old"], old, new))
    ]


def _still_stated(value: object, claim: Claim, other: Claim) -> bool:
    """A detail of ``claim`` is still in ``other``: its words, or a pronoun in its place."""
    return _words_in(value, other) or pro_form_for(str(value), claim, other)


def same_date(a: str, b: str) -> bool:
    """One date written with and without its year ("2024-12-09" and "12-09"), or a day
    and its month ("2024-12-09" and "2024-12")."""
    short, long = sorted((a, b), key=len)
    return (
        short != long
        and short[:1].isdigit()
        and (long.endswith("-" + short) or long.startswith(short + "-"))
    )


def _compatible_dates(removed: list[str], added: list[str]) -> tuple[list[str], list[str]]:
    """Drop the removed/added pairs that are the same date written more or less fully,
    and a weekday given as its date or the other way round ("on Sunday" -> "on December
    8": without the year the two cannot be told apart, and an editor who names the day
    usually names the same one)."""
    removed, added = list(removed), list(added)
    for r in list(removed):
        match = next((a for a in added if same_date(r, a)), None)
        if match is None and len(removed) == len(added) == 1:
            match = next((a for a in added if _weekday_and_day(r, a)), None)
        if match is not None:
            removed.remove(r)
            added.remove(match)
    return removed, added


def _weekday_and_day(a: str, b: str) -> bool:
    """One is a weekday name, the other a calendar day ("sunday", "12-08")."""
    day = b if a.isalpha() else a
    return {a.isalpha(), b.isalpha()} == {True, False} and re.search(r"\d+-\d+$", day) is not None


def _words_in(value: object, claim: Claim) -> bool:
    words = re.findall(r"\w+", str(value).lower())
    tokens = set(claim.norm.split())
    return bool(words) and all(w in tokens for w in words)
