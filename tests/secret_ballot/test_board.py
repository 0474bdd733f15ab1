"""The board: indices, signed receipts, replays, audits; attacks on a published board."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from secret_ballot.ballot import (
    ballot_digest,
    ballot_from_json,
    cast_from_json,
    encrypt_ballot,
    next_tracker,
    tracker_start,
)
from secret_ballot.board import (
    Board,
    BoardBreach,
    BoardKeyPair,
    InvalidReceipt,
    Receipt,
    check_receipt,
    sign_receipt,
    verify_receipt,
)
from secret_ballot.errors import VerificationError
from secret_ballot.group import Scalar
from secret_ballot.hash import Digest, hash_to_scalar
from secret_ballot.jsonfields import canonical_json
from secret_ballot.manifest import Manifest
from secret_ballot.simulate import simulate
from secret_ballot.verify import Report, verify_record

from .conftest import SELECTIONS, Setup

SEED = b"board-fixture"


@pytest.fixture(scope="module")
def record(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Every voter audits once before casting, half of them vote again.
    out = tmp_path_factory.mktemp("board") / "rec"
    simulate(
        voters=5,
        options=3,
        trustees=3,
        threshold=2,
        out=out,
        seed=SEED,
        revote_per_mille=500,
        audit_per_mille=1000,
    )
    return out


def _copy(record: Path, tmp_path: Path) -> Path:
    dst = tmp_path / "copy"
    shutil.copytree(record, dst)
    return dst


def _lines(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text().splitlines()]


def _write(path: Path, lines: list[dict]) -> None:
    path.write_bytes(b"".join(canonical_json(x) + b"\n" for x in lines))


def _context(record: Path) -> tuple[Digest, Manifest]:
    keys = json.loads((record / "election.json").read_text())
    manifest = Manifest.from_json(json.loads((record / "manifest.json").read_text()))
    return Digest(bytes.fromhex(keys["election_hash"])), manifest


def _rechain(record: Path, lines: list[dict], key: BoardKeyPair | None = None) -> list[dict]:
    """Renumber and re-chain the lines as a forger would; re-sign if the forger holds b."""
    h_e, manifest = _context(record)
    head = tracker_start(h_e)
    for i, line in enumerate(lines, start=1):
        h_b = ballot_digest(h_e, ballot_from_json(line["ballot"], manifest))
        tracker = next_tracker(h_e, head, h_b)
        line["index"] = i
        line["previous_tracker"] = head.hex()
        line["tracker"] = tracker.hex()
        if key is not None:
            sig = sign_receipt(h_e, key, i, h_b, tracker)
            line["receipt"] = {"c": sig.c.hex(), "v": sig.v.hex()}
        head = tracker
    return lines


def _forge(record: Path, dst: Path, keep: list[int], key: BoardKeyPair | None = None) -> list[dict]:
    """Publish lines ``keep`` (0-based, in that order) re-chained, audits moved along."""
    h_e, _ = _context(record)
    original = _lines(record / "ballots.jsonl")
    old = [tracker_start(h_e).hex()] + [x["tracker"] for x in original]
    forged = _rechain(record, [json.loads(json.dumps(original[i])) for i in keep], key)
    new_of = {tracker_start(h_e).hex(): tracker_start(h_e).hex()}
    head = tracker_start(h_e).hex()
    published = {
        original[i]["tracker"]: line["tracker"] for i, line in zip(keep, forged, strict=True)
    }
    for tracker in old[1:]:
        head = published.get(tracker, head)
        new_of[tracker] = head
    audited = _lines(record / "audited.jsonl")
    for line in audited:
        prev = Digest(bytes.fromhex(new_of[line["previous_tracker"]]))
        line["previous_tracker"] = prev.hex()
        h_b = Digest(bytes.fromhex(line["ballot_hash"]))
        line["tracker"] = next_tracker(h_e, prev, h_b).hex()
    _write(dst / "ballots.jsonl", forged)
    _write(dst / "audited.jsonl", audited)
    tally = json.loads((record / "tally.json").read_text())
    tally["final_tracker"] = forged[-1]["tracker"]
    (dst / "tally.json").write_bytes(canonical_json(tally))
    return forged


def _receipt(record: Path, line: dict) -> Receipt:
    """The receipt the voter of ``line`` took home when casting it."""
    h_e, manifest = _context(record)
    h_b = ballot_digest(h_e, ballot_from_json(line["ballot"], manifest))
    return Receipt.from_json(
        {
            "election_hash": h_e.hex(),
            "index": line["index"],
            "ballot_hash": h_b.hex(),
            "tracker": line["tracker"],
            "signature": line["receipt"],
        }
    )


def _failures(report: Report, field: str) -> list[str]:
    return [str(f) for f in report.failures if f.field == field]


def test_fixture_has_audits_and_revotes(record: Path) -> None:
    report = verify_record(record)
    assert report.ok, report.render()
    cast = _lines(record / "ballots.jsonl")
    assert [x["index"] for x in cast] == list(range(1, len(cast) + 1))
    assert len({x["ballot"]["credential"] for x in cast}) < len(cast)
    assert len(_lines(record / "audited.jsonl")) == 5


# --- the engine's board ------------------------------------------------------


def test_board_numbers_lines_and_signs_receipts(setup: Setup) -> None:
    e = setup.election
    key = BoardKeyPair.from_secret(hash_to_scalar("test", "board"))
    board = Board(e, key, credentials={c.public for c in setup.credentials})
    head = board.head
    assert head == tracker_start(e.election_hash)
    for n, cred in enumerate(setup.credentials, start=1):
        ballot, _ = encrypt_ballot(e, cred, SELECTIONS)
        shown = board.preview(ballot)
        line, receipt = board.cast(ballot)
        assert (line.index, line.previous_tracker, line.tracker) == (n, head, shown)
        assert receipt.tracker == shown
        assert verify_receipt(
            e.election_hash, key.public, n, receipt.ballot_hash, shown, line.receipt
        )
        check_receipt(receipt, e.election_hash, key.public, line)
        assert Receipt.from_json(json.loads(json.dumps(receipt.to_json()))) == receipt
        head = line.tracker
    assert board.next_index == len(setup.credentials) + 1


def test_board_refuses_replays_and_strangers(setup: Setup) -> None:
    e = setup.election
    key = BoardKeyPair.generate()
    board = Board(e, key, credentials={c.public for c in setup.credentials[:2]})
    ballot, _ = encrypt_ballot(e, setup.credentials[0], SELECTIONS)
    board.cast(ballot)
    head, index = board.head, board.next_index
    with pytest.raises(VerificationError, match="replay"):
        board.cast(ballot)
    stranger, _ = encrypt_ballot(e, setup.credentials[2], SELECTIONS)
    with pytest.raises(VerificationError, match="credential list"):
        board.cast(stranger)
    audited, seed = encrypt_ballot(e, setup.credentials[1], SELECTIONS)
    line = board.audit(audited, seed, SELECTIONS)
    assert line.previous_tracker == head
    with pytest.raises(VerificationError, match="replay"):
        board.cast(audited)
    with pytest.raises(VerificationError):
        board.audit(
            *encrypt_ballot(e, setup.credentials[1], SELECTIONS), {**SELECTIONS, "chair": [1, 0, 0]}
        )
    assert (board.head, board.next_index) == (head, index), "nothing appended by a refusal"


def test_receipt_proves_a_dropped_line(setup: Setup) -> None:
    e = setup.election
    key = BoardKeyPair.generate()
    board = Board(e, key)
    lines, receipts = [], []
    for cred in setup.credentials:
        line, receipt = board.cast(encrypt_ballot(e, cred, SELECTIONS)[0])
        lines.append(line)
        receipts.append(receipt)
    # The board drops line 2 and re-signs the rest with its key: the record
    # is consistent, but voters 2 and 3 hold receipts it contradicts.
    forger = Board(e, key)
    kept = [forger.cast(x.ballot)[0] for x in (lines[0], lines[2])]
    check_receipt(receipts[0], e.election_hash, key.public, kept[0])
    with pytest.raises(BoardBreach):
        check_receipt(receipts[1], e.election_hash, key.public, kept[1])
    with pytest.raises(BoardBreach, match="no such line"):
        check_receipt(receipts[2], e.election_hash, key.public, None)


def test_forged_receipt_proves_nothing(setup: Setup) -> None:
    e = setup.election
    key = BoardKeyPair.generate()
    line, receipt = Board(e, key).cast(encrypt_ballot(e, setup.credentials[0], SELECTIONS)[0])
    for forged in (
        replace(receipt, index=2),
        replace(receipt, tracker=Digest(b"\x00" * 32)),
        replace(receipt, signature=replace(receipt.signature, v=Scalar(1))),
    ):
        with pytest.raises(InvalidReceipt):
            check_receipt(forged, e.election_hash, key.public, line)
    with pytest.raises(InvalidReceipt, match="another election"):
        check_receipt(receipt, Digest(b"\x01" * 32), key.public, line)
    with pytest.raises(InvalidReceipt):
        check_receipt(receipt, e.election_hash, BoardKeyPair.generate().public, line)


# --- attacks on a published record ----------------------------------------------


def test_reordered_board_with_recomputed_trackers_fails_on_receipts(
    record: Path, tmp_path: Path
) -> None:
    # Without b: the trackers and indices can be recomputed, the receipts not.
    dst = _copy(record, tmp_path)
    n = len(_lines(record / "ballots.jsonl"))
    _forge(record, dst, [2, 1, 0, *range(3, n)])
    report = verify_record(dst)
    assert report.exit_code == 1
    assert _failures(report, "receipt"), report.render()
    on_board = [f for f in report.failures if f.where.startswith("ballots.jsonl")]
    assert {f.field for f in on_board} == {"receipt"}, report.render()
    assert not [f for f in report.failures if f.where == "tally.json"], report.render()


def test_reordered_board_without_renumbering_fails_on_indices(record: Path, tmp_path: Path) -> None:
    dst = _copy(record, tmp_path)
    lines = _lines(record / "ballots.jsonl")
    lines[0], lines[2] = lines[2], lines[0]
    indexes = [x["index"] for x in lines]
    rechained = _rechain(record, lines)
    for line, index in zip(rechained, indexes, strict=True):
        line["index"] = index
    _write(dst / "ballots.jsonl", rechained)
    report = verify_record(dst)
    assert any("ballots.jsonl line 1" in f for f in _failures(report, "index")), report.render()


def test_dropped_revote_is_proven_by_the_voters_receipt(record: Path, tmp_path: Path) -> None:
    # The operator holds b: it drops a re-vote, so that the voter's earlier
    # ballot counts, and re-signs every later line. The board checks pass
    # (only the tally, which it would need the trustees to redo, differs);
    # the receipt the voter kept proves the omission.
    dst = _copy(record, tmp_path)
    lines = _lines(record / "ballots.jsonl")
    credentials = [x["ballot"]["credential"] for x in lines]
    revote = next(i for i, c in enumerate(credentials) if credentials.index(c) < i)
    receipt = _receipt(record, lines[revote])
    operator = BoardKeyPair.from_secret(hash_to_scalar("simulation", SEED, "board"))
    keep = [i for i in range(len(lines)) if i != revote]
    forged = _forge(record, dst, keep, operator)
    report = verify_record(dst)
    assert all(f.where == "tally.json" for f in report.failures), report.render()
    assert report.failures, "the tally no longer matches"
    ok = {name: passed for name, passed, _ in report.checks}
    assert ok["cast ballots"], report.render()
    assert ok["audited ballots"], report.render()
    h_e, manifest = _context(record)
    line = cast_from_json(forged[revote], manifest) if revote < len(forged) else None
    with pytest.raises(BoardBreach):
        check_receipt(receipt, h_e, operator.public, line)


def test_receipt_of_another_line_does_not_verify(record: Path, tmp_path: Path) -> None:
    dst = _copy(record, tmp_path)
    lines = _lines(record / "ballots.jsonl")
    lines[1]["receipt"] = lines[0]["receipt"]
    _write(dst / "ballots.jsonl", lines)
    assert any("line 2" in f for f in _failures(verify_record(dst), "receipt"))


@pytest.mark.parametrize("bad", [0, 2, 99])
def test_wrong_first_index_is_refused(record: Path, tmp_path: Path, bad: int) -> None:
    dst = _copy(record, tmp_path)
    lines = _lines(record / "ballots.jsonl")
    lines[0]["index"] = bad
    _write(dst / "ballots.jsonl", lines)
    assert verify_record(dst).exit_code == 1


# --- audited ballots on the record ----------------------------------------------


def test_audits_out_of_order_are_refused(record: Path, tmp_path: Path) -> None:
    dst = _copy(record, tmp_path)
    audited = _lines(record / "audited.jsonl")
    heads = [x["previous_tracker"] for x in audited]
    assert len(set(heads)) > 1, "the fixture should audit at several board heads"
    audited.reverse()
    _write(dst / "audited.jsonl", audited)
    report = verify_record(dst)
    assert any("order" in f for f in _failures(report, "previous_tracker")), report.render()


def test_audit_citing_a_tracker_not_on_the_board_is_refused(record: Path, tmp_path: Path) -> None:
    dst = _copy(record, tmp_path)
    h_e, _ = _context(record)
    audited = _lines(record / "audited.jsonl")
    invented = Digest(b"\x05" * 32)
    h_b = Digest(bytes.fromhex(audited[-1]["ballot_hash"]))
    audited[-1]["previous_tracker"] = invented.hex()
    audited[-1]["tracker"] = next_tracker(h_e, invented, h_b).hex()
    _write(dst / "audited.jsonl", audited)
    report = verify_record(dst)
    assert any("audited.jsonl line 5" in f for f in _failures(report, "previous_tracker"))


def test_audit_whose_tracker_does_not_chain_is_refused(record: Path, tmp_path: Path) -> None:
    dst = _copy(record, tmp_path)
    audited = _lines(record / "audited.jsonl")
    audited[0]["ballot_hash"] = audited[1]["ballot_hash"]
    _write(dst / "audited.jsonl", audited)
    report = verify_record(dst)
    assert any("audited.jsonl line 1" in f for f in _failures(report, "tracker"))


def test_audit_with_another_selection_is_refused(record: Path, tmp_path: Path) -> None:
    dst = _copy(record, tmp_path)
    audited = _lines(record / "audited.jsonl")
    values = audited[0]["selections"]["choice"]
    audited[0]["selections"]["choice"] = values[1:] + values[:1]
    _write(dst / "audited.jsonl", audited)
    report = verify_record(dst)
    assert any(f.where == "audited.jsonl line 1" for f in report.failures), report.render()


@pytest.mark.parametrize("jobs", [1, 2])
def test_indices_and_audit_order_hold_across_chunks(
    record: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int
) -> None:
    # One line per chunk: every position is computed from chunk offsets.
    monkeypatch.setattr("secret_ballot.verify._CHUNK_BYTES", 1)
    assert verify_record(record, jobs=jobs).ok
    dst = _copy(record, tmp_path)
    lines = _lines(record / "ballots.jsonl")
    lines[3]["index"], lines[4]["index"] = lines[4]["index"], lines[3]["index"]
    _write(dst / "ballots.jsonl", lines)
    report = verify_record(dst, jobs=jobs)
    wrong = sorted(f.where for f in report.failures if f.field == "index")
    assert wrong == ["ballots.jsonl line 4", "ballots.jsonl line 5"], report.render()
    audited = _lines(record / "audited.jsonl")
    audited.reverse()
    _write(dst / "ballots.jsonl", _lines(record / "ballots.jsonl"))
    _write(dst / "audited.jsonl", audited)
    report = verify_record(dst, jobs=jobs)
    assert any("order" in f for f in _failures(report, "previous_tracker")), report.render()
