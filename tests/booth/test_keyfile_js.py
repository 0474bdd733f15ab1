"""Voting key files written in the browser open in Python and the reverse
(spec §11): the booth's WebCrypto code (static/js/keyfile.js) under Node
against ``secret_ballot.keyfile``."""

from __future__ import annotations

import json
import os
import subprocess
import unicodedata
from pathlib import Path

import pytest

from secret_ballot import keyfile
from secret_ballot.credentials import VotingKeyPair
from secret_ballot.group import base_mul
from tests.booth.conftest import ROOT

SCRIPT = Path(__file__).parent / "keyfile.mjs"
#: Decomposed on one side, composed on the other: both must derive the same key (NFC).
PASSPHRASE_NFD = unicodedata.normalize("NFD", "ñawpa pacha, año de lucha")
PASSPHRASE_NFC = unicodedata.normalize("NFC", PASSPHRASE_NFD)
FAST = keyfile.MIN_ITERATIONS


def _run(node: str, *args: str, passphrase: str) -> dict:
    proc = subprocess.run(  # noqa: S603 - fixed argv
        [node, str(SCRIPT), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        env={**os.environ, "KEYFILE_PASSPHRASE": passphrase},
    )
    return json.loads(proc.stdout)


def test_python_opens_a_key_file_written_in_javascript(node):
    out = _run(node, "seal", str(FAST), passphrase=PASSPHRASE_NFD)
    text = out["file"]
    assert text.endswith("\n")
    value = json.loads(text)
    assert set(value) == {"format", "kind", "public", "kdf", "cipher", "nonce", "ciphertext"}
    assert value["format"] == "asamblea-key-file/1"
    assert value["kind"] == "voting"
    pair = keyfile.open_voting_key_file(value, PASSPHRASE_NFC)
    assert pair.secret.hex() == out["voting_secret"]
    assert base_mul(pair.secret) == pair.public
    with pytest.raises(keyfile.WrongPassphrase):
        keyfile.open_voting_key_file(value, PASSPHRASE_NFC + "x")


def test_javascript_writes_600000_iterations_by_default():
    source = (ROOT / "src" / "asamblea" / "static" / "js" / "keyfile.js").read_text()
    assert f"export const ITERATIONS = {keyfile.ITERATIONS};" in source
    assert f"export const MIN_ITERATIONS = {keyfile.MIN_ITERATIONS};" in source
    assert f"export const MAX_ITERATIONS = {keyfile.MAX_ITERATIONS};" in source


def test_javascript_opens_a_key_file_written_in_python(node, tmp_path):
    pair = VotingKeyPair.generate()
    path = tmp_path / "voting.key"
    path.write_text(json.dumps(keyfile.voting_key_file(pair, PASSPHRASE_NFC, iterations=FAST)))
    out = _run(node, "open", str(path), passphrase=PASSPHRASE_NFD)
    assert out == {"voting_key": pair.public.hex(), "voting_secret": pair.secret.hex()}


def test_javascript_refuses_a_wrong_passphrase_and_an_edited_file(node, tmp_path):
    pair = VotingKeyPair.generate()
    value = keyfile.voting_key_file(pair, PASSPHRASE_NFC, iterations=FAST)
    path = tmp_path / "voting.key"
    path.write_text(json.dumps(value))
    assert _run(node, "open", str(path), passphrase="not it")["error"] == "WrongPassphrase"
    # Swap in another public key: the associated data no longer matches.
    other = dict(value, public={"voting_key": VotingKeyPair.generate().public.hex()})
    path.write_text(json.dumps(other))
    assert _run(node, "open", str(path), passphrase=PASSPHRASE_NFC)["error"] == "WrongPassphrase"
    weak = dict(value, kdf=dict(value["kdf"], iterations=FAST - 1))
    path.write_text(json.dumps(weak))
    assert _run(node, "open", str(path), passphrase=PASSPHRASE_NFC)["error"] == "KeyFileError"
    trustee = dict(value, kind="trustee")
    path.write_text(json.dumps(trustee))
    assert _run(node, "open", str(path), passphrase=PASSPHRASE_NFC)["error"] == "KeyFileError"
