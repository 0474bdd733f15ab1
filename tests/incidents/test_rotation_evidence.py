"""Rotating a register key with evidence files, tested the way evidence
would be lost: a file left under the old key, a rotation that fails or
crashes half-way, a file changed on disk, and an old key kept by someone
who should no longer read anything."""

from __future__ import annotations

import pytest

from asamblea.core.audit import verify_chain
from asamblea.core.errors import Conflict
from asamblea.core.models import AuditEntry
from asamblea.incidents import custody, evidence, evidence_files, rotation
from asamblea.incidents.crypto import DecryptionFailed
from asamblea.incidents.errors import RegisterLocked
from asamblea.incidents.models import CustodyEntry, Evidence, Register
from tests.incidents import media
from tests.incidents.conftest import record
from tests.incidents.test_evidence import add

PDF = b"%PDF-1.4\n" + b"Acta de la asamblea de Juliaca\n" * 4000


@pytest.fixture
def items(fed, reg, evidence_dir, monkeypatch):
    # Small chunks, so that each file is many chunks and a failure can fall mid-way.
    monkeypatch.setattr(evidence_files, "CHUNK_SIZE", 4096)
    incident = record(fed, reg)
    photo = media.jpeg_with_gps()
    item_photo = add(fed, reg, incident, photo)
    item_pdf = add(fed, reg, incident, PDF, name="acta.pdf", kind="document")
    working = evidence.open_working_copy(actor=fed.member, evidence=item_photo, key=reg.key)
    return {"photo": (item_photo, photo), "pdf": (item_pdf, PDF), "working": working}


def _files(evidence_dir) -> list[str]:
    return sorted(p.name for p in evidence_dir.rglob("*") if p.is_file())


def _opens(fed, items, key) -> None:
    for item, data in (items["photo"], items["pdf"]):
        got = b"".join(evidence.open_original(actor=fed.member, evidence=item, key=key))
        assert got == data
    working = evidence.open_working_copy(actor=fed.member, evidence=items["photo"][0], key=key)
    assert working == items["working"]


def _rotate(fed, reg, key, capture):
    with capture(execute=True):
        return rotation.rotate_register_key(actor=fed.member, key=key, committee=reg.committee)


def test_evidence_opens_after_rotation_and_the_old_key_opens_nothing(
    fed, reg, items, evidence_dir, django_capture_on_commit_callbacks
):
    before = _files(evidence_dir)
    assert len(before) == 3  # the photo's original and working copy, the PDF
    new = _rotate(fed, reg, reg.key, django_capture_on_commit_callbacks)

    # Every file was sealed again under the new generation; the old ones are gone.
    after = _files(evidence_dir)
    assert len(after) == 3
    assert all(".g1." in name for name in after)
    assert not set(before) & set(after)
    assert Register.objects.get(committee=reg.committee).key_generation == 1
    _opens(fed, items, new)
    # The old key opens no file, through the service or directly.
    photo = items["photo"][0]
    with pytest.raises(Conflict):
        evidence.open_original(actor=fed.member, evidence=photo, key=reg.key)
    with pytest.raises(Conflict):
        evidence.open_working_copy(actor=fed.member, evidence=photo, key=reg.key)
    for path in evidence_dir.rglob("*.g1.*"):
        part = evidence.ORIGINAL if path.name.endswith(".orig") else evidence.WORKING
        uid = path.name.split(".")[0]
        aad = evidence.file_aad(committee_id=reg.committee.pk, uid=uid, part=part)
        with pytest.raises(DecryptionFailed), path.open("rb") as source:
            b"".join(evidence_files.open_stream(reg.key.data_key, source, aad=aad))
        assert path.stat().st_mode & 0o222 == 0
    # The hashes did not change, the chain says what happened and holds.
    for item, _data in (items["photo"], items["pdf"]):
        stored = Evidence.objects.get(pk=item.pk)
        assert stored.sha256 == item.sha256
        resealed = CustodyEntry.objects.get(evidence=item, action="resealed")
        assert resealed.actor_id == fed.member.pk
        assert resealed.data["key_generation"] == 1
        assert resealed.data["sha256"] == item.sha256
        assert custody.verify(stored).ok
    entry = AuditEntry.objects.get(action="incidents.register.key_rotated")
    assert entry.data["evidence_resealed"] == 2
    assert entry.data["key_generation"] == 1
    assert verify_chain().ok
    # A second rotation moves them on again; evidence added now follows the key.
    newer = _rotate(fed, reg, new, django_capture_on_commit_callbacks)
    assert all(".g2." in name for name in _files(evidence_dir))
    _opens(fed, items, newer)
    incident = items["pdf"][0].incident
    later = add(fed, reg, incident, PDF, name="otra.pdf", kind="document", key=newer)
    assert evidence.file_path(later, evidence.ORIGINAL).name == f"{later.uid}.g2.orig"
    with pytest.raises(RegisterLocked):
        add(fed, reg, incident, PDF, name="vieja.pdf", kind="document", key=new)


@pytest.mark.parametrize("cleanup", ["runs", "crashed before it"])
def test_an_interrupted_rotation_loses_nothing(
    fed, reg, items, evidence_dir, monkeypatch, django_capture_on_commit_callbacks, cleanup
):
    """The rotation fails after writing some new files (the third file, in
    its middle): the database keeps the old key and generation and every
    file opens under it. If the process died before cleaning up, the
    leftovers are removed by the next rotation, which then succeeds."""
    before = _files(evidence_dir)
    real_seal = evidence_files.seal_stream
    calls = []

    def failing_seal(key, source, target, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            target.write(source.read(4096))  # part of a file, then the failure
            raise RuntimeError("disk gone")
        return real_seal(key, source, target, **kwargs)

    monkeypatch.setattr(evidence_files, "seal_stream", failing_seal)
    real_cleanup = evidence.remove_stale_files
    if cleanup != "runs":
        monkeypatch.setattr(evidence, "remove_stale_files", lambda committee: [])
    with pytest.raises(RuntimeError):
        _rotate(fed, reg, reg.key, django_capture_on_commit_callbacks)

    leftovers = sorted(set(_files(evidence_dir)) - set(before))
    assert set(before) <= set(_files(evidence_dir))
    if cleanup == "runs":
        assert leftovers == []
    else:
        assert len(leftovers) == 2
        assert all(".g1." in name for name in leftovers)
    assert Register.objects.get(committee=reg.committee).key_generation == 0
    assert not CustodyEntry.objects.filter(action="resealed").exists()
    assert not AuditEntry.objects.filter(action="incidents.register.key_rotated").exists()
    _opens(fed, items, reg.key)

    monkeypatch.setattr(evidence_files, "seal_stream", real_seal)
    monkeypatch.setattr(evidence, "remove_stale_files", real_cleanup)
    new = _rotate(fed, reg, reg.key, django_capture_on_commit_callbacks)
    assert len(_files(evidence_dir)) == 3
    _opens(fed, items, new)


def test_a_crash_after_the_commit_leaves_the_new_files_readable(
    fed, reg, items, evidence_dir, monkeypatch, django_capture_on_commit_callbacks
):
    """The process dies between the commit and the removal of the old files:
    the new generation opens under the new key, and the cleanup removes
    only the old generation."""
    before = _files(evidence_dir)
    real_cleanup = evidence.remove_stale_files
    monkeypatch.setattr(evidence, "remove_stale_files", lambda committee: [])
    new = _rotate(fed, reg, reg.key, django_capture_on_commit_callbacks)
    assert len(_files(evidence_dir)) == 6
    _opens(fed, items, new)
    assert sorted(real_cleanup(reg.committee)) == before
    assert len(_files(evidence_dir)) == 3
    _opens(fed, items, new)
    assert real_cleanup(reg.committee) == []


def test_a_changed_evidence_file_stops_the_rotation_and_nothing_changes(
    fed, reg, items, evidence_dir, django_capture_on_commit_callbacks
):
    item = items["pdf"][0]
    path = evidence.file_path(item, evidence.ORIGINAL)
    path.chmod(0o600)
    blob = bytearray(path.read_bytes())
    blob[-5] ^= 1
    path.write_bytes(bytes(blob))
    before = _files(evidence_dir)
    check = bytes(Register.objects.get(committee=reg.committee).key_check)
    with pytest.raises(rotation.RotationFailed):
        _rotate(fed, reg, reg.key, django_capture_on_commit_callbacks)
    assert _files(evidence_dir) == before
    register = Register.objects.get(committee=reg.committee)
    assert (bytes(register.key_check), register.key_generation) == (check, 0)
    assert not CustodyEntry.objects.filter(action="resealed").exists()
    photo, data = items["photo"]
    got = b"".join(evidence.open_original(actor=fed.member, evidence=photo, key=reg.key))
    assert got == data


def test_a_file_replaced_by_another_items_file_stops_the_rotation(
    fed, reg, items, evidence_dir, django_capture_on_commit_callbacks
):
    """An operator swaps one item's sealed file for another's: it does not
    open under the first item's associated data, so nothing is re-sealed."""
    photo, pdf = items["photo"][0], items["pdf"][0]
    target = evidence.file_path(pdf, evidence.ORIGINAL)
    target.chmod(0o600)
    target.write_bytes(evidence.file_path(photo, evidence.ORIGINAL).read_bytes())
    with pytest.raises(rotation.RotationFailed):
        _rotate(fed, reg, reg.key, django_capture_on_commit_callbacks)
    assert Register.objects.get(committee=reg.committee).key_generation == 0


def test_a_file_added_while_the_key_rotates_is_refused_and_leaves_nothing(
    fed, reg, items, evidence_dir, monkeypatch, django_capture_on_commit_callbacks
):
    """A rotation commits while an upload is being sealed under the old key:
    the upload is refused (its key is stale) rather than kept under a key
    that no longer opens anything, and its files are removed."""
    real_seal = evidence_files.seal_stream
    rotated: list = []

    def seal_during_rotation(key, source, target, **kwargs):
        if not rotated:
            rotated.append(None)  # the rotation's own sealing goes straight through
            rotated[0] = _rotate(fed, reg, reg.key, django_capture_on_commit_callbacks)
        return real_seal(key, source, target, **kwargs)

    monkeypatch.setattr(evidence_files, "seal_stream", seal_during_rotation)
    count = Evidence.objects.count()
    with pytest.raises(RegisterLocked):
        add(fed, reg, items["pdf"][0].incident, PDF, name="tarde.pdf", kind="document")
    assert Evidence.objects.count() == count
    assert len(_files(evidence_dir)) == 3
    assert all(".g1." in name for name in _files(evidence_dir))
    _opens(fed, items, rotated[0])
