"""Threshold decryption with the keys of a ceremony."""

from __future__ import annotations

import dataclasses
import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from secret_ballot.ballot import tracker_start
from secret_ballot.decryption import combine, partial_decrypt, verify_partial
from secret_ballot.dlog import discrete_log
from secret_ballot.elgamal import encrypt
from secret_ballot.errors import NotEnoughTrustees, ProtocolError
from secret_ballot.group import G, Scalar, base_mul, small_base_mul
from secret_ballot.hash import hash_to_scalar
from secret_ballot.tally import decrypt_tally

from .conftest import make_setup


@settings(max_examples=6, deadline=None)
@given(st.data())
def test_any_t_of_n_decrypt(data: st.DataObject) -> None:
    n = data.draw(st.integers(1, 4))
    t = data.draw(st.integers(1, n))
    setup = make_setup(n=n, t=t, voters=1)
    e = setup.election
    shares = {tr.index: tr.key_share(setup.outcome) for tr in setup.trustees}
    for j, x in shares.items():
        assert base_mul(x) == e.verification_keys[j - 1]
    m = data.draw(st.integers(0, 50))
    ct = encrypt(m, hash_to_scalar("t", m), e.joint_key)
    present = data.draw(st.sets(st.integers(1, n), min_size=t, max_size=n))
    partials = []
    for j in sorted(present):
        p = partial_decrypt(
            e.election_hash, j, shares[j], e.verification_keys[j - 1], ct, "g", "c", "o"
        )
        assert verify_partial(e.election_hash, e.verification_keys[j - 1], ct, "g", "c", "o", p)
        partials.append(p)
    assert discrete_log(combine(ct, partials, t), 50) == m


def test_fewer_than_t_trustees_refused() -> None:
    setup = make_setup(n=3, t=2, voters=1)
    e = setup.election
    ct = encrypt(1, Scalar(7), e.joint_key)
    x1 = setup.trustees[0].key_share(setup.outcome)
    p = partial_decrypt(e.election_hash, 1, x1, e.verification_keys[0], ct, "g", "c", "o")
    with pytest.raises(NotEnoughTrustees, match="threshold is 2"):
        combine(ct, [p], 2)


def test_wrong_partial_decryption_detected() -> None:
    setup = make_setup(n=3, t=2, voters=1)
    e = setup.election
    ct = encrypt(1, Scalar(7), e.joint_key)
    x1 = setup.trustees[0].key_share(setup.outcome)
    p = partial_decrypt(e.election_hash, 1, x1, e.verification_keys[0], ct, "g", "c", "o")
    assert not verify_partial(
        e.election_hash,
        e.verification_keys[0],
        ct,
        "g",
        "c",
        "o",
        dataclasses.replace(p, share=p.share + G),
    )
    assert not verify_partial(e.election_hash, e.verification_keys[1], ct, "g", "c", "o", p)
    assert not verify_partial(e.election_hash, e.verification_keys[0], ct, "g", "c", "other", p)
    # A partial decryption of one group's sum is no use for another group's.
    assert not verify_partial(e.election_hash, e.verification_keys[0], ct, "h", "c", "o", p)


@pytest.mark.parametrize("m", [0, 1, 2, 99, 100, 12345, 10**7])
def test_discrete_log(m: int) -> None:
    assert discrete_log(small_base_mul(m), 10**7) == m


def test_discrete_log_out_of_bound() -> None:
    with pytest.raises(ProtocolError):
        discrete_log(small_base_mul(11), 10)


def test_lagrange_any_subset() -> None:
    setup = make_setup(n=4, t=3, voters=1)
    e = setup.election
    ct = encrypt(3, Scalar(11), e.joint_key)
    shares = {tr.index: tr.key_share(setup.outcome) for tr in setup.trustees}
    for subset in itertools.combinations(range(1, 5), 3):
        partials = [
            partial_decrypt(
                e.election_hash, j, shares[j], e.verification_keys[j - 1], ct, "g", "c", "o"
            )
            for j in subset
        ]
        assert combine(ct, partials, 3) == small_base_mul(3)


def test_tally_decryption_with_fewer_than_t_trustees_is_refused() -> None:
    setup = make_setup(n=3, t=2, voters=1)
    e = setup.election
    sums = [encrypt(0, Scalar(3), e.joint_key)] * sum(len(c.options) for c in e.manifest.contests)
    x1 = setup.trustees[0].key_share(setup.outcome)
    with pytest.raises(NotEnoughTrustees, match="1 trustee"):
        decrypt_tally(
            e,
            setup.tree,
            {2: sums},
            {2: 1},
            {1: x1},
            ballots_cast=1,
            final_tracker=tracker_start(e.election_hash),
        )
