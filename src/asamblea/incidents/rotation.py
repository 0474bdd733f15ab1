"""Rotating a committee's register key, and taking a documenter's copy of it
away (docs/incidents-security.md, "Rotating the register key").

:func:`rotate_register_key` draws a new data key ``DK'``, re-encrypts every
encrypted field of the committee's register under it (same associated data,
fresh nonces), replaces ``Register.key_check`` and seals ``DK'`` to each
documenter who held ``DK``, except those named in ``remove``: all in one
transaction, so a failure leaves the register as it was. Evidence files are
sealed again under ``DK'`` beside the old ones, as files of the next key
generation (``evidence.reseal_files``); only after the commit are the old
ones removed (``evidence.remove_stale_files``), so a failure or a crash at
any point leaves one complete generation that the committed key opens. Afterwards ``DK``
opens nothing current, so a documenter's passphrase that is no longer sealed
to, an old sealed copy in a backup, or an unlocked session of before opens
no field written since or re-encrypted now.

:func:`remove_register_key` erases one documenter's sealed copy of ``DK``
(their passphrase then opens nothing) without ending their role; a holder
may give the key back later. What they may have copied while they held it
is only made useless by a rotation.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from asamblea.accounts.models import Member
from asamblea.core import audit
from asamblea.core.errors import Conflict, InvalidInput
from asamblea.federation.access import Viewer
from asamblea.federation.models import Node
from asamblea.incidents import access, crypto, evidence
from asamblea.incidents.crypto import DataKey, DecryptionFailed, RegisterKey
from asamblea.incidents.models import Documenter, Incident, Person, Register, Source
from asamblea.incidents.services import (
    KEY_CHECK,
    _check_key,
    _documenter,
    _documenter_aad,
    _lock_committee,
    _register_aad,
    field_aad,
)

_CHUNK = 500


@dataclass(frozen=True)
class EncryptedFields:
    """One model's fields encrypted under the register key."""

    model: type[models.Model]
    kind: str  # the ``kind`` of their associated data (``services.field_aad``)
    fields: tuple[str, ...]
    committee: str  # the lookup from the row to its committee's id


# Every field encrypted under a register key. A model that adds one must be
# listed here, or a rotation would leave it under the old key
# (``tests/incidents/test_rotation.py`` checks every ``BinaryField``).
ENCRYPTED_FIELDS = (
    EncryptedFields(Person, "person", ("names", "contact"), "committee_id"),
    EncryptedFields(Incident, "incident", ("private_description",), "committee_id"),
    EncryptedFields(Source, "source", ("notes",), "incident__committee_id"),
)


class RotationFailed(Conflict):
    code = "rotation_failed"
    default_message = _(
        "A stored ciphertext or evidence file of this register does not open under "
        "its key or no longer matches its hash, so the key was not rotated and nothing "
        "changed. Tell the operators: the database or the evidence files may have "
        "been altered."
    )


def _reencrypt(spec: EncryptedFields, committee_id: int, old: DataKey, new: DataKey) -> int:
    """Re-encrypt ``spec``'s non-empty fields of the committee; the number of
    ciphertexts replaced. Rows are read by id in chunks (constant memory)."""
    manager = spec.model._default_manager
    rows = manager.filter(**{spec.committee: committee_id}).order_by("pk")
    ids = list(rows.values_list("pk", flat=True))
    replaced = 0
    for start in range(0, len(ids), _CHUNK):
        chunk = list(manager.filter(pk__in=ids[start : start + _CHUNK]).only("uid", *spec.fields))
        for row in chunk:
            for name in spec.fields:
                blob = bytes(getattr(row, name))
                if not blob:
                    continue
                aad = field_aad(
                    committee_id=committee_id, kind=spec.kind, uid=cast(Any, row).uid, name=name
                )
                try:
                    plaintext = crypto.decrypt(old, blob, aad=aad)
                except DecryptionFailed as exc:
                    raise RotationFailed() from exc
                setattr(row, name, crypto.encrypt(new, plaintext, aad=aad))
                replaced += 1
        manager.bulk_update(chunk, list(spec.fields))
    return replaced


def _holders(committee: Node) -> list[Documenter]:
    documenters = Documenter.objects.select_for_update().filter(
        committee=committee, ended_at__isnull=True
    )
    return [d for d in documenters.order_by("pk") if d.has_key]


def rotate_register_key(
    *,
    actor: Member,
    key: RegisterKey | None,
    committee: Node,
    remove: Iterable[Documenter] = (),
) -> RegisterKey:
    """A documenter with the register unlocked replaces its data key; the
    documenters in ``remove`` do not get the new one. Returns the new key
    (the caller puts it in the actor's session in place of the old one).

    Precondition: none; the committee's row and register are locked here, so
    two rotations (or a rotation and a write) run one after the other."""
    own = _documenter(actor, committee)
    _check_key(key, committee)
    assert key is not None  # noqa: S101 - _check_key refused None
    removed_ids = {d.pk for d in remove}
    if own.pk in removed_ids:
        raise InvalidInput(
            _("You cannot take the new key away from yourself while you rotate it."),
            field="remove",
        )
    new = DataKey.generate()
    # Leftovers of a rotation that crashed before removing its new files.
    evidence.remove_stale_files(committee)
    try:
        return _rotate(actor, key, committee, own, removed_ids, new)
    except BaseException:
        # Nothing was committed: the new generation's files are stale.
        evidence.remove_stale_files(committee)
        raise


def _rotate(
    actor: Member,
    key: RegisterKey,
    committee: Node,
    own: Documenter,
    removed_ids: set[int],
    new: DataKey,
) -> RegisterKey:
    with transaction.atomic():
        _lock_committee(committee)
        register = Register.objects.select_for_update().get(committee=committee)
        # Checked again under the lock: a rotation that ran meanwhile made ``key`` stale.
        _check_key(key, committee)
        holders = _holders(committee)
        unknown = removed_ids - {d.pk for d in holders}
        if unknown:
            raise InvalidInput(
                _("Only documenters of this committee who hold the key can be left out."),
                field="remove",
            )
        replaced = {
            spec.kind: _reencrypt(spec, committee.pk, key.data_key, new)
            for spec in ENCRYPTED_FIELDS
        }
        generation = register.key_generation
        try:
            files = evidence.reseal_files(
                actor=actor,
                old=key,
                new=RegisterKey(committee_id=committee.pk, data_key=new),
                generation=generation,
            )
        except evidence.ResealFailed as exc:
            raise RotationFailed() from exc
        register.key_check = crypto.encrypt(new, KEY_CHECK, aad=_register_aad(committee.pk))
        register.key_generation = generation + 1
        register.save(update_fields=["key_check", "key_generation"])
        resealed, dropped = _reseal(holders, own, new, removed_ids)
        audit.record(
            actor=actor,
            action="incidents.register.key_rotated",
            target=register,
            data={
                "committee": committee.pk,
                "reencrypted": replaced,
                "evidence_resealed": files,
                "key_generation": generation + 1,
                "resealed_for": resealed,
                "removed_from": dropped,
            },
        )
        transaction.on_commit(lambda: evidence.remove_stale_files(committee))
    return RegisterKey(committee_id=committee.pk, data_key=new)


def _reseal(
    holders: Sequence[Documenter], own: Documenter, new: DataKey, removed_ids: set[int]
) -> tuple[list[int], list[int]]:
    """Seal ``new`` to every holder but the removed (and to the actor, who
    opened the old key with their own passphrase); the members' ids of both."""
    resealed, dropped = [], []
    if own.pk not in {d.pk for d in holders}:
        holders = [*holders, Documenter.objects.select_for_update().get(pk=own.pk)]
    for documenter in holders:
        if documenter.pk in removed_ids:
            documenter.sealed_data_key = b""
            dropped.append(documenter.member_id)
        else:
            documenter.sealed_data_key = crypto.seal_data_key(
                new, bytes(documenter.public_key), aad=_documenter_aad(documenter)
            )
            resealed.append(documenter.member_id)
        documenter.save(update_fields=["sealed_data_key"])
    return resealed, dropped


def remove_register_key(*, actor: Member, documenter: Documenter) -> Documenter:
    """Erase ``documenter``'s sealed copy of the register key (the
    committee's secretaries, or the documenter themselves). The last holder's
    copy is kept: without it nobody could open the register again."""
    committee = documenter.committee
    if documenter.member_id != actor.pk:
        access.check_name_documenters(Viewer.of(actor), committee)
    with transaction.atomic():
        _lock_committee(committee)
        documenter = Documenter.objects.select_for_update().get(pk=documenter.pk)
        if not documenter.is_active or not documenter.has_key:
            raise Conflict(_("This documenter does not hold the register key."))
        if [d.pk for d in _holders(committee)] == [documenter.pk]:
            raise Conflict(
                _(
                    "This is the last documenter holding the register key; give it to "
                    "another documenter first, or the register could not be opened again."
                )
            )
        documenter.sealed_data_key = b""
        documenter.save(update_fields=["sealed_data_key"])
        audit.record(
            actor=actor,
            action="incidents.register.key_removed",
            target=documenter,
            data={"committee": committee.pk, "member": documenter.member_id},
        )
    return documenter
