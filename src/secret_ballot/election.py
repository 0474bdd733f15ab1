"""Ceremony parameters and the hashes that bind an election (spec §3.3).

- h_K = D_ceremony(JCS(parameters)): group, generator, ceremony id, n, t and
  the trustees; it is independent of any election, so one standing board of
  trustees serves many elections with one key ceremony.
- h_M = D_manifest(JCS(manifest))
- h_C = D_credentials(N, then per entry P, kind, committee) (see credentials.py)
- h_T = D_committees(JCS(committees)) (see committees.py)
- h_E = D_election(h_M, h_K, h_C, h_T, K, VK_1, ..., VK_n, B): the election hash

h_E enters every ballot-side challenge, so a proof made for one election,
joint key, manifest, trustee set or board key does not verify in another.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from secret_ballot import jsonfields as jf
from secret_ballot.errors import DecodingError
from secret_ballot.group import GROUP_NAME, G, N, Point
from secret_ballot.hash import Digest, hash_digest
from secret_ballot.manifest import Manifest

#: Version string of the election record format (spec §8).
RECORD_VERSION = "asamblea-election-record/2"
#: Tag of the ceremony hash h_K (spec §3.3).
TAG_CEREMONY = "ceremony"
#: Tag of the election hash h_E (spec §3.3).
TAG_ELECTION = "election"
#: Pattern of every identifier: ceremony, election, contest, option, committee (spec §5.2).
ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}")
_MAX_TRUSTEES = 255
_NAME = re.compile(r"[^\x00-\x1f]{1,100}")


@dataclass(frozen=True, slots=True)
class TrusteeInfo:
    """A trustee as listed in the parameters (spec §6.1)."""

    index: int
    """i in the spec: 1..n, the x-coordinate of the trustee's share."""
    name: str
    communication_key: Point
    """D_i in the spec: public key for share encryption and acknowledgements."""


@dataclass(frozen=True, slots=True)
class Parameters:
    """The parameters of a standing key ceremony (spec §6.1, §8.2)."""

    ceremony_id: str
    """Identifier of the ceremony, e.g. ``board-<uuid hex>``."""
    threshold: int
    """t in the spec: how many trustees are needed to decrypt."""
    trustees: tuple[TrusteeInfo, ...]
    """The n trustees, indices 1..n in order."""

    def __post_init__(self) -> None:
        n = len(self.trustees)
        if not ID_PATTERN.fullmatch(self.ceremony_id):
            raise DecodingError("an identifier [A-Za-z0-9][A-Za-z0-9_.-]{0,63}", "ceremony_id")
        if not 1 <= n <= _MAX_TRUSTEES:
            raise DecodingError(f"1 to {_MAX_TRUSTEES} trustees", "trustees")
        if not 1 <= self.threshold <= n:
            raise DecodingError("the threshold t is in [1, n]", "threshold")
        for i, tr in enumerate(self.trustees, start=1):
            if tr.index != i:
                raise DecodingError("trustee indices are 1..n in order", f"trustees[{i - 1}]")
            if not _NAME.fullmatch(tr.name):
                raise DecodingError("1-100 printable characters", f"trustees[{i - 1}].name")
            if tr.communication_key.is_identity():
                raise DecodingError("the identity", f"trustees[{i - 1}].communication_key")
        if len({tr.communication_key for tr in self.trustees}) != n:
            raise DecodingError("communication keys must be distinct", "trustees")

    @property
    def trustee_count(self) -> int:
        """n in the spec."""
        return len(self.trustees)

    def to_json(self) -> jf.JSON:
        return {
            "version": RECORD_VERSION,
            "ceremony_id": self.ceremony_id,
            "group": GROUP_NAME,
            "generator": G.hex(),
            "order": f"{N:064x}",
            "trustee_count": self.trustee_count,
            "threshold": self.threshold,
            "trustees": [
                {"index": t.index, "name": t.name, "communication_key": t.communication_key.hex()}
                for t in self.trustees
            ],
        }

    @classmethod
    def from_json(cls, value: jf.JSON, field: jf.FieldPath = "parameters") -> Parameters:
        keys = (
            "version",
            "ceremony_id",
            "group",
            "generator",
            "order",
            "trustee_count",
            "threshold",
            "trustees",
        )
        o = jf.obj(value, field, keys)
        fixed = {"version": RECORD_VERSION, "group": GROUP_NAME, "generator": G.hex()}
        fixed["order"] = f"{N:064x}"
        for key, expected in fixed.items():
            if o[key] != expected:
                raise DecodingError(f"must be {expected!r}", jf.join(field, key))
        tf = jf.join(field, "trustees")
        trustees = []
        for i, item in enumerate(jf.array(o["trustees"], tf)):
            f = jf.join(tf, i)
            t = jf.obj(item, f, ("index", "name", "communication_key"))
            trustees.append(
                TrusteeInfo(
                    jf.integer(t["index"], jf.join(f, "index")),
                    jf.text(t["name"], jf.join(f, "name")),
                    jf.point(t["communication_key"], jf.join(f, "communication_key")),
                )
            )
        count = jf.integer(o["trustee_count"], jf.join(field, "trustee_count"))
        if count != len(trustees):
            raise DecodingError("does not match the trustee list", jf.join(field, "trustee_count"))
        threshold = jf.integer(o["threshold"], jf.join(field, "threshold"))
        ceremony_id = jf.text(o["ceremony_id"], jf.join(field, "ceremony_id"))
        try:
            return cls(ceremony_id, threshold, tuple(trustees))
        except DecodingError as exc:
            raise exc.at(field) from None

    def digest(self) -> Digest:
        """h_K = D_ceremony(JCS(parameters)) (spec §3.3)."""
        return hash_digest(TAG_CEREMONY, jf.canonical_json(self.to_json()))


def election_digest(
    manifest_hash: Digest,
    ceremony_hash: Digest,
    credentials_hash: Digest,
    committees_hash: Digest,
    joint_key: Point,
    verification_keys: tuple[Point, ...],
    board_key: Point,
) -> Digest:
    """h_E = D_election(h_M, h_K, h_C, h_T, K, VK_1, ..., VK_n, B) (spec §3.3)."""
    return hash_digest(
        TAG_ELECTION,
        manifest_hash,
        ceremony_hash,
        credentials_hash,
        committees_hash,
        joint_key,
        *verification_keys,
        board_key,
    )


@dataclass(frozen=True)
class Election:
    """The public context every ballot is encrypted and verified against."""

    manifest: Manifest
    parameters: Parameters
    joint_key: Point
    """K in the spec."""
    verification_keys: tuple[Point, ...]
    """VK_1..VK_n in the spec: VK_i = x_i·G for trustee i's key share x_i."""
    credentials_hash: Digest
    """h_C in the spec."""
    board_key: Point
    """B in the spec: the public key the board signs receipts with."""
    committees_hash: Digest
    """h_T in the spec: the digest of the committee tree and its minimum group size."""

    @cached_property
    def manifest_hash(self) -> Digest:
        """h_M in the spec."""
        return self.manifest.digest()

    @cached_property
    def ceremony_hash(self) -> Digest:
        """h_K in the spec."""
        return self.parameters.digest()

    @cached_property
    def election_hash(self) -> Digest:
        """h_E in the spec."""
        return election_digest(
            self.manifest_hash,
            self.ceremony_hash,
            self.credentials_hash,
            self.committees_hash,
            self.joint_key,
            self.verification_keys,
            self.board_key,
        )
