"""The public projection: only whitelisted fields, coarse places and times,
no small counts, whatever the record holds."""

from __future__ import annotations

import json
import uuid
from datetime import date

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from asamblea.incidents import public, services
from asamblea.incidents.codes import (
    AcledEventType,
    AcledSubType,
    Confidentiality,
    DatePrecision,
    GeoPrecision,
    VerificationState,
    ViolationStatus,
    ViolationType,
)
from asamblea.incidents.models import Incident
from tests.incidents.conftest import incident_data

MARKER = "ZZSECRETZZ"

counts = st.integers(min_value=0, max_value=100_000)
place_text = st.text(alphabet="abcdefghij ", max_size=20)


@st.composite
def incidents(draw):
    fatalities_min = draw(counts)
    return Incident(
        pk=draw(st.integers(min_value=1, max_value=2**40)),
        committee_id=1,
        public_summary=draw(st.text(alphabet="abc .", max_size=50)),
        private_description=MARKER.encode() + draw(st.binary(max_size=20)),
        start_date=draw(st.dates(min_value=date(1990, 1, 1), max_value=date(2030, 12, 31))),
        start_precision=draw(st.sampled_from(DatePrecision.values)),
        country="PE",
        admin1=draw(place_text),
        admin2=draw(place_text),
        admin3=MARKER + "admin3",
        place=MARKER + "place",
        latitude=-15.123456,
        longitude=-70.654321,
        geo_precision=draw(st.sampled_from(GeoPrecision.values)),
        event_type=draw(st.sampled_from(AcledEventType.values)),
        sub_type=draw(st.sampled_from(AcledSubType.values)),
        violation_types=draw(st.lists(st.sampled_from(ViolationType.values), unique=True)),
        fatalities_min=fatalities_min,
        fatalities_max=fatalities_min + draw(counts),
        injured=draw(counts),
        detained=draw(counts),
        disappeared=draw(counts),
        tags=[MARKER + "tag"],
        confidentiality=Confidentiality.PUBLIC,
        state=VerificationState.VERIFIED,
        violation_status=draw(st.sampled_from(ViolationStatus.values)),
        recorded_by_id=1,
    )


@settings(max_examples=300, deadline=None)
@given(incidents())
def test_projection_holds_only_whitelisted_coarse_fields(incident):
    projected = public.project(incident)
    assert tuple(projected) == public.PUBLIC_FIELDS
    for name in public.COUNT_FIELDS:
        value = projected[name]
        assert value is None or value == 0 or value >= public.PUBLIC_MIN_COUNT
    text = json.dumps(projected)
    assert MARKER not in text
    assert "15.12" not in text
    assert "70.65" not in text
    assert len(projected["period"]) in (4, 7)
    if incident.geo_precision in (GeoPrecision.ADMIN1, GeoPrecision.COUNTRY):
        assert projected["admin2"] == ""
    if incident.geo_precision == GeoPrecision.COUNTRY:
        assert projected["admin1"] == ""


@pytest.mark.parametrize(("count", "shown"), [(0, 0), (1, None), (2, None), (3, 3), (70, 70)])
def test_small_counts_are_suppressed(count, shown):
    assert public.suppress(count) == shown


def _verified(fed, reg, **overrides):
    incident = services.record_incident(
        actor=fed.member,
        committee=fed.committee_a1,
        data=incident_data(private_description="", **overrides),
    )
    services.review_incident(actor=fed.member, incident=incident, to_state="under_review")
    services.review_incident(actor=fed.other_member, incident=incident, to_state="verified")
    incident.refresh_from_db()
    return incident


def test_only_verified_public_unarchived_records_are_projected(fed, reg):
    shown = _verified(fed, reg, confidentiality=Confidentiality.PUBLIC)
    _verified(fed, reg, confidentiality=Confidentiality.ASSEMBLY)
    services.record_incident(
        actor=fed.member,
        committee=fed.committee_a1,
        data=incident_data(private_description="", confidentiality=Confidentiality.PUBLIC),
    )
    archived = _verified(fed, reg, confidentiality=Confidentiality.PUBLIC)
    services.archive_incident(actor=fed.member, incident=archived, reason="duplicate")
    assert list(public.public_incidents()) == [shown]


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(incidents(), min_size=1, max_size=4))
def test_the_public_api_answers_only_the_projection(fed, examples):
    """Whatever the stored records hold, /api/v1/incidents/public answers
    whitelisted keys, coarse values and no small count."""
    Incident.objects.all().delete()
    for number, example in enumerate(examples):
        example.pk = None
        example.uid = uuid.uuid4()
        example.committee = fed.committee_a1
        example.recorded_by = fed.member
        example.public_summary = f"resumen {number}"
        example.save()
    response = Client().get("/api/v1/incidents/public")
    assert response.status_code == 200
    body = response.json()
    assert len(body) == len(examples)
    text = response.content.decode()
    assert MARKER not in text
    assert "15.12" not in text
    for item in body:
        assert tuple(item) == public.PUBLIC_FIELDS
        for name in public.COUNT_FIELDS:
            assert item[name] is None or item[name] == 0 or item[name] >= public.PUBLIC_MIN_COUNT
