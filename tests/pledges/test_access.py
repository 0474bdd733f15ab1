"""Who may issue, manage, read and answer calls: role x action x own,
sibling and higher node."""

from __future__ import annotations

import pytest

from asamblea.core.errors import Forbidden, NotFound
from asamblea.federation.access import Viewer
from asamblea.pledges import access, services
from asamblea.pledges.errors import NotElector
from tests.pledges.conftest import make_call, open_call

pytestmark = pytest.mark.django_db

WHO = ("operator", "secretary", "member", "neighbour", "outsider")
# committee_a1 is the secretary's and member's own, committee_a2 the
# neighbour's (a sibling of theirs), zone_a above both; the outsider is in
# another region.
ISSUE = {
    ("operator", "committee_a1"): "ok",
    ("operator", "committee_a2"): "ok",
    ("operator", "zone_a"): "ok",
    ("secretary", "committee_a1"): "ok",
    ("secretary", "committee_a2"): NotFound,
    ("secretary", "zone_a"): Forbidden,
    ("member", "committee_a1"): Forbidden,
    ("member", "committee_a2"): NotFound,
    ("member", "zone_a"): Forbidden,
    ("neighbour", "committee_a1"): NotFound,
    ("neighbour", "committee_a2"): Forbidden,
    ("neighbour", "zone_a"): Forbidden,
    ("outsider", "committee_a1"): NotFound,
    ("outsider", "committee_a2"): NotFound,
    ("outsider", "zone_a"): NotFound,
}


@pytest.mark.parametrize(("who", "where"), sorted(ISSUE))
def test_issue_matrix(fed, who, where):
    expected = ISSUE[who, where]
    actor, node = getattr(fed, who), getattr(fed, where)
    if expected == "ok":
        assert make_call(actor, node).node == node
    else:
        with pytest.raises(expected):
            make_call(actor, node)


@pytest.mark.parametrize("who", WHO)
def test_read_manage_and_answer_a_zone_call(fed, who):
    call = open_call(fed.operator, fed.zone_a)
    viewer = Viewer.of(getattr(fed, who))
    sees = who != "outsider"
    assert access.may(viewer, call) is sees
    assert access.may(viewer, call, to="manage") is (who == "operator")
    if who == "operator":
        # Operators are not members: they answer nothing.
        with pytest.raises(NotElector):
            services.answer_call(actor=fed.operator, call=call, pledged=True)
    elif not sees:
        with pytest.raises(NotFound):
            services.answer_call(actor=getattr(fed, who), call=call, pledged=True)
    else:
        services.answer_call(actor=getattr(fed, who), call=call, pledged=True)
