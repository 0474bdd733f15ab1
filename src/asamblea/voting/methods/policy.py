"""Two-option decisions (yes / no / abstain) under a decision policy.

A :class:`Policy` states the majority as ``numerator/denominator`` of a base
and whether it must be exceeded (``strict``) or only reached, and the quorum
as a share of the entitled electorate. :func:`evaluate_policy` returns the
outcome with every number used, so the arithmetic can be shown and checked:

* base ``cast`` = yes + no + abstain; ``valid`` = yes + no;
  ``entitled`` = the electorate; ``present`` = members present.
* majority met when ``yes x denominator > numerator x base`` (strict) or
  ``>=`` (not strict), and at least one vote is yes.
* quorum met when ``participants x quorum_denominator >= quorum_numerator x
  entitled``, where participants are those present if given, else the votes
  cast.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from asamblea.voting.methods.errors import InvalidProfileError
from asamblea.voting.methods.result import Result


class Base(StrEnum):
    CAST = "cast"
    VALID = "valid"
    ENTITLED = "entitled"
    PRESENT = "present"


class Outcome(StrEnum):
    CARRIED = "carried"
    REJECTED = "rejected"
    NO_QUORUM = "no_quorum"


@dataclass(frozen=True, slots=True)
class Policy:
    """Majority ``majority_numerator/majority_denominator`` of ``base``; quorum share of entitled.

    The default is a simple majority of valid votes (yes > half of yes + no)
    and no quorum.
    """

    majority_numerator: int = 1
    majority_denominator: int = 2
    base: Base = Base.VALID
    strict: bool = True
    quorum_numerator: int = 0
    quorum_denominator: int = 1

    def __post_init__(self) -> None:
        if self.majority_denominator <= 0 or self.quorum_denominator <= 0:
            raise InvalidProfileError("a denominator must be positive", where="policy")
        if not 0 <= self.majority_numerator <= self.majority_denominator:
            raise InvalidProfileError("majority must be a fraction in [0, 1]", where="policy")
        if not 0 <= self.quorum_numerator <= self.quorum_denominator:
            raise InvalidProfileError("quorum must be a fraction in [0, 1]", where="policy")


@dataclass(frozen=True, slots=True)
class PolicyResult:
    """The outcome and the arithmetic behind it."""

    outcome: Outcome
    yes: int
    no: int
    abstain: int
    entitled: int
    present: int | None
    participants: int
    quorum_required: str
    quorum_met: bool
    base: Base
    base_votes: int
    majority: str
    strict: bool
    majority_met: bool
    # yes x denominator compared with numerator x base:
    yes_scaled: int
    threshold_scaled: int


def evaluate_policy(
    policy: Policy,
    *,
    yes: int,
    no: int,
    abstain: int = 0,
    entitled: int,
    present: int | None = None,
) -> PolicyResult:
    """Decide a yes/no/abstain count under ``policy``."""
    for field, value in (("yes", yes), ("no", no), ("abstain", abstain), ("entitled", entitled)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise InvalidProfileError("must be a non-negative integer", where=field)
    cast = yes + no + abstain
    if present is not None and (not isinstance(present, int) or present < cast):
        raise InvalidProfileError("present cannot be below the votes cast", where="present")
    if entitled < (present if present is not None else cast):
        raise InvalidProfileError("more participants than entitled voters", where="entitled")
    if policy.base is Base.PRESENT and present is None:
        raise InvalidProfileError("the policy counts from those present", where="present")
    base_votes = {
        Base.CAST: cast,
        Base.VALID: yes + no,
        Base.ENTITLED: entitled,
        Base.PRESENT: present or 0,
    }[policy.base]
    participants = present if present is not None else cast
    quorum_met = participants * policy.quorum_denominator >= policy.quorum_numerator * entitled
    yes_scaled = yes * policy.majority_denominator
    threshold = policy.majority_numerator * base_votes
    majority_met = yes > 0 and (
        yes_scaled > threshold if policy.strict else yes_scaled >= threshold
    )
    if not quorum_met:
        outcome = Outcome.NO_QUORUM
    elif majority_met:
        outcome = Outcome.CARRIED
    else:
        outcome = Outcome.REJECTED
    return PolicyResult(
        outcome=outcome,
        yes=yes,
        no=no,
        abstain=abstain,
        entitled=entitled,
        present=present,
        participants=participants,
        quorum_required=f"{policy.quorum_numerator}/{policy.quorum_denominator}",
        quorum_met=quorum_met,
        base=policy.base,
        base_votes=base_votes,
        majority=f"{policy.majority_numerator}/{policy.majority_denominator}",
        strict=policy.strict,
        majority_met=majority_met,
        yes_scaled=yes_scaled,
        threshold_scaled=threshold,
    )


@dataclass(frozen=True, kw_only=True)
class PolicyCountResult(Result):
    """A policy decision as a count result: ``winners`` is ``("carried",)`` or empty."""

    decision: PolicyResult


def policy_count(
    policy: Policy,
    *,
    yes: int,
    no: int,
    abstain: int = 0,
    entitled: int,
    present: int | None = None,
    seed: str = "",
) -> PolicyCountResult:
    decision = evaluate_policy(
        policy, yes=yes, no=no, abstain=abstain, entitled=entitled, present=present
    )
    return PolicyCountResult(
        method="policy",
        winners=("carried",) if decision.outcome is Outcome.CARRIED else (),
        seed=seed,
        lots=(),
        decision=decision,
    )
