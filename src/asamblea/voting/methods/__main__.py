"""Command line: ``python -m asamblea.voting.methods count --method NAME FILE``.

Reads a BLT file (ranked ballots) or a JSON poll (any ballot kind; chosen by
the ``.json`` suffix or a leading ``{``), counts it and prints the result as
indented text, or with ``--json`` as one JSON object whose first key is
``winners``. Bad input is reported on standard error with exit status 2.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence

from asamblea.voting.methods.blt import parse_blt
from asamblea.voting.methods.errors import CountingError
from asamblea.voting.methods.jsonio import parse_json
from asamblea.voting.methods.profile import ChoiceProfile, RankedProfile
from asamblea.voting.methods.registry import METHODS, count, get_method
from asamblea.voting.methods.result import JSON

EXIT_BAD_INPUT = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        sys.stderr.write(f"error: {message}\n")
        raise SystemExit(EXIT_BAD_INPUT)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m asamblea.voting.methods", description="Count ballots.")
    sub = parser.add_subparsers(dest="command", required=True)
    c = sub.add_parser("count", help="count a BLT or JSON ballot file")
    c.add_argument("--method", required=True, help=", ".join(sorted(METHODS)))
    c.add_argument("--seats", type=int, default=None, help="seats (multi-winner methods)")
    c.add_argument("--seed", default="", help="seed for draws by lot")
    c.add_argument("--json", action="store_true", help="print the result as JSON")
    c.add_argument("--max-blocks", type=int, default=0, help="consent: blocks tolerated")
    c.add_argument("file", help="ballot file; '-' reads standard input")
    return parser


def render_text(data: JSON, indent: int = 0) -> list[str]:
    """Indented plain-text rendering of JSON data (keys are machine codes)."""
    pad = "  " * indent
    lines: list[str] = []
    if isinstance(data, dict):
        for key, value in data.items():
            if isinstance(value, dict | list) and value:
                if isinstance(value, list) and all(not isinstance(v, dict | list) for v in value):
                    lines.append(f"{pad}{key}: {', '.join(str(v) for v in value)}")
                else:
                    lines.append(f"{pad}{key}:")
                    lines.extend(render_text(value, indent + 1))
            else:
                lines.append(f"{pad}{key}: {'' if value in ({}, []) else value}")
    elif isinstance(data, list):
        for item in data:
            sub = render_text(item, indent + 1)
            if sub:
                lines.append(f"{pad}- {sub[0].strip()}")
                lines.extend(sub[1:])
    else:
        lines.append(f"{pad}{data}")
    return lines


def run_count(args: argparse.Namespace) -> int:
    spec = get_method(args.method)
    try:
        if args.file == "-":
            text = sys.stdin.read()
        else:
            with open(args.file, encoding="utf-8") as handle:
                text = handle.read()
    except OSError as exc:
        raise CountingError(exc.strerror or "cannot read the file", where=args.file) from None
    except UnicodeDecodeError:
        raise CountingError("the file is not UTF-8 text", where=args.file) from None
    is_json = args.file.endswith(".json") or text.lstrip().startswith("{")
    entitled = present = None
    policy = None
    if is_json:
        poll = parse_json(text, method=args.method)
        profile, file_seats = poll.profile, poll.seats
        entitled, present, policy = poll.entitled, poll.present, poll.policy
    else:
        profile, file_seats = parse_blt(text)
    if "choice" in spec.ballot_kinds and isinstance(profile, RankedProfile):
        profile = ChoiceProfile.from_ranked(profile)
    seats = args.seats if args.seats is not None else (file_seats or 1)
    if not spec.multi_winner and args.seats is None:
        seats = 1
    result = count(
        args.method,
        profile,
        seats=seats,
        seed=args.seed,
        policy=policy,
        entitled=entitled,
        present=present,
        max_blocks=args.max_blocks,
    )
    data = result.to_dict()
    if isinstance(profile, RankedProfile) and profile.withdrawn:
        data["withdrawn"] = list(profile.withdrawn)
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=1))
    else:
        print("\n".join(render_text(data)))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return run_count(args)
    except CountingError as exc:
        sys.stderr.write(f"error: {exc} [{exc.code}]\n")
        return EXIT_BAD_INPUT
    except BrokenPipeError:
        # The reader (e.g. ``head``) stopped early; that is not an error.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
