from __future__ import annotations

import pytest

from asamblea.core.models import AuditEntry
from asamblea.federation.models import Mandate, MandateSource
from asamblea.motions import services
from asamblea.motions.models import Amendment, Comment, Motion, MotionVersion, Second
from tests.factories import join, make_member

BODY = (
    "We call a regional strike.\n\nWe demand the release of detainees.\n\nWe meet again on Monday."
)


@pytest.fixture
def delegate(fed):
    """A member of committee_a1 holding its mandate to the zone."""
    member = make_member("delegada")
    join(member, fed.committee_a1)
    Mandate.objects.create(
        committee=fed.committee_a1, delegate=member, source=MandateSource.ELECTED
    )
    return member


@pytest.fixture
def draft(fed):
    """A draft at committee_a1 by ``fed.member`` (one second needed)."""
    return services.submit_motion(
        actor=fed.member, node=fed.committee_a1, title="General strike", body=BODY
    )


@pytest.fixture
def debate(fed, draft):
    services.second_motion(actor=fed.other_member, motion=draft)
    draft.refresh_from_db()
    return draft


def snapshot() -> dict[str, int]:
    """Row counts that a refused request must leave unchanged."""
    return {
        "motions": Motion.objects.count(),
        "versions": MotionVersion.objects.count(),
        "seconds": Second.objects.count(),
        "amendments": Amendment.objects.count(),
        "comments": Comment.objects.count(),
        "audit": AuditEntry.objects.count(),
    }
