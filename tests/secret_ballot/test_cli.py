"""The command line: simulate, verify, exit codes, bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from secret_ballot.__main__ import main
from secret_ballot.ballot import ballot_digest, ballot_from_json
from secret_ballot.hash import Digest
from secret_ballot.manifest import Manifest


def test_simulate_then_verify(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "rec"
    args = ["--voters", "6", "--options", "3", "--trustees", "3", "--threshold", "2"]
    assert main(["simulate", *args, "--out", str(out), "--seed", "cli", "--jobs", "2"]) == 0
    assert "6 voters" in capsys.readouterr().out
    assert main(["verify", str(out)]) == 0
    assert "Result: VALID" in capsys.readouterr().out
    assert main(["verify", str(out), "--jobs", "2"]) == 0
    # Same seed, same record, whatever the number of jobs.
    again = tmp_path / "again"
    assert main(["simulate", *args, "--out", str(again), "--seed", "cli"]) == 0
    for f in out.iterdir():
        assert f.read_bytes() == (again / f.name).read_bytes(), f.name


def test_simulate_with_a_minimum_group(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "rec"
    assert main(["simulate", "--voters", "6", "--minimum-group", "2", "--out", str(out)]) == 0
    assert json.loads((out / "committees.json").read_bytes())["minimum_group"] == 2
    groups = json.loads((out / "tally.json").read_bytes())["groups"]
    assert [g["group_id"] for g in groups] == [
        "assembly",
        "region-north",
        "committee-1",
        "committee-5",
    ]
    capsys.readouterr()
    assert main(["verify", str(out)]) == 0
    assert "decrypted 4 group(s)" in capsys.readouterr().out


def test_tampered_record_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "rec"
    assert main(["simulate", "--voters", "3", "--out", str(out), "--seed", "x"]) == 0
    tally = (out / "tally.json").read_text()
    (out / "tally.json").write_text(tally.replace('"count":', '"count":1', 1))
    capsys.readouterr()
    assert main(["verify", str(out)]) == 1
    printed = capsys.readouterr().out
    assert "Result: INVALID" in printed
    assert "tally.contests[0].options[0].count" in printed


@pytest.mark.parametrize(
    "argv",
    [
        ["verify", "/nonexistent/record"],
        ["verify"],
        ["frobnicate"],
        ["simulate", "--voters", "3"],
        ["simulate", "--voters", "3", "--options", "1", "--out", "x"],
        ["verify", ".", "--jobs", "0"],
        ["simulate", "--voters", "3", "--minimum-group", "0", "--out", "x"],
    ],
)
def test_bad_input_exits_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err


def test_malformed_json_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "record.json").write_text("{")
    assert main(["verify", str(tmp_path)]) == 2
    assert "record.json: not valid JSON" in capsys.readouterr().out


def test_module_entry_point(tmp_path: Path) -> None:
    proc = subprocess.run(  # noqa: S603 - fixed argv, our own interpreter
        [sys.executable, "-m", "secret_ballot", "verify", str(tmp_path / "missing")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert "no such file or directory" in proc.stdout
    assert "Traceback" not in proc.stderr


def _receipt_of_line(record: Path, number: int) -> dict[str, object]:
    keys = json.loads((record / "election.json").read_text())
    manifest = Manifest.from_json(json.loads((record / "manifest.json").read_text()))
    line = json.loads((record / "ballots.jsonl").read_text().splitlines()[number - 1])
    h_e = Digest(bytes.fromhex(keys["election_hash"]))
    h_b = ballot_digest(h_e, ballot_from_json(line["ballot"], manifest))
    return {
        "election_hash": keys["election_hash"],
        "index": number,
        "ballot_hash": h_b.hex(),
        "tracker": line["tracker"],
        "signature": line["receipt"],
    }


def test_check_receipt(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "rec"
    assert main(["simulate", "--voters", "3", "--out", str(out), "--seed", "receipt"]) == 0
    receipt = tmp_path / "receipt.json"
    receipt.write_text(json.dumps(_receipt_of_line(out, 2)))
    capsys.readouterr()
    assert main(["check-receipt", str(out), str(receipt)]) == 0
    assert "matches line 2" in capsys.readouterr().out
    # The board drops line 1: the voter of line 2 holds the proof.
    lines = (out / "ballots.jsonl").read_text().splitlines()
    (out / "ballots.jsonl").write_text("\n".join(lines[1:]) + "\n")
    assert main(["check-receipt", str(out), str(receipt)]) == 1
    assert "PROOF" in capsys.readouterr().out
    # A receipt the board did not sign proves nothing.
    forged = _receipt_of_line(out, 1)
    forged["index"] = 1
    receipt.write_text(json.dumps(forged))
    assert main(["check-receipt", str(out), str(receipt)]) == 2
    assert "not signed by the board" in capsys.readouterr().err
