"""The pledges' timed transitions, run in every pass of ``manage.py
run_scheduler`` (registered with ``core.schedule``), never inside a web
request: decide calls whose pledging deadline has passed, decide early the
calls "as soon as reached" whose every scope is activated, and mark held the
activated calls whose action has ended. Each transition re-reads its call
under the row lock (``services``), so concurrent schedulers are safe.
"""

from __future__ import annotations

from datetime import datetime

from asamblea.core import schedule
from asamblea.core.actors import SYSTEM
from asamblea.pledges import services
from asamblea.pledges.models import ActivationRule, Call, CallState

BATCH = 200


def apply_schedule(*, now: datetime) -> tuple[int, int]:
    """Decided and held calls in this pass."""
    decided = held = 0
    pledging = Call.objects.filter(state=CallState.PLEDGING)
    due = pledging.filter(deadline__lte=now).order_by("deadline", "pk")
    for call_id in due.values_list("pk", flat=True)[:BATCH]:
        decided += services.decide_call(actor=SYSTEM, call_id=call_id, now=now) is not None
    early = pledging.filter(rule=ActivationRule.WHEN_REACHED, deadline__gt=now).order_by("pk")
    for call_id in early.values_list("pk", flat=True)[:BATCH]:
        decided += (
            services.decide_call(actor=SYSTEM, call_id=call_id, now=now, early=True) is not None
        )
    ended = Call.objects.filter(state=CallState.ACTIVATED, ends_at__lte=now).order_by("pk")
    for call_id in ended.values_list("pk", flat=True)[:BATCH]:
        held += services.mark_held(actor=SYSTEM, call_id=call_id, now=now) is not None
    return decided, held


def _pass(now: datetime) -> str:
    decided, held = apply_schedule(now=now)
    if decided or held:
        return f"calls decided {decided}, held {held}"
    return ""


def register() -> None:
    schedule.register_pass("pledges", _pass)
