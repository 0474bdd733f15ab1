"""The language switcher on every page, signed in or not."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from asamblea.accounts.models import Member
from asamblea.core.models import AuditEntry
from asamblea.federation import password_resets
from asamblea.federation.models import Membership
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

URL = reverse("accounts:switch_language")


def test_anonymous_visitor_gets_a_cookie_and_the_page_in_that_language(client):
    response = client.post(URL, {"language": "qu", "next": "/accounts/login/"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "qu"
    assert client.get("/accounts/login/").content.decode().count('lang="qu"') == 1


def test_signed_in_member_switch_is_saved_and_wins_over_the_old_choice(fed, client_for):
    client = client_for(fed.member)
    before = AuditEntry.objects.count()
    response = client.post(URL, {"language": "ay", "next": "/"})
    assert response.status_code == 302
    assert Member.objects.get(pk=fed.member.pk).language == "ay"
    assert AuditEntry.objects.filter(action="language.changed").count() == 1
    assert AuditEntry.objects.count() == before + 1
    assert 'lang="ay"' in client.get("/").content.decode()
    # Switching back works too: the saved choice never pins the old language.
    client.post(URL, {"language": "es", "next": "/"})
    assert 'lang="es"' in client.get("/").content.decode()


def test_unknown_language_is_refused_and_nothing_changes(fed, client_for):
    client = client_for(fed.member)
    before = (AuditEntry.objects.count(), Member.objects.get(pk=fed.member.pk).language)
    response = client.post(URL, {"language": "xx", "next": "/"})
    assert response.status_code == 400
    after = (AuditEntry.objects.count(), Member.objects.get(pk=fed.member.pk).language)
    assert after == before


def test_next_on_another_site_is_ignored(client):
    response = client.post(URL, {"language": "en", "next": "https://elsewhere.example/"})
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_switcher_needs_a_csrf_token(fed, csrf_client_for):
    client = csrf_client_for(fed.member)
    response = client.post(URL, {"language": "qu", "next": "/"})
    assert response.status_code == 403
    assert Member.objects.get(pk=fed.member.pk).language != "qu"


def test_language_chosen_before_signing_in_is_kept_after_it(fed, client):
    assert Member.objects.get(pk=fed.member.pk).language != "qu"
    client.post(URL, {"language": "qu", "next": "/accounts/login/"})
    response = client.post(
        reverse("accounts:login"), {"pseudonym": "rosa", "password": PASSWORD}, follow=True
    )
    assert 'lang="qu"' in response.content.decode()
    assert Member.objects.get(pk=fed.member.pk).language == "qu"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "qu"
    assert 'lang="qu"' in client.get("/").content.decode()


def test_without_a_choice_before_signing_in_the_profile_language_wins(fed, client):
    Member.objects.filter(pk=fed.member.pk).update(language="ay")
    # A cookie left by someone else on a shared phone is not a choice made now.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "qu"
    response = client.post(
        reverse("accounts:login"), {"pseudonym": "rosa", "password": PASSWORD}, follow=True
    )
    assert 'lang="ay"' in response.content.decode()
    assert Member.objects.get(pk=fed.member.pk).language == "ay"


def test_language_chosen_before_a_reset_by_code_is_kept(fed, client):
    issued = password_resets.issue_reset_code(
        actor=fed.secretary,
        membership=Membership.objects.get(member=fed.member, node=fed.committee_a1),
    )
    client.post(URL, {"language": "ay", "next": "/accounts/reset/"})
    new = "otra-clave-muy-larga-2026"
    response = client.post(
        reverse("accounts:reset"),
        {"pseudonym": "rosa", "code": issued.code, "new_password": new, "new_password_again": new},
        follow=True,
    )
    assert 'lang="ay"' in response.content.decode()
    assert Member.objects.get(pk=fed.member.pk).language == "ay"
