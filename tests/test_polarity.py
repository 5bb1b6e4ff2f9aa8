"""Negators and the antonym lexicon (monitor.polarity)."""

from __future__ import annotations

import pytest

from monitor.claims import make_claim
from monitor.polarity import clauses, polarity_cues


@pytest.mark.parametrize(
    ("sentence", "negated"),
    [
        ("Assad was alive.", False),
        ("Assad was dead.", True),
        ("Assad was not dead.", False),
        ("The asylum has been confirmed.", False),
        ("The asylum has not been confirmed.", True),
        ("The asylum remains unconfirmed.", True),
        ("The Kremlin denied the report.", True),
        ("Jalali pledged cooperation with the rebels.", False),
        ("Jalali refused to cooperate with the rebels.", True),
        ("Russia didn\u2019t participate in these negotiations.", True),
        ("Russia never participated.", True),
        ("Not only Russia but also Iran helped.", False),
    ],
    ids=[
        "alive",
        "dead",
        "not-dead",
        "confirmed",
        "not-confirmed",
        "unconfirmed",
        "denied",
        "pledged",
        "refused",
        "contraction",
        "never",
        "not-only",
    ],
)
def test_negated(sentence: str, negated: bool) -> None:
    assert make_claim(sentence).negated is negated


@pytest.mark.parametrize(
    ("norm", "concept", "sign"),
    [
        ("police were arresting the suspects", "custody", 1),
        ("the kremlin was confirming the report", "truth", 1),
        ("rebels are releasing prisoners", "custody", -1),
    ],
    ids=["ing", "ing-truth", "ing-negative"],
)
def test_unlisted_inflections_count(norm: str, concept: str, sign: int) -> None:
    assert polarity_cues(norm).effective() == {concept: sign}


@pytest.mark.parametrize(
    "norm",
    ["a border dispute continued", "no means of escape", "a press release said"],
    ids=["dispute", "escape", "release"],
)
def test_bare_forms_that_are_nouns_are_not_cues(norm: str) -> None:
    assert not polarity_cues(norm).concepts


@pytest.mark.parametrize(
    "norm",
    [
        "the plane was losing altitude rapidly",
        "it lost height before vanishing",
        "the coast where his community lives",
        "they pulled out of the town",
        "the ousted president is living in moscow",
        "the buildings were left under the supervision of the prime minister",
        "his first statement since the capital was lost",
        "russia and iran should not be allowed a role",
        "moscow must not be allowed any part",
        "tehran cannot be allowed a say",
    ],
    ids=[
        "losing-altitude", "lost-height", "lives-is-residence", "two-word-verb",
        "living-in-a-place", "passive-left", "a-place-was-lost", "should-not-be-allowed",
        "must-not-be-allowed", "cannot-be-allowed",
    ],
)
def test_words_that_state_no_polar_concept_there(norm: str) -> None:
    assert not polarity_cues(norm).concepts


@pytest.mark.parametrize(
    ("norm", "negators"),
    [
        ("the kremlin declined to confirm the report", 1),
        ("peskov declined on monday to confirm it", 1),
        ("the airline has yet to confirm the flight", 1),
        ("jalali refused to leave damascus", 1),
        ("the talks failed to reach a deal", 1),
        ("and yet according to officials it was true", 0),
        ("no fewer than 20 people died", 0),
        ("no more than 20 people died", 0),
        ("the eu would judge the group by its deeds not its words", 0),
        ("the decision rests with moscow not the rebels", 0),
        ("he said it was not the end", 1),
        ("the kremlin did not the say", 1),
        ("he stopped short of directly confirming it", 1),
        ("the kremlin refrained from commenting", 1),
        ("a short distance from the base", 0),
        ("he stopped the convoy short of the border", 0),
    ],
    ids=[
        "declined-to",
        "declined-on-day-to",
        "yet-to",
        "refused-to",
        "failed-to",
        "yet-not-before-to",
        "no-fewer-than",
        "no-more-than",
        "contrast-deeds-not-words",
        "contrast-after-a-name",
        "not-after-a-copula",
        "not-after-an-auxiliary",
        "stopped-short-of",
        "refrained-from",
        "short-alone",
        "stopped-something-short",
    ],
)
def test_negators(norm: str, negators: int) -> None:
    assert polarity_cues(norm).negators == negators


@pytest.mark.parametrize(
    ("norm", "effective"),
    [
        ("the bridge would reopen in april but lorries would not be allowed", {
            "openness": 1, "permission": -1}),
        ("jalali had not left damascus", {"presence": 1}),
        ("no official confirmation has been made", {"truth": -1}),
        ("jalali refused to leave damascus", {"presence": 1}),
    ],
    ids=["negator-in-other-clause", "not-left", "no-confirmation", "refused-to-leave"],
)  # fmt: skip
def test_effective_states_are_negated_in_scope(norm: str, effective: dict) -> None:
    assert polarity_cues(norm).effective() == effective


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("the crossing remained open", "the crossing was closed"),
        ("flights resumed on monday", "flights were suspended on monday"),
        ("the curfew was imposed", "the curfew was lifted"),
        ("prices rose", "prices fell"),
    ],
    ids=["open-closed", "resumed-suspended", "imposed-lifted", "rose-fell"],
)
def test_antonym_concepts_have_opposite_signs(a: str, b: str) -> None:
    ea, eb = polarity_cues(a).effective(), polarity_cues(b).effective()
    shared = set(ea) & set(eb)
    assert shared and all(ea[c] == -eb[c] for c in shared)


@pytest.mark.parametrize(
    ("norm", "effective"),
    [
        ("the kremlin said the reports were false", {"truth": -1}),
        ("moscow dismissed reports that assad had arrived", {"truth": -1}),
        ("officials ruled out talks", {"truth": -1}),
        ("the council voted against the curfew", {"support": -1}),
        ("the convoy was called off", {"operation": -1}),
        ("leaders boycotted the meeting", {"attendance": -1}),
        ("hts renounced its tolerance of other groups", {"commitment": -1}),
        ("he urged fighters to stay away from the buildings", {}),
        ("assad rejected reports of his death", {"truth": -1}),
        # the plane departed ("took off"); nothing was shut ("closed in on")
        ("the plane took off as rebels closed in on the capital", {"presence": -1}),
        ("rebels are closing in on damascus", {}),
        ("the embassy closed in 2012", {"openness": -1}),
        ("a plane took off from damascus", {"presence": -1}),
    ],
    ids=[
        "false", "dismissed", "ruled-out", "voted-against", "called-off", "boycotted",
        "renounced", "stay-away-is-no-presence", "rejected-reports-is-denial-not-refusal",
        "closed-in-on-is-approach", "closing-in-on-is-approach", "closed-in-a-year-is-shut",
        "took-off-is-departure",
    ],
)  # fmt: skip
def test_more_cues(norm: str, effective: dict[str, int]) -> None:
    assert polarity_cues(norm).effective() == effective


def test_negation_scope_is_counted_in_content_words() -> None:
    # "fleeing" is seven tokens but five content words after "no"
    cues = polarity_cues("at no point had he considered stepping down or fleeing")
    assert cues.effective() == {"presence": 1}


@pytest.mark.parametrize(
    ("norm", "effective"),
    [
        ("recent setbacks left him unable to resist", {}),
        ("putin allowed assad to stay in power", {"permission": 1}),
        ("jalali remained in office", {}),
        ("jalali remained in damascus", {"presence": 1}),
        ("assad left damascus", {"presence": -1}),
        ("the flood left thousands homeless", {}),
        ("many residents left the valley", {"presence": -1}),
    ],
    ids=[
        "leave-a-person-is-no-departure", "stay-in-power", "remain-in-office",
        "remain-in-a-place", "leave-a-place", "leave-a-quantity-is-no-departure",
        "a-quantity-leaves",
    ],
)  # fmt: skip
def test_positions_and_persons_are_no_presence(norm: str, effective: dict) -> None:
    assert polarity_cues(norm).effective() == effective


@pytest.mark.parametrize(
    ("norm", "negators"),
    [
        ("it is not clear whether the statement is genuine", 0),
        ("it was not known who controls the channel", 0),
        ("the statement was not genuine", 1),
    ],
    ids=["not-clear-hedge", "not-known-hedge", "plain-negation"],
)
def test_hedges_are_no_negation(norm: str, negators: int) -> None:
    assert polarity_cues(norm).negators == negators


@pytest.mark.parametrize(
    ("norm", "parts"),
    [
        (
            "the archive had not been found and might have been destroyed",
            ["the archive had not been found", "and might have been destroyed"],
        ),
        ("forces from russia and iran backed assad", ["forces from russia and iran backed assad"]),
        (
            "the envoy who arrived on monday met jalali",
            ["the envoy", "who arrived on monday met jalali"],
        ),
        (
            "the port was closed but that there was no shortage",
            ["the port was closed", "but that there was no shortage"],
        ),
    ],
    ids=["coordinated-verb-group", "coordinated-nouns", "relative-pronoun", "coordinated-that"],
)
def test_clauses(norm: str, parts: list[str]) -> None:
    assert clauses(norm) == parts


@pytest.mark.parametrize(
    ("norm", "negators"),
    [
        ("officials failed to reach a deal", 1),
        ("the kremlin declined on monday to confirm it", 1),
        ("he refused however to leave", 1),
        ("after a failed diplomatic initiative to remove the weapons", 0),
    ],
    ids=["failed-to", "declined-on-a-day-to", "refused-adverb-to", "failed-as-adjective"],
)
def test_verbs_that_negate_the_verb_after_to(norm: str, negators: int) -> None:
    assert polarity_cues(norm).negators == negators


@pytest.mark.parametrize(
    ("norm", "effective"),
    [
        ("bread prices fell sharply", {"trend": -1}),
        ("the toll rose to 40", {"trend": 1}),
        ("the output dropped by 5 percent", {"trend": -1}),
        ("the city fell on sunday", {}),
        ("the plane dropped off radar", {}),
        ("questions remain over the statement", {}),
        ("the country remains unstable", {}),
        ("the archives remain under army control", {"presence": 1}),
        ("since damascus fell 8 days ago", {}),
        ("exports fell 8 percent in a year", {"trend": -1}),
        ("speculation grew as 1 city after another fell", {}),
    ],
    ids=[
        "quantity-noun-before", "figure-after", "figure-after-by", "a-city-falls",
        "dropped-off", "questions-remain", "remains-an-adjective", "remain-under",
        "a-time-is-no-figure", "figure-then-time", "one-after-another-is-no-figure",
    ],
)  # fmt: skip
def test_trends_are_of_quantities_and_staying_is_in_a_place(norm: str, effective: dict) -> None:
    assert polarity_cues(norm).effective() == effective


@pytest.mark.parametrize(
    ("norm", "negators", "clause_count"),
    [
        ("neither the army nor the police were present", 1, 1),
        ("he did not resign nor was he asked to", 2, 2),
        ("a leader without a base of his own", 1, 1),
        ("a leader with no base of his own", 1, 1),
    ],
    ids=["neither-nor-is-one", "nor-opens-a-clause", "without", "with-no"],
)
def test_neither_nor_and_without(norm: str, negators: int, clause_count: int) -> None:
    assert polarity_cues(norm).negators == negators
    assert len(clauses(norm)) == clause_count


@pytest.mark.parametrize(
    ("norm", "effective", "asserted"),
    [
        ("the office denied that assad had left damascus", {"truth": -1, "presence": 1},
         {"truth": -1}),
        ("assad rejected reports that he had fled", {"truth": -1, "presence": 1},
         {"truth": -1}),
        ("assad had not left damascus", {"presence": 1}, {"presence": 1}),
        ("the office denied the report and assad left damascus later that night",
         {"truth": -1, "presence": -1}, {"truth": -1, "presence": -1}),
        ("he dismissed as false reports that he had fled", {"truth": -1, "presence": 1},
         {"truth": -1}),
        ("he dismissed as false the reports that he had fled", {"truth": -1, "presence": 1},
         {"truth": -1}),
        ("the former president denies having fled to russia", {"truth": -1, "presence": 1},
         {"truth": -1}),
        ("he denied fleeing the capital", {"truth": -1, "presence": 1}, {"truth": -1}),
        ("assad has rejected as false the reports that he fled", {"truth": -1, "presence": 1},
         {"truth": -1}),
    ],
    ids=[
        "denied-that", "rejected-reports-that", "not", "denial-without-a-clause",
        "dismissed-as-false-reports-that", "dismissed-as-false-the-reports-that",
        "denies-having-fled", "denied-fleeing", "rejected-as-false-is-no-refusal",
    ],
)  # fmt: skip
def test_a_denial_scopes_the_state_it_reports(norm: str, effective: dict, asserted: dict) -> None:
    # "denied that he had left" reports that he had not; in the writer's own voice it
    # asserts only the denial
    cues = polarity_cues(norm)
    assert cues.effective() == effective
    assert cues.asserted() == asserted
