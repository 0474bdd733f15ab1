"""Voting keys, per-election credentials and the credential list (spec §5.5).

A member's long-lived voting key pair (v, V = v·G) is generated on the
member's device; only V reaches the server. For each election the credential
is derived from V without any secret:

    δ = H_credential-tweak(V, election_id),   P = V + δ·G,   x = v + δ

so the server computes P at opening and the device computes x when it votes.
δ is public, so P is linkable to V by whoever knows V (the server does); it
hides nothing about the vote, which is encrypted under the trustees' key.

A member without a voting key gets a *server-held* credential: a random
secret the server keeps (encrypted) and signs with. The server can then cast
for that member, so every ballot signed by a server credential is an
assisted ballot and is marked as such on the credential list (kind
``server``).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

from secret_ballot import jsonfields as jf
from secret_ballot.ballot import CredentialKeyPair
from secret_ballot.election import ID_PATTERN
from secret_ballot.errors import DecodingError, ProtocolError
from secret_ballot.group import Point, Scalar, base_mul
from secret_ballot.hash import Digest, StreamingDigest, hash_to_scalar

#: Tag of the per-election tweak δ of a voting key (spec §5.5).
TAG_CREDENTIAL_TWEAK = "credential-tweak"
#: Tag of the credential list hash h_C (spec §3.3).
TAG_CREDENTIALS = "credentials"


class CredentialKind(enum.StrEnum):
    """Who holds a credential's secret (spec §5.5)."""

    DEVICE = "device"
    """Derived from the member's voting key: only the member's device can sign."""
    SERVER = "server"
    """Kept by the server: the server signs (and encrypts) every ballot it casts."""


@dataclass(frozen=True, slots=True)
class VotingKeyPair:
    """A member's long-lived voting key (spec §5.5): secret v, public V = v·G.

    Misuse: v never leaves the member's device except inside a voting key
    file encrypted with the member's passphrase (spec §11).
    """

    secret: Scalar
    """v in the spec."""
    public: Point
    """V in the spec: registered with the server."""

    @classmethod
    def generate(cls) -> VotingKeyPair:
        v = Scalar.random()
        return cls(v, base_mul(v))

    @classmethod
    def from_secret(cls, secret: Scalar) -> VotingKeyPair:
        if secret.is_zero():
            raise ProtocolError("a voting key secret must not be zero")
        return cls(secret, base_mul(secret))

    def credential(self, election_id: str) -> CredentialKeyPair:
        """The key pair (x = v + δ, P = V + δ·G) for one election (spec §5.5)."""
        x = self.secret + credential_tweak(self.public, election_id)
        if x.is_zero():
            raise ProtocolError("the credential secret is zero; register another voting key")
        return CredentialKeyPair(x, base_mul(x))


def credential_tweak(voting_key: Point, election_id: str) -> Scalar:
    """δ = H_credential-tweak(V, election_id) (spec §5.5)."""
    if voting_key.is_identity():
        raise ProtocolError("a voting key must not be the identity")
    if not ID_PATTERN.fullmatch(election_id):
        raise ProtocolError("the election id is not an identifier")
    return hash_to_scalar(TAG_CREDENTIAL_TWEAK, voting_key, election_id)


def election_credential(voting_key: Point, election_id: str) -> Point:
    """P = V + δ·G: what the server puts on the list for a device credential (spec §5.5)."""
    p = voting_key + base_mul(credential_tweak(voting_key, election_id))
    if p.is_identity():
        raise ProtocolError("the credential is the identity; the voting key must be replaced")
    return p


def generate_server_credential() -> CredentialKeyPair:
    """A fresh server-held credential (spec §5.5).

    Misuse: whoever holds the secret can vote in the member's name. The
    server keeps it encrypted, uses it only to cast the ballot the member
    asks for, and lists the credential with kind ``server``.
    """
    return CredentialKeyPair.generate()


@dataclass(frozen=True, slots=True)
class CredentialEntry:
    """One entry of credentials.json (spec §8.2)."""

    credential: Point
    """P in the spec."""
    kind: CredentialKind
    committee: str
    """The id of the committee the member votes in."""

    def __post_init__(self) -> None:
        if self.credential.is_identity():
            raise DecodingError("the identity", "credential")
        if not ID_PATTERN.fullmatch(self.committee):
            raise DecodingError("an identifier [A-Za-z0-9][A-Za-z0-9_.-]{0,63}", "committee")

    def to_json(self) -> jf.JSON:
        return {
            "credential": self.credential.hex(),
            "kind": self.kind.value,
            "committee": self.committee,
        }

    @classmethod
    def from_json(cls, value: jf.JSON, field: jf.FieldPath = "") -> CredentialEntry:
        o = jf.obj(value, field, ("credential", "kind", "committee"))
        p = jf.point(o["credential"], jf.join(field, "credential"))
        kind_text = jf.text(o["kind"], jf.join(field, "kind"))
        try:
            kind = CredentialKind(kind_text)
        except ValueError:
            raise DecodingError("'device' or 'server'", jf.join(field, "kind")) from None
        committee = jf.text(o["committee"], jf.join(field, "committee"))
        try:
            return cls(p, kind, committee)
        except DecodingError as exc:
            raise exc.at(field) from None


def credentials_digest(entries: Iterable[CredentialEntry], count: int) -> Digest:
    """h_C = D_credentials(N, then per entry: P, kind, committee) (spec §3.3), streamed."""
    h = StreamingDigest(TAG_CREDENTIALS)
    h.update(count)
    seen = 0
    for entry in entries:
        h.update(entry.credential)
        h.update(entry.kind.value)
        h.update(entry.committee)
        seen += 1
    if seen != count:
        raise ValueError("credential count mismatch")
    return h.digest()
