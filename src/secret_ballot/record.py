"""The election record: a directory or a .zip of canonical JSON and JSON Lines (spec §8).

Layout (every file at the top level):

=================  =====================================================
record.json        {"version": "asamblea-election-record/2"}
manifest.json      the manifest (§5.2)
parameters.json    group, generator, order, n, t, trustees (§3.3)
ceremony.json      the key ceremony transcript (§6)
election.json      joint key, verification keys, QUAL, h_C, h_E, board key (§8.2)
credentials.json   the credential list: point, kind, committee (§5.5)
committees.json    the committee tree and the minimum group size (§8.7)
ballots.jsonl      the board: one cast ballot per line with index and receipt (§8.4)
audited.jsonl      audited ballots, unlinked, in audit order (§8.5)
tally.json         sums, partial decryptions with proofs, counts (§8.6)
=================  =====================================================

JSON files are written in RFC 8785 canonical form; JSON Lines hold one
canonical JSON object per line, terminated by a line feed. The reader
enforces every rule of §8.1: exactly these files, canonical bytes, no
repeated keys, every line terminated, and for a zip no duplicate or nested
member and no directory entry.
"""

from __future__ import annotations

import io
import shutil
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO

from secret_ballot import jsonfields as jf
from secret_ballot.election import RECORD_VERSION, Election, Parameters
from secret_ballot.errors import DecodingError, RecordFormatError, RecordRuleError
from secret_ballot.group import Point
from secret_ballot.hash import Digest
from secret_ballot.manifest import Manifest

RECORD_FILE = "record.json"
MANIFEST_FILE = "manifest.json"
PARAMETERS_FILE = "parameters.json"
CEREMONY_FILE = "ceremony.json"
ELECTION_FILE = "election.json"
CREDENTIALS_FILE = "credentials.json"
COMMITTEES_FILE = "committees.json"
BALLOTS_FILE = "ballots.jsonl"
AUDITED_FILE = "audited.jsonl"
TALLY_FILE = "tally.json"

#: Every file of a record, and nothing else may be there (spec §8.1).
RECORD_FILES = (
    RECORD_FILE,
    MANIFEST_FILE,
    PARAMETERS_FILE,
    CEREMONY_FILE,
    ELECTION_FILE,
    CREDENTIALS_FILE,
    COMMITTEES_FILE,
    BALLOTS_FILE,
    AUDITED_FILE,
    TALLY_FILE,
)
_ZIP_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
_READ_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    OSError,
    RuntimeError,
    NotImplementedError,
)

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
    committees_hash: Digest
    """h_T in the spec: D_committees of committees.json."""

    def to_json(self) -> jf.JSON:
        return {
            "election_hash": self.election_hash.hex(),
            "joint_key": self.joint_key.hex(),
            "verification_keys": [vk.hex() for vk in self.verification_keys],
            "qualified": list(self.qualified),
            "credentials_hash": self.credentials_hash.hex(),
            "credential_count": self.credential_count,
            "board_key": self.board_key.hex(),
            "committees_hash": self.committees_hash.hex(),
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
            "committees_hash",
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
            jf.digest(o["committees_hash"], jf.join(field, "committees_hash")),
        )

    def election(self, manifest: Manifest, parameters: Parameters) -> Election:
        return Election(
            manifest,
            parameters,
            self.joint_key,
            self.verification_keys,
            self.credentials_hash,
            self.board_key,
            self.committees_hash,
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
    """Reads a record directory or .zip (spec §8.1).

    A record that cannot be read (missing file, not JSON, not a directory
    or zip) raises :class:`RecordFormatError`; one that can be read but
    breaks a rule of §8.1 raises :class:`RecordRuleError`, or is listed by
    :meth:`container_problems` and :meth:`final_newline_missing`.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._zip: zipfile.ZipFile | None = None
        self._unterminated: dict[str, bool] = {}
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

    def container_problems(self) -> list[tuple[str, str]]:
        """(name, why) for every entry that §8.1 does not allow; empty if none.

        A directory holds only the listed names, each a regular file (no
        folder, no link). A zip's members are all at the top level, each
        listed name at most once (two members of one name are read
        differently by different unzip programs), no directory entry, no
        encryption, stored or deflated.
        """
        problems: list[tuple[str, str]] = []
        if self._zip is None:
            for entry in sorted(self.path.iterdir()):
                name = entry.name
                if entry.is_symlink():
                    problems.append((name, "a link; the record holds only regular files"))
                elif entry.is_dir():
                    problems.append((name, "a folder; the record holds only its listed files"))
                elif name not in RECORD_FILES:
                    problems.append((name, "not a file of the record"))
                elif not entry.is_file():
                    problems.append((name, "not a regular file"))
            return problems
        seen: set[str] = set()
        for info in self._zip.infolist():
            name = info.filename
            if name.endswith("/"):
                problems.append((name, "a directory entry; members are files at the top level"))
                continue
            if "/" in name or "\\" in name:
                problems.append((name, "not at the top level of the zip"))
                continue
            if name in seen:
                problems.append((name, "a second member of the same name"))
                continue
            seen.add(name)
            if name not in RECORD_FILES:
                problems.append((name, "not a file of the record"))
            elif info.compress_type not in _ZIP_METHODS:
                problems.append((name, "compressed otherwise than stored or deflated"))
            elif info.flag_bits & 0x1:
                problems.append((name, "encrypted"))
        return problems

    def _open_binary(self, name: str) -> IO[bytes]:
        try:
            if self._zip is not None:
                return self._zip.open(name)
            return (self.path / name).open("rb")
        except KeyError:
            raise RecordFormatError(f"{name}: missing from the record") from None
        except FileNotFoundError:
            raise RecordFormatError(f"{name}: missing from the record") from None
        except _READ_ERRORS as exc:
            raise RecordFormatError(f"{name}: cannot be read ({exc})") from None

    def read_json(self, name: str) -> jf.JSON:
        """The value of a JSON file, whose bytes must be canonical (spec §8.1)."""
        try:
            with self._open_binary(name) as f:
                data = f.read()
        except _READ_ERRORS as exc:
            raise RecordFormatError(f"{name}: cannot be read ({exc})") from None
        return parse_json(data, name)

    def iter_lines(self, name: str) -> Iterator[tuple[int, bytes]]:
        """(line number from 1, raw line without its line feed); streams any size.

        Notes whether the last line lacks its line feed, for
        :meth:`final_newline_missing`.
        """
        try:
            with self._open_binary(name) as f:
                number = 0
                unterminated = False
                while True:
                    line = f.readline(MAX_LINE + 1)
                    if not line:
                        break
                    number += 1
                    if len(line) > MAX_LINE:
                        raise RecordFormatError(
                            f"{name} line {number}: longer than {MAX_LINE} bytes"
                        )
                    unterminated = not line.endswith(b"\n")
                    yield number, line[:-1] if not unterminated else line
                self._unterminated[name] = unterminated
        except _READ_ERRORS as exc:
            raise RecordFormatError(f"{name}: cannot be read ({exc})") from None

    def final_newline_missing(self, name: str) -> bool:
        """Whether the JSON Lines file ``name`` ends with a line not terminated by ``\\n``."""
        if self._zip is None:
            path = self.path / name
            try:
                with path.open("rb") as f:
                    size = f.seek(0, 2)
                    if size == 0:
                        return False
                    f.seek(size - 1)
                    return f.read(1) != b"\n"
            except OSError as exc:
                raise RecordFormatError(f"{name}: cannot be read ({exc})") from None
        if name not in self._unterminated:
            for _ in self.iter_lines(name):
                pass
        return self._unterminated[name]

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()


def parse_json(data: bytes, where: str) -> jf.JSON:
    """Parse a record file or line strictly (spec §8.1).

    Raises :class:`RecordFormatError` if ``data`` is not JSON, and
    :class:`RecordRuleError` if it repeats a key, holds a non-integer number
    or is not byte for byte its RFC 8785 canonical form.
    """
    try:
        return jf.loads_canonical(data)
    except DecodingError as exc:
        raise RecordRuleError(where, exc.message) from None
    except (ValueError, RecursionError) as exc:
        raise RecordFormatError(f"{where}: not valid JSON ({exc})") from None
