"""Votes cast over the JSON API against the app served by gunicorn.

Setup (a fresh PostgreSQL database each run): a federation of ``--voters``
members (100 per committee), each with an API token written in bulk, and an
open, named (non-secret) yes/no/abstain poll at the assembly whose frozen
electorate is all of them (created and opened through the voting services).

Load: ``--users`` concurrent simulated voters on this machine, each taking the
next voter and casting 1 to 3 times (the first cast, then changes of mind)
with ``POST /api/v1/polls/<id>/ballot`` and the voter's bearer token, until
every voter is done or ``--duration`` has passed. The client is a small asyncio
HTTP/1.1 client (one connection per request); it only ever connects to
127.0.0.1.

Server: gunicorn with 2 workers, gthread with 4 threads each by default, so a
worker whose request waits for PostgreSQL (a commit's flush) serves another
meanwhile; ``--threads 1`` runs sync workers.

Afterwards every acknowledged vote (HTTP 200/201) is checked in the database:
each voter's stored ballot must hold the last choice the server acknowledged.

Targets: >= 400 votes/s sustained, p99 <= 150 ms, no errors, every
acknowledged vote present.

    .venv/bin/python bench/http_votes.py            # 20,000 voters, 60 s
    .venv/bin/python bench/http_votes.py --quick    # 2,000 voters, 15 s
    .venv/bin/python bench/http_votes.py --threads 1  # sync workers
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import random
import secrets
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection
from django.utils import timezone

from _common import (
    GeneratedFederation,
    backend_pids,
    bench_database_url,
    copy_rows,
    cpu_seconds,
    emit,
    ensure_postgres_database,
    generate_federation,
    machine_facts,
    median,
    migrate,
    percentile,
    postgres_version,
    print_header,
    print_target,
    served_app,
    setup_django,
    token_digest,
)

TARGET_VOTES_PER_S = 400.0
TARGET_P99_MS = 150.0
CHOICES = ("yes", "no", "abstain")
REQUEST_TIMEOUT_S = 30.0


@dataclass
class Voter:
    member_id: int
    token: str
    plan: list[str]  # the choices this voter will cast, in order


@dataclass
class LoadResult:
    started: float = 0.0
    elapsed: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    ack_seconds: list[int] = field(default_factory=list)  # second of each ack
    statuses: collections.Counter[str] = field(default_factory=collections.Counter)
    last_ack: dict[int, str] = field(default_factory=dict)
    voters_done: int = 0
    client_cpu_s: float = 0.0

    @property
    def acks(self) -> int:
        return len(self.ack_seconds)

    @property
    def errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status not in ("200", "201"))


def prepare(*, voters: int, seed: int) -> tuple[int, list[Voter]]:
    """Generate the federation, tokens and the open poll. Returns (poll id, voters)."""
    # Model and service modules can only be imported once Django is set up.
    from asamblea.accounts.models import ApiToken, Member
    from asamblea.accounts.services import TOKEN_PREFIX
    from asamblea.federation.models import Node
    from asamblea.voting import services as voting_services
    from asamblea.voting.spec import PollSpec

    fed: GeneratedFederation = generate_federation(
        committees=max(1, voters // 100), members=voters, seed=seed
    )
    rng = random.Random(seed)
    now = timezone.now()
    tokens = {mid: TOKEN_PREFIX + secrets.token_urlsafe(32) for mid in fed.member_ids()}
    copy_rows(
        ApiToken,
        ["member_id", "name", "digest", "prefix", "created_at"],
        ((mid, "bench", token_digest(raw), raw[:12], now) for mid, raw in tokens.items()),
    )
    operator = Member.objects.create_user(
        "bench-operator", secrets.token_urlsafe(16), is_staff=True, is_superuser=True
    )
    poll = voting_services.create_poll(
        actor=operator,
        node=Node.objects.get(pk=fed.assembly_id),
        spec=PollSpec(question="bench: HTTP votes", secret=False),
    )
    voting_services.open_poll(actor=operator, poll=poll)
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")
    plan = [
        Voter(
            member_id=mid,
            token=raw,
            plan=[rng.choice(CHOICES) for _ in range(rng.randint(1, 3))],
        )
        for mid, raw in tokens.items()
    ]
    rng.shuffle(plan)
    return poll.pk, plan


async def post_json(port: int, path: str, token: str, body: bytes) -> tuple[str, bytes]:
    """One HTTP/1.1 POST to 127.0.0.1; returns (status code, response body)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        head = (
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        )
        writer.write(head.encode("ascii") + body)
        await writer.drain()
        response = await reader.read()  # the server closes the connection
    finally:
        writer.close()
    status_line, _, rest = response.partition(b"\r\n")
    parts = status_line.split(b" ", 2)
    status = parts[1].decode("ascii") if len(parts) > 1 else "no-status"
    return status, rest.partition(b"\r\n\r\n")[2]


async def run_load(
    *, port: int, poll_id: int, voters: list[Voter], users: int, duration: float
) -> LoadResult:
    """``users`` coroutines take voters from a shared queue and cast each voter's
    plan in order, until the queue is empty or ``duration`` seconds have passed."""
    result = LoadResult()
    queue = collections.deque(voters)
    path = f"/api/v1/polls/{poll_id}/ballot"
    sample_bodies: dict[str, bytes] = {}
    result.started = time.monotonic()
    deadline = result.started + duration
    cpu_start = time.process_time()

    async def user() -> None:
        while queue and time.monotonic() < deadline:
            voter = queue.popleft()
            for choice in voter.plan:
                if time.monotonic() >= deadline:
                    return
                body = json.dumps({"choice": [choice]}).encode("utf-8")
                start = time.monotonic()
                try:
                    status, payload = await asyncio.wait_for(
                        post_json(port, path, voter.token, body), REQUEST_TIMEOUT_S
                    )
                except (OSError, TimeoutError) as exc:
                    status, payload = type(exc).__name__, b""
                end = time.monotonic()
                result.statuses[status] += 1
                result.latencies_ms.append((end - start) * 1000)
                if status in ("200", "201"):
                    result.ack_seconds.append(int(end - result.started))
                    result.last_ack[voter.member_id] = choice
                else:
                    # A refused or failed change leaves the earlier ack as the one
                    # the database must hold.
                    sample_bodies.setdefault(status, payload[:300])
            result.voters_done += 1

    await asyncio.gather(*(user() for _ in range(users)))
    result.elapsed = time.monotonic() - result.started
    result.client_cpu_s = time.process_time() - cpu_start
    for status, payload in sample_bodies.items():
        sample = " ".join(payload.decode("utf-8", "replace").split())[:200]
        print(f"   sample response for {status}: {sample}")
    return result


def verify(poll_id: int, result: LoadResult) -> dict[str, int]:
    """Compare every voter's last acknowledged choice with the stored ballot."""
    from asamblea.voting.models import Ballot, VoteLedger
    from asamblea.voting.rules import encode_mask

    positions = {code: p for p, code in enumerate(CHOICES)}
    stored = dict(Ballot.objects.filter(poll_id=poll_id).values_list("voter_id", "mask"))
    ledger = set(VoteLedger.objects.filter(poll_id=poll_id).values_list("member_id", flat=True))
    missing = sum(1 for mid in result.last_ack if mid not in stored)
    wrong = sum(
        1
        for mid, choice in result.last_ack.items()
        if mid in stored and stored[mid] != encode_mask([positions[choice]])
    )
    not_in_ledger = sum(1 for mid in result.last_ack if mid not in ledger)
    return {
        "acked_voters": len(result.last_ack),
        "ballots_stored": len(stored),
        "ledger_rows": len(ledger),
        "acked_missing": missing,
        "acked_wrong_choice": wrong,
        "acked_not_in_ledger": not_in_ledger,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="2,000 voters, 15 s")
    parser.add_argument("--voters", type=int)
    parser.add_argument("--duration", type=float, help="seconds of load (at most 300)")
    parser.add_argument("--users", type=int, default=16, help="concurrent simulated voters")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument(
        "--threads", type=int, default=4, help="threads per worker (1: sync workers)"
    )
    parser.add_argument("--conn-max-age", type=int, default=60, help="ASAMBLEA_CONN_MAX_AGE")
    parser.add_argument("--seed", type=int, default=2023)
    parser.add_argument("--database-url", default=bench_database_url("asamblea_bench_http"))
    args = parser.parse_args()
    voters = args.voters or (2_000 if args.quick else 20_000)
    duration = min(args.duration or (15.0 if args.quick else 60.0), 300.0)
    users = max(1, min(args.users, 256))

    # A fresh database each run: the poll, ledger and audit chain start empty.
    ensure_postgres_database(args.database_url, recreate=True)
    setup_django(args.database_url)
    migrate()
    facts = machine_facts()
    facts["postgresql"] = postgres_version()
    print_header(
        f"http_votes: {voters:,} voters, {users} concurrent users, {duration:.0f} s, "
        f"gunicorn {args.workers} "
        + (f"gthread workers x {args.threads} threads" if args.threads > 1 else "sync workers"),
        facts,
    )
    t0 = time.perf_counter()
    poll_id, plan = prepare(voters=voters, seed=args.seed)
    print(f"   setup (federation, tokens, poll opened): {time.perf_counter() - t0:.1f} s")
    connection.close()  # no idle connection of ours while the server works

    log_path = Path(tempfile.gettempdir()) / "asamblea-bench-http-gunicorn.log"
    env = {
        "DATABASE_URL": args.database_url,
        "ASAMBLEA_CONN_MAX_AGE": str(args.conn_max_age),
    }
    with served_app(env, workers=args.workers, threads=args.threads, log_path=log_path) as served:
        workers = served.worker_pids()
        workers_cpu_before = cpu_seconds(workers)
        result = asyncio.run(
            run_load(port=served.port, poll_id=poll_id, voters=plan, users=users, duration=duration)
        )
        workers_cpu = cpu_seconds(workers) - workers_cpu_before
        # The workers' database connections persist (CONN_MAX_AGE) and were opened
        # by the load's first requests, so their lifetime CPU is the load's.
        database_cpu = cpu_seconds(backend_pids())
        connection.close()
    checks = verify(poll_id, result)

    rate = result.acks / result.elapsed if result.elapsed else 0.0
    per_second = collections.Counter(result.ack_seconds)
    # Whole seconds only: the last, partial second would understate the rate.
    full_seconds = [per_second.get(s, 0) for s in range(int(result.elapsed))]
    p50, p95, p99 = (percentile(result.latencies_ms, q) for q in (50, 95, 99))
    print(
        f"   requests {sum(result.statuses.values()):,}, acknowledged {result.acks:,}, "
        f"statuses {dict(result.statuses)}, voters done {result.voters_done:,}/{voters:,}, "
        f"elapsed {result.elapsed:.1f} s"
    )
    print(
        f"   votes/s per whole second: median {median(full_seconds):.0f}, "
        f"min {min(full_seconds, default=0)}, max {max(full_seconds, default=0)}"
    )
    print(
        f"   latency ms: p50 {p50:.1f}, p95 {p95:.1f}, p99 {p99:.1f}, "
        f"max {max(result.latencies_ms, default=0):.1f}"
    )
    print(
        f"   load generator CPU: {result.client_cpu_s:.1f} s over {result.elapsed:.1f} s "
        f"(it shares the {facts['nproc']} cores with gunicorn and PostgreSQL)"
    )
    acks = max(result.acks, 1)
    print(
        f"   CPU per acknowledged vote: gunicorn workers {workers_cpu / acks * 1000:.2f} ms, "
        f"PostgreSQL backends {database_cpu / acks * 1000:.2f} ms, "
        f"load generator {result.client_cpu_s / acks * 1000:.2f} ms"
    )
    print(f"   verification: {checks}")
    met_rate = print_target("votes/s sustained", rate, TARGET_VOTES_PER_S, "votes/s", at_most=False)
    met_p99 = print_target("p99 latency", p99, TARGET_P99_MS, "ms", at_most=True)
    met_errors = print_target("errors", result.errors, 0, "", at_most=True)
    lost = checks["acked_missing"] + checks["acked_wrong_choice"] + checks["acked_not_in_ledger"]
    met_durable = print_target("acknowledged votes missing or wrong", lost, 0, "", at_most=True)
    emit(
        {
            "bench": "http_votes",
            **facts,
            "voters": voters,
            "users": users,
            "workers": args.workers,
            "threads": args.threads,
            "conn_max_age": args.conn_max_age,
            "duration_s": duration,
            "elapsed_s": result.elapsed,
            "requests": sum(result.statuses.values()),
            "acks": result.acks,
            "statuses": dict(result.statuses),
            "votes_per_s": rate,
            "votes_per_s_median_second": median(full_seconds),
            "votes_per_s_min_second": min(full_seconds, default=0),
            "latency_ms": {"p50": p50, "p95": p95, "p99": p99},
            "errors": result.errors,
            "client_cpu_s": result.client_cpu_s,
            "workers_cpu_s": workers_cpu,
            "database_cpu_s": database_cpu,
            "cpu_ms_per_vote": {
                "gunicorn": workers_cpu / acks * 1000,
                "postgresql": database_cpu / acks * 1000,
                "load_generator": result.client_cpu_s / acks * 1000,
            },
            "verification": checks,
            "targets": {
                "votes_per_s": TARGET_VOTES_PER_S,
                "p99_ms": TARGET_P99_MS,
                "errors": 0,
                "acked_lost": 0,
            },
            "targets_met": {
                "votes_per_s": met_rate,
                "p99_ms": met_p99,
                "errors": met_errors,
                "acked_present": met_durable,
            },
        }
    )


if __name__ == "__main__":
    main()
