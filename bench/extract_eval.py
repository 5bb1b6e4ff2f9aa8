"""Score `monitor.extract.extract_html` against plain trafilatura on the article benchmark.

Usage: .venv/bin/python bench/extract_eval.py [--data DIR] [--limit N]

DIR holds `ground-truth.json` (id -> {articleBody, url}) and `html/<id>.html.gz`; the
default is `<repo>/../shared/data/article-extraction`. Scoring follows the Scrapinghub
article-extraction benchmark: `\\w+` tokens, 4-token shingles, per-page tp/fp/fn normalised
by their sum, precision and recall averaged over pages, F1 of the two averages.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import trafilatura

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from monitor.extract import extract_html  # noqa: E402

DEFAULT_DATA = REPO.parent / "shared" / "data" / "article-extraction"
_TOKEN = re.compile(r"\w+", re.UNICODE)


def shingles(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    """Count the n-token shingles of `text` (a text shorter than n is one shingle)."""
    tokens = _TOKEN.findall(text or "")
    grams = (tuple(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1)))
    return Counter(g for g in grams if g)


def page_scores(expected: str, extracted: str) -> tuple[float, float]:
    """Precision and recall of one page, as the benchmark computes them."""
    truth, pred = shingles(expected), shingles(extracted)
    tp = fp = fn = 0
    for key in truth.keys() | pred.keys():
        t, p = truth.get(key, 0), pred.get(key, 0)
        tp += min(t, p)
        fp += max(0, p - t)
        fn += max(0, t - p)
    total = tp + fp + fn
    if total == 0 or fp == fn == 0:
        return 1.0, 1.0
    if tp == 0:
        return 0.0, 0.0
    return tp / (tp + fp), tp / (tp + fn)


def evaluate(
    pages: list[tuple[str, str, str, str | None]], fn: Callable[[str, str | None], str]
) -> dict[str, float]:
    """Run `fn(html, url)` over (id, html, expected, url) pages; return P, R, F1, ms/page."""
    precision = recall = elapsed = 0.0
    for _page_id, html, expected, url in pages:
        start = time.perf_counter()
        extracted = fn(html, url)
        elapsed += time.perf_counter() - start
        p, r = page_scores(expected, extracted)
        precision += p
        recall += r
    count = max(1, len(pages))
    precision, recall = precision / count, recall / count
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "ms": 1000 * elapsed / count}


def load_pages(data: Path, limit: int | None) -> list[tuple[str, str, str, str | None]]:
    truth = json.loads((data / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for page_id in sorted(truth)[:limit]:
        raw = gzip.decompress((data / "html" / f"{page_id}.html.gz").read_bytes())
        entry = truth[page_id]
        pages.append(
            (
                page_id,
                raw.decode("utf-8", errors="replace"),
                entry.get("articleBody") or "",
                entry.get("url"),
            )
        )
    return pages


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="benchmark folder")
    parser.add_argument("--limit", type=int, default=None, help="score only the first N pages")
    args = parser.parse_args(argv)
    data: Path = args.data
    if not (data / "ground-truth.json").is_file() or not (data / "html").is_dir():
        print(
            f"error: benchmark data not found in {data} (need ground-truth.json and html/)",
            file=sys.stderr,
        )
        return 2
    pages = load_pages(data, args.limit)
    # warm up both (imports, lazy regex compilation) so the first page is not billed
    if pages:
        extract_html(pages[0][1], url=pages[0][3])
        trafilatura.extract(pages[0][1], url=pages[0][3])
    ours = evaluate(pages, lambda html, url: extract_html(html, url=url).text)
    base = evaluate(pages, lambda html, url: trafilatura.extract(html, url=url) or "")
    print(f"pages: {len(pages)}  data: {data}")
    print(f"{'extractor':<28}{'precision':>10}{'recall':>10}{'F1':>10}{'ms/page':>10}")
    for name, row in (("monitor extract_html", ours), ("trafilatura default", base)):
        print(
            f"{name:<28}{row['precision']:>10.4f}{row['recall']:>10.4f}{row['f1']:>10.4f}"
            f"{row['ms']:>10.1f}"
        )
    diff = {key: ours[key] - base[key] for key in ours}
    print(
        f"{'difference':<28}{diff['precision']:>+10.4f}{diff['recall']:>+10.4f}"
        f"{diff['f1']:>+10.4f}{diff['ms']:>+10.1f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
