"""The election record: a directory or a .zip of canonical JSON and JSON Lines (spec §8).

Layout (every file at the top level):

=================  =====================================================
record.json        {"version": "asamblea-election-record/2"}
manifest.json      the manifest (§5.2)
parameters.json    group, generator, order, n, t, trustees (§3.3)
ceremony.json      the key ceremony transcript (§6)
election.json      joint key, verification keys, QUAL, h_C, h_E (§8.2)
credentials.json   the credential list: an array of points (§5.5)
ballots.jsonl      the board: one cast ballot per line, in order (§8.4)
audited.jsonl      audited ballots, one per line (§8.5)
tally.json         sums, partial decryptions with proofs, counts (§8.6)
=================  =====================================================

JSON files are written in RFC 8785 canonical form; JSON Lines hold one
canonical JSON object per line, terminated by a line feed.
"""

from __future__ import annotations

import io
import json
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO

from secret_ballot import jsonfields as jf
from secret_ballot.election import RECORD_VERSION, Election, Parameters
from secret_ballot.errors import RecordFormatError
from secret_ballot.group import Point
from secret_ballot.hash import Digest
from secret_ballot.manifest import Manifest

RECORD_FILE = "record.json"
MANIFEST_FILE = "manifest.json"
PARAMETERS_FILE = "parameters.json"
CEREMONY_FILE = "ceremony.json"
ELECTION_FILE = "election.json"
CREDENTIALS_FILE = "credentials.json"
BALLOTS_FILE = "ballots.jsonl"
AUDITED_FILE = "audited.jsonl"
TALLY_FILE = "tally.json"

#: Longest accepted line of a JSON Lines file: a bound on what a hostile
#: record can make the verifier hold in memory at once.
MAX_LINE = 4 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class ElectionKeys:
    """The contents of election.json (spec §8.2)."""

    election_hash: Digest
    joint_key: Point
    verification_keys: tuple[Point, ...]
    qualified: tuple[int, ...]
    credentials_hash: Digest
    credential_count: int
    board_key: Point
    """B in the spec: the board's public signing key."""

    def to_json(self) -> jf.JSON:
        return {
            "election_hash": self.election_hash.hex(),
            "joint_key": self.joint_key.hex(),
            "verification_keys": [vk.hex() for vk in self.verification_keys],
            "qualified": list(self.qualified),
            "credentials_hash": self.credentials_hash.hex(),
            "credential_count": self.credential_count,
            "board_key": self.board_key.hex(),
        }

    @classmethod
    def from_json(cls, value: jf.JSON, field: jf.FieldPath = "election") -> ElectionKeys:
        keys = (
            "election_hash",
            "joint_key",
            "verification_keys",
            "qualified",
            "credentials_hash",
            "credential_count",
            "board_key",
        )
        o = jf.obj(value, field, keys)
        vf, qf = jf.join(field, "verification_keys"), jf.join(field, "qualified")
        return cls(
            jf.digest(o["election_hash"], jf.join(field, "election_hash")),
            jf.point(o["joint_key"], jf.join(field, "joint_key")),
            tuple(
                jf.point(p, jf.join(vf, i))
                for i, p in enumerate(jf.array(o["verification_keys"], vf))
            ),
            tuple(
                jf.integer(x, jf.join(qf, i), 1, 255)
                for i, x in enumerate(jf.array(o["qualified"], qf))
            ),
            jf.digest(o["credentials_hash"], jf.join(field, "credentials_hash")),
            jf.integer(o["credential_count"], jf.join(field, "credential_count")),
            jf.point(o["board_key"], jf.join(field, "board_key")),
        )

    def election(self, manifest: Manifest, parameters: Parameters) -> Election:
        return Election(
            manifest,
            parameters,
            self.joint_key,
            self.verification_keys,
            self.credentials_hash,
            self.board_key,
        )


def load_election(manifest: jf.JSON, parameters: jf.JSON, keys: jf.JSON) -> Election:
    """Rebuild the public election context from the three JSON documents."""
    return ElectionKeys.from_json(keys).election(
        Manifest.from_json(manifest), Parameters.from_json(parameters)
    )


class RecordWriter:
    """Writes a record to a directory, or to a .zip when the path ends in ``.zip``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._zip: zipfile.ZipFile | None = None
        if path.suffix == ".zip":
            path.parent.mkdir(parents=True, exist_ok=True)
            self._zip = zipfile.ZipFile(
                path, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True
            )
        else:
            path.mkdir(parents=True, exist_ok=True)
        self.write_json(RECORD_FILE, {"version": RECORD_VERSION})

    def __enter__(self) -> RecordWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()
            self._zip = None

    def write_bytes(self, name: str, data: bytes) -> None:
        if self._zip is not None:
            self._zip.writestr(name, data)
        else:
            (self.path / name).write_bytes(data)

    def write_json(self, name: str, value: jf.JSON) -> None:
        self.write_bytes(name, jf.canonical_json(value))

    def open_text(self, name: str) -> IO[str]:
        """A text stream for JSON Lines or large JSON; the caller closes it."""
        if self._zip is not None:
            # A zip takes one member at a time: spool to a temporary file and
            # copy it in on close, so several members can be written at once.
            return _ZipMemberWriter(self._zip, name)
        return (self.path / name).open("w", encoding="utf-8", newline="\n")


class _ZipMemberWriter(io.TextIOWrapper):
    def __init__(self, archive: zipfile.ZipFile, name: str) -> None:
        # Closed by close() below, after its contents are copied into the zip.
        spool = tempfile.TemporaryFile()  # noqa: SIM115
        super().__init__(spool, encoding="utf-8", newline="\n")
        self._spool: IO[bytes] = spool
        self._archive = archive
        self._name = name

    def close(self) -> None:
        if self.closed:
            return
        self.flush()
        self._spool.seek(0)
        with self._archive.open(self._name, "w", force_zip64=True) as member:
            shutil.copyfileobj(self._spool, member, 1024 * 1024)
        super().close()


class RecordReader:
    """Reads a record directory or .zip; every failure is a :class:`RecordFormatError`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._zip: zipfile.ZipFile | None = None
        if path.is_dir():
            return
        if not path.exists():
            raise RecordFormatError(f"{path}: no such file or directory")
        try:
            self._zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as exc:
            raise RecordFormatError(
                f"{path}: neither a directory nor a readable .zip ({exc})"
            ) from None

    @property
    def is_directory(self) -> bool:
        return self._zip is None

    def file_path(self, name: str) -> Path:
        """The path of a member of a directory record."""
        return self.path / name

    def _open_binary(self, name: str) -> IO[bytes]:
        try:
            if self._zip is not None:
                return self._zip.open(name)
            return (self.path / name).open("rb")
        except KeyError:
            raise RecordFormatError(f"{name}: missing from the record") from None
        except FileNotFoundError:
            raise RecordFormatError(f"{name}: missing from the record") from None
        except OSError as exc:
            raise RecordFormatError(f"{name}: cannot be read ({exc})") from None

    def read_json(self, name: str) -> jf.JSON:
        with self._open_binary(name) as f:
            data = f.read()
        return parse_json(data, name)

    def iter_lines(self, name: str) -> Iterator[tuple[int, bytes]]:
        """(line number from 1, raw line without its line feed); streams any size."""
        with self._open_binary(name) as f:
            number = 0
            while True:
                line = f.readline(MAX_LINE + 1)
                if not line:
                    return
                number += 1
                if len(line) > MAX_LINE:
                    raise RecordFormatError(f"{name} line {number}: longer than {MAX_LINE} bytes")
                yield number, line.rstrip(b"\n")

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()


def parse_json(data: bytes | str, where: str) -> jf.JSON:
    """``json.loads`` that turns every failure into :class:`RecordFormatError`."""
    try:
        return json.loads(data, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:
        raise RecordFormatError(f"{where}: not valid JSON ({exc})") from None


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")
