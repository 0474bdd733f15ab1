"""Chaum-Pedersen proofs: disjunctive range proofs and DLEQ proofs (spec §4.3, §4.4).

Range proof (spec §4.3). Statement: the ciphertext (α, β) under K encrypts some
j in [lo, hi]. For each j the prover gives (c_j, v_j); the verifier
recomputes::

    a_j = v_j·G + c_j·α
    b_j = v_j·K + c_j·(β - j·G)

and accepts iff ``sum(c_j) = H_tag(context, lo, hi, α, β, a_lo, b_lo, ..., a_hi, b_hi)``.
The true branch m uses a fresh nonce w (a_m = w·G, b_m = w·K) and
v_m = w - c_m·r; the other branches are simulated.

DLEQ proof (spec §4.4). Statement: log_G X = log_Y Z. Compact (c, v) with
``a = v·G + c·X``, ``b = v·Y + c·Z``, ``c = H_tag(context, X, Y, Z, a, b)``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache

from secret_ballot.elgamal import Ciphertext
from secret_ballot.group import Point, Scalar, base_mul, small_base_mul
from secret_ballot.hash import Field, derive_nonce, frame, hash_to_scalar

#: Tag of the per-option range proof 0..L (spec §5.4).
TAG_OPTION_RANGE = "option-range-proof"
#: Tag of the per-contest proof that the sum lies in [min, max] (spec §5.4).
TAG_CONTEST_RANGE = "contest-range-proof"
#: Tag of the DLEQ proof of a partial decryption (spec §7.2).
TAG_PARTIAL_DECRYPTION = "partial-decryption-proof"
#: Tag of the DLEQ proof that reveals a DKG shared key in a complaint (spec §6.4).
TAG_COMPLAINT = "complaint-proof"

#: Largest number of branches a range proof may have: bounds the work a
#: malicious manifest or ballot can demand of a verifier (spec §5.2).
MAX_BRANCHES = 1024


@dataclass(frozen=True, slots=True)
class RangeProof:
    """A disjunctive Chaum-Pedersen proof that a ciphertext encrypts lo..hi."""

    challenges: tuple[Scalar, ...]
    """c_lo, ..., c_hi in the spec."""
    responses: tuple[Scalar, ...]
    """v_lo, ..., v_hi in the spec."""


@dataclass(frozen=True, slots=True)
class DLEQProof:
    """A Chaum-Pedersen proof of equality of discrete logarithms."""

    c: Scalar
    """c in the spec."""
    v: Scalar
    """v in the spec."""


@lru_cache(maxsize=MAX_BRANCHES * 2)
def _minus_j_g(j: int) -> Point:
    return small_base_mul(-j)


def _range_hash(
    tag: str,
    context: tuple[Field, ...],
    lo: int,
    hi: int,
    ciphertext: Ciphertext,
    commitments: list[Point],
) -> Scalar:
    head = frame(tag, *context, lo, hi, ciphertext.alpha, ciphertext.beta)
    h = hashlib.sha512(head)
    for p in commitments:
        enc = p.encode()
        h.update(len(enc).to_bytes(4, "big"))
        h.update(enc)
    return Scalar.reduce(int.from_bytes(h.digest(), "big"))


def prove_range(
    tag: str,
    context: tuple[Field, ...],
    ciphertext: Ciphertext,
    m: int,
    r: Scalar,
    joint_key: Point,
    lo: int,
    hi: int,
) -> RangeProof:
    """Prove that ``ciphertext`` = Enc(m; r) with lo <= m <= hi (spec §4.3).

    Preconditions: the ciphertext really is (r·G, m·G + r·K); otherwise the
    proof will not verify. Nonces are derived from r, m and the whole
    statement (spec §3.2); the hazard is reusing r itself (see
    :func:`secret_ballot.elgamal.encrypt`).
    """
    if not lo <= m <= hi or hi - lo + 1 > MAX_BRANCHES:
        raise ValueError("plaintext outside the proof's range, or range too wide")
    alpha, beta = ciphertext.alpha, ciphertext.beta
    # Hash the secret and the statement once; each nonce then hashes 64 bytes.
    seed = hashlib.sha512(frame("nonce/" + tag, r, m, joint_key, *context, lo, hi, alpha, beta))
    seed_bytes = seed.digest()
    commitments: list[Point] = []
    cs: list[Scalar] = []
    vs: list[Scalar] = []
    w = derive_nonce(tag, seed_bytes, "w")
    for j in range(lo, hi + 1):
        if j == m:
            commitments += (base_mul(w), joint_key * w)
            cs.append(Scalar(0))
            vs.append(Scalar(0))
            continue
        c_j = derive_nonce(tag, seed_bytes, "c", j)
        v_j = derive_nonce(tag, seed_bytes, "v", j)
        a_j = base_mul(v_j) + alpha * c_j
        b_j = joint_key * v_j + (beta + _minus_j_g(j)) * c_j
        commitments += (a_j, b_j)
        cs.append(c_j)
        vs.append(v_j)
    c = _range_hash(tag, context, lo, hi, ciphertext, commitments)
    c_m = c - sum(cs, Scalar(0))
    cs[m - lo] = c_m
    vs[m - lo] = w - c_m * r
    return RangeProof(tuple(cs), tuple(vs))


def verify_range(
    tag: str,
    context: tuple[Field, ...],
    ciphertext: Ciphertext,
    joint_key: Point,
    lo: int,
    hi: int,
    proof: RangeProof,
) -> bool:
    """Check a proof made by :func:`prove_range` (spec §4.3)."""
    cs, vs = proof.challenges, proof.responses
    if len(cs) != hi - lo + 1 or len(vs) != len(cs) or len(cs) > MAX_BRANCHES:
        return False
    alpha, beta = ciphertext.alpha, ciphertext.beta
    commitments: list[Point] = []
    total = 0
    for j, c_j, v_j in zip(range(lo, hi + 1), cs, vs, strict=True):
        beta_j = beta if j == 0 else beta + _minus_j_g(j)
        commitments.append(base_mul(v_j) + alpha * c_j)
        commitments.append(joint_key * v_j + beta_j * c_j)
        total += c_j.value
    return _range_hash(tag, context, lo, hi, ciphertext, commitments) == Scalar.reduce(total)


def prove_dleq(
    tag: str, context: tuple[Field, ...], secret: Scalar, x: Point, y: Point, z: Point
) -> DLEQProof:
    """Prove log_G X = log_Y Z = ``secret`` (spec §4.4); nonce derived as in §3.2."""
    u = derive_nonce(tag, secret, *context, x, y, z)
    c = hash_to_scalar(tag, *context, x, y, z, base_mul(u), y * u)
    return DLEQProof(c, u - c * secret)


def verify_dleq(
    tag: str, context: tuple[Field, ...], x: Point, y: Point, z: Point, proof: DLEQProof
) -> bool:
    """Check a proof made by :func:`prove_dleq`; X and Y must not be the identity."""
    if x.is_identity() or y.is_identity():
        return False
    a = base_mul(proof.v) + x * proof.c
    b = y * proof.v + z * proof.c
    return hash_to_scalar(tag, *context, x, y, z, a, b) == proof.c
