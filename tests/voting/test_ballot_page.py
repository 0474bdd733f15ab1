"""The ballot page says what is decided, by which rule, who votes and until when."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from asamblea.motions import services as motion_services
from asamblea.voting import plain, services
from asamblea.voting.models import Poll
from tests.voting.conftest import make_poll, open_poll

pytestmark = pytest.mark.django_db


def _motion_in_debate(fed):
    motion = motion_services.submit_motion(
        actor=fed.member,
        node=fed.committee_a1,
        title="Paro regional",
        body="Convocamos un paro indefinido.\n\nNos reunimos el jueves en la plaza.",
    )
    motion_services.second_motion(actor=fed.other_member, motion=motion)
    motion.refresh_from_db()
    return motion


def _page(client_for, member, poll):
    response = client_for(member).get(reverse("voting:detail", args=[poll.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_motion_ballot_shows_the_text_voted_and_its_version(fed, client_for):
    motion = _motion_in_debate(fed)
    closes = timezone.now() + timedelta(hours=3, minutes=5)
    (poll,) = services.open_motion_vote(actor=fed.member, motion=motion, closes_at=closes)
    page = _page(client_for, fed.other_member, poll)
    assert "Convocamos un paro indefinido." in page
    assert "Nos reunimos el jueves en la plaza." in page
    assert "The text put to the vote (version 1)" in page
    assert "Carried if more than half of the valid votes say yes." in page
    assert "closes in 3 hours" in page
    assert f'datetime="{timezone.localtime(closes).isoformat()}"'[:30] in page
    assert "3 members of 1 committee at or beneath Comité Santa Bárbara." in page


def test_amendment_ballot_shows_the_change_as_a_labelled_diff(fed, client_for):
    motion = _motion_in_debate(fed)
    motion_services.propose_amendment(
        actor=fed.other_member,
        motion=motion,
        kind="replace_paragraph",
        paragraph=1,
        text="Nos reunimos el viernes en la plaza.",
        rationale="El jueves hay feria.",
    )
    (poll,) = services.open_motion_vote(actor=fed.member, motion=motion)
    assert poll.amendment_id is not None
    page = _page(client_for, fed.member, poll)
    assert "The amendment put to the vote" in page
    assert "paragraph 2" in page
    assert '<del><span class="visually-hidden">[removed: </span>jueves' in page
    assert '<ins><span class="visually-hidden">[added: </span>viernes' in page
    assert "El jueves hay feria." in page
    # The paragraph that does not change is not repeated as if it were voted.
    assert "Convocamos un paro indefinido." not in page


def test_amendment_text_is_escaped_in_the_diff(fed, client_for):
    motion = _motion_in_debate(fed)
    motion_services.propose_amendment(
        actor=fed.other_member,
        motion=motion,
        kind="replace_paragraph",
        paragraph=0,
        text="<script>alert(1)</script>",
    )
    (poll,) = services.open_motion_vote(actor=fed.member, motion=motion)
    page = _page(client_for, fed.member, poll)
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)" in page


def test_quorum_and_electorate_are_said_with_the_frozen_numbers(fed, client_for):
    poll = open_poll(fed.secretary, fed.committee_a1, quorum_num=3, quorum_den=10)
    page = _page(client_for, fed.member, poll)
    assert (
        "Carried if more than half of the valid votes say yes, with at least 30% of the"
        " 3 members who may vote taking part." in page
    )


def test_poll_without_closing_time_says_who_closes_it(fed, client_for):
    poll = open_poll(fed.secretary, fed.committee_a1)
    page = _page(client_for, fed.member, poll)
    assert "when its managers close it" in page


def test_draft_poll_says_who_will_vote_and_when_it_opens(fed, client_for):
    opens = timezone.now() + timedelta(days=2, hours=1)
    poll = make_poll(fed.secretary, fed.committee_a1, opens_at=opens)
    page = _page(client_for, fed.member, poll)
    assert "The members of every committee at or beneath Comité Santa Bárbara" in page
    assert "opens in 2 days" in page


# --- the sentences themselves ---------------------------------------------------


def _poll(**fields) -> Poll:
    defaults = {"method": "yes_no_abstain", "majority_num": 1, "majority_den": 2}
    defaults.update(fields)
    return Poll(**defaults)


@pytest.mark.parametrize(
    ("fields", "entitled", "sentence"),
    [
        ({}, None, "Carried if more than half of the valid votes say yes."),
        (
            {"majority_num": 2, "majority_den": 3, "majority_strict": False},
            None,
            "Carried if at least two thirds of the valid votes say yes.",
        ),
        (
            {"majority_base": "cast", "majority_num": 3, "majority_den": 5},
            None,
            "Carried if more than 3/5 of the votes cast (abstentions included) say yes.",
        ),
        (
            {"majority_base": "entitled"},
            1,
            "Carried if more than half of the 1 member who may vote says yes.",
        ),
        (
            {"quorum_num": 1, "quorum_den": 3},
            360,
            "Carried if more than half of the valid votes say yes, with at least 1/3 of the"
            " 360 members who may vote taking part.",
        ),
        ({"method": "consent"}, None, "Carried unless someone blocks it."),
        (
            {"method": "approval", "max_choices": 1},
            None,
            "Each voter may choose up to 1 option; the option chosen most wins.",
        ),
        (
            {"method": "meek-stv", "seats": 3},
            None,
            "Each voter ranks the options; 3 seats are filled by Ranking: STV, Meek's method"
            " (several seats).",
        ),
    ],
)
def test_rule_sentence(fields, entitled, sentence):
    assert plain.rule_sentence(_poll(**fields), entitled=entitled) == sentence


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (timedelta(seconds=30), "closes in 1 minute"),
        (timedelta(minutes=59, seconds=59), "closes in 59 minutes"),
        (timedelta(hours=1), "closes in 1 hour"),
        (timedelta(hours=47), "closes in 47 hours"),
        (timedelta(days=3, hours=2), "closes in 3 days"),
        (timedelta(seconds=-1), "voting has ended"),
    ],
)
def test_countdown(delta, text):
    now = timezone.now()
    poll = _poll(state="open", closes_at=now + delta)
    assert plain.countdown(poll, now=now) == text


def test_countdown_is_empty_without_a_time():
    assert plain.countdown(_poll(state="open")) == ""
    assert plain.countdown(_poll(state="closed", closes_at=timezone.now())) == ""


def test_sentences_are_translated(fed, client_for):
    poll = open_poll(fed.secretary, fed.committee_a1, quorum_num=3, quorum_den=10)
    client = client_for(fed.member)
    response = client.get(reverse("voting:detail", args=[poll.pk]), HTTP_ACCEPT_LANGUAGE="es")
    # Whatever the catalogue holds, the numbers reach the sentence.
    page = response.content.decode()
    assert "30%" in page
