"""Majority judgment (Balinski and Laraki).

Each voter grades every candidate (grade 0 is the worst; an ungraded
candidate gets the worst grade). A candidate's majority grade is the lower
median of its grades. Candidates are ranked by their *majority values*: the
sequence of majority grades obtained by repeatedly removing one median grade,
compared lexicographically (Balinski-Laraki, "Majority Judgment", 2011,
ch. 13). Candidates with identical grade distributions are ordered by lot.

The explanation gives, per candidate, the majority grade and the gauge: the
number of grades strictly above and strictly below it.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass

from asamblea.voting.methods.profile import ScoreProfile
from asamblea.voting.methods.result import Result
from asamblea.voting.methods.tiebreak import TieBreaker


@dataclass(frozen=True, slots=True)
class Gauge:
    """Majority grade (lower median) with the counts of grades above and below it."""

    median: int
    median_name: str
    above: int
    below: int


@dataclass(frozen=True, kw_only=True)
class MajorityJudgmentResult(Result):
    """``grade_counts[c][g]``: voters giving grade ``g`` to ``c``; ``ranking``: best first."""

    grades: tuple[str, ...]
    grade_counts: dict[str, tuple[int, ...]]
    gauges: dict[str, Gauge]
    ranking: tuple[str, ...]
    co_winners: tuple[str, ...]


def lower_median(counts: list[int] | tuple[int, ...]) -> int:
    """The lower middlemost grade of a grade histogram (n must be positive)."""
    index = (sum(counts) - 1) // 2
    seen = 0
    for grade, count in enumerate(counts):
        seen += count
        if seen > index:
            return grade
    raise ValueError("empty histogram")


def majority_value(counts: tuple[int, ...]) -> Iterator[int]:
    """Yield the majority value: repeatedly the lower median, removing it each time."""
    left = list(counts)
    total = sum(left)
    while total:
        grade = lower_median(left)
        yield grade
        left[grade] -= 1
        total -= 1


def compare_majority_values(a: tuple[int, ...], b: tuple[int, ...]) -> int:
    """Return 1 if histogram ``a`` ranks above ``b``, -1 if below, 0 if equal."""
    if a == b:
        return 0
    for ga, gb in zip(majority_value(a), majority_value(b), strict=False):
        if ga != gb:
            return 1 if ga > gb else -1
    return 0


def majority_judgment(profile: ScoreProfile, *, seed: str = "") -> MajorityJudgmentResult:
    names = profile.candidates
    levels = profile.max_score - profile.min_score + 1
    grade_names = profile.grades or tuple(str(profile.min_score + g) for g in range(levels))
    hist = [[0] * levels for _ in names]
    for row, count in profile.ballots:
        for c, value in enumerate(row):
            hist[c][value - profile.min_score] += count
    counts = [tuple(h) for h in hist]
    gauges: dict[str, Gauge] = {}
    for c, h in enumerate(counts):
        if sum(h) == 0:
            gauges[names[c]] = Gauge(0, grade_names[0], 0, 0)
            continue
        m = lower_median(h)
        gauges[names[c]] = Gauge(m, grade_names[m], sum(h[m + 1 :]), sum(h[:m]))

    def cmp(x: int, y: int) -> int:
        return -compare_majority_values(counts[x], counts[y])

    order = sorted(range(len(names)), key=functools.cmp_to_key(cmp))
    tb = TieBreaker(seed)
    ranking: list[str] = []
    i = 0
    while i < len(order):
        j = i + 1
        while j < len(order) and counts[order[j]] == counts[order[i]]:
            j += 1
        group = [names[c] for c in order[i:j]]
        if len(group) > 1 and i == 0:
            group = tb.order(group, purpose="elect")
        ranking.extend(group)
        i = j
    top = [names[c] for c in order if counts[c] == counts[order[0]]]
    return MajorityJudgmentResult(
        method="majority-judgment",
        winners=(ranking[0],),
        seed=seed,
        lots=tuple(tb.lots),
        grades=grade_names,
        grade_counts={names[c]: counts[c] for c in range(len(names))},
        gauges=gauges,
        ranking=tuple(ranking),
        co_winners=tuple(top),
    )
