"""Encryption at rest of the register's sensitive fields (docs/incidents-security.md).

Pure functions over the ``cryptography`` package; no Django, no settings, no
database. The keys, in the document's symbols:

``DK``   a committee's register data key (AES-256-GCM, 32 random bytes). Every
         name, contact and private description of the committee's register
         is encrypted under it, each with a fresh 96-bit nonce and an
         associated data string naming the committee, the row and the field,
         so that a ciphertext moved to another row or field fails to open.
``(sk, pk)``  a documenter's X25519 key pair. ``DK`` is stored once per
         documenter, sealed to ``pk`` (ephemeral X25519, HKDF-SHA256,
         AES-256-GCM), so that a documenter who has ``DK`` open can give it to
         a new documenter without learning their passphrase.
``KEK``  scrypt(passphrase, salt): the key that wraps ``sk``. Only the
         documenter knows the passphrase; the server keeps salt, parameters and
         the wrapped ``sk``, never ``KEK``, ``sk`` or ``DK``.
``CK``   a random key held only in the documenter's browser (a cookie): while
         the register is unlocked the server's session holds ``DK`` encrypted
         under ``CK``, so a copy of the session store opens nothing.

Hazard: a nonce must never repeat under one key; every function here draws a
fresh one from ``os.urandom``. Do not add a function that takes a nonce.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

VERSION = b"\x01"
NONCE_SIZE = 12
KEY_SIZE = 32
SALT_SIZE = 16
SEAL_INFO = b"asamblea incidents v1 register key seal"


class DecryptionFailed(Exception):
    """A wrong key or passphrase, or a ciphertext that was changed or moved."""


class DataKey:
    """A 32-byte AES-256 key that does not print itself."""

    __slots__ = ("_raw",)

    def __init__(self, raw: bytes) -> None:
        if len(raw) != KEY_SIZE:
            raise ValueError("a data key is 32 bytes")
        self._raw = raw

    @classmethod
    def generate(cls) -> DataKey:
        return cls(os.urandom(KEY_SIZE))

    @property
    def raw(self) -> bytes:
        return self._raw

    def __repr__(self) -> str:
        return "DataKey(...)"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DataKey) and other._raw == self._raw

    def __hash__(self) -> int:
        return hash(self._raw)


def encrypt(key: DataKey, plaintext: bytes, *, aad: bytes) -> bytes:
    """``VERSION || nonce || AES-256-GCM(key, nonce, plaintext, aad)``."""
    nonce = os.urandom(NONCE_SIZE)
    return VERSION + nonce + AESGCM(key.raw).encrypt(nonce, plaintext, aad)


def decrypt(key: DataKey, blob: bytes, *, aad: bytes) -> bytes:
    if len(blob) < 1 + NONCE_SIZE + 16 or blob[:1] != VERSION:
        raise DecryptionFailed("not a register ciphertext")
    nonce, body = blob[1 : 1 + NONCE_SIZE], blob[1 + NONCE_SIZE :]
    try:
        return AESGCM(key.raw).decrypt(nonce, body, aad)
    except InvalidTag as exc:
        raise DecryptionFailed("wrong key, or the ciphertext was changed") from exc


def encrypt_text(key: DataKey, text: str, *, aad: bytes) -> bytes:
    return encrypt(key, text.encode("utf-8"), aad=aad)


def decrypt_text(key: DataKey, blob: bytes, *, aad: bytes) -> str:
    return decrypt(key, blob, aad=aad).decode("utf-8")


# --- passphrases ---------------------------------------------------------------------


@dataclass(frozen=True)
class KdfParams:
    """scrypt parameters, stored with what they protect so that raising the
    cost later does not lock out earlier documenters."""

    salt: bytes
    n: int
    r: int = 8
    p: int = 1

    @classmethod
    def fresh(cls, *, n: int) -> KdfParams:
        return cls(salt=os.urandom(SALT_SIZE), n=n)


def derive_kek(passphrase: str, params: KdfParams) -> DataKey:
    kdf = Scrypt(salt=params.salt, length=KEY_SIZE, n=params.n, r=params.r, p=params.p)
    return DataKey(kdf.derive(passphrase.encode("utf-8")))


# --- documenter key pairs and sealed data keys ---------------------------------------


@dataclass(frozen=True)
class WrappedKeyPair:
    public_key: bytes
    wrapped_private_key: bytes


def new_key_pair(kek: DataKey, *, aad: bytes) -> tuple[WrappedKeyPair, X25519PrivateKey]:
    """A fresh X25519 pair, its private half encrypted under ``kek``."""
    private = X25519PrivateKey.generate()
    raw_private = private.private_bytes(
        serialization.Encoding.Raw,
        serialization.PrivateFormat.Raw,
        serialization.NoEncryption(),
    )
    public = private.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    return WrappedKeyPair(public, encrypt(kek, raw_private, aad=aad)), private


def open_private_key(kek: DataKey, wrapped: bytes, *, aad: bytes) -> X25519PrivateKey:
    return X25519PrivateKey.from_private_bytes(decrypt(kek, wrapped, aad=aad))


def _seal_key(shared: bytes, ephemeral_public: bytes, recipient_public: bytes) -> DataKey:
    hkdf = HKDF(
        algorithm=hashes.SHA256(),
        length=KEY_SIZE,
        salt=ephemeral_public + recipient_public,
        info=SEAL_INFO,
    )
    return DataKey(hkdf.derive(shared))


def seal_data_key(data_key: DataKey, recipient_public: bytes, *, aad: bytes) -> bytes:
    """``ephemeral_pk || encrypt(HKDF(X25519(e, pk)), DK)``: only the holder of
    the recipient's private key opens it."""
    ephemeral = X25519PrivateKey.generate()
    ephemeral_public = ephemeral.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(recipient_public))
    key = _seal_key(shared, ephemeral_public, recipient_public)
    return ephemeral_public + encrypt(key, data_key.raw, aad=aad)


def open_data_key(private: X25519PrivateKey, sealed: bytes, *, aad: bytes) -> DataKey:
    if len(sealed) <= KEY_SIZE:
        raise DecryptionFailed("not a sealed register key")
    ephemeral_public, blob = sealed[:KEY_SIZE], sealed[KEY_SIZE:]
    recipient_public = private.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    try:
        shared = private.exchange(X25519PublicKey.from_public_bytes(ephemeral_public))
    except ValueError as exc:
        raise DecryptionFailed("not a sealed register key") from exc
    key = _seal_key(shared, ephemeral_public, recipient_public)
    return DataKey(decrypt(key, blob, aad=aad))


# --- the unlocked register in a session ----------------------------------------------


def wrap_for_session(data_key: DataKey, *, aad: bytes) -> tuple[bytes, bytes]:
    """``(CK, encrypt(CK, DK))``: the first goes to the browser only, the
    second to the server's session."""
    cookie_key = DataKey.generate()
    return cookie_key.raw, encrypt(cookie_key, data_key.raw, aad=aad)


def unwrap_from_session(cookie_key: bytes, blob: bytes, *, aad: bytes) -> DataKey:
    if len(cookie_key) != KEY_SIZE:
        raise DecryptionFailed("not a register cookie")
    return DataKey(decrypt(DataKey(cookie_key), blob, aad=aad))


@dataclass(frozen=True)
class RegisterKey:
    """A committee's opened register key, as a request holds it while the
    documenter works. Services check ``committee_id`` against the record, so
    one committee's key is never used on another's rows."""

    committee_id: int
    data_key: DataKey

    def __repr__(self) -> str:
        return f"RegisterKey(committee_id={self.committee_id})"
