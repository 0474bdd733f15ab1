"""The minutes of a closed poll: a printable page and a PDF with the same facts."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse
from pypdf import PdfReader

from asamblea.core.models import AuditEntry
from asamblea.motions import services as motion_services
from asamblea.voting import minutes_pdf, services
from tests.voting.conftest import open_poll

pytestmark = pytest.mark.django_db


@pytest.fixture
def carried_motion(fed):
    motion = motion_services.submit_motion(
        actor=fed.member,
        node=fed.committee_a1,
        title="Paro regional",
        body="Convocamos un paro indefinido.\n\nNos reunimos el jueves.",
    )
    motion_services.second_motion(actor=fed.other_member, motion=motion)
    motion.refresh_from_db()
    (poll,) = services.open_motion_vote(actor=fed.member, motion=motion)
    for voter in (fed.member, fed.other_member):
        services.cast_ballot(voter=voter, poll=poll, choice=["yes"])
    services.close_poll(actor=fed.secretary, poll=poll)
    poll.refresh_from_db()
    return poll


def _close_entry(poll):
    return AuditEntry.objects.get(
        action="result.recorded", object_type="voting.poll", object_id=str(poll.pk)
    )


def test_minutes_page_holds_every_fact(fed, client_for, carried_motion):
    poll = carried_motion
    response = client_for(fed.member).get(reverse("voting:minutes", args=[poll.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert f"Minutes of poll {poll.pk}" in page
    assert "Convocamos un paro indefinido." in page
    assert "The text put to the vote (version 1)" in page
    assert "Carried if more than half of the valid votes say yes." in page
    assert "Carried: 2 of 2 valid votes said yes" in page
    assert "67%" in page  # turnout
    assert f'datetime="{poll.closed_at.isoformat()[:19]}' in page or "Closed" in page
    entry = _close_entry(poll)
    assert f"{entry.seq}:{entry.entry_hash}" in page
    assert 'id="audit-head"' in page  # the head as it stands now, to keep outside
    assert "css/decisions.css" in page
    assert reverse("voting:minutes_pdf", args=[poll.pk]) in page


def test_pdf_holds_the_same_facts(fed, client_for, carried_motion):
    poll = carried_motion
    response = client_for(fed.member).get(reverse("voting:minutes_pdf", args=[poll.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f'filename="poll-{poll.pk}-minutes.pdf"' in response["Content-Disposition"]
    reader = PdfReader(io.BytesIO(response.content))
    text = " ".join(page.extract_text() for page in reader.pages)
    text = " ".join(text.split())
    assert f"Minutes of poll {poll.pk}" in text
    assert "Convocamos un paro indefinido." in text
    assert "version 1" in text
    assert "Carried if more than half of the valid votes say yes." in text
    assert "Carried: 2 of 2 valid votes said yes" in text
    assert "Comité Santa Bárbara" in text
    entry = _close_entry(poll)
    assert entry.entry_hash[:40] in text.replace(" ", "")
    assert poll.seed in text.replace(" ", "")


def test_minutes_of_an_open_poll_are_refused_with_a_message(fed, client_for):
    poll = open_poll(fed.secretary, fed.committee_a1)
    client = client_for(fed.member)
    for name in ("voting:minutes", "voting:minutes_pdf"):
        response = client.get(reverse(name, args=[poll.pk]))
        assert response.status_code == 409
        assert "Minutes are written once the poll has closed." in response.content.decode()


def test_minutes_of_an_invisible_poll_do_not_exist(fed, client_for, carried_motion):
    client = client_for(fed.outsider)
    for name in ("voting:minutes", "voting:minutes_pdf"):
        assert client.get(reverse(name, args=[carried_motion.pk])).status_code == 404


def test_minutes_need_a_sign_in(client, carried_motion):
    response = client.get(reverse("voting:minutes", args=[carried_motion.pk]))
    assert response.status_code == 302
    assert "/accounts/login" in response["Location"]


def test_member_minutes_show_only_the_levels_they_see(fed, client_for):
    poll = open_poll(fed.operator, fed.assembly)
    services.cast_ballot(voter=fed.outsider, poll=poll, choice=["no"])
    services.close_poll(actor=fed.operator, poll=poll)
    page = client_for(fed.member).get(reverse("voting:minutes", args=[poll.pk])).content.decode()
    assert fed.committee_a1.name in page
    assert fed.committee_b1.name not in page


def test_pdf_without_unicode_fonts_falls_back_to_latin_1(
    fed, client_for, carried_motion, monkeypatch
):
    monkeypatch.setattr(minutes_pdf, "FONT_DIRS", ())
    response = client_for(fed.member).get(reverse("voting:minutes_pdf", args=[carried_motion.pk]))
    assert response.status_code == 200
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "Convocamos un paro indefinido." in " ".join(text.split())


def test_print_stylesheet_hides_the_controls():
    css = Path(finders.find("css/decisions.css")).read_text(encoding="utf-8")
    assert "@media print" in css
    assert ".no-print" in css
