"""An infiltrator tries to pass for a member with a pseudonym that looks the same."""

from __future__ import annotations

import json

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from hypothesis import given, settings
from hypothesis import strategies as st

from asamblea.accounts import pseudonyms
from asamblea.accounts.errors import PseudonymTaken
from asamblea.accounts.models import Member
from asamblea.federation import invitations
from tests.accounts.conftest import snapshot
from tests.factories import PASSWORD, make_member

NEW_PASSWORD = "llama-wool-sunrise"

# Each impersonates "rosa" (or "lola") to a reader.
LOOK_ALIKES = [
    "rоsa",  # Cyrillic о
    "rosа",  # Cyrillic а
    "rοsa",  # Greek omicron
    "ｒｏｓａ",  # fullwidth
    "𝐫𝐨𝐬𝐚",  # mathematical bold
    "ROSA",
    "Rosa",
    "r0sa",  # digit zero for o
    "ROSА",  # capitals with a Cyrillic А
    "IoIa",  # capital I for l, against "lola"
    "1ola",  # digit one for l, against "lola"
]


def invite(fed):
    [(_invitation, code)] = invitations.create_invitations(
        actor=fed.secretary, committee=fed.committee_a1
    )
    return code


@pytest.fixture
def lola(fed):
    return make_member("lola")


@pytest.mark.parametrize("look_alike", LOOK_ALIKES)
def test_joining_with_a_look_alike_pseudonym_is_refused(fed, lola, look_alike):
    code = invite(fed)
    before = snapshot()
    with pytest.raises(PseudonymTaken):
        invitations.redeem_invitation(code=code, pseudonym=look_alike, password=NEW_PASSWORD)
    assert snapshot() == before


@pytest.mark.parametrize("look_alike", LOOK_ALIKES)
def test_the_database_refuses_a_look_alike_that_skips_the_service(fed, lola, look_alike):
    with pytest.raises(IntegrityError), transaction.atomic():
        Member.objects.create_user(look_alike, NEW_PASSWORD)


def test_the_api_names_the_field(fed):
    response = Client().post(
        "/api/v1/accounts/join",
        json.dumps({"code": invite(fed), "pseudonym": "rоsa", "password": NEW_PASSWORD}),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "pseudonym_taken"
    assert response.json()["error"]["field"] == "pseudonym"


def test_distinct_pseudonyms_still_join(fed):
    member = invitations.redeem_invitation(
        code=invite(fed), pseudonym="rosario", password=NEW_PASSWORD
    )
    assert member.pseudonym == "rosario"


def test_a_fullwidth_pseudonym_is_stored_and_signed_in_as_plain_text(fed):
    member = invitations.redeem_invitation(
        code=invite(fed), pseudonym="ｍａｒｉａ", password=NEW_PASSWORD
    )
    assert member.pseudonym == "maria"
    client = Client()
    client.post("/accounts/login/", {"pseudonym": "ｍａｒｉａ", "password": NEW_PASSWORD})
    assert "_auth_user_id" in client.session


def test_renaming_keeps_the_keys_in_step(fed):
    member = fed.other_member
    member.pseudonym = "pedro"
    member.save(update_fields=["pseudonym"])
    with pytest.raises(IntegrityError), transaction.atomic():
        Member.objects.create_user("PEDRO", PASSWORD)
    # The old name is free again.
    Member.objects.create_user("juan", PASSWORD)


def test_the_skeleton_follows_uts39_on_known_pairs():
    assert pseudonyms.skeleton("раураl") == pseudonyms.skeleton("paypal")
    assert pseudonyms.skeleton("ⅼ") == "l"  # SMALL ROMAN NUMERAL FIFTY
    assert pseudonyms.skeleton("0") == "O"
    assert pseudonyms.skeleton("paypal") == "paypal"  # prototypes map to themselves
    assert pseudonyms.folded_key("Straße") == pseudonyms.folded_key("STRASSE")
    assert pseudonyms.shape_key("Ivan") == pseudonyms.shape_key("lvan")
    assert pseudonyms.folded_key("ivan") == pseudonyms.folded_key("IVAN")
    assert pseudonyms.folded_key("ana") != pseudonyms.folded_key("ane")


_CYRILLIC_FOR_LATIN = {"a": "а", "c": "с", "e": "е", "o": "о", "p": "р", "x": "х", "y": "у"}


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="acdeoprsxy", min_size=3, max_size=20), st.data())
def test_any_mix_of_latin_cyrillic_and_case_has_the_same_keys(word, data):
    disguised = "".join(
        _CYRILLIC_FOR_LATIN[c] if c in _CYRILLIC_FOR_LATIN and data.draw(st.booleans()) else c
        for c in word
    )
    disguised = "".join(c.upper() if data.draw(st.booleans()) else c for c in disguised)
    assert pseudonyms.folded_key(disguised) == pseudonyms.folded_key(word)


@pytest.mark.django_db(transaction=True)
def test_the_migration_keys_existing_members_oldest_first():
    executor = MigrationExecutor(connection)
    before = [("accounts", "0004_attempt_counter_cache_table")]
    after = [("accounts", "0005_pseudonym_look_alike_keys")]
    executor.migrate(before)
    old = executor.loader.project_state(before).apps.get_model("accounts", "Member")
    first = old.objects.create(pseudonym="rosa", password="!")
    second = old.objects.create(pseudonym="rоsa", password="!")  # joined before the fix
    third = old.objects.create(pseudonym="juan", password="!")
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(after)
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    keys = {
        m.pk: (m.pseudonym_folded, m.pseudonym_shape)
        for m in Member.objects.filter(pk__in=[first.pk, second.pk, third.pk])
    }
    assert keys[first.pk] == (pseudonyms.folded_key("rosa"), pseudonyms.shape_key("rosa"))
    assert keys[second.pk] == (None, None)
    assert keys[third.pk] == (pseudonyms.folded_key("juan"), pseudonyms.shape_key("juan"))
    # The older member's key still blocks newcomers.
    with pytest.raises(IntegrityError), transaction.atomic():
        Member.objects.create_user("ROSA", PASSWORD)
