"""Voting keys, per-election credentials and the credential list (spec §5.5)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from secret_ballot import schnorr
from secret_ballot.credentials import (
    CredentialEntry,
    CredentialKind,
    VotingKeyPair,
    credential_tweak,
    credentials_digest,
    election_credential,
    generate_server_credential,
)
from secret_ballot.errors import DecodingError, ProtocolError
from secret_ballot.group import G, Point, Scalar, base_mul
from secret_ballot.hash import hash_digest, hash_to_scalar
from secret_ballot.jsonfields import canonical_json
from secret_ballot.simulate import simulate
from secret_ballot.verify import verify_record

ids = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,20}", fullmatch=True)


@settings(max_examples=20, deadline=None)
@given(st.integers(1, 2**200), ids)
def test_server_derives_the_credential_the_device_signs_with(v: int, election_id: str) -> None:
    member = VotingKeyPair.from_secret(Scalar(v))
    pair = member.credential(election_id)
    # The server knows only V.
    assert election_credential(member.public, election_id) == pair.public
    assert pair.public == member.public + base_mul(credential_tweak(member.public, election_id))
    ctx = (hash_digest("test", "election"), hash_digest("test", "ballot"))
    sig = schnorr.sign(schnorr.TAG_BALLOT_SIGNATURE, ctx, pair.secret, pair.public)
    assert schnorr.verify(schnorr.TAG_BALLOT_SIGNATURE, ctx, pair.public, sig)


def test_credentials_differ_per_election_and_per_member() -> None:
    a = VotingKeyPair.from_secret(hash_to_scalar("test", "a"))
    b = VotingKeyPair.from_secret(hash_to_scalar("test", "b"))
    assert a.credential("e1").public != a.credential("e2").public
    assert a.credential("e1").public != b.credential("e1").public
    # Another member's voting key cannot sign for a's credential.
    ctx = (hash_digest("test", "election"),)
    forged = schnorr.sign(
        schnorr.TAG_BALLOT_SIGNATURE, ctx, b.credential("e1").secret, a.credential("e1").public
    )
    assert not schnorr.verify(schnorr.TAG_BALLOT_SIGNATURE, ctx, a.credential("e1").public, forged)


def test_bad_inputs_are_refused() -> None:
    with pytest.raises(ProtocolError):
        credential_tweak(Point.identity(), "e1")
    with pytest.raises(ProtocolError):
        credential_tweak(G, "not an id")
    with pytest.raises(ProtocolError):
        VotingKeyPair.from_secret(Scalar(0))
    with pytest.raises(DecodingError, match="committee"):
        CredentialEntry(G, CredentialKind.DEVICE, "bad committee")
    with pytest.raises(DecodingError, match="identity"):
        CredentialEntry(Point.identity(), CredentialKind.SERVER, "c1")
    good = CredentialEntry(G, CredentialKind.SERVER, "c1").to_json()
    assert CredentialEntry.from_json(good) == CredentialEntry(G, CredentialKind.SERVER, "c1")
    with pytest.raises(DecodingError, match="kind"):
        CredentialEntry.from_json(dict(good, kind="proxy"), "[0]")
    with pytest.raises(DecodingError, match="wrong keys"):
        CredentialEntry.from_json(dict(good, extra=1))


def test_credentials_hash_binds_kind_and_committee() -> None:
    p = generate_server_credential().public
    base = [CredentialEntry(p, CredentialKind.SERVER, "c1")]
    h = credentials_digest(base, 1)
    assert credentials_digest([CredentialEntry(p, CredentialKind.DEVICE, "c1")], 1) != h
    assert credentials_digest([CredentialEntry(p, CredentialKind.SERVER, "c2")], 1) != h


def test_relabelling_an_assisted_credential_as_device_is_detected(tmp_path: Path) -> None:
    out = tmp_path / "rec"
    simulate(voters=30, options=2, trustees=2, threshold=1, out=out, seed=b"kinds")
    entries = json.loads((out / "credentials.json").read_bytes())
    server = [k for k, e in enumerate(entries) if e["kind"] == "server"]
    assert server, "the simulation should hold server-held credentials"
    report = verify_record(out)
    assert report.ok, report.render()
    assert "server-held" in report.render()
    bad = tmp_path / "bad"
    shutil.copytree(out, bad)
    entries[server[0]]["kind"] = "device"
    (bad / "credentials.json").write_bytes(canonical_json(entries))
    report = verify_record(bad)
    assert report.exit_code == 1
    assert any(f.field == "credentials_hash" for f in report.failures), report.render()
    entries[server[0]]["kind"] = "robot"
    (bad / "credentials.json").write_bytes(canonical_json(entries))
    report = verify_record(bad)
    assert any(f.field == f"[{server[0]}].kind" for f in report.failures), report.render()
