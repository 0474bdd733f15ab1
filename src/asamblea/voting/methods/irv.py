"""Instant-runoff voting (alternative vote, single winner).

Each round counts every ballot for its highest-ranked continuing candidate.
A candidate holding more than half of the non-exhausted ballots is elected;
otherwise the candidate with the fewest votes is excluded and its ballots
pass on. When several candidates tie for fewest, the tie is broken by looking
back at earlier rounds (the one with fewest votes at the most recent round
where they differed is excluded), and failing that by lot. When one
continuing candidate remains it is elected.

Equal ranks are refused: a ballot must rank candidates one at a time.
"""

from __future__ import annotations

from dataclasses import dataclass

from asamblea.voting.methods.errors import InvalidProfileError
from asamblea.voting.methods.profile import RankedProfile
from asamblea.voting.methods.result import Result
from asamblea.voting.methods.tiebreak import TieBreaker, break_by_history


@dataclass(frozen=True, slots=True)
class IrvRound:
    """One round: ``tallies`` of continuing candidates, then what happened.

    ``action`` is ``"elected"`` or ``"excluded"``; ``transfers`` are the votes
    the excluded candidate's ballots gave to each continuing candidate (and
    ``exhausted_now`` those that had no further preference).
    ``tie_break`` is ``None``, ``"earlier_round"`` or ``"lot"``.
    """

    number: int
    tallies: dict[str, int]
    exhausted: int
    continuing_votes: int
    action: str
    candidate: str
    transfers: dict[str, int]
    exhausted_now: int
    tie_break: str | None
    tie_break_round: int | None


@dataclass(frozen=True, kw_only=True)
class IrvResult(Result):
    rounds: tuple[IrvRound, ...]


def irv(profile: RankedProfile, *, seed: str = "") -> IrvResult:
    names = profile.candidates
    ballots = profile.strict("irv")
    if not ballots:
        raise InvalidProfileError("no valid ballots to count", where="ballots", code="empty_poll")
    n = len(names)
    continuing = set(range(n))
    # Piles of (ballot number, position of its current preference).
    piles: list[list[tuple[int, int]]] = [[] for _ in range(n)]
    tallies = [0] * n
    for b, (ranking, count) in enumerate(ballots):
        piles[ranking[0]].append((b, 0))
        tallies[ranking[0]] += count
    exhausted = 0
    history: list[dict[str, int]] = []
    rounds: list[IrvRound] = []
    tb = TieBreaker(seed)
    while True:
        number = len(rounds) + 1
        snapshot = {names[c]: tallies[c] for c in sorted(continuing)}
        history.append(snapshot)
        active = sum(tallies[c] for c in continuing)
        leader = max(continuing, key=lambda c: tallies[c])
        if 2 * tallies[leader] > active or len(continuing) == 1:
            rounds.append(
                IrvRound(
                    number, snapshot, exhausted, active, "elected", names[leader], {}, 0, None, None
                )
            )
            return IrvResult(
                method="irv",
                winners=(names[leader],),
                seed=seed,
                lots=tuple(tb.lots),
                rounds=tuple(rounds),
            )
        low = min(tallies[c] for c in continuing)
        tied = [names[c] for c in continuing if tallies[c] == low]
        how: str | None = None
        used: int | None = None
        if len(tied) > 1:
            tied, used = break_by_history(tied, history[:-1], lowest=True)
            how = "earlier_round" if used is not None else None
            if len(tied) > 1:
                tied = [tb.pick(tied, purpose="exclude", stage=f"round={number}")]
                how = "lot"
        loser = names.index(tied[0])
        continuing.discard(loser)
        moved: dict[int, int] = {}
        gone = 0
        for b, pos in piles[loser]:
            ranking, count = ballots[b]
            nxt = pos + 1
            while nxt < len(ranking) and ranking[nxt] not in continuing:
                nxt += 1
            if nxt < len(ranking):
                target = ranking[nxt]
                piles[target].append((b, nxt))
                tallies[target] += count
                moved[target] = moved.get(target, 0) + count
            else:
                gone += count
        piles[loser] = []
        tallies[loser] = 0
        exhausted += gone
        rounds.append(
            IrvRound(
                number,
                snapshot,
                exhausted - gone,
                active,
                "excluded",
                names[loser],
                {names[c]: v for c, v in sorted(moved.items())},
                gone,
                how,
                used,
            )
        )
