"""What a counted call does to its stored pledges, as secret polls do to
their ballots (``voting/services/secrecy.py``, ADR 0002).

Counted pledges are secret from other members, not from whoever runs the
server: until the decision the server can link a pledge to its member
through the slot key. The decision wipes the key and writes every pledge
again in a random order under fresh random ids and slots, so that the
tables no longer say which answer came first, and the ledger's random keys
say nothing of the order of the answers either.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.db import connection

from asamblea.pledges.models import Call, Pledge
from asamblea.voting.services.secrecy import RANDOM_ID_SQL, RANDOM_SLOT_SQL

_PLEDGE = Pledge._meta.db_table


def new_key() -> str:
    return secrets.token_hex(32)


def slot_of(call: Call, member_id: int) -> str:
    """HMAC-SHA256(call.pledge_key, member id). Precondition: the key is set
    (pledging is open)."""
    if not call.pledge_key:
        raise RuntimeError("the call's pledge key is wiped")
    return hmac.new(
        bytes.fromhex(call.pledge_key), str(member_id).encode("ascii"), hashlib.sha256
    ).hexdigest()


def reinsert_pledges(call: Call) -> None:
    """Wipe the slot key and write every pledge of ``call`` again in a random
    order with fresh random ids and slots, then delete the originals.
    Precondition: inside the transaction that decides or withdraws the call,
    after its counts are taken."""
    call.pledge_key = ""
    call.save(update_fields=["pledge_key"])
    vendor = connection.vendor
    if vendor not in RANDOM_ID_SQL:
        raise RuntimeError(f"no random row ids for the {vendor} database")
    marker = f"r{secrets.token_hex(4)}:"
    # Only table names and SQL functions are formatted in; values are parameters.
    insert = f"""
        INSERT INTO {_PLEDGE} (id, call_id, committee_id, slot, pledged)
        SELECT s.new_id, s.call_id, s.committee_id, {RANDOM_SLOT_SQL[vendor]}, s.pledged
        FROM (SELECT {RANDOM_ID_SQL[vendor]} AS new_id, p.* FROM {_PLEDGE} p
              WHERE p.call_id = %s) s
        ORDER BY s.new_id
    """  # noqa: S608
    delete = f"DELETE FROM {_PLEDGE} WHERE call_id = %s AND slot NOT LIKE %s"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(insert, [marker, call.pk])
        cursor.execute(delete, [call.pk, f"{marker}%"])
