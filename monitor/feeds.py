"""Parse RSS 0.9x/1.0/2.0, Atom and JSON Feed documents into the articles they link to."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any
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
    if text.lstrip().startswith("{"):
        items = _json_feed_items(text, url)
    else:
        # feedparser never resolves external entities; it is given text, never a URL.
        parsed = feedparser.parse(text, resolve_relative_uris=False, sanitize_html=False)
        if not parsed.get("version") and not parsed.entries:
            reason = parsed.get("bozo_exception") or "no RSS, Atom or JSON Feed found"
            raise ExtractError(f"{url}: not a feed ({reason})")
        items = [
            (item.get("id"), item.get("link") or _first_href(item), item.get("title"))
            for item in parsed.entries
        ]
    entries: list[FeedEntry] = []
    seen: set[str] = set()
    for guid, link, title in items:
        link = urljoin(url, str(link).strip()) if link else ""
        if urlparse(link).scheme not in ("http", "https"):
            continue
        guid = str(guid or link).strip()
        if guid in seen:
            continue
        seen.add(guid)
        entries.append(FeedEntry(guid, link, title, _slug(link, guid)))
    return entries


def _first_href(item: Any) -> str:
    links = [entry.get("href") for entry in item.get("links", []) if entry.get("href")]
    return links[0] if links else ""


def _json_feed_items(text: str, url: str) -> list[tuple[Any, Any, Any]]:
    """(id, url, title) of each item of a JSON Feed (https://jsonfeed.org, 1.0 and 1.1)."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ExtractError(f"{url}: not a feed (invalid JSON: {exc})") from exc
    if not (isinstance(data, dict) and str(data.get("version", "")).startswith(
            "https://jsonfeed.org/version/") and isinstance(data.get("items"), list)):
        raise ExtractError(f"{url}: not a feed (JSON without a JSON Feed version and items)")
    return [
        (item.get("id"), item.get("url") or item.get("external_url"), item.get("title"))
        for item in data["items"] if isinstance(item, dict)
    ]


def _slug(link: str, guid: str) -> str:
    path = [p for p in urlparse(link).path.split("/") if p]
    tail = re.sub(r"[^A-Za-z0-9._-]+", "-", path[-1] if path else "entry")[:60].strip("-")
    digest = hashlib.sha1(guid.encode("utf-8")).hexdigest()[:6]
    return f"{tail or 'entry'}-{digest}"
