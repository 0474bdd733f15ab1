"""``{% audit_head %}``: the audit log's head, for pages worth keeping outside
the server (results, minutes). Renders ``core/_audit_head.html``."""

from __future__ import annotations

from typing import Any

from django import template

from asamblea.core import audit

register = template.Library()


@register.inclusion_tag("core/_audit_head.html")
def audit_head() -> dict[str, Any]:
    return {"head": audit.current_head()}
