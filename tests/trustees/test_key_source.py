"""An active board's standing key is what an encrypted poll beneath its node
opens with (the default ``ASAMBLEA_ELECTION_KEY_SOURCE``), and the transcript
the poll carries yields that very key."""

from __future__ import annotations

import pytest

from asamblea.trustees.models import TrusteeBoard
from asamblea.voting.encrypted.models import Election
from asamblea.voting.errors import NoElectionKey
from asamblea.voting.services import open_poll
from secret_ballot import dkg
from secret_ballot.election import Parameters
from tests.voting.encrypted.conftest import make_encrypted

from .conftest import device, form_board_through_the_api, respond, reveals_of


def _run_ceremony(fed, api) -> TrusteeBoard:
    board_id, trustees, secrets = form_board_through_the_api(fed, api)
    calls = {i: api(m) for i, m in enumerate(trustees, start=1)}
    devices = {i: device(calls[i], board_id, i, secrets[i]) for i in calls}
    for step in ("announce", "reveal"):
        for i, d in devices.items():
            message = d.announce() if step == "announce" else d.reveal()
            url = f"/trustees/boards/{board_id}/messages/{step}"
            assert calls[i]("post", url, {"payload": message.to_json()}).status_code == 201
    for i, d in devices.items():
        payload = respond(d, reveals_of(calls[i], board_id))
        url = f"/trustees/boards/{board_id}/messages/respond"
        assert calls[i]("post", url, {"payload": payload}).status_code == 201
    return TrusteeBoard.objects.get(pk=board_id)


def test_an_encrypted_poll_opens_with_the_standing_key_of_the_board_above(fed, api):
    poll = make_encrypted(fed.secretary, fed.committee_a1)
    with pytest.raises(NoElectionKey):
        open_poll(actor=fed.secretary, poll=poll)
    board = _run_ceremony(fed, api)
    assert board.joint_key
    poll = open_poll(actor=fed.secretary, poll=poll)
    election = Election.objects.get(poll=poll)
    assert election.parameters == board.parameters
    assert election.keys["joint_key"] == board.joint_key
    assert election.keys["verification_keys"] == board.verification_keys
    # The transcript the poll carries is the board's, and yields its key.
    parameters = Parameters.from_json(election.parameters)
    transcript = dkg.transcript_from_json(election.ceremony, parameters.trustee_count)
    outcome = dkg.evaluate_transcript(parameters, transcript)
    assert outcome.joint_key is not None
    assert outcome.joint_key.hex() == board.joint_key
    assert list(outcome.qualified) == board.qualified
