"""The election record and the verifier: acceptance, and tampering with every part."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path

import pytest

from secret_ballot.election import Parameters
from secret_ballot.hash import hash_to_scalar
from secret_ballot.jsonfields import canonical_json
from secret_ballot.simulate import simulate
from secret_ballot.verify import verify_record

from .conftest import server_made_dealer

JSON_FILES = [
    "manifest.json",
    "parameters.json",
    "ceremony.json",
    "election.json",
    "credentials.json",
    "committees.json",
    "tally.json",
]


@pytest.fixture(scope="module")
def record(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("record") / "rec"
    simulate(
        voters=4,
        options=3,
        trustees=3,
        threshold=2,
        out=out,
        seed=b"record-fixture",
        revote_per_mille=500,
        audit_per_mille=500,
    )
    return out


def _copy(record: Path, tmp_path: Path) -> Path:
    dst = tmp_path / "copy"
    shutil.copytree(record, dst)
    return dst


def _leaves(value, prefix=""):
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _leaves(v, f"{prefix}.{k}" if prefix else k)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _leaves(v, f"{prefix}[{i}]")
    else:
        yield prefix, value


def _tweaked(value, path):
    value = copy.deepcopy(value)
    parts = [p for p in path.replace("[", ".[").split(".") if p]
    target = value
    for p in parts[:-1]:
        target = target[int(p[1:-1])] if p.startswith("[") else target[p]
    key = int(parts[-1][1:-1]) if parts[-1].startswith("[") else parts[-1]
    leaf = target[key]
    if isinstance(leaf, bool):
        target[key] = not leaf
    elif isinstance(leaf, int):
        target[key] = leaf + 1
    elif isinstance(leaf, str) and len(leaf) == 66:
        target[key] = ("03" if leaf[:2] == "02" else "02") + leaf[2:]
    elif (
        isinstance(leaf, str)
        and len(leaf) in (24, 64, 96)
        and all(c in "0123456789abcdef" for c in leaf)
    ):
        target[key] = leaf[:-1] + ("0" if leaf[-1] != "0" else "1")
    else:
        target[key] = f"{leaf}x"
    return value


def test_simulated_record_verifies(record: Path) -> None:
    report = verify_record(record)
    assert report.ok, report.render()
    text = report.render()
    assert "Result: VALID" in text
    assert "not counted" in text
    audited = (record / "audited.jsonl").read_text().splitlines()
    cast = (record / "ballots.jsonl").read_text().splitlines()
    assert audited, "the fixture should contain audited ballots"
    assert len(cast) > 4, "the fixture should contain re-votes"


def test_parallel_verification_agrees(record: Path) -> None:
    assert verify_record(record, jobs=2).ok


def test_zip_record(tmp_path: Path) -> None:
    out = tmp_path / "rec.zip"
    simulate(voters=3, options=2, trustees=2, threshold=2, out=out, seed=b"zip")
    assert verify_record(out).ok
    assert verify_record(out, jobs=2).ok


@pytest.mark.parametrize("name", JSON_FILES)
def test_changing_any_field_of_a_json_file_fails(record: Path, tmp_path: Path, name: str) -> None:
    dst = _copy(record, tmp_path)
    original = json.loads((record / name).read_bytes())
    leaves = list(_leaves(original))
    if name == "credentials.json":
        leaves = leaves[:3]
    for path, _ in leaves:
        free_text = path.endswith(("title", "label"))
        if free_text and "contests[0].options[0]" not in path:
            # Free text is bound through h_M; checking a couple is enough.
            continue
        (dst / name).write_bytes(canonical_json(_tweaked(original, path)))
        report = verify_record(dst)
        assert not report.ok, f"{name}: {path} changed but the record still verifies"
        assert report.exit_code == 1, (name, path, report.render())
        text = report.render()
        if name in (
            "election.json",
            "credentials.json",
            "committees.json",
            "tally.json",
            "ceremony.json",
        ):
            # Another board key is caught by h_E, or failing that by every receipt.
            caught_by_receipts = path == "board_key" and "receipt" in text
            assert name in text or caught_by_receipts, (name, path, text)
    (dst / name).write_bytes((record / name).read_bytes())
    assert verify_record(dst).ok


@pytest.mark.parametrize("name", ["ballots.jsonl", "audited.jsonl"])
def test_changing_any_field_of_a_ballot_line_fails_naming_line_and_field(
    record: Path, tmp_path: Path, name: str
) -> None:
    dst = _copy(record, tmp_path)
    lines = (record / name).read_text().splitlines()
    original = json.loads(lines[0])
    for path, _ in _leaves(original):
        bad = canonical_json(_tweaked(original, path)).decode()
        (dst / name).write_text("\n".join([bad, *lines[1:]]) + "\n")
        report = verify_record(dst)
        assert report.exit_code == 1, (path, report.render())
        messages = [str(f) for f in report.failures]
        assert any(m.startswith(f"{name} line 1:") for m in messages), (path, messages)


def test_swapped_lines_break_the_tracker_chain(record: Path, tmp_path: Path) -> None:
    dst = _copy(record, tmp_path)
    lines = (record / "ballots.jsonl").read_text().splitlines()
    lines[0], lines[1] = lines[1], lines[0]
    (dst / "ballots.jsonl").write_text("\n".join(lines) + "\n")
    report = verify_record(dst)
    assert any(f.field == "previous_tracker" for f in report.failures), report.render()


def test_duplicated_ballot_is_rejected(record: Path, tmp_path: Path) -> None:
    dst = _copy(record, tmp_path)
    lines = (record / "ballots.jsonl").read_text().splitlines()
    (dst / "ballots.jsonl").write_text("\n".join([*lines, lines[0]]) + "\n")
    report = verify_record(dst)
    assert any("duplicate ciphertext" in f.message for f in report.failures), report.render()


def test_dropped_ballot_changes_tally(record: Path, tmp_path: Path) -> None:
    dst = _copy(record, tmp_path)
    lines = (record / "ballots.jsonl").read_text().splitlines()
    (dst / "ballots.jsonl").write_text("\n".join(lines[:-1]) + "\n")
    report = verify_record(dst)
    fields = {f.field for f in report.failures}
    assert "tally.final_tracker" in fields, report.render()


def test_last_ballot_per_credential_counts(record: Path, tmp_path: Path) -> None:
    # Moving a superseded ballot after its replacement changes which one counts:
    # the chain breaks and the tally no longer matches.
    report = verify_record(record)
    assert report.ok
    ballots = [json.loads(x) for x in (record / "ballots.jsonl").read_text().splitlines()]
    creds = [b["ballot"]["credential"] for b in ballots]
    assert len(set(creds)) < len(creds)


def test_audited_ballot_cast_as_well_is_rejected(record: Path, tmp_path: Path) -> None:
    # The board casts the ciphertexts that a voter audited (their nonces are
    # public): the α values appear twice.
    dst = _copy(record, tmp_path)
    audited = json.loads((record / "audited.jsonl").read_text().splitlines()[0])
    lines = (record / "ballots.jsonl").read_text().splitlines()
    victim = json.loads(lines[-1])
    for contest, opened in zip(victim["ballot"]["contests"], audited["contests"], strict=True):
        for option, ct in zip(contest["options"], opened["options"], strict=True):
            option["alpha"], option["beta"] = ct["alpha"], ct["beta"]
    lines[-1] = canonical_json(victim).decode()
    (dst / "ballots.jsonl").write_text("\n".join(lines) + "\n")
    report = verify_record(dst)
    assert any("duplicate ciphertext" in f.message for f in report.failures), report.render()


@pytest.mark.parametrize(
    ("mutation", "needle"),
    [
        (lambda d: (d / "tally.json").unlink(), "tally.json: missing"),
        (lambda d: (d / "ballots.jsonl").unlink(), "ballots.jsonl: missing"),
        (lambda d: (d / "manifest.json").write_text("{not json"), "manifest.json: not valid JSON"),
        (
            lambda d: (d / "ballots.jsonl").write_text("{oops\n"),
            "ballots.jsonl line 1: not valid JSON",
        ),
        (lambda d: (d / "record.json").write_text("[1, 2"), "record.json: not valid JSON"),
    ],
)
def test_unreadable_record_gives_exit_2(
    record: Path, tmp_path: Path, mutation, needle: str
) -> None:
    dst = _copy(record, tmp_path)
    mutation(dst)
    report = verify_record(dst)
    assert report.exit_code == 2
    assert needle in report.render()


def test_record_with_a_trustee_absent_from_the_ceremony_verifies(tmp_path: Path) -> None:
    out = tmp_path / "rec"
    simulate(
        voters=3, options=2, trustees=3, threshold=2, out=out, seed=b"absent", absent_trustees=(1,)
    )
    report = verify_record(out)
    assert report.ok, report.render()
    assert "trustee 1: not-announced" in report.render()
    election = json.loads((out / "election.json").read_bytes())
    assert election["qualified"] == [2, 3]
    # Claiming trustee 1 as qualified is caught.
    election["qualified"] = [1, 2, 3]
    (out / "election.json").write_bytes(canonical_json(election))
    report = verify_record(out)
    assert any(f.field == "qualified" for f in report.failures), report.render()


def test_ceremony_with_a_dealer_made_up_by_the_server_is_invalid(
    record: Path, tmp_path: Path
) -> None:
    dst = _copy(record, tmp_path)
    params = Parameters.from_json(json.loads((record / "parameters.json").read_bytes()))
    ceremony = json.loads((record / "ceremony.json").read_bytes())
    ann, reveal = server_made_dealer(params, 1, hash_to_scalar("server", "key"))
    ceremony["announcements"][0] = ann.to_json()
    ceremony["reveals"][0] = reveal.to_json()
    # The recipients' complaints against it dropped.
    ceremony["responses"] = [r for r in ceremony["responses"] if r["dealer"] != 1]
    (dst / "ceremony.json").write_bytes(canonical_json(ceremony))
    report = verify_record(dst)
    assert report.exit_code == 1
    assert "announcements[0].signature: not signed by trustee 1" in report.render()
