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


def parse_feed(text: str, *, url: str, content_type: str = "") -> list[FeedEntry]:
    """The entries of a feed that link to an http(s) article, in feed order.

    Raises ExtractError when the document is not a feed at all, saying what it is instead
    ("got an HTML page (text/html), not RSS/Atom/JSON Feed"); `content_type` is the media
    type the server sent, shown in that message.
    """
    if text.lstrip().startswith("{"):
        items = _json_feed_items(text, content_type)
    else:
        # feedparser is given text, never a URL, so it fetches nothing. Entity declarations
        # are removed before parsing: no billion-laughs expansion, no external entities.
        parsed = feedparser.parse(without_entity_declarations(text),
                                  resolve_relative_uris=False, sanitize_html=False)
        # A broken document that still yields entries is used (feeds are often sloppy);
        # one that yields nothing is an error, as is a document of no feed format.
        if not parsed.entries and (parsed.get("bozo") or not parsed.get("version")):
            raise ExtractError(_not_a_feed(text, content_type, parsed.get("bozo_exception")))
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


def _json_feed_items(text: str, content_type: str) -> list[tuple[Any, Any, Any]]:
    """(id, url, title) of each item of a JSON Feed (https://jsonfeed.org, 1.0 and 1.1)."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ExtractError(
            f"got invalid JSON ({content_type or 'no content-type'}: {exc}), not a JSON Feed"
        ) from exc
    if not (isinstance(data, dict) and str(data.get("version", "")).startswith(
            "https://jsonfeed.org/version/") and isinstance(data.get("items"), list)):
        raise ExtractError(
            f"got JSON without a JSON Feed version and items "
            f"({content_type or 'no content-type'}), not RSS/Atom/JSON Feed"
        )
    return [
        (item.get("id"), item.get("url") or item.get("external_url"), item.get("title"))
        for item in data["items"] if isinstance(item, dict)
    ]


_ROOT = re.compile(r"<([A-Za-z_][\w:.-]*)")


def _not_a_feed(text: str, content_type: str, problem: object) -> str:
    """What a document that is not a feed is instead, for the source's error."""
    head = text[:_PROLOG].lstrip()
    lowered = head.lower()
    shown = content_type or "no content-type"
    if not head:
        return f"got an empty document ({shown}), not RSS/Atom/JSON Feed"
    if "<html" in lowered[:4096] or lowered.startswith("<!doctype html"):
        return f"got an HTML page ({shown}), not RSS/Atom/JSON Feed"
    if head.startswith("<"):
        # The first element after any <?xml ...?>, comments and DOCTYPE.
        root = next((m.group(1) for m in _ROOT.finditer(head)), None)
        what = f"with root <{root}>" if root else "without elements"
        if problem:  # not well-formed: say why (feedparser's line numbers are off by one)
            why = re.sub(r"^<unknown>:\d+:\d+:\s*", "", str(problem))
            return f"got broken XML {what} ({shown}; {why}) and no feed entries in it"
        return f"got an XML document {what} ({shown}), not RSS/Atom/JSON Feed"
    return f"got plain text ({shown}), not RSS/Atom/JSON Feed"


def _slug(link: str, guid: str) -> str:
    path = [p for p in urlparse(link).path.split("/") if p]
    tail = re.sub(r"[^A-Za-z0-9._-]+", "-", path[-1] if path else "entry")[:60].strip("-")
    digest = hashlib.sha1(guid.encode("utf-8")).hexdigest()[:6]
    return f"{tail or 'entry'}-{digest}"
