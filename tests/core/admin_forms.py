"""What a browser posts to an admin change form, built from a saved object, so
that a test can post the edit an operator would make (and see it refused or
audited) without depending on which fields the admin happens to render."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from django.db import models
from django.utils import timezone


def _fields(obj: models.Model, prefix: str = "") -> dict[str, Any]:
    data: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if field.primary_key or not field.editable:
            continue
        name = prefix + field.name
        value = field.value_from_object(obj)
        if isinstance(field, models.BooleanField):
            if value:
                data[name] = "on"
        elif isinstance(field, models.DateTimeField):
            local = timezone.localtime(value) if value else None
            data[name + "_0"] = local.date().isoformat() if local else ""
            data[name + "_1"] = local.time().isoformat() if local else ""
        elif isinstance(field, models.JSONField):
            data[name] = json.dumps(value)
        elif isinstance(value, date | datetime):
            data[name] = value.isoformat()
        else:
            data[name] = "" if value is None else value
    return data


def change_form(
    obj: models.Model, *, inlines: dict[str, list[models.Model]] | None = None, **changes: Any
) -> dict[str, Any]:
    """The change form of ``obj`` as it stands, with ``changes`` applied
    (``None`` unticks a checkbox); ``inlines`` maps a formset prefix to its rows."""
    data = _fields(obj)
    for prefix, rows in (inlines or {}).items():
        data |= {
            f"{prefix}-TOTAL_FORMS": str(len(rows)),
            f"{prefix}-INITIAL_FORMS": str(len(rows)),
            f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "1000",
        }
        for i, row in enumerate(rows):
            data |= _fields(row, f"{prefix}-{i}-")
            data[f"{prefix}-{i}-id"] = row.pk
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    data["_save"] = "Save"
    return data


def action(name: str, *objects: models.Model) -> dict[str, Any]:
    """The changelist's POST that runs admin action ``name`` on ``objects``."""
    return {"action": name, "_selected_action": [str(o.pk) for o in objects], "index": "0"}
