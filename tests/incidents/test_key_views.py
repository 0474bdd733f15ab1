"""Pages that rotate the register key and remove a documenter's copy: the
rotating browser keeps reading, others must unlock again, bad input is
refused next to the form with nothing changed."""

from __future__ import annotations

import pytest
from django.urls import reverse

from asamblea.incidents.models import Documenter, Incident, Register
from tests.incidents.conftest import PASSPHRASE, SECOND_PASSPHRASE, VICTIM_NAME
from tests.incidents.test_views import form_data


@pytest.fixture
def unlocked(fed, reg, client_for):
    client = client_for(fed.member)
    client.post(reverse("incidents:unlock", args=[fed.committee_a1.pk]), {"passphrase": PASSPHRASE})
    return client


def _rotate(client, committee, **data):
    return client.post(reverse("incidents:rotate_key", args=[committee.pk]), data)


def test_the_register_page_offers_rotation_to_an_unlocked_documenter(fed, reg, unlocked):
    page = unlocked.get(reverse("incidents:register", args=[fed.committee_a1.pk]))
    html = page.content.decode()
    assert reverse("incidents:rotate_key", args=[fed.committee_a1.pk]) in html
    # A documenter may give up their own copy, not take another's.
    assert reverse("incidents:remove_key", args=[fed.committee_a1.pk, reg.first.pk]) in html
    assert reverse("incidents:remove_key", args=[fed.committee_a1.pk, reg.second.pk]) not in html
    assert "<script" not in html.split("<main", 1)[-1]


def test_rotating_keeps_this_browser_reading_and_locks_the_others(fed, reg, unlocked, client_for):
    unlocked.post(reverse("incidents:record", args=[fed.committee_a1.pk]), form_data())
    incident = Incident.objects.get()
    detail = reverse("incidents:detail", args=[incident.pk])
    other = client_for(fed.other_member)
    other.post(
        reverse("incidents:unlock", args=[fed.committee_a1.pk]), {"passphrase": SECOND_PASSPHRASE}
    )
    assert VICTIM_NAME in other.get(detail).content.decode()
    check = bytes(Register.objects.get(committee=fed.committee_a1).key_check)

    response = _rotate(unlocked, fed.committee_a1, confirm="on", remove=[reg.second.pk])

    assert response.status_code == 302
    assert bytes(Register.objects.get(committee=fed.committee_a1).key_check) != check
    assert VICTIM_NAME in unlocked.get(detail).content.decode()
    # The other browser's session holds the old key: it opens nothing now,
    # and the removed documenter's passphrase no longer opens the register.
    assert VICTIM_NAME not in other.get(detail).content.decode()
    again = other.post(
        reverse("incidents:unlock", args=[fed.committee_a1.pk]), {"passphrase": SECOND_PASSPHRASE}
    )
    assert again.status_code == 409
    assert not Documenter.objects.get(pk=reg.second.pk).has_key


def test_rotation_needs_confirmation_and_a_known_holder(fed, reg, unlocked):
    check = bytes(Register.objects.get(committee=fed.committee_a1).key_check)
    unconfirmed = _rotate(unlocked, fed.committee_a1)
    assert unconfirmed.status_code == 422
    assert "This field is required" in unconfirmed.content.decode()
    stranger = _rotate(unlocked, fed.committee_a1, confirm="on", remove=[reg.neighbour.pk])
    assert stranger.status_code == 422
    assert "not one of the available choices" in stranger.content.decode()
    junk = _rotate(unlocked, fed.committee_a1, confirm="on", remove=["x"])
    assert junk.status_code == 422
    assert bytes(Register.objects.get(committee=fed.committee_a1).key_check) == check


def test_rotation_without_an_unlocked_register_is_refused(fed, reg, client_for):
    client = client_for(fed.member)
    check = bytes(Register.objects.get(committee=fed.committee_a1).key_check)
    response = _rotate(client, fed.committee_a1, confirm="on")
    assert response.status_code == 403
    assert bytes(Register.objects.get(committee=fed.committee_a1).key_check) == check


def test_rotation_by_someone_who_is_not_a_documenter_is_refused(fed, reg, client_for):
    response = _rotate(client_for(fed.secretary), fed.committee_a1, confirm="on")
    assert response.status_code == 403
    response = _rotate(client_for(fed.outsider), fed.committee_a1, confirm="on")
    assert response.status_code == 404


def test_secretary_removes_a_key_and_the_last_holder_keeps_theirs(fed, reg, client_for):
    secretary = client_for(fed.secretary)
    removed = secretary.post(
        reverse("incidents:remove_key", args=[fed.committee_a1.pk, reg.second.pk])
    )
    assert removed.status_code == 302
    assert not Documenter.objects.get(pk=reg.second.pk).has_key
    last = secretary.post(reverse("incidents:remove_key", args=[fed.committee_a1.pk, reg.first.pk]))
    assert last.status_code == 409
    assert "last documenter holding the register key" in last.content.decode()
    assert Documenter.objects.get(pk=reg.first.pk).has_key


def test_removing_keys_refuses_strangers_and_unknown_documenters(fed, reg, client_for):
    outsider = client_for(fed.outsider)
    url = reverse("incidents:remove_key", args=[fed.committee_a1.pk, reg.second.pk])
    assert outsider.post(url).status_code == 404
    member = client_for(fed.member)
    assert member.post(url).status_code == 403
    other_committee = reverse("incidents:remove_key", args=[fed.committee_a1.pk, reg.neighbour.pk])
    assert client_for(fed.secretary).post(other_committee).status_code == 404
    assert client_for(fed.secretary).get(url).status_code == 405
    assert Documenter.objects.get(pk=reg.second.pk).has_key
