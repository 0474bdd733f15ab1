"""Results at every level for each aggregation mode, on the ``fed`` tree.

Votes used throughout (weights 1): committee_a1 secretary yes, member no,
other_member no (a1 rejects 1-2); committee_a2 neighbour yes; committee_b1
outsider yes. Pooled, the assembly carries 3-2; by committee weighted by
members the blocks are a1 no x3, a2 yes x1, b1 yes x1, so it rejects 2-3.
"""

from __future__ import annotations

import pytest

from asamblea.core.actors import SYSTEM
from asamblea.federation import services as federation_services
from asamblea.federation.access import Viewer
from asamblea.federation.models import Mandate, MandateSource, NodeKind
from asamblea.voting import selectors, services
from asamblea.voting.methods import ChoiceProfile, count
from asamblea.voting.models import DelegateCast, PollResult
from asamblea.voting.results import compute_results
from tests.factories import join, make_member
from tests.voting.conftest import open_poll

pytestmark = pytest.mark.django_db


def _vote_and_close(fed, **kwargs):
    poll = open_poll(fed.operator, fed.assembly, **kwargs)
    for voter, choice in (
        (fed.secretary, "yes"),
        (fed.member, "no"),
        (fed.other_member, "no"),
        (fed.neighbour, "yes"),
        (fed.outsider, "yes"),
    ):
        services.cast_ballot(voter=voter, poll=poll, choice=[choice])
    services.close_poll(actor=fed.operator, poll=poll)
    return poll, {r.node_id: r for r in PollResult.objects.filter(poll=poll)}


def _yna(result):
    return (result.counts["0"], result.counts["1"], result.counts["2"], result.outcome)


def test_pooled_counts_every_ballot_once_at_every_level(fed):
    _poll, by_node = _vote_and_close(fed)
    assert len(by_node) == 7
    assert _yna(by_node[fed.committee_a1.pk]) == (1, 2, 0, "rejected")
    assert _yna(by_node[fed.committee_a2.pk]) == (1, 0, 0, "carried")
    assert _yna(by_node[fed.zone_a.pk]) == (2, 2, 0, "rejected")  # 2 of 4 is not more than half
    assert _yna(by_node[fed.region_a.pk]) == (2, 2, 0, "rejected")
    assert _yna(by_node[fed.region_b.pk]) == (1, 0, 0, "carried")
    top = by_node[fed.assembly.pk]
    assert _yna(top) == (3, 2, 0, "carried")
    assert (top.entitled, top.voted) == (5, 5)
    assert top.detail["fraction"] == "3/5"
    assert (top.detail["yes_scaled"], top.detail["threshold_scaled"]) == (6, 5)


def test_by_committee_members_gives_each_committee_its_block(fed):
    _poll, by_node = _vote_and_close(fed, aggregation="by_committee_members")
    assert _yna(by_node[fed.committee_a1.pk]) == (1, 2, 0, "rejected")
    assert _yna(by_node[fed.zone_a.pk]) == (1, 3, 0, "rejected")
    assert _yna(by_node[fed.assembly.pk]) == (2, 3, 0, "rejected")
    assert by_node[fed.assembly.pk].detail["blocks"] is True
    assert by_node[fed.assembly.pk].voted == 5


def test_by_committee_equal_gives_each_committee_one_vote(fed):
    _poll, by_node = _vote_and_close(fed, aggregation="by_committee_equal")
    assert _yna(by_node[fed.zone_a.pk]) == (1, 1, 0, "rejected")
    assert _yna(by_node[fed.assembly.pk]) == (2, 1, 0, "carried")


def test_delegates_cast_their_committee_result_and_are_named(fed):
    Mandate.objects.create(
        committee=fed.committee_a1, delegate=fed.member, source=MandateSource.APPOINTED
    )
    poll, by_node = _vote_and_close(fed, aggregation="delegates")
    assert _yna(by_node[fed.assembly.pk]) == (2, 3, 0, "rejected")
    casts = {c.committee_id: c for c in DelegateCast.objects.filter(poll=poll)}
    assert casts[fed.committee_a1.pk].delegate == fed.member
    assert casts[fed.committee_a1.pk].counts == {"1": 3}
    assert casts[fed.committee_a1.pk].weight == 3
    # A committee without a delegate still casts, recorded with no one named.
    assert casts[fed.committee_a2.pk].delegate is None
    assert casts[fed.committee_a2.pk].counts == {"0": 1}


def test_committee_where_nobody_voted_casts_no_block(fed):
    poll = open_poll(fed.operator, fed.assembly, aggregation="by_committee_equal")
    services.cast_ballot(voter=fed.outsider, poll=poll, choice=["yes"])
    services.close_poll(actor=fed.operator, poll=poll)
    top = PollResult.objects.get(poll=poll, node=fed.assembly)
    assert _yna(top) == (1, 0, 0, "carried")
    assert top.detail["participants"] == 1
    assert top.detail["entitled_weight"] == 3


def test_quorum_counts_against_the_entitled_electorate(fed):
    poll = open_poll(fed.secretary, fed.committee_a1, quorum_num=2, quorum_den=3)
    services.cast_ballot(voter=fed.member, poll=poll, choice=["yes"])
    services.close_poll(actor=fed.secretary, poll=poll)
    result = PollResult.objects.get(poll=poll)
    assert result.outcome == "no_quorum"
    assert not result.quorum_met
    assert result.detail["quorum_required"] == "2/3"


def test_majority_of_the_entitled_electorate(fed):
    poll = open_poll(fed.secretary, fed.committee_a1, majority_base="entitled")
    services.cast_ballot(voter=fed.member, poll=poll, choice=["yes"])
    services.cast_ballot(voter=fed.other_member, poll=poll, choice=["abstain"])
    services.close_poll(actor=fed.secretary, poll=poll)
    result = PollResult.objects.get(poll=poll)
    # 1 yes of 3 entitled is not more than half, though it is all the valid votes.
    assert result.outcome == "rejected"
    assert result.detail["base_votes"] == 3


def test_membership_weight_counts_in_the_result(fed):
    fed.committee_a1.memberships.filter(member=fed.member).update(weight=3)
    poll = open_poll(fed.secretary, fed.committee_a1)
    services.cast_ballot(voter=fed.member, poll=poll, choice=["yes"])
    services.cast_ballot(voter=fed.other_member, poll=poll, choice=["no"])
    services.cast_ballot(voter=fed.secretary, poll=poll, choice=["no"])
    services.close_poll(actor=fed.secretary, poll=poll)
    result = PollResult.objects.get(poll=poll)
    assert _yna(result) == (3, 2, 0, "carried")
    assert (result.entitled, result.voted) == (3, 3)


def _drawn(seed, names):
    """The option the library draws among ``names`` tied one vote each."""
    profile = ChoiceProfile.from_counts(names, [(n, 1) for n in names])
    return count("plurality", profile, seed=seed).winners[0]


def test_single_choice_tie_is_broken_by_lot_with_the_poll_seed(fed):
    poll = open_poll(fed.secretary, fed.committee_a1, method="single", options=["Lunes", "Martes"])
    services.cast_ballot(voter=fed.member, poll=poll, choice=[0])
    services.cast_ballot(voter=fed.other_member, poll=poll, choice=[1])
    poll = services.close_poll(actor=fed.secretary, poll=poll)
    result = PollResult.objects.get(poll=poll)
    drawn = _drawn(poll.seed, ["Lunes", "Martes"])
    assert result.outcome == "decided"
    assert result.detail["winners"] == [["Lunes", "Martes"].index(drawn)]
    (lot,) = result.detail["explanation"]["lots"]
    assert lot["candidates"] == ["Lunes", "Martes"]
    assert lot["order"][0] == drawn
    assert result.detail["explanation"]["co_winners"] == ["Lunes", "Martes"]


def test_level_without_ballots_is_the_only_tie(fed):
    poll = open_poll(fed.operator, fed.zone_a, method="single", options=["Lunes", "Martes"])
    services.cast_ballot(voter=fed.neighbour, poll=poll, choice=[1])
    services.close_poll(actor=fed.operator, poll=poll)
    by_node = {r.node_id: r for r in PollResult.objects.filter(poll=poll)}
    assert by_node[fed.committee_a2.pk].outcome == "decided"
    assert by_node[fed.zone_a.pk].detail["winners"] == [1]
    # committee_a1 has an electorate and no ballot: nothing to decide, not even by lot.
    a1 = selectors.results_tree(member=fed.operator, poll=poll)
    a1_result = next(r for r in a1 if r.node_id == fed.committee_a1.pk)
    assert a1_result.outcome == "tie"
    assert a1_result.detail["winners"] == []
    assert a1_result.detail["error"] == "empty_poll"


def test_tied_committee_casts_its_block_for_the_option_drawn(fed):
    poll = open_poll(
        fed.operator,
        fed.zone_a,
        method="single",
        options=["Lunes", "Martes"],
        aggregation="by_committee_equal",
    )
    # committee_a1 ties 1-1; committee_a2 chooses Martes.
    services.cast_ballot(voter=fed.member, poll=poll, choice=[0])
    services.cast_ballot(voter=fed.other_member, poll=poll, choice=[1])
    services.cast_ballot(voter=fed.neighbour, poll=poll, choice=[1])
    poll = services.close_poll(actor=fed.operator, poll=poll)
    drawn = ["Lunes", "Martes"].index(_drawn(poll.seed, ["Lunes", "Martes"]))
    zone = PollResult.objects.get(poll=poll, node=fed.zone_a)
    expected = {"0": 0, "1": 1}
    expected[str(drawn)] += 1
    assert zone.counts == expected
    assert zone.detail["blocks"] is True
    assert zone.outcome == "decided"


def test_approval_by_committee_blocks_go_to_each_committee_winner(fed):
    poll = open_poll(
        fed.operator,
        fed.zone_a,
        method="approval",
        options=["Agua", "Luz", "Pistas"],
        max_choices=2,
        aggregation="by_committee_members",
    )
    services.cast_ballot(voter=fed.member, poll=poll, choice=[0, 1])
    services.cast_ballot(voter=fed.other_member, poll=poll, choice=[1])
    services.cast_ballot(voter=fed.neighbour, poll=poll, choice=[2])
    services.close_poll(actor=fed.operator, poll=poll)
    a1 = PollResult.objects.get(poll=poll, node=fed.committee_a1)
    assert a1.counts == {"0": 1, "1": 2, "2": 0}
    assert a1.outcome == "decided"
    zone = PollResult.objects.get(poll=poll, node=fed.zone_a)
    assert zone.counts == {"0": 0, "1": 3, "2": 1}
    assert zone.detail["winners"] == [1]


def test_recomputing_replaces_stored_results(fed):
    poll, _ = _vote_and_close(fed)
    assert len(compute_results(poll=poll)) == 7
    assert PollResult.objects.filter(poll=poll).count() == 7


def test_committee_rows_are_stored_compact_and_shown_with_their_arithmetic(fed):
    poll, by_node = _vote_and_close(fed)
    stored = by_node[fed.committee_a1.pk].detail
    assert stored["compact"] is True
    assert "fraction" not in stored
    shown = {r.node_id: r for r in selectors.results_tree(member=fed.operator, poll=poll)}
    a1 = shown[fed.committee_a1.pk].detail
    assert a1["fraction"] == "1/3"
    assert (a1["yes_scaled"], a1["threshold_scaled"], a1["majority_met"]) == (2, 3, False)
    assert (a1["participants"], a1["entitled_weight"], a1["aggregation"]) == (3, 3, "pooled")
    # Levels above committees keep their arithmetic as stored.
    assert by_node[fed.zone_a.pk].detail["fraction"] == "2/4"
    assert shown[fed.zone_a.pk].detail == by_node[fed.zone_a.pk].detail


def test_committee_poll_keeps_its_own_arithmetic_stored(fed):
    poll = open_poll(fed.secretary, fed.committee_a1)
    services.cast_ballot(voter=fed.member, poll=poll, choice=["yes"])
    services.close_poll(actor=fed.secretary, poll=poll)
    detail = PollResult.objects.get(poll=poll).detail
    assert "compact" not in detail
    assert detail["fraction"] == "1/1"


def test_compact_single_choice_rows_show_their_winners(fed):
    poll = open_poll(fed.operator, fed.assembly, method="single", options=["Agua", "Luz"])
    for voter, position in ((fed.secretary, 1), (fed.member, 1), (fed.other_member, 0)):
        services.cast_ballot(voter=voter, poll=poll, choice=[position])
    services.close_poll(actor=fed.operator, poll=poll)
    stored = PollResult.objects.get(poll=poll, node=fed.committee_a1).detail
    assert "winners" not in stored
    shown = {r.node_id: r for r in selectors.results_tree(member=fed.operator, poll=poll)}
    assert shown[fed.committee_a1.pk].detail["winners"] == [1]


def test_compact_rows_are_explained_with_a_fixed_number_of_queries(
    fed, django_assert_max_num_queries
):
    for i in range(8):
        committee = federation_services.create_node(
            actor=SYSTEM, kind=NodeKind.COMMITTEE, name=f"Comité {i}", parent=fed.zone_a
        )
        join(make_member(), committee)
    poll = open_poll(fed.operator, fed.assembly, method="single", options=["Agua", "Luz"])
    for entry in poll.electorate.select_related("member"):
        services.cast_ballot(voter=entry.member, poll=poll, choice=[entry.member_id % 2])
    services.close_poll(actor=fed.operator, poll=poll)
    # One options query for every compact row, not one per row (11 here). The
    # viewer is the request's, read once before (federation.access.viewer_of).
    viewer = Viewer.of(fed.operator)
    with django_assert_max_num_queries(8):
        shown = selectors.results_tree(member=viewer, poll=poll)
    assert sum(1 for r in shown if r.node.is_committee) == 11
    assert all("winners" in r.detail for r in shown)
