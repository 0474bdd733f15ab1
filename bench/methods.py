"""Benchmark of the counting library (not a test).

Run: ``python bench/methods.py [--runs 5] [--only SECTION ...]``, sections:

* ``mallows``: Schulze and ranked pairs over 1,000,000 ballots from a seeded
  mixture of Mallows models (dispersion 0.5 around three reference orders,
  as if three slates), truncated the way real voters truncate (most rank a
  few candidates; 5% rank everyone).
* ``ic``: Schulze over 1,000,000 impartial-culture ballots (every ballot a
  uniformly random complete ranking of 20, so practically all distinct), on
  the numpy path and on the pure path (the baseline) in the same run.
* ``blt``: reading a 1,000,000-ballot BLT file of such ballots (generated
  once under ``bench/out/``), against the reader of commit d1fda2e, loaded
  from git, in the same run (``--blt-baseline-runs``, 1 by default: it is
  slow).
* ``meek``: Meek STV over 100,000 impartial-culture ballots of 10
  candidates, against pyrankvote's (simpler) STV on the same ballots.
* ``stv``: Scottish and Meek STV, 15 candidates, 5 seats, 100,000 Mallows
  ballots.

Every count includes grouping the raw ballots (and validating each distinct
one) unless said otherwise. Figures are medians of CPU time of this process
and of wall time; the last line printed is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import platform
import random
import statistics
import subprocess
import time
import types
from collections import Counter
from collections.abc import Callable
from functools import partial
from pathlib import Path

import numpy as np

from asamblea.voting.methods import RankedProfile, count
from asamblea.voting.methods.blt import parse_blt
from asamblea.voting.methods.pairwise import PairwiseMatrix, build_pure

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "bench" / "out"
BASELINE_COMMIT = "d1fda2e"
"""The last commit before the numpy paths and the fast BLT reader."""


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
    """Median wall time of ``runs`` calls, and every run."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), times


def timed_cpu(fn: Callable[[], object], runs: int) -> dict[str, object]:
    """Medians of CPU time (this process) and wall time over ``runs`` calls.

    CPU time is the figure to compare on a shared machine: wall time also
    counts the time other work held the cores."""
    cpu, wall = [], []
    for _ in range(runs):
        gc.collect()
        c, w = time.process_time(), time.perf_counter()
        fn()
        cpu.append(time.process_time() - c)
        wall.append(time.perf_counter() - w)
    return {
        "cpu_s": round(statistics.median(cpu), 3),
        "wall_s": round(statistics.median(wall), 3),
        "cpu_runs": [round(t, 2) for t in cpu],
    }


def show(label: str, fig: dict[str, object], extra: str = "") -> None:
    runs = ", ".join(f"{t:.2f}" for t in fig["cpu_runs"])  # type: ignore[attr-defined]
    print(f"{label}: CPU {fig['cpu_s']:.2f} s, wall {fig['wall_s']:.2f} s (CPU runs {runs}){extra}")


def count_fresh(method: str, names: list[str], ballots: list[tuple[str, ...]], seats: int) -> None:
    """Group the raw ballots and count them: what one poll's tally costs."""
    count(method, RankedProfile.from_rankings(names, ballots), seats=seats)


def schulze_pure(names: list[str], ballots: list[tuple[str, ...]]) -> object:
    """The baseline: ballot-by-ballot validation and the pure-Python matrix
    (what every count did before the numpy path)."""
    profile = RankedProfile._build(names, Counter(ballots).items(), title="")
    matrix = PairwiseMatrix(profile.candidates, build_pure(len(names), profile.ballots))
    object.__setattr__(profile, "pairwise", matrix)
    return count("schulze", profile)


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def mallows_section(args: argparse.Namespace, figures: dict[str, object]) -> None:
    ballots = mallows_ballots(20, args.voters, seed=1)
    names = sorted({c for b in ballots for c in b})
    profile = RankedProfile.from_rankings(names, ballots)
    figures["condorcet_voters"] = args.voters
    figures["condorcet_distinct_ballots"] = len(profile.ballots)
    print(f"Mallows mixture: {args.voters} ballots, 20 candidates, {len(profile.ballots)} distinct")
    for method in ("schulze", "ranked-pairs"):
        fig = timed_cpu(partial(count_fresh, method, names, ballots, 1), args.runs)
        figures[method] = fig
        show(method, fig, "; target 5 s")


def ic_section(args: argparse.Namespace, figures: dict[str, object]) -> None:
    ic = impartial_ballots(20, args.ic_voters, seed=2)
    names = sorted(ic[0])
    fast = count("schulze", RankedProfile.from_rankings(names, ic))
    assert fast.to_dict() == schulze_pure(names, ic).to_dict()  # type: ignore[attr-defined]
    print(f"impartial culture: {args.ic_voters} ballots, 20 candidates, all distinct")
    fig = timed_cpu(partial(count_fresh, "schulze", names, ic, 1), args.runs)
    base = timed_cpu(partial(schulze_pure, names, ic), args.runs)
    ratio = fig["cpu_s"] / base["cpu_s"]  # type: ignore[operator]
    figures["ic_voters"] = args.ic_voters
    figures["ic_schulze"] = fig
    figures["ic_schulze_pure"] = base
    figures["ic_schulze_ratio_to_pure"] = round(ratio, 3)
    show("schulze (numpy path)", fig, "; target 2 s")
    show("schulze (pure path, baseline)", base, f"; ratio {ratio:.3f}")


def write_ic_blt(path: Path, n: int, voters: int, seed: int) -> None:
    """One ballot per line, weight 1, a random complete ranking each."""
    rng = random.Random(seed)
    numbers = [str(c) for c in range(1, n + 1)]
    with path.open("w", encoding="utf-8") as out:
        out.write(f"{n} 1\n")
        for _ in range(voters):
            rng.shuffle(numbers)
            out.write("1 " + " ".join(numbers) + " 0\n")
        out.write("0\n")
        out.writelines(f'"C{c:02d}"\n' for c in range(n))
        out.write('"Impartial culture"\n')


def load_baseline_blt() -> Callable[[str], object] | None:
    """The BLT reader as it was before the fast path (commit d1fda2e), for a
    baseline in the same run; None when git or the commit is not at hand."""
    try:
        source = subprocess.run(
            ["git", "show", f"{BASELINE_COMMIT}:src/asamblea/voting/methods/blt.py"],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    module = types.ModuleType("blt_baseline")
    exec(compile(source, "blt_baseline.py", "exec"), module.__dict__)  # noqa: S102
    return module.parse_blt  # type: ignore[no-any-return]


def blt_section(args: argparse.Namespace, figures: dict[str, object]) -> None:
    path = OUT / f"ic-{args.blt_voters}.blt"
    if not path.exists():
        OUT.mkdir(exist_ok=True)
        write_ic_blt(path, 20, args.blt_voters, seed=5)
    size = path.stat().st_size
    print(f"BLT: {args.blt_voters} ballots, 20 candidates, {size / 1e6:.1f} MB ({path.name})")

    def read() -> object:
        return parse_blt(path.read_text(encoding="utf-8"))

    fig = timed_cpu(read, args.runs)
    figures["blt_ballots"] = args.blt_voters
    figures["blt_bytes"] = size
    figures["blt_read"] = fig
    show("read BLT", fig, "; target 5 s")
    baseline = load_baseline_blt() if args.blt_baseline_runs else None
    if baseline is not None:
        text = path.read_text(encoding="utf-8")
        old_profile, _ = baseline(text)  # type: ignore[misc]
        new_profile, _ = parse_blt(text)
        assert dict(old_profile.ballots) == dict(new_profile.ballots)
        base = timed_cpu(lambda: baseline(path.read_text(encoding="utf-8")), args.blt_baseline_runs)
        ratio = fig["cpu_s"] / base["cpu_s"]  # type: ignore[operator]
        figures["blt_read_baseline"] = base
        figures["blt_ratio_to_baseline"] = round(ratio, 4)
        show(f"read BLT, reader of {BASELINE_COMMIT} (baseline)", base, f"; ratio {ratio:.4f}")


def meek_section(args: argparse.Namespace, figures: dict[str, object]) -> None:
    import pyrankvote  # dev extra: the benchmark's yardstick only

    ic = impartial_ballots(10, args.meek_voters, seed=4)
    names = sorted(ic[0])
    seats = args.meek_seats
    profile = RankedProfile.from_rankings(names, ic)
    people = {name: pyrankvote.Candidate(name) for name in names}

    def their_ballots() -> list[object]:
        return [pyrankvote.Ballot(ranked_candidates=[people[c] for c in b]) for b in ic]

    ballots = their_ballots()
    ours = count("meek-stv", profile, seats=seats)
    theirs = pyrankvote.single_transferable_vote(
        list(people.values()), ballots, number_of_seats=seats
    )
    their_winners = [c.name for c in theirs.get_winners()]
    print(
        f"Meek STV: {args.meek_voters} impartial-culture ballots, 10 candidates, {seats} seats;"
        f" elected {', '.join(ours.winners)} (pyrankvote: {', '.join(their_winners)})"
    )
    fig = timed_cpu(lambda: count("meek-stv", profile, seats=seats), args.runs)
    base = timed_cpu(
        lambda: pyrankvote.single_transferable_vote(
            list(people.values()), ballots, number_of_seats=seats
        ),
        args.runs,
    )
    fresh = timed_cpu(partial(count_fresh, "meek-stv", names, ic, seats), args.runs)
    fresh_base = timed_cpu(
        lambda: pyrankvote.single_transferable_vote(
            list(people.values()), their_ballots(), number_of_seats=seats
        ),
        args.runs,
    )
    ratio = fig["cpu_s"] / base["cpu_s"]  # type: ignore[operator]
    fresh_ratio = fresh["cpu_s"] / fresh_base["cpu_s"]  # type: ignore[operator]
    figures["meek_voters"] = args.meek_voters
    figures["meek_seats"] = seats
    figures["meek"] = fig
    figures["pyrankvote_stv"] = base
    figures["meek_ratio_to_pyrankvote"] = round(ratio, 3)
    figures["meek_with_ballots"] = fresh
    figures["pyrankvote_stv_with_ballots"] = fresh_base
    figures["meek_with_ballots_ratio"] = round(fresh_ratio, 3)
    show("meek-stv", fig)
    show("pyrankvote STV (baseline)", base, f"; ratio {ratio:.3f}, target < 1")
    show("meek-stv, ballots grouped first", fresh)
    show("pyrankvote STV, Ballot objects built first", fresh_base, f"; ratio {fresh_ratio:.3f}")


def stv_section(args: argparse.Namespace, figures: dict[str, object]) -> None:
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
        fig = timed_cpu(partial(count_fresh, method, names, stv_ballots, 5), args.runs)
        fig["winners"] = list(result.winners)
        figures[method] = fig
        show(method, fig, f"; target {target} s; elected {', '.join(result.winners)}")


SECTIONS = {
    "mallows": mallows_section,
    "ic": ic_section,
    "blt": blt_section,
    "meek": meek_section,
    "stv": stv_section,
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", action="append", choices=sorted(SECTIONS))
    parser.add_argument("--voters", type=int, default=1_000_000)
    parser.add_argument("--ic-voters", type=int, default=1_000_000)
    parser.add_argument("--blt-voters", type=int, default=1_000_000)
    parser.add_argument("--blt-baseline-runs", type=int, default=1)
    parser.add_argument("--meek-voters", type=int, default=100_000)
    parser.add_argument("--meek-seats", type=int, default=3)
    parser.add_argument("--stv-voters", type=int, default=100_000)
    args = parser.parse_args()
    figures: dict[str, object] = {
        "nproc": os.cpu_count(),
        "cpu": cpu_model(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "runs": args.runs,
        "loadavg_start": [round(x, 2) for x in os.getloadavg()],
    }
    for name in args.only or SECTIONS:
        SECTIONS[name](args, figures)
    figures["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    print(f"load average at start {figures['loadavg_start']}, at end {figures['loadavg_end']}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
