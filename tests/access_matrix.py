"""Shared pieces of the access matrices (tests/*/test_access.py): who asks,
and what an access function answered."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from asamblea.core.actors import SYSTEM
from asamblea.core.errors import Forbidden, NotFound
from asamblea.federation import services as federation_services
from asamblea.federation.access import Viewer
from tests.factories import Federation

# operator: staff, no committee; secretary, member: of committee_a1; delegate:
# juan, member of committee_a1 holding its mandate; neighbour: of the sibling
# committee_a2; outsider: of committee_b1 in another region; system: SYSTEM.
ROLES = ("operator", "secretary", "member", "delegate", "neighbour", "outsider", "system")


def viewer_for(fed: Federation, role: str) -> Viewer:
    if role == "system":
        return Viewer.of(SYSTEM)
    if role == "delegate":
        if "mandate_a1" not in fed.extra:
            fed.extra["mandate_a1"] = federation_services.appoint_delegate(
                actor=SYSTEM, committee=fed.committee_a1, delegate=fed.other_member
            )
        return Viewer.of(fed.other_member)
    return Viewer.of(getattr(fed, role))


def outcome(call: Callable[[], Any]) -> str:
    """ "ok", "404" or "403" for what ``call`` did."""
    try:
        call()
    except NotFound:
        return "404"
    except Forbidden:
        return "403"
    return "ok"
