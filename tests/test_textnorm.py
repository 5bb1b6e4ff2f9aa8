"""Folding and normalisation: dates, clock times, numbers (monitor.textnorm)."""

from __future__ import annotations

import pytest

from monitor.textnorm import fix_weekday_typos, fold, normalise, undot_acronyms


class _Norm:
    """The normalised fields of one sentence, named like the Claim fields."""

    def __init__(self, text: str) -> None:
        self.norm, self.key, self.numbers, self.dates = normalise(fold(text))


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("He said \u201cno\u201d to \u2018them\u2019.", "He said \"no\" to 'them'."),
        ("Assad\u2019s plane left.", "Assad's plane left."),
        (
            "HTS\u2014once aligned with al-Qaeda\u2014leads.",
            "HTS - once aligned with al-Qaeda - leads.",
        ),
        ("They  waited\tfor   hours.", "They waited for hours."),
        ("Three people died.", "3 people died."),
        ("Twenty-five people died.", "25 people died."),
        ("Two hundred people died.", "200 people died."),
        ("At least 3,000 prisoners were freed.", "At least 3000 prisoners were freed."),
        ("A dozen people died.", "12 people died."),
        ("It happened on December 9.", "It happened on 9 Dec."),
        ("It happened on Dec. 9th.", "It happened on the 9th of December."),
        ("It happened on December 9, 2024.", "It happened on 2024-12-09."),
        ("1.5 million people fled.", "1,500,000 people fled."),
        ("THE PLANE LANDED.", "the plane landed"),
        ("61 per cent want to return.", "61% want to return."),
        ("It was held between December 10 and 15.", "It was held between 10 and 15 December."),
        ("It was held on Dec. 10-15.", "It was held on 10 to 15 December."),
        ("The first aid flight landed on 12/12.", "The first aid flight landed on December 12."),
        ("It happened on 24/12/2024.", "It happened on December 24, 2024."),
        ("It was unclear whether he left.", "It was not clear whether he left."),
        ("Staff worked 24 hours a day.", "Staff worked around the clock."),
        ("Staff worked 24/7.", "Staff worked round-the-clock."),
        ("More than a million people fled.", "More than 1 million people fled."),
        ("Scaling back rather than withdrawing.", "Scaling back, not withdrawing."),
    ],
    ids=[
        "curly-quotes",
        "apostrophe",
        "em-dash",
        "whitespace",
        "number-word",
        "compound-number",
        "hundred",
        "thousands-sep",
        "dozen",
        "date-day-month",
        "date-ordinal-of",
        "date-iso-year",
        "million",
        "case-punct",
        "per-cent",
        "day-range",
        "day-range-dash",
        "numeric-date-same-both-ways",
        "numeric-date-day-first",
        "unclear-whether",
        "hours-a-day-is-around-the-clock",
        "24-7-is-no-date",
        "a-million",
        "rather-than-is-not",
    ],
)
def test_norm_equal(a: str, b: str) -> None:
    assert _Norm(a).norm == _Norm(b).norm


@pytest.mark.parametrize(
    ("sentence", "numbers", "dates"),
    [
        ("At least 3,000 prisoners were freed on December 9.", ("3000",), ("12-09",)),
        ("Three planes left on 9 Dec. 2024.", ("3",), ("2024-12-09",)),
        ("Russia has kept 2 bases since 2015.", ("2",), ("2015",)),
        ("Inflation hit 3.5 percent in March 2023.", ("3.5",), ("2023-03",)),
        ("It was seized on Sunday.", (), ("sunday",)),
        ("He may leave soon.", (), ()),
        # 3/4 reads as March 4 and as April 3: not a date
        ("Three quarters voted on 3/4.", ("3", "3", "4"), ()),
        ("He visited on 10/15/2024.", (), ("2024-10-15",)),
        # 15 people is not a day of December
        ("On December 10 and 15 people died.", ("15",), ("12-10",)),
    ],
    ids=[
        "number-and-date",
        "year-kept",
        "year-after-since",
        "decimal-month-year",
        "weekday",
        "may-is-not-a-month",
        "ambiguous-numeric-date",
        "numeric-date-month-first",
        "range-needs-a-later-day",
    ],
)
def test_numbers_and_dates(sentence: str, numbers: tuple, dates: tuple) -> None:
    c = _Norm(sentence)
    assert c.numbers == numbers
    assert c.dates == dates


def test_key_masks_details() -> None:
    a = _Norm("At least 300 prisoners were freed on December 8.")
    b = _Norm("At least three thousand prisoners were freed on 9 December.")
    assert a.norm != b.norm
    assert a.key == b.key


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("The ferry sailed at 06:30 local time.", "The ferry sailed at 6.30am local time."),
        ("The ferry sailed at 18:05.", "The ferry sailed at 6.05 p.m."),
        ("The vote closed at 9pm.", "The vote closed at 21:00."),
        ("The vote closed at 12 a.m.", "The vote closed at 00:00."),
    ],
    ids=["colon-vs-am", "colon-vs-pm-dotted", "pm-vs-24h", "midnight"],
)
def test_clock_times_fold(a: str, b: str) -> None:
    ca, cb = _Norm(a), _Norm(b)
    assert ca.norm == cb.norm
    assert ca.dates == cb.dates and not ca.numbers


def test_decimal_is_not_a_time() -> None:
    c = _Norm("Inflation rose by 4.30 percent in the year to June.")
    assert c.numbers == ("4.3",)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Police seized three rifles and a pistol.", "Police seized 3 rifles and one pistol."),
        ("One of the guards was injured.", "1 of the guards was injured."),
    ],
    ids=["a-vs-one", "one-vs-digit"],
)
def test_one_is_not_a_compared_number(a: str, b: str) -> None:
    assert _Norm(a).numbers == _Norm(b).numbers


@pytest.mark.parametrize(
    ("sentence", "numbers"),
    [
        ("Dozens of people were hurt.", ("dozens",)),
        ("Tens of thousands of people fled and hundreds died.", ("tens_of_thousands", "hundreds")),
        ("It was the second Friday prayer.", ("2nd",)),
        ("They met on the 21st floor.", ("21st",)),
        ("It was the first time since the 1st attack.", ()),
    ],
    ids=["dozens", "tens-of-thousands", "ordinal-word", "ordinal-digits", "first-is-idiom"],
)
def test_vague_quantities_and_ordinals_are_numbers(sentence: str, numbers: tuple) -> None:
    n = _Norm(sentence)
    assert n.numbers == numbers
    assert "#" in n.key or not numbers


def test_changed_vague_quantity_keeps_the_key() -> None:
    a, b = _Norm("Dozens of bodies were found."), _Norm("Hundreds of bodies were found.")
    assert a.key == b.key and a.numbers != b.numbers


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("\u201cno\u201d \u2018yes\u2019", "\"no\" 'yes'"),
        ("a\u2014b\u2013c", "a - b - c"),
        ("x\u00a0y\u2026", "x y..."),
        ("Recep Tayyip Erdo\u011fan in Ya\u0302sin", "Recep Tayyip Erdogan in Yasin"),
    ],
    ids=["quotes", "long-dashes", "nbsp-ellipsis", "accents"],
)
def test_fold(raw: str, folded: str) -> None:
    assert fold(raw) == folded


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Assad moved $250m to Moscow.", "Assad moved $250 million to Moscow."),
        ("The fund holds \u00a31.5bn.", "The fund holds \u00a31,500,000,000."),
        ("A grant of \u20ac10k was paid.", "A grant of \u20ac10,000 was paid."),
    ],
    ids=["m", "bn-decimal", "k"],
)
def test_money_with_a_scale_letter(a: str, b: str) -> None:
    assert _Norm(a).numbers == _Norm(b).numbers != ()


def test_a_scale_letter_without_money_is_no_number() -> None:
    assert _Norm("The wall is 5m high.").numbers == ()


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("It fed 2.8m people.", "It fed 2.8 million people."),
        ("Some 3bn was pledged.", "Some 3 billion was pledged."),
        ("Tanks were 25km from Damascus.", "Tanks were 25 km from Damascus."),
        ("Jordan hosts 650\u2009000 refugees.", "Jordan hosts 650,000 refugees."),
        ("Jordan hosts 650 000 refugees.", "Jordan hosts 650000 refugees."),
    ],
    ids=["m-before-a-plural", "bn", "glued-unit", "thin-space-thousands", "space-thousands"],
)
def test_numbers_written_against_their_scale_or_grouped_with_spaces(a: str, b: str) -> None:
    assert _Norm(a).numbers == _Norm(b).numbers != ()
    assert _Norm(a).key == _Norm(b).key


@pytest.mark.parametrize(
    ("text", "undotted"),
    [
        ("The U.N. said so.", "The UN said so."),
        ("It reached the U.N.", "It reached the UN"),
        ("At 4 a.m. the plane left.", "At 4 a.m. the plane left."),
        ("It differs from the United States.", "It differs from the USA."),
        ("The United States of America and the U.S.", "The USA and the USA"),
        ("The United Kingdom and the UK", "The Britain and the Britain"),
        ("USAID and US-led forces", "USAID and USA-led forces"),
    ],
    ids=[
        "mid-sentence", "sentence-end", "lowercase-kept", "united-states", "usa-long-and-dotted",
        "united-kingdom", "longer-acronym-kept",
    ],
)
def test_undot_acronyms(text: str, undotted: str) -> None:
    assert undot_acronyms(text) == undotted


@pytest.mark.parametrize(
    ("a", "b", "numbers"),
    [
        ("Russia backed him for over a decade.", "Russia backed him for over ten years.", ("10",)),
        ("The war lasted two decades.", "The war lasted 20 years.", ("20",)),
        ("The bridge stood for a century.", "The bridge stood for 100 years.", ("100",)),
    ],
    ids=["a-decade", "two-decades", "a-century"],
)
def test_periods_count_in_years(a: str, b: str, numbers: tuple) -> None:
    assert _Norm(a).norm == _Norm(b).norm
    assert _Norm(a).numbers == numbers


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("The EU's envoy arrived.", "The EU envoy arrived."),
        ("Iran\u2019s backing helped.", "Iran backing helped."),
        ("The rebels' advance stalled.", "The rebels advance stalled."),
    ],
    ids=["possessive-short-name", "possessive-curly", "plural-possessive"],
)
def test_possessives_read_as_their_name(a: str, b: str) -> None:
    assert _Norm(a).norm == _Norm(b).norm


@pytest.mark.parametrize(
    ("text", "dates"),
    [
        ("December 8: Rebels seize Damascus.", ("12-08",)),
        ("Dec 8:30 pm, the convoy left.", ("20:30",)),
    ],
    ids=["timeline-entry-colon", "clock-time-after-a-month"],
)
def test_a_date_before_a_colon(text: str, dates: tuple) -> None:
    assert _Norm(text).dates == dates


@pytest.mark.parametrize(
    ("text", "fixed"),
    [
        ("gathered on Wendesday outside", "gathered on Wednesday outside"),
        ("on Thrusday", "on Thursday"),
        ("on Wednsday", "on Wednesday"),
        ("on Tuesdday", "on Tuesday"),
        ("a Holiday, a Birthday and Doomsday", "a Holiday, a Birthday and Doomsday"),
        ("on Monday and Sunday", "on Monday and Sunday"),
    ],
    ids=["swapped", "swapped-rh", "dropped", "doubled", "other-day-words", "weekdays"],
)
def test_fix_weekday_typos(text: str, fixed: str) -> None:
    assert fix_weekday_typos(text) == fixed
