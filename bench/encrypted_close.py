"""Close of an encrypted poll: the sums through the task runner, two
trustees' partial decryptions, the server's checks of both answers, their
combination and the tally check (spec §7, §12), without the database.

Generates (outside the timing) a yes/no/abstain election under a 2-of-3
board made with the engine's ceremony, a tree of an assembly with zones of
10 committees each, and one encrypted ballot per voter spread over the
committees. Then times, median of ``--runs``:

- sums: ``voting.encrypted.summing.sum_chunk`` over chunks of 2,000 ballots
  through ``core.tasks.map_tasks`` (the local process pool, ``--jobs``), the
  parent adding the chunks up, and ``group_sums_request``;
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


def _ballots(election: Any, tree: Any, voters: int, committees: int) -> list[list[Any]]:
    from secret_ballot.ballot import CredentialKeyPair, encrypt_ballot

    rng = random.Random(7)
    credential = CredentialKeyPair.generate()
    positions = [tree.committee_position(f"committee-{c}") for c in range(committees)]
    out = []
    for v in range(voters):
        # Committees of uneven size: about a third too small to stand alone.
        c = positions[min(committees - 1, int(rng.paretovariate(1.2)) * v % committees)]
        choice = rng.choice([[1, 0, 0], [0, 1, 0], [0, 0, 1]])
        ballot, _seed = encrypt_ballot(election, credential, {"c1": choice})
        cts = [
            [o.ciphertext.alpha.hex(), o.ciphertext.beta.hex()]
            for contest in ballot.contests
            for o in contest.options
        ]
        out.append([c, cts])
    return out


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
    from asamblea.voting.encrypted.summing import CHUNK, sum_chunk
    from secret_ballot.elgamal import Ciphertext
    from secret_ballot.group import Point, PointAccumulator
    from secret_ballot.hash import Digest
    from secret_ballot.tally import check_tally, combine_answers, group_sums_request
    from secret_ballot.trustee import check_partial_decryptions

    facts = {**machine_facts(), "ballots": voters, "committees": committees, "jobs": args.jobs}
    print_header("encrypted poll close (sums, decryption, combination)", facts)
    election, tree, trustees = _election(committees)
    t0 = time.perf_counter()
    ballots = _ballots(election, tree, voters, committees)
    print(f"   generated {voters:,} ballots in {time.perf_counter() - t0:.1f} s")
    counted: dict[int, int] = {}
    for c, _cts in ballots:
        counted[c] = counted.get(c, 0) + 1
    chunks = [
        {"options": 3, "ballots": ballots[i : i + CHUNK]} for i in range(0, len(ballots), CHUNK)
    ]
    times: dict[str, list[float]] = {"sums": [], "decrypt": [], "accept": [], "combine": []}
    for _run in range(args.runs):
        t = time.perf_counter()
        acc: dict[int, list[tuple[PointAccumulator, PointAccumulator]]] = {}
        for chunk in map_tasks(sum_chunk, chunks, jobs=args.jobs):
            for position, encoded in chunk:
                pairs = acc.setdefault(
                    position, [(PointAccumulator(), PointAccumulator()) for _ in range(3)]
                )
                for (x, y), (a, b) in zip(pairs, encoded, strict=True):
                    x.add(Point.from_hex(a, allow_identity=True))
                    y.add(Point.from_hex(b, allow_identity=True))
        sums = {p: [Ciphertext(x.value(), y.value()) for x, y in s] for p, s in acc.items()}
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
