"""``secret-ballot trustee ...``: a trustee's side of a standing key ceremony
run through a server's trustees API (spec §6, §6.9).

- ``init``: make the communication key pair, seal it in a key file with the
  trustee's passphrase, register the public key and confirm the key file.
- ``step``: read the board and take the step the current round needs
  (announce, reveal, respond); once the board is active, derive the key share
  from the published transcript and keep it in the key file.
- ``status``: print where the board and every trustee stand.
- ``decrypt``: answer the tallies waiting for the board: for each poll,
  download its partial record, verify its board and recompute the group sums
  (spec §12.4); answer with the key share's partial decryptions only if they
  equal the sums the server asks for.

Everything secret stays in the key file; the server only ever receives the
public key and the ceremony messages. Before each round's message the key
file is re-sealed with the state the message depends on, so a crash between
the two loses nothing. The device does not trust the relay: it checks h_K
against the parameters, that its own earlier messages are published
unchanged (``dropped_messages``), the dealer signature of every reveal it
answers, and that the joint key the server shows is the one the transcript
gives.

Exit codes: 0 done (or nothing to do yet), 1 a check of the relay's data
failed, 2 bad input, a network error or an API refusal (its message printed).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from secret_ballot import dkg
from secret_ballot import jsonfields as jf
from secret_ballot.cli_client import (
    MAX_RECORD,
    ApiClient,
    Failure,
    read_json_file,
    write_key_file,
)
from secret_ballot.cli_client import fail as _fail
from secret_ballot.cli_client import passphrase as ask_passphrase
from secret_ballot.election import Parameters
from secret_ballot.errors import DecodingError, SecretBallotError
from secret_ballot.group import Scalar, base_mul
from secret_ballot.keyfile import TrusteeKey, open_trustee_key_file, trustee_key_file
from secret_ballot.tally import group_sums_request
from secret_ballot.trustee import Sent, Trustee, dropped_messages
from secret_ballot.verify import verify_board

__all__ = ["Api", "Failure", "add_parser", "published", "run", "transcript_of"]


# --- the API ----------------------------------------------------------------------


class Api(ApiClient):
    """The trustees API of one board, as the trustee with ``token``."""

    def __init__(self, url: str, token: str, board: int) -> None:
        super().__init__(url, token)
        self.board = board

    def call(self, method: str, path: str, body: jf.JSON = None) -> Any:
        """``method`` on ``path`` beneath the board, as JSON."""
        return self.request(method, f"/trustees/boards/{self.board}{path}", body)

    def call_api(self, method: str, path: str, body: jf.JSON = None) -> Any:
        """``method`` on ``path`` beneath the API root, as JSON."""
        return self.request(method, path, body)

    def board_state(self) -> dict[str, Any]:
        value = self.call("GET", "")
        if not isinstance(value, dict):
            _fail("the server's board is not a JSON object")
        return value

    def messages(self) -> list[dict[str, Any]]:
        value = self.call("GET", "/messages")
        if not isinstance(value, list) or not all(isinstance(m, dict) for m in value):
            _fail("the server's transcript is not a list of messages")
        return value


# --- transcript from the relay ----------------------------------------------------


def published(
    parameters: Parameters, messages: Sequence[Mapping[str, Any]]
) -> tuple[list[dkg.Announcement], list[dkg.Reveal], list[dkg.Response]]:
    """Decode the messages the server relays (``GET .../messages``: objects
    with ``trustee``, ``round`` and ``payload``) as the spec's messages.
    Raises :class:`~secret_ballot.errors.DecodingError` on anything malformed."""
    n = parameters.trustee_count
    announcements: list[dkg.Announcement] = []
    reveals: list[dkg.Reveal] = []
    responses: list[dkg.Response] = []
    for k, m in enumerate(messages):
        f = jf.join("messages", k)
        payload = m.get("payload")
        round_name = m.get("round")
        if round_name == "announce":
            announcements.append(dkg.Announcement.from_json(payload, n, jf.join(f, "payload")))
        elif round_name == "reveal":
            reveals.append(dkg.Reveal.from_json(payload, n, jf.join(f, "payload")))
        elif round_name == "respond":
            pf = jf.join(f, "payload")
            for r, item in enumerate(jf.array(payload, pf)):
                responses.append(dkg.response_from_json(item, n, jf.join(pf, r)))
        else:
            raise DecodingError("announce, reveal or respond", jf.join(f, "round"))
    return announcements, reveals, responses


def transcript_of(parameters: Parameters, messages: Sequence[Mapping[str, Any]]) -> dkg.Transcript:
    """The ceremony transcript (spec §8.3) of the relayed messages."""
    announcements, reveals, responses = published(parameters, messages)
    return dkg.Transcript.collect(announcements, reveals, responses)


# --- key file -----------------------------------------------------------------------


def _read_key(path: Path, passphrase: str) -> TrusteeKey:
    value = read_json_file(path, "key file")
    try:
        return open_trustee_key_file(value, passphrase)
    except SecretBallotError as exc:
        _fail(f"cannot open the key file {path}: {exc}")


def _write_key(path: Path, key: TrusteeKey, passphrase: str, *, new: bool = False) -> None:
    write_key_file(path, trustee_key_file(key, passphrase), new=new)


# --- commands ---------------------------------------------------------------------


def _my_index(board: Mapping[str, Any]) -> int:
    index = board.get("my_index")
    if not isinstance(index, int) or isinstance(index, bool):
        _fail("you hold no seat on this board (check --board and --token)")
    return index


def cmd_init(args: argparse.Namespace, out: Callable[[str], None]) -> int:
    api = Api(args.url, args.token, args.board)
    path: Path = args.key_file
    if path.exists():
        _fail(f"the key file {path} already exists: choose another path")
    board = api.board_state()
    index = _my_index(board)
    if board.get("state") != "forming":
        _fail("keys are registered while the board is being formed")
    passphrase = ask_passphrase(args.passphrase_env, confirm=True)
    secret = Scalar.random()
    while secret.is_zero():  # pragma: no cover - probability 2^-256
        secret = Scalar.random()
    key = TrusteeKey(
        str(board.get("ceremony_id")),
        None,
        index,
        base_mul(secret),
        {"communication_secret": secret.hex()},
    )
    _write_key(path, key, passphrase, new=True)
    try:
        api.call("POST", "/key", {"communication_key": key.communication_key.hex()})
    except Failure:
        path.unlink()  # nothing was registered with it: init may simply run again
        raise
    api.call("POST", "/key-file")
    out(f"Trustee {index}: key file {path} written, communication key registered:")
    out(f"  {key.communication_key.hex()}")
    out("Keep the key file and its passphrase: without them your part of the key is lost.")
    return 0


def _check_board(board: Mapping[str, Any], key: TrusteeKey) -> None:
    if board.get("ceremony_id") != key.ceremony_id:
        _fail("this key file belongs to another board (ceremony id differs)")
    if _my_index(board) != key.index:
        _fail(f"this key file is trustee {key.index}'s, your seat is {board.get('my_index')}")
    mine = next((t for t in board.get("trustees", []) if t.get("index") == key.index), None)
    if mine is None or mine.get("communication_key") != key.communication_key.hex():
        _fail("the key registered for your seat is not this key file's", 1)


def _parameters(board: Mapping[str, Any], key: TrusteeKey) -> Parameters:
    try:
        parameters = Parameters.from_json(board.get("parameters"))
    except SecretBallotError as exc:
        _fail(f"the server's parameters are malformed: {exc}", 1)
    h_k = parameters.digest()
    if board.get("ceremony_hash") != h_k.hex():
        _fail("the server's ceremony hash is not the hash of its parameters", 1)
    if key.ceremony_hash is not None and key.ceremony_hash != h_k:
        _fail("the parameters changed since this key file was written", 1)
    if parameters.ceremony_id != key.ceremony_id:
        _fail("the parameters name another ceremony", 1)
    info = parameters.trustees[key.index - 1] if key.index <= parameters.trustee_count else None
    if info is None or info.communication_key != key.communication_key:
        _fail("the parameters do not list your communication key at your index", 1)
    return parameters


def _check_published(sent: Sequence[Sent], shown: Sequence[Sent]) -> None:
    missing = dropped_messages(sent, shown)
    if missing:
        rounds = ", ".join(sorted({type(m).__name__.lower() for m in missing}))
        _fail(
            f"the server does not publish your message(s) as sent ({rounds}): say so in public",
            1,
        )


def cmd_step(args: argparse.Namespace, out: Callable[[str], None]) -> int:
    api = Api(args.url, args.token, args.board)
    passphrase = ask_passphrase(args.passphrase_env, confirm=False)
    key = _read_key(args.key_file, passphrase)
    board = api.board_state()
    _check_board(board, key)
    state = board.get("state")
    if state == "forming":
        out("The ceremony has not started yet: nothing to do.")
        return 0
    parameters = _parameters(board, key)
    h_k = parameters.digest()
    try:
        if "coefficients" in key.secret or "key_share" in key.secret:
            trustee = Trustee.from_secret_json(parameters, key.index, key.secret)
        else:
            trustee = Trustee.create(parameters, key.index, key.communication_secret)
    except SecretBallotError as exc:
        _fail(f"the key file does not fit this ceremony: {exc}")

    def save() -> None:
        state_key = TrusteeKey(
            key.ceremony_id, h_k, key.index, key.communication_key, trustee.to_secret_json()
        )
        _write_key(args.key_file, state_key, passphrase)

    if key.ceremony_hash is None:
        save()  # the polynomial is fixed before anything depends on it
    if state == "failed":
        out(f"The ceremony failed ({board.get('failure')}): the board must be renewed.")
        return 0
    if state == "retired":
        out("This board is retired: nothing to do.")
        return 0
    try:
        announcements, reveals, responses = published(parameters, api.messages())
    except SecretBallotError as exc:
        _fail(f"the server's transcript is malformed: {exc}", 1)
    own_ann = [a for a in announcements if a.dealer == key.index]
    own_rev = [r for r in reveals if r.dealer == key.index]
    if state == "active":
        return _keep_key_share(
            board, parameters, trustee, announcements, reveals, responses, save, out
        )
    if trustee.finished:
        _fail("the key file already holds a key share of this ceremony")
    round_name = board.get("round")
    steps = next(t for t in board["trustees"] if t["index"] == key.index)["steps"]
    if round_name == "announce":
        if steps.get("announce"):
            out("Your announcement arrived; wait for the reveal round.")
            return 0
        api.call("POST", "/messages/announce", {"payload": trustee.announce().to_json()})
        out(f"Trustee {key.index}: announcement sent.")
        return 0
    if round_name == "reveal":
        if not own_ann:
            out("You did not announce, so you do not deal; respond in the next round.")
            return 0
        _check_published([trustee.announce()], own_ann)
        if steps.get("reveal"):
            out("Your reveal arrived; wait for the respond round.")
            return 0
        api.call("POST", "/messages/reveal", {"payload": trustee.reveal().to_json()})
        out(f"Trustee {key.index}: reveal sent.")
        return 0
    if round_name == "respond":
        if own_ann:
            _check_published([trustee.announce()], own_ann)
        if own_rev:
            _check_published([trustee.reveal()], own_rev)
        if steps.get("respond"):
            out("Your responses arrived; wait for the ceremony to end.")
            return 0
        try:
            answers = trustee.respond(reveals)
        except SecretBallotError as exc:
            _fail(f"a published reveal fails its check, nothing sent ({exc}): say so in public", 1)
        save()
        api.call("POST", "/messages/respond", {"payload": [r.to_json() for r in answers]})
        complaints = [r.dealer for r in answers if isinstance(r, dkg.Complaint)]
        out(f"Trustee {key.index}: {len(answers)} response(s) sent.")
        if complaints:
            out(f"  complaints against dealer(s) {complaints}: their shares to you are wrong.")
        return 0
    _fail(f"unknown board state {state!r} / round {round_name!r}")


def _keep_key_share(
    board: Mapping[str, Any],
    parameters: Parameters,
    trustee: Trustee,
    announcements: Sequence[dkg.Announcement],
    reveals: Sequence[dkg.Reveal],
    responses: Sequence[dkg.Response],
    save: Callable[[], None],
    out: Callable[[str], None],
) -> int:
    index = trustee.index
    try:
        outcome = dkg.evaluate_transcript(
            parameters, dkg.Transcript.collect(announcements, reveals, responses)
        )
    except SecretBallotError as exc:
        _fail(f"the published transcript is invalid: {exc}", 1)
    if outcome.joint_key is None or outcome.joint_key.hex() != board.get("joint_key"):
        _fail("the server's joint key is not the one the transcript gives", 1)
    if list(outcome.qualified) != board.get("qualified"):
        _fail("the server's qualified trustees are not the transcript's", 1)
    if not trustee.finished:
        try:
            trustee.key_share(outcome)
        except SecretBallotError as exc:
            _fail(f"no usable key share: {exc}", 1)
        save()
        out(f"Trustee {index}: key share kept in the key file.")
    else:
        out(f"Trustee {index}: the key file already holds your key share.")
    out(f"  joint key {outcome.joint_key.hex()}, qualified {list(outcome.qualified)}")
    for note in outcome.notes():
        out(f"  {note}")
    return 0


def cmd_status(args: argparse.Namespace, out: Callable[[str], None]) -> int:
    api = Api(args.url, args.token, args.board)
    board = api.board_state()
    out(
        f"Board {board.get('id')} ({board.get('node_name')}): {board.get('state')}, "
        f"{board.get('threshold')} of {board.get('size')}"
    )
    if board.get("round"):
        out(f"  round {board.get('round')} until {board.get('round_deadline')}")
    if board.get("ceremony_hash"):
        out(f"  ceremony hash {board.get('ceremony_hash')}")
    if board.get("joint_key"):
        out(f"  joint key {board.get('joint_key')}, qualified {board.get('qualified')}")
    if board.get("failure"):
        out(f"  failed: {board.get('failure')}")
    for t in board.get("trustees", []):
        done = [name for name, ok in t.get("steps", {}).items() if ok]
        faults = f"; faults: {', '.join(t['faults'])}" if t.get("faults") else ""
        out(f"  trustee {t.get('index')} {t.get('pseudonym')}: {', '.join(done) or '-'}{faults}")
    if board.get("my_index") is not None:
        out(f"You are trustee {board['my_index']}; next: {board.get('my_next_step')}")
    return 0


def _waiting(api: Api, poll: int | None) -> list[int]:
    """The polls this board is asked to decrypt and the caller has not answered."""
    value = api.call("GET", "/decryptions")
    if not isinstance(value, list) or not all(isinstance(w, dict) for w in value):
        _fail("the server's list of decryptions is not a list of objects")
    polls = [
        w["poll_id"]
        for w in value
        if w.get("state") == "decrypting"
        and not w.get("answered")
        and isinstance(w.get("poll_id"), int)
    ]
    if poll is not None:
        return [poll] if poll in polls else []
    return polls


def _recomputed_request(
    api: Api, poll: int, jobs: int, out: Callable[[str], None]
) -> tuple[Any, jf.JSON]:
    """(election, request) from the poll's partial record, checked (spec §12.4)."""
    data = api.fetch("GET", f"/polls/{poll}/encrypted/record", limit=MAX_RECORD)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "record.zip"
        path.write_bytes(data)
        report, found = verify_board(path, jobs)
    if found is None:
        out(report.render())
        _fail(f"poll {poll}: the board of its record does not verify; not answering", 1)
    request = group_sums_request(found.election, found.tree, found.sums, found.counted)
    return found.election, request


def cmd_decrypt(args: argparse.Namespace, out: Callable[[str], None]) -> int:
    """Answer every tally waiting for this board (or ``--poll``'s) with the
    key share in the key file, after recomputing the group sums from the
    poll's record and finding them equal to the server's request."""
    api = Api(args.url, args.token, args.board)
    passphrase = ask_passphrase(args.passphrase_env, confirm=False)
    key = _read_key(args.key_file, passphrase)
    board = api.board_state()
    _check_board(board, key)
    if board.get("state") not in ("active", "retired"):
        _fail("this board has no standing key yet: finish the ceremony first")
    parameters = _parameters(board, key)
    try:
        trustee = Trustee.from_secret_json(parameters, key.index, key.secret)
    except SecretBallotError as exc:
        _fail(f"the key file does not fit this ceremony: {exc}")
    if not trustee.finished:
        _fail("the key file holds no key share yet: run `trustee step` once the board is active")
    polls = _waiting(api, args.poll)
    if not polls:
        out("No tally is waiting for your answer.")
        return 0
    for poll in polls:
        status = api.call_api("GET", f"/polls/{poll}/encrypted/tally")
        if not isinstance(status, dict) or status.get("state") != "decrypting":
            out(f"Poll {poll}: not waiting for the trustees any more.")
            continue
        election, request = _recomputed_request(api, poll, args.jobs, out)
        if status.get("request") != request:
            _fail(
                f"poll {poll}: the server asks to decrypt sums that are not the group sums"
                " of its board (spec §12.4); not answering",
                1,
            )
        try:
            answer = trustee.decrypt_sums(election, request)
        except SecretBallotError as exc:
            _fail(f"poll {poll}: cannot decrypt: {exc}")
        result = api.call_api("POST", f"/polls/{poll}/encrypted/tally/answer", {"answer": answer})
        out(f"Poll {poll}: answer {result.get('state')} as trustee {result.get('trustee')}.")
    return 0


# --- arguments --------------------------------------------------------------------


def _board_id(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError("a board id is a positive integer") from None
    if not 1 <= value < 2**63:
        raise argparse.ArgumentTypeError("a board id is a positive integer")
    return value


def add_parser(sub: Any) -> None:
    """Add ``trustee`` and its commands to the ``secret-ballot`` parser."""
    trustee = sub.add_parser("trustee", help="take part in a board's key ceremony")
    commands = trustee.add_subparsers(dest="trustee_command", required=True)

    def common(p: argparse.ArgumentParser, *, key_file: bool) -> None:
        p.add_argument("--url", required=True, help="the API root, e.g. https://host/api/v1/")
        p.add_argument("--token", required=True, help="your API token")
        p.add_argument("--board", required=True, type=_board_id, help="the board id")
        if key_file:
            p.add_argument("--key-file", required=True, type=Path, help="your trustee key file")
            p.add_argument(
                "--passphrase-env",
                metavar="NAME",
                default=None,
                help="read the passphrase from this environment variable (for scripts)",
            )

    common(
        commands.add_parser("init", help="create your key file and register your key"),
        key_file=True,
    )
    common(commands.add_parser("step", help="take the current round's step"), key_file=True)
    common(commands.add_parser("status", help="show the board's state"), key_file=False)
    decrypt = commands.add_parser(
        "decrypt", help="answer the tallies waiting for this board's decryption"
    )
    common(decrypt, key_file=True)
    decrypt.add_argument("--poll", type=_board_id, default=None, help="only this poll")
    decrypt.add_argument(
        "--jobs", type=int, default=1, help="processes to check the record with (default 1)"
    )


def run(args: argparse.Namespace, out: Callable[[str], None] = print) -> int:
    """Run a parsed ``trustee`` command; errors go to stderr with their exit code."""
    commands = {
        "init": cmd_init,
        "step": cmd_step,
        "status": cmd_status,
        "decrypt": cmd_decrypt,
    }
    try:
        return commands[args.trustee_command](args, out)
    except Failure as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.code
