"""The register's encryption primitives, as an adversary would try them."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from asamblea.incidents import crypto
from asamblea.incidents.crypto import DataKey, DecryptionFailed, KdfParams

AAD = b"asamblea/incidents/v1|1|person|u|names"


@settings(deadline=None)  # no time asserts: the machine may be busy
@given(st.text(max_size=200))
def test_text_round_trips(text):
    key = DataKey.generate()
    assert crypto.decrypt_text(key, crypto.encrypt_text(key, text, aad=AAD), aad=AAD) == text


def test_each_encryption_uses_a_fresh_nonce():
    key = DataKey.generate()
    assert crypto.encrypt_text(key, "x", aad=AAD) != crypto.encrypt_text(key, "x", aad=AAD)


def test_a_ciphertext_moved_to_another_field_does_not_open():
    key = DataKey.generate()
    blob = crypto.encrypt_text(key, "Zenobia", aad=AAD)
    with pytest.raises(DecryptionFailed):
        crypto.decrypt_text(key, blob, aad=AAD.replace(b"names", b"contact"))


@pytest.mark.parametrize("position", [0, 1, 13, -1])
def test_any_changed_byte_is_detected(position):
    key = DataKey.generate()
    blob = bytearray(crypto.encrypt_text(key, "Zenobia", aad=AAD))
    blob[position] ^= 0x01
    with pytest.raises(DecryptionFailed):
        crypto.decrypt_text(key, bytes(blob), aad=AAD)


def test_another_key_does_not_open():
    blob = crypto.encrypt_text(DataKey.generate(), "Zenobia", aad=AAD)
    with pytest.raises(DecryptionFailed):
        crypto.decrypt_text(DataKey.generate(), blob, aad=AAD)


def test_sealed_data_key_opens_only_with_the_right_passphrase():
    params = KdfParams.fresh(n=2**10)
    kek = crypto.derive_kek("condor pasa sobre el lago", params)
    pair, _ = crypto.new_key_pair(kek, aad=b"doc")
    data_key = DataKey.generate()
    sealed = crypto.seal_data_key(data_key, pair.public_key, aad=b"doc")
    private = crypto.open_private_key(kek, pair.wrapped_private_key, aad=b"doc")
    assert crypto.open_data_key(private, sealed, aad=b"doc") == data_key
    wrong = crypto.derive_kek("condor pasa sobre el lagO", params)
    with pytest.raises(DecryptionFailed):
        crypto.open_private_key(wrong, pair.wrapped_private_key, aad=b"doc")
    assert data_key.raw not in sealed


def test_a_sealed_key_for_one_documenter_does_not_open_for_another():
    kek = crypto.derive_kek("passphrase one!", KdfParams.fresh(n=2**10))
    pair_a, _ = crypto.new_key_pair(kek, aad=b"a")
    _, private_b = crypto.new_key_pair(kek, aad=b"b")
    sealed = crypto.seal_data_key(DataKey.generate(), pair_a.public_key, aad=b"a")
    with pytest.raises(DecryptionFailed):
        crypto.open_data_key(private_b, sealed, aad=b"a")


def test_session_wrap_needs_the_cookie_key():
    data_key = DataKey.generate()
    cookie_key, blob = crypto.wrap_for_session(data_key, aad=b"s")
    assert crypto.unwrap_from_session(cookie_key, blob, aad=b"s") == data_key
    assert data_key.raw not in blob
    with pytest.raises(DecryptionFailed):
        crypto.unwrap_from_session(DataKey.generate().raw, blob, aad=b"s")


def test_keys_do_not_print_themselves():
    key = DataKey.generate()
    assert key.raw.hex() not in repr(key)
    assert repr(crypto.RegisterKey(committee_id=3, data_key=key)) == "RegisterKey(committee_id=3)"
