"""Compare two versions of one statement: did its polarity flip, which details changed.

Pure functions on ``Claim`` fields, used by the alignment of article versions and by the
baseline check:

- ``polarity_flipped``: a negator toggled or an antonym swapped, judged on the whole
  sentences and on the edited tokens only (scope);
- ``detail_changes``: replaced numbers, dates, names (entities) and source, as
  ``{"kind", "old", "new"}`` dicts. A name that is still written in the other version (a
  sentence opener such as "Rebel forces", a respelling, an acronym of a full name) is
  no change.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from difflib import SequenceMatcher
from typing import Any

from rapidfuzz import fuzz

from monitor.claims import entity_words, polarity_cues
from monitor.fields import TITLE_WORDS
from monitor.models import Claim

__all__ = ["detail_changes", "norms_flipped", "polarity_flipped", "source_words"]

ENTITY_TYPO_RATIO = 85.0  # an entity respelled this closely is a typo fix, not a change
SOURCE_TYPO_RATIO = 90.0  # attributions this close are the same source, respelled
_PARTICLES = frozenset({"al", "el", "ad", "as", "an", "ash", "at", "az", "of", "bin", "ibn"})


# --------------------------------------------------------------------------------------
# Polarity


def norms_flipped(a: str, b: str) -> bool:
    """True if normalised text ``b`` has the opposite polarity of ``a``: the parity of
    negators differs, plus one flip per antonym concept used with opposite signs."""
    pa, pb = polarity_cues(a), polarity_cues(b)
    flips = (pa.negators - pb.negators) % 2
    for concept in {c for c, _ in pa.concepts} | {c for c, _ in pb.concepts}:
        sa, sb = pa.signs(concept), pb.signs(concept)
        if len(sa) == 1 and len(sb) == 1 and sa != sb:
            flips += 1
    return flips % 2 == 1


def _edited_segments(a: str, b: str) -> tuple[str, str]:
    """The tokens that differ between two normalised sentences (each run with the token
    before it, so that bigram cues such as "still in" survive), joined per side."""
    ta, tb = a.split(), b.split()
    seg_a: list[str] = []
    seg_b: list[str] = []
    ops = SequenceMatcher(None, ta, tb, autojunk=False).get_opcodes()
    for tag, i1, i2, j1, j2 in ops:
        if tag == "equal":
            continue
        seg_a += [*ta[max(0, i1 - 1) : i2], "|"]
        seg_b += [*tb[max(0, j1 - 1) : j2], "|"]
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
    return bool(seg_a or seg_b) and norms_flipped(seg_a, seg_b)


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


def _norm_source(s: str | None) -> str | None:
    return " ".join(s.lower().replace("'s", "").split()) if s else None


def _source_changed(old: str | None, new: str | None) -> bool:
    """Sources differ (a respelling such as "defnce" -> "defence" is a typo fix)."""
    a, b = _norm_source(old), _norm_source(new)
    if a == b:
        return False
    if a is None or b is None:
        return True
    return fuzz.ratio(a, b) < SOURCE_TYPO_RATIO


def _head(entity: str) -> str | None:
    words = [w for w in re.split(r"[\s-]+", entity.lower()) if w in entity_words((entity,))]
    return words[-1] if words else None


def _initials(entity: str) -> str:
    """ "Hayat Tahrir al-Sham" -> "HTS"; "Syrian Observatory for Human Rights" -> "SOHR"."""
    words = [w for w in re.split(r"[\s-]+", entity) if w and w.lower() not in _PARTICLES]
    return "".join(w[0] for w in words if w[0].isupper()).upper()


def _is_acronym_of(short: str, full: str) -> bool:
    return (
        2 <= len(short) <= 6 and short.isupper() and " " not in short and (_initials(full) == short)
    )


def _acronym_of_any(entity: str, others: Sequence[str]) -> bool:
    """``entity`` is an acronym ("HTS") of one of ``others``, or one of them is its acronym."""
    return any(_is_acronym_of(entity, o) or _is_acronym_of(o, entity) for o in others)


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
    old_ents = [e for e in old.entities if _head(e) in gone]
    new_ents = [e for e in new.entities if _head(e) in came]
    # still written on the other side, though not as a name ("Rebel forces ..." opening
    # one sentence, "... rebel forces" inside the other), or written as its acronym
    old_ents = [
        e for e in old_ents if not _named_in(e, new) and not _acronym_of_any(e, new.entities)
    ]
    new_ents = [
        e for e in new_ents if not _named_in(e, old) and not _acronym_of_any(e, old.entities)
    ]
    # respelled names ("Lattakia" -> "Latakia") are typo fixes
    for o in list(old_ents):
        for n in new_ents:
            if fuzz.ratio(o.lower(), n.lower()) >= ENTITY_TYPO_RATIO:
                old_ents.remove(o)
                new_ents.remove(n)
                break
    pairs = _pairs("entity", old_ents, new_ents, replace_only)
    if replace_only or all(p["old"] and p["new"] for p in pairs):
        return pairs
    # a name added or dropped on one side only is no change when it is a capitalised word
    # that opens the sentence ("Electricity returned ..." -> "Power came back ..."), or part
    # of a title dropped or added with it ("UN special envoy for Syria Geir Pedersen" ->
    # "Geir Pedersen"); a place added to a list ("Jaber and Ramtha") is a change
    deleted, inserted = _edited_runs(old.norm, new.norm)
    return [
        p
        for p in pairs
        if not (p["new"] is None and (_opens(p["old"], old) or _in_title(p["old"], deleted)))
        and not (p["old"] is None and (_opens(p["new"], new) or _in_title(p["new"], inserted)))
    ]


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
    differ (an added or dropped detail is compatible); used against the baseline.
    """
    changed: list[dict] = []
    removed, added = _multiset_diff(old.numbers, new.numbers)
    changed += _pairs("number", removed, added, replace_only)
    removed, added = _compatible_dates(*_multiset_diff(old.dates, new.dates))
    changed += _pairs("date", removed, added, replace_only)
    changed += _entity_changes(old, new, replace_only)
    if not replace_only and _source_changed(old.attribution, new.attribution):
        changed.append({"kind": "source", "old": old.attribution, "new": new.attribution})
    # A detail found on one side only is no change when its words still stand in the other
    # version: a capitalised sentence opener, or a source the parser saw in one word order.
    return [
        c
        for c in changed
        if not (c["old"] is None and _words_in(c["new"], old))
        and not (c["new"] is None and _words_in(c["old"], new))
    ]


def _same_date(a: str, b: str) -> bool:
    """One date written with and without its year ("2024-12-09" and "12-09"), or a day
    and its month ("2024-12-09" and "2024-12")."""
    short, long = sorted((a, b), key=len)
    return (
        short != long
        and short[:1].isdigit()
        and (long.endswith("-" + short) or long.startswith(short + "-"))
    )


def _compatible_dates(removed: list[str], added: list[str]) -> tuple[list[str], list[str]]:
    """Drop the removed/added pairs that are the same date written more or less fully."""
    removed, added = list(removed), list(added)
    for r in list(removed):
        match = next((a for a in added if _same_date(r, a)), None)
        if match is not None:
            removed.remove(r)
            added.remove(match)
    return removed, added


def _words_in(value: object, claim: Claim) -> bool:
    words = re.findall(r"\w+", str(value).lower())
    tokens = set(claim.norm.split())
    return bool(words) and all(w in tokens for w in words)
