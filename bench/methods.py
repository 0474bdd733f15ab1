"""Benchmark of the counting methods (not a test).

Run: ``python bench/methods.py [--runs 3] [--quick]``. Ballots are generated
from a seeded mixture of Mallows models (dispersion 0.5 around three
reference orders, as if three slates of candidates), truncated the way real
voters truncate (most rank a few candidates; 5% rank everyone). Timings
include grouping identical ballots and, for Condorcet methods, building the
pairwise matrix. An impartial-culture profile (every ballot a uniformly
random complete ranking, so almost no two are identical) is the worst case.
The last line printed is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import statistics
import time
from collections.abc import Callable
from functools import partial

from asamblea.voting.methods import RankedProfile, count


def mallows_ballots(n: int, voters: int, *, seed: int, phi: float = 0.5) -> list[tuple[str, ...]]:
    """Sequential Mallows sampling of each ballot's ranked prefix.

    At each position the i-th remaining candidate of the voter's reference
    order is taken with probability proportional to ``phi ** i``, which is
    exactly how the top of a Mallows ranking is distributed.
    """
    rng = random.Random(seed)
    names = [f"C{i:02d}" for i in range(n)]
    references = []
    for _ in range(3):
        ref = names[:]
        rng.shuffle(ref)
        references.append(ref)
    log_phi = math.log(phi)
    ballots: list[tuple[str, ...]] = []
    for _ in range(voters):
        remaining = references[rng.choices((0, 1, 2), weights=(5, 3, 2))[0]][:]
        if rng.random() < 0.05:
            length = n
        else:
            length = min(n, 1 + int(math.log(1.0 - rng.random()) / math.log(0.65)))
        ballot = []
        for _ in range(length):
            while True:
                i = int(math.log(1.0 - rng.random()) / log_phi)
                if i < len(remaining):
                    break
            ballot.append(remaining.pop(i))
        ballots.append(tuple(ballot))
    return ballots


def impartial_ballots(n: int, voters: int, *, seed: int) -> list[tuple[str, ...]]:
    rng = random.Random(seed)
    names = [f"C{i:02d}" for i in range(n)]
    return [tuple(rng.sample(names, n)) for _ in range(voters)]


def timed(fn: Callable[[], object], runs: int) -> tuple[float, list[float]]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), times


def count_fresh(method: str, names: list[str], ballots: list[tuple[str, ...]], seats: int) -> None:
    """Group the raw ballots and count them: what one poll's tally costs."""
    count(method, RankedProfile.from_rankings(names, ballots), seats=seats)


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--voters", type=int, default=1_000_000)
    parser.add_argument("--ic-voters", type=int, default=1_000_000)
    parser.add_argument("--stv-voters", type=int, default=100_000)
    args = parser.parse_args()
    figures: dict[str, object] = {
        "nproc": os.cpu_count(),
        "cpu": cpu_model(),
        "python": platform.python_version(),
        "runs": args.runs,
    }

    ballots = mallows_ballots(20, args.voters, seed=1)
    names = sorted({c for b in ballots for c in b})
    profile = RankedProfile.from_rankings(names, ballots)
    figures["condorcet_voters"] = args.voters
    figures["condorcet_distinct_ballots"] = len(profile.ballots)
    print(f"Mallows mixture: {args.voters} ballots, 20 candidates, {len(profile.ballots)} distinct")
    for method in ("schulze", "ranked-pairs"):
        median, times = timed(partial(count_fresh, method, names, ballots, 1), args.runs)
        figures[f"{method}_s"] = round(median, 3)
        print(
            f"{method}: median {median:.2f} s (runs {', '.join(f'{t:.2f}' for t in times)};"
            " target 5 s)"
        )

    ic = impartial_ballots(20, args.ic_voters, seed=2)
    names = sorted(ic[0])
    start = time.perf_counter()
    ic_profile = RankedProfile.from_rankings(names, ic)
    grouped = time.perf_counter() - start
    start = time.perf_counter()
    count("schulze", ic_profile)
    counted = time.perf_counter() - start
    figures["ic_voters"] = args.ic_voters
    figures["ic_distinct_ballots"] = len(ic_profile.ballots)
    figures["ic_schulze_s"] = round(grouped + counted, 3)
    print(
        f"impartial culture: {args.ic_voters} ballots, {len(ic_profile.ballots)} distinct; "
        f"schulze {grouped + counted:.2f} s (grouping {grouped:.2f} s), one run"
    )

    stv_ballots = mallows_ballots(15, args.stv_voters, seed=3)
    names = sorted({c for b in stv_ballots for c in b})
    stv_profile = RankedProfile.from_rankings(names, stv_ballots)
    figures["stv_voters"] = args.stv_voters
    figures["stv_distinct_ballots"] = len(stv_profile.ballots)
    print(
        f"STV: {args.stv_voters} ballots, 15 candidates, 5 seats, "
        f"{len(stv_profile.ballots)} distinct"
    )
    for method, target in (("scottish-stv", 10), ("meek-stv", 30)):
        result = count(method, stv_profile, seats=5)
        median, times = timed(partial(count_fresh, method, names, stv_ballots, 5), args.runs)
        figures[f"{method}_s"] = round(median, 3)
        figures[f"{method}_winners"] = list(result.winners)
        print(
            f"{method}: median {median:.2f} s (runs {', '.join(f'{t:.2f}' for t in times)};"
            f" target {target} s); elected {', '.join(result.winners)}"
        )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
