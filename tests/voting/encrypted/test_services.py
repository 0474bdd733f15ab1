from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from asamblea.core.errors import Conflict, Forbidden
from asamblea.core.models import AuditEntry
from asamblea.voting import services
from asamblea.voting.encrypted import keys, sealing
from asamblea.voting.encrypted import services as enc
from asamblea.voting.errors import (
    BallotReplayed,
    EncryptedPoll,
    InvalidEncryptedBallot,
    InvalidVotingKey,
    NoElectionKey,
    NotEncryptable,
    WrongCredential,
)
from asamblea.voting.models import (
    AuditedLine,
    BoardLine,
    Election,
    ElectionCredential,
    ElectorateEntry,
    Poll,
    PollResult,
    PollState,
    VoteLedger,
    VotingKey,
)
from secret_ballot.ballot import cast_from_json
from secret_ballot.board import Receipt, check_receipt
from secret_ballot.committees import CommitteeTree
from secret_ballot.credentials import (
    CredentialEntry,
    CredentialKind,
    credentials_digest,
    election_credential,
)
from secret_ballot.group import Point, Scalar
from tests.factories import join, make_member
from tests.voting.encrypted.conftest import device_ballot, make_encrypted, voting_key

pytestmark = pytest.mark.django_db


def _open(fed, **settings):
    poll = make_encrypted(fed.secretary, fed.committee_a1, **settings)
    return services.open_poll(actor=fed.secretary, poll=poll)


# --- voting keys -------------------------------------------------------------------


def test_registering_a_voting_key_keeps_one_active_and_audits(fed):
    first = voting_key(fed.member, 0)
    second = voting_key(fed.member, 1)
    active = VotingKey.objects.get(member=fed.member, revoked_at__isnull=True)
    assert active.public_key == second.public.hex()
    old = VotingKey.objects.get(public_key=first.public.hex())
    assert old.revoked_at is not None
    actions = list(
        AuditEntry.objects.filter(action__startswith="voting_key.").values_list("action", flat=True)
    )
    assert actions.count("voting_key.registered") == 2
    assert actions.count("voting_key.revoked") == 1


@pytest.mark.parametrize(
    "bad",
    ["00", "zz", "04" + "11" * 64, "02" + "ff" * 32, "02" + "00" * 31 + "05", ""],
)
def test_a_voting_key_off_the_curve_or_the_identity_is_refused(fed, bad):
    with pytest.raises(InvalidVotingKey):
        enc.register_voting_key(member=fed.member, public_key=bad)
    assert not VotingKey.objects.exists()


def test_a_voting_key_registered_twice_is_refused(fed):
    pair = voting_key(fed.member)
    with pytest.raises(InvalidVotingKey):
        enc.register_voting_key(member=fed.other_member, public_key=pair.public.hex())


# --- creating and opening ----------------------------------------------------------


@pytest.mark.parametrize("method", ["borda", "irv", "schulze", "meek-stv"])
def test_ranked_polls_cannot_be_encrypted_and_say_why(fed, method):
    with pytest.raises(NotEncryptable, match="mix-net"):
        make_encrypted(
            fed.secretary, fed.committee_a1, method=method, options=["A", "B", "C"], seats=1
        )
    assert not Poll.objects.exists()


def test_encrypted_implies_secret(fed):
    poll = make_encrypted(fed.secretary, fed.committee_a1)
    assert poll.secret
    assert poll.encrypted


def test_opening_builds_the_election_from_the_frozen_electorate(fed, key_source):
    pair = voting_key(fed.member)
    poll = _open(fed)
    election = Election.objects.get(poll=poll)
    assert election.election_id == f"poll-{poll.pk}"
    assert election.manifest["contests"][0]["kind"] == "yes-no-abstain"
    creds = list(ElectionCredential.objects.filter(election=election).order_by("position"))
    assert len(creds) == ElectorateEntry.objects.filter(poll=poll).count() == 3
    mine = next(c for c in creds if c.member_id == fed.member.pk)
    assert mine.kind == "device"
    assert mine.credential == election_credential(pair.public, election.election_id).hex()
    assert mine.secret_sealed == ""
    others = [c for c in creds if c.member_id != fed.member.pk]
    assert {c.kind for c in others} == {"server"}
    assert all(c.secret_sealed.startswith("s1:") for c in others)
    assert {c.committee_code for c in creds} == {f"committee-{fed.committee_a1.pk}"}
    # h_C and h_E are the engine's, over the list as stored.
    entries = [
        CredentialEntry(Point.from_hex(c.credential), CredentialKind(c.kind), c.committee_code)
        for c in creds
    ]
    assert election.keys["credentials_hash"] == credentials_digest(entries, 3).hex()
    engine = enc.engine_election(election)
    assert engine.election_hash.hex() == election.election_hash == election.keys["election_hash"]
    assert election.keys["joint_key"] == key_source.source.joint_key
    assert (election.device_credentials, election.server_credentials) == (1, 2)
    # The committee tree (h_T) is the poll's node and what lies beneath it.
    tree = CommitteeTree.from_json(election.committees)
    assert election.keys["committees_hash"] == tree.digest().hex()
    assert tree.nodes[0].node_id == f"committee-{fed.committee_a1.pk}"
    assert all(tree.committee_position(c.committee_code) is not None for c in creds)


def test_the_committee_tree_of_a_zone_poll_holds_its_committees(fed):
    poll = make_encrypted(fed.operator, fed.zone_a)
    poll = services.open_poll(actor=fed.operator, poll=poll)
    tree = CommitteeTree.from_json(Election.objects.get(poll=poll).committees)
    ids = [n.node_id for n in tree.nodes]
    assert ids[0] == f"zone-{fed.zone_a.pk}"
    assert set(ids[1:]) == {f"committee-{fed.committee_a1.pk}", f"committee-{fed.committee_a2.pk}"}


def test_without_a_key_source_an_encrypted_poll_does_not_open(fed):
    keys.register_key_source(None)
    poll = make_encrypted(fed.secretary, fed.committee_a1)
    with pytest.raises(NoElectionKey):
        services.open_poll(actor=fed.secretary, poll=poll)
    poll.refresh_from_db()
    assert poll.state == PollState.DRAFT
    assert not Election.objects.exists()
    assert not ElectorateEntry.objects.exists()


def test_server_held_secrets_are_sealed_and_bound_to_their_row(fed):
    poll = _open(fed)
    election = Election.objects.get(poll=poll)
    a, b = ElectionCredential.objects.filter(election=election, kind="server")[:2]
    purpose = f"credential:{election.election_id}:{a.credential}"
    secret = sealing.unseal(a.secret_sealed, purpose=purpose)
    assert Scalar.from_bytes(secret)  # opens for its own row
    with pytest.raises(ValueError, match="does not open"):
        sealing.unseal(b.secret_sealed, purpose=purpose)


def test_a_plain_ballot_is_refused_in_an_encrypted_poll(fed):
    poll = _open(fed)
    with pytest.raises(EncryptedPoll):
        services.cast_ballot(voter=fed.member, poll=poll, choice=["yes"])
    assert not VoteLedger.objects.exists()


# --- the board ---------------------------------------------------------------------


def test_preview_cast_and_receipt(fed):
    pair = voting_key(fed.member)
    poll = _open(fed)
    ballot, _seed, _sel = device_ballot(poll, pair, [1, 0, 0])
    preview = enc.preview_encrypted_ballot(voter=fed.member, poll_id=poll.pk, ballot=ballot)
    assert not BoardLine.objects.exists()
    result = enc.cast_encrypted_ballot(voter=fed.member, poll_id=poll.pk, ballot=ballot)
    receipt = Receipt.from_json(result.receipt)
    assert receipt.index == preview.index == 1
    assert receipt.tracker.hex() == preview.tracker
    election = Election.objects.get(poll=poll)
    line = BoardLine.objects.get(election=election)
    assert (line.index, line.tracker, line.previous_tracker) == (
        1,
        preview.tracker,
        preview.previous_tracker,
    )
    engine = enc.engine_election(election)
    check_receipt(
        receipt, engine.election_hash, engine.board_key, cast_from_json(line.line, engine.manifest)
    )
    assert election.head == preview.tracker
    assert election.next_index == 2
    assert VoteLedger.objects.filter(poll=poll, member=fed.member).count() == 1
    # The ledger row takes the committee of the voter's electorate entry.
    entry = ElectorateEntry.objects.get(poll=poll, member=fed.member)
    ledger = VoteLedger.objects.get(poll=poll, member=fed.member)
    assert ledger.committee_id == entry.committee_id


def test_re_voting_adds_a_line_and_keeps_one_ledger_row(fed):
    pair = voting_key(fed.member)
    poll = _open(fed)
    for values in ([1, 0, 0], [0, 1, 0]):
        ballot, _s, _sel = device_ballot(poll, pair, values)
        enc.cast_encrypted_ballot(voter=fed.member, poll_id=poll.pk, ballot=ballot)
    lines = list(BoardLine.objects.order_by("index"))
    assert [x.index for x in lines] == [1, 2]
    assert lines[1].previous_tracker == lines[0].tracker
    assert VoteLedger.objects.filter(poll=poll).count() == 1


def test_a_replayed_ballot_is_refused_and_writes_nothing(fed):
    pair = voting_key(fed.member)
    poll = _open(fed)
    ballot, _s, _sel = device_ballot(poll, pair, [1, 0, 0])
    enc.cast_encrypted_ballot(voter=fed.member, poll_id=poll.pk, ballot=ballot)
    with pytest.raises(BallotReplayed):
        enc.cast_encrypted_ballot(voter=fed.member, poll_id=poll.pk, ballot=ballot)
    assert BoardLine.objects.count() == 1


def test_a_ballot_signed_by_another_credential_is_refused(fed):
    pair = voting_key(fed.member)
    voting_key(fed.other_member)
    poll = _open(fed)
    ballot, _s, _sel = device_ballot(poll, pair, [1, 0, 0])
    with pytest.raises(WrongCredential):
        enc.cast_encrypted_ballot(voter=fed.other_member, poll_id=poll.pk, ballot=ballot)
    assert not BoardLine.objects.exists()
    assert not VoteLedger.objects.exists()


def test_a_ballot_made_for_another_election_is_refused(fed):
    pair = voting_key(fed.member)
    first = _open(fed)
    second = _open(fed)
    ballot, _s, _sel = device_ballot(first, pair, [1, 0, 0])
    with pytest.raises((WrongCredential, InvalidEncryptedBallot)):
        enc.cast_encrypted_ballot(voter=fed.member, poll_id=second.pk, ballot=ballot)
    assert not BoardLine.objects.exists()


def test_audit_publishes_an_unlinked_line_and_the_ciphertexts_can_never_be_cast(fed):
    pair = voting_key(fed.member)
    poll = _open(fed)
    ballot, seed, selections = device_ballot(poll, pair, [0, 0, 1])
    line = enc.audit_encrypted_ballot(
        voter=fed.member,
        poll_id=poll.pk,
        ballot=ballot,
        nonce_seed=seed.hex(),
        selections=selections,
    )
    stored = AuditedLine.objects.get()
    assert stored.line == line
    assert "credential" not in str(line)
    assert ballot["credential"] not in str(line)
    assert line["selections"] == selections
    election = Election.objects.get(poll=poll)
    assert election.next_index == 1  # the head did not move
    assert not VoteLedger.objects.exists()
    with pytest.raises(BallotReplayed):
        enc.cast_encrypted_ballot(voter=fed.member, poll_id=poll.pk, ballot=ballot)


def test_an_audit_with_other_selections_is_refused(fed):
    pair = voting_key(fed.member)
    poll = _open(fed)
    ballot, seed, _selections = device_ballot(poll, pair, [0, 0, 1])
    with pytest.raises(InvalidEncryptedBallot):
        enc.audit_encrypted_ballot(
            voter=fed.member,
            poll_id=poll.pk,
            ballot=ballot,
            nonce_seed=seed.hex(),
            selections={"c1": [1, 0, 0]},
        )
    assert not AuditedLine.objects.exists()


def test_a_ballot_after_the_close_is_refused(fed):
    pair = voting_key(fed.member)
    poll = _open(fed)
    ballot, _s, _sel = device_ballot(poll, pair, [1, 0, 0])
    services.close_poll(actor=fed.secretary, poll=poll)
    with pytest.raises(Conflict):
        enc.cast_encrypted_ballot(voter=fed.member, poll_id=poll.pk, ballot=ballot)
    assert not BoardLine.objects.exists()


def test_a_member_outside_the_electorate_cannot_cast(fed):
    poll = _open(fed)
    late = make_member("tardía")
    join(late, fed.committee_a1)  # joined after the opening: no credential
    pair = voting_key(late)
    ballot, _s, _sel = device_ballot(poll, pair, [1, 0, 0])
    with pytest.raises(Forbidden):
        enc.cast_encrypted_ballot(voter=late, poll_id=poll.pk, ballot=ballot)
    assert not BoardLine.objects.exists()


# --- assisted ballots --------------------------------------------------------------


def test_an_assisted_ballot_is_encrypted_and_signed_by_the_server_held_credential(fed):
    poll = _open(fed)
    result = enc.cast_assisted_ballot(voter=fed.other_member, poll_id=poll.pk, choice=[1])
    line = BoardLine.objects.get()
    own = ElectionCredential.objects.get(member=fed.other_member)
    assert line.line["ballot"]["credential"] == own.credential
    assert result.receipt["index"] == 1
    assert VoteLedger.objects.filter(member=fed.other_member).exists()


def test_a_member_with_a_device_credential_is_not_assisted(fed):
    voting_key(fed.member)
    poll = _open(fed)
    with pytest.raises(Conflict):
        enc.cast_assisted_ballot(voter=fed.member, poll_id=poll.pk, choice=[0])
    assert not BoardLine.objects.exists()


@pytest.mark.parametrize(
    ("spec", "choice", "scores"),
    [
        ({"method": "single", "options": ["A", "B", "C"]}, [2], None),
        ({"method": "approval", "options": ["A", "B", "C"], "max_choices": 2}, [0, 2], None),
        ({"method": "approval", "options": ["A", "B", "C"], "max_choices": 2}, [], None),
        ({"method": "score", "options": ["A", "B"], "max_score": 5}, [], {"0": 5, "1": 2}),
    ],
)
def test_every_encryptable_method_takes_an_assisted_ballot(fed, spec, choice, scores):
    poll = _open(fed, **spec)
    enc.cast_assisted_ballot(voter=fed.other_member, poll_id=poll.pk, choice=choice, scores=scores)
    assert BoardLine.objects.count() == 1


def test_closing_an_encrypted_poll_leaves_the_result_to_the_tally(fed):
    poll = _open(fed)
    enc.cast_assisted_ballot(voter=fed.other_member, poll_id=poll.pk, choice=[0])
    services.close_poll(actor=fed.secretary, poll=poll)
    poll.refresh_from_db()
    assert poll.state == PollState.CLOSED
    assert not PollResult.objects.filter(poll=poll).exists()
    entry = AuditEntry.objects.filter(action="poll.closed").latest("pk")
    assert entry.data["tally"] == "pending"
    assert BoardLine.objects.count() == 1


def named_source(poll):
    """A provider named by the setting (see test below)."""
    return KEY_SOURCE_FROM_SETTING[0]


KEY_SOURCE_FROM_SETTING: list[object] = []


def test_the_key_source_may_be_named_by_a_setting(fed, settings, key_source):
    keys.register_key_source(None)
    KEY_SOURCE_FROM_SETTING[:] = [key_source.source]
    settings.ASAMBLEA_ELECTION_KEY_SOURCE = f"{__name__}.named_source"
    poll = _open(fed)
    assert Election.objects.get(poll=poll).keys["joint_key"] == key_source.source.joint_key


def test_the_scheduler_cancels_an_encrypted_poll_no_key_serves(fed):
    keys.register_key_source(None)
    now = timezone.now()
    poll = make_encrypted(fed.secretary, fed.committee_a1, opens_at=now + timedelta(minutes=1))
    run = services.apply_schedule(now=now + timedelta(minutes=2))
    assert run.cancelled == 1
    poll.refresh_from_db()
    assert poll.state == PollState.CANCELLED
    assert poll.cancel_reason == "no_election_key"
    assert not Election.objects.exists()
