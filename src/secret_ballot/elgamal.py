"""Exponential ElGamal under the joint key K (spec §5.1).

A plaintext m is encrypted with nonce r as ``(α, β) = (r·G, m·G + r·K)``;
ciphertexts add component-wise, so the sum of encryptions is an encryption of
the sum (the homomorphic tally, spec §7.1).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from secret_ballot.group import IDENTITY, Point, Scalar, base_mul, small_base_mul, sum_points


@dataclass(frozen=True, slots=True)
class Ciphertext:
    """An exponential ElGamal ciphertext."""

    alpha: Point
    """α in the spec: r·G."""
    beta: Point
    """β in the spec: m·G + r·K."""

    def __add__(self, other: Ciphertext) -> Ciphertext:
        return Ciphertext(self.alpha + other.alpha, self.beta + other.beta)

    def __sub__(self, other: Ciphertext) -> Ciphertext:
        return Ciphertext(self.alpha - other.alpha, self.beta - other.beta)


#: The encryption of 0 with nonce 0: the neutral element of ciphertext addition.
ZERO_CIPHERTEXT = Ciphertext(IDENTITY, IDENTITY)


@lru_cache(maxsize=4096)
def plaintext_point(m: int) -> Point:
    """``m·G`` for a small integer m (cached: plaintexts repeat)."""
    return small_base_mul(m)


def encrypt(m: int, r: Scalar, joint_key: Point) -> Ciphertext:
    """Encrypt the small integer ``m`` with nonce ``r`` under ``joint_key`` (K).

    Misuse: ``r`` must be secret, uniformly random (or derived as in spec §5.3)
    and never used twice. Two ciphertexts under the same nonce reveal the
    difference of their plaintexts (β1 - β2 = (m1 - m2)·G), and revealing r
    reveals m.
    """
    if r.is_zero():
        raise ValueError("the ElGamal nonce must not be zero")
    return Ciphertext(base_mul(r), plaintext_point(m) + joint_key * r)


def sum_ciphertexts(ciphertexts: list[Ciphertext]) -> Ciphertext:
    """The homomorphic sum of any number of ciphertexts (spec §7.1)."""
    return Ciphertext(
        sum_points(c.alpha for c in ciphertexts), sum_points(c.beta for c in ciphertexts)
    )


def decrypt_to_point(ciphertext: Ciphertext, secret: Scalar) -> Point:
    """``β - s·α = m·G`` with the whole secret key s (tests and tooling only).

    In an election nobody holds s; decryption goes through
    :mod:`secret_ballot.decryption`.
    """
    return ciphertext.beta - ciphertext.alpha * secret
