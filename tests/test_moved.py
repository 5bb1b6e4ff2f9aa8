"""moved: details stated nearby, and sentences moved and reworded within an article."""

from __future__ import annotations

import pytest

from monitor.claims import make_claim
from monitor.moved import moved_paraphrases, stated_nearby
from tests.test_diff import _FILLER as FILLER
from tests.test_diff import _claims


@pytest.mark.parametrize(
    ("value", "kind", "neighbour", "found"),
    [
        ("Russia", "entity", "Russian officials declined to comment.", True),
        ("Russia", "entity", "Moscow declined to comment.", True),
        ("Syria", "entity", "The Syrian army collapsed.", True),
        ("Russia", "entity", "Iranian officials declined to comment.", False),
        ("2015", "date", "Russia intervened in 2015.", True),
        ("2015", "date", "Russia intervened in 2016.", False),
    ],
    ids=["demonym", "capital", "ian-adjective", "other-country", "date", "other-date"],
)
def test_stated_nearby(value: str, kind: str, neighbour: str, found: bool) -> None:
    at = make_claim("It wants to keep the bases.", 1)
    claims = [make_claim(neighbour, 0), at]
    assert stated_nearby(value, kind, claims, [at]) is found


INNER = (
    "Several members of his inner circle had already left the country by then, "
    "according to two former officials."
)


@pytest.mark.parametrize(
    ("old", "new", "paired"),
    [
        (
            INNER,
            "By that point, they said, several people from his inner circle had already "
            "fled abroad.",
            True,
        ),
        (
            INNER,
            "By that point, they said, 12 people from his inner circle had already fled "
            "abroad.",
            False,
        ),
        (
            INNER,
            "By that point, they said, several people from his inner circle had not yet "
            "left the country.",
            False,
        ),
        (INNER, "Queues formed outside banks in the capital on Wednesday.", False),
        (
            "He said he had nothing to add about Assad's location or the state of his "
            "health.",
            "He said he had nothing to add about Assad's location.",
            False,
        ),
    ],
    ids=["reworded", "number-changed", "turned", "other-statement", "clause-dropped"],
)
def test_moved_paraphrases(old: str, new: str, paired: bool) -> None:
    """A sentence removed at the top and restated at the bottom pairs when it is worded
    alike and no detail changed; a changed number, a turned polarity, another statement
    or a clause taken away does not."""
    previous = _claims([old, *FILLER])
    current = _claims([*FILLER, new])
    pairs = moved_paraphrases(previous, current, previous[:1], current[-1:])
    assert [(p.text, c.text) for p, c in pairs] == ([(old, new)] if paired else [])
