"""monitor.memo gives exactly what the plain claim engine gives, working each sentence once."""

from __future__ import annotations

import pathlib
import tomllib

import pytest

from monitor import claims
from monitor.memo import ClaimMemo, clear_shared

REPO = pathlib.Path(__file__).resolve().parent.parent
CASE_DIRS = sorted(p for p in (REPO / "bench").glob("claims_*") if p.is_dir())


def case_versions(folder: pathlib.Path) -> list[tuple[str, list[str]]]:
    """(case id, [v1, v2] or [v2]) for every case in `folder`."""
    out = []
    for path in sorted(folder.glob("*.toml")):
        case = tomllib.loads(path.read_text(encoding="utf-8"))
        out.append((path.stem, [case[v] for v in ("v1", "v2") if case.get(v)]))
    return out


@pytest.fixture(autouse=True)
def _no_shared_sentences():
    clear_shared()
    yield
    clear_shared()


def test_the_benchmark_cases_are_found():
    assert len(CASE_DIRS) >= 2 and all(case_versions(d) for d in CASE_DIRS)


@pytest.mark.parametrize("folder", CASE_DIRS, ids=[d.name for d in CASE_DIRS])
def test_same_claims_as_the_plain_engine_on_the_benchmark_cases(folder):
    for name, versions in case_versions(folder):
        memo = ClaimMemo()  # one per case, as analyse does: v2 reuses v1's sentences
        for text in versions:
            assert memo.sentences(text) == claims.split_sentences(text), name
            assert memo.split_claims(text) == claims.split_claims(text), name


def test_same_claims_on_the_seed_articles():
    texts = [p.read_text(encoding="utf-8") for p in sorted((REPO / "seeds").glob("*.txt"))]
    assert texts
    memo = ClaimMemo()  # one for all: the seeds share sentences
    for text in texts + texts:
        assert memo.split_claims(text) == claims.split_claims(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\n\n  \n",
        "Rebels entered Hama on Thursday, residents said.\r\nThe army withdrew 300 troops.",
        "Rebels entered Hama, residents said.\u2028The army withdrew.\x0cIt left 300 troops.",
        "**\n__ __\n## Heading\n**The army withdrew 300 troops on Friday, officials said.**",
        "Mr. Smith arrived in the U.S. on Jan. 5. The talks began. Did they end?",
        "Aid arrived in Homs, officials said.\nAid arrived in Homs, officials said.",
    ],
    ids=["empty", "blank-lines", "crlf", "unicode-line-breaks", "markdown", "abbreviations",
         "repeated-paragraph"],
)
def test_same_claims_on_awkward_text(text):
    memo = ClaimMemo()
    for _ in range(2):  # first seen, then remembered
        assert memo.sentences(text) == claims.split_sentences(text)
        assert memo.split_claims(text) == claims.split_claims(text)


V1 = (
    "Rebels entered Hama on Thursday, residents said. The army withdrew 300 troops.\n"
    "Aid convoys reached Homs on Friday.\n"
    "The United Nations called for calm, a spokesman said."
)
V2 = V1.replace("300 troops", "3,000 troops") + "\nThe border with Lebanon was closed."


@pytest.fixture
def made(monkeypatch) -> list[str]:
    """The sentences make_claim is called with."""
    calls: list[str] = []
    real = claims.make_claim
    monkeypatch.setattr(claims, "make_claim", lambda s, p=0: calls.append(s) or real(s, p))
    return calls


def test_each_sentence_is_made_into_a_claim_once(made):
    memo = ClaimMemo()
    memo.split_claims(V1)
    assert len(made) == 4
    made.clear()
    result = memo.split_claims(V2)
    assert made == ["The army withdrew 3,000 troops.", "The border with Lebanon was closed."]
    assert [c.position for c in result] == [0, 1, 2, 3, 4]


def test_sentences_are_remembered_across_memos_until_cleared(made):
    ClaimMemo().split_claims(V1)
    ClaimMemo().split_claims(V1)
    assert len(made) == 4
    clear_shared()
    ClaimMemo().split_claims(V1)
    assert len(made) == 8


LONG = "Officials said " + ", ".join(f"district {i}" for i in range(300)) + " was flooded."


def test_a_memo_remembers_what_the_shared_cache_does_not_keep(made):
    text = f"{LONG}\nAid convoys reached Homs on Friday."
    memo = ClaimMemo()
    assert memo.split_claims(text) == memo.split_claims(text) == claims.split_claims(text)
    assert made.count(LONG) == 2  # once by the memo, once by the plain engine
    ClaimMemo().split_claims(text)
    assert made.count(LONG) == 3 and made.count("Aid convoys reached Homs on Friday.") == 2


def test_every_result_is_a_fresh_list_of_fresh_claims():
    # monitor.diff tells claims apart by identity: two versions must never share one
    memo = ClaimMemo()
    first, second = memo.split_claims(V1), memo.split_claims(V1)
    assert first == second
    assert not {id(c) for c in first} & {id(c) for c in second}


def _counting(monkeypatch) -> list[str]:
    """The sentences the engine makes claims of from now on."""
    made: list[str] = []
    real = claims.make_claim

    def spy(sentence, position=0):
        made.append(sentence)
        return real(sentence, position)

    monkeypatch.setattr(claims, "make_claim", spy)
    return made


@pytest.mark.parametrize("folder", CASE_DIRS, ids=[d.name for d in CASE_DIRS])
def test_seeded_claims_give_what_the_plain_engine_gives(folder, monkeypatch):
    for name, versions in case_versions(folder):
        memo = ClaimMemo()
        assert memo.seed(versions[0], claims.split_claims(versions[0])), name
        for text in versions:
            assert memo.split_claims(text) == claims.split_claims(text), name


def test_a_seeded_text_makes_no_claim_again(monkeypatch):
    v1 = ("Rebels entered Hama on Thursday, residents said.\nWhat next?\n"
          "The army withdrew 300 troops.")
    v2 = v1.replace("300", "3,000")
    stored = claims.split_claims(v1)
    made = _counting(monkeypatch)
    memo = ClaimMemo()
    assert memo.seed(v1, stored)
    assert memo.split_claims(v1) == stored and made == []
    memo.split_claims(v2)
    assert made == ["The army withdrew 3,000 troops."]  # only the edited sentence


@pytest.mark.parametrize(
    ("text", "stored_from", "taken", "made"),
    [
        ("Rebels entered Hama.\nThe army withdrew 300 troops.", "Rebels entered Hama.",
         True, ["The army withdrew 300 troops."]),
        ("Rebels entered Hama.", "Rebels entered Hama.\nThe army withdrew 300 troops.",
         False, ["Rebels entered Hama."]),
        ("Rebels entered Hama.\nThe army withdrew.", "The army withdrew.\nRebels entered Hama.",
         False, ["Rebels entered Hama.", "The army withdrew."]),
        ("Rebels entered Hama.", "Rebels entered Homs.", False, ["Rebels entered Hama."]),
    ],
    ids=["claim-missing", "claim-left-over", "other-order", "other-text"],
)
def test_claims_of_another_text_give_the_plain_engine_s_claims(
        text, stored_from, taken, made, monkeypatch):
    memo = ClaimMemo()
    assert memo.seed(text, claims.split_claims(stored_from)) is taken
    expected = claims.split_claims(text)
    making = _counting(monkeypatch)
    assert memo.split_claims(text) == expected
    assert making == made  # what was not taken is made afresh
