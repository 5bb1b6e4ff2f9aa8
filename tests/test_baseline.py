"""BaselineIndex: retrieval quality and bounded cost."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from monitor import baseline as baseline_mod
from monitor.baseline import BaselineIndex
from monitor.claims import make_claim, split_claims
from monitor.models import BaselineClaim, Claim

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def _seed_index() -> BaselineIndex:
    return BaselineIndex(
        BaselineClaim(c, p.name)
        for p in sorted(SEEDS.glob("*.txt"))
        for c in split_claims(p.read_text(encoding="utf-8"))
    )


def test_empty_index() -> None:
    idx = BaselineIndex()
    assert len(idx) == 0
    assert idx.candidates(make_claim("Assad fled to Moscow.")) == []


def test_add_and_len() -> None:
    idx = BaselineIndex()
    idx.add(BaselineClaim(make_claim("Assad fled to Moscow."), "a"))
    idx.add(BaselineClaim(make_claim("Assad fled to Moscow."), "b"))
    assert len(idx) == 2
    assert {bc.source for bc in idx.candidates(make_claim("Assad fled to Moscow."))} == {"a", "b"}


@pytest.mark.parametrize(
    ("query", "expected_start"),
    [
        (
            "Jalali, still in Damascus, pledged cooperation with the rebels and emphasized the "
            "importance of stability during the transition.",
            "Jalali, still in Damascus",
        ),
        (
            "Jalali, who is still in Damascus, pledged to cooperate with the rebels.",
            "Jalali, still in Damascus",
        ),
        (
            "Russia has kept three military bases on Syrian soil since 2016.",
            "Since 2015, Russia has maintained two military bases",
        ),
        ("Officials said Jalali had left Damascus.", "Jalali, still in Damascus"),
    ],
    ids=["exact", "paraphrase", "changed-details", "short-related"],
)
def test_candidates_ranked(query: str, expected_start: str) -> None:
    idx = _seed_index()
    cands = idx.candidates(make_claim(query), limit=5)
    assert cands, "no candidates"
    assert any(bc.claim.text.startswith(expected_start) for bc in cands)


def test_candidates_limit_and_order() -> None:
    idx = _seed_index()
    scored = idx.scored_candidates(make_claim("Assad and his family have arrived in Moscow."), 3)
    assert 3 <= len(scored) <= 3 + baseline_mod.KEEP_BY_WEIGHT
    best = [s for _, s in scored[:3]]
    assert best == sorted(best, reverse=True)
    assert scored[0][1] == 100.0


def test_a_short_claim_sharing_the_rarest_words_is_a_candidate() -> None:
    # on similarity alone the short quote ranks below two dozen longer claims that
    # share the common words ("Assad", "family", "Moscow", "Russia")
    idx = _seed_index()
    claim = make_claim(
        "Mikhail Ulyanov, Russia's permanent representative to international organisations "
        "in Vienna, wrote on Telegram that Assad and his family were in Moscow, adding that "
        "Russia does not betray its friends in difficult situations."
    )
    texts = [bc.claim.text for bc, _ in idx.scored_candidates(claim, 24)]
    assert "Russia does not betray its friends in difficult situations." in texts


def test_a_short_claim_the_query_restates_in_other_words_is_a_candidate() -> None:
    # "taken part" / "participate": it shares only "Russia" and "negotiations" with the
    # query and ranks below two dozen longer claims on similarity
    idx = _seed_index()
    claim = make_claim(
        "The ministry said Russia had taken part in the negotiations between Assad and the "
        "armed groups."
    )
    texts = [bc.claim.text for bc, _ in idx.scored_candidates(claim, 24)]
    assert "“Russia did not participate in these negotiations." in texts
    assert len(texts) <= 24 + baseline_mod.KEEP_BY_WEIGHT + baseline_mod.KEEP_BY_COVER


@pytest.mark.parametrize(
    ("query", "found"),
    [
        # "startling speed": no seed claim uses either word; "rapid" and "swift" are FAST
        ("The collapse came with startling speed.", "This turn of events was incredibly swift."),
        # "played no part" is PARTICIPATE, as "did not participate" is; no word is shared
        ("The ministry insisted that Moscow had played no part in those talks.",
         "\u201cRussia did not participate in these negotiations."),
    ],
    ids=["synonym-of-an-unknown-word", "two-word-verb"],
)  # fmt: skip
def test_a_claim_saying_it_in_other_words_is_found_by_its_class(query: str, found: str) -> None:
    idx = _seed_index()
    claim = make_claim(query)
    have = idx.scored_candidates(claim, 24)
    extra = [bc.claim.text for bc, _ in idx.by_class(claim, have)]
    assert found not in {bc.claim.text for bc, _ in have}
    assert any(t.endswith(found) for t in extra)
    assert len(extra) <= baseline_mod.KEEP_BY_CLASS
    assert not set(extra) & {bc.claim.text for bc, _ in have}


def test_by_class_finds_nothing_without_a_lexicon_class() -> None:
    idx = _seed_index()
    claim = make_claim("Assad said Moscow was cold.")
    assert idx.by_class(claim, idx.scored_candidates(claim, 8)) == []


def _synthetic(n: int, rng: random.Random) -> list[BaselineClaim]:
    vocab = [f"w{i}" for i in range(5000)]
    common = ["assad", "syria", "moscow", "rebels"]  # in every claim: huge postings
    out = []
    for i in range(n):
        words = [*common, *rng.sample(vocab, 8), f"uniq{i}"]
        text = " ".join(words)
        out.append(BaselineClaim(Claim(text=text, norm=text, key=text), f"s{i % 97}"))
    return out


def test_lookup_cost_is_bounded_as_index_grows() -> None:
    rng = random.Random(7)
    claims = _synthetic(60_000, rng)
    queries = [
        make_claim(f"Assad left Syria for Moscow as rebels advanced w{i} w{i + 1}.")
        for i in range(0, 200, 10)
    ]
    cost: dict[int, tuple[int, int]] = {}
    for size in (1_000, 10_000, 60_000):
        idx = BaselineIndex(claims[:size])
        visited = scored = 0
        for q in queries:
            idx.candidates(q)
            visited = max(visited, idx.last_visited)
            scored = max(scored, idx.last_scored)
        cost[size] = (visited, scored)
    cap_scored = max(baseline_mod.SHORTLIST, 4 * 5)
    cap_visited = baseline_mod.MAX_QUERY_TOKENS * baseline_mod.MAX_POSTINGS
    for visited, scored in cost.values():
        assert scored <= cap_scored
        assert visited <= cap_visited
    # growing the index 60x must not grow the work per lookup more than 2x
    assert cost[60_000][0] <= 2 * max(cost[1_000][0], baseline_mod.MAX_POSTINGS)
    assert cost[60_000][1] <= 2 * max(cost[1_000][1], 1)


def test_rare_token_found_in_large_index() -> None:
    rng = random.Random(3)
    claims = _synthetic(20_000, rng)
    idx = BaselineIndex(claims)
    target = claims[12_345].claim
    got = idx.candidates(Claim(text=target.text, norm=target.norm + " x", key=target.key), 3)
    assert got and got[0].claim is target


@pytest.mark.parametrize(
    ("word", "spelling"),
    [
        ("julani", "jolani"),
        ("lattakia", "latakia"),
        ("jolani", None),
        ("homs", None),
        ("maher", None),
    ],
    ids=["vowel", "doubled-letter", "as-in-the-baseline", "known-name", "unknown-name"],
)
def test_respell_gives_the_baseline_spelling(word: str, spelling: str | None) -> None:
    assert _seed_index().respell(word) == spelling


def test_names_are_looked_up_past_the_rarest_words() -> None:
    # the rare words all come from one claim; the name finds the other
    idx = BaselineIndex(
        BaselineClaim(make_claim(s), "a")
        for s in [
            "Tolerant pluralist rhetoric marked every speech the charismatic commander "
            "delivered before cheering crowds in northern provinces.",
            "HTS once had ties to al-Qaeda.",
            *[f"HTS fighters entered town number {i}." for i in range(5)],
        ]
    )
    query = make_claim(
        "Tolerant pluralist rhetoric marked every speech the charismatic HTS commander "
        "delivered before cheering crowds in northern provinces."
    )
    texts = {bc.claim.text for bc in idx.candidates(query, 24)}
    assert "HTS once had ties to al-Qaeda." in texts


@pytest.mark.parametrize(
    ("names", "entity", "known"),
    [
        (["Bashar al-Assad fled.", "Assad left."], "Bashar al-Assad", True),
        (["Bashar al-Assad fled.", "Asma al-Assad stayed."], "Bashar al-Assad", False),
        (["Assad left."], "Bashar al-Assad", False),
        (["Syrian Prime Minister Mohammad Jalali stayed."], "Mohammad Jalali", True),
    ],
    ids=["full-name-known", "two-people-one-surname", "only-the-surname", "titles-aside"],
)
def test_knows_name(names: list[str], entity: str, known: bool) -> None:
    idx = BaselineIndex(BaselineClaim(make_claim(s), "a") for s in names)
    assert idx.knows_name(entity) is known


def test_name_share_counts_claims_naming_a_word() -> None:
    index = BaselineIndex(
        BaselineClaim(make_claim(t), "b")
        for t in [
            "Assad fled Damascus as the rebels advanced.",
            "Assad had ruled Syria since 2000, and Assad's father before him.",
            "Assad's whereabouts were unknown for a day.",
            "Rebels said they had freed thousands of prisoners from Sednaya prison.",
        ]
    )
    assert index.name_share("assad") == 0.75  # a claim naming him twice counts once
    assert index.name_share("sedna") == 0.25
    assert index.name_share("jalal") == 0.0
    assert BaselineIndex().name_share("assad") == 0.0


_SAME_IN_EVERY_PROCESS = """
from monitor.baseline import BaselineIndex
from monitor.claims import make_claim
from monitor.models import BaselineClaim
# twelve rare words of one document frequency each: the query keeps ten of them
words = "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima".split()
index = BaselineIndex(
    BaselineClaim(make_claim(f"The {w} unit crossed the river."), "b.txt") for w in words
)
claim = make_claim("The " + " ".join(words) + " units crossed the river.")
print([bc.claim.text for bc, _ in index.scored_candidates(claim, 12)])
"""


def test_candidates_do_not_depend_on_the_process_hash_seed() -> None:
    import subprocess
    import sys

    outs = {
        subprocess.run(
            [sys.executable, "-c", _SAME_IN_EVERY_PROCESS],
            env={"PYTHONHASHSEED": str(seed), "PATH": ""},
            cwd=Path(__file__).resolve().parent.parent,
            capture_output=True, text=True, check=True,
        ).stdout
        for seed in (1, 2, 3, 4)
    }  # fmt: skip
    assert len(outs) == 1


@pytest.mark.parametrize(
    ("names", "entity", "given"),
    [
        (["Putin's backing allowed Assad to stay."], "Vladimir Putin", ["vladimir"]),
        (["Bashar al-Assad fled.", "Assad left."], "Asma al-Assad", []),
        (["Assad left."], "Tartus", []),
        (["Putin spoke.", "Jalali stayed."], "Jalali Putin", []),
    ],
    ids=["bare-surname", "surname-with-another-full-name", "one-word", "known-word-before"],
)
def test_given_names(names: list[str], entity: str, given: list[str]) -> None:
    idx = BaselineIndex(BaselineClaim(make_claim(s), "a") for s in names)
    assert idx.given_names(entity) == given
