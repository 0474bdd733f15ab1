"""Pages of the register: the documenter's path from being named to a
verified incident, refusals next to the form with nothing written."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from asamblea.incidents import keyring
from asamblea.incidents.models import Documenter, Incident, Person
from tests.incidents.conftest import PASSPHRASE, VICTIM_CONTACT, VICTIM_NAME, future, snapshot


def form_data(**overrides):
    data = {
        "public_summary": "Disparos contra una marcha pacífica en la plaza.",
        "private_description": "La testigo vio el disparo desde la puerta.",
        "start_date": (timezone.localdate() - timedelta(days=10)).isoformat(),
        "start_precision": "exact",
        "end_date": "",
        "end_precision": "",
        "country": "PE",
        "admin1": "Puno",
        "admin2": "San Román",
        "admin3": "Juliaca",
        "place": "Plaza de Armas",
        "latitude": "-15.4997",
        "longitude": "-70.1331",
        "geo_precision": "exact",
        "event_type": "protests",
        "sub_type": "excessive_force",
        "violation_types": ["killing", "injury"],
        "fatalities_min": "1",
        "fatalities_max": "1",
        "injured": "4",
        "detained": "0",
        "disappeared": "0",
        "tags": "marcha, juliaca",
        "confidentiality": "committee",
        "victim_act_type": "injury",
        "victim_method": "pellets",
        "victim_end_status": "injured",
        "victim_sex": "female",
        "victim_age_band": "18-29",
        "victim_occupation": "student",
        "consent_scopes": ["record", "share_assembly"],
        "consent_giver": "person",
        "consent_method": "oral",
        "victim_names": VICTIM_NAME,
        "victim_contact": VICTIM_CONTACT,
        "source_type": "witness",
        "source_connection": "saw",
        "source_reliability": "B",
        "source_notes": "Vive frente a la plaza.",
    }
    data.update(overrides)
    return data


@pytest.fixture
def unlocked(fed, reg, client_for):
    client = client_for(fed.member)
    response = client.post(
        reverse("incidents:unlock", args=[fed.committee_a1.pk]), {"passphrase": PASSPHRASE}
    )
    assert response.status_code == 302
    assert keyring.COOKIE_NAME in response.cookies
    cookie = response.cookies[keyring.COOKIE_NAME]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Strict"
    return client


def test_from_naming_to_a_verified_incident(fed, client_for):
    secretary = client_for(fed.secretary)
    for member in (fed.member, fed.other_member):
        response = secretary.post(
            reverse("incidents:name_documenter", args=[fed.committee_a1.pk]), {"member": member.pk}
        )
        assert response.status_code == 302
    first, second = client_for(fed.member), client_for(fed.other_member)
    for client, passphrase in ((first, PASSPHRASE), (second, "otra frase bastante larga")):
        response = client.post(
            reverse("incidents:passphrase", args=[fed.committee_a1.pk]),
            {"passphrase": passphrase, "confirm": passphrase},
        )
        assert response.status_code == 302
    first.post(reverse("incidents:unlock", args=[fed.committee_a1.pk]), {"passphrase": PASSPHRASE})
    waiting = Documenter.objects.get(member=fed.other_member)
    response = first.post(reverse("incidents:give_key", args=[fed.committee_a1.pk, waiting.pk]))
    assert response.status_code == 302
    response = first.post(reverse("incidents:record", args=[fed.committee_a1.pk]), form_data())
    assert response.status_code == 302, response.content.decode()[:2000]
    incident = Incident.objects.get()
    page = first.get(reverse("incidents:detail", args=[incident.pk])).content.decode()
    assert VICTIM_NAME in page
    assert "La testigo vio el disparo" in page
    first.post(
        reverse("incidents:review", args=[incident.pk]),
        {"to_state": "under_review", "violation_status": "unknown"},
    )
    response = second.post(
        reverse("incidents:review", args=[incident.pk]),
        {"to_state": "verified", "violation_status": "confirmed", "comment": "Dos fuentes."},
    )
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.state == "verified"
    # The second documenter has not unlocked: the page names no one.
    page = second.get(reverse("incidents:detail", args=[incident.pk])).content.decode()
    assert VICTIM_NAME not in page
    assert "P-00001" in page


def test_locked_register_refuses_names_next_to_the_form(fed, reg, client_for):
    client = client_for(fed.member)
    before = snapshot()
    response = client.post(reverse("incidents:record", args=[fed.committee_a1.pk]), form_data())
    assert response.status_code == 403
    assert "Unlock the committee&#x27;s register" in response.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"start_date": "FUTURE"}, "The start date is in the future."),
        (
            {"latitude": "-33.45", "longitude": "-70.66"},
            "These coordinates are outside the country PE.",
        ),
        (
            {"fatalities_min": "3", "fatalities_max": "1"},
            "The minimum number of fatalities is above the maximum.",
        ),
        ({"injured": "-1"}, "A count cannot be below zero."),
        ({"sub_type": "armed_clash"}, "This sub-type does not belong to the event type."),
        ({"event_type": "war"}, "Select a valid choice. war is not one of the available choices."),
        ({"victim_names": VICTIM_NAME, "consent_scopes": []}, "consent to be recorded"),
    ],
)
def test_bad_input_is_shown_and_nothing_is_written(fed, reg, unlocked, overrides, message):
    if overrides.get("start_date") == "FUTURE":
        overrides = {"start_date": future().isoformat()}
    before = snapshot()
    response = unlocked.post(
        reverse("incidents:record", args=[fed.committee_a1.pk]), form_data(**overrides)
    )
    assert response.status_code == 422
    assert message in response.content.decode().replace("&#x27;", "'")
    assert snapshot() == before


def test_record_page_refuses_non_documenters(fed, reg, client_for):
    url = reverse("incidents:record", args=[fed.committee_a1.pk])
    assert client_for(fed.secretary).get(url).status_code == 403
    assert client_for(fed.neighbour).get(url).status_code == 404
    assert client_for(fed.outsider).post(url, form_data()).status_code == 404
    assert not Incident.objects.exists()


def test_a_wrong_passphrase_is_shown(fed, reg, client_for):
    client = client_for(fed.member)
    response = client.post(
        reverse("incidents:unlock", args=[fed.committee_a1.pk]), {"passphrase": "no es esta frase"}
    )
    assert response.status_code == 422
    assert "That register passphrase is not right." in response.content.decode()
    assert keyring.COOKIE_NAME not in response.cookies


def test_lock_forgets_the_key(fed, reg, unlocked):
    unlocked.post(reverse("incidents:record", args=[fed.committee_a1.pk]), form_data())
    incident = Incident.objects.get()
    detail = reverse("incidents:detail", args=[incident.pk])
    assert VICTIM_NAME in unlocked.get(detail).content.decode()
    unlocked.post(reverse("incidents:lock", args=[fed.committee_a1.pk]))
    assert VICTIM_NAME not in unlocked.get(detail).content.decode()


def test_logging_out_forgets_the_key(fed, reg, unlocked):
    unlocked.post(reverse("incidents:record", args=[fed.committee_a1.pk]), form_data())
    incident = Incident.objects.get()
    unlocked.post(reverse("accounts:logout"))
    unlocked.force_login(fed.member)
    page = unlocked.get(reverse("incidents:detail", args=[incident.pk])).content.decode()
    assert VICTIM_NAME not in page


def test_the_idle_timeout_forgets_the_key(fed, reg, unlocked, settings):
    unlocked.post(reverse("incidents:record", args=[fed.committee_a1.pk]), form_data())
    settings.ASAMBLEA_REGISTER_IDLE_SECONDS = -1
    incident = Incident.objects.get()
    page = unlocked.get(reverse("incidents:detail", args=[incident.pk])).content.decode()
    assert VICTIM_NAME not in page


def test_pages_have_no_inline_script_or_style(fed, reg, unlocked):
    unlocked.post(reverse("incidents:record", args=[fed.committee_a1.pk]), form_data())
    incident = Incident.objects.get()
    for url in (
        reverse("incidents:home"),
        reverse("incidents:committee", args=[fed.committee_a1.pk]),
        reverse("incidents:record", args=[fed.committee_a1.pk]),
        reverse("incidents:detail", args=[incident.pk]),
        reverse("incidents:register", args=[fed.committee_a1.pk]),
    ):
        page = unlocked.get(url).content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page), url
        assert " style=" not in page, url
        assert "<style" not in page, url


def test_the_list_shows_only_readable_incidents(fed, reg, unlocked, client_for):
    unlocked.post(reverse("incidents:record", args=[fed.committee_a1.pk]), form_data())
    assert Person.objects.count() == 1
    url = reverse("incidents:home")
    assert "Disparos contra una marcha" in client_for(fed.secretary).get(url).content.decode()
    assert "Disparos contra una marcha" not in client_for(fed.outsider).get(url).content.decode()
    assert "Disparos contra una marcha" not in client_for(fed.operator).get(url).content.decode()


def test_guessing_the_passphrase_is_limited(fed, reg, client_for, settings):
    settings.ASAMBLEA_AUTH_FAILURE_LIMIT = 2
    client = client_for(fed.member)
    url = reverse("incidents:unlock", args=[fed.committee_a1.pk])
    for _ in range(2):
        assert client.post(url, {"passphrase": "una frase equivocada"}).status_code == 422
    response = client.post(url, {"passphrase": PASSPHRASE})
    assert response.status_code == 429
    assert "Too many failed attempts" in response.content.decode()
    assert keyring.COOKIE_NAME not in response.cookies


@pytest.mark.parametrize("cookie", ["", "not base64!", "QUJD", "A" * 44])
def test_a_forged_register_cookie_opens_nothing(fed, reg, unlocked, cookie):
    unlocked.post(reverse("incidents:record", args=[fed.committee_a1.pk]), form_data())
    incident = Incident.objects.get()
    unlocked.cookies[keyring.COOKIE_NAME] = cookie
    page = unlocked.get(reverse("incidents:detail", args=[incident.pk]))
    assert page.status_code == 200
    assert VICTIM_NAME not in page.content.decode()


def test_another_members_session_entry_does_not_open_with_this_cookie(
    fed, reg, unlocked, client_for
):
    """The session entry is bound to its member: copied into another
    documenter's session with the first one's cookie, it opens nothing."""
    unlocked.post(reverse("incidents:record", args=[fed.committee_a1.pk]), form_data())
    incident = Incident.objects.get()
    entries = unlocked.session[keyring.SESSION_KEY]
    other = client_for(fed.other_member)
    session = other.session
    session[keyring.SESSION_KEY] = entries
    session.save()
    other.cookies[keyring.COOKIE_NAME] = unlocked.cookies[keyring.COOKIE_NAME].value
    page = other.get(reverse("incidents:detail", args=[incident.pk])).content.decode()
    assert VICTIM_NAME not in page
