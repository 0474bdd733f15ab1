"""t-of-n distributed key generation for a standing board of trustees (spec §6).

Joint Feldman with committed commitments, bound to the ceremony hash
h_K = D_ceremony(JCS(parameters)) rather than to any election. Rounds, for
each trustee i (dealer) and each other trustee j (recipient):

1. *Announce*: publish h_i = D_dkg-commitment(h_K, i, A_i0, ..., A_i,t-1).
   Committing before anyone reveals stops the last dealer from choosing its
   polynomial after seeing the others' (biasing K).
2. *Reveal*: publish A_i0..A_i,t-1, a Schnorr proof of knowledge of each
   a_ik, and s_ij = f_i(j) for every j encrypted with AES-256-GCM under a key
   derived from the ECDH point S_ij = d_i·D_j.
3. *Respond*: j decrypts and checks s_ij·G = sum_k j^k·A_ik, then publishes a
   signed acknowledgement, or a complaint revealing S_ij with a DLEQ proof
   (log_G D_j = log_{D_i} S_ij) so that anyone can decrypt the share and judge.

Messages that never arrive do not stop the ceremony: a trustee who did not
announce or reveal is not a dealer, a missing response is no complaint. The
transcript holds only the messages that arrived; :func:`evaluate_transcript`
derives QUAL, with a machine-readable reason for every trustee left out,
and the ceremony succeeds iff |QUAL| >= t.

Each announcement and reveal is signed with the dealer's communication key
D_i (tag ``dealer-message``), so the server relaying them can drop them but
not invent or alter them. The server runs :func:`check_announcement`,
:func:`check_reveal` and :func:`check_response` on arrival and stores only
what passes; the trustee side is :class:`secret_ballot.trustee.Trustee`.
"""

from __future__ import annotations

import dataclasses
import enum
import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar, TypeVar

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from secret_ballot import jsonfields as jf
from secret_ballot import schnorr
from secret_ballot.chaum_pedersen import TAG_COMPLAINT, DLEQProof, verify_dleq
from secret_ballot.election import Parameters
from secret_ballot.errors import DecodingError, VerificationError
from secret_ballot.group import Point, Scalar, base_mul, sum_points
from secret_ballot.hash import Digest, Field, hash_digest

#: Tag of the commitment to a dealer's coefficient commitments (spec §6.2).
TAG_DKG_COMMITMENT = "dkg-commitment"
#: Tag of the AES-256-GCM key derived from an ECDH point (spec §6.3).
TAG_SHARE_KEY = "share-key"
#: Tag of the AES-256-GCM associated data (spec §6.3).
TAG_SHARE_AAD = "share-aad"
#: Tag of the digest of an encrypted share that an acknowledgement signs (spec §6.4).
TAG_ENCRYPTED_SHARE = "encrypted-share"
#: Tag of the digest of a dealer's message body that the dealer signs (spec §6.2).
TAG_DEALER_MESSAGE_BODY = "dealer-message-body"
#: Round names in the context of a dealer's signature (spec §6.2).
ROUND_ANNOUNCE = "announce"
ROUND_REVEAL = "reveal"
AEAD_NONCE_SIZE = 12
SHARE_CIPHERTEXT_SIZE = 32 + 16


class FaultCode(enum.StrEnum):
    """Why a trustee is not in QUAL (spec §6.5); the values are stable."""

    NOT_ANNOUNCED = "not-announced"
    NOT_REVEALED = "not-revealed"
    MALFORMED_REVEAL = "malformed-reveal"
    COMMITMENT_MISMATCH = "commitment-mismatch"
    BAD_PROOF = "bad-proof"
    MISSING_SHARE = "missing-share"
    COMPLAINT_UPHELD = "complaint-upheld"


ABSENT_CODES = frozenset({FaultCode.NOT_ANNOUNCED, FaultCode.NOT_REVEALED})
"""Codes of trustees who are not dealers; the others are disqualified dealers."""


@dataclass(frozen=True, slots=True)
class Fault:
    """One trustee left out of QUAL, and why."""

    trustee: int
    code: FaultCode
    detail: str
    """A sentence for people; ``code`` is the machine-readable reason."""

    def to_json(self) -> jf.JSON:
        return {"trustee": self.trustee, "code": self.code.value, "detail": self.detail}


# --- messages -----------------------------------------------------------------

UNSIGNED = schnorr.SchnorrProof(Scalar(0), Scalar(0))
"""Placeholder signature of a dealer message being built; it never verifies."""


@dataclass(frozen=True, slots=True)
class Announcement:
    """Round 1 message of dealer i (spec §6.2)."""

    ROUND: ClassVar[str] = ROUND_ANNOUNCE

    dealer: int
    commitment_hash: Digest
    """h_i in the spec."""
    signature: schnorr.SchnorrProof
    """Signature by D_i on the body (spec §6.2); :data:`UNSIGNED` until signed."""

    def body_json(self) -> dict[str, jf.JSON]:
        """The message without its signature: what the dealer signs."""
        return {"dealer": self.dealer, "commitment_hash": self.commitment_hash.hex()}

    def to_json(self) -> jf.JSON:
        return {**self.body_json(), "signature": _cv_json(self.signature)}

    def signed_by(self, h_k: Digest, secret: Scalar) -> Announcement:
        """This message signed with the dealer's communication secret d_i."""
        return sign_dealer_message(self, h_k, secret)

    @classmethod
    def from_json(cls, value: jf.JSON, n: int, field: jf.FieldPath = "") -> Announcement:
        """Decode the encodings only; :func:`check_dealer_signature` checks the signature."""
        o = jf.obj(value, field, ("dealer", "commitment_hash", "signature"))
        return cls(
            jf.integer(o["dealer"], jf.join(field, "dealer"), 1, n),
            jf.digest(o["commitment_hash"], jf.join(field, "commitment_hash")),
            _signature(o["signature"], jf.join(field, "signature")),
        )


@dataclass(frozen=True, slots=True)
class EncryptedShare:
    """s_ij encrypted to recipient j (spec §6.3)."""

    dealer: int
    recipient: int
    nonce: bytes
    """12-byte AES-GCM nonce."""
    ciphertext: bytes
    """AES-256-GCM(k_ij, nonce, s_ij as 32 bytes, aad_ij): 48 bytes."""

    def digest(self) -> Digest:
        """D_encrypted-share(i, j, nonce, ciphertext) (spec §6.4)."""
        return hash_digest(
            TAG_ENCRYPTED_SHARE, self.dealer, self.recipient, self.nonce, self.ciphertext
        )


@dataclass(frozen=True, slots=True)
class Reveal:
    """Round 2 message of dealer i (spec §6.2, §6.3)."""

    ROUND: ClassVar[str] = ROUND_REVEAL

    dealer: int
    commitments: tuple[Point, ...]
    """A_i0..A_i,t-1 in the spec."""
    proofs: tuple[schnorr.SchnorrProof, ...]
    """Schnorr proofs of knowledge of a_i0..a_i,t-1."""
    shares: tuple[EncryptedShare, ...]
    """One encrypted share per other trustee, by recipient."""
    signature: schnorr.SchnorrProof
    """Signature by D_i on the body (spec §6.2); :data:`UNSIGNED` until signed."""

    def share_for(self, recipient: int) -> EncryptedShare | None:
        for s in self.shares:
            if s.recipient == recipient:
                return s
        return None

    def body_json(self) -> dict[str, jf.JSON]:
        """The message without its signature: what the dealer signs."""
        return {
            "dealer": self.dealer,
            "commitments": [a.hex() for a in self.commitments],
            "proofs": [_cv_json(p) for p in self.proofs],
            "shares": [
                {"recipient": s.recipient, "nonce": s.nonce.hex(), "ciphertext": s.ciphertext.hex()}
                for s in self.shares
            ],
        }

    def to_json(self) -> jf.JSON:
        return {**self.body_json(), "signature": _cv_json(self.signature)}

    def signed_by(self, h_k: Digest, secret: Scalar) -> Reveal:
        """This message signed with the dealer's communication secret d_i."""
        return sign_dealer_message(self, h_k, secret)

    @classmethod
    def from_json(cls, value: jf.JSON, n: int, field: jf.FieldPath = "") -> Reveal:
        """Decode the encodings only; :func:`check_dealer_signature` checks the
        signature and :func:`reveal_fault` the content."""
        o = jf.obj(value, field, ("dealer", "commitments", "proofs", "shares", "signature"))
        dealer = jf.integer(o["dealer"], jf.join(field, "dealer"), 1, n)
        cf, pf, sf = (
            jf.join(field, "commitments"),
            jf.join(field, "proofs"),
            jf.join(field, "shares"),
        )
        commitments = tuple(
            jf.point(p, jf.join(cf, m)) for m, p in enumerate(jf.array(o["commitments"], cf))
        )
        proofs = tuple(
            schnorr.SchnorrProof(*_cv(p, jf.join(pf, m)))
            for m, p in enumerate(jf.array(o["proofs"], pf))
        )
        shares = []
        for m, item in enumerate(jf.array(o["shares"], sf)):
            f = jf.join(sf, m)
            s = jf.obj(item, f, ("recipient", "nonce", "ciphertext"))
            shares.append(
                EncryptedShare(
                    dealer,
                    jf.integer(s["recipient"], jf.join(f, "recipient"), 1, n),
                    _hex_bytes(s["nonce"], jf.join(f, "nonce"), AEAD_NONCE_SIZE),
                    _hex_bytes(s["ciphertext"], jf.join(f, "ciphertext"), SHARE_CIPHERTEXT_SIZE),
                )
            )
        signature = _signature(o["signature"], jf.join(field, "signature"))
        return cls(dealer, commitments, proofs, tuple(shares), signature)


@dataclass(frozen=True, slots=True)
class MalformedReveal:
    """A reveal in a transcript that its dealer signed but that does not decode.

    The dealer is disqualified (spec §6.5, check 3).
    """

    dealer: int
    raw: jf.JSON
    """The JSON as published, kept so the transcript re-encodes unchanged."""
    reason: str


@dataclass(frozen=True, slots=True)
class Acknowledgement:
    """Round 3: recipient j accepts dealer i's share (spec §6.4)."""

    dealer: int
    recipient: int
    signature: schnorr.SchnorrProof
    """Signature by D_j on (h_K, i, j, digest of the encrypted share)."""

    def to_json(self) -> jf.JSON:
        return {
            "dealer": self.dealer,
            "recipient": self.recipient,
            "kind": "ack",
            "signature": _cv_json(self.signature),
        }


@dataclass(frozen=True, slots=True)
class Complaint:
    """Round 3: recipient j accuses dealer i, revealing their shared key (spec §6.4)."""

    dealer: int
    recipient: int
    shared_key: Point
    """S_ij = d_j·D_i in the spec."""
    proof: DLEQProof
    """DLEQ proof that log_G D_j = log_{D_i} S_ij."""

    def to_json(self) -> jf.JSON:
        return {
            "dealer": self.dealer,
            "recipient": self.recipient,
            "kind": "complaint",
            "shared_key": self.shared_key.hex(),
            "proof": _cv_json(self.proof),
        }


Response = Acknowledgement | Complaint


def response_from_json(value: jf.JSON, n: int, field: jf.FieldPath = "") -> Response:
    if not isinstance(value, dict):
        raise DecodingError("expected a JSON object", field)
    kind = value.get("kind")
    if kind == "ack":
        r = jf.obj(value, field, ("dealer", "recipient", "kind", "signature"))
        return Acknowledgement(
            jf.integer(r["dealer"], jf.join(field, "dealer"), 1, n),
            jf.integer(r["recipient"], jf.join(field, "recipient"), 1, n),
            schnorr.SchnorrProof(*_cv(r["signature"], jf.join(field, "signature"))),
        )
    if kind == "complaint":
        r = jf.obj(value, field, ("dealer", "recipient", "kind", "shared_key", "proof"))
        return Complaint(
            jf.integer(r["dealer"], jf.join(field, "dealer"), 1, n),
            jf.integer(r["recipient"], jf.join(field, "recipient"), 1, n),
            jf.point(r["shared_key"], jf.join(field, "shared_key")),
            DLEQProof(*_cv(r["proof"], jf.join(field, "proof"))),
        )
    raise DecodingError("kind is 'ack' or 'complaint'", jf.join(field, "kind"))


@dataclass(frozen=True, slots=True)
class Transcript:
    """The messages of the ceremony that arrived (spec §8.3)."""

    announcements: tuple[Announcement, ...]
    """Sorted by dealer, at most one each."""
    reveals: tuple[Reveal | MalformedReveal, ...]
    """Sorted by dealer, only from dealers who announced."""
    responses: tuple[Response, ...]
    """Sorted by (dealer, recipient), only for dealers who revealed."""

    @classmethod
    def collect(
        cls,
        announcements: Iterable[Announcement],
        reveals: Iterable[Reveal | MalformedReveal],
        responses: Iterable[Response],
    ) -> Transcript:
        """The transcript of the accepted messages, in any order, put in spec order."""
        return cls(
            tuple(sorted(announcements, key=lambda a: a.dealer)),
            tuple(sorted(reveals, key=lambda r: r.dealer)),
            tuple(sorted(responses, key=lambda r: (r.dealer, r.recipient))),
        )


@dataclass(frozen=True, slots=True)
class Outcome:
    """What anyone derives from a transcript (spec §6.5)."""

    qualified: tuple[int, ...]
    """QUAL, ascending."""
    faults: tuple[Fault, ...]
    """Every trustee not in QUAL, ascending, with the first reason found."""
    rejected_complaints: tuple[tuple[int, int], ...]
    """(dealer, recipient) of each complaint judged false: the dealer was honest."""
    joint_key: Point | None
    """K in the spec; ``None`` when the ceremony failed."""
    verification_keys: tuple[Point, ...]
    """VK_1..VK_n; empty when the ceremony failed."""
    failure: str | None
    """Why the ceremony failed (fewer than t qualified dealers), else ``None``."""

    @property
    def succeeded(self) -> bool:
        return self.failure is None

    @property
    def absent(self) -> tuple[Fault, ...]:
        """Trustees who are not dealers (did not announce or reveal)."""
        return tuple(f for f in self.faults if f.code in ABSENT_CODES)

    @property
    def disqualified(self) -> tuple[Fault, ...]:
        """Dealers who misbehaved."""
        return tuple(f for f in self.faults if f.code not in ABSENT_CODES)

    def to_json(self) -> jf.JSON:
        """A summary for the server to store and show (not part of the record)."""
        return {
            "qualified": list(self.qualified),
            "faults": [f.to_json() for f in self.faults],
            "rejected_complaints": [
                {"dealer": i, "recipient": j} for i, j in self.rejected_complaints
            ],
            "joint_key": None if self.joint_key is None else self.joint_key.hex(),
            "verification_keys": [vk.hex() for vk in self.verification_keys],
            "failure": self.failure,
        }

    def notes(self) -> list[str]:
        """Human-readable lines for reports."""
        out = [f"trustee {f.trustee}: {f.code.value} ({f.detail})" for f in self.faults]
        out += [
            f"trustee {j}: complaint against dealer {i} rejected (the share is valid)"
            for i, j in self.rejected_complaints
        ]
        return out


# --- derivations --------------------------------------------------------------


def commitment_hash(h_k: Digest, dealer: int, commitments: Sequence[Point]) -> Digest:
    """h_i = D_dkg-commitment(h_K, i, A_i0, ..., A_i,t-1) (spec §6.2)."""
    return hash_digest(TAG_DKG_COMMITMENT, h_k, dealer, *commitments)


def share_key(h_k: Digest, dealer: int, recipient: int, shared: Point) -> bytes:
    """k_ij = D_share-key(h_K, i, j, S_ij) (spec §6.3)."""
    return hash_digest(TAG_SHARE_KEY, h_k, dealer, recipient, shared)


def share_aad(h_k: Digest, dealer: int, recipient: int) -> bytes:
    """aad_ij = D_share-aad(h_K, i, j) (spec §6.3)."""
    return hash_digest(TAG_SHARE_AAD, h_k, dealer, recipient)


def expected_share_point(commitments: Sequence[Point], recipient: int) -> Point:
    """sum_k j^k·A_ik: the point s_ij·G must equal (spec §6.4)."""
    return sum_points(a * Scalar.reduce(recipient**k) for k, a in enumerate(commitments))


def dealer_message_context(
    h_k: Digest, dealer: int, round_name: str, body: jf.JSON
) -> tuple[Field, ...]:
    """(h_K, i, round, D_dealer-message-body(JCS(body))): context of a dealer's
    signature on its announcement or reveal (spec §6.2)."""
    return (
        h_k,
        dealer,
        round_name,
        hash_digest(TAG_DEALER_MESSAGE_BODY, jf.canonical_json(body)),
    )


_M = TypeVar("_M", Announcement, Reveal)


def sign_dealer_message(message: _M, h_k: Digest, secret: Scalar) -> _M:
    """``message`` with a Schnorr signature by d_i, tag ``dealer-message`` (spec §6.2)."""
    context = dealer_message_context(h_k, message.dealer, message.ROUND, message.body_json())
    signature = schnorr.sign(schnorr.TAG_DEALER_MESSAGE, context, secret, base_mul(secret))
    return dataclasses.replace(message, signature=signature)


def dealer_signature_verifies(
    parameters: Parameters,
    h_k: Digest,
    round_name: str,
    dealer: int,
    body: jf.JSON,
    signature: schnorr.SchnorrProof,
) -> bool:
    """Whether ``signature`` is trustee ``dealer``'s on ``body`` for ``round_name`` (spec §6.2).

    ``body`` is the message as JSON without its ``signature`` key; a body that
    has no JCS encoding does not verify.
    """
    try:
        context = dealer_message_context(h_k, dealer, round_name, body)
    except ValueError:
        return False
    key = parameters.trustees[dealer - 1].communication_key
    return schnorr.verify(schnorr.TAG_DEALER_MESSAGE, context, key, signature)


def check_dealer_signature(
    parameters: Parameters, h_k: Digest, message: Announcement | Reveal
) -> None:
    """Raise :class:`VerificationError` unless dealer i signed ``message`` (spec §6.2)."""
    if not dealer_signature_verifies(
        parameters, h_k, message.ROUND, message.dealer, message.body_json(), message.signature
    ):
        raise VerificationError(
            f"the {message.ROUND} is not signed by trustee {message.dealer}", "signature"
        )


def coefficient_context(h_k: Digest, dealer: int, k: int) -> tuple[Field, ...]:
    """(h_K, i, k): context of the proof of knowledge of a_ik (spec §6.2)."""
    return (h_k, dealer, k)


def ack_context(h_k: Digest, share: EncryptedShare) -> tuple[Field, ...]:
    """(h_K, i, j, D_encrypted-share): context of an acknowledgement (spec §6.4)."""
    return (h_k, share.dealer, share.recipient, share.digest())


def complaint_context(h_k: Digest, dealer: int, recipient: int) -> tuple[Field, ...]:
    """(h_K, i, j): context of a complaint's DLEQ proof (spec §6.4)."""
    return (h_k, dealer, recipient)


def encrypt_share(
    h_k: Digest, dealer: int, recipient: int, shared: Point, nonce: bytes, value: Scalar
) -> EncryptedShare:
    """AES-256-GCM of s_ij under k_ij with aad_ij (spec §6.3).

    Misuse: a nonce may repeat under k_ij only with the same plaintext; the
    reference trustee derives it from its coefficients for that reason.
    """
    body = AESGCM(share_key(h_k, dealer, recipient, shared)).encrypt(
        nonce, value.to_bytes(), share_aad(h_k, dealer, recipient)
    )
    return EncryptedShare(dealer, recipient, nonce, body)


def open_share(h_k: Digest, share: EncryptedShare, shared: Point) -> Scalar | None:
    """Decrypt a share; ``None`` if AES-GCM rejects it or it is not a scalar < n."""
    aead = AESGCM(share_key(h_k, share.dealer, share.recipient, shared))
    try:
        plain = aead.decrypt(
            share.nonce, share.ciphertext, share_aad(h_k, share.dealer, share.recipient)
        )
        return Scalar.from_bytes(plain)
    except (InvalidTag, DecodingError):
        return None


# --- checks on arrival (server side) ----------------------------------------------


def _sender(value: int, sender: int, field: str) -> None:
    if value != sender:
        raise VerificationError(f"the sender is trustee {sender}", field)


def check_announcement(parameters: Parameters, value: jf.JSON, *, sender: int) -> Announcement:
    """Decode an announcement sent by trustee ``sender`` (spec §6.2).

    Raises :class:`DecodingError` or :class:`VerificationError` (both carry
    ``field`` and ``message``): the server refuses the message.
    """
    ann = Announcement.from_json(value, parameters.trustee_count)
    _sender(ann.dealer, sender, "dealer")
    check_dealer_signature(parameters, parameters.digest(), ann)
    return ann


def reveal_fault(
    parameters: Parameters, h_k: Digest, announcement: Announcement, reveal: Reveal
) -> tuple[FaultCode, str] | None:
    """The first rule of spec §6.5 a decoded reveal breaks, or ``None``."""
    i, t, n = reveal.dealer, parameters.threshold, parameters.trustee_count
    if len(reveal.commitments) != t or len(reveal.proofs) != t:
        return FaultCode.MALFORMED_REVEAL, f"{t} commitments and {t} proofs expected"
    recipients = [s.recipient for s in reveal.shares]
    if i in recipients or recipients != sorted(set(recipients)):
        return FaultCode.MALFORMED_REVEAL, "shares are one per other trustee, by recipient"
    missing = [j for j in range(1, n + 1) if j != i and j not in recipients]
    if missing:
        return FaultCode.MISSING_SHARE, f"no share for trustee(s) {missing}"
    if commitment_hash(h_k, i, reveal.commitments) != announcement.commitment_hash:
        return FaultCode.COMMITMENT_MISMATCH, "the commitments do not hash to the announcement"
    for k, (a, proof) in enumerate(zip(reveal.commitments, reveal.proofs, strict=True)):
        if not schnorr.verify(schnorr.TAG_COEFFICIENT, coefficient_context(h_k, i, k), a, proof):
            return FaultCode.BAD_PROOF, f"the proof of knowledge of a_{i},{k} fails"
    return None


def check_reveal(
    parameters: Parameters, value: jf.JSON, *, sender: int, announcement: Announcement
) -> Reveal:
    """Decode and check a reveal sent by ``sender`` against its announcement (spec §6.2).

    Checks everything the public can: the dealer's signature, t commitments
    hashing to h_i, t valid proofs, one share per other trustee. Whether each
    share is right only its recipient can tell (round 3). Raises
    :class:`DecodingError` or :class:`VerificationError`: the server refuses
    the message.
    """
    reveal = Reveal.from_json(value, parameters.trustee_count)
    _sender(reveal.dealer, sender, "dealer")
    if announcement.dealer != sender:
        raise VerificationError("the announcement is another dealer's", "dealer")
    h_k = parameters.digest()
    check_dealer_signature(parameters, h_k, reveal)
    fault = reveal_fault(parameters, h_k, announcement, reveal)
    if fault is not None:
        raise VerificationError(f"{fault[0].value}: {fault[1]}", "")
    return reveal


def verify_response(
    parameters: Parameters, h_k: Digest, response: Response, share: EncryptedShare | None
) -> str | None:
    """Why a response's signature or proof fails (``None`` if it verifies) (spec §6.4)."""
    keys = parameters.trustees
    i, j = response.dealer, response.recipient
    if i == j:
        return "a trustee does not respond to itself"
    if isinstance(response, Acknowledgement):
        if share is None:
            return "acknowledges a share that was not published"
        if not schnorr.verify(
            schnorr.TAG_SHARE_ACK,
            ack_context(h_k, share),
            keys[j - 1].communication_key,
            response.signature,
        ):
            return "the acknowledgement signature does not verify"
        return None
    if not verify_dleq(
        TAG_COMPLAINT,
        complaint_context(h_k, i, j),
        keys[j - 1].communication_key,
        keys[i - 1].communication_key,
        response.shared_key,
        response.proof,
    ):
        return "the complaint proof does not verify"
    return None


def check_response(
    parameters: Parameters,
    value: jf.JSON,
    *,
    sender: int,
    reveals: Mapping[int, Reveal],
) -> Response:
    """Decode and check one response sent by ``sender`` (spec §6.4).

    ``reveals`` holds the accepted reveals by dealer. Raises
    :class:`DecodingError` or :class:`VerificationError`: the server refuses
    the message.
    """
    response = response_from_json(value, parameters.trustee_count)
    _sender(response.recipient, sender, "recipient")
    reveal = reveals.get(response.dealer)
    if reveal is None:
        raise VerificationError("the dealer has no accepted reveal", "dealer")
    problem = verify_response(
        parameters, parameters.digest(), response, reveal.share_for(response.recipient)
    )
    if problem is not None:
        raise VerificationError(problem, "")
    return response


# --- judging a transcript ------------------------------------------------------------


def _reveal_signed(parameters: Parameters, h_k: Digest, reveal: Reveal | MalformedReveal) -> bool:
    """Whether dealer i signed this reveal, judged on the published JSON if it
    does not decode (spec §6.5): so a malformed reveal is the dealer's fault."""
    if isinstance(reveal, Reveal):
        body, signature = reveal.body_json(), reveal.signature
    else:
        raw = reveal.raw
        body = {key: value for key, value in raw.items() if key != "signature"}
        signature = _signature(raw.get("signature"), "signature")
    return dealer_signature_verifies(parameters, h_k, ROUND_REVEAL, reveal.dealer, body, signature)


def _check_order(keys: Sequence[tuple[int, ...]], what: str, field: str) -> None:
    if any(b <= a for a, b in itertools.pairwise(keys)):
        raise VerificationError(f"{what}: at most one each, sorted", field)


def evaluate_transcript(parameters: Parameters, transcript: Transcript) -> Outcome:
    """Judge a transcript and derive QUAL, K and VK_1..VK_n (spec §6.5, §9.3).

    Raises :class:`VerificationError` only when the transcript itself is
    invalid: messages out of order or repeated, a reveal without its
    announcement, an announcement, reveal or response that fails its
    signature or proof (no honest server publishes one: it refuses such a
    message on arrival, and only the publisher can have put it there). Every
    dealer fault is reported in the outcome.
    """
    n, t = parameters.trustee_count, parameters.threshold
    h_k = parameters.digest()
    for k, ann in enumerate(transcript.announcements):
        if not dealer_signature_verifies(
            parameters, h_k, ROUND_ANNOUNCE, ann.dealer, ann.body_json(), ann.signature
        ):
            raise VerificationError(
                f"not signed by trustee {ann.dealer}", f"announcements[{k}].signature"
            )
    announced = {a.dealer: a for a in transcript.announcements}
    _check_order([(a.dealer,) for a in transcript.announcements], "announcements", "announcements")
    _check_order([(r.dealer,) for r in transcript.reveals], "reveals", "reveals")
    pairs = [(r.dealer, r.recipient) for r in transcript.responses]
    _check_order(pairs, "responses", "responses")
    faults: dict[int, Fault] = {}
    reveals: dict[int, Reveal] = {}
    for k, rev in enumerate(transcript.reveals):
        i = rev.dealer
        if i not in announced:
            raise VerificationError("a reveal from a trustee who did not announce", f"reveals[{k}]")
        if not _reveal_signed(parameters, h_k, rev):
            raise VerificationError(f"not signed by trustee {i}", f"reveals[{k}].signature")
        if isinstance(rev, MalformedReveal):
            faults[i] = Fault(i, FaultCode.MALFORMED_REVEAL, rev.reason)
            continue
        fault = reveal_fault(parameters, h_k, announced[i], rev)
        if fault is not None:
            faults[i] = Fault(i, *fault)
        else:
            reveals[i] = rev
    for i in range(1, n + 1):
        if i not in announced:
            faults[i] = Fault(i, FaultCode.NOT_ANNOUNCED, "no announcement")
        elif i not in reveals and i not in faults:
            faults[i] = Fault(i, FaultCode.NOT_REVEALED, "no reveal")
    revealed = {r.dealer for r in transcript.reveals}
    rejected: list[tuple[int, int]] = []
    for k, response in enumerate(transcript.responses):
        i, j = response.dealer, response.recipient
        field_name = f"responses[{k}]"
        if i not in revealed:
            raise VerificationError("a response to a dealer who did not reveal", field_name)
        good = reveals.get(i)
        share = good.share_for(j) if good is not None else None
        if isinstance(response, Acknowledgement) and good is None:
            # The dealer is already out; its acknowledgements are not judged.
            continue
        problem = verify_response(parameters, h_k, response, share)
        if problem is not None:
            raise VerificationError(problem, field_name)
        if isinstance(response, Acknowledgement) or good is None or share is None:
            continue
        value = open_share(h_k, share, response.shared_key)
        if value is None or base_mul(value) != expected_share_point(good.commitments, j):
            if i not in faults:
                faults[i] = Fault(
                    i, FaultCode.COMPLAINT_UPHELD, f"trustee {j} showed its share is wrong"
                )
        else:
            rejected.append((i, j))
    qualified = tuple(i for i in range(1, n + 1) if i not in faults)
    ordered = tuple(faults[i] for i in sorted(faults))
    if len(qualified) < t:
        failure = f"{len(qualified)} qualified dealer(s), the threshold is {t}"
        return Outcome(qualified, ordered, tuple(rejected), None, (), failure)
    aggregated = [sum_points(reveals[i].commitments[k] for i in qualified) for k in range(t)]
    joint_key = aggregated[0]
    if joint_key.is_identity():
        return Outcome(
            qualified, ordered, tuple(rejected), None, (), "the joint key is the identity"
        )
    vks = tuple(expected_share_point(aggregated, j) for j in range(1, n + 1))
    return Outcome(qualified, ordered, tuple(rejected), joint_key, vks, None)


# --- JSON encoding (spec §8.3) -------------------------------------------------


def _cv_json(p: schnorr.SchnorrProof | DLEQProof) -> jf.JSON:
    return {"c": p.c.hex(), "v": p.v.hex()}


def _signature(value: jf.JSON, f: jf.FieldPath) -> schnorr.SchnorrProof:
    return schnorr.SchnorrProof(*_cv(value, f))


def _cv(value: jf.JSON, f: jf.FieldPath) -> tuple[Scalar, Scalar]:
    o = jf.obj(value, f, ("c", "v"))
    return jf.scalar(o["c"], jf.join(f, "c")), jf.scalar(o["v"], jf.join(f, "v"))


def _hex_bytes(value: jf.JSON, f: jf.FieldPath, size: int) -> bytes:
    s = jf.text(value, f)
    if len(s) != 2 * size or s != s.lower():
        raise DecodingError(f"{size} bytes as lowercase hexadecimal", f)
    try:
        return bytes.fromhex(s)
    except ValueError:
        raise DecodingError(f"{size} bytes as lowercase hexadecimal", f) from None


def transcript_to_json(transcript: Transcript) -> jf.JSON:
    return {
        "announcements": [a.to_json() for a in transcript.announcements],
        "reveals": [
            r.raw if isinstance(r, MalformedReveal) else r.to_json() for r in transcript.reveals
        ],
        "responses": [r.to_json() for r in transcript.responses],
    }


def transcript_from_json(value: jf.JSON, n: int, field: jf.FieldPath = "ceremony") -> Transcript:
    """Decode ceremony.json; a reveal that does not decode becomes a :class:`MalformedReveal`."""
    o = jf.obj(value, field, ("announcements", "reveals", "responses"))
    af, rf, pf = (
        jf.join(field, "announcements"),
        jf.join(field, "reveals"),
        jf.join(field, "responses"),
    )
    announcements = tuple(
        Announcement.from_json(item, n, jf.join(af, k))
        for k, item in enumerate(jf.array(o["announcements"], af))
    )
    reveals: list[Reveal | MalformedReveal] = []
    for k, item in enumerate(jf.array(o["reveals"], rf)):
        f = jf.join(rf, k)
        if not isinstance(item, dict):
            raise DecodingError("expected a JSON object", f)
        dealer = jf.integer(item.get("dealer"), jf.join(f, "dealer"), 1, n)
        _signature(item.get("signature"), jf.join(f, "signature"))
        try:
            reveals.append(Reveal.from_json(item, n))
        except DecodingError as exc:
            reveals.append(MalformedReveal(dealer, item, str(exc)))
    responses = tuple(
        response_from_json(item, n, jf.join(pf, k))
        for k, item in enumerate(jf.array(o["responses"], pf))
    )
    return Transcript(announcements, tuple(reveals), responses)
