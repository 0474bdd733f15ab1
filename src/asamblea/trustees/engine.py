"""The one place where the trustees app calls the ``secret_ballot`` engine.

Everything else in the app handles ceremony messages as JSON values that this
module has checked, and public keys as hex strings; no other module imports
``secret_ballot``.

The ceremony is the standing ceremony of protocol version 2 (spec §6): the
parameters carry the board's ceremony id, every message is bound to
h_K = D_ceremony(JCS(parameters)), announcements and reveals are signed by
their dealer, shares are encrypted with AES-256-GCM, and trustees who stay
silent are left out while at least t dealers qualify.

Messages, one per trustee and round, stored as they arrived and published
(spec §6.2, §6.4, §8.3):

- announce: ``{"dealer": i, "commitment_hash": h_i, "signature": {"c","v"}}``
- reveal: ``{"dealer": i, "commitments": [...], "proofs": [...], "shares":
  [{"recipient": j, "nonce", "ciphertext"}, ...], "signature": {"c","v"}}``
- respond: a JSON array of trustee j's responses, one per other dealer with
  an accepted reveal, ascending dealer: ``{"dealer": i, "recipient": j,
  "kind": "ack", "signature"}`` or ``{"dealer": i, "recipient": j, "kind":
  "complaint", "shared_key", "proof"}``
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from secret_ballot import dkg
from secret_ballot.election import ID_PATTERN, Parameters, TrusteeInfo
from secret_ballot.errors import SecretBallotError
from secret_ballot.group import Point, Scalar, base_mul

JSON = Any
"""A decoded JSON value."""

#: The ceremony id pattern (spec §5.2).
CEREMONY_ID = ID_PATTERN

ANNOUNCE = "announce"
REVEAL = "reveal"
RESPOND = "respond"
ROUNDS = (ANNOUNCE, REVEAL, RESPOND)

#: Fault codes per trustee (spec §6.5), stored with a finished board.
FAULT_CODES = tuple(code.value for code in dkg.FaultCode)
# Reasons a whole ceremony failed.
TOO_FEW_QUALIFIED = "too_few_qualified"
IDENTITY_KEY = "identity_key"
INVALID_TRANSCRIPT = "invalid_transcript"


class MessageRejected(Exception):
    """A message or key that the engine refuses; ``detail`` names the field."""

    def __init__(self, detail: str) -> None:
        self.detail = detail
        super().__init__(detail)


def _detail(exc: SecretBallotError) -> str:
    return str(exc)


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
        try:
            self.parameters()
        except SecretBallotError as exc:
            raise MessageRejected(_detail(exc)) from None

    @property
    def size(self) -> int:
        return len(self.seats)

    def parameters(self) -> Parameters:
        return Parameters(
            self.ceremony_id,
            self.threshold,
            tuple(
                TrusteeInfo(s.index, s.name, Point.from_hex(s.communication_key))
                for s in self.seats
            ),
        )

    def parameters_json(self) -> JSON:
        """``parameters.json`` of the ceremony (spec §8.2)."""
        return self.parameters().to_json()

    def ceremony_hash(self) -> str:
        """h_K = D_ceremony(JCS(parameters.json)), hex."""
        return self.parameters().digest().hex()

    @classmethod
    def from_parameters(cls, value: JSON) -> Ceremony:
        """Read back what :meth:`parameters_json` wrote."""
        try:
            parameters = Parameters.from_json(value)
        except SecretBallotError as exc:
            raise MessageRejected(_detail(exc)) from None
        return cls(
            ceremony_id=parameters.ceremony_id,
            threshold=parameters.threshold,
            seats=tuple(
                Seat(t.index, t.name, t.communication_key.hex()) for t in parameters.trustees
            ),
        )


def check_communication_key(text: str) -> str:
    """A trustee's communication key D_i: a compressed point, not the identity."""
    try:
        return Point.from_hex(text).hex()
    except SecretBallotError as exc:
        raise MessageRejected(f"communication_key: {exc}") from None


def dealers_suffice(ceremony: Ceremony, dealers: int) -> bool:
    """Whether a ceremony with ``dealers`` trustees still dealing can succeed."""
    return dealers >= ceremony.threshold


# --- checks on arrival ----------------------------------------------------------------


def check_announcement(ceremony: Ceremony, index: int, payload: JSON) -> JSON:
    """Trustee ``index``'s announcement, signed by them (spec §6.2)."""
    try:
        return dkg.check_announcement(ceremony.parameters(), payload, sender=index).to_json()
    except SecretBallotError as exc:
        raise MessageRejected(_detail(exc)) from None


def check_reveal(ceremony: Ceremony, index: int, payload: JSON, announcement: JSON) -> JSON:
    """Trustee ``index``'s reveal: signed by them, matching their announcement,
    with valid proofs and a share for every other trustee (spec §6.2). Whether
    each share is right only its recipient can tell (round 3)."""
    parameters = ceremony.parameters()
    try:
        ann = dkg.Announcement.from_json(announcement, parameters.trustee_count)
        return dkg.check_reveal(parameters, payload, sender=index, announcement=ann).to_json()
    except SecretBallotError as exc:
        raise MessageRejected(_detail(exc)) from None


def _reveals(parameters: Parameters, reveals: Mapping[int, JSON]) -> dict[int, dkg.Reveal]:
    n = parameters.trustee_count
    return {i: dkg.Reveal.from_json(value, n) for i, value in reveals.items()}


def check_response(
    ceremony: Ceremony, index: int, payload: JSON, reveals: Mapping[int, JSON]
) -> JSON:
    """Trustee ``index``'s responses: one to every other dealer with an
    accepted reveal (``reveals`` by dealer), ascending, each signed or proved
    by them (spec §6.4)."""
    parameters = ceremony.parameters()
    if not isinstance(payload, list):
        raise MessageRejected("expected a JSON array of responses")
    expected = sorted(i for i in reveals if i != index)
    if len(payload) != len(expected):
        raise MessageRejected(
            f"expected {len(expected)} responses, one per other dealer who revealed"
        )
    try:
        accepted = _reveals(parameters, reveals)
        out: list[JSON] = []
        for k, (item, dealer) in enumerate(zip(payload, expected, strict=True)):
            try:
                response = dkg.check_response(parameters, item, sender=index, reveals=accepted)
            except SecretBallotError as exc:
                raise MessageRejected(f"[{k}]: {_detail(exc)}") from None
            if response.dealer != dealer:
                raise MessageRejected(
                    f"[{k}].dealer: expected dealer {dealer} (one per dealer, ascending)"
                )
            out.append(response.to_json())
    except SecretBallotError as exc:  # pragma: no cover - stored reveals were checked
        raise MessageRejected(_detail(exc)) from None
    return out


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
    """Fault codes of spec §6.5 per trustee index left out of QUAL."""


def _transcript(
    parameters: Parameters,
    announcements: Mapping[int, JSON],
    reveals: Mapping[int, JSON],
    responses: Mapping[int, JSON],
) -> dkg.Transcript:
    n = parameters.trustee_count
    return dkg.Transcript.collect(
        (dkg.Announcement.from_json(a, n) for a in announcements.values()),
        _reveals(parameters, reveals).values(),
        (dkg.response_from_json(r, n) for rs in responses.values() for r in rs),
    )


def transcript_json(
    ceremony: Ceremony,
    announcements: Mapping[int, JSON],
    reveals: Mapping[int, JSON],
    responses: Mapping[int, JSON],
) -> JSON:
    """``ceremony.json`` of an election record (spec §8.3), from the messages
    that arrived."""
    return dkg.transcript_to_json(
        _transcript(ceremony.parameters(), announcements, reveals, responses)
    )


def evaluate(
    ceremony: Ceremony,
    announcements: Mapping[int, JSON],
    reveals: Mapping[int, JSON],
    responses: Mapping[int, JSON],
) -> Evaluation:
    """Derive QUAL, K and VK_1..VK_n from the messages that arrived (each
    checked on arrival), keyed by trustee index; absent trustees are left
    out (spec §6.5, §6.6)."""
    parameters = ceremony.parameters()
    try:
        transcript = _transcript(parameters, announcements, reveals, responses)
        outcome = dkg.evaluate_transcript(parameters, transcript)
    except SecretBallotError:
        return Evaluation(ok=False, reason=INVALID_TRANSCRIPT)
    faults: dict[int, tuple[str, ...]] = {f.trustee: (f.code.value,) for f in outcome.faults}
    if outcome.joint_key is None:
        reason = TOO_FEW_QUALIFIED if len(outcome.qualified) < ceremony.threshold else IDENTITY_KEY
        return Evaluation(ok=False, reason=reason, qualified=outcome.qualified, faults=faults)
    return Evaluation(
        ok=True,
        joint_key=outcome.joint_key.hex(),
        verification_keys=tuple(vk.hex() for vk in outcome.verification_keys),
        qualified=outcome.qualified,
        faults=faults,
    )


def public_of(secret: str) -> str:
    """s·G for a secret scalar s, hex (a key share's verification key)."""
    try:
        return base_mul(Scalar.from_hex(secret)).hex()
    except SecretBallotError as exc:
        raise MessageRejected(str(exc)) from None


def new_communication_keys() -> tuple[str, str]:
    """A fresh communication key pair (d_i, D_i) as hex, as a trustee's device
    makes it (the secret stays there, in the key file)."""
    d = Scalar.random()
    while d.is_zero():  # pragma: no cover - probability 2^-256
        d = Scalar.random()
    return d.hex(), base_mul(d).hex()
