"""Roll-up of a federated poll's results across every level of the tree.

Generates (once, then cached in the database) 1 assembly, 25 regions, a zone per
40 committees, 10,000 committees, 1,000,000 members with their memberships, and
a closed secret yes/no/abstain poll at the assembly with a frozen electorate of
every member and one ballot each (each committee leans its own way, so the
committees' results differ). Then times ``compute_results(poll=...)`` in every
aggregation mode, median of 5 runs. Target: at most 2 s. ``--method single``
counts the same ballots as a single-choice poll (each level through the
methods library, ties by lot).

    .venv/bin/python bench/rollup.py            # full size, PostgreSQL asamblea_bench
    .venv/bin/python bench/rollup.py --quick    # 1,000 committees / 100,000 members
    .venv/bin/python bench/rollup.py --regenerate
"""

from __future__ import annotations

import argparse
import os
import random
import time
import uuid
from typing import Any

from django.db import connection
from django.utils import timezone

from _common import (
    GeneratedFederation,
    bench_database_url,
    copy_rows,
    database_size_bytes,
    emit,
    ensure_postgres_database,
    generate_federation,
    machine_facts,
    median,
    migrate,
    postgres_version,
    print_header,
    print_target,
    setup_django,
)

TARGET_SECONDS = 2.0
RUNS = 5
FULL = (10_000, 1_000_000)
QUICK = (1_000, 100_000)


def poll_question(committees: int, members: int) -> str:
    return f"bench rollup: {committees} committees, {members} members"


def committee_leanings(
    committee_ids: list[int], rng: random.Random
) -> dict[int, tuple[float, float]]:
    """Per committee: (share voting yes, share voting yes or no). Leanings are
    spread widely so that many committees carry and many reject."""
    leanings = {}
    for cid in committee_ids:
        abstain = rng.uniform(0.02, 0.2)
        yes = rng.betavariate(2.0, 2.0) * (1 - abstain)
        leanings[cid] = (yes, 1 - abstain)
    return leanings


def generate(*, committees: int, members: int, seed: int) -> dict[str, float]:
    """Write the federation, the poll, its electorate, ledger and ballots.
    Precondition: a freshly migrated, empty database. Returns stage timings."""
    # Model modules can only be imported once Django is set up.
    from asamblea.voting.models import (
        Aggregation,
        Ballot,
        ElectorateEntry,
        Method,
        Poll,
        PollOption,
        PollState,
        VoteLedger,
    )
    from asamblea.voting.rules import ABSTAIN, NO, YES, YES_NO_ABSTAIN_CODES, encode_mask

    stages: dict[str, float] = {}
    t0 = time.perf_counter()
    fed: GeneratedFederation = generate_federation(
        committees=committees, members=members, seed=seed
    )
    stages["federation_s"] = time.perf_counter() - t0

    t1 = time.perf_counter()
    now = timezone.now()
    poll = Poll.objects.create(
        node_id=fed.assembly_id,
        question=poll_question(committees, members),
        method=Method.YES_NO_ABSTAIN,
        secret=True,
        aggregation=Aggregation.POOLED,
        state=PollState.CLOSED,
        opened_at=now,
        closed_at=now,
        created_by_id=fed.first_member,
    )
    PollOption.objects.bulk_create(
        PollOption(poll=poll, position=p, code=code, label=code.capitalize())
        for p, code in enumerate(YES_NO_ABSTAIN_CODES)
    )
    pairs = list(zip(fed.member_ids(), fed.member_committee, strict=True))
    copy_rows(
        ElectorateEntry,
        ["poll_id", "member_id", "committee_id", "weight"],
        ((poll.pk, mid, cid, 1) for mid, cid in pairs),
    )
    copy_rows(
        VoteLedger,
        ["poll_id", "member_id", "committee_id"],
        ((poll.pk, mid, cid) for mid, cid in pairs),
    )
    stages["electorate_ledger_s"] = time.perf_counter() - t1

    t2 = time.perf_counter()
    rng = random.Random(seed + 1)
    leanings = committee_leanings(fed.committee_ids, rng)
    masks = (encode_mask([YES]), encode_mask([NO]), encode_mask([ABSTAIN]))

    def ballot(cid: int) -> tuple[Any, ...]:
        yes, yes_or_no = leanings[cid]
        draw = rng.random()
        mask = masks[0] if draw < yes else masks[1] if draw < yes_or_no else masks[2]
        # A closed secret poll: no voter, no time, and the slot overwritten with
        # the ballot's own id, as the close does.
        ballot_id = uuid.uuid4()
        return (ballot_id, poll.pk, cid, str(ballot_id), mask, 1)

    copy_rows(
        Ballot,
        ["id", "poll_id", "committee_id", "slot", "mask", "weight"],
        (ballot(cid) for cid in fed.member_committee),
    )
    stages["ballots_s"] = time.perf_counter() - t2

    t3 = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")
    stages["vacuum_analyze_s"] = time.perf_counter() - t3
    stages["total_s"] = time.perf_counter() - t0
    return stages


def find_poll(committees: int, members: int) -> Any:
    """The cached poll if the data set is complete, else None."""
    from asamblea.voting.models import Ballot, Poll

    poll = Poll.objects.filter(question=poll_question(committees, members)).first()
    if poll is None or Ballot.objects.filter(poll=poll).count() != members:
        return None
    return poll


def time_modes(poll: Any, runs: int) -> dict[str, dict[str, Any]]:
    """Median, min and max seconds of ``compute_results`` per aggregation mode."""
    from asamblea.voting.models import Aggregation, PollResult
    from asamblea.voting.results import compute_results, tally

    timings: dict[str, dict[str, Any]] = {}
    for mode in Aggregation.values:
        poll.aggregation = mode
        poll.save(update_fields=["aggregation"])
        samples = []
        for _ in range(runs):
            start = time.perf_counter()
            results = compute_results(poll=poll)
            samples.append(time.perf_counter() - start)
        # The count alone (reads and roll-up, no writes), to show where time goes.
        counting = []
        # CPU time of this process (the roll-up and counts in Python, not the
        # database's work): comparable between runs on a loaded machine.
        counting_cpu = []
        for _ in range(runs):
            start, start_cpu = time.perf_counter(), time.process_time()
            tally(poll=poll)
            counting.append(time.perf_counter() - start)
            counting_cpu.append(time.process_time() - start_cpu)
        top = next(r for r in results if r.node_id == poll.node_id)
        committees_carried = PollResult.objects.filter(
            poll=poll, node__kind="committee", outcome="carried"
        ).count()
        timings[mode] = {
            "median_s": median(samples),
            "min_s": min(samples),
            "max_s": max(samples),
            "tally_only_median_s": median(counting),
            "tally_python_cpu_median_s": median(counting_cpu),
            "levels": len(results),
            "committees_carried": committees_carried,
            "assembly_outcome": top.outcome,
            "assembly_counts": top.counts,
        }
        print(
            f"   {mode}: median {median(samples):.3f} s (min {min(samples):.3f}, "
            f"max {max(samples):.3f}) over {runs} runs, of which counting "
            f"{median(counting):.3f} s ({median(counting_cpu):.3f} s of Python CPU); "
            f"{len(results)} levels; "
            f"assembly {top.outcome} {top.counts}; {committees_carried} committees carried"
        )
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="1,000 committees / 100,000 members")
    parser.add_argument("--committees", type=int)
    parser.add_argument("--members", type=int)
    parser.add_argument("--runs", type=int, default=RUNS)
    parser.add_argument("--regenerate", action="store_true", help="rebuild the data set")
    parser.add_argument("--seed", type=int, default=2023)
    parser.add_argument(
        "--method",
        choices=("yes_no_abstain", "single"),
        default="yes_no_abstain",
        help="count the same ballots as this method (single: three options, ties by lot)",
    )
    parser.add_argument("--database-url", help="PostgreSQL URL (default: a bench database)")
    args = parser.parse_args()

    committees, members = QUICK if args.quick else FULL
    committees = args.committees or committees
    members = args.members or members
    # Each scale keeps its own database, so a quick run never evicts the full set.
    default_name = (
        "asamblea_bench"
        if (committees, members) == FULL
        else f"asamblea_bench_{committees}_{members}"
    )
    url = args.database_url or bench_database_url(default_name)

    created = ensure_postgres_database(url)
    setup_django(url)
    migrate()
    facts = machine_facts()
    facts["postgresql"] = postgres_version()
    facts["database"] = url.rsplit("/", 1)[-1]
    print_header(f"rollup: {committees:,} committees, {members:,} members", facts)

    poll = None if args.regenerate else find_poll(committees, members)
    generation: dict[str, float] | None = None
    if poll is None:
        if not created:
            # Partial or different data: start from an empty database.
            connection.close()
            ensure_postgres_database(url, recreate=True)
            migrate()
        print("   generating the data set (COPY) ...", flush=True)
        generation = generate(committees=committees, members=members, seed=args.seed)
        print("   generation: " + ", ".join(f"{k} {v:.1f}" for k, v in generation.items()))
        poll = find_poll(committees, members)
        assert poll is not None, "generation did not produce the data set"
    else:
        print("   data set already present (use --regenerate to rebuild)")
    size = database_size_bytes()
    print(f"   database size: {size / 2**20:,.0f} MiB")

    stored_method = poll.method
    poll.method = args.method
    poll.save(update_fields=["method"])
    try:
        timings = time_modes(poll, args.runs)
    finally:
        poll.method = stored_method
        poll.save(update_fields=["method"])
    facts["loadavg_1m_after"] = round(os.getloadavg()[0], 2)
    print(f"   load average after the runs: {facts['loadavg_1m_after']}")
    worst = max(t["median_s"] for t in timings.values())
    met = print_target("slowest mode, median", worst, TARGET_SECONDS, "s", at_most=True)
    emit(
        {
            "bench": "rollup",
            **facts,
            "committees": committees,
            "members": members,
            "ballots": members,
            "runs": args.runs,
            "method": args.method,
            "generation": generation,
            "db_size_bytes": size,
            "modes": timings,
            "slowest_median_s": worst,
            "target_s": TARGET_SECONDS,
            "target_met": met,
        }
    )


if __name__ == "__main__":
    main()
