"""The code reproduces the committed known-answer vectors byte for byte."""

from __future__ import annotations

import json
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from secret_ballot import schnorr
from secret_ballot.board import verify_receipt
from secret_ballot.dkg import dealer_signature_verifies
from secret_ballot.election import Parameters
from secret_ballot.group import Point, Scalar, base_mul
from secret_ballot.hash import Digest
from secret_ballot.schnorr import SchnorrProof
from secret_ballot.verify import verify_record

from .make_vectors import HERE, write_all


def test_vectors_are_reproduced(tmp_path: Path) -> None:
    write_all(tmp_path)
    expected = sorted(p.relative_to(HERE) for p in HERE.rglob("*") if p.is_file())
    produced = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    assert produced == expected
    for rel in expected:
        assert (tmp_path / rel).read_bytes() == (HERE / rel).read_bytes(), rel


def test_vector_record_verifies() -> None:
    report = verify_record(HERE / "election-record")
    assert report.ok, report.render()


def test_group_vectors_decode() -> None:
    data = json.loads((HERE / "group.json").read_text())
    for case in data["base_multiples"]:
        assert Point.from_hex(case["k_times_g"]).hex() == case["k_times_g"]
        Scalar.from_hex(case["k"])


def test_board_receipt_vector_verifies() -> None:
    data = json.loads((HERE / "proofs.json").read_text())["board_receipt"]
    ctx = data["context"]
    h_e, index, h_b, tracker = (
        Digest(bytes.fromhex(ctx[0]["bytes"])),
        ctx[1]["int"],
        Digest(bytes.fromhex(ctx[2]["bytes"])),
        Digest(bytes.fromhex(ctx[3]["bytes"])),
    )
    signature = SchnorrProof(Scalar.from_hex(data["c"]), Scalar.from_hex(data["v"]))
    public = Point.from_hex(data["public"])
    assert verify_receipt(h_e, public, index, h_b, tracker, signature)
    assert not verify_receipt(h_e, public, index + 1, h_b, tracker, signature)


def test_share_vector_opens_with_plain_aes_gcm() -> None:
    data = json.loads((HERE / "shares.json").read_text())
    plain = AESGCM(bytes.fromhex(data["key"])).decrypt(
        bytes.fromhex(data["nonce"]), bytes.fromhex(data["ciphertext"]), bytes.fromhex(data["aad"])
    )
    assert plain.hex() == data["share"]


def test_dealer_message_vector_verifies() -> None:
    data = json.loads((HERE / "shares.json").read_text())
    case = data["signed_announcement"]
    params = Parameters.from_json(data["parameters"])
    message = dict(case["message"])
    signature = message.pop("signature")
    assert case["body_jcs"] == json.dumps(message, separators=(",", ":"), sort_keys=True)
    proof = SchnorrProof(Scalar.from_hex(signature["c"]), Scalar.from_hex(signature["v"]))
    key = params.trustees[0].communication_key
    assert dealer_signature_verifies(params, params.digest(), "announce", 1, message, proof)
    assert not dealer_signature_verifies(params, params.digest(), "reveal", 1, message, proof)
    assert not schnorr.verify(case["tag"], (params.digest(), 1, "announce", b"\0" * 32), key, proof)


def test_credential_vectors_add_up() -> None:
    data = json.loads((HERE / "credentials.json").read_text())
    v = Point.from_hex(data["voting_key"])
    for case in data["credentials"]:
        tweak = Scalar.from_hex(case["tweak"])
        assert (v + base_mul(tweak)).hex() == case["credential"]
        assert base_mul(Scalar.from_hex(case["credential_secret"])).hex() == case["credential"]
