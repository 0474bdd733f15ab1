"""A person's page: consents recorded and withdrawn, duplicates merged with
their history; bad input shown next to the form with nothing written, and
nobody outside the committee's documenters finds the page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from asamblea.incidents import services
from asamblea.incidents.models import Consent, Person, PersonMerge
from tests.incidents.conftest import (
    PASSPHRASE,
    VICTIM_NAME,
    incident_data,
    record,
    snapshot,
    victim,
)


@pytest.fixture
def unlocked(fed, reg, client_for):
    client = client_for(fed.member)
    client.post(reverse("incidents:unlock", args=[fed.committee_a1.pk]), {"passphrase": PASSPHRASE})
    return client


@pytest.fixture
def person(fed, reg) -> Person:
    record(fed, reg)
    return Person.objects.get()


def _consent(**overrides):
    data = {
        "scope": "share_outside",
        "giver": "person",
        "method": "written",
        "given_at": "2024-03-01T10:00",
    }
    data.update(overrides)
    return data


def test_the_page_shows_names_only_unlocked_and_links_from_the_incident(
    fed, reg, person, unlocked, client_for
):
    url = reverse("incidents:person", args=[person.pk])
    html = unlocked.get(url).content.decode()
    assert VICTIM_NAME in html
    assert person.code in html
    locked = client_for(fed.other_member).get(url).content.decode()
    assert VICTIM_NAME not in locked
    assert "Unlock the register" in locked
    detail = unlocked.get(reverse("incidents:detail", args=[person.acts.get().incident_id]))
    assert url in detail.content.decode()


@pytest.mark.parametrize("who", ["outsider", "secretary", "neighbour"])
def test_only_documenters_of_the_committee_find_the_page(fed, person, client_for, who):
    client = client_for(getattr(fed, who))
    assert client.get(reverse("incidents:person", args=[person.pk])).status_code == 404
    before = snapshot()
    response = client.post(reverse("incidents:record_consent", args=[person.pk]), _consent())
    assert response.status_code == 404
    assert snapshot() == before


def test_record_a_consent(fed, person, unlocked):
    response = unlocked.post(reverse("incidents:record_consent", args=[person.pk]), _consent())
    assert response.status_code == 302
    assert person.consents.filter(scope="share_outside", withdrawn_at__isnull=True).exists()


@pytest.mark.parametrize(
    ("overrides", "status", "message"),
    [
        ({"scope": "everything"}, 422, "Select a valid choice"),
        ({"method": ""}, 422, "This field is required"),
        ({"given_at": "yesterday"}, 422, "Enter a valid date/time"),
        ({"given_at": "2999-01-01T00:00"}, 422, "future"),
        ({"scope": "record"}, 409, "already recorded"),
    ],
)
def test_bad_consent_is_refused_and_nothing_is_written(
    fed, person, unlocked, overrides, status, message
):
    before = snapshot()
    response = unlocked.post(
        reverse("incidents:record_consent", args=[person.pk]), _consent(**overrides)
    )
    assert response.status_code == status
    assert message in response.content.decode()
    assert snapshot() == before


def test_withdrawing_the_consent_to_be_recorded_erases_the_names(fed, person, unlocked):
    consent = person.consents.get(scope="record")
    url = reverse("incidents:withdraw_consent", args=[consent.pk])
    bad = unlocked.post(url, {"method": "telepathy"})
    assert bad.status_code == 422
    assert Consent.objects.get(pk=consent.pk).withdrawn_at is None
    assert unlocked.post(url, {"method": "oral"}).status_code == 302
    person.refresh_from_db()
    assert bytes(person.names) == b""
    html = unlocked.get(reverse("incidents:person", args=[person.pk])).content.decode()
    assert VICTIM_NAME not in html
    assert "Withdrawn" in html
    again = unlocked.post(url, {"method": "oral"})
    assert again.status_code == 409
    assert "already been withdrawn" in again.content.decode()


def test_withdrawing_someone_elses_consent_is_not_found(fed, person, client_for):
    consent = person.consents.get(scope="record")
    outsider = client_for(fed.outsider)
    response = outsider.post(
        reverse("incidents:withdraw_consent", args=[consent.pk]), {"method": "oral"}
    )
    assert response.status_code == 404
    assert Consent.objects.get(pk=consent.pk).withdrawn_at is None


def test_merge_a_duplicate_keeps_both_rows_and_the_history(fed, reg, person, unlocked):
    incident = record(fed, reg)
    duplicate = Person.objects.exclude(pk=person.pk).get()
    url = reverse("incidents:merge_person", args=[duplicate.pk])
    response = unlocked.post(url, {"kept_code": person.code})
    assert response.status_code == 302
    assert response["Location"] == reverse("incidents:person", args=[person.pk])
    duplicate.refresh_from_db()
    assert duplicate.merged_into_id == person.pk
    assert Person.objects.count() == 2  # never a silent delete
    assert incident.acts.get().victim_id == person.pk
    history = PersonMerge.objects.get()
    assert history.merged_id == duplicate.pk
    kept_page = unlocked.get(reverse("incidents:person", args=[person.pk])).content.decode()
    assert "Merge history" in kept_page
    assert f"{duplicate.code} → {person.code}" in kept_page
    dup_page = unlocked.get(reverse("incidents:person", args=[duplicate.pk])).content.decode()
    assert "Merged into" in dup_page
    again = unlocked.post(url, {"kept_code": person.code})
    assert again.status_code == 409


@pytest.mark.parametrize(
    ("code", "status", "message"),
    [
        ("P-99999", 422, "No person of this committee has that code."),
        ("", 422, "This field is required"),
        ("SELF", 422, "cannot be merged into themselves"),
        ("x" * 40, 422, "at most 24 characters"),
    ],
)
def test_bad_merges_are_refused_and_nothing_changes(
    fed, reg, person, unlocked, code, status, message
):
    if code == "SELF":
        code = person.code
    before = snapshot()
    response = unlocked.post(
        reverse("incidents:merge_person", args=[person.pk]), {"kept_code": code}
    )
    assert response.status_code == status
    assert message in response.content.decode()
    assert snapshot() == before
    assert not PersonMerge.objects.exists()


def test_a_person_of_another_committee_is_not_found_by_code(fed, reg, person, unlocked):
    other = services.record_incident(
        actor=fed.neighbour,
        committee=reg.other_committee,
        data=incident_data(),
        key=reg.neighbour_key,
        victims=[victim(names="", contact="")],
    )
    stranger = Person.objects.get(acts__incident=other)
    response = unlocked.post(
        reverse("incidents:merge_person", args=[person.pk]), {"kept_code": stranger.code}
    )
    # Codes are numbered per committee: the same code in another committee is never found.
    assert response.status_code == 422
    assert Person.objects.get(pk=stranger.pk).merged_into_id is None
    assert not PersonMerge.objects.filter(kept=stranger).exists()
