"""Aligning two versions of an article: pairs, merges and splits (monitor.align)."""

from __future__ import annotations

import pytest

from monitor.align import ALIGN_THRESHOLD, align, align_score, same_slot_paraphrases
from monitor.claims import make_claim
from monitor.models import Claim


def _claims(sentences: list[str], start: int = 0) -> list[Claim]:
    return [make_claim(s, start + i) for i, s in enumerate(sentences)]


def _texts(prev: list[str], cur: list[str]) -> list[tuple[list[str], list[str]]]:
    return [
        ([c.text for c in g.old], [c.text for c in g.new])
        for g in align(_claims(prev), _claims(cur))
    ]


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (
            "The Syrian Arab Red Crescent said 40 trucks had crossed into Idlib on Wednesday.",
            "The UN humanitarian office said 40 trucks had crossed into Idlib on Wednesday.",
        ),
        (
            "According to the Syrian Observatory for Human Rights, 1,500 detainees walked out "
            "of Sednaya prison on Sunday.",
            "According to the White Helmets civil defence group, 1,500 detainees walked out of "
            "Sednaya prison on Sunday.",
        ),
        ("Reuters reported that the airport had reopened.", "AFP reported that the airport had "
         "reopened."),
        ("Geir Pedersen met Ahmed al-Sharaa in Damascus on Sunday.",
         "Kaja Kallas met Mohammed al-Bashir in Aleppo on Sunday."),
        ("Jalali pledged cooperation with the rebels.", "Jalali refused to cooperate with the "
         "rebels."),
    ],
    ids=["source-subject", "source-according", "source-short", "every-name", "antonym"],
)  # fmt: skip
def test_same_statement_aligns(old: str, new: str) -> None:
    assert align_score(make_claim(old), make_claim(new)) >= ALIGN_THRESHOLD


def test_a_description_added_after_a_name_keeps_the_frame() -> None:
    # "by X, the Kremlin's envoy for Syria, according to": who X is, not another statement
    old = make_claim("The first contacts were made by Deputy Foreign Minister Mikhail Bogdanov, "
                     "according to the ministry.", 4)
    new = make_claim("The first contacts were made by Alexander Lavrentiev, the Kremlin's "
                     "special envoy for Syria, according to the ministry.", 4)
    assert align_score(old, new) >= ALIGN_THRESHOLD


def test_identical_frame_far_away_does_not_align() -> None:
    old = make_claim("Geir Pedersen met Ahmed al-Sharaa in Damascus on Sunday.", 0)
    new = make_claim("Kaja Kallas met Mohammed al-Bashir in Aleppo on Sunday.", 9)
    assert align_score(old, new) < ALIGN_THRESHOLD


def test_different_statements_do_not_align() -> None:
    old = make_claim("Rebels freed 300 prisoners from Sednaya prison on Sunday.")
    new = make_claim("The central bank reopened its doors to commercial lenders.")
    assert align_score(old, new) < ALIGN_THRESHOLD


@pytest.mark.parametrize(
    ("prev", "cur"),
    [
        (
            ["A passenger ferry carrying 212 people left Latakia shortly after noon.",
             "It docked in the Turkish port of Mersin six hours later."],
            ["A passenger ferry carrying 212 people left Latakia shortly after noon and docked "
             "in the Turkish port of Mersin six hours later."],
        ),
        (
            ["The finance ministry reopened on Sunday.",
             "Most of its staff returned to their desks.",
             "December salaries were paid in cash."],
            ["The finance ministry reopened on Sunday, most of its staff returned to their desks "
             "and December salaries were paid in cash."],
        ),
        (
            ["UN envoy Geir Pedersen said the transition must include all communities and that "
             "sanctions relief should follow quickly."],
            ["UN envoy Geir Pedersen said the transition must include all communities.",
             "He added that sanctions relief should follow quickly."],
        ),
    ],
    ids=["merge-two", "merge-three", "split-two"],
)  # fmt: skip
def test_merge_and_split_form_one_group(prev: list[str], cur: list[str]) -> None:
    assert _texts(prev, cur) == [(prev, cur)]


def test_group_needs_adjacent_sentences() -> None:
    prev = _claims(["A passenger ferry left Latakia shortly after noon."], 0)
    prev += _claims(["It docked in the Turkish port of Mersin six hours later."], 5)
    cur = _claims(
        [
            "A passenger ferry left Latakia shortly after noon and docked in the Turkish port "
            "of Mersin six hours later."
        ]
    )
    assert all(len(g.old) == 1 for g in align(prev, cur))


def test_one_to_one_wins_over_a_merge_that_adds_nothing() -> None:
    prev = ["Rebels freed 300 prisoners from Sednaya on Sunday.", "Families waited outside."]
    cur = ["Rebels freed 3,000 prisoners from Sednaya on Sunday."]
    assert _texts(prev, cur) == [([prev[0]], cur)]


def test_each_joined_sentence_must_be_covered() -> None:
    prev = [
        "Engineers restored the water supply to most of Hama on Saturday.",
        "Aid groups handed out blankets at the border with Lebanon.",
    ]
    cur = ["Engineers restored the water supply to most of Hama on Saturday morning."]
    assert _texts(prev, cur) == [([prev[0]], cur)]


def test_synonyms_swapped_in_place_align() -> None:
    old = make_claim(
        "Electricity returned to most districts of Aleppo on Sunday after engineers repaired a "
        "damaged power line."
    )
    new = make_claim(
        "Power came back to most districts of Aleppo on Sunday after engineers fixed a damaged "
        "power line."
    )
    assert align_score(old, new) >= ALIGN_THRESHOLD


def test_merge_across_an_unchanged_sentence() -> None:
    prev = _claims(
        [
            "The city council said flour deliveries from the coast had resumed.",
            "Prices were capped at the pre-war level by the new local administration.",
        ]
    )
    prev[1] = make_claim(prev[1].text, 2)  # a quote stood between them, unchanged
    cur = _claims(
        [
            "The city council said flour deliveries from the coast had resumed, and prices were "
            "capped at the pre-war level by the new local administration."
        ],
        start=2,
    )
    groups = align(prev, cur)
    assert len(groups) == 1 and len(groups[0].old) == 2


def test_no_merge_across_a_long_gap() -> None:
    prev = [
        make_claim("The city council said flour deliveries from the coast had resumed.", 0),
        make_claim("Prices were capped at the pre-war level by the new local administration.", 5),
    ]
    cur = _claims(
        [
            "The city council said flour deliveries from the coast had resumed, and prices were "
            "capped at the pre-war level by the new local administration."
        ]
    )
    assert all(len(g.old) == 1 for g in align(prev, cur))


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (
            "Engineers from the Organisation for the Safety of Air Navigation inspected the "
            "runway on Monday.",
            "Engineers from the International Civil Aviation Organization inspected the runway "
            "on Monday.",
        ),
        (
            "Experts at the Centre for Naval Analyses say Moscow is moving helicopters.",
            "Experts at the Black Sea Security Centre say Moscow is moving helicopters.",
        ),
    ],
    ids=["name-with-links-masked-whole", "name-with-links-replaced"],
)
def test_long_names_are_masked_as_one(old: str, new: str) -> None:
    assert align_score(make_claim(old), make_claim(new)) >= ALIGN_THRESHOLD


def test_same_slot_paraphrases_need_a_kept_neighbour() -> None:
    first = "Thousands waited at the crossing on Tuesday."
    last = "The crossing links Beirut and Damascus."
    old = [
        make_claim(first, 0),
        make_claim("Guards said the queue of cars stretched for almost 3 kilometres.", 1),
        make_claim(last, 2),
    ]
    new = [
        make_claim(first, 0),
        make_claim("According to guards, the line of cars reached nearly 3 kilometres.", 1),
        make_claim(last, 2),
    ]
    assert align_score(old[1], new[1]) < ALIGN_THRESHOLD
    pair = [(old[1], new[1])]
    assert same_slot_paraphrases(old, new, [old[1]], [new[1]], {0: 0, 2: 2}) == pair
    assert same_slot_paraphrases(old, new, [old[1]], [new[1]], {2: 2}) == pair
    # neither neighbour is kept: no place to share
    assert same_slot_paraphrases(old, new, [old[1]], [new[1]], {}) == []
