"""The pure half of a check: extract, split into claims, diff; and the claims cap."""

from __future__ import annotations

import pathlib
import tomllib
from datetime import UTC, datetime

import pytest

from monitor.analysis import MAX_CLAIMS, analyse, check_size, text_hash
from monitor.baseline import BaselineIndex
from monitor.claims import split_claims
from monitor.diff import diff_claims
from monitor.errors import ExtractError
from monitor.models import Document
from monitor.store_changes import StoredVersion

NOW = datetime(2024, 12, 9, 12, 0, tzinfo=UTC)
V1 = "Rebels entered Hama on Thursday, residents said.\nThe army withdrew 300 troops."
V2 = "Rebels entered Hama on Thursday, residents said.\nThe army withdrew 3,000 troops."


def claim_lines(n: int) -> str:
    return "\n".join(f"Officials in district {i} said {i} homes were flooded." for i in range(n))


def stored(text: str) -> StoredVersion:
    return StoredVersion(1, text_hash(text), text, "T")


@pytest.mark.parametrize(
    ("text", "latest", "outcome", "claims", "changes"),
    [
        ("  \n ", None, "no_article", 0, []),
        (V1, stored(V1), "unchanged", 0, []),
        (V1, None, "compared", 2, ["new_claim", "new_claim"]),
        (V2, stored(V1), "compared", 2, ["updated_claim"]),
    ],
    ids=["empty-page", "same-text", "first-version", "edited"],
)
def test_analyse(text, latest, outcome, claims, changes):
    document = Document("https://news.example/a", text)
    result = analyse(lambda: document, latest, BaselineIndex(), NOW)
    assert (result.outcome, len(result.claims)) == (outcome, claims)
    assert [c.type.value for c in result.changes] == changes
    assert result.document is document and result.digest == text_hash(text)
    assert all(c.detected_at in (None, NOW) for c in result.changes)


@pytest.mark.parametrize(
    ("text", "error"),
    [
        (claim_lines(MAX_CLAIMS), None),
        # More sentences than the limit, but most are questions, not claims.
        (claim_lines(10) + "\n" + "\n".join(f"Is district {i} next?" for i in range(2500)),
         None),
        (claim_lines(MAX_CLAIMS + 1),
         "article has 2,001 sentences; over the limit of 2,000 claims per article, so it is "
         "not compared"),
    ],
    ids=["at-the-limit", "many-sentences-few-claims", "over-the-limit"],
)
def test_the_claims_per_article_are_capped(text, error):
    if error is None:
        check_size(text)
        return
    with pytest.raises(ExtractError) as caught:
        analyse(lambda: Document("https://news.example/a", text), None, BaselineIndex(), NOW)
    assert str(caught.value) == error


CASES = pathlib.Path(__file__).resolve().parent.parent / "bench" / "claims_cases"


def test_analyse_compares_as_the_plain_claim_engine_does():
    # claims come from monitor.memo; the result must be what the plain engine gives
    cases = [tomllib.loads(p.read_text(encoding="utf-8")) for p in sorted(CASES.glob("*.toml"))]
    pairs = [(case.get("v1"), case["v2"]) for case in cases]
    assert len(pairs) > 100
    for v1, v2 in pairs:
        latest = stored(v1) if v1 else None
        result = analyse(lambda v2=v2: Document("https://a", v2), latest, BaselineIndex(), NOW)
        if v1 == v2:  # churn-only cases: the same article text
            assert result.outcome == "unchanged"
            continue
        current = split_claims(v2)
        previous = split_claims(v1) if v1 else None
        assert result.claims == tuple(current)
        assert result.changes == tuple(diff_claims(previous, current, BaselineIndex(), now=NOW))
