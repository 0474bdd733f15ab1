"""The booth (JavaScript) and the engine (Python) agree on ballots.

The byte-for-byte comparison runs in Node (booth/tests/cross.test.js) over
tests/booth/vectors/ballots.json; here the engine checks that the file is
what it writes today, and that it accepts a ballot the booth encrypted with
a random nonce seed.
"""

from __future__ import annotations

import copy
import json
import subprocess
from pathlib import Path

import pytest

from secret_ballot.ballot import (
    BallotChecker,
    ballot_digest,
    ballot_from_json,
)
from secret_ballot.errors import DecodingError, VerificationError
from secret_ballot.hash import DOMAIN_PREFIX
from tests.booth import make_vectors
from tests.booth.conftest import ROOT, STATIC, opens
from tests.secret_ballot.conftest import SELECTIONS, Setup, make_setup

SCRIPT = Path(__file__).parent / "encrypt_ballot.mjs"


@pytest.fixture(scope="module")
def setup() -> Setup:
    return make_setup()


def test_vectors_are_what_the_engine_writes_today():
    assert make_vectors.OUT.read_bytes() == make_vectors.vectors(), (
        "run `python -m tests.booth.make_vectors`"
    )


def test_booth_hashes_with_the_engine_prefix():
    source = (STATIC / "js" / "secret-ballot.js").read_text()
    assert f'export const DOMAIN_PREFIX = "{DOMAIN_PREFIX.decode()}";' in source


def _booth_ballot(node: str, setup: Setup, tmp_path: Path, voter: int) -> dict:
    election = setup.election
    request = {
        "election": make_vectors.election_json(election),
        "credential_secret": setup.credentials[voter].secret.hex(),
        "selections": SELECTIONS,
    }
    path = tmp_path / "input.json"
    path.write_text(json.dumps(request))
    proc = subprocess.run(  # noqa: S603 - fixed argv
        [node, str(SCRIPT), str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(proc.stdout)


def test_engine_accepts_a_booth_ballot_with_a_random_seed(node: str, setup: Setup, tmp_path):
    election = setup.election
    out = _booth_ballot(node, setup, tmp_path, voter=2)
    ballot = ballot_from_json(out["ballot"], election.manifest)
    assert ballot.credential == setup.credentials[2].public
    checker = BallotChecker(election)
    h_b = checker.check(ballot)
    assert h_b == ballot_digest(election.election_hash, ballot)
    assert opens(election, ballot, bytes.fromhex(out["nonce_seed"]), SELECTIONS)
    # The seed is fresh: a second ballot shares no ciphertext with the first.
    again = ballot_from_json(
        _booth_ballot(node, setup, tmp_path, voter=2)["ballot"], election.manifest
    )
    alphas = {o.ciphertext.alpha for c in ballot.contests for o in c.options}
    assert alphas.isdisjoint(o.ciphertext.alpha for c in again.contests for o in c.options)


def test_engine_refuses_a_tampered_booth_ballot(node: str, setup: Setup, tmp_path):
    election = setup.election
    out = _booth_ballot(node, setup, tmp_path, voter=0)
    honest = ballot_from_json(copy.deepcopy(out["ballot"]), election.manifest)
    seed = bytes.fromhex(out["nonce_seed"])
    checker = BallotChecker(election)
    checker.check(honest)
    option = out["ballot"]["contests"][3]["options"][1]
    option["beta"], option["alpha"] = option["alpha"], option["beta"]
    with pytest.raises((VerificationError, DecodingError)):
        checker.check(ballot_from_json(out["ballot"], election.manifest))
    # An audit opens only its own ballot, and only to the selections encrypted.
    assert opens(election, honest, seed, SELECTIONS)
    other = ballot_from_json(
        _booth_ballot(node, setup, tmp_path, voter=0)["ballot"], election.manifest
    )
    assert not opens(election, other, seed, SELECTIONS)
    assert not opens(election, honest, seed, {**SELECTIONS, "chair": [1, 0, 0]})
