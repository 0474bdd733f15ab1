from __future__ import annotations

import pytest
from django.core.cache import cache

from asamblea.accounts.models import ApiToken, Invitation, Member
from asamblea.core.models import AuditEntry
from asamblea.federation.models import Membership


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    # Failure counters live in the cache, which outlives a test's transaction.
    cache.clear()
    yield
    cache.clear()


def snapshot() -> dict[str, int]:
    """Row counts that a refused request must leave unchanged."""
    return {
        "members": Member.objects.count(),
        "memberships": Membership.objects.count(),
        "invitations": Invitation.objects.count(),
        "used_invitations": Invitation.objects.filter(used_at__isnull=False).count(),
        "revoked_invitations": Invitation.objects.filter(revoked_at__isnull=False).count(),
        "tokens": ApiToken.objects.filter(revoked_at__isnull=True).count(),
        "audit": AuditEntry.objects.count(),
    }
