"""A receipt's size does not tell the choice: JSON and HTML receipts have the
same length whatever was chosen, and are not compressed (which would undo it)."""

from __future__ import annotations

import json

import pytest

from asamblea.voting import rules
from asamblea.voting.models import Method
from asamblea.voting.receipts import RECEIPT_SIZE
from tests.voting.conftest import open_poll

pytestmark = pytest.mark.django_db

GZIP = {"HTTP_ACCEPT_ENCODING": "gzip, deflate"}


def _sizes(responses):
    for response in responses:
        assert response.status_code == 200, response.content[:300]
        assert "Content-Encoding" not in response
    return {len(r.content) for r in responses}


def test_approval_receipts_have_one_size_whatever_the_number_of_approvals(fed, api):
    poll = open_poll(
        fed.secretary,
        fed.committee_a1,
        method=Method.APPROVAL,
        options=["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"],
        max_choices=11,
    )
    voters = [fed.member, fed.other_member, fed.secretary]
    ballots = [{"choice": []}, {"choice": [0]}, {"choice": list(range(11))}]
    responses = [
        api(voter)("post", f"/polls/{poll.pk}/ballot", ballot, **GZIP)
        for voter, ballot in zip(voters, ballots, strict=True)
    ]
    assert _sizes(responses) == {RECEIPT_SIZE}
    # Still the receipt, readable as JSON: what was recorded.
    assert [r.json()["choice"] for r in responses] == [[], [0], list(range(11))]
    # A changed vote: same size again.
    again = api(fed.member)("post", f"/polls/{poll.pk}/ballot", {"choice": [10, 9]}, **GZIP)
    assert _sizes([again]) == {RECEIPT_SIZE}
    assert again.json()["changed"] is True


@pytest.mark.parametrize(
    ("method", "extra", "short", "long"),
    [
        (Method.SCHULZE, {}, {"ranking": [[0]]}, {"ranking": [[p] for p in range(12)]}),
        (
            Method.SCORE,
            {"max_score": 100},
            {"scores": {"0": 1}},
            {"scores": {str(p): 100 for p in range(12)}},
        ),
        (
            Method.MAJORITY_JUDGMENT,
            {},
            {"grades": {str(p): "poor" for p in range(12)}},
            {"grades": {str(p): "very_good" for p in range(12)}},
        ),
    ],
)
def test_ranked_score_and_grade_receipts_have_one_size(fed, api, method, extra, short, long):
    poll = open_poll(
        fed.secretary,
        fed.committee_a1,
        method=method,
        options=[f"o{p}" for p in range(12)],
        **extra,
    )
    first = api(fed.member)("post", f"/polls/{poll.pk}/ballot", short, **GZIP)
    second = api(fed.other_member)("post", f"/polls/{poll.pk}/ballot", long, **GZIP)
    assert _sizes([first, second]) == {RECEIPT_SIZE}


def test_the_largest_possible_receipt_fits(fed, api):
    options = [f"o{p}" for p in range(rules.MAX_OPTIONS)]
    poll = open_poll(
        fed.secretary, fed.committee_a1, method=Method.MAJORITY_JUDGMENT, options=options
    )
    grades = {str(p): "excellent" for p in range(rules.MAX_OPTIONS)}
    response = api(fed.member)("post", f"/polls/{poll.pk}/ballot", {"grades": grades})
    assert response.status_code == 200, response.content[:300]
    assert len(response.content) == RECEIPT_SIZE
    assert json.loads(response.content)["ballot"]["grades"] == grades


def _vote_html(client, poll, data):
    return client.post(f"/polls/{poll.pk}/vote/", data, HTTP_HX_REQUEST="true", **GZIP)


def test_html_confirmations_have_one_size_whatever_the_number_of_approvals(fed, client_for):
    poll = open_poll(
        fed.secretary,
        fed.committee_a1,
        method=Method.APPROVAL,
        options=[
            "uno",
            "dos",
            "tres",
            "cuatro",
            "cinco",
            "seis",
            "siete",
            "ocho",
            "nueve",
            "diez",
            "once",
        ],
        max_choices=11,
    )
    choices = [[], ["3"], [str(p) for p in range(11)]]
    voters = [fed.member, fed.other_member, fed.secretary]
    responses = [
        _vote_html(client_for(voter), poll, {"choice": choice})
        for voter, choice in zip(voters, choices, strict=True)
    ]
    assert len(_sizes(responses)) == 1
    for response, choice in zip(responses, choices, strict=True):
        assert b"Your vote was recorded." in response.content
        assert response.content.count(b" checked") == len(choice)
    changed = _vote_html(client_for(fed.member), poll, {"choice": ["1", "2"]})
    assert b"Your vote was changed." in changed.content
    assert _sizes([changed]) == _sizes(responses)


def test_html_confirmations_of_rankings_have_one_size(fed, client_for):
    poll = open_poll(
        fed.secretary, fed.committee_a1, method=Method.SCHULZE, options=[f"o{p}" for p in range(12)]
    )
    short = {"ranking_0": "1"}
    long = {f"ranking_{p}": str(p + 1) for p in range(12)}
    first = _vote_html(client_for(fed.member), poll, short)
    second = _vote_html(client_for(fed.other_member), poll, long)
    assert len(_sizes([first, second])) == 1


def test_other_pages_are_still_compressed(fed, client_for):
    response = client_for(fed.member).get("/polls/", **GZIP)
    assert response["Content-Encoding"] == "gzip"
