"""The prime-order group: secp256k1 through coincurve (spec §2).

Two types cross the public API: :class:`Scalar` (an integer modulo the group
order ``n``) and :class:`Point` (a group element, the identity included).
coincurve's ``PublicKey`` cannot represent the point at infinity, so
:class:`Point` holds ``None`` for it and every operation handles it here.

Decoding is strict: a scalar is exactly 32 big-endian bytes with value in
[0, n); a point is exactly 33 bytes of SEC1 compressed encoding of a point on
the curve, or the single byte 0x00 for the identity when the caller allows it.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable

from coincurve import PublicKey

from secret_ballot.errors import DecodingError

#: The order n of secp256k1 (spec §2).
N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
#: The field prime p of secp256k1 (spec §2).
P = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFC2F
#: Name of the group as written in the election parameters (spec §2).
GROUP_NAME = "secp256k1"

SCALAR_SIZE = 32
POINT_SIZE = 33
IDENTITY_ENCODING = b"\x00"
_SCALAR_HEX = re.compile(r"[0-9a-f]{64}")
_POINT_HEX = re.compile(r"[0-9a-f]{66}|00")


class Scalar:
    """An integer modulo n (spec §2), encoded as 32 big-endian bytes.

    The constructor rejects values outside [0, n); use :meth:`reduce` to map an
    arbitrary integer into the field on purpose.
    """

    __slots__ = ("_v",)

    _v: int

    def __init__(self, value: int) -> None:
        if not 0 <= value < N:
            raise DecodingError("scalar outside [0, n)")
        self._v = value

    @classmethod
    def reduce(cls, value: int) -> Scalar:
        """Return ``value mod n``."""
        obj = object.__new__(cls)
        obj._v = value % N
        return obj

    @classmethod
    def random(cls) -> Scalar:
        """Return a uniformly random non-zero scalar from the OS CSPRNG."""
        obj = object.__new__(cls)
        obj._v = secrets.randbelow(N - 1) + 1
        return obj

    @classmethod
    def from_bytes(cls, data: bytes) -> Scalar:
        """Decode exactly 32 big-endian bytes; reject values >= n."""
        if len(data) != SCALAR_SIZE:
            raise DecodingError(f"a scalar is {SCALAR_SIZE} bytes, got {len(data)}")
        return cls(int.from_bytes(data, "big"))

    @classmethod
    def from_hex(cls, text: str) -> Scalar:
        """Decode 64 lowercase hexadecimal digits (spec §8.1)."""
        if not isinstance(text, str) or not _SCALAR_HEX.fullmatch(text):
            raise DecodingError("a scalar is 64 lowercase hexadecimal digits")
        return cls(int(text, 16))

    @property
    def value(self) -> int:
        """The integer in [0, n)."""
        return self._v

    def to_bytes(self) -> bytes:
        """Encode as 32 big-endian bytes."""
        return self._v.to_bytes(SCALAR_SIZE, "big")

    def hex(self) -> str:
        """Encode as 64 lowercase hexadecimal digits."""
        return f"{self._v:064x}"

    def is_zero(self) -> bool:
        return self._v == 0

    def inverse(self) -> Scalar:
        """The multiplicative inverse; raises ``ZeroDivisionError`` for zero."""
        if self._v == 0:
            raise ZeroDivisionError("zero has no inverse modulo n")
        return Scalar.reduce(pow(self._v, -1, N))

    def __add__(self, other: Scalar) -> Scalar:
        return Scalar.reduce(self._v + other._v)

    def __sub__(self, other: Scalar) -> Scalar:
        return Scalar.reduce(self._v - other._v)

    def __mul__(self, other: Scalar) -> Scalar:
        return Scalar.reduce(self._v * other._v)

    def __neg__(self) -> Scalar:
        return Scalar.reduce(-self._v)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Scalar) and self._v == other._v

    def __hash__(self) -> int:
        return hash(("Scalar", self._v))

    def __repr__(self) -> str:
        # Scalars are often secrets: keep them out of logs and tracebacks.
        return "Scalar(<hidden>)"


class Point:
    """An element of secp256k1 (spec §2), the identity included.

    ``_key`` is coincurve's ``PublicKey`` or ``None`` for the identity;
    ``_enc`` caches the 33-byte encoding, since hashing needs it and
    re-serialising costs as much as a point addition.
    """

    __slots__ = ("_enc", "_key")

    _key: PublicKey | None
    _enc: bytes | None

    def __init__(self, key: PublicKey | None, encoding: bytes | None = None) -> None:
        self._key = key
        self._enc = encoding

    @classmethod
    def identity(cls) -> Point:
        return IDENTITY

    @classmethod
    def decode(cls, data: bytes, *, allow_identity: bool = False) -> Point:
        """Decode a SEC1 compressed point, or 0x00 for the identity if allowed.

        Uncompressed and hybrid encodings are rejected so that every point has
        exactly one encoding (spec §2).
        """
        if len(data) == POINT_SIZE and data[0] in (2, 3):
            try:
                return cls(PublicKey(data), data)
            except ValueError:
                raise DecodingError("not the encoding of a point on secp256k1") from None
        if data == IDENTITY_ENCODING:
            if allow_identity:
                return IDENTITY
            raise DecodingError("the identity is not allowed here")
        raise DecodingError("a point is 33 bytes of SEC1 compressed encoding")

    @classmethod
    def from_hex(cls, text: str, *, allow_identity: bool = False) -> Point:
        """Decode the hexadecimal form: 66 lowercase digits, or ``00`` for the identity."""
        if not isinstance(text, str) or not _POINT_HEX.fullmatch(text):
            raise DecodingError("a point is 66 lowercase hexadecimal digits (or 00)")
        return cls.decode(bytes.fromhex(text), allow_identity=allow_identity)

    @property
    def key(self) -> PublicKey | None:
        """coincurve's object, or ``None`` for the identity (for the hot paths)."""
        return self._key

    def is_identity(self) -> bool:
        return self._key is None

    def encode(self) -> bytes:
        """33 bytes SEC1 compressed, or the single byte 0x00 for the identity."""
        enc = self._enc
        if enc is None:
            key = self._key
            enc = IDENTITY_ENCODING if key is None else key.format()
            self._enc = enc
        return enc

    def hex(self) -> str:
        return self.encode().hex()

    def __add__(self, other: Point) -> Point:
        a = self._key
        b = other._key
        if a is None:
            return other
        if b is None:
            return self
        try:
            return Point(PublicKey.combine_keys([a, b]))
        except ValueError:
            # libsecp256k1 refuses to represent P + (-P).
            return IDENTITY

    def __neg__(self) -> Point:
        if self._key is None:
            return IDENTITY
        enc = self.encode()
        flipped = bytes([enc[0] ^ 1]) + enc[1:]
        return Point(PublicKey(flipped), flipped)

    def __sub__(self, other: Point) -> Point:
        return self + (-other)

    def __mul__(self, k: Scalar) -> Point:
        key = self._key
        if key is None or k._v == 0:
            return IDENTITY
        return Point(key.multiply(k._v.to_bytes(SCALAR_SIZE, "big")))

    __rmul__ = __mul__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Point) and self.encode() == other.encode()

    def __hash__(self) -> int:
        return hash(self.encode())

    def __repr__(self) -> str:
        return f"Point({self.hex()})"


IDENTITY = Point(None, IDENTITY_ENCODING)
#: The standard generator G of secp256k1 (spec §2).
G = Point(PublicKey.from_secret((1).to_bytes(SCALAR_SIZE, "big")))


def base_mul(k: Scalar) -> Point:
    """``k·G`` through libsecp256k1's fixed-base table (spec §2)."""
    v = k._v
    if v == 0:
        return IDENTITY
    return Point(PublicKey.from_secret(v.to_bytes(SCALAR_SIZE, "big")))


def small_base_mul(m: int) -> Point:
    """``m·G`` for a non-negative or negative integer m (plaintexts, counts)."""
    return base_mul(Scalar.reduce(m))


def sum_points(points: Iterable[Point]) -> Point:
    """The sum of any number of points, identities allowed."""
    return _sum_keys([p._key for p in points if p._key is not None])


def _sum_keys(keys: list[PublicKey]) -> Point:
    """The sum of coincurve keys in one ``combine_keys`` call."""
    if not keys:
        return IDENTITY
    if len(keys) == 1:
        return Point(keys[0])
    try:
        return Point(PublicKey.combine_keys(keys))
    except ValueError:
        # libsecp256k1 refuses to represent the identity.
        return IDENTITY


def sum_hex(texts: Iterable[str], *, allow_identity: bool = False) -> Point:
    """The sum of points in hexadecimal form, each decoded as strictly as by
    :meth:`Point.from_hex`, added in one ``combine_keys`` call.

    Summing a committee's ciphertexts this way costs one decoding per point
    and no intermediate sums to encode or decode.
    """
    keys = []
    for text in texts:
        key = Point.from_hex(text, allow_identity=allow_identity)._key
        if key is not None:
            keys.append(key)
    return _sum_keys(keys)


class PointAccumulator:
    """A running sum of many points, added in batches.

    One ``combine_keys`` call over a batch costs far less per point than
    pairwise additions, which matters when summing millions of ciphertexts.
    """

    __slots__ = ("_keys",)

    _BATCH = 1024

    def __init__(self) -> None:
        self._keys: list[PublicKey] = []

    def add(self, p: Point) -> None:
        key = p._key
        if key is not None:
            keys = self._keys
            keys.append(key)
            if len(keys) >= self._BATCH:
                self._collapse()

    def _collapse(self) -> None:
        total = sum_points([Point(k) for k in self._keys])
        self._keys = [] if total._key is None else [total._key]

    def value(self) -> Point:
        self._collapse()
        return Point(self._keys[0]) if self._keys else IDENTITY
