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
        # feedparser is given text, never a URL, so it fetches nothing. Entity declarations
        # are removed before parsing: no billion-laughs expansion, no external entities.
        parsed = feedparser.parse(without_entity_declarations(text),
                                  resolve_relative_uris=False, sanitize_html=False)
        # A broken document that still yields entries is used (feeds are often sloppy);
        # one that yields nothing is an error, as is a document of no feed format.
        if not parsed.entries and (parsed.get("bozo") or not parsed.get("version")):
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


# A DOCTYPE with an internal subset: `<!DOCTYPE rss [ ... ]>`. Only the prolog is searched.
_DOCTYPE_SUBSET = re.compile(r"<!DOCTYPE[^\[>]*\[.*?\]\s*>", re.IGNORECASE | re.DOTALL)
_PROLOG = 65_536


def without_entity_declarations(text: str) -> str:
    """`text` with any DOCTYPE internal subset (where entities are declared) removed.

    References to the removed entities then stay unexpanded (feedparser's lenient parser
    keeps them as text), so a feed can neither blow up in memory nor read local files.
    """
    head = text[:_PROLOG]
    if "<!" not in head:
        return text
    return _DOCTYPE_SUBSET.sub("", head, count=1) + text[_PROLOG:]


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
