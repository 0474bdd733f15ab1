"""Who reads an incident, per confidentiality level and verification state:
the matrix, and the one-query rule checked against the per-object rule."""

from __future__ import annotations

import pytest

from asamblea.federation.access import ANONYMOUS_VIEWER, Viewer
from asamblea.incidents import access, services
from asamblea.incidents.codes import Confidentiality, VerificationState
from asamblea.incidents.models import Incident
from tests.access_matrix import outcome, viewer_for
from tests.incidents.conftest import incident_data

# fed.member and fed.other_member are committee_a1's documenters (``reg``);
# the secretary of committee_a1 is no documenter; neighbour documents for
# committee_a2; outsider belongs to committee_b1 in another region.
READERS = (
    "documenter",
    "secretary",
    "committee_member",
    "neighbour",
    "outsider",
    "operator",
    "system",
    "anonymous",
)

EXPECTED_VERIFIED = {
    Confidentiality.PUBLIC: dict.fromkeys(READERS, "ok") | {"anonymous": "404"},
    Confidentiality.ASSEMBLY: dict.fromkeys(READERS, "ok") | {"anonymous": "404"},
    Confidentiality.COMMITTEE: {
        "documenter": "ok",
        "secretary": "ok",
        "committee_member": "ok",
        "neighbour": "404",
        "outsider": "404",
        "operator": "404",
        "system": "ok",
        "anonymous": "404",
    },
    Confidentiality.RESTRICTED: {
        "documenter": "ok",
        "secretary": "ok",
        "committee_member": "404",
        "neighbour": "404",
        "outsider": "404",
        "operator": "404",
        "system": "404",
        "anonymous": "404",
    },
    Confidentiality.SEALED: {
        "documenter": "ok",
        "secretary": "404",
        "committee_member": "404",
        "neighbour": "404",
        "outsider": "404",
        "operator": "404",
        "system": "404",
        "anonymous": "404",
    },
}


@pytest.fixture
def committee_member(fed):
    from tests.factories import join, make_member

    member = make_member("comunera")
    join(member, fed.committee_a1)
    return member


def reader(fed, role, committee_member) -> Viewer:
    if role == "documenter":
        return Viewer.of(fed.member)
    if role == "committee_member":
        return Viewer.of(committee_member)
    if role == "anonymous":
        return ANONYMOUS_VIEWER
    return viewer_for(fed, role)


def make(fed, level: str, *, verified: bool) -> Incident:
    incident = services.record_incident(
        actor=fed.member,
        committee=fed.committee_a1,
        data=incident_data(private_description="", confidentiality=level),
    )
    if verified:
        services.review_incident(
            actor=fed.member, incident=incident, to_state=VerificationState.UNDER_REVIEW
        )
        services.review_incident(
            actor=fed.other_member, incident=incident, to_state=VerificationState.VERIFIED
        )
    incident.refresh_from_db()
    return incident


@pytest.mark.parametrize("level", Confidentiality.values)
def test_matrix_of_verified_incidents(fed, reg, committee_member, level):
    incident = make(fed, level, verified=True)
    got = {
        role: outcome(
            lambda role=role: access.access_incident(
                reader(fed, role, committee_member), incident.pk
            )
        )
        for role in READERS
    }
    assert got == EXPECTED_VERIFIED[level]


@pytest.mark.parametrize("level", [Confidentiality.PUBLIC, Confidentiality.ASSEMBLY])
def test_unverified_shared_records_stay_in_the_committee(fed, reg, committee_member, level):
    incident = make(fed, level, verified=False)
    got = {
        role: outcome(
            lambda role=role: access.access_incident(
                reader(fed, role, committee_member), incident.pk
            )
        )
        for role in READERS
    }
    assert got == EXPECTED_VERIFIED[Confidentiality.COMMITTEE]


def test_the_list_query_agrees_with_the_object_rule(fed, reg, committee_member):
    incidents = [
        make(fed, level, verified=verified)
        for level in Confidentiality.values
        for verified in (False, True)
    ]
    for role in READERS:
        viewer = reader(fed, role, committee_member)
        listed = set(access.readable_incidents(viewer).values_list("pk", flat=True))
        allowed = {i.pk for i in incidents if access.may_read(viewer, i)}
        assert listed == allowed, role


def test_writing_needs_a_documenter_of_the_committee(fed, reg, committee_member):
    incident = make(fed, Confidentiality.ASSEMBLY, verified=True)
    assert (
        outcome(lambda: access.access_incident(Viewer.of(fed.member), incident.pk, to="write"))
        == "ok"
    )
    for role in ("secretary", "committee_member", "operator"):
        viewer = reader(fed, role, committee_member)
        assert outcome(lambda v=viewer: access.access_incident(v, incident.pk, to="write")) == "403"


@pytest.mark.parametrize("incident_id", [0, -1, 2**63, 10**30])
def test_out_of_range_ids_are_not_found(fed, incident_id):
    assert outcome(lambda: access.access_incident(Viewer.of(fed.member), incident_id)) == "404"
