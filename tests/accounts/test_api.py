from __future__ import annotations

import json

import pytest
from django.test import Client

from asamblea.accounts import services
from asamblea.accounts.models import ApiToken, Invitation, Member
from asamblea.federation import invitations
from asamblea.federation.models import Mandate, MandateSource, Membership, Role
from tests.accounts.conftest import snapshot
from tests.factories import PASSWORD

BASE = "/api/v1/accounts"
NEW_PASSWORD = "llama-wool-sunrise"


def bearer(member):
    _token, raw = services.create_api_token(member=member, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def call(method, path, body=None, *, auth=None, raw=None):
    client = Client()
    kwargs = dict(auth or {})
    if body is not None or raw is not None:
        kwargs["data"] = raw if raw is not None else json.dumps(body)
        kwargs["content_type"] = "application/json"
    return getattr(client, method)(BASE + path, **kwargs)


def invite(fed, **kwargs):
    [(invitation, code)] = invitations.create_invitations(
        actor=fed.secretary, committee=fed.committee_a1, **kwargs
    )
    return invitation, code


def error_of(response):
    body = response.json()
    assert set(body) == {"error"}
    return body["error"]


# --- join -------------------------------------------------------------------------


def test_join_returns_the_member_and_a_working_token(fed):
    _invitation, code = invite(fed)
    response = call(
        "post",
        "/join",
        {"code": code.lower(), "pseudonym": "nueva", "password": NEW_PASSWORD, "language": "ay"},
    )
    assert response.status_code == 201
    body = response.json()
    assert body["member"]["pseudonym"] == "nueva"
    assert body["member"]["language"] == "ay"
    assert body["member"]["memberships"] == [
        {"node": fed.committee_a1.pk, "node_name": fed.committee_a1.name, "role": "member"}
    ]
    token = body["token"]["token"]
    me = call("get", "/me", auth={"HTTP_AUTHORIZATION": f"Bearer {token}"})
    assert me.status_code == 200
    assert me.json()["pseudonym"] == "nueva"


@pytest.mark.parametrize(
    ("spoil", "code"),
    [
        ("unknown", "invalid_code"),
        ("used", "used_code"),
        ("revoked", "revoked_code"),
    ],
)
def test_join_with_bad_code_is_rejected_and_nothing_is_written(fed, spoil, code):
    invitation, raw = invite(fed)
    if spoil == "unknown":
        raw = "2345-6789-ABCD-EFGH"
    elif spoil == "used":
        invitations.redeem_invitation(code=raw, pseudonym="primera", password=NEW_PASSWORD)
    else:
        invitations.revoke_invitation(actor=fed.secretary, invitation=invitation)
    before = snapshot()
    response = call("post", "/join", {"code": raw, "pseudonym": "nueva", "password": NEW_PASSWORD})
    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == code
    assert error["field"] == "code"
    assert error["message"]
    assert snapshot() == before


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"pseudonym": "rosa"}, 422, "pseudonym_taken"),
        ({"password": "12345678"}, 422, "invalid"),
        ({"pseudonym": "p" * 41}, 422, "invalid"),
        ({"email": "e" * 300}, 422, "invalid"),
        ({"phone": "1" * 33}, 422, "invalid"),
        ({"language": "tlh"}, 422, "invalid"),
        ({"code": None}, 422, "invalid"),
    ],
)
def test_join_with_bad_details_is_rejected_and_nothing_is_written(fed, body, status, code):
    _invitation, raw = invite(fed)
    before = snapshot()
    payload = {"code": raw, "pseudonym": "nueva", "password": NEW_PASSWORD} | body
    response = call("post", "/join", payload)
    assert response.status_code == status
    error = error_of(response)
    assert error["code"] == code
    assert error["message"]
    assert snapshot() == before


def test_join_with_malformed_json_is_rejected(fed):
    before = snapshot()
    response = call("post", "/join", raw='{"code": "abc",')
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "malformed_json"
    assert error["message"]
    assert snapshot() == before


def test_join_failures_are_rate_limited(fed, settings):
    settings.ASAMBLEA_AUTH_FAILURE_LIMIT = 2
    _invitation, raw = invite(fed)
    bad = {"code": "2345-6789-ABCD-EFGH", "pseudonym": "nueva", "password": NEW_PASSWORD}
    for _ in range(2):
        assert call("post", "/join", bad).status_code == 422
    before = snapshot()
    response = call("post", "/join", bad | {"code": raw})
    assert response.status_code == 429
    assert error_of(response)["code"] == "rate_limited"
    assert snapshot() == before


# --- me ---------------------------------------------------------------------------


def test_me_needs_authentication(db):
    response = call("get", "/me")
    assert response.status_code == 401
    assert error_of(response)["code"] == "unauthenticated"


def test_patch_me_changes_language_and_clears_contact(fed):
    Member.objects.filter(pk=fed.member.pk).update(email="r@example.org", phone="+51 9")
    response = call(
        "patch", "/me", {"language": "qu", "email": "", "phone": ""}, auth=bearer(fed.member)
    )
    assert response.status_code == 200
    assert response.json()["language"] == "qu"
    fed.member.refresh_from_db()
    assert (fed.member.language, fed.member.email, fed.member.phone) == ("qu", "", "")


@pytest.mark.parametrize(
    "body", [{"language": "xx"}, {"email": "nope"}, {"email": "e" * 255}, {"language": 3}]
)
def test_patch_me_with_bad_values_is_rejected(fed, body):
    auth = bearer(fed.member)
    before = snapshot()
    response = call("patch", "/me", body, auth=auth)
    assert response.status_code == 422
    assert error_of(response)["message"]
    assert snapshot() == before


def test_change_password_through_the_api(fed):
    auth = bearer(fed.member)
    response = call(
        "post",
        "/me/password",
        {"old_password": PASSWORD, "new_password": NEW_PASSWORD},
        auth=auth,
    )
    assert response.status_code == 204
    fed.member.refresh_from_db()
    assert fed.member.check_password(NEW_PASSWORD)


def test_change_password_with_wrong_old_password_is_rejected(fed):
    auth = bearer(fed.member)
    before = snapshot()
    response = call(
        "post", "/me/password", {"old_password": "x", "new_password": NEW_PASSWORD}, auth=auth
    )
    assert response.status_code == 422
    assert error_of(response)["field"] == "old_password"
    assert snapshot() == before


def test_session_api_call_without_csrf_is_refused(fed, csrf_client_for):
    client = csrf_client_for(fed.member)
    before = snapshot()
    response = client.patch(
        BASE + "/me", data=json.dumps({"language": "qu"}), content_type="application/json"
    )
    assert response.status_code in (401, 403)
    assert snapshot() == before


# --- tokens -----------------------------------------------------------------------


def test_token_lifecycle(fed):
    auth = bearer(fed.member)
    created = call("post", "/tokens", {"name": "laptop"}, auth=auth)
    assert created.status_code == 201
    body = created.json()
    assert body["token"].startswith(body["prefix"])
    listing = call("get", "/tokens", auth=auth).json()
    assert {t["name"] for t in listing} == {"test", "laptop"}
    assert all("token" not in t for t in listing)
    assert call("delete", f"/tokens/{body['id']}", auth=auth).status_code == 204
    revoked = call("get", "/me", auth={"HTTP_AUTHORIZATION": f"Bearer {body['token']}"})
    assert revoked.status_code == 401


def test_deleting_someone_elses_token_is_not_found(fed):
    token, _raw = services.create_api_token(member=fed.other_member, name="theirs")
    auth = bearer(fed.member)
    before = snapshot()
    response = call("delete", f"/tokens/{token.pk}", auth=auth)
    assert response.status_code == 404
    assert snapshot() == before


@pytest.mark.parametrize("body", [{"name": ""}, {"name": "n" * 81}, {}])
def test_bad_token_name_is_rejected(fed, body):
    auth = bearer(fed.member)
    before = snapshot()
    response = call("post", "/tokens", body, auth=auth)
    assert response.status_code == 422
    assert snapshot() == before


def test_token_cap_is_a_conflict(fed):
    auth = bearer(fed.member)
    for i in range(services.MAX_TOKENS_PER_MEMBER - 1):
        services.create_api_token(member=fed.member, name=f"t{i}")
    before = snapshot()
    response = call("post", "/tokens", {"name": "more"}, auth=auth)
    assert response.status_code == 409
    assert error_of(response)["code"] == "too_many_tokens"
    assert snapshot() == before


# --- invitations ------------------------------------------------------------------

MATRIX = [
    ("member", "committee_a1", 403),
    ("member", "committee_a2", 404),
    ("member", "zone_a", 403),
    ("secretary", "committee_a1", 201),
    ("secretary", "committee_a2", 404),
    ("secretary", "zone_a", 403),
    ("delegate", "committee_a1", 403),
    ("operator", "committee_a1", 201),
    ("operator", "committee_b1", 201),
    ("operator", "zone_a", 404),
    ("outsider", "committee_b1", 403),
    ("outsider", "committee_a1", 404),
]


def member_for(fed, who):
    if who == "delegate":
        Mandate.objects.create(
            committee=fed.committee_a1, delegate=fed.other_member, source=MandateSource.ELECTED
        )
        return fed.other_member
    return getattr(fed, who)


@pytest.mark.parametrize(("who", "where", "status"), MATRIX)
def test_invitations_api_permission_matrix(fed, who, where, status):
    auth = bearer(member_for(fed, who))
    node = getattr(fed, where)
    listing = call("get", f"/invitations?node={node.pk}", auth=auth)
    assert listing.status_code == (200 if status == 201 else status)
    before = snapshot()
    response = call("post", "/invitations", {"node": node.pk, "count": 2}, auth=auth)
    assert response.status_code == status
    if status == 201:
        assert Invitation.objects.count() == before["invitations"] + 2
    else:
        assert error_of(response)["code"] == {403: "forbidden", 404: "not_found"}[status]
        assert snapshot() == before


def test_anonymous_cannot_use_invitations(fed):
    before = snapshot()
    assert call("get", f"/invitations?node={fed.committee_a1.pk}").status_code == 401
    response = call("post", "/invitations", {"node": fed.committee_a1.pk})
    assert response.status_code == 401
    assert snapshot() == before


def test_created_invitations_carry_code_link_and_qr_once(fed):
    auth = bearer(fed.secretary)
    response = call(
        "post",
        "/invitations",
        {"node": fed.committee_a1.pk, "role": "secretary", "count": 1, "valid_days": 3},
        auth=auth,
    )
    [created] = response.json()
    assert created["role"] == Role.SECRETARY
    assert created["state"] == "active"
    assert created["join_url"].endswith(f"/accounts/join/#code={created['code']}")
    assert "?" not in created["join_url"]
    assert created["qr_svg"].startswith("<svg")
    assert created["hint"] == created["code"][:4]
    listing = call("get", f"/invitations?node={fed.committee_a1.pk}", auth=auth).json()
    assert listing == [{k: v for k, v in created.items() if k in listing[0]}]
    assert "code" not in listing[0]
    # The code works for joining.
    joined = call(
        "post", "/join", {"code": created["code"], "pseudonym": "nueva", "password": NEW_PASSWORD}
    )
    assert joined.status_code == 201
    assert Membership.objects.get(member__pseudonym="nueva").role == Role.SECRETARY


@pytest.mark.parametrize(
    "body",
    [
        {"role": "delegate"},
        {"count": 0},
        {"count": 51},
        {"valid_days": 0},
        {"valid_days": 365},
        {"role": "r" * 17},
    ],
)
def test_bad_invitation_parameters_are_rejected(fed, body):
    auth = bearer(fed.secretary)
    before = snapshot()
    response = call("post", "/invitations", {"node": fed.committee_a1.pk} | body, auth=auth)
    assert response.status_code == 422
    assert error_of(response)["message"]
    assert snapshot() == before


def test_revoke_invitation_through_the_api(fed):
    invitation, _code = invite(fed)
    auth = bearer(fed.secretary)
    assert call("delete", f"/invitations/{invitation.pk}", auth=auth).status_code == 204
    before = snapshot()
    again = call("delete", f"/invitations/{invitation.pk}", auth=auth)
    assert again.status_code == 409
    assert snapshot() == before


@pytest.mark.parametrize(("who", "status"), [("member", 403), ("outsider", 404)])
def test_revoke_invitation_without_rights_is_refused(fed, who, status):
    invitation, _code = invite(fed)
    auth = bearer(getattr(fed, who))
    before = snapshot()
    assert call("delete", f"/invitations/{invitation.pk}", auth=auth).status_code == status
    assert snapshot() == before
    assert ApiToken.objects.filter(member=getattr(fed, who)).count() == 1
