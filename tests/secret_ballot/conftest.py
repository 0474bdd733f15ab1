"""Shared fixtures: a tiny election with every contest kind, keys from a real ceremony."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from secret_ballot.ballot import CredentialKeyPair
from secret_ballot.credentials import CredentialEntry, CredentialKind, credentials_digest
from secret_ballot.dkg import Outcome
from secret_ballot.election import Election, Parameters, TrusteeInfo
from secret_ballot.group import Scalar, base_mul
from secret_ballot.hash import hash_to_scalar
from secret_ballot.manifest import Contest, ContestKind, Manifest, Option
from secret_ballot.trustee import Trustee, run_ceremony


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
    outcome: Outcome
    credentials: list[CredentialKeyPair]


def communication_secret(index: int) -> Scalar:
    """d_i of test trustee ``index`` in :func:`make_parameters`."""
    return hash_to_scalar("test", "comm", index)


def make_parameters(n: int = 3, t: int = 2, ceremony_id: str = "board-test") -> Parameters:
    secrets_ = [communication_secret(i) for i in range(1, n + 1)]
    return Parameters(
        ceremony_id,
        t,
        tuple(TrusteeInfo(i, f"T{i}", base_mul(d)) for i, d in enumerate(secrets_, start=1)),
    )


def make_trustees(params: Parameters) -> list[Trustee]:
    return [
        Trustee.create(params, i, communication_secret(i), seed=bytes([i]) * 32)
        for i in range(1, params.trustee_count + 1)
    ]


BOARD_KEY = base_mul(hash_to_scalar("test", "board"))


def make_setup(n: int = 3, t: int = 2, voters: int = 3, manifest: Manifest | None = None) -> Setup:
    manifest = manifest or make_manifest()
    trustees = make_trustees(make_parameters(n, t))
    _, outcome = run_ceremony(trustees)
    assert outcome.joint_key is not None
    creds = [
        CredentialKeyPair.from_secret(hash_to_scalar("test", "cred", v)) for v in range(voters)
    ]
    entries = [CredentialEntry(c.public, CredentialKind.DEVICE, "committee-1") for c in creds]
    h_c = credentials_digest(entries, len(entries))
    election = Election(
        manifest,
        trustees[0].parameters,
        outcome.joint_key,
        outcome.verification_keys,
        h_c,
        BOARD_KEY,
    )
    return Setup(election, trustees, outcome, creds)


@pytest.fixture(scope="session")
def setup() -> Setup:
    return make_setup()


SELECTIONS = {"motion": [1, 0, 0], "chair": [0, 0, 1], "board": [1, 0, 0, 1], "budget": [3, 1]}


@pytest.fixture(autouse=True)
def _fast_password_hashing() -> None:
    """The project-wide fixture of that name needs Django; this library does not."""
