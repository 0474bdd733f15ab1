from __future__ import annotations

import pytest

from asamblea.core.errors import InvalidInput
from asamblea.voting import rules
from asamblea.voting.methods.policy import Base


@pytest.mark.parametrize(
    ("positions", "mask"), [((), 0), ((0,), 1), ((1,), 2), ((0, 2), 5), ((62,), 1 << 62)]
)
def test_mask_round_trip(positions, mask):
    assert rules.encode_mask(positions) == mask
    assert rules.decode_mask(mask) == positions


def test_negative_mask_is_rejected():
    with pytest.raises(ValueError, match="negative"):
        rules.decode_mask(-1)


def test_yes_no_abstain_needs_exactly_one_option():
    assert rules.validate_choice(
        method="yes_no_abstain", positions=[2], option_count=3, max_choices=1
    ) == (2,)
    for bad in ([], [0, 1]):
        with pytest.raises(InvalidInput, match="exactly one"):
            rules.validate_choice(
                method="yes_no_abstain", positions=bad, option_count=3, max_choices=1
            )


def test_single_choice_rejects_unknown_option():
    with pytest.raises(InvalidInput, match="does not exist"):
        rules.validate_choice(method="single", positions=[3], option_count=3, max_choices=1)
    with pytest.raises(InvalidInput, match="does not exist"):
        rules.validate_choice(method="single", positions=[-1], option_count=3, max_choices=1)


def test_approval_allows_up_to_k_distinct_and_the_empty_ballot():
    assert rules.validate_choice(
        method="approval", positions=[3, 1], option_count=4, max_choices=2
    ) == (1, 3)
    assert (
        rules.validate_choice(method="approval", positions=[], option_count=4, max_choices=2) == ()
    )
    with pytest.raises(InvalidInput, match="at most 2"):
        rules.validate_choice(method="approval", positions=[0, 1, 2], option_count=4, max_choices=2)
    with pytest.raises(InvalidInput, match="twice"):
        rules.validate_choice(method="approval", positions=[1, 1], option_count=4, max_choices=2)


def test_unknown_method_is_rejected():
    with pytest.raises(InvalidInput, match="Unknown"):
        rules.validate_choice(method="borda", positions=[0], option_count=3, max_choices=1)


@pytest.mark.parametrize(("num", "den"), [(1, 0), (3, 2), (-1, 2)])
def test_fractions_outside_zero_one_are_rejected(num, den):
    with pytest.raises(InvalidInput):
        rules.validate_fraction(numerator=num, denominator=den, field="majority")


def test_make_policy_maps_poll_fields():
    policy = rules.make_policy(
        majority_num=2,
        majority_den=3,
        majority_base="cast",
        majority_strict=False,
        quorum_num=1,
        quorum_den=4,
    )
    assert policy.base is Base.CAST
    assert (policy.majority_numerator, policy.majority_denominator) == (2, 3)
    assert not policy.strict


def test_quorum_is_exact_integer_arithmetic():
    # 1 of 3 is exactly one third: met for a 1/3 quorum, not for 34/100.
    assert rules.quorum_met(participants=1, entitled=3, quorum_num=1, quorum_den=3)
    assert not rules.quorum_met(participants=1, entitled=3, quorum_num=34, quorum_den=100)


def test_parse_options_drops_blank_lines():
    assert rules.parse_options(" Lunes \n\n Martes\n  \n") == ["Lunes", "Martes"]
