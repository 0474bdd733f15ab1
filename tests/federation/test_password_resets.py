"""Password resets: by a code from a secretary, and by e-mail."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from asamblea.accounts.models import Member, PasswordReset
from asamblea.core.errors import Forbidden, InvalidInput, NotFound
from asamblea.core.models import AuditEntry
from asamblea.federation import password_resets
from asamblea.federation.models import Membership
from tests.factories import PASSWORD, join, make_member

NEW_PASSWORD = "otra-clave-muy-larga-2026"

pytestmark = pytest.mark.django_db


def _membership(fed, member, node=None) -> Membership:
    return Membership.objects.get(member=member, node=node or fed.committee_a1, ended_at=None)


def _issue(fed, member=None, actor=None) -> password_resets.IssuedCode:
    return password_resets.issue_reset_code(
        actor=actor or fed.secretary, membership=_membership(fed, member or fed.member)
    )


def _code_from(html: str) -> str:
    return re.search(r'<p class="code">([A-Z0-9-]+)</p>', html).group(1)


# --- services --------------------------------------------------------------------


def test_code_is_stored_as_a_digest_and_audited(fed):
    issued = _issue(fed)
    row = PasswordReset.objects.values().get()
    assert issued.code.replace("-", "") not in str(row)
    assert row["code_digest"]
    entry = AuditEntry.objects.filter(action="password_reset.issued").get()
    assert entry.data["member"] == fed.member.pk
    assert issued.code not in str(entry.data)


def test_code_sets_a_new_password_once(fed):
    issued = _issue(fed)
    member = password_resets.redeem_reset_code(
        pseudonym="rosa", code=issued.code.lower(), new_password=NEW_PASSWORD
    )
    member.refresh_from_db()
    assert member.check_password(NEW_PASSWORD)
    assert AuditEntry.objects.filter(action="password_reset.used").count() == 1
    with pytest.raises(InvalidInput, match="already been used"):
        password_resets.redeem_reset_code(
            pseudonym="rosa", code=issued.code, new_password="yet-another-password-9"
        )


@pytest.mark.parametrize("pseudonym", ["juan", "nadie", "secretaria"])
def test_code_works_only_for_its_member(fed, pseudonym):
    issued = _issue(fed)
    before = {m.pk: m.password for m in Member.objects.all()}
    with pytest.raises(InvalidInput, match="do not go together"):
        password_resets.redeem_reset_code(
            pseudonym=pseudonym, code=issued.code, new_password=NEW_PASSWORD
        )
    assert {m.pk: m.password for m in Member.objects.all()} == before


def test_expired_code_and_replaced_code_are_refused(fed):
    first = _issue(fed)
    second = _issue(fed)
    with pytest.raises(InvalidInput, match="withdrawn"):
        password_resets.redeem_reset_code(
            pseudonym="rosa", code=first.code, new_password=NEW_PASSWORD
        )
    PasswordReset.objects.filter(pk=second.reset.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1),
        created_at=timezone.now() - timedelta(days=4),
    )
    with pytest.raises(InvalidInput, match="expired"):
        password_resets.redeem_reset_code(
            pseudonym="rosa", code=second.code, new_password=NEW_PASSWORD
        )
    assert Member.objects.get(pk=fed.member.pk).check_password(PASSWORD)


def test_weak_password_leaves_the_code_usable(fed):
    issued = _issue(fed)
    with pytest.raises(InvalidInput):
        password_resets.redeem_reset_code(pseudonym="rosa", code=issued.code, new_password="1234")
    assert PasswordReset.objects.get().used_at is None
    password_resets.redeem_reset_code(pseudonym="rosa", code=issued.code, new_password=NEW_PASSWORD)


def test_who_may_issue_a_code(fed):
    # A plain member, a secretary of another committee: refused or not found.
    with pytest.raises(Forbidden):
        _issue(fed, member=fed.other_member, actor=fed.member)
    with pytest.raises(NotFound):
        password_resets.issue_reset_code(
            actor=fed.outsider, membership=_membership(fed, fed.member)
        )
    # Nobody for themselves; a secretary never for an operator.
    with pytest.raises(Forbidden):
        _issue(fed, member=fed.secretary)
    staff = make_member("operador2", is_staff=True)
    join(staff, fed.committee_a1)
    with pytest.raises(Forbidden, match="operator"):
        _issue(fed, member=staff)
    assert _issue(fed, member=staff, actor=fed.operator).code
    assert PasswordReset.objects.count() == 1


# --- pages -----------------------------------------------------------------------


def test_secretary_confirms_then_sees_the_code_once(fed, client_for):
    client = client_for(fed.secretary)
    membership = _membership(fed, fed.member)
    url = reverse("accounts:reset_code", args=[membership.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "rosa" in page.content.decode()
    assert PasswordReset.objects.count() == 0
    # A POST without the confirmation does nothing.
    assert client.post(url, {}).status_code == 422
    assert PasswordReset.objects.count() == 0
    posted = client.post(url, {"confirm": "yes"})
    assert posted.status_code == 303
    shown = client.get(posted["Location"])
    html = shown.content.decode()
    code = _code_from(html)
    assert "<svg" in html
    assert f"/accounts/reset/#code={code}" in html
    assert "no-store" in shown["Cache-Control"]
    again = client.get(posted["Location"]).content.decode()
    assert code not in again
    assert PasswordReset.objects.count() == 1


def _reads_english(member):
    """Sign-in applies the member's saved language; these tests read the English notices."""
    member.language = "en"
    member.save(update_fields=["language"])


def test_node_page_offers_reset_codes_to_its_secretary_only(fed, client_for):
    url = reverse("federation:node", args=[fed.committee_a1.pk])
    link = reverse("accounts:reset_code", args=[_membership(fed, fed.member).pk])
    assert link in client_for(fed.secretary).get(url).content.decode()
    assert link not in client_for(fed.other_member).get(url).content.decode()
    assert client_for(fed.other_member).get(link).status_code == 403
    assert client_for(fed.outsider).get(link).status_code == 404


def test_member_resets_with_the_code_and_other_sessions_end(fed, client_for):
    _reads_english(fed.member)
    elsewhere = client_for(fed.member)
    assert elsewhere.get(reverse("accounts:profile")).status_code == 200
    issued = _issue(fed)
    client = Client()
    response = client.post(
        reverse("accounts:reset"),
        {
            "pseudonym": "rosa",
            "code": issued.code,
            "new_password": NEW_PASSWORD,
            "new_password_again": NEW_PASSWORD,
        },
        follow=True,
    )
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == "/"
    assert "issued a reset code for your account" in html
    assert "secretaria" in html
    assert client.get(reverse("accounts:profile")).status_code == 200
    # The session opened before the reset is over.
    assert elsewhere.get(reverse("accounts:profile")).status_code == 302


def test_member_is_told_of_a_code_on_the_next_sign_in_once(fed):
    _reads_english(fed.member)
    _issue(fed)
    client = Client()
    login = reverse("accounts:login")
    first = client.post(login, {"pseudonym": "rosa", "password": PASSWORD}, follow=True)
    assert "issued a reset code for your account" in first.content.decode()
    client.post(reverse("accounts:logout"))
    second = client.post(login, {"pseudonym": "rosa", "password": PASSWORD}, follow=True)
    assert "reset code" not in second.content.decode()


def test_wrong_codes_are_limited(fed, settings):
    settings.ASAMBLEA_AUTH_FAILURE_LIMIT = 3
    _issue(fed)
    client = Client()
    data = {
        "pseudonym": "rosa",
        "code": "2222-2222-2222-2222",
        "new_password": NEW_PASSWORD,
        "new_password_again": NEW_PASSWORD,
    }
    statuses = [client.post(reverse("accounts:reset"), data).status_code for _ in range(5)]
    assert statuses == [422, 422, 422, 429, 429]
    assert Member.objects.get(pk=fed.member.pk).check_password(PASSWORD)


def test_reset_by_email_is_audited_and_told(fed, client_for):
    _reads_english(fed.member)
    fed.member.email = "rosa@example.org"
    fed.member.save(update_fields=["email"])
    elsewhere = client_for(fed.member)
    client = Client()
    sent = client.post(reverse("accounts:email_reset"), {"email": "ROSA@example.org"})
    assert sent.status_code == 302
    (message,) = mail.outbox
    assert message.to == ["rosa@example.org"]
    link = re.search(r"http://testserver(/accounts/reset/email/\S+)", message.body).group(1)
    form = client.get(link, follow=True)
    assert form.status_code == 200
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD},
    )
    assert done.status_code == 302
    assert Member.objects.get(pk=fed.member.pk).check_password(NEW_PASSWORD)
    assert AuditEntry.objects.filter(action="password_reset.email_used").count() == 1
    assert elsewhere.get(reverse("accounts:profile")).status_code == 302
    signed_in = client.post(
        reverse("accounts:login"), {"pseudonym": "rosa", "password": NEW_PASSWORD}, follow=True
    )
    assert "through a link sent to your e-mail address" in signed_in.content.decode()
    # The link served once.
    assert "does not work any more" in client.get(link, follow=True).content.decode()


def test_email_reset_says_the_same_for_an_unknown_address(fed):
    response = Client().post(reverse("accounts:email_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_requests_for_reset_links_are_limited_per_address(fed, settings):
    settings.ASAMBLEA_AUTH_FAILURE_LIMIT = 2
    fed.member.email = "rosa@example.org"
    fed.member.save(update_fields=["email"])
    client = Client()
    url = reverse("accounts:email_reset")
    statuses = [client.post(url, {"email": "rosa@example.org"}).status_code for _ in range(3)]
    assert statuses == [302, 302, 429]
    assert len(mail.outbox) == 2
