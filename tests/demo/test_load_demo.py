from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from asamblea.accounts.models import Member
from asamblea.core.audit import verify_chain
from asamblea.demo.data import DEMO_ACCOUNTS, DEMO_PASSWORD, load_demo
from asamblea.federation.models import Node, NodeKind
from asamblea.incidents.demo import DEMO_PASSPHRASES, DEMO_TAG
from asamblea.incidents.models import Incident
from asamblea.incidents.services import unlock_register
from asamblea.motions.models import Amendment, Motion, MotionState
from asamblea.voting.models import Aggregation, Poll, PollResult, PollState

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        world = load_demo()
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


def test_demo_has_a_strike_activated_in_one_zone_and_a_vigil_pledging(demo):
    from asamblea.pledges.models import Call, CallState

    strike = Call.objects.get(kind="strike")
    assert strike.state == CallState.ACTIVATED
    juliaca = demo.zones["Juliaca"].pk
    puno = demo.zones["Puno ciudad"].pk
    assert strike.decision[str(juliaca)]["activated"] is True
    assert strike.decision[str(puno)]["activated"] is False
    assert Call.objects.get(kind="vigil").state == CallState.PLEDGING
