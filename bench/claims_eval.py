#!/usr/bin/env python3
"""Labelled claim-change evaluation, written independently of the engine.

Cases live in ``bench/claims_cases/*.toml``; page layouts in ``bench/layouts/``.
Each case is rendered into its layout (v1 and v2 get *different* boilerplate,
derived deterministically from the case id, so layout churn is always present),
run through the pipeline (extract -> split_claims -> diff_claims against a baseline
built from ``seeds/``), and the emitted changes are compared with the expected ones.

Usage::

    .venv/bin/python bench/claims_eval.py                 # full run, summary table
    .venv/bin/python bench/claims_eval.py --verbose       # + every FP / FN with case id
    .venv/bin/python bench/claims_eval.py --cases 'news-*'
    .venv/bin/python bench/claims_eval.py --self-check    # validate cases only (no engine import)
    .venv/bin/python bench/claims_eval.py --render ID [--version v1|v2]  # print rendered HTML
    .venv/bin/python bench/claims_eval.py --dir bench/claims_holdout     # another case folder

Case format (TOML)::

    id = "news-number-prisoners"      # must equal the file name stem
    layout = "newspaper"              # blog | newspaper | plain | index (bench/layouts/)
    title = "..."
    note = "..."                      # optional free text, ignored
    v1 = '''para one\n\npara two'''   # optional; omitted = first-sight case (baseline only)
    v2 = '''...'''
    [[expected]]                      # zero or more; none = no-change case
    type = "updated_claim"            # new_claim | updated_claim |
                                      # contradicted_claim | retracted_claim
    phrase = "3,000 prisoners"

Body text: paragraphs are separated by blank lines; a paragraph starting with
``## `` is rendered as a sub-heading.  For the ``index`` layout every paragraph is
one story card: first line = headline, remaining lines = teaser.

Layouts: ``<name>.html`` is a ``string.Template``; optional fragments
``<name>.promo.html`` (inserted after every 3rd body paragraph) and
``<name>.item.html`` (index cards).

Matching: an emitted change matches an expected one when the types are equal and
the expected phrase (case-insensitive, whitespace/quote/dash-normalised) occurs in
the emitted ``claim`` or ``previous_claim``; each expected matches at most one
emitted change and vice versa.

Exit status: 0 (whatever the scores), 2 if a case file is malformed,
1 if the engine cannot be imported (nothing to evaluate).
"""

from __future__ import annotations

import argparse
import fnmatch
import hashlib
import html
import json
import random
import re
import string
import sys
import tomllib
import traceback
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
CASES_DIR = BENCH / "claims_cases"
LAYOUTS_DIR = BENCH / "layouts"
SEEDS_DIR = ROOT / "seeds"

TYPES = ("new_claim", "updated_claim", "contradicted_claim", "retracted_claim")
CASE_KEYS = {"id", "layout", "title", "note", "v1", "v2", "expected"}
REQUIRED_CASE_KEYS = {"id", "layout", "title", "v2"}
EXPECTED_KEYS = {"type", "phrase"}
ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
NOW = datetime(2024, 12, 20, 12, 0, tzinfo=UTC)


class CaseError(Exception):
    pass


# --------------------------------------------------------------------------- normalisation

_QUOTES = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "`": "'",
        "\u00b4": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2015": "-",
        "\u2212": "-",
        "\u00a0": " ",
        "\u202f": " ",
        "\u2009": " ",
        "\u200b": "",
    }
)


def norm(s: str) -> str:
    s = s.translate(_QUOTES).casefold()
    return re.sub(r"\s+", " ", s).strip()


# --------------------------------------------------------------------------- cases


@dataclass
class Expected:
    type: str
    phrase: str


@dataclass
class Case:
    id: str
    layout: str
    title: str
    v1: str | None
    v2: str
    expected: list[Expected] = field(default_factory=list)
    path: Path = field(default_factory=Path)


def available_layouts() -> set[str]:
    return {p.stem for p in LAYOUTS_DIR.glob("*.html") if "." not in p.stem}


def _str(path: Path, data: dict, key: str) -> str:
    v = data[key]
    if not isinstance(v, str):
        raise CaseError(f"{path.name}: key {key!r} must be a string, got {type(v).__name__}")
    if not v.strip():
        raise CaseError(f"{path.name}: key {key!r} must not be empty")
    return v


def load_case(path: Path, layouts: set[str]) -> Case:
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise CaseError(f"{path.name}: invalid TOML: {exc}") from exc
    unknown = set(data) - CASE_KEYS
    if unknown:
        raise CaseError(
            f"{path.name}: unknown key(s) {sorted(unknown)}; allowed: {sorted(CASE_KEYS)}"
        )
    missing = REQUIRED_CASE_KEYS - set(data)
    if missing:
        raise CaseError(f"{path.name}: missing required key(s) {sorted(missing)}")
    cid = _str(path, data, "id")
    if not ID_RE.match(cid):
        raise CaseError(f"{path.name}: key 'id' {cid!r} must match {ID_RE.pattern}")
    if cid != path.stem:
        raise CaseError(
            f"{path.name}: key 'id' {cid!r} must equal the file name stem {path.stem!r}"
        )
    layout = _str(path, data, "layout")
    if layout not in layouts:
        raise CaseError(f"{path.name}: key 'layout' {layout!r} unknown; known: {sorted(layouts)}")
    title = _str(path, data, "title")
    if "note" in data:
        _str(path, data, "note")
    v1 = _str(path, data, "v1") if "v1" in data else None
    v2 = _str(path, data, "v2")
    raw_expected = data.get("expected", [])
    if not isinstance(raw_expected, list):
        raise CaseError(f"{path.name}: key 'expected' must be an array of tables ([[expected]])")
    expected: list[Expected] = []
    for i, item in enumerate(raw_expected):
        where = f"{path.name}: expected[{i}]"
        if not isinstance(item, dict):
            raise CaseError(f"{where} must be a table")
        unknown = set(item) - EXPECTED_KEYS
        if unknown:
            raise CaseError(
                f"{where}: unknown key(s) {sorted(unknown)}; allowed: {sorted(EXPECTED_KEYS)}"
            )
        for k in EXPECTED_KEYS:
            if k not in item:
                raise CaseError(f"{where}: missing key {k!r}")
            if not isinstance(item[k], str) or not item[k].strip():
                raise CaseError(f"{where}: key {k!r} must be a non-empty string")
        etype, phrase = item["type"], item["phrase"]
        if etype not in TYPES:
            raise CaseError(f"{where}: key 'type' {etype!r} unknown; known: {list(TYPES)}")
        # the phrase must be traceable to the text it is supposed to come from
        in_v1 = v1 is not None and norm(phrase) in norm(v1)
        in_v2 = norm(phrase) in norm(v2)
        if etype == "retracted_claim":
            if v1 is None:
                raise CaseError(f"{where}: retracted_claim needs a v1 (first-sight case has none)")
            if not in_v1:
                raise CaseError(f"{where}: key 'phrase' {phrase!r} not found in v1")
            if in_v2:
                raise CaseError(f"{where}: retracted phrase {phrase!r} is still present in v2")
        elif etype == "new_claim":
            if not in_v2:
                raise CaseError(f"{where}: key 'phrase' {phrase!r} not found in v2")
            if in_v1:
                raise CaseError(f"{where}: new phrase {phrase!r} is already present in v1")
        elif not (in_v1 or in_v2):
            raise CaseError(f"{where}: key 'phrase' {phrase!r} found in neither v1 nor v2")
        expected.append(Expected(etype, phrase))
    if layout == "index" and expected:
        raise CaseError(f"{path.name}: an 'index' (listing page) case must expect no change")
    return Case(cid, layout, title, v1, v2, expected, path)


def load_cases(pattern: str | None = None, cases_dir: Path | None = None) -> list[Case]:
    layouts = available_layouts()
    cases_dir = CASES_DIR if cases_dir is None else cases_dir
    paths = sorted(cases_dir.glob("*.toml"))
    if not paths:
        raise CaseError(f"no case files in {cases_dir}")
    cases = [load_case(p, layouts) for p in paths]
    if pattern:
        cases = [
            c
            for c in cases
            if fnmatch.fnmatch(c.id, pattern) or fnmatch.fnmatch(c.path.name, pattern)
        ]
    return cases


# --------------------------------------------------------------------------- rendering

# Boilerplate pools. Headlines are deliberately claim-like sentences about the same story.
HEADLINES = [
    "Russia confirms asylum for Assad family",
    "Kremlin denies granting asylum to Assad and his relatives",
    "Assad's plane was shot down over Homs, rebel commander says",
    "Jalali hands over ministries to HTS-backed caretaker government",
    "Rebels free thousands from Sednaya prison as families search for the missing",
    "Assad flew to the UAE before travelling on to Moscow, sources say",
    "Russia begins pulling warships out of Tartus naval base",
    "HTS leader al-Sharaa promises elections within four years",
    "Israel strikes hundreds of Syrian army sites after Assad's fall",
    "Putin has not met Assad since his arrival in Moscow, Peskov says",
    "Iran says it was not informed of Assad's departure in advance",
    "Asma al-Assad files for divorce and seeks to leave Russia, Turkish media report",
    "Assad's brother Maher fled to Iraq by helicopter",
    "Syrian pound rallies as central bank reopens in Damascus",
    "Turkey says it had no role in the rebel offensive on Aleppo",
    "Hmeimim airbase evacuated as Russian convoy heads for the coast",
    "Assad moved $250m in cash to Moscow by air, report says",
    "UN envoy Pedersen arrives in Damascus for talks with the new authorities",
    "Assad was never granted asylum, Russian foreign ministry insists",
    "Biden calls Assad's fall a fundamental act of justice",
    "Syrian prime minister Jalali says he left Damascus for Latakia",
    "Rebels seized Damascus on December 7, a day earlier than reported",
    "Hezbollah fighters withdraw from Qusayr as Syrian army collapses",
    "Kremlin: Assad is alive and living in Moscow with his family",
]
CAPTIONS = [
    "Syrians celebrate in Umayyad Square in Damascus on Sunday.",
    "A toppled statue of Hafez al-Assad lies in the street in Hama.",
    "Rebel fighters stand guard outside the presidential palace.",
    "A portrait of Bashar al-Assad is torn down in Aleppo.",
    "Crowds gather outside Sednaya prison north of Damascus.",
    "Russian aircraft seen at Hmeimim airbase in Latakia province.",
]
CREDITS = ["Photo: AFP", "Photo: Reuters", "Photo: AP", "Photo: Getty Images", "Photo: Anadolu"]
COMMENTS = [
    "He took billions with him, no surprise Moscow welcomed him.",
    "I heard he is actually in Tehran, not Moscow. Wait and see.",
    "Finally. My cousin was released from Sednaya yesterday.",
    "The Russians will keep their bases, mark my words.",
    "This article is out of date, the PM already left Damascus.",
    "Nobody has confirmed anything, it is all rumours.",
    "Assad was dead before the plane even landed, they are hiding it.",
]
NAMES = ["Omar K.", "Lina", "Daniel Ross", "sam_h", "Rima Haddad", "Peter", "Nour", "M. Saleh"]
TICKERS = [
    "Assad reportedly in Moscow",
    "Sednaya prison opened",
    "HTS names caretaker PM",
    "Russian bases on alert",
    "EU weighs sanctions relief",
    "Oil prices jump on Syria news",
]
NEWSLETTER = [
    "Make sense of the week's news in five minutes.",
    "The stories that matter, before your first coffee.",
    "Smart analysis of the Middle East, every weekday.",
]
FOOTERS = [
    "Registered in England and Wales.",
    "All rights reserved.",
    "Part of the Meridian Media Group.",
]
AGES = [
    "5 minutes ago",
    "12 minutes ago",
    "38 minutes ago",
    "1 hour ago",
    "2 hours ago",
    "3 hours ago",
    "5 hours ago",
    "yesterday",
    "2 days ago",
]


class Churn:
    """Deterministic boilerplate values for (case id, version)."""

    def __init__(self, case_id: str, version: str):
        seed = int.from_bytes(hashlib.sha256(f"{case_id}|{version}".encode()).digest()[:8], "big")
        self.rng = random.Random(seed)
        # numbers that always move forward between v1 and v2
        base = int.from_bytes(hashlib.sha256(case_id.encode()).digest()[:4], "big")
        step = 1 if version == "v1" else 2
        self.vno = step
        self.base = base

    def pick(self, pool: list[str], k: int = 1) -> list[str]:
        return self.rng.sample(pool, k)

    def values(self) -> dict[str, str]:
        r, b, v = self.rng, self.base, self.vno
        hl = self.pick(HEADLINES, 13)
        hours = (b % 5) + (1 if v == 1 else 4)
        minutes = (b % 50) + (3 if v == 1 else 27)
        vals = {
            "updated_text": (
                f"Updated {hours} hour{'s' if hours != 1 else ''} ago"
                if v == 2 or b % 2
                else f"Updated {minutes} min ago"
            ),
            "modified_iso": f"2024-12-{9 + v:02d}T{(b % 12) + 2 * v:02d}:{minutes % 60:02d}:00Z",
            "read_time": f"{(b % 4) + v} min read",
            "comment_count": str((b % 90) + 7 * v + r.randint(0, 5)),
            "visitor_count": str((b % 40000) + 15000 * v + r.randint(0, 999)),
            "share_count": str((b % 700) + 150 * v),
            "subscriber_count": f"{(b % 80) + 120 + v * 3},{r.randint(100, 999)}",
            "author_stat": f"{(b % 300) + 400 + v} articles published.",
            "nonce": hashlib.md5(f"{b}{v}".encode()).hexdigest()[:10],
            "post_id": str(10000 + b % 5000),
            "image_id": f"syr{b % 997}-{v}",
            "ad_top": f"div-gpt-ad-{r.randint(10**6, 10**7)}-0",
            "ad_side": f"div-gpt-ad-{r.randint(10**6, 10**7)}-1",
            "ticker": self.pick(TICKERS)[0],
            "breaking": hl[12],
            "caption": self.pick(CAPTIONS)[0],
            "photo_credit": self.pick(CREDITS)[0],
            "newsletter_pitch": self.pick(NEWSLETTER)[0],
            "footer_note": self.pick(FOOTERS)[0],
        }
        for i in range(3):
            vals[f"related_{i + 1}"] = hl[i]
            vals[f"rel{i + 1}_slug"] = _slug(hl[i])
            vals[f"related_{i + 1}_age"] = self.pick(AGES)[0]
        for i in range(2):
            vals[f"more_{i + 1}"] = hl[3 + i]
        for i in range(5):
            vals[f"most_read_{i + 1}"] = hl[5 + i]
        self.promos = hl[10:12] + self.pick(HEADLINES, 4)
        c = self.pick(COMMENTS, 2)
        n = self.pick(NAMES, 2)
        for i in range(2):
            vals[f"comment_{i + 1}"] = c[i]
            vals[f"commenter_{i + 1}"] = n[i]
            vals[f"comment_{i + 1}_age"] = self.pick(AGES)[0]
        return vals


def _slug(s: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", s.lower()).strip("-")[:60]


def _esc(s: str) -> str:
    return html.escape(s, quote=False)


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]


def _template(name: str) -> string.Template | None:
    p = LAYOUTS_DIR / f"{name}.html"
    return string.Template(p.read_text(encoding="utf-8")) if p.exists() else None


def render(case: Case, version: str) -> str:
    text = case.v1 if version == "v1" else case.v2
    assert text is not None
    churn = Churn(case.id, version)
    vals = churn.values()
    # escape boilerplate values except the ones that are raw (ids/numbers)
    vals = {k: _esc(v) for k, v in vals.items()}
    main = _template(case.layout)
    assert main is not None
    promo = _template(f"{case.layout}.promo")
    item = _template(f"{case.layout}.item")
    parts: list[str] = []
    paras = _paragraphs(text)
    for i, para in enumerate(paras):
        if item is not None:
            head, _, teaser = para.partition("\n")
            parts.append(
                item.substitute(
                    item_slug=_slug(head),
                    item_headline=_esc(head.strip()),
                    item_teaser=_esc(" ".join(teaser.split())),
                    item_age=AGES[(i + churn.vno) % len(AGES)],
                )
            )
            continue
        if para.startswith("## "):
            parts.append(f"<h2>{_esc(para[3:].strip())}</h2>")
        else:
            parts.append(f"<p>{_esc(para)}</p>")
        if promo is not None and (i + 1) % 3 == 0 and i + 1 < len(paras):
            h = churn.promos[(i // 3) % len(churn.promos)]
            parts.append(
                promo.substitute(
                    promo_slug=_slug(h),
                    promo_headline=_esc(h),
                    promo_ad=f"ad-inline-{i}-{churn.vno}",
                )
            )
    vals["body"] = "\n".join(parts)
    vals["title_html"] = _esc(case.title)
    vals["title_json"] = json.dumps(case.title)
    return main.substitute(vals)


# --------------------------------------------------------------------------- pipeline

_BASELINE = None


def _baseline():
    global _BASELINE
    if _BASELINE is None:
        from monitor.baseline import BaselineIndex
        from monitor.claims import split_claims
        from monitor.extract import extract_file
        from monitor.models import BaselineClaim

        items: list = []
        for seed in sorted(SEEDS_DIR.glob("*.txt")):
            doc = extract_file(seed)
            items.extend(BaselineClaim(claim=c, source=seed.name) for c in split_claims(doc.text))
        _BASELINE = BaselineIndex(items)
    return _BASELINE


def run_pipeline(v1_html: str | None, v2_html: str) -> list[dict]:
    """The only place that talks to the engine. Returns dicts: type, claim, previous_claim."""
    from monitor.claims import split_claims
    from monitor.diff import diff_claims
    from monitor.extract import extract_html

    baseline = _baseline()
    previous = split_claims(extract_html(v1_html).text) if v1_html is not None else None
    current = split_claims(extract_html(v2_html).text)
    changes = diff_claims(previous, current, baseline, now=NOW)
    out = []
    for ch in changes:
        t = getattr(ch.type, "value", ch.type)
        out.append({"type": str(t), "claim": ch.claim or "", "previous_claim": ch.previous_claim})
    return out


# --------------------------------------------------------------------------- scoring


def match(
    expected: list[Expected], emitted: list[dict]
) -> tuple[list[tuple[Expected, dict]], list[Expected], list[dict]]:
    """Maximum bipartite matching (tiny sizes, simple augmenting paths)."""

    def ok(e: Expected, m: dict) -> bool:
        if m["type"] != e.type:
            return False
        p = norm(e.phrase)
        return p in norm(m.get("claim") or "") or p in norm(m.get("previous_claim") or "")

    adj = [[j for j, m in enumerate(emitted) if ok(e, m)] for e in expected]
    owner: dict[int, int] = {}

    def augment(i: int, seen: set[int]) -> bool:
        for j in adj[i]:
            if j in seen:
                continue
            seen.add(j)
            if j not in owner or augment(owner[j], seen):
                owner[j] = i
                return True
        return False

    for i in range(len(expected)):
        augment(i, set())
    pairs = [(expected[i], emitted[j]) for j, i in owner.items()]
    matched_e = set(owner.values())
    fn = [e for i, e in enumerate(expected) if i not in matched_e]
    fp = [m for j, m in enumerate(emitted) if j not in owner]
    return pairs, fn, fp


def _fmt(x: float | None) -> str:
    return "   -  " if x is None else f"{x:6.3f}"


def report(cases: list[Case], verbose: bool) -> None:
    tp: Counter = Counter()
    fp: Counter = Counter()
    fn: Counter = Counter()
    by_layout: dict[str, Counter] = defaultdict(Counter)
    fp_list: list[tuple[str, dict]] = []
    fn_list: list[tuple[str, Expected]] = []
    errors: list[tuple[str, str]] = []
    nochange_total = nochange_clean = 0
    change_total = change_exact = 0
    for case in cases:
        try:
            v1 = render(case, "v1") if case.v1 is not None else None
            v2 = render(case, "v2")
            emitted = run_pipeline(v1, v2)
        except Exception:
            errors.append((case.id, traceback.format_exc(limit=3)))
            emitted = []
        pairs, fns, fps = match(case.expected, emitted)
        for e, _ in pairs:
            tp[e.type] += 1
            by_layout[case.layout]["tp"] += 1
        for e in fns:
            fn[e.type] += 1
            by_layout[case.layout]["fn"] += 1
            fn_list.append((case.id, e))
        for m in fps:
            fp[m["type"]] += 1
            by_layout[case.layout]["fp"] += 1
            fp_list.append((case.id, m))
        if case.expected:
            change_total += 1
            change_exact += not fns and not fps
        else:
            nochange_total += 1
            nochange_clean += not fps

    def row(label: str, t: int, f_p: int, f_n: int) -> str:
        p = t / (t + f_p) if t + f_p else None
        r = t / (t + f_n) if t + f_n else None
        f1 = 2 * p * r / (p + r) if p and r else (0.0 if p is not None and r is not None else None)
        return f"{label:<20} {t:>5} {f_p:>5} {f_n:>5}  {_fmt(p)}  {_fmt(r)}  {_fmt(f1)}"

    print(f"cases: {len(cases)}  (no-change {nochange_total}, with changes {change_total})")
    print(f"{'type':<20} {'TP':>5} {'FP':>5} {'FN':>5}  {'prec':>6}  {'recall':>6}  {'F1':>6}")
    print("-" * 64)
    for t in TYPES:
        print(row(t, tp[t], fp[t], fn[t]))
    others = sorted(set(fp) - set(TYPES))
    for t in others:
        print(row(t + " (?)", 0, fp[t], 0))
    print("-" * 64)
    print(row("overall", sum(tp.values()), sum(fp.values()), sum(fn.values())))
    print()
    print("by layout:")
    for lay in sorted(by_layout):
        c = by_layout[lay]
        print(row(f"  {lay}", c["tp"], c["fp"], c["fn"]))
    print()
    print(f"no-change cases silent:        {nochange_clean}/{nochange_total}")
    print(f"change cases exactly right:    {change_exact}/{change_total}")
    if errors:
        print(f"engine errors:                 {len(errors)} case(s)")
    if verbose:
        if fn_list:
            print("\nFALSE NEGATIVES (expected, not emitted):")
            for cid, e in fn_list:
                print(f"  [{cid}] {e.type}: {e.phrase!r}")
        if fp_list:
            print("\nFALSE POSITIVES (emitted, not expected):")
            for cid, m in fp_list:
                line = f"  [{cid}] {m['type']}: {m['claim']!r}"
                if m.get("previous_claim"):
                    line += f"\n      previous: {m['previous_claim']!r}"
                print(line)
        if errors:
            print("\nENGINE ERRORS:")
            for cid, tb in errors:
                print(f"  [{cid}]\n" + "\n".join("      " + ln for ln in tb.rstrip().splitlines()))


def self_check(cases: list[Case]) -> None:
    by_layout = Counter(c.layout for c in cases)
    by_type = Counter(e.type for c in cases for e in c.expected)
    nochange = sum(1 for c in cases if not c.expected)
    first_sight = sum(1 for c in cases if c.v1 is None)
    # rendering must work and must actually differ between v1 and v2
    for c in cases:
        v2 = render(c, "v2")
        if c.v1 is not None and render(c, "v1") == v2:
            raise CaseError(f"{c.path.name}: v1 and v2 render identically (no churn)")
    print(f"OK: {len(cases)} case(s) valid")
    print("by layout:  " + ", ".join(f"{k}={v}" for k, v in sorted(by_layout.items())))
    print("by type:    " + ", ".join(f"{t}={by_type[t]}" for t in TYPES))
    print(
        f"no-change cases: {nochange}   change cases: {len(cases) - nochange}"
        f"   first-sight: {first_sight}"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--cases", metavar="GLOB", help="only cases whose id (or file name) matches GLOB"
    )
    ap.add_argument(
        "--verbose", "-v", action="store_true", help="list every FP and FN with case id"
    )
    ap.add_argument(
        "--self-check", action="store_true", help="validate cases only; do not import the engine"
    )
    ap.add_argument("--render", metavar="ID", help="print the rendered HTML of one case and exit")
    ap.add_argument("--version", choices=("v1", "v2"), default="v2", help="version for --render")
    ap.add_argument(
        "--dir",
        metavar="PATH",
        type=Path,
        default=CASES_DIR,
        help="folder of case files (default: bench/claims_cases)",
    )
    args = ap.parse_args(argv)
    try:
        cases = load_cases(args.cases, args.dir)
        if args.render:
            case = next((c for c in cases if c.id == args.render), None)
            if case is None:
                raise CaseError(f"no case with id {args.render!r}")
            if args.version == "v1" and case.v1 is None:
                raise CaseError(f"{case.path.name}: no v1 (first-sight case)")
            print(render(case, args.version))
            return 0
        if args.self_check:
            self_check(cases)
            return 0
    except CaseError as exc:
        print(f"malformed case: {exc}", file=sys.stderr)
        return 2
    if not cases:
        print("no cases match", file=sys.stderr)
        return 0
    sys.path.insert(0, str(ROOT))
    try:
        import monitor.baseline
        import monitor.claims
        import monitor.diff
        import monitor.extract  # noqa: F401
    except ImportError as exc:
        print(
            f"engine not importable ({exc}); run with --self-check to validate cases only",
            file=sys.stderr,
        )
        return 1
    report(cases, args.verbose)
    return 0


if __name__ == "__main__":
    sys.exit(main())
