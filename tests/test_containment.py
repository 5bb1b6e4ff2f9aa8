"""Containment of a claim in a longer baseline claim (monitor.containment)."""

from __future__ import annotations

import pytest

from monitor.claims import make_claim
from monitor.containment import HELD, contained, restrict
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
