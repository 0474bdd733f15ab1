"""What a secret (not end-to-end verifiable) poll does to its stored ballots.

Such a poll is secret from other members, not from whoever runs the server:
while it is open the server can link a ballot to its voter through the slot
key, and its write-ahead log and backups keep what they kept (see ADR 0002).
What is removed here is what the tables themselves would otherwise tell an
operator after the close:

- a weight that differs within a committee (refused when the poll opens, so a
  ballot's weight is its committee's, which its committee column says anyway);
- the slot, an HMAC of the voter under a key that the close wipes;
- the physical order and the ids of the rows, which follow the order of
  the first votes: at the close every ballot is written again, in a random
  order under fresh random ids, and the originals are deleted. The ledger's
  keys are random UUIDs too, so no id orders it by time either.
"""

from __future__ import annotations

import secrets

from django.db import connection
from django.db.models import Count

from asamblea.voting.errors import UnequalWeights
from asamblea.voting.models import Ballot, ElectorateEntry, Poll

_BALLOT = Ballot._meta.db_table
RANDOM_ID_SQL = {
    "postgresql": "gen_random_uuid()",
    "sqlite": "lower(hex(randomblob(16)))",
}
# A re-inserted row's slot: this run's marker, then random hex. The marker
# tells this run's rows from every earlier row of the poll, whatever wrote it.
RANDOM_SLOT_SQL = {
    "postgresql": "%s || replace(gen_random_uuid()::text, '-', '')",
    "sqlite": "%s || lower(hex(randomblob(16)))",
}


def check_equal_weights(poll: Poll) -> None:
    """``UnequalWeights`` when members of one committee in the frozen
    electorate of secret ``poll`` have different weights. Precondition: the
    electorate is written, inside the opening's transaction."""
    uneven = (
        ElectorateEntry.objects.filter(poll=poll)
        .values("committee_id", "committee__name")
        .annotate(weights=Count("weight", distinct=True))
        .filter(weights__gt=1)
        .order_by("committee__name")
    )
    names = [row["committee__name"] for row in uneven[:5]]
    if names:
        raise UnequalWeights(names)


def reinsert_secret_ballots(poll: Poll) -> None:
    """Wipe the slot key, write every ballot of ``poll`` again in a random
    order with a fresh random id and slot, and delete the originals (two
    statements, whatever the number of ballots). Precondition: inside the
    transaction that closes or cancels the poll, after its results are
    counted."""
    poll.ballot_key = ""
    poll.save(update_fields=["ballot_key"])
    vendor = connection.vendor
    if vendor not in RANDOM_ID_SQL:
        # asamblea runs on SQLite and PostgreSQL only (see the README).
        raise RuntimeError(f"no random row ids for the {vendor} database")
    marker = f"r{secrets.token_hex(4)}:"
    # Only table names and SQL functions are formatted in; values are parameters.
    insert = f"""
        INSERT INTO {_BALLOT} (id, poll_id, committee_id, slot, voter_id, cast_at, mask, data,
                               weight)
        SELECT s.new_id, s.poll_id, s.committee_id, {RANDOM_SLOT_SQL[vendor]}, NULL, NULL, s.mask,
               s.data, s.weight
        FROM (SELECT {RANDOM_ID_SQL[vendor]} AS new_id, b.* FROM {_BALLOT} b
              WHERE b.poll_id = %s) s
        ORDER BY s.new_id
    """  # noqa: S608
    delete = f"DELETE FROM {_BALLOT} WHERE poll_id = %s AND slot NOT LIKE %s"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(insert, [marker, poll.pk])
        cursor.execute(delete, [poll.pk, f"{marker}%"])
