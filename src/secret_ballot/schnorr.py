"""Schnorr proofs of knowledge and Schnorr signatures over secp256k1 (spec §4.1, §4.2).

Both use the compact form (c, v): the prover picks u, sets R = u·G,
c = H_tag(context, X, R) and v = u - c·x. The verifier recomputes
R' = v·G + c·X and accepts if H_tag(context, X, R') = c. The public key X is
always hashed (Cortier-Gaudry-Yang 2020), and ``context`` carries the
election or ceremony hash, so a proof made for one statement does not verify
for another.
"""

from __future__ import annotations

from dataclasses import dataclass

from secret_ballot.group import Point, Scalar, base_mul
from secret_ballot.hash import Field, derive_nonce, hash_to_scalar

#: Tag of the proof of knowledge of a DKG coefficient (spec §6.2).
TAG_COEFFICIENT = "coefficient-proof"
#: Tag of the signature of a ballot by its voter credential (spec §5.5).
TAG_BALLOT_SIGNATURE = "ballot-signature"
#: Tag of a dealer's signature on its announcement or reveal (spec §6.2).
TAG_DEALER_MESSAGE = "dealer-message"
#: Tag of a trustee's signed acknowledgement of a share (spec §6.4).
TAG_SHARE_ACK = "share-acknowledgement"


@dataclass(frozen=True, slots=True)
class SchnorrProof:
    """A Schnorr proof or signature in compact form."""

    c: Scalar
    """c in the spec: the challenge."""
    v: Scalar
    """v in the spec: the response u - c·x."""


def prove(tag: str, context: tuple[Field, ...], secret: Scalar, public: Point) -> SchnorrProof:
    """Prove knowledge of ``secret`` (x) with ``public`` = x·G, bound to ``context``.

    The nonce u is derived from x and the whole statement (spec §3.2), so
    calling this twice on the same statement yields the same proof, and no
    randomness failure can leak x.
    """
    u = derive_nonce(tag, secret, public, *context)
    commitment = base_mul(u)
    c = hash_to_scalar(tag, *context, public, commitment)
    return SchnorrProof(c, u - c * secret)


def verify(tag: str, context: tuple[Field, ...], public: Point, proof: SchnorrProof) -> bool:
    """Check a proof made by :func:`prove`; ``public`` must not be the identity."""
    if public.is_identity():
        return False
    commitment = base_mul(proof.v) + public * proof.c
    return hash_to_scalar(tag, *context, public, commitment) == proof.c


def sign(tag: str, context: tuple[Field, ...], secret: Scalar, public: Point) -> SchnorrProof:
    """A Schnorr signature: a proof of knowledge whose context holds the message."""
    return prove(tag, context, secret, public)


verify_signature = verify
