from __future__ import annotations

import pytest
from django.test import Client

from asamblea.core.actors import SYSTEM
from asamblea.core.models import AuditEntry
from asamblea.federation import services
from asamblea.federation.models import Mandate, Membership, Node
from tests.factories import join, make_member


def db_state() -> tuple[int, int, int, int, tuple[tuple[int, str], ...]]:
    """Everything a refused federation request must leave untouched."""
    return (
        Node.objects.count(),
        Membership.objects.filter(ended_at__isnull=True).count(),
        Mandate.objects.filter(ended_at__isnull=True).count(),
        AuditEntry.objects.count(),
        tuple(Membership.objects.order_by("pk").values_list("pk", "role")),
    )


@pytest.fixture
def world(fed):
    """``fed`` plus what the permission matrix needs: a delegate (juan holds a
    mandate for committee_a1), a mandate in committee_a2, and in each committee
    a plain member to act upon."""
    fed.extra["delegate"] = fed.other_member
    fed.extra["mandate_a1"] = services.appoint_delegate(
        actor=SYSTEM, committee=fed.committee_a1, delegate=fed.other_member
    )
    fed.extra["mandate_a2"] = services.appoint_delegate(
        actor=SYSTEM, committee=fed.committee_a2, delegate=fed.neighbour
    )
    fed.extra["target_a1"] = join(make_member("objetivo_a1"), fed.committee_a1)
    fed.extra["target_a2"] = join(make_member("objetivo_a2"), fed.committee_a2)
    return fed


@pytest.fixture
def as_role(world, client_for):
    """``as_role(name)``: a client for a role of the permission matrix."""

    def make(role: str) -> Client:
        if role == "anonymous":
            return Client()
        if role == "delegate":
            return client_for(world.other_member)
        return client_for(getattr(world, role))

    return make
