"""An operator in the admin, as the review tried it: edits of polls, options and
results are refused; opening, closing and cancelling go through the services
and into the audit log with the operator as actor."""

from __future__ import annotations

import pytest
from django.contrib import admin

from asamblea.core import audit
from asamblea.core.models import AuditEntry
from asamblea.voting import services
from asamblea.voting.models import (
    Ballot,
    ElectorateEntry,
    Poll,
    PollOption,
    PollResult,
    PollState,
    VoteLedger,
)
from tests.core.admin_forms import action, change_form
from tests.voting.conftest import make_poll, open_poll

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/voting/poll/"


def _change_url(poll: Poll) -> str:
    return f"/admin/voting/poll/{poll.pk}/change/"


def test_ballots_and_ledger_are_never_in_the_admin():
    assert Poll in admin.site._registry
    assert Ballot not in admin.site._registry
    assert VoteLedger not in admin.site._registry
    assert ElectorateEntry not in admin.site._registry


def test_operator_sees_poll_with_options_and_results(fed, client_for):
    poll = open_poll(fed.secretary, fed.committee_a1, secret=True)
    services.cast_ballot(voter=fed.member, poll=poll, choice=["yes"])
    services.close_poll(actor=fed.secretary, poll=poll)
    client = client_for(fed.operator)
    assert client.get(CHANGELIST).status_code == 200
    page = client.get(_change_url(poll))
    assert page.status_code == 200
    assert "ballot_key" not in page.content.decode()
    assert client.get("/admin/voting/pollresult/").status_code == 200


def test_swapping_a_closed_polls_options_is_refused(fed, client_for):
    """The review swapped the labels of a closed poll's options and the winner
    shown changed. Now the post is refused and the winner stays."""
    poll = open_poll(fed.secretary, fed.committee_a1, method="single", options=["Ana", "Beto"])
    services.cast_ballot(voter=fed.member, poll=poll, choice=[0])
    services.cast_ballot(voter=fed.other_member, poll=poll, choice=[0])
    services.cast_ballot(voter=fed.secretary, poll=poll, choice=[1])
    services.close_poll(actor=fed.secretary, poll=poll)
    options = list(poll.options.order_by("position"))
    results = list(poll.results.all())
    form = change_form(
        poll,
        inlines={"options": options, "results": results},
        **{"options-0-label": "Beto", "options-1-label": "Ana"},
    )
    before = AuditEntry.objects.count()

    response = client_for(fed.operator).post(_change_url(poll), form)

    assert response.status_code == 403
    assert [o.label for o in poll.options.order_by("position")] == ["Ana", "Beto"]
    page = client_for(fed.member).get(f"/polls/{poll.pk}/results/").content.decode()
    assert "<strong>Ana</strong>" in page
    assert AuditEntry.objects.count() == before
    assert audit.verify_chain().ok


def test_unticking_secret_on_an_open_poll_is_refused(fed, client_for):
    """The review unticked "secret" on an open poll: a changed vote then counted
    twice. Now the post is refused and a changed vote still counts once."""
    poll = open_poll(fed.secretary, fed.committee_a1, secret=True)
    services.cast_ballot(voter=fed.member, poll=poll, choice=["yes"])
    form = change_form(
        poll, inlines={"options": list(poll.options.all()), "results": []}, secret=None
    )

    response = client_for(fed.operator).post(_change_url(poll), form)

    assert response.status_code == 403
    poll.refresh_from_db()
    assert poll.secret
    services.cast_ballot(voter=fed.member, poll=poll, choice=["no"])
    services.close_poll(actor=fed.secretary, poll=poll)
    top = PollResult.objects.get(poll=poll, node=fed.committee_a1)
    assert top.voted == 1
    assert sum(top.counts.values()) == 1


@pytest.mark.parametrize("state", ["draft", "open", "closed"])
def test_no_poll_setting_is_editable_in_any_state(fed, client_for, state):
    poll = make_poll(fed.secretary, fed.committee_a1)
    if state != "draft":
        services.open_poll(actor=fed.secretary, poll=poll)
    if state == "closed":
        services.close_poll(actor=fed.secretary, poll=poll)
    poll.refresh_from_db()
    form = change_form(
        poll,
        inlines={"options": list(poll.options.all()), "results": list(poll.results.all())},
        question="Changed quietly",
        majority_num="1",
        majority_den="3",
    )
    client = client_for(fed.operator)
    assert client.post(_change_url(poll), form).status_code == 403
    assert client.post(f"/admin/voting/poll/{poll.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.get("/admin/voting/poll/add/").status_code == 403
    poll.refresh_from_db()
    assert poll.question != "Changed quietly"
    assert (poll.majority_num, poll.majority_den) == (1, 2)


def test_results_and_options_cannot_be_changed_or_deleted(fed, client_for):
    poll = open_poll(fed.secretary, fed.committee_a1)
    services.cast_ballot(voter=fed.member, poll=poll, choice=["yes"])
    services.close_poll(actor=fed.secretary, poll=poll)
    result = PollResult.objects.get(poll=poll, node=fed.committee_a1)
    client = client_for(fed.operator)
    url = f"/admin/voting/pollresult/{result.pk}/"
    assert client.post(url + "change/", change_form(result, outcome="rejected")).status_code == 403
    assert client.post(url + "delete/", {"post": "yes"}).status_code == 403
    result.refresh_from_db()
    assert result.outcome != "rejected"
    assert PollOption.objects.filter(poll=poll).count() == 3


def test_operator_closes_a_poll_through_the_service_and_is_named_in_the_log(fed, client_for):
    poll = open_poll(fed.secretary, fed.committee_a1, secret=True)
    services.cast_ballot(voter=fed.member, poll=poll, choice=["yes"])

    response = client_for(fed.operator).post(CHANGELIST, action("close_polls", poll), follow=True)

    assert response.status_code == 200
    assert "1 poll(s) closed." in response.content.decode()
    poll.refresh_from_db()
    assert poll.state == PollState.CLOSED
    assert PollResult.objects.filter(poll=poll).exists()
    closed = AuditEntry.objects.get(action="poll.closed", object_id=str(poll.pk))
    assert (closed.actor_ref, closed.actor_label) == (fed.operator.pk, fed.operator.pseudonym)
    # Nothing in the log says who voted in this secret poll, or how.
    for entry in AuditEntry.objects.filter(object_type="voting.poll", object_id=str(poll.pk)):
        assert not {"voter", "member", "ballot", "choice", "slot"} & set(entry.data)
        assert fed.member.pseudonym not in str(entry.data)
    assert audit.verify_chain().ok


def test_operator_opens_and_cancels_through_actions(fed, client_for):
    poll = make_poll(fed.secretary, fed.committee_a1)
    client = client_for(fed.operator)
    client.post(CHANGELIST, action("open_polls", poll))
    poll.refresh_from_db()
    assert poll.state == PollState.OPEN
    client.post(CHANGELIST, action("cancel_polls", poll))
    poll.refresh_from_db()
    assert poll.state == PollState.CANCELLED
    actions = AuditEntry.objects.filter(
        object_type="voting.poll", object_id=str(poll.pk), actor_ref=fed.operator.pk
    )
    assert set(actions.values_list("action", flat=True)) == {"poll.opened", "poll.cancelled"}


def test_refused_action_says_why_and_changes_nothing(fed, client_for):
    draft = make_poll(fed.secretary, fed.committee_a1)
    before = AuditEntry.objects.count()

    response = client_for(fed.operator).post(CHANGELIST, action("close_polls", draft), follow=True)

    assert "Only an open poll can be closed." in response.content.decode()
    draft.refresh_from_db()
    assert draft.state == PollState.DRAFT
    assert AuditEntry.objects.count() == before
