"""Operators browse motions, amendments and comments in the admin."""

from __future__ import annotations

import pytest
from django.urls import reverse

from asamblea.motions import services


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
