"""Checking one claim against the baseline (monitor.baseline_check)."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.baseline import BaselineIndex
from monitor.baseline_check import check_baseline
from monitor.claims import make_claim, split_claims
from monitor.models import BaselineClaim, ChangeType

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
INDEX = BaselineIndex(
    BaselineClaim(c, p.name)
    for p in sorted(SEEDS.glob("*.txt"))
    for c in split_claims(p.read_text(encoding="utf-8"))
)


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (
            "Assad and his family have arrived in Moscow, and Russia has granted them asylum for "
            "humanitarian reasons, a Kremlin source told TASS.",
            None,
        ),
        (
            "Russia, which has maintained two military bases on Syrian soil since 2015, has "
            "granted Assad and his family asylum.",
            None,
        ),
        (
            "On November 27, HTS launched a surprise offensive and swiftly captured Aleppo, and "
            "within 11 days the alliance had secured Hama and Homs before seizing the capital, "
            "Damascus.",
            None,
        ),
        (
            "Assad and his family have arrived in Moscow, but Russia has not granted them "
            "asylum, a Kremlin source told TASS.",
            ChangeType.CONTRADICTED,
        ),
        (
            "A plane believed to be carrying Assad and his family took off from Damascus on "
            "December 7 and went off radar after a U-turn.",
            ChangeType.UPDATED,
        ),
        (
            "Syrian Prime Minister Mohammad Jalali and his family have arrived in Moscow, a "
            "Kremlin source told TASS.",
            ChangeType.NEW,
        ),
        (
            "Assad and his family have arrived in Moscow, and Russian warships have left Tartus "
            "for a port in Libya.",
            ChangeType.NEW,
        ),
        (
            # a clause keeps the commas between its pieces: the place in the speaker's
            # description is compared, not read as part of a source "... in Geneva"
            "Bashar al-Assad and his family are in Moscow, Mikhail Ulyanov, Russia's permanent "
            "representative to international organisations in Geneva, said on Telegram.",
            ChangeType.UPDATED,
        ),
    ],
    ids=[
        "clauses-of-two-sentences",
        "relative-clause-of-another-article",
        "four-clauses",
        "one-clause-negated",
        "one-clause-date-changed",
        "known-subject-known-predicate",
        "one-clause-new",
        "place-in-a-speakers-description",
    ],
)
def test_clause_cover(sentence: str, expected: ChangeType | None) -> None:
    assert check_baseline(make_claim(sentence), INDEX).kind is expected


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (
            "Insurgent forces led by Hayat Tahrir al-Sham seized control of the capital city, "
            "Damascus, toppling the Ba'athist regime.",
            None,
        ),
        (
            "Insurgent forces led by Hayat Tahrir al-Sham seized control of the port city of "
            "Tartus and its naval base.",
            ChangeType.NEW,
        ),
    ],
    ids=["two-halves-of-two-sentences", "second-half-new"],
)
def test_split_cover(sentence: str, expected: ChangeType | None) -> None:
    assert check_baseline(make_claim(sentence), INDEX).kind is expected


def test_names_written_differently_are_no_update() -> None:
    # "Rebel" opens the sentence (a capitalised word, not a name); "HTS" is dropped
    claim = make_claim(
        "Rebel forces led by Hayat Tahrir al-Sham gained control of Damascus in a swift offensive."
    )
    assert check_baseline(claim, INDEX).kind is None


def test_contradiction_names_the_baseline_claim() -> None:
    verdict = check_baseline(
        make_claim("On Sunday evening, Russian state media said that Assad had not arrived in "
                   "Moscow."),
        INDEX,
    )  # fmt: skip
    assert verdict.kind is ChangeType.CONTRADICTED
    assert verdict.baseline is not None
    assert "confirmed that Assad had arrived in Moscow" in verdict.baseline.claim.text


def test_updated_verdict_carries_the_changed_details() -> None:
    verdict = check_baseline(
        make_claim("On November 29, the HTS alliance launched a surprise offensive."), INDEX
    )
    assert verdict.kind is ChangeType.UPDATED
    assert verdict.changed == [{"kind": "date", "old": "11-27", "new": "11-29"}]


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (
            "The Kremlin denied that Assad and his family had been granted asylum in Russia.",
            ChangeType.CONTRADICTED,
        ),
        (
            "The Kremlin confirmed that Assad and his family had been granted asylum in Russia.",
            None,
        ),
        (
            "Russia does not betray its friends in difficult situations, Ulyanov wrote on "
            "Telegram.",
            None,
        ),
    ],
    ids=["denied-flat-statement", "confirmed-flat-statement", "reporting-verb-and-medium"],
)
def test_a_flat_baseline_statement_asserts_itself(
    sentence: str, expected: ChangeType | None
) -> None:
    assert check_baseline(make_claim(sentence), INDEX).kind is expected


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (
            "HTS leader Abu Mohammad al-Julani, addressing supporters near a mosque in "
            "Damascus, hailed the rebel victory as historic.",
            None,
        ),
        (
            "Assad and his family, who fled Syria on December 8, have been granted asylum in "
            "Moscow, Russian news agency TASS reported, citing Kremlin sources.",
            None,
        ),
        (
            "The plane thought to be carrying Assad went off radar after a U-turn west of Homs, "
            "and experts suggest the pilot may have disabled the transponders.",
            None,
        ),
        (
            "Jalali and his family have been granted asylum in Russia.",
            ChangeType.NEW,
        ),
        (
            "Russian diplomats were involved in the negotiations, the foreign ministry "
            "acknowledged.",
            ChangeType.CONTRADICTED,
        ),
        (
            "The ministry said Russia had taken part in the negotiations between Assad and the "
            "armed groups.",
            ChangeType.CONTRADICTED,
        ),
        (
            "Mikhail Ulyanov, Moscow's permanent envoy to the international organisations in "
            "Vienna, wrote on Telegram that Assad and his family were in Moscow, adding that "
            "Russia does not abandon its friends when they are in trouble.",
            None,
        ),
        (
            "He told his fighters to keep away from government buildings, which were left "
            "under the supervision of Prime Minister Mohammad Jalali.",
            None,
        ),
        (
            "Bashar al-Assad has rejected reports that he fled to Russia, calling them false in "
            "what appears to be his first statement since Damascus fell eight days ago.",
            None,
        ),
        (
            "As the rebels advanced, Assad's whereabouts became the subject of speculation.",
            None,
        ),
        (
            "Hours earlier, the Syrian presidency had insisted that Assad had not left "
            "Damascus, accusing foreign media outlets of spreading rumours and false news.",
            None,
        ),
        (
            '"Russia does not betray its friends in difficult situations," Mikhail Ulyanov, '
            "Moscow's envoy to international organisations in Vienna, wrote on Telegram.",
            None,
        ),
        # the baseline writes "Putin" only: "Vladimir" says who is meant, not what is new
        ("Assad's exile in Moscow marks the loss of a key ally for Vladimir Putin, whose "
         "military focus has shifted to the war in Ukraine.", None),
        # "Assad" is shared with the baseline's "the statement, which appeared on the
        # channel ... Assad's actions", but the denial stands in a clause it does not state
        ("Bashar al-Assad has said he had no intention of leaving Syria and was flown to "
         "Moscow by the Russian military, in a statement published on the Syrian "
         "presidency's Telegram channel.", None),
        # the quote's claim lacks the "not", but "Russia did not participate in these
        # negotiations" states that clause, negation and all
        ('"As a result of negotiations between Assad and several participants in the armed '
         "conflict in the Syrian Arab Republic, he decided to leave the presidential post and "
         'left the country," the Russian Foreign Ministry said, adding that Russia had not '
         "taken part in the talks.", None),
        # the medium of "Writing on Telegram" is the frame, as in "wrote on Telegram"
        ("Writing on Telegram, Ulyanov said Russia does not betray its friends in difficult "
         "situations.", None),
        ("Ulyanov said this was the difference between Russia and the United States.", None),
        ("Even his prime minister was unable to reach him.", None),
        # "startling" / "stunning", "speed" / "rapid": found by their classes
        ("The collapse of Bashar al-Assad's government came with startling speed.", None),
        ("The collapse of Bashar al-Assad's government came with startling speed in 2023.",
         ChangeType.NEW),
        # "to leave" is no denial: the sentence affirms what "did not participate" denies
        ("Russia took part in the negotiations that led Bashar al-Assad to leave the "
         "presidential post, a senior Russian diplomat told Leaders Desk on Tuesday.",
         ChangeType.CONTRADICTED),
        ("Two Syrian army officers told The Associated Press that Assad had left Damascus by "
         "plane just as the rebels overran the regime's defences in the capital.",
         ChangeType.UPDATED),
        # "in order to oversee" says "to oversee"; only the place differs from the seed's
        ("According to the statement, Assad travelled to a Russian military base in Tartus "
         "province as rebels took the capital, in order to oversee military operations.",
         ChangeType.UPDATED),
        ("Russia has stood firmly by Assad.", None),
        ("In it, Assad says he never intended to flee or resign at any point.", None),
        # "played no part" / "did not participate": found by their class, negation and all
        ("The ministry insisted that Moscow had played no part in those talks.", None),
        ("Russia took the decision to grant them asylum on humanitarian grounds, the source "
         "said.", None),
    ],
    ids=[
        "respelled-name", "union-of-claims", "clauses-each-a-union", "subject-swapped",
        "synonym-contradiction", "short-claim-found-by-its-concepts", "envoy-abandon-trouble",
        "passive-left-is-no-departure", "a-time-is-no-trend", "became-is-a-copula",
        "not-left-restates-denied-left", "quote-with-its-speaker-described",
        "given-name-of-a-bare-name", "shared-name-does-not-stretch-a-flip",
        "negation-another-claim-states", "writing-on-a-medium-frames", "usa-as-united-states",
        "reach-a-person", "synonym-of-a-word-the-baseline-lacks", "a-new-speed-is-new",
        "affirmed-against-a-negation-with-a-leave", "told-a-source-of-several-words",
        "in-order-to", "stand-by-firmly", "intend-consider", "played-no-part",
        "humanitarian-grounds",
    ],
)  # fmt: skip
def test_restatements_in_other_words(sentence: str, expected: ChangeType | None) -> None:
    assert check_baseline(make_claim(sentence), INDEX).kind is expected


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (
            "Deposed Syrian President Bashar al-Assad had fled Damascus by plane, two Syrian "
            "army officers told Reuters.",
            None,
        ),
        (
            "Ousted Syrian leader Bashar al-Assad has reportedly left Syria after rebels "
            "captured Damascus.",
            None,
        ),
        (
            "Syrian Prime Minister Mohammad Jalali said he would stay in Damascus and was ready "
            "to cooperate with the rebels.",
            None,
        ),
        (
            "Officials in Moscow said Russia had participated in the negotiations that paved "
            "the way for Assad's exit.",
            ChangeType.CONTRADICTED,
        ),
        (
            "The former president of Syria, Bashar al-Assad, in a statement which appeared on "
            "the Telegram channel of the Syrian presidency, denied that he fled to Russia and "
            "called such reports false.",
            None,
        ),
        (
            "Bashar al-Assad has rejected reports that he fled to Russia as false, in what "
            "appears to be his first statement since Damascus fell.",
            None,
        ),
        ("Asma al-Assad and her children have arrived in Moscow.", ChangeType.NEW),
        ("Tehran has granted asylum to Prime Minister Mohammad Jalali.", ChangeType.NEW),
        (
            # the baseline's "no official confirmation of Assad's asylum" denies another
            # thing: this denial contradicts "he has been granted asylum"
            "But the Kremlin said that Assad had not been granted asylum in Russia.",
            ChangeType.CONTRADICTED,
        ),
        (
            "Citing a Kremlin source, the TASS news agency reported on Sunday that Russia had "
            "granted Assad and his family asylum for humanitarian reasons.",
            None,
        ),
        (
            "The Hayat Tahrir al-Sham alliance swiftly captured Aleppo, Syria's "
            "second-largest city.",
            None,
        ),
        (
            "The Hayat Tahrir al-Sham alliance swiftly captured Aleppo, Syria's "
            "second-largest city, and the port of Tartus.",
            ChangeType.NEW,
        ),
    ],
    ids=[
        "titles-of-a-known-name", "origin-is-not-destination", "speaker-stays-others-fled",
        "main-clause-contradicts", "cut-off-denial-is-no-contradiction",
        "denial-the-baseline-reports-is-no-contradiction",
        "another-person-same-surname", "capital-for-country-new-subject",
        "a-denial-of-another-thing-contradicts",
        "when-the-source-spoke-is-no-new-date", "description-after-a-known-name",
        "description-and-a-new-detail",
    ],
)  # fmt: skip
def test_names_roles_and_clauses(sentence: str, expected: ChangeType | None) -> None:
    assert check_baseline(make_claim(sentence), INDEX).kind is expected


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (
            # the denying baseline claim ranks low for so short a sentence; the rest
            # (statement, channel, presidency) is told by the claim next to it
            "In a statement posted on the Syrian presidency's Telegram channel, Assad denied "
            "that he had fled.",
            None,
        ),
        (
            "A statement attributed to Bashar al-Assad, in which the former president denies "
            "having fled to Russia after the fall of Damascus, has appeared on the Syrian "
            "presidency's Telegram channel.",
            None,
        ),
        (
            "Bashar al-Assad has rejected as false the reports that he fled to Russia after "
            "the fall of Damascus, in what is thought to be his first statement since the "
            "capital was lost.",
            None,
        ),
        (
            # the baseline reports a denial, but of another thing
            "In a statement posted on the Syrian presidency's Telegram channel, Assad denied "
            "that he had been granted asylum.",
            ChangeType.CONTRADICTED,
        ),
        (
            # a refusal is no denial of a report: retelling does not weigh it
            "Jalali, who stayed in Damascus, refused to cooperate with the rebels.",
            ChangeType.CONTRADICTED,
        ),
    ],
    ids=[
        "short-denial-told-by-neighbours", "denies-having-fled", "rejected-as-false-the-reports",
        "denial-of-another-thing", "refusal-is-no-reported-denial",
    ],
)  # fmt: skip
def test_a_denial_the_baseline_reports(sentence: str, expected: ChangeType | None) -> None:
    assert check_baseline(make_claim(sentence), INDEX).kind is expected
