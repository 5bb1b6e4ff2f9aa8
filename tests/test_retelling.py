"""Retellings in the baseline neighbourhood's words (monitor.retelling), against the seeds."""

from __future__ import annotations

import pytest

from monitor.baseline_check import check_baseline
from monitor.claims import make_claim
from monitor.containment import CONTAIN_LIMIT
from monitor.models import ChangeType
from monitor.restatement import restated
from monitor.retelling import negated_stems, retold
from tests.test_baseline_check import INDEX


def _retold(sentence: str) -> bool:
    claim = make_claim(sentence)
    return retold(claim, INDEX.scored_candidates(claim, CONTAIN_LIMIT)) is not None


@pytest.mark.parametrize(
    "sentence",
    [
        # three seed sentences joined: "suggesting the plane may have crashed",
        # "speculation that it may have been shot down by rebels", "rumors that Assad may
        # have been killed"
        "That led to speculation that the plane had crashed or been shot down, and to "
        "rumours that Assad had been killed.",
        "There had been conflicting reports throughout the day about where Assad was.",
        "Russia's Foreign Ministry later said Assad was alive and had left the country after "
        "deciding to step down, having given instructions for a peaceful handover of power.",
        # each name stands in its own neighbour with part of the predicate: "took off
        # from Damascus" and "a U-turn west of the city of Homs"
        "On Sunday, radar tracking showed an aircraft that had left Damascus making a sudden "
        "U-turn west of Homs and then vanishing from radar, suggesting that it may have "
        "crashed.",
        # "might have been killed" asserts no death: the seed's "may have been killed"
        # tells it, though it shares little else with the sentence
        "The aircraft's sudden U-turn west of the city of Homs, followed by a rapid descent "
        "and its disappearance from radar, led to speculation that it had crashed and that "
        "Assad might have been killed.",
    ],
    ids=[
        "three-sentences-joined", "conflicting-reports", "ministry-statement-retold",
        "names-each-with-its-neighbour", "a-hedged-state",
    ],
)
def test_a_retelling_in_known_words_is_held(sentence: str) -> None:
    claim = make_claim(sentence)
    # the stricter restatement step does not hold these: it needs one or two claims
    assert restated(claim, INDEX.scored_candidates(claim, 24), INDEX) is None
    assert _retold(sentence)
    assert check_baseline(claim, INDEX).kind is None


@pytest.mark.parametrize(
    "sentence",
    [
        "That led to speculation that the plane had crashed, and to rumours that Assad had "
        "been poisoned.",
        "That led to speculation that 40 people had been killed when the plane crashed.",
        "Rumours spread on December 3 that Assad had been killed.",
        "That led to speculation that the plane had crashed, and to rumours that Assad was "
        "alive.",
        "There had been no reports throughout the day about where Assad was.",
        "Jalali and his family were aboard the plane that went off radar.",
    ],
    ids=[
        "a-word-the-baseline-lacks", "a-number-it-lacks", "a-date-it-lacks",
        "a-state-with-the-other-sign", "a-negation-no-neighbour-makes",
        "a-known-predicate-moved-to-another-name",
    ],
)  # fmt: skip
def test_anything_the_neighbourhood_lacks_is_news(sentence: str) -> None:
    assert not _retold(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "Assad's whereabouts had been unclear for much of Sunday.",
        "The statement suggested that Assad was alive and well, after a day of conflicting "
        "reports about his fate.",
        "Assad and his family were able to arrive in Moscow, where Russia granted them "
        "asylum.",
    ],
    ids=["much-of", "a-day-of", "able-to"],
)
def test_light_words_are_no_news(sentence: str) -> None:
    # "much", "day": words the sentence's grammar needs, not things it tells
    assert _retold(sentence)


def test_a_negation_a_neighbour_makes_is_held() -> None:
    # the seed: 'Russia "does not betray its friends in difficult situations"'
    assert _retold(
        "Russia does not betray its friends when they face difficult situations, Ulyanov wrote."
    )
    assert not _retold(
        "Russia does not betray its friends when they face difficult situations, and it "
        "was not told of the plane, Ulyanov wrote."
    )


@pytest.mark.parametrize(
    ("sentence", "reach", "expected"),
    [
        ("Assad had not been granted asylum", 1, {"GRANT"}),
        ("At no point did he consider leaving", 3, {"point", "INTEND", "FLEE"}),
        ("Russia said Assad was in Moscow", 1, set()),
        ("Moscow had played no part in those talks", 1, {"PARTICIPATE"}),
    ],
    ids=["not-granted", "reach-three", "no-negator", "no-inside-a-two-word-verb"],
)
def test_negated_stems(sentence: str, reach: int, expected: set[str]) -> None:
    assert negated_stems(make_claim(sentence), reach=reach) == expected


def test_a_new_claim_stays_new_through_check_baseline() -> None:
    claim = make_claim(
        "Flight-tracking data later showed the jet landing at Moscow's Vnukovo airport "
        "shortly before midnight local time."
    )
    assert check_baseline(claim, INDEX).kind is ChangeType.NEW


@pytest.mark.parametrize(
    ("sentence", "held"),
    [
        # 11 stems: "written" is the one word of its own a long sentence may use
        ("Russia's Foreign Ministry later said Assad was alive and had left the country after "
         "deciding to step down, having given written instructions for a peaceful handover of "
         "power.", True),
        # 9 stems: "wild" is one too many
        ("That led to wild speculation that the plane had crashed or been shot down, and to "
         "rumours that Assad had been killed.", False),
    ],
    ids=["one-word-in-eleven", "one-word-in-nine"],
)  # fmt: skip
def test_one_unknown_word_per_ten_stems(sentence: str, held: bool) -> None:
    assert _retold(sentence) is held
