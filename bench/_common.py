"""Helpers shared by the benchmarks: machine facts, bench databases, bulk loading
with PostgreSQL COPY, a generated federation, a served app and the report format.

Benchmarks print figures; they never assert on timings. Each one ends its output
with a single JSON line holding every figure, so that runs can be compared.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import platform
import random
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import django
import psycopg
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from psycopg import sql
from psycopg.types.json import Jsonb

REPO_DIR = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
DEFAULT_PG_SERVER = "postgres://postgres@127.0.0.1:5432"
# One hash for every generated member: hashing a million passwords would measure
# Argon2, not the federation. It is "unusable" (Django's "!" prefix), so nobody
# can log in as a generated member.
UNUSABLE_PASSWORD = "!bench-generated-member"  # noqa: S105


# --------------------------------------------------------------------------- report


def machine_facts() -> dict[str, Any]:
    """Facts that make figures comparable: cores, CPU model, load, versions."""
    cpu = "unknown"
    with contextlib.suppress(OSError), open("/proc/cpuinfo", encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    facts: dict[str, Any] = {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "loadavg_1m": round(os.getloadavg()[0], 2),
    }
    return facts


def postgres_version() -> str:
    """The server version of Django's current PostgreSQL connection."""
    with connection.cursor() as cur:
        cur.execute("SHOW server_version")
        row = cur.fetchone()
    return str(row[0]) if row else "unknown"


def median(values: Sequence[float]) -> float:
    ordered = sorted(values)
    n = len(ordered)
    if n == 0:
        return math.nan
    mid = n // 2
    return ordered[mid] if n % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (``q`` in 0..100) of ``values``."""
    ordered = sorted(values)
    if not ordered:
        return math.nan
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def print_header(title: str, facts: dict[str, Any]) -> None:
    print(f"== {title}")
    for key, value in facts.items():
        print(f"   {key}: {value}")


def print_target(label: str, value: float, target: float, unit: str, *, at_most: bool) -> bool:
    """Print one figure against its target; return whether the target is met."""
    met = value <= target if at_most else value >= target
    sign = "<=" if at_most else ">="
    verdict = "met" if met else "MISSED"
    shown = f"{value:,}" if isinstance(value, int) else f"{value:,.3f}"
    unit = f" {unit}" if unit else ""
    print(f"   {label}: {shown}{unit} (target {sign} {target:,}{unit}: {verdict})")
    return met


def emit(figures: dict[str, Any]) -> None:
    """The last line of every benchmark: all its figures as one JSON object."""
    print(json.dumps(figures, sort_keys=True, default=str))


# --------------------------------------------------------------------------- databases


def bench_database_url(name: str) -> str:
    return f"{DEFAULT_PG_SERVER}/{name}"


def _server_url(database_url: str) -> tuple[str, str]:
    """Split a PostgreSQL URL into the maintenance database URL and the db name."""
    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    if not name:
        raise SystemExit(f"no database name in {database_url!r}")
    return urlunsplit(parts._replace(path="/postgres")), name


def ensure_postgres_database(database_url: str, *, recreate: bool = False) -> bool:
    """Create the database if it is missing (drop it first if ``recreate``).

    Returns True when the database was created by this call.
    """
    server, name = _server_url(database_url)
    with psycopg.connect(server, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and recreate:
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
            exists = None
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            return True
    return False


def setup_django(database_url: str, **env: str) -> None:
    """Point Django at ``database_url`` and set it up (once per process)."""
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "asamblea.config.settings")
    os.environ.update(env)
    src = str(REPO_DIR / "src")
    if src not in sys.path:
        sys.path.insert(0, src)
    django.setup()


def migrate() -> None:
    call_command("migrate", interactive=False, verbosity=0)


def database_size_bytes() -> int:
    with connection.cursor() as cur:
        cur.execute("SELECT pg_database_size(current_database())")
        row = cur.fetchone()
    return int(row[0]) if row else 0


def next_id(model: Any) -> int:
    """The first free primary key of ``model``'s table (explicit ids are needed
    to build materialised paths and foreign keys before the rows exist)."""
    current = model.objects.aggregate(top=Max("pk"))["top"]
    return int(current or 0) + 1


def _raw_connection() -> psycopg.Connection[Any]:
    """Django's underlying psycopg connection (COPY is not in Django's API)."""
    connection.ensure_connection()
    raw = connection.connection
    assert isinstance(raw, psycopg.Connection)
    return raw


def reset_sequence(model: Any) -> None:
    """After rows were copied with explicit ids, move the id sequence past them."""
    table = model._meta.db_table
    column = model._meta.pk.column
    statement = sql.SQL(
        "SELECT setval(pg_get_serial_sequence(%s, %s), "
        "COALESCE((SELECT MAX({column}) FROM {table}), 0) + 1, false)"
    ).format(column=sql.Identifier(column), table=sql.Identifier(table))
    with _raw_connection().cursor() as cur:
        cur.execute(statement, [table, column])


def copy_rows(model: Any, fields: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """COPY ``rows`` (tuples in the order of ``fields``, given by attname, e.g.
    ``node_id``) into ``model``'s table.

    Every other concrete field gets its model default, computed once, so a field
    added to the model later does not break the loader. JSON values must be
    wrapped by the caller (``psycopg.types.json.Jsonb``).
    """
    meta = model._meta
    given = list(fields)
    extras: list[Any] = []
    extra_columns: list[str] = []
    for f in meta.concrete_fields:
        if f.attname in given or f.primary_key:
            continue
        default = f.get_default()  # "" for text fields without a default
        if default is None and not f.null:
            raise SystemExit(f"{meta.label}.{f.attname} has no default: the loader must fill it")
        if f.get_internal_type() == "JSONField" and default is not None:
            default = Jsonb(default)
        extras.append(default)
        extra_columns.append(f.column)
    columns = [meta.get_field(name).column for name in given] + extra_columns
    statement = sql.SQL("COPY {table} ({columns}) FROM STDIN").format(
        table=sql.Identifier(meta.db_table),
        columns=sql.SQL(", ").join(sql.Identifier(c) for c in columns),
    )
    tail = tuple(extras)
    count = 0
    with transaction.atomic(), _raw_connection().cursor() as cur, cur.copy(statement) as copy:
        for row in rows:
            copy.write_row((*row, *tail))
            count += 1
    return count


# --------------------------------------------------------------------------- federation


@dataclass
class GeneratedFederation:
    """Ids of a generated tree. Members are ``first_member .. first_member+n-1``;
    ``member_committee[i]`` is the committee of member ``first_member + i``."""

    assembly_id: int
    region_ids: list[int]
    zone_ids: list[int]
    committee_ids: list[int]
    first_member: int
    member_committee: list[int] = field(repr=False)
    delegate_of: dict[int, int] = field(repr=False)

    @property
    def member_count(self) -> int:
        return len(self.member_committee)

    def member_ids(self) -> range:
        return range(self.first_member, self.first_member + self.member_count)


def committee_sizes(*, committees: int, members: int, rng: random.Random) -> list[int]:
    """Uneven committee sizes (half to one and a half the mean) summing to ``members``."""
    base = members // committees
    sizes = [base] * committees
    for i in range(members - base * committees):
        sizes[i] += 1
    # Move members between neighbours so sizes vary and the total stays exact.
    for i in range(0, committees - 1, 2):
        delta = rng.randint(0, base // 2)
        sizes[i] += delta
        sizes[i + 1] -= delta
    return sizes


def generate_federation(
    *, committees: int, members: int, regions: int = 25, seed: int = 2023
) -> GeneratedFederation:
    """Write a federation straight into the tables with COPY: one assembly,
    ``regions`` regions, a zone per 40 committees, ``committees`` committees and
    ``members`` members, each with one membership. Every committee gets a
    secretary and a delegate (role and active mandate). No audit entries: this is
    bench data, not history.
    """
    # Model modules can only be imported once Django is set up (setup_django).
    from asamblea.accounts.models import Member
    from asamblea.federation.models import (
        Mandate,
        MandateSource,
        Membership,
        Node,
        NodeKind,
        Role,
    )

    if committees < 1 or members < 2 * committees:
        raise SystemExit("need at least one committee and two members per committee")
    rng = random.Random(seed)
    now = timezone.now()
    zones = max(1, committees // 40)
    regions = min(regions, zones)

    node_id = next_id(Node)
    node_rows: list[tuple[Any, ...]] = []

    def add_node(kind: str, name: str, parent: tuple[int, str, int] | None) -> tuple[int, str, int]:
        nonlocal node_id
        pk = node_id
        node_id += 1
        path = (parent[1] if parent else "") + Node.segment(pk)
        depth = parent[2] + 1 if parent else 0
        node_rows.append((pk, kind, name, parent[0] if parent else None, path, depth, 2, now))
        return pk, path, depth

    assembly = add_node(NodeKind.ASSEMBLY, "Asamblea Nacional (bench)", None)
    region_nodes = [add_node(NodeKind.REGION, f"Región {r + 1}", assembly) for r in range(regions)]
    zone_nodes = [
        add_node(NodeKind.ZONE, f"Zona {z + 1}", region_nodes[z % regions]) for z in range(zones)
    ]
    committee_nodes = [
        add_node(NodeKind.COMMITTEE, f"Comité {c + 1}", zone_nodes[c % zones])
        for c in range(committees)
    ]
    copy_rows(
        Node,
        ["id", "kind", "name", "parent_id", "path", "depth", "seconders_required", "created_at"],
        node_rows,
    )
    reset_sequence(Node)

    committee_ids = [c[0] for c in committee_nodes]
    sizes = committee_sizes(committees=committees, members=members, rng=rng)
    member_committee = [
        cid for cid, size in zip(committee_ids, sizes, strict=True) for _ in range(size)
    ]
    first_member = next_id(Member)
    copy_rows(
        Member,
        ["id", "password", "pseudonym", "language", "is_active", "is_staff", "is_superuser"],
        (
            (first_member + i, UNUSABLE_PASSWORD, f"b{first_member + i}", "es", True, False, False)
            for i in range(members)
        ),
    )
    reset_sequence(Member)

    # The first member of each committee is its delegate, the second its secretary.
    delegate_of: dict[int, int] = {}
    roles: dict[int, str] = {}
    offset = first_member
    for cid, size in zip(committee_ids, sizes, strict=True):
        delegate_of[cid] = offset
        roles[offset] = Role.DELEGATE
        roles[offset + 1] = Role.SECRETARY
        offset += size
    copy_rows(
        Membership,
        ["member_id", "node_id", "role", "weight", "joined_at"],
        (
            (first_member + i, cid, roles.get(first_member + i, Role.MEMBER), 1, now)
            for i, cid in enumerate(member_committee)
        ),
    )
    copy_rows(
        Mandate,
        ["committee_id", "delegate_id", "source", "started_at"],
        ((cid, mid, MandateSource.ELECTED, now) for cid, mid in delegate_of.items()),
    )
    return GeneratedFederation(
        assembly_id=assembly[0],
        region_ids=[r[0] for r in region_nodes],
        zone_ids=[z[0] for z in zone_nodes],
        committee_ids=committee_ids,
        first_member=first_member,
        member_committee=member_committee,
        delegate_of=delegate_of,
    )


def token_digest(raw: str) -> str:
    """The digest the accounts app stores for a raw API token."""
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


# --------------------------------------------------------------------------- served app


def cpu_seconds(pids: Iterable[int]) -> float:
    """User + system CPU time consumed so far by processes ``pids`` (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError), open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            # Fields after the command name (which may hold spaces) start at state.
            fields = fh.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
    return total / ticks


def child_pids(pid: int) -> list[int]:
    """Direct children of ``pid`` (the gunicorn workers of a master)."""
    children: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            children.extend(int(c) for c in (task / "children").read_text().split())
    return children


def backend_pids() -> list[int]:
    """PostgreSQL server processes serving other clients of the current database."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT pid FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return [int(row[0]) for row in cur.fetchall()]


@dataclass
class Served:
    base: str
    port: int
    pid: int  # the gunicorn master

    def worker_pids(self) -> list[int]:
        return child_pids(self.pid)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def served_app(
    env: dict[str, str], *, workers: int = 2, threads: int = 1, log_path: Path | None = None
) -> Iterator[Served]:
    """Run the app under gunicorn on 127.0.0.1 and a free port; yield where it is.

    ``env`` is added to this process's environment (DATABASE_URL and friends).
    With ``threads`` > 1 the workers are gthread workers (each serves that many
    requests at once, so one waiting for the database does not idle its core);
    otherwise sync workers.
    Gunicorn is stopped (SIGTERM, then SIGKILL) when the block ends.
    """
    gunicorn = VENV_BIN / "gunicorn"
    if not gunicorn.exists():
        found = shutil.which("gunicorn")
        if not found:
            raise SystemExit("gunicorn is not installed")
        gunicorn = Path(found)
    port = free_port()
    child_env = {**os.environ, "ASAMBLEA_DEBUG": "0", **env}
    child_env["PYTHONPATH"] = str(REPO_DIR / "src")
    log = open(log_path or os.devnull, "w", encoding="utf-8")  # noqa: SIM115
    proc = subprocess.Popen(
        [
            str(gunicorn),
            "asamblea.config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--backlog",
            "2048",
            "--timeout",
            "60",
            *(["--worker-class", "gthread", "--threads", str(threads)] if threads > 1 else []),
        ],
        cwd=REPO_DIR,
        env=child_env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                raise SystemExit(f"gunicorn exited with {proc.returncode}; see {log_path}")
            try:
                with urllib.request.urlopen(f"{base}/", timeout=2):  # noqa: S310
                    break
            except urllib.error.HTTPError:
                break  # it answered, even if with an error page
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit("gunicorn did not answer within 30 s") from None
                time.sleep(0.2)
        yield Served(base=base, port=port, pid=proc.pid)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
