"""The operator's view: a copy of the database (SQLite file image, or a
pg_dump on PostgreSQL) after a victim was recorded and the register unlocked
holds no name, contact, description and no register key in any encoding."""

from __future__ import annotations

import base64
import os
import shutil
import subprocess

import pytest
from django.db import connection

from asamblea.incidents import services
from tests.incidents.conftest import (
    DESCRIPTION,
    PASSPHRASE,
    SECOND_PASSPHRASE,
    VICTIM_CONTACT,
    VICTIM_NAME,
    record,
)

pytestmark = pytest.mark.django_db(transaction=True)


def database_bytes() -> bytes:
    """Every byte the database holds, as the adversary who copies it sees it."""
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        raw = connection.connection
        return bytes(raw.serialize())  # the file image, free pages included
    if connection.vendor == "postgresql":
        if shutil.which("pg_dump") is None:
            pytest.fail("pg_dump is needed to test encryption at rest on PostgreSQL")
        settings = connection.settings_dict
        env = {**os.environ, "PGPASSWORD": settings.get("PASSWORD") or ""}
        command = ["pg_dump", "--no-owner", "--format=plain", "--dbname", settings["NAME"]]
        for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
            if settings.get(key):
                command += [flag, str(settings[key])]
        return subprocess.run(command, check=True, capture_output=True, env=env).stdout  # noqa: S603
    pytest.fail(f"no at-rest test for {connection.vendor}")


def encodings(secret: bytes) -> list[bytes]:
    return [
        secret,
        secret.hex().encode(),
        secret.hex().upper().encode(),
        base64.b64encode(secret),
        base64.urlsafe_b64encode(secret),
        base64.b64encode(secret).rstrip(b"="),
    ]


def test_a_copy_of_the_database_reveals_no_name_and_no_key(fed, reg):
    record(fed, reg)
    # Unlock once more, as a working documenter would.
    key = services.unlock_register(
        actor=fed.other_member, committee=reg.committee, passphrase=SECOND_PASSPHRASE
    )
    dump = database_bytes()
    assert b"P-00001" in dump  # the copy is real: the person's code is there
    for secret in (VICTIM_NAME, VICTIM_CONTACT, DESCRIPTION, "Zenobia", PASSPHRASE):
        for encoded in (secret.encode("utf-8"), secret.encode("utf-16-le")):
            assert encoded not in dump, secret
    for raw_key in (key.data_key.raw, reg.neighbour_key.data_key.raw):
        for encoded in encodings(raw_key):
            assert encoded not in dump
