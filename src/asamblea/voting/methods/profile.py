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

import gc
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from itertools import chain, islice
from typing import Any, cast

import numpy as np

from asamblea.voting.methods.errors import (
    InvalidBallotError,
    InvalidProfileError,
    UnsupportedBallotError,
)
from asamblea.voting.methods.pairwise import (
    PairwiseMatrix,
    StrictRows,
    build_matrix,
    rows_of,
    total_weight,
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


RankedBallots = tuple[tuple[Levels, int], ...]


class _RankedBallots:
    """The ``ballots`` field of a ranked profile: kept as given, or, when
    ``from_rankings`` made numpy rows instead, numbered from them on first
    read (a count that only needs the rows never pays for a million tuples)."""

    def __get__(self, profile: RankedProfile | None, owner: Any = None) -> RankedBallots:
        if profile is None:
            raise AttributeError("ballots")  # no default: the field is required
        ballots: RankedBallots | None = profile.__dict__["_ballots"]
        if ballots is None:
            rows = cast(StrictRows, profile._rows)  # set together with the None
            levels = _levels_of_codes(len(profile.candidates), rows.codes, rows.lengths)
            ballots = tuple(zip(levels, rows.weights.tolist(), strict=True))
            profile.__dict__["_ballots"] = ballots
        return ballots

    def __set__(self, profile: RankedProfile, ballots: RankedBallots) -> None:
        profile.__dict__["_ballots"] = ballots


@dataclass(frozen=True)
class RankedProfile:
    """Grouped ranked ballots.

    ``ballots`` holds distinct non-blank rankings with their counts; ``blank``
    counts empty rankings (they are not valid votes for any method).
    """

    candidates: tuple[str, ...]
    ballots: _RankedBallots = _RankedBallots()
    blank: int = 0
    title: str = ""
    withdrawn: tuple[str, ...] = ()
    kind: str = field(default="ranked", init=False)
    _rows: StrictRows | None = field(default=None, init=False, repr=False, compare=False)
    """The ballots as numpy rows, when ``from_rankings`` made them anyway."""

    @classmethod
    def from_rankings(
        cls, candidates: Sequence[str], rankings: Iterable[RankingInput], *, title: str = ""
    ) -> RankedProfile:
        """Group one ranking per voter, then validate each distinct ranking once."""
        items = rankings if isinstance(rankings, list) else list(rankings)
        # A million distinct rankings allocate millions of tuples that all
        # live on; the cyclic garbage collector would walk them again and
        # again, and finds no cycle among them.
        enabled = gc.isenabled()
        gc.disable()
        try:
            try:
                grouped: Counter[Hashable] = Counter(items)  # fast path: tuples of names
            except TypeError:
                grouped = Counter(_freeze_ranking(r) for r in items)
            profile = cls._build_strict(candidates, grouped, title=title)
            if profile is None:
                profile = cls._build(candidates, grouped.items(), title=title)
        finally:
            if enabled:
                gc.enable()
        return profile

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
        distinct: bool = False,
    ) -> RankedProfile:
        """Build from already numbered levels (trusted callers such as parsers).

        With ``distinct`` the caller vouches that no two ballots have equal
        levels, and they are not grouped again.
        """
        names = _check_candidates(candidates)
        if distinct:
            kept: list[tuple[Levels, int]] = []
            for levels, count in ballots:
                if levels:
                    kept.append((levels, count))
                else:
                    blank += count
            return cls(names, tuple(kept), blank, title, tuple(withdrawn))
        grouped: Counter[Levels] = Counter()
        for levels, count in ballots:
            if levels:
                grouped[levels] += count
            else:
                blank += count
        return cls(names, tuple(grouped.items()), blank, title, tuple(withdrawn))

    @classmethod
    def _build_strict(
        cls, candidates: Sequence[str], grouped: Counter[Hashable], *, title: str
    ) -> RankedProfile | None:
        """Validate and number distinct plain rankings (tuples of distinct known
        names) in bulk, or return None for ``_build`` to go ballot by ballot
        (equal ranks, other types, errors: it says which ballot is wrong).

        Each name is looked up twice, once for its level and once for the
        numpy row that finds repeated names and later builds the pairwise
        matrix; both are far cheaper than a loop per ballot."""
        names = _check_candidates(candidates)
        n = len(names)
        keys: list[tuple[str, ...]] = list(grouped)  # type: ignore[arg-type]
        if n > 63 or (keys and set(map(type, keys)) != {tuple}):
            return None
        code_of = {name: i for i, name in enumerate(names)}
        lengths = np.fromiter(map(len, keys), np.int64, len(keys))
        try:
            # bytes() is the quickest way to collect small integers from C.
            flat = bytes(map(code_of.__getitem__, chain.from_iterable(keys)))
        except (KeyError, TypeError):
            return None
        codes = np.frombuffer(flat, np.uint8).astype(np.int16)
        ranked = lengths > 0
        if ranked.any():
            starts = (np.cumsum(lengths) - lengths)[ranked]
            seen = np.bitwise_or.reduceat(np.left_shift(np.int64(1), codes), starts)
            if (np.bitwise_count(seen) != lengths[ranked]).any():
                return None  # a name is ranked twice somewhere
        if ranked.all():
            weights = np.fromiter(grouped.values(), np.int64, len(grouped))
            profile = cls(names, (), 0, title)
            object.__setattr__(profile, "_rows", StrictRows(codes, lengths, weights))
            profile.__dict__["_ballots"] = None  # numbered from the rows when read
            return profile
        levels = _levels_of_codes(n, codes, lengths)
        counts = list(grouped.values())
        blank = 0
        ballots: list[tuple[Levels, int]] = []
        for ranking, count in zip(levels, counts, strict=True):
            if ranking:
                ballots.append((ranking, count))
            else:
                blank += count
        return cls(names, tuple(ballots), blank, title)

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

    @cached_property
    def total(self) -> int:
        """Number of non-blank ballots."""
        if self._rows is not None:
            return total_weight(self._rows)
        return sum(count for _, count in self.ballots)

    @cached_property
    def is_empty(self) -> bool:
        """Whether no ranking is marked (every ballot blank, or none cast)."""
        if self._rows is not None:
            return not len(self._rows.lengths)
        return not self.ballots

    @cached_property
    def has_equal_ranks(self) -> bool:
        if self._rows is not None:
            return False
        return any(len(level) > 1 for levels, _ in self.ballots for level in levels)

    @cached_property
    def pairwise(self) -> PairwiseMatrix:
        """The pairwise matrix, built once and shared by every Condorcet method."""
        return build_matrix(
            self.candidates,
            lambda: self.ballots,
            equal_ranks=self.has_equal_ranks,
            rows=self._rows,
        )

    def strict(self, method: str) -> tuple[tuple[tuple[int, ...], int], ...]:
        """Return the ballots as flat strict rankings, or refuse equal ranks clearly."""
        if self.has_equal_ranks:
            raise UnsupportedBallotError(
                f"method {method!r} does not accept equal ranks", where="ballots"
            )
        return tuple((tuple(level[0] for level in levels), n) for levels, n in self.ballots)

    def strict_rows(self, method: str) -> StrictRows:
        """The ballots as numpy rows of candidate numbers (made once), or refuse
        equal ranks clearly. A blank ballot is not among them."""
        if self.has_equal_ranks:
            raise UnsupportedBallotError(
                f"method {method!r} does not accept equal ranks", where="ballots"
            )
        rows = self._rows
        if rows is None:
            rows = rows_of(self.ballots)
            object.__setattr__(self, "_rows", rows)
        return rows

    def ranking_names(self, levels: Levels) -> list[str | list[str]]:
        """Render numbered levels back to names (for export)."""
        return [
            self.candidates[lv[0]] if len(lv) == 1 else [self.candidates[c] for c in lv]
            for lv in levels
        ]


def _levels_of_codes(n: int, codes: np.ndarray, lengths: np.ndarray) -> list[Levels]:
    """Strict rankings from flat candidate numbers, every level one of ``n``
    shared one-candidate tuples (numpy does the lookups, C the tuples)."""
    singles = np.empty(n, dtype=object)
    for i in range(n):
        singles[i] = (i,)
    m = len(lengths)
    length = int(lengths[0]) if m else 0
    if m and (lengths == length).all():
        if not length:
            return [()] * m
        return list(map(tuple, singles[codes.reshape(m, length)].tolist()))
    flat = iter(singles[codes].tolist())
    return [tuple(islice(flat, size)) for size in lengths.tolist()]


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
