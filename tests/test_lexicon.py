"""Concept folding: light morphology and the synonym lexicon (monitor.lexicon)."""

from __future__ import annotations

import pytest

from monitor.lexicon import FRAME, concept_stems, content_stems, lemma, stem


@pytest.mark.parametrize(
    ("word", "base"),
    [
        ("took", "tak"),
        ("capturing", "captur"),
        ("captured", "captur"),
        ("swiftly", "swift"),
        ("family", "family"),
        ("beginning", "begin"),
        ("forces", "forc"),
        ("reaches", "reach"),
        ("detainees", "detaine"),
        ("casualties", "casualty"),
        ("news", "news"),
        ("crisis", "crisis"),
    ],
    ids=[
        "irregular", "ing", "ed", "ly", "short-ly-kept", "doubled-consonant", "es-after-e",
        "es-after-sibilant", "es-not-stripped-twice", "ies", "not-a-plural", "is-ending",
    ],
)  # fmt: skip
def test_lemma(word: str, base: str) -> None:
    assert lemma(word) == base


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("seized", "captured"),
        ("overran", "conquered"),
        ("fled", "escaped"),
        ("backing", "supported"),
        ("decision", "decided"),
        ("negotiations", "talks"),
        ("prisoners", "detainees"),
        ("rapidly", "swift"),
        ("soldiers", "fighters"),
        ("insisted", "suggests"),
    ],
    ids=[
        "capture", "irregular-capture", "flee", "support", "decide", "talks", "detainee",
        "fast", "force", "frame",
    ],
)  # fmt: skip
def test_synonyms_share_a_stem(a: str, b: str) -> None:
    assert stem(a) == stem(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("fled", "stayed"),
        ("released", "arrested"),
        ("international", "interior"),
        ("officers", "officials"),
        ("military", "militant"),
        ("control", "contribute"),
    ],
    ids=["antonyms-stay-apart", "custody-sides", "inter", "offic", "milit", "contr"],
)
def test_different_words_keep_different_stems(a: str, b: str) -> None:
    assert stem(a) != stem(b)


def test_two_word_verbs_fold_and_keep_the_length() -> None:
    toks = ["russia", "had", "taken", "part", "in", "the", "talks"]
    out = concept_stems(toks)
    assert len(out) == len(toks)
    assert out[2] == stem("participated") and out[3] == ""
    assert concept_stems(["the", "war", "broke", "out"])[2] == stem("began")
    assert concept_stems(["rebels", "took", "control", "of", "homs"])[1] == stem("seized")


def test_content_stems_blank_function_words_and_dropped_tokens() -> None:
    out = content_stems(["the", "rebels", "had", "seized", "the", "capital"], drop={"capital"})
    assert out == ["", stem("rebels"), "", stem("seized"), "", ""]


def test_framing_words_have_one_concept() -> None:
    assert {stem(w) for w in ("believed", "insisted", "evidence", "quoted")} == {FRAME}
