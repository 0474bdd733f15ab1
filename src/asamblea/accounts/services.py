"""Writes for members, invitations and API tokens. Each service owns its transaction."""

from __future__ import annotations

import hashlib

from django.utils import timezone

from asamblea.accounts.models import ApiToken, Member


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def authenticate_api_token(*, raw_token: str) -> Member | None:
    """Return the active member owning ``raw_token``, or None."""
    if not raw_token or len(raw_token) > 200:
        return None
    token = (
        ApiToken.objects.select_related("member")
        .filter(digest=_digest(raw_token), revoked_at__isnull=True, member__is_active=True)
        .first()
    )
    if token is None:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.member
