"""The admin shows the operator no more of the register than its rules allow."""

from __future__ import annotations

from asamblea.incidents import services
from asamblea.incidents.models import Evidence, Incident
from tests.incidents import media
from tests.incidents.conftest import VICTIM_NAME, record
from tests.incidents.test_evidence import add


def test_operator_sees_only_shared_verified_incidents(fed, reg, client_for):
    hidden = record(fed, reg, public_summary="Reservado del comité")
    shared = record(
        fed, reg, public_summary="Compartido con la asamblea", confidentiality="assembly"
    )
    services.review_incident(actor=fed.member, incident=shared, to_state="under_review")
    services.review_incident(actor=fed.other_member, incident=shared, to_state="verified")
    client = client_for(fed.operator)
    listing = client.get("/admin/incidents/incident/")
    assert listing.status_code == 200
    assert f"/admin/incidents/incident/{shared.pk}/change/" in listing.content.decode()
    assert f"/admin/incidents/incident/{hidden.pk}/change/" not in listing.content.decode()
    page = client.get(f"/admin/incidents/incident/{hidden.pk}/change/")
    assert page.status_code == 302  # the admin's "does not exist" redirect
    shown = client.get(f"/admin/incidents/incident/{shared.pk}/change/").content.decode()
    assert "Compartido con la asamblea" in shown
    assert VICTIM_NAME not in shown
    response = client.post(
        f"/admin/incidents/incident/{shared.pk}/change/", {"public_summary": "cambiado"}
    )
    assert response.status_code == 403
    assert Incident.objects.get(pk=shared.pk).public_summary == "Compartido con la asamblea"


def test_documenters_are_listed_without_key_material(fed, reg, client_for):
    page = client_for(fed.operator).get(f"/admin/incidents/documenter/{reg.first.pk}/change/")
    assert page.status_code == 200
    text = page.content.decode()
    assert bytes(reg.first.public_key).hex() not in text
    assert "wrapped" not in text


def test_evidence_is_browsed_by_hash_only_and_within_the_rules(fed, reg, client_for):
    hidden = add(fed, reg, record(fed, reg))
    shared_incident = record(fed, reg, confidentiality="assembly")
    services.review_incident(actor=fed.member, incident=shared_incident, to_state="under_review")
    services.review_incident(actor=fed.other_member, incident=shared_incident, to_state="verified")
    shared = add(fed, reg, shared_incident, media.pdf(), name="acta.pdf", kind="document")
    client = client_for(fed.operator)
    listing = client.get("/admin/incidents/evidence/").content.decode()
    assert f"/admin/incidents/evidence/{shared.pk}/change/" in listing
    assert f"/admin/incidents/evidence/{hidden.pk}/change/" not in listing
    page = client.get(f"/admin/incidents/evidence/{shared.pk}/change/")
    assert shared.sha256 in page.content.decode()
    response = client.post(f"/admin/incidents/evidence/{shared.pk}/change/", {"kind": "photo"})
    assert response.status_code == 403
    assert Evidence.objects.get(pk=shared.pk).kind == "document"
