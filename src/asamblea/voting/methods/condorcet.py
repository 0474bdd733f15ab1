"""Pairwise (Condorcet) methods: the Condorcet winner, Copeland, Schulze and
ranked pairs, all from the profile's one pairwise matrix (``pairwise.py``).

``d[a][b]`` is the number of ballots ranking ``a`` strictly above ``b``; a
ballot that ranks ``a`` and leaves ``b`` unranked counts for ``a``; equal ranks
and two unranked candidates count for neither.
"""

from __future__ import annotations

from dataclasses import dataclass

from asamblea.voting.methods.errors import InvalidProfileError
from asamblea.voting.methods.pairwise import PairwiseMatrix
from asamblea.voting.methods.profile import RankedProfile
from asamblea.voting.methods.result import Result, tied_best, top_k
from asamblea.voting.methods.tiebreak import TieBreaker


def pairwise_matrix(profile: RankedProfile) -> PairwiseMatrix:
    """The profile's matrix, built on first use and shared by every method."""
    return profile.pairwise


def _require(profile: RankedProfile) -> None:
    if profile.is_empty:
        raise InvalidProfileError("no valid ballots to count", where="ballots", code="empty_poll")


@dataclass(frozen=True, kw_only=True)
class CondorcetResult(Result):
    """``winners`` is empty when there is no Condorcet winner; ``weak_winners``
    beat or tie every other candidate."""

    matrix: dict[str, dict[str, int]]
    weak_winners: tuple[str, ...]


def condorcet_winner_index(d: tuple[tuple[int, ...], ...]) -> int | None:
    n = len(d)
    for a in range(n):
        if all(d[a][b] > d[b][a] for b in range(n) if b != a):
            return a
    return None


def condorcet(profile: RankedProfile, *, seed: str = "") -> CondorcetResult:
    """Report the Condorcet winner, if any (no tie-break: none is needed)."""
    _require(profile)
    m = pairwise_matrix(profile)
    d = m.d
    n = len(d)
    winner = condorcet_winner_index(d)
    weak = tuple(
        m.candidates[a] for a in range(n) if all(d[a][b] >= d[b][a] for b in range(n) if b != a)
    )
    return CondorcetResult(
        method="condorcet",
        winners=() if winner is None else (m.candidates[winner],),
        seed=seed,
        lots=(),
        matrix=m.as_dict(),
        weak_winners=weak,
    )


@dataclass(frozen=True, slots=True)
class CopelandScore:
    wins: int
    losses: int
    ties: int
    score: int


@dataclass(frozen=True, kw_only=True)
class CopelandResult(Result):
    """Copeland score = pairwise wins minus losses."""

    matrix: dict[str, dict[str, int]]
    scores: dict[str, CopelandScore]
    co_winners: tuple[str, ...]


def copeland(profile: RankedProfile, *, seed: str = "") -> CopelandResult:
    _require(profile)
    m = pairwise_matrix(profile)
    d, names, n = m.d, m.candidates, len(m.d)
    table: dict[str, CopelandScore] = {}
    values: list[int] = []
    for a in range(n):
        wins = sum(1 for b in range(n) if b != a and d[a][b] > d[b][a])
        losses = sum(1 for b in range(n) if b != a and d[a][b] < d[b][a])
        table[names[a]] = CopelandScore(wins, losses, n - 1 - wins - losses, wins - losses)
        values.append(wins - losses)
    tb = TieBreaker(seed)
    winners = top_k(names, values, 1, tb, purpose="elect")
    return CopelandResult(
        method="copeland",
        winners=tuple(winners),
        seed=seed,
        lots=tuple(tb.lots),
        matrix=m.as_dict(),
        scores=table,
        co_winners=tuple(tied_best(names, values)),
    )


@dataclass(frozen=True, kw_only=True)
class SchulzeResult(Result):
    """``strongest_paths[a][b]``: strength of the strongest path from a to b.

    Link strength is the winning votes ``d[a][b]`` when ``d[a][b] > d[b][a]``,
    else 0 (Schulze's recommended measure). ``co_winners`` are the candidates
    with ``p[a][b] >= p[b][a]`` for every ``b``.
    """

    matrix: dict[str, dict[str, int]]
    strongest_paths: dict[str, dict[str, int]]
    co_winners: tuple[str, ...]


def strongest_paths(d: tuple[tuple[int, ...], ...]) -> list[list[int]]:
    """Widest paths by winning votes (Floyd-Warshall, O(n^3))."""
    n = len(d)
    p = [[d[a][b] if a != b and d[a][b] > d[b][a] else 0 for b in range(n)] for a in range(n)]
    for k in range(n):
        pk = p[k]
        for a in range(n):
            if a == k:
                continue
            pak = p[a][k]
            if not pak:
                continue
            pa = p[a]
            for b in range(n):
                if b != a and b != k:
                    via = pak if pak < pk[b] else pk[b]
                    if via > pa[b]:
                        pa[b] = via
    return p


def schulze(profile: RankedProfile, *, seed: str = "") -> SchulzeResult:
    _require(profile)
    m = pairwise_matrix(profile)
    names, n = m.candidates, len(m.d)
    p = strongest_paths(m.d)
    best = [a for a in range(n) if all(p[a][b] >= p[b][a] for b in range(n) if b != a)]
    tb = TieBreaker(seed)
    co = [names[a] for a in best]
    winner = co[0] if len(co) == 1 else tb.pick(co, purpose="elect")
    return SchulzeResult(
        method="schulze",
        winners=(winner,),
        seed=seed,
        lots=tuple(tb.lots),
        matrix=m.as_dict(),
        strongest_paths={
            names[a]: {names[b]: p[a][b] for b in range(n) if b != a} for a in range(n)
        },
        co_winners=tuple(co),
    )


@dataclass(frozen=True, slots=True)
class LockedPair:
    """A majority ``winner`` over ``loser`` by ``margin``; ``status`` is
    ``"locked"`` or ``"skipped"`` (it would close a cycle)."""

    winner: str
    loser: str
    margin: int
    status: str


@dataclass(frozen=True, kw_only=True)
class RankedPairsResult(Result):
    """Pairs in the order considered. Equal margins are ordered by a tie-breaking
    ranking of candidates drawn by lot (Tideman's TBRC): the pair whose winner
    ranks higher first, then the pair whose loser ranks lower first."""

    matrix: dict[str, dict[str, int]]
    pairs: tuple[LockedPair, ...]
    tie_breaking_ranking: tuple[str, ...]


def _reaches(graph: list[set[int]], start: int, goal: int) -> bool:
    stack, seen = [start], {start}
    while stack:
        x = stack.pop()
        if x == goal:
            return True
        for y in graph[x]:
            if y not in seen:
                seen.add(y)
                stack.append(y)
    return False


def _acyclic_with(graph: list[set[int]], group: list[tuple[int, int, int]]) -> bool:
    """Whether every edge of ``group`` can be locked together (then order is moot)."""
    trial = [set(out) for out in graph]
    for _, a, b in group:
        if _reaches(trial, b, a):
            return False
        trial[a].add(b)
    return True


def ranked_pairs(profile: RankedProfile, *, seed: str = "") -> RankedPairsResult:
    _require(profile)
    m = pairwise_matrix(profile)
    d, names, n = m.d, m.candidates, len(m.d)
    edges = [(d[a][b] - d[b][a], a, b) for a in range(n) for b in range(n) if d[a][b] > d[b][a]]
    edges.sort(key=lambda e: -e[0])
    tb = TieBreaker(seed)
    tbrc: list[str] = []
    graph: list[set[int]] = [set() for _ in range(n)]
    pairs: list[LockedPair] = []
    i = 0
    while i < len(edges):
        j = i
        while j < len(edges) and edges[j][0] == edges[i][0]:
            j += 1
        group = edges[i:j]
        if len(group) > 1 and not _acyclic_with(graph, group):
            # Only here does the order of equal margins matter.
            if not tbrc:
                tbrc = tb.order(names, purpose="tie_breaking_ranking")
            pos = {names.index(c): k for k, c in enumerate(tbrc)}
            group.sort(key=lambda e: (pos[e[1]], -pos[e[2]]))
        for margin, a, b in group:
            if _reaches(graph, b, a):
                pairs.append(LockedPair(names[a], names[b], margin, "skipped"))
            else:
                graph[a].add(b)
                pairs.append(LockedPair(names[a], names[b], margin, "locked"))
        i = j
    beaten = {b for a in range(n) for b in graph[a]}
    sources = [names[c] for c in range(n) if c not in beaten]
    if len(sources) == 1:
        winner = sources[0]
    else:
        if not tbrc:
            tbrc = tb.order(names, purpose="tie_breaking_ranking")
        winner = min(sources, key=tbrc.index)
    return RankedPairsResult(
        method="ranked-pairs",
        winners=(winner,),
        seed=seed,
        lots=tuple(tb.lots),
        matrix=m.as_dict(),
        pairs=tuple(pairs),
        tie_breaking_ranking=tuple(tbrc),
    )
