"""diff_claims: previous vs current, baseline checks, first sight."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from monitor.baseline import BaselineIndex
from monitor.claims import make_claim, split_claims
from monitor.diff import diff_claims
from monitor.models import BaselineClaim, ChangeType

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
NOW = datetime(2024, 12, 10, 12, 0, tzinfo=UTC)
EMPTY = BaselineIndex()

BASE = [
    "Rebels freed at least 300 prisoners from Sednaya prison on Sunday.",
    "The plane took off from Damascus on December 8 and headed towards Latakia.",
    "Assad arrived in Moscow with his family, according to TASS.",
    "Jalali pledged cooperation with the rebels and urged calm in the capital.",
]


def _claims(sentences: list[str]) -> list:
    return [make_claim(s, i) for i, s in enumerate(sentences)]


def _diff(old: list[str], new: list[str], baseline: BaselineIndex = EMPTY):
    return diff_claims(_claims(old), _claims(new), baseline, now=NOW)


def _seed(name: str) -> str:
    return next(SEEDS.glob(f"{name}_*.txt")).read_text(encoding="utf-8")


def _seed_index() -> BaselineIndex:
    return BaselineIndex(
        BaselineClaim(c, p.name)
        for p in sorted(SEEDS.glob("*.txt"))
        for c in split_claims(p.read_text(encoding="utf-8"))
    )


def _with(index: int, text: str) -> list[str]:
    out = list(BASE)
    out[index] = text
    return out


@pytest.mark.parametrize(
    ("new", "kind", "changed"),
    [
        (
            _with(0, "Rebels freed at least 3,000 prisoners from Sednaya prison on Sunday."),
            "number",
            {"old": "300", "new": "3000"},
        ),
        (
            _with(1, "The plane took off from Damascus on December 7 and headed towards Latakia."),
            "date",
            {"old": "12-08", "new": "12-07"},
        ),
        (
            _with(1, "The plane took off from Damascus on December 8 and headed towards Homs."),
            "entity",
            {"old": "Latakia", "new": "Homs"},
        ),
        (
            _with(2, "Assad arrived in Moscow with his family, according to RIA Novosti."),
            "source",
            {"old": "TASS", "new": "RIA Novosti"},
        ),
    ],
    ids=["number", "date", "place", "source"],
)
def test_updated(new: list[str], kind: str, changed: dict) -> None:
    changes = _diff(BASE, new)
    assert len(changes) == 1
    ch = changes[0]
    assert ch.type is ChangeType.UPDATED
    assert ch.previous_claim is not None and ch.previous_claim in BASE
    assert ch.claim in new
    assert ch.detected_at == NOW
    assert ch.details["changed"] == [{"kind": kind, **changed}]


def test_inserted_sentence_is_new() -> None:
    new = [*BASE[:2], "The United Nations called for an emergency session on Syria.", *BASE[2:]]
    changes = _diff(BASE, new)
    assert [(c.type, c.claim) for c in changes] == [(ChangeType.NEW, new[2])]
    assert changes[0].baseline_claim is None and changes[0].previous_claim is None


def test_deleted_sentence_is_retracted() -> None:
    changes = _diff(BASE, BASE[:1] + BASE[2:])
    assert [(c.type, c.claim) for c in changes] == [(ChangeType.RETRACTED, BASE[1])]


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (
            "Jalali pledged cooperation with the rebels.",
            "Jalali refused to cooperate with the rebels.",
        ),
        (
            "Jalali refused to cooperate with the rebels.",
            "Jalali pledged cooperation with the rebels.",
        ),
        (
            "Earlier reports said Assad was alive after the crash.",
            "Earlier reports said Assad was dead after the crash.",
        ),
        (
            "Earlier reports said Assad was dead after the crash.",
            "Earlier reports said Assad was alive after the crash.",
        ),
        (
            "His arrival in Moscow has been confirmed by the Kremlin.",
            "His arrival in Moscow has not been confirmed by the Kremlin.",
        ),
        (
            "His arrival in Moscow has not been confirmed by the Kremlin.",
            "His arrival in Moscow has been confirmed by the Kremlin.",
        ),
        (
            "The Kremlin confirmed that Assad is in Moscow.",
            "The Kremlin denied that Assad is in Moscow.",
        ),
        (
            "Russia participated in these negotiations.",
            "Russia didn\u2019t participate in these negotiations.",
        ),
        (
            "Two officials said the garrison had also withdrawn from the hills.",
            "Two officials denied that the garrison had withdrawn from the hills.",
        ),
    ],
    ids=[
        "pledged-refused",
        "refused-pledged",
        "alive-dead",
        "dead-alive",
        "confirmed-not",
        "not-confirmed",
        "confirmed-denied",
        "contraction",
        "statement-turned-denial",
    ],
)
def test_polarity_flip_is_contradiction(old: str, new: str) -> None:
    changes = _diff([BASE[0], old], [BASE[0], new])
    assert [(c.type, c.claim, c.previous_claim) for c in changes] == [
        (ChangeType.CONTRADICTED, new, old)
    ]


@pytest.mark.parametrize(
    "new",
    [
        _with(2, "Assad arrived in Moscow with his family, according to \u201cTASS\u201d."),
        [s.replace("'", "\u2019") for s in BASE],
        _with(
            3, "Jalali pledged cooperation with the rebels \u2014 and urged calm in the capital."
        ),
        _with(3, "Jalali pledged cooperation with the rebels - and urged calm in the capital."),
        [s.replace(" ", "  ") for s in BASE],
        list(reversed(BASE)),
        _with(0, "On Sunday, rebels freed at least 300 prisoners from Sednaya prison."),
        _with(1, "The plane took off from Damascus on 8 Dec. and headed towards Latakia."),
        _with(
            1, "The plane took off from Damascus on the 8th of December and headed towards Latakia."
        ),
        _with(0, "Rebels freed at least three hundred prisoners from Sednaya prison on Sunday."),
        _with(3, "Jalali pledged co-operation with the rebels and urgd calm in the capital."),
        _with(3, "Jalali pledged cooperation with the rebels and urged calm in the capitol."),
        _with(2, "Assad arrived in Moscow together with his family, according to TASS."),
    ],
    ids=[
        "quote-style",
        "apostrophes",
        "em-dash",
        "dash",
        "whitespace",
        "reordered",
        "clause-moved",
        "date-format",
        "date-ordinal",
        "number-word",
        "typos",
        "typo-2",
        "paraphrase",
    ],
)
def test_no_change(new: list[str]) -> None:
    assert _diff(BASE, new) == []


def test_number_word_vs_digit_single() -> None:
    assert _diff(["Rebels freed 3 prisoners."], ["Rebels freed three prisoners."]) == []


def test_reordered_paragraphs_of_a_seed() -> None:
    text = _seed("001")
    paragraphs = text.splitlines()
    previous = split_claims(text)
    current = split_claims("\n".join(reversed(paragraphs)))
    assert diff_claims(previous, current, EMPTY, now=NOW) == []


def test_identical_versions() -> None:
    claims = split_claims(_seed("004"))
    assert diff_claims(claims, claims, _seed_index(), now=NOW) == []


@pytest.mark.parametrize("seed", ["000", "001", "002", "003", "004"])
def test_first_sight_of_seed_against_full_baseline(seed: str) -> None:
    assert diff_claims(None, split_claims(_seed(seed)), _seed_index(), now=NOW) == []


def test_first_sight_against_empty_baseline_all_new() -> None:
    claims = split_claims(_seed("002"))
    changes = diff_claims(None, claims, EMPTY, now=NOW)
    assert [c.type for c in changes] == [ChangeType.NEW] * len(claims)
    assert [c.claim for c in changes] == [c.text for c in claims]


def test_seed1_sentence_inserted_into_seed4_is_known() -> None:
    previous = split_claims(_seed("004"))
    sentence = (
        "Jalali, still in Damascus, pledged cooperation with the rebels and emphasized "
        "the importance of stability during the transition."
    )
    lines = _seed("004").splitlines()
    current = split_claims("\n".join([*lines[:8], sentence, *lines[8:]]))
    assert len(current) == len(previous) + 1
    assert diff_claims(previous, current, _seed_index(), now=NOW) == []


def test_new_sentence_contradicting_baseline() -> None:
    previous = split_claims(_seed("004"))
    current = [*previous, make_claim("Officials said Jalali had left Damascus.", len(previous))]
    changes = diff_claims(previous, current, _seed_index(), now=NOW)
    assert len(changes) == 1
    ch = changes[0]
    assert ch.type is ChangeType.CONTRADICTED
    assert ch.claim == "Officials said Jalali had left Damascus."
    assert ch.previous_claim is None
    assert ch.baseline_claim is not None and ch.baseline_claim.startswith(
        "Jalali, still in Damascus"
    )
    assert ch.baseline_source is not None and ch.baseline_source.startswith("001_")


def test_baseline_polarity_flip_on_first_sight() -> None:
    claim = make_claim("Russia participated in these negotiations.")
    changes = diff_claims(None, [claim], _seed_index(), now=NOW)
    assert [c.type for c in changes] == [ChangeType.CONTRADICTED]
    assert changes[0].baseline_claim == "\u201cRussia did not participate in these negotiations."


@pytest.mark.parametrize(
    ("sentence", "first_sight"),
    [
        ("Where Assad's brother had gone was at first unclear.", None),
        ("Those theories were eventually put to rest.", None),
        ("Here is what we know about the new cabinet.", None),
        (
            "The new authorities in Damascus have officially requested from Moscow the "
            "extradition of Bashar al-Assad for a trial in Syria.",
            ChangeType.NEW,
        ),
        (
            "For several hours there were rumours that Maher al-Assad had fled to Iraq.",
            ChangeType.NEW,
        ),
        ("Speculation grew that 300 soldiers had deserted.", ChangeType.NEW),
    ],
    ids=["unclear", "theories", "signpost", "no-conjecture", "rare-name", "number"],
)
def test_framing_is_no_news_on_first_sight(sentence: str, first_sight: ChangeType | None) -> None:
    """On first sight a sentence of rumour or doubt that anchors nothing is framing; the
    same sentence added to a known article is still new."""
    index = _seed_index()
    claim = make_claim(sentence)
    assert [c.type for c in diff_claims(None, [claim], index, now=NOW)] == (
        [first_sight] if first_sight else []
    )
    previous = split_claims(_seed("004"))
    current = [*previous, make_claim(sentence, len(previous))]
    assert [c.type for c in diff_claims(previous, current, index, now=NOW)] == [ChangeType.NEW]


def test_baseline_changed_detail_is_update() -> None:
    claim = make_claim(
        "Since 2015, Russia has maintained three military bases on Syrian soil, "
        "underscoring its commitment to the Assad regime."
    )
    changes = diff_claims(None, [claim], _seed_index(), now=NOW)
    assert [c.type for c in changes] == [ChangeType.UPDATED]
    ch = changes[0]
    assert ch.previous_claim is None and ch.baseline_claim is not None
    assert ch.details["changed"] == [{"kind": "number", "old": "2", "new": "3"}]


def test_baseline_extra_detail_is_compatible() -> None:
    claim = make_claim(
        "Russian news agency TASS, citing Kremlin sources, confirmed that Assad "
        "fled Syria on December 8, seeking refuge as rebels stormed the capital "
        "Damascus."
    )
    assert diff_claims(None, [claim], _seed_index(), now=NOW) == []


def test_changes_ordered_by_position() -> None:
    old = list(BASE)
    new = [
        "Rebels freed at least 3,000 prisoners from Sednaya prison on Sunday.",
        "The United Nations called for an emergency session on Syria.",
        BASE[2],
        "Jalali refused to cooperate with the rebels and urged calm in the capital.",
    ]
    changes = _diff(old, new)
    assert [c.type for c in changes] == [
        ChangeType.UPDATED,
        ChangeType.RETRACTED,  # BASE[1] was at position 1
        ChangeType.NEW,
        ChangeType.CONTRADICTED,
    ]


def test_a_dropped_copy_of_a_kept_sentence_is_no_retraction() -> None:
    # the article still states it: a duplicate removed is a copy edit
    s = "Rebels freed at least 300 prisoners from Sednaya prison on Sunday."
    assert _diff([s, s], [s]) == []
    assert _diff([s], [s, s]) == []


_FILLER = [
    "Church leaders said they had been promised that Christmas could be celebrated.",
    "Al-Sharaa told the delegations that Syria belonged to all its citizens.",
    "Fighters were ordered to stay away from state institutions.",
]


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        (
            [
                "The group was once affiliated with al-Qaeda but cut ties with it in 2016.",
                *_FILLER,
                "Western governments still list HTS as a terrorist organisation.",
            ],
            [
                *_FILLER,
                "Western governments still list HTS, which broke with al-Qaeda in 2016 after "
                "years of affiliation, as a terrorist organisation.",
            ],
            [],
        ),
        (
            [
                "The group was once affiliated with al-Qaeda but cut ties with it in 2016.",
                *_FILLER,
                "Western governments still list HTS as a terrorist organisation.",
            ],
            [
                *_FILLER,
                "Western governments still list HTS, which broke with al-Qaeda in 2018 after "
                "years of affiliation, as a terrorist organisation.",
            ],
            # the date differs: the old statement is not made, the new one is new
            [ChangeType.NEW, ChangeType.RETRACTED],
        ),
        (
            [
                "Assad is now in Moscow, where Russia has granted him and his family asylum.",
                *_FILLER,
            ],
            [
                *_FILLER,
                "Russia gave asylum to Assad and his relatives, who are living in Moscow.",
            ],
            [],
        ),
        (
            [
                "Kremlin spokesman Dmitry Peskov told reporters on a conference call that "
                "Putin took the decision.",
                *_FILLER,
                "He said he had nothing to add about Assad's location.",
            ],
            [
                "Kremlin spokesman Dmitry Peskov told reporters on a conference call that "
                "Putin took the decision.",
                "Peskov said he had nothing further to add on where Assad was.",
                *_FILLER,
            ],
            # the new wording is held by the old sentence, which it needs: neither is news
            [],
        ),
        (
            [
                "Kremlin spokesman Dmitry Peskov told reporters on a conference call that "
                "Putin took the decision.",
                *_FILLER,
                "He said he had nothing to add about Assad's location or the state of his health.",
            ],
            [
                "Kremlin spokesman Dmitry Peskov told reporters on a conference call that "
                "Putin took the decision.",
                "Peskov said he had nothing to add about Assad's location.",
                *_FILLER,
            ],
            # the old sentence said more than its restatement: that part is dropped
            [ChangeType.RETRACTED],
        ),
        (
            [
                "The former officials said commanders learned of the departure late.",
                "Several members of his inner circle had already left the country by then, "
                "according to two former officials.",
                *_FILLER,
            ],
            [
                "The former officials said commanders learned of the departure late.",
                *_FILLER,
                "By that point, they said, several people from his inner circle had already "
                "fled abroad.",
            ],
            [],
        ),
        (
            [
                "Peskov also said it was premature to discuss the future of Russia's bases "
                "in Syria.",
                *_FILLER,
                "Moscow wants to keep the bases.",
            ],
            [
                *_FILLER,
                "Moscow wants to keep the bases.",
                "Peskov told reporters on Monday that it was too early to discuss what would "
                "happen to the bases.",
            ],
            [],
        ),
        (
            [
                "Several members of his inner circle had already left the country by then, "
                "according to two former officials.",
                *_FILLER,
            ],
            [
                *_FILLER,
                "By that point, they said, 12 people from his inner circle had already fled "
                "abroad.",
            ],
            [ChangeType.NEW, ChangeType.RETRACTED],
        ),
        (
            [
                "Several members of his inner circle had already left the country by then, "
                "according to two former officials.",
                *_FILLER,
            ],
            [
                *_FILLER,
                "By that point, they said, several people from his inner circle had not yet "
                "left the country.",
            ],
            [ChangeType.NEW, ChangeType.RETRACTED],
        ),
    ],
    ids=[
        "moved-into-another-sentence",
        "moved-with-a-new-date",
        "reworded-elsewhere",
        "restated-with-fewer-words",
        "restated-with-a-clause-dropped",
        "moved-reworded-source-dropped",
        "moved-reworded-report-date-added",
        "moved-reworded-number-changed",
        "moved-reworded-turned",
    ],
)
def test_a_statement_the_other_version_still_states(
    before: list[str], after: list[str], expected: list[ChangeType]
) -> None:
    # a dropped sentence whose statement the new version makes in another sentence is no
    # retraction, and that sentence is not new; a changed detail still counts
    assert sorted(c.type for c in _diff(before, after)) == sorted(expected)


def test_pure_no_now_leak() -> None:
    changes = _diff(BASE, [*BASE, "The United Nations called for an emergency session on Syria."])
    assert all(c.detected_at == NOW for c in changes)


# --------------------------------------------------------------------------------------
# Containment matching against the baseline, scoped polarity, name-masked alignment

OWN_BASE = [
    "Amid mounting pressure from donors, the water authority announced that it would cut "
    "supplies to three northern districts from 14 March, citing damaged pumping stations.",
    "The mayor of Lyon did not attend the summit in Geneva, a spokeswoman for the city said.",
    "The mining company confirmed that 12 workers were trapped underground after the collapse "
    "on Tuesday.",
    "Officials said the bridge over the Danube would reopen in April, but warned that heavy "
    "lorries would not be allowed on it.",
]


def _own_index() -> BaselineIndex:
    return BaselineIndex(BaselineClaim(make_claim(s), "own") for s in OWN_BASE)


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (
            "The water authority announced that it would cut supplies to three northern "
            "districts from 14 March, citing damaged pumping stations.",
            None,
        ),
        (
            "The water authority announced it would cut supplies to three northern districts "
            "from March 14.",
            None,
        ),
        ("The mayor of Lyon did not attend the Geneva summit.", None),
        ("Officials said the bridge over the Danube would reopen in April.", None),
        (
            "The water authority announced that it would not cut supplies to three northern "
            "districts from 14 March.",
            ChangeType.CONTRADICTED,
        ),
        (
            "The mayor of Lyon attended the summit in Geneva, the city said.",
            ChangeType.CONTRADICTED,
        ),
        (
            "The mining company denied that workers were trapped underground after the collapse.",
            ChangeType.CONTRADICTED,
        ),
        (
            "The water authority announced that it would cut supplies to five northern "
            "districts from 14 March.",
            ChangeType.UPDATED,
        ),
        (
            "The mining company confirmed that 12 workers were trapped underground and that "
            "rescuers had reached two of them by Wednesday evening.",
            ChangeType.NEW,
        ),
        (
            "The bridge over the Danube collapsed on Friday, killing four people, police said.",
            ChangeType.NEW,
        ),
        ("Workers were trapped in Lyon.", ChangeType.NEW),
    ],
    ids=[
        "prefix-dropped",
        "tail-cut-date-format",
        "shortened-negative",
        "other-clause-negation-out-of-scope",
        "negated",
        "negation-removed",
        "antonym",
        "number-changed",
        "extra-content-is-new",
        "same-topic-new-fact",
        "too-short-to-contain",
    ],
)
def test_first_sight_containment(sentence: str, expected: ChangeType | None) -> None:
    changes = diff_claims(None, [make_claim(sentence)], _own_index(), now=NOW)
    assert [c.type for c in changes] == ([expected] if expected else [])


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "The union welcomed the offer and promised to end the strike by Friday.",
            "The union rejected the offer and promised to end the strike by Friday.",
            ChangeType.CONTRADICTED,
        ),
        (
            "The contract was signed for the city by Mayor Anna Keller, the council said.",
            "The contract was signed for the city by Deputy Mayor Tomas Brandt, the council said.",
            ChangeType.UPDATED,
        ),
        (
            "The ferry left the harbour at 06:30 local time.",
            "The ferry left the harbour at 6.30am local time.",
            None,
        ),
        (
            "The ferry left the harbour at 06:30 local time.",
            "The ferry left the harbour at 7.30am local time.",
            ChangeType.UPDATED,
        ),
        (
            "Police seized three rifles and a pistol.",
            "Police seized 3 rifles and one pistol.",
            None,
        ),
        (
            "The Red Cross emergancy team said the road was blocked.",
            "The Red Cross emergency team said the road was blocked.",
            None,
        ),
        (
            "Former Chancellor Angela Merkel met the delegation in Berlin.",
            "Angela Merkel met the delegation in Berlin.",
            None,
        ),
        (
            "The aircraft's whereabouts since then remain unclear.",
            "It remains unclear where the aircraft has been since then.",
            None,
        ),
        (
            "An official said Moscow was scaling back, not fully withdrawing, its presence.",
            "Moscow was scaling back its presence rather than withdrawing entirely, an official "
            "said.",
            None,
        ),
        (
            "Russia was scaling back its presence rather then withdrawing.",
            "Russia was scaling back its presence rather than withdrawing.",
            None,
        ),
        (
            "The ministry said Syrians alone should decide, without foreign interference.",
            "The ministry said Syrians alone should decide, free of foreign interference.",
            None,
        ),
        (
            "It remains unclear who was on board the Ilyushin.",
            "Who was aboard the Ilyushin remains unclear.",
            None,
        ),
        (
            "Aviation experts urged caution.",
            "Aviation specialists advised caution.",
            None,
        ),
    ],
    ids=[
        "scoped-antonym-with-unchanged-cue",
        "person-replaced",
        "time-format",
        "time-changed",
        "number-words-and-articles",
        "typo-in-source",
        "entity-requalified",
        "whereabouts-as-where-it-has-been",
        "rather-than-is-not",
        "rather-then-typo-fixed",
        "free-of-is-without",
        "unclear-who-moved-to-the-end",
        "experts-specialists-urged-advised",
    ],
)
def test_version_pairs(old: str, new: str, expected: ChangeType | None) -> None:
    changes = _diff([old], [new])
    assert [c.type for c in changes] == ([expected] if expected else [])


@pytest.mark.parametrize(
    ("baseline_text", "claim_text", "expected"),
    [
        ("The archives remain under the control of Interior Minister Karim Haddad.",
         "Interior Minister Karim Haddad has left the archives, aides said.",
         "contradicted_claim"),
        ("Interior Minister Karim Haddad inspected the archives on Monday.",
         "Interior Minister Karim Haddad has left the archives, aides said.",
         "new_claim"),
        ("Interior Minister Karim Haddad has left the archives, aides said on Monday.",
         "Interior Minister Karim Haddad has left the archives.",
         None),
    ],
    ids=["opposite-state-in-baseline", "state-missing-from-baseline", "same-state-contained"],
)
def test_contained_claim_is_held_only_when_the_baseline_asserts_its_state(
    baseline_text, claim_text, expected
):
    index = BaselineIndex([BaselineClaim(make_claim(baseline_text), "b.txt")])
    changes = diff_claims(None, [make_claim(claim_text)], index,
                          now=datetime(2024, 12, 9, tzinfo=UTC))
    assert [c.type.value for c in changes] == ([expected] if expected else [])


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("On Friday, border guards reopened the Bab al-Hawa crossing.",
         "Border guards reopened the Bab al-Hawa crossing on Friday."),
        ("Village leaders agreed to the truce overnight, a local official said.",
         "A local official said village leaders agreed to the truce overnight."),
        ("“The port is open,” said Omar Khatib, a harbour official in Tartus.",
         "Omar Khatib, a harbour official in Tartus, said: “The port is open.”"),
    ],
    ids=["capitalised-opener-moved", "attribution-moved-front", "said-name-inverted"],
)
def test_moving_words_within_a_sentence_is_no_update(old, new):
    changes = diff_claims([make_claim(old)], [make_claim(new)], BaselineIndex(),
                          now=datetime(2024, 12, 9, tzinfo=UTC))
    assert changes == []


# --------------------------------------------------------------------------------------
# Merges and splits, sources and names in subject position


@pytest.mark.parametrize(
    ("old", "new", "expected", "reported"),
    [
        (
            ["A convoy of about forty vehicles left Tartus at dawn.",
             "It reached Hmeimim airbase by midday."],
            ["A convoy of about forty vehicles left Tartus at dawn and reached Hmeimim airbase "
             "by midday."],
            [], None,
        ),
        (
            ["Schools would reopen on December 15, and teachers were asked to report to their "
             "posts."],
            ["Schools would reopen on December 22.",
             "Teachers were asked to report to their posts."],
            [ChangeType.UPDATED], "Schools would reopen on December 22.",
        ),
        (
            ["Diplomats met the caretaker government on Monday and agreed to keep the airbase "
             "open for aid flights."],
            ["Diplomats met the caretaker government on Monday.",
             "They did not agree to keep the airbase open for aid flights."],
            [ChangeType.CONTRADICTED], "They did not agree to keep the airbase open for aid "
            "flights.",
        ),
        (
            ["About 4,500 Syrians crossed back through the Masnaa border post on Sunday.",
             "Most of them travelled on to Damascus by bus."],
            ["About 6,200 Syrians crossed back through the Masnaa border post on Sunday, most "
             "of them travelling on to Damascus by bus."],
            [ChangeType.UPDATED], None,
        ),
    ],
    ids=["merge-same", "split-date-changed", "split-negated", "merge-number-changed"],
)  # fmt: skip
def test_merged_and_split_sentences(
    old: list[str], new: list[str], expected: list[ChangeType], reported: str | None
) -> None:
    changes = _diff(old, new)
    assert [c.type for c in changes] == expected
    if changes:
        assert changes[0].previous_claim == " ".join(old)
        assert changes[0].claim == (reported or new[0])


@pytest.mark.parametrize(
    ("old", "new", "kinds"),
    [
        ("The Syrian Arab Red Crescent said 40 trucks had crossed into Idlib on Wednesday.",
         "The UN humanitarian office said 40 trucks had crossed into Idlib on Wednesday.",
         ["source"]),
        ("Reuters reported that the airport had reopened.",
         "AFP reported that the airport had reopened.", ["source"]),
        ("Geir Pedersen met Ahmed al-Sharaa in Damascus on Sunday.",
         "Kaja Kallas met Mohammed al-Bashir in Aleppo on Sunday.",
         ["entity", "entity", "entity"]),
    ],
    ids=["source-subject", "source-short", "every-name"],
)  # fmt: skip
def test_subject_and_names_replaced_is_one_update(old: str, new: str, kinds: list[str]) -> None:
    changes = _diff(["Diplomats arrived all week.", old], ["Diplomats arrived all week.", new])
    assert [c.type for c in changes] == [ChangeType.UPDATED]
    assert [d["kind"] for d in changes[0].details["changed"]] == kinds


def test_office_replaced_is_an_update_with_its_role() -> None:
    changes = _diff(
        ["Jordan's foreign minister spoke by phone with the new authorities on Wednesday."],
        ["Jordan's king spoke by phone with the new authorities on Wednesday."],
    )
    assert [c.type for c in changes] == [ChangeType.UPDATED]
    assert changes[0].details["changed"] == [
        {"kind": "role", "old": "foreign minister", "new": "king"}
    ]


def test_merge_with_a_pronoun_for_the_name_is_no_change() -> None:
    old = [
        "Journalists were allowed into the Mezzeh airport on Wednesday.",
        "Rights groups say hundreds of detainees were held in cells at Mezzeh during the war.",
        "The airport lies on the western edge of Damascus.",
    ]
    new = [
        "Journalists were allowed into the Mezzeh airport on Wednesday.",
        "The airport lies on the western edge of Damascus, and rights groups say hundreds of "
        "detainees were held in cells there during the war.",
    ]
    assert _diff(old, new) == []


_SLOT = [
    "Thousands of Syrians waited at the crossing on Tuesday to return home.",
    "Lebanese border guards said the queue of cars stretched for almost 3 kilometres by noon.",
    "The crossing is the main route between Beirut and Damascus.",
]


@pytest.mark.parametrize(
    ("edited", "kinds"),
    [
        (
            "According to Lebanese border guards, the line of cars reached nearly 3 kilometres "
            "by noon.",
            [],
        ),
        (
            "Lebanese border guards said they had turned back men who had no identity papers.",
            [ChangeType.RETRACTED, ChangeType.NEW],
        ),
        (
            "According to Lebanese border guards, the line of cars reached nearly 5 kilometres "
            "by noon.",
            [ChangeType.RETRACTED, ChangeType.NEW],
        ),
    ],
    ids=["copy-edit-in-place", "other-statement-in-place", "other-number-in-place"],
)
def test_copy_edit_in_the_same_place(edited: str, kinds: list[ChangeType]) -> None:
    assert [ch.type for ch in _diff(_SLOT, [_SLOT[0], edited, _SLOT[2]])] == kinds


_QUOTE = [
    "Buses carrying returning families arrived in Aleppo on Wednesday.",
    '"We sold everything we had in Gaziantep.',
    'There is nothing left for us in Turkey," said Mahmoud, a carpenter.',
    "The city's water network is working at half capacity, engineers said.",
]


def test_a_dropped_quotation_is_one_retraction() -> None:
    changes = _diff(_QUOTE, [_QUOTE[0], _QUOTE[3]])
    assert [ch.type for ch in changes] == [ChangeType.RETRACTED]
    assert changes[0].claim == f"{_QUOTE[1]} {_QUOTE[2]}"


def test_an_added_quotation_is_one_new_claim() -> None:
    changes = _diff([_QUOTE[0], _QUOTE[3]], _QUOTE)
    assert [ch.type for ch in changes] == [ChangeType.NEW]
    assert "Gaziantep" in changes[0].claim and "said Mahmoud" in changes[0].claim


def test_two_dropped_sentences_without_a_quotation_are_two_retractions() -> None:
    old = [_QUOTE[0], "Mahmoud sold his workshop.", "He will reopen it in Aleppo.", _QUOTE[3]]
    changes = _diff(old, [_QUOTE[0], _QUOTE[3]])
    assert [ch.type for ch in changes] == [ChangeType.RETRACTED, ChangeType.RETRACTED]


_REF = [
    "The navy has kept a base at the port since 2015.",
    "Its expansion that year doubled the harbour's capacity.",
    "The mayor of Tartus said the works would end in June.",
]


@pytest.mark.parametrize(
    ("old", "new", "kinds"),
    [
        (
            _REF,
            [_REF[0], "The navy's expansion in 2015 doubled the harbour's capacity.", _REF[2]],
            [],
        ),
        (
            _REF,
            [_REF[0], "The navy's expansion in 2019 doubled the harbour's capacity.", _REF[2]],
            [ChangeType.UPDATED],
        ),
        (
            ["The navy's expansion in 2015 doubled the harbour's capacity.", _REF[2]],
            ["The navy's expansion that year doubled the harbour's capacity.", _REF[2]],
            [ChangeType.UPDATED],
        ),
        (
            [_REF[0], "The city's mayor said the works would end in June."],
            [_REF[0], "Omar Haddad said the works would end in June."],
            [ChangeType.UPDATED],
        ),
        (
            ["Omar Haddad, the mayor, visited the port.", "The city's mayor said the works "
             "would end in June."],
            ["Omar Haddad, the mayor, visited the port.", "Omar Haddad said the works would "
             "end in June."],
            [],
        ),
    ],
    ids=[
        "year-resolved-from-the-sentence-before", "another-year-is-an-update",
        "year-dropped-not-stated-nearby", "name-for-description-not-named-nearby",
        "name-for-description-named-nearby",
    ],
)  # fmt: skip
def test_a_resolved_reference_is_no_update(
    old: list[str], new: list[str], kinds: list[ChangeType]
) -> None:
    assert [ch.type for ch in _diff(old, new)] == kinds


def test_a_source_added_that_the_baseline_gives_is_no_update() -> None:
    baseline = BaselineIndex(
        [BaselineClaim(make_claim("The ferry sank off Crete with 40 aboard, the coast guard "
                                  "told Reuters."), "b.txt")]
    )
    old = ["The ferry sank off Crete with 40 aboard, the coast guard said."]
    told = ["The ferry sank off Crete with 40 aboard, the coast guard told Reuters."]
    other = ["The ferry sank off Crete with 40 aboard, the coast guard told AFP."]
    assert _diff(old, told, baseline) == []
    assert [ch.type for ch in _diff(old, other, baseline)] == [ChangeType.UPDATED]


def test_a_fixed_typo_in_a_weekday_is_no_change() -> None:
    typo = _with(0, "Rebels freed at least 300 prisoners from Sednaya prison on Snuday.")
    assert _diff(typo, BASE) == []
