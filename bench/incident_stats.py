"""Public statistics and the ACLED export of the incident register.

Generates (once per size, then kept in its own PostgreSQL database) a small
federation, N public verified incidents spread over regions and months, one
person per act and three acts per incident on average (a tenth of them with an
involved actor), then times:

- the public statistics page of the assembly, rendered in-process through the
  Django test client: median of ``--runs`` with the cache cleared before each
  run (uncached), and median of as many runs with the cache warm (cached);
- the ACLED-shaped CSV export of every public incident, read to the end, with
  the bytes out and the growth of the process's peak memory while it streamed,
  then (untimed) the peak of the Python heap while it streams again.

Target (issue): the statistics page in at most 300 ms over 100,000 incidents
and 300,000 acts. Benchmarks print figures and never assert on timings.

    .venv/bin/python bench/incident_stats.py             # 2,000 incidents, 6,000 acts
    .venv/bin/python bench/incident_stats.py --full      # 100,000 incidents, 300,000 acts
    .venv/bin/python bench/incident_stats.py --incidents 20000 --regenerate
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import resource
import time
import tracemalloc
import uuid
from typing import Any

from django.db import connection
from django.utils import timezone
from psycopg.types.json import Jsonb

from _common import (
    bench_database_url,
    copy_rows,
    database_size_bytes,
    emit,
    ensure_postgres_database,
    generate_federation,
    machine_facts,
    median,
    migrate,
    next_id,
    postgres_version,
    print_header,
    print_target,
    reset_sequence,
    setup_django,
)

TARGET_SECONDS = 0.300
RUNS = 7
SMALL = 2_000
FULL = 100_000
ACTS_PER_INCIDENT = 3
REGIONS = ("Puno", "Cusco", "Apurímac", "Ayacucho", "Lima", "Junín", "Arequipa", "Ica")
SUMMARY = "bench: incidente ficticio de prueba"


def generate(incidents: int, seed: int) -> int:
    """Write the data set with COPY; return the assembly's id."""
    from asamblea.incidents.codes import ActorKind, InvolvementDegree, ViolationType
    from asamblea.incidents.models import Act, Actor, Incident, Involvement, Person

    rng = random.Random(seed)
    federation = generate_federation(committees=10, members=40, regions=2, seed=seed)
    member = federation.first_member
    committees = federation.committee_ids
    now = timezone.now()
    actor_ids = []
    for kind in (ActorKind.POLICE, ActorKind.MILITARY, ActorKind.UNIDENTIFIED_STATE):
        actor = Actor.objects.create(name=f"bench {kind}", kind=kind, created_by_id=member)
        actor_ids.append(actor.pk)
    first_incident = next_id(Incident)
    start = dt.date(2022, 12, 1)

    def incident_rows() -> Any:
        for offset in range(incidents):
            fatalities = rng.choice((0, 0, 0, 1, 2, 3, 5))
            yield (
                first_incident + offset,
                rng.choice(committees),
                uuid.UUID(int=rng.getrandbits(128)),
                SUMMARY,
                start + dt.timedelta(days=rng.randrange(900)),
                "exact",
                "PE",
                rng.choice(REGIONS),
                "bench",
                rng.choice(("exact", "admin2", "admin1")),
                "protests",
                "excessive_force",
                Jsonb(["killing", "injury"]),
                fatalities,
                fatalities + rng.choice((0, 1)),
                rng.choice((0, 1, 4, 10)),
                "public",
                "verified",
                "confirmed",
                member,
                now,
                now,
            )

    copy_rows(
        Incident,
        (
            "id",
            "committee_id",
            "uid",
            "public_summary",
            "start_date",
            "start_precision",
            "country",
            "admin1",
            "admin2",
            "geo_precision",
            "event_type",
            "sub_type",
            "violation_types",
            "fatalities_min",
            "fatalities_max",
            "injured",
            "confidentiality",
            "state",
            "violation_status",
            "recorded_by_id",
            "created_at",
            "updated_at",
        ),
        incident_rows(),
    )
    acts = incidents * ACTS_PER_INCIDENT
    first_person = next_id(Person)
    copy_rows(
        Person,
        ("id", "committee_id", "uid", "code", "created_by_id", "created_at"),
        (
            (
                first_person + n,
                committees[0],
                uuid.UUID(int=rng.getrandbits(128)),
                f"B{n}",
                member,
                now,
            )
            for n in range(acts)
        ),
    )
    first_act = next_id(Act)
    types = ViolationType.values
    copy_rows(
        Act,
        ("id", "incident_id", "victim_id", "act_type", "created_by_id", "created_at"),
        (
            (
                first_act + n,
                first_incident + n % incidents,
                first_person + n,
                types[n % len(types)],
                member,
                now,
            )
            for n in range(acts)
        ),
    )
    copy_rows(
        Involvement,
        ("act_id", "actor_id", "degree"),
        (
            (first_act + n, actor_ids[n % len(actor_ids)], InvolvementDegree.DIRECT)
            for n in range(0, acts, 10)
        ),
    )
    for model in (Incident, Person, Act, Involvement):
        reset_sequence(model)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return federation.assembly_id


def find_assembly(incidents: int) -> int | None:
    from asamblea.incidents.models import Incident

    if Incident.objects.filter(public_summary=SUMMARY).count() != incidents:
        return None
    first = Incident.objects.filter(public_summary=SUMMARY).select_related("committee").first()
    return first.committee.lineage_ids()[0] if first else None


def time_page(assembly_id: int, runs: int, *, cached: bool) -> list[float]:
    from django.core.cache import cache
    from django.test import Client

    client = Client()
    url = f"/incidents/public/{assembly_id}/"
    timings = []
    if cached:
        client.get(url)
    for _ in range(runs):
        if not cached:
            cache.clear()
        began = time.perf_counter()
        response = client.get(url)
        timings.append(time.perf_counter() - began)
        assert response.status_code == 200, response.status_code
    return timings


def time_acled() -> tuple[float, int, int]:
    """Seconds, bytes and peak-memory growth (KiB) for the whole export."""
    from django.test import Client

    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    began = time.perf_counter()
    response = Client().get("/api/v1/incidents/public/acled.csv")
    size = 0
    for chunk in response.streaming_content:
        size += len(chunk)
    seconds = time.perf_counter() - began
    growth = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak_before
    return seconds, size, growth


def traced_acled_peak() -> int:
    """Peak of the Python heap (KiB, ``tracemalloc``) while the whole export
    streams, in a separate untimed pass: constant memory means the same peak
    whatever the number of incidents."""
    from django.test import Client

    tracemalloc.start()
    try:
        response = Client().get("/api/v1/incidents/public/acled.csv")
        tracemalloc.reset_peak()
        for _chunk in response.streaming_content:
            pass
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak // 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--full", action="store_true", help="100,000 incidents, 300,000 acts")
    parser.add_argument("--incidents", type=int)
    parser.add_argument("--runs", type=int, default=RUNS)
    parser.add_argument("--regenerate", action="store_true", help="rebuild the data set")
    parser.add_argument("--seed", type=int, default=2023)
    parser.add_argument("--database-url", help="PostgreSQL URL (default: a bench database)")
    args = parser.parse_args()

    incidents = args.incidents or (FULL if args.full else SMALL)
    url = args.database_url or bench_database_url(f"asamblea_bench_incidents_{incidents}")
    created = ensure_postgres_database(url)
    setup_django(url)
    migrate()
    facts = machine_facts()
    facts["postgresql"] = postgres_version()
    facts["database"] = url.rsplit("/", 1)[-1]
    acts = incidents * ACTS_PER_INCIDENT
    print_header(f"incident statistics: {incidents:,} incidents, {acts:,} acts", facts)

    assembly_id = None if args.regenerate else find_assembly(incidents)
    generation = None
    if assembly_id is None:
        if not created:
            connection.close()
            ensure_postgres_database(url, recreate=True)
            migrate()
        print("   generating the data set (COPY) ...", flush=True)
        began = time.perf_counter()
        assembly_id = generate(incidents, args.seed)
        generation = time.perf_counter() - began
        print(f"   generation: {generation:.1f} s")
    else:
        print("   data set already present (use --regenerate to rebuild)")
    size = database_size_bytes()
    print(f"   database size: {size / 2**20:,.0f} MiB")

    uncached = time_page(assembly_id, args.runs, cached=False)
    cached = time_page(assembly_id, args.runs, cached=True)
    acled_seconds, acled_bytes, acled_growth = time_acled()
    acled_traced_peak = traced_acled_peak()
    met_uncached = print_target(
        "statistics page, uncached (median)", median(uncached), TARGET_SECONDS, "s", at_most=True
    )
    met_cached = print_target(
        "statistics page, cached (median)", median(cached), TARGET_SECONDS, "s", at_most=True
    )
    print(
        f"   ACLED export: {acled_seconds:.2f} s, {acled_bytes / 2**20:.1f} MiB, "
        f"peak memory growth {acled_growth / 1024:.1f} MiB, "
        f"Python heap peak while streaming {acled_traced_peak / 1024:.1f} MiB"
    )
    emit(
        {
            "bench": "incident_stats",
            "incidents": incidents,
            "acts": acts,
            "runs": args.runs,
            "page_uncached_median_s": round(median(uncached), 4),
            "page_cached_median_s": round(median(cached), 4),
            "page_uncached_met": met_uncached,
            "page_cached_met": met_cached,
            "acled_seconds": round(acled_seconds, 3),
            "acled_bytes": acled_bytes,
            "acled_peak_growth_kib": acled_growth,
            "acled_traced_peak_kib": acled_traced_peak,
            "generation_s": None if generation is None else round(generation, 1),
            "database_bytes": size,
            **facts,
        }
    )


if __name__ == "__main__":
    main()
