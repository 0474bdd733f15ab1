"""A documenter records an incident with a victim and a photo, another
documenter verifies it, anyone sees it counted in the public statistics
without the victim's name, and the evidence package's hashes check out."""

from __future__ import annotations

import hashlib
import re
import zipfile
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from asamblea.incidents import package, services
from asamblea.incidents.models import Evidence, Incident
from tests.browser.flows import log_in, log_out
from tests.factories import build_federation
from tests.incidents import media
from tests.incidents.conftest import PASSPHRASE, SECOND_PASSPHRASE, incident_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VICTIM = "Ficticia Condori Apaza"


@pytest.fixture(autouse=True)
def _cheap_register(settings, tmp_path):
    settings.ASAMBLEA_REGISTER_SCRYPT_N = 2**10
    settings.ASAMBLEA_EVIDENCE_DIR = tmp_path / "evidence"


def _registers(fed):
    """Two documenters of committee_a1 with the register key (set up through
    the services: the register pages have their own browser tests)."""
    for member, passphrase in ((fed.member, PASSPHRASE), (fed.other_member, SECOND_PASSPHRASE)):
        services.name_documenter(actor=fed.secretary, committee=fed.committee_a1, member=member)
        services.set_register_passphrase(
            actor=member, committee=fed.committee_a1, passphrase=passphrase
        )
    key = services.unlock_register(
        actor=fed.member, committee=fed.committee_a1, passphrase=PASSPHRASE
    )
    second = fed.other_member.documenter_roles.get(committee=fed.committee_a1)
    services.give_register_key(actor=fed.member, key=key, documenter=second)
    # Two earlier fictional public records, so that the month's count is shown
    # (counts under 3 are suppressed on the public page).
    for _ in range(2):
        earlier = services.record_incident(
            actor=fed.member,
            committee=fed.committee_a1,
            data=incident_data(private_description="", confidentiality="public"),
            key=key,
        )
        services.review_incident(actor=fed.member, incident=earlier, to_state="under_review")
        services.review_incident(actor=fed.other_member, incident=earlier, to_state="verified")


def _unlock(page, committee_id: int, passphrase: str) -> None:
    page.goto(f"{page.base_url}/incidents/committees/{committee_id}/register/")
    page.fill("input[name=passphrase]", passphrase)
    page.click("form[action$='/register/unlock/'] button[type=submit]")
    page.wait_for_load_state()


def test_record_verify_publish_and_export_an_incident_with_a_photo(page, tmp_path):
    fed = build_federation()
    _registers(fed)
    committee = fed.committee_a1
    photo = media.write(tmp_path / "IMG_2041.jpg", media.jpeg_with_gps())

    # The first documenter records the incident with a victim.
    log_in(page, fed.member.pseudonym)
    _unlock(page, committee.pk, PASSPHRASE)
    page.goto(f"{page.base_url}/incidents/committees/{committee.pk}/new/")
    page.fill("#id_public_summary", "Ficticio: disparos contra una marcha pacífica.")
    page.fill("#id_start_date", (timezone.localdate() - timedelta(days=30)).isoformat())
    page.fill("#id_admin1", "Puno")
    page.select_option("#id_geo_precision", "admin1")
    page.select_option("#id_event_type", "protests")
    page.select_option("#id_sub_type", "excessive_force")
    page.check("input[name=violation_types][value=injury]")
    page.fill("#id_injured", "1")
    page.select_option("#id_confidentiality", "public")
    page.select_option("#id_victim_act_type", "injury")
    page.fill("#id_victim_names", VICTIM)
    for scope in ("record", "share_assembly", "share_outside"):
        page.check(f"input[name=consent_scopes][value={scope}]")
    page.click("main form[action$='/new/'] button[type=submit]")
    page.wait_for_url(re.compile(r".*/incidents/\d+/(#evidence)?$"))
    incident = Incident.objects.exclude(public_summary__startswith="Fuerzas").get()
    expect(page.locator("main")).to_contain_text(VICTIM)

    # ... attaches the photo with the plain form, and sends it for review.
    page.select_option("#id_kind", "photo")
    page.set_input_files("#id_file", str(photo))
    page.click("form[action$='/evidence/'] button[type=submit]")
    page.wait_for_url(re.compile(r".*/incidents/\d+/(#evidence)?$"))
    item = Evidence.objects.get(incident=incident)
    assert item.sha256 == hashlib.sha256(photo.read_bytes()).hexdigest()
    expect(page.locator("#evidence")).to_contain_text(item.sha256)
    page.select_option("#id_to_state", "under_review")
    page.click("form[action$='/review/'] button[type=submit]")
    page.wait_for_url(re.compile(r".*/incidents/\d+/(#evidence)?$"))
    log_out(page)

    # The second documenter verifies it.
    log_in(page, fed.other_member.pseudonym)
    _unlock(page, committee.pk, SECOND_PASSPHRASE)
    page.goto(f"{page.base_url}/incidents/{incident.pk}/")
    page.select_option("#id_to_state", "verified")
    page.select_option("#id_violation_status", "confirmed")
    page.click("form[action$='/review/'] button[type=submit]")
    page.wait_for_url(re.compile(r".*/incidents/\d+/(#evidence)?$"))
    incident.refresh_from_db()
    assert incident.state == "verified"

    # ... and exports the evidence package; its hashes check out.
    with page.expect_download() as download_info:
        page.click("form[action$='/evidence/package/'] button[type=submit]")
    saved = tmp_path / "package.zip"
    download_info.value.save_as(saved)
    assert package.verify_package(str(saved)) == []
    with zipfile.ZipFile(saved) as archive:
        sums = dict(
            reversed(line.split("  ", 1))
            for line in archive.read("SHA256SUMS").decode().splitlines()
        )
        for name, digest in sums.items():
            assert hashlib.sha256(archive.read(name)).hexdigest() == digest, name
        assert archive.read(f"evidence/{item.uid}.jpg") == photo.read_bytes()
        assert VICTIM not in archive.read("incident.json").decode()
    log_out(page)

    # Anyone sees the incident counted, and no name.
    page.goto(f"{page.base_url}/incidents/public/{fed.assembly.pk}/")
    main = page.locator("main")
    expect(main).to_contain_text("Puno")
    expect(main.locator("table").first).to_contain_text("3")
    assert VICTIM not in page.content()
    assert "Quispe" not in page.content()
