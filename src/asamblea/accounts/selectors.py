"""Reads of a member's own account: API tokens. (Invitations and memberships
are the federation's: ``federation.invitations``, ``federation.selectors``.)"""

from __future__ import annotations

from django.db.models import QuerySet

from asamblea.accounts.models import ApiToken, Member


def active_api_tokens(*, member: Member) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(member=member, revoked_at__isnull=True).order_by(
        "-created_at", "-pk"
    )
