"""The homomorphic tally and its decryption (spec §7).

The tally of an option is the component-wise sum of its ciphertexts over the
counted ballots: the last ballot cast with each credential. Its decryption is
published with every partial decryption and its proof, so anyone can check
the count without trusting the trustees.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from secret_ballot import jsonfields as jf
from secret_ballot.ballot import Ballot
from secret_ballot.chaum_pedersen import DLEQProof
from secret_ballot.decryption import PartialDecryption, combine, partial_decrypt, verify_partial
from secret_ballot.dlog import discrete_log
from secret_ballot.election import Election
from secret_ballot.elgamal import Ciphertext
from secret_ballot.errors import DecodingError, NotEnoughTrustees, VerificationError
from secret_ballot.group import PointAccumulator, Scalar, small_base_mul
from secret_ballot.hash import Digest
from secret_ballot.manifest import Manifest

OptionKey = tuple[str, str]
"""(contest id, option id)."""


class TallyAccumulator:
    """Running homomorphic sums, one per option, in manifest order (spec §7.1)."""

    def __init__(self, manifest: Manifest) -> None:
        self.keys: list[OptionKey] = [
            (c.contest_id, o.option_id) for c in manifest.contests for o in c.options
        ]
        self._alpha = [PointAccumulator() for _ in self.keys]
        self._beta = [PointAccumulator() for _ in self.keys]

    def add(self, ballot: Ballot) -> None:
        k = 0
        alpha, beta = self._alpha, self._beta
        for contest in ballot.contests:
            for option in contest.options:
                alpha[k].add(option.ciphertext.alpha)
                beta[k].add(option.ciphertext.beta)
                k += 1

    def add_sums(self, sums: Sequence[Ciphertext]) -> None:
        for k, ct in enumerate(sums):
            self._alpha[k].add(ct.alpha)
            self._beta[k].add(ct.beta)

    def sums(self) -> list[Ciphertext]:
        return [
            Ciphertext(a.value(), b.value()) for a, b in zip(self._alpha, self._beta, strict=True)
        ]


@dataclass(frozen=True, slots=True)
class OptionResult:
    option_id: str
    ciphertext: Ciphertext
    """(A, B) in the spec: the sum over counted ballots."""
    partials: tuple[PartialDecryption, ...]
    count: int
    """m in the spec: B - sum λ_i·M_i = m·G."""


@dataclass(frozen=True, slots=True)
class ContestResult:
    contest_id: str
    options: tuple[OptionResult, ...]


@dataclass(frozen=True, slots=True)
class Tally:
    """The published result (spec §8.6)."""

    ballots_cast: int
    """Lines of the board (cast ballots, superseded ones included)."""
    ballots_counted: int
    """Distinct credentials that cast: only each one's last ballot counts."""
    final_tracker: Digest
    """The tracker of the last line of the board (T_0 if it is empty)."""
    trustees: tuple[int, ...]
    """The trustees whose partial decryptions were combined."""
    contests: tuple[ContestResult, ...]


def decrypt_tally(
    election: Election,
    sums: Sequence[Ciphertext],
    key_shares: Mapping[int, Scalar],
    *,
    ballots_cast: int,
    ballots_counted: int,
    final_tracker: Digest,
) -> Tally:
    """Decrypt the per-option sums with the trustees present (spec §7.2-7.4).

    Raises :class:`NotEnoughTrustees` when fewer than t key shares are given.
    """
    t = election.parameters.threshold
    present = sorted(key_shares)
    if len(present) < t:
        raise NotEnoughTrustees(f"{len(present)} trustee(s) present, the threshold is {t}")
    h_e = election.election_hash
    vks = election.verification_keys
    contests = []
    k = 0
    for contest in election.manifest.contests:
        bound = ballots_counted * contest.option_max
        options = []
        for option in contest.options:
            ct = sums[k]
            k += 1
            if ct.alpha.is_identity():
                # Nothing was counted: B is m·G with nothing to decrypt.
                options.append(OptionResult(option.option_id, ct, (), discrete_log(ct.beta, 0)))
                continue
            partials = tuple(
                partial_decrypt(
                    h_e, i, key_shares[i], vks[i - 1], ct, contest.contest_id, option.option_id
                )
                for i in present
            )
            m = discrete_log(combine(ct, partials, t), bound)
            options.append(OptionResult(option.option_id, ct, partials, m))
        contests.append(ContestResult(contest.contest_id, tuple(options)))
    return Tally(ballots_cast, ballots_counted, final_tracker, tuple(present), tuple(contests))


def check_tally(
    election: Election, tally: Tally, sums: Sequence[Ciphertext]
) -> list[VerificationError]:
    """Every check of spec §9 steps 10 and 11 on a decoded tally, given the recomputed sums."""
    errors: list[VerificationError] = []
    params = election.parameters
    t = params.threshold
    h_e = election.election_hash
    trustees = tally.trustees
    if len(trustees) < t:
        errors.append(
            VerificationError(f"only {len(trustees)} trustee(s), t = {t}", "tally.trustees")
        )
    if list(trustees) != sorted(set(trustees)) or any(
        not 1 <= i <= params.trustee_count for i in trustees
    ):
        errors.append(
            VerificationError("trustee indices must be distinct, sorted, in 1..n", "tally.trustees")
        )
        return errors
    k = 0
    for ci, (cr, contest) in enumerate(
        zip(tally.contests, election.manifest.contests, strict=True)
    ):
        for oi, (opt, option) in enumerate(zip(cr.options, contest.options, strict=True)):
            f = f"tally.contests[{ci}].options[{oi}]"
            expected = sums[k]
            k += 1
            if opt.ciphertext != expected:
                errors.append(
                    VerificationError(
                        "not the homomorphic sum of the counted ballots", f"{f}.ciphertext"
                    )
                )
                continue
            if opt.ciphertext.alpha.is_identity():
                if opt.partials or opt.ciphertext.beta != small_base_mul(opt.count):
                    errors.append(VerificationError("an empty sum decrypts to 0", f))
                continue
            if [p.trustee for p in opt.partials] != list(trustees):
                errors.append(
                    VerificationError("one partial per listed trustee, in order", f"{f}.partials")
                )
                continue
            bad = False
            for pi, p in enumerate(opt.partials):
                vk = election.verification_keys[p.trustee - 1]
                if not verify_partial(
                    h_e, vk, opt.ciphertext, contest.contest_id, option.option_id, p
                ):
                    errors.append(
                        VerificationError("DLEQ proof does not verify", f"{f}.partials[{pi}]")
                    )
                    bad = True
            if bad:
                continue
            if opt.count > tally.ballots_counted * contest.option_max:
                errors.append(VerificationError("count exceeds counted ballots × L", f"{f}.count"))
                continue
            try:
                plain = combine(opt.ciphertext, opt.partials, t)
            except NotEnoughTrustees as exc:
                errors.append(VerificationError(str(exc), f"{f}.partials"))
                continue
            if plain != small_base_mul(opt.count):
                errors.append(VerificationError("decryption does not equal count·G", f"{f}.count"))
    return errors


# --- JSON encoding (spec §8.6) -------------------------------------------------


def tally_to_json(tally: Tally) -> jf.JSON:
    return {
        "ballots_cast": tally.ballots_cast,
        "ballots_counted": tally.ballots_counted,
        "final_tracker": tally.final_tracker.hex(),
        "trustees": list(tally.trustees),
        "contests": [
            {
                "contest_id": c.contest_id,
                "options": [
                    {
                        "option_id": o.option_id,
                        "alpha": o.ciphertext.alpha.hex(),
                        "beta": o.ciphertext.beta.hex(),
                        "count": o.count,
                        "partials": [
                            {
                                "trustee": p.trustee,
                                "share": p.share.hex(),
                                "proof": {"c": p.proof.c.hex(), "v": p.proof.v.hex()},
                            }
                            for p in o.partials
                        ],
                    }
                    for o in c.options
                ],
            }
            for c in tally.contests
        ],
    }


def tally_from_json(value: jf.JSON, manifest: Manifest, field: jf.FieldPath = "tally") -> Tally:
    keys = ("ballots_cast", "ballots_counted", "final_tracker", "trustees", "contests")
    o = jf.obj(value, field, keys)
    tf = jf.join(field, "trustees")
    trustees = tuple(
        jf.integer(x, jf.join(tf, i), 1, 255) for i, x in enumerate(jf.array(o["trustees"], tf))
    )
    cf = jf.join(field, "contests")
    contests = []
    for ci, (item, contest) in enumerate(
        zip(jf.array(o["contests"], cf, len(manifest.contests)), manifest.contests, strict=True)
    ):
        f = jf.join(cf, ci)
        c = jf.obj(item, f, ("contest_id", "options"))
        if c["contest_id"] != contest.contest_id:
            raise DecodingError("contest id differs from the manifest", jf.join(f, "contest_id"))
        of = jf.join(f, "options")
        options = []
        for oi, (oitem, option) in enumerate(
            zip(jf.array(c["options"], of, len(contest.options)), contest.options, strict=True)
        ):
            g = jf.join(of, oi)
            oo = jf.obj(oitem, g, ("option_id", "alpha", "beta", "count", "partials"))
            if oo["option_id"] != option.option_id:
                raise DecodingError("option id differs from the manifest", jf.join(g, "option_id"))
            # A tally of zero ballots is the identity, so it is allowed here.
            ct = Ciphertext(
                jf.point(oo["alpha"], jf.join(g, "alpha"), allow_identity=True),
                jf.point(oo["beta"], jf.join(g, "beta"), allow_identity=True),
            )
            pf = jf.join(g, "partials")
            partials = []
            for pi, pitem in enumerate(jf.array(oo["partials"], pf)):
                h = jf.join(pf, pi)
                p = jf.obj(pitem, h, ("trustee", "share", "proof"))
                pr = jf.obj(p["proof"], jf.join(h, "proof"), ("c", "v"))
                partials.append(
                    PartialDecryption(
                        jf.integer(p["trustee"], jf.join(h, "trustee"), 1, 255),
                        jf.point(p["share"], jf.join(h, "share"), allow_identity=True),
                        DLEQProof(
                            jf.scalar(pr["c"], jf.join(h, "proof.c")),
                            jf.scalar(pr["v"], jf.join(h, "proof.v")),
                        ),
                    )
                )
            options.append(
                OptionResult(
                    option.option_id,
                    ct,
                    tuple(partials),
                    jf.integer(oo["count"], jf.join(g, "count")),
                )
            )
        contests.append(ContestResult(contest.contest_id, tuple(options)))
    return Tally(
        jf.integer(o["ballots_cast"], jf.join(field, "ballots_cast")),
        jf.integer(o["ballots_counted"], jf.join(field, "ballots_counted")),
        jf.digest(o["final_tracker"], jf.join(field, "final_tracker")),
        trustees,
        tuple(contests),
    )
