"""STV under the Scottish Local Government Elections Order 2007 (SSI 2007/42,
schedule 1, rules 45-52), the weighted inclusive Gregory method.

* Quota (rule 46): ``floor(valid / (seats + 1)) + 1``.
* A candidate whose votes reach the quota is elected (rule 47); several
  elected at one stage are elected in order of their votes.
* Surpluses (rule 48): every ballot paper the elected candidate holds is
  transferred to its next continuing preference at the transfer value
  ``surplus x value of the paper / candidate's votes``, computed to five
  decimal places with any remainder ignored. Papers with no further preference
  are non-transferable; what truncation drops is recorded as ``loss``.
* The largest surplus is transferred first (rule 49); equal surpluses are
  ordered by the votes at the most recent earlier stage where they differed
  (the highest first), and failing that by lot.
* When no surplus remains, the continuing candidate with the fewest votes is
  excluded (rule 50) and all of its papers pass on at the value they had when
  received, in one stage. Equal lowest are separated by the most recent
  earlier stage where they differed (the fewest is excluded), then by lot.
* Last vacancies (rule 52), and nothing more: (1) when the continuing
  candidates are as many as the vacancies left, they are deemed elected;
  (2) no further transfer is then made. The Order has no clause electing a
  candidate early because it leads all the others together (the Irish and
  Northern Irish rules do), so the count goes on, stage by stage, until the
  quota or rule 52(1) fills every seat. Rule 52 opens no stage: those it
  elects are elected at the end of the last stage, in ``deemed_elected``.

Votes are exact integers in units of 0.00001 internally and are reported as
decimal strings with five places. Equal ranks are refused.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from asamblea.voting.methods.errors import InvalidProfileError
from asamblea.voting.methods.profile import RankedProfile
from asamblea.voting.methods.result import Result
from asamblea.voting.methods.tiebreak import TieBreaker, break_by_history

UNIT = 100_000
"""Votes are counted in units of 0.00001 (five decimal places)."""


def to_decimal(units: int) -> Decimal:
    return Decimal(units).scaleb(-5)


@dataclass(frozen=True, slots=True)
class TransferValue:
    """Papers received at ``value_in`` move on at ``transfer_value`` (surplus stages)."""

    value_in: Decimal
    transfer_value: Decimal
    papers: int


@dataclass(frozen=True, slots=True)
class StvStage:
    """One stage of the count.

    ``action`` is ``"first_preferences"``, ``"surplus"`` (of ``candidate``),
    ``"exclusion"`` (of ``candidate``). ``tallies`` are every candidate's
    votes at the end of the stage (elected candidates whose surplus has gone
    keep the quota; excluded candidates hold 0). ``transfers`` are the votes
    moved to each candidate at this stage; ``exhausted`` and ``loss`` are
    running totals; ``elected`` lists the candidates elected at the end of
    this stage, in order: first those who reached the quota (rule 47), then
    ``deemed_elected``, those deemed elected under rule 52(1) because the
    continuing candidates were as many as the vacancies left.
    """

    number: int
    action: str
    candidate: str | None
    transfer_values: tuple[TransferValue, ...]
    transfers: dict[str, Decimal]
    exhausted_now: Decimal
    loss_now: Decimal
    tallies: dict[str, Decimal]
    exhausted: Decimal
    loss: Decimal
    elected: tuple[str, ...]
    tie_break: str | None
    tie_break_stage: int | None
    deemed_elected: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class StvResult(Result):
    seats: int
    valid_votes: int
    quota: Decimal
    stages: tuple[StvStage, ...]
    excluded: tuple[str, ...]


def check_seats(profile: RankedProfile, seats: int) -> None:
    if not isinstance(seats, int) or seats < 1:
        raise InvalidProfileError(
            "seats must be a positive integer", where="seats", code="bad_seats"
        )
    if seats > len(profile.candidates):
        raise InvalidProfileError(
            f"{seats} seats but only {len(profile.candidates)} candidates",
            where="seats",
            code="bad_seats",
        )
    if not profile.ballots:
        raise InvalidProfileError("no valid ballots to count", where="ballots", code="empty_poll")


@dataclass
class _Count:
    names: tuple[str, ...]
    ballots: tuple[tuple[tuple[int, ...], int], ...]
    seats: int
    quota: int
    tb: TieBreaker
    votes: list[int]
    piles: list[list[tuple[int, int, int]]]  # (ballot, position, value of each paper)
    continuing: set[int]
    elected: list[int]
    excluded: list[int]
    pending: list[int]  # elected candidates whose surplus has not been transferred
    history: list[dict[str, int]]
    stages: list[StvStage]
    exhausted: int = 0
    loss: int = 0

    def next_preference(self, ranking: tuple[int, ...], pos: int) -> tuple[int, int] | None:
        for nxt in range(pos + 1, len(ranking)):
            if ranking[nxt] in self.continuing:
                return ranking[nxt], nxt
        return None

    def move(
        self, parcels: list[tuple[int, int, int]], value_of: dict[int, int]
    ) -> tuple[dict[int, int], int]:
        """Move parcels to their next continuing preferences at ``value_of[value]``."""
        moved: dict[int, int] = {}
        gone = 0
        for b, pos, value in parcels:
            ranking, count = self.ballots[b]
            new_value = value_of[value]
            nxt = self.next_preference(ranking, pos)
            if nxt is None:
                gone += count * new_value
                continue
            target, npos = nxt
            self.piles[target].append((b, npos, new_value))
            self.votes[target] += count * new_value
            moved[target] = moved.get(target, 0) + count * new_value
        return moved, gone

    def order_by_votes(
        self, group: list[int], stage: int, purpose: str
    ) -> tuple[list[int], str | None, int | None]:
        """Order ``group`` by votes, highest first; ties by earlier stages, then lot."""
        out: list[int] = []
        how: str | None = None
        used: int | None = None
        rest = sorted(group, key=lambda c: -self.votes[c])
        while rest:
            top = [c for c in rest if self.votes[c] == self.votes[rest[0]]]
            while top:
                if len(top) == 1:
                    pick = top[0]
                else:
                    names, used = break_by_history(
                        [self.names[c] for c in top], self.history[:-1], lowest=False
                    )
                    how = "earlier_stage" if used is not None else how
                    if len(names) > 1:
                        names = [self.tb.pick(names, purpose=purpose, stage=f"stage={stage}")]
                        how = "lot"
                    pick = self.names.index(names[0])
                out.append(pick)
                top.remove(pick)
                rest.remove(pick)
        return out, how, used

    def snapshot(self) -> dict[str, int]:
        return {self.names[c]: self.votes[c] for c in range(len(self.names))}

    def record(
        self,
        action: str,
        candidate: int | None,
        tvs: list[TransferValue],
        moved: dict[int, int],
        gone: int,
        lost: int,
        how: str | None = None,
        used: int | None = None,
    ) -> None:
        """Close a stage: elect whoever reached the quota, then write the stage down."""
        number = len(self.stages) + 1
        self.history.append(self.snapshot())
        reached = [c for c in self.continuing if self.votes[c] >= self.quota]
        newly: list[int] = []
        if reached:
            newly, how2, used2 = self.order_by_votes(reached, number, "elect_order")
            how, used = how or how2, used or used2
            for c in newly:
                self.continuing.discard(c)
                self.elected.append(c)
                if self.votes[c] > self.quota:
                    self.pending.append(c)
        self.stages.append(
            StvStage(
                number=number,
                action=action,
                candidate=None if candidate is None else self.names[candidate],
                transfer_values=tuple(tvs),
                transfers={self.names[c]: to_decimal(v) for c, v in sorted(moved.items())},
                exhausted_now=to_decimal(gone),
                loss_now=to_decimal(lost),
                tallies={n: to_decimal(v) for n, v in self.history[-1].items()},
                exhausted=to_decimal(self.exhausted),
                loss=to_decimal(self.loss),
                elected=tuple(self.names[c] for c in newly),
                tie_break=how,
                tie_break_stage=used,
            )
        )


def scottish_stv(profile: RankedProfile, *, seats: int, seed: str = "") -> StvResult:
    """Count ranked ballots under the Scottish rules; see the module docstring."""
    check_seats(profile, seats)
    ballots = profile.strict("scottish-stv")
    names = profile.candidates
    n = len(names)
    valid = sum(count for _, count in ballots)
    quota = (valid // (seats + 1) + 1) * UNIT
    st = _Count(
        names=names,
        ballots=ballots,
        seats=seats,
        quota=quota,
        tb=TieBreaker(seed),
        votes=[0] * n,
        piles=[[] for _ in range(n)],
        continuing=set(range(n)),
        elected=[],
        excluded=[],
        pending=[],
        history=[],
        stages=[],
    )
    for b, (ranking, count) in enumerate(ballots):
        st.piles[ranking[0]].append((b, 0, UNIT))
        st.votes[ranking[0]] += count * UNIT
    st.record("first_preferences", None, [], {}, 0, 0)
    while len(st.elected) < seats:
        # A candidate is only excluded while the continuing candidates
        # outnumber the vacancies, so ``<=`` here is the equality of rule 52(1).
        if len(st.continuing) <= seats - len(st.elected):
            _elect_rest(st, sorted(st.continuing))
            break
        if st.pending:
            _transfer_surplus(st)
        else:
            _exclude_lowest(st)
    return StvResult(
        method="scottish-stv",
        winners=tuple(names[c] for c in st.elected),
        seed=seed,
        lots=tuple(st.tb.lots),
        seats=seats,
        valid_votes=valid,
        quota=to_decimal(quota),
        stages=tuple(st.stages),
        excluded=tuple(names[c] for c in st.excluded),
    )


def _elect_rest(st: _Count, group: list[int]) -> None:
    """Rule 52: deem the continuing candidates elected at the end of the stage
    just recorded, with no further transfer (it opens no stage of its own)."""
    last = st.stages[-1]
    ordered, how, used = st.order_by_votes(group, last.number, "elect_order")
    for c in ordered:
        st.continuing.discard(c)
        st.elected.append(c)
    deemed = tuple(st.names[c] for c in ordered)
    st.stages[-1] = replace(
        last,
        elected=last.elected + deemed,
        deemed_elected=deemed,
        tie_break=how or last.tie_break,
        tie_break_stage=used if how else last.tie_break_stage,
    )


def _transfer_surplus(st: _Count) -> None:
    number = len(st.stages) + 1
    biggest = max(st.votes[c] for c in st.pending)
    tied = [c for c in st.pending if st.votes[c] == biggest]
    how: str | None = None
    used: int | None = None
    if len(tied) > 1:
        ordered, how, used = st.order_by_votes(tied, number, "surplus_order")
        giver = ordered[0]
    else:
        giver = tied[0]
    st.pending.remove(giver)
    total = st.votes[giver]
    surplus = total - st.quota
    parcels = st.piles[giver]
    values = sorted({value for _, _, value in parcels}, reverse=True)
    # Rule 48(3): surplus x value / total, to five places, remainder ignored.
    value_of = {v: surplus * v // total for v in values}
    papers = dict.fromkeys(values, 0)
    for b, _, v in parcels:
        papers[v] += st.ballots[b][1]
    tvs = [TransferValue(to_decimal(v), to_decimal(value_of[v]), papers[v]) for v in values]
    moved, gone = st.move(parcels, value_of)
    st.piles[giver] = []
    st.votes[giver] = st.quota
    lost = surplus - sum(moved.values()) - gone
    st.exhausted += gone
    st.loss += lost
    st.record("surplus", giver, tvs, moved, gone, lost, how, used)


def _exclude_lowest(st: _Count) -> None:
    number = len(st.stages) + 1
    low = min(st.votes[c] for c in st.continuing)
    tied = [st.names[c] for c in st.continuing if st.votes[c] == low]
    how: str | None = None
    used: int | None = None
    if len(tied) > 1:
        tied, used = break_by_history(tied, st.history[:-1], lowest=True)
        how = "earlier_stage" if used is not None else None
        if len(tied) > 1:
            tied = [st.tb.pick(tied, purpose="exclude", stage=f"stage={number}")]
            how = "lot"
    loser = st.names.index(tied[0])
    st.continuing.discard(loser)
    st.excluded.append(loser)
    parcels = st.piles[loser]
    value_of = {v: v for _, _, v in parcels}
    moved, gone = st.move(parcels, value_of)
    st.piles[loser] = []
    st.votes[loser] = 0
    st.exhausted += gone
    st.record("exclusion", loser, [], moved, gone, 0, how, used)
