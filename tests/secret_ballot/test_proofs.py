"""ElGamal, range proofs, DLEQ and Schnorr: round trips, tampering, replay."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from secret_ballot import schnorr
from secret_ballot.chaum_pedersen import (
    TAG_OPTION_RANGE,
    TAG_PARTIAL_DECRYPTION,
    prove_dleq,
    prove_range,
    verify_dleq,
    verify_range,
)
from secret_ballot.elgamal import Ciphertext, decrypt_to_point, encrypt
from secret_ballot.group import IDENTITY, G, N, Scalar, base_mul, small_base_mul
from secret_ballot.hash import hash_to_scalar

SECRET = hash_to_scalar("test", "secret")
K = base_mul(SECRET)
CTX = (b"h" * 32, "contest", "option")
nonzero = st.integers(min_value=1, max_value=N - 1).map(Scalar)


@settings(max_examples=20, deadline=None)
@given(st.integers(min_value=0, max_value=1000), nonzero)
def test_encrypt_decrypt_round_trip(m: int, r: Scalar) -> None:
    ct = encrypt(m, r, K)
    assert decrypt_to_point(ct, SECRET) == small_base_mul(m)


@settings(max_examples=10, deadline=None)
@given(st.integers(min_value=0, max_value=40), st.integers(min_value=0, max_value=10), nonzero)
def test_homomorphic_sum(a: int, b: int, r: Scalar) -> None:
    s = encrypt(a, r, K) + encrypt(b, r + r, K)
    assert decrypt_to_point(s, SECRET) == small_base_mul(a + b)


def test_zero_nonce_refused() -> None:
    with pytest.raises(ValueError, match="nonce"):
        encrypt(1, Scalar(0), K)


@settings(max_examples=15, deadline=None)
@given(st.data())
def test_range_proof_round_trip(data: st.DataObject) -> None:
    lo = data.draw(st.integers(0, 3))
    hi = data.draw(st.integers(lo, lo + 4))
    m = data.draw(st.integers(lo, hi))
    r = data.draw(nonzero)
    ct = encrypt(m, r, K)
    proof = prove_range(TAG_OPTION_RANGE, CTX, ct, m, r, K, lo, hi)
    assert verify_range(TAG_OPTION_RANGE, CTX, ct, K, lo, hi, proof)


def _proof_and_ct() -> tuple:
    r = hash_to_scalar("test", "r")
    ct = encrypt(1, r, K)
    return ct, prove_range(TAG_OPTION_RANGE, CTX, ct, 1, r, K, 0, 2)


def test_range_proof_tampering_any_field_fails() -> None:
    ct, proof = _proof_and_ct()
    assert verify_range(TAG_OPTION_RANGE, CTX, ct, K, 0, 2, proof)
    one = Scalar(1)
    for name in ("challenges", "responses"):
        values = getattr(proof, name)
        for i in range(len(values)):
            changed = list(values)
            changed[i] = changed[i] + one
            bad = dataclasses.replace(proof, **{name: tuple(changed)})
            assert not verify_range(TAG_OPTION_RANGE, CTX, ct, K, 0, 2, bad), (name, i)
    assert not verify_range(
        TAG_OPTION_RANGE, CTX, Ciphertext(ct.alpha + G, ct.beta), K, 0, 2, proof
    )
    assert not verify_range(
        TAG_OPTION_RANGE, CTX, Ciphertext(ct.alpha, ct.beta + G), K, 0, 2, proof
    )
    assert not verify_range(TAG_OPTION_RANGE, CTX, ct, K + G, 0, 2, proof)
    assert not verify_range(TAG_OPTION_RANGE, CTX, ct, K, 0, 1, proof)  # bounds are hashed
    assert not verify_range(TAG_OPTION_RANGE, CTX, ct, K, 1, 3, proof)


def test_range_proof_replay_into_other_context_fails() -> None:
    ct, proof = _proof_and_ct()
    for other in [
        (b"x" * 32, "contest", "option"),  # another election
        (CTX[0], "other", "option"),  # another contest
        (CTX[0], "contest", "other"),  # another option
    ]:
        assert not verify_range(TAG_OPTION_RANGE, other, ct, K, 0, 2, proof)
    assert not verify_range("contest-range-proof", CTX, ct, K, 0, 2, proof)


def test_false_statement_cannot_be_proved() -> None:
    r = hash_to_scalar("test", "r")
    ct = encrypt(5, r, K)
    with pytest.raises(ValueError, match="range"):
        prove_range(TAG_OPTION_RANGE, CTX, ct, 5, r, K, 0, 1)
    # Lying about m yields a proof that does not verify.
    forged = prove_range(TAG_OPTION_RANGE, CTX, ct, 1, r, K, 0, 1)
    assert not verify_range(TAG_OPTION_RANGE, CTX, ct, K, 0, 1, forged)


def test_dleq_round_trip_and_tampering() -> None:
    x = hash_to_scalar("test", "x")
    y = base_mul(hash_to_scalar("test", "y"))
    big_x, z = base_mul(x), y * x
    proof = prove_dleq(TAG_PARTIAL_DECRYPTION, CTX, x, big_x, y, z)
    assert verify_dleq(TAG_PARTIAL_DECRYPTION, CTX, big_x, y, z, proof)
    one = Scalar(1)
    assert not verify_dleq(
        TAG_PARTIAL_DECRYPTION, CTX, big_x, y, z, dataclasses.replace(proof, c=proof.c + one)
    )
    assert not verify_dleq(
        TAG_PARTIAL_DECRYPTION, CTX, big_x, y, z, dataclasses.replace(proof, v=proof.v + one)
    )
    assert not verify_dleq(TAG_PARTIAL_DECRYPTION, CTX, big_x, y, z + G, proof)
    assert not verify_dleq(TAG_PARTIAL_DECRYPTION, CTX, big_x + G, y, z, proof)
    assert not verify_dleq(TAG_PARTIAL_DECRYPTION, (b"o" * 32,), big_x, y, z, proof)
    assert not verify_dleq(TAG_PARTIAL_DECRYPTION, CTX, IDENTITY, y, z, proof)


def test_schnorr_round_trip_tampering_and_key_binding() -> None:
    x = hash_to_scalar("test", "sig")
    big_x = base_mul(x)
    sig = schnorr.sign(schnorr.TAG_BALLOT_SIGNATURE, CTX, x, big_x)
    assert schnorr.verify(schnorr.TAG_BALLOT_SIGNATURE, CTX, big_x, sig)
    one = Scalar(1)
    assert not schnorr.verify(
        schnorr.TAG_BALLOT_SIGNATURE, CTX, big_x, dataclasses.replace(sig, c=sig.c + one)
    )
    assert not schnorr.verify(
        schnorr.TAG_BALLOT_SIGNATURE, CTX, big_x, dataclasses.replace(sig, v=sig.v + one)
    )
    assert not schnorr.verify(schnorr.TAG_BALLOT_SIGNATURE, CTX, big_x + G, sig)
    assert not schnorr.verify(schnorr.TAG_BALLOT_SIGNATURE, (b"m" * 32,), big_x, sig)
    assert not schnorr.verify(schnorr.TAG_COEFFICIENT, CTX, big_x, sig)
    assert not schnorr.verify(schnorr.TAG_BALLOT_SIGNATURE, CTX, IDENTITY, sig)
