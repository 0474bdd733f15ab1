"""Who sees and who acts on a trustee board: the whole matrix, for a board at
one's own committee, at a node above it, and at another region's committee."""

from __future__ import annotations

import pytest

from asamblea.core.actors import SYSTEM
from asamblea.trustees import access, services
from tests.access_matrix import ROLES, outcome, viewer_for

# juan (the "delegate" of the matrix) is also the trustee: "trustee" asks as him.
TRUSTEE = "trustee"
ALL = (*ROLES, TRUSTEE)

EXPECTED = {
    # node: {action: {role: outcome}}
    "committee_a1": {
        "read": dict.fromkeys(ALL, "ok") | {"neighbour": "404", "outsider": "404"},
        "manage": {
            "operator": "ok",
            "secretary": "ok",
            "member": "403",
            "delegate": "403",
            "trustee": "403",
            "neighbour": "404",
            "outsider": "404",
            "system": "ok",
        },
        "act": {
            "operator": "403",
            "secretary": "403",
            "member": "403",
            "delegate": "ok",
            "trustee": "ok",
            "neighbour": "404",
            "outsider": "404",
            "system": "403",
        },
    },
    "zone_a": {
        "read": dict.fromkeys(ALL, "ok") | {"outsider": "404"},
        "manage": dict.fromkeys(ALL, "403") | {"operator": "ok", "system": "ok", "outsider": "404"},
        "act": dict.fromkeys(ALL, "403") | {"neighbour": "ok", "outsider": "404"},
    },
    "committee_b1": {
        "read": dict.fromkeys(ALL, "404") | {"operator": "ok", "system": "ok", "outsider": "ok"},
        "manage": dict.fromkeys(ALL, "404") | {"operator": "ok", "system": "ok", "outsider": "403"},
        "act": dict.fromkeys(ALL, "404") | {"operator": "403", "system": "403", "outsider": "ok"},
    },
}

TRUSTEES = {
    "committee_a1": "other_member",
    "zone_a": "neighbour",
    "committee_b1": "outsider",
}


@pytest.fixture
def boards(fed):
    out = {}
    for node_name, trustee in TRUSTEES.items():
        board = services.create_board(actor=SYSTEM, node=getattr(fed, node_name))
        services.appoint_trustee(actor=SYSTEM, board=board, member=getattr(fed, trustee))
        out[node_name] = board
    return out


def _viewer(fed, role):
    return viewer_for(fed, "delegate" if role == TRUSTEE else role)


@pytest.mark.parametrize("node_name", sorted(EXPECTED))
def test_access_matrix(fed, boards, node_name):
    board = boards[node_name]
    got = {"read": {}, "manage": {}, "act": {}}
    for role in ALL:
        viewer = _viewer(fed, role)
        got["read"][role] = outcome(lambda v=viewer: access.access_board(v, board.pk))
        got["manage"][role] = outcome(
            lambda v=viewer: access.access_board(v, board.pk, to="manage")
        )
        got["act"][role] = outcome(lambda v=viewer: access.access_seat(v, board))
    assert got == EXPECTED[node_name]


@pytest.mark.parametrize("bad_id", [0, -1, 2**63, 999_999])
def test_unknown_ids_are_not_found(fed, boards, bad_id):
    assert outcome(lambda: access.access_board(_viewer(fed, "operator"), bad_id)) == "404"
