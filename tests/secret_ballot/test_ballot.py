"""Ballots: every contest kind, selection rules, JSON tampering, replay."""

from __future__ import annotations

import copy
import json
from dataclasses import replace

import pytest

from secret_ballot.ballot import (
    BallotChecker,
    audit_ballot,
    audited_from_json,
    audited_to_json,
    ballot_digest,
    ballot_from_json,
    ballot_to_json,
    check_own_audit,
    encrypt_ballot,
    next_tracker,
    tracker_start,
)
from secret_ballot.election import Election
from secret_ballot.errors import DecodingError, ProtocolError, VerificationError
from secret_ballot.hash import Digest

from .conftest import SELECTIONS, Setup, make_setup

SEED = b"\x07" * 32


@pytest.fixture(scope="module")
def cast(setup: Setup):
    ballot, _ = encrypt_ballot(setup.election, setup.credentials[0], SELECTIONS, SEED)
    return ballot


def test_every_contest_kind_verifies(setup: Setup, cast) -> None:
    checker = BallotChecker(setup.election)
    assert checker.check(cast) == ballot_digest(setup.election.election_hash, cast)
    again = ballot_from_json(json.loads(json.dumps(ballot_to_json(cast))), setup.election.manifest)
    assert checker.check(again) == checker.check(cast)


@pytest.mark.parametrize(
    "selections",
    [
        {**SELECTIONS, "motion": [1, 1, 0]},  # two choices on yes/no/abstain
        {**SELECTIONS, "motion": [0, 0, 0]},
        {**SELECTIONS, "chair": [1, 1, 0]},
        {**SELECTIONS, "board": [1, 1, 1, 0]},  # above max
        {**SELECTIONS, "board": [0, 0, 0, 0]},  # below min
        {**SELECTIONS, "budget": [4, 0]},  # above L
        {**SELECTIONS, "budget": [3, 2]},  # total above max
        {**SELECTIONS, "budget": [-1, 0]},
        {k: v for k, v in SELECTIONS.items() if k != "chair"},
    ],
)
def test_invalid_selection_refused(setup: Setup, selections) -> None:
    with pytest.raises(ProtocolError):
        encrypt_ballot(setup.election, setup.credentials[0], selections)


def test_blank_one_of_n_allowed(setup: Setup) -> None:
    ballot, _ = encrypt_ballot(
        setup.election, setup.credentials[1], {**SELECTIONS, "chair": [0, 0, 0]}
    )
    BallotChecker(setup.election).check(ballot)


def _paths(value, prefix=""):
    """Every leaf of a JSON value with its path in the verifier's notation."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, f"{prefix}.{k}" if prefix else k)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _paths(v, f"{prefix}[{i}]")
    else:
        yield prefix


def _set(value, path, new):
    parts = path.replace("[", ".[").split(".")
    target = value
    for p in parts[:-1]:
        target = target[int(p[1:-1])] if p.startswith("[") else target[p]
    last = parts[-1]
    if last.startswith("["):
        target[int(last[1:-1])] = new
    else:
        target[last] = new


def _tweak(leaf):
    if isinstance(leaf, str) and len(leaf) == 64:
        return f"{(int(leaf, 16) + 1) % (1 << 256):064x}"
    if isinstance(leaf, str) and len(leaf) == 66:
        # Another valid point: flip the sign of y.
        return ("03" if leaf[:2] == "02" else "02") + leaf[2:]
    return leaf + "x"


def test_changing_any_field_fails_naming_it(setup: Setup, cast) -> None:
    checker = BallotChecker(setup.election)
    original = ballot_to_json(cast)
    for path in _paths(original):
        value = copy.deepcopy(original)
        leaf = value
        for p in path.replace("[", ".[").split("."):
            leaf = leaf[int(p[1:-1])] if p.startswith("[") else leaf[p]
        _set(value, path, _tweak(leaf))
        with pytest.raises((DecodingError, VerificationError)) as info:
            checker.check(ballot_from_json(value, setup.election.manifest))
        named = info.value.field
        # The failing field is the one changed, or the proof/signature that covers it.
        assert named, path
        stem = path.split(".proof")[0].split(".alpha")[0].split(".beta")[0]
        assert named.startswith("ballot")
        assert (
            path.split("[")[0] in named
            or "signature" in named
            or stem.replace("ballot.", "") in named
            or named.startswith("ballot.contests")
            or named == "ballot.signature"
        ), (path, named)


def test_wrong_shape_names_field(setup: Setup, cast) -> None:
    value = ballot_to_json(cast)
    value["contests"][1]["options"][0]["alpha"] = "00"
    with pytest.raises(DecodingError) as info:
        ballot_from_json(value, setup.election.manifest)
    assert info.value.field == "ballot.contests[1].options[0].alpha"
    assert "identity" in str(info.value)
    value = ballot_to_json(cast)
    value["contests"][0]["proof"]["c"].append(value["contests"][0]["proof"]["c"][0])
    with pytest.raises(DecodingError) as info:
        ballot_from_json(value, setup.election.manifest)
    assert info.value.field == "ballot.contests[0].proof.c"
    value = ballot_to_json(cast)
    value["extra"] = 1
    with pytest.raises(DecodingError, match="unexpected extra"):
        ballot_from_json(value, setup.election.manifest)


def test_replay_under_other_credential_fails(setup: Setup, cast) -> None:
    value = ballot_to_json(cast)
    value["credential"] = setup.credentials[1].public.hex()
    with pytest.raises(VerificationError):
        BallotChecker(setup.election).check(ballot_from_json(value, setup.election.manifest))


def test_replay_into_other_election_fails(cast) -> None:
    other = make_setup(n=2, t=1)
    with pytest.raises(VerificationError):
        BallotChecker(other.election).check(cast)


def test_replay_into_other_contest_fails(setup: Setup, cast) -> None:
    # Move the chair contest's ciphertexts and proofs into the motion contest.
    value = ballot_to_json(cast)
    for src, dst in zip(
        value["contests"][1]["options"], value["contests"][0]["options"], strict=True
    ):
        for key in ("alpha", "beta", "proof"):
            dst[key] = src[key]
    with pytest.raises(VerificationError) as info:
        BallotChecker(setup.election).check(ballot_from_json(value, setup.election.manifest))
    assert info.value.field in ("ballot.signature", "ballot.contests[0].options[0].proof")


def test_audit_recomputes_the_plaintext(setup: Setup) -> None:
    e: Election = setup.election
    ballot, seed = encrypt_ballot(e, setup.credentials[2], SELECTIONS)
    t0 = tracker_start(e.election_hash)
    audited = audit_ballot(e, ballot, seed, SELECTIONS, t0)
    assert audited.tracker == next_tracker(
        e.election_hash, t0, ballot_digest(e.election_hash, ballot)
    )
    checker = BallotChecker(e)
    checker.check_audit(audited)
    lie = {**audited.selections, "chair": (1, 0, 0)}
    with pytest.raises(VerificationError) as info:
        checker.check_audit(replace(audited, selections=lie))
    assert info.value.field == "audited.contests[1].options[0]"
    with pytest.raises(VerificationError):
        checker.check_audit(replace(audited, nonce_seed=b"\x01" * 32))
    with pytest.raises(VerificationError) as info:
        checker.check_audit(replace(audited, previous_tracker=audited.tracker))
    assert info.value.field == "audited.tracker"


def test_audited_line_carries_nothing_that_links_it_to_the_voter(setup: Setup) -> None:
    e: Election = setup.election
    ballot, seed = encrypt_ballot(e, setup.credentials[2], SELECTIONS)
    line = audit_ballot(e, ballot, seed, SELECTIONS, tracker_start(e.election_hash))
    text = json.dumps(audited_to_json(line, e.manifest))
    assert ballot.credential.hex() not in text
    assert ballot.signature.c.hex() not in text
    assert ballot.contests[0].proof.challenges[0].hex() not in text
    again = audited_from_json(json.loads(text), e.manifest)
    assert again == line


def test_device_catches_a_board_that_lies_about_its_audit(setup: Setup) -> None:
    e: Election = setup.election
    h_e = e.election_hash
    ballot, seed = encrypt_ballot(e, setup.credentials[2], SELECTIONS)
    t0 = tracker_start(h_e)
    shown = next_tracker(h_e, t0, ballot_digest(h_e, ballot))
    honest = audit_ballot(e, ballot, seed, SELECTIONS, t0)
    check_own_audit(e, ballot, seed, SELECTIONS, shown, honest)
    # The board publishes another ballot, consistent on its own, in its place:
    # a verifier cannot tell, the device that made the ballot can.
    other, other_seed = encrypt_ballot(e, setup.credentials[2], {**SELECTIONS, "chair": [1, 0, 0]})
    swapped = audit_ballot(e, other, other_seed, {**SELECTIONS, "chair": [1, 0, 0]}, t0)
    BallotChecker(e).check_audit(swapped)
    with pytest.raises(VerificationError) as info:
        check_own_audit(e, ballot, seed, SELECTIONS, shown, swapped)
    assert info.value.field == "ballot_hash"
    for bad, field in [
        (replace(honest, selections={**honest.selections, "chair": (1, 0, 0)}), "selections"),
        (replace(honest, ciphertexts=swapped.ciphertexts), "contests"),
        (replace(honest, nonce_seed=other_seed), "nonce_seed"),
    ]:
        with pytest.raises(VerificationError) as info:
            check_own_audit(e, ballot, seed, SELECTIONS, shown, bad)
        assert info.value.field == field
    with pytest.raises(VerificationError) as info:
        check_own_audit(e, ballot, seed, SELECTIONS, t0, honest)
    assert info.value.field == "tracker"


def test_trackers_chain() -> None:
    h = Digest(b"e" * 32)
    t0 = tracker_start(h)
    t1 = next_tracker(h, t0, Digest(b"b" * 32))
    assert t1 != next_tracker(h, t0, Digest(b"c" * 32))
    assert t1 != next_tracker(h, t1, Digest(b"b" * 32))
