from __future__ import annotations

import pytest
from django.contrib import admin

from asamblea.voting import services
from asamblea.voting.models import Ballot, Poll, VoteLedger
from tests.voting.conftest import open_poll

pytestmark = pytest.mark.django_db


def test_ballots_and_ledger_are_never_in_the_admin():
    assert Poll in admin.site._registry
    assert Ballot not in admin.site._registry
    assert VoteLedger not in admin.site._registry


def test_operator_sees_poll_with_options_and_results(fed, client_for):
    poll = open_poll(fed.secretary, fed.committee_a1, secret=True)
    services.cast_ballot(voter=fed.member, poll=poll, choice=["yes"])
    services.close_poll(actor=fed.secretary, poll=poll)
    client = client_for(fed.operator)
    assert client.get("/admin/voting/poll/").status_code == 200
    page = client.get(f"/admin/voting/poll/{poll.pk}/change/")
    assert page.status_code == 200
    assert "ballot_key" not in page.content.decode()
    assert client.get("/admin/voting/pollresult/").status_code == 200
