"""``secret-ballot trustee``: three trustees against the live server, one of
whom never acts after registering; and every refusal of the command line."""

from __future__ import annotations

import copy
import json
from datetime import timedelta

import pytest
from django.utils import timezone

from asamblea.accounts import services as account_services
from asamblea.trustees import services
from asamblea.trustees.models import BoardState, CeremonyMessage, Round, TrusteeBoard
from secret_ballot import cli_client, trustee_cli
from secret_ballot.__main__ import main
from secret_ballot.group import Scalar, base_mul
from secret_ballot.keyfile import open_trustee_key_file

PASSPHRASE = "correct horse battery staple"


def _token(member) -> str:
    _token, raw = account_services.create_api_token(member=member, name="cli")
    return raw


def _args(command, url, token, board_id, key_file=None):
    args = ["trustee", command, "--url", url, "--token", token, "--board", str(board_id)]
    if key_file is not None:
        args += ["--key-file", str(key_file), "--passphrase-env", "TRUSTEE_PASSPHRASE"]
    return args


def _run(capsys, args) -> tuple[int, str, str]:
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_three_trustees_run_the_ceremony_from_the_command_line(
    fed, live_server, tmp_path, monkeypatch, capsys
):
    monkeypatch.setenv("TRUSTEE_PASSPHRASE", PASSPHRASE)
    url = f"{live_server.url}/api/v1/"
    board = services.create_board(actor=fed.secretary, node=fed.committee_a1)
    members = {1: fed.secretary, 2: fed.member, 3: fed.other_member}
    for member in members.values():
        services.appoint_trustee(actor=fed.secretary, board=board, member=member)
    tokens = {i: _token(m) for i, m in members.items()}
    files = {i: tmp_path / f"trustee-{i}.key" for i in members}

    def cli(command, i, *, key=True):
        return _run(capsys, _args(command, url, tokens[i], board.pk, files[i] if key else None))

    for i in members:
        code, out, err = cli("init", i)
        assert code == 0, err
        assert f"Trustee {i}: key file" in out
    seats = {s.index: s for s in board.trustees.all()}
    for i in members:
        key = open_trustee_key_file(json.loads(files[i].read_bytes()), PASSPHRASE)
        assert key.index == i
        assert key.ceremony_id == board.ceremony_id
        assert seats[i].communication_key == key.communication_key.hex()
        assert seats[i].is_ready
        assert "communication_secret" not in files[i].read_text()
    # Before the start there is nothing to do.
    code, out, _err = cli("step", 1)
    assert (code, "has not started" in out) == (0, True)
    services.start_ceremony(actor=fed.secretary, board=board)

    # Trustee 3 never acts again.
    for i in (1, 2):
        code, out, err = cli("step", i)
        assert code == 0, err
        assert "announcement sent" in out
    code, out, _err = cli("step", 1)
    assert "arrived" in out
    later = timezone.now() + timedelta(hours=board.round_hours + 1)
    assert services.advance_due_ceremonies(now=later) == 1
    assert TrusteeBoard.objects.get(pk=board.pk).round == Round.REVEAL
    for i in (1, 2):
        code, out, err = cli("step", i)
        assert (code, "reveal sent" in out) == (0, True), err
    # Both dealers revealed: the respond round opened at once.
    assert TrusteeBoard.objects.get(pk=board.pk).round == Round.RESPOND
    for i in (1, 2):
        code, out, err = cli("step", i)
        assert (code, "1 response(s) sent" in out) == (0, True), err
    code, out, _err = cli("status", 2, key=False)
    assert code == 0
    assert "respond" in out
    assert "You are trustee 2" in out
    assert services.advance_due_ceremonies(now=later + timedelta(hours=2 * board.round_hours)) == 1
    done = TrusteeBoard.objects.get(pk=board.pk)
    assert done.state == BoardState.ACTIVE
    assert done.qualified == [1, 2]
    assert done.faults == {"3": ["not-announced"]}
    for i in (1, 2):
        code, out, err = cli("step", i)
        assert code == 0, err
        assert "key share kept" in out
        assert done.joint_key in out
        key = open_trustee_key_file(json.loads(files[i].read_bytes()), PASSPHRASE)
        assert set(key.secret) == {"communication_secret", "key_share"}
        x = Scalar.from_hex(key.secret["key_share"])
        assert base_mul(x).hex() == done.verification_keys[i - 1]
        assert key.ceremony_hash is not None
        assert key.ceremony_hash.hex() == done.ceremony_hash
    code, out, _err = cli("step", 1)
    assert "already holds your key share" in out
    code, out, _err = cli("status", 3, key=False)
    assert code == 0
    assert "active" in out
    assert "not-announced" in out
    assert done.joint_key in out


def test_argument_errors_exit_with_2(tmp_path, capsys):
    base = ["trustee", "step", "--url", "http://127.0.0.1:9/api/v1/", "--token", "t"]
    key = ["--key-file", str(tmp_path / "k.key")]
    cases = [
        ["trustee"],
        ["trustee", "fly"],
        [*base, *key],  # no --board
        [*base, "--board", "x", *key],
        [*base, "--board", "0", *key],
        [*base, "--board", str(2**63), *key],
        [*base, "--board", "1"],  # no --key-file
        ["trustee", "status", "--url", "http://h/", "--board", "1"],  # no --token
    ]
    for args in cases:
        assert main(args) == 2, args
    capsys.readouterr()


@pytest.mark.parametrize(
    ("url", "token", "message"),
    [
        ("ftp://host/api/v1/", "t", "--url must be an http(s) address"),
        ("not a url", "t", "--url must be an http(s) address"),
        ("http://127.0.0.1:9/api/v1/", "has space", "--token"),
        ("http://127.0.0.1:9/api/v1/", "t", "cannot reach"),
    ],
)
def test_bad_addresses_and_unreachable_servers_exit_with_2(url, token, message, capsys):
    assert main(["trustee", "status", "--url", url, "--token", token, "--board", "1"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ")
    assert message in err


def test_api_refusals_print_the_api_message(fed, live_server, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("TRUSTEE_PASSPHRASE", PASSPHRASE)
    url = f"{live_server.url}/api/v1/"
    board = services.create_board(actor=fed.secretary, node=fed.committee_a1)
    services.appoint_trustee(actor=fed.secretary, board=board, member=fed.member)
    token = _token(fed.member)
    # A token the server does not know: the API's refusal, exit 2.
    code, _out, err = _run(capsys, _args("status", url, "nope", board.pk))
    assert code == 2
    assert "401" in err
    # A board this trustee does not see.
    code, _out, err = _run(capsys, _args("status", url, token, 999999))
    assert (code, "404" in err) == (2, True)
    # Someone without a seat cannot init.
    outsider = tmp_path / "outsider.key"
    code, _out, err = _run(capsys, _args("init", url, _token(fed.secretary), board.pk, outsider))
    assert (code, "no seat" in err, outsider.exists()) == (2, True, False)
    # The passphrase variable must be set.
    key_file = tmp_path / "t.key"
    monkeypatch.delenv("TRUSTEE_PASSPHRASE")
    code, _out, err = _run(capsys, _args("init", url, token, board.pk, key_file))
    assert (code, "TRUSTEE_PASSPHRASE" in err, key_file.exists()) == (2, True, False)
    monkeypatch.setenv("TRUSTEE_PASSPHRASE", PASSPHRASE)
    assert _run(capsys, _args("init", url, token, board.pk, key_file))[0] == 0
    # An existing key file is never overwritten.
    before = key_file.read_bytes()
    code, _out, err = _run(capsys, _args("init", url, token, board.pk, key_file))
    assert (code, "already exists" in err) == (2, True)
    assert key_file.read_bytes() == before
    # A second init elsewhere: the API refuses nothing, but the board is no
    # longer forming once started; here it still is, so the key is replaced
    # and the old file no longer matches the seat.
    other = tmp_path / "other.key"
    assert _run(capsys, _args("init", url, token, board.pk, other))[0] == 0
    code, _out, err = _run(capsys, _args("step", url, token, board.pk, key_file))
    assert (code, "not this key file's" in err) == (1, True)
    # A wrong passphrase.
    monkeypatch.setenv("TRUSTEE_PASSPHRASE", "wrong")
    code, _out, err = _run(capsys, _args("step", url, token, board.pk, other))
    assert (code, "cannot open the key file" in err) == (2, True)
    # A missing key file.
    code, _out, err = _run(capsys, _args("step", url, token, board.pk, tmp_path / "none.key"))
    assert (code, "cannot read the key file" in err) == (2, True)
    # Registering a key once the ceremony started is refused by the API.
    monkeypatch.setenv("TRUSTEE_PASSPHRASE", PASSPHRASE)
    board.size = 1
    board.threshold = 1
    board.save(update_fields=["size", "threshold"])
    services.start_ceremony(actor=fed.secretary, board=board)
    late = tmp_path / "late.key"
    code, _out, err = _run(capsys, _args("init", url, token, board.pk, late))
    assert (code, "being formed" in err, late.exists()) == (2, True, False)


def test_the_device_does_not_trust_the_relay(fed, live_server, tmp_path, monkeypatch, capsys):
    """A server that alters what it publishes is caught before the trustee
    sends anything that depends on it (exit 1, nothing stored)."""
    monkeypatch.setenv("TRUSTEE_PASSPHRASE", PASSPHRASE)
    url = f"{live_server.url}/api/v1/"
    board = services.create_board(actor=fed.secretary, node=fed.committee_a1)
    members = {1: fed.secretary, 2: fed.member, 3: fed.other_member}
    for member in members.values():
        services.appoint_trustee(actor=fed.secretary, board=board, member=member)
    tokens = {i: _token(m) for i, m in members.items()}
    files = {i: tmp_path / f"trustee-{i}.key" for i in members}

    def cli(command, i):
        return _run(capsys, _args(command, url, tokens[i], board.pk, files[i]))

    for i in members:
        assert cli("init", i)[0] == 0
    services.start_ceremony(actor=fed.secretary, board=board)
    messages = CeremonyMessage.objects.filter(board=board)

    def tampered(queryset, field, value, i, expect):
        """Run trustee i's step while ``field`` shows ``value``; then restore it."""
        row = queryset.get()
        original = getattr(row, field)
        queryset.update(**{field: value})
        count = messages.count()
        code, _out, err = cli("step", i)
        assert (code, expect in err) == (1, True), err
        assert messages.count() == count
        queryset.update(**{field: original})

    one_board = TrusteeBoard.objects.filter(pk=board.pk)
    tampered(one_board, "ceremony_hash", "00" * 32, 1, "ceremony hash")
    for i in members:
        assert cli("step", i)[0] == 0
    # The relay shows trustee 1's announcement changed: it does not reveal.
    announcement = messages.filter(round=Round.ANNOUNCE, trustee__index=1)
    changed = {**announcement.get().payload, "commitment_hash": "11" * 32}
    tampered(announcement, "payload", changed, 1, "does not publish your message")
    for i in members:
        assert cli("step", i)[0] == 0
    # The relay shows trustee 2's reveal with its proofs swapped: trustee 1
    # sends no response at all.
    reveal = messages.filter(round=Round.REVEAL, trustee__index=2)
    forged = copy.deepcopy(reveal.get().payload)
    forged["proofs"].reverse()
    tampered(reveal, "payload", forged, 1, "fails its check, nothing sent")
    for i in members:
        assert cli("step", i)[0] == 0
    done = TrusteeBoard.objects.get(pk=board.pk)
    assert done.state == BoardState.ACTIVE
    assert done.qualified == [1, 2, 3]
    # The server shows another joint key, or leaves a trustee out of QUAL.
    other_key = done.verification_keys[0]
    tampered(one_board, "joint_key", other_key, 1, "joint key is not the one")
    tampered(one_board, "qualified", [1, 2], 1, "qualified trustees are not")
    key = open_trustee_key_file(json.loads(files[1].read_bytes()), PASSPHRASE)
    assert "key_share" not in key.secret
    assert cli("step", 1)[0] == 0
    key = open_trustee_key_file(json.loads(files[1].read_bytes()), PASSPHRASE)
    assert base_mul(Scalar.from_hex(key.secret["key_share"])).hex() == done.verification_keys[0]


def test_a_refused_registration_leaves_no_key_file(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("TRUSTEE_PASSPHRASE", PASSPHRASE)
    posted = []

    def call(self, method, path, body=None):
        if method == "GET":
            return {"my_index": 1, "state": "forming", "ceremony_id": "board-x"}
        posted.append(path)
        raise trustee_cli.Failure("the server refused POST: 409 not now (board_state)")

    monkeypatch.setattr(trustee_cli.Api, "call", call)
    key_file = tmp_path / "t.key"
    code, _out, err = _run(capsys, _args("init", "http://h/api/v1/", "t", 1, key_file))
    assert (code, "not now (board_state)" in err) == (2, True)
    assert posted == ["/key"]
    assert not key_file.exists()


@pytest.mark.parametrize(
    ("typed", "message"),
    [(["one", "two"], "the passphrases differ"), (["", ""], "the passphrase is empty")],
)
def test_init_asks_for_the_passphrase_twice(tmp_path, monkeypatch, capsys, typed, message):
    answers = iter(typed)
    monkeypatch.setattr(cli_client.getpass, "getpass", lambda prompt: next(answers))
    monkeypatch.setattr(
        trustee_cli.Api,
        "call",
        lambda self, method, path, body=None: {
            "my_index": 1,
            "state": "forming",
            "ceremony_id": "board-x",
        },
    )
    key_file = tmp_path / "t.key"
    args = ["trustee", "init", "--url", "http://h/api/v1/", "--token", "t", "--board", "1"]
    code, _out, err = _run(capsys, [*args, "--key-file", str(key_file)])
    assert (code, message in err) == (2, True)
    assert not key_file.exists()
