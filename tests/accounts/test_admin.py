from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from asamblea.accounts import services
from asamblea.accounts.models import Member
from asamblea.core import audit
from asamblea.core.models import AuditEntry
from asamblea.federation import invitations
from tests.core.admin_forms import action, change_form
from tests.factories import PASSWORD


@pytest.mark.parametrize("model", ["member", "invitation", "apitoken"])
def test_operator_sees_account_lists_but_cannot_add(fed, client_for, model):
    client = client_for(fed.operator)
    assert client.get(reverse(f"admin:accounts_{model}_changelist")).status_code == 200
    assert client.get(reverse(f"admin:accounts_{model}_add")).status_code == 403


def test_member_admin_searches_pseudonyms_and_hides_the_password_hash(fed, client_for):
    client = client_for(fed.operator)
    listing = client.get(reverse("admin:accounts_member_changelist"), {"q": "rosa"})
    assert "rosa" in listing.content.decode()
    assert "secretaria" not in listing.content.decode()
    page = client.get(reverse("admin:accounts_member_change", args=[fed.member.pk]))
    assert page.status_code == 200
    assert fed.member.password not in page.content.decode()
    assert 'name="password"' not in page.content.decode()


def test_invitation_and_token_digests_are_read_only(fed, client_for):
    [(invitation, _code)] = invitations.create_invitations(
        actor=fed.secretary, committee=fed.committee_a1
    )
    token, _raw = services.create_api_token(member=fed.member, name="phone")
    client = client_for(fed.operator)
    page = client.get(reverse("admin:accounts_invitation_change", args=[invitation.pk]))
    assert invitation.code_digest in page.content.decode()
    assert 'name="code_digest"' not in page.content.decode()
    page = client.get(reverse("admin:accounts_apitoken_change", args=[token.pk]))
    assert token.digest in page.content.decode()
    assert 'name="digest"' not in page.content.decode()


def test_members_cannot_open_the_admin(fed, client_for):
    response = client_for(fed.secretary).get(reverse("admin:accounts_member_changelist"))
    assert response.status_code == 302


# --- an operator's edits: refused in the form, audited through the actions -----------

MEMBERS = "/admin/accounts/member/"


@pytest.mark.parametrize(
    "changes",
    [
        {"is_staff": "on", "is_superuser": "on"},
        {"is_active": None},
        {"pseudonym": "rosa2"},
        {"email": "someone@example.org"},
    ],
)
def test_member_fields_cannot_be_edited_in_the_change_form(fed, client_for, changes):
    """The review ticked is_staff in the form and nothing reached the log."""
    before = AuditEntry.objects.count()
    url = f"{MEMBERS}{fed.member.pk}/change/"
    response = client_for(fed.operator).post(url, change_form(fed.member, **changes))
    assert response.status_code == 403
    member = Member.objects.get(pk=fed.member.pk)
    assert (member.is_staff, member.is_superuser, member.is_active) == (False, False, True)
    assert (member.pseudonym, member.email) == (fed.member.pseudonym, fed.member.email)
    assert AuditEntry.objects.count() == before


def test_members_cannot_be_deleted_in_the_admin(fed, client_for):
    url = f"{MEMBERS}{fed.member.pk}/delete/"
    assert client_for(fed.operator).post(url, {"post": "yes"}).status_code == 403
    assert Member.objects.filter(pk=fed.member.pk).exists()


def test_granting_and_revoking_operator_rights_is_audited(fed, client_for):
    client = client_for(fed.operator)
    client.post(MEMBERS, action("grant_operator", fed.member))
    fed.member.refresh_from_db()
    assert fed.member.is_staff
    assert fed.member.is_superuser
    client.post(MEMBERS, action("revoke_operator", fed.member))
    fed.member.refresh_from_db()
    assert not fed.member.is_staff
    assert not fed.member.is_superuser
    entries = AuditEntry.objects.filter(object_type="accounts.member", object_id=str(fed.member.pk))
    assert [(e.action, e.actor_ref) for e in entries] == [
        ("member.operator_granted", fed.operator.pk),
        ("member.operator_revoked", fed.operator.pk),
    ]
    assert audit.verify_chain().ok


def test_deactivated_member_can_no_longer_sign_in_and_it_is_audited(fed, client_for):
    response = client_for(fed.operator).post(MEMBERS, action("deactivate", fed.member), follow=True)
    assert "1 member(s) deactivated." in response.content.decode()
    fed.member.refresh_from_db()
    assert not fed.member.is_active
    assert not Client().login(pseudonym=fed.member.pseudonym, password=PASSWORD)
    entry = AuditEntry.objects.get(action="member.deactivated")
    assert (entry.actor_ref, entry.object_id) == (fed.operator.pk, str(fed.member.pk))
    client_for(fed.operator).post(MEMBERS, action("reactivate", fed.member))
    fed.member.refresh_from_db()
    assert fed.member.is_active


def test_operator_cannot_demote_or_deactivate_themselves(fed, client_for):
    client = client_for(fed.operator)
    response = client.post(MEMBERS, action("revoke_operator", fed.operator), follow=True)
    assert "You cannot change your own operator rights." in response.content.decode()
    response = client.post(MEMBERS, action("deactivate", fed.operator), follow=True)
    assert "You cannot deactivate or reactivate yourself." in response.content.decode()
    fed.operator.refresh_from_db()
    assert fed.operator.is_staff
    assert fed.operator.is_active


def test_invitations_are_revoked_through_the_service(fed, client_for):
    [(invitation, _code)] = invitations.create_invitations(
        actor=fed.secretary, committee=fed.committee_a1
    )
    client_for(fed.operator).post("/admin/accounts/invitation/", action("revoke", invitation))
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    entry = AuditEntry.objects.get(action="invitation.revoked")
    assert entry.actor_ref == fed.operator.pk
