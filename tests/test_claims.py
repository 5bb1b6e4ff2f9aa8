"""Sentence splitting, claim filtering and normalisation."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.claims import is_claim, make_claim, split_claims, split_sentences

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mr. Smith arrived. He left.", ["Mr. Smith arrived.", "He left."]),
        (
            "Dr. Ivanov spoke on Monday. Gen. Lee agreed.",
            ["Dr. Ivanov spoke on Monday.", "Gen. Lee agreed."],
        ),
        ("The U.S. Army moved in. It stayed.", ["The U.S. Army moved in.", "It stayed."]),
        (
            "Troops left the U.S. The next day they returned.",
            ["Troops left the U.S.", "The next day they returned."],
        ),
        (
            "It happened on Jan. 5 in St. Petersburg. Nobody saw it.",
            ["It happened on Jan. 5 in St. Petersburg.", "Nobody saw it."],
        ),
        (
            "The meeting ended at 5 p.m. The talks failed.",
            ["The meeting ended at 5 p.m.", "The talks failed."],
        ),
        ("J. R. Smith wrote it. He agreed.", ["J. R. Smith wrote it.", "He agreed."]),
        (
            "Inflation rose 3.5 percent. Prices fell.",
            ["Inflation rose 3.5 percent.", "Prices fell."],
        ),
        (
            '"We will win," he said. Nobody believed him.',
            ['"We will win," he said.', "Nobody believed him."],
        ),
        (
            "\u201cWe will win.\u201d Nobody believed him.",
            ["\u201cWe will win.\u201d", "Nobody believed him."],
        ),
        ("Is it over? Nobody knows.", ["Is it over?", "Nobody knows."]),
        ("He waited... Then he left.", ["He waited...", "Then he left."]),
        ("He waited\u2026 Then he left.", ["He waited\u2026", "Then he left."]),
        ("He said... and then left.", ["He said... and then left."]),
        (
            "First line.\nSecond line\n\n  Third line.  ",
            ["First line.", "Second line", "Third line."],
        ),
        ("See www.example.com. It works.", ["See www.example.com.", "It works."]),
        (
            "The plane (a Boeing.) landed. Done here.",
            ["The plane (a Boeing.) landed.", "Done here."],
        ),
    ],
    ids=[
        "mr",
        "dr-gen",
        "us-midsentence",
        "us-at-end",
        "month-abbr-st",
        "pm-at-end",
        "initials",
        "decimal",
        "quote-comma-said",
        "curly-quote-end",
        "question",
        "ellipsis",
        "ellipsis-char",
        "ellipsis-lowercase",
        "paragraphs",
        "url",
        "paren",
    ],
)
def test_split_sentences(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Escape from Damascus", False),
        ("Rebel Leader Declares Victory", False),
        ("A Decade-Long Conflict", False),
        ("Bashar al-Assad Denies Fleeing to Russia Amid Syria\u2019s Collapse", False),
        ("2 min read", False),
        ("Share Your Links", False),
        ("You May Also Like", False),
        ("More From Author", False),
        ("By World Israel News Staff", False),
        ("Follow: @AFpost pic.twitter.com/VtGXYtNZIb", False),
        ("\u2014 AF Post (@AFpost) December 8, 2024", False),
        (
            "How might the international community, particularly countries like the United States "
            "and Russia, cooperate or clash in the power vacuum left by Assad\u2019s departure?",
            False,
        ),
        ("## Interview: Aftermath in Syria", False),
        (
            "Syrians against President Bashar al-Assad tear down a poster bearing his image "
            "(Screenshot/X)",
            False,
        ),
        (
            " date 2024-12-08 Assad reportedly has fled to Moscow after rebels captured Damascus",
            False,
        ),
        ("December 8, 2024", False),
        ("Updated: Dec. 9, 2024", False),
        ("Subscribe to our newsletter", False),
        ("Sign up for alerts.", False),
        ("Read more: Assad in Moscow", False),
        ("[[1](https://www.axios.com/2024/12/08/assad-syria-russia-moscow)].", False),
        (
            "Jalali, still in Damascus, pledged cooperation with the rebels and emphasized the "
            "importance of stability during the transition.",
            True,
        ),
        (
            "Bashar-al Assad and his family are safe and alive in Russia, they have been granted "
            "asylum.",
            True,
        ),
        ("\u201cRussia did not participate in these negotiations.", True),
        (
            "We continue to insist on the resumption of UN-mediated talks,\u201d a Kremlin source "
            "told TASS.",
            True,
        ),
        ("Russia\u2019s support for Assad has been staunch.", True),
        (
            "Deposed Syrian leader Bashar al-Assad has reportedly fled to Moscow after rebels "
            "captured Damascus, CNN reports.",
            True,
        ),
        (
            "Following a rapid takeover of Damascus by insurgent forces, Syrian President Bashar "
            "al-Assad and his family have found refuge in Moscow.",
            True,
        ),
        (
            "Share prices in Damascus collapsed by a third after the rebels took the city and the "
            "central bank closed its doors.",
            True,
        ),
    ],
    ids=[
        "heading-escape",
        "heading-rebel-leader",
        "heading-decade",
        "title",
        "read-time",
        "share-links",
        "may-also-like",
        "more-from-author",
        "byline",
        "tweet-follow",
        "tweet-signature",
        "question-seed3",
        "markdown-heading",
        "caption",
        "dateline-title",
        "date-only",
        "updated-date",
        "subscribe",
        "sign-up",
        "read-more",
        "link-ref",
        "assertion-jalali",
        "assertion-alive",
        "assertion-quote-open",
        "assertion-told",
        "assertion-short",
        "assertion-cnn",
        "assertion-following",
        "assertion-share-word",
    ],
)
def test_is_claim(sentence: str, expected: bool) -> None:
    assert is_claim(sentence) is expected


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
    ],
)
def test_norm_equal(a: str, b: str) -> None:
    assert make_claim(a).norm == make_claim(b).norm


@pytest.mark.parametrize(
    ("sentence", "numbers", "dates"),
    [
        ("At least 3,000 prisoners were freed on December 9.", ("3000",), ("12-09",)),
        ("Three planes left on 9 Dec. 2024.", ("3",), ("2024-12-09",)),
        ("Russia has kept 2 bases since 2015.", ("2",), ("2015",)),
        ("Inflation hit 3.5 percent in March 2023.", ("3.5",), ("2023-03",)),
        ("It was seized on Sunday.", (), ("sunday",)),
        ("He may leave soon.", (), ()),
    ],
    ids=[
        "number-and-date",
        "year-kept",
        "year-after-since",
        "decimal-month-year",
        "weekday",
        "may-is-not-a-month",
    ],
)
def test_numbers_and_dates(sentence: str, numbers: tuple, dates: tuple) -> None:
    c = make_claim(sentence)
    assert c.numbers == numbers
    assert c.dates == dates


def test_key_masks_details() -> None:
    a = make_claim("At least 300 prisoners were freed on December 8.")
    b = make_claim("At least three thousand prisoners were freed on 9 December.")
    assert a.norm != b.norm
    assert a.key == b.key


@pytest.mark.parametrize(
    ("sentence", "entities"),
    [
        ("Russian forces continued to operate out of Latakia.", {"Russian", "Latakia"}),
        ("The report cited RIA Novosti and TASS.", {"RIA Novosti", "TASS"}),
        ("Syria\u2019s Prime Minister Mohammad Jalali stayed.", {"Syria", "Mohammad Jalali"}),
        ("However, officials said nothing.", set()),
        ("On December 8, the plane left Damascus.", {"Damascus"}),
    ],
    ids=["place", "agencies", "possessive", "sentence-initial-word", "month-not-entity"],
)
def test_entities(sentence: str, entities: set[str]) -> None:
    assert set(make_claim(sentence).entities) == entities


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
    ],
)
def test_attribution(sentence: str, attribution: str | None) -> None:
    assert make_claim(sentence).attribution == attribution


@pytest.mark.parametrize(
    ("sentence", "negated"),
    [
        ("Assad was alive.", False),
        ("Assad was dead.", True),
        ("Assad was not dead.", False),
        ("The asylum has been confirmed.", False),
        ("The asylum has not been confirmed.", True),
        ("The asylum remains unconfirmed.", True),
        ("The Kremlin denied the report.", True),
        ("Jalali pledged cooperation with the rebels.", False),
        ("Jalali refused to cooperate with the rebels.", True),
        ("Russia didn\u2019t participate in these negotiations.", True),
        ("Russia never participated.", True),
        ("Not only Russia but also Iran helped.", False),
    ],
    ids=[
        "alive",
        "dead",
        "not-dead",
        "confirmed",
        "not-confirmed",
        "unconfirmed",
        "denied",
        "pledged",
        "refused",
        "contraction",
        "never",
        "not-only",
    ],
)
def test_negated(sentence: str, negated: bool) -> None:
    assert make_claim(sentence).negated is negated


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


# --------------------------------------------------------------------------------------
# Clock times, live-blog stamps, "one"/"a", reader-addressed CTAs, appositive speakers


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
    ca, cb = make_claim(a), make_claim(b)
    assert ca.norm == cb.norm
    assert ca.dates == cb.dates and not ca.numbers


def test_decimal_is_not_a_time() -> None:
    c = make_claim("Inflation rose by 4.30 percent in the year to June.")
    assert c.numbers == ("4.3",)


@pytest.mark.parametrize(
    "sentence",
    [
        "09:15 GMT - The harbour authority says the port will reopen tomorrow.",
        "9.15am: The harbour authority says the port will reopen tomorrow.",
        "21:40 | The harbour authority says the port will reopen tomorrow.",
    ],
    ids=["gmt-dash", "am-colon", "pipe"],
)
def test_live_blog_entry_stamp_ignored(sentence: str) -> None:
    plain = make_claim("The harbour authority says the port will reopen tomorrow.")
    c = make_claim(sentence)
    assert c.norm == plain.norm and c.dates == plain.dates
    assert c.text == sentence  # the reported text is untouched


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Police seized three rifles and a pistol.", "Police seized 3 rifles and one pistol."),
        ("One of the guards was injured.", "1 of the guards was injured."),
    ],
    ids=["a-vs-one", "one-vs-digit"],
)
def test_one_is_not_a_compared_number(a: str, b: str) -> None:
    assert make_claim(a).numbers == make_claim(b).numbers


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Read our corrections policy.", False),
        ("Send us your news tips by email.", False),
        ("Contact our newsroom for details.", False),
        ("Readers told us the bridge was closed on Monday.", True),
        ("Share prices fell sharply on Monday after the announcement.", True),
    ],
    ids=["read-our", "send-us", "contact-our", "told-us-report", "share-prices"],
)
def test_reader_addressed_cta(sentence: str, expected: bool) -> None:
    assert is_claim(sentence) is expected


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
    assert make_claim(sentence).attribution == attribution
