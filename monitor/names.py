"""How names are written, and where they stand: spellings, acronyms, offices, pronouns.

Pure helpers for ``monitor.compare`` and the baseline index:

- ``same_name`` / ``name_skeleton``: two spellings of one name ("Lattakia" / "Latakia",
  "Sednaya" / "Saydnaya", "al-Jolani" / "al-Julani"): close by rapidfuzz ratio, or the same
  consonant skeleton;
- ``is_acronym_of`` / ``acronym_of_any``: "HTS" for "Hayat Tahrir al-Sham";
- ``role_changes``: an office replaced by another in the same place ("Qatar's prime
  minister" -> "Qatar's emir"), for a statement whose person is named by office only;
- ``pro_form_for``: a pronoun or "there" standing where the other version names someone
  or somewhere ("executed at Sednaya" -> "executed there");
- ``neighbours`` / ``same_neighbour`` / ``same_role``: the content words and the
  preposition around a name, to tell a name replaced in place from two names in
  different clauses or roles.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from difflib import SequenceMatcher

from rapidfuzz import fuzz

from monitor.lexicon import content_stems
from monitor.models import Claim

__all__ = [
    "ENTITY_TYPO_RATIO",
    "acronym_of_any",
    "initials",
    "is_acronym_of",
    "name_skeleton",
    "neighbours",
    "pro_form_for",
    "role_changes",
    "same_name",
    "same_neighbour",
    "same_role",
]

ENTITY_TYPO_RATIO = 85.0  # an entity respelled this closely is a typo fix, not a change
_PARTICLES = frozenset({"al", "el", "ad", "as", "an", "ash", "at", "az", "of", "bin", "ibn"})


# --------------------------------------------------------------------------------------
# Spellings and acronyms

_VOWELS = str.maketrans("", "", "aeiouy'- ")
_SKELETON_MIN = 3  # shorter consonant skeletons ("Asad" -> "sd") match by chance
_SKELETON_RATIO = 70.0  # ... and names with one skeleton must still look alike


def name_skeleton(name: str) -> str:
    """Consonants of a name, lowercase, doubled letters once, "q" as "k": the part that
    survives transliteration ("Sednaya" / "Saydnaya" -> "sdn", "al-Jolani" / "al-Julani"
    -> "ljln")."""
    out: list[str] = []
    for ch in name.lower().translate(_VOWELS).replace("q", "k"):
        if ch.isalpha() and (not out or out[-1] != ch):
            out.append(ch)
    return "".join(out)


def same_name(a: str, b: str) -> bool:
    """Two spellings of one name: close (rapidfuzz ratio >= ``ENTITY_TYPO_RATIO``), or the
    same consonant skeleton of at least ``_SKELETON_MIN`` letters and still alike
    ("Homs" / "Hamas" share "hms" but are two names)."""
    a, b = a.lower(), b.lower()
    ratio = fuzz.ratio(a, b)
    if ratio >= ENTITY_TYPO_RATIO:
        return True
    skel = name_skeleton(a)
    return len(skel) >= _SKELETON_MIN and skel == name_skeleton(b) and ratio >= _SKELETON_RATIO


def initials(entity: str) -> str:
    """ "Hayat Tahrir al-Sham" -> "HTS"; "Syrian Observatory for Human Rights" -> "SOHR"."""
    words = [w for w in re.split(r"[\s-]+", entity) if w and w.lower() not in _PARTICLES]
    return "".join(w[0] for w in words if w[0].isupper()).upper()


def is_acronym_of(short: str, full: str) -> bool:
    return (
        2 <= len(short) <= 6 and short.isupper() and " " not in short and (initials(full) == short)
    )


def acronym_of_any(entity: str, others: Sequence[str]) -> bool:
    """``entity`` is an acronym ("HTS") of one of ``others``, or one of them is its acronym."""
    return any(is_acronym_of(entity, o) or is_acronym_of(o, entity) for o in others)


# --------------------------------------------------------------------------------------
# Where a name stands

def neighbours(entity: str, claim: Claim) -> tuple[str | None, str | None]:
    """The stems of the content words right before and after ``entity`` in ``claim``."""
    words = [w.replace("'", "") for w in re.split(r"[\s-]+", entity.lower()) if w]
    toks = claim.norm.split()
    n = len(words)
    at = next(
        (i for i in range(len(toks) - n + 1) if [t.removesuffix("s") for t in toks[i : i + n]]
         == [w.removesuffix("s") for w in words]),
        None,
    )  # fmt: skip
    if at is None:
        return None, None
    content = content_stems(toks)
    before = next((c for c in reversed(content[:at]) if c), None)
    after = next((c for c in content[at + n :] if c), None)
    return before, after


def same_neighbour(a: str, claim_a: Claim, b: str, claim_b: Claim) -> bool:
    before_a, after_a = neighbours(a, claim_a)
    before_b, after_b = neighbours(b, claim_b)
    return (before_a is not None and before_a == before_b) or (
        after_a is not None and after_a == after_b
    )


# Prepositions give a name its role: "fled to Moscow" (where to) is not "left Syria"
# (where from), though the two stand next to the same verb.
_ROLE_PREPOSITIONS = frozenset(
    {"to", "from", "in", "into", "at", "on", "for", "by", "with", "of", "near", "towards",
     "toward", "inside", "outside", "across", "through", "via", "against", "over"}
)  # fmt: skip


def _preposition(entity: str, claim: Claim) -> str | None:
    """The preposition right before ``entity`` in ``claim`` (None if another word)."""
    words = [w.replace("'", "") for w in re.split(r"[\s-]+", entity.lower()) if w]
    toks = claim.norm.split()
    n = len(words)
    at = next((i for i in range(1, len(toks) - n + 1) if toks[i : i + n] == words), None)
    if at is None:
        return None
    before = toks[at - 1]
    if before == "the" and at >= 2:
        before = toks[at - 2]
    return before if before in _ROLE_PREPOSITIONS else None


def same_role(a: str, claim_a: Claim, b: str, claim_b: Claim) -> bool:
    """``a`` and ``b`` follow the same preposition, or neither follows one."""
    return _preposition(a, claim_a) == _preposition(b, claim_b)


# words that stand for a name already given ("executed at Saydnaya" -> "executed there")
_PRO_FORMS = frozenset(
    {"there", "here", "it", "its", "he", "him", "his", "she", "her", "they", "them", "their"}
)
_PLACE_PREPOSITIONS = frozenset({"at", "in", "on", "to", "from", "into", "inside"})
# a definite description that stands for a place named before ("in Damascus" -> "in the
# capital")
_PLACE_NOUNS = frozenset(
    {"capital", "city", "town", "village", "country", "province", "region", "area", "port"}
)


def pro_form_for(entity: str, claim: Claim, other: Claim) -> bool:
    """``other`` has a pronoun or "there" where ``claim`` names ``entity``: next to the
    same word ("executed at Saydnaya between" -> "executed there between", "Jalali said"
    -> "He said"), wherever the sentence moved; or a place noun after the same preposition
    ("remained in Damascus" -> "stayed in the capital")."""
    words = [w.replace("'", "") for w in re.split(r"[\s-]+", entity.lower()) if w]
    toks = claim.norm.split()
    n = len(words)
    at = next((i for i in range(len(toks) - n + 1) if toks[i : i + n] == words), None)
    if at is None:
        return False
    before = at - 2 if at >= 2 and toks[at - 1] in _PLACE_PREPOSITIONS else at - 1
    prev = toks[before] if before >= 0 else None
    nxt = toks[at + n] if at + n < len(toks) else None
    theirs = other.norm.split()
    if before == at - 2:  # "in Damascus": "in the capital" stands for it
        prep = toks[at - 1]
        if any(
            theirs[j] == prep and theirs[j + 1] == "the" and theirs[j + 2] in _PLACE_NOUNS
            for j in range(len(theirs) - 2)
        ):
            return True
    return any(
        tok in _PRO_FORMS
        and ((j and theirs[j - 1] == prev) or (j + 1 < len(theirs) and theirs[j + 1] == nxt))
        for j, tok in enumerate(theirs)
    )


# --------------------------------------------------------------------------------------
# Offices

# Offices held by one person: "Qatar's prime minister spoke ..." -> "Qatar's emir spoke
# ..." names someone else. Generic words ("leader", "head", "official") are left out: they
# fit any office. Variants map to one canonical form.
_ROLES = {
    "president": "president", "premier": "prime minister", "emir": "emir", "king": "king",
    "queen": "queen", "prince": "prince", "sultan": "sultan", "sheikh": "sheikh",
    "chancellor": "chancellor", "spokesman": "spokesperson", "spokeswoman": "spokesperson",
    "spokesperson": "spokesperson", "ambassador": "ambassador", "envoy": "envoy",
    "governor": "governor", "mayor": "mayor", "general": "general", "commander": "commander",
    "pope": "pope", "patriarch": "patriarch", "mufti": "mufti", "judge": "judge",
    "prosecutor": "prosecutor", "senator": "senator", "speaker": "speaker",
    "minister": "minister", "secretary": "secretary",
}  # fmt: skip
# a qualifier before "minister" / "secretary" / "prince" makes another office
_ROLE_QUALIFIERS = frozenset(
    {"prime", "foreign", "defence", "defense", "interior", "finance", "justice", "health",
     "crown", "deputy", "vice", "state"}
)  # fmt: skip


def _roles(tokens: list[str]) -> set[str]:
    out: set[str] = set()
    for i, tok in enumerate(tokens):
        role = _ROLES.get(tok)
        if role is None:
            continue
        if i and tokens[i - 1] in _ROLE_QUALIFIERS:
            qualifier = "defence" if tokens[i - 1] == "defense" else tokens[i - 1]
            role = f"{qualifier} {role}"
        out.add(role)
    return out


def _same_office(a: str, b: str) -> bool:
    """Equal, or one the other without its qualifier ("minister" / "foreign minister")."""
    return a == b or (a.split()[-1] == b.split()[-1] and (" " not in a or " " not in b))


def role_changes(a: str, b: str) -> list[dict]:
    """An office replaced by another in the same place of the sentence ("prime minister"
    -> "emir"), judged on each edited run with the token before and after it."""
    ta, tb = a.split(), b.split()
    out: list[dict] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, ta, tb, autojunk=False).get_opcodes():
        if tag != "replace":
            continue
        old = _roles(ta[max(0, i1 - 1) : i2 + 1])
        new = _roles(tb[max(0, j1 - 1) : j2 + 1])
        if old and new and not any(_same_office(o, n) for o in old for n in new):
            out.append({"kind": "role", "old": " / ".join(sorted(old)),
                        "new": " / ".join(sorted(new))})  # fmt: skip
    return out
