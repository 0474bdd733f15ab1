from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from asamblea.accounts import services
from asamblea.accounts.models import ApiToken, Invitation, Member
from asamblea.core.models import AuditEntry
from asamblea.federation import invitations
from asamblea.federation.models import Mandate, MandateSource, Membership, Role
from tests.accounts.conftest import snapshot
from tests.factories import PASSWORD

NEW_PASSWORD = "llama-wool-sunrise"
LOGIN = reverse("accounts:login")
JOIN = reverse("accounts:join")

# The confirmation the revoking forms carry (see core/confirm.py).
YES = {"confirm": "yes"}


def invite(fed, **kwargs):
    [(invitation, code)] = invitations.create_invitations(
        actor=fed.secretary, committee=fed.committee_a1, **kwargs
    )
    return invitation, code


def join_data(code, **extra):
    data = {
        "code": code,
        "pseudonym": "nueva",
        "password": NEW_PASSWORD,
        "password_again": NEW_PASSWORD,
        "email": "",
        "phone": "",
    }
    data.update(extra)
    return data


# --- sign in / out ----------------------------------------------------------------


def test_login_page_has_an_accessible_form(db):
    response = Client().get(LOGIN)
    assert response.status_code == 200
    assert b'<label for="id_pseudonym">' in response.content
    assert b'autocomplete="current-password"' in response.content


def test_login_applies_the_members_saved_language(fed):
    Member.objects.filter(pk=fed.member.pk).update(language="qu")
    client = Client()
    response = client.post(LOGIN, {"pseudonym": "rosa", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("core:home")
    assert client.session["member_language"] == "qu"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "qu"
    assert client.get(reverse("accounts:profile")).status_code == 200


def test_login_follows_only_local_next(fed):
    response = Client().post(
        LOGIN, {"pseudonym": "rosa", "password": PASSWORD, "next": "/accounts/me/"}
    )
    assert response["Location"] == "/accounts/me/"
    response = Client().post(
        LOGIN, {"pseudonym": "rosa", "password": PASSWORD, "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("core:home")


@pytest.mark.parametrize(
    "data",
    [
        {"pseudonym": "rosa", "password": "wrong-password"},
        {"pseudonym": "nobody", "password": PASSWORD},
        {"pseudonym": "", "password": ""},
        {"pseudonym": "r" * 500, "password": PASSWORD},
    ],
)
def test_failed_login_shows_an_error_and_stays_anonymous(fed, data):
    client = Client()
    response = client.post(LOGIN, data)
    assert response.status_code == 422
    assert b'class="error"' in response.content
    assert "_auth_user_id" not in client.session


def test_wrong_password_message_is_clear(fed):
    response = Client().post(LOGIN, {"pseudonym": "rosa", "password": "wrong-password"})
    assert "Wrong pseudonym or password." in response.content.decode()


def test_repeated_login_failures_are_rate_limited(fed, settings):
    settings.ASAMBLEA_AUTH_FAILURE_LIMIT = 3
    client = Client()
    for _ in range(3):
        assert client.post(LOGIN, {"pseudonym": "rosa", "password": "nope"}).status_code == 422
    response = client.post(LOGIN, {"pseudonym": "rosa", "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many failed attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Another member at another address is not affected.
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert other.post(LOGIN, {"pseudonym": "juan", "password": PASSWORD}).status_code == 302


def test_login_without_csrf_token_is_refused_with_explanation(fed):
    client = Client(enforce_csrf_checks=True)
    response = client.post(LOGIN, {"pseudonym": "rosa", "password": PASSWORD})
    assert response.status_code == 403
    assert "Nothing was saved" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_logout_needs_post(fed, client_for):
    client = client_for(fed.member)
    assert client.get(reverse("accounts:logout")).status_code == 405
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_logout_without_csrf_token_is_refused(fed, csrf_client_for):
    client = csrf_client_for(fed.member)
    assert client.post(reverse("accounts:logout")).status_code == 403
    assert "_auth_user_id" in client.session


# --- join -------------------------------------------------------------------------


def test_join_page_reads_the_code_from_the_fragment_with_a_static_script(db):
    response = Client().get(JOIN)
    assert response.status_code == 200
    assert b"accounts/join.js" in response.content


def test_joining_creates_member_logs_in_and_redirects_home(fed):
    invitation, code = invite(fed)
    client = Client()
    response = client.post(JOIN, join_data(code, email="n@example.org"))
    assert response.status_code == 302
    assert response["Location"] == reverse("core:home")
    member = Member.objects.get(pseudonym="nueva")
    assert int(client.session["_auth_user_id"]) == member.pk
    assert client.session["member_language"] == member.language == "en"
    assert member.email == "n@example.org"
    assert Membership.objects.filter(member=member, node=fed.committee_a1).exists()
    invitation.refresh_from_db()
    assert invitation.used_by == member


def expire(invitation):
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )


def use(fed, invitation, code):
    invitations.redeem_invitation(code=code, pseudonym="primera", password=NEW_PASSWORD)


def revoke(fed, invitation):
    invitations.revoke_invitation(actor=fed.secretary, invitation=invitation)


@pytest.mark.parametrize(
    ("spoil", "message"),
    [
        ("unknown", "This invitation code is not valid."),
        ("expired", "This invitation code has expired."),
        ("used", "This invitation code has already been used."),
        ("revoked", "This invitation code was withdrawn by the committee."),
    ],
)
def test_bad_code_is_shown_next_to_the_field_and_nothing_is_written(fed, spoil, message):
    invitation, code = invite(fed)
    if spoil == "unknown":
        code = "2345-6789-ABCD-EFGH"
    elif spoil == "expired":
        expire(invitation)
    elif spoil == "used":
        use(fed, invitation, code)
    else:
        revoke(fed, invitation)
    before = snapshot()
    client = Client()
    response = client.post(JOIN, join_data(code))
    assert response.status_code == 422
    html = response.content.decode()
    assert f'<p class="error" id="id_code_error" role="alert">{message}' in html
    assert snapshot() == before
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        ({"pseudonym": "ROSA"}, "pseudonym", "This pseudonym is already taken."),
        ({"pseudonym": "a b"}, "pseudonym", "Use 3 to 40 letters"),
        ({"pseudonym": "x" * 41}, "pseudonym", "at most 40 characters"),
        (
            {"password": "12345678", "password_again": "12345678"},
            "password",
            "entirely numeric",
        ),
        ({"password_again": "something-else"}, "password_again", "do not match"),
        ({"email": "nope"}, "email", "valid email"),
        ({"phone": "9" * 33}, "phone", "at most 32 characters"),
        ({"phone": "call me maybe"}, "phone", "Enter a phone number"),
        ({"code": "X" * 33}, "code", "at most 32 characters"),
    ],
)
def test_bad_join_details_are_shown_and_nothing_is_written(fed, extra, field, message):
    _invitation, code = invite(fed)
    before = snapshot()
    response = Client().post(JOIN, join_data(code) | extra)
    assert response.status_code == 422
    html = response.content.decode()
    assert f'id="id_{field}_error"' in html
    assert message in html
    assert snapshot() == before


def test_join_without_csrf_token_is_refused_and_nothing_is_written(fed):
    _invitation, code = invite(fed)
    before = snapshot()
    response = Client(enforce_csrf_checks=True).post(JOIN, join_data(code))
    assert response.status_code == 403
    assert "Nothing was saved" in response.content.decode()
    assert snapshot() == before


def test_repeated_bad_codes_are_rate_limited_even_with_a_good_code(fed, settings):
    settings.ASAMBLEA_AUTH_FAILURE_LIMIT = 2
    _invitation, code = invite(fed)
    client = Client()
    for _ in range(2):
        assert client.post(JOIN, join_data("2345-6789-ABCD-EFGH")).status_code == 422
    before = snapshot()
    response = client.post(JOIN, join_data(code))
    assert response.status_code == 429
    assert "Too many failed attempts" in response.content.decode()
    assert snapshot() == before


def test_weak_password_does_not_count_as_a_failed_attempt(fed, settings):
    settings.ASAMBLEA_AUTH_FAILURE_LIMIT = 1
    _invitation, code = invite(fed)
    client = Client()
    weak = join_data(code, password="12345678", password_again="12345678")
    assert client.post(JOIN, weak).status_code == 422
    assert client.post(JOIN, join_data(code)).status_code == 302


# --- profile ----------------------------------------------------------------------


def test_profile_needs_login(db):
    response = Client().get(reverse("accounts:profile"))
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_profile_lists_my_memberships(fed, client_for):
    response = client_for(fed.secretary).get(reverse("accounts:profile"))
    html = response.content.decode()
    assert "Comité Santa Bárbara" in html
    assert reverse("accounts:invitations", args=[fed.committee_a1.pk]) in html


def test_password_change_keeps_me_signed_in(fed, client_for):
    client = client_for(fed.member)
    response = client.post(
        reverse("accounts:password"),
        {
            "old_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "new_password_again": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    fed.member.refresh_from_db()
    assert fed.member.check_password(NEW_PASSWORD)
    assert client.get(reverse("accounts:profile")).status_code == 200


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"old_password": "wrong", "new_password": NEW_PASSWORD},
            "old_password",
            "The current password is not correct.",
        ),
        (
            {"old_password": PASSWORD, "new_password": "short"},
            "new_password",
            "too short",
        ),
    ],
)
def test_bad_password_change_is_shown_and_nothing_is_written(fed, client_for, data, field, message):
    data = {**data, "new_password_again": data["new_password"]}
    before = snapshot()
    response = client_for(fed.member).post(reverse("accounts:password"), data)
    assert response.status_code == 422
    html = response.content.decode()
    assert f'id="id_{field}_error"' in html
    assert message in html
    assert snapshot() == before


def test_language_change_saves_member_session_and_cookie(fed, client_for):
    client = client_for(fed.member)
    response = client.post(reverse("accounts:language"), {"language": "ay"})
    assert response.status_code == 302
    fed.member.refresh_from_db()
    assert fed.member.language == "ay"
    assert client.session["member_language"] == "ay"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ay"
    assert AuditEntry.objects.filter(action="language.changed").count() == 1


def test_unknown_language_is_rejected(fed, client_for):
    before = snapshot()
    response = client_for(fed.member).post(reverse("accounts:language"), {"language": "xx"})
    assert response.status_code == 422
    assert 'id="id_language_error"' in response.content.decode()
    assert snapshot() == before


def test_contact_details_can_be_set_and_cleared(fed, client_for):
    client = client_for(fed.member)
    url = reverse("accounts:contact")
    assert client.post(url, {"email": "r@example.org", "phone": "+51 999"}).status_code == 302
    fed.member.refresh_from_db()
    assert (fed.member.email, fed.member.phone) == ("r@example.org", "+51 999")
    assert client.post(url, {"email": "", "phone": ""}).status_code == 302
    fed.member.refresh_from_db()
    assert (fed.member.email, fed.member.phone) == ("", "")


def test_bad_contact_details_are_rejected(fed, client_for):
    before = snapshot()
    response = client_for(fed.member).post(
        reverse("accounts:contact"), {"email": "nope", "phone": ""}
    )
    assert response.status_code == 422
    assert 'id="id_email_error"' in response.content.decode()
    assert snapshot() == before


def test_profile_forms_need_post(fed, client_for):
    client = client_for(fed.member)
    for name in ("password", "language", "contact"):
        assert client.get(reverse(f"accounts:{name}")).status_code == 405


# --- invitations ------------------------------------------------------------------

OK = 200

# Who may open and use a committee's invitations page (own / sibling / above).
INVITATION_MATRIX = [
    ("member", "committee_a1", 403),
    ("member", "committee_a2", 404),
    ("member", "zone_a", 403),
    ("secretary", "committee_a1", OK),
    ("secretary", "committee_a2", 404),
    ("secretary", "zone_a", 403),
    ("delegate", "committee_a1", 403),
    ("delegate", "committee_a2", 404),
    ("operator", "committee_a1", OK),
    ("operator", "committee_b1", OK),
    ("operator", "zone_a", 404),
    ("outsider", "committee_b1", 403),
    ("outsider", "committee_a1", 404),
    ("outsider", "region_b", 403),
]


def member_for(fed, who):
    if who == "delegate":
        Mandate.objects.create(
            committee=fed.committee_a1, delegate=fed.other_member, source=MandateSource.ELECTED
        )
        return fed.other_member
    return getattr(fed, who)


@pytest.mark.parametrize(("who", "where", "status"), INVITATION_MATRIX)
def test_invitations_page_permission_matrix(fed, client_for, who, where, status):
    client = client_for(member_for(fed, who))
    url = reverse("accounts:invitations", args=[getattr(fed, where).pk])
    assert client.get(url).status_code == status
    before = snapshot()
    response = client.post(url, {"role": "member", "count": 2, "valid_days": 3})
    assert response.status_code == (303 if status == OK else status)
    if status == OK:
        assert Invitation.objects.count() == before["invitations"] + 2
    else:
        assert snapshot() == before


@pytest.mark.parametrize("where", ["committee_a1", "committee_b1"])
def test_anonymous_is_sent_to_login_from_invitations(fed, where):
    url = reverse("accounts:invitations", args=[getattr(fed, where).pk])
    before = snapshot()
    for response in (Client().get(url), Client().post(url, {"count": 1})):
        assert response.status_code == 302
        assert response["Location"].startswith(LOGIN)
    assert snapshot() == before


def test_created_codes_are_printed_once_with_qr_codes(fed, client_for):
    client = client_for(fed.secretary)
    url = reverse("accounts:invitations", args=[fed.committee_a1.pk])
    posted = client.post(url, {"role": "secretary", "count": 2, "valid_days": 7})
    # Post/redirect/get: the answer to the POST holds no code to be re-sent.
    assert posted.status_code == 303
    created_url = reverse("accounts:invitations_created", args=[fed.committee_a1.pk])
    assert posted["Location"] == created_url
    response = client.get(created_url)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert html.count("<svg") == 2
    invitations = list(Invitation.objects.filter(node=fed.committee_a1))
    assert len(invitations) == 2
    assert all(i.role == Role.SECRETARY for i in invitations)
    for invitation in invitations:
        assert f'<p class="code">{invitation.code_hint}-' in html
        assert f"/accounts/join/#code={invitation.code_hint}-" in html
    assert "?code=" not in html
    # The list page afterwards shows hints only.
    listing = client.get(url).content.decode()
    assert listing.count("…</td>") == 2
    assert "<svg" not in listing


def test_reloading_the_new_codes_page_creates_none_and_shows_none_again(fed, client_for):
    client = client_for(fed.secretary)
    url = reverse("accounts:invitations", args=[fed.committee_a1.pk])
    first = client.post(url, {"role": "member", "count": 3, "valid_days": 7}, follow=True)
    assert first.content.decode().count('<p class="code">') == 3
    before = snapshot()
    for _reload in range(2):
        again = client.get(first.redirect_chain[-1][0])
        assert again.status_code == 200
        html = again.content.decode()
        assert '<p class="code">' not in html
        assert "<svg" not in html
        assert "already shown once" in html
    assert snapshot() == before
    assert Invitation.objects.filter(node=fed.committee_a1).count() == 3


def test_new_codes_page_of_another_committee_shows_nothing_and_is_refused(fed, client_for):
    client = client_for(fed.secretary)
    url = reverse("accounts:invitations", args=[fed.committee_a1.pk])
    client.post(url, {"role": "member", "count": 1, "valid_days": 7})
    foreign = reverse("accounts:invitations_created", args=[fed.committee_b1.pk])
    assert client.get(foreign).status_code == 404
    # Someone else's session never sees the codes.
    other = client_for(fed.member)
    own = reverse("accounts:invitations_created", args=[fed.committee_a1.pk])
    assert other.get(own).status_code == 403


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"role": "delegate", "count": 1, "valid_days": 7}, "role"),
        ({"role": "member", "count": 0, "valid_days": 7}, "count"),
        ({"role": "member", "count": 51, "valid_days": 7}, "count"),
        ({"role": "member", "count": "many", "valid_days": 7}, "count"),
        ({"role": "member", "count": 1, "valid_days": 91}, "valid_days"),
    ],
)
def test_bad_invitation_request_is_rejected(fed, client_for, data, field):
    before = snapshot()
    response = client_for(fed.secretary).post(
        reverse("accounts:invitations", args=[fed.committee_a1.pk]), data
    )
    assert response.status_code == 422
    assert f'id="id_{field}_error"' in response.content.decode()
    assert snapshot() == before


def test_secretary_revokes_an_invitation(fed, client_for):
    invitation, _code = invite(fed)
    client = client_for(fed.secretary)
    response = client.post(reverse("accounts:invitation_revoke", args=[invitation.pk]), YES)
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None


def test_revoke_by_htmx_returns_the_updated_row(fed, client_for):
    invitation, _code = invite(fed)
    response = client_for(fed.secretary).post(
        reverse("accounts:invitation_revoke", args=[invitation.pk]), YES, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith(f'<tr id="invitation-{invitation.pk}">')
    assert "revoked" in html
    assert "<html" not in html


def test_revoking_twice_is_a_conflict(fed, client_for):
    invitation, _code = invite(fed)
    client = client_for(fed.secretary)
    url = reverse("accounts:invitation_revoke", args=[invitation.pk])
    client.post(url, YES)
    before = snapshot()
    response = client.post(url, YES)
    assert response.status_code == 409
    assert "already withdrawn" in response.content.decode()
    assert snapshot() == before


def test_revoke_conflict_by_htmx_returns_the_row_with_the_reason(fed, client_for):
    invitation, code = invite(fed)
    invitations.redeem_invitation(code=code, pseudonym="nueva", password=NEW_PASSWORD)
    before = snapshot()
    response = client_for(fed.secretary).post(
        reverse("accounts:invitation_revoke", args=[invitation.pk]), YES, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert html.startswith(f'<tr id="invitation-{invitation.pk}">')
    assert "already been used" in html
    assert snapshot() == before


@pytest.mark.parametrize(("who", "status"), [("member", 403), ("outsider", 404)])
def test_revoke_without_rights_is_refused(fed, client_for, who, status):
    invitation, _code = invite(fed)
    before = snapshot()
    response = client_for(getattr(fed, who)).post(
        reverse("accounts:invitation_revoke", args=[invitation.pk]), YES
    )
    assert response.status_code == status
    assert snapshot() == before


# --- tokens -----------------------------------------------------------------------


def test_token_is_shown_once_and_listed_by_prefix(fed, client_for):
    client = client_for(fed.member)
    response = client.post(reverse("accounts:tokens"), {"name": "phone"})
    assert response.status_code == 200
    token = ApiToken.objects.get(member=fed.member)
    html = response.content.decode()
    assert f'<p class="code">{token.prefix}' in html
    listing = client.get(reverse("accounts:tokens")).content.decode()
    assert f"{token.prefix}…" in listing
    assert '<p class="code">' not in listing


def test_empty_or_long_token_name_is_rejected(fed, client_for):
    client = client_for(fed.member)
    before = snapshot()
    for name in ("", "n" * 81):
        response = client.post(reverse("accounts:tokens"), {"name": name})
        assert response.status_code == 422
        assert 'id="id_name_error"' in response.content.decode()
    assert snapshot() == before


def test_token_cap_is_a_conflict(fed, client_for):
    for i in range(services.MAX_TOKENS_PER_MEMBER):
        services.create_api_token(member=fed.member, name=f"t{i}")
    before = snapshot()
    response = client_for(fed.member).post(reverse("accounts:tokens"), {"name": "more"})
    assert response.status_code == 409
    assert "too many API tokens" in response.content.decode()
    assert snapshot() == before


def test_token_revoke_own_and_not_others(fed, client_for):
    token, _raw = services.create_api_token(member=fed.member, name="phone")
    url = reverse("accounts:token_revoke", args=[token.pk])
    before = snapshot()
    assert client_for(fed.other_member).post(url, YES).status_code == 404
    assert client_for(fed.other_member).get(url).status_code == 404
    assert snapshot() == before
    assert client_for(fed.member).post(url, YES).status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
