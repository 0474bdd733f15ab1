"""Encrypted ballots: encryption, validity proofs, signatures, trackers, audit (spec §5).

A ballot holds, per contest and option, an exponential ElGamal ciphertext of
the chosen value with a range proof 0..L, and per contest a range proof that
the sum of its options lies in [min, max]. Every proof's challenge hashes the
election hash h_E and the voter's credential P, so a proof cannot be replayed
into another election or by another voter (Cortier-Smyth 2011). The ballot is
signed with the credential's secret key, so whoever runs the board cannot make
up or alter ballots.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from secret_ballot import jsonfields as jf
from secret_ballot import schnorr
from secret_ballot.chaum_pedersen import (
    TAG_CONTEST_RANGE,
    TAG_OPTION_RANGE,
    RangeProof,
    prove_range,
    verify_range,
)
from secret_ballot.election import Election
from secret_ballot.elgamal import Ciphertext, encrypt, sum_ciphertexts
from secret_ballot.errors import DecodingError, ProtocolError, VerificationError, render_path
from secret_ballot.group import Point, Scalar, base_mul
from secret_ballot.hash import Digest, Field, hash_digest, hash_to_scalar
from secret_ballot.manifest import Contest, Manifest

#: Tag of the ballot hash h_B (spec §5.5).
TAG_BALLOT = "ballot"
#: Tag of a tracker T_i (spec §5.6).
TAG_TRACKER = "tracker"
#: Tag of the first tracker T_0 (spec §5.6).
TAG_TRACKER_START = "tracker-start"
#: Tag of the derivation of ciphertext nonces from the ballot's nonce seed (spec §5.3).
TAG_BALLOT_NONCE = "ballot-nonce"
#: Size of a ballot nonce seed in bytes (spec §5.3).
NONCE_SEED_SIZE = 32

Selections = Mapping[str, Sequence[int]]
"""Contest id -> one value per option, in manifest order."""


@dataclass(frozen=True, slots=True)
class CredentialKeyPair:
    """A voter credential (spec §5.5): secret x, public P = x·G on the credential list."""

    secret: Scalar
    public: Point

    @classmethod
    def generate(cls) -> CredentialKeyPair:
        x = Scalar.random()
        return cls(x, base_mul(x))

    @classmethod
    def from_secret(cls, secret: Scalar) -> CredentialKeyPair:
        if secret.is_zero():
            raise ValueError("a credential secret must not be zero")
        return cls(secret, base_mul(secret))


@dataclass(frozen=True, slots=True)
class EncryptedOption:
    option_id: str
    ciphertext: Ciphertext
    """(α, β) in the spec."""
    proof: RangeProof
    """The range proof 0..L (spec §5.4)."""


@dataclass(frozen=True, slots=True)
class EncryptedContest:
    contest_id: str
    options: tuple[EncryptedOption, ...]
    proof: RangeProof
    """The range proof min..max on the sum of the options (spec §5.4)."""

    def ciphertext_sum(self) -> Ciphertext:
        return sum_ciphertexts([o.ciphertext for o in self.options])


@dataclass(frozen=True, slots=True)
class Ballot:
    """An encrypted, signed ballot (spec §5)."""

    credential: Point
    """P in the spec: the voter's credential public key."""
    contests: tuple[EncryptedContest, ...]
    signature: schnorr.SchnorrProof
    """σ = (c, v) in the spec: the credential's Schnorr signature on h_B."""


@dataclass(frozen=True, slots=True)
class CastBallot:
    """A line of the board (spec §5.6, §8.4)."""

    index: int
    """i in the spec: the line's 1-based position on the board."""
    previous_tracker: Digest
    """T_{i-1} in the spec."""
    tracker: Digest
    """T_i = D_tracker(h_E, T_{i-1}, h_B)."""
    ballot: Ballot
    receipt: schnorr.SchnorrProof
    """The board's signature on (h_E, i, h_B, T_i) (spec §5.6)."""


@dataclass(frozen=True, slots=True)
class AuditedBallot:
    """A ballot the voter chose to audit (Benaloh challenge, spec §5.7): never counted.

    Published unlinked from its voter: no credential, signature or proof,
    only what shows that the ciphertexts encrypt the revealed selections
    and ties them to the tracker the voter saw.
    """

    ballot_hash: Digest
    """h_B of the ballot as submitted (with its credential, proofs and signature)."""
    previous_tracker: Digest
    """The board head when the ballot was audited: T_0 or a cast ballot's tracker."""
    tracker: Digest
    """D_tracker(h_E, previous_tracker, h_B): what the voter was shown."""
    ciphertexts: tuple[tuple[Ciphertext, ...], ...]
    """(α, β) per option, per contest, in manifest order."""
    nonce_seed: bytes
    """s in the spec: the 32-byte seed every ciphertext nonce derives from."""
    selections: dict[str, tuple[int, ...]]
    """The plaintext the voter's device claims to have encrypted."""


def option_context(
    h_e: Digest, credential: Point, contest_id: str, option_id: str
) -> tuple[Field, ...]:
    """Context of an option's range proof: (h_E, P, contest id, option id) (spec §5.4)."""
    return (h_e, credential, contest_id, option_id)


def contest_context(h_e: Digest, credential: Point, contest_id: str) -> tuple[Field, ...]:
    """Context of a contest's sum proof: (h_E, P, contest id) (spec §5.4)."""
    return (h_e, credential, contest_id)


def ballot_nonce(nonce_seed: bytes, h_e: Digest, contest_id: str, option_id: str) -> Scalar:
    """r = H_ballot-nonce(s, h_E, contest id, option id) (spec §5.3)."""
    r = hash_to_scalar(TAG_BALLOT_NONCE, nonce_seed, h_e, contest_id, option_id)
    if r.is_zero():
        raise ProtocolError("degenerate nonce seed; draw another")
    return r


def ballot_digest(h_e: Digest, ballot: Ballot) -> Digest:
    """h_B (spec §5.5): everything in the ballot except the signature."""
    fields: list[Field] = [h_e, ballot.credential, len(ballot.contests)]
    extend = fields.extend
    for contest in ballot.contests:
        extend((contest.contest_id, len(contest.options)))
        for option in contest.options:
            ct = option.ciphertext
            extend((option.option_id, ct.alpha, ct.beta, len(option.proof.challenges)))
            extend(option.proof.challenges)
            extend(option.proof.responses)
        extend((len(contest.proof.challenges),))
        extend(contest.proof.challenges)
        extend(contest.proof.responses)
    return hash_digest(TAG_BALLOT, *fields)


def tracker_start(h_e: Digest) -> Digest:
    """T_0 = D_tracker-start(h_E) (spec §5.6)."""
    return hash_digest(TAG_TRACKER_START, h_e)


def next_tracker(h_e: Digest, previous: Digest, h_b: Digest) -> Digest:
    """T_i = D_tracker(h_E, T_{i-1}, h_B) (spec §5.6)."""
    return hash_digest(TAG_TRACKER, h_e, previous, h_b)


def audit_ballot(
    election: Election,
    ballot: Ballot,
    nonce_seed: bytes,
    selections: Selections,
    previous_tracker: Digest,
) -> AuditedBallot:
    """The audited line for ``ballot`` opened with its seed, at board head ``previous_tracker``.

    Checks nothing: the board checks with :meth:`BallotChecker.check_audit`,
    the voter's device with :func:`check_own_audit`.
    """
    h_e = election.election_hash
    h_b = ballot_digest(h_e, ballot)
    return AuditedBallot(
        h_b,
        previous_tracker,
        next_tracker(h_e, previous_tracker, h_b),
        tuple(tuple(o.ciphertext for o in c.options) for c in ballot.contests),
        nonce_seed,
        {k: tuple(v) for k, v in selections.items()},
    )


def check_own_audit(
    election: Election,
    ballot: Ballot,
    nonce_seed: bytes,
    selections: Selections,
    shown_tracker: Digest,
    line: AuditedBallot,
) -> None:
    """The voter's device checks the board's line for the ballot it audited (spec §5.7).

    ``ballot``, ``nonce_seed`` and ``selections`` are what the device made
    and revealed; ``shown_tracker`` is the tracker the board showed before
    the voter chose to audit; ``line`` is the line the board published.
    Raises :class:`VerificationError` if the line is not that ballot, opened
    with that seed, to those selections, at that tracker. Anyone else can
    only check the line's inner consistency; only this device knows the
    ballot it submitted, so only it can tell that the board published the
    truth about it.
    """
    h_e = election.election_hash
    h_b = ballot_digest(h_e, ballot)
    if line.ballot_hash != h_b:
        raise VerificationError("is not the hash of the ballot this device made", "ballot_hash")
    if line.tracker != shown_tracker:
        raise VerificationError("is not the tracker the board showed", "tracker")
    if next_tracker(h_e, line.previous_tracker, h_b) != line.tracker:
        raise VerificationError("is not D_tracker(h_E, previous_tracker, h_B)", "tracker")
    if line.nonce_seed != nonce_seed:
        raise VerificationError("is not the seed this device revealed", "nonce_seed")
    mine = tuple(tuple(o.ciphertext for o in c.options) for c in ballot.contests)
    if line.ciphertexts != mine:
        raise VerificationError(
            "are not the ciphertexts of the ballot this device made", "contests"
        )
    if line.selections != {k: tuple(v) for k, v in selections.items()}:
        raise VerificationError("are not the selections this device revealed", "selections")
    BallotChecker(election).check_audit(line, field="")


def _encrypt_contest(
    election: Election, credential: Point, contest: Contest, values: Sequence[int], seed: bytes
) -> EncryptedContest:
    h_e = election.election_hash
    k = election.joint_key
    options = []
    cts = []
    nonces = []
    for option, m in zip(contest.options, values, strict=True):
        r = ballot_nonce(seed, h_e, contest.contest_id, option.option_id)
        ct = encrypt(m, r, k)
        ctx = option_context(h_e, credential, contest.contest_id, option.option_id)
        proof = prove_range(TAG_OPTION_RANGE, ctx, ct, m, r, k, 0, contest.option_max)
        options.append(EncryptedOption(option.option_id, ct, proof))
        cts.append(ct)
        nonces.append(r)
    total = sum_ciphertexts(cts)
    r_total = sum(nonces, Scalar(0))
    ctx = contest_context(h_e, credential, contest.contest_id)
    proof = prove_range(
        TAG_CONTEST_RANGE, ctx, total, sum(values), r_total, k, contest.min_total, contest.max_total
    )
    return EncryptedContest(contest.contest_id, tuple(options), proof)


def encrypt_ballot(
    election: Election,
    credential: CredentialKeyPair,
    selections: Selections,
    nonce_seed: bytes | None = None,
) -> tuple[Ballot, bytes]:
    """Encrypt, prove and sign a ballot; return it with its nonce seed s (spec §5.3).

    Misuse: ``nonce_seed`` is for known-answer tests and reproducible
    simulations only. A seed must never encrypt two different selections:
    equal nonces reveal the difference of the plaintexts. Keep the returned
    seed secret unless the voter audits this ballot; a cast ballot's seed
    reveals its votes.
    """
    seed = secrets.token_bytes(NONCE_SEED_SIZE) if nonce_seed is None else nonce_seed
    if len(seed) != NONCE_SEED_SIZE:
        raise ValueError(f"the nonce seed is {NONCE_SEED_SIZE} bytes")
    manifest = election.manifest
    if set(selections) != {c.contest_id for c in manifest.contests}:
        raise ProtocolError("one selection per contest of the manifest")
    contests = []
    for contest in manifest.contests:
        values = tuple(selections[contest.contest_id])
        try:
            contest.check_selection(values)
        except ValueError as exc:
            raise ProtocolError(str(exc)) from None
        contests.append(_encrypt_contest(election, credential.public, contest, values, seed))
    unsigned = Ballot(
        credential.public, tuple(contests), schnorr.SchnorrProof(Scalar(0), Scalar(0))
    )
    h_e = election.election_hash
    h_b = ballot_digest(h_e, unsigned)
    sig = schnorr.sign(
        schnorr.TAG_BALLOT_SIGNATURE, (h_e, h_b), credential.secret, credential.public
    )
    return Ballot(credential.public, tuple(contests), sig), seed


class BallotChecker:
    """Checks ballots against one election, caching what every ballot shares."""

    def __init__(self, election: Election) -> None:
        self.election = election
        self.h_e = election.election_hash
        self.joint_key = election.joint_key
        self.manifest: Manifest = election.manifest

    def check(
        self, ballot: Ballot, field: jf.FieldPath = "ballot", h_b: Digest | None = None
    ) -> Digest:
        """Verify every proof and the signature; return h_B (spec §9 step 7).

        Raises :class:`VerificationError` naming the failing field. Does not
        check that the credential is on the list: that is the board's job.
        ``h_b`` may be passed when the caller has computed it already.
        """
        h_e = self.h_e
        k = self.joint_key
        cred = ballot.credential
        contests = self.manifest.contests
        if len(ballot.contests) != len(contests):
            raise VerificationError("wrong number of contests", f"{field}.contests")
        if h_b is None:
            h_b = ballot_digest(h_e, ballot)
        ctx: tuple[Field, ...] = (h_e, h_b)
        if not schnorr.verify(schnorr.TAG_BALLOT_SIGNATURE, ctx, cred, ballot.signature):
            raise VerificationError("signature does not verify", f"{field}.signature")
        for ci, (ec, contest) in enumerate(zip(ballot.contests, contests, strict=True)):
            cf = f"{field}.contests[{ci}]"
            if ec.contest_id != contest.contest_id:
                raise VerificationError("contest id differs from the manifest", f"{cf}.contest_id")
            if len(ec.options) != len(contest.options):
                raise VerificationError("wrong number of options", f"{cf}.options")
            cid = ec.contest_id
            for oi, (eo, option) in enumerate(zip(ec.options, contest.options, strict=True)):
                of = f"{cf}.options[{oi}]"
                if eo.option_id != option.option_id:
                    raise VerificationError(
                        "option id differs from the manifest", f"{of}.option_id"
                    )
                octx = (h_e, cred, cid, eo.option_id)
                if not verify_range(
                    TAG_OPTION_RANGE, octx, eo.ciphertext, k, 0, contest.option_max, eo.proof
                ):
                    raise VerificationError("range proof 0..L does not verify", f"{of}.proof")
            total = ec.ciphertext_sum()
            if not verify_range(
                TAG_CONTEST_RANGE,
                (h_e, cred, cid),
                total,
                k,
                contest.min_total,
                contest.max_total,
                ec.proof,
            ):
                raise VerificationError("range proof min..max does not verify", f"{cf}.proof")
        return h_b

    def check_audit(self, audited: AuditedBallot, field: jf.FieldPath = "audited") -> None:
        """Check an audited line on its own (spec §5.7, §9).

        The tracker is D_tracker(h_E, previous_tracker, h_B); the selections
        are allowed by their contests; every ciphertext is recomputed from
        the nonce seed and the selections. Whether h_B is the hash of the
        ballot the voter submitted only the voter's device can tell
        (:func:`check_own_audit`).
        """
        h_e = self.h_e
        k = self.joint_key
        prefix = render_path(field)
        at = f"{prefix}." if prefix else ""
        if next_tracker(h_e, audited.previous_tracker, audited.ballot_hash) != audited.tracker:
            raise VerificationError("is not D_tracker(h_E, previous_tracker, h_B)", f"{at}tracker")
        contests = self.manifest.contests
        if set(audited.selections) != {c.contest_id for c in contests}:
            raise VerificationError("one selection per contest", f"{at}selections")
        if len(audited.ciphertexts) != len(contests):
            raise VerificationError("wrong number of contests", f"{at}contests")
        for ci, (cts, contest) in enumerate(zip(audited.ciphertexts, contests, strict=True)):
            values = audited.selections[contest.contest_id]
            try:
                contest.check_selection(values)
            except ValueError as exc:
                raise VerificationError(str(exc), f"{at}selections.{contest.contest_id}") from None
            if len(cts) != len(contest.options):
                raise VerificationError("wrong number of options", f"{at}contests[{ci}].options")
            for oi, (ct, option, m) in enumerate(zip(cts, contest.options, values, strict=True)):
                r = ballot_nonce(audited.nonce_seed, h_e, contest.contest_id, option.option_id)
                if encrypt(m, r, k) != ct:
                    raise VerificationError(
                        "ciphertext is not the encryption of the revealed selection",
                        f"{at}contests[{ci}].options[{oi}]",
                    )


# --- JSON encoding (spec §8.4) -------------------------------------------------


def _proof_to_json(proof: RangeProof) -> jf.JSON:
    return {"c": [c.hex() for c in proof.challenges], "v": [v.hex() for v in proof.responses]}


def _proof_from_json(value: jf.JSON, field: jf.FieldPath, branches: int) -> RangeProof:
    o = jf.obj(value, field, ("c", "v"))
    return RangeProof(
        jf.scalars(o["c"], jf.join(field, "c"), branches),
        jf.scalars(o["v"], jf.join(field, "v"), branches),
    )


def ballot_to_json(ballot: Ballot) -> jf.JSON:
    return {
        "credential": ballot.credential.hex(),
        "contests": [
            {
                "contest_id": c.contest_id,
                "options": [
                    {
                        "option_id": o.option_id,
                        "alpha": o.ciphertext.alpha.hex(),
                        "beta": o.ciphertext.beta.hex(),
                        "proof": _proof_to_json(o.proof),
                    }
                    for o in c.options
                ],
                "proof": _proof_to_json(c.proof),
            }
            for c in ballot.contests
        ],
        "signature": {"c": ballot.signature.c.hex(), "v": ballot.signature.v.hex()},
    }


def ballot_from_json(value: jf.JSON, manifest: Manifest, field: jf.FieldPath = "ballot") -> Ballot:
    """Strictly decode a ballot whose shape must follow ``manifest`` (spec §8.4)."""
    o = jf.obj(value, field, ("credential", "contests", "signature"))
    credential = jf.point(o["credential"], jf.join(field, "credential"))
    cf = jf.join(field, "contests")
    items = jf.array(o["contests"], cf, len(manifest.contests))
    contests = []
    for ci, (item, contest) in enumerate(zip(items, manifest.contests, strict=True)):
        f = jf.join(cf, ci)
        c = jf.obj(item, f, ("contest_id", "options", "proof"))
        if c["contest_id"] != contest.contest_id:
            raise DecodingError("contest id differs from the manifest", jf.join(f, "contest_id"))
        of = jf.join(f, "options")
        opts = jf.array(c["options"], of, len(contest.options))
        branches = contest.option_max + 1
        options = []
        for oi, (oitem, option) in enumerate(zip(opts, contest.options, strict=True)):
            g = jf.join(of, oi)
            oo = jf.obj(oitem, g, ("option_id", "alpha", "beta", "proof"))
            if oo["option_id"] != option.option_id:
                raise DecodingError("option id differs from the manifest", jf.join(g, "option_id"))
            ct = Ciphertext(
                jf.point(oo["alpha"], jf.join(g, "alpha")), jf.point(oo["beta"], jf.join(g, "beta"))
            )
            options.append(
                EncryptedOption(
                    option.option_id,
                    ct,
                    _proof_from_json(oo["proof"], jf.join(g, "proof"), branches),
                )
            )
        sum_branches = contest.max_total - contest.min_total + 1
        proof = _proof_from_json(c["proof"], jf.join(f, "proof"), sum_branches)
        contests.append(EncryptedContest(contest.contest_id, tuple(options), proof))
    sig = _signature_from_json(o["signature"], jf.join(field, "signature"))
    return Ballot(credential, tuple(contests), sig)


def _signature_from_json(value: jf.JSON, field: jf.FieldPath) -> schnorr.SchnorrProof:
    s = jf.obj(value, field, ("c", "v"))
    return schnorr.SchnorrProof(
        jf.scalar(s["c"], jf.join(field, "c")), jf.scalar(s["v"], jf.join(field, "v"))
    )


def cast_to_json(cast: CastBallot) -> jf.JSON:
    return {
        "index": cast.index,
        "previous_tracker": cast.previous_tracker.hex(),
        "tracker": cast.tracker.hex(),
        "ballot": ballot_to_json(cast.ballot),
        "receipt": {"c": cast.receipt.c.hex(), "v": cast.receipt.v.hex()},
    }


def cast_from_json(value: jf.JSON, manifest: Manifest) -> CastBallot:
    """Strictly decode a board line (spec §8.4)."""
    o = jf.obj(value, "", ("index", "previous_tracker", "tracker", "ballot", "receipt"))
    return CastBallot(
        jf.integer(o["index"], "index", 1),
        jf.digest(o["previous_tracker"], "previous_tracker"),
        jf.digest(o["tracker"], "tracker"),
        ballot_from_json(o["ballot"], manifest),
        _signature_from_json(o["receipt"], "receipt"),
    )


def audited_to_json(audited: AuditedBallot, manifest: Manifest) -> jf.JSON:
    """The audited line (spec §8.5); ``manifest`` names the contests and options."""
    return {
        "ballot_hash": audited.ballot_hash.hex(),
        "previous_tracker": audited.previous_tracker.hex(),
        "tracker": audited.tracker.hex(),
        "contests": [
            {
                "contest_id": contest.contest_id,
                "options": [
                    {"option_id": option.option_id, "alpha": ct.alpha.hex(), "beta": ct.beta.hex()}
                    for option, ct in zip(contest.options, cts, strict=True)
                ],
            }
            for contest, cts in zip(manifest.contests, audited.ciphertexts, strict=True)
        ],
        "nonce_seed": audited.nonce_seed.hex(),
        "selections": {k: list(v) for k, v in audited.selections.items()},
    }


def audited_from_json(value: jf.JSON, manifest: Manifest) -> AuditedBallot:
    """Strictly decode an audited line whose shape must follow ``manifest`` (spec §8.5)."""
    keys = ("ballot_hash", "previous_tracker", "tracker", "contests", "nonce_seed", "selections")
    o = jf.obj(value, "", keys)
    seed_digest = jf.digest(o["nonce_seed"], "nonce_seed")
    items = jf.array(o["contests"], "contests", len(manifest.contests))
    ciphertexts = []
    for ci, (item, contest) in enumerate(zip(items, manifest.contests, strict=True)):
        f = jf.join("contests", ci)
        c = jf.obj(item, f, ("contest_id", "options"))
        if c["contest_id"] != contest.contest_id:
            raise DecodingError("contest id differs from the manifest", jf.join(f, "contest_id"))
        of = jf.join(f, "options")
        opts = jf.array(c["options"], of, len(contest.options))
        cts = []
        for oi, (oitem, option) in enumerate(zip(opts, contest.options, strict=True)):
            g = jf.join(of, oi)
            oo = jf.obj(oitem, g, ("option_id", "alpha", "beta"))
            if oo["option_id"] != option.option_id:
                raise DecodingError("option id differs from the manifest", jf.join(g, "option_id"))
            cts.append(
                Ciphertext(
                    jf.point(oo["alpha"], jf.join(g, "alpha")),
                    jf.point(oo["beta"], jf.join(g, "beta")),
                )
            )
        ciphertexts.append(tuple(cts))
    sel = jf.obj(o["selections"], "selections", [c.contest_id for c in manifest.contests])
    selections = {}
    for contest in manifest.contests:
        f = jf.join("selections", contest.contest_id)
        values = jf.array(sel[contest.contest_id], f, len(contest.options))
        selections[contest.contest_id] = tuple(
            jf.integer(v, jf.join(f, i), 0, contest.option_max) for i, v in enumerate(values)
        )
    return AuditedBallot(
        jf.digest(o["ballot_hash"], "ballot_hash"),
        jf.digest(o["previous_tracker"], "previous_tracker"),
        jf.digest(o["tracker"], "tracker"),
        tuple(ciphertexts),
        bytes(seed_digest),
        selections,
    )
