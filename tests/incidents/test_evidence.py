"""Evidence files: type by content, hash on arrival, encryption at rest,
metadata-free working copies, sealed originals, and nothing written on refusal."""

from __future__ import annotations

import hashlib
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from asamblea.core.errors import Conflict, NotFound
from asamblea.core.models import AuditEntry
from asamblea.incidents import custody, evidence, evidence_files, services
from asamblea.incidents.codes import CustodyAction
from asamblea.incidents.crypto import DataKey, DecryptionFailed, RegisterKey
from asamblea.incidents.errors import (
    EvidenceSealed,
    FileContentMismatch,
    FileTooLarge,
    FileTypeNotAllowed,
    NotDocumenter,
    RegisterLocked,
)
from asamblea.incidents.models import CustodyEntry, Evidence
from tests.incidents import media
from tests.incidents.conftest import VICTIM_NAME, record


def upload(data: bytes, name: str = "IMG_0001.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def add(fed, reg, incident, data=None, name="IMG_0001.jpg", kind="photo", **kwargs):
    data = media.jpeg_with_gps() if data is None else data
    return evidence.add_evidence(
        actor=kwargs.pop("actor", fed.member),
        incident=incident,
        key=kwargs.pop("key", reg.key),
        upload=upload(data, name),
        filename=name,
        kind=kind,
        size=len(data),
        **kwargs,
    )


def state(folder) -> dict[str, object]:
    files = sorted(p.name for p in folder.rglob("*") if p.is_file()) if folder.exists() else []
    return {
        "evidence": Evidence.objects.count(),
        "custody": CustodyEntry.objects.count(),
        "audit": AuditEntry.objects.count(),
        "files": files,
    }


def test_a_photo_is_hashed_sealed_and_stripped(fed, reg, evidence_dir):
    incident = record(fed, reg)
    photo = media.jpeg_with_gps()
    item = add(fed, reg, incident, photo)
    assert item.sha256 == hashlib.sha256(photo).hexdigest()
    assert item.size == len(photo)
    assert item.media_type == "image/jpeg"
    assert [e.action for e in item.custody.order_by("seq")] == ["added", "sealed"]
    assert custody.verify(item).ok
    # The original comes back byte for byte, and that is recorded.
    got = b"".join(evidence.open_original(actor=fed.member, evidence=item, key=reg.key))
    assert got == photo
    # The working copy has pixels and no metadata at all.
    working = evidence.open_working_copy(actor=fed.other_member, evidence=item, key=reg.key)
    assert CustodyEntry.objects.filter(evidence=item).count() == 4
    assert media.CAMERA_MAKER.encode() not in working
    assert b"Exif" not in working
    with Image.open(io.BytesIO(working)) as image:
        assert image.size == (64, 48)
        assert not image.getexif()
        assert "comment" not in image.info
    assert media.CAMERA_MAKER.encode() in photo  # the original keeps everything


def test_the_media_folder_holds_no_plaintext(fed, reg, evidence_dir):
    incident = record(fed, reg)
    photo = media.jpeg_with_gps()
    note = b"Testimonio de " + VICTIM_NAME.encode()
    add(fed, reg, incident, photo)
    add(fed, reg, incident, b"%PDF-1.4\n" + note * 50, name="acta.pdf", kind="document")
    stored = b"".join(p.read_bytes() for p in evidence_dir.rglob("*") if p.is_file())
    assert len(list(evidence_dir.rglob("*.orig"))) == 2
    for secret in (
        VICTIM_NAME.encode(),
        note,
        media.CAMERA_MAKER.encode(),
        photo[:16],
        photo[200:232],
        b"%PDF",
        reg.key.data_key.raw,
    ):
        assert secret not in stored
    # Names on disk are uids only; files are read-only once written.
    for path in evidence_dir.rglob("*"):
        if path.is_file():
            assert "IMG" not in path.name
            assert "acta" not in path.name
            assert path.stat().st_mode & 0o222 == 0


def test_video_and_audio_get_no_working_copy(fed, reg):
    incident = record(fed, reg)
    item = add(fed, reg, incident, media.mp4(), name="marcha.mp4", kind="video")
    assert item.media_type == "video/mp4"
    assert not item.has_working_copy
    with pytest.raises(NotFound):
        evidence.open_working_copy(actor=fed.member, evidence=item, key=reg.key)


@pytest.mark.parametrize(
    ("data", "name", "kind", "error"),
    [
        (b"MZ\x90\x00 program", "foto.jpg", "photo", FileTypeNotAllowed),
        (b"just some text, no signature", "nota.txt", "document", FileTypeNotAllowed),
        (b"", "vacio.jpg", "photo", FileTypeNotAllowed),
        (media.pdf(), "foto.jpg", "photo", FileContentMismatch),
        (media.jpeg_with_gps(), "foto.pdf", "document", FileContentMismatch),
        (media.jpeg_with_gps(), "foto.jpg", "video", FileContentMismatch),
        (media.mp4(), "marcha.mp3", "audio", FileContentMismatch),
        (media.jpeg_with_gps(), "foto", "photo", FileContentMismatch),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 200, "roto.jpg", "photo", FileContentMismatch),
    ],
)
def test_a_file_of_the_wrong_type_is_refused_and_nothing_is_written(
    fed, reg, evidence_dir, data, name, kind, error
):
    incident = record(fed, reg)
    before = state(evidence_dir)
    with pytest.raises(error) as caught:
        add(fed, reg, incident, data, name=name, kind=kind)
    assert caught.value.status == 422
    assert caught.value.field == "file"
    assert str(caught.value.message)
    assert state(evidence_dir) == before


def test_a_file_over_the_limit_is_refused_before_and_while_reading(
    fed, reg, evidence_dir, settings
):
    incident = record(fed, reg)
    settings.ASAMBLEA_EVIDENCE_MAX_BYTES = 2 * 2**20
    data = media.mp4(2 * 2**20 + 1)
    before = state(evidence_dir)
    with pytest.raises(FileTooLarge, match="2 MB"):
        add(fed, reg, incident, data, name="larga.mp4", kind="video")
    # An upload that under-states its size is counted as it is read.
    with pytest.raises(FileTooLarge) as caught:
        evidence.add_evidence(
            actor=fed.member,
            incident=incident,
            key=reg.key,
            upload=upload(data, "larga.mp4"),
            filename="larga.mp4",
            kind="video",
            size=10,
        )
    assert caught.value.status == 422
    assert state(evidence_dir) == before


def test_adding_needs_the_role_and_the_key(fed, reg, evidence_dir):
    incident = record(fed, reg)
    before = state(evidence_dir)
    with pytest.raises(RegisterLocked):
        add(fed, reg, incident, key=None)
    with pytest.raises(RegisterLocked):
        add(fed, reg, incident, key=reg.neighbour_key)
    forged = RegisterKey(committee_id=reg.committee.pk, data_key=DataKey.generate())
    with pytest.raises(RegisterLocked):
        add(fed, reg, incident, key=forged)
    with pytest.raises(NotDocumenter):
        add(fed, reg, incident, actor=fed.secretary)
    with pytest.raises(NotFound):
        add(fed, reg, incident, actor=fed.neighbour, key=reg.neighbour_key)
    assert state(evidence_dir) == before


def test_the_original_is_sealed_from_readers_without_the_role(fed, reg, evidence_dir):
    incident = record(fed, reg)
    item = add(fed, reg, incident)
    before = state(evidence_dir)
    # The secretary reads the incident (committee level) but documents nothing.
    with pytest.raises(EvidenceSealed) as caught:
        evidence.open_original(actor=fed.secretary, evidence=item, key=reg.key)
    assert caught.value.status == 403
    assert "sealed" in str(caught.value.message)
    # A documenter whose role ended keeps no access, even with a key.
    services.end_documenter(actor=fed.secretary, documenter=reg.second)
    with pytest.raises(EvidenceSealed):
        evidence.open_original(actor=fed.other_member, evidence=item, key=reg.key)
    # Another committee's member does not learn that the incident exists.
    with pytest.raises(NotFound):
        evidence.open_original(actor=fed.neighbour, evidence=item, key=reg.key)
    with pytest.raises(RegisterLocked):
        evidence.open_original(actor=fed.member, evidence=item, key=None)
    after = state(evidence_dir)
    assert after["custody"] == before["custody"]
    assert after["evidence"] == before["evidence"]


def test_a_changed_file_on_disk_is_refused(fed, reg, evidence_dir):
    incident = record(fed, reg)
    item = add(fed, reg, incident)
    path = evidence.file_path(item, evidence.ORIGINAL)
    path.chmod(0o600)
    blob = bytearray(path.read_bytes())
    blob[-5] ^= 1
    path.write_bytes(bytes(blob))
    with pytest.raises(Conflict):
        evidence.open_original(actor=fed.member, evidence=item, key=reg.key)


# --- the custody chain, as someone with the database would try to rewrite it ----------


def chain(item):
    return list(CustodyEntry.objects.filter(evidence=item).order_by("seq"))


@pytest.fixture
def item(fed, reg):
    incident = record(fed, reg)
    found = add(fed, reg, incident)
    b"".join(evidence.open_original(actor=fed.member, evidence=found, key=reg.key))
    evidence.open_working_copy(actor=fed.member, evidence=found, key=reg.key)
    assert custody.verify(found).ok
    assert custody.verify(found).checked == 4
    return found


def test_a_changed_entry_is_detected(item):
    entry = chain(item)[2]
    CustodyEntry.objects.filter(pk=entry.pk).update(data={"note": "nada pasó"})
    report = custody.verify(item)
    assert not report.ok
    assert report.first_broken_seq == 3


def test_a_changed_actor_or_time_is_detected(fed, item):
    entry = chain(item)[2]
    CustodyEntry.objects.filter(pk=entry.pk).update(actor_label="otra persona")
    assert custody.verify(item).first_broken_seq == 3


def test_a_removed_entry_is_detected(item):
    CustodyEntry.objects.filter(pk=chain(item)[1].pk).delete()
    report = custody.verify(item)
    assert report.first_broken_seq == 2
    assert report.reason == "missing entry"


def test_a_rehashed_entry_breaks_the_next_link(item):
    entries = chain(item)
    target = entries[1]
    target.data = {"forged": True}
    target.entry_hash = custody.compute_hash(
        target.prev_hash, custody.body(custody.as_dict(target, item.uid))
    )
    target.save()
    assert custody.verify(item).first_broken_seq == 3


def test_a_changed_file_hash_on_the_item_is_detected(item):
    Evidence.objects.filter(pk=item.pk).update(sha256="0" * 64)
    item.refresh_from_db()
    report = custody.verify(item)
    assert report.first_broken_seq == 1
    assert "hash" in report.reason


def test_an_entry_moved_from_another_item_is_detected(fed, reg, item):
    other = add(fed, reg, item.incident)
    moved = chain(other)[1]
    CustodyEntry.objects.filter(pk=chain(item)[1].pk).delete()
    CustodyEntry.objects.filter(pk=moved.pk).update(evidence=item)
    assert not custody.verify(item).ok


def test_every_append_is_mirrored_in_the_audit_log(item):
    last = chain(item)[-1]
    mirrored = AuditEntry.objects.filter(action="incidents.evidence.viewed").last()
    assert mirrored.data["entry_hash"] == last.entry_hash


# --- the sealed file format --------------------------------------------------------------


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(evidence_files, "CHUNK_SIZE", 16)


def test_sealed_files_round_trip_in_many_chunks(small_chunks):
    key = DataKey.generate()
    for data in (b"", b"x", b"a" * 16, bytes(range(200))):
        blob = evidence_files.seal_bytes(key, data, aad=b"item")
        assert evidence_files.open_bytes(key, blob, aad=b"item") == data


def _frames(blob: bytes) -> list[bytes]:
    frames, offset = [], len(evidence_files.FILE_MAGIC)
    while offset < len(blob):
        length = int.from_bytes(blob[offset : offset + 4], "big")
        frames.append(blob[offset : offset + 4 + length])
        offset += 4 + length
    return frames


def test_sealed_files_refuse_reordering_truncation_and_moving(small_chunks):
    key = DataKey.generate()
    blob = evidence_files.seal_bytes(key, bytes(range(100)), aad=b"item")
    frames = _frames(blob)
    assert len(frames) == 7
    magic = evidence_files.FILE_MAGIC
    for forged in (
        magic + frames[1] + frames[0] + b"".join(frames[2:]),  # reordered
        magic + b"".join(frames[:-1]),  # last chunk cut off
        magic + b"".join(frames[:3]),  # cut in the middle
        blob + frames[-1],  # data after the end
    ):
        with pytest.raises(DecryptionFailed):
            evidence_files.open_bytes(key, forged, aad=b"item")
    with pytest.raises(DecryptionFailed):
        evidence_files.open_bytes(key, blob, aad=b"another item")


def test_sniffing_names_each_allowed_type():
    assert evidence_files.sniff(media.jpeg_with_gps()) is evidence_files.JPEG
    assert evidence_files.sniff(media.png()) is evidence_files.PNG
    assert evidence_files.sniff(media.pdf()) is evidence_files.PDF
    assert evidence_files.sniff(media.mp4()) is evidence_files.MP4
    assert evidence_files.sniff(b"ID3\x04\x00" + b"\x00" * 20) is evidence_files.MP3
    assert evidence_files.sniff(b"OggS" + b"\x00" * 20) is evidence_files.OGG
    assert evidence_files.sniff(b"RIFF\x00\x00\x00\x00WAVEfmt ") is evidence_files.WAV
    assert evidence_files.sniff(b"\x00\x00\x00\x18ftypM4A \x00") is evidence_files.M4A
    assert evidence_files.sniff(b"<html><script>") is None
    assert evidence_files.extension_of("C:\\fotos\\IMG.JPG") == "jpg"
    assert evidence_files.extension_of("sin_extension") == ""


def test_a_png_with_transparency_keeps_it_in_its_working_copy(fed, reg):
    incident = record(fed, reg)
    item = add(fed, reg, incident, media.png(), name="mapa.png")
    assert item.derivative_media_type == "image/png"
    assert item.custody.filter(action=CustodyAction.SEALED).exists()
