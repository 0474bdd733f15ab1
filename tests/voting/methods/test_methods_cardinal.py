"""Approval, score, majority judgment, policy and consent: hand-computed examples."""

from __future__ import annotations

import pytest

from asamblea.voting.methods import (
    ApprovalProfile,
    Base,
    ChoiceProfile,
    Outcome,
    Policy,
    ScoreProfile,
    count,
    evaluate_policy,
)
from asamblea.voting.methods.approval import approval
from asamblea.voting.methods.consent import consent
from asamblea.voting.methods.errors import CountingError
from asamblea.voting.methods.majority_judgment import (
    compare_majority_values,
    lower_median,
    majority_judgment,
)
from asamblea.voting.methods.score import score
from asamblea.voting.methods.tiebreak import lot_key


def test_approval_and_block_approval():
    profile = ApprovalProfile.from_counts(
        "ABCD", [(["A", "B"], 4), (["B", "C"], 3), (["D"], 2), ([], 1)]
    )
    result = approval(profile)
    assert result.approvals == {"A": 4, "B": 7, "C": 3, "D": 2}
    assert result.winners == ("B",)
    assert count("block-approval", profile, seats=2).winners == ("B", "A")


def test_block_approval_tie_at_the_cut_is_drawn_by_lot():
    profile = ApprovalProfile.from_counts("ABC", [(["A", "B", "C"], 1), (["A"], 1)])
    result = count("block-approval", profile, seats=2, seed="seed")
    assert result.winners[0] == "A"
    (lot,) = result.lots
    assert set(lot.candidates) == {"B", "C"}
    # Anyone can recompute the draw from the seed and the context.
    keys = sorted((lot_key("seed", lot.context, c), c) for c in lot.candidates)
    assert result.winners[1] == keys[0][1]


def test_score_totals():
    profile = ScoreProfile.from_counts("AB", [({"A": 5, "B": 3}, 2), ({"B": 5}, 3)], max_score=5)
    result = score(profile)
    assert result.totals == {"A": 10, "B": 21}
    assert result.winners == ("B",)


def test_lower_median_and_majority_value():
    # Grades 0..3; histogram [1, 1, 1, 1] = grades 0,1,2,3: lower median of 4 is 1.
    assert lower_median([1, 1, 1, 1]) == 1
    assert lower_median([0, 2, 1, 0]) == 1  # 1,1,2 -> 1
    # Same median 2 for both; removing it: a = (2,2,3) -> 2 ; b = (1,2,3)... see below.
    a = (0, 0, 2, 1)  # grades 2,2,3: majority value 2, 2, 3
    b = (0, 1, 1, 1)  # grades 1,2,3: majority value 2, 1, 3
    assert compare_majority_values(a, b) == 1


def test_majority_judgment_hand_example():
    """Hand computed, in the spirit of Balinski-Laraki's examples, grades
    0 reject, 1 poor, 2 acceptable, 3 good, 4 very good, 5 excellent; 5 voters.
    Ana: 5,4,3,1,0 -> sorted 0,1,3,4,5, majority grade 3 (good), 2 above, 2 below.
    Bea: 4,3,3,3,2 -> majority grade 3 (good), 1 above, 1 below.
    Carla: 2,2,2,2,5 -> majority grade 2 (acceptable).
    Ana and Bea tie on "good"; removing one "good" each: Ana 0,1,4,5 -> lower
    median 1 (poor); Bea 2,3,3,4 -> 3 (good). Bea wins, then Ana, then Carla."""
    grades = ("reject", "poor", "acceptable", "good", "very good", "excellent")
    rows = [
        {"Ana": 5, "Bea": 4, "Carla": 2},
        {"Ana": 4, "Bea": 3, "Carla": 2},
        {"Ana": 3, "Bea": 3, "Carla": 2},
        {"Ana": 1, "Bea": 3, "Carla": 2},
        {"Ana": 0, "Bea": 2, "Carla": 5},
    ]
    profile = ScoreProfile.from_counts(
        ["Ana", "Bea", "Carla"], [(r, 1) for r in rows], grades=grades
    )
    result = majority_judgment(profile)
    assert result.winners == ("Bea",)
    assert result.ranking == ("Bea", "Ana", "Carla")
    assert result.gauges["Ana"].median_name == "good"
    assert (result.gauges["Ana"].above, result.gauges["Ana"].below) == (2, 2)
    assert (result.gauges["Bea"].above, result.gauges["Bea"].below) == (1, 1)
    assert result.gauges["Carla"].median_name == "acceptable"
    assert result.to_dict()["winners"] == ["Bea"]


@pytest.mark.parametrize(
    ("policy", "counts", "outcome"),
    [
        # Simple majority of valid votes: 10 yes vs 10 no -> 20 > 20 is false.
        (Policy(), {"yes": 10, "no": 10, "abstain": 5}, Outcome.REJECTED),
        (Policy(), {"yes": 11, "no": 10, "abstain": 50}, Outcome.CARRIED),
        # Half of votes cast: abstentions count against: 11*2 = 22 > 71? no.
        (Policy(base=Base.CAST), {"yes": 11, "no": 10, "abstain": 50}, Outcome.REJECTED),
        # Two thirds, not strict: 20*3 = 60 >= 2*30.
        (Policy(2, 3, strict=False), {"yes": 20, "no": 10}, Outcome.CARRIED),
        (Policy(2, 3, strict=True), {"yes": 20, "no": 10}, Outcome.REJECTED),
        # Majority of the entitled (100): 50*2 > 100 false.
        (Policy(base=Base.ENTITLED), {"yes": 50, "no": 0}, Outcome.REJECTED),
        # Quorum 1/3 of 100 entitled: 33 cast -> 99 >= 100 false.
        (Policy(quorum_numerator=1, quorum_denominator=3), {"yes": 33}, Outcome.NO_QUORUM),
        (Policy(quorum_numerator=1, quorum_denominator=3), {"yes": 34}, Outcome.CARRIED),
    ],
)
def test_policy_arithmetic(policy, counts, outcome):
    result = evaluate_policy(
        policy,
        yes=counts.get("yes", 0),
        no=counts.get("no", 0),
        abstain=counts.get("abstain", 0),
        entitled=100,
    )
    assert result.outcome is outcome


def test_policy_quorum_counts_present_members():
    result = evaluate_policy(
        Policy(quorum_numerator=1, quorum_denominator=2), yes=5, no=1, entitled=40, present=20
    )
    assert result.quorum_met
    assert result.participants == 20
    assert result.outcome is Outcome.CARRIED


def test_policy_rejects_impossible_counts():
    with pytest.raises(CountingError, match="entitled"):
        evaluate_policy(Policy(), yes=5, no=5, entitled=3)
    with pytest.raises(CountingError, match="fraction"):
        Policy(3, 2)


def test_consent():
    options = ["consent", "stand_aside", "block"]
    carried = ChoiceProfile.from_counts(options, [("consent", 5), ("stand_aside", 2)])
    assert count("consent", carried).winners == ("carried",)
    blocked = ChoiceProfile.from_counts(options, [("consent", 5), ("block", 1)])
    result = consent({"consent": 5, "block": 1})
    assert result.winners == ()
    assert result.outcome == "blocked"
    assert count("consent", blocked).winners == ()
    assert consent({"consent": 5, "block": 1}, max_blocks=1).outcome == "carried"
