"""t-of-n distributed key generation (joint Feldman with committed commitments, spec §6).

Rounds, for each trustee i (dealer) and each other trustee j (recipient):

1. *Announce*: choose f_i(x) = a_i0 + a_i1·x + ... + a_i,t-1·x^(t-1), publish
   h_i = D_dkg-commitment(h_P, i, A_i0, ..., A_i,t-1) with A_ik = a_ik·G.
   Committing to the hash before anyone reveals stops the last trustee from
   choosing its polynomial after seeing the others' (biasing K).
2. *Reveal*: publish A_i0..A_i,t-1 and a Schnorr proof of knowledge of each
   a_ik; send s_ij = f_i(j) to j encrypted with ChaCha20-Poly1305 under a key
   derived from the ECDH point S_ij = d_i·D_j.
3. *Respond*: j decrypts and checks s_ij·G = sum_k j^k·A_ik, then publishes a
   signed acknowledgement, or a complaint revealing S_ij with a DLEQ proof
   (log_G D_j = log_{D_i} S_ij) so that anyone can decrypt the share and judge.

QUAL is the set of dealers with a matching reveal, valid proofs and no upheld
complaint. K = sum_{i in QUAL} A_i0, trustee j's share is
x_j = sum_{i in QUAL} s_ij and VK_j = x_j·G = sum_{i in QUAL} sum_k j^k·A_ik.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

from secret_ballot import jsonfields as jf
from secret_ballot import schnorr
from secret_ballot.chaum_pedersen import TAG_COMPLAINT, DLEQProof, prove_dleq, verify_dleq
from secret_ballot.election import Parameters
from secret_ballot.errors import DecodingError, ProtocolError, VerificationError
from secret_ballot.group import Point, Scalar, base_mul, sum_points
from secret_ballot.hash import Digest, hash_digest, hash_to_scalar

#: Tag of the commitment to a dealer's coefficient commitments (spec §6.2).
TAG_DKG_COMMITMENT = "dkg-commitment"
#: Tag of the AEAD key derived from an ECDH point (spec §6.3).
TAG_SHARE_KEY = "share-key"
#: Tag of the AEAD associated data (spec §6.3).
TAG_SHARE_AAD = "share-aad"
#: Tag deriving coefficients and AEAD nonces from a trustee seed (spec §6.2).
TAG_DKG_SEED = "dkg-seed"
AEAD_NONCE_SIZE = 12
SHARE_CIPHERTEXT_SIZE = 32 + 16


@dataclass(frozen=True, slots=True)
class Announcement:
    dealer: int
    commitment_hash: Digest
    """h_i in the spec."""


@dataclass(frozen=True, slots=True)
class Reveal:
    dealer: int
    commitments: tuple[Point, ...]
    """A_i0..A_i,t-1 in the spec."""
    proofs: tuple[schnorr.SchnorrProof, ...]
    """Schnorr proofs of knowledge of a_i0..a_i,t-1."""


@dataclass(frozen=True, slots=True)
class EncryptedShare:
    dealer: int
    recipient: int
    nonce: bytes
    """12-byte ChaCha20-Poly1305 nonce."""
    ciphertext: bytes
    """AEAD(k_ij, nonce, s_ij as 32 bytes, aad_ij): 48 bytes."""

    def digest(self) -> Digest:
        return hash_digest(
            "encrypted-share", self.dealer, self.recipient, self.nonce, self.ciphertext
        )


@dataclass(frozen=True, slots=True)
class Acknowledgement:
    dealer: int
    recipient: int
    signature: schnorr.SchnorrProof
    """Signature by D_j on (h_P, i, j, digest of the encrypted share)."""


@dataclass(frozen=True, slots=True)
class Complaint:
    dealer: int
    recipient: int
    shared_key: Point
    """S_ij = d_j·D_i in the spec."""
    proof: DLEQProof
    """DLEQ proof that log_G D_j = log_{D_i} S_ij."""


Response = Acknowledgement | Complaint


@dataclass(frozen=True, slots=True)
class Transcript:
    """Everything the ceremony published (spec §8.3)."""

    announcements: tuple[Announcement, ...]
    reveals: tuple[Reveal, ...]
    shares: tuple[EncryptedShare, ...]
    responses: tuple[Response, ...]


@dataclass(frozen=True, slots=True)
class Outcome:
    """What anyone derives from a transcript (spec §6.5)."""

    qualified: tuple[int, ...]
    joint_key: Point
    verification_keys: tuple[Point, ...]
    faults: tuple[str, ...] = field(default=())
    """Human-readable notes on disqualified dealers and rejected complaints."""


def commitment_hash(h_p: Digest, dealer: int, commitments: Sequence[Point]) -> Digest:
    """h_i = D_dkg-commitment(h_P, i, A_i0, ..., A_i,t-1) (spec §6.2)."""
    return hash_digest(TAG_DKG_COMMITMENT, h_p, dealer, *commitments)


def share_key(h_p: Digest, dealer: int, recipient: int, shared: Point) -> bytes:
    """k_ij = D_share-key(h_P, i, j, S_ij) (spec §6.3)."""
    return hash_digest(TAG_SHARE_KEY, h_p, dealer, recipient, shared)


def share_aad(h_p: Digest, dealer: int, recipient: int) -> bytes:
    """aad_ij = D_share-aad(h_P, i, j) (spec §6.3)."""
    return hash_digest(TAG_SHARE_AAD, h_p, dealer, recipient)


def expected_share_point(commitments: Sequence[Point], recipient: int) -> Point:
    """sum_k j^k·A_ik: the point s_ij·G must equal (spec §6.4)."""
    return sum_points(a * Scalar.reduce(recipient**k) for k, a in enumerate(commitments))


def _ack_context(h_p: Digest, share: EncryptedShare) -> tuple[Digest | int, ...]:
    return (h_p, share.dealer, share.recipient, share.digest())


def _complaint_context(h_p: Digest, dealer: int, recipient: int) -> tuple[Digest | int, ...]:
    return (h_p, dealer, recipient)


class Trustee:
    """One trustee's secret state through the ceremony.

    Misuse: ``seed`` exists for known-answer tests and simulations; a real
    trustee leaves it ``None`` so that its polynomial and AEAD nonces come
    from the OS CSPRNG. Anyone who learns the seed learns the share.
    """

    def __init__(
        self,
        parameters: Parameters,
        parameters_hash: Digest,
        index: int,
        communication_secret: Scalar,
        seed: bytes | None = None,
    ) -> None:
        self.parameters = parameters
        self.h_p = parameters_hash
        self.index = index
        self.t = parameters.threshold
        self.n = parameters.trustee_count
        self._d = communication_secret
        self.communication_key = parameters.trustees[index - 1].communication_key
        if base_mul(communication_secret) != self.communication_key:
            raise ProtocolError("the communication secret does not match the parameters")
        self._seed = secrets.token_bytes(32) if seed is None else seed
        self._coefficients = tuple(
            hash_to_scalar(TAG_DKG_SEED, self._seed, parameters_hash, index, "coefficient", k)
            for k in range(self.t)
        )
        self._commitments = tuple(base_mul(a) for a in self._coefficients)
        self._received: dict[int, Scalar] = {index: self._evaluate(index)}

    def _evaluate(self, x: int) -> Scalar:
        acc = Scalar(0)
        xs = Scalar.reduce(x)
        for a in reversed(self._coefficients):
            acc = acc * xs + a
        return acc

    def announce(self) -> Announcement:
        """Round 1 (spec §6.2)."""
        return Announcement(self.index, commitment_hash(self.h_p, self.index, self._commitments))

    def reveal(self) -> Reveal:
        """Round 2, public part (spec §6.2)."""
        proofs = tuple(
            schnorr.prove(schnorr.TAG_COEFFICIENT, (self.h_p, self.index, k), a, big_a)
            for k, (a, big_a) in enumerate(zip(self._coefficients, self._commitments, strict=True))
        )
        return Reveal(self.index, self._commitments, proofs)

    def deal(self) -> tuple[EncryptedShare, ...]:
        """Round 2, one encrypted share per other trustee (spec §6.3)."""
        out = []
        for info in self.parameters.trustees:
            j = info.index
            if j == self.index:
                continue
            shared = info.communication_key * self._d
            nonce_hash = hash_digest(TAG_DKG_SEED, self._seed, self.h_p, self.index, "nonce", j)
            nonce = nonce_hash[:AEAD_NONCE_SIZE]
            aead = ChaCha20Poly1305(share_key(self.h_p, self.index, j, shared))
            body = aead.encrypt(
                nonce, self._evaluate(j).to_bytes(), share_aad(self.h_p, self.index, j)
            )
            out.append(EncryptedShare(self.index, j, nonce, body))
        return tuple(out)

    def respond(self, reveal: Reveal, share: EncryptedShare) -> Response:
        """Round 3: check a dealer's share, then acknowledge or complain (spec §6.4)."""
        i = share.dealer
        if share.recipient != self.index or reveal.dealer != i:
            raise ProtocolError("share or reveal addressed to someone else")
        dealer_key = self.parameters.trustees[i - 1].communication_key
        shared = dealer_key * self._d
        value = _open_share(self.h_p, share, shared)
        if value is not None and base_mul(value) == expected_share_point(
            reveal.commitments, self.index
        ):
            self._received[i] = value
            sig = schnorr.sign(
                schnorr.TAG_SHARE_ACK,
                _ack_context(self.h_p, share),
                self._d,
                self.communication_key,
            )
            return Acknowledgement(i, self.index, sig)
        proof = prove_dleq(
            TAG_COMPLAINT,
            _complaint_context(self.h_p, i, self.index),
            self._d,
            self.communication_key,
            dealer_key,
            shared,
        )
        return Complaint(i, self.index, shared, proof)

    def key_share(self, qualified: Sequence[int]) -> Scalar:
        """x_j = sum over QUAL of the shares received (spec §6.5)."""
        missing = [i for i in qualified if i not in self._received]
        if missing:
            raise ProtocolError(f"no valid share from qualified dealers {missing}")
        return sum((self._received[i] for i in qualified), Scalar(0))


def _open_share(h_p: Digest, share: EncryptedShare, shared: Point) -> Scalar | None:
    """Decrypt a share; ``None`` if the AEAD rejects it or it is not a scalar."""
    aead = ChaCha20Poly1305(share_key(h_p, share.dealer, share.recipient, shared))
    try:
        plain = aead.decrypt(
            share.nonce, share.ciphertext, share_aad(h_p, share.dealer, share.recipient)
        )
        return Scalar.from_bytes(plain)
    except (InvalidTag, DecodingError):
        return None


def evaluate_transcript(parameters: Parameters, h_p: Digest, transcript: Transcript) -> Outcome:
    """Check a complete transcript and derive QUAL, K and VK_1..VK_n (spec §6.5, §9.3).

    Raises :class:`VerificationError` when the transcript is incomplete or
    malformed (a missing response, a bad acknowledgement signature); dealer
    misbehaviour is not an error but disqualifies the dealer.
    """
    n, t = parameters.trustee_count, parameters.threshold
    keys = {tr.index: tr.communication_key for tr in parameters.trustees}
    indices = list(range(1, n + 1))
    faults: list[str] = []
    if [a.dealer for a in transcript.announcements] != indices:
        raise VerificationError("one announcement per trustee, in order", "ceremony.announcements")
    if [r.dealer for r in transcript.reveals] != indices:
        raise VerificationError("one reveal per trustee, in order", "ceremony.reveals")
    pairs = [(i, j) for i in indices for j in indices if i != j]
    if [(s.dealer, s.recipient) for s in transcript.shares] != pairs:
        raise VerificationError("one share per ordered pair, in order", "ceremony.shares")
    if [(r.dealer, r.recipient) for r in transcript.responses] != pairs:
        raise VerificationError("one response per ordered pair, in order", "ceremony.responses")
    good: dict[int, bool] = {}
    for ann, rev in zip(transcript.announcements, transcript.reveals, strict=True):
        i = ann.dealer
        ok = len(rev.commitments) == t and len(rev.proofs) == t
        if ok and commitment_hash(h_p, i, rev.commitments) != ann.commitment_hash:
            faults.append(f"dealer {i}: reveal does not match its announcement")
            ok = False
        elif ok:
            for k, (a, proof) in enumerate(zip(rev.commitments, rev.proofs, strict=True)):
                if not schnorr.verify(schnorr.TAG_COEFFICIENT, (h_p, i, k), a, proof):
                    faults.append(f"dealer {i}: proof of knowledge of coefficient {k} fails")
                    ok = False
                    break
        else:
            faults.append(f"dealer {i}: wrong number of coefficients")
        good[i] = ok
    for idx, (share, response) in enumerate(
        zip(transcript.shares, transcript.responses, strict=True)
    ):
        i, j = share.dealer, share.recipient
        field_name = f"ceremony.responses[{idx}]"
        if isinstance(response, Acknowledgement):
            ctx = _ack_context(h_p, share)
            if not schnorr.verify(schnorr.TAG_SHARE_ACK, ctx, keys[j], response.signature):
                raise VerificationError("acknowledgement signature does not verify", field_name)
            continue
        ctx = _complaint_context(h_p, i, j)
        if not verify_dleq(
            TAG_COMPLAINT, ctx, keys[j], keys[i], response.shared_key, response.proof
        ):
            raise VerificationError("complaint proof does not verify", field_name)
        value = _open_share(h_p, share, response.shared_key)
        rev = transcript.reveals[i - 1]
        if (
            value is None
            or not good[i]
            or base_mul(value) != expected_share_point(rev.commitments, j)
        ):
            if good[i]:
                faults.append(f"dealer {i}: upheld complaint by trustee {j} (bad share)")
            good[i] = False
        else:
            faults.append(f"trustee {j}: complaint against dealer {i} rejected (share is valid)")
    qualified = tuple(i for i in indices if good[i])
    if not qualified:
        raise VerificationError("no dealer qualified", "ceremony")
    aggregated = [
        sum_points(transcript.reveals[i - 1].commitments[k] for i in qualified) for k in range(t)
    ]
    joint_key = aggregated[0]
    if joint_key.is_identity():
        raise VerificationError("the joint key is the identity", "ceremony")
    vks = tuple(expected_share_point(aggregated, j) for j in indices)
    return Outcome(qualified, joint_key, vks, tuple(faults))


def run_ceremony(trustees: Sequence[Trustee]) -> tuple[Transcript, Outcome]:
    """Run all rounds among honest in-process trustees (simulation and tests)."""
    announcements = tuple(tr.announce() for tr in trustees)
    reveals = tuple(tr.reveal() for tr in trustees)
    by_pair = {(s.dealer, s.recipient): s for tr in trustees for s in tr.deal()}
    pairs = sorted(by_pair)
    shares = tuple(by_pair[p] for p in pairs)
    responses = tuple(trustees[j - 1].respond(reveals[i - 1], by_pair[(i, j)]) for i, j in pairs)
    transcript = Transcript(announcements, reveals, shares, responses)
    parameters = trustees[0].parameters
    return transcript, evaluate_transcript(parameters, trustees[0].h_p, transcript)


# --- JSON encoding (spec §8.3) -------------------------------------------------


def transcript_to_json(transcript: Transcript) -> jf.JSON:
    def sig(p: schnorr.SchnorrProof | DLEQProof) -> jf.JSON:
        return {"c": p.c.hex(), "v": p.v.hex()}

    responses: list[jf.JSON] = []
    for r in transcript.responses:
        if isinstance(r, Acknowledgement):
            responses.append(
                {
                    "dealer": r.dealer,
                    "recipient": r.recipient,
                    "kind": "ack",
                    "signature": sig(r.signature),
                }
            )
        else:
            responses.append(
                {
                    "dealer": r.dealer,
                    "recipient": r.recipient,
                    "kind": "complaint",
                    "shared_key": r.shared_key.hex(),
                    "proof": sig(r.proof),
                }
            )
    return {
        "announcements": [
            {"dealer": a.dealer, "commitment_hash": a.commitment_hash.hex()}
            for a in transcript.announcements
        ],
        "reveals": [
            {
                "dealer": r.dealer,
                "commitments": [a.hex() for a in r.commitments],
                "proofs": [sig(p) for p in r.proofs],
            }
            for r in transcript.reveals
        ],
        "shares": [
            {
                "dealer": s.dealer,
                "recipient": s.recipient,
                "nonce": s.nonce.hex(),
                "ciphertext": s.ciphertext.hex(),
            }
            for s in transcript.shares
        ],
        "responses": responses,
    }


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


def transcript_from_json(value: jf.JSON, n: int, field: jf.FieldPath = "ceremony") -> Transcript:
    o = jf.obj(value, field, ("announcements", "reveals", "shares", "responses"))
    announcements = []
    af = jf.join(field, "announcements")
    for k, item in enumerate(jf.array(o["announcements"], af)):
        f = jf.join(af, k)
        a = jf.obj(item, f, ("dealer", "commitment_hash"))
        announcements.append(
            Announcement(
                jf.integer(a["dealer"], jf.join(f, "dealer"), 1, n),
                jf.digest(a["commitment_hash"], jf.join(f, "commitment_hash")),
            )
        )
    reveals = []
    rf = jf.join(field, "reveals")
    for k, item in enumerate(jf.array(o["reveals"], rf)):
        f = jf.join(rf, k)
        r = jf.obj(item, f, ("dealer", "commitments", "proofs"))
        cf, pf = jf.join(f, "commitments"), jf.join(f, "proofs")
        reveals.append(
            Reveal(
                jf.integer(r["dealer"], jf.join(f, "dealer"), 1, n),
                tuple(
                    jf.point(p, jf.join(cf, m))
                    for m, p in enumerate(jf.array(r["commitments"], cf))
                ),
                tuple(
                    schnorr.SchnorrProof(*_cv(p, jf.join(pf, m)))
                    for m, p in enumerate(jf.array(r["proofs"], pf))
                ),
            )
        )
    shares = []
    sf = jf.join(field, "shares")
    for k, item in enumerate(jf.array(o["shares"], sf)):
        f = jf.join(sf, k)
        s = jf.obj(item, f, ("dealer", "recipient", "nonce", "ciphertext"))
        shares.append(
            EncryptedShare(
                jf.integer(s["dealer"], jf.join(f, "dealer"), 1, n),
                jf.integer(s["recipient"], jf.join(f, "recipient"), 1, n),
                _hex_bytes(s["nonce"], jf.join(f, "nonce"), AEAD_NONCE_SIZE),
                _hex_bytes(s["ciphertext"], jf.join(f, "ciphertext"), SHARE_CIPHERTEXT_SIZE),
            )
        )
    responses: list[Response] = []
    pf = jf.join(field, "responses")
    for k, item in enumerate(jf.array(o["responses"], pf)):
        f = jf.join(pf, k)
        if not isinstance(item, dict):
            raise DecodingError("expected a JSON object", f)
        kind = item.get("kind")
        if kind == "ack":
            r = jf.obj(item, f, ("dealer", "recipient", "kind", "signature"))
            responses.append(
                Acknowledgement(
                    jf.integer(r["dealer"], jf.join(f, "dealer"), 1, n),
                    jf.integer(r["recipient"], jf.join(f, "recipient"), 1, n),
                    schnorr.SchnorrProof(*_cv(r["signature"], jf.join(f, "signature"))),
                )
            )
        elif kind == "complaint":
            r = jf.obj(item, f, ("dealer", "recipient", "kind", "shared_key", "proof"))
            responses.append(
                Complaint(
                    jf.integer(r["dealer"], jf.join(f, "dealer"), 1, n),
                    jf.integer(r["recipient"], jf.join(f, "recipient"), 1, n),
                    jf.point(r["shared_key"], jf.join(f, "shared_key")),
                    DLEQProof(*_cv(r["proof"], jf.join(f, "proof"))),
                )
            )
        else:
            raise DecodingError("kind is 'ack' or 'complaint'", jf.join(f, "kind"))
    return Transcript(tuple(announcements), tuple(reveals), tuple(shares), tuple(responses))
