"""One trustee's side of the key ceremony and of the tally decryption (spec §6, §7.2).

A :class:`Trustee` runs on the trustee's own device. Between rounds its
state is saved as a JSON *secret object* (:meth:`Trustee.to_secret_json`),
which goes into the trustee's key file (spec §11), and restored with
:meth:`Trustee.from_secret_json`. The rounds:

    t = Trustee.create(parameters, index, d)      # d: the communication secret
    t.announce()                                  # round 1, to the server
    t.reveal()                                    # round 2, to the server
    t.respond(reveals of the others)              # round 3, to the server
    t.key_share(outcome)                          # keeps x_i, forgets f_i

Secret object, by phase:

- ceremony: ``{"communication_secret": d_i, "coefficients": [a_i0..a_i,t-1],
  "received_shares": [{"dealer": i, "share": s_ij}]}`` (own share included)
- done: ``{"communication_secret": d_i, "key_share": x_i}``
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from secret_ballot import jsonfields as jf
from secret_ballot import schnorr
from secret_ballot.chaum_pedersen import TAG_COMPLAINT, DLEQProof, prove_dleq
from secret_ballot.decryption import PartialDecryption, partial_decrypt, verify_partial
from secret_ballot.dkg import (
    AEAD_NONCE_SIZE,
    UNSIGNED,
    Acknowledgement,
    Announcement,
    Complaint,
    MalformedReveal,
    Outcome,
    Response,
    Reveal,
    Transcript,
    ack_context,
    check_dealer_signature,
    coefficient_context,
    commitment_hash,
    complaint_context,
    encrypt_share,
    evaluate_transcript,
    expected_share_point,
    open_share,
)
from secret_ballot.election import ID_PATTERN, Election, Parameters
from secret_ballot.elgamal import Ciphertext
from secret_ballot.errors import DecodingError, ProtocolError, VerificationError, render_path
from secret_ballot.group import Scalar, base_mul
from secret_ballot.hash import hash_digest, hash_to_scalar

#: Tag deriving coefficients (from a seed) and share nonces (spec §3.4: reference only).
TAG_DKG_SEED = "dkg-seed"


class Trustee:
    """Trustee ``index``'s secret state through the ceremony and after it.

    Misuse: the ``seed`` of :meth:`create` exists for known-answer tests and
    simulations; a real trustee leaves it ``None`` so that its polynomial
    comes from the OS CSPRNG. Anyone who learns the seed learns the share.
    """

    def __init__(
        self,
        parameters: Parameters,
        index: int,
        communication_secret: Scalar,
        *,
        coefficients: Sequence[Scalar] = (),
        received: dict[int, Scalar] | None = None,
        key_share: Scalar | None = None,
    ) -> None:
        if not 1 <= index <= parameters.trustee_count:
            raise ProtocolError("no such trustee in the parameters")
        self.parameters = parameters
        self.h_k = parameters.digest()
        self.index = index
        self.communication_key = parameters.trustees[index - 1].communication_key
        if base_mul(communication_secret) != self.communication_key:
            raise ProtocolError("the communication secret does not match the parameters")
        self._d = communication_secret
        if key_share is None and len(coefficients) != parameters.threshold:
            raise ProtocolError(f"{parameters.threshold} coefficients expected")
        self._coefficients = tuple(coefficients)
        self._commitments = tuple(base_mul(a) for a in self._coefficients)
        self._received: dict[int, Scalar] = dict(received or {})
        if key_share is None:
            self._received[index] = self._evaluate(index)
        self._key_share = key_share

    @classmethod
    def create(
        cls,
        parameters: Parameters,
        index: int,
        communication_secret: Scalar,
        seed: bytes | None = None,
    ) -> Trustee:
        """A trustee with a fresh polynomial f_i of degree t - 1 (spec §6.2)."""
        seed = secrets.token_bytes(32) if seed is None else seed
        h_k = parameters.digest()
        coefficients = [
            hash_to_scalar(TAG_DKG_SEED, seed, h_k, index, "coefficient", k)
            for k in range(parameters.threshold)
        ]
        return cls(parameters, index, communication_secret, coefficients=coefficients)

    # --- state ------------------------------------------------------------------

    @property
    def finished(self) -> bool:
        """True once :meth:`key_share` has kept x_i and forgotten the polynomial."""
        return self._key_share is not None

    def to_secret_json(self) -> jf.JSON:
        """The secret object of the trustee key file (see the module docstring)."""
        if self._key_share is not None:
            return {"communication_secret": self._d.hex(), "key_share": self._key_share.hex()}
        return {
            "communication_secret": self._d.hex(),
            "coefficients": [a.hex() for a in self._coefficients],
            "received_shares": [
                {"dealer": i, "share": s.hex()} for i, s in sorted(self._received.items())
            ],
        }

    @classmethod
    def from_secret_json(
        cls, parameters: Parameters, index: int, value: jf.JSON, field: jf.FieldPath = "secret"
    ) -> Trustee:
        n = parameters.trustee_count
        if isinstance(value, dict) and "key_share" in value:
            o = jf.obj(value, field, ("communication_secret", "key_share"))
            return cls(
                parameters,
                index,
                jf.scalar(o["communication_secret"], jf.join(field, "communication_secret")),
                key_share=jf.scalar(o["key_share"], jf.join(field, "key_share")),
            )
        o = jf.obj(value, field, ("communication_secret", "coefficients", "received_shares"))
        cf, rf = jf.join(field, "coefficients"), jf.join(field, "received_shares")
        coefficients = [
            jf.scalar(a, jf.join(cf, k)) for k, a in enumerate(jf.array(o["coefficients"], cf))
        ]
        received: dict[int, Scalar] = {}
        for k, item in enumerate(jf.array(o["received_shares"], rf)):
            f = jf.join(rf, k)
            r = jf.obj(item, f, ("dealer", "share"))
            received[jf.integer(r["dealer"], jf.join(f, "dealer"), 1, n)] = jf.scalar(
                r["share"], jf.join(f, "share")
            )
        return cls(
            parameters,
            index,
            jf.scalar(o["communication_secret"], jf.join(field, "communication_secret")),
            coefficients=coefficients,
            received=received,
        )

    def _evaluate(self, x: int) -> Scalar:
        acc = Scalar(0)
        xs = Scalar.reduce(x)
        for a in reversed(self._coefficients):
            acc = acc * xs + a
        return acc

    def _require_ceremony(self) -> None:
        if self._key_share is not None:
            raise ProtocolError("the ceremony is over for this trustee")

    # --- rounds -------------------------------------------------------------------

    def announce(self) -> Announcement:
        """Round 1, signed with d_i (spec §6.2)."""
        self._require_ceremony()
        h_i = commitment_hash(self.h_k, self.index, self._commitments)
        return Announcement(self.index, h_i, UNSIGNED).signed_by(self.h_k, self._d)

    def reveal(self) -> Reveal:
        """Round 2: commitments, proofs and one encrypted share per other trustee,
        signed with d_i (spec §6.2-6.3).

        Calling it again gives the same message: the AES-GCM nonces derive
        from the coefficients, so a nonce never meets two plaintexts, and the
        signature nonce from the message (spec §3.2).
        """
        self._require_ceremony()
        i, h_k = self.index, self.h_k
        proofs = tuple(
            schnorr.prove(schnorr.TAG_COEFFICIENT, coefficient_context(h_k, i, k), a, big_a)
            for k, (a, big_a) in enumerate(zip(self._coefficients, self._commitments, strict=True))
        )
        shares = []
        for info in self.parameters.trustees:
            j = info.index
            if j == i:
                continue
            nonce = hash_digest(TAG_DKG_SEED, self._coefficients[0], h_k, i, "nonce", j)
            shares.append(
                encrypt_share(
                    h_k,
                    i,
                    j,
                    info.communication_key * self._d,
                    nonce[:AEAD_NONCE_SIZE],
                    self._evaluate(j),
                )
            )
        return Reveal(i, self._commitments, proofs, tuple(shares), UNSIGNED).signed_by(h_k, self._d)

    def respond(self, reveals: Iterable[Reveal | MalformedReveal]) -> tuple[Response, ...]:
        """Round 3: for each other dealer's reveal, acknowledge or complain (spec §6.4).

        A reveal without a share for this trustee gets no response: the
        dealer is disqualified for the missing share anyway. Raises
        :class:`VerificationError` if a reveal is not signed by its dealer:
        the relay invented or altered it, and no response is sent at all.
        """
        self._require_ceremony()
        out: list[Response] = []
        ordered = sorted(reveals, key=lambda r: r.dealer)
        for reveal in ordered:
            if isinstance(reveal, Reveal) and reveal.dealer != self.index:
                check_dealer_signature(self.parameters, self.h_k, reveal)
        for reveal in ordered:
            i = reveal.dealer
            if i == self.index or isinstance(reveal, MalformedReveal):
                continue
            share = reveal.share_for(self.index)
            if share is None:
                continue
            dealer_key = self.parameters.trustees[i - 1].communication_key
            shared = dealer_key * self._d
            value = open_share(self.h_k, share, shared)
            if value is not None and base_mul(value) == expected_share_point(
                reveal.commitments, self.index
            ):
                self._received[i] = value
                sig = schnorr.sign(
                    schnorr.TAG_SHARE_ACK,
                    ack_context(self.h_k, share),
                    self._d,
                    self.communication_key,
                )
                out.append(Acknowledgement(i, self.index, sig))
                continue
            self._received.pop(i, None)
            proof = prove_dleq(
                TAG_COMPLAINT,
                complaint_context(self.h_k, i, self.index),
                self._d,
                self.communication_key,
                dealer_key,
                shared,
            )
            out.append(Complaint(i, self.index, shared, proof))
        return tuple(out)

    def key_share(self, outcome: Outcome) -> Scalar:
        """x_j = sum over QUAL of the shares received (spec §6.5); then forget f_i.

        Raises :class:`ProtocolError` if the ceremony failed or a qualified
        dealer's share is missing (this trustee did not respond to it).
        """
        if self._key_share is not None:
            return self._key_share
        if not outcome.succeeded:
            raise ProtocolError(f"the ceremony failed: {outcome.failure}")
        missing = [i for i in outcome.qualified if i not in self._received]
        if missing:
            raise ProtocolError(f"no valid share from qualified dealers {missing}")
        x = sum((self._received[i] for i in outcome.qualified), Scalar(0))
        if base_mul(x) != outcome.verification_keys[self.index - 1]:
            raise ProtocolError("the key share does not match the verification key")
        self._key_share = x
        self._coefficients = ()
        self._commitments = ()
        self._received = {}
        return x

    # --- decryption -----------------------------------------------------------------

    def decrypt_sums(self, election: Election, sums: jf.JSON) -> jf.JSON:
        """Partial decryptions of the group sums given as JSON (spec §7.2, §12).

        ``sums``: ``{"groups": [{"group_id", "contests": [{"contest_id",
        "options": [{"option_id", "alpha", "beta"}]}]}]}``, contests and
        options in manifest order. Returns ``{"trustee": i, "groups":
        [{"group_id", "contests": [{"contest_id", "options": [{"option_id",
        "share", "proof": {"c", "v"}}]}]}]}``; options whose A is the
        identity get no share (nothing to decrypt).

        Misuse: only ever decrypt group sums recomputed from the board by
        the rule of §12, never a single ballot's ciphertext: t trustees who
        do break that ballot's secrecy. A trustee's device should check the
        sums against the board (spec §12.4) before it answers.
        """
        if self._key_share is None:
            raise ProtocolError("the ceremony is not over for this trustee")
        if election.parameters.digest() != self.h_k:
            raise ProtocolError("the election uses another ceremony")
        vk = election.verification_keys[self.index - 1]
        groups: list[jf.JSON] = []
        by_contest: dict[str, list[jf.JSON]] = {}
        current: str | None = None
        for group_id, contest_id, option_id, ct in read_sums(election, sums):
            if group_id != current:
                by_contest = {}
                groups.append({"group_id": group_id, "contests": by_contest})
                current = group_id
            entry: dict[str, jf.JSON] = {"option_id": option_id}
            if not ct.alpha.is_identity():
                p = partial_decrypt(
                    election.election_hash,
                    self.index,
                    self._key_share,
                    vk,
                    ct,
                    group_id,
                    contest_id,
                    option_id,
                )
                entry["share"] = p.share.hex()
                entry["proof"] = {"c": p.proof.c.hex(), "v": p.proof.v.hex()}
            by_contest.setdefault(contest_id, []).append(entry)
        for g in groups:
            g["contests"] = [
                {"contest_id": c, "options": opts} for c, opts in g["contests"].items()
            ]
        return {"trustee": self.index, "groups": groups}


def read_sums(election: Election, sums: jf.JSON) -> list[tuple[str, str, str, Ciphertext]]:
    """Decode group sums JSON (see :meth:`Trustee.decrypt_sums`): (group, contest, option, sum)."""
    o = jf.obj(sums, "sums", ("groups",))
    manifest = election.manifest
    gf = jf.join("sums", "groups")
    out = []
    seen: set[str] = set()
    for gi, gitem in enumerate(jf.array(o["groups"], gf)):
        gp = jf.join(gf, gi)
        g = jf.obj(gitem, gp, ("group_id", "contests"))
        group_id = jf.text(g["group_id"], jf.join(gp, "group_id"))
        if not ID_PATTERN.fullmatch(group_id) or group_id in seen:
            raise DecodingError("a node id, once", jf.join(gp, "group_id"))
        seen.add(group_id)
        cf = jf.join(gp, "contests")
        items = jf.array(g["contests"], cf, len(manifest.contests))
        for ci, (contest, item) in enumerate(zip(manifest.contests, items, strict=True)):
            f = jf.join(cf, ci)
            c = jf.obj(item, f, ("contest_id", "options"))
            if c["contest_id"] != contest.contest_id:
                raise DecodingError(f"must be {contest.contest_id!r}", jf.join(f, "contest_id"))
            of = jf.join(f, "options")
            options = jf.array(c["options"], of, len(contest.options))
            for oi, (option, oitem) in enumerate(zip(contest.options, options, strict=True)):
                h = jf.join(of, oi)
                op = jf.obj(oitem, h, ("option_id", "alpha", "beta"))
                if op["option_id"] != option.option_id:
                    raise DecodingError(f"must be {option.option_id!r}", jf.join(h, "option_id"))
                ct = Ciphertext(
                    jf.point(op["alpha"], jf.join(h, "alpha"), allow_identity=True),
                    jf.point(op["beta"], jf.join(h, "beta"), allow_identity=True),
                )
                out.append((group_id, contest.contest_id, option.option_id, ct))
    return out


@dataclass(frozen=True, slots=True)
class TrusteePartials:
    """A trustee's checked partial decryptions of the group sums."""

    trustee: int
    partials: tuple[PartialDecryption | None, ...]
    """One per group and option, groups in the given order, options in manifest
    order; ``None`` where A is the identity."""


def check_partial_decryptions(
    election: Election, sums: jf.JSON, value: jf.JSON, *, sender: int
) -> TrusteePartials:
    """Decode and verify what :meth:`Trustee.decrypt_sums` returned (spec §7.2).

    Raises :class:`DecodingError` or :class:`VerificationError`: the server
    refuses the message.
    """
    cts = read_sums(election, sums)
    o = jf.obj(value, "", ("trustee", "groups"))
    trustee = jf.integer(o["trustee"], "trustee", 1, election.parameters.trustee_count)
    if trustee != sender:
        raise VerificationError(f"the sender is trustee {sender}", "trustee")
    vk = election.verification_keys[trustee - 1]
    flat: list[tuple[jf.FieldPath, str, jf.JSON]] = []
    group_ids = list(dict.fromkeys(g for g, _, _, _ in cts))
    gf = "groups"
    for gi, gitem in enumerate(jf.array(o["groups"], gf, len(group_ids))):
        gp = jf.join(gf, gi)
        g = jf.obj(gitem, gp, ("group_id", "contests"))
        if g["group_id"] != group_ids[gi]:
            raise DecodingError(f"must be {group_ids[gi]!r}", jf.join(gp, "group_id"))
        cf = jf.join(gp, "contests")
        for ci, item in enumerate(jf.array(g["contests"], cf, len(election.manifest.contests))):
            f = jf.join(cf, ci)
            c = jf.obj(item, f, ("contest_id", "options"))
            of = jf.join(f, "options")
            contest = election.manifest.contests[ci]
            if c["contest_id"] != contest.contest_id:
                raise DecodingError(f"must be {contest.contest_id!r}", jf.join(f, "contest_id"))
            for oi, opt in enumerate(jf.array(c["options"], of, len(contest.options))):
                flat.append((jf.join(of, oi), group_ids[gi], opt))
    partials: list[PartialDecryption | None] = []
    for (path, _, opt), (group_id, contest_id, option_id, ct) in zip(flat, cts, strict=True):
        if ct.alpha.is_identity():
            jf.obj(opt, path, ("option_id",))
            partials.append(None)
            continue
        op = jf.obj(opt, path, ("option_id", "share", "proof"))
        if op["option_id"] != option_id:
            raise DecodingError(f"must be {option_id!r}", jf.join(path, "option_id"))
        pf = jf.join(path, "proof")
        proof = jf.obj(op["proof"], pf, ("c", "v"))
        partial = PartialDecryption(
            trustee,
            jf.point(op["share"], jf.join(path, "share"), allow_identity=True),
            DLEQProof(
                jf.scalar(proof["c"], jf.join(pf, "c")), jf.scalar(proof["v"], jf.join(pf, "v"))
            ),
        )
        if not verify_partial(
            election.election_hash, vk, ct, group_id, contest_id, option_id, partial
        ):
            raise VerificationError("the partial decryption proof fails", render_path(path))
        partials.append(partial)
    return TrusteePartials(trustee, tuple(partials))


Sent = Announcement | Reveal | Response


def dropped_messages(
    sent: Iterable[Sent], published: Iterable[Sent | MalformedReveal]
) -> tuple[Sent, ...]:
    """The messages a trustee sent that the board does not show as sent (spec §6.8).

    A relay cannot forge a trustee's messages but can drop them (the trustee
    then looks absent, or its complaint counts as none). The trustee's device
    runs this on each round's published messages and tells the trustee, who
    says so in public, if anything comes back.
    """
    shown = list(published)
    return tuple(m for m in sent if m not in shown)


def run_ceremony(
    trustees: Sequence[Trustee], *, silent: Iterable[int] = ()
) -> tuple[Transcript, Outcome]:
    """All rounds among in-process trustees (simulation and tests).

    Trustees listed in ``silent`` send nothing at all: the transcript holds
    only the messages of the others, as a server would record them.
    """
    quiet = set(silent)
    active = [tr for tr in trustees if tr.index not in quiet]
    announcements = tuple(tr.announce() for tr in active)
    reveals = tuple(tr.reveal() for tr in active)
    responses = [r for tr in active for r in tr.respond(reveals)]
    transcript = Transcript.collect(announcements, reveals, responses)
    return transcript, evaluate_transcript(trustees[0].parameters, transcript)
