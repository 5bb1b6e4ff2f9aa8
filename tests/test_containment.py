"""Containment of a claim in a longer baseline claim (monitor.containment)."""

from __future__ import annotations

import pytest

from monitor.claims import make_claim
from monitor.containment import HELD, contained, date_qualifiers, restrict, scope_start
from monitor.models import BaselineClaim, ChangeType

BASE = BaselineClaim(
    make_claim(
        "On November 27, the Hayat Tahrir al-Sham (HTS) alliance launched a surprise "
        "offensive, swiftly capturing Aleppo, but officials said the airport was not hit."
    ),
    "seed.txt",
)


@pytest.mark.parametrize(
    ("sentence", "kind"),
    [
        ("The HTS alliance launched a surprise offensive.", None),
        ("On November 27, HTS swiftly captured Aleppo.", None),
        ("The HTS alliance did not launch a surprise offensive.", ChangeType.CONTRADICTED),
        ("On November 29, the HTS alliance launched a surprise offensive.", ChangeType.UPDATED),
    ],
    ids=["shortened", "inflection-and-date", "negated-in-scope", "date-before-the-window"],
)
def test_contained(sentence: str, kind: ChangeType | None) -> None:
    verdict = contained(make_claim(sentence), [(BASE, 50.0)])
    assert verdict is not None
    assert verdict.kind is kind
    if kind is None:
        assert verdict == HELD


@pytest.mark.parametrize(
    "sentence",
    [
        "The HTS alliance launched a surprise offensive on Homs with Turkish drones.",
        "HTS launched it.",
    ],
    ids=["extra-content", "too-unspecific"],
)
def test_not_contained(sentence: str) -> None:
    assert contained(make_claim(sentence), [(BASE, 50.0)]) is None


def test_restrict_keeps_the_details_of_the_window() -> None:
    claim = make_claim("On December 8, 300 prisoners were freed, and on December 9, 40 more.")
    part = restrict(claim, "on 12-08 300 prisoners were freed")
    assert part.dates == ("12-08",) and part.numbers == ("300",)


ASYLUM = BaselineClaim(
    make_claim("Assad and his family have been granted asylum in Russia, officials said."),
    "seed.txt",
)
REPORTED = BaselineClaim(
    make_claim(
        "Russian media reported that Assad had been granted asylum in Russia, though no "
        "official confirmation has been made."
    ),
    "seed.txt",
)
BACKING = BaselineClaim(
    make_claim(
        "Assad's rule lasted through the Syrian civil war of 2011, with backing from Russia."
    ),
    "seed.txt",
)


@pytest.mark.parametrize(
    ("sentence", "base", "kind"),
    [
        (
            "Assad and his family have been granted asylum in Russia, a Kremlin source told "
            "the TASS news agency.",
            ASYLUM,
            None,
        ),
        ("Moscow has supported Assad through the Syrian civil war of 2011.", BACKING, None),
        (
            "The Kremlin denied that Assad had been granted asylum in Russia.",
            REPORTED,
            ChangeType.CONTRADICTED,
        ),
    ],
    ids=["reporting-frame-dropped", "state-elsewhere-in-the-claim", "denial-judged-in-scope"],
)
def test_contained_frames_and_states(sentence: str, base: BaselineClaim, kind) -> None:
    verdict = contained(make_claim(sentence), [(base, 50.0)])
    assert verdict is not None and verdict.kind is kind


@pytest.mark.parametrize(
    "sentence",
    [
        "Jalali and his family have been granted asylum in Russia.",
        "Turkey denied that it had been granted asylum in Russia.",
    ],
    ids=["another-subject", "speaker-is-the-subject"],
)
def test_every_name_must_be_in_the_container(sentence: str) -> None:
    assert contained(make_claim(sentence), [(ASYLUM, 50.0)]) is None


PARTICIPATION = BaselineClaim(make_claim("Russia did not participate in these negotiations."), "s")
CAPTURED = BaselineClaim(
    make_claim("On Sunday, rebels captured Damascus with minimal resistance."), "s"
)
CHANNEL = BaselineClaim(
    make_claim("The statement raised questions about its authenticity and who controls the "
               "channel."),
    "s",
)  # fmt: skip


@pytest.mark.parametrize(
    ("sentence", "base", "kind"),
    [
        ("Moscow did not take part in those negotiations.", PARTICIPATION, None),
        ("On Sunday, rebels took the capital with minimal resistance.", CAPTURED, None),
        (
            "Russia's foreign ministry said that Russia took part in the negotiations.",
            PARTICIPATION,
            ChangeType.CONTRADICTED,
        ),
        (
            "It is not clear who controls the channel or whether the statement is authentic.",
            CHANNEL,
            None,
        ),
    ],
    ids=[
        "capital-for-country", "the-capital-for-a-capital-city", "source-word-written-twice",
        "hedge-is-no-negation",
    ],
)  # fmt: skip
def test_contained_in_other_words(sentence: str, base: BaselineClaim, kind) -> None:
    verdict = contained(make_claim(sentence), [(base, 50.0)])
    assert verdict is not None and verdict.kind is kind


FLIGHT = BaselineClaim(
    make_claim("Faced with no means of escape, Russian forces decided to airlift him to Moscow."),
    "s",
)
FLED = BaselineClaim(make_claim("Assad fled to Moscow on Sunday, officials said."), "s")


@pytest.mark.parametrize(
    ("sentence", "base", "kind"),
    [
        ("With no way to escape, Russian forces decided to fly him to Moscow.", FLIGHT, None),
        ("There is no evidence that Assad fled to Moscow.", FLED, ChangeType.CONTRADICTED),
    ],
    ids=["negator-of-another-word-on-both-sides", "negator-over-a-framing-word"],
)
def test_negator_scope_before_the_window(sentence: str, base: BaselineClaim, kind) -> None:
    verdict = contained(make_claim(sentence), [(base, 50.0)])
    assert verdict is not None and verdict.kind is kind


@pytest.mark.parametrize(
    ("toks", "start", "first"),
    [
        (["there", "is", "no", "evidence", "that", "assad", "fled"], 5, 2),
        (["faced", "with", "no", "means", "of", "escape"], 5, 3),
        (["russia", "did", "not", "participate"], 3, 1),
    ],
    ids=["over-frame-and-function-words", "stops-at-a-content-word", "two-tokens-before"],
)
def test_scope_start(toks: list[str], start: int, first: int) -> None:
    assert scope_start(toks, start) == first


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("media reported late on @", {"late"}),
        ("fighting began early in @", {"early"}),
        ("the late president died", set()),
        ("early elections were called", set()),
    ],
    ids=["late-on-date", "early-in-date", "late-as-adjective", "early-as-adjective"],
)
def test_date_qualifiers(key: str, expected: set[str]) -> None:
    assert date_qualifiers(key) == expected


ASYLUM = BaselineClaim(
    make_claim("News of the family's whereabouts initially sparked speculation and rumour."),
    "seed.txt",
)


@pytest.mark.parametrize(
    ("sentence", "held"),
    [
        ("The family's whereabouts were at first the subject of speculation and rumour.", True),
        ("Still, the family's whereabouts sparked speculation and rumour.", True),
        ("The family's whereabouts in Dubai sparked speculation and rumour.", False),
    ],
    ids=["at-first-is-initially", "opening-adverb", "new-place-not-held"],
)
def test_sentence_adverbs_are_not_content(sentence: str, held: bool) -> None:
    assert (contained(make_claim(sentence), [(ASYLUM, 50.0)]) == HELD) is held


_PENDING = BaselineClaim(
    make_claim(
        "The BBC noted that while Russian state media confirmed Assad's presence in Moscow, "
        "independent verification remains pending."
    ),
    "seed.txt",
)


@pytest.mark.parametrize(
    ("sentence", "kind"),
    [
        ("While Russian state media had confirmed Assad's presence in Moscow, there was still "
         "no independent verification.", None),
        ("Russian state media did not confirm Assad's presence in Moscow, and there was no "
         "independent verification.", ChangeType.CONTRADICTED),
        # the window ends at "independent": "verification remains pending" are three words
        ("Russian state media have confirmed that Assad is in Moscow, the BBC noted, although "
         "this has not yet been independently verified.", None),
    ],
    ids=["no-verification-is-pending", "confirmation-negated", "not-yet-verified-is-pending"],
)  # fmt: skip
def test_a_negating_word_after_the_window_is_in_scope(sentence: str, kind) -> None:
    # "verification | remains pending": the word after the shared stems negates them
    verdict = contained(make_claim(sentence), [(_PENDING, 50.0)])
    assert verdict is not None
    assert verdict.kind is kind
