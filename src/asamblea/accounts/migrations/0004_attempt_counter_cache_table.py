"""The database cache's table, which holds the attempt counters of
asamblea.accounts.ratelimit so that every worker process shares them.

Created here (rather than by a separate ``createcachetable`` step) so that
``migrate`` alone prepares a database, on SQLite and PostgreSQL alike. With
Redis configured the table stays empty.
"""

from django.core.management.commands.createcachetable import Command as CreateCacheTable
from django.db import migrations

CACHE_TABLE = "asamblea_cache"


def create_cache_table(apps, schema_editor):
    command = CreateCacheTable()
    command.verbosity = 0
    # Skips a table that already exists (e.g. made by `createcachetable`).
    command.create_table(schema_editor.connection.alias, CACHE_TABLE, dry_run=False)


def drop_cache_table(apps, schema_editor):
    quoted = schema_editor.connection.ops.quote_name(CACHE_TABLE)
    schema_editor.execute(f"DROP TABLE IF EXISTS {quoted}")


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0003_apitoken_last_used_on"),
    ]

    operations = [
        migrations.RunPython(create_cache_table, drop_cache_table),
    ]
