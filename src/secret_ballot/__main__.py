"""Command line: ``secret-ballot verify RECORD`` and ``secret-ballot simulate ...`` (spec §9, §10).

Exit codes: 0 the record is valid, 1 a check failed, 2 the input cannot be
read (missing file, malformed JSON, bad arguments).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from secret_ballot.errors import SecretBallotError
from secret_ballot.simulate import simulate
from secret_ballot.verify import verify_record


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="secret-ballot", description="Verify or simulate an end-to-end verifiable election."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    v = sub.add_parser("verify", help="check every rule of the spec on an election record")
    v.add_argument("record", type=Path, help="record directory or .zip")
    v.add_argument("--jobs", type=int, default=1, help="worker processes (default 1)")
    s = sub.add_parser("simulate", help="run a whole election and write its record")
    s.add_argument("--voters", type=int, required=True)
    s.add_argument("--options", type=int, default=3)
    s.add_argument("--trustees", type=int, default=3)
    s.add_argument("--threshold", type=int, default=2)
    s.add_argument("--out", type=Path, required=True, help="record directory or .zip")
    s.add_argument("--jobs", type=int, default=1)
    s.add_argument("--seed", type=str, default=None, help="any text; same seed, same record")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return 0 if exc.code == 0 else 2
    if args.jobs < 1:
        print("error: --jobs must be at least 1", file=sys.stderr)
        return 2
    if args.command == "verify":
        started = time.perf_counter()
        report = verify_record(args.record, jobs=args.jobs)
        print(report.render())
        print(f"({time.perf_counter() - started:.1f} s, {args.jobs} job(s))")
        return report.exit_code
    seed = None if args.seed is None else args.seed.encode("utf-8")
    started = time.perf_counter()
    try:
        summary = simulate(
            voters=args.voters,
            options=args.options,
            trustees=args.trustees,
            threshold=args.threshold,
            out=args.out,
            jobs=args.jobs,
            seed=seed,
        )
    except (SecretBallotError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(
        f"Wrote {args.out}: {summary.voters} voters, {summary.ballots_cast} ballots cast, "
        f"{summary.audited} audited; counts {summary.counts['choice']}; "
        f"decrypted by trustees {list(summary.trustees_present)} "
        f"({time.perf_counter() - started:.1f} s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
