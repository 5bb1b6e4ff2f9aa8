"""Loose restatements of baseline claims (monitor.restatement), against the seed baseline."""

from __future__ import annotations

import pytest

from monitor.baseline import BaselineIndex
from monitor.baseline_check import check_baseline
from monitor.claims import make_claim
from monitor.models import BaselineClaim, ChangeType
from monitor.restatement import report_dates, restated
from tests.test_baseline_check import INDEX


def _restated(sentence: str, index: BaselineIndex = INDEX) -> ChangeType | str | None:
    claim = make_claim(sentence)
    verdict = restated(claim, index.scored_candidates(claim, 24), index)
    return "not restated" if verdict is None else verdict.kind


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        # "before he left" for "before his departure": one word the lexicon lacks
        (
            "The Kremlin also said Assad had negotiated a peaceful transfer of power to "
            "rebel forces shortly before he left.",
            None,
        ),
        # "could not reach" for "unable to contact", clauses reordered
        (
            "His disappearance as rebels advanced on Damascus fuelled the rumours, and even "
            "his prime minister could not reach him.",
            None,
        ),
        # only the place differs: "in Tartus province" for "in Latakia province"
        (
            "Assad says that as rebels took Damascus he travelled to a Russian military base "
            "in Tartus province to oversee military operations.",
            ChangeType.UPDATED,
        ),
        # a date the baseline does not give is news
        (
            "The Kremlin also said Assad had negotiated a peaceful transfer of power to "
            "rebel forces on December 3 before he left.",
            "not restated",
        ),
        # a name the baseline does not give is news
        (
            "The Kremlin said Assad negotiated a peaceful handover of power to rebel forces "
            "shortly before he left, in a meeting with Jolani.",
            "not restated",
        ),
        # the opposite of the closest claim
        (
            "The Kremlin also said Assad had not negotiated a peaceful transfer of power to "
            "rebel forces before he left.",
            "not restated",
        ),
        # known words from many claims, and "a handful of relatives" from none
        ("The aide said Assad had told only a handful of relatives about his plans.",
         "not restated"),
        # a known predicate moved to a less common name: Iran and Jalali are never named
        # together with granting asylum
        ("Tehran has granted asylum to Prime Minister Mohammad Jalali, an Iranian official "
         "said.", "not restated"),
        # a state its closest claims do not assert ("killed")
        (
            "The Kremlin also said Assad had negotiated a peaceful transfer of power to "
            "rebel forces shortly before he was killed.",
            "not restated",
        ),
        # the states it asserts, from the two claims it restates ("killed" from the
        # second)
        (
            "Radar tracking showed the aircraft making a sudden U-turn west of Homs before "
            "it vanished, fuelling rumours that he had been killed.",
            None,
        ),
        ("Russia.", "not restated"),  # too short to judge loosely
        # "European Union" for "EU"; "should be given no role" for "should not have a role"
        (
            "The European Union's foreign policy chief, Kaja Kallas, said Russia and Iran "
            "should be given no role in Syria's future.",
            None,
        ),
        (
            "The European Union's foreign policy chief, Kaja Kallas, said Russia and Iran "
            "should be given no role in Lebanon's future.",
            ChangeType.UPDATED,
        ),
        # "the capital fell" states no trend of a quantity
        ("The capital fell on Sunday with minimal resistance, and Assad fled.", None),
        # two sentences of one quote: "UN" stands in the second with part of what is said
        (
            "A Kremlin source told TASS that Russia had always advocated a political "
            "resolution to the Syrian crisis and wanted UN-mediated talks to resume.",
            None,
        ),
        # a short quote ranks low on similarity, but holds what the closest claims lack
        (
            "Mikhail Ulyanov, Russia's permanent representative to international "
            "organisations in Vienna, had earlier written on Telegram that Assad and his "
            "family were in Moscow and that Russia does not betray its friends in difficult "
            "situations.",
            None,
        ),
        # the negation falls on what the best claim says; another negated claim in the
        # pair does not make it agree
        ("Peskov also said that Assad had not been granted asylum in Russia.", "not restated"),
    ],
    ids=[
        "left-for-departure", "reach-for-contact", "place-replaced", "new-date",
        "new-name", "negated", "scattered-words", "predicate-on-rare-name",
        "state-not-asserted", "states-from-two-claims", "too-short", "acronym-written-out",
        "acronym-written-out-place-replaced", "a-city-falls", "rare-name-in-the-pair",
        "short-quote-among-the-candidates", "negation-on-the-best-claim",
    ],
)
def test_restated(sentence: str, expected: ChangeType | str | None) -> None:
    assert _restated(sentence) == expected


@pytest.mark.parametrize(
    ("sentence", "old", "new"),
    [
        ("Assad says that as rebels took Damascus he travelled to a Russian military base "
         "in Tartus province to oversee military operations.", "Latakia", "Tartus"),
        # "Hama" is a known name (the offensive took it), but the U-turn was west of Homs
        ("Radar tracking then showed the plane making a sudden U-turn near the city of Hama "
         "before losing altitude rapidly and vanishing from radar screens.", "Homs", "Hama"),
    ],
    ids=["a-place-the-baseline-lacks", "a-place-the-baseline-names-elsewhere"],
)  # fmt: skip
def test_place_replaced_names_both_places(sentence: str, old: str, new: str) -> None:
    verdict = check_baseline(make_claim(sentence), INDEX)
    assert verdict.kind is ChangeType.UPDATED
    assert verdict.changed == [{"kind": "entity", "old": old, "new": new}]
    assert verdict.baseline is not None and old in verdict.baseline.claim.text


@pytest.mark.parametrize(
    "sentence",
    [
        "Jalali and his family have arrived in Moscow after fleeing Damascus.",
        "Prime Minister Mohammad Jalali has sought and been granted political asylum in "
        "Moscow.",
    ],
    ids=["family-arrived", "granted-asylum"],
)
def test_a_known_statement_of_another_person_is_new(sentence: str) -> None:
    # the seeds say this of Assad, never of Jalali: a statement about someone else,
    # neither held nor read as the same statement with a replaced detail
    assert _restated(sentence) == "not restated"
    assert check_baseline(make_claim(sentence), INDEX).kind is ChangeType.NEW


def test_the_story_subject_may_stand_apart_but_a_rarer_name_may_not() -> None:
    base = [
        "Assad fled Damascus as the rebels advanced.",
        "Assad had ruled Syria since 2000.",
        "Assad's whereabouts were unknown for a day.",
        "Rebels said they had freed thousands of prisoners from Sednaya prison.",
    ]
    index = BaselineIndex(BaselineClaim(make_claim(t), "b") for t in base)
    # Assad is the story's subject: his name need not stand with the predicate
    assert _restated("As the rebels advanced, Assad fled Damascus, it emerged.", index) is None
    # Sednaya is not: the predicate (ruling since 2000) is said of Assad only
    assert _restated("Sednaya prison had been run by Syria's rulers since 2000.", index) == (
        "not restated"
    )


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("The agency reported on Sunday that Assad had arrived.", {"sunday"}),
        ("TASS reported on Sunday evening that Assad had arrived.", {"sunday"}),
        ("Rebels took Aleppo on November 30, officials said on Monday.", {"monday"}),
        ("A diplomat told Leaders Desk on Tuesday that Russia took part.", {"tuesday"}),
        ("Assad fled on Sunday, officials said.", set()),
    ],
    ids=[
        "reported-on", "reported-on-evening", "said-on-at-the-end", "told-someone-on",
        "event-date",
    ],
)
def test_report_dates_are_when_the_source_spoke(sentence: str, expected: set[str]) -> None:
    assert report_dates(make_claim(sentence)) == expected
