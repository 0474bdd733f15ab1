"""Labels of the register's codes in the request's language."""

from __future__ import annotations

from django import template
from django.db import models

from asamblea.incidents import codes

register = template.Library()

_LISTS: dict[str, type[models.TextChoices]] = {
    "violation": codes.ViolationType,
    "method": codes.ActMethod,
    "end_status": codes.EndStatus,
    "sex": codes.Sex,
    "age": codes.AgeBand,
    "occupation": codes.OccupationSector,
    "degree": codes.InvolvementDegree,
    "source_type": codes.SourceType,
    "connection": codes.SourceConnection,
    "reliability": codes.Reliability,
    "consent": codes.ConsentScope,
    "state": codes.VerificationState,
    "status": codes.ViolationStatus,
}


@register.filter
def code_label(value: str, list_name: str) -> str:
    """``{{ act.act_type|code_label:"violation" }}``: the label, or the code
    itself if it is not (or no longer) in the list."""
    choices = _LISTS.get(list_name)
    if choices is None or value not in choices.values:
        return value
    return str(choices(value).label)
