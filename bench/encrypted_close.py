"""Close of an encrypted poll: the sums through the task runner, two
trustees' partial decryptions, the server's checks of both answers, their
combination and the tally check (spec §7, §12), without the database.

Generates (outside the timing) a yes/no/abstain election under a 2-of-3
board made with the engine's ceremony, a tree of an assembly with zones of
10 committees each, and one ballot's ciphertexts per voter (valid
encryptions, without the proofs the close does not read) spread over the
committees. Then times, median of ``--runs``, and checks that the overall
counts are the choices made:

- sums: the counted ballots gathered by committee, ``voting.encrypted.summing
  .sum_committees`` over tasks of whole committees (about 2,000 ballots each)
  through ``core.tasks.map_tasks`` (the local process pool, ``--jobs``), the
  parent decoding each committee's sums, and ``group_sums_request``;
- decrypt: ``Trustee.decrypt_sums`` by trustees 1 and 2 (what
  ``secret-ballot trustee decrypt`` does after checking the record);
- accept: ``check_partial_decryptions`` of both answers (the server);
- combine: ``combine_answers`` and ``check_tally``.

Not timed here: the trustee's check of the partial record (``verify_board``,
see ``bench/ballots.py`` for the verifier's throughput), the database reads
and writes, and the roll-up into results (``bench/rollup.py``).

    .venv/bin/python bench/encrypted_close.py --quick   # 5,000 ballots, 100 committees
    .venv/bin/python bench/encrypted_close.py           # 100,000 ballots, 1,000 committees
"""

from __future__ import annotations

import argparse
import os
import random
import time
from typing import Any

from _common import emit, machine_facts, median, print_header, print_target, setup_django

TARGET_SECONDS = 60.0
FULL = (100_000, 1_000)
QUICK = (5_000, 100)


def _election(committees: int) -> tuple[Any, Any, list[Any]]:
    from secret_ballot.board import BoardKeyPair
    from secret_ballot.committees import CommitteeTree, Level, Node
    from secret_ballot.election import Election, Parameters, TrusteeInfo
    from secret_ballot.group import base_mul
    from secret_ballot.hash import Digest, hash_to_scalar
    from secret_ballot.manifest import Contest, ContestKind, Manifest, Option
    from secret_ballot.trustee import Trustee, run_ceremony

    manifest = Manifest(
        "poll-1",
        "Bench",
        (
            Contest(
                "c1",
                "Bench",
                ContestKind.YES_NO_ABSTAIN,
                (Option("o0", "yes"), Option("o1", "no"), Option("o2", "abstain")),
                1,
                1,
                1,
            ),
        ),
    )
    secrets = [hash_to_scalar("bench", "comm", i) for i in range(1, 4)]
    parameters = Parameters(
        "bench-board",
        2,
        tuple(TrusteeInfo(i, f"T{i}", base_mul(d)) for i, d in enumerate(secrets, start=1)),
    )
    trustees = [Trustee.create(parameters, i, secrets[i - 1]) for i in range(1, 4)]
    _transcript, outcome = run_ceremony(trustees)
    assert outcome.joint_key is not None
    for trustee in trustees:
        trustee.key_share(outcome)
    nodes = [Node("assembly-0", "Assembly", None, Level.ASSEMBLY)]
    for z in range((committees + 9) // 10):
        nodes.append(Node(f"zone-{z}", f"Zone {z}", "assembly-0", Level.ZONE))
        for c in range(z * 10, min(committees, z * 10 + 10)):
            nodes.append(Node(f"committee-{c}", f"Committee {c}", f"zone-{z}", Level.COMMITTEE))
    tree = CommitteeTree(tuple(nodes), 5)
    election = Election(
        manifest,
        parameters,
        outcome.joint_key,
        outcome.verification_keys,
        Digest(bytes(32)),
        BoardKeyPair.generate().public,
        tree.digest(),
    )
    return election, tree, trustees


def _ballots(
    election: Any, tree: Any, voters: int, committees: int
) -> tuple[list[list[Any]], list[int]]:
    """One ballot's ciphertexts per voter: valid encryptions of its choice.

    The sums and their decryption do not read the ballots' proofs (they were
    checked when cast), so the ballots are made without them: the nonce of
    each option steps by one from a random start, so every ciphertext costs
    two point additions instead of an encryption and a range proof.
    """
    from secret_ballot.elgamal import plaintext_point
    from secret_ballot.group import Scalar, base_mul

    rng = random.Random(7)
    key = election.joint_key
    positions = [tree.committee_position(f"committee-{c}") for c in range(committees)]
    start = Scalar.random()
    # Per option, the running (r·G, r·K); a ciphertext is (r·G, m·G + r·K).
    nonces = [[base_mul(start + Scalar(j)), key * (start + Scalar(j))] for j in range(3)]
    step_k = key * Scalar(3)
    step_g = base_mul(Scalar(3))
    one = plaintext_point(1)
    out = []
    expected = [0, 0, 0]
    for v in range(voters):
        # Committees of uneven size: about a third too small to stand alone.
        c = positions[min(committees - 1, int(rng.paretovariate(1.2)) * v % committees)]
        choice = rng.choice([[1, 0, 0], [0, 1, 0], [0, 0, 1]])
        cts = []
        for j, m in enumerate(choice):
            expected[j] += m
            r_g, r_k = nonces[j]
            cts.append([r_g.hex(), (r_k + one if m else r_k).hex()])
            nonces[j] = [r_g + step_g, r_k + step_k]
        out.append([c, cts])
    return out, expected


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--ballots", type=int)
    parser.add_argument("--committees", type=int)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    voters, committees = QUICK if args.quick else FULL
    voters = args.ballots or voters
    committees = args.committees or committees
    setup_django("sqlite:///:memory:", ASAMBLEA_TASK_BACKEND="local")

    from asamblea.core.tasks import map_tasks
    from asamblea.voting.encrypted.summing import add_task_sums, committee_tasks, sum_committees
    from secret_ballot.hash import Digest
    from secret_ballot.tally import check_tally, combine_answers, group_sums_request
    from secret_ballot.trustee import check_partial_decryptions

    facts = {**machine_facts(), "ballots": voters, "committees": committees, "jobs": args.jobs}
    print_header("encrypted poll close (sums, decryption, combination)", facts)
    election, tree, trustees = _election(committees)
    t0 = time.perf_counter()
    ballots, expected = _ballots(election, tree, voters, committees)
    print(f"   generated {voters:,} ballots in {time.perf_counter() - t0:.1f} s")
    counted: dict[int, int] = {}
    for c, _cts in ballots:
        counted[c] = counted.get(c, 0) + 1
    times: dict[str, list[float]] = {"sums": [], "decrypt": [], "accept": [], "combine": []}
    for _run in range(args.runs):
        t = time.perf_counter()
        by_committee: dict[int, list[Any]] = {}
        for c, cts in ballots:
            by_committee.setdefault(c, []).append(cts)
        tasks = committee_tasks(by_committee, 3)
        sums = add_task_sums(map_tasks(sum_committees, tasks, jobs=args.jobs), 3)
        request = group_sums_request(election, tree, sums, counted)
        times["sums"].append(time.perf_counter() - t)
        t = time.perf_counter()
        answers = [trustees[i].decrypt_sums(election, request) for i in (0, 1)]
        times["decrypt"].append(time.perf_counter() - t)
        t = time.perf_counter()
        partials = [
            check_partial_decryptions(election, request, a, sender=i + 1)
            for i, a in enumerate(answers)
        ]
        times["accept"].append(time.perf_counter() - t)
        t = time.perf_counter()
        tally = combine_answers(
            election,
            tree,
            sums,
            counted,
            partials,
            ballots_cast=voters,
            final_tracker=Digest(bytes(32)),
        )
        errors = check_tally(election, tree, tally, sums, counted)
        times["combine"].append(time.perf_counter() - t)
        assert not errors
        counts = [o.count for c in tally.contests for o in c.options]
        assert counts == expected, (counts, expected)
    figures: dict[str, Any] = {**facts, "groups": len(request["groups"])}
    total = 0.0
    for name, values in times.items():
        m = median(values)
        total += m
        figures[f"{name}_s"] = round(m, 3)
        print(f"   {name:<8} {m:8.3f} s (median of {len(values)})")
    figures["total_s"] = round(total, 3)
    print(f"   groups decrypted: {len(request['groups'])}")
    figures["target_met"] = print_target("close", total, TARGET_SECONDS, "s", at_most=True)
    emit(figures)


if __name__ == "__main__":
    main()
