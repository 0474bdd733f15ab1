"""The pure rules: thresholds, activation per scope, coarse figures."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from asamblea.pledges import rules
from asamblea.pledges.rules import Rule, ScopeNode

# zone 1 -> committees 2, 3 ; the call's node is the zone.
TREE = [
    ScopeNode(1, None, "zone"),
    ScopeNode(2, 1, "committee"),
    ScopeNode(3, 1, "committee"),
]
THRESHOLDS = {"zone": Rule("share", 60), "committee": Rule("share", 50)}


def _evaluate(p2: int, p3: int, m2: int = 10, m3: int = 10, thresholds=THRESHOLDS):
    return rules.evaluate(
        TREE,
        members={1: m2 + m3, 2: m2, 3: m3},
        pledges={1: p2 + p3, 2: p2, 3: p3},
        thresholds=thresholds,
    )


def test_share_rounds_up_and_needs_at_least_one():
    assert rules.needed(Rule("share", 50), 7) == 4
    assert rules.needed(Rule("share", 60), 20) == 12
    assert rules.needed(Rule("share", 1), 0) == 1
    assert rules.needed(Rule("count", 3), 100) == 3


def test_a_scope_activates_only_where_every_level_above_it_holds():
    results = _evaluate(9, 4)  # zone 13 of 20 >= 12; committee 3 has 4 < 5
    assert results[1].activated
    assert results[2].activated
    assert not results[3].reached
    assert not results[3].activated


def test_a_reached_committee_is_held_back_by_its_zone():
    results = _evaluate(6, 1)  # zone 7 < 12
    assert results[2].reached
    assert not results[2].activated
    assert results[2].held_back_by == 1


def test_rule_checks():
    assert rules.check_rule(Rule("share", 101)) == "over_hundred"
    assert rules.check_rule(Rule("count", 0)) == "below_one"
    assert rules.check_rule(Rule("count", 10_000)) == ""


def test_coarse_figures_suppress_and_round():
    assert rules.coarse(9, minimum=10, bucket=5) is None
    assert rules.coarse(14, minimum=10, bucket=5) == 10
    assert rules.coarse(15, minimum=10, bucket=5) == 15


counts = st.integers(min_value=0, max_value=10)


@given(counts, counts, st.integers(0, 10), st.integers(0, 10))
def test_activation_is_monotone_in_pledges(p2, p3, more2, more3):
    before = _evaluate(p2, p3)
    after = _evaluate(min(10, p2 + more2), min(10, p3 + more3))
    for node_id, result in before.items():
        if result.activated:
            assert after[node_id].activated


@given(counts, counts, st.integers(0, 1))
def test_withdrawing_before_activation_undoes_a_pledge_exactly(p2, p3, which):
    pledged = _evaluate(p2 + (which == 0), p3 + (which == 1), m2=11, m3=11)
    withdrawn = _evaluate(p2, p3, m2=11, m3=11)
    assert withdrawn == _evaluate(p2, p3, m2=11, m3=11)
    assert pledged[1].pledges == withdrawn[1].pledges + 1


@given(st.integers(0, 1000))
def test_no_figure_below_the_minimum_is_ever_public(count):
    shown = rules.coarse(count, minimum=10, bucket=5)
    assert shown is None or (10 <= shown <= count and shown % 5 == 0)
