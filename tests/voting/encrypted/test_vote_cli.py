"""``secret-ballot vote`` and ``secret-ballot voting-key init`` against the
live server: a member makes a voting key, audits a ballot, casts one and
keeps the board's receipt; every refusal of the API has its message and exit
code; a server that lies about the election or the credential is caught."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from asamblea.accounts import services as account_services
from asamblea.voting import services
from asamblea.voting.models import AuditedLine, BoardLine, Election, ElectionCredential, VotingKey
from secret_ballot.__main__ import main
from secret_ballot.board import Receipt
from secret_ballot.credentials import VotingKeyPair
from secret_ballot.group import base_mul
from secret_ballot.hash import hash_to_scalar
from secret_ballot.keyfile import MIN_ITERATIONS, open_voting_key_file, voting_key_file
from secret_ballot.vote_cli import EXIT_CHECK, EXIT_INPUT, EXIT_NETWORK, EXIT_REFUSED
from tests.voting.encrypted.conftest import make_encrypted, voting_key

PASSPHRASE = "correct horse battery staple"


def _token(member) -> str:
    _token, raw = account_services.create_api_token(member=member, name="cli")
    return raw


def _run(capsys, args) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _key_file(tmp_path: Path, member) -> Path:
    """The voting key file of ``member``'s registered test key (quick to open)."""
    pair = voting_key(member)
    path = tmp_path / f"voting-{member.pk}.key"
    path.write_text(json.dumps(voting_key_file(pair, PASSPHRASE, iterations=MIN_ITERATIONS)))
    return path


def _vote(url, token, poll, key_file, *extra):
    return [
        "vote",
        "--url",
        url,
        "--token",
        token,
        "--poll",
        poll.pk,
        "--key-file",
        key_file,
        "--passphrase-env",
        "VOTING_PASSPHRASE",
        *extra,
    ]


@pytest.fixture
def url(live_server, monkeypatch) -> str:
    monkeypatch.setenv("VOTING_PASSPHRASE", PASSPHRASE)
    return f"{live_server.url}/api/v1/"


def _open(fed, **settings):
    return services.open_poll(
        actor=fed.secretary, poll=make_encrypted(fed.secretary, fed.committee_a1, **settings)
    )


def test_a_member_makes_a_key_audits_then_casts_from_the_command_line(fed, url, tmp_path, capsys):
    token = _token(fed.member)
    key_file = tmp_path / "voting.key"
    init = ["voting-key", "init", "--url", url, "--token", token, "--key-file", key_file]
    code, out, err = _run(capsys, [*init, "--passphrase-env", "VOTING_PASSPHRASE"])
    assert code == 0, err
    pair = open_voting_key_file(json.loads(key_file.read_bytes()), PASSPHRASE)
    assert VotingKey.objects.get(member=fed.member).public_key == pair.public.hex()
    assert pair.public.hex() in out
    assert "voting_secret" not in key_file.read_text()
    assert key_file.stat().st_mode & 0o077 == 0
    # The file is never overwritten.
    code, _out, err = _run(capsys, [*init, "--passphrase-env", "VOTING_PASSPHRASE"])
    assert (code, "already exists" in err) == (EXIT_INPUT, True)

    poll = _open(fed, method="single", options=["Norte", "Sur", "Centro"])
    assert ElectionCredential.objects.get(member=fed.member).kind == "device"
    code, out, err = _run(capsys, _vote(url, token, poll, key_file, "--choice", "sur", "--audit"))
    assert code == 0, err
    assert "Audited ballot" in out
    assert "vote again" in out
    audited = AuditedLine.objects.get()
    assert audited.line["selections"] == {"c1": [0, 1, 0]}
    assert audited.tracker in out
    assert not BoardLine.objects.exists()

    receipt_file = tmp_path / "receipt.json"
    code, out, err = _run(
        capsys, _vote(url, token, poll, key_file, "--choice", "o2", "--receipt", receipt_file)
    )
    assert code == 0, err
    line = BoardLine.objects.get()
    assert line.index == 1
    assert f"Cast: line 1 of the board, tracker {line.tracker}" in out
    receipt = Receipt.from_json(json.loads(receipt_file.read_bytes()))
    assert receipt.tracker.hex() == line.tracker
    assert receipt.election_hash.hex() == Election.objects.get().election_hash
    # A second cast (a change of mind) takes the next line.
    code, out, err = _run(capsys, _vote(url, token, poll, key_file, "--choice", "Norte"))
    assert (code, "line 2" in out) == (0, True), err
    # The poll closes: the refusal is the API's, exit 4.
    services.close_poll(actor=fed.secretary, poll=poll)
    code, _out, err = _run(capsys, _vote(url, token, poll, key_file, "--choice", "Norte"))
    assert (code, "closed" in err) == (EXIT_REFUSED, True), err
    assert BoardLine.objects.count() == 2


def test_choices_the_ballot_does_not_allow_are_refused_before_anything_is_sent(
    fed, url, tmp_path, capsys
):
    key_file = _key_file(tmp_path, fed.member)
    token = _token(fed.member)
    poll = _open(fed, method="approval", options=["A", "B", "C"], max_choices=2)
    cases = [
        ((), "say your choice with --choice"),
        (("--choice", "Z"), "no such option"),
        (("--choice", "A", "--choice", "B", "--choice", "C"), "choose 0 to 2 options"),
        (("--choice", "A=x"), "whole number"),
        (("--choice", "A=2"), "not allowed"),
    ]
    for extra, message in cases:
        code, _out, err = _run(capsys, _vote(url, token, poll, key_file, *extra))
        assert (code, message in err) == (EXIT_INPUT, True), (extra, err)
        if not extra:  # the voter is shown the options by id and label
            assert "o0: A" in err
    assert not BoardLine.objects.exists()
    assert not AuditedLine.objects.exists()


def test_every_refusal_has_its_message_and_exit_code(fed, url, tmp_path, capsys, monkeypatch):
    key_file = _key_file(tmp_path, fed.member)
    token = _token(fed.member)
    poll = _open(fed)
    choice = ("--choice", "o0")
    # A token the server does not know.
    code, _out, err = _run(capsys, _vote(url, "nope", poll, key_file, *choice))
    assert (code, "401" in err) == (EXIT_REFUSED, True)
    # A poll this member cannot see, or that does not exist.
    code, _out, err = _run(capsys, _vote(url, _token(fed.outsider), poll, key_file, *choice))
    assert (code, "404" in err) == (EXIT_REFUSED, True)
    # A member without a voting key when the poll opened votes on the page.
    code, _out, err = _run(capsys, _vote(url, _token(fed.other_member), poll, key_file, *choice))
    assert (code, "poll's page" in err) == (EXIT_REFUSED, True)
    # A wrong passphrase, a missing key file: bad input.
    monkeypatch.setenv("VOTING_PASSPHRASE", "wrong")
    code, _out, err = _run(capsys, _vote(url, token, poll, key_file, *choice))
    assert (code, "cannot open the voting key file" in err) == (EXIT_INPUT, True)
    monkeypatch.setenv("VOTING_PASSPHRASE", PASSPHRASE)
    code, _out, err = _run(capsys, _vote(url, token, poll, tmp_path / "none.key", *choice))
    assert (code, "cannot read the voting key file" in err) == (EXIT_INPUT, True)
    # A server that cannot be reached.
    dead = "http://127.0.0.1:9/api/v1/"
    code, _out, err = _run(capsys, _vote(dead, token, poll, key_file, *choice))
    assert (code, "cannot reach" in err) == (EXIT_NETWORK, True)
    # A voting key the server already holds cannot be registered again.
    init = ["voting-key", "init", "--url", url, "--token", token, "--key-file"]
    monkeypatch.setattr(
        VotingKeyPair,
        "generate",
        classmethod(
            lambda cls: cls.from_secret(hash_to_scalar("test", "voting", fed.member.pk, 0))
        ),
    )
    again = tmp_path / "again.key"
    code, _out, err = _run(capsys, [*init, again, "--passphrase-env", "VOTING_PASSPHRASE"])
    assert (code, "invalid_voting_key" in err, again.exists()) == (EXIT_REFUSED, True, False)
    assert not BoardLine.objects.exists()


def test_argument_errors_exit_with_2(tmp_path):
    base = ["vote", "--url", "http://127.0.0.1:9/api/v1/", "--token", "t"]
    key = ["--key-file", str(tmp_path / "k.key")]
    for args in (
        ["vote"],
        [*base, *key],  # no --poll
        [*base, "--poll", "x", *key],
        [*base, "--poll", "0", *key],
        [*base, "--poll", "1"],  # no --key-file
        ["voting-key"],
        ["voting-key", "init", "--url", "ftp://h/", "--token", "t", *key],
    ):
        assert main(args) == 2, args


def test_a_server_that_lies_about_the_election_or_the_credential_is_caught(
    fed, url, tmp_path, capsys
):
    key_file = _key_file(tmp_path, fed.member)
    token = _token(fed.member)
    poll = _open(fed)
    elections = Election.objects.filter(poll=poll)
    election = elections.get()
    keys = election.keys

    # Another board key in election.json: the documents no longer hash to h_E.
    elections.update(keys={**keys, "board_key": base_mul(hash_to_scalar("t", "b")).hex()})
    code, _out, err = _run(capsys, _vote(url, token, poll, key_file, "--choice", "o0"))
    assert (code, "do not hash to its election hash" in err) == (EXIT_CHECK, True)
    elections.update(keys=keys)

    # A credential for the member that their voting key does not give.
    own = ElectionCredential.objects.filter(member=fed.member)
    original = own.get().credential
    own.update(credential=base_mul(hash_to_scalar("t", "c")).hex())
    code, _out, err = _run(capsys, _vote(url, token, poll, key_file, "--choice", "o0"))
    assert (code, "not the one your voting key gives" in err) == (EXIT_CHECK, True)
    own.update(credential=original)
    assert not BoardLine.objects.exists()
    assert not AuditedLine.objects.exists()

    code, _out, err = _run(capsys, _vote(url, token, poll, key_file, "--choice", "o0"))
    assert code == 0, err
