"""Encrypted ballots cast over the JSON API against the app served by gunicorn,
and ``verify --jobs 1`` against ``--jobs 2`` on a simulated election's record.

Casting. Setup (a fresh PostgreSQL database each run): a federation of
``--voters`` members (100 per committee), each with an API token and a voting
key written in bulk, and an open, encrypted yes/no/abstain poll at the
assembly whose electorate is all of them (created and opened through the
voting services, with a standing key from the engine's in-process ceremony),
so every member holds a device credential. Every ballot is encrypted, proved
and signed by the engine *before* the load starts (two processes), so the
client does not bound the rate: the load only sends bytes.

Load: ``--users`` concurrent simulated voters on this machine, each taking
the next voter and casting that voter's ballots in order (one, or two for a
change of mind) with ``POST /api/v1/polls/<id>/encrypted/cast``, until every
voter is done or ``--duration`` has passed. The server verifies every
ballot (signature, every range proof, credential, replay) before it is put on
the board; nothing is skipped for the benchmark.

Afterwards: every acknowledged ballot (HTTP 200) must be on the board at the
index its receipt names, with that tracker; every receipt must be the board's
signature on the ballot the client sent; the board's lines must be numbered
1..N and chain tracker to tracker up to the election's head.

Targets: >= 250 ballots/s sustained, p99 <= 250 ms, no errors, every
acknowledged ballot on the board.

Verification. ``secret-ballot simulate`` writes the record of a
``--verify-voters`` election (cached under bench/out/), then ``secret-ballot
verify`` runs on it with ``--jobs 1`` and ``--jobs 2``; the ratio is reported.

    .venv/bin/python bench/encrypted_casting.py          # 12,000 voters, 30 s; 20,000 in the record
    .venv/bin/python bench/encrypted_casting.py --quick  # 3,000 voters, 10 s; 5,000 in the record
    .venv/bin/python bench/encrypted_casting.py --skip-verify
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import multiprocessing
import random
import secrets
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection
from django.utils import timezone

from _common import (
    REPO_DIR,
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
from http_votes import REQUEST_TIMEOUT_S, post_json
from secret_ballot.ballot import ballot_digest, ballot_to_json, encrypt_ballot, tracker_start
from secret_ballot.board import Receipt, verify_receipt
from secret_ballot.credentials import VotingKeyPair
from secret_ballot.dkg import transcript_to_json
from secret_ballot.election import Election, Parameters, TrusteeInfo
from secret_ballot.group import Scalar, base_mul
from secret_ballot.hash import Digest, hash_to_scalar
from secret_ballot.trustee import Trustee, run_ceremony

TARGET_BALLOTS_PER_S = 250.0
TARGET_P99_MS = 250.0
REVOTE_SHARE = 0.1
OUT = Path(__file__).parent / "out"


@dataclass
class Voter:
    member_id: int
    token: str
    bodies: list[bytes]  # the request bodies this voter casts, in order
    hashes: list[str]  # h_B of each ballot, hex


@dataclass
class LoadResult:
    started: float = 0.0
    elapsed: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    ack_seconds: list[int] = field(default_factory=list)
    statuses: collections.Counter[str] = field(default_factory=collections.Counter)
    receipts: list[tuple[str, dict[str, object]]] = field(default_factory=list)
    """(h_B the client sent, the receipt it got) per acknowledged ballot."""
    voters_done: int = 0
    client_cpu_s: float = 0.0

    @property
    def acks(self) -> int:
        return len(self.ack_seconds)

    @property
    def errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status != "200")


# --- setup ---------------------------------------------------------------------------


def standing_key():  # type: ignore[no-untyped-def]
    """A standing key from the engine's in-process ceremony of three trustees."""
    from asamblea.voting.encrypted.keys import ElectionKeySource

    communication = [hash_to_scalar("bench", "comm", i) for i in range(1, 4)]
    params = Parameters(
        "board-bench",
        2,
        tuple(TrusteeInfo(i, f"T{i}", base_mul(d)) for i, d in enumerate(communication, 1)),
    )
    trustees = [Trustee.create(params, i, communication[i - 1]) for i in range(1, 4)]
    transcript, outcome = run_ceremony(trustees)
    assert outcome.joint_key is not None
    return ElectionKeySource(
        parameters_json=params.to_json(),  # type: ignore[arg-type]
        joint_key=outcome.joint_key.hex(),
        verification_keys=tuple(vk.hex() for vk in outcome.verification_keys),
        qualified=outcome.qualified,
        ceremony_json=transcript_to_json(transcript),  # type: ignore[arg-type]
    )


_ELECTION: Election | None = None


def _init_encrypt(election: Election) -> None:
    global _ELECTION
    _ELECTION = election


def _encrypt(job: tuple[str, str, list[list[int]]]) -> list[tuple[bytes, str]]:
    """The request bodies (and h_B) of one voter's ballots, made as a device would."""
    secret_hex, election_id, plans = job
    election = _ELECTION
    assert election is not None
    credential = VotingKeyPair.from_secret(Scalar.from_hex(secret_hex)).credential(election_id)
    contest = election.manifest.contests[0].contest_id
    out = []
    for values in plans:
        ballot, _seed = encrypt_ballot(election, credential, {contest: values})
        h_b = ballot_digest(election.election_hash, ballot)
        body = json.dumps({"ballot": ballot_to_json(ballot)}, separators=(",", ":"))
        out.append((body.encode("utf-8"), h_b.hex()))
    return out


def prepare(*, voters: int, seed: int, jobs: int) -> tuple[int, Election, list[Voter]]:
    """The federation, tokens, voting keys, the open poll and every ballot."""
    from asamblea.accounts.models import ApiToken, Member
    from asamblea.accounts.services import TOKEN_PREFIX
    from asamblea.federation.models import Node
    from asamblea.voting import services as voting_services
    from asamblea.voting.encrypted import keys
    from asamblea.voting.encrypted.services import engine_election
    from asamblea.voting.models import Election as ElectionRow
    from asamblea.voting.models import VotingKey
    from asamblea.voting.spec import PollSpec

    t0 = time.perf_counter()
    fed = generate_federation(committees=max(1, voters // 100), members=voters, seed=seed)
    rng = random.Random(seed)
    now = timezone.now()
    tokens = {mid: TOKEN_PREFIX + secrets.token_urlsafe(32) for mid in fed.member_ids()}
    copy_rows(
        ApiToken,
        ["member_id", "name", "digest", "prefix", "created_at"],
        ((mid, "bench", token_digest(raw), raw[:12], now) for mid, raw in tokens.items()),
    )
    pairs = {mid: VotingKeyPair.generate() for mid in fed.member_ids()}
    copy_rows(
        VotingKey,
        ["member_id", "public_key", "registered_at"],
        ((mid, pair.public.hex(), now) for mid, pair in pairs.items()),
    )
    print(f"   federation, tokens, voting keys: {time.perf_counter() - t0:.1f} s", flush=True)
    t0 = time.perf_counter()
    keys.register_key_source(lambda poll: standing_key())
    operator = Member.objects.create_user(
        "bench-operator", secrets.token_urlsafe(16), is_staff=True, is_superuser=True
    )
    poll = voting_services.create_poll(
        actor=operator,
        node=Node.objects.get(pk=fed.assembly_id),
        spec=PollSpec(question="bench: encrypted casting", encrypted=True),
    )
    voting_services.open_poll(actor=operator, poll=poll)
    row = ElectionRow.objects.get(poll=poll)
    election = engine_election(row)
    print(f"   poll opened (credential list): {time.perf_counter() - t0:.1f} s", flush=True)
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")

    t0 = time.perf_counter()
    choices = ([1, 0, 0], [0, 1, 0], [0, 0, 1])
    members = list(fed.member_ids())
    plans = {
        mid: [list(rng.choice(choices)) for _ in range(2 if rng.random() < REVOTE_SHARE else 1)]
        for mid in members
    }
    work = [(pairs[mid].secret.hex(), row.election_id, plans[mid]) for mid in members]
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(jobs, initializer=_init_encrypt, initargs=(election,)) as pool:
        made = pool.map(_encrypt, work, chunksize=64)
    plan = [
        Voter(mid, tokens[mid], [b for b, _h in ballots], [h for _b, h in ballots])
        for mid, ballots in zip(members, made, strict=True)
    ]
    rng.shuffle(plan)
    count = sum(len(v.bodies) for v in plan)
    print(
        f"   {count:,} ballots encrypted beforehand ({jobs} processes): "
        f"{time.perf_counter() - t0:.1f} s",
        flush=True,
    )
    return poll.pk, election, plan


# --- load ----------------------------------------------------------------------------


async def run_load(
    *, port: int, poll_id: int, voters: list[Voter], users: int, duration: float
) -> LoadResult:
    result = LoadResult()
    queue = collections.deque(voters)
    path = f"/api/v1/polls/{poll_id}/encrypted/cast"
    samples: dict[str, bytes] = {}
    result.started = time.monotonic()
    deadline = result.started + duration
    cpu_start = time.process_time()

    async def user() -> None:
        while queue and time.monotonic() < deadline:
            voter = queue.popleft()
            for body, h_b in zip(voter.bodies, voter.hashes, strict=True):
                if time.monotonic() >= deadline:
                    return
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
                if status == "200":
                    result.ack_seconds.append(int(end - result.started))
                    result.receipts.append((h_b, json.loads(payload)))
                else:
                    samples.setdefault(status, payload[:300])
            result.voters_done += 1

    await asyncio.gather(*(user() for _ in range(users)))
    result.elapsed = time.monotonic() - result.started
    result.client_cpu_s = time.process_time() - cpu_start
    for status, payload in samples.items():
        sample = " ".join(payload.decode("utf-8", "replace").split())[:200]
        print(f"   sample response for {status}: {sample}")
    return result


def check_board(poll_id: int, election: Election, result: LoadResult) -> dict[str, int]:
    """Every acknowledged ballot on the board where its receipt says, every
    receipt the board's, and the board one chain from T_0 to the head."""
    from asamblea.voting.models import BoardLine
    from asamblea.voting.models import Election as ElectionRow

    row = ElectionRow.objects.get(poll_id=poll_id)
    h_e = election.election_hash
    lines = dict(
        BoardLine.objects.filter(election=row).values_list("index", "tracker").order_by("index")
    )
    missing = bad_receipts = 0
    for h_b, receipt_json in result.receipts:
        receipt = Receipt.from_json(receipt_json)  # type: ignore[arg-type]
        ok = (
            receipt.election_hash == h_e
            and receipt.ballot_hash.hex() == h_b
            and verify_receipt(
                h_e,
                election.board_key,
                receipt.index,
                receipt.ballot_hash,
                receipt.tracker,
                receipt.signature,
            )
        )
        bad_receipts += not ok
        missing += lines.get(receipt.index) != receipt.tracker.hex()
    broken = 0
    previous = tracker_start(h_e)
    for index, (number, _tracker) in enumerate(sorted(lines.items()), start=1):
        broken += number != index
    chained = (
        BoardLine.objects.filter(election=row)
        .order_by("index")
        .values_list("previous_tracker", "tracker")
    )
    for prev, tracker in chained.iterator(chunk_size=2000):
        broken += prev != previous.hex()
        previous = Digest(bytes.fromhex(tracker))
    broken += row.head != previous.hex()
    return {
        "acked": result.acks,
        "board_lines": len(lines),
        "acked_missing_or_moved": missing,
        "receipts_not_the_boards": bad_receipts,
        "board_breaks": broken,
    }


# --- verify --jobs -------------------------------------------------------------------


def _cli(args: list[str]) -> float:
    t = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "secret_ballot", *args],
        capture_output=True,
        text=True,
        cwd=REPO_DIR,
    )
    elapsed = time.perf_counter() - t
    if proc.returncode != 0:
        print(proc.stdout[-2000:], proc.stderr[-2000:], file=sys.stderr)
        raise SystemExit(f"secret-ballot {args[0]} failed with {proc.returncode}")
    return elapsed


def verify_jobs(voters: int) -> dict[str, float]:
    path = OUT / f"record-{voters}"
    figures: dict[str, float] = {}
    if not (path / "tally.json").exists():
        simulate = ["simulate", "--voters", str(voters), "--options", "3", "--trustees", "3"]
        simulate += ["--threshold", "2", "--out", str(path), "--jobs", "2"]
        figures["simulate_s"] = _cli([*simulate, "--seed", f"bench-{voters}"])
        print(f"   simulated {voters:,} voters: {figures['simulate_s']:.1f} s", flush=True)
    for jobs in (1, 2):
        figures[f"verify_jobs{jobs}_s"] = _cli(["verify", str(path), "--jobs", str(jobs)])
        print(f"   verify --jobs {jobs}: {figures[f'verify_jobs{jobs}_s']:.1f} s", flush=True)
    figures["speedup"] = figures["verify_jobs1_s"] / figures["verify_jobs2_s"]
    print(f"   --jobs 2 against --jobs 1: {figures['speedup']:.2f}x")
    return figures


# --- main ----------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="3,000 voters, 10 s")
    parser.add_argument("--voters", type=int)
    parser.add_argument("--duration", type=float, help="seconds of load (at most 300)")
    parser.add_argument("--users", type=int, default=16, help="concurrent simulated voters")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker (1: sync)")
    parser.add_argument("--seed", type=int, default=2023)
    parser.add_argument("--verify-voters", type=int, help="voters of the simulated record")
    parser.add_argument("--skip-verify", action="store_true", help="casting only")
    parser.add_argument("--skip-casting", action="store_true", help="verify --jobs only")
    parser.add_argument("--database-url", default=bench_database_url("asamblea_bench_casting"))
    args = parser.parse_args()
    voters = args.voters or (3_000 if args.quick else 12_000)
    duration = min(args.duration or (10.0 if args.quick else 30.0), 300.0)
    verify_voters = args.verify_voters or (5_000 if args.quick else 20_000)
    users = max(1, min(args.users, 256))
    facts = machine_facts()
    figures: dict[str, object] = {"bench": "encrypted_casting", **facts}
    targets_met: dict[str, bool] = {}

    if not args.skip_casting:
        sealing_key = secrets.token_urlsafe(32)
        ensure_postgres_database(args.database_url, recreate=True)
        setup_django(args.database_url, ASAMBLEA_SEALING_KEY=sealing_key)
        migrate()
        facts["postgresql"] = postgres_version()
        print_header(
            f"encrypted_casting: {voters:,} voters, {users} concurrent users, {duration:.0f} s, "
            f"gunicorn {args.workers} "
            + (f"gthread workers x {args.threads} threads" if args.threads > 1 else "sync workers"),
            facts,
        )
        poll_id, election, plan = prepare(voters=voters, seed=args.seed, jobs=2)
        connection.close()
        log_path = Path(tempfile.gettempdir()) / "asamblea-bench-casting-gunicorn.log"
        env = {
            "DATABASE_URL": args.database_url,
            "ASAMBLEA_CONN_MAX_AGE": "60",
            "ASAMBLEA_SEALING_KEY": sealing_key,
        }
        with served_app(
            env, workers=args.workers, threads=args.threads, log_path=log_path
        ) as served:
            workers = served.worker_pids()
            workers_cpu_before = cpu_seconds(workers)
            result = asyncio.run(
                run_load(
                    port=served.port, poll_id=poll_id, voters=plan, users=users, duration=duration
                )
            )
            workers_cpu = cpu_seconds(workers) - workers_cpu_before
            database_cpu = cpu_seconds(backend_pids())
            connection.close()
        checks = check_board(poll_id, election, result)
        rate = result.acks / result.elapsed if result.elapsed else 0.0
        per_second = collections.Counter(result.ack_seconds)
        full_seconds = [per_second.get(s, 0) for s in range(int(result.elapsed))]
        p50, p95, p99 = (percentile(result.latencies_ms, q) for q in (50, 95, 99))
        acks = max(result.acks, 1)
        print(
            f"   requests {sum(result.statuses.values()):,}, acknowledged {result.acks:,}, "
            f"statuses {dict(result.statuses)}, voters done {result.voters_done:,}/{voters:,}, "
            f"elapsed {result.elapsed:.1f} s"
        )
        print(
            f"   ballots/s per whole second: median {median(full_seconds):.0f}, "
            f"min {min(full_seconds, default=0)}, max {max(full_seconds, default=0)}"
        )
        print(
            f"   latency ms: p50 {p50:.1f}, p95 {p95:.1f}, p99 {p99:.1f}, "
            f"max {max(result.latencies_ms, default=0):.1f}"
        )
        print(
            f"   CPU per acknowledged ballot: gunicorn workers {workers_cpu / acks * 1000:.2f} ms, "
            f"PostgreSQL backends {database_cpu / acks * 1000:.2f} ms, "
            f"load generator {result.client_cpu_s / acks * 1000:.2f} ms"
        )
        print(f"   board check: {checks}")
        targets_met["ballots_per_s"] = print_target(
            "ballots/s sustained", rate, TARGET_BALLOTS_PER_S, "ballots/s", at_most=False
        )
        targets_met["p99_ms"] = print_target("p99 latency", p99, TARGET_P99_MS, "ms", at_most=True)
        targets_met["errors"] = print_target("errors", result.errors, 0, "", at_most=True)
        lost = (
            checks["acked_missing_or_moved"]
            + checks["receipts_not_the_boards"]
            + checks["board_breaks"]
        )
        targets_met["acked_on_board"] = print_target(
            "acknowledged ballots missing, moved or badly signed", lost, 0, "", at_most=True
        )
        figures.update(
            {
                "voters": voters,
                "users": users,
                "workers": args.workers,
                "threads": args.threads,
                "duration_s": duration,
                "elapsed_s": result.elapsed,
                "requests": sum(result.statuses.values()),
                "acks": result.acks,
                "statuses": dict(result.statuses),
                "ballots_per_s": rate,
                "ballots_per_s_median_second": median(full_seconds),
                "latency_ms": {"p50": p50, "p95": p95, "p99": p99},
                "errors": result.errors,
                "cpu_ms_per_ballot": {
                    "gunicorn": workers_cpu / acks * 1000,
                    "postgresql": database_cpu / acks * 1000,
                    "load_generator": result.client_cpu_s / acks * 1000,
                },
                "board_check": checks,
            }
        )
    if not args.skip_verify:
        print(f"== verify --jobs 1 and 2 on a {verify_voters:,}-voter simulated record")
        figures["verify"] = verify_jobs(verify_voters)
    figures["targets"] = {
        "ballots_per_s": TARGET_BALLOTS_PER_S,
        "p99_ms": TARGET_P99_MS,
        "errors": 0,
        "acked_lost": 0,
    }
    figures["targets_met"] = targets_met
    emit(figures)


if __name__ == "__main__":
    main()
