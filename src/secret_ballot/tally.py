"""The homomorphic tally, its grouped decryption and the roll-up (spec §7, §8.6, §12).

The tally of an option is the component-wise sum of its ciphertexts over the
counted ballots: the last ballot cast with each credential. Counted ballots
are summed per committee; committees with too few counted ballots are merged
into their parent's group (committees.py), and only group sums are
decrypted, each with every partial decryption and its proof, so anyone can
check every count without trusting the trustees. The overall counts and the
totals of every zone, region and assembly are sums of group counts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from secret_ballot import jsonfields as jf
from secret_ballot.ballot import Ballot
from secret_ballot.chaum_pedersen import DLEQProof
from secret_ballot.committees import CommitteeTree, Grouping, Level
from secret_ballot.decryption import PartialDecryption, combine, partial_decrypt, verify_partial
from secret_ballot.dlog import discrete_log
from secret_ballot.election import Election
from secret_ballot.elgamal import Ciphertext
from secret_ballot.errors import DecodingError, NotEnoughTrustees, VerificationError
from secret_ballot.group import Point, PointAccumulator, Scalar, small_base_mul
from secret_ballot.hash import Digest
from secret_ballot.manifest import Manifest
from secret_ballot.trustee import TrusteePartials

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


class CommitteeAccumulator:
    """Running sums per committee (by tree position), created on first use (spec §9 step 10)."""

    def __init__(self, manifest: Manifest) -> None:
        self.manifest = manifest
        self._by_committee: dict[int, TallyAccumulator] = {}

    def _get(self, committee: int) -> TallyAccumulator:
        acc = self._by_committee.get(committee)
        if acc is None:
            acc = self._by_committee[committee] = TallyAccumulator(self.manifest)
        return acc

    def add(self, committee: int, ballot: Ballot) -> None:
        self._get(committee).add(ballot)

    def add_sums(self, committee: int, sums: Sequence[Ciphertext]) -> None:
        self._get(committee).add_sums(sums)

    def sums(self) -> dict[int, list[Ciphertext]]:
        return {c: acc.sums() for c, acc in self._by_committee.items()}

    def encoded(self) -> list[tuple[int, list[tuple[bytes, bytes]]]]:
        """The sums as bytes, to send from a worker process."""
        return [
            (c, [(ct.alpha.encode(), ct.beta.encode()) for ct in acc.sums()])
            for c, acc in self._by_committee.items()
        ]


def _add(a: Sequence[Ciphertext], b: Sequence[Ciphertext]) -> list[Ciphertext]:
    return [x + y for x, y in zip(a, b, strict=True)]


def group_sums(
    manifest: Manifest, grouping: Grouping, committee_sums: Mapping[int, Sequence[Ciphertext]]
) -> list[list[Ciphertext]]:
    """Each group's per-option sums: the sums of its committees (spec §12)."""
    k = sum(len(c.options) for c in manifest.contests)
    empty = [Ciphertext(Point.identity(), Point.identity())] * k
    out = []
    for group in grouping.groups:
        total = list(empty)
        for c in group.committees:
            if c in committee_sums:
                total = _add(total, committee_sums[c])
        out.append(total)
    return out


@dataclass(frozen=True, slots=True)
class OptionResult:
    option_id: str
    ciphertext: Ciphertext
    """(A, B) in the spec: the sum over the counted ballots concerned."""
    partials: tuple[PartialDecryption, ...]
    """Empty for the overall result, which is not decrypted but summed."""
    count: int
    """m in the spec: B - sum λ_i·M_i = m·G."""


@dataclass(frozen=True, slots=True)
class ContestResult:
    contest_id: str
    options: tuple[OptionResult, ...]


@dataclass(frozen=True, slots=True)
class GroupResult:
    """One decrypted subtotal (spec §8.6, §12)."""

    group_id: str
    """The id of the group's standing node."""
    ballots: int
    committees: tuple[tuple[str, int], ...]
    """(committee id, counted ballots) of each committee in the group, in tree order."""
    contests: tuple[ContestResult, ...]


@dataclass(frozen=True, slots=True)
class NodeTotal:
    """The pooled total of a zone, region or assembly: the groups standing beneath it."""

    node_id: str
    ballots: int
    counts: tuple[tuple[int, ...], ...]
    """Per contest, per option, in manifest order."""


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
    """Overall sums and counts: the sums of the groups' (no partials)."""
    groups: tuple[GroupResult, ...]
    totals: tuple[NodeTotal, ...]
    """One per node of the tree that is not a committee, in tree order."""


def decrypt_group(
    election: Election,
    group_id: str,
    sums: Sequence[Ciphertext],
    key_shares: Mapping[int, Scalar],
    present: Sequence[int],
    ballots: int,
) -> tuple[ContestResult, ...]:
    """Decrypt one group's per-option sums with the trustees ``present`` (spec §7.2-7.4, §12).

    ``ballots`` bounds the search for each count (ballots × L).
    """
    h_e = election.election_hash
    vks = election.verification_keys
    t = election.parameters.threshold
    contests = []
    k = 0
    for contest in election.manifest.contests:
        bound = ballots * contest.option_max
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
                    h_e,
                    i,
                    key_shares[i],
                    vks[i - 1],
                    ct,
                    group_id,
                    contest.contest_id,
                    option.option_id,
                )
                for i in present
            )
            m = discrete_log(combine(ct, partials, t), bound)
            options.append(OptionResult(option.option_id, ct, partials, m))
        contests.append(ContestResult(contest.contest_id, tuple(options)))
    return tuple(contests)


def _roll_up(
    election: Election,
    tree: CommitteeTree,
    grouping: Grouping,
    groups: Sequence[GroupResult],
) -> tuple[tuple[ContestResult, ...], tuple[NodeTotal, ...]]:
    """The overall result (summed sums and counts) and every non-committee node's total."""
    manifest = election.manifest
    overall = []
    for ci, contest in enumerate(manifest.contests):
        options = []
        for oi, option in enumerate(contest.options):
            ct = Ciphertext(Point.identity(), Point.identity())
            count = 0
            for g in groups:
                o = g.contests[ci].options[oi]
                ct = ct + o.ciphertext
                count += o.count
            options.append(OptionResult(option.option_id, ct, (), count))
        overall.append(ContestResult(contest.contest_id, tuple(options)))
    # Bottom-up, children before parents (the reverse of the list order): each
    # node's total is its own group's plus its children's, in O(nodes × options).
    parents = tree.parents
    own = {g.node: gr for g, gr in zip(grouping.groups, groups, strict=True)}
    pending: dict[int, tuple[int, list[int]]] = {}
    found: list[NodeTotal] = []
    for i in range(len(tree.nodes) - 1, -1, -1):
        ballots, counts = pending.pop(i, (0, []))
        gr = own.get(i)
        if gr is not None:
            flat = [o.count for c in gr.contests for o in c.options]
            counts = [a + b for a, b in zip(counts, flat, strict=True)] if counts else flat
            ballots += gr.ballots
        node = tree.nodes[i]
        if node.level is not Level.COMMITTEE:
            found.append(NodeTotal(node.node_id, ballots, _per_contest(manifest, counts)))
        if counts and parents[i] >= 0:
            above, above_counts = pending.get(parents[i], (0, []))
            if above_counts:
                counts = [a + b for a, b in zip(above_counts, counts, strict=True)]
            pending[parents[i]] = (above + ballots, counts)
    totals = found[::-1]
    return tuple(overall), tuple(totals)


def _per_contest(manifest: Manifest, flat: Sequence[int]) -> tuple[tuple[int, ...], ...]:
    out = []
    k = 0
    for contest in manifest.contests:
        n = len(contest.options)
        out.append(tuple(flat[k : k + n]) if flat else (0,) * n)
        k += n
    return tuple(out)


def committee_ballots(tree: CommitteeTree, counted: Mapping[int, int]) -> list[int]:
    """Counted ballots per node position from counts per committee position."""
    ballots = [0] * len(tree.nodes)
    for c, n in counted.items():
        ballots[c] = n
    return ballots


def decrypt_tally(
    election: Election,
    tree: CommitteeTree,
    committee_sums: Mapping[int, Sequence[Ciphertext]],
    counted: Mapping[int, int],
    key_shares: Mapping[int, Scalar],
    *,
    ballots_cast: int,
    final_tracker: Digest,
) -> Tally:
    """Group, decrypt each group's sums with the trustees present, roll up (spec §7, §12).

    ``committee_sums`` and ``counted`` hold, per committee position in
    ``tree``, the sums of its counted ballots and their number. Raises
    :class:`NotEnoughTrustees` when fewer than t key shares are given.
    """
    t = election.parameters.threshold
    present = sorted(key_shares)
    if len(present) < t:
        raise NotEnoughTrustees(f"{len(present)} trustee(s) present, the threshold is {t}")
    grouping = tree.grouping(committee_ballots(tree, counted))
    sums = group_sums(election.manifest, grouping, committee_sums)
    groups = []
    for group, gsums in zip(grouping.groups, sums, strict=True):
        group_id = tree.nodes[group.node].node_id
        contests = decrypt_group(election, group_id, gsums, key_shares, present, group.ballots)
        committees = tuple((tree.nodes[c].node_id, counted.get(c, 0)) for c in group.committees)
        groups.append(GroupResult(group_id, group.ballots, committees, contests))
    overall, totals = _roll_up(election, tree, grouping, groups)
    return Tally(
        ballots_cast,
        sum(counted.values()),
        final_tracker,
        tuple(present),
        overall,
        tuple(groups),
        totals,
    )


def group_sums_request(
    election: Election,
    tree: CommitteeTree,
    committee_sums: Mapping[int, Sequence[Ciphertext]],
    counted: Mapping[int, int],
) -> jf.JSON:
    """The group sums to hand to every trustee (spec §7.2, §12), as JSON.

    ``committee_sums`` and ``counted`` as for :func:`decrypt_tally`. A
    trustee's device computes the same from the board before it answers
    (spec §12.4): the request must be equal.
    """
    grouping = tree.grouping(committee_ballots(tree, counted))
    sums = group_sums(election.manifest, grouping, committee_sums)
    groups = []
    for group, gsums in zip(grouping.groups, sums, strict=True):
        contests = []
        k = 0
        for contest in election.manifest.contests:
            options = []
            for option in contest.options:
                ct = gsums[k]
                k += 1
                options.append(
                    {
                        "option_id": option.option_id,
                        "alpha": ct.alpha.hex(),
                        "beta": ct.beta.hex(),
                    }
                )
            contests.append({"contest_id": contest.contest_id, "options": options})
        groups.append({"group_id": tree.nodes[group.node].node_id, "contests": contests})
    return {"groups": groups}


def combine_answers(
    election: Election,
    tree: CommitteeTree,
    committee_sums: Mapping[int, Sequence[Ciphertext]],
    counted: Mapping[int, int],
    answers: Sequence[TrusteePartials],
    *,
    ballots_cast: int,
    final_tracker: Digest,
) -> Tally:
    """The tally from the trustees' answers to :func:`group_sums_request` (spec §7.3, §12).

    Preconditions: each answer was accepted by
    :func:`~secret_ballot.trustee.check_partial_decryptions` against that
    request. Raises :class:`NotEnoughTrustees` when fewer than t answered.
    """
    t = election.parameters.threshold
    by_trustee = {a.trustee: a for a in answers}
    present = sorted(by_trustee)
    if len(present) != len(answers):
        raise ValueError("a trustee answered twice")
    if len(present) < t:
        raise NotEnoughTrustees(f"{len(present)} trustee(s) answered, the threshold is {t}")
    grouping = tree.grouping(committee_ballots(tree, counted))
    sums = group_sums(election.manifest, grouping, committee_sums)
    groups = []
    k = 0
    for group, gsums in zip(grouping.groups, sums, strict=True):
        contests = []
        j = 0
        for contest in election.manifest.contests:
            bound = group.ballots * contest.option_max
            options = []
            for option in contest.options:
                ct = gsums[j]
                j += 1
                found = [by_trustee[i].partials[k] for i in present]
                k += 1
                if ct.alpha.is_identity():
                    options.append(OptionResult(option.option_id, ct, (), discrete_log(ct.beta, 0)))
                    continue
                partials = tuple(p for p in found if p is not None)
                if len(partials) != len(present):
                    raise ValueError("an answer lacks a partial decryption")
                m = discrete_log(combine(ct, partials, t), bound)
                options.append(OptionResult(option.option_id, ct, partials, m))
            contests.append(ContestResult(contest.contest_id, tuple(options)))
        group_id = tree.nodes[group.node].node_id
        committees = tuple((tree.nodes[c].node_id, counted.get(c, 0)) for c in group.committees)
        groups.append(GroupResult(group_id, group.ballots, committees, tuple(contests)))
    overall, totals = _roll_up(election, tree, grouping, groups)
    return Tally(
        ballots_cast,
        sum(counted.values()),
        final_tracker,
        tuple(present),
        overall,
        tuple(groups),
        totals,
    )


def _check_group(
    election: Election,
    tally: Tally,
    gi: int,
    group: GroupResult,
    expected: Sequence[Ciphertext],
    errors: list[VerificationError],
) -> None:
    t = election.parameters.threshold
    h_e = election.election_hash
    k = 0
    for ci, (cr, contest) in enumerate(
        zip(group.contests, election.manifest.contests, strict=True)
    ):
        for oi, (opt, option) in enumerate(zip(cr.options, contest.options, strict=True)):
            f = f"tally.groups[{gi}].contests[{ci}].options[{oi}]"
            ct = expected[k]
            k += 1
            if opt.ciphertext != ct:
                errors.append(
                    VerificationError(
                        "not the homomorphic sum of the group's counted ballots", f"{f}.ciphertext"
                    )
                )
                continue
            if ct.alpha.is_identity():
                if opt.partials or ct.beta != small_base_mul(opt.count):
                    errors.append(VerificationError("an empty sum decrypts to 0", f))
                continue
            if [p.trustee for p in opt.partials] != list(tally.trustees):
                errors.append(
                    VerificationError("one partial per listed trustee, in order", f"{f}.partials")
                )
                continue
            bad = False
            for pi, p in enumerate(opt.partials):
                vk = election.verification_keys[p.trustee - 1]
                if not verify_partial(
                    h_e, vk, ct, group.group_id, contest.contest_id, option.option_id, p
                ):
                    errors.append(
                        VerificationError("DLEQ proof does not verify", f"{f}.partials[{pi}]")
                    )
                    bad = True
            if bad:
                continue
            if opt.count > group.ballots * contest.option_max:
                errors.append(
                    VerificationError("count exceeds the group's ballots × L", f"{f}.count")
                )
                continue
            try:
                plain = combine(ct, opt.partials, t)
            except NotEnoughTrustees as exc:
                errors.append(VerificationError(str(exc), f"{f}.partials"))
                continue
            if plain != small_base_mul(opt.count):
                errors.append(VerificationError("decryption does not equal count·G", f"{f}.count"))


def check_tally(
    election: Election,
    tree: CommitteeTree,
    tally: Tally,
    committee_sums: Mapping[int, Sequence[Ciphertext]],
    counted: Mapping[int, int],
) -> list[VerificationError]:
    """Every check of spec §9 steps 11 to 13 on a decoded tally.

    ``committee_sums`` and ``counted`` are recomputed from the board: per
    committee position, the sums of its counted ballots and their number.
    """
    errors: list[VerificationError] = []
    params = election.parameters
    t = params.threshold
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
    grouping = tree.grouping(committee_ballots(tree, counted))
    expected_ids = [tree.nodes[g.node].node_id for g in grouping.groups]
    if [g.group_id for g in tally.groups] != expected_ids:
        errors.append(
            VerificationError(
                f"the grouping of §12 gives the groups {expected_ids}", "tally.groups"
            )
        )
        return errors
    sums = group_sums(election.manifest, grouping, committee_sums)
    for gi, (group, expected, gsums) in enumerate(
        zip(tally.groups, grouping.groups, sums, strict=True)
    ):
        f = f"tally.groups[{gi}]"
        committees = tuple((tree.nodes[c].node_id, counted.get(c, 0)) for c in expected.committees)
        if group.committees != committees:
            errors.append(
                VerificationError(
                    "not the committees merged into this group with their counted ballots",
                    f"{f}.committees",
                )
            )
        if group.ballots != expected.ballots:
            errors.append(
                VerificationError(f"the group holds {expected.ballots} counted ballots", f)
            )
            continue
        _check_group(election, tally, gi, group, gsums, errors)
    if errors:
        return errors
    overall, totals = _roll_up(election, tree, grouping, tally.groups)
    for ci, (cr, expected_c) in enumerate(zip(tally.contests, overall, strict=True)):
        for oi, (opt, exp) in enumerate(zip(cr.options, expected_c.options, strict=True)):
            f = f"tally.contests[{ci}].options[{oi}]"
            if opt.ciphertext != exp.ciphertext:
                errors.append(
                    VerificationError("not the sum of the counted ballots", f"{f}.ciphertext")
                )
            if opt.count != exp.count:
                errors.append(
                    VerificationError(f"the groups' counts add up to {exp.count}", f"{f}.count")
                )
    if len(tally.totals) != len(totals):
        errors.append(
            VerificationError(
                f"one total per node that is not a committee ({len(totals)})", "tally.totals"
            )
        )
        return errors
    for ni, (got, exp_t) in enumerate(zip(tally.totals, totals, strict=True)):
        f = f"tally.totals[{ni}]"
        if got.node_id != exp_t.node_id:
            errors.append(VerificationError(f"must be {exp_t.node_id!r}", f"{f}.node_id"))
        elif got.ballots != exp_t.ballots or got.counts != exp_t.counts:
            errors.append(
                VerificationError("not the sum of the groups standing beneath this node", f)
            )
    return errors


# --- JSON encoding (spec §8.6) -------------------------------------------------


def _partial_json(p: PartialDecryption) -> jf.JSON:
    return {
        "trustee": p.trustee,
        "share": p.share.hex(),
        "proof": {"c": p.proof.c.hex(), "v": p.proof.v.hex()},
    }


def _contests_json(contests: Sequence[ContestResult], *, partials: bool) -> jf.JSON:
    out = []
    for c in contests:
        options = []
        for o in c.options:
            item: dict[str, jf.JSON] = {
                "option_id": o.option_id,
                "alpha": o.ciphertext.alpha.hex(),
                "beta": o.ciphertext.beta.hex(),
                "count": o.count,
            }
            if partials:
                item["partials"] = [_partial_json(p) for p in o.partials]
            options.append(item)
        out.append({"contest_id": c.contest_id, "options": options})
    return out


def tally_to_json(tally: Tally) -> jf.JSON:
    return {
        "ballots_cast": tally.ballots_cast,
        "ballots_counted": tally.ballots_counted,
        "final_tracker": tally.final_tracker.hex(),
        "trustees": list(tally.trustees),
        "contests": _contests_json(tally.contests, partials=False),
        "groups": [
            {
                "group_id": g.group_id,
                "ballots": g.ballots,
                "committees": [{"committee_id": c, "ballots": n} for c, n in g.committees],
                "contests": _contests_json(g.contests, partials=True),
            }
            for g in tally.groups
        ],
        "totals": [
            {
                "node_id": t.node_id,
                "ballots": t.ballots,
                "counts": [list(c) for c in t.counts],
            }
            for t in tally.totals
        ],
    }


def _contests_from_json(
    value: jf.JSON, manifest: Manifest, cf: jf.FieldPath, *, partials: bool
) -> tuple[ContestResult, ...]:
    contests = []
    for ci, (item, contest) in enumerate(
        zip(jf.array(value, cf, len(manifest.contests)), manifest.contests, strict=True)
    ):
        f = jf.join(cf, ci)
        c = jf.obj(item, f, ("contest_id", "options"))
        if c["contest_id"] != contest.contest_id:
            raise DecodingError("contest id differs from the manifest", jf.join(f, "contest_id"))
        of = jf.join(f, "options")
        options = []
        keys = ("option_id", "alpha", "beta", "count") + (("partials",) if partials else ())
        for oi, (oitem, option) in enumerate(
            zip(jf.array(c["options"], of, len(contest.options)), contest.options, strict=True)
        ):
            g = jf.join(of, oi)
            oo = jf.obj(oitem, g, keys)
            if oo["option_id"] != option.option_id:
                raise DecodingError("option id differs from the manifest", jf.join(g, "option_id"))
            # A sum of zero ballots is the identity, so it is allowed here.
            ct = Ciphertext(
                jf.point(oo["alpha"], jf.join(g, "alpha"), allow_identity=True),
                jf.point(oo["beta"], jf.join(g, "beta"), allow_identity=True),
            )
            found = []
            if partials:
                pf = jf.join(g, "partials")
                for pi, pitem in enumerate(jf.array(oo["partials"], pf)):
                    h = jf.join(pf, pi)
                    p = jf.obj(pitem, h, ("trustee", "share", "proof"))
                    pr = jf.obj(p["proof"], jf.join(h, "proof"), ("c", "v"))
                    found.append(
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
                    tuple(found),
                    jf.integer(oo["count"], jf.join(g, "count")),
                )
            )
        contests.append(ContestResult(contest.contest_id, tuple(options)))
    return tuple(contests)


def tally_from_json(value: jf.JSON, manifest: Manifest, field: jf.FieldPath = "tally") -> Tally:
    keys = (
        "ballots_cast",
        "ballots_counted",
        "final_tracker",
        "trustees",
        "contests",
        "groups",
        "totals",
    )
    o = jf.obj(value, field, keys)
    tf = jf.join(field, "trustees")
    trustees = tuple(
        jf.integer(x, jf.join(tf, i), 1, 255) for i, x in enumerate(jf.array(o["trustees"], tf))
    )
    contests = _contests_from_json(
        o["contests"], manifest, jf.join(field, "contests"), partials=False
    )
    gf = jf.join(field, "groups")
    groups = []
    for gi, item in enumerate(jf.array(o["groups"], gf)):
        f = jf.join(gf, gi)
        g = jf.obj(item, f, ("group_id", "ballots", "committees", "contests"))
        cf = jf.join(f, "committees")
        committees = []
        for ci, citem in enumerate(jf.array(g["committees"], cf)):
            h = jf.join(cf, ci)
            c = jf.obj(citem, h, ("committee_id", "ballots"))
            committees.append(
                (
                    jf.text(c["committee_id"], jf.join(h, "committee_id")),
                    jf.integer(c["ballots"], jf.join(h, "ballots")),
                )
            )
        groups.append(
            GroupResult(
                jf.text(g["group_id"], jf.join(f, "group_id")),
                jf.integer(g["ballots"], jf.join(f, "ballots")),
                tuple(committees),
                _contests_from_json(g["contests"], manifest, jf.join(f, "contests"), partials=True),
            )
        )
    nf = jf.join(field, "totals")
    totals = []
    for ni, item in enumerate(jf.array(o["totals"], nf)):
        f = jf.join(nf, ni)
        t = jf.obj(item, f, ("node_id", "ballots", "counts"))
        kf = jf.join(f, "counts")
        counts = []
        for ci, (citem, contest) in enumerate(
            zip(jf.array(t["counts"], kf, len(manifest.contests)), manifest.contests, strict=True)
        ):
            h = jf.join(kf, ci)
            counts.append(
                tuple(
                    jf.integer(x, jf.join(h, oi))
                    for oi, x in enumerate(jf.array(citem, h, len(contest.options)))
                )
            )
        totals.append(
            NodeTotal(
                jf.text(t["node_id"], jf.join(f, "node_id")),
                jf.integer(t["ballots"], jf.join(f, "ballots")),
                tuple(counts),
            )
        )
    return Tally(
        jf.integer(o["ballots_cast"], jf.join(field, "ballots_cast")),
        jf.integer(o["ballots_counted"], jf.join(field, "ballots_counted")),
        jf.digest(o["final_tracker"], jf.join(field, "final_tracker")),
        trustees,
        contests,
        tuple(groups),
        tuple(totals),
    )
