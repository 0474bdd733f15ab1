"""Deciding a call to action in counted mode: activation per scope over the
whole tree.

Generates (once, then kept in its own database) 1 assembly, 25 regions, a
zone per 40 committees, 10,000 committees and 1,000,000 members, a counted
call at the assembly with thresholds at every level, its frozen electorate
of every member and one answer each (each committee pledges its own share,
so scopes activate in some places and not others). Then times
``selectors.evaluate_call`` (two ``GROUP BY committee`` queries, the scope
tree, the sums along the paths and ``rules.evaluate``), median of 5 runs.
Target: at most 2 s. Baseline, in the same run: the two ``GROUP BY``
statements alone as raw SQL.

    .venv/bin/python bench/pledges_activation.py            # full size
    .venv/bin/python bench/pledges_activation.py --quick    # 1,000 committees / 100,000 members
"""

from __future__ import annotations

import argparse
import os
import random
import time
import uuid
from datetime import timedelta

from django.db import connection
from django.utils import timezone

from _common import (
    bench_database_url,
    copy_rows,
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
BASELINE = (
    "SELECT committee_id, count(*) FROM pledges_elector WHERE call_id = %s GROUP BY committee_id",
    "SELECT committee_id, count(*) FROM pledges_pledge WHERE call_id = %s AND pledged"
    " GROUP BY committee_id",
)


def title(committees: int, members: int) -> str:
    return f"bench pledges: {committees} committees, {members} members"


def find_call(committees: int, members: int):  # type: ignore[no-untyped-def]
    from asamblea.pledges.models import Call

    return Call.objects.filter(titles__en=title(committees, members)).first()


def generate(*, committees: int, members: int, seed: int) -> dict[str, float]:
    from asamblea.accounts.models import Member
    from asamblea.federation.models import Node
    from asamblea.pledges.models import Call, CallState, Elector, Pledge, Threshold

    timings: dict[str, float] = {}
    started = time.perf_counter()
    fed = generate_federation(committees=committees, members=members, seed=seed)
    timings["federation_s"] = time.perf_counter() - started
    rng = random.Random(seed)
    now = timezone.now()
    started = time.perf_counter()
    call = Call.objects.create(
        node=Node.objects.get(pk=fed.assembly_id),
        issued_by=Member.objects.get(pk=fed.first_member),
        titles={"en": title(committees, members)},
        kind="strike",
        state=CallState.PLEDGING,
        deadline=now + timedelta(days=1),
        starts_at=now + timedelta(days=2),
        ends_at=now + timedelta(days=3),
        pledge_key="00" * 32,
    )
    Threshold.objects.bulk_create(
        [
            Threshold(call=call, level="committee", kind="share", value=50),
            Threshold(call=call, level="zone", kind="share", value=40),
            Threshold(call=call, level="region", kind="share", value=30),
            Threshold(call=call, level="assembly", kind="count", value=members // 10),
        ]
    )
    copy_rows(
        Elector,
        ["call_id", "member_id", "committee_id"],
        (
            (call.pk, mid, cid)
            for mid, cid in zip(fed.member_ids(), fed.member_committee, strict=True)
        ),
    )
    share = {cid: rng.uniform(0.2, 0.9) for cid in fed.committee_ids}
    copy_rows(
        Pledge,
        ["id", "call_id", "committee_id", "slot", "pledged"],
        (
            (uuid.uuid4(), call.pk, cid, uuid.uuid4().hex, rng.random() < share[cid])
            for cid in fed.member_committee
        ),
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    timings["call_s"] = time.perf_counter() - started
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="1,000 committees / 100,000 members")
    parser.add_argument("--runs", type=int, default=RUNS)
    parser.add_argument("--seed", type=int, default=2023)
    parser.add_argument("--database-url", help="PostgreSQL URL (default: a bench database)")
    args = parser.parse_args()
    committees, members = QUICK if args.quick else FULL
    url = args.database_url or bench_database_url(f"asamblea_bench_pledges_{committees}")
    created = ensure_postgres_database(url)
    setup_django(url)
    migrate()
    facts = machine_facts()
    facts["postgresql"] = postgres_version()
    print_header(f"pledges activation: {committees:,} committees, {members:,} members", facts)

    from asamblea.pledges import rules, selectors

    call = find_call(committees, members)
    generation = None
    if call is None:
        if not created:
            connection.close()
            ensure_postgres_database(url, recreate=True)
            migrate()
        print("   generating the data set (COPY) ...", flush=True)
        generation = generate(committees=committees, members=members, seed=args.seed)
        print("   generation: " + ", ".join(f"{k} {v:.1f}" for k, v in generation.items()))
        call = find_call(committees, members)
        assert call is not None
    else:
        print("   data set already present")

    times: list[float] = []
    floor: list[float] = []
    results = {}
    for _ in range(args.runs):
        started = time.perf_counter()
        results = selectors.evaluate_call(call)
        times.append(time.perf_counter() - started)
        # Baseline in the same run: the two GROUP BY statements alone, as
        # raw SQL, without the tree or the rules.
        started = time.perf_counter()
        with connection.cursor() as cursor:
            for sql in BASELINE:
                cursor.execute(sql, [call.pk])
                cursor.fetchall()
        floor.append(time.perf_counter() - started)
    activated = sum(r.activated for r in results.values())
    committees_activated = sum(r.activated and r.level == "committee" for r in results.values())
    print(f"   scopes: {len(results):,}, activated: {activated:,}")
    print(f"   committees activated: {committees_activated:,} of {committees:,}")
    print(f"   call activated: {rules.call_activated(results)}")
    print("   runs (s): " + ", ".join(f"{t:.3f}" for t in times))
    print("   baseline runs (s): " + ", ".join(f"{t:.3f}" for t in floor))
    ratio = median(times) / median(floor)
    print(f"   ratio to the baseline: {ratio:.2f}")
    facts["loadavg_1m_after"] = round(os.getloadavg()[0], 2)
    met = print_target("evaluate_call, median", median(times), TARGET_SECONDS, "s", at_most=True)
    emit(
        {
            "bench": "pledges_activation",
            **facts,
            "committees": committees,
            "members": members,
            "runs_s": times,
            "median_s": median(times),
            "baseline_runs_s": floor,
            "baseline_median_s": median(floor),
            "ratio_to_baseline": ratio,
            "scopes": len(results),
            "committees_activated": committees_activated,
            "generation": generation,
            "target_s": TARGET_SECONDS,
            "target_met": met,
        }
    )


if __name__ == "__main__":
    main()
