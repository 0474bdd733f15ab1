from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from asamblea.accounts.models import Member
from asamblea.core.audit import verify_chain
from asamblea.demo.data import DEMO_ACCOUNTS, DEMO_PASSWORD, load_demo
from asamblea.demo.encrypted import TRUSTEE_PASSPHRASES
from asamblea.federation.models import Node, NodeKind
from asamblea.incidents.demo import DEMO_PASSPHRASES, DEMO_TAG
from asamblea.incidents.models import Incident
from asamblea.incidents.services import unlock_register
from asamblea.motions.models import Amendment, Motion, MotionState
from asamblea.trustees.models import TrusteeBoard
from asamblea.voting.encrypted.models import Tally
from asamblea.voting.encrypted.selectors import write_record
from asamblea.voting.models import Aggregation, Poll, PollResult, PollState
from secret_ballot.keyfile import open_trustee_key_file
from secret_ballot.verify import verify_record

pytestmark = pytest.mark.django_db

KEY_FOLDER: list[Path] = []
"""Where the module's demo wrote its trustees' key files."""


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    with django_db_blocker.unblock():
        folder = tmp_path_factory.mktemp("demo-trustees")
        KEY_FOLDER.append(folder)
        world = load_demo(key_folder=folder)
        yield world
        # The module's data would leak into other modules' tests otherwise.
        call_command("flush", "--noinput", verbosity=0)


def test_demo_has_the_promised_size(demo):
    assert Node.objects.filter(kind=NodeKind.ASSEMBLY).count() == 1
    assert Node.objects.filter(kind=NodeKind.REGION).count() == 3
    assert Node.objects.filter(kind=NodeKind.ZONE).count() >= 3
    assert Node.objects.filter(kind=NodeKind.COMMITTEE).count() >= 30
    assert Member.objects.count() >= 300


def test_demo_has_motions_in_every_state_with_amendments(demo):
    states = set(Motion.objects.values_list("state", flat=True))
    assert states == set(MotionState.values)
    assert Amendment.objects.filter(state="accepted").exists()
    assert Amendment.objects.filter(state="proposed").exists()


def test_demo_has_open_and_closed_polls(demo):
    assert Poll.objects.filter(state=PollState.OPEN).exists()
    assert Poll.objects.filter(state=PollState.CLOSED).exists()


def test_federated_poll_results_differ_by_committee(demo):
    poll = Poll.objects.get(aggregation=Aggregation.BY_COMMITTEE_MEMBERS, state=PollState.CLOSED)
    committee_outcomes = set(
        PollResult.objects.filter(poll=poll, node__kind=NodeKind.COMMITTEE).values_list(
            "outcome", flat=True
        )
    )
    assert len(committee_outcomes) > 1
    assert PollResult.objects.filter(poll=poll, node__kind=NodeKind.ASSEMBLY).exists()


def test_demo_accounts_can_log_in(demo, client, settings):
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    for pseudonym, _what in DEMO_ACCOUNTS:
        assert client.login(pseudonym=pseudonym, password=DEMO_PASSWORD)
        client.logout()
    assert Member.objects.get(pseudonym="operadora").is_staff


def test_loading_twice_changes_nothing_and_chain_holds(demo):
    before = (Member.objects.count(), Motion.objects.count(), Poll.objects.count())
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert "already" in out.getvalue()
    assert (Member.objects.count(), Motion.objects.count(), Poll.objects.count()) == before
    assert verify_chain().ok


def test_demo_help_prints_logins():
    out = StringIO()
    call_command("demo_help", "--url", "http://127.0.0.1:8000/", stdout=out)
    text = out.getvalue()
    assert "http://127.0.0.1:8000/accounts/login/" in text
    assert DEMO_PASSWORD in text
    assert "operadora" in text


def test_demo_register_holds_fictional_incidents_that_its_documenters_can_open(demo):
    committee = demo.committees[0]
    incidents = list(Incident.objects.filter(committee=committee))
    assert incidents
    assert all(DEMO_TAG in incident.tags for incident in incidents)
    rosa = Member.objects.get(pseudonym="rosa")
    assert unlock_register(actor=rosa, committee=committee, passphrase=DEMO_PASSPHRASES[0])
    out = StringIO()
    call_command("demo_help", stdout=out)
    assert DEMO_PASSPHRASES[0] in out.getvalue()


def test_demo_has_a_trustee_board_and_a_decrypted_encrypted_poll(demo, tmp_path):

    board = TrusteeBoard.objects.get(state="active")
    assert (board.size, board.threshold, board.node.name) == (3, 2, "Juliaca")
    closed = Poll.objects.get(encrypted=True, state=PollState.CLOSED)
    tally = Tally.objects.get(election__poll=closed)
    assert tally.state == "done"
    assert PollResult.objects.filter(poll=closed, node=board.node).exists()
    assert Poll.objects.filter(encrypted=True, state=PollState.OPEN).exists()
    path = tmp_path / "record.zip"
    assert write_record(closed.election, path)
    report = verify_record(path)
    assert report.ok, report.render()
    files = sorted(KEY_FOLDER[-1].glob("trustee-*.key"))
    assert len(files) == 3
    key = open_trustee_key_file(json.loads(files[0].read_bytes()), TRUSTEE_PASSPHRASES[0])
    assert "key_share" in key.secret
    out = StringIO()
    call_command("demo_help", stdout=out)
    assert TRUSTEE_PASSPHRASES[1] in out.getvalue()
    assert f"/trustees/boards/{board.pk}/me/" in out.getvalue()
    assert f"--board {board.pk} " in out.getvalue()


def test_demo_has_a_strike_activated_in_one_zone_and_a_vigil_pledging(demo):
    from asamblea.pledges.models import Call, CallState

    strike = Call.objects.get(kind="strike")
    assert strike.state == CallState.ACTIVATED
    juliaca = demo.zones["Juliaca"].pk
    puno = demo.zones["Puno ciudad"].pk
    assert strike.decision[str(juliaca)]["activated"] is True
    assert strike.decision[str(puno)]["activated"] is False
    assert Call.objects.get(kind="vigil").state == CallState.PLEDGING
