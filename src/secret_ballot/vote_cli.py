"""``secret-ballot vote`` and ``secret-ballot voting-key init``: a member's
device on the command line, against a server's encrypted-poll API (spec §5).

- ``voting-key init``: make a voting key pair (v, V), seal it in a voting key
  file with the member's passphrase (spec §11) and register V.
- ``vote``: read the voting key file, fetch the election, derive the
  credential x = v + δ (spec §5.5), encrypt and prove the ballot with the
  engine, ask the board for the tracker it would get, then cast it and check
  the board's signed receipt (spec §5.6), or with ``--audit`` open it
  instead (Benaloh challenge, spec §5.7) and check the audited line.

Only V and ballots reach the server: v stays in the key file, the nonce seed
of a cast ballot is forgotten. The device does not trust the server: it
checks that the documents it is sent hash to the election hash, that the
credential listed for the member is the one its key gives, the tracker of
the preview, and the receipt or the audited line it gets back.

Exit codes: 0 done, 1 the server's data fails a check (the message says
what to report in public), 2 bad input (arguments, key file, passphrase,
choice), 3 the server cannot be reached or answers with something other
than JSON, 4 the API refused the request (its message and error code are
printed, e.g. a closed poll, a member outside the electorate, a refused
ballot).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from secret_ballot import jsonfields as jf
from secret_ballot.ballot import (
    Ballot,
    Selections,
    audited_from_json,
    ballot_digest,
    ballot_to_json,
    check_own_audit,
    encrypt_ballot,
    next_tracker,
)
from secret_ballot.board import Receipt, verify_receipt
from secret_ballot.cli_client import ApiClient, Failure, read_json_file, write_key_file
from secret_ballot.cli_client import fail as _fail
from secret_ballot.cli_client import passphrase as ask_passphrase
from secret_ballot.credentials import VotingKeyPair
from secret_ballot.election import Election
from secret_ballot.errors import SecretBallotError
from secret_ballot.hash import Digest
from secret_ballot.keyfile import open_voting_key_file, voting_key_file
from secret_ballot.manifest import Contest, ContestKind, Manifest
from secret_ballot.record import load_election

EXIT_CHECK = 1
EXIT_INPUT = 2
EXIT_NETWORK = 3
EXIT_REFUSED = 4


def _api(args: argparse.Namespace) -> ApiClient:
    return ApiClient(args.url, args.token, refused_code=EXIT_REFUSED, network_code=EXIT_NETWORK)


def _check(message: str) -> Failure:
    return Failure(message, EXIT_CHECK)


def _object(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _check(f"the server's {what} is not a JSON object")
    return value


# --- voting-key init ---------------------------------------------------------------


def cmd_key_init(args: argparse.Namespace, out: Callable[[str], None]) -> int:
    api = _api(args)
    path: Path = args.key_file
    if path.exists():
        _fail(f"the key file {path} already exists: choose another path")
    passphrase = ask_passphrase(args.passphrase_env, confirm=True)
    pair = VotingKeyPair.generate()
    write_key_file(path, voting_key_file(pair, passphrase), new=True)
    try:
        registered = _object(
            api.request("POST", "/voting-keys/", {"public_key": pair.public.hex()}),
            "voting key",
        )
    except Failure:
        path.unlink()  # nothing was registered with it: init may simply run again
        raise
    if registered.get("public_key") != pair.public.hex():
        raise _check("the server registered another voting key than the one sent")
    out(f"Voting key file {path} written, voting key registered:")
    out(f"  {pair.public.hex()}")
    out(
        "It serves the polls that open from now on. Keep the key file and its passphrase:"
        " they restore the key on another device."
    )
    return 0


# --- vote ----------------------------------------------------------------------------


def _read_voting_key(path: Path, passphrase: str) -> VotingKeyPair:
    value = read_json_file(path, "voting key file")
    try:
        return open_voting_key_file(value, passphrase)
    except SecretBallotError as exc:
        _fail(f"cannot open the voting key file {path}: {exc}")


def _election(api: ApiClient, poll_id: int, pair: VotingKeyPair) -> Election:
    """The election of ``poll_id`` as the server shows it, after the device's
    checks: the documents hash to h_E and the member's credential is the one
    the voting key gives (spec §5.5)."""
    shown = _object(api.request("GET", f"/polls/{poll_id}/encrypted/election"), "election")
    try:
        election = load_election(
            shown.get("manifest"), shown.get("parameters"), shown.get("election")
        )
        h_e = jf.digest(_object(shown.get("election"), "election keys").get("election_hash"), "")
    except (SecretBallotError, ValueError) as exc:
        raise _check(f"the server's election documents are malformed: {exc}") from None
    if election.election_hash != h_e:
        raise _check(
            "the server's manifest, parameters and keys do not hash to its election hash:"
            " say so in public"
        )
    if shown.get("election_id") != election.manifest.election_id:
        raise _check("the server names another election than its manifest")
    kind = shown.get("credential_kind")
    listed = shown.get("credential")
    if listed is None:
        _fail(
            "you are outside this poll's electorate (it was fixed when the poll opened)",
            EXIT_REFUSED,
        )
    if kind == "server":
        _fail(
            "the server holds your credential for this poll (you had no voting key when it"
            " opened): vote on the poll's page, where the server encrypts for you",
            EXIT_REFUSED,
        )
    try:
        own = pair.credential(election.manifest.election_id)
    except SecretBallotError as exc:
        _fail(f"this voting key cannot vote in this election: {exc}")
    if kind != "device" or listed != own.public.hex():
        raise _check(
            "the credential the server lists for you is not the one your voting key gives:"
            " if you registered this key after the poll opened, use the key file of the"
            " earlier key; otherwise the server listed a credential that is not yours,"
            " say so in public"
        )
    return election


def _find_option(contest: Contest, name: str) -> int | None:
    for i, option in enumerate(contest.options):
        if name in (option.option_id, option.label) or name.casefold() == option.label.casefold():
            return i
    return None


def selections_of(manifest: Manifest, choices: Sequence[str]) -> dict[str, list[int]]:
    """The selections for ``--choice`` values: each names an option by its id
    or its label, optionally ``=VALUE`` (a score; 1 when omitted), and in a
    ballot of several contests ``CONTEST:OPTION``. Options not named get 0.
    Raises :class:`Failure` (exit 2) with a message for the voter."""
    values = {c.contest_id: [0] * len(c.options) for c in manifest.contests}
    for choice in choices:
        name, has_value, value_text = choice.partition("=")
        value = 1
        if has_value:
            try:
                value = int(value_text)
            except ValueError:
                _fail(f"--choice {choice!r}: the value after '=' is a whole number")
        contests = manifest.contests
        contest_id, has_contest, option_name = name.partition(":")
        if has_contest and any(c.contest_id == contest_id for c in contests):
            contests = (manifest.contest(contest_id),)
            name = option_name
        found = [(c, i) for c in contests if (i := _find_option(c, name.strip())) is not None]
        if not found:
            _fail(f"--choice {choice!r}: no such option; the ballot offers:\n{describe(manifest)}")
        if len(found) > 1:
            _fail(f"--choice {choice!r} names options of several contests: write CONTEST:OPTION")
        contest, i = found[0]
        values[contest.contest_id][i] = value
    for contest in manifest.contests:
        try:
            contest.check_selection(values[contest.contest_id])
        except ValueError:
            _fail(f"this choice is not allowed: {_rule(contest)}")
    return values


def _rule(contest: Contest) -> str:
    if contest.kind in (ContestKind.YES_NO_ABSTAIN, ContestKind.ONE_OF_N):
        least = "exactly one option" if contest.min_total == 1 else "at most one option"
        return f"{contest.title!r}: choose {least}"
    if contest.kind is ContestKind.APPROVAL:
        return f"{contest.title!r}: choose {contest.min_total} to {contest.max_total} options"
    return (
        f"{contest.title!r}: give each option 0 to {contest.option_max} points,"
        f" {contest.min_total} to {contest.max_total} in all"
    )


def describe(manifest: Manifest) -> str:
    lines = []
    for contest in manifest.contests:
        lines.append(f"  {contest.contest_id}: {contest.title} ({_rule(contest)})")
        lines.extend(f"    {o.option_id}: {o.label}" for o in contest.options)
    return "\n".join(lines)


def _preview_tracker(
    api: ApiClient, poll_id: int, ballot_json: jf.JSON, h_e: Digest, h_b: Digest
) -> tuple[int, str, str]:
    shown = _object(
        api.request("POST", f"/polls/{poll_id}/encrypted/preview", {"ballot": ballot_json}),
        "preview",
    )
    try:
        index = jf.integer(shown.get("index"), "index", 1)
        previous = jf.digest(shown.get("previous_tracker"), "previous_tracker")
        tracker = jf.digest(shown.get("tracker"), "tracker")
    except SecretBallotError as exc:
        raise _check(f"the server's preview is malformed: {exc}") from None
    if next_tracker(h_e, previous, h_b) != tracker:
        raise _check("the tracker the server shows is not D_tracker(h_E, T_i-1, h_B)")
    return index, previous.hex(), tracker.hex()


def _check_receipt(value: Any, election: Election, h_b: Digest) -> Receipt:
    """The board's receipt, checked as spec §5.6 asks of the device."""
    try:
        receipt = Receipt.from_json(value)
    except SecretBallotError as exc:
        raise _check(f"the server's receipt is malformed: {exc}") from None
    h_e = election.election_hash
    if receipt.election_hash != h_e:
        raise _check("the receipt is for another election")
    if receipt.ballot_hash != h_b:
        raise _check("the receipt is for another ballot than the one this device made")
    if not verify_receipt(
        h_e, election.board_key, receipt.index, h_b, receipt.tracker, receipt.signature
    ):
        raise _check("the receipt is not signed by the board's key: it proves nothing")
    return receipt


def _audit(
    api: ApiClient,
    poll_id: int,
    election: Election,
    ballot: Ballot,
    seed: bytes,
    selections: Selections,
    shown: tuple[int, str, str],
    out: Callable[[str], None],
) -> int:
    body: jf.JSON = {
        "ballot": ballot_to_json(ballot),
        "nonce_seed": seed.hex(),
        "selections": {k: list(v) for k, v in selections.items()},
    }
    value = api.request("POST", f"/polls/{poll_id}/encrypted/audit", body)
    try:
        line = audited_from_json(value, election.manifest)
    except SecretBallotError as exc:
        raise _check(f"the server's audited line is malformed: {exc}") from None
    _index, previous, tracker = shown
    if line.previous_tracker.hex() != previous:
        # A ballot was cast between the preview and the audit: the board
        # audits at its new head, so the tracker shown is the line's own.
        tracker = line.tracker.hex()
    try:
        check_own_audit(election, ballot, seed, selections, Digest(bytes.fromhex(tracker)), line)
    except SecretBallotError as exc:
        raise _check(
            f"the board's audited line is not this device's ballot ({exc}): say so in public"
        ) from None
    out(f"Audited ballot with tracker {line.tracker.hex()}: it encrypts your choice.")
    out("It was not cast and will never be counted: vote again to cast a new ballot.")
    return 0


def cmd_vote(args: argparse.Namespace, out: Callable[[str], None]) -> int:
    api = _api(args)
    passphrase = ask_passphrase(args.passphrase_env, confirm=False)
    pair = _read_voting_key(args.key_file, passphrase)
    election = _election(api, args.poll, pair)
    manifest = election.manifest
    if not args.choice:
        _fail(f"say your choice with --choice; the ballot offers:\n{describe(manifest)}")
    selections = selections_of(manifest, args.choice)
    credential = pair.credential(manifest.election_id)
    ballot, seed = encrypt_ballot(election, credential, selections)
    h_e = election.election_hash
    h_b = ballot_digest(h_e, ballot)
    ballot_json = ballot_to_json(ballot)
    shown = _preview_tracker(api, args.poll, ballot_json, h_e, h_b)
    out(f"Tracker {shown[2]}")
    if args.audit:
        return _audit(api, args.poll, election, ballot, seed, selections, shown, out)
    del seed  # a cast ballot's seed would reveal the choice: never kept
    value = api.request("POST", f"/polls/{args.poll}/encrypted/cast", {"ballot": ballot_json})
    receipt = _check_receipt(value, election, h_b)
    receipt_json = json.dumps(receipt.to_json(), indent=1)
    if receipt.index == shown[0] and receipt.tracker.hex() != shown[2]:
        raise _check("the board gave your ballot the previewed line with another tracker")
    if args.receipt is not None:
        try:
            args.receipt.write_text(receipt_json + "\n", encoding="utf-8")
        except OSError as exc:
            _fail(f"cannot write the receipt {args.receipt}: {exc.strerror}")
    out(f"Cast: line {receipt.index} of the board, tracker {receipt.tracker.hex()}")
    if receipt.index != shown[0]:
        out("  (another ballot was cast meanwhile, so the tracker changed)")
    out("The board's receipt (keep it: with the record it proves your ballot is on the board):")
    out(receipt_json)
    return 0


# --- arguments -----------------------------------------------------------------------


def _poll_id(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError("a poll id is a positive integer") from None
    if not 1 <= value < 2**63:
        raise argparse.ArgumentTypeError("a poll id is a positive integer")
    return value


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--url", required=True, help="the API root, e.g. https://host/api/v1/")
    p.add_argument("--token", required=True, help="your API token")
    p.add_argument("--key-file", required=True, type=Path, help="your voting key file")
    p.add_argument(
        "--passphrase-env",
        metavar="NAME",
        default=None,
        help="read the key file's passphrase from this environment variable (for scripts)",
    )


def add_parsers(sub: Any) -> None:
    """Add ``vote`` and ``voting-key`` to the ``secret-ballot`` parser."""
    vote = sub.add_parser("vote", help="encrypt a ballot on this device and cast or audit it")
    _common(vote)
    vote.add_argument("--poll", required=True, type=_poll_id, help="the poll id")
    vote.add_argument(
        "--choice",
        action="append",
        default=[],
        metavar="OPTION[=VALUE]",
        help="an option by id or label (repeat for several; =VALUE for a score)",
    )
    vote.add_argument(
        "--audit", action="store_true", help="open the ballot instead of casting it (Benaloh)"
    )
    vote.add_argument("--receipt", type=Path, default=None, help="also write the receipt here")
    key = sub.add_parser("voting-key", help="your voting key")
    commands = key.add_subparsers(dest="voting_key_command", required=True)
    _common(commands.add_parser("init", help="make a voting key file and register its key"))


def run(args: argparse.Namespace, out: Callable[[str], None] = print) -> int:
    """Run a parsed ``vote`` or ``voting-key`` command; errors go to stderr."""
    try:
        if args.command == "vote":
            return cmd_vote(args, out)
        return cmd_key_init(args, out)
    except Failure as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.code
