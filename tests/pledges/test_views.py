"""Pages of calls to action, without JavaScript."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from asamblea.motions.models import Motion, MotionState
from asamblea.pledges.models import Call, CallState, Pledge
from asamblea.pledges.schedule import apply_schedule
from tests.pledges.conftest import open_call, snapshot

pytestmark = pytest.mark.django_db

FMT = "%Y-%m-%dT%H:%M"


def _form(fed, **overrides):
    now = timezone.localtime()
    data = {
        "node": fed.zone_a.pk,
        "title_es": "Paro de Juliaca",
        "kind": "strike",
        "secrecy": "counted",
        "rule": "at_deadline",
        "deadline": (now + timedelta(days=1)).strftime(FMT),
        "starts_at": (now + timedelta(days=2)).strftime(FMT),
        "ends_at": (now + timedelta(days=2, hours=6)).strftime(FMT),
        "threshold_committee_kind": "share",
        "threshold_committee_value": "50",
        "threshold_zone_kind": "count",
        "threshold_zone_value": "2",
    }
    data.update(overrides)
    return data


def test_operator_issues_a_call_from_a_carried_motion(fed, client_for):
    motion = Motion.objects.create(
        node=fed.zone_a, author=fed.member, title="Paro", body="Paramos.", state=MotionState.CARRIED
    )
    client = client_for(fed.operator)
    page = client.get(reverse("motions:detail", args=[motion.pk]))
    assert "Issue a call from this motion" in page.content.decode()
    form = client.get(reverse("pledges:create") + f"?motion={motion.pk}&node={fed.zone_a.pk}")
    assert form.status_code == 200
    response = client.post(reverse("pledges:create"), _form(fed, motion=str(motion.pk)))
    assert response.status_code == 302
    call = Call.objects.get()
    assert call.motion == motion
    assert call.thresholds.count() == 2
    page = client.get(reverse("motions:detail", args=[motion.pk]))
    assert "Paro de Juliaca" in page.content.decode()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"title_es": ""}, "title in at least one language"),
        ({"threshold_committee_value": "120"}, "over 100"),
        ({"threshold_committee_value": "0"}, "greater than or equal to 1"),
        ({"secrecy": "sealed"}, "not available yet"),
    ],
)
def test_bad_forms_answer_4xx_with_a_message_and_write_nothing(fed, client_for, overrides, message):
    before = snapshot()
    response = client_for(fed.operator).post(reverse("pledges:create"), _form(fed, **overrides))
    assert response.status_code in (400, 422)
    assert message in response.content.decode()
    assert snapshot() == before


def test_a_plain_member_cannot_issue(fed, client_for):
    response = client_for(fed.member).post(reverse("pledges:create"), _form(fed))
    assert response.status_code in (403, 422)
    assert not Call.objects.exists()


def test_pledge_withdraw_and_see_the_explanation(fed, client_for):
    call = open_call(fed.operator, fed.zone_a)
    client = client_for(fed.member)
    url = reverse("pledges:detail", args=[call.pk])
    page = client.get(url).content.decode()
    assert "I take part if the threshold is reached" in page
    assert (
        client.post(reverse("pledges:answer", args=[call.pk]), {"answer": "yes"}).status_code == 302
    )
    page = client.get(url).content.decode()
    assert "You have pledged." in page
    assert "Threshold: 50% of 3 members, that is 2 pledges." in page
    # The sibling committee is not shown to this member.
    assert fed.committee_a2.name not in page
    again = client.post(reverse("pledges:answer", args=[call.pk]), {"answer": "yes"})
    assert again.status_code == 409
    assert "already pledged" in again.content.decode()
    client.post(reverse("pledges:answer", args=[call.pk]), {"answer": "no"})
    assert not Pledge.objects.filter(call=call, pledged=True).exists()
    bad = client.post(reverse("pledges:answer", args=[call.pk]), {"answer": "maybe"})
    assert bad.status_code == 422


def test_outsider_sees_nothing(fed, client_for):
    call = open_call(fed.operator, fed.zone_a)
    client = client_for(fed.outsider)
    assert client.get(reverse("pledges:detail", args=[call.pk])).status_code == 404
    answer = client.post(reverse("pledges:answer", args=[call.pk]), {"answer": "yes"})
    assert answer.status_code == 404


def test_reconfirm_after_activation(fed, client_for):
    call = open_call(fed.operator, fed.zone_a)
    for who in (fed.member, fed.secretary):
        client_for(who).post(reverse("pledges:answer", args=[call.pk]), {"answer": "yes"})
    apply_schedule(now=call.deadline + timedelta(seconds=1))
    client = client_for(fed.member)
    page = client.get(reverse("pledges:detail", args=[call.pk])).content.decode()
    assert "Still in?" in page
    assert "Reached: activated." in page
    client.post(reverse("pledges:reconfirm", args=[call.pk]), {"answer": "yes"})
    page = client.get(reverse("pledges:detail", args=[call.pk])).content.decode()
    assert "Still in?" not in page


def test_manager_opens_and_withdraws_with_confirmation(fed, client_for):
    from tests.pledges.conftest import make_call

    call = make_call(fed.secretary, fed.committee_a1)
    client = client_for(fed.secretary)
    client.post(reverse("pledges:open", args=[call.pk]))
    call.refresh_from_db()
    assert call.state == CallState.PLEDGING
    confirm = client.post(reverse("pledges:withdraw", args=[call.pk]))
    assert confirm.status_code == 200
    assert "Withdraw this call?" in confirm.content.decode()
    client.post(reverse("pledges:withdraw", args=[call.pk]), {"confirm": "yes"})
    call.refresh_from_db()
    assert call.state == CallState.WITHDRAWN


def test_list_shows_what_awaits_the_member(fed, client_for):
    call = open_call(fed.operator, fed.zone_a)
    page = client_for(fed.member).get(reverse("pledges:list")).content.decode()
    assert 'id="calls-awaiting"' in page
    assert call.display_title in page


def test_what_needs_me_lists_and_counts_calls_to_answer(fed, client_for):
    from asamblea.web import needs

    call = open_call(fed.operator, fed.zone_a)
    assert needs.needs_count(fed.member) == len(needs.needs_of(fed.member).calls_to_answer) == 1
    page = client_for(fed.member).get(reverse("core:needs")).content.decode()
    assert 'id="needs-calls"' in page
    client_for(fed.member).post(reverse("pledges:answer", args=[call.pk]), {"answer": "no"})
    assert needs.needs_count(fed.member) == 0
