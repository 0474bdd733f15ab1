"""Key files (spec §11): opened only with the passphrase, and only as written."""

from __future__ import annotations

import copy

import pytest

from secret_ballot import keyfile
from secret_ballot.credentials import VotingKeyPair
from secret_ballot.hash import hash_to_scalar
from secret_ballot.keyfile import (
    KeyFileError,
    TrusteeKey,
    WrongPassphrase,
    open_trustee_key_file,
    open_voting_key_file,
    trustee_key_file,
    voting_key_file,
)
from secret_ballot.trustee import Trustee

from .conftest import make_parameters

FAST = keyfile.MIN_ITERATIONS
PASS = "correct horse battery staple"


@pytest.fixture(scope="module")
def voting() -> tuple[VotingKeyPair, dict]:
    pair = VotingKeyPair.from_secret(hash_to_scalar("test", "voting"))
    return pair, voting_key_file(pair, PASS, iterations=FAST)


def test_default_file_has_the_documented_shape() -> None:
    pair = VotingKeyPair.generate()
    data = voting_key_file(pair, PASS)
    assert list(data) == [
        "format",
        "kind",
        "public",
        "kdf",
        "cipher",
        "nonce",
        "ciphertext",
    ]
    assert data["format"] == "asamblea-key-file/1"
    assert data["kdf"]["name"] == "pbkdf2-sha256"
    assert data["kdf"]["iterations"] == 600_000
    assert len(data["kdf"]["salt"]) == 32
    assert data["cipher"] == "aes-256-gcm"
    assert len(data["nonce"]) == 24
    assert data["public"] == {"voting_key": pair.public.hex()}
    assert pair.secret.hex() not in str(data)
    assert open_voting_key_file(data, PASS) == pair


def test_wrong_passphrase_is_a_clear_error(voting: tuple[VotingKeyPair, dict]) -> None:
    _, data = voting
    with pytest.raises(WrongPassphrase, match="passphrase is wrong"):
        open_voting_key_file(data, "Correct horse battery staple")


def test_passphrase_is_compared_in_nfc() -> None:
    pair = VotingKeyPair.generate()
    data = voting_key_file(pair, "caf\u00e9", iterations=FAST)
    assert open_voting_key_file(data, "cafe\u0301") == pair


@pytest.mark.parametrize(
    "edit",
    [
        lambda d: d["public"].update(voting_key=VotingKeyPair.generate().public.hex()),
        lambda d: d.update(
            ciphertext=d["ciphertext"][:-2] + ("00" if d["ciphertext"][-2:] != "00" else "01")
        ),
        lambda d: d.update(nonce="00" * 12),
        lambda d: d["kdf"].update(iterations=FAST + 1),
        lambda d: d["kdf"].update(salt="11" * 16),
    ],
    ids=["public", "ciphertext", "nonce", "iterations", "salt"],
)
def test_tampering_is_detected(voting: tuple[VotingKeyPair, dict], edit) -> None:
    _, data = voting
    bad = copy.deepcopy(data)
    edit(bad)
    with pytest.raises(WrongPassphrase):
        open_voting_key_file(bad, PASS)


@pytest.mark.parametrize(
    ("edit", "needle"),
    [
        (lambda d: d["kdf"].update(iterations=99_999), "at least 100000"),
        (lambda d: d["kdf"].update(iterations=10**9), "at most"),
        (lambda d: d["kdf"].update(name="scrypt"), "pbkdf2-sha256"),
        (lambda d: d["kdf"].update(salt="11" * 8), "kdf.salt"),
        (lambda d: d.update(cipher="chacha20-poly1305"), "aes-256-gcm"),
        (lambda d: d.update(format="asamblea-key-file/2"), "asamblea-key-file/1"),
        (lambda d: d.update(kind="trustee"), "public"),
        (lambda d: d.update(extra=1), "unexpected extra"),
        (lambda d: d.update(nonce="AB" * 12), "nonce"),
    ],
)
def test_refused_parameters(voting: tuple[VotingKeyPair, dict], edit, needle: str) -> None:
    _, data = voting
    bad = copy.deepcopy(data)
    edit(bad)
    with pytest.raises(KeyFileError, match=needle) as info:
        open_voting_key_file(bad, PASS)
    assert not isinstance(info.value, WrongPassphrase)


def test_sealing_refuses_what_reading_refuses() -> None:
    with pytest.raises(KeyFileError, match="at least"):
        voting_key_file(VotingKeyPair.generate(), PASS, iterations=1000)
    with pytest.raises(KeyFileError, match="empty"):
        voting_key_file(VotingKeyPair.generate(), "")


def test_trustee_key_file_carries_the_ceremony_state() -> None:
    params = make_parameters(3, 2)
    d = hash_to_scalar("test", "comm", 2)
    # At registration: only d_i, the ceremony hash not known yet.
    registered = TrusteeKey(
        "board-test",
        None,
        2,
        params.trustees[1].communication_key,
        {"communication_secret": d.hex()},
    )
    first = trustee_key_file(registered, PASS, iterations=FAST)
    assert first["public"]["ceremony_hash"] is None
    opened = open_trustee_key_file(first, PASS)
    assert opened.communication_secret == d
    # During the ceremony: the trustee's secret object.
    trustee = Trustee.create(params, 2, opened.communication_secret)
    announcement = trustee.announce()
    during = trustee_key_file(
        TrusteeKey(
            "board-test", params.digest(), 2, trustee.communication_key, trustee.to_secret_json()
        ),
        PASS,
        iterations=FAST,
    )
    key = open_trustee_key_file(during, PASS)
    assert key.ceremony_hash == params.digest()
    back = Trustee.from_secret_json(params, key.index, key.secret)
    assert back.announce() == announcement
    # A voting key file is not a trustee key file, even with the right passphrase.
    with pytest.raises(KeyFileError, match="not a trustee key file"):
        open_trustee_key_file(
            voting_key_file(VotingKeyPair.generate(), PASS, iterations=FAST), PASS
        )
    # Moving the file to another index breaks it.
    moved = copy.deepcopy(during)
    moved["public"]["index"] = 3
    with pytest.raises(WrongPassphrase):
        open_trustee_key_file(moved, PASS)
    with pytest.raises(KeyFileError, match="does not match"):
        trustee_key_file(
            TrusteeKey(
                "board-test",
                None,
                1,
                params.trustees[0].communication_key,
                {"communication_secret": d.hex()},
            ),
            PASS,
            iterations=FAST,
        )
