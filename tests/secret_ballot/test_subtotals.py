"""Committee subtotals (spec §12): the grouping rule, and a server that breaks it.

The attacks are made with the trustees' real key shares, as a server that
t trustees go along with would make them: every partial decryption below is
valid for the sums it decrypts, so only the rules of §9 steps 11 to 13 stand
between the attacker and a record that verifies.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from secret_ballot.ballot import cast_from_json, tracker_start
from secret_ballot.committees import CommitteeTree, Level, Node
from secret_ballot.election import Election
from secret_ballot.elgamal import Ciphertext, encrypt
from secret_ballot.errors import DecodingError, NotEnoughTrustees
from secret_ballot.group import Point, Scalar
from secret_ballot.hash import hash_digest, hash_to_scalar
from secret_ballot.jsonfields import canonical_json
from secret_ballot.record import load_election
from secret_ballot.simulate import committee_tree, simulate
from secret_ballot.tally import (
    CommitteeAccumulator,
    Tally,
    combine_answers,
    decrypt_group,
    decrypt_tally,
    group_sums_request,
    tally_from_json,
    tally_to_json,
)
from secret_ballot.trustee import Trustee, check_partial_decryptions, run_ceremony
from secret_ballot.verify import verify_record

from .conftest import make_setup, make_tree

SEED = b"subtotals"
MINIMUM = 3


# --- the rule ------------------------------------------------------------------


def _groups(tree: CommitteeTree, ballots: dict[str, int]) -> list[tuple[str, list[str], int]]:
    ids = [n.node_id for n in tree.nodes]
    grouping = tree.grouping([ballots.get(i, 0) for i in ids])
    return [(ids[g.node], [ids[c] for c in g.committees], g.ballots) for g in grouping.groups]


def test_committees_at_the_minimum_stand_alone() -> None:
    tree = make_tree(5)
    groups = _groups(tree, {"committee-1": 5, "committee-2": 7, "committee-3": 9})
    assert groups == [
        ("assembly", [], 0),
        ("committee-1", ["committee-1"], 5),
        ("committee-2", ["committee-2"], 7),
        ("committee-3", ["committee-3"], 9),
    ]


def test_small_committees_merge_into_their_parent_which_may_then_stand() -> None:
    tree = make_tree(5)
    groups = _groups(tree, {"committee-1": 3, "committee-2": 2, "committee-3": 9})
    assert groups == [
        ("assembly", [], 0),
        ("zone-1", ["committee-1", "committee-2"], 5),
        ("committee-3", ["committee-3"], 9),
    ]


def test_merging_goes_up_repeatedly_and_the_root_is_published_whatever_its_size() -> None:
    tree = make_tree(5)
    groups = _groups(tree, {"committee-1": 1, "committee-2": 2, "committee-3": 1})
    assert groups == [("assembly", ["committee-1", "committee-2", "committee-3"], 4)]


def test_a_committee_with_no_ballot_belongs_to_its_parents_group() -> None:
    tree = make_tree(5)
    groups = _groups(tree, {"committee-1": 6})
    assert groups == [
        ("assembly", ["committee-2", "committee-3"], 0),
        ("committee-1", ["committee-1"], 6),
    ]


@pytest.mark.parametrize("minimum", [1, 2, 3, 5, 8, 100])
def test_every_committee_is_in_one_group_and_only_the_root_is_small(minimum: int) -> None:
    tree = committee_tree(minimum)
    ids = [n.node_id for n in tree.nodes]
    ballots = [(7 * i) % 5 if n.level is Level.COMMITTEE else 0 for i, n in enumerate(tree.nodes)]
    grouping = tree.grouping(ballots)
    committees = [c for g in grouping.groups for c in g.committees]
    assert sorted(committees) == [i for i, n in enumerate(tree.nodes) if n.level is Level.COMMITTEE]
    assert sum(g.ballots for g in grouping.groups) == sum(ballots)
    for g in grouping.groups:
        assert g.ballots == sum(ballots[c] for c in g.committees)
        assert g.node == 0 or g.ballots >= minimum, (ids[g.node], g.ballots)


def _tree(*nodes: tuple[str, str | None, str], minimum: int = 5) -> CommitteeTree:
    return CommitteeTree(
        tuple(Node(i, i.title(), parent, Level(level)) for i, parent, level in nodes), minimum
    )


@pytest.mark.parametrize(
    ("nodes", "needle"),
    [
        ((("a", None, "assembly"), ("b", None, "committee")), "only the first node"),
        ((("a", None, "assembly"), ("b", "c", "committee"), ("c", "a", "zone")), "before"),
        ((("a", None, "assembly"), ("b", "a", "committee"), ("c", "b", "committee")), "sit under"),
        ((("a", None, "zone"), ("b", "a", "region")), "sit under"),
        ((("a", None, "assembly"), ("a", "a", "committee")), "unique"),
        ((("a", "a", "assembly"),), "root"),
        ((("-a", None, "assembly"),), "identifier"),
    ],
)
def test_a_tree_that_breaks_the_rules_is_refused(
    nodes: tuple[tuple[str, str | None, str], ...], needle: str
) -> None:
    with pytest.raises(DecodingError, match=needle):
        _tree(*nodes)


def test_names_follow_the_text_rules_and_the_minimum_is_at_least_one() -> None:
    with pytest.raises(DecodingError, match="U\\+202E"):
        CommitteeTree((Node("a", "Lake \u202e", None, Level.ASSEMBLY),))
    with pytest.raises(DecodingError, match="minimum"):
        _tree(("a", None, "committee"), minimum=0)
    value = make_tree().to_json()
    value["nodes"][1]["level"] = "district"
    with pytest.raises(DecodingError, match=r"nodes\[1\]\.level"):
        CommitteeTree.from_json(value)


def test_the_tree_hash_binds_the_minimum_and_every_node() -> None:
    tree = make_tree(5)
    assert tree.digest() != make_tree(4).digest()
    moved = tree.to_json()
    moved["nodes"][4]["parent"] = "zone-1"
    assert CommitteeTree.from_json(moved).digest() != tree.digest()


@pytest.mark.parametrize(("ballots", "covered"), [(2, 0), (6, 6)])
def test_totals_roll_up_a_deep_chain_of_zones(ballots: int, covered: int) -> None:
    setup = make_setup(voters=1)
    election = setup.election
    depth = 400
    nodes = [Node("a", "A", None, Level.ASSEMBLY)]
    nodes += [
        Node(f"z{i}", f"Z{i}", "a" if i == 0 else f"z{i - 1}", Level.ZONE) for i in range(depth)
    ]
    nodes.append(Node("c", "C", f"z{depth - 1}", Level.COMMITTEE))
    tree = CommitteeTree(tuple(nodes), 5)
    k = sum(len(c.options) for c in election.manifest.contests)
    # One ballot's worth of 1 in every option, ``ballots`` times.
    one = [encrypt(1, Scalar(11 + j), election.joint_key) for j in range(k)]
    sums = list(one)
    for _ in range(ballots - 1):
        sums = [a + b for a, b in zip(sums, one, strict=True)]
    shares = {tr.index: tr.key_share(setup.outcome) for tr in setup.trustees[:2]}
    tally = decrypt_tally(
        election,
        tree,
        {len(nodes) - 1: sums},
        {len(nodes) - 1: ballots},
        shares,
        ballots_cast=ballots,
        final_tracker=tracker_start(election.election_hash),
    )
    assert [g.group_id for g in tally.groups] == (["a"] if covered == 0 else ["a", "c"])
    assert len(tally.totals) == depth + 1
    assert tally.totals[0].ballots == ballots
    assert {t.ballots for t in tally.totals[1:]} == {covered}
    assert tally.totals[-1].counts[0] == (covered,) * 3
    assert tally.contests[0].options[0].count == ballots


# --- records ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def record(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("subtotals") / "rec"
    simulate(
        voters=14,
        options=3,
        trustees=3,
        threshold=2,
        out=out,
        seed=SEED,
        revote_per_mille=300,
        audit_per_mille=0,
        minimum_group=MINIMUM,
    )
    return out


def _copy(record: Path, tmp_path: Path) -> Path:
    dst = tmp_path / "copy"
    shutil.copytree(record, dst)
    return dst


def _read(path: Path) -> object:
    return json.loads(path.read_bytes())


class Server:
    """The record's election with the trustees' real key shares, and the board's sums."""

    def __init__(self, record: Path) -> None:
        self.election: Election = load_election(
            *(_read(record / f) for f in ("manifest.json", "parameters.json", "election.json"))
        )
        self.tree = CommitteeTree.from_json(_read(record / "committees.json"))
        params = self.election.parameters
        members = [
            Trustee.create(
                params,
                i,
                hash_to_scalar("simulation", SEED, "communication", i),
                seed=hash_digest("simulation", SEED, "trustee", i),
            )
            for i in range(1, params.trustee_count + 1)
        ]
        _, outcome = run_ceremony(members)
        present = outcome.qualified[-params.threshold :]
        self.members = {j: members[j - 1] for j in present}
        self.shares: dict[int, Scalar] = {j: members[j - 1].key_share(outcome) for j in present}
        committee = {
            e["credential"]: self.tree.committee_position(e["committee"])
            for e in _read(record / "credentials.json")  # type: ignore[attr-defined]
        }
        last = {}
        for line in (record / "ballots.jsonl").read_text().splitlines():
            cast = cast_from_json(json.loads(line), self.election.manifest)
            last[cast.ballot.credential.hex()] = cast.ballot
        acc = CommitteeAccumulator(self.election.manifest)
        self.counted: dict[int, int] = {}
        for credential, ballot in last.items():
            c = committee[credential]
            assert c is not None
            acc.add(c, ballot)
            self.counted[c] = self.counted.get(c, 0) + 1
        self.sums: dict[int, list[Ciphertext]] = acc.sums()
        self.tally = tally_from_json(_read(record / "tally.json"), self.election.manifest)

    def decrypt(self, tree: CommitteeTree) -> Tally:
        """A tally made honestly but for ``tree`` (valid proofs throughout)."""
        return decrypt_tally(
            self.election,
            tree,
            self.sums,
            self.counted,
            self.shares,
            ballots_cast=self.tally.ballots_cast,
            final_tracker=self.tally.final_tracker,
        )


def _publish(dst: Path, tally: Tally | dict[str, object]) -> list[str]:
    value = tally if isinstance(tally, dict) else tally_to_json(tally)
    (dst / "tally.json").write_bytes(canonical_json(value))
    report = verify_record(dst)
    assert report.exit_code == 1, report.render()
    return [str(f) for f in report.failures]


def test_the_record_has_merged_and_standing_groups(record: Path) -> None:
    report = verify_record(record)
    assert report.ok, report.render()
    assert verify_record(record, jobs=2).ok
    tally = tally_to_json(Server(record).tally)
    groups = {g["group_id"]: g for g in tally["groups"]}
    assert len(groups) >= 3
    merged = [g for g in groups.values() if len(g["committees"]) > 1]
    assert merged, "some committees should be below the minimum"
    assert all(g["ballots"] >= MINIMUM for gid, g in groups.items() if gid != "assembly")
    assert any(c["ballots"] < MINIMUM for g in merged for c in g["committees"] if c["ballots"])


def test_reproduced_tally_is_the_published_one(record: Path) -> None:
    server = Server(record)
    assert server.decrypt(server.tree) == server.tally


def test_trustees_answer_the_group_request_and_the_answers_give_the_tally(record: Path) -> None:
    # The flow of a real tally: the server asks, each trustee's device
    # decrypts what it is asked, the server checks and combines.
    server = Server(record)
    request = group_sums_request(server.election, server.tree, server.sums, server.counted)
    assert [g["group_id"] for g in request["groups"]] == [g.group_id for g in server.tally.groups]
    answers = [
        check_partial_decryptions(
            server.election, request, member.decrypt_sums(server.election, request), sender=i
        )
        for i, member in server.members.items()
    ]
    tally = combine_answers(
        server.election,
        server.tree,
        server.sums,
        server.counted,
        answers,
        ballots_cast=server.tally.ballots_cast,
        final_tracker=server.tally.final_tracker,
    )
    assert tally == server.tally
    with pytest.raises(NotEnoughTrustees):
        combine_answers(
            server.election,
            server.tree,
            server.sums,
            server.counted,
            answers[:1],
            ballots_cast=server.tally.ballots_cast,
            final_tracker=server.tally.final_tracker,
        )


def test_a_committee_below_the_minimum_published_alone_is_refused(
    record: Path, tmp_path: Path
) -> None:
    # The server decrypts with m = 1: every committee with a ballot stands
    # alone, with valid proofs and sums, totals that add up.
    server = Server(record)
    tally = server.decrypt(replace(server.tree, minimum_group=1))
    assert any(0 < g.ballots < MINIMUM and g.group_id != "assembly" for g in tally.groups)
    failures = _publish(_copy(record, tmp_path), tally)
    assert any("tally.groups: the grouping of §12 gives the groups" in f for f in failures)


def test_a_lowered_minimum_in_the_tree_is_caught_by_its_hash(record: Path, tmp_path: Path) -> None:
    dst = _copy(record, tmp_path)
    server = Server(record)
    lowered = replace(server.tree, minimum_group=1)
    (dst / "committees.json").write_bytes(canonical_json(lowered.to_json()))
    _publish(dst, server.decrypt(lowered))
    report = verify_record(dst)
    assert "election.json: committees_hash" in report.render()
    election = _read(dst / "election.json")
    election["committees_hash"] = lowered.digest().hex()  # type: ignore[index]
    (dst / "election.json").write_bytes(canonical_json(election))
    report = verify_record(dst)
    assert report.exit_code == 1
    assert "election_hash: is not D_election" in report.render()


def test_a_wrong_group_assignment_is_refused(record: Path, tmp_path: Path) -> None:
    # A committee's ballots moved from its group into another standing group,
    # both decrypted again with valid proofs; the group ids stay the same.
    server = Server(record)
    tally = server.tally
    ids = [n.node_id for n in server.tree.nodes]
    merged = next(g for g in tally.groups if len(g.committees) > 1 and g.ballots)
    moved = next(c for c, n in merged.committees if n)
    target = next(g for g in tally.groups if g is not merged and g.group_id != "assembly")
    position = ids.index(moved)
    groups = []
    for g in tally.groups:
        committees = [c for c, _ in g.committees if c != moved]
        if g is target:
            committees.append(moved)
        sums = [Ciphertext(Point.identity(), Point.identity())] * len(server.sums[position])
        for c in committees:
            for k, ct in enumerate(server.sums.get(ids.index(c), [])):
                sums[k] = sums[k] + ct
        ballots = sum(server.counted.get(ids.index(c), 0) for c in committees)
        contests = decrypt_group(
            server.election, g.group_id, sums, server.shares, sorted(server.shares), ballots
        )
        pairs = tuple((c, server.counted.get(ids.index(c), 0)) for c in committees)
        groups.append(replace(g, committees=pairs, ballots=ballots, contests=contests))
    forged = replace(tally, groups=tuple(groups))
    failures = _publish(_copy(record, tmp_path), forged)
    assert any("not the committees merged into this group" in f for f in failures), failures
    assert any("counted ballots" in f for f in failures), failures


def test_a_tampered_subtotal_is_refused_even_when_the_sums_above_agree(
    record: Path, tmp_path: Path
) -> None:
    server = Server(record)
    value = tally_to_json(server.tally)
    group = next(g for g in value["groups"] if g["ballots"])
    option = group["contests"][0]["options"][0]
    option["count"] += 1
    # The overall count and every total above it told the same story.
    value["contests"][0]["options"][0]["count"] += 1
    for total in value["totals"]:
        total["counts"][0][0] += 1
    failures = _publish(_copy(record, tmp_path), value)
    gi = value["groups"].index(group)
    assert any(
        f"tally.groups[{gi}].contests[0].options[0].count: decryption does not equal count·G" in f
        for f in failures
    ), failures


def test_partials_of_one_group_replayed_into_another_are_refused(
    record: Path, tmp_path: Path
) -> None:
    server = Server(record)
    value = tally_to_json(server.tally)
    groups = [g for g in value["groups"] if g["ballots"]]
    source, target = groups[0], groups[1]
    target["contests"][0]["options"][0]["partials"] = source["contests"][0]["options"][0][
        "partials"
    ]
    failures = _publish(_copy(record, tmp_path), value)
    gi = value["groups"].index(target)
    assert any(
        f"tally.groups[{gi}].contests[0].options[0].partials[0]: DLEQ proof does not verify" in f
        for f in failures
    ), failures


def test_partials_for_the_same_sum_under_another_group_id_are_refused(
    record: Path, tmp_path: Path
) -> None:
    # The group's id is in every proof's context: renaming a group (its sums,
    # committees and ballots unchanged) leaves proofs made for another id.
    server = Server(record)
    value = tally_to_json(server.tally)
    group = next(g for g in value["groups"] if g["ballots"] and g["group_id"] != "assembly")
    renamed = decrypt_group(
        server.election,
        "assembly",
        [
            o.ciphertext
            for c in server.tally.groups[value["groups"].index(group)].contests
            for o in c.options
        ],
        server.shares,
        sorted(server.shares),
        group["ballots"],
    )
    # Proofs made for the id "assembly" put in place of the group's own.
    for c, contest in zip(group["contests"], renamed, strict=True):
        for o, option in zip(c["options"], contest.options, strict=True):
            o["partials"] = [
                {
                    "trustee": p.trustee,
                    "share": p.share.hex(),
                    "proof": {"c": p.proof.c.hex(), "v": p.proof.v.hex()},
                }
                for p in option.partials
            ]
    failures = _publish(_copy(record, tmp_path), value)
    gi = value["groups"].index(group)
    assert any(f"tally.groups[{gi}]" in f and "DLEQ" in f for f in failures), failures


@pytest.mark.parametrize("where", ["total count", "total ballots", "overall count"])
def test_a_roll_up_that_does_not_add_up_is_refused(
    record: Path, tmp_path: Path, where: str
) -> None:
    server = Server(record)
    value = tally_to_json(server.tally)
    if where == "total count":
        value["totals"][-1]["counts"][0][1] += 1
        needle = f"tally.totals[{len(value['totals']) - 1}]: not the sum of the groups"
    elif where == "total ballots":
        value["totals"][1]["ballots"] -= 1
        needle = "tally.totals[1]: not the sum of the groups"
    else:
        value["contests"][0]["options"][2]["count"] += 1
        needle = "tally.contests[0].options[2].count: the groups' counts add up to"
    failures = _publish(_copy(record, tmp_path), value)
    assert any(needle in f for f in failures), failures


def test_a_missing_total_is_refused(record: Path, tmp_path: Path) -> None:
    value = tally_to_json(Server(record).tally)
    del value["totals"][1]
    failures = _publish(_copy(record, tmp_path), value)
    assert any("one total per node that is not a committee" in f for f in failures), failures


def test_a_credential_of_a_committee_outside_the_tree_is_refused(
    record: Path, tmp_path: Path
) -> None:
    dst = _copy(record, tmp_path)
    credentials = _read(dst / "credentials.json")
    for committee in ("region-north", "elsewhere"):
        credentials[0]["committee"] = committee  # type: ignore[index]
        (dst / "credentials.json").write_bytes(canonical_json(credentials))
        report = verify_record(dst)
        assert "credentials.json: [0].committee: is not a committee" in report.render()
