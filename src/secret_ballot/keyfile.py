"""Passphrase-protected key files, format ``asamblea-key-file/1`` (spec §11).

A key file is a JSON object::

    {"format": "asamblea-key-file/1", "kind": "trustee" | "voting",
     "public": {...},
     "kdf": {"name": "pbkdf2-sha256", "iterations": 600000, "salt": 32 hex},
     "cipher": "aes-256-gcm", "nonce": 24 hex, "ciphertext": hex}

The key is PBKDF2-HMAC-SHA256 of the passphrase (UTF-8 of its NFC form)
with the salt, 32 bytes; the ciphertext is AES-256-GCM of JCS(secret) with
associated data JCS(public), so the public part cannot be swapped or edited
without the file failing to open. The same parameters work with WebCrypto
(PBKDF2 + AES-GCM), so a browser reads and writes the same files.

Kinds:

- ``voting``: public ``{"voting_key": V}``, secret ``{"voting_secret": v}``.
- ``trustee``: public ``{"ceremony_id", "ceremony_hash": h_K or null, "index",
  "communication_key": D_i}``; secret ``{"communication_secret": d_i}`` before
  the ceremony, then the :class:`~secret_ballot.trustee.Trustee` secret object.
"""

from __future__ import annotations

import os
import unicodedata
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

from secret_ballot import jsonfields as jf
from secret_ballot.credentials import VotingKeyPair
from secret_ballot.election import ID_PATTERN
from secret_ballot.errors import DecodingError, SecretBallotError
from secret_ballot.group import Point, Scalar, base_mul
from secret_ballot.hash import Digest
from secret_ballot.record import parse_json

FORMAT = "asamblea-key-file/1"
KDF_NAME = "pbkdf2-sha256"
CIPHER = "aes-256-gcm"
#: Iterations written by default (OWASP's 2023 figure for PBKDF2-HMAC-SHA256).
ITERATIONS = 600_000
#: Fewest iterations accepted on reading: below this a stolen file falls too fast.
MIN_ITERATIONS = 100_000
#: Most iterations accepted on reading: a hostile file must not hang the reader.
MAX_ITERATIONS = 10_000_000
SALT_SIZE = 16
NONCE_SIZE = 12
_MAX_CIPHERTEXT = 1024 * 1024
KINDS = ("trustee", "voting")
_KEYS = ("format", "kind", "public", "kdf", "cipher", "nonce", "ciphertext")


class KeyFileError(SecretBallotError):
    """The key file is malformed, or uses parameters this reader refuses."""


class WrongPassphrase(KeyFileError):
    """The passphrase is wrong, or the file was altered (AES-GCM cannot tell which)."""


@dataclass(frozen=True, slots=True)
class KeyFile:
    """A decoded key file, still sealed."""

    kind: str
    public: dict[str, jf.JSON]
    iterations: int
    salt: bytes
    nonce: bytes
    ciphertext: bytes

    def to_json(self) -> jf.JSON:
        return {
            "format": FORMAT,
            "kind": self.kind,
            "public": self.public,
            "kdf": {"name": KDF_NAME, "iterations": self.iterations, "salt": self.salt.hex()},
            "cipher": CIPHER,
            "nonce": self.nonce.hex(),
            "ciphertext": self.ciphertext.hex(),
        }

    @classmethod
    def from_json(cls, value: jf.JSON) -> KeyFile:
        """Decode and check the structure (not the passphrase). Raises :class:`KeyFileError`."""
        try:
            o = jf.obj(value, "", _KEYS)
            if o["format"] != FORMAT:
                raise DecodingError(f"must be {FORMAT!r}", "format")
            if o["cipher"] != CIPHER:
                raise DecodingError(f"must be {CIPHER!r}", "cipher")
            kind = jf.text(o["kind"], "kind")
            if kind not in KINDS:
                raise DecodingError("'trustee' or 'voting'", "kind")
            public = jf.obj(o["public"], "public", _PUBLIC_KEYS[kind])
            _check_public(kind, public)
            kdf = jf.obj(o["kdf"], "kdf", ("name", "iterations", "salt"))
            if kdf["name"] != KDF_NAME:
                raise DecodingError(f"must be {KDF_NAME!r}", "kdf.name")
            iterations = jf.integer(kdf["iterations"], "kdf.iterations")
            if iterations < MIN_ITERATIONS:
                raise DecodingError(
                    f"at least {MIN_ITERATIONS} iterations; re-save the key with a newer version",
                    "kdf.iterations",
                )
            if iterations > MAX_ITERATIONS:
                raise DecodingError(f"at most {MAX_ITERATIONS} iterations", "kdf.iterations")
            salt = _hex(kdf["salt"], "kdf.salt", SALT_SIZE, SALT_SIZE)
            nonce = _hex(o["nonce"], "nonce", NONCE_SIZE, NONCE_SIZE)
            ciphertext = _hex(o["ciphertext"], "ciphertext", 17, _MAX_CIPHERTEXT)
        except DecodingError as exc:
            raise KeyFileError(f"not a valid key file: {exc}") from None
        return cls(kind, public, iterations, salt, nonce, ciphertext)


_PUBLIC_KEYS = {
    "voting": ("voting_key",),
    "trustee": ("ceremony_id", "ceremony_hash", "index", "communication_key"),
}


def _check_public(kind: str, public: dict[str, jf.JSON]) -> None:
    if kind == "voting":
        jf.point(public["voting_key"], "public.voting_key")
        return
    ceremony_id = jf.text(public["ceremony_id"], "public.ceremony_id")
    if not ID_PATTERN.fullmatch(ceremony_id):
        raise DecodingError("an identifier", "public.ceremony_id")
    if public["ceremony_hash"] is not None:
        jf.digest(public["ceremony_hash"], "public.ceremony_hash")
    jf.integer(public["index"], "public.index", 1, 255)
    jf.point(public["communication_key"], "public.communication_key")


def _hex(value: jf.JSON, field: str, lo: int, hi: int) -> bytes:
    s = jf.text(value, field)
    if not 2 * lo <= len(s) <= 2 * hi or len(s) % 2 or s != s.lower():
        raise DecodingError(f"{lo} to {hi} bytes as lowercase hexadecimal", field)
    try:
        return bytes.fromhex(s)
    except ValueError:
        raise DecodingError("lowercase hexadecimal", field) from None


def _derive_key(passphrase: str, salt: bytes, iterations: int) -> bytes:
    kdf = PBKDF2HMAC(algorithm=hashes.SHA256(), length=32, salt=salt, iterations=iterations)
    return kdf.derive(unicodedata.normalize("NFC", passphrase).encode("utf-8"))


def seal(
    kind: str,
    public: dict[str, jf.JSON],
    secret: jf.JSON,
    passphrase: str,
    *,
    iterations: int = ITERATIONS,
) -> jf.JSON:
    """A key file holding ``secret`` under ``passphrase`` (spec §11).

    Misuse: a short passphrase is guessed offline by whoever gets the file;
    the iteration count only slows each guess.
    """
    if not passphrase:
        raise KeyFileError("the passphrase must not be empty")
    if kind not in KINDS:
        raise KeyFileError("the kind is 'trustee' or 'voting'")
    salt = os.urandom(SALT_SIZE)
    nonce = os.urandom(NONCE_SIZE)
    key = _derive_key(passphrase, salt, iterations)
    body = AESGCM(key).encrypt(nonce, jf.canonical_json(secret), jf.canonical_json(public))
    sealed = KeyFile(kind, public, iterations, salt, nonce, body)
    # Refuse to write what this reader would refuse to read.
    return KeyFile.from_json(sealed.to_json()).to_json()


def unseal(value: jf.JSON, passphrase: str) -> tuple[KeyFile, jf.JSON]:
    """Open a key file: (the file, its secret object). Raises :class:`WrongPassphrase`."""
    kf = KeyFile.from_json(value)
    key = _derive_key(passphrase, kf.salt, kf.iterations)
    try:
        plain = AESGCM(key).decrypt(kf.nonce, kf.ciphertext, jf.canonical_json(kf.public))
    except InvalidTag:
        raise WrongPassphrase("the passphrase is wrong, or the key file was altered") from None
    try:
        secret = parse_json(plain, "secret")
    except SecretBallotError:
        raise KeyFileError("the secret part is not JSON") from None
    return kf, secret


# --- voting keys ------------------------------------------------------------------


def voting_key_file(
    pair: VotingKeyPair, passphrase: str, *, iterations: int = ITERATIONS
) -> jf.JSON:
    """The voting key file a member keeps to restore v on a new device (spec §5.5)."""
    return seal(
        "voting",
        {"voting_key": pair.public.hex()},
        {"voting_secret": pair.secret.hex()},
        passphrase,
        iterations=iterations,
    )


def open_voting_key_file(value: jf.JSON, passphrase: str) -> VotingKeyPair:
    kf, secret = unseal(value, passphrase)
    if kf.kind != "voting":
        raise KeyFileError("this is not a voting key file")
    try:
        o = jf.obj(secret, "secret", ("voting_secret",))
        v = jf.scalar(o["voting_secret"], "secret.voting_secret")
        pair = VotingKeyPair.from_secret(v)
    except (DecodingError, SecretBallotError) as exc:
        raise KeyFileError(f"the secret part is malformed: {exc}") from None
    if pair.public.hex() != kf.public["voting_key"]:
        raise KeyFileError("the secret does not match the public voting key")
    return pair


# --- trustee keys -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TrusteeKey:
    """The contents of an opened trustee key file."""

    ceremony_id: str
    ceremony_hash: Digest | None
    """h_K, once the parameters are fixed."""
    index: int
    communication_key: Point
    """D_i."""
    secret: dict[str, jf.JSON]
    """``{"communication_secret": d_i}`` or a Trustee secret object."""

    @property
    def communication_secret(self) -> Scalar:
        return jf.scalar(self.secret["communication_secret"], "secret.communication_secret")


def trustee_key_file(key: TrusteeKey, passphrase: str, *, iterations: int = ITERATIONS) -> jf.JSON:
    """Seal a trustee's key; called again after each round with the new secret object."""
    public: dict[str, jf.JSON] = {
        "ceremony_id": key.ceremony_id,
        "ceremony_hash": None if key.ceremony_hash is None else key.ceremony_hash.hex(),
        "index": key.index,
        "communication_key": key.communication_key.hex(),
    }
    if base_mul(key.communication_secret) != key.communication_key:
        raise KeyFileError("the communication secret does not match D_i")
    return seal("trustee", public, key.secret, passphrase, iterations=iterations)


def open_trustee_key_file(value: jf.JSON, passphrase: str) -> TrusteeKey:
    kf, secret = unseal(value, passphrase)
    if kf.kind != "trustee":
        raise KeyFileError("this is not a trustee key file")
    p = kf.public
    if not isinstance(secret, dict) or "communication_secret" not in secret:
        raise KeyFileError("the secret part has no communication secret")
    try:
        key = TrusteeKey(
            jf.text(p["ceremony_id"], "public.ceremony_id"),
            None if p["ceremony_hash"] is None else jf.digest(p["ceremony_hash"], "ceremony_hash"),
            jf.integer(p["index"], "public.index", 1, 255),
            jf.point(p["communication_key"], "public.communication_key"),
            secret,
        )
        d = key.communication_secret
    except DecodingError as exc:
        raise KeyFileError(f"the key file is malformed: {exc}") from None
    if base_mul(d) != key.communication_key:
        raise KeyFileError("the communication secret does not match D_i")
    return key
