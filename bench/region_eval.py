"""How often monitor.region lets a re-check skip extraction, and whether it ever hides an edit.

    .venv/bin/python bench/region_eval.py [--data ../shared/data/article-extraction]

For every real news page of the extraction data set (91 pages, gzipped HTML), the page is
parsed and written back once (lxml), extracted, and its article region located. Then each
page with a region gets three variants, each written back the same way:

  churn    the text of every link outside the article's region is changed (menus, "most
           read", footers): the region should still match, so extraction is skipped;
  edit     one word of the article's middle paragraph is changed: must never match;
  append   a new paragraph is added at the end of the region: must never match.

Printed: pages with a region, churned pages skipped, and edits or appends a skip would have
hidden (the safety figure: it must be 0), with the time a region check takes against a full
extraction.
"""

from __future__ import annotations

import argparse
import copy
import gzip
import time
from pathlib import Path

from lxml import html as lxml_html

from monitor.extract import extract_html
from monitor.region import Region, locate, unchanged

HERE = Path(__file__).resolve().parent
DATA = HERE.parent.parent / "shared" / "data" / "article-extraction"


def _element_at(root: lxml_html.HtmlElement, path: tuple[int, ...]) -> lxml_html.HtmlElement:
    element = root
    for step in path:
        element = [c for c in element if isinstance(c.tag, str)][step]
    return element


def _write(root: lxml_html.HtmlElement) -> str:
    return lxml_html.tostring(root, encoding="unicode")


def variants(html: str, region: Region) -> dict[str, str]:
    """The churned, edited and appended versions of page `html` (already written back)."""
    out = {}
    root = lxml_html.document_fromstring(html)
    container = _element_at(root, region.path)
    kept = list(container.iter())  # alive, so that their ids stay theirs (lxml proxies)
    inside = {id(e) for e in kept}
    churned = copy.deepcopy(root)
    for link, original in zip(churned.iter("a"), root.iter("a"), strict=True):
        if id(original) not in inside and (link.text or "").strip():
            link.text = link.text + " (updated)"
    out["churn"] = _write(churned)
    edited = copy.deepcopy(root)
    box = _element_at(edited, region.path)
    texts = [e for e in box.iter() if isinstance(e.tag, str) and len((e.text or "").split()) > 5]
    if texts:
        target = texts[len(texts) // 2]
        words = (target.text or "").split()
        words[len(words) // 2] = words[len(words) // 2] + "x"
        target.text = " ".join(words)
        out["edit"] = _write(edited)
    appended = copy.deepcopy(root)
    paragraph = lxml_html.fragment_fromstring("<p>The ministry later denied the report.</p>")
    _element_at(appended, region.path).append(paragraph)
    out["append"] = _write(appended)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA, help="the extraction data set")
    args = parser.parse_args(argv)
    pages = sorted((args.data / "html").glob("*.html.gz"))
    if not pages:
        raise SystemExit(f"no pages under {args.data / 'html'}")
    located = skipped = hidden = tried = 0
    t_check = t_extract = 0.0
    for path in pages:
        html = _write(lxml_html.document_fromstring(gzip.decompress(path.read_bytes())))
        started = time.perf_counter()
        text = extract_html(html).text
        t_extract += time.perf_counter() - started
        encoded = locate(html, text)
        region = Region.decode(encoded) if encoded else None
        if region is None:
            continue
        located += 1
        for kind, variant in variants(html, region).items():
            started = time.perf_counter()
            same = unchanged(variant, encoded or "")
            t_check += time.perf_counter() - started
            if kind == "churn":
                skipped += same
            else:
                tried += 1
                hidden += same
                if same:
                    print(f"  HIDDEN {kind}: {path.name}")
    n = len(pages)
    print(f"pages: {n}; with an article region: {located} ({located / n:.0%})")
    print(f"link churn outside the region: {skipped}/{located} skipped extraction")
    print(f"article edits and appended paragraphs a skip would hide: {hidden}/{tried} (want 0)")
    print(f"region check {t_check / (located * 3) * 1000:.2f} ms per page, "
          f"full extraction {t_extract / n * 1000:.2f} ms per page")
    return 1 if hidden else 0


if __name__ == "__main__":
    raise SystemExit(main())
