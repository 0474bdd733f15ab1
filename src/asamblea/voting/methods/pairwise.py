"""The pairwise matrix of a ranked profile, built once and shared by every
Condorcet method (the profile caches it: ``RankedProfile.pairwise``).

``d[a][b]`` is the total weight of ballots ranking ``a`` strictly above ``b``;
a ballot that ranks ``a`` and leaves ``b`` unranked counts for ``a``; equal
ranks and two unranked candidates count for neither.

Two builds give the same integers: the pure one, for every profile, and a
numpy one for profiles without equal ranks (complete or truncated strict
rankings), which is what a million distinct ballots need. Tests hold them
equal on generated profiles.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import chain

import numpy as np
import numpy.typing as npt

Levels = tuple[tuple[int, ...], ...]
Matrix = tuple[tuple[int, ...], ...]

NUMPY_MAX_WEIGHT = 1 << 62
"""Above this total weight the numpy build could overflow int64: build purely."""


@dataclass(frozen=True, slots=True)
class PairwiseMatrix:
    """``d[i][j]`` over candidates numbered as in ``candidates``."""

    candidates: tuple[str, ...]
    d: Matrix

    def as_dict(self) -> dict[str, dict[str, int]]:
        names = self.candidates
        return {
            names[i]: {names[j]: self.d[i][j] for j in range(len(names)) if j != i}
            for i in range(len(names))
        }


@dataclass(frozen=True, slots=True)
class StrictRows:
    """Strict rankings as flat arrays: ballot ``i`` ranks, best first,
    ``codes[start_i : start_i + lengths[i]]`` and weighs ``weights[i]``."""

    codes: npt.NDArray[np.int16]
    lengths: npt.NDArray[np.int64]
    weights: npt.NDArray[np.int64]


def total_weight(rows: StrictRows) -> int:
    """The sum of the weights, exact: in int64 when it cannot overflow."""
    w = rows.weights
    if not len(w):
        return 0
    if int(w.max()) < (1 << 62) // len(w):
        return int(w.sum())
    return int(w.sum(dtype=object))


def rows_of(ballots: Sequence[tuple[Levels, int]]) -> StrictRows:
    """Flatten ballots whose every rank holds one candidate."""
    lengths = np.fromiter(map(len, (levels for levels, _ in ballots)), np.int64, len(ballots))
    weights = np.fromiter((w for _, w in ballots), np.int64, len(ballots))
    flat = chain.from_iterable(chain.from_iterable(levels for levels, _ in ballots))
    codes = np.fromiter(flat, np.int16, int(lengths.sum()))
    return StrictRows(codes, lengths, weights)


def build_matrix(
    candidates: tuple[str, ...],
    ballots: Callable[[], Sequence[tuple[Levels, int]]],
    *,
    equal_ranks: bool,
    rows: StrictRows | None = None,
) -> PairwiseMatrix:
    """The matrix by the fastest build that applies (``rows`` if already made;
    ``ballots()`` is only called when the rows are not enough)."""
    if equal_ranks or len(candidates) > 2**15 - 1:
        return PairwiseMatrix(candidates, build_pure(len(candidates), ballots()))
    if rows is None:
        rows = rows_of(ballots())
    if total_weight(rows) >= NUMPY_MAX_WEIGHT:
        return PairwiseMatrix(candidates, build_pure(len(candidates), ballots()))
    return PairwiseMatrix(candidates, build_strict_numpy(len(candidates), rows))


def build_strict_numpy(n: int, rows: StrictRows) -> Matrix:
    """Strict rankings only. Each ballot becomes a row of positions (unranked
    candidates share position ``n``, below everyone ranked), and ``d[a][b]``
    sums the weights of rows where ``a``'s position is smaller than ``b``'s.
    The weights are taken bit by bit, so that each pass only counts rows,
    exactly, in int64."""
    m = len(rows.lengths)
    d = np.zeros((n, n), np.int64)
    if not m:
        return tuple(map(tuple, d.tolist()))
    dtype = np.int8 if n < 127 else np.int16
    positions = np.full((m, n), n, dtype)
    length = int(rows.lengths[0])
    if (rows.lengths == length).all():
        # Rankings of one length (complete ones, say): a plain reshape.
        codes = rows.codes.reshape(m, length).astype(np.intp)
        rank = np.broadcast_to(np.arange(length, dtype=dtype), (m, length))
        np.put_along_axis(positions, codes, rank, axis=1)
    else:
        lengths = rows.lengths.astype(np.int32)
        starts = np.cumsum(lengths, dtype=np.int32) - lengths
        ballot = np.repeat(np.arange(m, dtype=np.int32), lengths)
        rank = np.arange(len(rows.codes), dtype=np.int32) - np.repeat(starts, lengths)
        positions[ballot, rows.codes] = rank.astype(dtype)
    chunk = max(1, (1 << 22) // (n * n))  # about 4 MB of comparisons at a time
    top = int(rows.weights.max())
    for bit in range(top.bit_length()):
        chosen = ((rows.weights >> bit) & 1).astype(bool)
        part = positions if chosen.all() else positions[chosen]
        counted = np.zeros((n, n), np.int64)
        for start in range(0, len(part), chunk):
            p = part[start : start + chunk]
            counted += (p[:, :, None] < p[:, None, :]).sum(axis=0, dtype=np.int64)
        d += counted << bit
    return tuple(map(tuple, d.tolist()))


def build_pure(n: int, ballots: Sequence[tuple[Levels, int]]) -> Matrix:
    """Build ``d`` in one pass over the distinct ballots, in pure Python.

    For a ballot, only pairs of ranked candidates are visited: ``above[a][b]``
    counts ballots ranking both with ``a`` higher, ``equal[a][b]`` both on one
    rank, ``ranked[a]`` ballots ranking ``a`` at all. Then
    ``d[a][b] = ranked[a] - above[b][a] - equal[a][b]``, since a ranked ``a``
    beats ``b`` unless ``b`` is ranked above it or beside it. Truncated ballots
    therefore cost only their length squared (strict ones, their length: see
    the packed rows below).
    """
    above = [[0] * n for _ in range(n)]
    equal = [[0] * n for _ in range(n)]
    ranked = [0] * n
    # Strict ballots: each row of ``above`` is packed into one integer with a
    # field of ``shift`` bits per candidate, wide enough for the total weight.
    # A ballot then costs one addition per ranked candidate instead of one per
    # pair: ``packed[a]`` gains the sum of the fields of everyone ranked below.
    shift = (sum(w for _, w in ballots) or 1).bit_length() + 1
    unit = [1 << (shift * b) for b in range(n)]
    packed = [0] * n
    for levels, w in ballots:
        later: list[int] = [c for level in levels for c in level]
        if len(later) == len(levels):  # no equal ranks
            below = 0
            for a in reversed(later):
                if below:
                    packed[a] += below if w == 1 else below * w
                below += unit[a]
                ranked[a] += w
            continue
        start = 0
        for level in levels:
            start += len(level)
            rest = later[start:]
            for a in level:
                ranked[a] += w
                row = above[a]
                for b in rest:
                    row[b] += w
                eq = equal[a]
                for b in level:
                    if b != a:
                        eq[b] += w
    field = (1 << shift) - 1
    for a in range(n):
        value = packed[a]
        if value:
            row = above[a]
            for b in range(n):
                row[b] += (value >> (shift * b)) & field
    return tuple(
        tuple(0 if a == b else ranked[a] - above[b][a] - equal[a][b] for b in range(n))
        for a in range(n)
    )
