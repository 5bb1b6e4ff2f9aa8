"""The shared word lists (monitor.stopwords)."""

from __future__ import annotations

from monitor.stopwords import FUNCTION_WORDS, NOT_NAMES, REPORTING_WORDS, STOPWORDS, wordset


def test_wordset_splits_on_whitespace() -> None:
    assert wordset(" a  b\nc ") == frozenset({"a", "b", "c"})


def test_stopwords_are_function_words_reporting_words_and_masks() -> None:
    assert FUNCTION_WORDS | REPORTING_WORDS <= STOPWORDS
    assert {"#", "@"} <= STOPWORDS
    assert "assad" not in STOPWORDS


def test_not_names_keeps_auxiliaries_that_are_names_or_months() -> None:
    assert {"will", "may"}.isdisjoint(NOT_NAMES)
    assert {"the", "however", "officials", "president"} <= NOT_NAMES
    assert "said" not in NOT_NAMES  # "Said" is a name


def test_sentence_adverbs_and_name_particles() -> None:
    from monitor.stopwords import DISCOURSE_WORDS, NAME_PARTICLES

    assert {"nevertheless", "meanwhile"} <= DISCOURSE_WORDS
    assert "nevertheless" not in STOPWORDS  # it still makes a claim more specific
    assert {"al", "bin"} <= NAME_PARTICLES <= STOPWORDS
    assert {"throughout", "despite"} <= FUNCTION_WORDS
    assert {"became", "becomes"} <= FUNCTION_WORDS  # a copula, like "was"


def test_time_words_are_not_names() -> None:
    # "Days later ...", "Years of war ..." open sentences capitalised
    assert {"days", "weeks", "months", "years", "hours", "decades"} <= NOT_NAMES


def test_reflexive_pronouns_and_several_are_function_words() -> None:
    # "Assad himself has said ..." states nothing "Assad has said ..." does not
    assert {"himself", "themselves", "itself", "several"} <= FUNCTION_WORDS


def test_every_form_of_write_reports() -> None:
    # "Writing on Telegram, Ulyanov said ..." is the frame of "Ulyanov wrote on Telegram"
    assert {"wrote", "writes", "write", "writing"} <= REPORTING_WORDS
