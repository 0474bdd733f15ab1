"""The operator with the whole database after a board's ceremony: no trustee
secret is anywhere in it (communication secrets, polynomial coefficients, the
shares dealt, the key shares), in any table, in any encoding we store."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command
from django.db import connection

from asamblea.trustees.models import TrusteeBoard
from secret_ballot.trustee import Trustee as Device

from .conftest import device, form_board_through_the_api, key_share_public, respond, reveals_of


def _whole_database() -> str:
    """Every row of every table as text, and the fixture dump of every model."""
    parts = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        parts.append(bytes(value).hex())
                    parts.append(str(value))
    out = StringIO()
    call_command("dumpdata", stdout=out)
    parts.append(out.getvalue())
    return "\n".join(parts).lower()


def _secrets_of(device: Device, board: TrusteeBoard) -> list[str]:
    secret = device.to_secret_json()
    values = [secret["communication_secret"], *secret["coefficients"]]
    values += [r["share"] for r in secret["received_shares"]]
    key_share_public(device, board)
    values.append(device.to_secret_json()["key_share"])
    return values


def test_no_trustee_secret_is_stored(fed, api):
    board_id, trustees, comm_secrets = form_board_through_the_api(fed, api)
    calls = {i: api(m) for i, m in enumerate(trustees, start=1)}
    devices = {i: device(calls[i], board_id, i, comm_secrets[i]) for i in calls}
    for round_name, make in (
        ("announce", lambda d: d.announce().to_json()),
        ("reveal", lambda d: d.reveal().to_json()),
    ):
        for i, d in devices.items():
            r = calls[i](
                "post", f"/trustees/boards/{board_id}/messages/{round_name}", {"payload": make(d)}
            )
            assert r.status_code == 201
    for i, d in devices.items():
        payload = {"payload": respond(d, reveals_of(calls[i], board_id))}
        r = calls[i]("post", f"/trustees/boards/{board_id}/messages/respond", payload)
        assert r.status_code == 201
    board = TrusteeBoard.objects.get(pk=board_id)
    assert board.state == "active"
    dump = _whole_database()
    # The public values are there (so the search does look at the right rows)...
    assert board.joint_key in dump
    assert devices[1].announce().to_json()["commitment_hash"] in dump
    # ...and no secret is, nor any 16-hex-digit piece of one.
    secrets = [s for d in devices.values() for s in _secrets_of(d, board)]
    assert len(secrets) == 3 * (1 + 2 + 3 + 1)
    for secret in secrets:
        assert len(secret) == 64
        for start in range(0, 64, 16):
            assert secret[start : start + 16] not in dump
        assert str(int(secret, 16)) not in dump
