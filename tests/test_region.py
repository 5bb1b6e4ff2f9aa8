"""monitor.region: an article's container is found, and any change inside it is seen."""

from __future__ import annotations

import pytest

from monitor.extract import extract_html
from monitor.region import Region, locate, unchanged

PARAGRAPHS = [
    "Syrian rebels entered Damascus on Sunday after a lightning offensive, witnesses said.",
    "President Bashar al-Assad left the capital on a plane bound for an unknown destination.",
    "Russian state media later reported that Assad and his family had arrived in Moscow.",
    "The Kremlin said Russia had granted them asylum on humanitarian grounds.",
]


def page(paragraphs=PARAGRAPHS, *, nav="Home World Politics", counter="1,204 readers",
         related=("Markets fall", "Weather today"), comment="", box="") -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    links = "".join(f'<li><a href="/r{i}">{t}</a></li>' for i, t in enumerate(related))
    return (
        "<html><head><title>Assad in Moscow</title></head><body>"
        f"<nav>{nav}</nav><div class='top'><span>{counter}</span></div>{comment}"
        f"<main><article><h1>Assad in Moscow</h1>{box}<div class='body'>{body}</div>"
        "</article></main>"
        f"<aside><h2>Most read</h2><ul>{links}</ul></aside>"
        "<footer>Copyright 2024 News Ltd</footer><script>var t = 1;</script></body></html>"
    )


def region_of(html: str) -> str:
    found = locate(html, extract_html(html).text)
    assert found is not None
    return found


@pytest.mark.parametrize(
    "churned",
    [
        page(counter="1,999 readers"),
        page(nav="Home World Sport"),
        page(related=("Oil prices rise", "Football results")),
        page().replace("var t = 1;", "var t = 2;"),
        page(comment="<!-- cache 2024-12-09T12:00 -->"),
    ],
    ids=["counter", "navigation", "most-read-links", "script", "comment-before-article"],
)
def test_layout_churn_outside_the_article_leaves_its_region_unchanged(churned):
    assert unchanged(churned, region_of(page()))


@pytest.mark.parametrize(
    "edited",
    [
        page([p.replace("Sunday", "Saturday") for p in PARAGRAPHS]),
        page(PARAGRAPHS[:-1]),
        page([*PARAGRAPHS, "Moscow did not say how long the family would stay."]),
        page([PARAGRAPHS[0], "Witnesses said the airport was empty.", *PARAGRAPHS[1:]]),
        page(box="<figure><figcaption>Assad in 2020</figcaption></figure>"),
        page(PARAGRAPHS[::-1]),
    ],
    ids=["word-edited", "last-paragraph-dropped", "paragraph-appended",
         "paragraph-inserted", "new-inline-box", "paragraphs-reordered"],
)
def test_any_change_inside_the_article_is_seen(edited):
    assert not unchanged(edited, region_of(page()))


def test_the_region_is_the_article_container_not_the_page():
    region = Region.decode(region_of(page()))
    assert region is not None and len(region.path) >= 3  # html > body > main > article...


def test_a_moved_article_is_not_matched():
    moved = page().replace("<main>", "<div class='promo'>Subscribe</div><main>")
    assert not unchanged(moved, region_of(page()))


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("", "Anything at all here."),
        (page(), ""),
        (page(), "A sentence that the page does not hold anywhere at all."),
        ("<html><body><p>A first paragraph, straight in the body.</p>"
         "<p>A second paragraph, straight in the body too.</p></body></html>",
         "A first paragraph, straight in the body.\nA second paragraph, straight in the body."),
        (page(), PARAGRAPHS[0] + "\nA last line that the page does not hold anywhere."),
    ],
    ids=["empty-page", "no-text", "text-not-on-page", "only-body-holds-it",
         "a-line-outside"],
)
def test_no_region_where_no_container_holds_the_whole_article(html, text):
    assert locate(html, text) is None


def test_an_inline_start_finds_its_paragraph():
    html = page([f"<b>Moscow</b> - {PARAGRAPHS[0]}", *PARAGRAPHS[1:]])
    text = extract_html(html).text
    assert "\nMoscow - Syrian rebels" in text
    assert unchanged(html, region_of(html))


@pytest.mark.parametrize(
    "value",
    ["", "#abc", "1/2/3", "1/x/3#abc", "1/-2#abc", "1/2#"],
    ids=["empty", "no-path", "no-digest", "not-a-number", "negative", "empty-digest"],
)
def test_a_value_that_is_no_region_never_matches(value):
    assert Region.decode(value) is None or value == "#abc"
    assert not unchanged(page(), value)


def test_a_region_encodes_and_decodes():
    region = Region((1, 2, 0), "abc123")
    assert Region.decode(region.encode()) == region
