from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from secret_ballot.errors import DecodingError
from secret_ballot.group import IDENTITY, G, N, P, Point, Scalar, base_mul, sum_hex, sum_points

scalars = st.integers(min_value=0, max_value=N - 1).map(Scalar)


@settings(max_examples=25, deadline=None)
@given(scalars, scalars)
def test_base_mul_is_a_homomorphism(a: Scalar, b: Scalar) -> None:
    assert base_mul(a + b) == base_mul(a) + base_mul(b)
    assert base_mul(a * b) == base_mul(a) * b
    assert base_mul(a) - base_mul(a) == IDENTITY


@settings(max_examples=25, deadline=None)
@given(scalars)
def test_point_encoding_round_trips(a: Scalar) -> None:
    p = base_mul(a)
    assert Point.decode(p.encode(), allow_identity=True) == p
    assert Scalar.from_hex(a.hex()) == a


def test_identity_arithmetic() -> None:
    assert IDENTITY + G == G
    assert G + IDENTITY == G
    assert G + (-G) == IDENTITY
    assert G * Scalar(0) == IDENTITY
    assert IDENTITY * Scalar(5) == IDENTITY
    assert base_mul(Scalar(0)) == IDENTITY
    assert sum_points([G, -G]) == IDENTITY
    assert IDENTITY.encode() == b"\x00"
    assert -IDENTITY == IDENTITY


def test_identity_rejected_unless_allowed() -> None:
    with pytest.raises(DecodingError, match="identity"):
        Point.decode(b"\x00")
    assert Point.decode(b"\x00", allow_identity=True) == IDENTITY
    with pytest.raises(DecodingError):
        Point.from_hex("00")


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\x02" + b"\x00" * 31,  # too short
        b"\x04" + G.encode()[1:] + b"\x00" * 32,  # uncompressed form is refused
        b"\x05" + G.encode()[1:],  # bad prefix
        b"\x02" + P.to_bytes(32, "big"),  # x >= p
        b"\x02" + (5).to_bytes(32, "big"),  # x = 5 is not on the curve
    ],
)
def test_invalid_points_rejected(data: bytes) -> None:
    with pytest.raises(DecodingError):
        Point.decode(data)


@pytest.mark.parametrize("value", [N, N + 1, 2**256 - 1, -1])
def test_out_of_range_scalars_rejected(value: int) -> None:
    with pytest.raises(DecodingError):
        Scalar(value)
    if value >= 0:
        with pytest.raises(DecodingError):
            Scalar.from_bytes(value.to_bytes(32, "big"))
        with pytest.raises(DecodingError):
            Scalar.from_hex(f"{value:064x}")


@pytest.mark.parametrize("text", ["AB" * 32, "0" * 63, "0" * 65, "g" * 64, 5])
def test_malformed_scalar_hex_rejected(text: object) -> None:
    with pytest.raises(DecodingError):
        Scalar.from_hex(text)  # type: ignore[arg-type]


def test_scalar_repr_hides_value() -> None:
    assert "hidden" in repr(Scalar(12345))


def test_sum_hex_decodes_strictly_and_adds_in_one_call() -> None:
    points = [base_mul(Scalar(k)) for k in (3, 5, 7)]
    assert sum_hex(p.hex() for p in points) == base_mul(Scalar(15))
    assert sum_hex([]) == IDENTITY
    assert sum_hex([G.hex(), (-G).hex()]) == IDENTITY
    assert sum_hex(["00", G.hex()], allow_identity=True) == G
    with pytest.raises(DecodingError, match="identity"):
        sum_hex([G.hex(), "00"])
    with pytest.raises(DecodingError):
        sum_hex([G.hex().upper()])
    with pytest.raises(DecodingError):
        sum_hex(["04" + G.hex()[2:]])
