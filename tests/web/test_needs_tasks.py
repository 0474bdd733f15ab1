"""What needs me: trustee and secretary tasks, the sentences of each item,
and the API that gives the page's items and count."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from asamblea.core.actors import SYSTEM
from asamblea.motions import services as motion_services
from asamblea.trustees import selectors as trustee_selectors
from asamblea.trustees import services as trustee_services
from asamblea.trustees.models import Round, Trustee
from asamblea.trustees.selectors import Step
from asamblea.web import needs
from tests.api.conftest import api  # noqa: F401 - the API caller fixture
from tests.trustees.conftest import appoint_ready, devices_for
from tests.voting.conftest import make_poll, open_poll

pytestmark = pytest.mark.django_db

WAITING_STEPS = {
    Step.REGISTER_KEY,
    Step.KEEP_KEY_FILE,
    Step.ANNOUNCE,
    Step.REVEAL,
    Step.RESPOND,
}


def _board(fed):
    return trustee_services.create_board(actor=fed.secretary, node=fed.committee_a1)


def _waiting(member) -> set[int]:
    return set(needs.trustee_steps(member).values_list("board_id", flat=True))


def _agrees_with_next_step(members) -> None:
    """Differential: the SQL of ``seats_awaiting`` against ``next_step``."""
    for member in members:
        expected = set()
        for seat in Trustee.objects.filter(member=member).select_related("board"):
            status = next(
                s for s in trustee_selectors.seat_statuses(seat.board) if s.trustee.pk == seat.pk
            )
            if trustee_selectors.next_step(seat.board, status) in WAITING_STEPS:
                expected.add(seat.board_id)
        assert _waiting(member) == expected, member.pseudonym


def test_trustee_is_asked_for_key_then_key_file(fed):
    board = _board(fed)
    trustee_services.appoint_trustee(actor=fed.secretary, board=board, member=fed.member)
    assert _waiting(fed.member) == {board.pk}
    [item] = needs.items_of(needs.needs_of(fed.member))
    assert item.kind == "trustee_step"
    assert "register your device's communication key" in item.sentence
    assert item.url == reverse("trustees:trustee", args=[board.pk])
    _agrees_with_next_step([fed.member, fed.secretary])


def test_ceremony_rounds_wait_for_those_who_have_not_sent(fed):
    ready = appoint_ready(_board(fed), [fed.secretary, fed.member, fed.other_member])
    members = [fed.secretary, fed.member, fed.other_member, fed.neighbour]
    assert not any(_waiting(m) for m in members)  # all ready: nothing to do yet
    _agrees_with_next_step(members)
    board = trustee_services.start_ceremony(actor=fed.secretary, board=ready.board)
    assert all(_waiting(m) == {board.pk} for m in members[:3])
    [item] = [i for i in needs.items_of(needs.needs_of(fed.member)) if i.section == "trustee"]
    assert item.when == board.round_deadline
    devices = devices_for(ready)
    trustee_services.submit_message(
        actor=fed.member, board=board, round=Round.ANNOUNCE, payload=devices[2].announce().to_json()
    )
    assert _waiting(fed.member) == set()
    assert _waiting(fed.secretary) == {board.pk}
    _agrees_with_next_step(members)
    for index, member in ((1, fed.secretary), (3, fed.other_member)):
        trustee_services.submit_message(
            actor=member,
            board=board,
            round=Round.ANNOUNCE,
            payload=devices[index].announce().to_json(),
        )
    board.refresh_from_db()
    assert board.round == Round.REVEAL
    assert all(_waiting(m) == {board.pk} for m in members[:3])
    _agrees_with_next_step(members)


def test_secretary_is_asked_to_start_a_ready_board(fed, client_for):
    board = _board(fed)
    assert not needs.boards_to_start(fed.secretary).exists()
    appoint_ready(board, [fed.secretary, fed.member, fed.other_member])
    assert list(needs.boards_to_start(fed.secretary)) == [board]
    assert not needs.boards_to_start(fed.member).exists()  # not a secretary
    page = client_for(fed.secretary).get(reverse("core:needs")).content.decode()
    tasks = page[page.index('id="needs-secretary"') :]
    assert "start its key ceremony" in tasks[: tasks.index("</section>")]
    trustee_services.start_ceremony(actor=fed.secretary, board=board)
    assert not needs.boards_to_start(fed.secretary).exists()


def test_count_with_trustee_tasks_is_still_one_query(fed):
    appoint_ready(_board(fed), [fed.secretary, fed.member, fed.other_member])
    regional = trustee_services.create_board(actor=SYSTEM, node=fed.region_a)
    trustee_services.appoint_trustee(actor=SYSTEM, board=regional, member=fed.member)
    open_poll(fed.secretary, fed.committee_a1)
    make_poll(fed.secretary, fed.committee_a1)
    for member in (fed.secretary, fed.member, fed.operator):
        with CaptureQueriesContext(connection) as captured:
            count = needs.needs_count(member)
        assert len(captured) == 1
        assert count == needs.needs_of(member).count


def test_each_item_says_what_and_until_when(fed):
    poll = open_poll(fed.secretary, fed.committee_a1, question="¿Marchamos?")
    [item] = needs.items_of(needs.needs_of(fed.member))
    assert item.kind == "poll_to_vote"
    assert item.title == "¿Marchamos?"
    assert fed.committee_a1.name in item.sentence
    if poll.closes_at is None:
        assert "no closing time is set" in item.sentence
    else:
        assert "closes in" in item.sentence


def test_api_gives_the_page_items_and_count(fed, api, client_for):  # noqa: F811
    # The API speaks the member's language; the page here speaks the tests' English.
    fed.member.language = "en"
    fed.member.save(update_fields=["language"])
    open_poll(fed.secretary, fed.committee_a1, question="¿Marchamos?")
    board = _board(fed)
    trustee_services.appoint_trustee(actor=fed.secretary, board=board, member=fed.member)
    response = api(fed.member)("GET", "/me/needs")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == needs.needs_count(fed.member) == 2
    assert [i["kind"] for i in body["items"]] == ["poll_to_vote", "trustee_step"]
    page = client_for(fed.member).get(reverse("core:needs")).content.decode()
    for item in body["items"]:
        assert item["sentence"].replace("'", "&#x27;") in page
        assert item["url"] in page


def test_api_speaks_the_member_language(fed, api):  # noqa: F811
    fed.member.language = "es"
    fed.member.save(update_fields=["language"])
    motion = motion_services.submit_motion(
        actor=fed.member, node=fed.committee_a1, title="Olla común", body="Uno.\n\nDos."
    )
    motion_services.second_motion(actor=fed.other_member, motion=motion)
    motion.refresh_from_db()
    motion_services.propose_amendment(
        actor=fed.other_member, motion=motion, kind="delete_paragraph", paragraph=1, text=""
    )
    body = api(fed.member)("GET", "/me/needs", HTTP_ACCEPT_LANGUAGE="en").json()
    [item] = body["items"]
    assert item["kind"] == "amendment_to_my_motion"
    assert "Eliminar un párrafo" in item["sentence"]


def test_api_needs_a_token(fed, client):
    response = client.get("/api/v1/me/needs")
    assert response.status_code == 401
    assert response.json()["error"]["code"]
