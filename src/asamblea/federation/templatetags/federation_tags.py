"""Template tags for other apps' pages that show a member's place in the
federation (the profile page), so that those apps need not import it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import template

from asamblea.federation import access, selectors
from asamblea.federation.access import viewer_of
from asamblea.federation.models import Membership

register = template.Library()


@dataclass(frozen=True)
class MembershipRow:
    membership: Membership
    may_invite: bool


@register.simple_tag(takes_context=True)
def my_memberships(context: dict[str, Any]) -> list[MembershipRow]:
    """The signed-in member's committees by name, each flagged when they may
    manage its invitations."""
    request = context.get("request")
    if request is None:
        return []
    viewer = viewer_of(request)
    if viewer.member is None:
        return []
    return [
        MembershipRow(membership=m, may_invite=access.may_manage(viewer, m.node))
        for m in selectors.active_memberships(member=viewer.member).order_by("node__name")
    ]
