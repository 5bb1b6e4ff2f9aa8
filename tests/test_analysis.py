"""The pure half of a check: extract, split into claims, diff; and the claims cap."""

from __future__ import annotations

import pathlib
import tomllib
from datetime import UTC, datetime

import pytest

from monitor.analysis import MAX_CLAIMS, analyse, check_size, text_hash
from monitor.baseline import BaselineIndex
from monitor.claim_codec import decode_claims, encode_claims, engine_fingerprint
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


def stored(text: str, engine: str | None = None, claims_z: bytes | None = None) -> StoredVersion:
    return StoredVersion(1, text_hash(text), text, "T", engine, claims_z)


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


def test_stored_claims_of_this_engine_give_the_same_comparison(monkeypatch):
    cases = [tomllib.loads(p.read_text(encoding="utf-8")) for p in sorted(CASES.glob("*.toml"))]
    pairs = [(case["v1"], case["v2"]) for case in cases if case.get("v1")]
    assert len(pairs) > 100
    for v1, v2 in pairs:
        first = analyse(lambda v1=v1: Document("https://a", v1), None, BaselineIndex(), NOW)
        assert first.engine == engine_fingerprint()
        assert decode_claims(first.claims_z) == list(first.claims)
        plain = analyse(lambda v2=v2: Document("https://a", v2), stored(v1), BaselineIndex(), NOW)
        reused = analyse(lambda v2=v2: Document("https://a", v2),
                         stored(v1, first.engine, first.claims_z), BaselineIndex(), NOW)
        assert (reused.outcome, reused.claims, reused.changes) == (
            plain.outcome, plain.claims, plain.changes)


@pytest.mark.parametrize(
    ("engine", "blob", "made"),
    [
        ("this", "good", ["The army withdrew 3,000 troops."]),
        ("another", "good", ["Rebels entered Hama on Thursday, residents said.",
                             "The army withdrew 3,000 troops.",
                             "The army withdrew 300 troops."]),
        ("this", "damaged", ["Rebels entered Hama on Thursday, residents said.",
                             "The army withdrew 3,000 troops.",
                             "The army withdrew 300 troops."]),
        (None, None, ["Rebels entered Hama on Thursday, residents said.",
                      "The army withdrew 3,000 troops.",
                      "The army withdrew 300 troops."]),
    ],
    ids=["same-engine", "older-engine", "damaged-blob", "stored-before-schema-4"],
)
def test_stored_claims_are_reused_only_from_this_engine(engine, blob, made, monkeypatch):
    from monitor import claims as engine_module
    from monitor.memo import clear_shared

    good = encode_claims(split_claims(V1))
    latest = stored(V1, engine_fingerprint() if engine == "this" else engine,
                    {"good": good, "damaged": b"garbage", None: None}[blob])
    clear_shared()
    making: list[str] = []
    real = engine_module.make_claim
    monkeypatch.setattr(engine_module, "make_claim",
                        lambda s, p=0: making.append(s) or real(s, p))
    result = analyse(lambda: Document("https://a", V2), latest, BaselineIndex(), NOW)
    clear_shared()
    assert [c.type.value for c in result.changes] == ["updated_claim"]
    assert sorted(making) == made
