from __future__ import annotations

from datetime import datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from asamblea.accounts import rules, services
from asamblea.accounts.errors import (
    ExpiredCode,
    InvalidCode,
    PseudonymTaken,
    RevokedCode,
    TooManyTokens,
    UsedCode,
)
from asamblea.accounts.models import ApiToken, Invitation, Member
from asamblea.core.audit import verify_chain
from asamblea.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from asamblea.core.models import AuditEntry
from asamblea.federation import invitations
from asamblea.federation.models import Membership, Role
from tests.accounts.conftest import snapshot
from tests.factories import PASSWORD, make_member

NEW_PASSWORD = "llama-wool-sunrise"


def invite(fed, *, role=Role.MEMBER, committee=None):
    [(invitation, code)] = invitations.create_invitations(
        actor=fed.secretary, committee=committee or fed.committee_a1, role=role
    )
    return invitation, code


def redeem(code, pseudonym="nueva", **extra):
    return invitations.redeem_invitation(
        code=code, pseudonym=pseudonym, password=NEW_PASSWORD, **extra
    )


# --- create_invitations -----------------------------------------------------------


def test_secretary_creates_codes_stored_only_as_digests(fed):
    created = invitations.create_invitations(
        actor=fed.secretary, committee=fed.committee_a1, count=3, valid_days=2
    )
    assert len(created) == 3
    for invitation, code in created:
        normalized = rules.normalize_code(code)
        assert normalized is not None
        assert code == rules.format_code(normalized)
        assert invitation.code_digest == rules.code_digest(normalized)
        assert invitation.code_hint == normalized[:4]
        assert normalized not in invitation.code_digest
        assert invitation.role == Role.MEMBER
        assert invitation.expires_at - invitation.created_at == timedelta(days=2)
    assert AuditEntry.objects.filter(action="invitation.created").count() == 3
    assert verify_chain().ok


def test_operator_creates_invitations_for_any_committee(fed):
    [(invitation, _code)] = invitations.create_invitations(
        actor=fed.operator, committee=fed.committee_b1, role=Role.SECRETARY
    )
    assert invitation.node == fed.committee_b1
    assert invitation.role == Role.SECRETARY


@pytest.mark.parametrize(
    ("who", "where", "error"),
    [
        ("member", "committee_a1", Forbidden),
        ("secretary", "committee_a2", NotFound),
        ("secretary", "committee_b1", NotFound),
        ("secretary", "zone_a", Forbidden),
        ("outsider", "committee_a1", NotFound),
        ("neighbour", "committee_a1", NotFound),
    ],
)
def test_invitation_creation_is_refused_without_rights(fed, who, where, error):
    before = snapshot()
    with pytest.raises(error):
        invitations.create_invitations(actor=getattr(fed, who), committee=getattr(fed, where))
    assert snapshot() == before


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"role": Role.DELEGATE}, "role"),
        ({"role": "king"}, "role"),
        ({"count": 0}, "count"),
        ({"count": invitations.MAX_INVITATIONS_PER_BATCH + 1}, "count"),
        ({"valid_days": 0}, "valid_days"),
        ({"valid_days": invitations.MAX_VALID_DAYS + 1}, "valid_days"),
    ],
)
def test_invitation_with_bad_parameters_is_rejected(fed, kwargs, field):
    before = snapshot()
    with pytest.raises(InvalidInput) as caught:
        invitations.create_invitations(actor=fed.secretary, committee=fed.committee_a1, **kwargs)
    assert caught.value.field == field
    assert snapshot() == before


def test_operator_cannot_invite_to_a_zone(fed):
    before = snapshot()
    with pytest.raises(InvalidInput, match="committees only"):
        invitations.create_invitations(actor=fed.operator, committee=fed.zone_a)
    assert snapshot() == before


# --- redeem_invitation ------------------------------------------------------------


def test_redeeming_creates_member_membership_and_uses_the_code(fed):
    invitation, code = invite(fed, role=Role.SECRETARY)
    before = AuditEntry.objects.count()
    member = redeem(code, email="nueva@example.org", phone="+51 951 000 000", language="qu")
    assert member.check_password(NEW_PASSWORD)
    assert (member.email, member.phone, member.language) == (
        "nueva@example.org",
        "+51 951 000 000",
        "qu",
    )
    membership = Membership.objects.get(member=member)
    assert (membership.node, membership.role) == (fed.committee_a1, Role.SECRETARY)
    invitation.refresh_from_db()
    assert invitation.used_by == member
    assert invitation.used_at is not None
    actions = list(
        AuditEntry.objects.filter(seq__gt=before).order_by("seq").values_list("action", flat=True)
    )
    assert actions == ["member.joined", "membership.created", "invitation.redeemed"]
    assert verify_chain().ok


def test_code_is_accepted_in_lower_case_without_dashes(fed):
    _invitation, code = invite(fed)
    member = redeem(code.replace("-", "").lower())
    assert Membership.objects.filter(member=member, node=fed.committee_a1).exists()


@pytest.mark.parametrize("typed", ["nonsense", "2222-3333-4444-5555", "", "X" * 5000])
def test_unknown_code_is_rejected_and_nothing_is_written(fed, typed):
    invite(fed)
    before = snapshot()
    with pytest.raises(InvalidCode) as caught:
        redeem(typed)
    assert caught.value.field == "code"
    assert caught.value.status == 422
    assert snapshot() == before


def test_expired_code_is_rejected_and_nothing_is_written(fed):
    invitation, code = invite(fed)
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    before = snapshot()
    with pytest.raises(ExpiredCode, match="expired"):
        redeem(code)
    assert snapshot() == before


def test_already_used_code_is_rejected_and_nothing_is_written(fed):
    _invitation, code = invite(fed)
    redeem(code, pseudonym="primera")
    before = snapshot()
    with pytest.raises(UsedCode, match="already been used"):
        redeem(code, pseudonym="segunda")
    assert snapshot() == before
    assert not Member.objects.filter(pseudonym="segunda").exists()


def test_revoked_code_is_rejected_and_nothing_is_written(fed):
    invitation, code = invite(fed)
    invitations.revoke_invitation(actor=fed.secretary, invitation=invitation)
    before = snapshot()
    with pytest.raises(RevokedCode, match="withdrawn"):
        redeem(code)
    assert snapshot() == before


def test_each_bad_code_has_its_own_error_code():
    codes = {InvalidCode.code, ExpiredCode.code, UsedCode.code, RevokedCode.code}
    assert len(codes) == 4


@pytest.mark.parametrize("pseudonym", ["rosa", "ROSA", "Rosa"])
def test_taken_pseudonym_is_rejected_regardless_of_case(fed, pseudonym):
    invitation, code = invite(fed)
    before = snapshot()
    with pytest.raises(PseudonymTaken, match="already taken"):
        redeem(code, pseudonym=pseudonym)
    assert snapshot() == before
    invitation.refresh_from_db()
    assert invitation.used_at is None


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"pseudonym": "a b"}, "pseudonym"),
        ({"pseudonym": "x" * 41}, "pseudonym"),
        ({"password": "12345678"}, "password"),
        ({"password": "short"}, "password"),
        ({"password": "password"}, "password"),
        ({"password": "p" * 129}, "password"),
        ({"email": "not-an-address"}, "email"),
        ({"email": "a" * 250 + "@x.org"}, "email"),
        ({"phone": "call me"}, "phone"),
        ({"phone": "9" * 40}, "phone"),
        ({"language": "fr"}, "language"),
    ],
)
def test_bad_newcomer_details_are_rejected_and_nothing_is_written(fed, extra, field):
    _invitation, code = invite(fed)
    args = {"code": code, "pseudonym": "nueva", "password": NEW_PASSWORD} | extra
    before = snapshot()
    with pytest.raises(InvalidInput) as caught:
        invitations.redeem_invitation(**args)
    assert caught.value.field == field
    assert str(caught.value.message)
    assert snapshot() == before


def test_redeem_with_token_gives_a_working_api_token(fed):
    _invitation, code = invite(fed)
    member, token, raw = invitations.redeem_invitation_with_token(
        code=code, pseudonym="nueva", password=NEW_PASSWORD, token_name="phone"
    )
    assert token.member == member
    assert services.authenticate_api_token(raw_token=raw) == member


# --- revoke_invitation ------------------------------------------------------------


def test_secretary_revokes_an_active_invitation(fed):
    invitation, _code = invite(fed)
    revoked = invitations.revoke_invitation(actor=fed.secretary, invitation=invitation)
    assert revoked.revoked_at is not None
    assert AuditEntry.objects.filter(action="invitation.revoked").count() == 1


def test_revoking_twice_or_after_use_is_a_conflict(fed):
    invitation, code = invite(fed)
    invitations.revoke_invitation(actor=fed.secretary, invitation=invitation)
    before = snapshot()
    with pytest.raises(Conflict, match="already withdrawn"):
        invitations.revoke_invitation(actor=fed.secretary, invitation=invitation)
    assert snapshot() == before

    used, code = invite(fed)
    redeem(code)
    before = snapshot()
    with pytest.raises(Conflict, match="already been used"):
        invitations.revoke_invitation(actor=fed.secretary, invitation=used)
    assert snapshot() == before


@pytest.mark.parametrize(("who", "error"), [("member", Forbidden), ("outsider", NotFound)])
def test_revocation_is_refused_without_rights(fed, who, error):
    invitation, _code = invite(fed)
    before = snapshot()
    with pytest.raises(error):
        invitations.revoke_invitation(actor=getattr(fed, who), invitation=invitation)
    assert snapshot() == before


# --- profile ----------------------------------------------------------------------


def test_change_password_checks_the_old_one_and_audits(fed):
    services.change_password(member=fed.member, old_password=PASSWORD, new_password=NEW_PASSWORD)
    fed.member.refresh_from_db()
    assert fed.member.check_password(NEW_PASSWORD)
    assert AuditEntry.objects.filter(action="password.changed").count() == 1


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("wrong-password", NEW_PASSWORD, "old_password"),
        (PASSWORD, "123", "new_password"),
        (PASSWORD, "qwertyuiop", "new_password"),
    ],
)
def test_bad_password_change_is_rejected_and_nothing_is_written(fed, old, new, field):
    before = snapshot()
    with pytest.raises(InvalidInput) as caught:
        services.change_password(member=fed.member, old_password=old, new_password=new)
    assert caught.value.field == field
    assert snapshot() == before
    fed.member.refresh_from_db()
    assert fed.member.check_password(PASSWORD)


def test_update_profile_changes_language_and_contact_without_logging_them(fed):
    services.update_profile(
        member=fed.member, language="ay", email="rosa@example.org", phone="+51 1 234"
    )
    fed.member.refresh_from_db()
    assert (fed.member.language, fed.member.email, fed.member.phone) == (
        "ay",
        "rosa@example.org",
        "+51 1 234",
    )
    assert AuditEntry.objects.get(action="language.changed").data == {"language": "ay"}
    contact = AuditEntry.objects.get(action="contact.changed")
    assert contact.data == {"email": True, "phone": True}
    assert "rosa@example.org" not in str(list(AuditEntry.objects.values_list("data", flat=True)))

    services.update_profile(member=fed.member, email="", phone="")
    fed.member.refresh_from_db()
    assert (fed.member.email, fed.member.phone) == ("", "")


def test_update_profile_without_changes_writes_nothing(fed):
    before = snapshot()
    services.update_profile(member=fed.member, language=fed.member.language)
    assert snapshot() == before


def test_update_profile_with_one_bad_field_writes_nothing(fed):
    before = snapshot()
    with pytest.raises(InvalidInput) as caught:
        services.update_profile(member=fed.member, language="qu", email="nope")
    assert caught.value.field == "email"
    assert snapshot() == before
    fed.member.refresh_from_db()
    assert fed.member.language == "es"


# --- API tokens -------------------------------------------------------------------


def test_token_is_stored_as_digest_and_authenticates(fed):
    token, raw = services.create_api_token(member=fed.member, name="  phone  ")
    assert token.name == "phone"
    assert raw.startswith(services.TOKEN_PREFIX)
    assert token.prefix == raw[:12]
    assert raw not in token.digest
    assert services.authenticate_api_token(raw_token=raw) == fed.member
    assert AuditEntry.objects.filter(action="token.created").count() == 1


def test_token_last_use_keeps_the_day_and_never_the_time_of_a_vote(fed):
    token, raw = services.create_api_token(member=fed.member, name="phone")
    assert token.last_used_on is None
    services.authenticate_api_token(raw_token=raw)
    # The operator reading the row learns the day, nothing finer.
    row = ApiToken.objects.filter(pk=token.pk).values().get()
    assert row["last_used_on"] == timezone.now().date()
    assert not any(
        isinstance(value, datetime) and value >= timezone.now() - timedelta(hours=1)
        for key, value in row.items()
        if key != "created_at"
    )
    assert {f.name for f in ApiToken._meta.get_fields()} >= {"last_used_on"}
    assert "last_used_at" not in {f.name for f in ApiToken._meta.get_fields()}


def test_token_last_use_is_written_once_a_day(fed):
    token, raw = services.create_api_token(member=fed.member, name="phone")
    services.authenticate_api_token(raw_token=raw)
    with CaptureQueriesContext(connection) as queries:
        services.authenticate_api_token(raw_token=raw)
    assert len(queries) == 1  # the read only: no write on a second use the same day
    yesterday = timezone.now().date() - timedelta(days=1)
    ApiToken.objects.filter(pk=token.pk).update(last_used_on=yesterday)
    assert services.authenticate_api_token(raw_token=raw) == fed.member
    assert ApiToken.objects.get(pk=token.pk).last_used_on == timezone.now().date()


def test_token_last_use_writes_only_the_token_used(fed):
    used, raw = services.create_api_token(member=fed.member, name="phone")
    other, _ = services.create_api_token(member=fed.member, name="laptop")
    someone_else, _ = services.create_api_token(member=fed.other_member, name="phone")
    services.authenticate_api_token(raw_token=raw)
    days = dict(ApiToken.objects.values_list("pk", "last_used_on"))
    assert days[used.pk] == timezone.now().date()
    assert days[other.pk] is None
    assert days[someone_else.pk] is None


def test_token_of_a_deactivated_member_does_not_authenticate(fed):
    token, raw = services.create_api_token(member=fed.member, name="phone")
    Member.objects.filter(pk=fed.member.pk).update(is_active=False)
    assert services.authenticate_api_token(raw_token=raw) is None
    assert ApiToken.objects.get(pk=token.pk).last_used_on is None


def test_revoked_token_no_longer_authenticates(fed):
    token, raw = services.create_api_token(member=fed.member, name="phone")
    services.revoke_api_token(member=fed.member, token_id=token.pk)
    assert services.authenticate_api_token(raw_token=raw) is None
    assert AuditEntry.objects.filter(action="token.revoked").count() == 1


def test_revoking_someone_elses_token_is_not_found(fed):
    token, _raw = services.create_api_token(member=fed.member, name="phone")
    before = snapshot()
    with pytest.raises(NotFound):
        services.revoke_api_token(member=fed.other_member, token_id=token.pk)
    assert snapshot() == before


def test_tokens_are_capped_per_member(fed):
    for i in range(services.MAX_TOKENS_PER_MEMBER):
        services.create_api_token(member=fed.member, name=f"t{i}")
    before = snapshot()
    with pytest.raises(TooManyTokens) as caught:
        services.create_api_token(member=fed.member, name="one too many")
    assert caught.value.status == 409
    assert snapshot() == before


@pytest.mark.parametrize("name", ["", "   ", "n" * 81])
def test_bad_token_name_is_rejected(fed, name):
    before = snapshot()
    with pytest.raises(InvalidInput):
        services.create_api_token(member=fed.member, name=name)
    assert snapshot() == before
    assert ApiToken.objects.count() == 0


# --- operator actions on members ----------------------------------------------------


def test_members_cannot_deactivate_or_promote_anyone(fed):
    with pytest.raises(Forbidden):
        services.set_member_active(actor=fed.secretary, member=fed.member, active=False)
    with pytest.raises(Forbidden):
        services.set_operator(actor=fed.secretary, member=fed.secretary, operator=True)
    fed.member.refresh_from_db()
    assert fed.member.is_active
    assert not fed.secretary.is_staff


def test_staff_without_full_rights_cannot_grant_operator_rights(fed):
    staff = make_member("staffonly")
    Member.objects.filter(pk=staff.pk).update(is_staff=True)
    staff.refresh_from_db()
    with pytest.raises(Forbidden):
        services.set_operator(actor=staff, member=fed.member, operator=True)
    # Deactivating is an operator's job and allowed.
    services.set_member_active(actor=staff, member=fed.member, active=False)


def test_inactive_member_cannot_become_operator(fed):
    services.set_member_active(actor=fed.operator, member=fed.member, active=False)
    with pytest.raises(Conflict):
        services.set_operator(actor=fed.operator, member=fed.member, operator=True)


def test_repeating_an_operator_action_adds_no_entry(fed):
    services.set_member_active(actor=fed.operator, member=fed.member, active=False)
    count = AuditEntry.objects.count()
    services.set_member_active(actor=fed.operator, member=fed.member, active=False)
    assert AuditEntry.objects.count() == count


def test_deactivated_members_token_stops_working(fed):
    _token, raw = services.create_api_token(member=fed.member, name="phone")
    assert services.authenticate_api_token(raw_token=raw) == fed.member
    services.set_member_active(actor=fed.operator, member=fed.member, active=False)
    assert services.authenticate_api_token(raw_token=raw) is None


def test_createsuperuser_is_recorded_in_the_audit_log(db):
    call_command(
        "createsuperuser", "--noinput", "--pseudonym=primera", stdout=StringIO(), stderr=StringIO()
    )
    member = Member.objects.get(pseudonym="primera")
    assert member.is_staff
    assert member.is_superuser
    entry = AuditEntry.objects.get(action="member.operator_created")
    assert (entry.object_id, entry.actor_ref, entry.data) == (
        str(member.pk),
        None,
        {"pseudonym": "primera"},
    )
    assert verify_chain().ok
