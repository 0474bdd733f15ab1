from __future__ import annotations

from datetime import timedelta

import pytest
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from asamblea.core.actors import SYSTEM
from asamblea.federation import services as federation_services
from asamblea.motions import services as motion_services
from asamblea.voting import services
from asamblea.voting.models import Ballot, Poll, PollState
from tests.voting.conftest import make_poll, open_poll, snapshot

pytestmark = pytest.mark.django_db

ROLES = ["member", "secretary", "delegate", "operator", "outsider", "anonymous"]
SCOPES = ["own", "other", "above"]


def _actor(fed, role):
    if role == "anonymous":
        return None
    if role == "delegate":
        federation_services.appoint_delegate(
            actor=SYSTEM, committee=fed.committee_a1, delegate=fed.other_member
        )
        return fed.other_member
    return getattr(fed, role)


def _node(fed, scope):
    return {"own": fed.committee_a1, "other": fed.committee_b1, "above": fed.region_a}[scope]


def _client(client_for, actor):
    return Client() if actor is None else client_for(actor)


# Expected statuses; "own" is committee_a1 (the member's, secretary's and
# delegate's), "other" is committee_b1 (the outsider's), "above" is region_a.
VIEW = {
    "own": {"member": 200, "secretary": 200, "delegate": 200, "operator": 200, "outsider": 404},
    "other": {"member": 404, "secretary": 404, "delegate": 404, "operator": 200, "outsider": 200},
    "above": {"member": 200, "secretary": 200, "delegate": 200, "operator": 200, "outsider": 404},
}
MANAGE = {
    "own": {"member": 403, "secretary": 302, "delegate": 403, "operator": 302, "outsider": 404},
    "other": {"member": 404, "secretary": 404, "delegate": 404, "operator": 302, "outsider": 403},
    "above": {"member": 403, "secretary": 403, "delegate": 403, "operator": 302, "outsider": 404},
}
VOTE = {
    "own": {"member": 302, "secretary": 302, "delegate": 302, "operator": 403, "outsider": 404},
    "other": {"member": 404, "secretary": 404, "delegate": 404, "operator": 403, "outsider": 302},
    "above": {"member": 302, "secretary": 302, "delegate": 302, "operator": 403, "outsider": 404},
}


def _expected(table, scope, role):
    return 302 if role == "anonymous" else table[scope][role]


def _is_login_redirect(response):
    return response.status_code == 302 and "/accounts/login" in response["Location"]


@pytest.mark.parametrize("scope", SCOPES)
@pytest.mark.parametrize("role", ROLES)
def test_matrix_view_poll_and_results(fed, client_for, role, scope):
    actor = _actor(fed, role)
    poll = open_poll(fed.operator, _node(fed, scope))
    services.close_poll(actor=fed.operator, poll=poll)
    client = _client(client_for, actor)
    for name in ("voting:detail", "voting:results"):
        response = client.get(reverse(name, args=[poll.pk]))
        assert response.status_code == _expected(VIEW, scope, role), name
        if role == "anonymous":
            assert _is_login_redirect(response)


@pytest.mark.parametrize("scope", SCOPES)
@pytest.mark.parametrize("role", ROLES)
def test_matrix_create_poll(fed, client_for, role, scope):
    actor = _actor(fed, role)
    node = _node(fed, scope)
    before = Poll.objects.count()
    response = _client(client_for, actor).post(
        reverse("voting:create") + f"?node={node.pk}",
        {
            "question": "¿Huelga?",
            "method": "yes_no_abstain",
            "max_choices": 1,
            "aggregation": "pooled",
            "majority_num": 1,
            "majority_den": 2,
            "majority_base": "valid",
            "majority_strict": "on",
            "quorum_num": 0,
            "quorum_den": 1,
        },
    )
    assert response.status_code == _expected(MANAGE, scope, role)
    created = 1 if response.status_code == 302 and role != "anonymous" else 0
    assert Poll.objects.count() == before + created


@pytest.mark.parametrize("scope", SCOPES)
@pytest.mark.parametrize("role", ROLES)
def test_matrix_close_poll(fed, client_for, role, scope):
    actor = _actor(fed, role)
    poll = open_poll(fed.operator, _node(fed, scope))
    response = _client(client_for, actor).post(
        reverse("voting:close", args=[poll.pk]), {"confirm": "yes"}
    )
    assert response.status_code == _expected(MANAGE, scope, role)
    poll.refresh_from_db()
    closed = response.status_code == 302 and role != "anonymous"
    assert poll.state == (PollState.CLOSED if closed else PollState.OPEN)


@pytest.mark.parametrize("scope", SCOPES)
@pytest.mark.parametrize("role", ROLES)
def test_matrix_vote(fed, client_for, role, scope):
    actor = _actor(fed, role)
    poll = open_poll(fed.operator, _node(fed, scope))
    response = _client(client_for, actor).post(
        reverse("voting:vote", args=[poll.pk]), {"choice": "0"}
    )
    assert response.status_code == _expected(VOTE, scope, role)
    voted = response.status_code == 302 and role != "anonymous"
    assert Ballot.objects.filter(poll=poll).count() == (1 if voted else 0)


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("member", 302),
        ("secretary", 302),
        ("delegate", 302),
        ("operator", 403),
        ("outsider", 404),
        ("anonymous", 302),
    ],
)
def test_matrix_start_recall(fed, client_for, role, status):
    actor = _actor(fed, role)
    mandate = federation_services.appoint_delegate(
        actor=SYSTEM, committee=fed.committee_a1, delegate=fed.secretary
    )
    response = _client(client_for, actor).post(
        reverse("voting:start_recall", args=[mandate.pk]), {"reason": "No informa."}
    )
    assert response.status_code == status
    assert Poll.objects.filter(purpose="recall").count() == (
        1 if status == 302 and role != "anonymous" else 0
    )


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("member", 302),  # the author
        ("secretary", 302),
        ("delegate", 403),
        ("operator", 302),
        ("outsider", 404),
        ("anonymous", 302),
    ],
)
def test_matrix_open_motion_vote(fed, client_for, role, status):
    actor = _actor(fed, role)
    motion = motion_services.submit_motion(
        actor=fed.member, node=fed.committee_a1, title="Paro", body="Texto."
    )
    motion_services.second_motion(actor=fed.secretary, motion=motion)
    response = _client(client_for, actor).post(
        reverse("voting:open_motion_vote", args=[motion.pk]), {"aggregation": "pooled"}
    )
    assert response.status_code == status
    assert Poll.objects.filter(motion=motion).count() == (
        1 if status == 302 and role != "anonymous" else 0
    )


# --- pages ----------------------------------------------------------------------


def test_list_filters_by_node_and_hides_invisible_nodes(fed, client_for):
    make_poll(fed.secretary, fed.committee_a1, question="Pregunta de A1")
    make_poll(fed.operator, fed.committee_b1, question="Pregunta de B1")
    client = client_for(fed.member)
    page = client.get(reverse("voting:list") + f"?node={fed.committee_a1.pk}")
    assert page.status_code == 200
    assert "Pregunta de A1" in page.content.decode()
    assert "Pregunta de B1" not in client.get(reverse("voting:list")).content.decode()
    assert client.get(reverse("voting:list") + f"?node={fed.committee_b1.pk}").status_code == 404
    assert client.get(reverse("voting:list") + "?node=abc").status_code == 404


def test_unknown_poll_is_404(fed, client_for):
    assert client_for(fed.member).get(reverse("voting:detail", args=[999999])).status_code == 404


def test_create_form_shows_oversized_question_next_to_field(fed, client_for):
    before = snapshot()
    response = client_for(fed.secretary).post(
        reverse("voting:create") + f"?node={fed.committee_a1.pk}",
        {"question": "x" * 301, "method": "single", "options": "a\nb"},
    )
    assert response.status_code == 422
    assert "at most 300 characters" in response.content.decode()
    assert snapshot() == before


def test_create_form_service_error_is_shown_with_its_status(fed, client_for):
    before = snapshot()
    response = client_for(fed.secretary).post(
        reverse("voting:create") + f"?node={fed.committee_a1.pk}",
        {
            "question": "¿Cuándo?",
            "method": "single",
            "options": "Lunes",
            "max_choices": 1,
            "aggregation": "pooled",
            "majority_num": 1,
            "majority_den": 2,
            "majority_base": "valid",
            "quorum_num": 0,
            "quorum_den": 1,
        },
    )
    assert response.status_code == 422
    assert "Give at least two options." in response.content.decode()
    assert snapshot() == before


def test_election_form_has_no_options_field(fed, client_for):
    page = client_for(fed.secretary).get(
        reverse("voting:create") + f"?node={fed.committee_a1.pk}&purpose=delegate_election"
    )
    assert page.status_code == 200
    assert 'name="options"' not in page.content.decode()


def test_vote_without_javascript_then_change_it(fed, client_for):
    poll = open_poll(fed.secretary, fed.committee_a1)
    client = client_for(fed.member)
    url = reverse("voting:vote", args=[poll.pk])
    assert client.post(url, {"choice": "0"}).status_code == 302
    page = client.get(reverse("voting:detail", args=[poll.pk])).content.decode()
    assert "Change my vote" in page
    assert client.post(url, {"choice": "1"}).status_code == 302
    assert list(Ballot.objects.filter(poll=poll).values_list("mask", flat=True)) == [2]


def test_vote_with_htmx_swaps_in_a_confirmation(fed, client_for):
    poll = open_poll(fed.secretary, fed.committee_a1)
    response = client_for(fed.member).post(
        reverse("voting:vote", args=[poll.pk]), {"choice": "2"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Your vote was recorded." in body
    assert "<html" not in body


def test_vote_with_no_choice_is_422_and_writes_nothing(fed, client_for):
    poll = open_poll(fed.secretary, fed.committee_a1)
    before = snapshot()
    response = client_for(fed.member).post(reverse("voting:vote", args=[poll.pk]), {})
    assert response.status_code == 422
    assert "This field is required." in response.content.decode()
    assert snapshot() == before


def test_vote_after_close_is_409_with_message(fed, client_for):
    poll = open_poll(fed.secretary, fed.committee_a1)
    services.close_poll(actor=fed.secretary, poll=poll)
    before = snapshot()
    response = client_for(fed.member).post(reverse("voting:vote", args=[poll.pk]), {"choice": "0"})
    assert response.status_code == 409
    assert "votes are no longer accepted" in response.content.decode()
    assert snapshot() == before


def test_vote_without_csrf_token_is_refused(fed, csrf_client_for):
    poll = open_poll(fed.secretary, fed.committee_a1)
    before = snapshot()
    response = csrf_client_for(fed.member).post(
        reverse("voting:vote", args=[poll.pk]), {"choice": "0"}
    )
    assert response.status_code == 403
    assert snapshot() == before


def test_results_page_shows_levels_bars_and_arithmetic(fed, client_for):
    poll = open_poll(fed.operator, fed.region_a, aggregation="delegates")
    services.cast_ballot(voter=fed.member, poll=poll, choice=["yes"])
    services.close_poll(actor=fed.operator, poll=poll)
    page = client_for(fed.member).get(reverse("voting:results", args=[poll.pk])).content.decode()
    for name in ("Puno", "Juliaca", "Comité Santa Bárbara"):
        assert name in page
    assert "Comité San Blas" not in page
    assert 'class="bar w20"' in page  # 100%, in steps of 5%
    assert "no delegate" in page
    assert "Turnout" in page


def test_results_of_open_secret_poll_are_hidden(fed, client_for):
    poll = open_poll(fed.secretary, fed.committee_a1, secret=True)
    services.cast_ballot(voter=fed.member, poll=poll, choice=["yes"])
    response = client_for(fed.member).get(reverse("voting:results", args=[poll.pk]))
    assert response.status_code == 409
    assert "only after it closes" in response.content.decode()


def test_pages_never_close_a_poll_and_refuse_votes_after_its_time(fed, client_for):
    poll = open_poll(fed.secretary, fed.committee_a1)
    Poll.objects.filter(pk=poll.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
    client = client_for(fed.member)
    page = client.get(reverse("voting:detail", args=[poll.pk])).content.decode()
    assert "The voting time is over" in page
    assert 'name="choice"' not in page
    client.get(reverse("voting:list"))
    client.get(reverse("voting:results", args=[poll.pk]))
    response = client.post(reverse("voting:vote", args=[poll.pk]), {"choice": "0"})
    assert response.status_code == 409
    poll.refresh_from_db()
    assert poll.state == PollState.OPEN  # only the scheduler closes it
    assert not Ballot.objects.filter(poll=poll).exists()


def test_detail_says_why_the_system_cancelled_a_poll(fed, client_for):
    empty = federation_services.create_node(
        actor=SYSTEM, kind="committee", name="Comité vacío", parent=fed.region_a
    )
    poll = make_poll(fed.operator, empty, opens_at=timezone.now())
    services.apply_schedule(now=timezone.now())
    page = client_for(fed.operator).get(reverse("voting:detail", args=[poll.pk])).content.decode()
    assert "Cancelled by the system" in page
    assert "nobody could vote when it was due to open" in page


def test_recall_form_requires_a_reason(fed, client_for):
    mandate = federation_services.appoint_delegate(
        actor=SYSTEM, committee=fed.committee_a1, delegate=fed.secretary
    )
    before = snapshot()
    response = client_for(fed.member).post(
        reverse("voting:start_recall", args=[mandate.pk]), {"reason": ""}
    )
    assert response.status_code == 422
    assert "This field is required." in response.content.decode()
    assert snapshot() == before


def test_motion_polls_partial_lists_polls_and_offers_the_vote(fed, client_for):
    motion = motion_services.submit_motion(
        actor=fed.member, node=fed.committee_a1, title="Paro", body="Texto."
    )
    motion_services.second_motion(actor=fed.secretary, motion=motion)
    motion.refresh_from_db()
    template = Template('{% include "voting/_motion_polls.html" %}')
    html = template.render(Context({"motion": motion, "user": fed.member}))
    assert reverse("voting:open_motion_vote", args=[motion.pk]) in html
    assert "Put to vote" in html
    services.open_motion_vote(actor=fed.member, motion=motion)
    motion.refresh_from_db()
    html = template.render(Context({"motion": motion, "user": fed.other_member}))
    assert "Adopt the motion" in html
    assert "Put to vote" not in html


SECRECY = "not from whoever runs the server"


def test_secret_polls_say_what_they_keep_on_every_page(fed, client_for):
    form = client_for(fed.secretary).get(reverse("voting:create") + f"?node={fed.committee_a1.pk}")
    assert SECRECY in form.content.decode()
    poll = open_poll(fed.secretary, fed.committee_a1, secret=True)
    client = client_for(fed.member)
    ballot_page = client.get(reverse("voting:detail", args=[poll.pk])).content.decode()
    assert SECRECY in ballot_page
    assert "the server can link each ballot to its voter" in ballot_page
    services.close_poll(actor=fed.secretary, poll=poll)
    results = client.get(reverse("voting:results", args=[poll.pk])).content.decode()
    assert SECRECY in results
    named = open_poll(fed.secretary, fed.committee_a1)
    assert SECRECY not in client.get(reverse("voting:detail", args=[named.pk])).content.decode()


def test_putting_a_region_motion_to_the_vote_shows_and_defaults_a_quorum(fed, client_for):
    federation_services.update_node(actor=SYSTEM, node=fed.region_a, seconders_required=0)
    motion = motion_services.submit_motion(
        actor=fed.member, node=fed.region_a, title="Paro regional", body="Texto."
    )
    client = client_for(fed.member)
    url = reverse("voting:open_motion_vote", args=[motion.pk])
    page = client.get(url).content.decode()
    assert 'name="quorum_num" value="1"' in page
    assert 'name="quorum_den" value="3"' in page
    # Left blank, the default applies; the poll's rule says so.
    assert client.post(url, {"aggregation": "pooled"}).status_code == 302
    poll = Poll.objects.get(motion=motion)
    assert (poll.quorum_num, poll.quorum_den) == (1, 3)


def test_a_committee_motion_vote_has_no_quorum_unless_asked(fed, client_for):
    motion = motion_services.submit_motion(
        actor=fed.member, node=fed.committee_a1, title="Paro", body="Texto."
    )
    motion_services.second_motion(actor=fed.secretary, motion=motion)
    client = client_for(fed.member)
    url = reverse("voting:open_motion_vote", args=[motion.pk])
    assert 'name="quorum_num" value="0"' in client.get(url).content.decode()
    response = client.post(url, {"aggregation": "pooled", "quorum_num": 1, "quorum_den": 2})
    assert response.status_code == 302
    poll = Poll.objects.get(motion=motion)
    assert (poll.quorum_num, poll.quorum_den) == (1, 2)


def test_the_poll_form_at_the_assembly_defaults_to_a_quorum(fed, client_for):
    page = (
        client_for(fed.operator)
        .get(reverse("voting:create") + f"?node={fed.assembly.pk}")
        .content.decode()
    )
    assert 'name="quorum_num" value="1"' in page
    assert 'name="quorum_den" value="3"' in page
