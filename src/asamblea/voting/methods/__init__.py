"""Counting rules as a pure library: ballots in, explained results out.

Entry point: :func:`count` with a method name from :data:`METHODS` and a
profile (:class:`RankedProfile`, :class:`ApprovalProfile`,
:class:`ScoreProfile` or :class:`ChoiceProfile`). Each method is also
importable from its own module. Nothing here imports Django or the rest of
asamblea.
"""

from asamblea.voting.methods.blt import parse_blt, write_blt
from asamblea.voting.methods.errors import CountingError
from asamblea.voting.methods.jsonio import parse_json, write_json
from asamblea.voting.methods.policy import Base, Outcome, Policy, evaluate_policy
from asamblea.voting.methods.profile import (
    ApprovalProfile,
    ChoiceProfile,
    Profile,
    RankedProfile,
    ScoreProfile,
)
from asamblea.voting.methods.registry import METHODS, MethodSpec, count, get_method
from asamblea.voting.methods.result import Result

__all__ = [
    "METHODS",
    "ApprovalProfile",
    "Base",
    "ChoiceProfile",
    "CountingError",
    "MethodSpec",
    "Outcome",
    "Policy",
    "Profile",
    "RankedProfile",
    "Result",
    "ScoreProfile",
    "count",
    "evaluate_policy",
    "get_method",
    "parse_blt",
    "parse_json",
    "write_blt",
    "write_json",
]
