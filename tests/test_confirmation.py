"""A turned confirmation against the baseline (monitor.confirmation, step 8 of check_baseline)."""

from __future__ import annotations

import pytest

from monitor.baseline import BaselineIndex
from monitor.baseline_check import check_baseline
from monitor.claims import make_claim
from monitor.confirmation import turned_confirmation
from monitor.models import BaselineClaim, ChangeType

BASE = [
    "Local radio reported that the mayor had resigned, though no official confirmation "
    "has been made.",
    "The city council denied that the bridge had been closed to traffic.",
    "State television confirmed that the governor had arrived in the capital.",
]
INDEX = BaselineIndex(BaselineClaim(make_claim(s), "b.txt") for s in BASE)


def _verdict(sentence: str) -> ChangeType | None:
    return check_baseline(make_claim(sentence), INDEX).kind


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("The city hall on Monday officially confirmed that the mayor had resigned.",
         ChangeType.CONTRADICTED),
        ("The city hall on Monday officially confirmed that the mayor had resigned, a day "
         "after local radio first reported his departure from the town hall.",
         ChangeType.CONTRADICTED),
        ("The city council confirmed that the bridge had been closed to traffic.",
         ChangeType.CONTRADICTED),
        ("The governor's office confirmed that the governor had arrived in the capital.",
         None),
    ],
    ids=[
        "officially-confirmed-vs-no-official-confirmation", "with-more-around-it",
        "same-speaker-confirms-what-it-denied", "confirmed-as-the-baseline-says",
    ],
)  # fmt: skip
def test_a_turned_confirmation_is_a_contradiction(
    sentence: str, expected: ChangeType | None
) -> None:
    assert _verdict(sentence) == expected


def test_the_turned_claim_is_named() -> None:
    claim = make_claim("The city hall officially confirmed that the mayor had resigned.")
    turned = turned_confirmation(claim, INDEX.scored_candidates(claim, 8))
    assert turned is not None and turned.claim.text == BASE[0]


def test_a_claim_without_a_confirmation_state_is_left_alone() -> None:
    claim = make_claim("The mayor had resigned after the vote.")
    assert turned_confirmation(claim, INDEX.scored_candidates(claim, 8)) is None


@pytest.mark.parametrize(
    "sentence",
    [
        "Residents confirmed that the bridge had been closed to traffic.",
        "Local radio confirmed that the mayor had resigned.",
    ],
    ids=["another-speaker", "no-official-qualifier"],
)
def test_unlinked_confirmations_are_not_turned(sentence: str) -> None:
    claim = make_claim(sentence)
    assert turned_confirmation(claim, INDEX.scored_candidates(claim, 8)) is None
