"""The pure half of checking an article: extract the document, split it into claims and
diff them with the article's latest version and the baseline.

`analyse` does no I/O beyond what its `extract` callable does (reading one local file at
most) and touches no database, so monitor.pipeline runs it in a worker thread
(monitor.offload) and writes its result on the event loop's thread. The two versions it
compares share most sentences: a `monitor.memo.ClaimMemo` works each out once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from .baseline import BaselineIndex
from .claim_codec import decode_claims, encode_claims, engine_fingerprint
from .claims import is_claim, split_sentences
from .diff import diff_claims
from .errors import ExtractError
from .memo import ClaimMemo
from .models import Analysis, Document, text_hash
from .store_changes import StoredVersion

# Claims per article. Beyond this a page is not an article whose claims can be followed
# (a 4.6 MB archive page has 30,000 sentences): comparing it would take seconds and log
# thousands of "changes", so the check fails with a readable error instead.
MAX_CLAIMS = 2000


def analyse(
    extract: Callable[[], Document],
    latest: StoredVersion | None,
    baseline: BaselineIndex,
    now: datetime,
) -> Analysis:
    """Extract the article with `extract` and compare it with `latest` and `baseline`;
    changes are stamped `now`. ExtractError when the article has over MAX_CLAIMS claims (or
    when `extract` raises it)."""
    document = extract()
    digest = text_hash(document.text)
    if not document.text.strip():
        return Analysis(document, digest, "no_article")
    if latest is not None and latest.text_hash == digest:
        return Analysis(document, digest, "unchanged")
    memo = ClaimMemo()
    engine = engine_fingerprint()
    if latest is not None:
        _reuse_claims(memo, latest, engine)
    sentences = memo.sentences(document.text)
    _check_count(sentences)
    current = memo.claims_of(sentences)
    previous = memo.split_claims(latest.text) if latest is not None else None
    changes = diff_claims(previous, current, baseline, now=now)
    return Analysis(document, digest, "compared", tuple(current), tuple(changes),
                    engine, encode_claims(current))


def _reuse_claims(memo: ClaimMemo, latest: StoredVersion, engine: str) -> None:
    """Give `memo` the claims stored with `latest` when this very engine made them (so
    they are what making them again would give)."""
    if latest.claims_z is None or latest.engine != engine:
        return
    try:
        claims = decode_claims(latest.claims_z)
    except ValueError:  # a damaged blob: the claims are made from the text instead
        return
    memo.seed(latest.text, claims)


def check_size(text: str) -> None:
    """ExtractError when `text` holds more than MAX_CLAIMS claims.

    Cheap: sentences are counted first (a tenth of the cost of making claims of them), and
    only an article with more sentences than the limit has them sorted into claims, until
    the count passes the limit.
    """
    _check_count(split_sentences(text))


def _check_count(sentences: Sequence[str]) -> None:
    if len(sentences) > MAX_CLAIMS and _claims_past(sentences, MAX_CLAIMS):
        raise ExtractError(
            f"article has {len(sentences):,} sentences; over the limit of {MAX_CLAIMS:,} "
            f"claims per article, so it is not compared"
        )


def _claims_past(sentences: Sequence[str], limit: int) -> bool:
    count = 0
    for sentence in sentences:
        count += is_claim(sentence)
        if count > limit:
            return True
    return False


__all__ = ["MAX_CLAIMS", "Analysis", "analyse", "check_size", "text_hash"]
