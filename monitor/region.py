"""The article's region of a page: what lets a re-check skip extraction after layout churn.

A news page's bytes change on almost every fetch (counters, "most read" lists, ad slots,
tokens), while its article does not. Full extraction costs a few milliseconds per page;
this module lets a check see in about one that the article cannot have changed.

After a full extraction, `locate(html, text)` finds the smallest element that holds the
extracted text's first and last paragraphs (the article's container) and returns its
`Region`: where it is in the tree (element child indexes from the root) and a digest of
all the text inside it, whitespace folded. `unchanged(html, region)` parses a new fetch
of the page and tells whether the element at that place has exactly that text.

What the promise rests on: extraction takes the article from its container, so a page
whose container holds the very same text gives the same article. Anything inside the
container that changes (a new paragraph, even after the last one; an edited word; a
changed caption or inline box) changes the digest, and the page is extracted again. A
container that moved, or a page where no container narrower than <body> holds the whole
article, gives no skip at all: those pages are always extracted.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from itertools import islice

from lxml import etree
from lxml import html as lxml_html

__all__ = ["Region", "locate", "unchanged"]

_PREFIX = 24  # characters of a paragraph's start that find the element it begins in
_WIDE = frozenset({"html", "body"})  # a container this wide changes with every layout churn


@dataclass(frozen=True)
class Region:
    """An element of a page, by position, and the digest of its text."""

    path: tuple[int, ...]
    digest: str

    def encode(self) -> str:
        """"i/j/k#digest", as stored with the source's state."""
        return "/".join(map(str, self.path)) + "#" + self.digest

    @classmethod
    def decode(cls, value: str) -> Region | None:
        """The Region `encode` gave, or None for anything else."""
        path, sep, digest = value.partition("#")
        try:
            steps = tuple(int(step) for step in path.split("/")) if path else ()
        except ValueError:
            return None
        if not sep or not digest or any(step < 0 for step in steps):
            return None
        return cls(steps, digest)


def locate(html: str, text: str) -> str | None:
    """The region of the article `text` (what extraction gave for `html`), encoded for the
    store: the smallest element holding the starts of its first and last lines, provided
    that every line starts inside it; None when there is no such element narrower than
    <body>, or the page cannot be parsed."""
    lines = [line for line in text.splitlines() if line.strip()]
    root = _parse(html)
    if root is None or not lines:
        return None
    first = _element_starting(root, lines[0])
    last = _element_starting(root, lines[-1])
    if first is None or last is None:
        return None
    container = _common_ancestor(first, last)
    if container is None or container.tag in _WIDE:
        return None
    inside = _norm(container.text_content())
    # every paragraph must start inside: one outside could change unseen
    if not all(_start(line) in inside for line in lines):
        return None
    return Region(_path(container), _digest(inside)).encode()


def unchanged(html: str, encoded: str) -> bool:
    """Whether the element at the place of region `encoded` (what `locate` gave) holds
    exactly the region's text in `html`. False for a value that is not a region."""
    region = Region.decode(encoded)
    root = _parse(html) if region is not None else None
    if region is None or root is None:
        return False
    element = root
    for step in region.path:
        children = _children(element)
        if step >= len(children):
            return False
        element = children[step]
    return element.tag not in _WIDE and _digest(_norm(element.text_content())) == region.digest


def _parse(html: str) -> lxml_html.HtmlElement | None:
    if not html.strip():
        return None
    try:
        root = lxml_html.document_fromstring(html)
    except (etree.ParserError, ValueError):  # an empty or undecodable document
        return None
    return root if isinstance(root, lxml_html.HtmlElement) else None


def _norm(text: str) -> str:
    return " ".join(text.split())


def _start(line: str) -> str:
    """The start of an extracted line as the page has it (a list item without its "- ")."""
    line = _norm(line)
    return (line[2:] if line.startswith(("- ", "* ")) else line)[:_PREFIX]


def _children(element: lxml_html.HtmlElement) -> list[lxml_html.HtmlElement]:
    """The element children (no comments or processing instructions): a path counts only
    elements, so a comment added by a CMS does not move the article."""
    return [child for child in element if isinstance(child.tag, str)]


def _element_starting(root: lxml_html.HtmlElement, line: str) -> lxml_html.HtmlElement | None:
    """The first element of the body whose text begins with `line`'s start: the element
    whose own leading text does, or, when that text is a shorter start (an inline element:
    "<p><b>Moscow</b> - Assad ..."), the nearest of its three closest ancestors whose whole
    text does."""
    want = _start(line)
    if len(want) < 3:
        return None
    body = root.find("body")
    for element in (body if body is not None else root).iter():
        if not isinstance(element.tag, str) or element.tag in ("script", "style"):
            continue
        own = _norm(element.text or "")
        if not own:
            continue
        if own.startswith(want):
            return element
        if want.startswith(own):
            for candidate in (element, *islice(element.iterancestors(), 3)):
                if _norm(candidate.text_content()).startswith(want):
                    return candidate
    return None


def _common_ancestor(a: lxml_html.HtmlElement,
                     b: lxml_html.HtmlElement) -> lxml_html.HtmlElement | None:
    above = {id(e): e for e in (a, *a.iterancestors())}
    for element in (b, *b.iterancestors()):
        if id(element) in above:
            return element
    return None


def _path(element: lxml_html.HtmlElement) -> tuple[int, ...]:
    steps: list[int] = []
    while (parent := element.getparent()) is not None:
        steps.append(_children(parent).index(element))
        element = parent
    return tuple(reversed(steps))


def _digest(text: str) -> str:
    """The digest of an element's text, whitespace folded (`_norm`)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]
