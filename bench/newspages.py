#!/usr/bin/env python3
"""Deterministic realistic news pages for the benchmarks, and a local HTTP server for them.

Shared by bench/vs_urlwatch.py and bench/idle_rss.py; standard library only, so it runs
under any Python 3.11+ (it does not import monitor: the pages are not shaped by the code
they measure).

A `Site` holds N article pages about the Assad story, each 60-120 KB of HTML: head with
meta tags, JSON-LD, inline CSS and an inline JSON app state; a top bar, a mega-menu and a
breaking-news ticker; the article (headline, standfirst, byline with share and comment
counters, figure, 6-14 paragraphs built from the sentences of seeds/*.txt, varied, mixed
with generated news sentences, an inline "read more" link and an ad slot); related and
most-read lists, a newsletter box, a comments teaser, a footer and large script bundles.

`Site.mutate(round)` edits, on disjoint sets, 10% of the pages' article text (a number or
a sentence changes, and the page's "updated" stamp) and 10% of the pages' boilerplate only
(counters, related and most-read links, ticker, weather), and says which pages it touched.

The server (`serve`, or `python bench/newspages.py serve ROOT`) serves the files under
ROOT from memory with strong ETags, answers If-None-Match with 304, gzips when asked
(precompressed), speaks HTTP/1.1 keep-alive, and rereads ROOT on `POST /__reload`. A path
whose last segment starts with `c<k>-` serves the page without that prefix (many distinct
URLs over few pages, see `Site.copy_urls`).

    python bench/newspages.py write DIR --n 50      # write a site to look at
    python bench/newspages.py serve DIR --port 8000
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import hashlib
import html
import json
import os
import random
import re
import sys
import threading
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"
SITE_NAME = "The Levant Ledger"

# fmt: off
FIRST = ["Ahmad", "Mohammed", "Omar", "Hassan", "Yusuf", "Khalid", "Samir", "Layla", "Amira",
         "Rania", "Nour", "Elena", "Sergei", "Dmitry", "Irina", "John", "Sarah", "Laura",
         "Thomas", "Daniel", "Kaja", "Recep", "Hakan", "Emmanuel", "Abbas", "Rafik", "Ghassan"]
LAST = ["Haddad", "Khoury", "Nasser", "Saleh", "Jaber", "Mansour", "Darwish", "Hamdan",
        "Jalali", "Lavrov", "Peskov", "Zakharova", "Nebenzia", "Ivanov", "Petrov", "Correll",
        "Whitfield", "Fischer", "Dubois", "Rossi", "Kallas", "Fidan", "Pedersen", "Safadi"]
PLACES = ["Damascus", "Aleppo", "Homs", "Hama", "Latakia", "Tartus", "Idlib", "Deir ez-Zor",
          "Raqqa", "Daraa", "Qamishli", "Palmyra", "Moscow", "Beirut", "Amman", "Ankara",
          "Tehran", "Baghdad", "Doha", "Riyadh", "Geneva", "Brussels", "Washington"]
ORGS = ["the Kremlin", "the United Nations", "the European Union", "the Pentagon",
        "Hayat Tahrir al-Sham", "the Syrian Observatory for Human Rights", "the Red Crescent",
        "the World Food Programme", "UNHCR", "the Arab League", "the Russian Defence Ministry",
        "the Turkish Foreign Ministry", "the White House", "the caretaker government"]
OUTLETS = ["TASS", "RIA Novosti", "Reuters", "AFP", "the Associated Press", "Al Jazeera",
           "Interfax", "SANA"]
NOUNS = ["troops", "fighters", "refugees", "civilians", "prisoners", "detainees", "officials",
         "diplomats", "families", "convoys", "aircraft", "trucks", "checkpoints", "shelters"]
THINGS = ["aid shipments", "food parcels", "medical supplies", "fuel deliveries",
          "ceasefire talks", "prisoner exchanges", "border crossings", "evacuation flights",
          "sanctions relief", "power supplies", "grain imports"]
VERBS = ["announced", "confirmed", "denied", "reported", "approved", "rejected", "delivered",
         "evacuated", "released", "detained", "deployed", "pledged", "suspended", "resumed"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
SECTIONS = ["World", "Middle East", "Europe", "Politics", "Business", "Opinion", "Sport",
            "Culture", "Science", "Climate", "Video", "Podcasts"]
# fmt: on

_SENTENCE_END = re.compile(r"(?<=[.!?\u201d\"])\s+(?=[A-Z\u201c\"])")
_NUMBER = re.compile(r"\b\d[\d,]*\b")
_MD_REF = re.compile(r"\s?\[\[\d+\]\([^)]*\)\]")
_MD_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")


# --- sentences --------------------------------------------------------------------------


def seed_sentences(seeds: Path = SEEDS) -> list[str]:
    """The sentences (6+ words, ending a sentence) of the seed articles, in file order."""
    out = []
    for path in sorted(seeds.glob("*.txt")):
        text = path.read_text(encoding="utf-8").replace("**", "")  # Markdown emphasis
        text = _MD_LINK.sub(r"\1", _MD_REF.sub("", text))  # Markdown links, [[1](url)]
        text = re.sub(r"(?<!\.)\.\.(?!\.)", ".", text)  # "family. [[1](url)]." -> "family."
        for para in text.split("\n"):
            for s in _SENTENCE_END.split(para.strip()):
                if len(s.split()) >= 6 and s.endswith((".", '"', "\u201d")):
                    out.append(s)
    if not out:
        raise SystemExit(f"no seed sentences found in {seeds}")
    return out


def news_sentence(rng: random.Random) -> str:
    """One generated declarative news sentence with names, places, numbers and days."""
    person = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    place, place2 = rng.sample(PLACES, 2)
    org, outlet = rng.choice(ORGS), rng.choice(OUTLETS)
    n = rng.choice([str(rng.randint(2, 99)), f"{rng.randint(100, 9999):,}"])
    noun, thing, verb, day = (rng.choice(NOUNS), rng.choice(THINGS), rng.choice(VERBS),
                              rng.choice(DAYS))
    forms = [
        f"{org[0].upper() + org[1:]} {verb} {thing} for {n} {noun} in {place} on {day}.",
        f"At least {n} {noun} were {verb} near {place} on {day}, {outlet} reported.",
        f"{person}, an official in {place}, said {n} {noun} had left for {place2}.",
        f"According to {outlet}, {person} arrived in {place} on {day} with {n} advisers.",
        f"{person} told {outlet} that {org} had {verb} {thing} worth {n} million dollars.",
        f"Officials in {place} confirmed on {day} that {person} was in {place2}.",
        f"A convoy carrying {n} tonnes of {thing} left {place} for {place2} on {day}.",
        f"Some {n} {noun} have fled {place} since the offensive began, {org} said.",
    ]
    return rng.choice(forms)


def edit_number(rng: random.Random, sentence: str) -> str | None:
    """`sentence` with one of its numbers changed (never a year), or None if it has none."""
    hits = [m for m in _NUMBER.finditer(sentence)
            if not 1900 <= int(m.group().replace(",", "")) <= 2100]
    if not hits:
        return None
    m = rng.choice(hits)
    value = int(m.group().replace(",", ""))
    new = value + rng.choice([1, 2, 3, 5, 10, 25, 100, 1000])
    text = f"{new:,}" if "," in m.group() or new >= 10000 else str(new)
    return sentence[: m.start()] + text + sentence[m.end():]


def vary(rng: random.Random, sentence: str) -> str:
    """A seed sentence, kept (half the time) or varied: a number, a place or an attribution."""
    r = rng.random()
    if r < 0.5:
        return sentence
    if r < 0.75:
        return edit_number(rng, sentence) or sentence
    hits = [p for p in PLACES if p in sentence]
    if hits and r < 0.9:
        return sentence.replace(rng.choice(hits), rng.choice(PLACES), 1)
    if sentence.endswith(".") and not sentence.endswith('."'):
        return sentence[:-1] + f", {rng.choice(OUTLETS)} reported."
    return sentence


# --- pages ------------------------------------------------------------------------------


@dataclass
class Page:
    """One article page; `paragraphs` and the revisions change under `Site.mutate`."""

    index: int
    path: str
    title: str
    dek: str
    author: str
    kb: int  # target size of the rendered page in KB
    paragraphs: list[list[str]]
    article_rev: int = 0
    boiler_rev: int = 0


@dataclass(frozen=True)
class Mutation:
    """Which pages one `Site.mutate` call changed (sorted indices, disjoint sets)."""

    article: tuple[int, ...]
    boilerplate: tuple[int, ...]


@dataclass
class Site:
    """N deterministic pages (same `n` and `seed`, same bytes)."""

    n: int
    seed: int = 1
    pages: list[Page] = field(default_factory=list)

    def __post_init__(self) -> None:
        seeds = seed_sentences()
        self.pages = [self._make_page(i, seeds) for i in range(self.n)]

    def _make_page(self, i: int, seeds: list[str]) -> Page:
        rng = random.Random(self.seed * 1_000_003 + i)
        paragraphs: list[list[str]] = []
        words, target = 0, rng.randint(500, 1100)
        while words < target or len(paragraphs) < 6:
            para = []
            for _ in range(rng.randint(2, 4)):
                s = vary(rng, rng.choice(seeds)) if rng.random() < 0.45 else news_sentence(rng)
                para.append(s)
                words += len(s.split())
            paragraphs.append(para)
        title = rng.choice([
            "Assad in Moscow: what we know about his flight from Damascus",
            "Syria's caretaker government meets rebels as Assad surfaces in Russia",
            "Kremlin confirms asylum for Assad family after fall of Damascus",
            "Inside the last days of the Assad regime",
            "Rebels tighten grip on Damascus as prisoners freed from Sednaya",
            "Assad denies fleeing Syria in first statement since Damascus fell",
        ]) + f" ({i + 1})"
        slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
        # The id leads the last segment: monitor derives source names from its first 60
        # characters, and long slugs differing only at the end would collide.
        path = f"/world/middle-east/2024/12/{100000 + i}-{slug}.html"
        author = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        return Page(i, path, title, news_sentence(rng), author, rng.randint(62, 118),
                    paragraphs)

    # -- mutation ---------------------------------------------------------------------

    def mutate(self, round_no: int, fraction: float = 0.10) -> Mutation:
        """Edit the article text of `fraction` of the pages and only the boilerplate of
        another, disjoint `fraction`; deterministic in (seed, round_no)."""
        rng = random.Random(self.seed * 7919 + round_no)
        k = max(1, round(self.n * fraction))
        chosen = rng.sample(range(self.n), min(self.n, 2 * k))
        article, boiler = sorted(chosen[:k]), sorted(chosen[k:])
        for i in article:
            self._edit_article(rng, self.pages[i])
        for i in boiler:
            self.pages[i].boiler_rev += 1
        return Mutation(tuple(article), tuple(boiler))

    @staticmethod
    def _edit_article(rng: random.Random, page: Page) -> None:
        """One real edit: a number in a sentence, else a sentence replaced; plus the
        "updated" stamp (the boilerplate stays as it was)."""
        spots = [(p, s) for p, para in enumerate(page.paragraphs) for s in range(len(para))]
        rng.shuffle(spots)
        for p, s in spots:
            new = edit_number(rng, page.paragraphs[p][s])
            if new is not None:
                page.paragraphs[p][s] = new
                break
        else:
            p, s = spots[0]
            page.paragraphs[p][s] = news_sentence(rng)
        page.article_rev += 1

    # -- output -----------------------------------------------------------------------

    def render(self, i: int) -> str:
        return render_page(self.pages[i], self.seed)

    def write(self, root: Path, only: tuple[int, ...] | list[int] | None = None) -> None:
        """Write the pages (or just `only`) under `root`, each file replaced atomically."""
        for i in range(self.n) if only is None else only:
            target = root / self.pages[i].path.lstrip("/")
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_suffix(".tmp")
            tmp.write_text(self.render(i), encoding="utf-8")
            os.replace(tmp, target)

    def urls(self, base: str) -> list[str]:
        return [base.rstrip("/") + p.path for p in self.pages]

    def copy_urls(self, base: str, count: int) -> list[str]:
        """`count` distinct URLs cycling over the pages: copy k of page i has `c<k>-` put
        before its last path segment, which the server ignores."""
        out = []
        for k in range(count):
            head, _, last = self.pages[k % self.n].path.rpartition("/")
            out.append(f"{base.rstrip('/')}{head}/c{k}-{last}")
        return out


def _links(rng: random.Random, n: int, prefix: str) -> list[tuple[str, str]]:
    out = []
    for _ in range(n):
        words = news_sentence(rng).rstrip(".").split()[: rng.randint(5, 11)]
        text = " ".join(words)
        slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
        out.append((f"/{prefix}/{slug}-{rng.randint(10000, 99999)}", text))
    return out


def _a(href: str, text: str, cls: str = "") -> str:
    c = f' class="{cls}"' if cls else ""
    return f'<a href="{html.escape(href)}"{c}>{html.escape(text)}</a>'


def _script_bundle(rng: random.Random, size: int) -> str:
    """Minified-looking JavaScript of about `size` characters."""
    parts = [f"!function(){{var e=window.__ll||(window.__ll={{}});e.v='{rng.getrandbits(40):x}';"]
    total = len(parts[0])
    while total < size:
        k = rng.getrandbits(24)
        piece = (f"e.m{k:x}=function(t,n){{var r=t&&t.length||0,o=[];for(var i=0;i<r;i++)"
                 f"o.push((t[i]*{k % 97}+n)%{k % 1009 + 7});return o.join('{k % 10}')}};")
        parts.append(piece)
        total += len(piece)
    parts.append("}();")
    return "".join(parts)


def render_page(page: Page, seed: int) -> str:
    """The page's HTML for its current article and boilerplate revisions."""
    # Layout (menus, footer, scripts) is fixed per page; counters, related and most-read
    # lists, ticker and weather depend on the boilerplate revision only.
    fixed = random.Random(f"{seed}:{page.index}:layout")
    churn = random.Random(f"{seed}:{page.index}:boiler:{page.boiler_rev}")
    title = html.escape(page.title)
    comments, shares = churn.randint(3, 900), churn.randint(10, 25000)
    published = f"2024-12-{9 + page.index % 6:02d}T{6 + page.index % 12:02d}:30:00Z"
    modified = (f"2024-12-{9 + page.index % 6:02d}T{18 + page.article_rev % 5:02d}:"
                f"{(7 * page.article_rev) % 60:02d}:00Z")

    ld = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": page.title,
          "description": page.dek, "datePublished": published, "dateModified": modified,
          "author": [{"@type": "Person", "name": page.author}],
          "publisher": {"@type": "Organization", "name": SITE_NAME},
          "mainEntityOfPage": page.path}
    state = {"page": {"type": "article", "id": 100000 + page.index, "section": "middle-east",
                      "tags": ["Syria", "Bashar al-Assad", "Russia"],
                      "commentCount": comments, "shareCount": shares},
             "ads": [{"slot": f"ad-{k}", "sizes": [[728, 90], [300, 250]],
                      "kw": [f"k{fixed.randint(1, 999)}" for _ in range(10)]}
                     for k in range(8)],
             "experiments": {f"exp{k}": fixed.random() < 0.5 for k in range(20)}}
    css = "".join(f".c{k}{{margin:{k % 7}px;padding:{k % 5}px {k % 3}px;"
                  f"color:#{fixed.getrandbits(24):06x}}}" for k in range(120))

    nav = "".join(
        f'<li class="menu-group"><a href="/{s.lower().replace(" ", "-")}">{s}</a><ul>'
        + "".join(f"<li>{_a(h, t)}</li>" for h, t in _links(fixed, fixed.randint(5, 9), "s"))
        + "</ul></li>"
        for s in SECTIONS
    )
    ticker = "".join(f"<li>{_a(h, t)}</li>" for h, t in _links(churn, 4, "live"))
    related = "".join(
        f'<li class="card">{_a(h, t)}<span class="ago">{churn.randint(1, 23)} hours ago</span>'
        f'<span class="cc">{churn.randint(0, 400)} comments</span></li>'
        for h, t in _links(churn, fixed.randint(6, 10), "news"))
    most_read = "".join(f'<li><span class="rank">{k + 1}</span>{_a(h, t)}</li>'
                        for k, (h, t) in enumerate(_links(churn, 10, "popular")))
    footer = "".join(
        f'<div class="col"><h4>{s}</h4><ul>'
        + "".join(f"<li>{_a(h, t)}</li>" for h, t in _links(fixed, 6, "f"))
        + "</ul></div>" for s in SECTIONS[:6])

    paras = [f"<p>{html.escape(' '.join(p))}</p>" for p in page.paragraphs]
    read_more = _links(fixed, 1, "news")[0]
    paras.insert(3, f'<p class="read-more"><strong>Read more:</strong> {_a(*read_more)}</p>')
    paras.insert(6, '<div class="ad-inline" data-slot="ad-3">Advertisement</div>')
    body = "\n".join(paras)
    profile = page.author.lower().replace(" ", "-")

    page_html = (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{title} | {SITE_NAME}</title>"
        f'<meta name="description" content="{html.escape(page.dek)}">'
        f'<meta property="og:title" content="{title}">'
        f'<meta property="og:type" content="article">'
        f'<meta property="article:published_time" content="{published}">'
        f'<meta property="article:modified_time" content="{modified}">'
        f'<link rel="canonical" href="{page.path}">'
        f'<link rel="preload" href="/static/app.{fixed.getrandbits(32):08x}.js" as="script">'
        f'<script type="application/ld+json">{json.dumps(ld)}</script>'
        f"<style>{css}</style>"
        f"<script>{{BUNDLE1}}</script></head>\n<body>"
        '<a class="skip" href="#main">Skip to content</a>'
        f'<div class="topbar"><span class="date">Tuesday 10 December 2024</span>'
        f'<span class="weather">Damascus {churn.randint(4, 17)}&deg;C</span>'
        '<a href="/subscribe">Subscribe</a><a href="/login">Sign in</a></div>'
        f'<header><a class="logo" href="/">{SITE_NAME}</a>'
        f'<nav class="mega" aria-label="Sections"><ul>{nav}</ul></nav>'
        '<form class="search" action="/search"><input name="q" placeholder="Search">'
        "<button>Go</button></form></header>\n"
        f'<div class="ticker"><span>Live</span><ul>{ticker}</ul></div>'
        '<main id="main"><nav class="breadcrumb"><a href="/world">World</a> &rsaquo; '
        '<a href="/world/middle-east">Middle East</a></nav>'
        f'<article class="story"><header class="story-head"><h1>{title}</h1>'
        f'<p class="standfirst">{html.escape(page.dek)}</p>'
        f'<div class="byline">By <a rel="author" href="/profile/{profile}">'
        f"{html.escape(page.author)}</a>"
        f'<time datetime="{published}">Published {published[:10]}</time>'
        f'<time class="updated" datetime="{modified}">Updated {modified[11:16]} GMT</time></div>'
        f'<div class="share-bar"><a href="#share">{shares:,} shares</a>'
        f'<a href="#comments"><span class="count">{comments}</span> comments</a></div>'
        "</header>"
        '<figure><img src="/img/damascus.jpg" alt="Damascus skyline" width="1200" height="675">'
        "<figcaption>Damascus, December 2024. Photo: agency</figcaption></figure>"
        f'<div class="story-body">\n{body}\n</div>'
        '<ul class="tags"><li><a href="/tag/syria">Syria</a></li>'
        '<li><a href="/tag/assad">Bashar al-Assad</a></li>'
        '<li><a href="/tag/russia">Russia</a></li></ul></article>\n'
        f'<aside class="related"><h2>Related stories</h2><ul>{related}</ul></aside>'
        f'<aside class="most-read"><h2>Most read</h2><ol>{most_read}</ol></aside>'
        '<section class="newsletter"><h3>Sign up for the Middle East briefing</h3>'
        "<p>Get our newsletter in your inbox every morning.</p>"
        '<form action="/newsletter"><input name="email"><button>Sign up</button></form></section>'
        f'<section id="comments"><h3>{comments} comments</h3>'
        "<p>Join the conversation. Comments are moderated.</p></section></main>\n"
        f'<footer><div class="cols">{footer}</div>'
        f"<p>&copy; 2024 {SITE_NAME}. All rights reserved.</p>"
        '<div class="consent">We use cookies to improve your experience. '
        '<button>Accept</button></div></footer>'
        f'<script id="__APP_STATE__" type="application/json">{json.dumps(state)}</script>'
        "<script>{BUNDLE2}</script></body></html>\n"
    )
    room = max(4000, page.kb * 1024 - len(page_html.encode("utf-8")))
    bundle1 = _script_bundle(fixed, room * 2 // 5)
    bundle2 = _script_bundle(fixed, room - len(bundle1))
    return page_html.replace("{BUNDLE1}", bundle1, 1).replace("{BUNDLE2}", bundle2, 1)


# --- server -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    body: bytes
    gz: bytes
    etag: str  # strong ETag of the identity body; the gzip variant has its own


def load_tree(root: Path) -> dict[str, Entry]:
    """Every .html file under `root`, keyed by URL path, with its gzip body and ETag."""
    out = {}
    for path in root.rglob("*.html"):
        body = path.read_bytes()
        tag = hashlib.blake2b(body, digest_size=10).hexdigest()
        out["/" + path.relative_to(root).as_posix()] = Entry(
            body, gzip.compress(body, compresslevel=6, mtime=0), f'"{tag}"')
    return out


class PageServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # both tools open many connections at once
    allow_reuse_address = True

    def __init__(self, root: Path, host: str = "127.0.0.1", port: int = 0) -> None:
        self.root = root
        self.entries = load_tree(root)
        self.requests = {"200": 0, "304": 0, "404": 0}
        self.lock = threading.Lock()
        super().__init__((host, port), PageHandler)

    def reload(self) -> int:
        entries = load_tree(self.root)
        with self.lock:
            self.entries = entries
        return len(entries)


class PageHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # One write per response (flushed after each request) and no Nagle: with the default
    # unbuffered writer the header and body go out as two writes, and on a keep-alive
    # connection Nagle + delayed ACK stall each response ~40 ms (new connections are not
    # hit), which would penalise a client that reuses connections.
    wbufsize = 1 << 20
    disable_nagle_algorithm = True
    server: PageServer

    def log_message(self, format: str, *args: object) -> None:
        pass  # quiet

    def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        if status != 304:  # a 304 has no body and describes the full representation
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD" and body:
            self.wfile.write(body)

    def do_GET(self) -> None:
        path, _, query = self.path.partition("?")
        if path == "/__stats":
            with self.server.lock:
                body = json.dumps(self.server.requests).encode()
                if query == "reset=1":
                    self.server.requests = {"200": 0, "304": 0, "404": 0}
            self._send(200, body, {"Content-Type": "application/json"})
            return
        entry = self.server.entries.get(path) or self.server.entries.get(
            _COPY.sub("/", path, count=1))
        if entry is None:
            self._count("404")
            self._send(404, b"not found\n", {"Content-Type": "text/plain"})
            return
        gz = "gzip" in self.headers.get("Accept-Encoding", "")
        etag = entry.etag[:-1] + '-gz"' if gz else entry.etag
        headers = {"ETag": etag, "Cache-Control": "max-age=0", "Vary": "Accept-Encoding"}
        if _etag_matches(self.headers.get("If-None-Match"), etag):
            self._count("304")
            self._send(304, b"", headers)
            return
        headers["Content-Type"] = "text/html; charset=utf-8"
        if gz:
            headers["Content-Encoding"] = "gzip"
        self._count("200")
        self._send(200, entry.gz if gz else entry.body, headers)

    do_HEAD = do_GET

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        if self.path == "/__reload":
            count = self.server.reload()
            with self.server.lock:
                self.server.requests = {"200": 0, "304": 0, "404": 0}
            self._send(200, f"{count}\n".encode(), {"Content-Type": "text/plain"})
        else:
            self._send(404, b"not found\n", {"Content-Type": "text/plain"})

    def _count(self, key: str) -> None:
        with self.server.lock:
            self.server.requests[key] += 1


_COPY = re.compile(r"/c\d+-(?=[^/]*$)")  # Site.copy_urls: /c<k>- before the last segment


def _etag_matches(header: str | None, etag: str) -> bool:
    """RFC 9110 If-None-Match: weak comparison against a list of tags, or `*`."""
    if not header:
        return False
    if header.strip() == "*":
        return True
    return any(t.strip().removeprefix("W/") == etag for t in header.split(","))


def serve(root: Path, host: str = "127.0.0.1", port: int = 0) -> PageServer:
    """A PageServer for `root`, serving on a daemon thread; `.server_address` has the port."""
    server = PageServer(root, host, port)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def reload(base: str) -> int:
    """Ask the server at `base` to reread its root; the number of pages it now serves."""
    with urllib.request.urlopen(urllib.request.Request(base + "/__reload", b"", method="POST"),
                                timeout=120) as resp:
        return int(resp.read())


def stats(base: str, *, reset: bool = False) -> dict[str, int]:
    """Responses by status since the last reload (or reset), then reset them if asked."""
    with urllib.request.urlopen(base + "/__stats" + "?reset=1" * reset, timeout=10) as resp:
        return dict(json.loads(resp.read()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    w = sub.add_parser("write", help="write N pages under DIR")
    w.add_argument("dir", type=Path)
    w.add_argument("--n", type=int, default=50)
    w.add_argument("--seed", type=int, default=1)
    w.add_argument("--mutate", type=int, default=0, metavar="ROUNDS",
                   help="apply this many mutation rounds before writing")
    s = sub.add_parser("serve", help="serve DIR; prints 'PORT <n>' once listening")
    s.add_argument("dir", type=Path)
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    if args.command == "write":
        site = Site(args.n, args.seed)
        for r in range(1, args.mutate + 1):
            m = site.mutate(r)
            print(f"round {r}: article {list(m.article)} boilerplate {list(m.boilerplate)}")
        site.write(args.dir)
        sizes = sorted(len(site.render(i).encode()) for i in range(site.n))
        print(f"{site.n} pages under {args.dir}: {sizes[0] // 1024}-{sizes[-1] // 1024} KB")
        return 0
    server = PageServer(args.dir, args.host, args.port)
    print(f"PORT {server.server_address[1]}", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
