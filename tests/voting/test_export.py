"""Anonymised ballot exports and the recount with the methods command line."""

from __future__ import annotations

import json

import pytest

from asamblea.core.errors import Conflict, InvalidInput
from asamblea.voting import selectors, services
from asamblea.voting.methods import parse_blt
from asamblea.voting.methods.__main__ import main
from asamblea.voting.models import Ballot, PollResult
from tests.factories import join, make_member
from tests.voting.conftest import open_poll

pytestmark = pytest.mark.django_db

CANDIDATES = ["Ana", "Bea", "Carla"]


def _voters(fed, n):
    voters = [fed.member, fed.other_member, fed.secretary]
    for _ in range(n - 3):
        voter = make_member()
        join(voter, fed.committee_a1)
        voters.append(voter)
    return voters


def _closed(fed, method, ballots, *, choices=False, **kwargs):
    voters = _voters(fed, max(3, len(ballots)))
    kwargs.setdefault("options", CANDIDATES)
    poll = open_poll(fed.operator, fed.region_a, method=method, secret=True, **kwargs)
    for voter, ballot in zip(voters, ballots, strict=False):
        if choices:
            services.cast_ballot(voter=voter, poll=poll, choice=ballot)
        else:
            services.cast_ballot(voter=voter, poll=poll, ballot=ballot)
    return services.close_poll(actor=fed.operator, poll=poll)


def _recount(tmp_path, capsys, poll, fmt, method, *extra):
    text = selectors.export_ballots_for(member=poll.created_by, poll=poll, fmt=fmt)
    path = tmp_path / f"ballots.{fmt}"
    path.write_text(text, encoding="utf-8")
    capsys.readouterr()
    args = ["count", "--method", method, "--seed", poll.seed, "--json", *extra, str(path)]
    assert main(args) == 0
    return json.loads(capsys.readouterr().out), text


def _stored_winners(poll):
    top = PollResult.objects.get(poll=poll, node=poll.node)
    labels = dict(poll.options.values_list("position", "label"))
    return [labels[p] for p in top.detail["winners"]]


RECOUNTS = [
    ("irv", "blt", [{"ranking": [[0]]}, {"ranking": [[1], [0]]}, {"ranking": [[2], [1]]}], {}),
    ("borda", "blt", [{"ranking": [[0], [1]]}, {"ranking": [[1], [0]]}], {}),
    ("schulze", "json", [{"ranking": [[0], [1, 2]]}, {"ranking": [[2]]}], {}),
    ("ranked-pairs", "blt", [{"ranking": [[0], [1]]}, {"ranking": [[1], [2]]}], {}),
    ("copeland", "blt", [{"ranking": [[2], [0]]}, {"ranking": [[1], [2]]}], {}),
    (
        "scottish-stv",
        "blt",
        [{"ranking": [[0], [1]]}] * 4 + [{"ranking": [[1]]}, {"ranking": [[2]]}],
        {"seats": 2},
    ),
    ("meek-stv", "blt", [{"ranking": [[0], [1]]}] * 3 + [{"ranking": [[2]]}], {"seats": 2}),
    ("score", "json", [{"scores": {"0": 3, "1": 3}}, {"scores": {"2": 1}}], {"max_score": 3}),
    (
        "majority-judgment",
        "json",
        [{"grades": {"0": "good", "1": "good", "2": "poor"}}] * 2,
        {},
    ),
]


@pytest.mark.parametrize(("method", "fmt", "ballots", "kwargs"), RECOUNTS)
def test_recounting_the_export_gives_the_stored_winners(
    fed, tmp_path, capsys, method, fmt, ballots, kwargs
):
    poll = _closed(fed, method, ballots, **kwargs)
    extra = ["--seats", str(poll.seats)] if poll.seats > 1 else []
    recount, _text = _recount(tmp_path, capsys, poll, fmt, method, *extra)
    assert recount["winners"] == _stored_winners(poll)
    assert (
        recount["lots"]
        == PollResult.objects.get(poll=poll, node=poll.node).detail["explanation"]["lots"]
    )


def test_choice_polls_recount_from_json(fed, tmp_path, capsys):
    block = _closed(fed, "block-approval", [[0, 1], [1], [2]], choices=True, seats=2)
    recount, _ = _recount(tmp_path, capsys, block, "json", "block-approval", "--seats", "2")
    assert recount["winners"] == _stored_winners(block)
    single = _closed(fed, "single", [[0], [0], [1]], choices=True)
    recount, _ = _recount(tmp_path, capsys, single, "json", "plurality")
    assert recount["winners"] == ["Ana"]
    consent = _closed(fed, "consent", [["consent"], ["block"]], choices=True, options=None)
    recount, _ = _recount(tmp_path, capsys, consent, "json", "consent")
    assert recount["outcome"] == "blocked"
    policy = _closed(fed, "yes_no_abstain", [["yes"], ["yes"], ["no"]], choices=True, options=None)
    recount, text = _recount(tmp_path, capsys, policy, "json", "policy")
    assert recount["winners"] == ["carried"]
    assert recount["decision"]["outcome"] == "carried"
    assert json.loads(text)["entitled"] == 4  # committee_a1 (3) and committee_a2 (1)


def test_export_is_anonymised_and_grouped(fed):
    ballots = [{"ranking": [[0], [1]]}] * 3 + [{"ranking": [[2]]}]
    poll = _closed(fed, "irv", ballots)
    text = selectors.export_ballots_for(member=fed.member, poll=poll, fmt="json")
    data = json.loads(text)
    assert data["candidates"] == CANDIDATES
    assert sorted((b["count"], b["ranking"]) for b in data["ballots"]) == [
        (1, ["Carla"]),
        (3, ["Ana", "Bea"]),
    ]
    for ballot in Ballot.objects.filter(poll=poll):
        assert str(ballot.id) not in text
        assert ballot.id.hex not in text
    for member in (fed.member, fed.other_member, fed.secretary):
        assert member.pseudonym not in text
    assert "Comité" not in text
    blt = selectors.export_ballots_for(member=fed.member, poll=poll, fmt="blt")
    assert blt.splitlines()[:3] == ["3 1", "3 1 2 0", "1 3 0"]


def test_a_hash_sign_in_an_option_survives_the_blt_round_trip(fed):
    poll = _closed(fed, "irv", [{"ranking": [[1]]}], options=["Lista #1", "Lista #2"])
    profile, seats = parse_blt(
        selectors.export_ballots_for(member=fed.member, poll=poll, fmt="blt")
    )
    assert seats == 1
    assert profile.candidates == ("Lista #1", "Lista #2")
    assert profile.total == 1


def test_export_is_refused_before_the_close_and_in_the_wrong_format(fed):
    poll = open_poll(fed.operator, fed.region_a, method="irv", options=CANDIDATES)
    with pytest.raises(Conflict, match="once the poll has closed"):
        selectors.export_ballots_for(member=fed.member, poll=poll, fmt="blt")
    services.cancel_poll(actor=fed.operator, poll=poll)
    poll.refresh_from_db()
    with pytest.raises(Conflict, match="no ballots to export"):
        selectors.export_ballots_for(member=fed.member, poll=poll, fmt="json")
    score = _closed(fed, "score", [{"scores": {"0": 1}}], max_score=3)
    with pytest.raises(InvalidInput, match="BLT holds ranked ballots only"):
        selectors.export_ballots_for(member=fed.member, poll=score, fmt="blt")
    with pytest.raises(InvalidInput, match="blt or json"):
        selectors.export_ballots_for(member=fed.member, poll=score, fmt="csv")
