"""Evidence of an incident: adding a file, opening its working copy or its
sealed original, time-stamping its hash, and listing what a viewer may see.

Writes follow the register's services: permission first
(``incidents.access``), then the input, then one transaction with the
custody chain (``incidents.custody``) and the audit log. Every read of a
file is also a write: it appends ``viewed`` or ``downloaded`` to the chain.

Files live under ``ASAMBLEA_EVIDENCE_DIR/<committee id>/`` named by the
item's uid and the register's key generation only, encrypted under the
committee's register key (``evidence_files.seal_stream``), written once and
made read-only; a file is never rewritten. A rotation of the register key
writes each file again under the new key and generation
(:func:`reseal_files`) and, once the new generation is committed, removes
the files of any other generation (:func:`remove_stale_files`).
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from cryptography import x509
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from asamblea.accounts.models import Member
from asamblea.core.actors import SystemActor
from asamblea.core.errors import Conflict, InvalidInput, NotFound
from asamblea.federation.access import Viewer
from asamblea.federation.models import Node
from asamblea.incidents import access, custody, evidence_files, timestamps
from asamblea.incidents.codes import CustodyAction, EvidenceKind
from asamblea.incidents.crypto import DecryptionFailed, RegisterKey
from asamblea.incidents.errors import (
    FileContentMismatch,
    FileTooLarge,
    FileTypeNotAllowed,
    RegisterLocked,
    TimestampFailed,
)
from asamblea.incidents.evidence_files import Derivative, FileType, NotAnImage
from asamblea.incidents.models import (
    Act,
    Evidence,
    EvidenceTimestamp,
    Incident,
    Person,
    Register,
)
from asamblea.incidents.services import _check_key, _lock_committee

ORIGINAL = "original"
WORKING = "working"


class Upload(Protocol):
    """What a view hands over: Django's ``UploadedFile`` or an open file."""

    def read(self, size: int = ..., /) -> bytes: ...

    def seek(self, offset: int, whence: int = ..., /) -> int: ...


def file_aad(*, committee_id: int, uid: object, part: str) -> bytes:
    return f"asamblea/incidents/v1|{committee_id}|evidence|{uid}|{part}".encode()


def evidence_dir(committee_id: int) -> Path:
    return Path(settings.ASAMBLEA_EVIDENCE_DIR) / str(int(committee_id))


# ``<uid>.orig``/``<uid>.work`` under the first key, ``<uid>.g<n>.orig`` after n rotations.
_FILE_NAME = re.compile(r"^[0-9a-f-]{36}(?:\.g([1-9][0-9]*))?\.(?:orig|work)$")


def key_generation(committee_id: int) -> int:
    """How many times the committee's register key was rotated (0 without a register)."""
    found = Register.objects.filter(committee_id=committee_id).values_list(
        "key_generation", flat=True
    )
    return next(iter(found), 0)


def file_name(uid: object, part: str, generation: int) -> str:
    suffix = "orig" if part == ORIGINAL else "work"
    return f"{uid}.g{generation}.{suffix}" if generation else f"{uid}.{suffix}"


def file_path(evidence: Evidence, part: str, generation: int | None = None) -> Path:
    """Where ``part`` of ``evidence`` is sealed under the key of
    ``generation`` (the register's current one by default)."""
    committee_id = evidence.incident.committee_id
    if generation is None:
        generation = key_generation(committee_id)
    return evidence_dir(committee_id) / file_name(evidence.uid, part, generation)


def max_megabytes() -> int:
    return max(1, settings.ASAMBLEA_EVIDENCE_MAX_BYTES // 2**20)


def too_large() -> FileTooLarge:
    return FileTooLarge(
        _("This file is larger than %(max)d MB, the most the register accepts.")
        % {"max": max_megabytes()},
        field="file",
    )


def _check_type(upload: Upload, *, filename: str, kind: str, size: int | None) -> FileType:
    if kind not in EvidenceKind.values:
        raise InvalidInput(_("Choose what kind of evidence this is."), field="kind")
    if size is not None and size > settings.ASAMBLEA_EVIDENCE_MAX_BYTES:
        raise too_large()
    upload.seek(0)
    head = upload.read(evidence_files.HEAD_SIZE)
    upload.seek(0)
    file_type = evidence_files.sniff(head)
    if file_type is None:
        raise FileTypeNotAllowed(field="file")
    extension = evidence_files.extension_of(filename)
    if kind not in file_type.kinds or extension not in file_type.extensions:
        raise FileContentMismatch(
            _(
                "The content of this file is %(type)s, which does not match its name "
                "(.%(extension)s) or the kind chosen (%(kind)s)."
            )
            % {
                "type": file_type.media_type,
                "extension": extension or "-",
                "kind": EvidenceKind(kind).label,
            },
            field="file",
        )
    return file_type


def _working_copy(upload: Upload, file_type: FileType) -> Derivative | None:
    if not file_type.is_image:
        return None
    try:
        evidence_files.check_image(upload)  # type: ignore[arg-type]
        upload.seek(0)
        derivative = evidence_files.strip_image(upload)  # type: ignore[arg-type]
    except NotAnImage as exc:
        raise FileContentMismatch(
            _("This file does not open as the image its type says it is."), field="file"
        ) from exc
    finally:
        upload.seek(0)
    return derivative


def _write_once(path: Path, write: object) -> None:
    """Write ``path`` through a temporary name; never over an existing file."""
    partial = path.with_name(f".{path.name}.part")
    try:
        with partial.open("xb") as target:
            write(target)  # type: ignore[operator]
            target.flush()
            os.fsync(target.fileno())
        os.link(partial, path)  # fails if ``path`` exists: write-once
        path.chmod(0o400)
    finally:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()


def _remove(*paths: Path) -> None:
    for path in paths:
        with contextlib.suppress(FileNotFoundError):
            path.chmod(0o600)
            path.unlink()


def _check_person(incident: Incident, person: Person | None) -> None:
    if person is None:
        return
    if not Act.objects.filter(incident=incident, victim=person).exists():
        raise InvalidInput(_("Choose a person of this incident."), field="person")


def add_evidence(
    *,
    actor: Member,
    incident: Incident,
    key: RegisterKey | None,
    upload: Upload,
    filename: str,
    kind: str,
    size: int | None = None,
    person: Person | None = None,
) -> Evidence:
    """Add a file to ``incident``: check its type by its content, hash and
    encrypt it in one pass, strip a photo's metadata into a working copy,
    and start its custody chain (``added``, then ``sealed``).

    ``size`` is the size the upload announced (checked before reading); the
    bytes read are counted too. Nothing is written on refusal."""
    access.check_incident(Viewer.of(actor), incident, to="write")
    if incident.is_archived:
        raise Conflict(_("This incident is archived; it can no longer be changed."))
    _check_key(key, incident.committee)
    assert key is not None  # noqa: S101 - _check_key refused None
    _check_person(incident, person)
    file_type = _check_type(upload, filename=filename, kind=kind, size=size)
    derivative = _working_copy(upload, file_type)
    evidence = Evidence(
        incident=incident,
        kind=kind,
        media_type=file_type.media_type,
        extension=evidence_files.extension_of(filename),
        person=person,
        added_by=actor,
    )
    folder = evidence_dir(incident.committee_id)
    folder.mkdir(parents=True, exist_ok=True)
    generation = key_generation(incident.committee_id)
    original = folder / file_name(evidence.uid, ORIGINAL, generation)
    working = folder / file_name(evidence.uid, WORKING, generation)
    sealed: list[evidence_files.Sealed] = []

    def write_original(target: BinaryIO) -> None:
        sealed.append(
            evidence_files.seal_stream(
                key.data_key,
                upload,
                target,
                aad=file_aad(committee_id=incident.committee_id, uid=evidence.uid, part=ORIGINAL),
                max_size=settings.ASAMBLEA_EVIDENCE_MAX_BYTES,
            )
        )

    try:
        try:
            _write_once(original, write_original)
        except ValueError as exc:
            raise too_large() from exc
        evidence.sha256 = sealed[0].sha256
        evidence.size = sealed[0].size
        if derivative is not None:
            blob = evidence_files.seal_bytes(
                key.data_key,
                derivative.data,
                aad=file_aad(committee_id=incident.committee_id, uid=evidence.uid, part=WORKING),
            )
            _write_once(working, lambda target: target.write(blob))
            evidence.derivative_media_type = derivative.media_type
            evidence.derivative_size = len(derivative.data)
            evidence.derivative_sha256 = evidence_files.sha256_hex(derivative.data)
        with transaction.atomic():
            # A rotation that committed while the file was written made ``key``
            # stale and removes files of the old generation: refuse, write nothing.
            _lock_committee(incident.committee)
            _check_key(key, incident.committee)
            if key_generation(incident.committee_id) != generation:
                raise RegisterLocked()
            evidence.save()
            custody.append(
                evidence=evidence,
                action=CustodyAction.ADDED,
                actor=actor,
                data={
                    "sha256": evidence.sha256,
                    "size": evidence.size,
                    "media_type": evidence.media_type,
                    "kind": evidence.kind,
                    "incident": str(incident.uid),
                    "working_copy_sha256": evidence.derivative_sha256,
                },
            )
            custody.append(evidence=evidence, action=CustodyAction.SEALED, actor=actor)
    except BaseException:
        _remove(original, working)
        raise
    return evidence


def _require_key(key: RegisterKey | None, evidence: Evidence) -> RegisterKey:
    if key is None or key.committee_id != evidence.incident.committee_id:
        raise RegisterLocked()
    return key


def _chunks(path: Path, key: RegisterKey, aad: bytes) -> Iterator[bytes]:
    with path.open("rb") as source:
        yield from evidence_files.open_stream(key.data_key, source, aad=aad)


def open_working_copy(*, actor: Member, evidence: Evidence, key: RegisterKey | None) -> bytes:
    """The photo without its metadata, for anyone who reads the incident and
    holds the register key; appends ``viewed``."""
    access.check_incident(Viewer.of(actor), evidence.incident)
    if not evidence.has_working_copy:
        raise NotFound()
    usable = _require_key(key, evidence)
    aad = file_aad(committee_id=usable.committee_id, uid=evidence.uid, part=WORKING)
    try:
        data = b"".join(_chunks(file_path(evidence, WORKING), usable, aad))
    except (DecryptionFailed, FileNotFoundError) as exc:
        raise Conflict(_("This file cannot be opened: it was changed or removed.")) from exc
    custody.append(evidence=evidence, action=CustodyAction.VIEWED, actor=actor)
    return data


def open_original(*, actor: Member, evidence: Evidence, key: RegisterKey | None) -> Iterator[bytes]:
    """The original's chunks, for the committee's documenters with the key
    (``EvidenceSealed`` for other readers); appends ``downloaded`` first.
    Its first chunk is read before returning, so that a wrong key or a
    changed file is refused, not sent half."""
    chunks = open_original_for_export(actor=actor, evidence=evidence, key=key)
    try:
        first = next(chunks)
    except (DecryptionFailed, FileNotFoundError) as exc:
        raise Conflict(_("This file cannot be opened: it was changed or removed.")) from exc
    custody.append(evidence=evidence, action=CustodyAction.DOWNLOADED, actor=actor)

    def stream() -> Iterator[bytes]:
        yield first
        yield from chunks

    return stream()


def open_original_for_export(
    *, actor: Member, evidence: Evidence, key: RegisterKey | None
) -> Iterator[bytes]:
    """The original's chunks with the same checks as :func:`open_original`,
    recording nothing: for the package, which records ``exported`` itself.
    ``DecryptionFailed`` surfaces where a changed chunk is reached."""
    access.check_original(Viewer.of(actor), evidence)
    usable = _require_key(key, evidence)
    aad = file_aad(committee_id=usable.committee_id, uid=evidence.uid, part=ORIGINAL)
    return _chunks(file_path(evidence, ORIGINAL), usable, aad)


# --- re-sealing under a rotated register key -------------------------------------------


_ROWS = 200


class ResealFailed(Exception):
    """A file did not open under the old key, or its content changed."""


def _reseal_one(
    evidence: Evidence, part: str, old: RegisterKey, new: RegisterKey, generation: int
) -> None:
    aad = file_aad(committee_id=old.committee_id, uid=evidence.uid, part=part)
    expected = (
        (evidence.sha256, evidence.size)
        if part == ORIGINAL
        else (evidence.derivative_sha256, evidence.derivative_size)
    )
    target = file_path(evidence, part, generation + 1)
    sealed: list[evidence_files.Sealed] = []

    def write(out: BinaryIO) -> None:
        plain = evidence_files.ChunkReader(_chunks(file_path(evidence, part, generation), old, aad))
        sealed.append(
            evidence_files.seal_stream(new.data_key, plain, out, aad=aad, max_size=expected[1])
        )

    try:
        _write_once(target, write)
    except (DecryptionFailed, OSError, ValueError) as exc:
        raise ResealFailed(str(exc)) from exc
    if (sealed[0].sha256, sealed[0].size) != expected:
        raise ResealFailed("the file's content changed")


def reseal_files(*, actor: Member, old: RegisterKey, new: RegisterKey, generation: int) -> int:
    """Seal every evidence file of the committee (originals and working
    copies) again under ``new``, beside the files of ``generation``, as files
    of ``generation + 1``, and append ``resealed`` to each item's chain; the
    number of items. Runs in the rotation's transaction with the committee
    locked; the old files stay until :func:`remove_stale_files` runs after
    the commit, and if the transaction fails the new ones are removed the
    same way. ``ResealFailed`` on a file that does not open under ``old``
    or whose hash or size changed."""
    ids = list(
        Evidence.objects.filter(incident__committee_id=old.committee_id)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    count = 0
    for start in range(0, len(ids), _ROWS):
        chunk = Evidence.objects.filter(pk__in=ids[start : start + _ROWS])
        for item in chunk.select_related("incident").order_by("pk"):
            _reseal_item(item, actor=actor, old=old, new=new, generation=generation)
            count += 1
    return count


def _reseal_item(
    item: Evidence, *, actor: Member, old: RegisterKey, new: RegisterKey, generation: int
) -> None:
    for part in [ORIGINAL, WORKING] if item.has_working_copy else [ORIGINAL]:
        _reseal_one(item, part, old, new, generation)
    custody.append(
        evidence=item,
        action=CustodyAction.RESEALED,
        actor=actor,
        data={
            "key_generation": generation + 1,
            "sha256": item.sha256,
            "working_copy_sha256": item.derivative_sha256,
        },
    )


def remove_stale_files(committee: Node) -> list[str]:
    """Remove the committee's evidence files of any key generation but the
    committed current one: the old files after a rotation, or the new ones a
    rotation that failed or crashed left behind. Reads the generation with
    the committee locked, so never while a rotation runs. The names removed."""
    folder = evidence_dir(committee.pk)
    removed: list[str] = []
    with transaction.atomic():
        _lock_committee(committee)
        current = key_generation(committee.pk)
        if not folder.is_dir():
            return removed
        for path in sorted(folder.iterdir()):
            match = _FILE_NAME.match(path.name)
            if match is None or int(match.group(1) or 0) == current:
                continue
            _remove(path)
            removed.append(path.name)
    return removed


# --- time-stamps -----------------------------------------------------------------------


def pinned_certificate() -> x509.Certificate | None:
    path = settings.ASAMBLEA_EVIDENCE_TSA_CERTIFICATE
    if not path:
        return None
    return timestamps.load_certificate(Path(path).read_bytes())


def timestamping_enabled() -> bool:
    return bool(settings.ASAMBLEA_EVIDENCE_TSA_URL)


def timestamp_evidence(*, actor: Member | SystemActor, evidence: Evidence) -> EvidenceTimestamp:
    """Ask the configured authority for a token over the item's SHA-256,
    verify it and keep it (``timestamped`` in the chain). The request leaves
    the server outside any transaction; ``TimestampFailed`` leaves nothing."""
    url = settings.ASAMBLEA_EVIDENCE_TSA_URL
    if not url:
        raise Conflict(_("Time-stamping is not configured on this server."))
    if not isinstance(actor, SystemActor):
        access.check_incident(Viewer.of(actor), evidence.incident, to="write")
    if EvidenceTimestamp.objects.filter(evidence=evidence).exists():
        raise Conflict(_("This evidence already has a time-stamp."))
    digest = bytes.fromhex(evidence.sha256)
    try:
        token, info = timestamps.fetch(url, digest)
        pinned = pinned_certificate()
        if pinned is not None:
            info = timestamps.verify(token, digest, pinned=pinned)
    except (timestamps.TimestampError, OSError, ValueError) as exc:
        raise TimestampFailed() from exc
    with transaction.atomic():
        stamp = EvidenceTimestamp.objects.create(
            evidence=evidence,
            tsa_url=url[:500],
            token=token,
            gen_time=info.gen_time,
            serial_number=str(info.serial_number)[:80],
        )
        custody.append(
            evidence=evidence,
            action=CustodyAction.TIMESTAMPED,
            actor=actor,
            data={
                "gen_time": info.gen_time.isoformat(),
                "serial_number": str(info.serial_number),
                "token_sha256": evidence_files.sha256_hex(token),
            },
        )
    return stamp


def verify_timestamp(evidence: Evidence) -> timestamps.TokenInfo | None:
    """What the stored token says, checked again against the item's hash
    (``TimestampError`` if it does not hold); None without a token."""
    stamp = EvidenceTimestamp.objects.filter(evidence=evidence).first()
    if stamp is None:
        return None
    return timestamps.verify(
        bytes(stamp.token), bytes.fromhex(evidence.sha256), pinned=pinned_certificate()
    )


# --- reads -------------------------------------------------------------------------------


@dataclass(frozen=True)
class EvidenceView:
    evidence: Evidence
    custody: custody.CustodyReport
    timestamp: EvidenceTimestamp | None
    may_open_original: bool


def evidence_of(*, viewer: Viewer, incident: Incident) -> list[EvidenceView]:
    """The incident's evidence as ``viewer`` may list it (hashes, custody
    state, time-stamp); listing appends nothing."""
    access.check_incident(viewer, incident)
    documenter = access.documenter_of(viewer, incident.committee_id) is not None
    items = Evidence.objects.filter(incident=incident).select_related("incident").order_by("pk")
    stamps = {
        s.evidence_id: s for s in EvidenceTimestamp.objects.filter(evidence__incident=incident)
    }
    return [
        EvidenceView(
            evidence=item,
            custody=custody.verify(item),
            timestamp=stamps.get(item.pk),
            may_open_original=documenter,
        )
        for item in items
    ]
