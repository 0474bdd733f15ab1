"""Command line: ``verify RECORD``, ``check-receipt RECORD RECEIPT``, ``simulate ...``,
``trustee init|step|status ...`` (see :mod:`secret_ballot.trustee_cli`),
``vote ...`` and ``voting-key init ...`` (see :mod:`secret_ballot.vote_cli`,
which has exit codes of its own).

Exit codes (spec §9, §5.6, §10): 0 the record is valid (the receipt matches
the record), 1 a check failed (the receipt proves that the board broke its
word), 2 the input cannot be read or the receipt is not the board's
(missing file, malformed JSON, bad arguments).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from secret_ballot.board import BoardBreach, Receipt, check_receipt_in_record
from secret_ballot.committees import DEFAULT_MINIMUM_GROUP
from secret_ballot.errors import SecretBallotError
from secret_ballot.simulate import simulate
from secret_ballot.trustee_cli import add_parser as add_trustee_parser
from secret_ballot.trustee_cli import run as run_trustee
from secret_ballot.verify import verify_record
from secret_ballot.vote_cli import add_parsers as add_vote_parsers
from secret_ballot.vote_cli import run as run_vote


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="secret-ballot", description="Verify or simulate an end-to-end verifiable election."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    v = sub.add_parser("verify", help="check every rule of the spec on an election record")
    v.add_argument("record", type=Path, help="record directory or .zip")
    v.add_argument("--jobs", type=int, default=1, help="worker processes (default 1)")
    r = sub.add_parser("check-receipt", help="check a voter's receipt against a record")
    r.add_argument("record", type=Path, help="record directory or .zip")
    r.add_argument("receipt", type=Path, help="the receipt, a JSON file (spec §5.6)")
    s = sub.add_parser("simulate", help="run a whole election and write its record")
    s.add_argument("--voters", type=int, required=True)
    s.add_argument("--options", type=int, default=3)
    s.add_argument("--trustees", type=int, default=3)
    s.add_argument("--threshold", type=int, default=2)
    s.add_argument("--out", type=Path, required=True, help="record directory or .zip")
    s.add_argument("--jobs", type=int, default=1)
    s.add_argument("--seed", type=str, default=None, help="any text; same seed, same record")
    s.add_argument(
        "--minimum-group",
        type=int,
        default=DEFAULT_MINIMUM_GROUP,
        help=f"smallest group of counted ballots decrypted alone (default {DEFAULT_MINIMUM_GROUP})",
    )
    add_trustee_parser(sub)
    add_vote_parsers(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return 0 if exc.code == 0 else 2
    if args.command == "trustee":
        return run_trustee(args)
    if args.command in ("vote", "voting-key"):
        return run_vote(args)
    if args.command == "check-receipt":
        return _check_receipt(args.record, args.receipt)
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
            minimum_group=args.minimum_group,
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


def _check_receipt(record: Path, receipt_path: Path) -> int:
    try:
        receipt = Receipt.from_json(json.loads(receipt_path.read_bytes()))
        check_receipt_in_record(record, receipt)
    except BoardBreach as exc:
        print(f"PROOF that the board broke its word: {exc}")
        return 1
    except (SecretBallotError, OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"The receipt matches line {receipt.index} of the board.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
