"""Rotating a register key and removing a documenter's copy, tested the way
a documenter who turned, or an operator with a copy of the database, would
try to keep reading."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import models

from asamblea.core.audit import verify_chain
from asamblea.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from asamblea.core.models import AuditEntry
from asamblea.federation.access import Viewer
from asamblea.incidents import crypto, rotation, selectors, services
from asamblea.incidents.errors import RegisterLocked, WrongPassphrase
from asamblea.incidents.models import Documenter, Incident, Person, Register, Source
from tests.incidents.conftest import (
    DESCRIPTION,
    PASSPHRASE,
    SECOND_PASSPHRASE,
    VICTIM_NAME,
    incident_data,
    record,
)

# Binary fields that are key material, not data under the register key.
KEY_MATERIAL = {
    ("Register", "key_check"),
    ("Documenter", "kdf_salt"),
    ("Documenter", "public_key"),
    ("Documenter", "wrapped_private_key"),
    ("Documenter", "sealed_data_key"),
}


def _ciphertexts() -> dict[tuple[str, int, str], bytes]:
    stored = {}
    for spec in rotation.ENCRYPTED_FIELDS:
        for row in spec.model._default_manager.all():
            for name in spec.fields:
                stored[(spec.kind, row.pk, name)] = bytes(getattr(row, name))
    return stored


def _read(fed, incident: Incident, key) -> selectors.IncidentView:
    incident.refresh_from_db()
    return selectors.incident_view(viewer=Viewer.of(fed.member), incident=incident, key=key)


# Binary fields that hold public values, readable by anyone with the token's
# hash: an RFC 3161 time-stamp token signs the file's SHA-256, nothing secret.
PUBLIC = {
    ("EvidenceTimestamp", "token"),
}


def test_every_binary_field_of_the_register_is_rotated_key_material_or_public():
    rotated = {(s.model.__name__, name) for s in rotation.ENCRYPTED_FIELDS for name in s.fields}
    assert not rotated & KEY_MATERIAL
    assert not rotated & PUBLIC
    assert not KEY_MATERIAL & PUBLIC
    seen = set()
    for model in apps.get_app_config("incidents").get_models():
        for field in model._meta.get_fields():
            if isinstance(field, models.BinaryField):
                pair = (model.__name__, field.name)
                seen.add(pair)
                assert pair in rotated or pair in KEY_MATERIAL or pair in PUBLIC, pair
    # No stale entry: each listed field still exists.
    assert rotated | KEY_MATERIAL | PUBLIC == seen


def test_rotation_reencrypts_everything_and_holders_keep_reading(fed, reg):
    incident = record(fed, reg)
    neighbour_incident = services.record_incident(
        actor=fed.neighbour,
        committee=reg.other_committee,
        data=incident_data(),
        key=reg.neighbour_key,
    )
    before = _ciphertexts()
    neighbour_before = bytes(Incident.objects.get(pk=neighbour_incident.pk).private_description)

    new = rotation.rotate_register_key(actor=fed.member, key=reg.key, committee=reg.committee)

    after = _ciphertexts()
    own = {
        k
        for k in before
        if before[k] and k != ("incident", neighbour_incident.pk, "private_description")
    }
    changed = {k for k in before if before[k] and after[k] != before[k]}
    # Names, contact, description and notes: every one of the committee's replaced.
    assert changed == own
    assert ("incident", incident.pk, "private_description") in changed
    # Another committee's register is not touched.
    assert bytes(Incident.objects.get(pk=neighbour_incident.pk).private_description) == (
        neighbour_before
    )
    view = _read(fed, incident, new)
    assert view.private_description == DESCRIPTION
    assert view.acts[0].victim.names == VICTIM_NAME
    assert view.sources[0].notes == "La testigo vive frente a la plaza"
    # Both holders' passphrases open the new key; the old key opens nothing now.
    for member, passphrase in ((fed.member, PASSPHRASE), (fed.other_member, SECOND_PASSPHRASE)):
        opened = services.unlock_register(
            actor=member, committee=reg.committee, passphrase=passphrase
        )
        assert opened.data_key == new.data_key
    stale = _read(fed, incident, reg.key)
    assert stale.private_description is None
    assert stale.acts[0].victim.names is None
    with pytest.raises(RegisterLocked):
        services.give_register_key(actor=fed.member, key=reg.key, documenter=reg.second)
    entry = AuditEntry.objects.get(action="incidents.register.key_rotated")
    assert entry.data["reencrypted"] == {"person": 2, "incident": 1, "source": 1}
    assert sorted(entry.data["resealed_for"]) == sorted([fed.member.pk, fed.other_member.pk])
    assert VICTIM_NAME not in repr(entry.data)
    assert verify_chain().ok


def test_a_removed_documenter_keeps_only_a_key_that_opens_nothing(fed, reg):
    """The documenter who turned copied their sealed key (or a backup holds
    it): after the rotation that left them out, their passphrase opens no
    key at all, and the copied old key opens no current field."""
    incident = record(fed, reg)
    copied = bytes(Documenter.objects.get(pk=reg.second.pk).sealed_data_key)
    rotation.rotate_register_key(
        actor=fed.member, key=reg.key, committee=reg.committee, remove=[reg.second]
    )
    with pytest.raises(Conflict):
        services.unlock_register(
            actor=fed.other_member, committee=reg.committee, passphrase=SECOND_PASSPHRASE
        )
    second = Documenter.objects.get(pk=reg.second.pk)
    kek = crypto.derive_kek(
        SECOND_PASSPHRASE,
        crypto.KdfParams(
            salt=bytes(second.kdf_salt), n=second.kdf_n, r=second.kdf_r, p=second.kdf_p
        ),
    )
    aad = services._documenter_aad(second)
    private = crypto.open_private_key(kek, bytes(second.wrapped_private_key), aad=aad)
    old_key = crypto.open_data_key(private, copied, aad=aad)
    person = Person.objects.get()
    with pytest.raises(crypto.DecryptionFailed):
        crypto.decrypt(
            old_key,
            bytes(person.names),
            aad=services.field_aad(
                committee_id=reg.committee.pk, kind="person", uid=person.uid, name="names"
            ),
        )
    with pytest.raises(crypto.DecryptionFailed):
        crypto.decrypt(
            old_key,
            bytes(Register.objects.get(committee=reg.committee).key_check),
            aad=services._register_aad(reg.committee.pk),
        )
    assert incident.pk


def test_a_tampered_ciphertext_stops_the_rotation_and_nothing_changes(fed, reg):
    record(fed, reg)
    Source.objects.update(notes=b"\x01" + b"x" * 40)
    before = _ciphertexts()
    check = bytes(Register.objects.get(committee=reg.committee).key_check)
    sealed = bytes(Documenter.objects.get(pk=reg.second.pk).sealed_data_key)
    with pytest.raises(rotation.RotationFailed) as caught:
        rotation.rotate_register_key(actor=fed.member, key=reg.key, committee=reg.committee)
    assert caught.value.status == 409
    assert "does not open" in str(caught.value.message)
    assert _ciphertexts() == before
    assert bytes(Register.objects.get(committee=reg.committee).key_check) == check
    assert bytes(Documenter.objects.get(pk=reg.second.pk).sealed_data_key) == sealed
    assert not AuditEntry.objects.filter(action="incidents.register.key_rotated").exists()


@pytest.mark.parametrize("case", ["no key", "other committee's key", "stale key", "not documenter"])
def test_rotation_is_refused_without_the_current_key_and_role(fed, reg, case):
    record(fed, reg)
    actor, key = fed.member, reg.key
    if case == "no key":
        key = None
    elif case == "other committee's key":
        key = reg.neighbour_key
    elif case == "stale key":
        rotation.rotate_register_key(actor=fed.member, key=reg.key, committee=reg.committee)
    else:
        actor = fed.secretary
    before = _ciphertexts()
    with pytest.raises((RegisterLocked, Forbidden)):
        rotation.rotate_register_key(actor=actor, key=key, committee=reg.committee)
    assert _ciphertexts() == before


def test_rotation_refuses_to_leave_out_the_actor_or_a_stranger(fed, reg):
    record(fed, reg)
    before = _ciphertexts()
    with pytest.raises(InvalidInput):
        rotation.rotate_register_key(
            actor=fed.member, key=reg.key, committee=reg.committee, remove=[reg.first]
        )
    with pytest.raises(InvalidInput):
        rotation.rotate_register_key(
            actor=fed.member, key=reg.key, committee=reg.committee, remove=[reg.neighbour]
        )
    assert _ciphertexts() == before


def test_removing_a_documenters_key_and_giving_it_back(fed, reg):
    rotation.remove_register_key(actor=fed.secretary, documenter=reg.second)
    with pytest.raises(Conflict):
        services.unlock_register(
            actor=fed.other_member, committee=reg.committee, passphrase=SECOND_PASSPHRASE
        )
    # The last holder's copy stays.
    with pytest.raises(Conflict):
        rotation.remove_register_key(actor=fed.member, documenter=reg.first)
    with pytest.raises(Conflict):
        rotation.remove_register_key(actor=fed.secretary, documenter=reg.second)
    reg.second.refresh_from_db()
    services.give_register_key(actor=fed.member, key=reg.key, documenter=reg.second)
    services.unlock_register(
        actor=fed.other_member, committee=reg.committee, passphrase=SECOND_PASSPHRASE
    )
    assert AuditEntry.objects.filter(action="incidents.register.key_removed").count() == 1


def test_only_secretaries_or_the_documenter_remove_a_key(fed, reg):
    with pytest.raises((NotFound, Forbidden)):
        rotation.remove_register_key(actor=fed.outsider, documenter=reg.second)
    with pytest.raises(Forbidden):
        rotation.remove_register_key(actor=fed.member, documenter=reg.second)
    assert Documenter.objects.get(pk=reg.second.pk).has_key
    rotation.remove_register_key(actor=fed.other_member, documenter=reg.second)
    with pytest.raises(WrongPassphrase):
        services.unlock_register(actor=fed.member, committee=reg.committee, passphrase="x" * 12)
