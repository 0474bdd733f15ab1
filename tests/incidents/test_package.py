"""The evidence package and the partner export: what consent allows, hashes
that check with standard tools, and packages that were changed afterwards."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import zipfile

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from asamblea.core.models import AuditEntry
from asamblea.incidents import custody, evidence, package, services
from asamblea.incidents.codes import ConsentScope
from asamblea.incidents.errors import EvidenceSealed, ExportBeyondConsent, RegisterLocked
from asamblea.incidents.models import Act, CustodyEntry
from tests.incidents import media
from tests.incidents.conftest import (
    DESCRIPTION,
    VICTIM_NAME,
    consent,
    incident_data,
    record,
    victim,
)
from tests.incidents.test_evidence import add
from tests.incidents.tsa import LocalTSA, Served


def consenting_victim():
    return victim(
        consents=(
            consent(ConsentScope.RECORD),
            consent(ConsentScope.SHARE_ASSEMBLY),
            consent(ConsentScope.SHARE_OUTSIDE),
        )
    )


def verified(fed, reg, victims):
    incident = services.record_incident(
        actor=fed.member,
        committee=reg.committee,
        data=incident_data(),
        key=reg.key,
        victims=victims,
    )
    services.review_incident(actor=fed.member, incident=incident, to_state="under_review")
    services.review_incident(actor=fed.other_member, incident=incident, to_state="verified")
    return incident


def build(fed, reg, incident, **kwargs):
    out = io.BytesIO()
    summary = package.build_package(
        actor=kwargs.pop("actor", fed.member),
        incident=incident,
        key=kwargs.pop("key", reg.key),
        target=out,
        **kwargs,
    )
    return summary, out.getvalue()


def counts():
    return {"custody": CustodyEntry.objects.count(), "audit": AuditEntry.objects.count()}


def test_a_package_checks_out_with_sha256sum_and_its_verifier(fed, reg, tmp_path):
    incident = record(fed, reg)
    photo = media.jpeg_with_gps()
    item = add(fed, reg, incident, photo)
    add(fed, reg, incident, media.pdf(), name="acta.pdf", kind="document")
    summary, blob = build(fed, reg, incident)
    assert summary.items == 2
    assert package.verify_package(io.BytesIO(blob)) == []
    folder = tmp_path / "unpacked"
    with zipfile.ZipFile(io.BytesIO(blob)) as archive:
        archive.extractall(folder)
        assert archive.read(f"evidence/{item.uid}.jpg") == photo
        manifest = json.loads(archive.read("manifest.json"))
        record_json = archive.read("incident.json").decode()
    if shutil.which("sha256sum"):
        checked = subprocess.run(
            ["sha256sum", "-c", "SHA256SUMS"],  # noqa: S607
            cwd=folder,
            capture_output=True,
            text=True,
            check=False,
        )
        assert checked.returncode == 0, checked.stdout + checked.stderr
        files = [p for p in folder.rglob("*") if p.is_file() and p.name != "SHA256SUMS"]
        assert checked.stdout.count(": OK") == len(files)
    # The export is in each chain, and the manifest holds the head it ends at.
    exported = CustodyEntry.objects.filter(evidence=item, action="exported").get()
    assert exported.data["package"] == summary.package
    heads = {i["uid"]: i["custody_head"] for i in manifest["items"]}
    assert heads[str(item.uid)] == custody.verify(item).head
    # The default victim consented to share with the assembly, not outside.
    assert VICTIM_NAME not in record_json
    assert DESCRIPTION not in record_json
    assert "La testigo vive" not in record_json
    assert json.loads(record_json)["acts"][0]["victim"] is None


def test_names_go_only_with_consent_and_when_asked(fed, reg):
    incident = verified(fed, reg, [consenting_victim()])
    add(fed, reg, incident)
    _summary, blob = build(fed, reg, incident, include_names=True)
    with zipfile.ZipFile(io.BytesIO(blob)) as archive:
        record_json = json.loads(archive.read("incident.json"))
    assert record_json["acts"][0]["victim"]["names"] == VICTIM_NAME
    _summary, blob = build(fed, reg, incident)
    with zipfile.ZipFile(io.BytesIO(blob)) as archive:
        assert "names" not in json.loads(archive.read("incident.json"))["acts"][0]["victim"]


def test_names_beyond_consent_are_refused_and_nothing_is_written(fed, reg):
    incident = record(fed, reg)
    add(fed, reg, incident)
    before = counts()
    with pytest.raises(ExportBeyondConsent) as caught:
        build(fed, reg, incident, include_names=True)
    assert caught.value.status == 403
    assert "P" in str(caught.value.message)  # names the person codes concerned
    assert counts() == before


def test_evidence_of_a_person_without_consent_stays_out(fed, reg):
    incident = record(fed, reg)
    person = Act.objects.get(incident=incident).victim
    add(fed, reg, incident, person=person)
    add(fed, reg, incident, media.pdf(), name="acta.pdf", kind="document")
    summary, blob = build(fed, reg, incident)
    assert (summary.items, summary.withheld) == (1, 1)
    with zipfile.ZipFile(io.BytesIO(blob)) as archive:
        assert not [n for n in archive.namelist() if n.endswith(".jpg")]


def test_a_package_needs_the_role_and_the_key(fed, reg):
    incident = record(fed, reg)
    add(fed, reg, incident)
    before = counts()
    with pytest.raises(EvidenceSealed):
        build(fed, reg, incident, actor=fed.secretary)
    with pytest.raises(RegisterLocked):
        build(fed, reg, incident, key=None)
    assert counts() == before


def _rewrite(blob: bytes, name: str, change) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(blob)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            target.writestr(info.filename, change(data) if info.filename == name else data)
    return out.getvalue()


def test_a_changed_package_does_not_check_out(fed, reg):
    incident = record(fed, reg)
    item = add(fed, reg, incident)
    _summary, blob = build(fed, reg, incident)
    photo = f"evidence/{item.uid}.jpg"
    flipped = _rewrite(blob, photo, lambda d: d[:-3] + bytes([d[-3] ^ 1]) + d[-2:])
    assert any(photo in p for p in package.verify_package(io.BytesIO(flipped)))

    def forge_chain(data: bytes) -> bytes:
        chain = json.loads(data)
        chain[2]["actor_label"] = "nadie"
        return json.dumps(chain).encode()

    # Rewriting the chain and its line in SHA256SUMS still breaks the chain itself.
    forged = _rewrite(blob, f"custody/{item.uid}.json", forge_chain)
    problems = package.verify_package(io.BytesIO(forged))
    assert any("entry 3" in p for p in problems)
    assert package.verify_package(io.BytesIO(b"not a zip"))


def test_time_stamp_tokens_travel_in_the_package(fed, reg, settings):
    served = Served(LocalTSA())
    try:
        settings.ASAMBLEA_EVIDENCE_TSA_URL = served.url
        incident = record(fed, reg)
        item = add(fed, reg, incident)
        evidence.timestamp_evidence(actor=fed.member, evidence=item)
    finally:
        served.close()
    _summary, blob = build(fed, reg, incident)
    assert package.verify_package(io.BytesIO(blob)) == []
    with zipfile.ZipFile(io.BytesIO(blob)) as archive:
        assert f"timestamps/{item.uid}.tsr" in archive.namelist()
    forged = _rewrite(blob, f"timestamps/{item.uid}.tsr", lambda d: d[:-4] + b"\x00\x00\x00\x00")
    assert any(".tsr" in p for p in package.verify_package(io.BytesIO(forged)))


def test_the_verify_command_reports(fed, reg, tmp_path):
    incident = record(fed, reg)
    add(fed, reg, incident)
    _summary, blob = build(fed, reg, incident)
    good = tmp_path / "good.zip"
    good.write_bytes(blob)
    out = io.StringIO()
    call_command("verify_evidence_package", str(good), stdout=out)
    assert "OK" in out.getvalue()
    bad = tmp_path / "bad.zip"
    bad.write_bytes(_rewrite(blob, "incident.json", lambda d: d + b" "))
    with pytest.raises(CommandError):
        call_command("verify_evidence_package", str(bad), stderr=io.StringIO())


# --- the partner export ------------------------------------------------------------------


def test_the_partner_export_holds_what_consent_allows(fed, reg):
    shared = verified(fed, reg, [consenting_victim(), victim()])
    draft = record(fed, reg)
    export = package.partner_export(actor=fed.member, committee=reg.committee, key=reg.key)
    assert [i["uid"] for i in export["incidents"]] == [str(shared.uid)]
    assert str(draft.uid) not in json.dumps(export)
    victims = [a["victim"] for a in export["incidents"][0]["acts"]]
    assert victims[0]["code"]
    assert "names" not in victims[0]
    assert victims[1] is None
    text = json.dumps(export, ensure_ascii=False)
    for secret in (VICTIM_NAME, DESCRIPTION, "La testigo vive"):
        assert secret not in text


def test_partner_names_beyond_consent_are_refused(fed, reg):
    verified(fed, reg, [consenting_victim(), victim()])
    before = counts()
    with pytest.raises(ExportBeyondConsent):
        package.partner_export(
            actor=fed.member, committee=reg.committee, key=reg.key, include_names=True
        )
    assert counts() == before


def test_partner_names_with_consent_need_the_key(fed, reg):
    verified(fed, reg, [consenting_victim()])
    with pytest.raises(RegisterLocked):
        package.partner_export(
            actor=fed.member, committee=reg.committee, key=None, include_names=True
        )
    export = package.partner_export(
        actor=fed.member, committee=reg.committee, key=reg.key, include_names=True
    )
    assert export["incidents"][0]["acts"][0]["victim"]["names"] == VICTIM_NAME


def test_withdrawn_consent_leaves_the_export_at_once(fed, reg):
    incident = verified(fed, reg, [consenting_victim()])
    person = Act.objects.get(incident=incident).victim
    outside = person.consents.get(scope=ConsentScope.SHARE_OUTSIDE)
    services.withdraw_consent(actor=fed.member, consent=outside, method="oral")
    export = package.partner_export(actor=fed.member, committee=reg.committee, key=reg.key)
    assert export["incidents"][0]["acts"][0]["victim"] is None
