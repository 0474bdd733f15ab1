"""Give the vote ledger random UUID keys instead of insertion-ordered ids, and
write the ballots of secret polls already closed again in a random order with
fresh ids (as every close now does)."""

import secrets
import uuid

from django.db import migrations, models
from django.db.migrations.exceptions import IrreversibleError

LEDGER = "voting_voteledger"
BALLOT = "voting_ballot"

POSTGRES_LEDGER = [
    f"ALTER TABLE {LEDGER} ADD COLUMN new_id uuid",
    f"UPDATE {LEDGER} SET new_id = gen_random_uuid()",
    f"ALTER TABLE {LEDGER} DROP COLUMN id",
    f"ALTER TABLE {LEDGER} RENAME COLUMN new_id TO id",
    f"ALTER TABLE {LEDGER} ADD PRIMARY KEY (id)",
]

RANDOM_ID = {"postgresql": "gen_random_uuid()", "sqlite": "lower(hex(randomblob(16)))"}
RANDOM_SLOT = {
    "postgresql": "%s || replace(gen_random_uuid()::text, '-', '')",
    "sqlite": "%s || lower(hex(randomblob(16)))",
}


class LedgerKeyToRandomUuid(migrations.AlterField):
    """AlterField cannot turn bigint ids into UUIDs in place on PostgreSQL, and
    on SQLite it would copy the integers over: give every row a random key."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            for statement in POSTGRES_LEDGER:
                schema_editor.execute(statement)
            return
        super().database_forwards(app_label, schema_editor, from_state, to_state)
        schema_editor.execute(f"UPDATE {LEDGER} SET id = lower(hex(randomblob(16)))")

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        raise IrreversibleError("random ledger keys are not turned back")


def reinsert_closed_secret_ballots(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    poll_model = apps.get_model("voting", "Poll")
    closed = poll_model.objects.filter(secret=True, state__in=["closed", "cancelled"])
    for poll_id in closed.values_list("pk", flat=True):
        # This run's marker tells its rows from the originals.
        marker = f"r{secrets.token_hex(4)}:"
        schema_editor.execute(
            f"""
            INSERT INTO {BALLOT} (id, poll_id, committee_id, slot, voter_id, cast_at, mask, data,
                                  weight)
            SELECT s.new_id, s.poll_id, s.committee_id, {RANDOM_SLOT[vendor]}, NULL, NULL,
                   s.mask, s.data, s.weight
            FROM (SELECT {RANDOM_ID[vendor]} AS new_id, b.* FROM {BALLOT} b
                  WHERE b.poll_id = %s) s
            ORDER BY s.new_id
            """,
            [marker, poll_id],
        )
        schema_editor.execute(
            f"DELETE FROM {BALLOT} WHERE poll_id = %s AND slot NOT LIKE %s", [poll_id, f"{marker}%"]
        )


class Migration(migrations.Migration):
    dependencies = [
        ("voting", "0005_poll_cancel_reason"),
    ]

    operations = [
        LedgerKeyToRandomUuid(
            model_name="voteledger",
            name="id",
            field=models.UUIDField(
                default=uuid.uuid4, editable=False, primary_key=True, serialize=False
            ),
        ),
        migrations.RunPython(reinsert_closed_secret_ballots, migrations.RunPython.noop),
    ]
