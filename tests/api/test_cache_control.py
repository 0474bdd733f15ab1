"""API answers (receipts, a member's own ballot, profile, tokens, errors) are
never stored by a browser or a proxy."""

from __future__ import annotations

import pytest

from tests.voting.conftest import open_poll


@pytest.mark.django_db
def test_api_answers_are_not_stored(fed, api):
    poll = open_poll(fed.secretary, fed.committee_a1)
    call = api(fed.member)
    for method, path, body in [
        ("post", f"/polls/{poll.pk}/ballot", {"choice": ["yes"]}),
        ("get", f"/polls/{poll.pk}/my-ballot", None),
        ("get", "/accounts/me", None),
        ("get", "/accounts/tokens", None),
        ("get", "/polls/nope", None),
        ("get", "/no-such-path", None),
    ]:
        response = call(method, path, body)
        assert response["Cache-Control"] == "no-store", path
