"""An operator in the federation admin: node edits go through the services and
into the log; memberships and mandates are changed only by audited actions."""

from __future__ import annotations

import pytest

from asamblea.core import audit
from asamblea.core.models import AuditEntry
from asamblea.federation.models import Mandate, MandateSource, Membership, Node, Role
from tests.core.admin_forms import action, change_form

MEMBERSHIPS = "/admin/federation/membership/"


def _membership(member, node) -> Membership:
    return Membership.objects.get(member=member, node=node, ended_at__isnull=True)


def test_node_edit_in_the_admin_is_audited_with_the_operator(fed, client_for):
    url = f"/admin/federation/node/{fed.committee_a1.pk}/change/"
    form = change_form(fed.committee_a1, name="Comité renombrado", kind=None, parent=None)
    response = client_for(fed.operator).post(url, form)
    assert response.status_code == 302
    fed.committee_a1.refresh_from_db()
    assert fed.committee_a1.name == "Comité renombrado"
    entry = AuditEntry.objects.order_by("-seq").first()
    assert (entry.action, entry.actor_ref) == ("node.updated", fed.operator.pk)
    assert entry.data == {"name": "Comité renombrado"}
    assert audit.verify_chain().ok


def test_node_cannot_be_deleted_in_the_admin(fed, client_for):
    url = f"/admin/federation/node/{fed.committee_a2.pk}/delete/"
    assert client_for(fed.operator).post(url, {"post": "yes"}).status_code == 403
    assert Node.objects.filter(pk=fed.committee_a2.pk).exists()


@pytest.mark.parametrize("changes", [{"role": Role.SECRETARY}, {"weight": "5"}])
def test_membership_fields_cannot_be_edited_in_the_change_form(fed, client_for, changes):
    membership = _membership(fed.member, fed.committee_a1)
    before = AuditEntry.objects.count()
    url = f"{MEMBERSHIPS}{membership.pk}/change/"
    client = client_for(fed.operator)
    assert client.post(url, change_form(membership, **changes)).status_code == 403
    assert client.post(url.replace("change", "delete"), {"post": "yes"}).status_code == 403
    membership.refresh_from_db()
    assert (membership.role, membership.weight) == (Role.MEMBER, 1)
    assert AuditEntry.objects.count() == before


def test_role_changes_and_removals_go_through_the_services(fed, client_for):
    membership = _membership(fed.member, fed.committee_a1)
    client = client_for(fed.operator)
    client.post(MEMBERSHIPS, action("make_secretary", membership))
    membership.refresh_from_db()
    assert membership.role == Role.SECRETARY
    client.post(MEMBERSHIPS, action("end", membership))
    membership.refresh_from_db()
    assert membership.ended_at is not None
    entries = AuditEntry.objects.filter(
        object_type="federation.membership", object_id=str(membership.pk), actor_ref=fed.operator.pk
    )
    assert list(entries.values_list("action", flat=True)) == [
        "membership.role_changed",
        "membership.ended",
    ]


def test_last_secretary_cannot_be_removed_by_an_action(fed, client_for):
    membership = _membership(fed.secretary, fed.committee_a1)
    response = client_for(fed.operator).post(
        MEMBERSHIPS, action("make_member", membership), follow=True
    )
    assert "at least one secretary" in response.content.decode()
    membership.refresh_from_db()
    assert membership.role == Role.SECRETARY


def test_mandates_cannot_be_edited_in_the_admin(fed, client_for):
    mandate = Mandate.objects.create(
        committee=fed.committee_a1, delegate=fed.member, source=MandateSource.APPOINTED
    )
    url = f"/admin/federation/mandate/{mandate.pk}/change/"
    response = client_for(fed.operator).post(url, change_form(mandate, delegate=fed.secretary.pk))
    assert response.status_code == 403
    mandate.refresh_from_db()
    assert mandate.delegate_id == fed.member.pk
