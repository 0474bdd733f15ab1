"""Shared fixtures: a tiny election with every contest kind, keys from a real ceremony."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from secret_ballot import schnorr
from secret_ballot.ballot import CredentialKeyPair
from secret_ballot.committees import CommitteeTree, Level, Node
from secret_ballot.credentials import CredentialEntry, CredentialKind, credentials_digest
from secret_ballot.dkg import (
    UNSIGNED,
    Announcement,
    Outcome,
    Reveal,
    commitment_hash,
    encrypt_share,
)
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


def make_tree(minimum_group: int = 5) -> CommitteeTree:
    """An assembly with one zone of two committees and a committee of its own."""
    return CommitteeTree(
        (
            Node("assembly", "Assembly", None, Level.ASSEMBLY),
            Node("zone-1", "Zone 1", "assembly", Level.ZONE),
            Node("committee-1", "Committee 1", "zone-1", Level.COMMITTEE),
            Node("committee-2", "Committee 2", "zone-1", Level.COMMITTEE),
            Node("committee-3", "Committee 3", "assembly", Level.COMMITTEE),
        ),
        minimum_group,
    )


@dataclass
class Setup:
    election: Election
    trustees: list[Trustee]
    outcome: Outcome
    credentials: list[CredentialKeyPair]
    tree: CommitteeTree


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


def server_made_dealer(params: Parameters, dealer: int, key: Scalar) -> tuple[Announcement, Reveal]:
    """A dealer's announcement and reveal made up by the server with its own
    polynomial, proofs valid for this ceremony, shares encrypted under its own
    key, and signed with ``key``: everything but the dealer's d_i."""
    h_k = params.digest()
    coefficients = [hash_to_scalar("server", dealer, k) for k in range(params.threshold)]
    commitments = tuple(base_mul(a) for a in coefficients)
    proofs = tuple(
        schnorr.prove(schnorr.TAG_COEFFICIENT, (h_k, dealer, k), a, big_a)
        for k, (a, big_a) in enumerate(zip(coefficients, commitments, strict=True))
    )
    shares = tuple(
        encrypt_share(
            h_k,
            dealer,
            info.index,
            info.communication_key * key,
            bytes(12),
            sum((a * Scalar.reduce(info.index**k) for k, a in enumerate(coefficients)), Scalar(0)),
        )
        for info in params.trustees
        if info.index != dealer
    )
    ann = Announcement(dealer, commitment_hash(h_k, dealer, commitments), UNSIGNED)
    reveal = Reveal(dealer, commitments, proofs, shares, UNSIGNED)
    return ann.signed_by(h_k, key), reveal.signed_by(h_k, key)


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
    tree = make_tree()
    election = Election(
        manifest,
        trustees[0].parameters,
        outcome.joint_key,
        outcome.verification_keys,
        h_c,
        BOARD_KEY,
        tree.digest(),
    )
    return Setup(election, trustees, outcome, creds, tree)


@pytest.fixture(scope="session")
def setup() -> Setup:
    return make_setup()


SELECTIONS = {"motion": [1, 0, 0], "chair": [0, 0, 1], "board": [1, 0, 0, 1], "budget": [3, 1]}


@pytest.fixture(autouse=True)
def _fast_password_hashing() -> None:
    """The project-wide fixture of that name needs Django; this library does not."""
