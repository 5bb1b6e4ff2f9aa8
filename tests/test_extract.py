"""Tests for monitor.extract: main text, metadata, selectors, text files, errors."""

from __future__ import annotations

import pathlib
import random
import re
import sys

import pytest

from monitor.errors import ExtractError
from monitor.extract import (
    _BOILERPLATE,
    _BOILERPLATE_WORDS,
    _CASE_ODDITIES,
    _is_boilerplate,
    _LinkTexts,
    _looks_binary,
    _norm,
    extract_file,
    extract_html,
    extract_text,
)

REPO = pathlib.Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"

PARAS = [
    "The city council voted on Tuesday to approve a new budget of 4.2 million dollars for "
    "the repair of the old harbour bridge, ending a debate that lasted more than two years.",
    "Mayor Anna Berg said the works would begin in March and should be finished before the "
    "summer season, when traffic across the bridge is at its highest level of the year.",
    "Opposition members argued that the money would be better spent on schools, but the "
    "motion passed with eleven votes in favour and six against after a long evening session.",
    "Engineers who inspected the bridge last autumn found corrosion in several of the main "
    "steel beams and warned that heavy lorries might have to be banned without repairs.",
]
ARTICLE = "".join(f"<p>{p}</p>" for p in PARAS)
BOILERPLATE = {
    "nav": "Home News Sport Weather Contact",
    "share": "Share on Facebook Share on Twitter Email this",
    "related": "Ten celebrity homes you will not believe",
    "newsletter": "Sign up for our daily newsletter to get the news in your inbox",
    "comment": "Great article, totally agree with the mayor",
    "footer": "Copyright 2024 Harbour Daily Media Group",
}

BLOG_PAGE = f"""<!DOCTYPE html><html><head><title>Bridge budget approved | Harbour Daily</title>
</head><body>
<header><nav><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li>
<li><a href="/sport">Sport</a></li><li><a href="/weather">Weather</a></li>
<li><a href="/contact">Contact</a></li></ul></nav></header>
<div class="share-bar"><a href="#">Share on Facebook</a> <a href="#">Share on Twitter</a>
<a href="#">Email this</a></div>
<main><article class="post">
<h1>Council approves bridge repair budget</h1>
<div class="entry-content">{ARTICLE}
<figure><img src="b.jpg"><figcaption>The harbour bridge at dusk.</figcaption></figure>
</div></article>
<aside class="related"><h3>Related stories</h3><ul>
<li><a href="/a">Ten celebrity homes you will not believe</a></li>
<li><a href="/b">Why the tide is higher this year than ever before</a></li></ul></aside>
<div class="newsletter"><p>Sign up for our daily newsletter to get the news in your inbox</p>
<form><input type="email"><button>Subscribe</button></form></div>
<section id="comments" class="comments"><h3>2 comments</h3>
<div class="comment"><p>Great article, totally agree with the mayor</p></div></section>
</main><footer><p>Copyright 2024 Harbour Daily Media Group</p></footer></body></html>"""

JSON_LD_GRAPH = """<html><head><title>Fallback title</title>
<script type="application/ld+json">{"@context": "https://schema.org", "@graph": [
 {"@type": "WebSite", "name": "Harbour Daily"},
 {"@type": ["NewsArticle"], "headline": "Council approves bridge repair budget",
  "datePublished": "2024-12-08T09:30:00+01:00",
  "author": [{"@type": "Person", "name": "Jane Doe"}, {"@type": "Person", "name": "John Roe"}]}
]}</script></head><body><article>ARTICLE</article></body></html>"""
JSON_LD_LIST = """<html><head>
<script type="application/ld+json">{"broken": </script>
<script type="application/ld+json">[{"@type": "BreadcrumbList"},
 {"@type": "BlogPosting", "headline": "Bridge post", "datePublished": "2024-12-08",
  "author": "By Sam Smith",}]</script></head><body><article>ARTICLE</article></body></html>"""
META_ONLY = """<html><head><title>Page title | Site</title>
<meta property="og:title" content="OG bridge title">
<meta property="article:published_time" content="2024-12-08T10:00:00Z">
<meta name="author" content="Maria Lopez"></head><body><article>ARTICLE</article></body></html>"""
# the first non-empty tag of the most wanted key wins, keys compared case-insensitively
META_PRIORITY = """<html><head><title>Page title | Site</title>
<meta name="date" content="2023-01-01">
<meta property="article:published_time" content="  ">
<meta property="Article:Published_Time" content="2024-12-07">
<meta property="article:published_time" content="2024-12-06">
<meta name="twitter:title" content="Twitter title"><meta property="og:title" content=" ">
<meta name="byl" content="By Ann Lee"><meta name="author" content="https://x.org/ann">
</head><body><article>ARTICLE</article></body></html>"""
TIME_ONLY = """<html><head><title>Only a title tag</title></head><body>
<article><time datetime="2024-11-30">30 Nov</time>ARTICLE</article></body></html>"""

LISTING = (
    "<html><head><title>Latest news</title></head><body><nav><a href='/'>Home</a></nav>"
    "<main><h1>Latest news</h1><ul>"
    + "".join(
        f"<li><a href='/story-{i}'>Headline number {i} about the harbour and the bridge</a>"
        f"<p>Teaser {i}.</p></li>"
        for i in range(15)
    )
    + "</ul></main></body></html>"
)


@pytest.mark.parametrize(
    ("html", "title", "published", "author"),
    [
        (
            JSON_LD_GRAPH,
            "Council approves bridge repair budget",
            "2024-12-08T09:30:00+01:00",
            "Jane Doe, John Roe",
        ),
        (JSON_LD_LIST, "Bridge post", "2024-12-08", "Sam Smith"),
        (META_ONLY, "OG bridge title", "2024-12-08T10:00:00+00:00", "Maria Lopez"),
        (META_PRIORITY, "Twitter title", "2024-12-07", None),
        (TIME_ONLY, "Only a title tag", "2024-11-30", None),
    ],
    ids=["json-ld-graph-author-list", "json-ld-list-malformed", "meta-tags", "meta-priority",
         "time-title"],
)
def test_metadata(html: str, title: str, published: str, author: str | None) -> None:
    doc = extract_html(html.replace("ARTICLE", ARTICLE), url="https://example.org/a")
    assert (doc.title, doc.published, doc.author) == (title, published, author)
    assert doc.url == "https://example.org/a"
    assert PARAS[0] in doc.text


def test_cms_page_keeps_article_drops_boilerplate() -> None:
    doc = extract_html(BLOG_PAGE, url="https://example.org/bridge")
    lines = doc.text.split("\n")
    for para in PARAS:
        assert para in lines
    for name, junk in BOILERPLATE.items():
        assert junk not in doc.text, name
    assert "harbour bridge at dusk" not in doc.text
    assert doc.title == "Bridge budget approved | Harbour Daily"


@pytest.mark.parametrize(
    ("selector", "expected", "absent"),
    [
        ("div.entry-content", PARAS, ["Council approves", "harbour bridge at dusk"]),
        ("aside.related", ["Ten celebrity homes you will not believe"], [PARAS[0]]),
        ("#comments", ["2 comments", BOILERPLATE["comment"]], [PARAS[0]]),
    ],
    ids=["article-body", "related-aside-itself", "comments"],
)
def test_selector_limits_extraction(selector: str, expected: list[str], absent: list[str]) -> None:
    lines = extract_html(BLOG_PAGE, selector=selector).text.split("\n")
    for text in expected:
        assert text in lines
    for text in absent:
        assert not any(text in line for line in lines)


def test_selector_on_small_fragment() -> None:
    assert extract_html("<div>hello <span>world</span></div>", selector="span").text == "world"


def test_selector_drops_scripts_nav_forms() -> None:
    html = (
        "<div id='x'><script>var a = 1;</script><nav>Menu</nav><p>Kept <b>bold</b> text.</p>"
        "<form>Search</form><aside>Side</aside><style>p{}</style><p>Second.</p></div>"
    )
    assert extract_html(html, selector="#x").text == "Kept bold text.\nSecond."


@pytest.mark.parametrize("selector", ["div.nope", "#missing > p"], ids=["class", "child"])
def test_selector_matching_nothing_raises(selector: str) -> None:
    with pytest.raises(ExtractError, match=f"selector '{selector}' matched nothing"):
        extract_html(BLOG_PAGE, selector=selector)


def test_invalid_selector_raises() -> None:
    with pytest.raises(ExtractError, match="invalid selector"):
        extract_html(BLOG_PAGE, selector="div[")


@pytest.mark.parametrize(
    "html",
    [LISTING, "", "   ", "<html><body></body></html>", "<html><head><title>T</title></head>"],
    ids=["listing", "empty", "blank", "empty-body", "head-only"],
)
def test_pages_without_article_give_empty_text(html: str) -> None:
    assert extract_html(html).text == ""


@pytest.mark.parametrize(
    "html",
    [
        "<html><body><div><p>" + PARAS[0] + "<p>" + PARAS[1] + "</div></span></body>",
        "<p>" + PARAS[0] + "</p><table><tr><td>" + PARAS[1],
        "<<<>>> <p <div>>" + "&#xffffff; &bogus; <![CDATA[",
        '<html><head><script type="application/ld+json">{{{</script></head></html>',
    ],
    ids=["unclosed-tags", "truncated", "garbage-markup", "bad-json-ld"],
)
def test_malformed_html_does_not_raise(html: str) -> None:
    doc = extract_html(html)
    assert isinstance(doc.text, str)


def test_binary_input_raises() -> None:
    with pytest.raises(ExtractError, match="binary"):
        extract_html("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00")


@pytest.mark.parametrize(
    ("text", "name", "title", "body"),
    [
        (
            "Short Headline Here\n\nFirst para.\nSecond para.",
            "a.txt",
            "Short Headline Here",
            "First para.\nSecond para.",
        ),
        (
            "This first line is a sentence.\nNext.",
            "b.txt",
            None,
            "This first line is a sentence.\nNext.",
        ),
        (
            "# The **Big** Title\n\n## Section\n\nSee [the report](http://x.org) and *this* "
            "__too__.\nwrapped line.\n\n- item `one`\n> quoted\n\n---\n![pic](p.png)",
            "c.md",
            "The Big Title",
            "Section\nSee the report and this too. wrapped line.\nitem one\nquoted",
        ),
        (
            "Title\n=====\nBody with snake_case_name kept.",
            "d.md",
            "Title",
            "Body with snake_case_name kept.",
        ),
        ("", "e.txt", None, ""),
    ],
    ids=["txt-heading", "txt-no-heading", "markdown", "setext", "empty"],
)
def test_extract_text(text: str, name: str, title: str | None, body: str) -> None:
    doc = extract_text(text, name=name)
    assert (doc.title, doc.text, doc.url) == (title, body, name)


@pytest.mark.parametrize(
    ("seed", "title", "first"),
    [
        (
            "003_5fe53b3493fae1ec.txt",
            "Syrian President Assad Finds Refuge in Moscow",
            "Following a rapid takeover of Damascus",
        ),
        (
            "000_18bf9e2c2f7bacb0.txt",
            "Bashar al-Assad Denies Fleeing to Russia Amid Syria’s Collapse",
            "2 min read",
        ),
        ("001_faf6987c39893a7f.txt", None, "Deposed Syrian President Bashar al-Assad"),
    ],
    ids=["seed-003", "seed-000", "seed-001-no-title"],
)
def test_seed_files(seed: str, title: str | None, first: str) -> None:
    doc = extract_file(SEEDS / seed)
    assert doc.title == title
    assert doc.text.split("\n")[0].startswith(first)
    assert "" not in doc.text.split("\n")


@pytest.mark.parametrize(
    ("suffix", "data", "title", "text"),
    [
        (".txt", "\ufeffHeadline\nBody text.".encode(), "Headline", "Body text."),
        (
            ".txt",
            b"Caf\xe9 news\nNa\xefve body \x93quoted\x94.",
            "Café news",
            "Naïve body “quoted”.",
        ),
        (".md", b"# Md title\n\nBody *here*.", "Md title", "Body here."),
        (
            ".html",
            (
                "<html><head><title>File page</title></head><body><article>"
                + ARTICLE
                + "</article></body></html>"
            ).encode(),
            "File page",
            "\n".join(PARAS),
        ),
        (
            ".htm",
            ("\ufeff<html><body><article>" + ARTICLE + "</article></body></html>").encode(),
            None,
            "\n".join(PARAS),
        ),
    ],
    ids=["utf8-bom", "cp1252", "md", "html", "htm-bom"],
)
def test_extract_file(
    tmp_path: pathlib.Path, suffix: str, data: bytes, title: str | None, text: str
) -> None:
    path = tmp_path / f"article{suffix}"
    path.write_bytes(data)
    doc = extract_file(path)
    assert (doc.title, doc.text, doc.url) == (title, text, str(path))


def test_extract_file_with_selector(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(BLOG_PAGE, encoding="utf-8")
    assert extract_file(path, selector="div.share-bar").text == BOILERPLATE["share"]


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("a.pdf", b"%PDF-1.4", "a.pdf: unsupported file type '.pdf'"),
        ("noext", b"text", "unsupported file type '(none)'"),
        ("bin.html", b"\x00\x01\x02\x03" * 50, "bin.html: not a text file"),
        ("missing.txt", None, "missing.txt: cannot read file"),
    ],
    ids=["pdf", "no-suffix", "binary", "missing"],
)
def test_extract_file_errors(
    tmp_path: pathlib.Path, name: str, data: bytes | None, message: str
) -> None:
    path = tmp_path / name
    if data is not None:
        path.write_bytes(data)
    with pytest.raises(ExtractError, match=re.escape(message)):
        extract_file(path)


# --------------------------------------------------------------------------------------
# Teaser listings (section fronts) and publisher self-reference lines

_CARDS = [
    ("Council approves harbour bridge budget", "Works start in March and end before summer."),
    ("Ferry strike called off after late offer", "The union said its members would vote again."),
    ("New tram line opens to the airport", "The first trams ran almost empty on Sunday morning."),
    ("Museum reopens after two-year renovation", "Visitors queued around the block for hours."),
]


def _section_front(card: str, og_type: str = "website") -> str:
    body = "".join(card.format(h=h, t=t, i=i) for i, (h, t) in enumerate(_CARDS))
    return (
        f'<html><head><meta property="og:type" content="{og_type}"><title>City | Gazette'
        f"</title></head><body><main><h1>City</h1><p>Updated 2 hours ago</p>{body}</main>"
        "</body></html>"
    )


@pytest.mark.parametrize(
    "card",
    [
        '<li><a href="/s/{i}"><h3>{h}</h3></a><p>{t}</p><span>3 hours ago</span></li>',
        '<article class="card"><h2><a href="/s/{i}">{h}</a></h2><p>{t}</p></article>',
        '<div class="teaser"><a href="/s/{i}"><h3>{h}</h3><p>{t}</p></a></div>',
        '<li><a href="/s/{i}">{h}</a><p>{t}</p><a href="/s/{i}">Read more</a></li>',
    ],
    ids=["li-heading-link", "article-h2", "whole-card-link", "li-plain-link-read-more"],
)
def test_teaser_listing_gives_empty_text(card: str) -> None:
    assert extract_html(_section_front(card)).text == ""


def test_article_with_story_links_is_kept() -> None:
    # a digest article: each item links to the full story with a whole-sentence link
    items = "".join(
        f'<li><a href="/s/{i}">{h} today.</a> {t} More details emerged later in the day, '
        f"officials said, and the council promised a full report.</li>"
        for i, (h, t) in enumerate(_CARDS)
    )
    page = (
        '<html><head><meta property="og:type" content="article"><title>Morning briefing'
        f"</title></head><body><article><h1>Morning briefing</h1><ul>{items}</ul>"
        "</article></body></html>"
    )
    assert "Ferry strike called off" in extract_html(page).text


def test_publisher_self_reference_dropped() -> None:
    paras = "".join(f"<p>{p}</p>" for p in PARAS)
    page = (
        '<html><head><meta property="og:site_name" content="The Harbour Gazette">'
        '<meta property="og:type" content="article"><title>Bridge budget</title></head>'
        f"<body><article><h1>Bridge budget</h1>{paras}"
        "<p>The Harbour Gazette has learned that the contract will be tendered in May.</p>"
        "<p>The Harbour Gazette is committed to accuracy. Read our corrections policy.</p>"
        "</article></body></html>"
    )
    text = extract_html(page).text
    assert "has learned that the contract" in text
    assert "committed to accuracy" not in text


# --------------------------------------------------------------------------------------
# The fast paths give what the plain computations give


def _plain_link_ratio(line: str, anchors: list[str]) -> float:
    rest = line
    for anchor in anchors:
        if len(anchor) <= len(rest) and anchor in rest:
            rest = rest.replace(anchor, " ")
    return max(0, len(line) - len(rest)) / len(line) if line else 0.0


def _random_link_cases(count: int) -> list[tuple[str, list[str]]]:
    # a tiny vocabulary, so that link texts overlap, nest and (once one is cut out of
    # the line) join the words around it into another link text
    rng = random.Random(4)
    words = ["a", "b", "ab", "ba", "x", "xa", "by", "Syria", "to", "the"]
    cases = []
    for _ in range(count):
        anchors = {" ".join(rng.choices(words, k=rng.randint(1, 5))) for _ in range(12)}
        ordered = sorted((t for t in anchors if len(t) >= 3), key=len, reverse=True)
        cases.append((" ".join(rng.choices(words, k=rng.randint(0, 14))), ordered))
    return cases


@pytest.mark.parametrize(
    ("line", "anchors"),
    [
        ("Rebels took Hama. Read more: Rebels take Hama", ["Rebels take Hama", "Read more"]),
        ("the quick brown fox", ["quick brown fox jumps", "the quick brown"]),
        # "a b c" is not in the line: cutting the first link text out puts it there
        ("xaYYYYYYYYYb c", ["YYYYYYYYY", "a b c"]),
        ("", ["any link"]),
    ],
    ids=["read-more", "partial-overlap", "joined-by-a-cut", "empty-line"],
)
def test_link_share_agrees_with_the_plain_loop(line: str, anchors: list[str]) -> None:
    ordered = sorted(anchors, key=len, reverse=True)
    links = _LinkTexts(ordered, ["Another line of the text.", f"- {line}", line])
    assert links.ratio(line) == _plain_link_ratio(line, ordered)


def test_link_share_agrees_with_the_plain_loop_on_random_overlaps() -> None:
    cases = _random_link_cases(3000)
    assert sum(_plain_link_ratio(line, anchors) > 0 for line, anchors in cases) > 1000
    for k in range(0, len(cases), 3):  # three lines of one text share the link texts
        anchors = cases[k][1]
        lines = [line for line, _ in cases[k : k + 3]]
        links = _LinkTexts(anchors, lines)
        for line in lines:
            assert links.ratio(line) == _plain_link_ratio(line, anchors), (line, anchors)


EVERY_CHARACTER = "".join(map(chr, range(sys.maxunicode + 1)))


def test_whitespace_is_normalised_as_the_regex_did() -> None:
    spaces = "".join(re.findall(r"\s", EVERY_CHARACTER))
    assert spaces.isspace() and len(spaces) == sum(map(str.isspace, EVERY_CHARACTER))
    text = f"{spaces}a{spaces}b c\u00a0\u00a0d{spaces}"
    assert _norm(text) == re.sub(r"\s+", " ", text).strip() == "a b c d"


@pytest.mark.parametrize("code", range(32), ids=[f"0x{c:02x}" for c in range(32)])
def test_binary_sniffing_counts_control_characters(code: int) -> None:
    text = "Plain text line.\n" * 40
    for count in (8, 9, 20):
        sample = (chr(code) * count + text)[:4096]
        controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\n\r\f\v")
        expected = "\x00" in sample or controls > max(8, len(sample) // 50)
        assert _looks_binary(chr(code) * count + text) == expected


def test_boilerplate_words_cover_what_the_case_insensitive_regex_matches() -> None:
    # every character re.IGNORECASE lets stand for a letter of the words is that letter,
    # its capital or one of the odd letters _is_boilerplate looks for
    letters = "".join(sorted(set("".join(_BOILERPLATE_WORDS))))
    matching = set(re.findall(f"[{letters}]", EVERY_CHARACTER, re.IGNORECASE))
    assert matching == {*letters, *letters.upper(), *_CASE_ODDITIES}


@pytest.mark.parametrize(
    "line",
    [
        "Advertisement",
        "Read more: Rebels take Hama",
        "12 comments",
        "Follow us on Twitter for updates",
        "Sign up to our morning newsletter and get the news in your inbox.",
        "Get the best stories in your INBOX: subscribe to our daily email",
        "Our Newsletter: sign up now",
        "Subscribe to the newſletter",  # ſ stands for s under re.IGNORECASE
        "SUBSCRIBE to our emaıls",  # and ı for i
        "The mayor said residents could subscribe to e-mail alerts about the flood.",
        "The army withdrew 300 troops from Hama on Friday.",
        "Newsletter sales fell, the publisher said, as readers moved to podcasts.",
    ],
    ids=["advert", "read-more", "comments", "follow-us", "newsletter-box", "inbox-email",
         "newsletter-first", "long-s", "dotless-i", "email-in-prose", "prose",
         "newsletter-in-prose"],
)
def test_boilerplate_test_agrees_with_the_regex(line: str) -> None:
    for variant in (line, line.upper(), line.lower(), f"- {line}"):
        assert _is_boilerplate(variant) == bool(_BOILERPLATE.search(variant)), variant
