"""The polls' access matrix: role x action x where the poll sits (the viewer's
own committee, a sibling committee, a node above), against ``voting.access``,
and the services refusing the system where it has no business. Expectations
are written out, not computed."""

from __future__ import annotations

import pytest

from asamblea.core.actors import SYSTEM
from asamblea.core.errors import Forbidden
from asamblea.core.models import AuditEntry
from asamblea.federation import services as federation_services
from asamblea.motions import services as motion_services
from asamblea.voting import access, services
from asamblea.voting.models import Poll, PollState
from tests.access_matrix import ROLES, outcome, viewer_for
from tests.voting.conftest import make_poll, snapshot

ACTIONS = ("read", "vote", "manage", "open", "close", "cancel", "create")
_NODE_ATTR = {"own": "committee_a1", "sibling": "committee_a2", "higher": "zone_a"}

EXPECTED = {
    "own": {
        #             read  vote  manage open  close cancel create
        "operator": ("ok", "ok", "ok", "ok", "ok", "ok", "ok"),
        "secretary": ("ok", "ok", "ok", "ok", "ok", "ok", "ok"),
        "member": ("ok", "ok", "403", "403", "403", "403", "403"),
        "delegate": ("ok", "ok", "403", "403", "403", "403", "403"),
        "neighbour": ("404", "404", "404", "404", "404", "404", "404"),
        "outsider": ("404", "404", "404", "404", "404", "404", "404"),
        "system": ("ok", "403", "403", "ok", "ok", "ok", "403"),
    },
    "sibling": {
        "operator": ("ok", "ok", "ok", "ok", "ok", "ok", "ok"),
        "secretary": ("404", "404", "404", "404", "404", "404", "404"),
        "member": ("404", "404", "404", "404", "404", "404", "404"),
        "delegate": ("404", "404", "404", "404", "404", "404", "404"),
        "neighbour": ("ok", "ok", "403", "403", "403", "403", "403"),
        "outsider": ("404", "404", "404", "404", "404", "404", "404"),
        "system": ("ok", "403", "403", "ok", "ok", "ok", "403"),
    },
    "higher": {
        "operator": ("ok", "ok", "ok", "ok", "ok", "ok", "ok"),
        # Above committees only operators manage polls.
        "secretary": ("ok", "ok", "403", "403", "403", "403", "403"),
        "member": ("ok", "ok", "403", "403", "403", "403", "403"),
        "delegate": ("ok", "ok", "403", "403", "403", "403", "403"),
        "neighbour": ("ok", "ok", "403", "403", "403", "403", "403"),
        "outsider": ("404", "404", "404", "404", "404", "404", "404"),
        "system": ("ok", "403", "403", "ok", "ok", "ok", "403"),
    },
}


@pytest.fixture
def polls(fed):
    return {
        where: make_poll(fed.operator, getattr(fed, attr)) for where, attr in _NODE_ATTR.items()
    }


def _cases():
    return [
        pytest.param(where, role, action, EXPECTED[where][role][i], id=f"{where}-{role}-{action}")
        for where in EXPECTED
        for role in ROLES
        for i, action in enumerate(ACTIONS)
    ]


@pytest.mark.parametrize(("where", "role", "action", "expected"), _cases())
def test_poll_matrix(fed, polls, where, role, action, expected):
    viewer = viewer_for(fed, role)
    poll = polls[where]
    if action == "create":
        node = getattr(fed, _NODE_ATTR[where])
        assert outcome(lambda: access.check_create(viewer, node)) == expected
        assert access.may_create(viewer, node) == (expected == "ok")
        return
    assert outcome(lambda: access.access_poll(viewer, poll.pk, to=action)) == expected
    assert access.may(viewer, poll, to=action) == (expected == "ok")
    if action == "vote":
        assert outcome(lambda: access.access_poll_for_vote(viewer, poll.pk)) == expected


RECALL = {
    # Starting a recall of committee_a1's delegate: its members only.
    "operator": "403",
    "secretary": "ok",
    "member": "ok",
    "delegate": "ok",
    "neighbour": "404",
    "outsider": "404",
    "system": "403",
}


@pytest.mark.parametrize(("role", "expected"), RECALL.items())
def test_recall_matrix(fed, role, expected):
    viewer = viewer_for(fed, role)
    mandate = federation_services.appoint_delegate(
        actor=SYSTEM, committee=fed.committee_a1, delegate=fed.secretary
    )
    assert outcome(lambda: access.check_recall(viewer, mandate)) == expected


def test_the_system_may_not_create_a_poll_or_start_a_recall(fed):
    mandate = federation_services.appoint_delegate(
        actor=SYSTEM, committee=fed.committee_a1, delegate=fed.secretary
    )
    before = snapshot()
    with pytest.raises(Forbidden):
        make_poll(SYSTEM, fed.committee_a1)
    with pytest.raises(Forbidden):
        services.start_recall(actor=SYSTEM, mandate=mandate, reason="No informa.")
    assert snapshot() == before


def test_the_system_may_not_put_a_motion_to_the_vote(fed):
    motion = motion_services.submit_motion(
        actor=fed.member, node=fed.committee_a1, title="Paro", body="Texto."
    )
    motion_services.second_motion(actor=fed.secretary, motion=motion)
    before = snapshot()
    with pytest.raises(Forbidden):
        services.open_motion_vote(actor=SYSTEM, motion=motion)
    assert snapshot() == before


def test_the_system_opens_and_closes_and_is_named_system_in_the_log(fed):
    poll = make_poll(fed.secretary, fed.committee_a1)
    services.open_poll(actor=SYSTEM, poll=poll)
    services.close_poll(actor=SYSTEM, poll=poll)
    assert Poll.objects.get(pk=poll.pk).state == PollState.CLOSED
    entries = AuditEntry.objects.filter(
        action__in=["poll.opened", "poll.closed"], object_id=str(poll.pk)
    )
    assert sorted(entries.values_list("actor_ref", "actor_label")) == [
        (None, "system"),
        (None, "system"),
    ]
