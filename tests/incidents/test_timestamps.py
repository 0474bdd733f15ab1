"""RFC 3161 time-stamps of evidence hashes, against a local authority."""

from __future__ import annotations

import hashlib

import pytest

from asamblea.core.errors import Conflict
from asamblea.incidents import custody, evidence, timestamps
from asamblea.incidents.errors import TimestampFailed
from asamblea.incidents.models import CustodyEntry, EvidenceTimestamp
from tests.incidents import media
from tests.incidents.conftest import record
from tests.incidents.test_evidence import add
from tests.incidents.tsa import LocalTSA, Served


@pytest.fixture
def authority(settings):
    served = Served(LocalTSA())
    settings.ASAMBLEA_EVIDENCE_TSA_URL = served.url
    yield served
    served.close()


DIGEST = hashlib.sha256(b"foto").digest()


def token_for(authority, digest=DIGEST):
    token, info = timestamps.fetch(authority.url, digest)
    return token, info


def test_a_token_from_the_authority_verifies(authority):
    token, info = token_for(authority)
    assert info.serial_number == 1
    assert "TSA de prueba" in info.signer
    again = timestamps.verify(token, DIGEST, pinned=authority.authority.certificate)
    assert again.gen_time == info.gen_time


def test_a_token_does_not_verify_for_another_hash(authority):
    token, _info = token_for(authority)
    with pytest.raises(timestamps.TimestampError, match="another hash"):
        timestamps.verify(token, hashlib.sha256(b"otra foto").digest())


@pytest.mark.parametrize("offset", [-3, -40, 60, 200])
def test_a_changed_byte_anywhere_is_refused(authority, offset):
    token, _info = token_for(authority)
    forged = bytearray(token)
    forged[offset] ^= 0x01
    with pytest.raises(timestamps.TimestampError):
        timestamps.verify(bytes(forged), DIGEST)


def test_a_token_of_another_authority_is_refused_when_one_is_pinned(authority):
    token, _info = token_for(authority)
    other = LocalTSA()
    with pytest.raises(timestamps.TimestampError, match="another authority"):
        timestamps.verify(token, DIGEST, pinned=other.certificate)


def test_a_certificate_without_time_stamping_usage_is_refused(settings):
    served = Served(LocalTSA(time_stamping=False))
    try:
        with pytest.raises(timestamps.TimestampError, match="time-stamping certificate"):
            timestamps.fetch(served.url, DIGEST)
    finally:
        served.close()


def test_an_answer_to_another_request_is_refused():
    served = Served(LocalTSA(wrong_nonce=True))
    try:
        with pytest.raises(timestamps.TimestampError, match="another request"):
            timestamps.fetch(served.url, DIGEST)
    finally:
        served.close()


def test_garbage_is_not_a_token():
    for blob in (b"", b"\x30\x03\x02\x01\x00", b"no es un token"):
        with pytest.raises(timestamps.TimestampError):
            timestamps.verify(blob, DIGEST)


def test_evidence_is_time_stamped_and_the_token_kept(fed, reg, authority):
    item = add(fed, reg, record(fed, reg), media.jpeg_with_gps())
    stamp = evidence.timestamp_evidence(actor=fed.member, evidence=item)
    assert stamp.tsa_url == authority.url
    info = evidence.verify_timestamp(item)
    assert info is not None
    assert info.gen_time == stamp.gen_time
    last = CustodyEntry.objects.filter(evidence=item).order_by("-seq").first()
    assert last.action == "timestamped"
    assert last.data["token_sha256"] == hashlib.sha256(bytes(stamp.token)).hexdigest()
    assert custody.verify(item).ok
    with pytest.raises(Conflict):
        evidence.timestamp_evidence(actor=fed.member, evidence=item)


def test_a_refusing_or_missing_authority_writes_nothing(fed, reg, settings):
    item = add(fed, reg, record(fed, reg))
    entries = CustodyEntry.objects.count()
    refusing = Served(LocalTSA(refuse=True))
    try:
        settings.ASAMBLEA_EVIDENCE_TSA_URL = refusing.url
        with pytest.raises(TimestampFailed) as caught:
            evidence.timestamp_evidence(actor=fed.member, evidence=item)
        assert caught.value.status == 409
    finally:
        refusing.close()
    settings.ASAMBLEA_EVIDENCE_TSA_URL = refusing.url  # closed now: nobody answers
    with pytest.raises(TimestampFailed):
        evidence.timestamp_evidence(actor=fed.member, evidence=item)
    assert EvidenceTimestamp.objects.count() == 0
    assert CustodyEntry.objects.count() == entries


def test_time_stamping_is_off_by_default(fed, reg, settings):
    assert not evidence.timestamping_enabled()
    item = add(fed, reg, record(fed, reg))
    with pytest.raises(Conflict, match="not configured"):
        evidence.timestamp_evidence(actor=fed.member, evidence=item)


def test_a_stored_token_changed_in_the_database_no_longer_verifies(fed, reg, authority):
    item = add(fed, reg, record(fed, reg))
    stamp = evidence.timestamp_evidence(actor=fed.member, evidence=item)
    forged = bytearray(bytes(stamp.token))
    forged[-10] ^= 0x01
    EvidenceTimestamp.objects.filter(pk=stamp.pk).update(token=bytes(forged))
    with pytest.raises(timestamps.TimestampError):
        evidence.verify_timestamp(item)
