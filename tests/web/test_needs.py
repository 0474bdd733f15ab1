"""What needs me: the page, the count in the navigation, and the vote marks."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from asamblea.federation import services as federation_services
from asamblea.federation.access import Viewer
from asamblea.motions import access as motions_access
from asamblea.motions import services as motion_services
from asamblea.motions.models import Motion
from asamblea.voting import access as voting_access
from asamblea.voting import services
from asamblea.voting.models import ElectorateEntry, Poll, VoteLedger
from asamblea.web import needs
from asamblea.web.templatetags.needs_tags import needs_link
from tests.factories import join, make_member
from tests.voting.conftest import make_poll, open_poll

pytestmark = pytest.mark.django_db


def _members(fed):
    return [
        fed.operator,
        fed.secretary,
        fed.member,
        fed.other_member,
        fed.neighbour,
        fed.outsider,
    ]


def _draft(fed, author=None, node=None, title="Olla común"):
    return motion_services.submit_motion(
        actor=author or fed.member,
        node=node or fed.committee_a1,
        title=title,
        body="Organizamos una olla común.\n\nCada jueves.",
    )


@pytest.fixture
def busy(fed):
    """Something of every kind waiting for someone."""
    open_poll(fed.secretary, fed.committee_a1, question="¿Marchamos?")
    open_poll(fed.operator, fed.assembly, question="¿Paro nacional?")
    voted = open_poll(fed.secretary, fed.committee_a1, question="¿Ya votado?")
    services.cast_ballot(voter=fed.member, poll=voted, choice=["yes"])
    closed = open_poll(fed.secretary, fed.committee_a1, question="¿Cerrada?")
    services.cast_ballot(voter=fed.member, poll=closed, choice=["no"])
    services.close_poll(actor=fed.secretary, poll=closed)
    make_poll(fed.secretary, fed.committee_a1, question="¿Borrador?")
    _draft(fed, title="Borrador de rosa")
    _draft(fed, author=fed.outsider, node=fed.committee_b1, title="Borrador de San Blas")
    _draft(fed, author=fed.neighbour, node=fed.region_a, title="Borrador regional")
    debated = _draft(fed, title="En debate")
    motion_services.second_motion(actor=fed.other_member, motion=debated)
    debated.refresh_from_db()
    motion_services.propose_amendment(
        actor=fed.other_member, motion=debated, kind="delete_paragraph", paragraph=1, text=""
    )
    return fed


def test_count_is_one_query_and_matches_the_lists(busy):
    for member in _members(busy):
        listed = needs.needs_of(member)
        with CaptureQueriesContext(connection) as captured:
            count = needs.needs_count(member)
        assert len(captured) == 1
        assert count == listed.count, member.pseudonym


def test_navigation_count_costs_at_most_two_queries(busy, django_assert_max_num_queries):
    request = RequestFactory().get("/")
    request.user = busy.member
    with django_assert_max_num_queries(2):
        context = needs_link({"request": request})
    assert context["count"] == needs.needs_of(busy.member).count
    with django_assert_max_num_queries(0):
        needs_link({"request": request})  # once per request


def test_page_queries_do_not_grow_with_what_waits(fed, client_for, django_assert_max_num_queries):
    client = client_for(fed.member)
    open_poll(fed.secretary, fed.committee_a1, question="¿Primera?")
    _draft(fed, author=fed.other_member, title="Primer borrador")
    with django_assert_max_num_queries(20) as before:
        client.get(reverse("voting:list"))
    for i in range(5):
        open_poll(fed.secretary, fed.committee_a1, question=f"¿Pregunta {i}?")
        _draft(fed, author=fed.other_member, title=f"Borrador {i}")
    with django_assert_max_num_queries(len(before.captured_queries)):
        response = client.get(reverse("voting:list"))
    assert 'id="needs-link"' in response.content.decode()


def test_member_page_lists_each_kind(busy, client_for):
    page = client_for(busy.member).get(reverse("core:needs")).content.decode()
    vote = page[
        page.index('id="needs-vote"') : page.index("</section>", page.index('id="needs-vote"'))
    ]
    assert "¿Marchamos?" in vote
    assert "¿Paro nacional?" in vote
    assert "¿Ya votado?" not in vote
    second = page[page.index('id="needs-second"') :]
    second = second[: second.index("</section>")]
    assert "Borrador regional" in second
    assert "Borrador de rosa" not in second  # their own
    assert "Borrador de San Blas" not in second  # not their node
    assert 'id="needs-amendments"' in page
    assert "En debate" in page
    results = page[page.index('id="needs-results"') :]
    assert "¿Cerrada?" in results
    assert 'id="needs-secretary"' not in page


def test_secretary_sees_their_tasks(busy, client_for):
    page = client_for(busy.secretary).get(reverse("core:needs")).content.decode()
    tasks = page[page.index('id="needs-secretary"') :]
    tasks = tasks[: tasks.index("</section>")]
    assert "¿Borrador?" in tasks
    assert "En debate" in tasks


def test_outsider_sees_nothing_of_another_branch(busy, client_for):
    page = client_for(busy.outsider).get(reverse("core:needs")).content.decode()
    for text in ("¿Marchamos?", "Borrador de rosa", "En debate", "¿Borrador?", "¿Cerrada?"):
        assert text not in page
    assert "¿Paro nacional?" in page


def test_nothing_waiting_says_so(fed, client_for):
    page = client_for(fed.neighbour).get(reverse("core:needs")).content.decode()
    assert 'id="needs-nothing"' in page
    assert 'id="needs-link"' in page


def test_needs_page_needs_a_sign_in(client):
    response = client.get(reverse("core:needs"))
    assert response.status_code == 302


def test_acting_clears_the_item(fed):
    poll = open_poll(fed.secretary, fed.committee_a1)
    draft = _draft(fed, author=fed.other_member)
    assert needs.needs_count(fed.member) == 2
    services.cast_ballot(voter=fed.member, poll=poll, choice=["yes"])
    motion_services.second_motion(actor=fed.member, motion=draft)
    assert needs.needs_count(fed.member) == 0


def test_poll_past_its_closing_time_no_longer_waits(fed):
    poll = open_poll(fed.secretary, fed.committee_a1)
    Poll.objects.filter(pk=poll.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    assert not needs.polls_to_vote(fed.member).exists()


def test_ended_membership_stops_the_poll_waiting(fed):
    poll = open_poll(fed.secretary, fed.committee_a1)
    membership = fed.member.memberships.get(node=fed.committee_a1)
    federation_services.end_membership(actor=fed.secretary, membership=membership)
    assert poll not in needs.polls_to_vote(fed.member)


@pytest.mark.parametrize("extra_committee", [False, True])
def test_lists_agree_with_the_access_rules(busy, extra_committee):
    """Differential: the hand-written visibility in SQL against ``voting.access``
    and ``motions.access`` for every member."""
    if extra_committee:
        join(busy.outsider, busy.committee_a2)
    make_member("sin-comite")
    for member in [*_members(busy), make_member("otra")]:
        viewer = Viewer.of(member)
        expected_polls = {
            p.pk
            for p in Poll.objects.filter(state="open")
            if voting_access.may(viewer, p, to="vote")
            and ElectorateEntry.objects.filter(poll=p, member=member).exists()
            and not VoteLedger.objects.filter(poll=p, member=member).exists()
        }
        assert set(needs.polls_to_vote(member).values_list("pk", flat=True)) == expected_polls
        expected_drafts = {
            m.pk
            for m in Motion.objects.filter(state="draft")
            if m.node_id in viewer.visible
            and motions_access.may(viewer, m, to="second")
            and not m.seconds.filter(member=member).exists()
        }
        assert set(needs.drafts_to_second(member).values_list("pk", flat=True)) == expected_drafts


def test_poll_list_marks_voted_can_vote_and_cannot(fed, client_for):
    can = open_poll(fed.secretary, fed.committee_a1, question="¿Puedo?")
    done = open_poll(fed.secretary, fed.committee_a1, question="¿Hecho?")
    services.cast_ballot(voter=fed.member, poll=done, choice=["yes"])
    late = make_member("tardia")
    join(late, fed.committee_a1)
    page = client_for(late).get(reverse("voting:list")).content.decode()
    assert "cannot vote" in page
    assert "you were not a member beneath its node when it opened" in page
    page = client_for(fed.member).get(reverse("voting:list")).content.decode()
    item = page[page.index("¿Puedo?") :]
    assert "can vote" in item[: item.index("</li>")]
    item = page[page.index("¿Hecho?") :]
    assert ">voted<" in item[: item.index("</li>")]
    assert can.pk


def test_dashboard_marks_open_polls(fed, client_for):
    open_poll(fed.secretary, fed.committee_a1, question="¿Puedo?")
    page = client_for(fed.member).get(reverse("core:home")).content.decode()
    assert "can vote" in page


def test_navigation_link_says_the_count_in_words(fed, client_for):
    open_poll(fed.secretary, fed.committee_a1)
    page = client_for(fed.member).get(reverse("motions:list")).content.decode()
    link = page[page.index('id="needs-link"') :]
    link = link[: link.index("</a>")]
    assert '<span class="tag" aria-hidden="true">1</span>' in link
    assert "(1 item waiting)" in link
