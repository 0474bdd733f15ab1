"""The evidence API: listing with hashes and custody state, custody chains,
and the partner export limited by consent."""

from __future__ import annotations

import json

from asamblea.incidents.models import CustodyEntry
from tests.incidents.conftest import DESCRIPTION, VICTIM_NAME, record, victim
from tests.incidents.test_api import Api
from tests.incidents.test_evidence import add
from tests.incidents.test_package import consenting_victim, counts, verified


def test_evidence_is_listed_with_hashes_and_custody(fed, reg):
    incident = record(fed, reg)
    item = add(fed, reg, incident)
    api = Api.token(fed.member)
    listed = api.get(f"/{incident.pk}/evidence")
    assert listed.status_code == 200
    (row,) = listed.json()
    assert row["sha256"] == item.sha256
    assert row["custody_ok"] is True
    chain = api.get(f"/evidence/{item.pk}/custody").json()
    assert [e["action"] for e in chain["entries"]] == ["added", "sealed"]
    assert chain["entries"][-1]["entry_hash"] == row["custody_head"]
    # Listing and reading the chain add nothing to it.
    assert CustodyEntry.objects.filter(evidence=item).count() == 2
    outsider = Api.token(fed.outsider)
    assert outsider.get(f"/{incident.pk}/evidence").status_code == 404
    assert outsider.get(f"/evidence/{item.pk}/custody").status_code == 404


def test_the_partner_export_through_the_api(fed, reg):
    verified(fed, reg, [consenting_victim()])
    api = Api.token(fed.member)
    response = api.get(f"/committees/{reg.committee.pk}/partner.json")
    assert response.status_code == 200
    text = json.dumps(response.json(), ensure_ascii=False)
    assert VICTIM_NAME not in text
    assert DESCRIPTION not in text
    assert response.json()["incidents"][0]["acts"][0]["victim"]["code"]


def test_partner_names_need_consent_and_a_session(fed, reg):
    verified(fed, reg, [consenting_victim()])
    api = Api.token(fed.member)
    before = counts()
    response = api.get(f"/committees/{reg.committee.pk}/partner.json", names="true")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "register_locked"
    assert counts() == before


def test_partner_names_beyond_consent_through_the_api(fed, reg):
    incident = verified(fed, reg, [consenting_victim()])
    add(fed, reg, incident)
    # Another verified incident whose victim gave no consent to share outside.
    verified(fed, reg, [victim()])
    api = Api.token(fed.member)
    before = counts()
    response = api.get(f"/committees/{reg.committee.pk}/partner.json", names="true")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "export_beyond_consent"
    assert "did not consent" in response.json()["error"]["message"]
    assert counts() == before


def test_the_partner_export_is_for_documenters(fed, reg):
    api = Api.token(fed.secretary)
    response = api.get(f"/committees/{reg.committee.pk}/partner.json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "not_documenter"
    outsider = Api.token(fed.outsider)
    assert outsider.get(f"/committees/{reg.committee.pk}/partner.json").status_code == 404
