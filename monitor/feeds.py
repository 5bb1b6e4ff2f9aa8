"""Parse RSS 0.9x/1.0/2.0, Atom and JSON Feed documents into the articles they link to."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlparse

import feedparser

from .errors import ExtractError


@dataclass(frozen=True)
class FeedEntry:
    """One feed entry: its stable id (GUID, else link), the article link and a short slug."""

    guid: str
    link: str
    title: str | None
    slug: str


def parse_feed(text: str, *, url: str) -> list[FeedEntry]:
    """The entries of a feed that link to an http(s) article, in feed order.

    Raises ExtractError when the document is not a feed at all.
    """
    # feedparser never resolves external entities; it is given text, never a URL.
    parsed = feedparser.parse(text, resolve_relative_uris=False, sanitize_html=False)
    version = parsed.get("version") or ""
    if not version and not parsed.entries:
        reason = parsed.get("bozo_exception")
        raise ExtractError(f"{url}: not a feed ({reason or 'no RSS, Atom or JSON Feed found'})")
    entries: list[FeedEntry] = []
    seen: set[str] = set()
    for item in parsed.entries:
        link = item.get("link") or ""
        if not link:
            links = [entry.get("href") for entry in item.get("links", []) if entry.get("href")]
            link = links[0] if links else ""
        link = urljoin(url, link.strip()) if link else ""
        if urlparse(link).scheme not in ("http", "https"):
            continue
        guid = (item.get("id") or link).strip()
        if guid in seen:
            continue
        seen.add(guid)
        entries.append(FeedEntry(guid, link, item.get("title"), _slug(link, guid)))
    return entries


def _slug(link: str, guid: str) -> str:
    path = [p for p in urlparse(link).path.split("/") if p]
    tail = re.sub(r"[^A-Za-z0-9._-]+", "-", path[-1] if path else "entry")[:60].strip("-")
    digest = hashlib.sha1(guid.encode("utf-8")).hexdigest()[:6]
    return f"{tail or 'entry'}-{digest}"
