"""Services of calls to action: issuing, opening, answering, deciding,
reconfirming and reporting; every refusal writes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from asamblea.core.actors import SYSTEM
from asamblea.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from asamblea.core.models import AuditEntry
from asamblea.motions.models import Motion, MotionState
from asamblea.pledges import rules, selectors, services
from asamblea.pledges.errors import (
    AlreadyPledged,
    NotElector,
    PledgingClosed,
    SealedUnavailable,
    WrongCallState,
)
from asamblea.pledges.models import Call, CallState, Pledge, PledgeLedger, Reconfirmation
from asamblea.pledges.schedule import apply_schedule
from tests.factories import join, make_member
from tests.pledges.conftest import make_call, open_call, snapshot

pytestmark = pytest.mark.django_db


def _refused(fed, error, message, fn):
    before = snapshot()
    with pytest.raises(error) as caught:
        fn()
    assert message in str(caught.value.message)
    assert snapshot() == before


def test_secretary_issues_a_draft_call_with_an_audit_entry(fed):
    call = make_call(fed.secretary, fed.committee_a1)
    assert call.state == CallState.DRAFT
    assert call.display_title == "Regional strike"
    entry = AuditEntry.objects.get(action="call.issued")
    assert entry.object_id == str(call.pk)


@pytest.mark.parametrize("who", ["member", "neighbour", "outsider"])
def test_only_managers_issue_calls(fed, who):
    actor = getattr(fed, who)
    error = Forbidden if who == "member" else NotFound
    _refused(fed, error, "", lambda: make_call(actor, fed.committee_a1))


def test_a_secretary_may_not_issue_for_the_zone_above(fed):
    _refused(fed, Forbidden, "secretaries", lambda: make_call(fed.secretary, fed.zone_a))


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"titles": {}}, "title in at least one language"),
        ({"titles": {"xx": "t"}}, "Unknown language"),
        ({"thresholds": {"committee": rules.Rule("share", 101)}}, "over 100"),
        ({"thresholds": {"committee": rules.Rule("count", 0)}}, "at least 1"),
        ({"thresholds": {}}, "at least one level"),
        ({"deadline": timezone.now() - timedelta(hours=1)}, "in the future"),
        (
            {
                "deadline": timezone.now() + timedelta(days=4),
                "starts_at": timezone.now() + timedelta(days=3),
            },
            "before the pledging deadline",
        ),
        ({"kind": "riot"}, "Unknown kind"),
    ],
)
def test_bad_calls_are_refused_and_nothing_is_written(fed, fields, message):
    _refused(fed, InvalidInput, message, lambda: make_call(fed.operator, fed.zone_a, **fields))


def test_sealed_mode_is_refused_with_a_clear_message(fed):
    _refused(
        fed,
        SealedUnavailable,
        "not available yet",
        lambda: make_call(fed.operator, fed.zone_a, secrecy="sealed"),
    )


def test_scope_must_lie_beneath_the_node(fed):
    _refused(
        fed,
        InvalidInput,
        "beneath",
        lambda: make_call(fed.operator, fed.zone_a, scope_node_ids=[fed.committee_b1.pk]),
    )


def test_a_call_links_only_a_carried_motion(fed):
    motion = Motion.objects.create(
        node=fed.zone_a, author=fed.member, title="Paro", body="Paramos.", state=MotionState.DEBATE
    )
    _refused(
        fed,
        InvalidInput,
        "carried motion",
        lambda: make_call(fed.operator, fed.zone_a, motion_id=motion.pk),
    )
    Motion.objects.filter(pk=motion.pk).update(state=MotionState.CARRIED)
    call = make_call(fed.operator, fed.zone_a, motion_id=motion.pk)
    assert list(motion.calls.all()) == [call]


def test_opening_freezes_the_members_in_scope(fed):
    call = open_call(fed.operator, fed.zone_a)
    assert call.state == CallState.PLEDGING
    assert call.electors.count() == 4  # secretary, member, other_member, neighbour
    late = make_member("tardia")
    join(late, fed.committee_a1)
    _refused(
        fed,
        NotElector,
        "when pledging opened",
        lambda: services.answer_call(actor=late, call=call, pledged=True),
    )


def test_chosen_scope_limits_the_electorate(fed):
    call = open_call(fed.operator, fed.zone_a, scope_node_ids=[fed.committee_a2.pk])
    assert list(call.electors.values_list("member_id", flat=True)) == [fed.neighbour.pk]
    _refused(
        fed,
        NotElector,
        "",
        lambda: services.answer_call(actor=fed.member, call=call, pledged=True),
    )


def test_pledge_once_withdraw_and_pledge_again(fed):
    call = open_call(fed.operator, fed.zone_a)
    services.answer_call(actor=fed.member, call=call, pledged=True)
    assert selectors.live_counts(call)[1][fed.committee_a1.pk] == 1
    _refused(
        fed,
        AlreadyPledged,
        "already pledged",
        lambda: services.answer_call(actor=fed.member, call=call, pledged=True),
    )
    services.answer_call(actor=fed.member, call=call, pledged=False)
    assert selectors.live_counts(call)[1].get(fed.committee_a1.pk, 0) == 0
    assert PledgeLedger.objects.filter(call=call).count() == 1
    services.answer_call(actor=fed.member, call=call, pledged=True)
    assert selectors.standing(fed.member, call).pledged is True
    # No audit entry names a pledge.
    assert not AuditEntry.objects.filter(action__startswith="pledge").exists()


def test_pledging_is_refused_after_the_deadline_and_after_withdrawal(fed):
    call = open_call(fed.operator, fed.zone_a)
    Call.objects.filter(pk=call.pk).update(deadline=timezone.now() - timedelta(seconds=1))
    _refused(
        fed,
        PledgingClosed,
        "closed",
        lambda: services.answer_call(actor=fed.member, call=call, pledged=True),
    )
    other = open_call(fed.operator, fed.zone_a)
    services.withdraw_call(actor=fed.operator, call=other)
    _refused(
        fed,
        PledgingClosed,
        "closed",
        lambda: services.answer_call(actor=fed.member, call=other, pledged=True),
    )


def test_the_scheduler_decides_per_scope_at_the_deadline(fed):
    call = open_call(fed.operator, fed.zone_a)
    for who in (fed.secretary, fed.member):
        services.answer_call(actor=who, call=call, pledged=True)
    services.answer_call(actor=fed.neighbour, call=call, pledged=False)
    # Nothing happens before the deadline.
    assert apply_schedule(now=timezone.now()) == (0, 0)
    decided, _ = apply_schedule(now=call.deadline + timedelta(seconds=1))
    assert decided == 1
    call.refresh_from_db()
    assert call.state == CallState.ACTIVATED
    assert call.decision[str(fed.committee_a1.pk)]["activated"] is True  # 2 of 3
    assert call.decision[str(fed.committee_a2.pk)]["activated"] is False  # 0 of 1
    assert call.pledge_key == ""
    assert AuditEntry.objects.filter(action="call.activated", object_id=str(call.pk)).exists()
    assert Reconfirmation.objects.filter(call=call).count() == 1
    # Withdrawing after activation is refused.
    _refused(
        fed,
        PledgingClosed,
        "closed",
        lambda: services.answer_call(actor=fed.member, call=call, pledged=False),
    )


def test_a_call_nobody_pledged_is_not_activated(fed):
    call = open_call(fed.operator, fed.zone_a)
    apply_schedule(now=call.deadline + timedelta(seconds=1))
    call.refresh_from_db()
    assert call.state == CallState.NOT_ACTIVATED


def test_as_soon_as_reached_decides_before_the_deadline(fed):
    call = open_call(
        fed.operator,
        fed.zone_a,
        rule="when_reached",
        thresholds={"zone": rules.Rule("count", 2)},
    )
    services.answer_call(actor=fed.member, call=call, pledged=True)
    assert apply_schedule(now=timezone.now()) == (0, 0)
    services.answer_call(actor=fed.neighbour, call=call, pledged=True)
    assert apply_schedule(now=timezone.now()) == (1, 0)
    call.refresh_from_db()
    assert call.state == CallState.ACTIVATED


def test_reconfirm_once_then_held_and_reported(fed):
    call = open_call(fed.operator, fed.zone_a)
    for who in (fed.secretary, fed.member):
        services.answer_call(actor=who, call=call, pledged=True)
    apply_schedule(now=call.deadline + timedelta(seconds=1))
    call.refresh_from_db()
    assert selectors.standing(fed.member, call).may_reconfirm
    services.reconfirm(actor=fed.member, call=call, still_in=True)
    _refused(
        fed,
        Conflict,
        "already answered",
        lambda: services.reconfirm(actor=fed.member, call=call, still_in=True),
    )
    _refused(
        fed,
        NotElector,
        "who answered",
        lambda: services.reconfirm(actor=fed.other_member, call=call, still_in=True),
    )
    assert Reconfirmation.objects.get(call=call).still_in == 1
    _refused(
        fed,
        WrongCallState,
        "after the action",
        lambda: services.report_turnout(
            actor=fed.secretary, call=call, committee=fed.committee_a1, turnout=3
        ),
    )
    apply_schedule(now=call.ends_at + timedelta(seconds=1))
    call.refresh_from_db()
    assert call.state == CallState.HELD
    _refused(
        fed,
        Forbidden,
        "",
        lambda: services.report_turnout(
            actor=fed.member, call=call, committee=fed.committee_a1, turnout=3
        ),
    )
    services.report_turnout(actor=fed.secretary, call=call, committee=fed.committee_a1, turnout=3)
    call.refresh_from_db()
    assert call.state == CallState.REPORTED


def test_withdrawing_a_call_wipes_its_key(fed):
    call = open_call(fed.operator, fed.zone_a)
    services.answer_call(actor=fed.member, call=call, pledged=True)
    _refused(fed, Forbidden, "", lambda: services.withdraw_call(actor=fed.secretary, call=call))
    services.withdraw_call(actor=fed.operator, call=call)
    call.refresh_from_db()
    assert call.state == CallState.WITHDRAWN
    assert call.pledge_key == ""
    assert Pledge.objects.filter(call=call).count() == 1


def test_only_the_system_decides(fed):
    call = open_call(fed.operator, fed.zone_a)
    with pytest.raises(Forbidden):
        services.decide_call(actor=fed.operator, call_id=call.pk, now=timezone.now())
    assert services.decide_call(actor=SYSTEM, call_id=call.pk, now=timezone.now()) is None


def test_public_figures_are_coarse(fed, settings):
    settings.PLEDGE_PUBLIC_MINIMUM = 2
    settings.PLEDGE_PUBLIC_BUCKET = 2
    call = open_call(fed.operator, fed.zone_a)
    services.answer_call(actor=fed.member, call=call, pledged=True)
    rows = {row.node.pk: row for row in selectors.explain(fed.operator and _viewer(fed), call)}
    assert rows[fed.committee_a1.pk].pledges is None
    for who in (fed.secretary, fed.other_member):
        services.answer_call(actor=who, call=call, pledged=True)
    rows = {row.node.pk: row for row in selectors.explain(_viewer(fed), call)}
    assert rows[fed.committee_a1.pk].pledges == 2  # 3 rounded down


def _viewer(fed):
    from asamblea.federation.access import Viewer

    return Viewer.of(fed.operator)


def test_a_member_sees_no_sibling_scope(fed):
    from asamblea.federation.access import Viewer

    call = open_call(fed.operator, fed.zone_a)
    ids = {row.node.pk for row in selectors.explain(Viewer.of(fed.member), call)}
    assert fed.committee_a1.pk in ids
    assert fed.committee_a2.pk not in ids
