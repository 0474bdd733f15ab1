"""Threshold decryption with DLEQ-proven partial decryptions (spec §7.2, §7.3).

Trustee i with key share x_i and verification key VK_i = x_i·G publishes,
for a ciphertext (A, B), M_i = x_i·A and a DLEQ proof that
log_G VK_i = log_A M_i. Any set S of at least t trustees recovers
x·A = sum_{i in S} λ_i·M_i with Lagrange coefficients at zero
λ_i = prod_{j in S, j != i} j / (j - i) mod n, and then m·G = B - x·A.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from secret_ballot.chaum_pedersen import (
    TAG_PARTIAL_DECRYPTION,
    DLEQProof,
    prove_dleq,
    verify_dleq,
)
from secret_ballot.elgamal import Ciphertext
from secret_ballot.errors import NotEnoughTrustees
from secret_ballot.group import Point, Scalar, sum_points
from secret_ballot.hash import Digest, Field


@dataclass(frozen=True, slots=True)
class PartialDecryption:
    trustee: int
    """i in the spec."""
    share: Point
    """M_i = x_i·A in the spec."""
    proof: DLEQProof
    """DLEQ proof that log_G VK_i = log_A M_i."""


def partial_context(
    h_e: Digest,
    trustee: int,
    group_id: str,
    contest_id: str,
    option_id: str,
    ciphertext: Ciphertext,
) -> tuple[Field, ...]:
    """(h_E, i, group id, contest id, option id, A, B) (spec §7.2).

    The group id (spec §12) makes a partial decryption of one group's sum
    useless for any other group's, even one with the same (A, B).
    """
    return (h_e, trustee, group_id, contest_id, option_id, ciphertext.alpha, ciphertext.beta)


def partial_decrypt(
    h_e: Digest,
    trustee: int,
    key_share: Scalar,
    verification_key: Point,
    ciphertext: Ciphertext,
    group_id: str,
    contest_id: str,
    option_id: str,
) -> PartialDecryption:
    """Trustee ``trustee``'s share of the decryption of one tally ciphertext.

    Misuse: only ever apply this to the published group sums (spec §12). A
    trustee who partially decrypts individual ballots helps whoever collects
    t such shares break ballot secrecy.
    """
    m_i = ciphertext.alpha * key_share
    ctx = partial_context(h_e, trustee, group_id, contest_id, option_id, ciphertext)
    proof = prove_dleq(
        TAG_PARTIAL_DECRYPTION, ctx, key_share, verification_key, ciphertext.alpha, m_i
    )
    return PartialDecryption(trustee, m_i, proof)


def verify_partial(
    h_e: Digest,
    verification_key: Point,
    ciphertext: Ciphertext,
    group_id: str,
    contest_id: str,
    option_id: str,
    partial: PartialDecryption,
) -> bool:
    """Check the DLEQ proof of one partial decryption (spec §7.2)."""
    if ciphertext.alpha.is_identity():
        return False
    ctx = partial_context(h_e, partial.trustee, group_id, contest_id, option_id, ciphertext)
    return verify_dleq(
        TAG_PARTIAL_DECRYPTION,
        ctx,
        verification_key,
        ciphertext.alpha,
        partial.share,
        partial.proof,
    )


def lagrange_at_zero(i: int, indices: Sequence[int]) -> Scalar:
    """λ_i for the set ``indices`` (spec §7.3)."""
    num = Scalar(1)
    den = Scalar(1)
    for j in indices:
        if j != i:
            num = num * Scalar.reduce(j)
            den = den * Scalar.reduce(j - i)
    return num * den.inverse()


def combine(ciphertext: Ciphertext, partials: Sequence[PartialDecryption], threshold: int) -> Point:
    """m·G = B - sum λ_i·M_i over the given trustees (spec §7.3).

    Preconditions: every partial has been verified. Raises
    :class:`NotEnoughTrustees` if fewer than t distinct trustees took part.
    """
    indices = [p.trustee for p in partials]
    if len(set(indices)) != len(indices):
        raise ValueError("a trustee appears twice")
    if len(indices) < threshold:
        raise NotEnoughTrustees(
            f"{len(indices)} trustee(s) took part, the threshold is {threshold}"
        )
    shared = sum_points(p.share * lagrange_at_zero(p.trustee, indices) for p in partials)
    return ciphertext.beta - shared
