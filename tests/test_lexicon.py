"""Concept folding: light morphology and the synonym lexicon (monitor.lexicon)."""

from __future__ import annotations

import pytest

from monitor.lexicon import (
    FRAME,
    concept_stems,
    content_stems,
    country_of,
    country_word,
    implied_stems,
    joined_stems,
    lemma,
    stem,
)


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
        ("carried", "carry"),
        ("died", "die"),
    ],
    ids=[
        "irregular", "ing", "ed", "ly", "short-ly-kept", "doubled-consonant", "es-after-e",
        "es-after-sibilant", "es-not-stripped-twice", "ies", "not-a-plural", "is-ending",
        "ied", "short-ied-is-no-y",
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
        ("departure", "left"),
        ("planes", "aircraft"),
    ],
    ids=[
        "capture", "irregular-capture", "flee", "support", "decide", "talks", "detainee",
        "fast", "force", "frame", "departure", "plane",
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
        ("plans", "planes"),
        ("planned", "plane"),
    ],
    ids=[
        "antonyms-stay-apart", "custody-sides", "inter", "offic", "milit", "contr",
        "plan-plane", "planned-plane",
    ],
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
    assert {stem(w) for w in ("believed", "insisted", "evidence", "quoted", "view")} == {FRAME}
    # "made clear that" frames a statement as "said that" does
    assert concept_stems(["she", "made", "clear", "that"])[1:3] == [FRAME, ""]


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("moscow", "russia"),
        ("tehran", "iran"),
        ("iranian", "iran"),
        ("turkish", "turkey"),
        ("rumours", "rumors"),
        ("favourite", "favorite"),
        ("scepticism", "skepticism"),
        ("took", "seized"),
        ("control", "captured"),
        ("relatives", "family"),
        ("previously", "formerly"),
        ("guaranteed", "pledged"),
        ("genuine", "authenticity"),
        ("underscores", "shows"),
        ("presently", "current"),
        ("airlift", "fly"),
        ("won", "secured"),
        ("landed", "arrived"),
        ("large", "big"),
        ("past", "history"),
        ("nearly", "almost"),
        ("part", "role"),
        ("minimal", "little"),
        ("analysts", "observers"),
        ("doubtful", "skeptical"),
        ("abruptly", "sudden"),
        ("sharply", "rapidly"),
        ("descending", "plunged"),
        ("settlement", "resolution"),
        ("favoured", "advocated"),
        ("betray", "abandons"),
        ("trouble", "difficult"),
        ("envoy", "representative"),
        ("way", "means"),
        ("refrain", "avoid"),
        ("let", "allowed"),
        ("functioning", "operate"),
        ("parties", "sides"),
        ("whereabouts", "location"),
        ("continue", "keep"),
        ("exit", "departure"),
        ("prompted", "sparking"),
        ("speed", "rapid"),
        ("startling", "stunning"),
        ("unlike", "difference"),
        ("dispelled", "ended"),
        ("considered", "intended"),
        ("authorities", "government"),
        ("grounds", "reasons"),
    ],
    ids=[
        "capital-for-country", "capital-for-country-2", "demonym-short-country",
        "demonym-other-form", "british-our", "british-our-suffix", "british-sc", "plain-take",
        "control-is-capture", "family", "previous", "pledge", "authentic", "show", "current",
        "airlift", "achieve", "land-arrive", "big", "history", "almost", "role", "little",
        "observer", "doubt", "sudden", "sharp-fast", "descend", "solution", "favour-support",
        "betray-abandon", "difficulty", "envoy", "way-means", "refrain-avoid", "let-allow",
        "function-operate", "party-side", "whereabouts", "continue-keep", "exit-departure",
        "prompt-spark", "speed-fast", "surprise", "unlike-differ", "dispel-end",
        "consider-intend", "authority-government", "grounds-reasons",
    ],
)  # fmt: skip
def test_general_news_words_share_a_stem(a: str, b: str) -> None:
    assert stem(a) == stem(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [("abu", "uae"), ("washington", "usa"), ("seoul", "pyongyang"), ("four", "for")],
    ids=["abu-is-a-first-name", "washington-post", "two-koreas", "short-our-kept"],
)
def test_ambiguous_words_are_not_folded(a: str, b: str) -> None:
    assert stem(a) != stem(b)


@pytest.mark.parametrize(
    ("tokens", "index", "expected"),
    [
        (["forces", "headed", "by", "hts"], 1, "led"),
        (["the", "plane", "took", "off"], 2, "fled"),
        (["talks", "will", "take", "place"], 2, "happened"),
        (["russia", "has", "maintained", "two", "bases"], 2, "kept"),
        (["they", "worked", "with", "the", "rebels"], 1, "cooperated"),
        (["the", "plane", "lost", "altitude"], 2, "descended"),
        (["losing", "height", "quickly"], 0, "descend"),
        (["it", "cut", "ties", "with", "al", "qaeda"], 1, "severed"),
        (["hts", "broke", "with", "al", "qaeda"], 1, "severed"),
        (["he", "was", "on", "board", "a", "plane"], 3, "aboard"),
        (["rumours", "had", "circulated", "that"], 2, "suggested"),
        (["it", "has", "laid", "bare", "the", "limits"], 2, "underscores"),
        (["exposing", "the", "limits"], 0, "underscores"),
        (["unable", "to", "reach", "him"], 2, "contact"),
        (["rebels", "reached", "damascus"], 1, "arrived"),
        (["russia", "took", "no", "part"], 1, "participate"),
        (["moscow", "played", "a", "part"], 1, "play"),
    ],
    ids=[
        "headed-by", "take-off", "take-place", "maintain-with-object", "work-with",
        "lose-altitude", "lose-height", "cut-ties", "break-with", "on-board", "circulate",
        "lay-bare", "expose", "reach-a-person", "reach-a-place", "took-no-part",
        "played-a-part-is-no-fold",
    ],
)
def test_two_word_and_contextual_concepts(tokens: list[str], index: int, expected: str) -> None:
    assert concept_stems(tokens)[index] == stem(expected)


def test_maintain_before_a_clause_frames_it() -> None:
    assert concept_stems(["assad", "maintains", "that", "he", "stayed"])[1] == FRAME


@pytest.mark.parametrize(
    ("tokens", "implied"),
    [
        (["it", "is", "not", "clear", "where", "he", "is"], True),
        (["nobody", "knew", "where", "the", "plane", "went"], True),
        (["the", "base", "where", "he", "stayed"], False),
    ],
    ids=["unclear-where", "knew-where", "relative-where"],
)
def test_a_question_of_where_implies_whereabouts(tokens: list[str], implied: bool) -> None:
    assert (stem("whereabouts") in implied_stems(tokens)) is implied


@pytest.mark.parametrize(
    ("tokens", "implied"),
    [(["rebels", "entered", "damascus"], True), (["rebels", "entered", "aleppo"], False)],
    ids=["capital-city", "other-city"],
)
def test_a_capital_city_implies_the_capital(tokens: list[str], implied: bool) -> None:
    assert (stem("capital") in implied_stems(tokens)) is implied


@pytest.mark.parametrize(
    ("word", "base"),
    [
        ("fuelled", "fuel"), ("travelling", "travel"), ("guaranteed", "guarante"),
        ("agreed", "agre"), ("controlled", "control"), ("rolled", "roll"),
    ],
    ids=[
        "british-ll-ed", "british-ll-ing", "eed-guarantee", "eed-agree", "stressed-ol",
        "short-oll-kept",
    ],
)
def test_lemma_of_spelling_variants(word: str, base: str) -> None:
    assert lemma(word) == base


@pytest.mark.parametrize(
    ("tokens", "other", "joined"),
    [
        (["the", "air", "base", "was", "hit"], ["the", "airbase", "was", "hit"], {"air", "bas"}),
        (["the", "airbase"], ["the", "air", "base"], {"airba"}),
        (["the", "air", "force"], ["the", "airbase"], set()),
    ],
    ids=["two-words-for-one", "one-word-for-two", "no-compound"],
)
def test_compounds_written_apart_or_together(
    tokens: list[str], other: list[str], joined: set[str]
) -> None:
    assert joined_stems(tokens, other) == joined


def test_touch_down_is_arrive() -> None:
    assert concept_stems(["planes", "touching", "down", "at"])[1] == stem("landing")


@pytest.mark.parametrize(
    ("name", "country"),
    [
        ("Syrian Arab Republic", "syria"),
        ("the Russian Federation", "russia"),
        ("Islamic Republic of Iran", "iran"),
        ("French Republic", "france"),
        ("the Kremlin", "russia"),
        ("Central African Republic", "central african republic"),
        ("Republic", "republic"),
    ],
    ids=["demonym-ian", "the-federation", "republic-of", "listed-demonym", "seat",
         "no-country-in-it", "one-word"],
)  # fmt: skip
def test_country_of_formal_state_names(name: str, country: str) -> None:
    assert country_of(name) == country


@pytest.mark.parametrize(
    ("word", "country"),
    [
        ("Russian", "russia"),
        ("syrian", "syria"),
        ("Iranian", "iran"),
        ("moscow", "russia"),
        ("Russia", "russia"),
        ("bases", "bases"),
    ],
    ids=["ian-adjective", "lowercase-adjective", "listed-demonym", "capital", "country", "other"],
)
def test_country_word(word: str, country: str) -> None:
    assert country_word(word) == country
