from __future__ import annotations

import pytest
from django.urls import reverse

from asamblea.accounts import services


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
    [(invitation, _code)] = services.create_invitations(
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
