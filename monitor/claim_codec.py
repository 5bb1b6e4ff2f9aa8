"""Claims stored with their comparison fields, so that a later check need not make them again.

A check compares the fresh version of an article with the latest stored one. Making the
stored version's claims again from its text costs most of a re-check of an edited page, so
each version keeps its claims, fields and all, in one compressed blob next to the
fingerprint of the claim engine that made them (`engine_fingerprint`). A later check uses
them only when its engine has the same fingerprint; any change of monitor's code makes the
stored claims stale, and they are then made again from the text, exactly as before.
"""

from __future__ import annotations

import hashlib
import json
import uuid
import zlib
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from monitor.models import Claim

__all__ = ["decode_claims", "encode_claims", "engine_fingerprint"]

_PACKAGE = Path(__file__).parent


@lru_cache(maxsize=1)
def engine_fingerprint() -> str:
    """A digest of the source of every module of the package: claims are only reused by
    the very code that made them (hashing the whole package, rather than the modules
    `make_claim` imports today, cannot miss a module that it imports tomorrow)."""
    sources = sorted(_PACKAGE.glob("*.py"))
    if not sources:  # installed without its source: no fingerprint, so nothing is reused
        return f"no-source-{uuid.uuid4().hex}"
    digest = hashlib.sha256()
    for path in sources:
        digest.update(path.name.encode("utf-8") + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()[:32]


def encode_claims(claims: Sequence[Claim]) -> bytes:
    """The claims (in order; positions are their indexes) as one compressed blob."""
    rows = [[c.text, c.norm, c.key, c.numbers, c.dates, c.entities, c.attribution, c.negated]
            for c in claims]
    return zlib.compress(json.dumps(rows, ensure_ascii=False).encode("utf-8"), 1)


def decode_claims(blob: bytes) -> list[Claim]:
    """The claims `encode_claims` stored, positions 0..n-1. ValueError for a blob that is
    not one (corrupt or foreign): the caller then makes the claims from the text."""
    try:
        rows = json.loads(zlib.decompress(blob).decode("utf-8"))
        return [
            Claim(text=text, norm=norm, key=key, position=i, numbers=tuple(numbers),
                  dates=tuple(dates), entities=tuple(entities), attribution=attribution,
                  negated=bool(negated))
            for i, (text, norm, key, numbers, dates, entities, attribution, negated)
            in enumerate(rows)
        ]
    except (zlib.error, UnicodeDecodeError, TypeError, ValueError) as exc:
        raise ValueError(f"not a stored claims blob: {exc}") from exc
