"""The bulletin board: cast ballots in order with signed receipts, and audits (spec §5.6, §5.7).

The board holds a signing key pair (b, B = b·G); B is published in
election.json. For the i-th cast ballot it signs ``(h_E, i, h_B, T_i)`` with
b and hands the signature to the voter as a receipt. T_i chains every
earlier ballot, so a receipt that does not match line i of the published
record proves that the board dropped, replaced or reordered a ballot at or
before position i; anyone can check the proof with B alone.
"""

from __future__ import annotations

from collections.abc import Container, Iterable
from dataclasses import dataclass
from pathlib import Path

from secret_ballot import jsonfields as jf
from secret_ballot import schnorr
from secret_ballot.ballot import (
    AuditedBallot,
    Ballot,
    BallotChecker,
    CastBallot,
    Selections,
    audit_ballot,
    ballot_digest,
    cast_from_json,
    next_tracker,
    tracker_start,
)
from secret_ballot.election import Election
from secret_ballot.errors import VerificationError
from secret_ballot.group import Point, Scalar, base_mul
from secret_ballot.hash import Digest, Field
from secret_ballot.manifest import Manifest
from secret_ballot.record import (
    BALLOTS_FILE,
    ELECTION_FILE,
    MANIFEST_FILE,
    ElectionKeys,
    RecordReader,
    parse_json,
)

#: Tag of the board's signature on a cast ballot's position (spec §5.6).
TAG_BOARD_RECEIPT = "board-receipt"


@dataclass(frozen=True, slots=True)
class BoardKeyPair:
    """The board's signing key: secret b, public B = b·G in election.json (spec §5.6)."""

    secret: Scalar
    public: Point

    @classmethod
    def generate(cls) -> BoardKeyPair:
        b = Scalar.random()
        return cls(b, base_mul(b))

    @classmethod
    def from_secret(cls, secret: Scalar) -> BoardKeyPair:
        if secret.is_zero():
            raise ValueError("a board secret must not be zero")
        return cls(secret, base_mul(secret))


def receipt_context(h_e: Digest, index: int, h_b: Digest, tracker: Digest) -> tuple[Field, ...]:
    """(h_E, i, h_B, T_i): the message of a receipt (spec §5.6)."""
    return (h_e, index, h_b, tracker)


def sign_receipt(
    h_e: Digest, key: BoardKeyPair, index: int, h_b: Digest, tracker: Digest
) -> schnorr.SchnorrProof:
    """The board's Schnorr signature on line ``index`` (spec §4.2, §5.6)."""
    ctx = receipt_context(h_e, index, h_b, tracker)
    return schnorr.sign(TAG_BOARD_RECEIPT, ctx, key.secret, key.public)


def verify_receipt(
    h_e: Digest,
    board_key: Point,
    index: int,
    h_b: Digest,
    tracker: Digest,
    signature: schnorr.SchnorrProof,
) -> bool:
    """Whether ``signature`` is the board's signature on (h_E, i, h_B, T_i)."""
    ctx = receipt_context(h_e, index, h_b, tracker)
    return schnorr.verify(TAG_BOARD_RECEIPT, ctx, board_key, signature)


@dataclass(frozen=True, slots=True)
class Receipt:
    """What a voter keeps after casting (spec §5.6): enough to prove an omission."""

    election_hash: Digest
    index: int
    """i: the position the board gave the ballot."""
    ballot_hash: Digest
    """h_B of the ballot the voter's device made."""
    tracker: Digest
    """T_i: the tracker the voter was shown."""
    signature: schnorr.SchnorrProof
    """The board's signature on (h_E, i, h_B, T_i)."""

    def to_json(self) -> jf.JSON:
        return {
            "election_hash": self.election_hash.hex(),
            "index": self.index,
            "ballot_hash": self.ballot_hash.hex(),
            "tracker": self.tracker.hex(),
            "signature": {"c": self.signature.c.hex(), "v": self.signature.v.hex()},
        }

    @classmethod
    def from_json(cls, value: jf.JSON, field: jf.FieldPath = "receipt") -> Receipt:
        keys = ("election_hash", "index", "ballot_hash", "tracker", "signature")
        o = jf.obj(value, field, keys)
        sf = jf.join(field, "signature")
        s = jf.obj(o["signature"], sf, ("c", "v"))
        return cls(
            jf.digest(o["election_hash"], jf.join(field, "election_hash")),
            jf.integer(o["index"], jf.join(field, "index"), 1),
            jf.digest(o["ballot_hash"], jf.join(field, "ballot_hash")),
            jf.digest(o["tracker"], jf.join(field, "tracker")),
            schnorr.SchnorrProof(
                jf.scalar(s["c"], jf.join(sf, "c")), jf.scalar(s["v"], jf.join(sf, "v"))
            ),
        )


class InvalidReceipt(VerificationError):
    """The receipt is not the board's signature for this election: it proves nothing."""


class BoardBreach(VerificationError):
    """A valid receipt that the record contradicts: proof that the board broke its word."""


def check_receipt(
    receipt: Receipt, election_hash: Digest, board_key: Point, line: CastBallot | None
) -> None:
    """Check a voter's receipt against line ``receipt.index`` of a record (spec §5.6).

    ``election_hash`` and ``board_key`` are the record's h_E and B; ``line``
    is line i of the record, or ``None`` if the board has fewer lines.
    Returns if the line is the one the board signed for. Raises
    :class:`InvalidReceipt` if the receipt does not verify under B, and
    :class:`BoardBreach` if it verifies but the line differs: since T_i
    chains every earlier ballot, the board dropped, replaced or reordered a
    ballot at or before position i, and the receipt is the public proof.
    """
    h_e = receipt.election_hash
    if h_e != election_hash:
        raise InvalidReceipt("for another election", "election_hash")
    if not verify_receipt(
        h_e, board_key, receipt.index, receipt.ballot_hash, receipt.tracker, receipt.signature
    ):
        raise InvalidReceipt("not signed by the board's key for this election", "signature")
    i = receipt.index
    if line is None:
        raise BoardBreach(f"the board signed for line {i} but the record has no such line", "index")
    if line.index != i:
        raise BoardBreach(f"line {i} of the record carries index {line.index}", "index")
    if ballot_digest(h_e, line.ballot) != receipt.ballot_hash:
        raise BoardBreach(
            f"line {i} holds another ballot than the one the board signed for", "ballot_hash"
        )
    if line.tracker != receipt.tracker:
        raise BoardBreach(
            f"line {i} has another tracker than the board signed: an earlier ballot was "
            "dropped, replaced or moved",
            "tracker",
        )


def check_receipt_in_record(path: Path, receipt: Receipt) -> None:
    """:func:`check_receipt` against the record at ``path`` (a directory or .zip).

    Reads h_E and B from election.json and streams ballots.jsonl to line i.
    Raises as :func:`check_receipt` does, :class:`RecordFormatError` or
    :class:`RecordRuleError` if the record cannot be read, and
    :class:`DecodingError` if election.json, the manifest or line i do not
    decode. It checks one receipt, not the record: run the verifier too.
    """
    reader = RecordReader(path)
    try:
        keys = ElectionKeys.from_json(reader.read_json(ELECTION_FILE))
        manifest = Manifest.from_json(reader.read_json(MANIFEST_FILE))
        line = None
        for number, raw in reader.iter_lines(BALLOTS_FILE):
            if number == receipt.index:
                where = f"{BALLOTS_FILE} line {number}"
                line = cast_from_json(parse_json(raw, where), manifest)
                break
    finally:
        reader.close()
    check_receipt(receipt, keys.election_hash, keys.board_key, line)


class Board:
    """The board's state: its head T, the next index i, and every ciphertext seen.

    One instance serves one election in one process; a server that keeps
    the board in a database restores it with ``head``, ``next_index`` and
    ``seen_alphas`` and must serialise calls (the head moves on every cast).
    The voter's device is shown :meth:`preview` before choosing to
    :meth:`cast` or to :meth:`audit`.
    """

    def __init__(
        self,
        election: Election,
        key: BoardKeyPair,
        *,
        credentials: Container[Point] | None = None,
        head: Digest | None = None,
        next_index: int = 1,
        seen_alphas: Iterable[bytes] = (),
    ) -> None:
        if next_index < 1:
            raise ValueError("board indices start at 1")
        self.election = election
        self.key = key
        self.h_e = election.election_hash
        self._checker = BallotChecker(election)
        self._credentials = credentials
        self.head: Digest = tracker_start(self.h_e) if head is None else head
        """The tracker of the last cast ballot, T_0 when none."""
        self.next_index = next_index
        """The index the next cast ballot gets."""
        self._seen: set[bytes] = set(seen_alphas)

    def _check(self, ballot: Ballot) -> Digest:
        if self._credentials is not None and ballot.credential not in self._credentials:
            raise VerificationError("not on the credential list", "ballot.credential")
        h_b = self._checker.check(ballot)
        for ci, contest in enumerate(ballot.contests):
            for oi, option in enumerate(contest.options):
                if option.ciphertext.alpha.encode() in self._seen:
                    raise VerificationError(
                        "ciphertext already on the board or audited (a replay)",
                        f"ballot.contests[{ci}].options[{oi}].alpha",
                    )
        return h_b

    def _remember(self, ballot: Ballot) -> None:
        for contest in ballot.contests:
            for option in contest.options:
                self._seen.add(option.ciphertext.alpha.encode())

    def preview(self, ballot: Ballot) -> Digest:
        """Check ``ballot`` and return the tracker it gets if cast now (spec §5.6)."""
        return next_tracker(self.h_e, self.head, self._check(ballot))

    def check(self, ballot: Ballot) -> Digest:
        """Check ``ballot`` as :meth:`cast` does and return h_B; appends nothing.

        A server checks here, before it takes the lock that serialises its
        board, then calls :meth:`append` under the lock.
        """
        return self._check(ballot)

    def cast(self, ballot: Ballot) -> tuple[CastBallot, Receipt]:
        """Append ``ballot``: return its board line and the voter's receipt.

        Raises :class:`VerificationError` (nothing appended) if a proof or
        the signature fails, the credential is not listed, or a ciphertext
        was seen before (a replayed or audited ballot).
        """
        return self.append(ballot, self._check(ballot))

    def append(self, ballot: Ballot, h_b: Digest) -> tuple[CastBallot, Receipt]:
        """Append a ballot that :meth:`check` accepted, with the h_B it returned.

        Misuse: nothing is checked here. Only a ballot that passed
        :meth:`check` (on a board of the same election) may come here, and a
        server that keeps seen ciphertexts elsewhere must have claimed them.
        """
        i = self.next_index
        tracker = next_tracker(self.h_e, self.head, h_b)
        signature = sign_receipt(self.h_e, self.key, i, h_b, tracker)
        line = CastBallot(i, self.head, tracker, ballot, signature)
        self._remember(ballot)
        self.head = tracker
        self.next_index = i + 1
        return line, Receipt(self.h_e, i, h_b, tracker, signature)

    def audit(self, ballot: Ballot, nonce_seed: bytes, selections: Selections) -> AuditedBallot:
        """Open ``ballot`` with the seed and selections the device revealed (spec §5.7).

        The line is published, in audit order, at the current head, which
        does not move. Its ciphertexts may never be cast.
        """
        self._check(ballot)
        line = audit_ballot(self.election, ballot, nonce_seed, selections, self.head)
        self._checker.check_audit(line, field="")
        self._remember(ballot)
        return line
