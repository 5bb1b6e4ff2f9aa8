"""Named entities and attribution (monitor.fields)."""

from __future__ import annotations

import pytest

from monitor import fields


@pytest.mark.parametrize(
    ("sentence", "entities"),
    [
        ("Russian forces continued to operate out of Latakia.", {"Russian", "Latakia"}),
        ("The report cited RIA Novosti and TASS.", {"RIA Novosti", "TASS"}),
        ("Syria\u2019s Prime Minister Mohammad Jalali stayed.", {"Syria", "Mohammad Jalali"}),
        ("However, officials said nothing.", set()),
        ("On December 8, the plane left Damascus.", {"Damascus"}),
        ("The United States said it was in contact.", {"United States"}),
        ("The US and the UN spoke.", {"US", "UN"}),
        ("Initially, the office denied it.", set()),
    ],
    ids=[
        "place", "agencies", "possessive", "sentence-initial-word", "month-not-entity",
        "participle-after-the-opener", "acronym-not-a-pronoun", "adverb-opener",
    ],
)  # fmt: skip
def test_entities(sentence: str, entities: set[str]) -> None:
    assert set(fields.entities(sentence)) == entities


@pytest.mark.parametrize(
    ("sentence", "attribution"),
    [
        ("Assad arrived in Moscow, according to TASS.", "TASS"),
        (
            "Assad arrived in Moscow, according to the Russian news agency RIA Novosti.",
            "Russian news agency RIA Novosti",
        ),
        ("TASS, citing Kremlin sources, said Assad fled.", "Kremlin sources"),
        ("\u201cWe will talk,\u201d a Kremlin source told TASS.", "Kremlin source"),
        ("Assad fled to Moscow, CNN reports.", "CNN"),
        ("The Russian Foreign Ministry said Assad had left.", "Russian Foreign Ministry"),
        ("Reuters quoted two officers as saying Assad fled.", "Reuters"),
        ("He said Assad fled.", None),
        ("Assad has publicly denied reports that he fled.", None),
        ("The road will reopen soon, said a local official, Omar Haddad.", "Omar Haddad"),
        ("The road will reopen soon, said the governor on Monday.", "governor"),
        ("Omar Haddad, the governor, said the talks continued.", "governor"),
        ("Russia's Defence Ministry did not comment on the reports.", None),
    ],
    ids=[
        "according-to",
        "according-to-long",
        "citing",
        "told",
        "reports-at-end",
        "said",
        "quoted",
        "pronoun",
        "reports-noun",
        "inverted-tag-appositive",
        "inverted-tag-title",
        "appositive-before-clause",
        "reports-after-a-determiner-is-a-noun",
    ],
)
def test_attribution(sentence: str, attribution: str | None) -> None:
    assert fields.attribution(sentence) == attribution


@pytest.mark.parametrize(
    ("sentence", "attribution"),
    [
        (
            "The talks have stalled, the union's chief negotiator, Maria Lopez, said on Friday.",
            "Maria Lopez",
        ),
        ("The port authority says the harbour will reopen next week.", "port authority"),
    ],
    ids=["appositive", "says-mid-sentence"],
)
def test_attribution_forms(sentence: str, attribution: str) -> None:
    assert fields.attribution(sentence) == attribution


@pytest.mark.parametrize(
    ("sentence", "attribution"),
    [
        (
            "According to the Syrian Observatory for Human Rights, 40 people died.",
            "Syrian Observatory for Human Rights",
        ),
        ("According to officials for the region, 40 people died.", "officials"),
        ("DAMASCUS, Dec 16 - AFP reported that the airport had reopened.", "AFP"),
    ],
    ids=["for-inside-a-name", "for-after-a-noun", "dateline-dash"],
)
def test_attribution_boundaries(sentence: str, attribution: str) -> None:
    assert fields.attribution(sentence) == attribution


def test_entity_words_drop_titles_and_particles() -> None:
    words = fields.entity_words(("Syrian President Bashar al-Assad", "Hayat Tahrir al-Sham"))
    assert words == {"syrian", "bashar", "assad", "hayat", "tahrir", "sham"}


@pytest.mark.parametrize(
    ("sentence", "attribution"),
    [
        ("Ulyanov denied that Assad was in Moscow.", "Ulyanov"),
        ("Russia took part in the talks, the ministry admitted.", "ministry"),
        ("The ministry stresses that Russia was not involved.", "ministry"),
        ("Russia denied Assad a visa.", None),
    ],
    ids=["denied-that", "admitted-at-end", "stresses-that", "denied-with-an-object"],
)
def test_attribution_of_stances(sentence: str, attribution: str | None) -> None:
    assert fields.attribution(sentence) == attribution


@pytest.mark.parametrize(
    ("sentence", "words"),
    [
        ("Assad is in Moscow, a Kremlin source told the TASS news agency.",
         {"a", "source", "tass", "news", "agency"}),
        ("Ulyanov wrote on Telegram that Assad was in Moscow.", {"telegram"}),
        ("Jalali said in a video address that he would stay.", {"video", "address"}),
        ("Peskov told reporters that Putin had not met Assad.", {"reporters"}),
        ("According to the ministry in Moscow, Russia took no part.", {"ministry", "in", "moscow"}),
        ("The ministry says Russia did not participate.", set()),
        ("Ulyanov had written on Telegram that Assad was in Moscow.", {"telegram"}),
        ("In a Telegram post, Ulyanov said Assad was in Moscow.", {"telegram"}),
        ("In a rare move, Russia said it would help.", set()),
        ("Russia has not granted him asylum, a senior official at the Foreign Ministry told "
         "reporters.", {"a", "senior", "official", "at", "the", "reporters"}),
        ("Russia took part in the talks, two diplomats said.", {"two", "diplomats"}),
        ("Russia, the ministry said, took no part in the talks.", set()),
        ("Writing on Telegram, Ulyanov said Russia does not betray its friends.", {"telegram"}),
        ("Speaking at a news conference, Peskov said Putin had not met Assad.",
         {"news", "conference"}),
        ("Two officers told The Associated Press that Assad had left.",
         {"associated", "press"}),
        ("Jalali refused, two officials told the Leaders team on Monday.",
         {"two", "officials", "leaders", "team", "monday"}),
    ],
    ids=[
        "told-agency", "wrote-on", "said-in", "told-reporters", "according-to", "no-frame",
        "had-written-on", "medium-first", "in-a-not-a-medium", "described-speaker-at-the-end",
        "counted-speakers-at-the-end", "tag-inside-is-not-at-the-end", "writing-on-first",
        "speaking-at-first", "told-a-name-of-several-words", "told-a-team",
    ],
)  # fmt: skip
def test_frame_words(sentence: str, words: set[str]) -> None:
    assert fields.frame_words(sentence) == words


@pytest.mark.parametrize(
    ("sentence", "resumed"),
    [
        ("Turkey denied that it had backed the offensive.", True),
        ("Assad said he had never considered fleeing.", True),
        ("Ulyanov denied that Assad was in Moscow.", False),
    ],
    ids=["it", "he", "another-subject"],
)
def test_speaker_resumed(sentence: str, resumed: bool) -> None:
    assert fields.speaker_resumed(sentence) is resumed


@pytest.mark.parametrize(
    ("sentence", "entities"),
    [
        (
            "Analysts at the Institute for the Study of War said so.",
            {"Institute for the Study of War"},
        ),
        ("The Ministry of the Interior said so.", {"Ministry of the Interior"}),
        ("Assad flew from Damascus for the Russian base.", {"Assad", "Damascus", "Russian"}),
        ("Iranian-backed militias and HTS-led fighters clashed.", {"Iranian", "HTS"}),
        ("Specialists said the crew was safe.", set()),
        ("Days later the statement appeared.", set()),
        ("Sanders said the crew was safe.", {"Sanders"}),
        ("Rumours had circulated about Assad.", {"Assad"}),
        ("Questions remain over Assad's exit.", {"Assad"}),
    ],
    ids=[
        "institution-for-the", "institution-of-the", "no-link-after-a-place",
        "participle-after-a-name", "plural-noun-opener", "time-word-opener", "surname-opener",
        "british-plural-opener", "abstract-plural-opener",
    ],
)  # fmt: skip
def test_entities_of_institutions_and_openers(sentence: str, entities: set[str]) -> None:
    assert set(fields.entities(sentence)) == entities


@pytest.mark.parametrize(
    ("sentence", "attribution"),
    [
        (
            "Russia's Foreign Ministry has said that Russia took part in the talks.",
            "Russia's Foreign Ministry",
        ),
        ("Local officials have said the road is open.", "Local officials"),
        (
            "Analysts at the Institute for the Study of War said HTS grew.",
            "Institute for the Study of War",
        ),
        (
            "An embassy employee, speaking by phone, said staff had no instructions.",
            "embassy employee",
        ),
        ("Staff had no instructions, an embassy employee said by phone.", "embassy employee"),
        (
            '"We stand by our friends," Mikhail Ulyanov, Moscow\'s envoy in Vienna, wrote.',
            "Mikhail Ulyanov",
        ),
        ("The government had not officially confirmed that he left.", "government"),
        ("The Kremlin has never said where he is.", "Kremlin"),
    ],
    ids=[
        "perfect-tense", "perfect-tense-plural", "whole-name-of-the-speaker",
        "participial-aside", "said-by-phone", "description-after-the-name",
        "negated-and-adverb", "never",
    ],
)  # fmt: skip
def test_attribution_over_auxiliaries_and_long_names(sentence: str, attribution: str) -> None:
    assert fields.attribution(sentence) == attribution


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Assad is in Moscow, a Kremlin source told Interfax.", ("Interfax",)),
        ("A source told the TASS news agency on Sunday.", ("TASS news agency",)),
        ("Assad is in Moscow, Peskov told reporters.", ()),
        ("Assad is in Moscow, Peskov said.", ()),
    ],
    ids=["outlet", "outlet-with-agency", "reporters-unnamed", "no-addressee"],
)
def test_addressees(sentence: str, expected: tuple[str, ...]) -> None:
    assert fields.addressees(sentence) == expected


@pytest.mark.parametrize(
    ("text", "tag"),
    [
        ("Russia's permanent representative to international organisations in Geneva, "
         "said on Telegram.", True),
        ("Mikhail Ulyanov, Russia's envoy, wrote on Telegram", True),
        ("a Kremlin source told the TASS news agency", True),
        ("Assad fled to Moscow, Ulyanov said", False),
        ("Assad arrived in Moscow, Ulyanov said", False),
        ('"Russia did not participate in these negotiations," the ministry said', False),
        ("Assad said that he had left", False),
        ("said.", False),
    ],
    ids=[
        "described-speaker", "named-speaker-with-apposition", "told-an-agency",
        "irregular-verb-before", "regular-verb-before", "quote-before", "statement-after",
        "verb-alone",
    ],
)  # fmt: skip
def test_is_speech_tag(text: str, tag: bool) -> None:
    assert fields.is_speech_tag(text) is tag
