"""Ballots and profiles: identical ballots grouped as (ballot, count) pairs.

Candidates are named by strings in the public API and numbered by their
position in ``candidates`` inside a profile, so that counting works on small
integers. Every constructor validates each *distinct* ballot once, after
grouping, which is what makes a million ballots cheap.

Ballot kinds:

* ranked: a sequence whose items are candidate names or, for equal ranks,
  sequences of names (``["A", ["B", "C"], "D"]``: A first, B and C equal
  second, D fourth). Truncation is allowed; unranked candidates are below
  every ranked one. An empty ranking is a blank ballot.
* approval: a set of approved names (empty = blank).
* score: a mapping name -> integer in ``[min_score, max_score]``; a candidate
  left out gets ``min_score``.
* choice: one name, or ``None`` for a blank ballot.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from asamblea.voting.methods.errors import (
    InvalidBallotError,
    InvalidProfileError,
    UnsupportedBallotError,
)

Levels = tuple[tuple[int, ...], ...]
"""A ranking as rank levels of candidate numbers; a level of several is a tie."""

RankingInput = Sequence[str | Sequence[str]]


def _check_candidates(candidates: Sequence[str]) -> tuple[str, ...]:
    names = tuple(candidates)
    if not names:
        raise InvalidProfileError("the poll has no candidates", where="candidates")
    seen: set[str] = set()
    for i, name in enumerate(names):
        if not isinstance(name, str) or not name.strip():
            raise InvalidProfileError(
                "a candidate name must be a non-empty string", where=f"candidates[{i}]"
            )
        if name in seen:
            raise InvalidProfileError(
                f"candidate {name!r} is listed twice", where=f"candidates[{i}]"
            )
        seen.add(name)
    return names


def _check_count(count: object, where: str) -> int:
    if not isinstance(count, int) or isinstance(count, bool) or count < 1:
        raise InvalidBallotError("a ballot count must be a positive integer", where=where)
    return count


def _group(ballots: Iterable[tuple[Hashable, int]]) -> Counter[Hashable]:
    grouped: Counter[Hashable] = Counter()
    for ballot, count in ballots:
        grouped[ballot] += count
    return grouped


def _freeze_ranking(ranking: object) -> Hashable:
    if isinstance(ranking, str) or not isinstance(ranking, Sequence):
        raise InvalidBallotError("a ranking must be a list of candidate names")
    return tuple(item if isinstance(item, str) else _freeze_level(item) for item in ranking)


def _freeze_level(level: object) -> tuple[str, ...]:
    if not isinstance(level, Sequence) or isinstance(level, str):
        raise InvalidBallotError("a rank must be a candidate name or a list of names")
    return tuple(level)


@dataclass(frozen=True)
class RankedProfile:
    """Grouped ranked ballots.

    ``ballots`` holds distinct non-blank rankings with their counts; ``blank``
    counts empty rankings (they are not valid votes for any method).
    """

    candidates: tuple[str, ...]
    ballots: tuple[tuple[Levels, int], ...]
    blank: int = 0
    title: str = ""
    withdrawn: tuple[str, ...] = ()
    kind: str = field(default="ranked", init=False)

    @classmethod
    def from_rankings(
        cls, candidates: Sequence[str], rankings: Iterable[RankingInput], *, title: str = ""
    ) -> RankedProfile:
        """Group one ranking per voter, then validate each distinct ranking once."""
        items = rankings if isinstance(rankings, list) else list(rankings)
        try:
            grouped: Counter[Hashable] = Counter(items)  # fast path: tuples of names
        except TypeError:
            grouped = Counter(_freeze_ranking(r) for r in items)
        return cls._build(candidates, grouped.items(), title=title)

    @classmethod
    def from_counts(
        cls,
        candidates: Sequence[str],
        ballots: Iterable[tuple[RankingInput, int]],
        *,
        title: str = "",
    ) -> RankedProfile:
        """Build from (ranking, count) pairs; equal rankings are merged."""
        pairs = [
            (_freeze_ranking(r), _check_count(c, f"ballots[{i}].count"))
            for i, (r, c) in enumerate(ballots)
        ]
        return cls._build(candidates, _group(pairs).items(), title=title)

    @classmethod
    def from_levels(
        cls,
        candidates: Sequence[str],
        ballots: Iterable[tuple[Levels, int]],
        *,
        blank: int = 0,
        title: str = "",
        withdrawn: Sequence[str] = (),
    ) -> RankedProfile:
        """Build from already numbered levels (trusted callers such as parsers)."""
        names = _check_candidates(candidates)
        grouped: Counter[Levels] = Counter()
        for levels, count in ballots:
            if levels:
                grouped[levels] += count
            else:
                blank += count
        return cls(names, tuple(grouped.items()), blank, title, tuple(withdrawn))

    @classmethod
    def _build(
        cls, candidates: Sequence[str], grouped: Iterable[tuple[Hashable, int]], *, title: str
    ) -> RankedProfile:
        names = _check_candidates(candidates)
        index = {name: i for i, name in enumerate(names)}
        singles = [(i,) for i in range(len(names))]
        # Distinct tuples of distinct known names map to distinct levels, so
        # they need no second grouping; anything else (equal ranks, lists,
        # errors) goes the careful way and is merged by value.
        fast: list[tuple[Levels, int]] = []
        slow: Counter[Levels] = Counter()
        blank = 0
        for ranking, count in grouped:
            levels = _strict_levels(ranking, index, singles)
            if levels is None:
                levels = ranking_to_levels(ranking, index, singles)
                if levels:
                    slow[levels] += count
                    continue
            if levels:
                fast.append((levels, count))
            else:
                blank += count
        if slow:
            for levels, count in fast:
                slow[levels] += count
            return cls(names, tuple(slow.items()), blank, title)
        return cls(names, tuple(fast), blank, title)

    @property
    def total(self) -> int:
        """Number of non-blank ballots."""
        return sum(count for _, count in self.ballots)

    @cached_property
    def has_equal_ranks(self) -> bool:
        return any(len(level) > 1 for levels, _ in self.ballots for level in levels)

    def strict(self, method: str) -> tuple[tuple[tuple[int, ...], int], ...]:
        """Return the ballots as flat strict rankings, or refuse equal ranks clearly."""
        if self.has_equal_ranks:
            raise UnsupportedBallotError(
                f"method {method!r} does not accept equal ranks", where="ballots"
            )
        return tuple((tuple(level[0] for level in levels), n) for levels, n in self.ballots)

    def ranking_names(self, levels: Levels) -> list[str | list[str]]:
        """Render numbered levels back to names (for export)."""
        return [
            self.candidates[lv[0]] if len(lv) == 1 else [self.candidates[c] for c in lv]
            for lv in levels
        ]


def _strict_levels(
    ranking: object, index: Mapping[str, int], singles: Sequence[tuple[int]]
) -> Levels | None:
    """Number a tuple of distinct known names, or return None to take the slow path."""
    if type(ranking) is not tuple:
        return None
    try:
        numbers = list(map(index.__getitem__, ranking))
    except (KeyError, TypeError):
        return None
    if len(set(numbers)) != len(numbers):
        return None
    return tuple(map(singles.__getitem__, numbers))


def ranking_to_levels(
    ranking: object, index: Mapping[str, int], singles: Sequence[tuple[int]] | None = None
) -> Levels:
    """Validate one ranking of names and number it; raise on unknown or repeated names."""
    frozen = ranking if isinstance(ranking, tuple) else _freeze_ranking(ranking)
    if not isinstance(frozen, tuple):
        raise InvalidBallotError("a ranking must be a list of candidate names")
    ranking = frozen
    try:
        # Fast path for the common case: one known name per rank, no repeats.
        numbers = list(map(index.__getitem__, ranking))
    except (KeyError, TypeError):
        pass
    else:
        if len(set(numbers)) == len(numbers):
            if singles is None:
                return tuple(zip(numbers, strict=True))
            # Shared one-candidate levels keep a million distinct ballots small.
            return tuple(map(singles.__getitem__, numbers))
    seen: set[int] = set()
    levels: list[tuple[int, ...]] = []
    for item in ranking:
        names = (item,) if isinstance(item, str) else _freeze_level(item)
        if not names:
            raise InvalidBallotError("a rank lists no candidate", where=f"ranking {ranking!r}")
        level: list[int] = []
        for name in names:
            number = index.get(name) if isinstance(name, str) else None
            if number is None:
                raise InvalidBallotError(
                    f"unknown candidate {name!r}", where=f"ranking {list(ranking)!r}"
                )
            if number in seen:
                raise InvalidBallotError(
                    f"candidate {name!r} is ranked twice", where=f"ranking {list(ranking)!r}"
                )
            seen.add(number)
            level.append(number)
        levels.append(tuple(sorted(level)))
    return tuple(levels)


@dataclass(frozen=True)
class ApprovalProfile:
    """Grouped approval ballots; an empty set is a blank ballot (kept, counts as cast)."""

    candidates: tuple[str, ...]
    ballots: tuple[tuple[frozenset[int], int], ...]
    title: str = ""
    kind: str = field(default="approval", init=False)

    @classmethod
    def from_counts(
        cls,
        candidates: Sequence[str],
        ballots: Iterable[tuple[Iterable[str], int]],
        *,
        title: str = "",
    ) -> ApprovalProfile:
        names = _check_candidates(candidates)
        index = {name: i for i, name in enumerate(names)}
        grouped: Counter[frozenset[int]] = Counter()
        for i, (approved, count) in enumerate(ballots):
            where = f"ballots[{i}]"
            if isinstance(approved, str):
                raise InvalidBallotError("approve must be a list of names", where=where)
            numbers: set[int] = set()
            for name in approved:
                number = index.get(name) if isinstance(name, str) else None
                if number is None:
                    raise InvalidBallotError(f"unknown candidate {name!r}", where=where)
                if number in numbers:
                    raise InvalidBallotError(f"candidate {name!r} is approved twice", where=where)
                numbers.add(number)
            grouped[frozenset(numbers)] += _check_count(count, f"{where}.count")
        return cls(names, tuple(grouped.items()), title)

    @classmethod
    def from_sets(
        cls, candidates: Sequence[str], ballots: Iterable[Iterable[str]], *, title: str = ""
    ) -> ApprovalProfile:
        return cls.from_counts(candidates, ((b, 1) for b in ballots), title=title)

    @property
    def total(self) -> int:
        return sum(count for _, count in self.ballots)


@dataclass(frozen=True)
class ScoreProfile:
    """Grouped score (or grade) ballots: a tuple of one integer per candidate.

    For majority judgment the scores are grades, ``0`` the worst; ``grades``
    optionally names them (``("reject", "poor", ..., "excellent")``), in which
    case ``max_score`` is ``len(grades) - 1``.
    """

    candidates: tuple[str, ...]
    ballots: tuple[tuple[tuple[int, ...], int], ...]
    min_score: int = 0
    max_score: int = 5
    grades: tuple[str, ...] = ()
    title: str = ""
    kind: str = field(default="score", init=False)

    @classmethod
    def from_counts(
        cls,
        candidates: Sequence[str],
        ballots: Iterable[tuple[Mapping[str, int | str], int]],
        *,
        min_score: int = 0,
        max_score: int = 5,
        grades: Sequence[str] = (),
        title: str = "",
    ) -> ScoreProfile:
        """Build from (mapping, count) pairs; a grade may be given by its name."""
        names = _check_candidates(candidates)
        grade_names = tuple(grades)
        if grade_names:
            min_score, max_score = 0, len(grade_names) - 1
        if min_score > max_score:
            raise InvalidProfileError("min_score exceeds max_score", where="min_score")
        grade_index = {g: i for i, g in enumerate(grade_names)}
        index = {name: i for i, name in enumerate(names)}
        grouped: Counter[tuple[int, ...]] = Counter()
        for i, (scores, count) in enumerate(ballots):
            where = f"ballots[{i}]"
            if not isinstance(scores, Mapping):
                raise InvalidBallotError("scores must be an object name -> score", where=where)
            row = [min_score] * len(names)
            for name, value in scores.items():
                number = index.get(name)
                if number is None:
                    raise InvalidBallotError(f"unknown candidate {name!r}", where=where)
                if isinstance(value, str) and value in grade_index:
                    value = grade_index[value]
                if not isinstance(value, int) or isinstance(value, bool):
                    raise InvalidBallotError(
                        f"score of {name!r} must be an integer or a grade name", where=where
                    )
                if not min_score <= value <= max_score:
                    raise InvalidBallotError(
                        f"score {value} of {name!r} is outside [{min_score}, {max_score}]",
                        where=where,
                    )
                row[number] = value
            grouped[tuple(row)] += _check_count(count, f"{where}.count")
        return cls(names, tuple(grouped.items()), min_score, max_score, grade_names, title)

    @property
    def total(self) -> int:
        return sum(count for _, count in self.ballots)


@dataclass(frozen=True)
class ChoiceProfile:
    """Grouped single-choice ballots; ``None`` is a blank ballot."""

    candidates: tuple[str, ...]
    ballots: tuple[tuple[int | None, int], ...]
    title: str = ""
    kind: str = field(default="choice", init=False)

    @classmethod
    def from_counts(
        cls,
        candidates: Sequence[str],
        ballots: Iterable[tuple[str | None, int]],
        *,
        title: str = "",
    ) -> ChoiceProfile:
        names = _check_candidates(candidates)
        index = {name: i for i, name in enumerate(names)}
        grouped: Counter[int | None] = Counter()
        for i, (choice, count) in enumerate(ballots):
            number = None
            if choice is not None:
                number = index.get(choice) if isinstance(choice, str) else None
                if number is None:
                    raise InvalidBallotError(f"unknown candidate {choice!r}", where=f"ballots[{i}]")
            grouped[number] += _check_count(count, f"ballots[{i}].count")
        return cls(names, tuple(grouped.items()), title)

    @classmethod
    def from_choices(
        cls, candidates: Sequence[str], choices: Iterable[str | None], *, title: str = ""
    ) -> ChoiceProfile:
        return cls.from_counts(candidates, ((c, 1) for c in choices), title=title)

    @classmethod
    def from_ranked(cls, profile: RankedProfile) -> ChoiceProfile:
        """Take each ranked ballot's first preference; a tie at the top is refused."""
        grouped: Counter[int | None] = Counter()
        for levels, count in profile.ballots:
            if len(levels[0]) > 1:
                raise UnsupportedBallotError(
                    "a single choice cannot be read from a ballot with equal first ranks",
                    where="ballots",
                )
            grouped[levels[0][0]] += count
        if profile.blank:
            grouped[None] += profile.blank
        return cls(profile.candidates, tuple(grouped.items()), profile.title)

    @property
    def total(self) -> int:
        return sum(count for _, count in self.ballots)

    def tallies(self) -> list[int]:
        out = [0] * len(self.candidates)
        for choice, count in self.ballots:
            if choice is not None:
                out[choice] += count
        return out


Profile = RankedProfile | ApprovalProfile | ScoreProfile | ChoiceProfile
