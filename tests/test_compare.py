"""Comparing two versions of a statement: polarity and details (monitor.compare)."""

from __future__ import annotations

import pytest

from monitor.claims import make_claim
from monitor.compare import detail_changes, polarity_flipped


@pytest.mark.parametrize(
    ("old", "new", "flipped"),
    [
        ("Jalali pledged cooperation with the rebels.", "Jalali refused to cooperate.", True),
        ("The Kremlin confirmed the report.", "The Kremlin declined to confirm the report.", True),
        ("The crossing remained open on Monday.", "The crossing was closed on Monday.", True),
        ("Assad was not killed.", "Assad survived.", False),
        ("Rebels seized the bank on Monday.", "Rebels took the bank on Monday.", False),
    ],
    ids=["pledged-refused", "declined-to", "open-closed", "not-killed-survived", "synonym"],
)
def test_polarity_flipped(old: str, new: str, flipped: bool) -> None:
    assert polarity_flipped(make_claim(old), make_claim(new)) is flipped


@pytest.mark.parametrize(
    ("old", "new", "changed"),
    [
        (
            "Rebels freed 300 prisoners on December 8.",
            "Rebels freed 3,000 prisoners on December 8.",
            [{"kind": "number", "old": "300", "new": "3000"}],
        ),
        (
            "The Red Crescent said 40 trucks had crossed into Idlib.",
            "The UN agency said 40 trucks had crossed into Idlib.",
            [{"kind": "source", "old": "Red Crescent", "new": "UN agency"}],
        ),
        (
            "Dozens of people were killed in Homs.",
            "Hundreds of people were killed in Homs.",
            [{"kind": "number", "old": "dozens", "new": "hundreds"}],
        ),
        (
            "Pedersen met Sharaa in Damascus on Sunday.",
            "Kallas met Bashir in Aleppo on Sunday.",
            [
                {"kind": "entity", "old": "Pedersen", "new": "Kallas"},
                {"kind": "entity", "old": "Sharaa", "new": "Bashir"},
                {"kind": "entity", "old": "Damascus", "new": "Aleppo"},
            ],
        ),
    ],
    ids=["number", "source-in-subject", "vague-quantity", "every-name"],
)
def test_detail_changes(old: str, new: str, changed: list[dict]) -> None:
    assert detail_changes(make_claim(old), make_claim(new)) == changed


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (
            "Forces led by Hayat Tahrir al-Sham (HTS) took Damascus.",
            "Forces led by Hayat Tahrir al-Sham took Damascus.",
        ),
        (
            "HTS fighters took Damascus on Sunday.",
            "Hayat Tahrir al-Sham fighters took Damascus on Sunday.",
        ),
        (
            "Later, rebel forces seized control of the capital.",
            "Rebel forces seized control of the capital.",
        ),
        (
            "The ministry will meet on December 17.",
            "The ministry will meet on December 17, 2024.",
        ),
        ("Rebels entered Lattakia on Monday.", "Rebels entered Latakia on Monday."),
    ],
    ids=["acronym-dropped", "acronym-for-name", "opener-capitalised", "year-added", "respelled"],
)
def test_same_details_written_differently(old: str, new: str) -> None:
    assert detail_changes(make_claim(old), make_claim(new)) == []


def test_replace_only_ignores_one_sided_details() -> None:
    old = make_claim("Rebels freed prisoners from Sednaya.")
    new = make_claim("Rebels freed 300 prisoners from Sednaya on Sunday.")
    assert detail_changes(old, new, replace_only=True) == []
    assert detail_changes(old, new) != []


def test_a_dropped_sentence_opener_is_no_name_change() -> None:
    old = make_claim("Electricity returned to Aleppo on Sunday after engineers repaired a line.")
    new = make_claim("Power came back to Aleppo on Sunday after engineers fixed a line.")
    assert detail_changes(old, new) == []


def test_a_replaced_sentence_opener_is_a_name_change() -> None:
    old = make_claim("Assad fled to Moscow on Sunday.")
    new = make_claim("Jalali fled to Moscow on Sunday.")
    assert detail_changes(old, new) == [{"kind": "entity", "old": "Assad", "new": "Jalali"}]


@pytest.mark.parametrize(
    ("old", "new", "changed"),
    [
        (
            "UN special envoy for Syria Geir Pedersen arrived in Damascus on Sunday.",
            "Geir Pedersen arrived in Damascus on Sunday.",
            [],
        ),
        (
            "Jordan has closed the Jaber border crossing with Syria.",
            "Jordan has closed the Jaber and Ramtha border crossings with Syria.",
            [{"kind": "entity", "old": None, "new": "Ramtha"}],
        ),
    ],
    ids=["title-dropped-with-its-name", "place-added-to-a-list"],
)
def test_one_sided_names(old: str, new: str, changed: list[dict]) -> None:
    assert detail_changes(make_claim(old), make_claim(new)) == changed
