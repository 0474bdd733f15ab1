"""The standalone verifier of an election record (spec §9).

Memory stays bounded whatever the number of ballots: the board is streamed in
chunks (in worker processes with ``jobs`` > 1); the verifier keeps, per
credential, the number of its last line and its committee, per line a small
credential index, an 8-byte key per ciphertext for duplicate detection, and
running sums per committee. Ballots superseded by a later one from the same
credential are subtracted from their committee's sums in a second, sparse
pass (spec §9 step 10). The groups of spec §12 are then formed from the
counted ballots per committee, and their sums from the committees' sums.
"""

from __future__ import annotations

import multiprocessing
import os
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from secret_ballot import jsonfields as jf
from secret_ballot.ballot import (
    BallotChecker,
    audited_from_json,
    ballot_digest,
    cast_from_json,
    next_tracker,
    tracker_start,
)
from secret_ballot.board import verify_receipt
from secret_ballot.committees import CommitteeTree, Level
from secret_ballot.credentials import CredentialEntry, credentials_digest
from secret_ballot.dkg import evaluate_transcript, transcript_from_json
from secret_ballot.election import RECORD_VERSION, Election, Parameters
from secret_ballot.elgamal import Ciphertext
from secret_ballot.errors import (
    DecodingError,
    RecordFormatError,
    RecordRuleError,
    VerificationError,
)
from secret_ballot.group import Point
from secret_ballot.manifest import Manifest
from secret_ballot.record import (
    AUDITED_FILE,
    BALLOTS_FILE,
    CEREMONY_FILE,
    COMMITTEES_FILE,
    CREDENTIALS_FILE,
    ELECTION_FILE,
    MANIFEST_FILE,
    MAX_LINE,
    PARAMETERS_FILE,
    RECORD_FILE,
    TALLY_FILE,
    ElectionKeys,
    RecordReader,
    load_election,
    parse_json,
)
from secret_ballot.tally import CommitteeAccumulator, check_tally, tally_from_json

_NO_CREDENTIAL = b"\x00" * 33
_CHUNK_BYTES = 2 * 1024 * 1024
_ZIP_BATCH = 2000
_MAX_SHOWN = 100


@dataclass(frozen=True, slots=True)
class Failure:
    """One failed check: where (file and line), which field, and why."""

    where: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.field + ': ' if self.field else ''}{self.message}"


@dataclass
class Report:
    """The verifier's findings, rendered by :meth:`render`."""

    record: str
    checks: list[tuple[str, bool, str]] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    format_errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures and not self.format_errors

    @property
    def exit_code(self) -> int:
        """0 valid, 1 a check failed, 2 the record cannot be read (spec §9)."""
        if self.format_errors:
            return 2
        return 1 if self.failures else 0

    def fail(self, where: str, field_name: str, message: str) -> None:
        self.failures.append(Failure(where, field_name, message))

    def check(self, name: str, ok: bool, detail: str) -> None:
        self.checks.append((name, ok, detail))

    def render(self) -> str:
        lines = [f"Election record {self.record}"]
        for name, ok, detail in self.checks:
            lines.append(f"  [{'ok' if ok else 'FAIL'}] {name}: {detail}")
        for err in self.format_errors[:_MAX_SHOWN]:
            lines.append(f"  unreadable: {err}")
        for failure in self.failures[:_MAX_SHOWN]:
            lines.append(f"  failed: {failure}")
        hidden = len(self.failures) + len(self.format_errors) - 2 * _MAX_SHOWN
        if len(self.failures) > _MAX_SHOWN or len(self.format_errors) > _MAX_SHOWN:
            lines.append(f"  ... and {max(hidden, 0)} more")
        verdict = {0: "VALID", 1: "INVALID", 2: "UNREADABLE"}[self.exit_code]
        lines.append(f"Result: {verdict}")
        return "\n".join(lines)


# --- workers ------------------------------------------------------------------


@dataclass(frozen=True)
class _Config:
    manifest: jf.JSON
    parameters: jf.JSON
    keys: jf.JSON
    wanted: frozenset[bytes]
    credentials: dict[bytes, int]
    """Position on the list of each credential."""
    committee_of: array[int]
    """Tree position of the committee of each credential, by list position."""


@dataclass
class _ChunkResult:
    lines: int = 0
    first_previous: bytes | None = None
    last_tracker: bytes | None = None
    credentials: bytearray = field(default_factory=bytearray)
    alpha_keys: array[int] = field(default_factory=lambda: array("Q"))
    sums: list[tuple[int, list[tuple[bytes, bytes]]]] = field(default_factory=list)
    failures: list[tuple[int, str, str]] = field(default_factory=list)
    format_errors: list[tuple[int, str]] = field(default_factory=list)
    seen_wanted: list[tuple[int, bytes]] = field(default_factory=list)
    indexes: array[int] = field(default_factory=lambda: array("q"))


class _Worker:
    def __init__(self, config: _Config) -> None:
        self.election = load_election(config.manifest, config.parameters, config.keys)
        self.checker = BallotChecker(self.election)
        self.manifest = self.election.manifest
        self.h_e = self.election.election_hash
        self.board_key = ElectionKeys.from_json(config.keys).board_key
        self.wanted = config.wanted
        self.credentials = config.credentials
        self.committee_of = config.committee_of

    def run(self, lines: Iterator[bytes]) -> _ChunkResult:
        res = _ChunkResult()
        acc = CommitteeAccumulator(self.manifest)
        prev: bytes | None = None
        h_e = self.h_e
        indexes = res.indexes
        for i, raw in enumerate(lines):
            res.lines += 1
            indexes.append(0)
            try:
                value = parse_json(raw, "")
            except RecordFormatError as exc:
                res.format_errors.append((i, str(exc).removeprefix(": ")))
                res.credentials += _NO_CREDENTIAL
                prev = None
                continue
            except RecordRuleError as exc:
                res.failures.append((i, exc.field, exc.message))
                res.credentials += _NO_CREDENTIAL
                prev = None
                continue
            try:
                cast = cast_from_json(value, self.manifest)
            except DecodingError as exc:
                res.failures.append((i, exc.field, exc.message))
                res.credentials += _NO_CREDENTIAL
                prev = None
                continue
            ballot = cast.ballot
            indexes[i] = cast.index
            if i == 0:
                res.first_previous = cast.previous_tracker
            elif prev is not None and cast.previous_tracker != prev:
                res.failures.append(
                    (i, "previous_tracker", "does not chain to the tracker of the line before")
                )
            h_b = ballot_digest(h_e, ballot)
            if next_tracker(h_e, cast.previous_tracker, h_b) != cast.tracker:
                res.failures.append((i, "tracker", "is not D_tracker(h_E, previous_tracker, h_B)"))
            if not verify_receipt(h_e, self.board_key, cast.index, h_b, cast.tracker, cast.receipt):
                res.failures.append(
                    (i, "receipt", "is not the board's signature on (h_E, index, h_B, tracker)")
                )
            try:
                self.checker.check(ballot, h_b=h_b)
            except VerificationError as exc:
                res.failures.append((i, exc.field, exc.message))
            enc = ballot.credential.encode()
            res.credentials += enc
            keys = res.alpha_keys
            for contest in ballot.contests:
                for option in contest.options:
                    keys.append(_alpha_key(option.ciphertext.alpha))
            idx = self.credentials.get(enc, -1)
            if idx >= 0:
                acc.add(self.committee_of[idx], ballot)
            if cast.tracker in self.wanted:
                res.seen_wanted.append((i, cast.tracker))
            prev = cast.tracker
        res.last_tracker = prev
        res.sums = acc.encoded()
        return res


def _alpha_key(alpha: Point) -> int:
    # α is r·G for a uniform r: its x-coordinate prefix is a uniform 64-bit key.
    return int.from_bytes(alpha.encode()[1:9], "big")


_WORKER: _Worker | None = None


def _init_worker(config: _Config) -> None:
    global _WORKER
    _WORKER = _Worker(config)


def _read_range(path: str, start: int, end: int) -> Iterator[bytes]:
    with open(path, "rb") as f:
        f.seek(start)
        data = f.read(end - start)
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    return iter(lines)


Task = tuple[str, int, int] | list[bytes]


def _work(task: Task) -> _ChunkResult:
    assert _WORKER is not None  # noqa: S101 - set by the pool initializer
    if isinstance(task, tuple):
        return _WORKER.run(_read_range(*task))
    return _WORKER.run(iter(task))


def _tasks(reader: RecordReader, name: str) -> Iterator[Task]:
    if reader.is_directory:
        path = reader.file_path(name)
        if not path.is_file():
            raise RecordFormatError(f"{name}: missing from the record")
        size = path.stat().st_size
        with path.open("rb") as f:
            pos = 0
            while pos < size:
                f.seek(min(pos + _CHUNK_BYTES, size))
                f.readline(MAX_LINE + 1)
                end = f.tell()
                yield (str(path), pos, end)
                pos = end
        return
    batch: list[bytes] = []
    for _, line in reader.iter_lines(name):
        batch.append(line)
        if len(batch) >= _ZIP_BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _run_chunks(config: _Config, tasks: Iterator[Task], jobs: int) -> Iterator[_ChunkResult]:
    if jobs <= 1:
        _init_worker(config)
        for task in tasks:
            yield _work(task)
        return
    ctx = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
    with ctx.Pool(jobs, initializer=_init_worker, initargs=(config,)) as pool:
        yield from pool.imap(_work, tasks, chunksize=1)


# --- the verifier ----------------------------------------------------------------


@dataclass(frozen=True)
class _Board:
    """What the board gives the tally check (spec §9 step 10)."""

    sums: dict[int, list[Ciphertext]]
    """Per committee position, the sums of its counted ballots."""
    counted: dict[int, int]
    """Per committee position, its counted ballots (committees without any are absent)."""
    cast: int
    head: bytes


@dataclass(frozen=True)
class BoardSums:
    """What a verified record's board gives, before any tally (spec §9 steps
    1-10): enough to recompute the group sums a trustee is asked to decrypt
    (spec §12.4)."""

    election: Election
    tree: CommitteeTree
    sums: dict[int, list[Ciphertext]]
    """Per committee position, the sums of its counted ballots."""
    counted: dict[int, int]
    """Per committee position, its counted ballots."""
    cast: int


class _Verifier:
    def __init__(self, path: Path, jobs: int, *, board_only: bool = False) -> None:
        self.reader = RecordReader(path)
        self.jobs = jobs
        self.board_only = board_only
        self.found: BoardSums | None = None
        self.report = Report(str(path))
        self._collisions: set[int] = set()
        self._audit_heads: list[tuple[int, bytes]] = []

    def run(self) -> Report:
        try:
            self._run()
        except RecordFormatError as exc:
            self.report.format_errors.append(str(exc))
        except RecordRuleError as exc:
            # A file that breaks §8.1 (not canonical, a repeated key...): the
            # record is invalid and what follows would be read ambiguously.
            self.report.fail(exc.where, exc.field, exc.message)
        finally:
            self.reader.close()
        return self.report

    def _container(self) -> bool:
        """Exactly the listed files, and for a zip no ambiguous member (spec §8.1)."""
        problems = self.reader.container_problems()
        for name, why in problems:
            self.report.fail(name, "", why)
        kind = "directory" if self.reader.is_directory else "zip"
        self.report.check("container", not problems, f"{kind}, only the files of §8.1")
        return not problems

    def _final_newline(self, name: str) -> None:
        if self.reader.final_newline_missing(name):
            self.report.fail(name, "", "the last line does not end with a line feed")

    def _run(self) -> None:
        report, reader = self.report, self.reader
        if not self._container():
            return
        version = reader.read_json(RECORD_FILE)
        ok = version == {"version": RECORD_VERSION}
        report.check("record version", ok, RECORD_VERSION if ok else "unknown")
        if not ok:
            report.fail(RECORD_FILE, "version", f"must be {RECORD_VERSION!r}")
            return
        manifest_json = reader.read_json(MANIFEST_FILE)
        parameters_json = reader.read_json(PARAMETERS_FILE)
        keys_json = reader.read_json(ELECTION_FILE)
        try:
            manifest = Manifest.from_json(manifest_json)
        except DecodingError as exc:
            report.fail(MANIFEST_FILE, exc.field, exc.message)
            report.check("manifest", False, "invalid")
            return
        n_options = sum(len(c.options) for c in manifest.contests)
        report.check(
            "manifest", True, f"{len(manifest.contests)} contest(s), {n_options} option(s)"
        )
        try:
            parameters = Parameters.from_json(parameters_json)
        except DecodingError as exc:
            report.fail(PARAMETERS_FILE, exc.field, exc.message)
            report.check("parameters", False, "invalid")
            return
        n, t = parameters.trustee_count, parameters.threshold
        report.check("parameters", True, f"secp256k1, {n} trustee(s), threshold {t}")
        try:
            keys = ElectionKeys.from_json(keys_json)
        except DecodingError as exc:
            report.fail(ELECTION_FILE, exc.field, exc.message)
            report.check("election keys", False, "invalid")
            return
        if not self._ceremony(parameters, keys):
            return
        tree = self._committees(keys)
        if tree is None:
            return
        found = self._credentials(keys, tree)
        if found is None:
            return
        credentials, committee_of = found
        election = keys.election(manifest, parameters)
        h_e = election.election_hash
        ok = h_e == keys.election_hash
        report.check("election hash", ok, h_e.hex())
        if not ok:
            report.fail(
                ELECTION_FILE,
                "election_hash",
                "is not D_election(h_M, h_K, h_C, h_T, K, VK_1..VK_n, B)",
            )
            return
        checker = BallotChecker(election)
        seen: set[int] = set()
        wanted = self._audited(election, checker, seen)
        config = _Config(
            manifest_json, parameters_json, keys_json, frozenset(wanted), credentials, committee_of
        )
        board = self._board(election, config, seen)
        del credentials, committee_of, config
        if self.board_only:
            self.found = BoardSums(election, tree, board.sums, board.counted, board.cast)
            return
        self._tally(election, tree, board)

    def _ceremony(self, parameters: Parameters, keys: ElectionKeys) -> bool:
        report = self.report
        try:
            transcript = transcript_from_json(
                self.reader.read_json(CEREMONY_FILE), parameters.trustee_count, ""
            )
            outcome = evaluate_transcript(parameters, transcript)
        except (DecodingError, VerificationError) as exc:
            report.fail(CEREMONY_FILE, exc.field, exc.message)
            report.check("key ceremony", False, "invalid")
            return False
        notes = outcome.notes()
        if not outcome.succeeded or outcome.joint_key is None:
            report.fail(CEREMONY_FILE, "", f"the ceremony failed: {outcome.failure}")
            report.check("key ceremony", False, "; ".join([f"failed: {outcome.failure}", *notes]))
            return False
        ok = True
        if outcome.qualified != keys.qualified:
            report.fail(
                ELECTION_FILE,
                "qualified",
                f"{CEREMONY_FILE} gives QUAL = {list(outcome.qualified)} ({'; '.join(notes)})",
            )
            ok = False
        if outcome.joint_key != keys.joint_key:
            report.fail(ELECTION_FILE, "joint_key", "is not the sum of the qualified A_i0")
            ok = False
        if len(keys.verification_keys) != parameters.trustee_count:
            report.fail(ELECTION_FILE, "verification_keys", "one per trustee")
            ok = False
        else:
            for j, (vk, expected) in enumerate(
                zip(keys.verification_keys, outcome.verification_keys, strict=True)
            ):
                if vk != expected:
                    report.fail(
                        ELECTION_FILE, f"verification_keys[{j}]", "does not match the transcript"
                    )
                    ok = False
        detail = f"qualified {list(outcome.qualified)}, joint key {keys.joint_key.hex()[:16]}…"
        for note in notes:
            detail += f"; {note}"
        report.check("key ceremony", ok, detail)
        return ok

    def _committees(self, keys: ElectionKeys) -> CommitteeTree | None:
        """The committee tree decodes (spec §8.7) and its digest is h_T (§9 step 4)."""
        report = self.report
        try:
            tree = CommitteeTree.from_json(self.reader.read_json(COMMITTEES_FILE))
        except DecodingError as exc:
            report.fail(COMMITTEES_FILE, exc.field, exc.message)
            report.check("committees", False, "invalid")
            return None
        ok = tree.digest() == keys.committees_hash
        if not ok:
            report.fail(
                ELECTION_FILE, "committees_hash", f"is not D_committees of {COMMITTEES_FILE}"
            )
        committees = sum(1 for n in tree.nodes if n.level is Level.COMMITTEE)
        detail = f"{len(tree.nodes)} node(s), {committees} committee(s), "
        detail += f"minimum group {tree.minimum_group}"
        report.check("committees", ok, detail)
        return tree if ok else None

    def _credentials(
        self, keys: ElectionKeys, tree: CommitteeTree
    ) -> tuple[dict[bytes, int], array[int]] | None:
        report = self.report
        raw = self.reader.read_json(CREDENTIALS_FILE)
        if not isinstance(raw, list):
            report.fail(CREDENTIALS_FILE, "", "expected a JSON array")
            return None
        index: dict[bytes, int] = {}
        committee_of = array("l")
        entries: list[CredentialEntry] = []
        kinds: dict[str, int] = {}
        ok = True
        for i, item in enumerate(raw):
            try:
                entry = CredentialEntry.from_json(item, f"[{i}]")
            except DecodingError as exc:
                report.fail(CREDENTIALS_FILE, exc.field, exc.message)
                ok = False
                continue
            position = tree.committee_position(entry.committee)
            if position is None:
                report.fail(
                    CREDENTIALS_FILE,
                    f"[{i}].committee",
                    f"is not a committee of {COMMITTEES_FILE}",
                )
                ok = False
                continue
            committee_of.append(position)
            enc = entry.credential.encode()
            if enc in index:
                report.fail(CREDENTIALS_FILE, f"[{i}].credential", "duplicate credential")
                ok = False
            index[enc] = i
            entries.append(entry)
            kinds[entry.kind.value] = kinds.get(entry.kind.value, 0) + 1
        del raw
        if ok and len(entries) != keys.credential_count:
            report.fail(ELECTION_FILE, "credential_count", f"the list holds {len(entries)}")
            ok = False
        if ok and credentials_digest(entries, len(entries)) != keys.credentials_hash:
            report.fail(
                ELECTION_FILE, "credentials_hash", f"is not D_credentials of {CREDENTIALS_FILE}"
            )
            ok = False
        detail = f"{len(entries)} on the list ({kinds.get('device', 0)} device, "
        detail += f"{kinds.get('server', 0)} server-held)"
        report.check("credentials", ok, detail)
        return (index, committee_of) if ok else None

    def _audited(self, election: Election, checker: BallotChecker, seen: set[int]) -> set[bytes]:
        """Audited lines on their own (spec §9 step 6); return the board trackers they cite.

        Their order is checked by :meth:`_board` once the position of every
        cited tracker is known (:attr:`_audit_heads`).
        """
        report = self.report
        t0 = tracker_start(election.election_hash)
        wanted: set[bytes] = set()
        heads = self._audit_heads
        count = 0
        before = len(report.failures)
        for number, raw in self.reader.iter_lines(AUDITED_FILE):
            where = f"{AUDITED_FILE} line {number}"
            count += 1
            try:
                value = parse_json(raw, where)
            except RecordFormatError as exc:
                report.format_errors.append(str(exc))
                continue
            except RecordRuleError as exc:
                report.fail(where, "", exc.message)
                continue
            try:
                audited = audited_from_json(value, election.manifest)
                checker.check_audit(audited, field="")
            except (DecodingError, VerificationError) as exc:
                report.fail(where, exc.field, exc.message)
                continue
            heads.append((number, audited.previous_tracker))
            if audited.previous_tracker != t0:
                wanted.add(audited.previous_tracker)
            for cts in audited.ciphertexts:
                for ct in cts:
                    key = _alpha_key(ct.alpha)
                    if key in seen:
                        self._collisions.add(key)
                    seen.add(key)
        self._final_newline(AUDITED_FILE)
        report.check(
            "audited ballots", len(report.failures) == before, f"{count} audited, none counted"
        )
        return wanted

    def _audit_order(self, t0: bytes, positions: dict[bytes, int]) -> None:
        """Audited lines cite the board head of their time, so never an earlier one (§5.7)."""
        latest = 0
        for number, head in self._audit_heads:
            where = f"{AUDITED_FILE} line {number}"
            position = 0 if head == t0 else positions.get(head)
            if position is None:
                self.report.fail(
                    where, "previous_tracker", "is not T_0 nor a cast ballot's tracker"
                )
            elif position < latest:
                self.report.fail(
                    where,
                    "previous_tracker",
                    f"cites board line {position} after an audit at line {latest}: "
                    "audited lines are in the order of their audits",
                )
            else:
                latest = position

    def _board(self, election: Election, config: _Config, seen: set[int]) -> _Board:
        report = self.report
        h_e = election.election_hash
        head: bytes | None = tracker_start(h_e)
        credentials, committee_of = config.credentials, config.committee_of
        last_line = array("q", [-1]) * len(credentials)
        line_credential = array("q")
        totals = CommitteeAccumulator(election.manifest)
        base = 0
        positions: dict[bytes, int] = {}
        before = len(report.failures)
        for res in _run_chunks(config, _tasks(self.reader, BALLOTS_FILE), self.jobs):
            for i, message in res.format_errors:
                report.format_errors.append(f"{BALLOTS_FILE} line {base + i + 1}: {message}")
            for i, field_name, message in res.failures:
                report.fail(f"{BALLOTS_FILE} line {base + i + 1}", field_name, message)
            first = res.first_previous
            if res.lines and first is not None and head is not None and first != head:
                report.fail(
                    f"{BALLOTS_FILE} line {base + 1}",
                    "previous_tracker",
                    "does not chain to the tracker of the line before",
                )
            if res.lines:
                head = res.last_tracker
            for i, index in enumerate(res.indexes):
                # 0: the line did not decode and is reported already.
                if index and index != base + i + 1:
                    report.fail(
                        f"{BALLOTS_FILE} line {base + i + 1}",
                        "index",
                        f"is {index}: board lines are numbered 1, 2, 3... in order",
                    )
            creds = res.credentials
            for i in range(res.lines):
                enc = bytes(creds[33 * i : 33 * i + 33])
                idx = credentials.get(enc, -1)
                if idx < 0 and enc != _NO_CREDENTIAL:
                    report.fail(
                        f"{BALLOTS_FILE} line {base + i + 1}",
                        "ballot.credential",
                        "not on the credential list",
                    )
                if idx >= 0:
                    last_line[idx] = base + i
                line_credential.append(idx)
            collisions = self._collisions
            for key in res.alpha_keys:
                if key in seen:
                    collisions.add(key)
                else:
                    seen.add(key)
            for committee, chunk_sums in res.sums:
                totals.add_sums(
                    committee,
                    [
                        Ciphertext(
                            Point.decode(a, allow_identity=True),
                            Point.decode(b, allow_identity=True),
                        )
                        for a, b in chunk_sums
                    ],
                )
            for i, tracker in res.seen_wanted:
                positions.setdefault(tracker, base + i + 1)
            base += res.lines
        self._final_newline(BALLOTS_FILE)
        seen.clear()
        if self._collisions:
            self._report_duplicates(election)
        self._audit_order(tracker_start(h_e), positions)
        # Lines whose credential is not on the list were never summed.
        excluded = {
            i: idx for i, idx in enumerate(line_credential) if idx >= 0 and last_line[idx] != i
        }
        not_counted = sum(1 for idx in line_credential if idx < 0) + len(excluded)
        counted: dict[int, int] = {}
        for idx, x in enumerate(last_line):
            if x >= 0:
                c = committee_of[idx]
                counted[c] = counted.get(c, 0) + 1
        del line_credential, last_line
        sums = totals.sums()
        if excluded:
            superseded = CommitteeAccumulator(election.manifest)
            for number, raw in self.reader.iter_lines(BALLOTS_FILE):
                idx = excluded.get(number - 1, -1)
                if idx >= 0:
                    try:
                        value = parse_json(raw, BALLOTS_FILE)
                        ballot = cast_from_json(value, election.manifest).ballot
                    except (RecordFormatError, RecordRuleError, DecodingError):
                        continue
                    superseded.add(committee_of[idx], ballot)
            for c, less in superseded.sums().items():
                sums[c] = [a - b for a, b in zip(sums[c], less, strict=True)]
        total = sum(counted.values())
        detail = f"{base} cast, {total} counted (last per credential), {not_counted} not counted"
        report.check("cast ballots", len(report.failures) == before, detail)
        return _Board(sums, counted, base, head if head is not None else b"")

    def _report_duplicates(self, election: Election) -> None:
        collisions = self._collisions
        first: dict[bytes, str] = {}
        for name in (AUDITED_FILE, BALLOTS_FILE):
            for number, raw in self.reader.iter_lines(name):
                try:
                    value = parse_json(raw, name)
                    if name == AUDITED_FILE:
                        prefix = "contests"
                        alphas = [
                            [ct.alpha for ct in cts]
                            for cts in audited_from_json(value, election.manifest).ciphertexts
                        ]
                    else:
                        prefix = "ballot.contests"
                        ballot = cast_from_json(value, election.manifest).ballot
                        alphas = [[o.ciphertext.alpha for o in c.options] for c in ballot.contests]
                except (RecordFormatError, RecordRuleError, DecodingError):
                    continue
                for ci, contest in enumerate(alphas):
                    for oi, alpha in enumerate(contest):
                        if _alpha_key(alpha) not in collisions:
                            continue
                        where = f"{name} line {number}"
                        enc = alpha.encode()
                        if enc in first:
                            self.report.fail(
                                where,
                                f"{prefix}[{ci}].options[{oi}].alpha",
                                f"duplicate ciphertext (first seen in {first[enc]})",
                            )
                        else:
                            first[enc] = where

    def _tally(self, election: Election, tree: CommitteeTree, board: _Board) -> None:
        report = self.report
        cast, counted, head = board.cast, sum(board.counted.values()), board.head
        try:
            tally = tally_from_json(self.reader.read_json(TALLY_FILE), election.manifest)
        except DecodingError as exc:
            report.fail(TALLY_FILE, exc.field, exc.message)
            report.check("tally", False, "invalid")
            return
        before = len(report.failures)
        if tally.ballots_cast != cast:
            report.fail(TALLY_FILE, "tally.ballots_cast", f"the board has {cast} lines")
        if tally.ballots_counted != counted:
            report.fail(TALLY_FILE, "tally.ballots_counted", f"{counted} credentials cast")
        if tally.final_tracker != head:
            report.fail(TALLY_FILE, "tally.final_tracker", "is not the tracker of the last line")
        for err in check_tally(election, tree, tally, board.sums, board.counted):
            report.fail(TALLY_FILE, err.field, err.message)
        counts = "; ".join(
            f"{c.contest_id}: " + ", ".join(f"{o.option_id}={o.count}" for o in c.options)
            for c in tally.contests
        )
        groups = ", ".join(f"{g.group_id} ({g.ballots})" for g in tally.groups)
        report.check(
            "tally",
            len(report.failures) == before,
            f"trustees {list(tally.trustees)} decrypted {len(tally.groups)} group(s): "
            f"{groups}; {counts}",
        )


def verify_record(path: Path, jobs: int = 1) -> Report:
    """Check every rule of spec §9 on the record at ``path`` and return the report."""
    try:
        verifier = _Verifier(path, max(1, jobs))
    except RecordFormatError as exc:
        report = Report(str(path))
        report.format_errors.append(str(exc))
        return report
    return verifier.run()


def verify_board(path: Path, jobs: int = 1) -> tuple[Report, BoardSums | None]:
    """Check a record, partial or complete, up to its board (spec §9 steps
    1-10, every ballot's proofs included) without reading ``tally.json``,
    and return the report and, when it passes, the board's sums.

    A trustee's device runs this on the partial record before it decrypts
    (spec §12.4): the group sums it is asked for must be the ones computed
    here."""
    try:
        verifier = _Verifier(path, max(1, jobs), board_only=True)
    except RecordFormatError as exc:
        report = Report(str(path))
        report.format_errors.append(str(exc))
        return report, None
    report = verifier.run()
    return report, verifier.found if report.ok else None
