"""Write the cross-language vectors of the booth: tests/booth/vectors/ballots.json.

    python -m tests.booth.make_vectors [OUT_FILE]

The engine encrypts ballots from fixed nonce seeds, credential secrets and
selections; the file holds those inputs, the election they are cast in and
the engine's outputs (the ballot as canonical JSON, h_B, trackers, the audit
reveal) and per-election credentials derived from voting keys. The booth must
reproduce every output byte for byte (booth/tests/cross.test.js), and
test_vectors.py checks that the file is what the engine writes today, so a
change of the engine (its hash prefix, say) shows up in both languages.
"""

from __future__ import annotations

import sys
from pathlib import Path

from secret_ballot.ballot import (
    CredentialKeyPair,
    ballot_digest,
    ballot_to_json,
    encrypt_ballot,
    next_tracker,
    tracker_start,
)
from secret_ballot.credentials import credential_tweak, election_credential
from secret_ballot.election import Election
from secret_ballot.group import Scalar, base_mul
from secret_ballot.hash import hash_digest, hash_to_scalar
from secret_ballot.jsonfields import JSON, canonical_json
from tests.secret_ballot.conftest import make_setup

OUT = Path(__file__).parent / "vectors" / "ballots.json"

#: Tag of the per-election credential tweak δ = H(V, election_id).

SELECTIONS = [
    {"motion": [1, 0, 0], "chair": [0, 0, 1], "board": [1, 0, 0, 1], "budget": [3, 1]},
    {"motion": [0, 0, 1], "chair": [0, 0, 0], "board": [0, 1, 0, 0], "budget": [0, 0]},
    {"motion": [0, 1, 0], "chair": [1, 0, 0], "board": [0, 0, 1, 1], "budget": [1, 3]},
]


def election_json(election: Election) -> dict[str, JSON]:
    return {
        "manifest": election.manifest.to_json(),
        "election_hash": election.election_hash.hex(),
        "joint_key": election.joint_key.hex(),
    }


def ballot_cases(election: Election, credentials: list[CredentialKeyPair]) -> list[JSON]:
    h_e = election.election_hash
    start = tracker_start(h_e)
    cases = []
    for i, (selections, credential) in enumerate(zip(SELECTIONS, credentials, strict=True)):
        seed = hash_digest("test-vector", "booth nonce seed", i)
        ballot, _ = encrypt_ballot(election, credential, selections, nonce_seed=seed)
        h_b = ballot_digest(h_e, ballot)
        tracker = next_tracker(h_e, start, h_b)
        cases.append(
            {
                "credential_secret": credential.secret.hex(),
                "nonce_seed": seed.hex(),
                "selections": selections,
                "ballot": canonical_json(ballot_to_json(ballot)).decode("ascii"),
                "ballot_hash": h_b.hex(),
                "tracker_start": start.hex(),
                "tracker": tracker.hex(),
                # What the device reveals if the voter audits (spec §5.7).
                "audit": {"nonce_seed": seed.hex(), "selections": selections},
            }
        )
    return cases


def credential_cases() -> list[JSON]:
    cases = []
    for i, election_id in enumerate(["test-election", "board-7.vote_2", "poll-0f3a9c"]):
        v = hash_to_scalar("test-vector", "booth voting key", i)
        voting_key = base_mul(v)
        tweak = credential_tweak(voting_key, election_id)
        x = v + tweak
        cases.append(
            {
                "voting_secret": v.hex(),
                "voting_key": voting_key.hex(),
                "election_id": election_id,
                "tweak": tweak.hex(),
                "credential_secret": x.hex(),
                "credential": election_credential(voting_key, election_id).hex(),
            }
        )
        assert base_mul(x) == voting_key + base_mul(tweak)
        assert x != Scalar(0)
    return cases


def vectors() -> bytes:
    setup = make_setup()
    data = {
        "election": election_json(setup.election),
        "ballots": ballot_cases(setup.election, setup.credentials),
        "credentials": credential_cases(),
    }
    return canonical_json(data) + b"\n"


if __name__ == "__main__":
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else OUT
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(vectors())
