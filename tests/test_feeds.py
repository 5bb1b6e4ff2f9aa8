"""Feed parsing (RSS, Atom, JSON Feed) and feed sources discovering articles in a pass."""

from __future__ import annotations

import json

import pytest

from monitor.errors import ExtractError
from monitor.feeds import parse_feed
from tests.helpers import article_page, run_cli, write_config

RSS = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>World</title>
<item><title>One</title><link>https://news.example/world/one</link><guid>id-1</guid></item>
<item><title>Two</title><link>/world/two</link></item>
<item><title>No link</title></item>
</channel></rss>"""
ATOM = b"""<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">
<title>World</title><id>urn:x</id><updated>2024-12-08T00:00:00Z</updated>
<entry><title>One</title><id>urn:1</id><link href="https://news.example/world/one"/>
<updated>2024-12-08T00:00:00Z</updated></entry></feed>"""
RDF = b"""<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
xmlns="http://purl.org/rss/1.0/"><channel rdf:about="https://news.example/"><title>W</title>
<link>https://news.example/</link></channel>
<item rdf:about="https://news.example/world/one"><title>One</title>
<link>https://news.example/world/one</link></item></rdf:RDF>"""
JSON_FEED = json.dumps({
    "version": "https://jsonfeed.org/version/1.1", "title": "World",
    "items": [{"id": "1", "url": "https://news.example/world/one", "title": "One"}],
}).encode()


RSS091 = b"""<?xml version="1.0" encoding="ISO-8859-1"?>
<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN"
 "http://my.netscape.com/publish/formats/rss-0.91.dtd">
<rss version="0.91"><channel><title>W</title><link>https://news.example/</link>
<description>d</description><language>en</language>
<item><title>One</title><link>https://news.example/world/one</link></item></channel></rss>"""
RSS092 = b"""<?xml version="1.0"?><rss version="0.92"><channel><title>W</title>
<item><description>No title here</description><link>https://news.example/world/one</link>
</item></channel></rss>"""
ATOM03 = b"""<?xml version="1.0"?><feed version="0.3" xmlns="http://purl.org/atom/ns#">
<title>W</title><entry><title>One</title><id>tag:news.example,2024:1</id>
<link rel="alternate" type="text/html" href="https://news.example/world/one"/>
<issued>2024-12-08T00:00:00Z</issued></entry></feed>"""
JSON_FEED_10 = json.dumps({
    "version": "https://jsonfeed.org/version/1", "title": "World",
    "items": [{"id": "1", "external_url": "https://news.example/world/one"}],
}).encode()
# Truncated mid-document: the entries before the break are still usable.
TRUNCATED = RSS[: RSS.index(b"<item><title>No link")]


@pytest.mark.parametrize(
    ("body", "links"),
    [
        (RSS, ["https://news.example/world/one", "https://news.example/world/two"]),
        (ATOM, ["https://news.example/world/one"]),
        (RDF, ["https://news.example/world/one"]),
        (JSON_FEED, ["https://news.example/world/one"]),
        (RSS091, ["https://news.example/world/one"]),
        (RSS092, ["https://news.example/world/one"]),
        (ATOM03, ["https://news.example/world/one"]),
        (JSON_FEED_10, ["https://news.example/world/one"]),
        (TRUNCATED, ["https://news.example/world/one", "https://news.example/world/two"]),
        (b'<?xml version="1.0"?><rss version="2.0"><channel><title>W</title></channel></rss>',
         []),
    ],
    ids=["rss2", "atom", "rss1-rdf", "json-feed", "rss091-doctype", "rss092", "atom03",
         "json-feed-1.0", "truncated", "valid-but-empty"],
)
def test_parse_feed_formats(body, links):
    entries = parse_feed(body.decode(), url="https://news.example/feed")
    assert [e.link for e in entries] == links
    assert len({e.slug for e in entries}) == len(entries)


def test_guid_gives_a_stable_slug_across_fetches():
    first = parse_feed(RSS.decode(), url="https://news.example/feed")
    again = parse_feed(RSS.decode(), url="https://news.example/feed")
    assert [e.slug for e in first] == [e.slug for e in again]
    assert first[0].guid == "id-1"


@pytest.mark.parametrize(
    ("body", "content_type", "message"),
    [
        ("<html><body><p>Just a page.</p></body></html>", "text/html",
         "got an HTML page (text/html), not RSS/Atom/JSON Feed"),
        ("<!DOCTYPE html>\n<html lang=en><title>x</title></html>", "",
         "got an HTML page (no content-type), not RSS/Atom/JSON Feed"),
        ("plain words, not a feed", "text/plain",
         "got plain text (text/plain), not RSS/Atom/JSON Feed"),
        ("", "", "got an empty document (no content-type), not RSS/Atom/JSON Feed"),
        ('{"version": "1", "items": []}', "application/json",
         "got JSON without a JSON Feed version and items (application/json), "
         "not RSS/Atom/JSON Feed"),
        ('{"items": [', "application/json",
         "got invalid JSON (application/json: Expecting value: line 1 column 12 (char 11)), "
         "not a JSON Feed"),
        ("<rss><channel></wrong>", "application/rss+xml",
         "got broken XML with root <rss> (application/rss+xml; mismatched tag) "
         "and no feed entries in it"),
        ('<?xml version="1.0"?><!-- map --><urlset><url><loc>https://a.example/</loc></url>'
         "</urlset>", "application/xml",
         "got an XML document with root <urlset> (application/xml), not RSS/Atom/JSON Feed"),
    ],
    ids=["html-page", "html-no-type", "text", "empty", "json-not-jsonfeed", "broken-json",
         "broken-xml", "sitemap"],
)
def test_not_a_feed_says_what_it_got(body, content_type, message):
    with pytest.raises(ExtractError) as caught:
        parse_feed(body, url="https://news.example/feed", content_type=content_type)
    assert str(caught.value) == message


LAUGHS = ("<!ENTITY lol \"lol\">" + "".join(
    f"<!ENTITY lol{i} \"{(f'&lol{i - 1};' if i > 1 else '&lol;') * 10}\">" for i in range(1, 10)))


@pytest.mark.parametrize(
    ("subset", "title_ref"),
    [
        (LAUGHS, "&lol9;"),
        ('<!ENTITY xxe SYSTEM "file:///etc/passwd">', "&xxe;"),
        ('<!ENTITY % remote SYSTEM "http://127.0.0.1:9/x.dtd"> %remote;', "&x;"),
    ],
    ids=["billion-laughs", "external-file", "external-parameter-dtd"],
)
def test_entities_are_never_expanded(subset, title_ref):
    body = (f'<?xml version="1.0"?><!DOCTYPE rss [{subset}]><rss version="2.0"><channel>'
            f"<title>T</title><item><title>A {title_ref}</title>"
            "<link>https://news.example/world/one</link></item></channel></rss>")
    entries = parse_feed(body, url="https://news.example/feed")
    assert [e.link for e in entries] == ["https://news.example/world/one"]
    title = entries[0].title or ""
    assert "lollol" not in title and "root:" not in title and len(title) < 40


def test_json_feed_with_broken_items_keeps_the_good_ones():
    body = json.dumps({"version": "https://jsonfeed.org/version/1.1", "items": [
        "not an object", {"id": "2"}, {"id": "3", "url": "javascript:alert(1)"},
        {"id": "4", "url": "https://news.example/world/four"}]})
    assert [e.link for e in parse_feed(body, url="https://news.example/f")] == [
        "https://news.example/world/four"]


def test_feed_source_tracks_each_entry_as_an_article(http_server, tmp_path, capsys):
    cfg = str(write_config(tmp_path / "m.toml", tmp_path / "m.db"))
    story = article_page("Rebels enter Hama", [
        "Rebel fighters entered the city of Hama on Thursday after days of fighting, "
        "residents said."])
    http_server.route("/a1", headers={"Content-Type": "text/html"}, body=story)
    feed = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>W</title>'
            b"<item><title>A1</title><link>" + http_server.url("/a1").encode() +
            b"</link><guid>a1</guid></item></channel></rss>")
    http_server.route("/feed.xml", headers={"Content-Type": "application/rss+xml"}, body=feed)
    run_cli(capsys, "--config", cfg, "sources", "add", http_server.url("/feed.xml"),
            "--kind", "feed", "--name", "wire")
    result = run_cli(capsys, "--config", cfg, "check")
    assert result.code == 0, result.err
    assert "checked 2: 1 changed" in result.out
    changes = run_cli(capsys, "--config", cfg, "changes", "--json", "--source", "wire").jsonl()
    assert [c["type"] for c in changes] == ["new_claim"]
    assert changes[0]["source"].startswith("wire/a1-")
    articles = run_cli(capsys, "--config", cfg, "sources", "list", "--all", "--json").jsonl()
    assert [a["parent"] for a in articles if a["name"] != "wire"] == ["wire"]
    # The same feed again: the entry is known, the article unchanged.
    again = run_cli(capsys, "--config", cfg, "check")
    assert "0 changed" in again.out


def test_a_page_that_is_not_a_feed_is_recorded(http_server, tmp_path, capsys):
    cfg = str(write_config(tmp_path / "m.toml", tmp_path / "m.db"))
    http_server.route("/notfeed", headers={"Content-Type": "text/html"},
                      body=b"<html><body><p>hello</p></body></html>")
    run_cli(capsys, "--config", cfg, "sources", "add", http_server.url("/notfeed"),
            "--kind", "feed", "--name", "nf")
    result = run_cli(capsys, "--config", cfg, "check")
    assert result.code == 0
    assert ("failed: nf: got an HTML page (text/html), not RSS/Atom/JSON Feed"
            in result.out)
