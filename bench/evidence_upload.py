"""Upload and hash of a large evidence file, against ``sha256sum`` on the same file.

Writes one file of ``--mb`` MiB (100 by default: an MP4 header, then random
bytes, so that nothing compresses) to a temporary folder and times, ``--runs``
times each, in the same run:

- ``sha256sum FILE``: the baseline a court would run;
- ``hashlib``: reading the file and hashing it in Python (1 MiB chunks);
- ``seal``: what the register does to each byte (``evidence_files.seal_stream``):
  SHA-256, AES-256-GCM per 1 MiB chunk under the register key, written to disk;
- ``reseal``: what a rotation of the register key does to each file
  (``evidence.reseal_files``): the sealed file opened under the old key and
  sealed under a new one chunk by chunk (``evidence_files.ChunkReader``),
  hashed again, written and fsynced;
- ``upload``: the whole upload page in-process through Django's test client on
  SQLite (a temporary instance): the multipart body parsed to a temporary
  file, the type sniffed, the file sealed as above and fsynced, the rows and
  custody entries written. The client builds the multipart body in memory;
  building it is not timed.

Reports medians and the ratio of each to ``sha256sum`` (MB/s = MiB per second).
Benchmarks print figures and never assert on timings.

    .venv/bin/python bench/evidence_upload.py             # 100 MiB, 3 runs
    .venv/bin/python bench/evidence_upload.py --mb 20 --runs 5
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from _common import emit, machine_facts, median, print_header, setup_django

CHUNK = 1024 * 1024
PASSPHRASE = "una frase larga para el banco de pruebas"  # noqa: S105 - a bench-only register


def write_video(path: Path, mib: int) -> None:
    head = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2"
    with path.open("wb") as out:
        out.write(head)
        for _ in range(mib):
            out.write(os.urandom(CHUNK))


def time_sha256sum(path: Path) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(["sha256sum", str(path)], check=True, capture_output=True, text=True)
    return time.perf_counter() - start, done.stdout.split()[0]


def time_hashlib(path: Path) -> tuple[float, str]:
    start = time.perf_counter()
    digest = hashlib.sha256()
    with path.open("rb") as source:
        for chunk in iter(lambda: source.read(CHUNK), b""):
            digest.update(chunk)
    return time.perf_counter() - start, digest.hexdigest()


def time_seal(path: Path, folder: Path) -> tuple[float, str]:
    from asamblea.incidents import evidence_files
    from asamblea.incidents.crypto import DataKey

    key = DataKey.generate()
    target_path = folder / "sealed.bin"
    start = time.perf_counter()
    with path.open("rb") as source, target_path.open("wb") as target:
        sealed = evidence_files.seal_stream(
            key, source, target, aad=b"bench", max_size=path.stat().st_size
        )
        target.flush()
        os.fsync(target.fileno())
    elapsed = time.perf_counter() - start
    target_path.unlink()
    return elapsed, sealed.sha256


def time_reseal(path: Path, folder: Path) -> tuple[float, str]:
    from asamblea.incidents import evidence_files
    from asamblea.incidents.crypto import DataKey

    old, new = DataKey.generate(), DataKey.generate()
    sealed_path, resealed_path = folder / "old.bin", folder / "new.bin"
    size = path.stat().st_size
    with path.open("rb") as source, sealed_path.open("wb") as target:
        evidence_files.seal_stream(old, source, target, aad=b"bench", max_size=size)
    start = time.perf_counter()
    with sealed_path.open("rb") as source, resealed_path.open("wb") as target:
        plain = evidence_files.ChunkReader(evidence_files.open_stream(old, source, aad=b"bench"))
        sealed = evidence_files.seal_stream(new, plain, target, aad=b"bench", max_size=size)
        target.flush()
        os.fsync(target.fileno())
    elapsed = time.perf_counter() - start
    sealed_path.unlink()
    resealed_path.unlink()
    return elapsed, sealed.sha256


def prepare_site() -> tuple[Any, int]:
    """A committee, a documenter with the register unlocked in a test client,
    and a recorded incident; returns (client, incident id)."""
    from datetime import timedelta

    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from asamblea.accounts.models import Member
    from asamblea.core.actors import SYSTEM
    from asamblea.federation import services as federation
    from asamblea.federation.models import NodeKind, Role
    from asamblea.incidents import codes, services
    from asamblea.incidents.rules import IncidentData

    assembly = federation.create_node(actor=SYSTEM, kind=NodeKind.ASSEMBLY, name="Banco")
    committee = federation.create_node(
        actor=SYSTEM, kind=NodeKind.COMMITTEE, name="Comité de prueba", parent=assembly
    )
    secretary = Member.objects.create_user("bench-secretaria", PASSPHRASE)
    documenter = Member.objects.create_user("bench-documenter", PASSPHRASE)
    federation.add_membership(
        actor=SYSTEM, member=secretary, committee=committee, role=Role.SECRETARY
    )
    federation.add_membership(actor=SYSTEM, member=documenter, committee=committee)
    services.name_documenter(actor=secretary, committee=committee, member=documenter)
    services.set_register_passphrase(actor=documenter, committee=committee, passphrase=PASSPHRASE)
    key = services.unlock_register(actor=documenter, committee=committee, passphrase=PASSPHRASE)
    incident = services.record_incident(
        actor=documenter,
        committee=committee,
        key=key,
        data=IncidentData(
            public_summary="Ficticio: registro del banco de pruebas.",
            private_description="",
            start_date=timezone.localdate() - timedelta(days=3),
            start_precision=codes.DatePrecision.EXACT,
            country="PE",
            admin1="Puno",
            geo_precision=codes.GeoPrecision.ADMIN1,
            event_type=codes.AcledEventType.PROTESTS,
            sub_type=codes.AcledSubType.EXCESSIVE_FORCE,
            violation_types=(codes.ViolationType.INJURY,),
        ),
    )
    client = Client()
    client.force_login(documenter)
    unlocked = client.post(
        reverse("incidents:unlock", args=[committee.pk]), {"passphrase": PASSPHRASE}
    )
    if unlocked.status_code != 302:
        raise SystemExit(f"could not unlock the bench register: {unlocked.status_code}")
    return client, incident.pk


def time_upload(client: Any, incident_id: int, path: Path) -> tuple[float, str]:
    from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
    from django.urls import reverse

    from asamblea.incidents.models import Evidence

    body = encode_multipart(
        BOUNDARY,
        {"file": _Named(path.read_bytes(), "marcha.mp4"), "kind": "video", "person": ""},
    )
    url = reverse("incidents:evidence_upload", args=[incident_id])
    start = time.perf_counter()
    response = client.generic("POST", url, body, content_type=MULTIPART_CONTENT)
    elapsed = time.perf_counter() - start
    if response.status_code != 302:
        raise SystemExit(f"upload refused: {response.status_code} {response.content[:400]!r}")
    return elapsed, Evidence.objects.order_by("-pk").first().sha256


class _Named(io.BytesIO):
    """A file-like object with a name, as ``encode_multipart`` expects."""

    def __init__(self, data: bytes, name: str) -> None:
        super().__init__(data)
        self.name = name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=100, help="size of the file in MiB")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if shutil.which("sha256sum") is None:
        raise SystemExit("sha256sum (coreutils) is needed for the baseline")
    folder = Path(tempfile.mkdtemp(prefix="asamblea-bench-evidence-"))
    try:
        setup_django(
            f"sqlite:///{folder / 'bench.sqlite3'}",
            ASAMBLEA_INSTANCE_DIR=str(folder),
            ASAMBLEA_EVIDENCE_DIR=str(folder / "evidence"),
            ASAMBLEA_EVIDENCE_MAX_BYTES=str((args.mb + 1) * CHUNK),
            ASAMBLEA_REGISTER_SCRYPT_N="16384",
        )
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)
        video = folder / "video.mp4"
        write_video(video, args.mb)
        size_mib = video.stat().st_size / CHUNK
        facts = machine_facts()
        facts["file"] = f"{size_mib:.1f} MiB"
        print_header("evidence upload and hash", facts)
        client, incident_id = prepare_site()
        times: dict[str, list[float]] = {
            "sha256sum": [],
            "hashlib": [],
            "seal": [],
            "reseal": [],
            "upload": [],
        }
        expected = None
        for _ in range(args.runs):
            for name, run in (
                ("sha256sum", lambda: time_sha256sum(video)),
                ("hashlib", lambda: time_hashlib(video)),
                ("seal", lambda: time_seal(video, folder)),
                ("reseal", lambda: time_reseal(video, folder)),
                ("upload", lambda: time_upload(client, incident_id, video)),
            ):
                elapsed, digest = run()
                expected = expected or digest
                if digest != expected:
                    raise SystemExit(f"{name} gave another SHA-256: {digest} != {expected}")
                times[name].append(elapsed)
        figures: dict[str, Any] = {"mib": round(size_mib, 1), "runs": args.runs}
        baseline = median(times["sha256sum"])
        for name, values in times.items():
            mid = median(values)
            figures[f"{name}_s"] = round(mid, 3)
            figures[f"{name}_mib_s"] = round(size_mib / mid, 1)
            figures[f"{name}_ratio"] = round(mid / baseline, 2)
            runs = ", ".join(f"{v:.2f}" for v in values)
            print(
                f"   {name}: median {mid:.2f} s, {size_mib / mid:.0f} MiB/s, "
                f"{mid / baseline:.2f}x sha256sum (runs {runs})"
            )
        emit(figures)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
