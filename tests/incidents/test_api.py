"""JSON API of the register: shapes, refusals with nothing written, the
session-held key, the public projection."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from asamblea.accounts import services as account_services
from asamblea.incidents import keyring, public
from asamblea.incidents.models import Consent, Incident, Person
from tests.incidents.conftest import (
    DESCRIPTION,
    PASSPHRASE,
    VICTIM_CONTACT,
    VICTIM_NAME,
    snapshot,
)
from tests.incidents.test_at_rest import database_bytes, encodings

BASE = "/api/v1/incidents"


class Api:
    def __init__(self, client: Client, headers: dict[str, str] | None = None):
        self.client = client
        self.headers = headers or {}

    @classmethod
    def token(cls, member):
        _, raw = account_services.create_api_token(member=member, name="test")
        return cls(Client(), {"HTTP_AUTHORIZATION": f"Bearer {raw}"})

    def get(self, path, **params):
        return self.client.get(BASE + path, params, **self.headers)

    def post(self, path, data=None):
        return self.client.post(
            BASE + path, json.dumps(data or {}), content_type="application/json", **self.headers
        )


def payload(committee, **overrides):
    start = timezone.localdate() - timedelta(days=20)
    body = {
        "committee": committee.pk,
        "public_summary": "Disparos contra una marcha en la plaza.",
        "private_description": "",
        "start_date": start.isoformat(),
        "start_precision": "exact",
        "country": "PE",
        "admin1": "Puno",
        "admin2": "San Román",
        "admin3": "Juliaca",
        "place": "Plaza de Armas",
        "latitude": -15.4997,
        "longitude": -70.1331,
        "geo_precision": "exact",
        "event_type": "protests",
        "sub_type": "excessive_force",
        "violation_types": ["killing"],
        "fatalities_min": 3,
        "fatalities_max": 4,
        "injured": 12,
        "confidentiality": "public",
        "victims": [
            {
                "act_type": "killing",
                "sex": "male",
                "age_band": "18-29",
                "occupation": "student",
                "deceased": True,
                "end_status": "dead",
                "consents": [],
            }
        ],
        "sources": [{"source_type": "witness", "connection": "saw", "reliability": "B"}],
    }
    body.update(overrides)
    return body


def named_victim():
    given = (timezone.now() - timedelta(days=1)).isoformat()
    return {
        "act_type": "injury",
        "names": VICTIM_NAME,
        "contact": VICTIM_CONTACT,
        "consents": [
            {"scope": "record", "giver": "person", "method": "oral", "given_at": given},
            {"scope": "share_assembly", "giver": "person", "method": "oral", "given_at": given},
        ],
    }


@pytest.fixture
def session(fed, reg, client_for):
    """fed.member's browser session with committee_a1's register unlocked."""
    api = Api(client_for(fed.member))
    response = api.post(f"/registers/{fed.committee_a1.pk}/unlock", {"passphrase": PASSPHRASE})
    assert response.status_code == 200, response.content
    assert keyring.COOKIE_NAME in api.client.cookies
    return api


def test_a_token_records_an_incident_without_names(fed, reg):
    api = Api.token(fed.member)
    response = api.post("/", payload(fed.committee_a1))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == "draft"
    assert body["acts"][0]["victim"]["code"] == "P-00001"
    assert body["acts"][0]["victim"]["names"] == ""
    assert body["sources"][0]["reliability"] == "B"


def test_a_token_cannot_write_names(fed, reg):
    api = Api.token(fed.member)
    before = snapshot()
    response = api.post("/", payload(fed.committee_a1, victims=[named_victim()]))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "register_locked"
    assert "Unlock the committee's register" in response.json()["error"]["message"]
    assert snapshot() == before
    response = api.post(f"/registers/{fed.committee_a1.pk}/unlock", {"passphrase": PASSPHRASE})
    assert response.status_code == 409


def test_an_unlocked_session_writes_and_reads_names(fed, reg, session):
    response = session.post(
        "/",
        payload(
            fed.committee_a1,
            private_description=DESCRIPTION,
            victims=[named_victim()],
            confidentiality="committee",
        ),
    )
    assert response.status_code == 201, response.content
    incident_id = response.json()["id"]
    detail = session.get(f"/{incident_id}").json()
    assert detail["private_description"] == DESCRIPTION
    assert detail["acts"][0]["victim"]["names"] == VICTIM_NAME
    # The same member through a token (no session, no key) reads no names.
    token_detail = Api.token(fed.member).get(f"/{incident_id}").json()
    assert token_detail["acts"][0]["victim"]["names"] is None
    assert token_detail["private_description"] is None
    # A committee member who documents nothing sees neither the victim's name
    # nor the description.
    other = Api.token(fed.secretary).get(f"/{incident_id}").json()
    assert other["private_description"] is None
    assert other["acts"][0]["victim"]["names"] is None
    # Locking forgets the key.
    assert session.post(f"/registers/{fed.committee_a1.pk}/lock").json()["unlocked"] is False
    assert session.get(f"/{incident_id}").json()["acts"][0]["victim"]["names"] is None


@pytest.mark.django_db(transaction=True)
def test_the_session_store_holds_no_usable_key(fed, reg, session):
    session.post("/", payload(fed.committee_a1, victims=[named_victim()]))
    from django.contrib.sessions.models import Session

    (stored,) = Session.objects.all()
    assert str(fed.committee_a1.pk) in stored.get_decoded()[keyring.SESSION_KEY]
    dump = database_bytes()
    for encoded in encodings(reg.key.data_key.raw):
        assert encoded not in dump
    for secret in (VICTIM_NAME, VICTIM_CONTACT):
        assert secret.encode() not in dump
    # The cookie key alone is no data key either.
    cookie = session.client.cookies[keyring.COOKIE_NAME].value
    assert cookie.encode() not in dump


def test_a_stolen_session_without_the_cookie_opens_nothing(fed, reg, session):
    response = session.post("/", payload(fed.committee_a1, victims=[named_victim()]))
    incident_id = response.json()["id"]
    del session.client.cookies[keyring.COOKIE_NAME]
    assert session.get(f"/{incident_id}").json()["acts"][0]["victim"]["names"] is None


BAD = [
    ("start_date", {"start_date": "2999-01-01"}, "The start date is in the future."),
    (
        "end_date",
        {"end_date": "2000-01-01", "end_precision": "exact"},
        "The end date is before the start date.",
    ),
    (
        "latitude",
        {"latitude": 48.85, "longitude": 2.35},
        "These coordinates are outside the country PE.",
    ),
    ("injured", {"injured": -4}, "A count cannot be below zero."),
    (
        "fatalities_min",
        {"fatalities_min": 5, "fatalities_max": 1},
        "The minimum number of fatalities is above the maximum.",
    ),
    ("sub_type", {"sub_type": "riot"}, "“riot” is not a known code for sub_type."),
    (
        "act_type",
        {"victims": [{"act_type": "massacre"}]},
        "“massacre” is not a known code for act_type.",
    ),
    (
        "reliability",
        {"sources": [{"source_type": "witness", "connection": "saw", "reliability": "Z"}]},
        "“Z” is not a known code for reliability.",
    ),
]


@pytest.mark.parametrize(("field", "overrides", "message"), BAD, ids=[b[0] for b in BAD])
def test_bad_input_gets_a_clear_message_and_nothing_is_written(fed, reg, field, overrides, message):
    api = Api.token(fed.member)
    before = snapshot()
    response = api.post("/", payload(fed.committee_a1, **overrides))
    assert response.status_code == 422, response.content
    error = response.json()["error"]
    assert error["field"] == field
    assert error["message"] == message
    assert snapshot() == before


def test_a_documenter_of_another_committee_is_refused(fed, reg):
    neighbour, secretary = Api.token(fed.neighbour), Api.token(fed.secretary)
    before = snapshot()
    response = neighbour.post("/", payload(fed.committee_a1))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    response = secretary.post("/", payload(fed.committee_a1))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "not_documenter"
    assert snapshot() == before


def test_review_and_publish(fed, reg):
    recorder, reviewer = Api.token(fed.member), Api.token(fed.other_member)
    incident_id = recorder.post("/", payload(fed.committee_a1)).json()["id"]
    assert recorder.post(f"/{incident_id}/review", {"to_state": "under_review"}).status_code == 200
    refused = recorder.post(f"/{incident_id}/review", {"to_state": "verified"})
    assert refused.status_code == 403
    response = reviewer.post(
        f"/{incident_id}/review", {"to_state": "verified", "violation_status": "confirmed"}
    )
    assert response.json()["to_state"] == "verified"
    published = Client().get(BASE + "/public").json()
    assert len(published) == 1
    assert set(published[0]) == set(public.PUBLIC_FIELDS)
    assert published[0]["fatalities_min"] == 3
    assert published[0]["period"] == Incident.objects.get().start_date.strftime("%Y-%m")
    assert "Plaza de Armas" not in json.dumps(published)


def test_consent_withdrawal_through_the_api(fed, reg, session):
    incident_id = session.post(
        "/", payload(fed.committee_a1, victims=[named_victim()], confidentiality="assembly")
    ).json()["id"]
    incident = Incident.objects.get(pk=incident_id)
    incident.state = "verified"
    incident.save(update_fields=["state"])
    outsider = Api.token(fed.outsider)
    assert outsider.get(f"/{incident_id}").json()["acts"][0]["victim"]["code"] == "P-00001"
    consent = Consent.objects.get(scope="share_assembly")
    assert outsider.post(f"/consents/{consent.pk}/withdraw", {"method": "oral"}).status_code == 404
    response = session.post(f"/consents/{consent.pk}/withdraw", {"method": "oral"})
    assert response.status_code == 204
    assert outsider.get(f"/{incident_id}").json()["acts"][0]["victim"] is None
    assert Person.objects.count() == 1


def test_codes_are_listed_for_clients(fed):
    codes = Client().get(BASE + "/codes").json()
    assert {"code": "excessive_force", "label": "Excessive force against protesters"} in codes[
        "sub_type"
    ]
    assert [c["code"] for c in codes["reliability"]] == ["A", "B", "C", "D", "E", "F"]


def test_add_victims_and_sources_and_merge_duplicates(fed, reg, session):
    incident_id = session.post("/", payload(fed.committee_a1, confidentiality="committee")).json()[
        "id"
    ]
    response = session.post(f"/{incident_id}/victims", named_victim())
    assert response.status_code == 201, response.content
    codes = [act["victim"]["code"] for act in response.json()["acts"]]
    assert codes == ["P-00001", "P-00002"]
    assert response.json()["acts"][1]["victim"]["names"] == VICTIM_NAME
    response = session.post(
        f"/{incident_id}/sources",
        {"source_type": "media", "connection": "documents", "reliability": "C", "notes": "Nota"},
    )
    assert response.status_code == 201
    assert [s["reliability"] for s in response.json()["sources"]] == ["B", "C"]
    kept, duplicate = Person.objects.order_by("pk")
    secretary = Api.token(fed.secretary)
    before = snapshot()
    refused = secretary.post(f"/persons/{kept.pk}/merge", {"duplicate": duplicate.pk})
    assert refused.status_code == 404
    assert snapshot() == before
    response = session.post(f"/persons/{kept.pk}/merge", {"duplicate": duplicate.pk})
    assert response.status_code == 200, response.content
    assert response.json()["kept"] == kept.pk
    detail = session.get(f"/{incident_id}").json()
    assert {act["victim"]["code"] for act in detail["acts"]} == {"P-00001"}


def test_adding_to_an_incident_of_another_committee_is_refused(fed, reg):
    incident_id = (
        Api.token(fed.member)
        .post("/", payload(fed.committee_a1, confidentiality="committee"))
        .json()["id"]
    )
    neighbour, secretary = Api.token(fed.neighbour), Api.token(fed.secretary)
    before = snapshot()
    victim = {"act_type": "injury"}
    assert neighbour.post(f"/{incident_id}/victims", victim).status_code == 404
    response = secretary.post(f"/{incident_id}/victims", victim)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "not_documenter"
    assert snapshot() == before


def test_consent_times_without_a_zone_are_read_in_the_servers_zone(fed, reg):
    api = Api.token(fed.member)
    victim = {
        "act_type": "injury",
        "consents": [
            {
                "scope": "record",
                "giver": "person",
                "method": "oral",
                "given_at": "2024-01-09T10:00:00",
            }
        ],
    }
    response = api.post("/", payload(fed.committee_a1, victims=[victim]))
    assert response.status_code == 201, response.content
    assert Consent.objects.get().given_at.year == 2024
    before = snapshot()
    victim["consents"][0]["given_at"] = "2999-01-01T00:00:00"
    response = api.post("/", payload(fed.committee_a1, victims=[victim]))
    assert response.status_code == 422
    assert response.json()["error"]["message"] == "Consent cannot be given in the future."
    assert snapshot() == before
