"""``secret-ballot trustee decrypt``: trustees answer from the command line
against the live server, after recomputing the sums from the poll's record;
a request that is not the board's group sums is not answered."""

from __future__ import annotations

import pytest

from asamblea.accounts import services as account_services
from asamblea.trustees import services as trustee_services
from asamblea.trustees.models import TrusteeBoard
from asamblea.voting import rules, services
from asamblea.voting.encrypted.models import Tally
from asamblea.voting.encrypted.services import cast_assisted_ballot
from asamblea.voting.models import PollResult
from secret_ballot.__main__ import main
from tests.voting.encrypted.conftest import make_encrypted

PASSPHRASE = "correct horse battery staple"


def _run(capsys, args):
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def cli_board(fed, live_server, tmp_path, monkeypatch, capsys):
    """A 2-of-3 board at committee_a1 whose ceremony ran from the command line."""
    monkeypatch.setenv("TRUSTEE_PASSPHRASE", PASSPHRASE)
    url = f"{live_server.url}/api/v1/"
    board = trustee_services.create_board(actor=fed.secretary, node=fed.committee_a1)
    members = {1: fed.secretary, 2: fed.member, 3: fed.other_member}
    for member in members.values():
        trustee_services.appoint_trustee(actor=fed.secretary, board=board, member=member)
    tokens = {
        i: account_services.create_api_token(member=m, name="cli")[1] for i, m in members.items()
    }
    files = {i: tmp_path / f"trustee-{i}.key" for i in members}

    def cli(command, i, *extra):
        args = ["trustee", command, "--url", url, "--token", tokens[i], "--board", str(board.pk)]
        args += ["--key-file", str(files[i]), "--passphrase-env", "TRUSTEE_PASSPHRASE", *extra]
        return _run(capsys, args)

    for i in members:
        assert cli("init", i)[0] == 0
    trustee_services.start_ceremony(actor=fed.secretary, board=board)
    for _round in range(4):
        for i in members:
            code, _out, err = cli("step", i)
            assert code == 0, err
    assert TrusteeBoard.objects.get(pk=board.pk).state == "active"
    return cli


def _closed_poll(fed):
    poll = services.open_poll(
        actor=fed.secretary, poll=make_encrypted(fed.secretary, fed.committee_a1)
    )
    for voter, choice in ((fed.secretary, rules.YES), (fed.member, rules.NO)):
        cast_assisted_ballot(voter=voter, poll_id=poll.pk, choice=[choice])
    cast_assisted_ballot(voter=fed.other_member, poll_id=poll.pk, choice=[rules.YES])
    # A live server's tests commit: the close's sums job runs when it commits.
    services.close_poll(actor=fed.secretary, poll=poll)
    return poll


@pytest.mark.django_db(transaction=True)
def test_two_trustees_decrypt_from_the_command_line(fed, cli_board):
    poll = _closed_poll(fed)
    tally = Tally.objects.get(election__poll=poll)
    assert tally.state == "decrypting"
    code, out, err = cli_board("decrypt", 1)
    assert code == 0, err
    assert f"Poll {poll.pk}: answer accepted as trustee 1" in out
    code, out, _err = cli_board("decrypt", 1)
    assert "No tally is waiting" in out
    code, out, err = cli_board("decrypt", 3, "--poll", str(poll.pk))
    assert code == 0, err
    tally.refresh_from_db()
    assert tally.state == "done"
    assert PollResult.objects.get(poll=poll, node=fed.committee_a1).counts == {
        "0": 2,
        "1": 1,
        "2": 0,
    }


@pytest.mark.django_db(transaction=True)
def test_a_request_that_is_not_the_boards_sums_is_not_answered(fed, cli_board):
    poll = _closed_poll(fed)
    tally = Tally.objects.get(election__poll=poll)
    # The server asks trustees to decrypt one ballot's ciphertext instead.
    line = poll.election.lines.order_by("index").first().line
    first = line["ballot"]["contests"][0]["options"][0]
    request = tally.request
    request["groups"][0]["contests"][0]["options"][0].update(
        alpha=first["alpha"], beta=first["beta"]
    )
    Tally.objects.filter(pk=tally.pk).update(request=request)
    code, _out, err = cli_board("decrypt", 2)
    assert code == 1
    assert "not the group sums" in err
    assert not tally.answers.exists()
