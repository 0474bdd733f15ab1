"""Guessing passwords and codes, the way an attacker would try it: on the admin's
sign-in page, from many addresses, behind a proxy, in parallel, and against
several worker processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import OperationalError, connection
from django.test import Client, RequestFactory
from django.urls import reverse

from asamblea.accounts import ratelimit, services
from asamblea.accounts.errors import RateLimited
from asamblea.federation import invitations
from tests.factories import PASSWORD, build_federation

LOGIN = reverse("accounts:login")
ADMIN_LOGIN = reverse("admin:login")
NEW_PASSWORD = "llama-wool-sunrise"
REPO = Path(__file__).resolve().parents[2]


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def admin_post(client: Client, password: str, username: str = "operadora"):
    return client.post(ADMIN_LOGIN, {"username": username, "password": password, "next": "/admin/"})


# --- the admin's sign-in page -------------------------------------------------------


def test_admin_login_refuses_the_right_password_after_thirty_wrong_ones(fed):
    client = Client()
    statuses = [admin_post(client, f"guess-{i}").status_code for i in range(30)]
    assert statuses[:10] == [200] * 10  # the admin's form shows the error itself
    assert set(statuses[10:]) == {429}
    response = admin_post(client, PASSWORD)
    assert response.status_code == 429
    assert "Too many failed attempts" in response.content.decode()
    assert not signed_in(client)


def test_admin_login_still_works_for_an_operator_who_types_it_right(fed):
    client = Client()
    for i in range(3):
        admin_post(client, f"guess-{i}")
    response = admin_post(client, PASSWORD)
    assert response.status_code == 302
    assert signed_in(client)


def test_web_and_admin_sign_in_share_one_count(fed, settings):
    settings.ASAMBLEA_AUTH_FAILURE_LIMIT = 4
    client = Client()
    for i in range(2):
        client.post(LOGIN, {"pseudonym": "operadora", "password": f"web-{i}"})
        admin_post(client, f"admin-{i}")
    assert admin_post(client, PASSWORD).status_code == 429
    response = client.post(LOGIN, {"pseudonym": "operadora", "password": PASSWORD})
    assert response.status_code == 429
    assert not signed_in(client)


# --- by account and by address ------------------------------------------------------


def test_many_addresses_against_one_account_are_stopped(fed, settings):
    settings.ASAMBLEA_AUTH_FAILURE_LIMIT = 5
    for i in range(5):
        guesser = Client(REMOTE_ADDR=f"203.0.113.{i + 1}")
        assert guesser.post(LOGIN, {"pseudonym": "rosa", "password": "nope"}).status_code == 422
    fresh = Client(REMOTE_ADDR="198.51.100.7")
    response = fresh.post(LOGIN, {"pseudonym": "rosa", "password": PASSWORD})
    assert response.status_code == 429
    assert not signed_in(fresh)
    # Other members are not locked out by it.
    other = Client(REMOTE_ADDR="198.51.100.8")
    assert other.post(LOGIN, {"pseudonym": "juan", "password": PASSWORD}).status_code == 302


@pytest.mark.parametrize("variant", ["ROSA", "Rosa", "ｒｏｓａ", " rosa "])
def test_case_and_width_variants_count_against_the_same_account(fed, settings, variant):
    settings.ASAMBLEA_AUTH_FAILURE_LIMIT = 2
    Client(REMOTE_ADDR="203.0.113.1").post(LOGIN, {"pseudonym": variant, "password": "x"})
    Client(REMOTE_ADDR="203.0.113.2").post(LOGIN, {"pseudonym": "rosa", "password": "y"})
    response = Client(REMOTE_ADDR="203.0.113.3").post(
        LOGIN, {"pseudonym": "rosa", "password": PASSWORD}
    )
    assert response.status_code == 429


def test_one_address_spraying_many_accounts_is_stopped(fed, settings):
    settings.ASAMBLEA_AUTH_FAILURE_LIMIT = 3
    client = Client(REMOTE_ADDR="203.0.113.9")
    for name in ("ana", "eva", "luz"):
        assert client.post(LOGIN, {"pseudonym": name, "password": PASSWORD}).status_code == 422
    assert client.post(LOGIN, {"pseudonym": "rosa", "password": PASSWORD}).status_code == 429
    assert not signed_in(client)
    elsewhere = Client(REMOTE_ADDR="203.0.113.10")
    assert elsewhere.post(LOGIN, {"pseudonym": "rosa", "password": PASSWORD}).status_code == 302


def test_a_successful_sign_in_gives_its_slot_back(fed, settings):
    settings.ASAMBLEA_AUTH_FAILURE_LIMIT = 2
    for _ in range(5):
        client = Client()
        assert client.post(LOGIN, {"pseudonym": "rosa", "password": PASSWORD}).status_code == 302


def test_forged_forwarded_for_does_not_escape_the_limit(fed, settings):
    settings.ASAMBLEA_AUTH_FAILURE_LIMIT = 3
    settings.ASAMBLEA_TRUSTED_PROXIES = []
    names = ["ana", "eva", "luz", "sol"]
    statuses = [
        Client(REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR=f"10.9.9.{i}")
        .post(LOGIN, {"pseudonym": name, "password": "x"})
        .status_code
        for i, name in enumerate(names)
    ]
    assert statuses == [422, 422, 422, 429]


def test_behind_a_trusted_proxy_one_client_does_not_lock_out_the_others(fed, settings):
    settings.ASAMBLEA_AUTH_FAILURE_LIMIT = 3
    settings.ASAMBLEA_TRUSTED_PROXIES = ["10.0.0.0/24"]
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    guesser = Client(HTTP_X_FORWARDED_FOR="203.0.113.66", **proxy)
    for name in ("ana", "eva", "luz"):
        guesser.post(LOGIN, {"pseudonym": name, "password": "x"})
    assert guesser.post(LOGIN, {"pseudonym": "sol", "password": "x"}).status_code == 429
    # The guesser forging a left-hand entry is still counted by the address the proxy saw.
    forged = Client(HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.66", **proxy)
    assert forged.post(LOGIN, {"pseudonym": "sol", "password": "x"}).status_code == 429
    # Another member behind the same proxy signs in.
    member = Client(HTTP_X_FORWARDED_FOR="198.51.100.20", **proxy)
    assert member.post(LOGIN, {"pseudonym": "rosa", "password": PASSWORD}).status_code == 302


@pytest.mark.parametrize(
    ("meta", "trusted", "expected"),
    [
        ({"REMOTE_ADDR": "203.0.113.5"}, [], "203.0.113.5"),
        ({"REMOTE_ADDR": "203.0.113.5", "HTTP_X_FORWARDED_FOR": "1.2.3.4"}, [], "203.0.113.5"),
        ({"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "1.2.3.4"}, ["10.0.0.2"], "1.2.3.4"),
        # Two trusted hops: the first untrusted address from the right is the client.
        (
            {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "6.6.6.6, 1.2.3.4, 10.0.0.3"},
            ["10.0.0.0/8"],
            "1.2.3.4",
        ),
        # Garbage written where an address should be: the last vouched-for hop.
        ({"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "x<y"}, ["10.0.0.2"], "10.0.0.2"),
        # Every IPv6 address of one /64 is one client.
        ({"REMOTE_ADDR": "2001:db8:1:2:aaaa::1"}, [], "2001:db8:1:2::/64"),
        ({"REMOTE_ADDR": "2001:db8:1:2:ffff::9"}, [], "2001:db8:1:2::/64"),
        ({"REMOTE_ADDR": "::ffff:203.0.113.5"}, [], "203.0.113.5"),
        ({"REMOTE_ADDR": ""}, [], "unknown"),
        # A proxy on a Unix socket: believed only when listed as "unix".
        ({"REMOTE_ADDR": "", "HTTP_X_FORWARDED_FOR": "1.2.3.4"}, [], "unknown"),
        ({"REMOTE_ADDR": "", "HTTP_X_FORWARDED_FOR": "1.2.3.4"}, ["unix"], "1.2.3.4"),
        ({"REMOTE_ADDR": "", "HTTP_X_FORWARDED_FOR": "x"}, ["unix"], "unknown"),
    ],
)
def test_client_address(settings, meta, trusted, expected):
    settings.ASAMBLEA_TRUSTED_PROXIES = trusted
    request = RequestFactory().get("/", **meta)
    request.META.update(meta)
    assert ratelimit.client_address(request) == expected


def test_counters_hold_no_pseudonym_or_address_in_clear(fed, settings):
    Client(REMOTE_ADDR="203.0.113.77").post(LOGIN, {"pseudonym": "rosa", "password": "x"})
    with connection.cursor() as cursor:
        table = connection.ops.quote_name(django_settings.CACHE_TABLE)
        cursor.execute(f"SELECT cache_key, value FROM {table}")  # noqa: S608
        rows = cursor.fetchall()
    assert rows
    dump = json.dumps(rows)
    assert "rosa" not in dump
    assert "203.0.113.77" not in dump


# --- password changes and invitation codes ---------------------------------------


def test_api_password_change_cannot_be_used_to_guess_the_password(fed, settings):
    settings.ASAMBLEA_AUTH_FAILURE_LIMIT = 3
    _token, raw = services.create_api_token(member=fed.member, name="stolen")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    def change(old: str, address: str):
        return Client(REMOTE_ADDR=address).post(
            "/api/v1/accounts/me/password",
            json.dumps({"old_password": old, "new_password": NEW_PASSWORD}),
            content_type="application/json",
            **auth,
        )

    statuses = [change(f"guess-{i}", f"203.0.113.{i}").status_code for i in range(3)]
    assert statuses == [422, 422, 422]
    response = change(PASSWORD, "198.51.100.1")
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "rate_limited"
    fed.member.refresh_from_db()
    assert fed.member.check_password(PASSWORD)


def test_web_password_change_cannot_be_used_to_guess_the_password(fed, settings, client_for):
    settings.ASAMBLEA_AUTH_FAILURE_LIMIT = 2
    client = client_for(fed.member)
    url = reverse("accounts:password")

    def change(old: str):
        return client.post(
            url,
            {"old_password": old, "new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD},
        )

    assert [change("a").status_code, change("b").status_code] == [422, 422]
    response = change(PASSWORD)
    assert response.status_code == 429
    assert "Too many failed attempts" in response.content.decode()
    fed.member.refresh_from_db()
    assert fed.member.check_password(PASSWORD)


def test_a_weak_new_password_is_not_counted_as_a_guess(fed, settings):
    settings.ASAMBLEA_AUTH_FAILURE_LIMIT = 1
    _token, raw = services.create_api_token(member=fed.member, name="phone")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    for new in ("123", NEW_PASSWORD):
        response = Client().post(
            "/api/v1/accounts/me/password",
            json.dumps({"old_password": PASSWORD, "new_password": new}),
            content_type="application/json",
            **auth,
        )
    assert response.status_code == 204


def test_api_join_guesses_are_counted_by_address_across_clients(fed, settings):
    settings.ASAMBLEA_AUTH_FAILURE_LIMIT = 2
    [(_inv, code)] = invitations.create_invitations(actor=fed.secretary, committee=fed.committee_a1)

    def join(c: str, **meta):
        return Client(**meta).post(
            "/api/v1/accounts/join",
            json.dumps({"code": c, "pseudonym": "nueva", "password": NEW_PASSWORD}),
            content_type="application/json",
        )

    assert join("2345-6789-ABCD-EFGH").status_code == 422
    assert join("2345-6789-ABCD-EFGJ").status_code == 422
    assert join(code).status_code == 429
    assert join(code, REMOTE_ADDR="198.51.100.3").status_code == 201


# --- shared by threads and by processes ------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_burst_of_parallel_guesses_gets_no_more_than_the_limit(settings, monkeypatch):
    settings.ASAMBLEA_AUTH_FAILURE_LIMIT = 4
    # The shared in-memory SQLite test database answers "busy" at once where a
    # file or PostgreSQL would wait; give a busy slot more retries than production.
    monkeypatch.setattr(ratelimit, "SLOT_RETRIES", 50)
    build_federation()
    request = RequestFactory().post("/", REMOTE_ADDR="203.0.113.50")
    barrier = threading.Barrier(12)
    admitted: list[int] = []
    refused: list[int] = []

    def guess(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            for _ in range(200):
                try:
                    ratelimit.begin(scope=ratelimit.SIGN_IN, request=request, account="rosa")
                except RateLimited:
                    refused.append(i)
                except OperationalError:
                    continue  # the shared in-memory SQLite test database was busy: retry
                else:
                    admitted.append(i)
                return
        finally:
            connection.close()

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(admitted) + len(refused) == 12
    assert len(admitted) == 4


WORKER = """
import json, sys
import django
django.setup()
from django.test import Client
results = []
for password in sys.argv[1:]:
    client = Client(REMOTE_ADDR="203.0.113.80")
    response = client.post("/accounts/login/", {"pseudonym": "rosa", "password": password})
    results.append([response.status_code, "_auth_user_id" in client.session])
print(json.dumps(results))
"""

SETUP = """
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from asamblea.accounts.models import Member
Member.objects.create_user("rosa", "correct-horse-battery")
"""


def _run(code: str, env: dict[str, str], *args: str) -> str:
    done = subprocess.run(  # noqa: S603 (this file's own scripts)
        [sys.executable, "-c", code, *args],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""


def test_two_worker_processes_share_one_count(tmp_path):
    """Two processes, as gunicorn's workers are, each with its own cache client,
    against one database (a file SQLite database, so that they can share it)."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "asamblea.config.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'shared.sqlite3'}",
        "ASAMBLEA_INSTANCE_DIR": str(tmp_path),
        "ASAMBLEA_AUTH_FAILURE_LIMIT": "3",
        "ASAMBLEA_CACHE_URL": "",
        "PYTHONPATH": str(REPO / "src"),
    }
    _run(SETUP, env)
    first = json.loads(_run(WORKER, env, "wrong-1", "wrong-2"))
    second = json.loads(_run(WORKER, env, "wrong-3", PASSWORD))
    assert first == [[422, False], [422, False]]
    assert second == [[422, False], [429, False]]


@pytest.mark.parametrize(
    ("url", "backend"),
    [
        ("", "django.core.cache.backends.db.DatabaseCache"),
        ("redis://127.0.0.1:6379/1", "django.core.cache.backends.redis.RedisCache"),
    ],
)
def test_the_cache_is_never_per_process(tmp_path, url, backend):
    env = {
        **os.environ,
        "ASAMBLEA_CACHE_URL": url,
        "ASAMBLEA_INSTANCE_DIR": str(tmp_path),
        "PYTHONPATH": str(REPO / "src"),
    }
    code = (
        "from asamblea.config import settings as s;"
        "print(s.CACHES['default']['BACKEND'], s.CACHES['default']['LOCATION'])"
    )
    assert _run(code, env) == f"{backend} {url or 'asamblea_cache'}"


@pytest.mark.parametrize(
    ("variable", "value"),
    [("ASAMBLEA_CACHE_URL", "locmem://"), ("ASAMBLEA_TRUSTED_PROXIES", "10.0.0.1,proxy.local")],
)
def test_a_bad_setting_is_refused_at_start(tmp_path, variable, value):
    env = {
        **os.environ,
        variable: value,
        "ASAMBLEA_INSTANCE_DIR": str(tmp_path),
        "PYTHONPATH": str(REPO / "src"),
    }
    done = subprocess.run(
        [sys.executable, "-c", "import asamblea.config.settings"],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode != 0
    assert value.split(",")[-1] in done.stderr or variable in done.stderr


def test_admin_password_change_cannot_be_used_to_guess_the_password(fed, settings, client_for):
    settings.ASAMBLEA_AUTH_FAILURE_LIMIT = 2
    client = client_for(fed.operator)
    url = reverse("admin:password_change")

    def change(old: str):
        return client.post(
            url, {"old_password": old, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
        )

    assert [change("a").status_code, change("b").status_code] == [200, 200]
    response = change(PASSWORD)
    assert response.status_code == 429
    assert "Too many failed attempts" in response.content.decode()
    fed.operator.refresh_from_db()
    assert fed.operator.check_password(PASSWORD)


def test_admin_password_change_with_the_right_password_is_not_counted(fed, settings, client_for):
    settings.ASAMBLEA_AUTH_FAILURE_LIMIT = 1
    client = client_for(fed.operator)
    url = reverse("admin:password_change")
    weak = {"old_password": PASSWORD, "new_password1": "peru2023", "new_password2": "peru2023"}
    assert client.post(url, weak).status_code == 200  # refused: a guessable new password
    fed.operator.refresh_from_db()
    assert fed.operator.check_password(PASSWORD)
    strong = {
        "old_password": PASSWORD,
        "new_password1": NEW_PASSWORD,
        "new_password2": NEW_PASSWORD,
    }
    assert client.post(url, strong).status_code == 302
    fed.operator.refresh_from_db()
    assert fed.operator.check_password(NEW_PASSWORD)
