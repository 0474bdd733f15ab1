"""``{% needs_link %}``: the navigation's link to "what needs me", with the
count (one query, once per request). Renders ``web/_needs_link.html``."""

from __future__ import annotations

from typing import Any

from django import template

from asamblea.accounts.models import Member
from asamblea.web import needs

register = template.Library()

_CACHE_ATTRIBUTE = "_asamblea_needs_count"


@register.inclusion_tag("web/_needs_link.html", takes_context=True)
def needs_link(context: template.Context) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if not isinstance(user, Member):
        return {"show": False}
    count = getattr(request, _CACHE_ATTRIBUTE, None)
    if count is None:
        count = needs.needs_count(user)
        setattr(request, _CACHE_ATTRIBUTE, count)
    return {"show": True, "count": count}
