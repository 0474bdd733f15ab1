"""Nothing irreversible happens without a confirmation: a GET, or a POST
without ``confirm=yes``, shows what will happen and changes nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from asamblea.accounts import services as account_services
from asamblea.core.actors import SYSTEM
from asamblea.core.models import AuditEntry
from asamblea.federation import invitations
from asamblea.federation import services as federation_services
from asamblea.motions import services as motion_services
from asamblea.motions.models import Motion, MotionState
from asamblea.voting.models import Poll, PollState
from tests.voting.conftest import open_poll

pytestmark = pytest.mark.django_db


def _cases(fed):
    """(who acts, url, extra fields, what the page says, has it happened?)"""
    poll_to_close = open_poll(fed.secretary, fed.committee_a1)
    poll_to_cancel = open_poll(fed.secretary, fed.committee_a1)
    motion = motion_services.submit_motion(
        actor=fed.member, node=fed.committee_a1, title="Marcha", body="Marchamos."
    )
    mandate = federation_services.appoint_delegate(
        actor=SYSTEM, committee=fed.committee_a1, delegate=fed.other_member
    )
    ((invitation, _code),) = invitations.create_invitations(
        actor=fed.secretary, committee=fed.committee_a1
    )
    token, _raw = account_services.create_api_token(member=fed.member, name="móvil")
    return [
        (
            fed.secretary,
            reverse("voting:close", args=[poll_to_close.pk]),
            {},
            "cannot be opened again",
            lambda: Poll.objects.get(pk=poll_to_close.pk).state == PollState.CLOSED,
        ),
        (
            fed.secretary,
            reverse("voting:cancel", args=[poll_to_cancel.pk]),
            {},
            "not counted",
            lambda: Poll.objects.get(pk=poll_to_cancel.pk).state == PollState.CANCELLED,
        ),
        (
            fed.member,
            reverse("motions:withdraw", args=[motion.pk]),
            {},
            "pending amendments",
            lambda: Motion.objects.get(pk=motion.pk).state == MotionState.WITHDRAWN,
        ),
        (
            fed.secretary,
            reverse("federation:end_mandate", args=[mandate.pk]),
            {"reason": "replaced"},
            "no longer represent",
            lambda: not type(mandate).objects.get(pk=mandate.pk).is_active,
        ),
        (
            fed.secretary,
            reverse("accounts:invitation_revoke", args=[invitation.pk]),
            {},
            "Nobody can join",
            lambda: type(invitation).objects.get(pk=invitation.pk).revoked_at is not None,
        ),
        (
            fed.member,
            reverse("accounts:token_revoke", args=[token.pk]),
            {},
            "loses access at once",
            lambda: type(token).objects.get(pk=token.pk).revoked_at is not None,
        ),
    ]


def test_each_irreversible_action_asks_first_and_then_does_it(fed, client_for):
    for actor, url, extra, says, done in _cases(fed):
        client = client_for(actor)
        entries = AuditEntry.objects.count()
        for response in (
            client.get(url, extra),
            client.post(url, extra),
            client.post(url, {**extra, "confirm": "no"}),
        ):
            assert response.status_code == 200, url
            html = response.content.decode()
            assert says in html, url
            assert "This cannot be undone." in html
            # The confirmation's own form posts the same fields with confirm=yes.
            assert f'action="{url}"' in html
            assert '<input type="hidden" name="confirm" value="yes">' in html
            for key, value in extra.items():
                assert f'<input type="hidden" name="{key}" value="{value}">' in html
            assert not done(), url
        assert AuditEntry.objects.count() == entries, url
        confirmed = client.post(url, {**extra, "confirm": "yes"})
        assert confirmed.status_code == 302, url
        assert done(), url


def test_the_confirmation_is_not_shown_to_whoever_may_not_do_it(fed, client_for):
    poll = open_poll(fed.secretary, fed.committee_a1)
    url = reverse("voting:close", args=[poll.pk])
    assert client_for(fed.member).get(url).status_code == 403
    assert client_for(fed.outsider).get(url).status_code == 404
    mandate = federation_services.appoint_delegate(
        actor=SYSTEM, committee=fed.committee_a1, delegate=fed.other_member
    )
    end = reverse("federation:end_mandate", args=[mandate.pk])
    assert client_for(fed.member).get(end).status_code == 403
    # The delegate may resign: asked in their own words.
    assert "Resign as delegate" in client_for(fed.other_member).get(end).content.decode()


def test_forms_of_irreversible_actions_ask_in_a_dialog_with_javascript(fed, client_for):
    poll = open_poll(fed.secretary, fed.committee_a1)
    html = client_for(fed.secretary).get(reverse("voting:detail", args=[poll.pk])).content
    page = html.decode()
    for action in ("close", "cancel"):
        form = page.split(f'action="/polls/{poll.pk}/{action}/"', 1)[1].split(">", 1)[0]
        assert "data-confirm=" in form
        assert "data-confirm-yes=" in form
    assert "/static/js/confirm.js" in page


def test_recall_page_says_it_cannot_be_undone_and_asks_with_javascript(fed, client_for):
    mandate = federation_services.appoint_delegate(
        actor=SYSTEM, committee=fed.committee_a1, delegate=fed.other_member
    )
    page = client_for(fed.member).get(reverse("voting:start_recall", args=[mandate.pk]))
    html = page.content.decode()
    assert "This cannot be undone" in html
    assert "data-confirm=" in html
