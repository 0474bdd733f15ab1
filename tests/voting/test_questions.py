"""Questions the system writes are stored as codes with parameters and shown
in each reader's language, whoever triggered them; the audit chain holds codes
and ids, never translated text."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from asamblea.core.actors import SYSTEM
from asamblea.core.models import AuditEntry
from asamblea.federation import services as federation_services
from asamblea.motions import services as motion_services
from asamblea.motions.models import AmendmentKind, Motion, MotionState
from asamblea.voting import services
from asamblea.voting.models import Poll, QuestionCode
from tests.voting.conftest import make_poll

pytestmark = pytest.mark.django_db

TITLE = "Paro regional"


def _debate(fed):
    motion = motion_services.submit_motion(
        actor=fed.member, node=fed.committee_a1, title=TITLE, body="Primero.\n\nSegundo."
    )
    motion_services.second_motion(actor=fed.secretary, motion=motion)
    motion.refresh_from_db()
    return motion


def test_a_motion_vote_opened_in_spanish_is_read_in_each_language(fed, client_for):
    motion = _debate(fed)
    with translation.override("es"):
        (poll,) = services.open_motion_vote(actor=fed.member, motion=motion)
    assert poll.question_code == QuestionCode.MOTION
    assert poll.question_params == {"title": TITLE}
    assert poll.question == f"Adopt the motion “{TITLE}”?"  # the English source, for exports
    with translation.override("en"):
        assert poll.display_question == f"Adopt the motion “{TITLE}”?"
    with translation.override("es"):
        assert poll.display_question == f"¿Aprobar la moción «{TITLE}»?"
    client = client_for(fed.other_member)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("voting:detail", args=[poll.pk])).content.decode()
    assert "Adopt the motion" in page


def test_an_amendment_question_keeps_the_kind_as_a_code(fed):
    motion = _debate(fed)
    amendment = motion_services.propose_amendment(
        actor=fed.member,
        motion=motion,
        kind=AmendmentKind.DELETE_PARAGRAPH,
        paragraph=1,
        text="",
    )
    with translation.override("es"):
        (poll,) = services.open_motion_vote(actor=fed.member, motion=motion)
    assert poll.question_code == QuestionCode.AMENDMENT
    assert poll.question_params == {
        "number": amendment.number,
        "title": TITLE,
        "kind": "delete_paragraph",
    }
    with translation.override("en"):
        assert poll.display_question == (f"Accept amendment 1 to “{TITLE}” (Delete a paragraph)?")


def test_a_question_coded_before_amendments_were_numbered_still_reads(fed):
    motion = _debate(fed)
    motion_services.propose_amendment(
        actor=fed.member, motion=motion, kind=AmendmentKind.DELETE_PARAGRAPH, paragraph=1, text=""
    )
    (poll,) = services.open_motion_vote(actor=fed.member, motion=motion)
    Poll.objects.filter(pk=poll.pk).update(
        question_params={"id": 77, "title": TITLE, "kind": "delete_paragraph"}
    )
    with translation.override("en"):
        assert Poll.objects.get(pk=poll.pk).display_question == (
            f"Accept amendment 77 to “{TITLE}” (Delete a paragraph)?"
        )


def test_a_scheduled_follow_up_poll_is_coded_too(fed):
    motion = _debate(fed)
    motion_services.propose_amendment(
        actor=fed.member, motion=motion, kind=AmendmentKind.DELETE_PARAGRAPH, paragraph=1, text=""
    )
    (amendment_poll,) = services.open_motion_vote(
        actor=fed.member, motion=motion, closes_at=timezone.now() + timezone.timedelta(hours=1)
    )
    Poll.objects.filter(pk=amendment_poll.pk).update(closes_at=timezone.now())
    with translation.override("es"):  # whatever language the scheduler runs in
        services.apply_schedule(now=timezone.now())
    follow_up = Poll.objects.get(motion=motion, purpose="motion")
    assert follow_up.question_code == QuestionCode.MOTION
    assert follow_up.question == f"Adopt the motion “{TITLE}”?"


def test_recall_and_election_questions_are_coded(fed):
    mandate = federation_services.appoint_delegate(
        actor=SYSTEM, committee=fed.committee_a1, delegate=fed.secretary
    )
    with translation.override("es"):
        recall = services.start_recall(actor=fed.member, mandate=mandate, reason="No informa.")
    assert recall.poll.question_code == QuestionCode.RECALL
    assert recall.poll.question_params == {
        "delegate": fed.secretary.pseudonym,
        "committee": fed.committee_a1.name,
    }
    with translation.override("en"):
        assert recall.poll.display_question.startswith(f"Recall {fed.secretary.pseudonym}")
    election = make_poll(fed.secretary, fed.committee_a1, purpose="delegate_election", question="")
    assert election.question_code == QuestionCode.DELEGATE_ELECTION
    with translation.override("en"):
        assert fed.committee_a1.name in election.display_question
    typed = make_poll(
        fed.secretary, fed.committee_a1, purpose="delegate_election", question="¿Quién va?"
    )
    assert (typed.question_code, typed.display_question) == ("", "¿Quién va?")


def test_the_audit_chain_holds_codes_not_translated_text(fed):
    motion = _debate(fed)
    with translation.override("es"):
        (poll,) = services.open_motion_vote(actor=fed.member, motion=motion)
        services.cast_ballot(voter=fed.member, poll=poll, choice=["yes"])
        # The motion leaves the vote behind the service's back (as an operator
        # with the database could): carrying out the result then fails.
        Motion.objects.filter(pk=motion.pk).update(state=MotionState.DEBATE)
        services.close_poll(actor=fed.secretary, poll=poll)
    failed = AuditEntry.objects.get(action="outcome.failed")
    assert failed.data == {"purpose": "motion", "error": "conflict"}
    chain = json.dumps([entry.data for entry in AuditEntry.objects.all()], ensure_ascii=False)
    for text in ("¿", "Aprobar", "Adopt", "moción", "Only a motion", "Solo"):
        assert text not in chain
