"""Shared fixtures: a tiny election with every contest kind, keys from a real ceremony."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from secret_ballot.ballot import CredentialKeyPair
from secret_ballot.dkg import Trustee, run_ceremony
from secret_ballot.election import Election, Parameters, TrusteeInfo, credentials_digest
from secret_ballot.group import base_mul
from secret_ballot.hash import hash_to_scalar
from secret_ballot.manifest import Contest, ContestKind, Manifest, Option


def make_manifest() -> Manifest:
    def opts(*ids: str) -> tuple[Option, ...]:
        return tuple(Option(i, i.title()) for i in ids)

    return Manifest(
        "test-election",
        "Test election",
        (
            Contest(
                "motion",
                "Adopt?",
                ContestKind.YES_NO_ABSTAIN,
                opts("yes", "no", "abstain"),
                1,
                1,
                1,
            ),
            Contest("chair", "Chair", ContestKind.ONE_OF_N, opts("ana", "ben", "cho"), 1, 0, 1),
            Contest("board", "Board", ContestKind.APPROVAL, opts("d", "e", "f", "g"), 1, 1, 2),
            Contest("budget", "Budget", ContestKind.SCORE, opts("parks", "roads"), 3, 0, 4),
        ),
    )


@dataclass
class Setup:
    election: Election
    trustees: list[Trustee]
    qualified: tuple[int, ...]
    credentials: list[CredentialKeyPair]


def make_setup(n: int = 3, t: int = 2, voters: int = 3, manifest: Manifest | None = None) -> Setup:
    manifest = manifest or make_manifest()
    secrets_ = [hash_to_scalar("test", "comm", i) for i in range(1, n + 1)]
    params = Parameters(
        t, tuple(TrusteeInfo(i, f"T{i}", base_mul(d)) for i, d in enumerate(secrets_, start=1))
    )
    h_p = params.digest(manifest.digest())
    trustees = [
        Trustee(params, h_p, i, d, seed=bytes([i]) * 32) for i, d in enumerate(secrets_, start=1)
    ]
    _, outcome = run_ceremony(trustees)
    creds = [
        CredentialKeyPair.from_secret(hash_to_scalar("test", "cred", v)) for v in range(voters)
    ]
    h_c = credentials_digest([c.public for c in creds], len(creds))
    election = Election(manifest, params, outcome.joint_key, outcome.verification_keys, h_c)
    return Setup(election, trustees, outcome.qualified, creds)


@pytest.fixture(scope="session")
def setup() -> Setup:
    return make_setup()


SELECTIONS = {"motion": [1, 0, 0], "chair": [0, 0, 1], "board": [1, 0, 0, 1], "budget": [3, 1]}


@pytest.fixture(autouse=True)
def _fast_password_hashing() -> None:
    """The project-wide fixture of that name needs Django; this library does not."""
