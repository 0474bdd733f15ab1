"""Writes of calls to action and pledges. Each service checks permission
first (``pledges.access``), validates, writes in one transaction and, for
every state change of a call, appends an audit entry. Individual pledges are
never audited: an entry per pledge would be the list of names this app
exists not to keep.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from asamblea.accounts.models import Member
from asamblea.core import audit
from asamblea.core.actors import SYSTEM
from asamblea.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from asamblea.federation.access import Actor, Viewer, as_viewer, may_see
from asamblea.federation.models import Membership, Node, NodeKind
from asamblea.motions.models import Motion, MotionState
from asamblea.pledges import access, rules, secrecy, selectors
from asamblea.pledges.errors import (
    AlreadyPledged,
    NotElector,
    PledgingClosed,
    SealedUnavailable,
    WrongCallState,
)
from asamblea.pledges.models import (
    INFO_MAX,
    LANGUAGE_CODES,
    TEXT_MAX,
    TITLE_MAX,
    ActivationRule,
    Call,
    CallKind,
    CallScope,
    CallState,
    Elector,
    Pledge,
    PledgeLedger,
    Reconfirmation,
    Secrecy,
    Threshold,
    TurnoutReport,
)

ELECTOR_BATCH = 5_000
SCOPES_MAX = 200


@dataclass(frozen=True)
class CallSpec:
    """Everything a new call says; the form and the API schema build it."""

    titles: Mapping[str, str]
    kind: str
    deadline: datetime
    starts_at: datetime
    ends_at: datetime
    texts: Mapping[str, str] = field(default_factory=dict)
    secrecy: str = Secrecy.COUNTED
    rule: str = ActivationRule.AT_DEADLINE
    thresholds: Mapping[str, rules.Rule] = field(default_factory=dict)
    scope_node_ids: Sequence[int] = ()
    practical_info: str = ""
    motion_id: int | None = None


def _member(actor: Actor) -> Member:
    if not isinstance(actor, Member):
        raise Forbidden()
    return actor


def _clean_languages(values: Mapping[str, str], *, limit: int, name: str) -> dict[str, str]:
    cleaned: dict[str, str] = {}
    for code, text in values.items():
        if code not in LANGUAGE_CODES:
            raise InvalidInput(_("Unknown language: %(code)s.") % {"code": code}, field=name)
        text = (text or "").strip()
        if len(text) > limit:
            raise InvalidInput(_("At most %(limit)s characters.") % {"limit": limit}, field=name)
        if text:
            cleaned[code] = text
    return cleaned


def _check_spec(
    viewer: Viewer, node: Node, spec: CallSpec, now: datetime
) -> tuple[dict[str, str], dict[str, str], list[Node], Motion | None]:
    titles = _clean_languages(spec.titles, limit=TITLE_MAX, name="titles")
    if not titles:
        raise InvalidInput(_("Give the call a title in at least one language."), field="titles")
    texts = _clean_languages(spec.texts, limit=TEXT_MAX, name="texts")
    if spec.kind not in CallKind.values:
        raise InvalidInput(_("Unknown kind of action."), field="kind")
    if spec.secrecy not in Secrecy.values:
        raise InvalidInput(_("Unknown secrecy."), field="secrecy")
    if spec.secrecy == Secrecy.SEALED:
        raise SealedUnavailable(field="secrecy")
    if spec.rule not in ActivationRule.values:
        raise InvalidInput(_("Unknown activation rule."), field="rule")
    if spec.deadline <= now:
        raise InvalidInput(_("The pledging deadline must be in the future."), field="deadline")
    if spec.starts_at < spec.deadline:
        raise InvalidInput(
            _("The action cannot start before the pledging deadline."), field="starts_at"
        )
    if spec.ends_at < spec.starts_at:
        raise InvalidInput(_("The action cannot end before it starts."), field="ends_at")
    if len(spec.practical_info) > INFO_MAX:
        raise InvalidInput(
            _("At most %(limit)s characters.") % {"limit": INFO_MAX}, field="practical_info"
        )
    if not spec.thresholds:
        raise InvalidInput(_("Set a threshold for at least one level."), field="thresholds")
    for level, rule in spec.thresholds.items():
        if level not in NodeKind.values:
            raise InvalidInput(
                _("Unknown level: %(level)s.") % {"level": level}, field="thresholds"
            )
        problem = rules.check_rule(rule)
        if problem == "below_one":
            raise InvalidInput(_("A threshold must be at least 1."), field="thresholds")
        if problem == "over_hundred":
            raise InvalidInput(_("A percentage cannot be over 100."), field="thresholds")
    scope_ids = sorted(set(spec.scope_node_ids))
    if len(scope_ids) > SCOPES_MAX:
        raise InvalidInput(
            _("At most %(limit)s chosen nodes.") % {"limit": SCOPES_MAX}, field="scope"
        )
    scopes = list(Node.objects.filter(pk__in=scope_ids, path__startswith=node.path))
    if len(scopes) != len(scope_ids) or any(s.pk == node.pk for s in scopes):
        raise InvalidInput(_("Choose nodes beneath the call's node only."), field="scope")
    motion = None
    if spec.motion_id is not None:
        motion = Motion.objects.select_related("node").filter(pk=spec.motion_id).first()
        if motion is None or not may_see(viewer, motion.node):
            raise NotFound()
        if motion.state != MotionState.CARRIED:
            raise InvalidInput(_("Only a carried motion can decide a call."), field="motion")
    return titles, texts, scopes, motion


def issue_call(*, actor: Actor, node: Node, spec: CallSpec) -> Call:
    """A draft call of ``node``. Only the node's managers issue calls."""
    viewer = as_viewer(actor)
    member = _member(actor)
    access.check_issue(viewer, node)
    titles, texts, scopes, motion = _check_spec(viewer, node, spec, timezone.now())
    with transaction.atomic():
        call = Call.objects.create(
            node=node,
            issued_by=member,
            motion=motion,
            titles=titles,
            texts=texts,
            kind=spec.kind,
            secrecy=spec.secrecy,
            rule=spec.rule,
            deadline=spec.deadline,
            starts_at=spec.starts_at,
            ends_at=spec.ends_at,
            practical_info=spec.practical_info.strip(),
        )
        CallScope.objects.bulk_create(CallScope(call=call, node=s) for s in scopes)
        Threshold.objects.bulk_create(
            Threshold(call=call, level=level, kind=rule.kind, value=rule.value)
            for level, rule in sorted(spec.thresholds.items())
        )
        audit.record(
            actor=actor,
            action="call.issued",
            target=call,
            data={
                "node": node.pk,
                "motion": motion.pk if motion else None,
                "kind": call.kind,
                "secrecy": call.secrecy,
            },
        )
    return call


def _locked(call_id: int) -> Call:
    call = (
        Call.objects.select_for_update(of=("self",))
        .select_related("node", "motion")
        .filter(pk=call_id)
        .first()
    )
    if call is None:
        raise NotFound()
    return call


def _freeze_electorate(call: Call) -> int:
    """Every active member of every committee in scope, once (from the
    committee joined first), as polls freeze theirs."""
    seen: set[int] = set()
    batch: list[Elector] = []
    total = 0
    rows = (
        Membership.objects.filter(
            selectors.committees_in_scope_q(call, prefix="node__"),
            ended_at__isnull=True,
            node__kind=NodeKind.COMMITTEE,
            member__is_active=True,
        )
        .order_by("joined_at", "pk")
        .values_list("member_id", "node_id")
    )
    for member_id, committee_id in rows.iterator(chunk_size=ELECTOR_BATCH):
        if member_id in seen:
            continue
        seen.add(member_id)
        batch.append(Elector(call=call, member_id=member_id, committee_id=committee_id))
        if len(batch) >= ELECTOR_BATCH:
            Elector.objects.bulk_create(batch)
            total += len(batch)
            batch = []
    Elector.objects.bulk_create(batch)
    return total + len(batch)


def open_pledging(*, actor: Actor, call: Call) -> Call:
    """Freeze the members in scope and open the call to pledges."""
    access.check_call(as_viewer(actor), call, to="manage")
    with transaction.atomic():
        call = _locked(call.pk)
        if call.state != CallState.DRAFT:
            raise WrongCallState(_("Only a draft call can open to pledges."))
        if call.deadline <= timezone.now():
            raise WrongCallState(_("The pledging deadline has passed; issue a new call."))
        members = _freeze_electorate(call)
        if members == 0:
            raise Conflict(_("Nobody is in the call's scope: no committee there has members."))
        call.state = CallState.PLEDGING
        call.opened_at = timezone.now()
        call.pledge_key = secrecy.new_key()
        call.save(update_fields=["state", "opened_at", "pledge_key"])
        audit.record(actor=actor, action="call.opened", target=call, data={"members": members})
    return call


def withdraw_call(*, actor: Actor, call: Call) -> Call:
    """Call the action off (before it is held)."""
    access.check_call(as_viewer(actor), call, to="manage")
    with transaction.atomic():
        call = _locked(call.pk)
        if call.state not in (CallState.DRAFT, CallState.PLEDGING, CallState.ACTIVATED):
            raise WrongCallState(_("This call can no longer be withdrawn."))
        previous = call.state
        if call.pledge_key:
            secrecy.reinsert_pledges(call)
        call.state = CallState.WITHDRAWN
        call.save(update_fields=["state"])
        audit.record(actor=actor, action="call.withdrawn", target=call, data={"from": previous})
    return call


def _pledging_call(call_id: int, *, lock: bool) -> Call:
    query = Call.objects.select_related("node")
    if lock:
        # Shared with every other answer; the decision takes it exclusively,
        # so an answer is either counted or refused.
        query = query.select_for_update(of=("self",))
    call = query.filter(pk=call_id).first()
    if call is None:
        raise NotFound()
    if call.state != CallState.PLEDGING or call.deadline <= timezone.now():
        raise PledgingClosed()
    return call


def answer_call(*, actor: Actor, call: Call, pledged: bool) -> None:
    """Pledge (``pledged``) or answer no; a member who pledged answers no to
    withdraw their pledge, until the decision. One pledge per member: only
    frozen electors answer, and pledging twice is refused."""
    viewer = as_viewer(actor)
    member = _member(actor)
    access.check_call(viewer, call)
    with transaction.atomic():
        call = _pledging_call(call.pk, lock=True)
        elector = Elector.objects.filter(call=call, member=member).first()
        if elector is None:
            raise NotElector()
        slot = secrecy.slot_of(call, member.pk)
        current = Pledge.objects.filter(call=call, slot=slot).first()
        if current is not None and current.pledged and pledged:
            raise AlreadyPledged()
        if current is None:
            # A plain "no" is stored too, so that answering says nothing.
            Pledge.objects.create(
                call=call, committee_id=elector.committee_id, slot=slot, pledged=pledged
            )
        elif current.pledged != pledged:
            Pledge.objects.filter(pk=current.pk).update(pledged=pledged)
        try:
            with transaction.atomic():
                PledgeLedger.objects.get_or_create(
                    call=call, member=member, defaults={"committee_id": elector.committee_id}
                )
        except IntegrityError:  # a concurrent answer of the same member wrote it
            pass


def _decide_locked(actor: Actor, call: Call, *, now: datetime) -> Call:
    """Count, store the decision per scope, wipe the slot key. Precondition:
    ``call`` is locked, pledging."""
    results = selectors.evaluate_call(call)
    activated = [r.node_id for r in results.values() if r.activated]
    call.decision = selectors.decision_payload(results)
    call.state = CallState.ACTIVATED if rules.call_activated(results) else CallState.NOT_ACTIVATED
    call.decided_at = now
    call.save(update_fields=["decision", "state", "decided_at"])
    secrecy.reinsert_pledges(call)
    if call.state == CallState.ACTIVATED:
        Reconfirmation.objects.bulk_create(
            Reconfirmation(call=call, committee_id=node_id)
            for node_id, r in results.items()
            if r.activated and r.level == NodeKind.COMMITTEE
        )
    audit.record(
        actor=actor,
        action=f"call.{call.state}",
        target=call,
        data={"activated_scopes": sorted(activated), "scopes": len(results)},
    )
    return call


def decide_call(*, actor: Actor, call_id: int, now: datetime, early: bool = False) -> Call | None:
    """Decide a pledging call whose deadline has passed (or, with ``early``,
    one under "as soon as reached" whose every scope is activated). Only the
    scheduler (``SYSTEM``) decides; None when the call is no longer due."""
    if actor is not SYSTEM:
        raise Forbidden()
    with transaction.atomic():
        call = Call.objects.select_for_update(of=("self",)).filter(pk=call_id).first()
        if call is None or call.state != CallState.PLEDGING:
            return None
        if not early and call.deadline > now:
            return None
        if early:
            if call.rule != ActivationRule.WHEN_REACHED:
                return None
            if not rules.all_activated(selectors.evaluate_call(call)):
                return None
        return _decide_locked(actor, call, now=now)


def reconfirm(*, actor: Actor, call: Call, still_in: bool) -> None:
    """Answer "still in?" after activation, once per member who answered, in an
    activated committee, before the action starts."""
    member = _member(actor)
    access.check_call(as_viewer(actor), call)
    with transaction.atomic():
        call = _locked(call.pk)
        if call.state != CallState.ACTIVATED or call.starts_at <= timezone.now():
            raise WrongCallState(_("The call is not asking for reconfirmation now."))
        entry = (
            PledgeLedger.objects.select_for_update(of=("self",))
            .filter(call=call, member=member)
            .first()
        )
        if entry is None:
            raise NotElector(_("Only members who answered the call are asked to reconfirm."))
        if entry.reconfirmed:
            raise Conflict(_("You have already answered."))
        counter = Reconfirmation.objects.filter(call=call, committee_id=entry.committee_id)
        if not counter.exists():
            raise WrongCallState(_("The call was not activated in your committee."))
        if still_in:
            counter.update(still_in=F("still_in") + 1)
        else:
            counter.update(dropped_out=F("dropped_out") + 1)
        PledgeLedger.objects.filter(pk=entry.pk).update(reconfirmed=True)


def mark_held(*, actor: Actor, call_id: int, now: datetime) -> Call | None:
    """An activated call whose action has ended is held (the scheduler)."""
    if actor is not SYSTEM:
        raise Forbidden()
    with transaction.atomic():
        call = Call.objects.select_for_update(of=("self",)).filter(pk=call_id).first()
        if call is None or call.state != CallState.ACTIVATED or call.ends_at > now:
            return None
        call.state = CallState.HELD
        call.save(update_fields=["state"])
        audit.record(actor=actor, action="call.held", target=call, data={"by": "scheduler"})
        return call


def report_turnout(*, actor: Actor, call: Call, committee: Node, turnout: int) -> TurnoutReport:
    """A committee's managers report how many took part, once the action is held."""
    access.check_report(as_viewer(actor), call, committee)
    if turnout < 0 or turnout > 10_000_000:
        raise InvalidInput(_("Give the number of people who took part."), field="turnout")
    with transaction.atomic():
        call = _locked(call.pk)
        if call.state not in (CallState.HELD, CallState.REPORTED):
            raise WrongCallState(_("Turnout is reported after the action is held."))
        if not call.decision.get(str(committee.pk), {}).get("activated"):
            raise WrongCallState(_("The call was not activated in this committee."))
        if TurnoutReport.objects.filter(call=call, committee=committee).exists():
            raise Conflict(_("This committee has already reported its turnout."))
        report = TurnoutReport.objects.create(call=call, committee=committee, turnout=turnout)
        previous = call.state
        call.state = CallState.REPORTED
        call.save(update_fields=["state"])
        audit.record(
            actor=actor,
            action="call.reported",
            target=call,
            data={"committee": committee.pk, "turnout": turnout, "from": previous},
        )
    return report
