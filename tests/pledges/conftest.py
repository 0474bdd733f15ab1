"""Shared builders for the pledges tests."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from asamblea.core.models import AuditEntry
from asamblea.pledges import rules, services
from asamblea.pledges.models import Call, Elector, Pledge, PledgeLedger, Reconfirmation


def make_call(actor, node, **fields) -> Call:
    """A draft call; ``fields`` are ``CallSpec`` fields."""
    now = timezone.now()
    fields.setdefault("titles", {"es": "Paro regional", "en": "Regional strike"})
    fields.setdefault("kind", "strike")
    fields.setdefault("deadline", now + timedelta(days=2))
    fields.setdefault("starts_at", now + timedelta(days=3))
    fields.setdefault("ends_at", now + timedelta(days=3, hours=8))
    fields.setdefault("thresholds", {"committee": rules.Rule("share", 50)})
    return services.issue_call(actor=actor, node=node, spec=services.CallSpec(**fields))


def open_call(actor, node, **fields) -> Call:
    return services.open_pledging(actor=actor, call=make_call(actor, node, **fields))


def snapshot() -> dict[str, int]:
    """Row counts of everything a pledges service may write."""
    return {
        "calls": Call.objects.count(),
        "electors": Elector.objects.count(),
        "pledges": Pledge.objects.filter(pledged=True).count(),
        "answers": Pledge.objects.count(),
        "ledger": PledgeLedger.objects.count(),
        "reconfirmations": Reconfirmation.objects.count(),
        "audit": AuditEntry.objects.count(),
    }
