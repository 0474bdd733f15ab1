"""The one place where the trustees app calls the ``secret_ballot`` engine.

Everything else in the app handles ceremony messages as JSON values that this
module has checked, and public keys as hex strings; no other module imports
``secret_ballot``. When the engine's standing ceremonies (protocol version 2:
ceremony ids, AES-GCM shares, absent trustees tolerated, per-message checks)
land, this file is the only one to change.

Messages, one per trustee and round (the server stores them as they are and
publishes them all: shares are encrypted to their recipient):

- announce: ``{"dealer": i, "commitment_hash": h_i}``
- reveal: ``{"dealer": i, "commitments": [A_i0..A_i,t-1], "proofs": [{"c","v"}..],
  "shares": [{"recipient": j, "nonce", "ciphertext"}, one per j != i ascending]}``
- respond: ``{"recipient": j, "responses": [{"dealer": i, "kind": "ack",
  "signature": {"c","v"}} | {"dealer": i, "kind": "complaint", "shared_key",
  "proof": {"c","v"}}, one per dealer i != j who revealed, ascending]}``

Version 1 of the engine binds a ceremony to an election's manifest (h_P
includes h_M). A standing board has no manifest, so until version 2's
``h_K = D_ceremony(JCS(parameters.json))`` exists, the ceremony hash here is
h_P computed with h_M replaced by ``D_manifest(JCS({"ceremony_id": ID}))``:
distinct per ceremony, and computed by anyone from the public parameters.

Version 1 also needs every trustee's every message (``evaluate_transcript``
refuses an incomplete transcript), so a ceremony with an absent trustee fails
here; :data:`TOLERATES_ABSENT_TRUSTEES` says so to the callers, and version 2
turns it on.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from secret_ballot import jsonfields as jf
from secret_ballot import schnorr
from secret_ballot.chaum_pedersen import TAG_COMPLAINT, DLEQProof, verify_dleq
from secret_ballot.dkg import (
    AEAD_NONCE_SIZE,
    SHARE_CIPHERTEXT_SIZE,
    Acknowledgement,
    Announcement,
    Complaint,
    EncryptedShare,
    Response,
    Reveal,
    Transcript,
    Trustee,
    commitment_hash,
    evaluate_transcript,
)
from secret_ballot.election import Parameters, TrusteeInfo
from secret_ballot.errors import DecodingError, ProtocolError, SecretBallotError
from secret_ballot.group import Point, Scalar, base_mul
from secret_ballot.hash import Digest, hash_digest

JSON = Any
"""A decoded JSON value."""

#: Version 1 cannot finish a ceremony unless every trustee sends every message.
TOLERATES_ABSENT_TRUSTEES = False

#: The ceremony id pattern of protocol version 2 (section A).
CEREMONY_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")

ANNOUNCE = "announce"
REVEAL = "reveal"
RESPOND = "respond"
ROUNDS = (ANNOUNCE, REVEAL, RESPOND)

# Fault codes per trustee (stored with a failed or finished board, shown translated).
NO_ANNOUNCEMENT = "no_announcement"
NO_REVEAL = "no_reveal"
NO_RESPONSE = "no_response"
COMPLAINT_UPHELD = "complaint_upheld"
DISQUALIFIED = "disqualified"
# Reasons a whole ceremony failed.
INCOMPLETE = "incomplete"
TOO_FEW_QUALIFIED = "too_few_qualified"
INVALID_TRANSCRIPT = "invalid_transcript"


class MessageRejected(Exception):
    """A message or key that the engine refuses; ``detail`` names the field."""

    def __init__(self, detail: str) -> None:
        self.detail = detail
        super().__init__(detail)


@dataclass(frozen=True)
class Seat:
    """A trustee as the ceremony lists them."""

    index: int
    name: str
    communication_key: str
    """D_i in the spec, hex."""


@dataclass(frozen=True)
class Ceremony:
    """The public setup of one ceremony: id, threshold and trustees."""

    ceremony_id: str
    threshold: int
    seats: tuple[Seat, ...]

    def __post_init__(self) -> None:
        if not CEREMONY_ID.fullmatch(self.ceremony_id):
            raise MessageRejected(f"ceremony_id: does not match {CEREMONY_ID.pattern}")
        try:
            self._parameters()
        except SecretBallotError as exc:
            raise MessageRejected(str(exc)) from None

    @property
    def size(self) -> int:
        return len(self.seats)

    def _parameters(self) -> Parameters:
        return Parameters(
            self.threshold,
            tuple(
                TrusteeInfo(s.index, s.name, Point.from_hex(s.communication_key))
                for s in self.seats
            ),
        )

    def _hash(self) -> Digest:
        anchor = hash_digest("manifest", jf.canonical_json({"ceremony_id": self.ceremony_id}))
        return self._parameters().digest(anchor)

    def parameters_json(self) -> JSON:
        """The public parameters (the engine's, with the ceremony id)."""
        out: dict[str, JSON] = {"ceremony_id": self.ceremony_id}
        out.update(self._parameters().to_json())
        return out

    def ceremony_hash(self) -> str:
        """The hash every message of the ceremony is bound to, hex."""
        return self._hash().hex()

    @classmethod
    def from_parameters(cls, value: JSON) -> Ceremony:
        """Read back what :meth:`parameters_json` wrote."""
        if not isinstance(value, dict) or "ceremony_id" not in value:
            raise MessageRejected("parameters: expected an object with a ceremony_id")
        rest = {k: v for k, v in value.items() if k != "ceremony_id"}
        try:
            parameters = Parameters.from_json(rest)
        except SecretBallotError as exc:
            raise MessageRejected(str(exc)) from None
        return cls(
            ceremony_id=str(value["ceremony_id"]),
            threshold=parameters.threshold,
            seats=tuple(
                Seat(t.index, t.name, t.communication_key.hex()) for t in parameters.trustees
            ),
        )

    def _key(self, index: int) -> Point:
        return Point.from_hex(self.seats[index - 1].communication_key)


def check_communication_key(text: str) -> str:
    """A trustee's communication key D_i: a compressed point, not the identity."""
    try:
        return Point.from_hex(text).hex()
    except SecretBallotError as exc:
        raise MessageRejected(f"communication_key: {exc}") from None


def dealers_suffice(ceremony: Ceremony, dealers: int) -> bool:
    """Whether a ceremony with ``dealers`` trustees still dealing can succeed."""
    if TOLERATES_ABSENT_TRUSTEES:
        return dealers >= ceremony.threshold
    return dealers == ceremony.size


# --- decoding -------------------------------------------------------------------------


def _decode(fn: Any, *args: Any) -> Any:
    try:
        return fn(*args)
    except SecretBallotError as exc:
        raise MessageRejected(str(exc)) from None


def _cv(value: JSON, f: jf.FieldPath) -> tuple[Scalar, Scalar]:
    o = jf.obj(value, f, ("c", "v"))
    return jf.scalar(o["c"], jf.join(f, "c")), jf.scalar(o["v"], jf.join(f, "v"))


def _hex_bytes(value: JSON, f: jf.FieldPath, size: int) -> bytes:
    s = jf.text(value, f)
    if len(s) != 2 * size or s != s.lower():
        raise DecodingError(f"{size} bytes as lowercase hexadecimal", f)
    try:
        return bytes.fromhex(s)
    except ValueError:
        raise DecodingError(f"{size} bytes as lowercase hexadecimal", f) from None


def _announcement(ceremony: Ceremony, value: JSON) -> Announcement:
    o = jf.obj(value, "", ("dealer", "commitment_hash"))
    return Announcement(
        jf.integer(o["dealer"], "dealer", 1, ceremony.size),
        jf.digest(o["commitment_hash"], "commitment_hash"),
    )


def _reveal(ceremony: Ceremony, value: JSON) -> tuple[Reveal, tuple[EncryptedShare, ...]]:
    o = jf.obj(value, "", ("dealer", "commitments", "proofs", "shares"))
    dealer = jf.integer(o["dealer"], "dealer", 1, ceremony.size)
    t = ceremony.threshold
    commitments = tuple(
        jf.point(p, jf.join("commitments", k))
        for k, p in enumerate(jf.array(o["commitments"], "commitments", t))
    )
    proofs = tuple(
        schnorr.SchnorrProof(*_cv(p, jf.join("proofs", k)))
        for k, p in enumerate(jf.array(o["proofs"], "proofs", t))
    )
    recipients = [s.index for s in ceremony.seats if s.index != dealer]
    shares = []
    items = jf.array(o["shares"], "shares", len(recipients))
    for k, (item, j) in enumerate(zip(items, recipients, strict=True)):
        f = jf.join("shares", k)
        s = jf.obj(item, f, ("recipient", "nonce", "ciphertext"))
        if jf.integer(s["recipient"], jf.join(f, "recipient"), 1, ceremony.size) != j:
            raise DecodingError(
                f"expected recipient {j} (one share per other trustee, in order)", f
            )
        shares.append(
            EncryptedShare(
                dealer,
                j,
                _hex_bytes(s["nonce"], jf.join(f, "nonce"), AEAD_NONCE_SIZE),
                _hex_bytes(s["ciphertext"], jf.join(f, "ciphertext"), SHARE_CIPHERTEXT_SIZE),
            )
        )
    return Reveal(dealer, commitments, proofs), tuple(shares)


def _responses(
    ceremony: Ceremony, value: JSON, dealers: Sequence[int]
) -> tuple[int, list[Response]]:
    o = jf.obj(value, "", ("recipient", "responses"))
    recipient = jf.integer(o["recipient"], "recipient", 1, ceremony.size)
    expected = [i for i in dealers if i != recipient]
    out: list[Response] = []
    items = jf.array(o["responses"], "responses", len(expected))
    for k, (item, i) in enumerate(zip(items, expected, strict=True)):
        f = jf.join("responses", k)
        if not isinstance(item, dict):
            raise DecodingError("expected a JSON object", f)
        kind = item.get("kind")
        if kind == "ack":
            r = jf.obj(item, f, ("dealer", "kind", "signature"))
        elif kind == "complaint":
            r = jf.obj(item, f, ("dealer", "kind", "shared_key", "proof"))
        else:
            raise DecodingError("kind is 'ack' or 'complaint'", jf.join(f, "kind"))
        if jf.integer(r["dealer"], jf.join(f, "dealer"), 1, ceremony.size) != i:
            raise DecodingError(f"expected dealer {i} (one response per dealer, in order)", f)
        if kind == "ack":
            out.append(
                Acknowledgement(
                    i,
                    recipient,
                    schnorr.SchnorrProof(*_cv(r["signature"], jf.join(f, "signature"))),
                )
            )
        else:
            out.append(
                Complaint(
                    i,
                    recipient,
                    jf.point(r["shared_key"], jf.join(f, "shared_key")),
                    DLEQProof(*_cv(r["proof"], jf.join(f, "proof"))),
                )
            )
    return recipient, out


# --- checks on arrival ----------------------------------------------------------------


def check_announcement(ceremony: Ceremony, index: int, payload: JSON) -> JSON:
    """Trustee ``index``'s announcement, or :class:`MessageRejected`."""
    ann = _decode(_announcement, ceremony, payload)
    if ann.dealer != index:
        raise MessageRejected(f"dealer: this message is trustee {index}'s, not {ann.dealer}'s")
    return payload


def check_reveal(ceremony: Ceremony, index: int, payload: JSON, announcement: JSON) -> JSON:
    """Trustee ``index``'s reveal: it must match their announcement and every
    proof of knowledge must verify (spec §6.2). The shares are encrypted and
    can only be judged by their recipients (round 3)."""
    reveal, _shares = _decode(_reveal, ceremony, payload)
    if reveal.dealer != index:
        raise MessageRejected(f"dealer: this message is trustee {index}'s, not {reveal.dealer}'s")
    h = ceremony._hash()
    ann = _decode(_announcement, ceremony, announcement)
    if commitment_hash(h, index, reveal.commitments) != ann.commitment_hash:
        raise MessageRejected("commitments: do not match the announced commitment hash")
    for k, (a, proof) in enumerate(zip(reveal.commitments, reveal.proofs, strict=True)):
        if not schnorr.verify(schnorr.TAG_COEFFICIENT, (h, index, k), a, proof):
            raise MessageRejected(f"proofs[{k}]: the proof of knowledge does not verify")
    return payload


def _share_of(ceremony: Ceremony, reveal: JSON, recipient: int) -> EncryptedShare:
    _reveal_obj, shares = _decode(_reveal, ceremony, reveal)
    share: EncryptedShare = next(s for s in shares if s.recipient == recipient)
    return share


def check_response(
    ceremony: Ceremony, index: int, payload: JSON, reveals: Mapping[int, JSON]
) -> JSON:
    """Trustee ``index``'s responses to every dealer who revealed (``reveals``
    by dealer): each acknowledgement's signature and each complaint's proof
    must verify (spec §6.4)."""
    recipient, responses = _decode(_responses, ceremony, payload, sorted(reveals))
    if recipient != index:
        raise MessageRejected(f"recipient: this message is trustee {index}'s, not {recipient}'s")
    h = ceremony._hash()
    own = ceremony._key(index)
    for k, response in enumerate(responses):
        share = _share_of(ceremony, reveals[response.dealer], index)
        if isinstance(response, Acknowledgement):
            ctx = (h, share.dealer, share.recipient, share.digest())
            if not schnorr.verify(schnorr.TAG_SHARE_ACK, ctx, own, response.signature):
                raise MessageRejected(f"responses[{k}].signature: does not verify")
        else:
            dealer_key = ceremony._key(response.dealer)
            ctx2 = (h, response.dealer, index)
            if not verify_dleq(
                TAG_COMPLAINT, ctx2, own, dealer_key, response.shared_key, response.proof
            ):
                raise MessageRejected(f"responses[{k}].proof: does not verify")
    return payload


# --- the outcome ----------------------------------------------------------------------


@dataclass(frozen=True)
class Evaluation:
    """What the transcript proves: a joint key, or why there is none."""

    ok: bool
    reason: str = ""
    """Why the ceremony failed (a code), empty if it succeeded."""
    joint_key: str = ""
    verification_keys: tuple[str, ...] = ()
    qualified: tuple[int, ...] = ()
    faults: dict[int, tuple[str, ...]] = field(default_factory=dict)
    """Fault codes per trustee index (absent, disqualified)."""


def evaluate(
    ceremony: Ceremony,
    announcements: Mapping[int, JSON],
    reveals: Mapping[int, JSON],
    responses: Mapping[int, JSON],
) -> Evaluation:
    """Derive QUAL, K and VK_1..VK_n from the messages that arrived (each
    already checked on arrival), keyed by trustee index."""
    n = ceremony.size
    faults: dict[int, list[str]] = {}
    # A round nobody sent anything in was not held (the ceremony stopped
    # before it): nobody is at fault for missing it.
    for i in range(1, n + 1):
        if i not in announcements:
            faults.setdefault(i, []).append(NO_ANNOUNCEMENT)
        elif reveals and i not in reveals:
            faults.setdefault(i, []).append(NO_REVEAL)
        if responses and i not in responses:
            faults.setdefault(i, []).append(NO_RESPONSE)
    if faults:
        # Version 1 evaluates complete transcripts only.
        return Evaluation(
            ok=False, reason=INCOMPLETE, faults={i: tuple(f) for i, f in faults.items()}
        )
    try:
        anns = tuple(_announcement(ceremony, announcements[i]) for i in range(1, n + 1))
        revs = [_reveal(ceremony, reveals[i]) for i in range(1, n + 1)]
        shares = {(s.dealer, s.recipient): s for _r, ss in revs for s in ss}
        by_pair: dict[tuple[int, int], Response] = {}
        for j in range(1, n + 1):
            _j, rs = _responses(ceremony, responses[j], list(range(1, n + 1)))
            by_pair.update({(r.dealer, r.recipient): r for r in rs})
        pairs = sorted(shares)
        transcript = Transcript(
            anns,
            tuple(r for r, _ss in revs),
            tuple(shares[p] for p in pairs),
            tuple(by_pair[p] for p in pairs),
        )
        outcome = evaluate_transcript(ceremony._parameters(), ceremony._hash(), transcript)
    except SecretBallotError:
        return Evaluation(ok=False, reason=INVALID_TRANSCRIPT)
    complained = {i for (i, _j), r in by_pair.items() if isinstance(r, Complaint)}
    out_faults: dict[int, tuple[str, ...]] = {
        i: ((COMPLAINT_UPHELD,) if i in complained else (DISQUALIFIED,))
        for i in range(1, n + 1)
        if i not in outcome.qualified
    }
    if len(outcome.qualified) < ceremony.threshold:
        return Evaluation(
            ok=False,
            reason=TOO_FEW_QUALIFIED,
            qualified=outcome.qualified,
            faults=out_faults,
        )
    return Evaluation(
        ok=True,
        joint_key=outcome.joint_key.hex(),
        verification_keys=tuple(vk.hex() for vk in outcome.verification_keys),
        qualified=outcome.qualified,
        faults=out_faults,
    )


def public_of(secret: str) -> str:
    """s·G for a secret scalar s, hex (a key share's verification key)."""
    try:
        return base_mul(Scalar.from_hex(secret)).hex()
    except SecretBallotError as exc:
        raise MessageRejected(str(exc)) from None


# --- the trustee's side (their device; tests drive it too) -----------------------------


def new_communication_keys() -> tuple[str, str]:
    """A fresh communication key pair (d_i, D_i) as hex: the secret stays on the
    trustee's device, in their key file."""
    d = Scalar.random()
    while d.is_zero():  # pragma: no cover - probability 2^-256
        d = Scalar.random()
    return d.hex(), base_mul(d).hex()


class TrusteeDevice:
    """One trustee's secret state through a ceremony, on their own device.

    Misuse: ``seed`` is for tests only; a real trustee leaves it ``None``.
    The secrets never leave the device except in the passphrase-encrypted key
    file (:meth:`secret_object` is what that file holds).
    """

    def __init__(
        self,
        ceremony: Ceremony,
        index: int,
        communication_secret: str,
        *,
        seed: bytes | None = None,
    ) -> None:
        self.ceremony = ceremony
        self.index = index
        try:
            self._trustee = Trustee(
                ceremony._parameters(),
                ceremony._hash(),
                index,
                Scalar.from_hex(communication_secret),
                seed=seed,
            )
        except (SecretBallotError, IndexError) as exc:
            raise MessageRejected(str(exc)) from None
        self._shares: tuple[EncryptedShare, ...] = ()

    def announce(self) -> JSON:
        a = self._trustee.announce()
        return {"dealer": a.dealer, "commitment_hash": a.commitment_hash.hex()}

    def reveal(self) -> JSON:
        r = self._trustee.reveal()
        shares = self._trustee.deal()
        return {
            "dealer": r.dealer,
            "commitments": [a.hex() for a in r.commitments],
            "proofs": [{"c": p.c.hex(), "v": p.v.hex()} for p in r.proofs],
            "shares": [
                {"recipient": s.recipient, "nonce": s.nonce.hex(), "ciphertext": s.ciphertext.hex()}
                for s in shares
            ],
        }

    def respond(self, reveals: Mapping[int, JSON]) -> JSON:
        """Check every other dealer's share (``reveals`` by dealer index)."""
        out: list[JSON] = []
        for i in sorted(reveals):
            if i == self.index:
                continue
            reveal, shares = _decode(_reveal, self.ceremony, reveals[i])
            share = next(s for s in shares if s.recipient == self.index)
            r = self._trustee.respond(reveal, share)
            if isinstance(r, Acknowledgement):
                out.append(
                    {
                        "dealer": i,
                        "kind": "ack",
                        "signature": {"c": r.signature.c.hex(), "v": r.signature.v.hex()},
                    }
                )
            else:
                out.append(
                    {
                        "dealer": i,
                        "kind": "complaint",
                        "shared_key": r.shared_key.hex(),
                        "proof": {"c": r.proof.c.hex(), "v": r.proof.v.hex()},
                    }
                )
        return {"recipient": self.index, "responses": out}

    def key_share(self, qualified: Sequence[int]) -> str:
        """x_j, hex: to be kept in the key file, never sent."""
        try:
            return self._trustee.key_share(qualified).hex()
        except ProtocolError as exc:
            raise MessageRejected(str(exc)) from None

    def secret_object(self) -> JSON:
        """Every secret this device holds, hex: what the key file encrypts."""
        tr = self._trustee
        return {
            "ceremony_id": self.ceremony.ceremony_id,
            "index": self.index,
            "communication_secret": tr._d.hex(),
            "coefficients": [a.hex() for a in tr._coefficients],
            "received_shares": {str(i): s.hex() for i, s in sorted(tr._received.items())},
        }
