from __future__ import annotations

import pytest

from asamblea.accounts import selectors, services
from asamblea.accounts.rules import InvitationState
from asamblea.core.errors import Forbidden, NotFound
from asamblea.federation import invitations
from asamblea.federation import selectors as federation_selectors
from asamblea.federation.models import Mandate, MandateSource

OK = "ok"

# Who may manage invitations where: own committee, sibling committee, node above.
MATRIX = [
    ("member", "committee_a1", Forbidden),
    ("member", "committee_a2", NotFound),
    ("member", "zone_a", Forbidden),
    ("secretary", "committee_a1", OK),
    ("secretary", "committee_a2", NotFound),
    ("secretary", "zone_a", Forbidden),
    ("delegate", "committee_a1", Forbidden),
    ("delegate", "committee_a2", NotFound),
    ("delegate", "zone_a", Forbidden),
    ("operator", "committee_a1", OK),
    ("operator", "committee_b1", OK),
    ("operator", "zone_a", NotFound),
    ("outsider", "committee_b1", Forbidden),
    ("outsider", "committee_a1", NotFound),
    ("outsider", "region_b", Forbidden),
]


def actor(fed, who):
    if who == "delegate":
        Mandate.objects.create(
            committee=fed.committee_a1, delegate=fed.other_member, source=MandateSource.ELECTED
        )
        return fed.other_member
    return getattr(fed, who)


@pytest.mark.parametrize(("who", "where", "expected"), MATRIX)
def test_invitation_management_permission_matrix(fed, who, where, expected):
    member = actor(fed, who)
    node = getattr(fed, where)
    if expected is OK:
        assert invitations.get_invitable_committee(member=member, node_id=node.pk) == node
        assert invitations.list_invitations(member=member, committee=node) == []
    else:
        with pytest.raises(expected):
            invitations.get_invitable_committee(member=member, node_id=node.pk)
        with pytest.raises(expected):
            invitations.list_invitations(member=member, committee=node)


def test_unknown_node_is_not_found(fed):
    with pytest.raises(NotFound):
        invitations.get_invitable_committee(member=fed.operator, node_id=999_999)


def test_list_invitations_shows_each_state(fed):
    created = invitations.create_invitations(
        actor=fed.secretary, committee=fed.committee_a1, count=2
    )
    invitations.revoke_invitation(actor=fed.secretary, invitation=created[0][0])
    rows = invitations.list_invitations(member=fed.secretary, committee=fed.committee_a1)
    states = {row.invitation.pk: row.state for row in rows}
    assert states == {
        created[0][0].pk: InvitationState.REVOKED,
        created[1][0].pk: InvitationState.ACTIVE,
    }
    assert [row.can_revoke for row in rows if row.state == InvitationState.ACTIVE] == [True]


def test_invitation_of_a_sibling_committee_is_not_found(fed):
    [(invitation, _code)] = invitations.create_invitations(
        actor=fed.operator, committee=fed.committee_a2
    )
    with pytest.raises(NotFound):
        invitations.get_invitation_for(member=fed.secretary, invitation_id=invitation.pk)
    with pytest.raises(NotFound):
        invitations.get_invitation_for(member=fed.secretary, invitation_id=999_999)
    assert invitations.get_invitation_for(member=fed.operator, invitation_id=invitation.pk)


def test_active_api_tokens_lists_only_my_unrevoked_tokens(fed):
    mine, _ = services.create_api_token(member=fed.member, name="a")
    gone, _ = services.create_api_token(member=fed.member, name="b")
    services.create_api_token(member=fed.other_member, name="c")
    services.revoke_api_token(member=fed.member, token_id=gone.pk)
    assert list(selectors.active_api_tokens(member=fed.member)) == [mine]


def test_my_memberships_lists_active_memberships(fed):
    assert [m.node for m in federation_selectors.active_memberships(member=fed.secretary)] == [
        fed.committee_a1
    ]
    assert list(federation_selectors.active_memberships(member=fed.operator)) == []
