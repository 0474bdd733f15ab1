"""Operators browse motions, amendments and comments in the admin."""

from __future__ import annotations

import pytest
from django.urls import reverse

from asamblea.core import audit
from asamblea.core.models import AuditEntry
from asamblea.motions import services
from tests.core.admin_forms import change_form


@pytest.mark.parametrize("model", ["motion", "amendment", "comment"])
def test_operator_sees_the_admin_lists(fed, client_for, debate, model):
    services.add_comment(actor=fed.member, motion=debate, body="Hi")
    services.propose_amendment(
        actor=fed.other_member, motion=debate, kind="delete_paragraph", paragraph=0, text=""
    )
    client = client_for(fed.operator)
    response = client.get(reverse(f"admin:motions_{model}_changelist"), {"q": "strike"})
    assert response.status_code == 200


def test_motion_admin_page_shows_versions_read_only(fed, client_for, debate):
    response = client_for(fed.operator).get(
        reverse("admin:motions_motion_change", args=[debate.pk])
    )
    assert response.status_code == 200
    assert "We demand the release of detainees." in response.content.decode()


# --- an operator's edits are refused: texts change only through the services ----------


def test_retitling_a_motion_in_the_admin_is_refused(fed, client_for, debate):
    """The review changed a motion's title in the admin and nothing reached the log."""
    before = AuditEntry.objects.count()
    url = f"/admin/motions/motion/{debate.pk}/change/"
    form = change_form(
        debate,
        inlines={"versions": list(debate.versions.all()), "seconds": list(debate.seconds.all())},
        title="A quieter strike",
        body="We call nothing.",
    )
    client = client_for(fed.operator)
    assert client.post(url, form).status_code == 403
    assert client.post(url.replace("change", "delete"), {"post": "yes"}).status_code == 403
    debate.refresh_from_db()
    assert debate.title == "General strike"
    assert "regional strike" in debate.body
    assert AuditEntry.objects.count() == before
    assert audit.verify_chain().ok


def test_rewriting_a_comment_in_the_admin_is_refused(fed, client_for, debate):
    comment = services.add_comment(actor=fed.member, motion=debate, body="I agree.")
    url = f"/admin/motions/comment/{comment.pk}/change/"
    client = client_for(fed.operator)
    assert client.post(url, change_form(comment, body="I disagree.")).status_code == 403
    assert client.post(url.replace("change", "delete"), {"post": "yes"}).status_code == 403
    comment.refresh_from_db()
    assert comment.body == "I agree."


def test_amendment_rationale_cannot_be_edited_in_the_admin(fed, client_for, debate):
    amendment = services.propose_amendment(
        actor=fed.other_member,
        motion=debate,
        kind="delete_paragraph",
        paragraph=0,
        text="",
        rationale="Too early.",
    )
    url = f"/admin/motions/amendment/{amendment.pk}/change/"
    response = client_for(fed.operator).post(url, change_form(amendment, rationale="Bribed."))
    assert response.status_code == 403
    amendment.refresh_from_db()
    assert amendment.rationale == "Too early."
