"""Pure voting rules: ballot masks, valid choices, policies and winners. No ORM.

A ballot for yes/no/abstain, single-choice and approval polls is a bit mask over
option positions (bit ``p`` set = option at position ``p`` chosen), so that a
whole poll is counted with one ``GROUP BY committee, mask`` query.

An empty approval ballot (no option approved) is allowed: it records that the
voter took part and approves of none of the options. It counts towards turnout
and quorum and adds nothing to any option. Yes/no/abstain and single-choice
ballots must name exactly one option (abstaining is the explicit third option).

The majority arithmetic is the counting library's
(:func:`asamblea.voting.methods.policy.evaluate_policy`); this module only
checks a policy's fractions and builds it from a poll's fields.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from asamblea.core.errors import InvalidInput
from asamblea.voting.methods.policy import Base, Policy

# Ballot.mask is a signed 64-bit integer; bit 63 is the sign bit.
MAX_OPTIONS = 63
YES, NO, ABSTAIN = 0, 1, 2
YES_NO_ABSTAIN_CODES = ("yes", "no", "abstain")

METHOD_YES_NO_ABSTAIN = "yes_no_abstain"
METHOD_SINGLE = "single"
METHOD_APPROVAL = "approval"


def encode_mask(positions: Iterable[int]) -> int:
    """The mask with one bit per position. Precondition: positions are valid."""
    mask = 0
    for position in positions:
        mask |= 1 << position
    return mask


def decode_mask(mask: int) -> tuple[int, ...]:
    """The positions set in ``mask``, ascending."""
    if mask < 0:
        raise ValueError("a ballot mask is never negative")
    positions = []
    position = 0
    while mask:
        if mask & 1:
            positions.append(position)
        mask >>= 1
        position += 1
    return tuple(positions)


def validate_choice(
    *, method: str, positions: Sequence[int], option_count: int, max_choices: int
) -> tuple[int, ...]:
    """Check a voter's choice for ``method`` and return its positions, sorted.

    Raises ``InvalidInput`` with a message meant for the voter.
    """
    if any(p < 0 or p >= option_count for p in positions):
        raise InvalidInput(_("This option does not exist in this poll."), field="choice")
    if len(set(positions)) != len(positions):
        raise InvalidInput(_("The same option was chosen twice."), field="choice")
    chosen = tuple(sorted(positions))
    if method in (METHOD_YES_NO_ABSTAIN, METHOD_SINGLE):
        if len(chosen) != 1:
            raise InvalidInput(_("Choose exactly one option."), field="choice")
    elif method == METHOD_APPROVAL:
        if len(chosen) > max_choices:
            raise InvalidInput(
                _("Choose at most %(k)d options.") % {"k": max_choices}, field="choice"
            )
    else:
        raise InvalidInput(_("Unknown voting method."), field="method")
    return chosen


def validate_fraction(*, numerator: int, denominator: int, field: str) -> None:
    """A majority or quorum must be a fraction between 0 and 1."""
    if denominator <= 0:
        raise InvalidInput(_("The denominator must be at least 1."), field=field)
    if numerator < 0 or numerator > denominator:
        raise InvalidInput(_("The fraction must lie between 0 and 1."), field=field)


def make_policy(
    *,
    majority_num: int,
    majority_den: int,
    majority_base: str,
    majority_strict: bool,
    quorum_num: int,
    quorum_den: int,
) -> Policy:
    """The counting library's policy for these poll fields (already validated)."""
    return Policy(
        majority_numerator=majority_num,
        majority_denominator=majority_den,
        base=Base(majority_base),
        strict=majority_strict,
        quorum_numerator=quorum_num,
        quorum_denominator=quorum_den,
    )


def quorum_met(*, participants: int, entitled: int, quorum_num: int, quorum_den: int) -> bool:
    """Quorum as a share of the entitled electorate, in integers (no rounding).

    The same comparison as the counting library's policy, for methods that have
    no yes/no majority (single choice, approval).
    """
    return participants * quorum_den >= quorum_num * entitled


@dataclass(frozen=True)
class Plurality:
    """The options with the highest count; one winner means decided."""

    winners: tuple[int, ...]
    top: int

    @property
    def decided(self) -> bool:
        return len(self.winners) == 1


def plurality(counts: Mapping[int, int], *, option_count: int) -> Plurality:
    """The most chosen option(s). No votes at all is a tie of every option."""
    totals = [counts.get(p, 0) for p in range(option_count)]
    top = max(totals, default=0)
    if top == 0:
        return Plurality(winners=tuple(range(option_count)), top=0)
    return Plurality(winners=tuple(p for p, n in enumerate(totals) if n == top), top=top)


def parse_options(text: str) -> list[str]:
    """One option per line; blank lines are ignored, surrounding spaces removed."""
    return [line.strip() for line in text.splitlines() if line.strip()]
