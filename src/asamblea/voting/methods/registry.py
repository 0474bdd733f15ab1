"""Method names, the ballots each accepts, and one entry point: :func:`count`."""

from __future__ import annotations

from dataclasses import dataclass

from asamblea.voting.methods.approval import approval, block_approval
from asamblea.voting.methods.borda import borda
from asamblea.voting.methods.condorcet import condorcet, copeland, ranked_pairs, schulze
from asamblea.voting.methods.consent import RESPONSES, consent
from asamblea.voting.methods.errors import (
    InvalidProfileError,
    UnknownMethodError,
    UnsupportedBallotError,
)
from asamblea.voting.methods.irv import irv
from asamblea.voting.methods.majority_judgment import majority_judgment
from asamblea.voting.methods.plurality import plurality
from asamblea.voting.methods.policy import Policy, policy_count
from asamblea.voting.methods.profile import (
    ApprovalProfile,
    ChoiceProfile,
    Profile,
    RankedProfile,
    ScoreProfile,
)
from asamblea.voting.methods.result import Result
from asamblea.voting.methods.score import score
from asamblea.voting.methods.stv_meek import meek_stv
from asamblea.voting.methods.stv_scottish import scottish_stv

POLICY_OPTIONS = ("yes", "no", "abstain")


@dataclass(frozen=True, slots=True)
class MethodSpec:
    """``ballot_kinds``: profile kinds accepted, the first being the natural one."""

    name: str
    ballot_kinds: tuple[str, ...]
    multi_winner: bool


METHODS: dict[str, MethodSpec] = {
    spec.name: spec
    for spec in (
        MethodSpec("plurality", ("choice", "ranked"), False),
        MethodSpec("approval", ("approval",), False),
        MethodSpec("block-approval", ("approval",), True),
        MethodSpec("policy", ("choice",), False),
        MethodSpec("consent", ("choice",), False),
        MethodSpec("score", ("score",), False),
        MethodSpec("majority-judgment", ("score",), False),
        MethodSpec("borda", ("ranked",), False),
        MethodSpec("irv", ("ranked",), False),
        MethodSpec("condorcet", ("ranked",), False),
        MethodSpec("copeland", ("ranked",), False),
        MethodSpec("schulze", ("ranked",), False),
        MethodSpec("ranked-pairs", ("ranked",), False),
        MethodSpec("scottish-stv", ("ranked",), True),
        MethodSpec("meek-stv", ("ranked",), True),
    )
}


def get_method(name: str) -> MethodSpec:
    spec = METHODS.get(name)
    if spec is None:
        raise UnknownMethodError(
            f"unknown method {name!r}; known: {', '.join(sorted(METHODS))}", where="method"
        )
    return spec


def count(
    method: str,
    profile: Profile,
    *,
    seats: int = 1,
    seed: str = "",
    policy: Policy | None = None,
    entitled: int | None = None,
    present: int | None = None,
    max_blocks: int = 0,
) -> Result:
    """Count ``profile`` with the named method.

    ``seats`` matters for multi-winner methods only (single-winner methods
    refuse ``seats != 1``). ``seed`` feeds every draw by lot. ``policy``,
    ``entitled`` and ``present`` are for ``policy`` (choice ballots over
    ``yes``/``no``/``abstain``); ``max_blocks`` for ``consent`` (choice
    ballots over ``consent``/``stand_aside``/``block``).
    """
    spec = get_method(method)
    if profile.kind not in spec.ballot_kinds:
        raise UnsupportedBallotError(
            f"method {method!r} counts {' or '.join(spec.ballot_kinds)} ballots,"
            f" not {profile.kind} ballots",
            where="ballots",
        )
    if not spec.multi_winner and seats != 1:
        raise InvalidProfileError(
            f"method {method!r} elects one winner, not {seats}", where="seats", code="bad_seats"
        )
    if isinstance(profile, ChoiceProfile) and method in ("policy", "consent"):
        tallies = dict(zip(profile.candidates, profile.tallies(), strict=True))
        if method == "consent":
            return consent(tallies, max_blocks=max_blocks, seed=seed)
        unknown = set(tallies) - set(POLICY_OPTIONS)
        if unknown:
            raise UnsupportedBallotError(
                f"policy options are yes, no, abstain; got {sorted(unknown)}", where="candidates"
            )
        if entitled is None:
            raise InvalidProfileError("the entitled electorate is required", where="entitled")
        return policy_count(
            policy or Policy(),
            yes=tallies.get("yes", 0),
            no=tallies.get("no", 0),
            abstain=tallies.get("abstain", 0) + sum(n for c, n in profile.ballots if c is None),
            entitled=entitled,
            present=present,
            seed=seed,
        )
    if profile.total == 0:
        raise InvalidProfileError("no valid ballots to count", where="ballots", code="empty_poll")
    if isinstance(profile, ChoiceProfile | RankedProfile) and method == "plurality":
        return plurality(profile, seed=seed)
    if isinstance(profile, ApprovalProfile):
        if method == "block-approval":
            return block_approval(profile, seats=seats, seed=seed)
        return approval(profile, seed=seed)
    if isinstance(profile, ScoreProfile):
        if method == "score":
            return score(profile, seed=seed)
        return majority_judgment(profile, seed=seed)
    if isinstance(profile, RankedProfile):
        if method == "scottish-stv":
            return scottish_stv(profile, seats=seats, seed=seed)
        if method == "meek-stv":
            return meek_stv(profile, seats=seats, seed=seed)
        single = {
            "borda": borda,
            "irv": irv,
            "condorcet": condorcet,
            "copeland": copeland,
            "schulze": schulze,
            "ranked-pairs": ranked_pairs,
        }[method]
        return single(profile, seed=seed)
    raise UnsupportedBallotError(f"cannot count {profile.kind} ballots", where="ballots")


__all__ = ["METHODS", "RESPONSES", "MethodSpec", "count", "get_method"]
