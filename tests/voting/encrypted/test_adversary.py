"""The operator with the whole database of an encrypted poll, playing the
adversary: no voter's choice in the clear, no nonce seed of a cast ballot,
no credential, voting key or board secret in the clear.

On SQLite the search reads the database image byte for byte (free pages
included, as a copy of the file would hold them); on PostgreSQL every row of
every table, as text.
"""

from __future__ import annotations

import base64
import json

import pytest
from django.db import connection

from asamblea.voting import services
from asamblea.voting.encrypted import sealing
from asamblea.voting.encrypted import services as enc
from asamblea.voting.models import Ballot, BoardLine, Election, ElectionCredential
from secret_ballot import ballot as sb_ballot
from secret_ballot.group import Scalar
from tests.voting.encrypted.conftest import device_ballot, make_encrypted, voting_key

pytestmark = pytest.mark.django_db(transaction=True)


def _database_bytes() -> bytes:
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        raw = connection.connection
        return bytes(raw.serialize())
    assert connection.vendor == "postgresql"
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT t::text FROM "{table}" t')  # noqa: S608 - catalogue names
            chunks.extend(row[0] for row in cursor.fetchall())
    return "\n".join(chunks).encode("utf-8")


def _encodings(secret: bytes) -> list[bytes]:
    """The ways a 32-byte secret could sit in a row."""
    return [
        secret,
        secret.hex().encode(),
        secret.hex().upper().encode(),
        base64.b64encode(secret).rstrip(b"="),
        str(int.from_bytes(secret, "big")).encode(),
    ]


def _choice_texts(selections: dict[str, list[int]]) -> list[bytes]:
    values = next(iter(selections.values()))
    compact = json.dumps(values, separators=(",", ":"))
    spaced = json.dumps(values)
    return [
        compact.encode(),
        spaced.encode(),
        json.dumps(selections, separators=(",", ":")).encode(),
        json.dumps(selections).encode(),
    ]


def test_the_database_holds_no_choice_seed_or_secret_in_the_clear(fed, monkeypatch):
    pair = voting_key(fed.member)
    poll = make_encrypted(
        fed.secretary, fed.committee_a1, method="single", options=["A", "B", "C", "D", "E"]
    )
    poll = services.open_poll(actor=fed.secretary, poll=poll)
    election = Election.objects.get(poll=poll)

    # Nonce seeds the server draws for assisted ballots, as the test sees them.
    drawn: list[bytes] = []
    real = sb_ballot.secrets.token_bytes

    def spy(n: int) -> bytes:
        value = real(n)
        drawn.append(value)
        return value

    monkeypatch.setattr(sb_ballot.secrets, "token_bytes", spy)

    choices: dict[str, dict[str, list[int]]] = {}
    cast_seeds: list[bytes] = []
    # A device ballot, a change of vote, two assisted ballots, one audit.
    ballot, seed, selections = device_ballot(poll, pair, [1, 0, 0, 0, 0])
    enc.cast_encrypted_ballot(voter=fed.member, poll_id=poll.pk, ballot=ballot)
    cast_seeds.append(seed)
    ballot, seed, selections = device_ballot(poll, pair, [0, 1, 0, 0, 0])
    enc.cast_encrypted_ballot(voter=fed.member, poll_id=poll.pk, ballot=ballot)
    cast_seeds.append(seed)
    choices["member"] = selections
    before = len(drawn)
    enc.cast_assisted_ballot(voter=fed.other_member, poll_id=poll.pk, choice=[2])
    choices["other"] = {"c1": [0, 0, 1, 0, 0]}
    enc.cast_assisted_ballot(voter=fed.secretary, poll_id=poll.pk, choice=[3])
    choices["secretary"] = {"c1": [0, 0, 0, 1, 0]}
    cast_seeds.extend(drawn[before:])
    assert len(cast_seeds) == 4
    audit_ballot, audit_seed, audit_sel = device_ballot(poll, pair, [0, 0, 0, 0, 1])
    enc.audit_encrypted_ballot(
        voter=fed.member,
        poll_id=poll.pk,
        ballot=audit_ballot,
        nonce_seed=audit_seed.hex(),
        selections=audit_sel,
    )

    # What the adversary looks for. The test holds the sealing key; the
    # database must not.
    secrets_: list[bytes] = [
        pair.secret.to_bytes(),
        pair.credential(election.election_id).secret.to_bytes(),
        sealing.unseal(election.board_secret_sealed, purpose=f"board:{election.election_id}"),
    ]
    for row in ElectionCredential.objects.filter(election=election, kind="server"):
        purpose = f"credential:{election.election_id}:{row.credential}"
        secrets_.append(sealing.unseal(row.secret_sealed, purpose=purpose))
    for secret in secrets_:
        assert Scalar.from_bytes(secret)  # real 32-byte scalars
    assert BoardLine.objects.filter(election=election).count() == 4
    assert not Ballot.objects.filter(poll=poll).exists()

    image = _database_bytes()
    assert election.election_hash.encode() in image  # the search sees the rows
    for seed in cast_seeds:
        for needle in _encodings(seed):
            assert needle not in image, "a cast ballot's nonce seed is in the database"
    assert audit_seed.hex().encode() in image  # an audited seed is published, on purpose
    for secret in secrets_:
        for needle in _encodings(secret):
            assert needle not in image, "a secret is in the database in the clear"
    for who, selections in choices.items():
        for needle in _choice_texts(selections):
            assert needle not in image, f"{who}'s choice is in the database in the clear"
