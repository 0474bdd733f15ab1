"""Pages that add a further victim or source to an incident: the fields of
the record form; bad input refused next to the form with nothing written."""

from __future__ import annotations

import pytest
from django.urls import reverse

from asamblea.incidents.models import Person, Source
from tests.incidents.conftest import PASSPHRASE, VICTIM_NAME, record, snapshot

VICTIM = {
    "victim_act_type": "arbitrary_arrest",
    "victim_method": "unknown",
    "victim_end_status": "held",
    "victim_names": "Condori Apaza Lucio",
    "victim_contact": "",
    "victim_sex": "male",
    "victim_age_band": "30-44",
    "victim_occupation": "unknown",
    "consent_scopes": ["record"],
    "consent_giver": "relative",
    "consent_method": "oral",
}
SOURCE = {
    "source_type": "witness",
    "source_connection": "saw",
    "source_reliability": "C",
    "source_notes": "Vecino de la comisaría",
}


@pytest.fixture
def unlocked(fed, reg, client_for):
    client = client_for(fed.member)
    client.post(reverse("incidents:unlock", args=[fed.committee_a1.pk]), {"passphrase": PASSPHRASE})
    return client


def _url(name, incident):
    return reverse(f"incidents:{name}", args=[incident.pk])


def test_add_a_victim_and_a_source_from_the_incident_page(fed, reg, unlocked):
    incident = record(fed, reg)
    detail = unlocked.get(_url("detail", incident)).content.decode()
    assert _url("add_victim", incident) in detail
    assert _url("add_source", incident) in detail
    form = unlocked.get(_url("add_victim", incident))
    assert form.status_code == 200
    assert 'name="victim_names"' in form.content.decode()
    assert unlocked.post(_url("add_victim", incident), VICTIM).status_code == 302
    assert unlocked.post(_url("add_source", incident), SOURCE).status_code == 302
    assert incident.acts.count() == 2
    assert Source.objects.filter(incident=incident).count() == 2
    page = unlocked.get(_url("detail", incident)).content.decode()
    assert "Condori Apaza Lucio" in page
    assert "Vecino de la comisaría" in page
    assert VICTIM_NAME in page


@pytest.mark.parametrize(
    ("overrides", "status", "message"),
    [
        ({"victim_act_type": ""}, 422, "This field is required"),
        ({"victim_act_type": "levitation"}, 422, "Select a valid choice"),
        ({"victim_names": "x" * 400}, 422, "at most 300 characters"),
        ({"consent_scopes": []}, 422, "consent to be recorded"),
        ({"victim_sex": "other!"}, 422, "Select a valid choice"),
    ],
)
def test_a_bad_victim_is_refused_and_nothing_is_written(
    fed, reg, unlocked, overrides, status, message
):
    incident = record(fed, reg)
    before = snapshot()
    response = unlocked.post(_url("add_victim", incident), {**VICTIM, **overrides})
    assert response.status_code == status
    assert message in response.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize(
    ("overrides", "status", "message"),
    [
        ({"source_type": ""}, 422, "This field is required"),
        ({"source_reliability": "Z"}, 422, "Select a valid choice"),
        ({"source_notes": "x" * 5000}, 422, "at most 4000 characters"),
    ],
)
def test_a_bad_source_is_refused_and_nothing_is_written(
    fed, reg, unlocked, overrides, status, message
):
    incident = record(fed, reg)
    before = snapshot()
    response = unlocked.post(_url("add_source", incident), {**SOURCE, **overrides})
    assert response.status_code == status
    assert message in response.content.decode()
    assert snapshot() == before


def test_names_need_the_unlocked_register(fed, reg, client_for):
    incident = record(fed, reg)
    client = client_for(fed.member)
    before = snapshot()
    response = client.post(_url("add_victim", incident), VICTIM)
    assert response.status_code == 403
    assert snapshot() == before
    # Without names nor notes, a locked register is enough.
    bare = {**VICTIM, "victim_names": ""}
    assert client.post(_url("add_victim", incident), bare).status_code == 302
    assert Person.objects.count() == before["persons"] + 1


@pytest.mark.parametrize("who", ["outsider", "secretary", "neighbour"])
def test_others_cannot_add(fed, reg, client_for, who):
    incident = record(fed, reg)
    client = client_for(getattr(fed, who))
    before = snapshot()
    for name, data in (("add_victim", VICTIM), ("add_source", SOURCE)):
        response = client.post(_url(name, incident), data)
        assert response.status_code in (403, 404)
    assert snapshot() == before


def test_an_archived_incident_takes_no_more_victims(fed, reg, unlocked):
    incident = record(fed, reg)
    unlocked.post(_url("archive", incident), {"reason": "duplicate"})
    incident.refresh_from_db()
    assert incident.is_archived
    before = snapshot()
    response = unlocked.post(_url("add_source", incident), SOURCE)
    assert response.status_code == 409
    assert "archived" in response.content.decode()
    assert snapshot() == before
