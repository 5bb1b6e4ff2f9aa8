"""Read `monitor sources import` files: plain URL lists and OPML subscription lists."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .config import validate_source_fields
from .errors import UsageError


@dataclass(frozen=True)
class ImportEntry:
    """One source to import; `line` is where it came from, for error messages."""

    url: str
    kind: str
    name: str | None
    line: int


def read_import_file(path: Path, *, kind: str = "page") -> list[ImportEntry]:
    """Every entry of an import file, or one UsageError listing every bad line.

    An OPML file (by `.opml` suffix or an `<opml` root) yields its feeds (`xmlUrl`).
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read {path}: {exc}") from exc
    if path.suffix.lower() == ".opml" or text.lstrip()[:200].lower().find("<opml") >= 0:
        entries = _opml(path, text)
    else:
        entries = []
        for number, raw in enumerate(text.splitlines(), 1):
            line = raw.split("#", 1)[0].strip() if not raw.lstrip().startswith("#") else ""
            if line:
                entries.append(ImportEntry(line, kind, None, number))
    problems = [
        f"line {e.line}: {p}"
        for e in entries
        for p in validate_source_fields(e.url, None, e.kind, 1.0, None)
    ]
    if problems:
        raise UsageError(f"{path}: nothing imported: " + "; ".join(problems))
    return entries


def _opml(path: Path, text: str) -> list[ImportEntry]:
    from lxml import etree

    try:
        parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
        root = etree.fromstring(text.encode("utf-8"), parser)
    except etree.XMLSyntaxError as exc:
        raise UsageError(f"{path}: not valid OPML: {exc}") from exc
    entries = []
    for outline in root.iter("outline"):
        url = outline.get("xmlUrl") or outline.get("xmlurl")
        if url:
            # Names come from the URL: outline titles are often duplicated across feeds.
            entries.append(ImportEntry(url.strip(), "feed", None, outline.sourceline or 0))
    return entries
