"""Turn a fetched page or an article file into a `Document`: metadata plus main text.

The main text of an HTML page comes from trafilatura (precision mode, no comments, no
fallback extractors unless the fast pass finds under 500 characters: the best and fastest
combination on the development benchmark), then
a light clean-up drops lines that are links to other stories or site boilerplate
(newsletter boxes, "follow us" lines). The body is one paragraph per line.
"""

from __future__ import annotations

import itertools
import json
import logging
import pathlib
import re
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

import trafilatura
from lxml import html as lxml_html

from monitor.errors import ExtractError
from monitor.models import Document

logger = logging.getLogger(__name__)

try:  # lxml's CSS selectors need the optional cssselect package; else BeautifulSoup
    import cssselect  # noqa: F401

    _HAVE_CSSSELECT = True
except ImportError:
    _HAVE_CSSSELECT = False

TRAFILATURA_OPTIONS: dict[str, Any] = {
    "fast": True,  # no readability/justext fallback: ~40% faster, same F1 on the benchmark
    "favor_precision": True,
    "include_comments": False,
    "include_tables": True,
    "include_images": False,
    "include_links": False,
    "output_format": "txt",
}
# fmt: off
_ARTICLE_TYPES = frozenset((
    "article", "newsarticle", "blogposting", "reportagenewsarticle", "analysisnewsarticle",
    "report", "opinionnewsarticle", "reviewnewsarticle", "backgroundnewsarticle",
    "liveblogposting",
))
_DROP_IN_SELECTION = (
    "script", "style", "noscript", "template", "nav", "aside", "figcaption", "form", "button",
)
_BLOCK_TAGS = frozenset((
    "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "tr", "td",
    "th", "dd", "dt", "section", "article", "header", "footer", "br", "ul", "ol", "table",
    "figure", "main", "hr",
))
_DATE_KEYS = (
    "article:published_time", "datePublished", "pubdate", "publishdate", "publish-date",
    "date", "dc.date.issued", "dc.date", "og:published_time", "sailthru.date",
    "parsely-pub-date",
)
# fmt: on
_BOILERPLATE = re.compile(
    r"^(?:advertisement|sponsored|related(?: (?:stories|articles|posts|coverage))?:?"
    r"|(?:see|read) (?:more|also)\b.*|don'?t miss|more from\b.*|share (?:this|on)\b.*"
    r"|tell us what you think.*|\d* ?comments?)\W*$"
    r"|\b(?:sign up|subscribe)\b.{0,80}\b(?:newsletters?|inbox|e-?mails?)\b"
    r"|\b(?:newsletters?)\b.{0,60}\b(?:sign up|subscribe)\b"
    r"|^follow (?:us|\w+(?: \w+)?) on (?:twitter|facebook|instagram|x)\b",
    re.IGNORECASE,
)
# Only the unanchored alternatives above can match past the start of a line, and each
# needs one of these words. Under re.IGNORECASE their letters also match their capitals
# and three other letters (İ ı for i, ſ for s): a line without those letters and without
# the words once lowered can only match at its start (see _is_boilerplate).
_BOILERPLATE_WORDS = ("newsletter", "inbox", "mail")
_CASE_ODDITIES = ("\u0130", "\u0131", "\u017f")
_SHORT_RESULT = 500  # chars; a fast pass giving less is retried with trafilatura's fallbacks
_MAX_LINK_RATIO = 0.8  # a line this much made of link text is a link to another story
_LISTING_LINK_RATIO = 0.5  # a page whose text is this much link text is a listing
_BREAK = "\u2029"  # paragraph separator: marks block boundaries in selected elements
_BYLINE = re.compile(r"^by\s+", re.IGNORECASE)
_WORD = re.compile(r"\w")


def extract_html(html: str, *, url: str | None = None, selector: str | None = None) -> Document:
    """Extract metadata and main text from an HTML page.

    Never raises on malformed markup or on pages without an article (listings, empty pages):
    those give a Document with ``text == ""``. Raises ExtractError for input that is not
    text (binary data) and for a `selector` that is invalid or matches nothing; with a
    selector, only the first matching element is used.
    """
    name = url or "<html>"
    if _looks_binary(html):
        raise ExtractError(f"{name}: not an HTML document (binary data)")
    tree = _parse(html)
    if tree is None:
        return Document(url=url or "", text="")
    head = _Head(tree)
    title, published, author = _metadata(head)
    if selector is not None:
        text = _select_text(tree, html, selector, name)
    else:
        anchors = _anchor_texts(tree)
        raw = _trafilatura(tree, url, fast=True)
        if len(raw) < _SHORT_RESULT:  # little text: let trafilatura try its fallbacks too
            retry = _trafilatura(html, url, fast=False)
            raw = retry if len(retry) > len(raw) else raw
        text = _clean_lines(raw, anchors)
        if text and _is_teaser_listing(head, text):
            text = ""
        elif text:
            text = _drop_publisher_lines(text, _publisher_names(head, title))
    return Document(url=url or "", text=text, title=title, published=published, author=author)


def extract_text(text: str, *, name: str | None = None) -> Document:
    """Make a Document from a plain-text or Markdown article.

    The first non-empty line is the title when it looks like a heading (a Markdown ``#``
    heading, or short with no final period); the rest is the body, one paragraph per line,
    with Markdown markup (headings, emphasis, links, images, list and quote markers)
    removed. Markdown files (`name` ending in .md) have their wrapped lines joined.
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff").split("\n")
    markdown = bool(name and name.lower().endswith((".md", ".markdown")))
    start = next((i for i, line in enumerate(lines) if line.strip()), len(lines))
    title: str | None = None
    if start < len(lines):
        first = lines[start].strip()
        underline = lines[start + 1].strip() if start + 1 < len(lines) else ""
        if first.startswith("#") or (underline and set(underline) <= {"="}):
            title = _strip_markdown(first.lstrip("#").strip()) or None
            start += 2 if underline and set(underline) <= {"="} else 1
        elif _is_heading(first):
            title, start = _strip_markdown(first), start + 1
    body = (
        _markdown_paragraphs(lines[start:])
        if markdown
        else [_strip_markdown(line) for line in lines[start:]]
    )
    return Document(url=name or "", text="\n".join(p for p in body if _WORD.search(p)), title=title)


def extract_file(path: pathlib.Path, *, selector: str | None = None) -> Document:
    """Extract the article in a file: .html/.htm as HTML, .txt/.md as text.

    Bytes are decoded as UTF-8 (a BOM is honoured), else as cp1252. Raises ExtractError
    naming the file for other suffixes, unreadable files and binary content. The
    Document's url is the path as given.
    """
    suffix = path.suffix.lower()
    if suffix not in (".html", ".htm", ".txt", ".md", ".markdown"):
        raise ExtractError(f"{path}: unsupported file type {suffix or '(none)'!r}")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ExtractError(f"{path}: cannot read file: {exc.strerror or exc}") from exc
    content = _decode(data)
    if _looks_binary(content):
        raise ExtractError(f"{path}: not a text file (binary data)")
    if suffix in (".html", ".htm"):
        doc = extract_html(content, url=str(path), selector=selector)
        return doc
    return extract_text(content, name=str(path))


# --- HTML helpers ---------------------------------------------------------------------


def _trafilatura(content: str | lxml_html.HtmlElement, url: str | None, *, fast: bool) -> str:
    options = {**TRAFILATURA_OPTIONS, "fast": fast}
    try:
        return trafilatura.extract(content, url=url, **options) or ""
    except Exception as exc:  # trafilatura has no error contract; degrade to no text
        logger.debug("trafilatura failed on %s: %s", url, exc)
        return ""


_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f]")  # control characters but \t \n \v \f \r


def _looks_binary(text: str) -> bool:
    sample = text[:4096]
    if "\x00" in sample:
        return True
    return len(_CONTROL.findall(sample)) > max(8, len(sample) // 50)


def _parse(html: str) -> lxml_html.HtmlElement | None:
    if not html.strip():
        return None
    try:  # trafilatura's loader handles encoding declarations and odd doctypes ...
        tree = trafilatura.load_html(html)
        if tree is None:  # ... but gives up on some small fragments that lxml can read
            tree = lxml_html.document_fromstring(html)
    except Exception:  # lxml raises on pathological input; treat it as empty
        return None
    return tree if isinstance(tree, lxml_html.HtmlElement) else None


def _norm(text: str) -> str:
    """Runs of whitespace as one space, none at the ends (as ``re.sub(r"\\s+", " ")`` and
    ``strip()``: ``str.split`` and ``\\s`` agree on what whitespace is)."""
    return " ".join(text.split())


def _anchor_texts(tree: lxml_html.HtmlElement) -> list[str]:
    """The distinct texts of the page's links (3 characters or more), longest first."""
    # a link without child nodes is the usual case: its text is all its text content
    texts = {_norm((a.text or "") if len(a) == 0 else a.text_content()) for a in tree.iter("a")}
    return sorted((t for t in texts if len(t) >= 3), key=len, reverse=True)


def _link_ratio(line: str, anchors: list[str], start: int = 0) -> float:
    """The share of `line` made of link texts: each of `anchors[start:]` in turn (longest
    first) is cut out of what is left of the line."""
    rest = line
    for anchor in itertools.islice(anchors, start, None):
        if len(anchor) <= len(rest) and anchor in rest:
            rest = rest.replace(anchor, " ")
    linked = len(line) - len(rest)
    return max(0, linked) / len(line) if line else 0.0


class _LinkTexts:
    """The page's link texts (longest first) that occur in the lines of its text, so that
    `ratio(line)`, which is `_link_ratio(line, texts)`, only tries those.

    That loop changes nothing until the first link text that occurs in the line itself, so
    `ratio` starts there. The link texts in no line are left out, found cheaply: a link text
    occurs in a line only if its inner words (all but the first and the last) are whole
    words of the line, one after the other, since the spaces around them are the line's
    too. Only those that pass this test are looked for in the whole text.
    """

    def __init__(self, texts: list[str], lines: list[str]) -> None:
        self.texts = texts
        words: set[str] = set()
        pairs: set[tuple[str, str]] = set()
        for line in lines:
            split = line.split(" ")
            words.update(split)
            pairs.update(itertools.pairwise(split))
        joined = "\n".join(lines)
        self._present: list[tuple[int, str]] = []
        for i, text in enumerate(texts):
            inner = text.split(" ")[1:-1]
            if len(inner) > 1 and not pairs.issuperset(itertools.pairwise(inner)):
                continue
            if len(inner) == 1 and inner[0] not in words:
                continue
            if text in joined:
                self._present.append((i, text))

    def ratio(self, line: str) -> float:
        """The share of `line` (one of the lines, or the end of one) made of link texts."""
        for i, text in self._present:
            if text in line:
                return _link_ratio(line, self.texts, i)
        return 0.0


def _clean_lines(raw: str, anchors: list[str]) -> str:
    """Drop blank, link-only and boilerplate lines; empty if the page is a link listing."""
    lines = [_norm(line) for line in raw.splitlines()]
    lines = [line for line in lines if _WORD.search(line)]
    links = _LinkTexts(anchors, lines)
    total = sum(len(line) for line in lines)
    kept: list[str] = []
    linked = 0.0
    for line in lines:
        bare = line[2:] if line.startswith(("- ", "* ")) else line
        ratio = links.ratio(bare)
        linked += ratio * len(line)
        if ratio >= _MAX_LINK_RATIO or _is_boilerplate(bare):
            continue
        if kept and kept[-1] == line:
            continue
        kept.append(line)
    if total and linked / total >= _LISTING_LINK_RATIO:
        return ""
    return "\n".join(kept)


def _is_boilerplate(line: str) -> bool:
    """`_BOILERPLATE.search(line)`, trying the line's start only when that is all it can
    match (a regex scan of every line costs more than the rest of the clean-up)."""
    low = line.lower()
    if any(word in low for word in _BOILERPLATE_WORDS) or any(
        odd in line for odd in _CASE_ODDITIES
    ):
        return _BOILERPLATE.search(line) is not None
    return _BOILERPLATE.match(line) is not None


_CARD_TAGS = frozenset(("li", "article", "div", "section"))
_MIN_HEADLINE_WORDS = 3
_MAX_CARD_CHARS = 600
_MIN_CARDS = 3
_LISTING_CARD_SHARE = 0.6  # share of the extracted text that lies in teaser cards


def _teaser_cards(tree: lxml_html.HtmlElement) -> list[str]:
    """Normalised texts of story cards: short blocks built around one headline link.

    A card is a list item / article / div whose text is short and which links to exactly
    one other page with a headline-like anchor (several words); the rest of its text is
    a teaser. Containers of several cards link to several pages and are not cards.
    """
    cards: list[str] = []
    for el in tree.iter(*_CARD_TAGS):
        hrefs: set[str] = set()
        headline = False
        for a in el.iter("a"):
            href = (a.get("href") or "").strip()
            if not href or href.startswith(("#", "javascript:")):
                continue
            hrefs.add(href)
            if len(hrefs) > 1:
                break
            anchor = _norm(a.text_content())
            # a headline: several words, no sentence-final period (a digest item whose
            # link is a whole sentence is article prose, not a teaser card)
            if len(anchor.split()) >= _MIN_HEADLINE_WORDS and (
                not anchor.endswith((".", "!")) or _in_heading(a)
            ):
                headline = True
        if len(hrefs) != 1 or not headline:
            continue
        text = _norm(" ".join(el.itertext()))
        if text and len(text) <= _MAX_CARD_CHARS:
            cards.append(text)
    return cards


_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")


def _in_heading(a: lxml_html.HtmlElement) -> bool:
    """The link is (in) a heading, or wraps one (a whole-card link)."""
    if any(True for _ in a.iter(*_HEADINGS)):
        return True
    return any(p.tag in _HEADINGS for p in a.iterancestors())


def _is_teaser_listing(head: _Head, text: str) -> bool:
    """True if the extracted text is mostly the headlines and teasers of story cards."""
    if _declares_article(head):
        return False
    cards = _teaser_cards(head.tree)
    if len(cards) < _MIN_CARDS:
        return False
    total = covered = 0
    matched: set[int] = set()
    for line in text.splitlines():
        bare = line[2:] if line.startswith(("- ", "* ")) else line
        total += len(bare)
        for i, card in enumerate(cards):
            if bare in card or card in bare:
                covered += len(bare)
                matched.add(i)
                break
    return bool(matched) and covered >= _LISTING_CARD_SHARE * total


def _declares_article(head: _Head) -> bool:
    """The page says it is an article (og:type, or an Article node in JSON-LD)."""
    og = (head.meta("og:type") or "").lower()
    if og == "article" or og.endswith(".article"):
        return True
    return bool(head.articles)


# an imperative addressed to the reader: "Read our corrections policy", "Follow us on X"
_READER_CTA = re.compile(
    r"^(?:read|see|view|visit|contact|e-?mail|send|follow|subscribe|sign up|tell|share|"
    r"find|learn|click|write|report|support|donate|get)\b.*\b(?:our|us|your)\b",
    re.IGNORECASE,
)
_LINE_SENTENCES = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")
_SITE_SUFFIX = re.compile(r"\s[|\u2013\u2014-]\s([^|\u2013\u2014]{3,60})$")
_MAX_PUBLISHER_LINE_WORDS = 40


def _publisher_names(head: _Head, title: str | None) -> list[str]:
    """The site's own name(s): og:site_name, application-name, the <title> suffix."""
    names = []
    for value in (head.meta("og:site_name", "application-name"),):
        if value:
            names.append(value)
    if head.title is not None:
        m = _SITE_SUFFIX.search(head.title)
        if m and m.group(1).strip() != (title or ""):
            names.append(m.group(1).strip())
    return [n for n in dict.fromkeys(n.strip() for n in names) if len(n) >= 3]


def _drop_publisher_lines(text: str, names: list[str]) -> str:
    """Drop short lines in which the publisher talks about itself to the reader.

    ("<Site> is committed to accuracy. Read our corrections policy.") A line is dropped
    only when it names the site, contains an imperative addressed to the reader, and
    every sentence of it either names the site or is such an imperative; reporting that
    merely cites the outlet ("<Site> has learned that ...") is kept.
    """
    if not names:
        return text
    low_names = [n.lower() for n in names]
    kept = []
    for line in text.splitlines():
        low = line.lower()
        if len(line.split()) <= _MAX_PUBLISHER_LINE_WORDS and any(n in low for n in low_names):
            sents = _LINE_SENTENCES.split(line)
            ctas = [bool(_READER_CTA.match(x)) for x in sents]
            if any(ctas) and all(
                cta or any(n in x.lower() for n in low_names)
                for x, cta in zip(sents, ctas, strict=True)
            ):
                continue
        kept.append(line)
    return "\n".join(kept)


def _select_text(tree: lxml_html.HtmlElement, html: str, selector: str, name: str) -> str:
    """Text of the first element matching `selector`, without scripts, nav, asides, forms."""
    element = _select_lxml(tree, selector, name) if _HAVE_CSSSELECT else None
    if element is None:  # no cssselect: select with BeautifulSoup, re-parse the match
        from bs4 import BeautifulSoup

        try:
            match = BeautifulSoup(html, "lxml").select_one(selector)
        except Exception as exc:  # soupsieve.SelectorSyntaxError and friends
            raise ExtractError(f"{name}: invalid selector {selector!r}: {exc}") from exc
        if match is None:
            raise ExtractError(f"selector {selector!r} matched nothing")
        element = lxml_html.fragment_fromstring(str(match))
    for node in list(element.iter(*_DROP_IN_SELECTION)):
        if node is not element:
            node.drop_tree()
    for node in element.iter():
        if isinstance(node.tag, str) and node.tag in _BLOCK_TAGS:
            node.tail = _BREAK + (node.tail or "")
            node.text = _BREAK + (node.text or "")
    lines = (_norm(line) for line in element.text_content().split(_BREAK))
    return "\n".join(line for line in lines if _WORD.search(line))


def _select_lxml(tree: lxml_html.HtmlElement, selector: str, name: str) -> Any:
    try:
        matches = tree.cssselect(selector)
    except Exception as exc:  # cssselect.SelectorError and friends
        raise ExtractError(f"{name}: invalid selector {selector!r}: {exc}") from exc
    if not matches:
        raise ExtractError(f"selector {selector!r} matched nothing")
    return matches[0]


# --- metadata ---------------------------------------------------------------------------


class _Head:
    """What the page says about itself, read once and shared by the metadata, the listing
    test and the publisher names: <meta> tags, JSON-LD article nodes, the <title> text."""

    def __init__(self, tree: lxml_html.HtmlElement) -> None:
        self.tree = tree
        # per meta key (lower case): the first non-empty content, in document order
        self._metas: dict[str, str] = {}
        for meta in tree.iter("meta"):
            key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").lower()
            content = _norm(meta.get("content") or "")
            if content:
                self._metas.setdefault(key, content)
        self.articles = list(_json_ld_articles(tree))
        found = next(tree.iter("title"), None)
        self.title = None if found is None else _norm(found.text_content())

    def meta(self, *keys: str) -> str | None:
        """The content of the first of `keys` (case-insensitive) the page has a meta tag
        with non-empty content for; of the first such tag."""
        for key in keys:
            content = self._metas.get(key.lower())
            if content is not None:
                return content
        return None


def _metadata(head: _Head) -> tuple[str | None, str | None, str | None]:
    title = published = author = None
    for node in head.articles:
        title = title or _as_text(node.get("headline") or node.get("name"))
        published = published or _iso_date(node.get("datePublished") or node.get("dateCreated"))
        author = author or _author(node.get("author") or node.get("creator"))
    title = title or head.meta("og:title", "twitter:title") or head.title
    if not published:
        published = _iso_date(head.meta(*_DATE_KEYS))
    if not published:
        for value in head.tree.xpath("//time/@datetime"):
            published = _iso_date(value)
            if published:
                break
    if not author:
        value = head.meta("author", "article:author", "dc.creator", "byl", "parsely-author")
        if value and not value.startswith(("http://", "https://")):
            author = _BYLINE.sub("", value) or None
    return title or None, published, author


def _json_ld_articles(tree: lxml_html.HtmlElement) -> Iterator[dict[str, Any]]:
    for script in tree.xpath('//script[contains(translate(@type, "LDJSON", "ldjson"), "ld+json")]'):
        data = _load_json(script.text or "")
        if data is not None:
            yield from _article_nodes(data, depth=0)


def _load_json(raw: str) -> Any:
    raw = raw.strip().removeprefix("<!--").removesuffix("-->").strip().rstrip(";")
    for candidate in (raw, re.sub(r",\s*([}\]])", r"\1", raw)):
        try:
            return json.loads(candidate, strict=False)
        except ValueError:
            continue
    return None


def _article_nodes(data: Any, depth: int) -> Iterator[dict[str, Any]]:
    if depth > 5:
        return
    if isinstance(data, list):
        for item in data:
            yield from _article_nodes(item, depth + 1)
    elif isinstance(data, dict):
        types = data.get("@type")
        names = [types] if isinstance(types, str) else types if isinstance(types, list) else []
        if any(isinstance(t, str) and t.lower() in _ARTICLE_TYPES for t in names):
            yield data
        for key in ("@graph", "mainEntity", "mainEntityOfPage"):
            if isinstance(data.get(key), list | dict):
                yield from _article_nodes(data[key], depth + 1)


def _as_text(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    return _norm(value) or None if isinstance(value, str) else None


def _author(value: Any) -> str | None:
    names: list[str] = []
    for item in value if isinstance(value, list) else [value]:
        name = item.get("name") if isinstance(item, dict) else item
        if isinstance(name, list):
            name = " ".join(n for n in name if isinstance(n, str))
        name = _BYLINE.sub("", _norm(name)) if isinstance(name, str) else ""
        if name and name not in names:
            names.append(name)
    return ", ".join(names) or None


def _iso_date(value: Any) -> str | None:
    """Return an ISO 8601 date or datetime string for `value`, or None."""
    if not isinstance(value, str) or not value.strip():
        return None
    value = value.strip()
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        match = re.search(r"\b(\d{4})[-/](\d{2})[-/](\d{2})\b", value)
        try:
            return date(*map(int, match.groups())).isoformat() if match else None
        except ValueError:
            return None
    if len(value) <= 10:
        return parsed.date().isoformat()
    return parsed.isoformat()


# --- text helpers ------------------------------------------------------------------------


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _is_heading(line: str) -> bool:
    return len(line) <= 150 and len(line.split()) <= 20 and not line.endswith((".", ",", ";", ":"))


_MD_RULES = [
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), ""),  # images
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),  # inline links
    (re.compile(r"\[([^\]]+)\]\[[^\]]*\]"), r"\1"),  # reference links
    (re.compile(r"<(https?://[^>\s]+)>"), r"\1"),  # autolinks
    (re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1"), r"\2"),  # strong
    (re.compile(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])"), r"\1"),  # emphasis *x*
    (re.compile(r"(?<![\w_])_(?=\S)(.+?)(?<=\S)_(?![\w_])"), r"\1"),  # emphasis _x_
    (re.compile(r"~~(?=\S)(.+?)(?<=\S)~~"), r"\1"),  # strikethrough
    (re.compile(r"`([^`]+)`"), r"\1"),  # inline code
]
_MD_PREFIX = re.compile(r"^\s{0,3}(?:#{1,6}\s+|>\s?|[-*+]\s+|\d{1,3}[.)]\s+)+")
_MD_RULE_LINE = re.compile(r"^\s{0,3}(?:[-*_=]\s*){3,}$")
_MD_LINK_DEF = re.compile(r"^\s{0,3}\[[^\]]+\]:\s+\S+")


def _strip_markdown(line: str) -> str:
    if _MD_RULE_LINE.match(line) or _MD_LINK_DEF.match(line):
        return ""
    line = _MD_PREFIX.sub("", line)
    for pattern, replacement in _MD_RULES:
        line = pattern.sub(replacement, line)
    return _norm(line.rstrip("#").rstrip() if line.endswith(" #") else line)


def _markdown_paragraphs(lines: list[str]) -> list[str]:
    """Join wrapped Markdown lines; headings, list items and quotes start new paragraphs."""
    paragraphs: list[str] = []
    current: list[str] = []
    for line in lines:
        starts_block = bool(_MD_PREFIX.match(line)) or bool(_MD_RULE_LINE.match(line))
        if not line.strip() or starts_block:
            if current:
                paragraphs.append(" ".join(current))
            current = []
        text = _strip_markdown(line)
        if text:
            (paragraphs if starts_block else current).append(text)
    if current:
        paragraphs.append(" ".join(current))
    return paragraphs
