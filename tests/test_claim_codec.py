"""Stored claims: what monitor.claim_codec encodes is what the engine made, or an error."""

from __future__ import annotations

import json
import pathlib
import shutil
import zlib

import pytest

from monitor import claim_codec
from monitor.claim_codec import decode_claims, encode_claims, engine_fingerprint
from monitor.claims import make_claim, split_claims

REPO = pathlib.Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Rebels entered Hama on Thursday, residents said.\nThe army withdrew 3,000 troops.",
        "Assad did not flee, Mr Peskov told “Izvestia” on 8 December 2024 — “never”.",
    ],
    ids=["none", "numbers-and-attribution", "unicode-negation-date"],
)
def test_claims_come_back_as_they_were_made(text):
    claims = split_claims(text)
    assert decode_claims(encode_claims(claims)) == claims


def test_the_seed_articles_round_trip():
    for path in sorted((REPO / "seeds").glob("*.txt")):
        claims = split_claims(path.read_text(encoding="utf-8"))
        assert claims and decode_claims(encode_claims(claims)) == claims, path.name


@pytest.mark.parametrize(
    "blob",
    [
        b"not compressed",
        zlib.compress(b"not json"),
        zlib.compress(b'{"a": 1}'),
        zlib.compress(json.dumps([["only", "three", "fields"]]).encode()),
        zlib.compress(b"\xff\xfe"),
    ],
    ids=["not-zlib", "not-json", "not-a-list", "short-row", "not-utf8"],
)
def test_a_damaged_blob_is_a_value_error(blob):
    with pytest.raises(ValueError, match="not a stored claims blob"):
        decode_claims(blob)


def test_positions_are_the_order_of_the_claims():
    claims = [make_claim("The army withdrew 300 troops.", 7),
              make_claim("Rebels entered Hama.", 2)]
    assert [c.position for c in decode_claims(encode_claims(claims))] == [0, 1]


def test_the_fingerprint_follows_every_module_of_the_package(tmp_path, monkeypatch):
    package = pathlib.Path(claim_codec.__file__).parent
    for name in ("claims.py", "textnorm.py"):
        shutil.copy(package / name, tmp_path / name)
    monkeypatch.setattr(claim_codec, "_PACKAGE", tmp_path)
    engine_fingerprint.cache_clear()
    try:
        first = engine_fingerprint()
        assert engine_fingerprint() == first and len(first) == 32
        with (tmp_path / "textnorm.py").open("a") as out:
            out.write("\n# an edit\n")
        engine_fingerprint.cache_clear()
        assert engine_fingerprint() != first
    finally:
        engine_fingerprint.cache_clear()


def test_without_source_files_no_two_processes_share_a_fingerprint(tmp_path, monkeypatch):
    monkeypatch.setattr(claim_codec, "_PACKAGE", tmp_path)  # an install without .py files
    engine_fingerprint.cache_clear()
    try:
        first = engine_fingerprint()
        engine_fingerprint.cache_clear()  # as a new process would start
        assert engine_fingerprint() != first
    finally:
        engine_fingerprint.cache_clear()
