"""Sentence splitting and the claim filter (monitor.sentences)."""

from __future__ import annotations

import pytest

from monitor.sentences import is_claim, quote_open, split_sentences


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
        (
            "MOSCOW/DAMASCUS \u2014 Assad has arrived in Moscow. Done.",
            ["Assad has arrived in Moscow.", "Done."],
        ),
        (
            "BEIRUT, Lebanon, Dec. 9 (Reuters) - Rebels held the city.",
            ["Rebels held the city."],
        ),
        ("DAMASCUS (AP) \u2013 Rebels held the city.", ["Rebels held the city."]),
        ("NATO and the EU \u2014 both \u2014 met.", ["NATO and the EU \u2014 both \u2014 met."]),
        ("Aleppo \u2014 the city \u2014 fell.", ["Aleppo \u2014 the city \u2014 fell."]),
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
        "dateline-two-places",
        "dateline-country-date-agency",
        "dateline-agency",
        "capitals-not-a-dateline",
        "place-not-in-capitals",
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
        ("By November 30, rebels controlled most of Aleppo.", True),
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
        "by-a-date-is-no-byline",
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
    ("sentence", "expected"),
    [
        ("According to SANA, Ghassan Fidan arrived in Moscow on Monday.", True),
        ("Kremlin Aide Yuri Ushakov Meets Syrian Envoy in Moscow.", False),
        ("Kremlin Aide Yuri Ushakov Meets Syrian Envoy in Moscow", False),
    ],
    ids=["name-heavy-sentence", "title-with-full-stop", "title-without-full-stop"],
)
def test_name_heavy_sentences_and_titles(sentence: str, expected: bool) -> None:
    assert is_claim(sentence) is expected


@pytest.mark.parametrize(
    ("sentence", "state"),
    [
        ('"I left Homs in 2012 with two children.', 1),
        ("\u201cWe sold everything we had.", 1),
        ('Now I am going back with five," said Fatima.', -1),
        ('"We will stay," he said.', 0),
        ("Officials said the road was open.", 0),
        ('He called the claims "false and baseless.', 0),
    ],
    ids=["opens", "opens-curly", "closes-with-tag", "balanced", "no-quotes", "opens-mid-sentence"],
)
def test_quote_open(sentence: str, state: int) -> None:
    assert quote_open(sentence) == state
