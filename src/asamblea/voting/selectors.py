"""Reads of polls and results, permission-aware."""

from __future__ import annotations

from django.db.models import QuerySet

from asamblea.accounts.models import Member
from asamblea.federation import selectors as federation_selectors
from asamblea.voting.models import Poll, PollState


def open_polls_for(*, member: Member) -> QuerySet[Poll]:
    node_ids = federation_selectors.visible_node_ids(member=member)
    return (
        Poll.objects.filter(node_id__in=node_ids, state=PollState.OPEN)
        .select_related("node")
        .order_by("closes_at")
    )
