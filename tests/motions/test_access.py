"""The motions' access matrix: role x action x where the motion sits (the
viewer's own committee, a sibling committee, a node above), against
``motions.access``. Expectations are written out, not computed."""

from __future__ import annotations

import pytest

from asamblea.core.actors import SYSTEM
from asamblea.core.errors import Forbidden
from asamblea.motions import access, services
from asamblea.motions.models import Motion, MotionState, Second
from tests.access_matrix import ROLES, outcome, viewer_for
from tests.motions.conftest import snapshot

ACTIONS = ("read", "second", "amend", "comment", "author", "vote", "decide")

# Motions: own = at committee_a1 by rosa (the "member"); sibling = at
# committee_a2 by vecina (the "neighbour"); higher = at zone_a by rosa.
EXPECTED = {
    "own": {
        #             read  second amend comment author vote decide
        "operator": ("ok", "ok", "ok", "ok", "403", "ok", "ok"),
        "secretary": ("ok", "ok", "ok", "ok", "403", "ok", "ok"),
        "member": ("ok", "403", "ok", "ok", "ok", "ok", "ok"),
        "delegate": ("ok", "ok", "ok", "ok", "403", "403", "403"),
        "neighbour": ("404", "404", "404", "404", "404", "404", "404"),
        "outsider": ("404", "404", "404", "404", "404", "404", "404"),
        "system": ("ok", "403", "403", "403", "403", "ok", "ok"),
    },
    "sibling": {
        "operator": ("ok", "ok", "ok", "ok", "403", "ok", "ok"),
        "secretary": ("404", "404", "404", "404", "404", "404", "404"),
        "member": ("404", "404", "404", "404", "404", "404", "404"),
        "delegate": ("404", "404", "404", "404", "404", "404", "404"),
        "neighbour": ("ok", "403", "ok", "ok", "ok", "ok", "ok"),
        "outsider": ("404", "404", "404", "404", "404", "404", "404"),
        "system": ("ok", "403", "403", "403", "403", "ok", "ok"),
    },
    "higher": {
        "operator": ("ok", "ok", "ok", "ok", "403", "ok", "ok"),
        # A committee's secretary manages nothing above it.
        "secretary": ("ok", "ok", "ok", "ok", "403", "403", "403"),
        "member": ("ok", "403", "ok", "ok", "ok", "ok", "ok"),
        "delegate": ("ok", "ok", "ok", "ok", "403", "403", "403"),
        "neighbour": ("ok", "ok", "ok", "ok", "403", "403", "403"),
        "outsider": ("404", "404", "404", "404", "404", "404", "404"),
        "system": ("ok", "403", "403", "403", "403", "ok", "ok"),
    },
}


@pytest.fixture
def motions(fed):
    return {
        "own": services.submit_motion(
            actor=fed.member, node=fed.committee_a1, title="Propia", body="Texto."
        ),
        "sibling": services.submit_motion(
            actor=fed.neighbour, node=fed.committee_a2, title="Vecina", body="Texto."
        ),
        "higher": services.submit_motion(
            actor=fed.member, node=fed.zone_a, title="Zonal", body="Texto."
        ),
    }


def _cases():
    return [
        pytest.param(where, role, action, EXPECTED[where][role][i], id=f"{where}-{role}-{action}")
        for where in EXPECTED
        for role in ROLES
        for i, action in enumerate(ACTIONS)
    ]


@pytest.mark.parametrize(("where", "role", "action", "expected"), _cases())
def test_motion_matrix(fed, motions, where, role, action, expected):
    viewer = viewer_for(fed, role)
    motion = motions[where]
    assert outcome(lambda: access.access_motion(viewer, motion.pk, to=action)) == expected
    assert access.may(viewer, motion, to=action) == (expected == "ok")


def test_the_system_may_not_second_submit_comment_or_amend(fed, motions):
    motion = motions["own"]
    before = snapshot()
    with pytest.raises(Forbidden):
        services.second_motion(actor=SYSTEM, motion=motion)
    with pytest.raises(Forbidden):
        services.submit_motion(actor=SYSTEM, node=fed.committee_a1, title="T", body="B")
    with pytest.raises(Forbidden):
        services.add_comment(actor=SYSTEM, motion=motion, body="Hola")
    assert snapshot() == before
    assert not Second.objects.exists()


def test_the_system_applies_a_vote_outcome_and_is_named_in_the_log(fed, motions):
    motion = motions["own"]
    services.second_motion(actor=fed.secretary, motion=motion)
    services.mark_motion_voting(actor=SYSTEM, motion=motion)
    services.conclude_motion(actor=SYSTEM, motion=motion, carried=True)
    assert Motion.objects.get(pk=motion.pk).state == MotionState.CARRIED


def test_a_member_who_may_not_decide_cannot_apply_an_outcome(fed, motions):
    motion = motions["own"]
    services.second_motion(actor=fed.secretary, motion=motion)
    with pytest.raises(Forbidden):
        services.mark_motion_voting(actor=fed.other_member, motion=motion)
    assert Motion.objects.get(pk=motion.pk).state == MotionState.DEBATE
