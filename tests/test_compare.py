"""Comparing two versions of a statement: polarity and details (monitor.compare)."""

from __future__ import annotations

import pytest

from monitor.claims import make_claim
from monitor.compare import denial_added, detail_changes, polarity_flipped, source_replaced


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


@pytest.mark.parametrize(
    ("old", "new", "changed"),
    [
        (
            "Jordan's foreign minister spoke by phone with the new authorities.",
            "Jordan's king spoke by phone with the new authorities.",
            [{"kind": "role", "old": "foreign minister", "new": "king"}],
        ),
        (
            "The interior minister said the border would reopen.",
            "The defence minister said the border would reopen.",
            [{"kind": "source", "old": "interior minister", "new": "defence minister"}],
        ),
        (
            "The Syrian leader Bashar al-Assad left the capital.",
            "The Syrian president Bashar al-Assad left the capital.",
            [],
        ),
    ],
    ids=["office-replaced", "office-as-source", "generic-word-fits-any-office"],
)
def test_role_changes(old: str, new: str, changed: list[dict]) -> None:
    assert detail_changes(make_claim(old), make_claim(new)) == changed


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (
            "Rights groups say detainees were held in cells at Mezzeh during the war.",
            "Rights groups say detainees were held in cells there during the war.",
        ),
        ("Jalali said the ministries would keep working.", "He said the ministries would keep "
         "working."),
        (
            "More than 900 people were killed, the Observatory for Human Rights said.",
            "More than 900 people were killed, the Syrian Observatory for Human Rights said.",
        ),
        ("The ministry said 40 trucks crossed.", "The health ministry said 40 trucks crossed."),
        ("Rebels reached Idlib on Tuesday.", "Rebels reached Idleb on Tuesday."),
        ("Jolani addressed supporters.", "Julani addressed supporters."),
        ("The Kremlin said Assad was safe.", "Moscow said Assad was safe."),
        ("Rebels entered Hama at 4pm on Sunday.", "Rebels entered Hama at 4pm on December 8."),
        ("Rebels entered Hama at 4pm on December 8.", "Rebels entered Hama at 4pm on Sunday."),
        ("He fought participants in the conflict in the Syrian Arab Republic.",
         "He fought participants in the conflict in Syria."),
        ("Talks were held in the Islamic Republic of Iran.", "Talks were held in Iran."),
        ("The Kremiln said no decision had been made.", "The Kremlin said no decision had been "
         "made."),
    ],
    ids=[
        "there-for-a-place", "pronoun-for-a-person", "source-written-fully",
        "source-qualified", "transliteration", "transliteration-vowel", "seat-for-capital",
        "weekday-given-as-its-date", "date-given-as-its-weekday", "formal-state-name",
        "formal-state-name-of", "source-name-respelt",
    ],
)  # fmt: skip
def test_rewording_is_no_detail_change(old: str, new: str) -> None:
    assert detail_changes(make_claim(old), make_claim(new)) == []


@pytest.mark.parametrize(
    ("old", "new", "flipped"),
    [
        ("It is likely that flights restart.", "It is unlikely that flights restart.", True),
        ("The governor said the road was safe.", "The governor said the road was unsafe.", True),
        ("The court said the strike was legal.", "The court said the strike was illegal.", True),
        ("The claims are accurate.", "The claims are false.", True),
        ("The strike will go ahead on Monday.", "The strike was called off on Monday.", True),
        ("The council voted for the curfew.", "The council voted against the curfew.", True),
        ("The report was unconfirmed.", "The report was confirmed.", True),
        ("Talks were held in the interior.", "Talks were held in the north.", False),
        ("The fire was inside the jail.", "The fire was on one side of the jail.", False),
        ("The council formed a committee.", "The council informed a committee.", False),
    ],
    ids=[
        "un-prefix", "un-prefix-adjective", "il-prefix", "false", "called-off", "voted-against",
        "lexicon-prefix-counted-once", "prefix-without-base", "in-before-a-noun",
        "in-before-a-verb",
    ],
)  # fmt: skip
def test_more_polarity_flips(old: str, new: str, flipped: bool) -> None:
    assert polarity_flipped(make_claim(old), make_claim(new)) is flipped


BASE_CLAIM = make_claim(
    "Assad has publicly denied reports that he fled to Russia after the fall of Damascus."
)


@pytest.mark.parametrize(
    ("sentence", "changed"),
    [
        (
            "In a statement on the Telegram channel of the presidency, Assad denied that he had "
            "fled to Russia.",
            [],
        ),
        (
            "Assad has denied reports that he fled to Iran after the fall of Damascus.",
            [{"kind": "entity", "old": "Russia", "new": "Iran"}],
        ),
    ],
    ids=["names-of-different-clauses", "name-in-the-same-place"],
)
def test_baseline_names_pair_by_place(sentence: str, changed: list[dict]) -> None:
    assert detail_changes(BASE_CLAIM, make_claim(sentence), replace_only=True) == changed


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("Mr Peskov said Putin had no plans to meet Assad.",
         "Dmitry Peskov said Putin had no plans to meet Assad."),
        ("The EU said it would review sanctions.",
         "The European Union said it would review sanctions."),
        ("The White Helmets said their teams had searched the prison.",
         "Teams from the White Helmets searched the prison, the group said."),
        ("The U.S. said it was in contact with HTS.",
         "The United States said it was in contact with Hayat Tahrir al-Sham."),
    ],
    ids=["title-and-first-name", "acronym", "generic-noun-for-a-named-source", "dotted-acronym"],
)  # fmt: skip
def test_same_source_written_otherwise(old: str, new: str) -> None:
    assert detail_changes(make_claim(old), make_claim(new)) == []


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("The EU welcomed the plan.", "The EU condemned the plan."),
        ("The two factions agreed on a ceasefire line.", "The two factions disagreed on a "
         "ceasefire line."),
        ("The journalist was unharmed.", "The journalist was injured."),
        ("The ministry rejected reports that troops crossed.", "The ministry confirmed reports "
         "that troops crossed."),
    ],
    ids=["welcomed-condemned", "agreed-disagreed", "unharmed-injured", "rejected-reports"],
)  # fmt: skip
def test_stance_flips(old: str, new: str) -> None:
    assert polarity_flipped(make_claim(old), make_claim(new))


def test_another_weekday_is_still_a_change() -> None:
    changed = detail_changes(
        make_claim("Rebels entered Hama on Sunday."), make_claim("Rebels entered Hama on Monday.")
    )
    assert changed == [{"kind": "date", "old": "sunday", "new": "monday"}]



_SAID = "Officials said the bridge had been closed."
_DENIED = "Officials denied that the bridge had been closed."


@pytest.mark.parametrize(
    ("old", "new", "added"),
    [
        (_SAID, _DENIED, True),
        (_DENIED, _SAID, True),
        (_SAID, "Officials did not deny that the bridge had been closed.", False),
        (_DENIED, "Officials denied that the bridge had been shut.", False),
    ],
    ids=["said-denied", "denied-said", "did-not-deny", "denial-kept"],
)
def test_denial_added(old: str, new: str, added: bool) -> None:
    assert denial_added(make_claim(old), make_claim(new)) is added


@pytest.mark.parametrize(
    ("old", "new", "flipped"),
    [
        (
            "Officials said the archive had been found intact and would be handed over.",
            "Officials said the archive had not been found and might have been destroyed.",
            True,
        ),
        (
            "The report has not been confirmed.",
            "The report has been denied.",
            False,
        ),
        (
            "The tower had been repaired and would reopen on Friday.",
            "The tower had been repaired and would reopen on Monday.",
            False,
        ),
        (
            "The council approved the budget. It has not set a date for the vote.",
            "The council approved the budget but has not set a date for the vote.",
            False,
        ),
        (
            "The council approved the budget. It has set a date for the vote.",
            "The council approved the budget but has not set a date for the vote.",
            True,
        ),
        (
            "Crews said the tunnel had been inspected but that there was no damage.",
            "Crews said the tunnel had been inspected. They said there was no damage.",
            False,
        ),
        (
            "The mayor was among those who were unable to reach the island as the storm hit, "
            "according to reports.",
            "As the storm hit, even the mayor was unable to reach the island, reports said.",
            False,
        ),
        (
            # two flips, one joined to the other by "and" where the old sentence had "who"
            "Officials are reportedly in contact with opposition leaders who have assured "
            "the safety of the bases.",
            "Officials have reportedly had no contact with opposition leaders, and the safety "
            "of the bases has not been assured.",
            True,
        ),
        (
            "Kallas said Russia and Iran should have no role in Syria's future, and that the "
            "bloc's approach would depend on the new government's actions.",
            "Russia and Iran should play no part in Syria's future, Kallas said, adding that "
            "the bloc's approach would depend on how the new government acted.",
            False,
        ),
    ],
    ids=[
        "flips-in-two-clauses", "two-negatives-in-one-clause", "no-flip",
        "merged-sentences-same-negation", "merged-sentences-negation-added",
        "split-at-but-that", "unable-to-in-both-after-a-recast",
        "two-flips-one-clause-against-two", "clause-moved-with-its-negation",
    ],
)  # fmt: skip
def test_clauses_flip_on_their_own(old: str, new: str, flipped: bool) -> None:
    assert polarity_flipped(make_claim(old), make_claim(new)) is flipped


@pytest.mark.parametrize(
    ("old", "new", "changed"),
    [
        (
            "Analysts at the Institute for the Study of War say Russia is leaving.",
            "Analysts at the Royal United Services Institute say Russia is leaving.",
            [{"kind": "entity", "old": "Institute for the Study of War",
              "new": "Royal United Services Institute"}],
        ),
        (
            "Syrian President Bashar al-Assad left.",
            "Bashar al-Assad left.",
            [],
        ),
    ],
    ids=["head-word-inside-another-name", "requalified-name"],
)  # fmt: skip
def test_names_replaced_by_last_word(old: str, new: str, changed: list[dict]) -> None:
    assert detail_changes(make_claim(old), make_claim(new)) == changed


@pytest.mark.parametrize(
    ("old", "new", "changed"),
    [
        ("Putin's military focus has shifted to Ukraine.",
         "Moscow's military focus has shifted to Ukraine.", []),
        ("Putin's backing kept Assad in power.", "The Kremlin's backing kept Assad in power.", []),
        ("Lavrov's statement was brief.", "Peskov's statement was brief.",
         [{"kind": "entity", "old": "Lavrov", "new": "Peskov"}]),
        ("The EU's special envoy is expected.", "The UN's special envoy is expected.",
         [{"kind": "entity", "old": "EU", "new": "UN"}]),
        ("The plane flew to Moscow.", "The plane flew to Putin.",
         [{"kind": "entity", "old": "Moscow", "new": "Putin"}]),
        ("Iran should have no role in Syria's future.",
         "Iran should have no role in Lebanon's future.",
         [{"kind": "entity", "old": "Syria", "new": "Lebanon"}]),
    ],
    ids=[
        "leader-for-capital", "leader-for-seat", "two-people", "two-bodies", "not-possessive",
        "two-countries",
    ],
)  # fmt: skip
def test_a_state_for_a_person_as_possessor(old: str, new: str, changed: list[dict]) -> None:
    # "Moscow's focus" for "Putin's focus": one government, named by metonymy
    assert detail_changes(make_claim(old), make_claim(new)) == changed


def test_baseline_names_pair_only_in_the_same_role() -> None:
    old = make_claim("Assad has reportedly fled to Moscow after rebels captured Damascus.")
    new = make_claim("Assad has reportedly left Syria after rebels captured Damascus.")
    assert detail_changes(old, new, replace_only=True) == []


@pytest.mark.parametrize(
    ("old", "new", "changed"),
    [
        ("Jordan says it has reopened the crossing.",
         "Jordan has reopened the crossing, the government in Amman says.", False),
        ("The crossing has reopened, the government in Amman says.",
         "The crossing has reopened, the government in Beirut says.", True),
    ],
    ids=["country-and-its-capital", "another-capital"],
)  # fmt: skip
def test_a_source_named_by_its_capital(old: str, new: str, changed: bool) -> None:
    kinds = [c["kind"] for c in detail_changes(make_claim(old), make_claim(new))]
    assert ("source" in kinds) is changed


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (
            "Ushakov said the base would stay, according to the RIA Novosti agency.",
            "The base would stay, Ushakov said, RIA Novosti reported.",
        ),
        (
            "Russia has reportedly moved air-defence units to Libya.",
            "According to reports, Russia has moved air-defence units to Libya.",
        ),
        (
            "The base employs 400 civilians, according to the governor's website.",
            "The base employs 400 civilians, the governor's website says.",
        ),
        (
            "The plant will close, two managers familiar with the plans said.",
            "The plant will close, two managers with knowledge of the plans said.",
        ),
        (
            "Early reports suggested that the flight had crashed.",
            "Initial reports indicated that the flight had crashed.",
        ),
        (
            "The government had not officially confirmed that he was granted asylum.",
            "There was no official confirmation from the government that he was granted "
            "asylum.",
        ),
    ],
    ids=[
        "same-names-restyled", "reportedly-vs-according-to-reports", "website-says",
        "familiar-with-vs-with-knowledge-of", "unnamed-reports-either-way",
        "a-negation-is-no-source",
    ],
)  # fmt: skip
def test_restyled_attribution_is_no_source_change(old: str, new: str) -> None:
    assert detail_changes(make_claim(old), make_claim(new)) == []


@pytest.mark.parametrize(
    ("old", "new", "changed"),
    [
        (
            "Ushakov said the base would stay, according to the RIA Novosti agency.",
            "The base would stay, Ushakov said, the Izvestia newspaper reported.",
            True,
        ),
        (
            "Ushakov said the base would stay, Reuters reported.",
            "The base would stay, officials said.",
            True,
        ),
    ],
    ids=["outlet-replaced", "named-source-dropped-for-generic"],
)
def test_named_source_replaced_is_a_change(old: str, new: str, changed: bool) -> None:
    kinds = [c["kind"] for c in detail_changes(make_claim(old), make_claim(new))]
    assert ("source" in kinds) is changed


@pytest.mark.parametrize(
    ("base", "claim", "expected"),
    [
        (
            'Russia has granted them asylum," a Kremlin source said, according to TASS.',
            'Russia has granted them asylum," a Kremlin source told Interfax.',
            [{"kind": "source", "old": "TASS", "new": "Interfax"}],
        ),
        (
            "Russia has granted them asylum, a Kremlin source told TASS.",
            "Russia has granted them asylum, TASS reported, citing a Kremlin source.",
            [],
        ),
        (
            "Russia has granted them asylum, a Kremlin source told TASS.",
            "Russia has granted them asylum, Russian state media reported.",
            [],
        ),
        (
            "Russia has granted them asylum, the Kremlin said.",
            "Russia has granted them asylum, Moscow said.",
            [],
        ),
    ],
    ids=["outlet-replaced", "same-outlet-restyled", "unnamed-media", "seat-for-capital"],
)
def test_source_replaced_against_baseline(base: str, claim: str, expected: list[dict]) -> None:
    assert source_replaced(make_claim(base), make_claim(claim)) == expected


@pytest.mark.parametrize(
    ("old", "new", "flipped"),
    [
        ("The office denied that Assad had left Damascus.",
         "The office insisted that Assad had not left Damascus.", False),
        ("The pilot switched off the transponders to avoid detection.",
         "The pilot switched off the transponders so the plane could not be detected.", False),
        ("Independent verification remains pending.",
         "There is still no independent verification.", False),
        ("The office denied that Assad had left Damascus.",
         "The office did not deny that Assad had left Damascus.", True),
        ("The pilot switched off the transponders.",
         "The pilot did not switch off the transponders.", True),
    ],
    ids=["denied-not", "avoid-not", "pending-no", "denied-did-not-deny", "plain-negation"],
)  # fmt: skip
def test_a_negation_carried_by_a_word_is_no_flip(old: str, new: str, flipped: bool) -> None:
    assert polarity_flipped(make_claim(old), make_claim(new)) is flipped


def test_a_nationality_adjective_replaces_no_name() -> None:
    # against the baseline (replaced names only): "Russian support" is no new name for
    # "Putin's backing"
    old = make_claim("Putin's backing allowed Assad to maintain power for over a decade.")
    new = make_claim("Russian support kept Assad in power for more than a decade.")
    assert detail_changes(old, new, replace_only=True) == []
