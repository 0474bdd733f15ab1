"""The evidence pages: one plain upload form, downloads recorded in custody,
the package, and every refusal shown with its message and nothing written."""

from __future__ import annotations

import base64
import hashlib
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from asamblea.incidents import package
from asamblea.incidents.models import CustodyEntry, Evidence
from tests.incidents import media, test_views
from tests.incidents.conftest import record
from tests.incidents.test_evidence import state

# The documenter's browser with the register unlocked, as on the incident pages.
unlocked = test_views.unlocked


@pytest.fixture
def incident(fed, reg):
    return record(fed, reg)


def send(client, incident, data, name="IMG_0001.jpg", kind="photo"):
    return client.post(
        reverse("incidents:evidence_upload", args=[incident.pk]),
        {"file": SimpleUploadedFile(name, data), "kind": kind, "person": ""},
    )


def test_upload_view_and_download(fed, unlocked, incident):
    photo = media.jpeg_with_gps()
    response = send(unlocked, incident, photo)
    assert response.status_code == 302
    item = Evidence.objects.get()
    page = unlocked.get(reverse("incidents:detail", args=[incident.pk])).content.decode()
    assert item.sha256 in page
    assert reverse("incidents:evidence_original", args=[item.pk]) in page
    assert 'enctype="multipart/form-data"' in page
    copy = unlocked.get(reverse("incidents:evidence_copy", args=[item.pk]))
    assert copy["Content-Type"] == "image/jpeg"
    with Image.open(io.BytesIO(copy.content)) as image:
        assert not image.getexif()
    original = unlocked.get(reverse("incidents:evidence_original", args=[item.pk]))
    body = b"".join(original.streaming_content)
    assert body == photo
    assert original["Repr-Digest"] == (
        "sha-256=:" + base64.b64encode(hashlib.sha256(photo).digest()).decode() + ":"
    )
    assert "attachment" in original["Content-Disposition"]
    actions = list(CustodyEntry.objects.filter(evidence=item).values_list("action", flat=True))
    assert actions == ["added", "sealed", "viewed", "downloaded"]
    custody_page = unlocked.get(reverse("incidents:evidence_custody", args=[item.pk]))
    assert "downloaded" in custody_page.content.decode()


@pytest.mark.parametrize(
    ("data", "name", "kind", "message"),
    [
        (media.pdf(), "foto.jpg", "photo", "does not match"),
        (b"MZ\x90\x00", "programa.jpg", "photo", "not accepted"),
        (media.jpeg_with_gps(), "foto.jpg", "audio", "does not match"),
    ],
)
def test_a_refused_file_is_explained_and_nothing_is_written(
    unlocked, incident, evidence_dir, data, name, kind, message
):
    before = state(evidence_dir)
    response = send(unlocked, incident, data, name, kind)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert state(evidence_dir) == before


def test_a_body_over_the_limit_is_refused_before_it_is_read(
    unlocked, incident, evidence_dir, settings
):
    settings.ASAMBLEA_EVIDENCE_MAX_BYTES = 1024
    before = state(evidence_dir)
    response = send(unlocked, incident, media.mp4(200_000), "marcha.mp4", "video")
    assert response.status_code == 422
    assert "larger than 1 MB" in response.content.decode()
    assert state(evidence_dir) == before


def test_a_locked_register_is_explained(fed, reg, client_for, incident, evidence_dir):
    client = client_for(fed.member)
    before = state(evidence_dir)
    response = send(client, incident, media.jpeg_with_gps())
    assert response.status_code == 403
    assert "Unlock" in response.content.decode()
    assert state(evidence_dir) == before


def test_the_sealed_original_is_refused_to_a_reader_without_the_role(
    fed, unlocked, incident, client_for, evidence_dir
):
    send(unlocked, incident, media.jpeg_with_gps())
    item = Evidence.objects.get()
    secretary = client_for(fed.secretary)
    before = state(evidence_dir)
    page = secretary.get(reverse("incidents:detail", args=[incident.pk])).content.decode()
    assert item.sha256 in page  # listed with its hash
    assert reverse("incidents:evidence_original", args=[item.pk]) not in page
    response = secretary.get(reverse("incidents:evidence_original", args=[item.pk]))
    assert response.status_code == 403
    assert "sealed" in response.content.decode()
    outsider = client_for(fed.outsider)
    assert outsider.get(reverse("incidents:evidence_original", args=[item.pk])).status_code == 404
    assert outsider.get(reverse("incidents:evidence_custody", args=[item.pk])).status_code == 404
    assert state(evidence_dir) == before


def test_the_package_downloads_and_checks_out(unlocked, incident):
    send(unlocked, incident, media.jpeg_with_gps())
    response = unlocked.post(reverse("incidents:evidence_package", args=[incident.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    blob = b"".join(response.streaming_content)
    assert package.verify_package(io.BytesIO(blob)) == []


def test_a_package_beyond_consent_is_refused_with_its_reason(unlocked, incident, evidence_dir):
    send(unlocked, incident, media.jpeg_with_gps())
    before = state(evidence_dir)
    response = unlocked.post(
        reverse("incidents:evidence_package", args=[incident.pk]), {"include_names": "on"}
    )
    assert response.status_code == 403
    assert "did not consent" in response.content.decode()
    assert state(evidence_dir) == before


def test_evidence_pages_have_no_inline_script_or_style(unlocked, incident):
    send(unlocked, incident, media.jpeg_with_gps())
    item = Evidence.objects.get()
    for url in (
        reverse("incidents:detail", args=[incident.pk]),
        reverse("incidents:evidence_custody", args=[item.pk]),
    ):
        page = unlocked.get(url).content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page), url
        assert " style=" not in page, url
