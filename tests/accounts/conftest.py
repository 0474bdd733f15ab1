from __future__ import annotations

import pytest
from django.core.cache import cache

from asamblea.accounts.models import ApiToken, Invitation, Member
from asamblea.core.models import AuditEntry
from asamblea.federation.models import Membership


@pytest.fixture(autouse=True)
def _fresh_rate_limits(request):
    """Attempt counters live in the cache table. A test in a transaction rolls
    them back anyway; a transactional test would leave them for the next one."""
    uses_db = {"db", "transactional_db", "_django_db_helper"} & set(request.fixturenames)
    if not uses_db:
        yield
        return
    transactional = "transactional_db" in request.fixturenames or any(
        mark.kwargs.get("transaction") for mark in request.node.iter_markers("django_db")
    )
    request.getfixturevalue("transactional_db" if transactional else "db")
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
