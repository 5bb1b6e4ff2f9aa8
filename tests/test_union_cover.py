"""A sentence restating facts of a few baseline claims (monitor.union_cover)."""

from __future__ import annotations

import pytest

from monitor.baseline import BaselineIndex
from monitor.claims import make_claim
from monitor.containment import CONTAIN_LIMIT, HELD
from monitor.models import BaselineClaim, ChangeType
from monitor.union_cover import union_cover

BASE = [
    "The ferry operator said the new route between Dover and Calais would open in March.",
    "Tickets for the service went on sale on Monday at a price of 40 euros.",
    "The route was approved by regulators after a two-year review.",
    "Harbour officials said the new terminal in Calais was built with European funds.",
    "The company has not ordered new ships for the route.",
    "The ferries that will sail to Dover were built in Finland.",
]
INDEX = BaselineIndex(BaselineClaim(make_claim(s, i), "base.txt") for i, s in enumerate(BASE))


def _verdict(sentence: str):
    claim = make_claim(sentence)
    return union_cover(claim, INDEX.scored_candidates(claim, CONTAIN_LIMIT))


@pytest.mark.parametrize(
    "sentence",
    [
        "The new route between Dover and Calais, approved by regulators after a two-year "
        "review, will open in March.",
        "Tickets for the new Dover to Calais route, which opens in March, went on sale on "
        "Monday.",
    ],
    ids=["two-claims-interleaved", "relative-clause-from-another-claim"],
)
def test_restatement_of_several_claims_is_held(sentence: str) -> None:
    assert _verdict(sentence) == HELD


@pytest.mark.parametrize(
    "sentence",
    [
        "The new route between Dover and Ostend, approved by regulators after a two-year "
        "review, will open in March.",
        "Tickets for the new Dover to Calais route went on sale on Monday at a price of 55 "
        "euros.",
        "Harbour officials said the new terminal in Dover was built with European funds.",
        # the baseline's name stands right after the words it shares ("... built in |
        # Finland"), and the sentence's comes from another claim
        "The ferries that will sail to Dover were built in Calais.",
    ],
    ids=[
        "name-not-in-baseline", "number-not-in-baseline", "name-of-another-claim",
        "name-after-the-shared-words",
    ],
)
def test_sentence_with_something_new_is_not_covered(sentence: str) -> None:
    assert _verdict(sentence) is None


def test_opposite_of_a_main_part_is_a_contradiction() -> None:
    verdict = _verdict(
        "The route between Dover and Calais was rejected by regulators after a two-year "
        "review, the ferry operator said."
    )
    assert verdict is not None and verdict.kind is ChangeType.CONTRADICTED


def test_too_unspecific_sentence_is_not_covered() -> None:
    assert _verdict("The route will open.") is None


DATED = [
    "Harbour officials said the first ferry left Dover on March 3.",
    "The ferry arrived in Calais with 200 passengers, the operator said.",
    "The ferry did not arrive in Calais on time, a passenger said.",
]
DATED_INDEX = BaselineIndex(
    BaselineClaim(make_claim(s, i), "dated.txt") for i, s in enumerate(DATED)
)


def _dated_verdict(sentence: str):
    claim = make_claim(sentence)
    return union_cover(claim, DATED_INDEX.scored_candidates(claim, CONTAIN_LIMIT))


@pytest.mark.parametrize(
    ("sentence", "held"),
    [
        ("The ferry arrived in Calais with 200 passengers after it left Dover on March 3.", True),
        ("The ferry arrived in Calais with 200 passengers after it left Dover on March 5.", False),
    ],
    ids=["date-found-in-a-second-claim", "date-found-nowhere"],
)
def test_numbers_and_dates_pick_the_claims(sentence: str, held: bool) -> None:
    assert (_dated_verdict(sentence) == HELD) is held
