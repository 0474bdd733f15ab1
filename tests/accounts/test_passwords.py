"""Weak passwords, tried everywhere a password is set: joining (web and API),
changing it (web and API) and the operator's command line."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.management.commands import changepassword
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from asamblea.accounts import services
from asamblea.accounts.models import Member
from asamblea.core.errors import InvalidInput
from asamblea.demo.data import DEMO_PASSWORD
from asamblea.federation import invitations
from tests.accounts.conftest import snapshot
from tests.factories import PASSWORD

# (password, pseudonym of whoever sets it)
WEAK = [
    (DEMO_PASSWORD, "nueva"),
    ("Asamblea-Demo", "nueva"),
    ("peru2023", "nueva"),
    ("Perú-2023!", "nueva"),
    ("p3ru2024", "nueva"),
    ("contraseña123", "nueva"),
    ("tequiero123", "nueva"),
    ("FueraDina2023", "nueva"),
    ("el pueblo unido", "nueva"),
    ("Juliaca2023", "nueva"),
    ("carmencita", "carmencita"),  # the pseudonym itself
    ("Carmencita1", "carmencita"),
    ("carmencita-2023", "carmencita"),
]
STRONG = ["llama-wool-sunrise", "violeta tren cerro 47", "kantuta-ventana-río"]


@pytest.mark.parametrize(("password", "pseudonym"), WEAK)
def test_validators_refuse_guessable_passwords(password, pseudonym):
    with pytest.raises(ValidationError):
        validate_password(password, user=Member(pseudonym=pseudonym))


@pytest.mark.parametrize("password", STRONG)
def test_validators_accept_unrelated_words(password):
    validate_password(password, user=Member(pseudonym="carmencita"))


def _invite(fed):
    [(_inv, code)] = invitations.create_invitations(actor=fed.secretary, committee=fed.committee_a1)
    return code


@pytest.mark.parametrize(("password", "pseudonym"), WEAK)
def test_joining_with_a_guessable_password_is_refused_on_the_web(fed, password, pseudonym):
    data = {"code": _invite(fed), "pseudonym": pseudonym, "password": password}
    data["password_again"] = password
    before = snapshot()
    response = Client().post(reverse("accounts:join"), data)
    assert response.status_code == 422
    assert snapshot() == before


@pytest.mark.parametrize(("password", "pseudonym"), WEAK)
def test_joining_with_a_guessable_password_is_refused_by_the_api(fed, password, pseudonym):
    code = _invite(fed)
    before = snapshot()
    response = Client().post(
        "/api/v1/accounts/join",
        json.dumps({"code": code, "pseudonym": pseudonym, "password": password}),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "password"
    assert snapshot() == before


@pytest.mark.parametrize("password", ["asamblea-demo", "peru2023", "rosa-2023!"])
def test_changing_to_a_guessable_password_is_refused(fed, client_for, password):
    with pytest.raises(InvalidInput):
        services.change_password(member=fed.member, old_password=PASSWORD, new_password=password)
    web = client_for(fed.member).post(
        reverse("accounts:password"),
        {"old_password": PASSWORD, "new_password": password, "new_password_again": password},
    )
    assert web.status_code == 422
    _token, raw = services.create_api_token(member=fed.member, name="phone")
    api = Client().post(
        "/api/v1/accounts/me/password",
        json.dumps({"old_password": PASSWORD, "new_password": password}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert api.status_code == 422
    fed.member.refresh_from_db()
    assert fed.member.check_password(PASSWORD)


def test_the_operator_command_line_refuses_the_demo_password(fed, monkeypatch):
    monkeypatch.setattr(changepassword.Command, "_get_pass", lambda self, prompt="": DEMO_PASSWORD)
    with pytest.raises(CommandError):
        call_command("changepassword", "operadora", stdout=None)
    fed.operator.refresh_from_db()
    assert fed.operator.check_password(PASSWORD)
