"""How names are written and where they stand (monitor.names)."""

from __future__ import annotations

import pytest

from monitor.claims import make_claim
from monitor.names import (
    is_acronym_of,
    name_skeleton,
    pro_form_for,
    role_changes,
    same_name,
    same_neighbour,
    same_role,
)


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("Sednaya", "Saydnaya", True),
        ("Lattakia", "Latakia", True),
        ("Mohammed", "Muhammad", True),
        ("Homs", "Hamas", False),
        ("Jalali", "Jolani", False),
        ("Hama", "Homs", False),
    ],
    ids=[
        "vowels", "doubled", "vowels-and-doubles", "short-skeleton-alike", "two-people",
        "two-towns",
    ],
)  # fmt: skip
def test_same_name(a: str, b: str, same: bool) -> None:
    assert same_name(a, b) is same


@pytest.mark.parametrize(
    ("name", "skeleton"),
    [("Sednaya", "sdn"), ("Saydnaya", "sdn"), ("al-Julani", "ljln"), ("Qatar", "ktr")],
    ids=["e", "ay", "particle-and-u", "q-as-k"],
)
def test_name_skeleton(name: str, skeleton: str) -> None:
    assert name_skeleton(name) == skeleton


@pytest.mark.parametrize(
    ("short", "full", "expected"),
    [
        ("HTS", "Hayat Tahrir al-Sham", True),
        ("SOHR", "Syrian Observatory for Human Rights", True),
        ("EU", "European Union", True),
        ("UN", "European Union", False),
    ],
    ids=["particle-skipped", "small-word-skipped", "two-words", "other-initials"],
)
def test_is_acronym_of(short: str, full: str, expected: bool) -> None:
    assert is_acronym_of(short, full) is expected


@pytest.mark.parametrize(
    ("old", "new", "changes"),
    [
        ("qatars prime minister spoke by phone", "qatars emir spoke by phone",
         [{"kind": "role", "old": "prime minister", "new": "emir"}]),
        ("the foreign minister said", "the defence minister said",
         [{"kind": "role", "old": "foreign minister", "new": "defence minister"}]),
        ("the syrian leader spoke", "the syrian president spoke", []),
        ("the minister said", "the foreign minister said", []),
        ("the president spoke on monday", "the president spoke on tuesday", []),
    ],
    ids=["office", "qualified-office", "generic-word", "qualifier-added", "office-kept"],
)  # fmt: skip
def test_role_changes(old: str, new: str, changes: list[dict]) -> None:
    assert role_changes(old, new) == changes


@pytest.mark.parametrize(
    ("entity", "old", "new", "expected"),
    [
        ("Mezzeh", "Detainees were held at Mezzeh during the war.",
         "Detainees were held there during the war.", True),
        ("Jalali", "Jalali said the ministries would work.", "He said the ministries would work.",
         True),
        ("Mezzeh", "Detainees were held at Mezzeh during the war.",
         "Detainees were held in cells during the war, he said.", False),
        ("Damascus", "Jalali remained in Damascus when the rebels arrived.",
         "Jalali, who stayed in the capital as the rebels arrived, spoke.", True),
        ("Damascus", "Jalali remained in Damascus when the rebels arrived.",
         "Jalali left for the capital of Jordan when the rebels arrived.", False),
    ],
    ids=["there", "he", "pronoun-elsewhere", "place-noun", "place-noun-after-another-word"],
)  # fmt: skip
def test_pro_form_for(entity: str, old: str, new: str, expected: bool) -> None:
    assert pro_form_for(entity, make_claim(old), make_claim(new)) is expected


@pytest.mark.parametrize(
    ("a", "old", "b", "new", "expected"),
    [
        ("Calais", "Officials in Calais said the terminal opened.",
         "Dover", "Officials in Dover said the terminal opened.", True),
        ("Damascus", "He fled after the fall of Damascus.",
         "Telegram", "In a post on Telegram he said he fled.", False),
    ],
    ids=["same-place", "different-clauses"],
)  # fmt: skip
def test_same_neighbour(a: str, old: str, b: str, new: str, expected: bool) -> None:
    assert same_neighbour(a, make_claim(old), b, make_claim(new)) is expected


@pytest.mark.parametrize(
    ("a", "old", "b", "new", "expected"),
    [
        ("Moscow", "Assad fled to Moscow after the fall.",
         "Dubai", "Assad fled to Dubai after the fall.", True),
        ("Moscow", "Assad fled to Moscow after the fall.",
         "Syria", "Assad left Syria after the fall.", False),
        ("Calais", "Officials in Calais said so.", "Dover", "Officials in Dover said so.", True),
    ],
    ids=["same-preposition", "destination-and-origin", "same-place-preposition"],
)  # fmt: skip
def test_same_role(a: str, old: str, b: str, new: str, expected: bool) -> None:
    assert same_role(a, make_claim(old), b, make_claim(new)) is expected
