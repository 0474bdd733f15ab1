"""Reads of motions, permission-aware (see federation.selectors for visibility)."""

from __future__ import annotations

from django.db.models import QuerySet

from asamblea.accounts.models import Member
from asamblea.federation import selectors as federation_selectors
from asamblea.motions.models import Motion


def recent_motions_for(*, member: Member, limit: int = 10) -> QuerySet[Motion]:
    node_ids = federation_selectors.visible_node_ids(member=member)
    return (
        Motion.objects.filter(node_id__in=node_ids)
        .select_related("node")
        .order_by("-updated_at")[:limit]
    )
