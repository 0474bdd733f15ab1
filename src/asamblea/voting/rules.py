"""Pure voting rules: ballot masks, valid choices and policies. No ORM.

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
from typing import Any

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
METHOD_BLOCK_APPROVAL = "block-approval"
METHOD_CONSENT = "consent"
METHOD_SCORE = "score"
METHOD_MAJORITY_JUDGMENT = "majority-judgment"

RANKED_METHODS = frozenset(
    {"borda", "irv", "copeland", "schulze", "ranked-pairs", "scottish-stv", "meek-stv"}
)
# Pairwise and positional counts read equal ranks naturally; IRV and STV
# transfer a ballot to one next preference, so they need a strict order.
EQUAL_RANKS_ALLOWED = frozenset({"borda", "copeland", "schulze", "ranked-pairs"})
MULTI_WINNER_METHODS = frozenset({METHOD_BLOCK_APPROVAL, "scottish-stv", "meek-stv"})
MASK_METHODS = frozenset(
    {METHOD_YES_NO_ABSTAIN, METHOD_SINGLE, METHOD_APPROVAL, METHOD_BLOCK_APPROVAL, METHOD_CONSENT}
)
# Committees can cast a block only where a committee's result is one option.
# Methods whose ballots the secret-ballot engine encrypts and sums (its
# contest kinds); ranked ballots would need a mix-net.
ENCRYPTABLE_METHODS = frozenset(
    {METHOD_YES_NO_ABSTAIN, METHOD_SINGLE, METHOD_APPROVAL, METHOD_SCORE}
)
BLOCK_AGGREGATION_METHODS = frozenset({METHOD_YES_NO_ABSTAIN, METHOD_SINGLE, METHOD_APPROVAL})
# The counting library's name for each poll method (the rest are the same).
REGISTRY_NAMES = {METHOD_YES_NO_ABSTAIN: "policy", METHOD_SINGLE: "plurality"}
METHOD_ALIASES = {"policy": METHOD_YES_NO_ABSTAIN, "plurality": METHOD_SINGLE}

CONSENT_CODES = ("consent", "stand_aside", "block")
# Majority judgment grades, worst first (grade 0 is also what an ungraded option gets).
GRADES = ("reject", "poor", "fair", "good", "very_good", "excellent")
MAX_SCORE_LIMIT = 100

KIND_MASK = "mask"
KIND_RANKING = "ranking"
KIND_SCORES = "scores"
KIND_GRADES = "grades"


def registry_name(method: str) -> str:
    """The counting library's name of a poll method."""
    return REGISTRY_NAMES.get(method, method)


def ballot_kind(method: str) -> str:
    """``mask``, ``ranking``, ``scores`` or ``grades``: the shape of a ballot."""
    if method in RANKED_METHODS:
        return KIND_RANKING
    if method == METHOD_SCORE:
        return KIND_SCORES
    if method == METHOD_MAJORITY_JUDGMENT:
        return KIND_GRADES
    return KIND_MASK


def _position(key: object, option_count: int) -> int:
    """An option position given as an int or a decimal string."""
    if isinstance(key, bool):
        raise InvalidInput(_("This option does not exist in this poll."), field="ballot")
    if isinstance(key, str) and key.isdecimal() and len(key) <= 3:
        key = int(key)
    if not isinstance(key, int) or not 0 <= key < option_count:
        raise InvalidInput(_("This option does not exist in this poll."), field="ballot")
    return key


def validate_ranking(ranking: object, *, option_count: int, allow_equal: bool) -> list[list[int]]:
    """Check a ranking (a list of ranks, each a list of option positions, best
    first) and return it with each rank sorted. Options left out are unranked.
    """
    if not isinstance(ranking, list | tuple) or len(ranking) > option_count:
        raise InvalidInput(_("A ranking is a list of ranks, best first."), field="ballot")
    seen: set[int] = set()
    levels: list[list[int]] = []
    for level in ranking:
        items = level if isinstance(level, list | tuple) else [level]
        if not items:
            raise InvalidInput(_("A rank lists no option."), field="ballot")
        if len(items) > 1 and not allow_equal:
            raise InvalidInput(
                _("This method does not accept equal ranks: give each option its own number."),
                field="ballot",
            )
        positions = [_position(item, option_count) for item in items]
        for position in positions:
            if position in seen:
                raise InvalidInput(_("The same option was ranked twice."), field="ballot")
            seen.add(position)
        levels.append(sorted(positions))
    if not levels:
        raise InvalidInput(_("Rank at least one option."), field="ballot")
    return levels


def ranking_from_numbers(numbers: Mapping[int, int]) -> list[list[int]]:
    """Turn "option -> number written next to it" (1 = first choice) into ranks.

    Equal numbers make equal ranks; gaps (1, 3) only keep the order. Options
    without a number are left out (unranked).
    """
    by_number: dict[int, list[int]] = {}
    for position, number in numbers.items():
        by_number.setdefault(number, []).append(position)
    return [sorted(by_number[n]) for n in sorted(by_number)]


def validate_scores(scores: object, *, option_count: int, max_score: int) -> dict[str, int]:
    """Check ``{position: score}``; an option left out scores 0."""
    if not isinstance(scores, Mapping) or len(scores) > option_count:
        raise InvalidInput(_("Scores are given per option."), field="ballot")
    out: dict[int, int] = {}
    for key, value in scores.items():
        position = _position(key, option_count)
        if position in out:
            raise InvalidInput(_("The same option was scored twice."), field="ballot")
        if not isinstance(value, int) or isinstance(value, bool):
            raise InvalidInput(_("A score is a whole number."), field="ballot")
        if not 0 <= value <= max_score:
            raise InvalidInput(
                _("A score lies between 0 and %(max)d.") % {"max": max_score}, field="ballot"
            )
        out[position] = value
    return {str(p): out[p] for p in sorted(out)}


def validate_grades(grades: object, *, option_count: int) -> dict[str, str]:
    """Check ``{position: grade}``; every option must be graded."""
    if not isinstance(grades, Mapping) or len(grades) > option_count:
        raise InvalidInput(_("Grades are given per option."), field="ballot")
    out: dict[int, str] = {}
    for key, value in grades.items():
        position = _position(key, option_count)
        if position in out:
            raise InvalidInput(_("The same option was graded twice."), field="ballot")
        if value not in GRADES:
            raise InvalidInput(_("This grade does not exist."), field="ballot")
        out[position] = value
    if len(out) != option_count:
        raise InvalidInput(_("Grade every option."), field="ballot")
    return {str(p): out[p] for p in sorted(out)}


def validate_ballot(
    *, method: str, ballot: Mapping[str, Any], option_count: int, max_score: int
) -> dict[str, Any]:
    """Check a ranked, score or grade ballot for ``method``; return what to store.

    ``ballot`` has exactly one key: ``ranking``, ``scores`` or ``grades``,
    the one the method's kind calls for. Raises ``InvalidInput``.
    """
    kind = ballot_kind(method)
    if kind == KIND_MASK:
        raise InvalidInput(_("This poll takes a choice of options."), field="ballot")
    if set(ballot) != {kind}:
        message = {
            KIND_RANKING: _("This poll takes a ranking of the options."),
            KIND_SCORES: _("This poll takes a score per option."),
            KIND_GRADES: _("This poll takes a grade per option."),
        }[kind]
        raise InvalidInput(message, field="ballot")
    value = ballot[kind]
    if kind == KIND_RANKING:
        return {
            kind: validate_ranking(
                value, option_count=option_count, allow_equal=method in EQUAL_RANKS_ALLOWED
            )
        }
    if kind == KIND_SCORES:
        return {kind: validate_scores(value, option_count=option_count, max_score=max_score)}
    return {kind: validate_grades(value, option_count=option_count)}


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
    if method in (METHOD_YES_NO_ABSTAIN, METHOD_SINGLE, METHOD_CONSENT):
        if len(chosen) != 1:
            raise InvalidInput(_("Choose exactly one option."), field="choice")
    elif method in (METHOD_APPROVAL, METHOD_BLOCK_APPROVAL):
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


def parse_options(text: str) -> list[str]:
    """One option per line; blank lines are ignored, surrounding spaces removed."""
    return [line.strip() for line in text.splitlines() if line.strip()]
