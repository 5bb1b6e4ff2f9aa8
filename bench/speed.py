#!/usr/bin/env python3
"""Throughput benchmark for the claim-change pipeline (a benchmark, not a test).

Usage::

    .venv/bin/python bench/speed.py            # full run (~200 articles, 1k/100k baselines)
    .venv/bin/python bench/speed.py --quick    # short run (40 articles, 1k/20k baselines)
    .venv/bin/python bench/speed.py --profile  # + cProfile of the timed loops

Part 1 - changed articles per second on one core. ~200 deterministic article pages
(60-120 KB of HTML: head scripts/styles, mega-menu nav, related lists, footer around a
600-1,200 word article built from edited seed sentences and generated sentences) each with
a v2 (numbers edited, a sentence inserted, one removed, boilerplate churned). Timed per
article: extract_html(v2) + the claims of v2 and of v1 + diff_claims(v1 claims, v2 claims,
five-seed baseline). The claims are made as ``monitor.analysis.analyse`` makes them in the
service: through one ``ClaimMemo`` per comparison, so a paragraph both versions share is
split and made into claims once. The memo's process-wide sentence cache is cleared before
every article, so no article reuses another's work. v1 is extracted outside the timing
(in the monitor the previous version's text comes from the store).

Part 2 - baseline scaling. Baselines of 1,000 and 100,000 claims (seed claims + varied
synthetic news sentences from templates over a Zipf-weighted vocabulary with a long tail of
generated proper nouns), queried with the same ~2,000 claims (seed sentences, edited seed
sentences, unrelated sentences) via diff_claims(None, article-sized chunks, index) and via
index.candidates(claim). Per-query time, 100k/1k ratio, index build time and memory.

Everything is deterministic (fixed random seeds); timings of course are not.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import html as html_mod
import io
import json
import pstats
import random
import re
import statistics
import sys
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from monitor.baseline import BaselineIndex, content_tokens  # noqa: E402
from monitor.claims import make_claim, split_claims, split_sentences  # noqa: E402
from monitor.diff import diff_claims  # noqa: E402
from monitor.extract import extract_file, extract_html  # noqa: E402
from monitor.memo import ClaimMemo, clear_shared  # noqa: E402
from monitor.models import BaselineClaim  # noqa: E402

SEEDS = REPO / "seeds"
NOW = datetime(2024, 12, 10, 12, 0, tzinfo=UTC)
TARGET_ARTICLES_PER_S = 40.0
TARGET_RATIO = 2.0

# --------------------------------------------------------------------------------------
# Vocabulary

# fmt: off
FIRST = [
    "Ahmad", "Mohammed", "Ali", "Omar", "Hassan", "Yusuf", "Ibrahim", "Khalid", "Mahmoud", "Tariq",
    "Samir", "Nabil", "Walid", "Fatima", "Layla", "Amira", "Rania", "Huda", "Salma", "Nour",
    "Maria", "Anna", "Elena", "Olga", "Irina", "Natalia", "Sergei", "Dmitry", "Vladimir",
    "Mikhail", "Alexei", "Ivan", "Pavel", "Igor", "John", "James", "Robert", "Michael", "David",
    "Sarah", "Emily", "Laura", "Rachel", "Hannah", "Thomas", "Daniel", "Peter", "Mark", "Paul",
    "Kaja", "Ursula", "Antony", "Recep", "Hakan", "Mevlut", "Emmanuel", "Olaf", "Keir", "Joe",
    "Antonio", "Benjamin", "Abbas", "Ayman", "Rafik", "Bassam", "Ghassan",
]
SURNAMES = [
    "Haddad", "Khoury", "Nasser", "Saleh", "Jaber", "Qasim", "Mansour", "Darwish", "Hamdan",
    "Karimi", "Jalali", "Mikdad", "Lavrov", "Peskov", "Ulyanov", "Zakharova", "Nebenzia", "Shoigu",
    "Ivanov", "Petrov", "Smirnov", "Volkov", "Kozlov", "Morozov", "Sokolov", "Correll",
    "Whitfield", "Harrington", "Blake", "Fischer", "Weber", "Schneider", "Dubois", "Laurent",
    "Moreau", "Rossi", "Bianchi", "Costa", "Silva", "Santos", "Kallas", "Fidan", "Kalin",
    "Guterres", "Pedersen", "Blinken", "Sullivan", "Kirby", "Miller", "Erdogan", "Macron",
    "Scholz", "Starmer", "Netanyahu", "Araghchi", "Safadi",
]
PLACES = [
    "Damascus", "Aleppo", "Homs", "Hama", "Latakia", "Tartus", "Idlib", "Deir-ez-Zor", "Raqqa",
    "Daraa", "Quneitra", "Qamishli", "Palmyra", "Manbij", "Kobani", "Moscow", "Beirut", "Amman",
    "Ankara", "Istanbul", "Tehran", "Baghdad", "Cairo", "Doha", "Riyadh", "Abu-Dhabi", "Geneva",
    "Vienna", "Brussels", "Paris", "London", "Berlin", "Washington", "New-York", "Jerusalem",
    "Gaza", "Baalbek", "Tripoli", "Sidon", "Tyre", "Erbil", "Mosul", "Kirkuk", "Basra", "Jeddah",
    "Muscat", "Kuwait",
]
ORGS = [
    "the Kremlin", "the United Nations", "the European Union", "NATO", "the Pentagon",
    "the State Department", "Hayat Tahrir al-Sham", "the Syrian Observatory for Human Rights",
    "the Red Crescent", "the World Food Programme", "UNHCR", "the Arab League",
    "the Russian Defence Ministry", "the Turkish Foreign Ministry", "the White House", "Hezbollah",
    "the Kurdish-led SDF", "the International Committee of the Red Cross", "the IAEA",
    "Amnesty International", "Human Rights Watch", "the World Bank", "the IMF",
    "the caretaker government", "the transitional council",
]
OUTLETS = [
    "TASS", "RIA Novosti", "Reuters", "AFP", "the Associated Press", "Al Jazeera", "the BBC",
    "CNN", "Interfax", "SANA",
]
NOUNS = [
    "troops", "soldiers", "fighters", "refugees", "civilians", "prisoners", "detainees",
    "families", "officials", "diplomats", "journalists", "protesters", "workers", "doctors",
    "volunteers", "residents", "families", "children", "convoys", "aircraft", "drones", "tanks",
    "trucks", "checkpoints", "bases", "airports", "hospitals", "schools", "bridges", "roads",
    "shelters", "camps", "warehouses", "ministries", "embassies", "offices", "factories",
    "oilfields",
]
ADJS = [
    "military", "civilian", "humanitarian", "diplomatic", "economic", "regional", "international",
    "local", "temporary", "emergency", "rebel", "government", "opposition", "foreign", "domestic",
    "northern", "southern", "eastern", "western", "coastal", "rural", "urban", "border", "interim",
    "former", "senior",
]
THINGS = [
    "aid shipments", "food parcels", "medical supplies", "fuel deliveries", "ceasefire talks",
    "prisoner exchanges", "border crossings", "reconstruction funds", "election plans",
    "security guarantees", "sanctions relief", "evacuation flights", "peace negotiations",
    "power supplies", "water rations", "weapons stockpiles", "chemical weapons sites",
    "customs revenues", "grain imports", "oil exports",
]
VERBS_PAST = [
    "announced", "confirmed", "denied", "reported", "estimated", "approved", "rejected",
    "delivered", "evacuated", "released", "detained", "captured", "withdrew", "deployed",
    "pledged", "suspended", "resumed", "opened", "closed", "inspected", "funded", "requested",
    "promised", "signed", "cancelled", "postponed", "expanded", "reduced",
]
WEEKDAYS = [
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
]
MONTHS = [
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
]
UNRELATED_TOPICS = [
    "quarterly earnings", "the football season", "vaccine trials", "the housing market",
    "a new smartphone", "the film festival", "wheat harvests", "the marathon", "interest rates",
    "a museum exhibition", "the chess championship", "solar panel prices", "the tennis final",
    "the city budget", "school enrolment", "railway timetables", "the jazz festival",
    "cloud storage",
]
UNRELATED_ACTORS = [
    "the central bank", "the city council", "the league", "the tech company", "the orchestra",
    "the university", "the museum", "the airline", "the retailer", "the union", "the studio",
    "the club",
]

_SYLL = [
    "al", "ba", "ka", "ri", "mo", "na", "sa", "ta", "vi", "lo", "de", "ma", "ne", "ko", "ru", "za",
    "ha", "mi", "an", "el", "or", "us", "ir", "ev", "gor", "tan", "sel", "dar", "fen", "bel",
    "mar", "vin", "kov", "ski", "son", "berg", "stein",
]
# fmt: on


def _zipf(n: int, s: float = 1.05) -> list[float]:
    cum, total = [], 0.0
    for i in range(n):
        total += 1.0 / (i + 1) ** s
        cum.append(total)
    return cum


class Vocab:
    """Zipf-weighted vocabulary with a long tail of generated proper nouns."""

    def __init__(self, rng: random.Random, extra_names: int) -> None:
        made: set[str] = set()
        while len(made) < extra_names:
            w = "".join(rng.choice(_SYLL) for _ in range(rng.randint(2, 3)))
            made.add(w.capitalize())
        tail = sorted(made)
        rng.shuffle(tail)
        half = len(tail) // 2
        self.first = FIRST + tail[: half // 4]
        self.last = SURNAMES + tail[half // 4 : half]
        self.places = PLACES + [
            t + rng.choice(["", "abad", "iyah", "grad", "ville"]) for t in tail[half:]
        ]
        self._cum = {
            "first": _zipf(len(self.first)),
            "last": _zipf(len(self.last)),
            "places": _zipf(len(self.places)),
            "orgs": _zipf(len(ORGS)),
            "nouns": _zipf(len(NOUNS)),
            "things": _zipf(len(THINGS)),
            "verbs": _zipf(len(VERBS_PAST)),
        }

    def pick(self, rng: random.Random, kind: str) -> str:
        pool = {
            "first": self.first,
            "last": self.last,
            "places": self.places,
            "orgs": ORGS,
            "nouns": NOUNS,
            "things": THINGS,
            "verbs": VERBS_PAST,
        }[kind]
        return rng.choices(pool, cum_weights=self._cum[kind])[0]


def _number(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.45:
        return str(rng.randint(2, 99))
    if r < 0.8:
        return f"{rng.randint(100, 9999):,}"
    if r < 0.9:
        return f"{rng.randint(1, 99)}.{rng.randint(1, 9)} million"
    return f"{rng.randint(11, 95)} percent"


def _date(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.4:
        return f"on {rng.choice(WEEKDAYS)}"
    if r < 0.8:
        return f"on {rng.choice(MONTHS)} {rng.randint(1, 28)}"
    return f"on {rng.randint(1, 28)} {rng.choice(MONTHS)} {rng.choice([2023, 2024])}"


def _cap(s: str) -> str:
    return s[0].upper() + s[1:]


def news_sentence(rng: random.Random, v: Vocab) -> str:
    """One synthetic declarative news sentence (subject/verb/object/place/number/date)."""
    person = f"{v.pick(rng, 'first')} {v.pick(rng, 'last')}"
    place = v.pick(rng, "places")
    place2 = v.pick(rng, "places")
    org = v.pick(rng, "orgs")
    n = _number(rng)
    noun = v.pick(rng, "nouns")
    adj = rng.choice(ADJS)
    thing = v.pick(rng, "things")
    verb = v.pick(rng, "verbs")
    when = _date(rng)
    outlet = rng.choice(OUTLETS)
    t = rng.randrange(14)
    if t == 0:
        s = f"{_cap(org)} {verb} {thing} for {n} {noun} in {place} {when}"
    elif t == 1:
        s = f"At least {n} {noun} were {verb} near {place} {when}, {outlet} reported"
    elif t == 2:
        s = f"{person}, a {adj} official in {place}, said {n} {noun} had left for {place2}"
    elif t == 3:
        s = (
            f"{_cap(org)} said {when} that {thing} to {place} would resume within "
            f"{rng.randint(2, 30)} days"
        )
    elif t == 4:
        s = f"According to {outlet}, {person} arrived in {place} {when} with {n} {adj} advisers"
    elif t == 5:
        s = f"The {adj} authorities in {place} {verb} {n} {noun} after talks with {org}"
    elif t == 6:
        s = f"{person} told {outlet} that {org} had {verb} {thing} worth {n} dollars"
    elif t == 7:
        s = f"{_cap(noun)} from {place} reached {place2} {when}, where {n} people are sheltering"
    elif t == 8:
        s = f"{person} has not {verb} the {adj} plan, which would cost {n} dollars"
    elif t == 9:
        s = f"{_cap(org)} {verb} reports that {n} {noun} were held in {place}"
    elif t == 10:
        s = f"Officials in {place} confirmed {when} that {person} was alive and in {place2}"
    elif t == 11:
        s = f"The {adj} convoy carrying {n} tonnes of {thing} left {place} for {place2} {when}"
    elif t == 12:
        s = (
            f"{person} and {v.pick(rng, 'first')} {v.pick(rng, 'last')} met in {place} {when} "
            f"to discuss {thing}"
        )
    else:
        s = f"Some {n} {noun} have fled {place} since {rng.choice(MONTHS)}, {org} said"
    return s + "."


def unrelated_sentence(rng: random.Random, v: Vocab) -> str:
    actor = rng.choice(UNRELATED_ACTORS)
    topic = rng.choice(UNRELATED_TOPICS)
    person = f"{v.pick(rng, 'first')} {v.pick(rng, 'last')}"
    n = _number(rng)
    t = rng.randrange(5)
    if t == 0:
        s = f"{_cap(actor)} said {_date(rng)} that {topic} rose by {n} this year"
    elif t == 1:
        s = f"{person} told reporters that {topic} would be delayed by {rng.randint(2, 12)} weeks"
    elif t == 2:
        s = f"Attendance at {topic} reached {n} visitors, {actor} said"
    elif t == 3:
        s = f"{_cap(actor)} plans to spend {n} dollars on {topic} next year"
    else:
        s = f"Analysts expect {topic} to improve after {person} joined {actor}"
    return s + "."


# --------------------------------------------------------------------------------------
# Seed material and sentence edits

_NUM = re.compile(r"\b\d[\d,]*(?:\.\d+)?\b")
_NUM_WORDS = {"two": "three", "three": "four", "eight": "nine", "11": "12", "five": "six"}


def seed_sentences() -> list[str]:
    out = []
    for path in sorted(SEEDS.glob("*.txt")):
        for s in split_sentences(extract_file(path).text):
            if len(s.split()) >= 6 and s.endswith((".", '"', "\u201d")):
                out.append(s)
    return out


def edit_numbers(rng: random.Random, s: str) -> str | None:
    """The sentence with one number changed, or None if it has none."""
    nums = list(_NUM.finditer(s))
    if nums:
        m = rng.choice(nums)
        raw = m.group(0).replace(",", "")
        try:
            val = float(raw)
        except ValueError:
            return None
        new = val + rng.choice([1, 2, 3, 5, 10, 25, 100]) if val < 1900 or val > 2100 else val
        if new == val:
            new = val + 1
        text = f"{int(new):,}" if new == int(new) else f"{new:.1f}"
        return s[: m.start()] + text + s[m.end() :]
    for w, repl in _NUM_WORDS.items():
        if re.search(rf"\b{w}\b", s):
            return re.sub(rf"\b{w}\b", repl, s, count=1)
    return None


def edit_names(rng: random.Random, v: Vocab, s: str) -> str:
    """Swap one known place or surname, or reword slightly."""
    for pool in (PLACES, SURNAMES):
        hits = [p for p in pool if p in s]
        if hits and rng.random() < 0.6:
            return s.replace(
                rng.choice(hits), v.pick(rng, "places" if pool is PLACES else "last"), 1
            )
    if " has " in s:
        return s.replace(" has ", " has now ", 1)
    return s.replace(" the ", " that ", 1)


# --------------------------------------------------------------------------------------
# Articles and pages


def make_article(rng: random.Random, v: Vocab, seeds: list[str]) -> list[list[str]]:
    """Paragraphs of sentences, 600-1,200 words, ~40% from (edited) seed sentences."""
    target = rng.randint(600, 1200)
    paras: list[list[str]] = []
    words = 0
    while words < target:
        para = []
        for _ in range(rng.randint(2, 5)):
            r = rng.random()
            if r < 0.25:
                s = rng.choice(seeds)
            elif r < 0.4:
                s = edit_numbers(rng, rng.choice(seeds)) or edit_names(rng, v, rng.choice(seeds))
            else:
                s = news_sentence(rng, v)
            para.append(s)
            words += len(s.split())
        paras.append(para)
    return paras


def make_v2(rng: random.Random, v: Vocab, paras: list[list[str]]) -> list[list[str]]:
    """Numbers edited in 2-4 sentences, one sentence inserted, one removed."""
    out = [list(p) for p in paras]
    flat = [(i, j) for i, p in enumerate(out) for j in range(len(p))]
    edits = 0
    for i, j in rng.sample(flat, len(flat)):
        new = edit_numbers(rng, out[i][j])
        if new and new != out[i][j]:
            out[i][j] = new
            edits += 1
            if edits >= rng.randint(2, 4):
                break
    pi = rng.randrange(len(out))
    out[pi].insert(rng.randint(0, len(out[pi])), news_sentence(rng, v))
    candidates = [i for i, p in enumerate(out) if len(p) > 1 and i != pi]
    ri = rng.choice(candidates) if candidates else pi
    out[ri].pop(rng.randrange(len(out[ri])))
    return out


def _links(rng: random.Random, v: Vocab, n: int, prefix: str) -> list[str]:
    out = []
    for _ in range(n):
        text = news_sentence(rng, v).rstrip(".")
        text = " ".join(text.split()[: rng.randint(5, 11)])
        slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
        out.append(
            f'<a href="/{prefix}/{slug}-{rng.randint(10000, 99999)}">{html_mod.escape(text)}</a>'
        )
    return out


def _script_blob(rng: random.Random, size: int) -> str:
    data = {
        "page": {
            "section": "world",
            "id": rng.randint(1, 10**9),
            "ab": [rng.random() for _ in range(8)],
        },
        "ads": [
            {
                "slot": f"ad-{k}",
                "sizes": [[728, 90], [300, 250]],
                "targeting": {"kw": [f"k{rng.randint(1, 999)}" for _ in range(12)]},
            }
            for k in range(12)
        ],
    }
    js = "window.__APP_STATE__=" + json.dumps(data) + ";"
    filler: list[str] = []
    while len(js) + sum(map(len, filler)) < size:
        k = rng.randint(1, 10**6)
        filler.append(
            f"function f{k}(e,t){{var n=e&&e.length||0;"
            f"for(var r=0;r<n;r++){{t.push(e[r]*{k % 97}+'{k:x}')}}return t}}\n"
        )
    return js + "\n" + "".join(filler)


def render_page(
    rng: random.Random, v: Vocab, title: str, paras: list[list[str]], target_kb: int
) -> str:
    body = "\n".join(f"<p>{html_mod.escape(' '.join(p))}</p>" for p in paras)
    nav_groups = []
    for g in range(rng.randint(6, 10)):
        items = "".join(f"<li>{a}</li>" for a in _links(rng, v, rng.randint(6, 12), f"sec{g}"))
        nav_groups.append(f'<li class="menu-group"><span>Section {g}</span><ul>{items}</ul></li>')
    related = "".join(f"<li>{a}</li>" for a in _links(rng, v, rng.randint(8, 14), "news"))
    most_read = "".join(
        f'<li><span class="rank">{k + 1}</span>{a}</li>'
        for k, a in enumerate(_links(rng, v, 10, "popular"))
    )
    footer = " ".join(_links(rng, v, rng.randint(30, 60), "about"))
    css = "".join(
        f".c{k}{{margin:{k % 7}px;padding:{k % 5}px {k % 3}px;"
        f"color:#{rng.randint(0, 0xFFFFFF):06x}}}\n"
        for k in range(150)
    )
    head_meta = (
        f'<meta charset="utf-8"><title>{html_mod.escape(title)} | The Meridian Courier</title>'
        f'<meta property="og:title" content="{html_mod.escape(title)}">'
        '<meta property="article:published_time" content="2024-12-09T06:30:00Z">'
        '<script type="application/ld+json">'
        + json.dumps(
            {
                "@context": "https://schema.org",
                "@type": "NewsArticle",
                "headline": title,
                "datePublished": "2024-12-09T06:30:00Z",
                "author": {"@type": "Person", "name": "Hannah Correll"},
            }
        )
        + "</script>"
    )
    skeleton = (
        f'<!DOCTYPE html><html lang="en"><head>{head_meta}<style>{css}</style>'
        "<script>{script1}</script></head><body>"
        '<div class="ad-slot">Advertisement</div>'
        '<header><a class="logo" href="/">The Meridian Courier</a>'
        f'<nav><ul class="mega">{"".join(nav_groups)}</ul></nav></header>'
        f'<main><article class="story"><h1>{html_mod.escape(title)}</h1>'
        '<div class="byline">By Hannah Correll</div>'
        '<time datetime="2024-12-09T06:30:00Z">9 December 2024</time>'
        f'<div class="story-body">{body}</div></article>'
        f'<aside class="related"><h2>Related stories</h2><ul>{related}</ul></aside>'
        f'<aside class="most-read"><h2>Most read</h2><ol>{most_read}</ol></aside>'
        '<div class="newsletter">Sign up for our daily newsletter in your inbox.</div></main>'
        f'<footer><div class="links">{footer}</div><p>&copy; 2024 The Meridian Courier</p></footer>'
        "<script>{script2}</script></body></html>"
    )
    room = max(2000, target_kb * 1024 - len(skeleton))
    s1 = _script_blob(rng, room * 6 // 10)
    s2 = _script_blob(rng, room - len(s1))
    return skeleton.replace("{script1}", s1, 1).replace("{script2}", s2, 1)


def build_corpus(
    n: int, v: Vocab, seeds: list[str]
) -> list[tuple[str, str, list[list[str]], list[list[str]]]]:
    """(v1 html, v2 html, v1 paragraphs, v2 paragraphs) for n articles."""
    out = []
    for k in range(n):
        rng = random.Random(1000 + k)
        paras = make_article(rng, v, seeds)
        v2 = make_v2(rng, v, paras)
        title = news_sentence(rng, v).rstrip(".")
        kb = rng.randint(62, 118)
        h1 = render_page(random.Random(5000 + k), v, title, paras, kb)
        h2 = render_page(random.Random(9000 + k), v, title, v2, kb)  # churned boilerplate
        out.append((h1, h2, paras, v2))
    return out


# --------------------------------------------------------------------------------------
# Helpers


def seed_baseline_claims() -> list[BaselineClaim]:
    out = []
    for path in sorted(SEEDS.glob("*.txt")):
        for c in split_claims(extract_file(path).text):
            out.append(BaselineClaim(c, path.name))
    return out


def rss_kb() -> int:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def profile_top(fn, n: int = 18) -> str:
    prof = cProfile.Profile()
    prof.enable()
    fn()
    prof.disable()
    buf = io.StringIO()
    st = pstats.Stats(prof, stream=buf).strip_dirs()
    st.sort_stats("tottime").print_stats(n)
    st.sort_stats("cumulative").print_stats(n)
    return buf.getvalue()


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.splitlines())


# --------------------------------------------------------------------------------------
# Part 1


def part1(args, v: Vocab, seeds: list[str], seed_claims: list[BaselineClaim]) -> dict:
    n = 40 if args.quick else args.articles
    print(f"== 1. Changed articles per second (one core, in-process, {n} articles) ==")
    t0 = time.perf_counter()
    corpus = build_corpus(n + 3, v, seeds)  # 3 extra for warm-up
    sizes = [len(h2.encode()) / 1024 for _, h2, _, _ in corpus]
    words = [sum(len(s.split()) for p in v2 for s in p) for _, _, _, v2 in corpus]
    print(
        f"  corpus: built in {time.perf_counter() - t0:.1f}s; "
        f"page size {min(sizes):.0f}-{max(sizes):.0f} KB "
        f"(median {statistics.median(sizes):.0f}); article {min(words)}-{max(words)} words"
    )
    baseline = BaselineIndex(seed_claims)
    v1_texts = [
        extract_html(h1, url=f"https://courier.example/a/{k}").text
        for k, (h1, *_r) in enumerate(corpus)
    ]

    def run_one(k: int) -> tuple[float, float, float, list]:
        _, h2, _, _ = corpus[k]
        clear_shared()  # each article pays for its own sentences
        a = time.perf_counter()
        doc = extract_html(h2, url=f"https://courier.example/a/{k}")
        b = time.perf_counter()
        memo = ClaimMemo()  # as monitor.analysis.analyse: one per comparison
        cur = memo.split_claims(doc.text)
        prev = memo.split_claims(v1_texts[k])
        c = time.perf_counter()
        changes = diff_claims(prev, cur, baseline, now=NOW)
        d = time.perf_counter()
        return b - a, c - b, d - c, [doc, prev, cur, changes]

    for k in range(n, n + 3):  # warm-up (imports, regex/lru caches) on articles not timed
        run_one(k)
    gc.collect()
    ext, cla, dif = [], [], []
    kinds: dict[str, int] = {}
    recall = []
    nclaims = []
    for k in range(n):
        e, c, d, (doc, _prev, cur, changes) = run_one(k)
        ext.append(e)
        cla.append(c)
        dif.append(d)
        nclaims.append(len(cur))
        for ch in changes:
            kinds[ch.type.value] = kinds.get(ch.type.value, 0) + 1
        sents = [s for p in corpus[k][3] for s in p]
        recall.append(sum(1 for s in sents if s in doc.text) / len(sents))
    total = sum(ext) + sum(cla) + sum(dif)
    per = [e + c + d for e, c, d in zip(ext, cla, dif, strict=True)]
    rate = n / total
    print(
        f"  claims per v2 article: {min(nclaims)}-{max(nclaims)} "
        f"(mean {statistics.mean(nclaims):.0f}); "
        f"extraction kept {statistics.mean(recall):.1%} of v2 sentences verbatim"
    )
    print(
        f"  changes emitted: {sum(kinds.values())} total, "
        f"{sum(kinds.values()) / n:.1f}/article: "
        + ", ".join(f"{k}={c}" for k, c in sorted(kinds.items()))
    )
    print(
        f"  throughput:   {rate:6.1f} articles/s   ({1000 * total / n:.1f} ms/article mean, "
        f"p50 {1000 * statistics.median(per):.1f} ms, max {1000 * max(per):.1f} ms)"
    )
    for name, xs in (("extract", ext), ("claims (v1+v2)", cla), ("diff", dif)):
        print(f"    {name:<15} {1000 * sum(xs) / n:7.2f} ms/article  {sum(xs) / total:6.1%}")
    result = {"rate": rate, "ok": rate >= TARGET_ARTICLES_PER_S}
    if args.profile or not result["ok"]:
        print("  cProfile of the timed loop (first 20 articles):")
        print(_indent(profile_top(lambda: [run_one(k) for k in range(min(n, 20))])))
    return result


# --------------------------------------------------------------------------------------
# Part 2


def make_queries(rng: random.Random, v: Vocab, seeds: list[str], n: int) -> list[str]:
    out: list[str] = []
    while len(out) < n:
        r = rng.random()
        s = rng.choice(seeds)
        if r < 0.3:
            out.append(s)
        elif r < 0.6:
            out.append(edit_numbers(rng, s) or edit_names(rng, v, s))
        elif r < 0.8:
            out.append(unrelated_sentence(rng, v))
        else:
            out.append(news_sentence(rng, v))  # same distribution as the synthetic baseline
    return out


def time_queries(index: BaselineIndex, queries, chunks, repeats: int) -> dict:
    """Best-of-`repeats` seconds per query for diff_claims and for candidates()."""
    diff_t, cand_t = [], []
    for _ in range(repeats):
        gc.collect()
        a = time.perf_counter()
        kinds: dict[str, int] = {}
        for chunk in chunks:
            for ch in diff_claims(None, chunk, index, now=NOW):
                kinds[ch.type.value] = kinds.get(ch.type.value, 0) + 1
        diff_t.append((time.perf_counter() - a) / len(queries))
        visited = scored = 0
        a = time.perf_counter()
        for q in queries:
            index.candidates(q)
            visited += index.last_visited
            scored += index.last_scored
        cand_t.append((time.perf_counter() - a) / len(queries))
    return {
        "diff": min(diff_t),
        "cand": min(cand_t),
        "kinds": kinds,
        "visited": visited / len(queries),
        "scored": scored / len(queries),
    }


def part2(args, v: Vocab, seeds: list[str], seed_claims: list[BaselineClaim]) -> dict:
    big = 20_000 if args.quick else 100_000
    sizes = (1_000, big)
    nq = 500 if args.quick else 2_000
    repeats = 1 if args.quick else 3
    print(f"\n== 2. Baseline scaling ({sizes[0]:,} vs {sizes[1]:,} claims, {nq:,} queries) ==")
    rng = random.Random(42)
    t0 = time.perf_counter()
    synth_text = [news_sentence(rng, v) for _ in range(big)]
    synth = []
    for k, s in enumerate(synth_text):
        synth.append(BaselineClaim(make_claim(s, k % 40), f"synthetic-{k // 40:05d}"))
    distinct = len({bc.claim.norm for bc in synth})
    toks: dict[str, int] = {}
    for bc in synth:
        for t in content_tokens(bc.claim.key):
            toks[t] = toks.get(t, 0) + 1
    top = sorted(toks.values(), reverse=True)
    print(
        f"  synthetic claims: {big:,} made in {time.perf_counter() - t0:.1f}s; "
        f"{distinct:,} distinct norms; "
        f"{len(toks):,} distinct index tokens (commonest in {top[0] / big:.0%} of claims, "
        f"median document frequency {statistics.median(top):.0f}, "
        f"{sum(1 for c in top if c == 1):,} hapax)"
    )
    queries_text = make_queries(random.Random(7), v, seeds, nq)
    queries = [make_claim(s, k % 20) for k, s in enumerate(queries_text)]
    chunks = [queries[i : i + 20] for i in range(0, len(queries), 20)]
    for k, chunk in enumerate(chunks):  # positions 0..19 within each "article"
        chunks[k] = [make_claim(c.text, j) for j, c in enumerate(chunk)]

    results = {}
    for size in sizes:
        claims = seed_claims + synth[: size - len(seed_claims)]
        gc.collect()
        a = time.perf_counter()
        index = BaselineIndex(claims)
        build = time.perf_counter() - a
        mem = None
        if size == big:
            del index
            gc.collect()
            rss0 = rss_kb()
            tracemalloc.start()
            index = BaselineIndex(claims)
            cur, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            mem = (cur, peak, rss_kb() - rss0)
        time_queries(index, queries[:200], chunks[:10], 1)  # warm caches
        r = time_queries(index, queries, chunks, repeats)
        r["build"] = build
        r["mem"] = mem
        results[size] = r
        print(
            f"  {size:>7,} claims: build {build:6.2f}s | "
            f"diff_claims {1e6 * r['diff']:7.1f} us/query | "
            f"candidates {1e6 * r['cand']:7.1f} us/query | "
            f"posting entries read {r['visited']:.0f}, "
            f"scored {r['scored']:.1f}/query"
        )
        print("      changes: " + ", ".join(f"{k}={c}" for k, c in sorted(r["kinds"].items())))
        if mem:
            print(
                f"      index memory ({size:,}): tracemalloc {mem[0] / 2**20:.1f} MiB retained "
                f"(peak {mem[1] / 2**20:.1f} MiB), RSS delta {mem[2] / 1024:.1f} MiB "
                f"(claims themselves excluded)"
            )
        del index
    lo, hi = results[sizes[0]], results[sizes[1]]
    rd = hi["diff"] / lo["diff"]
    rc = hi["cand"] / lo["cand"]
    print(f"  ratio {sizes[1] // 1000}k/1k: diff_claims {rd:.2f}x, candidates {rc:.2f}x")
    ok = rd < TARGET_RATIO and rc < TARGET_RATIO
    if args.profile or not ok:
        index = BaselineIndex(seed_claims + synth[: big - len(seed_claims)])
        print(f"  cProfile of diff_claims over the queries, {big:,}-claim index:")
        print(_indent(profile_top(lambda: [diff_claims(None, c, index, now=NOW) for c in chunks])))
    return {"rd": rd, "rc": rc, "ok": ok, "big": big}


# --------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="short run: 40 articles, 1k/20k baselines")
    ap.add_argument("--articles", type=int, default=200, help="articles in part 1 (default 200)")
    ap.add_argument("--profile", action="store_true", help="print cProfile tables even on PASS")
    ap.add_argument("--skip-articles", action="store_true")
    ap.add_argument("--skip-baseline", action="store_true")
    args = ap.parse_args(argv)

    print(f"python {sys.version.split()[0]}; mode {'quick' if args.quick else 'full'}")
    v = Vocab(random.Random(3), extra_names=12000)
    seeds = seed_sentences()
    seed_claims = seed_baseline_claims()
    print(
        f"seed baseline: {len(seed_claims)} claims from {len(list(SEEDS.glob('*.txt')))} files; "
        f"{len(seeds)} seed sentences for generation\n"
    )
    r1 = None if args.skip_articles else part1(args, v, seeds, seed_claims)
    r2 = None if args.skip_baseline else part2(args, v, seeds, seed_claims)

    print("\n== Summary ==")
    if r1:
        print(
            f"  [{'PASS' if r1['ok'] else 'FAIL'}] throughput {r1['rate']:.1f} articles/s "
            f"(target >= {TARGET_ARTICLES_PER_S:.0f})"
        )
    if r2:
        label = f"{r2['big'] // 1000}k/1k"
        print(
            f"  [{'PASS' if r2['ok'] else 'FAIL'}] baseline scaling {label}: "
            f"diff_claims {r2['rd']:.2f}x, "
            f"candidates {r2['rc']:.2f}x (target < {TARGET_RATIO:.1f}x)"
        )
        if args.quick:
            print(
                "  (quick mode uses a 20k baseline, not 100k; "
                "run without --quick for the real figure)"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
