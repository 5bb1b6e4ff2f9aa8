"""Load article files into the baseline and build the in-memory baseline index."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import UsageError
from .models import BaselineClaim
from .store import Store

if TYPE_CHECKING:
    from .baseline import BaselineIndex

log = logging.getLogger(__name__)

BASELINE_SUFFIXES = (".txt", ".md", ".html", ".htm")


@dataclass(frozen=True)
class LoadResult:
    """One file offered to the baseline: loaded (with its claim count) or already there."""

    path: Path
    loaded: bool
    claims: int = 0


def article_files(paths: Iterable[Path]) -> Iterator[Path]:
    """Every article file named, or inside a named folder (sorted); a missing path is an error."""
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and child.suffix.lower() in BASELINE_SUFFIXES:
                    yield child
        elif path.is_file():
            if path.suffix.lower() not in BASELINE_SUFFIXES:
                raise UsageError(
                    f"{path}: not an article file (expected {', '.join(BASELINE_SUFFIXES)})")
            yield path
        else:
            raise UsageError(f"no such file or folder: {path}")


def load_baseline(store: Store, paths: Iterable[Path], *, now: datetime) -> list[LoadResult]:
    """Add each article file's text and claims to the baseline; known texts add nothing."""
    # the claim engine and extraction's libraries load only when a file is new or changed
    from .claims import split_claims
    from .extract import extract_file

    results = []
    for path in article_files(paths):
        document = extract_file(path)
        digest = hashlib.sha256(document.text.encode("utf-8")).hexdigest()
        if store.has_baseline_text(digest):
            results.append(LoadResult(path, loaded=False))
            continue
        claims = split_claims(document.text)
        store.add_baseline_document(name=path.name, path=str(path), text_hash=digest,
                                    document=document, claims=claims, now=now)
        log.info("baseline: loaded %s (%s claims)", path, len(claims))
        results.append(LoadResult(path, loaded=True, claims=len(claims)))
    return results


def build_index(store: Store) -> BaselineIndex:
    """The baseline index over every baseline claim in the store."""
    from .baseline import BaselineIndex
    from .claims import make_claim

    return BaselineIndex(
        BaselineClaim(make_claim(text, position), source)
        for position, (text, source) in enumerate(store.baseline_claims())
    )
