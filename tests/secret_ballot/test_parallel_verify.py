"""``verify --jobs N``: the board checked in worker processes gives the same
verdict and the same messages as one process, and still finds a bad ballot
wherever it sits among the chunks."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from secret_ballot.__main__ import main
from secret_ballot.hash import hash_to_scalar
from secret_ballot.jsonfields import canonical_json
from secret_ballot.simulate import simulate
from secret_ballot.verify import verify_record


@pytest.fixture(scope="module")
def record(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("parallel") / "rec"
    simulate(
        voters=24,
        options=3,
        trustees=3,
        threshold=2,
        out=out,
        seed=b"parallel-fixture",
        revote_per_mille=300,
        audit_per_mille=200,
    )
    return out


def _tampered(record: Path, tmp_path: Path, how: str) -> tuple[Path, list[int]]:
    """A copy of ``record`` with ballots spoiled in ``how``; the spoiled line numbers."""
    dst = tmp_path / how
    shutil.copytree(record, dst)
    path = dst / "ballots.jsonl"
    lines = [json.loads(x) for x in path.read_text().splitlines()]
    spoiled = [2, len(lines) - 3, len(lines)]  # early, late and last, in different chunks
    other = hash_to_scalar("test", "tampered").hex()
    for number in spoiled:
        ballot = lines[number - 1]["ballot"]
        if how == "proof":
            ballot["contests"][0]["options"][1]["proof"]["c"][0] = other
        elif how == "signature":
            ballot["signature"]["v"] = other
        else:  # a point that is not on the curve: the line does not decode
            ballot["contests"][0]["options"][0]["alpha"] = "02" + "00" * 32
    path.write_bytes(b"".join(canonical_json(x) + b"\n" for x in lines))
    return dst, spoiled


@pytest.mark.parametrize("chunk_bytes", [1, 8192])
@pytest.mark.parametrize("how", ["proof", "signature", "off-curve"])
def test_parallel_verification_finds_a_bad_ballot_with_the_same_report(
    record: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str, chunk_bytes: int
) -> None:
    # Small chunks: the board is spread over many tasks and both workers.
    monkeypatch.setattr("secret_ballot.verify._CHUNK_BYTES", chunk_bytes)
    bad, spoiled = _tampered(record, tmp_path, how)
    one = verify_record(bad, jobs=1)
    two = verify_record(bad, jobs=2)
    assert not one.ok
    assert one.exit_code == two.exit_code == 1
    assert one.render() == two.render()
    assert one.failures == two.failures
    where = {f.where for f in two.failures}
    for number in spoiled:
        assert f"ballots.jsonl line {number}" in where, two.render()


def test_the_command_line_says_the_same_with_two_jobs(
    record: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad, _spoiled = _tampered(record, tmp_path, "signature")
    outputs = []
    for jobs in ("1", "2"):
        assert main(["verify", str(bad), "--jobs", jobs]) == 1
        # The last line gives the time and the number of jobs.
        outputs.append(capsys.readouterr().out.rsplit("\n(", 1)[0])
    assert outputs[0] == outputs[1]
    assert "Result: INVALID" in outputs[1]
    assert main(["verify", str(record), "--jobs", "2"]) == 0
