"""Services for the counting-library methods: create, open, cast, close."""

from __future__ import annotations

import hashlib

import pytest

from asamblea.core.errors import InvalidInput
from asamblea.core.models import AuditEntry
from asamblea.voting import services
from asamblea.voting.models import Ballot, PollResult, VoteLedger
from tests.factories import join, make_member
from tests.voting.conftest import make_poll, open_poll, snapshot

pytestmark = pytest.mark.django_db

CANDIDATES = ["Ana", "Bea", "Carla"]


def _voters(fed, n):
    """``n`` voters of committee_a1 (the three of the fixture first)."""
    voters = [fed.member, fed.other_member, fed.secretary]
    for _ in range(n - len(voters)):
        voter = make_member()
        join(voter, fed.committee_a1)
        voters.append(voter)
    return voters[:n]


def _poll(fed, method, **kwargs):
    kwargs.setdefault("options", CANDIDATES)
    return make_poll(fed.operator, fed.region_a, method=method, **kwargs)


def _top(poll):
    return PollResult.objects.get(poll=poll, node=poll.node)


# --- creating ----------------------------------------------------------------


@pytest.mark.parametrize(
    "method", ["irv", "borda", "copeland", "schulze", "ranked-pairs", "majority-judgment"]
)
def test_single_winner_methods_are_created_with_one_seat_and_no_score(fed, method):
    poll = _poll(fed, method, seats=3, max_score=9)
    assert (poll.method, poll.seats, poll.max_score, poll.max_choices) == (method, 1, 0, 1)


def test_stv_poll_keeps_its_seats(fed):
    poll = _poll(fed, "scottish-stv", options=[*CANDIDATES, "Dina"], seats=2)
    assert poll.seats == 2


def test_block_approval_lets_each_voter_approve_one_option_per_seat(fed):
    poll = _poll(fed, "block-approval", seats=2)
    assert (poll.seats, poll.max_choices) == (2, 2)


def test_score_poll_keeps_its_highest_score(fed):
    assert _poll(fed, "score", max_score=10).max_score == 10


def test_consent_poll_has_its_three_fixed_responses(fed):
    poll = _poll(fed, "consent", options=None)
    codes = list(poll.options.values_list("code", flat=True))
    assert codes == ["consent", "stand_aside", "block"]


def test_library_names_policy_and_plurality_are_accepted(fed):
    assert _poll(fed, "plurality").method == "single"
    assert _poll(fed, "policy", options=None).method == "yes_no_abstain"


@pytest.mark.parametrize(
    ("method", "kwargs", "field", "message"),
    [
        ("scottish-stv", {"seats": 0}, "seats", "number of seats"),
        ("meek-stv", {"seats": 3}, "seats", "fewer than the options"),
        ("block-approval", {"seats": 5}, "seats", "number of seats"),
        ("score", {}, "max_score", "highest score"),
        ("score", {"max_score": 101}, "max_score", "between 1 and 100"),
        ("irv", {"aggregation": "by_committee_equal"}, "aggregation", "count this method"),
        ("consent", {"aggregation": "delegates"}, "aggregation", "pooled"),
        ("irv", {"options": ["Ana", "Bea\nCarla"]}, "options", "one line"),
        ("condorcet", {}, "method", "Unknown voting method"),
    ],
)
def test_bad_method_settings_are_refused_and_nothing_is_written(
    fed, method, kwargs, field, message
):
    before = snapshot()
    with pytest.raises(InvalidInput) as caught:
        _poll(fed, method, **kwargs)
    assert caught.value.status == 422
    assert caught.value.field == field
    assert message in str(caught.value.message)
    assert snapshot() == before


def test_seed_is_drawn_again_when_the_poll_opens_and_committed_in_the_audit(fed):
    poll = _poll(fed, "irv")
    draft_seed = poll.seed
    poll = services.open_poll(actor=fed.operator, poll=poll)
    assert poll.seed
    assert poll.seed != draft_seed
    entry = AuditEntry.objects.filter(action="poll.opened").latest("pk")
    assert entry.data["seed_sha256"] == hashlib.sha256(poll.seed.encode()).hexdigest()
    assert poll.seed not in str(entry.data)


# --- casting -----------------------------------------------------------------


def test_ranked_ballot_is_stored_normalised_with_no_voter_in_a_secret_poll(fed):
    poll = open_poll(fed.operator, fed.region_a, method="schulze", options=CANDIDATES, secret=True)
    receipt = services.cast_ballot(voter=fed.member, poll=poll, ballot={"ranking": [["2"], [1, 0]]})
    assert receipt.ballot == {"ranking": [[2], [0, 1]]}
    ballot = Ballot.objects.get(poll=poll)
    assert ballot.data == {"ranking": [[2], [0, 1]]}
    assert (ballot.voter_id, ballot.cast_at, ballot.mask) == (None, None, 0)
    assert not ballot.slot.startswith("member:")
    services.close_poll(actor=fed.operator, poll=poll)
    # Written again at the close under a fresh id and slot; the original is gone.
    (again,) = Ballot.objects.filter(poll=poll)
    assert again.id != ballot.id
    assert again.slot.startswith("r")
    assert again.data == ballot.data
    assert VoteLedger.objects.filter(poll=poll, member=fed.member).exists()


def test_changing_a_ranking_keeps_one_ballot(fed):
    poll = open_poll(fed.operator, fed.region_a, method="irv", options=CANDIDATES)
    services.cast_ballot(voter=fed.member, poll=poll, ballot={"ranking": [[0], [1]]})
    receipt = services.cast_ballot(voter=fed.member, poll=poll, ballot={"ranking": [[2]]})
    assert receipt.changed
    assert list(Ballot.objects.filter(poll=poll).values_list("data", flat=True)) == [
        {"ranking": [[2]]}
    ]


BAD_BALLOTS = [
    ("irv", {"ranking": [[0], [0]]}, "ranked twice"),
    ("irv", {"ranking": [[0], [7]]}, "does not exist"),
    ("irv", {"ranking": [[0, 1]]}, "does not accept equal ranks"),
    ("irv", {"ranking": []}, "at least one"),
    ("irv", {"ranking": [[]]}, "lists no option"),
    ("irv", {"ranking": "0,1"}, "list of ranks"),
    ("irv", {"ranking": [[True]]}, "does not exist"),
    ("irv", {"scores": {"0": 1}}, "ranking of the options"),
    ("irv", {"ranking": [[0]], "scores": {}}, "ranking of the options"),
    ("score", {"scores": {"0": 11}}, "between 0 and 10"),
    ("score", {"scores": {"0": -1}}, "between 0 and 10"),
    ("score", {"scores": {"0": 2.5}}, "whole number"),
    ("score", {"scores": {"9": 2}}, "does not exist"),
    ("score", {"scores": {"0": 1, 0: 2}}, "scored twice"),
    ("score", {"scores": [1, 2]}, "per option"),
    ("majority-judgment", {"grades": {"0": "superb", "1": "good", "2": "good"}}, "grade"),
    ("majority-judgment", {"grades": {"0": "good"}}, "Grade every option"),
    ("majority-judgment", {"ranking": [[0]]}, "grade per option"),
]


@pytest.mark.parametrize(("method", "ballot", "message"), BAD_BALLOTS)
def test_bad_ballot_is_refused_with_a_message_and_nothing_is_written(fed, method, ballot, message):
    poll = open_poll(fed.operator, fed.region_a, method=method, options=CANDIDATES, max_score=10)
    before = snapshot()
    with pytest.raises(InvalidInput) as caught:
        services.cast_ballot(voter=fed.member, poll=poll, ballot=ballot)
    assert caught.value.status == 422
    assert message in str(caught.value.message)
    assert snapshot() == before


def test_choice_for_a_ranked_poll_and_ranking_for_a_choice_poll_are_refused(fed):
    ranked = open_poll(fed.operator, fed.region_a, method="irv", options=CANDIDATES)
    single = open_poll(fed.operator, fed.region_a, method="single", options=CANDIDATES)
    before = snapshot()
    with pytest.raises(InvalidInput, match="ranking"):
        services.cast_ballot(voter=fed.member, poll=ranked, choice=[0])
    with pytest.raises(InvalidInput, match="choice of options"):
        services.cast_ballot(voter=fed.member, poll=single, ballot={"ranking": [[0]]})
    assert snapshot() == before


# --- closing -----------------------------------------------------------------


def _cast_all(poll, voters, ballots):
    for voter, ballot in zip(voters, ballots, strict=True):
        if "choice" in ballot:
            services.cast_ballot(voter=voter, poll=poll, choice=ballot["choice"])
        else:
            services.cast_ballot(voter=voter, poll=poll, ballot=ballot)


def test_irv_close_stores_winner_and_rounds_at_every_level(fed):
    voters = _voters(fed, 5)
    poll = open_poll(fed.operator, fed.region_a, method="irv", options=CANDIDATES)
    # Carla is excluded first; her ballot goes to Bea, who then wins 3 to 2.
    rankings = [[[0]], [[0], [1]], [[1]], [[1], [0]], [[2], [1]]]
    _cast_all(poll, voters, [{"ranking": r} for r in rankings])
    services.close_poll(actor=fed.operator, poll=poll)
    levels = {r.node_id: r for r in PollResult.objects.filter(poll=poll)}
    assert set(levels) == {
        fed.region_a.pk,
        fed.zone_a.pk,
        fed.committee_a1.pk,
        fed.committee_a2.pk,
    }
    assert levels[fed.committee_a2.pk].outcome == "tie"  # entitled, but nobody voted
    top = levels[fed.region_a.pk]
    assert top.outcome == "decided"
    assert top.detail["winners"] == [1]
    assert top.detail["seed"] == poll.seed
    assert top.counts == {"0": 2, "1": 2, "2": 1}
    rounds = top.detail["explanation"]["rounds"]
    assert [(r["action"], r["candidate"]) for r in rounds] == [
        ("excluded", "Carla"),
        ("elected", "Bea"),
    ]
    assert rounds[0]["transfers"] == {"Bea": 1}
    assert levels[fed.committee_a1.pk].detail["winners"] == [1]


def test_schulze_close_records_the_matrix_and_strongest_paths(fed):
    poll = open_poll(fed.operator, fed.region_a, method="schulze", options=CANDIDATES)
    voters = _voters(fed, 3)
    _cast_all(poll, voters, [{"ranking": [[0], [1, 2]]}, {"ranking": [[0]]}, {"ranking": [[2]]}])
    services.close_poll(actor=fed.operator, poll=poll)
    explanation = _top(poll).detail["explanation"]
    assert explanation["winners"] == ["Ana"]
    assert explanation["matrix"]["Ana"] == {"Bea": 2, "Carla": 2}
    assert "strongest_paths" in explanation


def test_scottish_stv_elects_two(fed):
    voters = _voters(fed, 6)
    poll = open_poll(
        fed.operator, fed.region_a, method="scottish-stv", options=[*CANDIDATES, "Dina"], seats=2
    )
    ballots = [[[0]], [[0], [1]], [[0], [1]], [[1]], [[2]], [[3], [2]]]
    _cast_all(poll, voters, [{"ranking": r} for r in ballots])
    services.close_poll(actor=fed.operator, poll=poll)
    top = _top(poll)
    assert top.outcome == "decided"
    assert len(top.detail["winners"]) == 2
    assert top.detail["winners"][0] == 0
    assert top.detail["explanation"]["quota"] == "3.00000"


def test_score_and_majority_judgment_pick_their_winners(fed):
    score = open_poll(fed.operator, fed.region_a, method="score", options=CANDIDATES, max_score=5)
    grades = open_poll(fed.operator, fed.region_a, method="majority-judgment", options=CANDIDATES)
    voters = _voters(fed, 3)
    _cast_all(score, voters, [{"scores": {"0": 5}}, {"scores": {"1": 4}}, {"scores": {"1": 2}}])
    good = {"0": "excellent", "1": "good", "2": "reject"}
    fair = {"0": "reject", "1": "fair", "2": "poor"}
    _cast_all(grades, voters, [{"grades": good}, {"grades": fair}, {"grades": good}])
    services.close_poll(actor=fed.operator, poll=score)
    services.close_poll(actor=fed.operator, poll=grades)
    assert _top(score).detail["winners"] == [1]
    assert _top(score).counts == {"0": 5, "1": 6, "2": 0}
    mj = _top(grades)
    assert mj.detail["winners"] == [0]
    assert mj.detail["explanation"]["gauges"]["Bea"]["median_name"] == "good"


def test_consent_is_carried_without_blocks_and_rejected_with_one(fed):
    voters = _voters(fed, 3)
    carried = open_poll(fed.operator, fed.region_a, method="consent")
    blocked = open_poll(fed.operator, fed.region_a, method="consent")
    _cast_all(
        carried, voters, [{"choice": ["consent"]}, {"choice": ["stand_aside"]}, {"choice": [0]}]
    )
    _cast_all(blocked, voters, [{"choice": ["consent"]}, {"choice": ["block"]}, {"choice": [0]}])
    services.close_poll(actor=fed.operator, poll=carried)
    services.close_poll(actor=fed.operator, poll=blocked)
    assert _top(carried).outcome == "carried"
    assert _top(blocked).outcome == "rejected"
    assert _top(blocked).detail["explanation"]["outcome"] == "blocked"
    assert _top(blocked).counts == {"0": 2, "1": 0, "2": 1}


def test_block_approval_elects_the_most_approved(fed):
    poll = open_poll(
        fed.operator, fed.region_a, method="block-approval", options=CANDIDATES, seats=2
    )
    voters = _voters(fed, 3)
    _cast_all(poll, voters, [{"choice": [0, 1]}, {"choice": [1, 2]}, {"choice": [1]}])
    services.close_poll(actor=fed.operator, poll=poll)
    top = _top(poll)
    assert top.detail["winners"][0] == 1
    assert len(top.detail["winners"]) == 2
    assert top.counts == {"0": 1, "1": 3, "2": 1}


def test_tie_is_drawn_by_lot_from_the_seed_and_recorded(fed):
    poll = open_poll(fed.operator, fed.region_a, method="borda", options=CANDIDATES)
    voters = _voters(fed, 2)
    _cast_all(poll, voters, [{"ranking": [[0], [1]]}, {"ranking": [[1], [0]]}])
    services.close_poll(actor=fed.operator, poll=poll)
    explanation = _top(poll).detail["explanation"]
    assert explanation["seed"] == poll.seed
    assert len(explanation["lots"]) == 1
    assert explanation["winners"] == [explanation["lots"][0]["order"][0]]


def test_a_level_without_ballots_is_a_tie_and_the_close_still_succeeds(fed):
    poll = open_poll(fed.operator, fed.region_a, method="irv", options=CANDIDATES)
    services.close_poll(actor=fed.operator, poll=poll)
    top = _top(poll)
    assert (top.outcome, top.detail["winners"], top.detail["error"]) == ("tie", [], "empty_poll")


def test_quorum_not_met_decides_nothing(fed):
    poll = open_poll(
        fed.operator, fed.region_a, method="irv", options=CANDIDATES, quorum_num=1, quorum_den=1
    )
    services.cast_ballot(voter=fed.member, poll=poll, ballot={"ranking": [[0]]})
    services.close_poll(actor=fed.operator, poll=poll)
    top = _top(poll)
    assert (top.outcome, top.quorum_met, top.detail["winners"]) == ("no_quorum", False, [])
