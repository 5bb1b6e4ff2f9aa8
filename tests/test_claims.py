"""make_claim and split_claims, the public entry of the claim engine (monitor.claims)."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.claims import is_claim, make_claim, split_claims

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def test_split_claims_positions_and_filtering() -> None:
    text = (SEEDS / "001_faf6987c39893a7f.txt").read_text(encoding="utf-8")
    claims = split_claims(text)
    assert [c.position for c in claims] == list(range(len(claims)))
    texts = [c.text for c in claims]
    assert "Escape from Damascus" not in texts
    assert "Rebel Leader Declares Victory" not in texts
    assert any(t.startswith("Jalali, still in Damascus") for t in texts)
    assert len(claims) == 20


@pytest.mark.parametrize("seed", sorted(p.name for p in SEEDS.glob("*.txt")))
def test_every_seed_yields_claims(seed: str) -> None:
    claims = split_claims((SEEDS / seed).read_text(encoding="utf-8"))
    assert len(claims) >= 8
    assert all(is_claim(c.text) for c in claims)
    assert all(not c.text.rstrip().endswith("?") for c in claims)


@pytest.mark.parametrize(
    "sentence",
    [
        "09:15 GMT - The harbour authority says the port will reopen tomorrow.",
        "9.15am: The harbour authority says the port will reopen tomorrow.",
        "21:40 | The harbour authority says the port will reopen tomorrow.",
        "[21:40] The harbour authority says the port will reopen tomorrow.",
        "2140 GMT - The harbour authority says the port will reopen tomorrow.",
        "Updated 21:40: The harbour authority says the port will reopen tomorrow.",
        "21:40 The harbour authority says the port will reopen tomorrow.",
    ],
    ids=["gmt-dash", "am-colon", "pipe", "brackets", "four-digits-and-zone", "updated", "bare"],
)
def test_live_blog_entry_stamp_ignored(sentence: str) -> None:
    plain = make_claim("The harbour authority says the port will reopen tomorrow.")
    c = make_claim(sentence)
    assert c.norm == plain.norm and c.dates == plain.dates
    assert c.text == sentence  # the reported text is untouched


@pytest.mark.parametrize(
    ("sentence", "numbers", "dates"),
    [
        ("2140 people crossed the border on Monday.", ("2140",), ("monday",)),
        ("21:40 was the deadline for the talks.", (), ("21:40",)),
    ],
    ids=["four-digits-without-zone", "time-then-lowercase"],
)
def test_what_is_no_entry_stamp(sentence: str, numbers: tuple, dates: tuple) -> None:
    c = make_claim(sentence)
    assert (c.numbers, c.dates) == (numbers, dates)


def test_dotted_acronym_is_read_as_a_name() -> None:
    c = make_claim("The U.N. said it was in contact with the rebels.")
    assert "UN" in c.entities and c.text.startswith("The U.N.")


def test_a_country_written_several_ways_is_one_name() -> None:
    # the name the claim is compared by; the text stays as written
    claims = [make_claim(f"The {n} said it was in contact with the rebels.")
              for n in ("U.S.", "US", "USA", "United States")]
    assert {c.entities for c in claims} == {("USA",)}
    assert len({c.key for c in claims}) == 1
    assert claims[3].text.startswith("The United States")
