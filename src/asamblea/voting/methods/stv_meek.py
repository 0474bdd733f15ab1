"""STV by Meek's method (Hill, Wichmann and Woodall, "Algorithm 123 - Single
Transferable Vote by Meek's Method", The Computer Journal 30(3), 1987; the
basis of the New Zealand method in schedule 1A of the Local Electoral
Regulations 2001).

Every candidate has a keep value ``k``: 1 while hopeful, 0 once excluded,
and for an elected candidate the share of each vote reaching it that it keeps.
A ballot starts with weight 1 and, going down its preferences, gives each
candidate ``weight x k`` and passes the rest on; what is left after the last
preference is excess (non-transferable).

* Arithmetic is fixed point with nine decimal places. Each product
  ``weight x k`` is rounded up; the weight passed on is the exact remainder,
  so vote value is conserved exactly.
* Quota: ``(valid - excess) / (seats + 1)`` truncated to nine places, plus
  0.000000001; it is recomputed at every iteration.
* After each distribution, hopeful candidates at or above the quota are
  elected (in order of votes). Otherwise, while the elected candidates'
  total surplus is at least 0.00001 and keep values still change, each
  elected candidate's keep value becomes ``k x quota / votes`` rounded up and
  the votes are distributed again.
* When the iteration has converged and seats remain, the hopeful candidate
  with the fewest votes is excluded (``k = 0``); ties are separated by the
  most recent earlier stage where the tied candidates differed, then by lot.
* When hopeful and elected candidates are as many as the seats, the hopeful
  ones are elected.

With many distinct ballots, each distribution moves them all down their ranks
together with numpy, in exact int64 arithmetic; with fewer, it walks a prefix
tree of them in Python. Both give the same integers. Equal ranks are refused.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import partial

import numpy as np
import numpy.typing as npt

from asamblea.voting.methods.errors import InvalidProfileError
from asamblea.voting.methods.pairwise import StrictRows
from asamblea.voting.methods.profile import RankedProfile
from asamblea.voting.methods.result import Result, top_k
from asamblea.voting.methods.stv_scottish import check_seats
from asamblea.voting.methods.tiebreak import TieBreaker, break_by_history

UNIT = 1_000_000_000
"""Fixed point: one vote is 10**9 units (nine decimal places)."""
CONVERGED = 10_000
"""Iteration stops when the total surplus falls below 0.00001 (in units)."""
MAX_ITERATIONS = 10_000
NUMPY_MIN_BALLOTS = 50_000
"""From this many distinct ballots a distribution runs in numpy; below, the
prefix tree's Python walk is quicker (it skips what numpy pays per call)."""


def to_decimal(units: int) -> Decimal:
    return Decimal(units).scaleb(-9)


@dataclass(frozen=True, slots=True)
class MeekStage:
    """State after a stage converged or changed the candidates' status.

    ``action`` is ``"first_preferences"``, ``"elected"``, ``"excluded"`` or
    ``"last_vacancies"``; ``candidates`` are those it concerns. ``iterations``
    counts the distributions since the previous stage.
    """

    number: int
    action: str
    candidates: tuple[str, ...]
    iterations: int
    quota: Decimal
    tallies: dict[str, Decimal]
    keep_values: dict[str, Decimal]
    excess: Decimal
    total_surplus: Decimal
    tie_break: str | None
    tie_break_stage: int | None


@dataclass(frozen=True, kw_only=True)
class MeekResult(Result):
    seats: int
    valid_votes: int
    stages: tuple[MeekStage, ...]
    excluded: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Table:
    """Distinct ballots as rows of candidate numbers, padded with ``n`` (a
    candidate that keeps nothing and ends the ballot), and their counts."""

    ranks: npt.NDArray[np.intp]
    counts: npt.NDArray[np.int64]


def _table(rows: StrictRows, n: int) -> _Table:
    m = len(rows.lengths)
    width = int(rows.lengths.max()) if m else 0
    ranks = np.full((m, width + 1), n, np.intp)
    starts = np.cumsum(rows.lengths) - rows.lengths
    ballot = np.repeat(np.arange(m), rows.lengths)
    rank = np.arange(len(rows.codes)) - np.repeat(starts, rows.lengths)
    ranks[ballot, rank] = rows.codes
    return _Table(ranks, rows.weights)


def _distribute(table: _Table, keep: list[int], n: int) -> tuple[list[int], int]:
    """One pass: votes per candidate and the excess, in units.

    Every ballot starts with weight 1 (``UNIT``) and goes down its ranks; at a
    candidate with keep value ``k`` it gives ``weight x k`` rounded up (all
    of it when ``k`` is 1) and keeps the exact rest. All distinct ballots
    move one rank at a time together, and a ballot leaves as soon as its
    weight is spent; what reaches the end of a ballot is excess. The integers
    are those of the ballot-by-ballot walk, in another order of addition.
    """
    keeps = np.array([*keep, 0], np.int64)  # the padding keeps nothing
    votes = np.zeros(n + 1, np.int64)
    excess = 0
    rows = np.arange(len(table.counts))
    weight = np.full(len(rows), UNIT, np.int64)
    counts = table.counts
    for rank in range(table.ranks.shape[1]):
        candidate = table.ranks[rows, rank]
        ended = candidate == n
        if ended.any():
            excess += int((weight[ended] * counts[rows[ended]]).sum())
        k = keeps[candidate]
        given = np.where(k == UNIT, weight, -((-weight * k) // UNIT))
        np.add.at(votes, candidate, given * counts[rows])
        weight -= given
        going = (weight > 0) & ~ended
        rows, weight = rows[going], weight[going]
        if not len(rows):
            break
    return votes[:n].tolist(), excess


class _Node:
    """A prefix of rankings: ``count`` ballots pass through it, ``ends`` stop here."""

    __slots__ = ("candidate", "children", "count", "ends")

    def __init__(self, candidate: int) -> None:
        self.candidate = candidate
        self.count = 0
        self.ends = 0
        self.children: dict[int, _Node] = {}


def _build_tree(table: _Table, n: int) -> list[_Node]:
    roots: dict[int, _Node] = {}
    for ranking, count in zip(table.ranks.tolist(), table.counts.tolist(), strict=True):
        level = roots
        node: _Node | None = None
        for c in ranking:
            if c == n:  # the padding
                break
            node = level.get(c)
            if node is None:
                node = level[c] = _Node(c)
            node.count += count
            level = node.children
        if node is not None:
            node.ends += count
    return list(roots.values())


def _distribute_tree(roots: list[_Node], keep: list[int], n: int) -> tuple[list[int], int]:
    """The same pass as ``_distribute``, walking a prefix tree in Python: each
    iteration visits only the prefixes that reach past an elected or excluded
    candidate, which is cheaper when there are few distinct ballots."""
    votes = [0] * n
    excess = 0
    stack: list[tuple[_Node, int]] = [(r, UNIT) for r in roots]
    while stack:
        node, weight = stack.pop()
        k = keep[node.candidate]
        if k == UNIT:
            votes[node.candidate] += weight * node.count
            continue
        if k:
            given = -((-weight * k) // UNIT)  # rounded up
            votes[node.candidate] += given * node.count
            weight -= given
        if weight == 0:
            continue
        if node.ends:
            excess += weight * node.ends
        for child in node.children.values():
            stack.append((child, weight))
    return votes, excess


def meek_stv(profile: RankedProfile, *, seats: int, seed: str = "") -> MeekResult:
    """Count ranked ballots by Meek's method; see the module docstring."""
    check_seats(profile, seats)
    names = profile.candidates
    n = len(names)
    valid = profile.total
    if valid * UNIT >= 1 << 62:
        raise InvalidProfileError("too many ballots for nine-place fixed point", where="ballots")
    table = _table(profile.strict_rows("meek-stv"), n)
    distribute: Callable[[list[int]], tuple[list[int], int]]
    if len(table.counts) >= NUMPY_MIN_BALLOTS:
        distribute = partial(_distribute, table, n=n)
    else:
        distribute = partial(_distribute_tree, _build_tree(table, n), n=n)
    keep = [UNIT] * n
    hopeful = set(range(n))
    elected: list[int] = []
    excluded: list[int] = []
    stages: list[MeekStage] = []
    history: list[dict[str, int]] = []
    tb = TieBreaker(seed)
    iterations = 0

    def record(
        action: str, who: list[int], how: str | None = None, used: int | None = None
    ) -> None:
        nonlocal iterations
        history.append({names[c]: votes[c] for c in range(n)})
        stages.append(
            MeekStage(
                number=len(stages) + 1,
                action=action,
                candidates=tuple(names[c] for c in who),
                iterations=iterations,
                quota=to_decimal(quota),
                tallies={names[c]: to_decimal(votes[c]) for c in range(n)},
                keep_values={names[c]: to_decimal(keep[c]) for c in range(n)},
                excess=to_decimal(excess),
                total_surplus=to_decimal(surplus),
                tie_break=how,
                tie_break_stage=used,
            )
        )
        iterations = 0

    def order(group: list[int]) -> list[int]:
        # Order of election only: by votes, then candidate order (no lot needed,
        # every one of them is elected).
        return sorted(group, key=lambda c: (-votes[c], c))

    first = True
    while True:
        votes, excess = distribute(keep)
        iterations += 1
        quota = (valid * UNIT - excess) // (seats + 1) + 1
        surplus = sum(max(0, votes[c] - quota) for c in elected)
        if first:
            record("first_preferences", [])
            first = False
        reached = order([c for c in hopeful if votes[c] >= quota])
        if len(reached) > seats - len(elected):
            # More at the quota than seats left (possible only through rounding):
            # the most votes win; equal votes at the cut are drawn by lot.
            chosen = top_k(
                [names[c] for c in reached],
                [votes[c] for c in reached],
                seats - len(elected),
                tb,
                purpose="elect",
                stage=f"stage={len(stages) + 1}:",
            )
            reached = [names.index(x) for x in chosen]
        if reached:
            for c in reached:
                hopeful.discard(c)
                elected.append(c)
            record("elected", reached)
        if len(elected) == seats:
            break
        if len(elected) + len(hopeful) <= seats:
            rest = order(list(hopeful))
            elected.extend(rest)
            hopeful.clear()
            record("last_vacancies", rest)
            break
        if reached:
            continue
        if surplus >= CONVERGED and iterations < MAX_ITERATIONS:
            changed = False
            for c in elected:
                new = -((-keep[c] * quota) // votes[c]) if votes[c] else keep[c]
                if new != keep[c]:
                    keep[c] = new
                    changed = True
            if changed:
                continue
        low = min(votes[c] for c in hopeful)
        tied = [names[c] for c in hopeful if votes[c] == low]
        how: str | None = None
        used: int | None = None
        if len(tied) > 1:
            # The current votes are not in ``history`` yet: every entry is earlier.
            tied, used = break_by_history(tied, history, lowest=True)
            how = "earlier_stage" if used is not None else None
            if len(tied) > 1:
                tied = [tb.pick(tied, purpose="exclude", stage=f"stage={len(stages) + 1}")]
                how = "lot"
        loser = names.index(tied[0])
        hopeful.discard(loser)
        excluded.append(loser)
        keep[loser] = 0
        record("excluded", [loser], how, used)
    return MeekResult(
        method="meek-stv",
        winners=tuple(names[c] for c in elected),
        seed=seed,
        lots=tuple(tb.lots),
        seats=seats,
        valid_votes=valid,
        stages=tuple(stages),
        excluded=tuple(names[c] for c in excluded),
    )
