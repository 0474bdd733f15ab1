"""The demo's encrypted polls: a standing trustee board of three at zone
Juliaca (secretaria, rosa and delegado of Comité Santa Bárbara, 2 of 3), its
key ceremony run with the engine's trustees as their devices would run it,
their key files written to the instance folder (passphrases printed by
``demo_help``), a closed encrypted poll of the zone with its complete record
(the demo answers as two of the trustees) and an open one to vote in.

The demo's key files and passphrases are published: they protect nothing and
are for trying ``secret-ballot trustee decrypt`` and the trustee page.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from django.conf import settings

from asamblea.accounts.models import Member
from asamblea.core.actors import SYSTEM
from asamblea.federation.models import Node
from asamblea.trustees import engine as trustee_engine
from asamblea.trustees import services as trustee_services
from asamblea.trustees.models import CeremonyMessage, Round, TrusteeBoard
from asamblea.trustees.selectors import payloads
from asamblea.voting import services as voting_services
from asamblea.voting.encrypted.models import Election
from asamblea.voting.encrypted.services import cast_assisted_ballot, engine_election
from asamblea.voting.models import Aggregation, Method, Poll
from asamblea.voting.services import tally as tally_services
from asamblea.voting.spec import PollSpec
from secret_ballot import dkg
from secret_ballot.election import Parameters
from secret_ballot.group import Point, Scalar
from secret_ballot.keyfile import TrusteeKey, trustee_key_file
from secret_ballot.trustee import Trustee as Device
from secret_ballot.trustee_cli import transcript_of

TRUSTEE_PASSPHRASES = (
    "llave-de-secretaria",
    "llave-de-rosa",
    "llave-de-delegado",
)
"""The demo trustees' key file passphrases, by index (published: demo only)."""

KEY_DIR_NAME = "demo-trustees"


def key_dir() -> Path:
    return Path(settings.INSTANCE_DIR) / KEY_DIR_NAME


def _board(zone: Node, trustees: list[Member], folder: Path) -> dict[int, Device]:
    """Form the board, run its ceremony, write the key files; the devices."""
    board = trustee_services.create_board(actor=SYSTEM, node=zone, size=3, threshold=2)
    secrets: dict[int, str] = {}
    by_index: dict[int, Member] = {}
    for member in trustees:
        seat = trustee_services.appoint_trustee(actor=SYSTEM, board=board, member=member)
        secret, public = trustee_engine.new_communication_keys()
        trustee_services.register_key(actor=member, board=board, communication_key=public)
        trustee_services.confirm_key_file(actor=member, board=board)
        secrets[seat.index] = secret
        by_index[seat.index] = member
    board = trustee_services.start_ceremony(actor=SYSTEM, board=board)
    parameters = Parameters.from_json(board.parameters)
    devices = {
        i: Device.create(parameters, i, Scalar.from_hex(s)) for i, s in sorted(secrets.items())
    }
    for round_ in (Round.ANNOUNCE, Round.REVEAL):
        for i, device in devices.items():
            message = device.announce() if round_ == Round.ANNOUNCE else device.reveal()
            trustee_services.submit_message(
                actor=by_index[i],
                board=TrusteeBoard.objects.get(pk=board.pk),
                round=round_,
                payload=message.to_json(),
            )
    reveals = payloads(board, Round.REVEAL)
    n = parameters.trustee_count
    for i, device in devices.items():
        responses = device.respond(dkg.Reveal.from_json(v, n) for v in reveals.values())
        trustee_services.submit_message(
            actor=by_index[i],
            board=TrusteeBoard.objects.get(pk=board.pk),
            round=Round.RESPOND,
            payload=[r.to_json() for r in responses],
        )
    messages = [
        {"round": m.round, "payload": m.payload}
        for m in CeremonyMessage.objects.filter(board=board)
    ]
    outcome = dkg.evaluate_transcript(parameters, transcript_of(parameters, messages))
    folder.mkdir(parents=True, exist_ok=True)
    for i, device in devices.items():
        device.key_share(outcome)
        key = TrusteeKey(
            parameters.ceremony_id,
            parameters.digest(),
            i,
            Point.from_hex(trustee_engine.public_of(secrets[i])),
            device.to_secret_json(),
        )
        sealed = trustee_key_file(key, TRUSTEE_PASSPHRASES[i - 1])
        path = folder / f"trustee-{i}-{by_index[i].pseudonym}.key"
        path.write_text(json.dumps(sealed, indent=1) + "\n", encoding="utf-8")
        path.chmod(0o600)
    return devices


def load_encrypted_polls(
    *,
    operator: Member,
    zone: Node,
    committees: list[Node],
    members: dict[int, list[Member]],
    rng: random.Random,
    folder: Path | None = None,
) -> tuple[Poll, Poll]:
    """The board at ``zone``, a closed and decrypted encrypted poll of the
    zone and an open one. ``committees`` are the zone's; the first one's
    first three members are the trustees."""
    trustees = members[committees[0].pk][:3]
    devices = _board(zone, trustees, folder or key_dir())
    closed = voting_services.create_poll(
        actor=operator,
        node=zone,
        spec=PollSpec(
            question="¿Apoyamos la olla común permanente en el mercado de Juliaca?",
            method=Method.YES_NO_ABSTAIN,
            aggregation=Aggregation.POOLED,
            encrypted=True,
        ),
    )
    voting_services.open_poll(actor=operator, poll=closed)
    for position, committee in enumerate(committees):
        # Turnout varies; the last committees vote too few to stand alone.
        voters = members[committee.pk][: 8 if position < len(committees) - 2 else 3]
        for voter in voters:
            draw = rng.random()
            choice = 2 if draw < 0.1 else (0 if draw < 0.7 else 1)
            cast_assisted_ballot(voter=voter, poll_id=closed.pk, choice=[choice])
    voting_services.close_poll(actor=operator, poll=closed)
    # Inside the demo's transaction the close's own job waits for the commit:
    # sum now, as the scheduler would.
    tally_services.sum_pending_tallies()
    election = Election.objects.select_related("tally").get(poll=closed)
    engine = engine_election(election)
    request = election.tally.request
    for i in (1, 2):
        tally_services.answer_tally(
            member=trustees[i - 1],
            poll_id=closed.pk,
            answer=devices[i].decrypt_sums(engine, request),
        )
    open_poll = voting_services.create_poll(
        actor=operator,
        node=zone,
        spec=PollSpec(
            question="¿Qué día llevamos la olla común a la plaza?",
            method=Method.SINGLE,
            options=("Lunes", "Miércoles", "Sábado"),
            encrypted=True,
        ),
    )
    voting_services.open_poll(actor=operator, poll=open_poll)
    return closed, open_poll
