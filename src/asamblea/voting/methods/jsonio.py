"""The JSON ballot format (see docs/voting-methods.md).

::

    {
      "candidates": ["Ana", "Bea", "Carla"],
      "seats": 1,
      "title": "optional",
      "ballots": [
        {"ranking": ["Ana", ["Bea", "Carla"]], "count": 3},
        {"ranks": {"Ana": 1, "Bea": 2}},
        {"approve": ["Ana", "Carla"]},
        {"scores": {"Ana": 5, "Bea": 0}},
        {"choice": "Bea"}
      ]
    }

All ballots of a file must be of one kind. ``count`` defaults to 1. A
``ranks`` ballot gives dense ranks from 1 (equal numbers are equal ranks; a
gap such as 1, 3 is an error). Score files may set ``min_score`` and
``max_score`` (default 0 and 5) or ``grades``, a list of grade names from
worst to best (then scores may be grade names). A ``policy`` poll has
choices ``yes``/``no``/``abstain`` (candidates may be omitted), an
``entitled`` count, optionally ``present`` and a ``policy`` object
``{"majority": "1/2", "base": "valid", "strict": true, "quorum": "1/3"}``;
a ``consent`` poll has choices ``consent``/``stand_aside``/``block``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import cast

from asamblea.voting.methods.errors import CountingError, InvalidBallotError, ParseError
from asamblea.voting.methods.policy import Base, Policy
from asamblea.voting.methods.profile import (
    ApprovalProfile,
    ChoiceProfile,
    Profile,
    RankedProfile,
    ScoreProfile,
)

KINDS = {
    "ranking": "ranked",
    "ranks": "ranked",
    "approve": "approval",
    "scores": "score",
    "choice": "choice",
}
DEFAULT_OPTIONS = {
    "policy": ("yes", "no", "abstain"),
    "consent": ("consent", "stand_aside", "block"),
}


@dataclass(frozen=True)
class Poll:
    """A parsed JSON poll: the profile plus the settings found in the file."""

    profile: Profile
    seats: int | None
    entitled: int | None = None
    present: int | None = None
    policy: Policy | None = None


def _fraction(value: object, where: str) -> tuple[int, int]:
    if isinstance(value, str) and "/" in value:
        num, _, den = value.partition("/")
        if num.strip().isdigit() and den.strip().isdigit() and int(den) > 0:
            return int(num), int(den)
    raise ParseError('must be a fraction such as "1/2"', where=where)


def _int_field(data: Mapping[str, object], key: str, *, minimum: int) -> int | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise ParseError(f"must be an integer >= {minimum}", where=key)
    return value


def parse_policy(data: object) -> Policy:
    if not isinstance(data, Mapping):
        raise ParseError("must be an object", where="policy")
    known = {"majority", "base", "strict", "quorum"}
    extra = set(data) - known
    if extra:
        raise ParseError(f"unknown keys {sorted(extra)}", where="policy")
    num, den = _fraction(data.get("majority", "1/2"), "policy.majority")
    qnum, qden = _fraction(data.get("quorum", "0/1"), "policy.quorum")
    try:
        base = Base(data.get("base", "valid"))
    except ValueError:
        raise ParseError(
            f"base must be one of {', '.join(b.value for b in Base)}", where="policy.base"
        ) from None
    strict = data.get("strict", True)
    if not isinstance(strict, bool):
        raise ParseError("must be true or false", where="policy.strict")
    try:
        return Policy(num, den, base, strict, qnum, qden)
    except CountingError as exc:
        raise ParseError(exc.message, where="policy") from None


def _ranks_to_ranking(ranks: object, where: str) -> list[str | list[str]]:
    if not isinstance(ranks, Mapping):
        raise InvalidBallotError("ranks must be an object name -> rank", where=where)
    by_rank: dict[int, list[str]] = {}
    for name, rank in ranks.items():
        if not isinstance(rank, int) or isinstance(rank, bool) or rank < 1:
            raise InvalidBallotError(f"rank of {name!r} must be a positive integer", where=where)
        by_rank.setdefault(rank, []).append(name)
    for expected, rank in enumerate(sorted(by_rank), start=1):
        if rank != expected:
            raise InvalidBallotError(f"rank {expected} is skipped", where=where)
    return [by_rank[r][0] if len(by_rank[r]) == 1 else sorted(by_rank[r]) for r in sorted(by_rank)]


def parse_json(text: str, *, method: str | None = None) -> Poll:
    """Parse a JSON poll; ``method`` supplies default options for policy/consent."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ParseError(f"invalid JSON: {exc.msg}", where=f"line {exc.lineno}") from None
    if not isinstance(data, dict):
        raise ParseError("the file must hold a JSON object", where="line 1")
    ballots = data.get("ballots")
    if not isinstance(ballots, list):
        raise ParseError("must be a list of ballots", where="ballots")
    candidates = data.get("candidates", DEFAULT_OPTIONS.get(method or ""))
    if not isinstance(candidates, list | tuple) or not all(isinstance(c, str) for c in candidates):
        raise ParseError("must be a list of candidate names", where="candidates")
    title = data.get("title", "")
    if not isinstance(title, str):
        raise ParseError("must be a string", where="title")
    seats = _int_field(data, "seats", minimum=1)
    kind: str | None = None
    items: list[tuple[object, int]] = []
    for i, ballot in enumerate(ballots):
        where = f"ballots[{i}]"
        if not isinstance(ballot, dict):
            raise ParseError("a ballot must be an object", where=where)
        keys = [k for k in ballot if k in KINDS]
        extra = set(ballot) - set(KINDS) - {"count"}
        if len(keys) != 1 or extra:
            raise ParseError(
                "a ballot needs exactly one of ranking, ranks, approve, scores, choice"
                " (and optionally count)",
                where=where,
            )
        this_kind = KINDS[keys[0]]
        if kind is None:
            kind = this_kind
        elif kind != this_kind:
            raise ParseError(f"a {this_kind} ballot in a poll of {kind} ballots", where=where)
        count = ballot.get("count", 1)
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            raise ParseError("must be a positive integer", where=f"{where}.count")
        value = ballot[keys[0]]
        if keys[0] == "ranks":
            value = _ranks_to_ranking(value, f"{where}.ranks")
        elif keys[0] == "ranking" and (not isinstance(value, list)):
            raise ParseError("must be a list of names", where=f"{where}.ranking")
        elif keys[0] == "approve" and not isinstance(value, list):
            raise ParseError("must be a list of names", where=f"{where}.approve")
        elif keys[0] == "scores" and not isinstance(value, dict):
            raise ParseError("must be an object name -> score", where=f"{where}.scores")
        elif keys[0] == "choice" and value is not None and not isinstance(value, str):
            raise ParseError("must be a name or null", where=f"{where}.choice")
        items.append((value, count))
    if kind is None:
        raise ParseError("the poll has no ballots", where="ballots")
    profile = _build(kind, candidates, items, data, title)
    policy = parse_policy(data["policy"]) if "policy" in data else None
    return Poll(
        profile=profile,
        seats=seats,
        entitled=_int_field(data, "entitled", minimum=0),
        present=_int_field(data, "present", minimum=0),
        policy=policy,
    )


def _build(
    kind: str,
    candidates: Sequence[str],
    items: list[tuple[object, int]],
    data: Mapping[str, object],
    title: str,
) -> Profile:
    try:
        return _build_one(kind, candidates, items, data, title)
    except InvalidBallotError:
        # The profile names a bad ballot by its content (ballots are grouped);
        # find the first offending one to name it by its index in the file.
        for i, item in enumerate(items):
            try:
                _build_one(kind, candidates, [item], data, title)
            except InvalidBallotError as exc:
                raise InvalidBallotError(exc.message, where=f"ballots[{i}]") from None
        raise


def _build_one(
    kind: str,
    candidates: Sequence[str],
    items: list[tuple[object, int]],
    data: Mapping[str, object],
    title: str,
) -> Profile:
    if kind == "ranked":
        return RankedProfile.from_counts(
            candidates, cast(list[tuple[Sequence[str | Sequence[str]], int]], items), title=title
        )
    if kind == "approval":
        return ApprovalProfile.from_counts(
            candidates, cast(list[tuple[Sequence[str], int]], items), title=title
        )
    if kind == "score":
        grades = data.get("grades", [])
        if not isinstance(grades, list) or not all(isinstance(g, str) for g in grades):
            raise ParseError("must be a list of grade names", where="grades")
        lo = _int_field(data, "min_score", minimum=-(10**9))
        hi = _int_field(data, "max_score", minimum=-(10**9))
        return ScoreProfile.from_counts(
            candidates,
            cast(list[tuple[Mapping[str, int | str], int]], items),
            min_score=0 if lo is None else lo,
            max_score=5 if hi is None else hi,
            grades=grades,
            title=title,
        )
    return ChoiceProfile.from_counts(
        candidates, cast(list[tuple[str | None, int]], items), title=title
    )


def write_json(profile: Profile, *, seats: int | None = None) -> str:
    """Write grouped ballots in the JSON format (one entry per distinct ballot)."""
    names = profile.candidates
    out: dict[str, object] = {"candidates": list(names)}
    if seats is not None:
        out["seats"] = seats
    if profile.title:
        out["title"] = profile.title
    ballots: list[dict[str, object]] = []
    if isinstance(profile, RankedProfile):
        for levels, count in profile.ballots:
            ballots.append({"ranking": profile.ranking_names(levels), "count": count})
        if profile.blank:
            ballots.append({"ranking": [], "count": profile.blank})
    elif isinstance(profile, ApprovalProfile):
        for approved, count in profile.ballots:
            ballots.append({"approve": [names[c] for c in sorted(approved)], "count": count})
    elif isinstance(profile, ScoreProfile):
        if profile.grades:
            out["grades"] = list(profile.grades)
        else:
            out["min_score"], out["max_score"] = profile.min_score, profile.max_score
        for row, count in profile.ballots:
            ballots.append({"scores": dict(zip(names, row, strict=True)), "count": count})
    else:
        for choice, count in profile.ballots:
            ballots.append({"choice": None if choice is None else names[choice], "count": count})
    out["ballots"] = ballots
    return json.dumps(out, ensure_ascii=False, indent=1)
