"""JSON booleans are not integers: ``true`` is never option 1, score 1 or id 1."""

from __future__ import annotations

import pytest

from asamblea.voting.models import Ballot, Method
from tests.voting.conftest import open_poll, snapshot

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("method", "kwargs", "ballot"),
    [
        (Method.YES_NO_ABSTAIN, {}, {"choice": [True]}),
        (Method.YES_NO_ABSTAIN, {}, {"choice": [False]}),
        (Method.APPROVAL, {"options": ["a", "b", "c"], "max_choices": 3}, {"choice": [0, True]}),
        (Method.SCHULZE, {"options": ["a", "b", "c"]}, {"ranking": [[True], [0]]}),
        (Method.SCORE, {"options": ["a", "b"], "max_score": 5}, {"scores": {"0": True}}),
    ],
)
def test_booleans_are_refused_as_choices(fed, api, method, kwargs, ballot):
    poll = open_poll(fed.secretary, fed.committee_a1, method=method, **kwargs)
    call = api(fed.member)
    before = snapshot()
    response = call("post", f"/polls/{poll.pk}/ballot", ballot)
    assert response.status_code == 422, response.content
    assert response.json()["error"]["code"] == "invalid"
    assert "true and false" in response.json()["error"]["message"]
    assert snapshot() == before
    assert not Ballot.objects.exists()


def test_booleans_are_refused_as_ids_and_numbers(fed, api):
    call = api(fed.secretary)
    assert call("post", "/polls/", {"node": True, "question": "q"}).status_code == 422
    response = call(
        "post", "/polls/", {"node": fed.committee_a1.pk, "question": "q", "max_choices": True}
    )
    assert response.status_code == 422


def test_boolean_fields_still_take_booleans(fed, api):
    response = api(fed.secretary)(
        "post", "/polls/", {"node": fed.committee_a1.pk, "question": "q", "secret": True}
    )
    assert response.status_code == 201, response.content
    assert response.json()["secret"] is True
