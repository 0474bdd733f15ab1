"""Template helpers for motion pages."""

from __future__ import annotations

from django import template
from django.template import Context, TemplateDoesNotExist
from django.utils.safestring import SafeString

from asamblea.core.errors import Forbidden, NotFound
from asamblea.federation.access import viewer_of
from asamblea.motions import access
from asamblea.motions.models import Amendment

register = template.Library()


@register.simple_tag(takes_context=True)
def include_if_exists(context: Context, template_name: str) -> SafeString | str:
    """Render ``template_name`` with the current context, or nothing when no app
    provides it (the polls block of a motion belongs to the voting app)."""
    try:
        tpl = context.template.engine.get_template(template_name)  # type: ignore[union-attr]
    except TemplateDoesNotExist:
        return ""
    with context.push():
        rendered: SafeString = tpl.render(context)
    return rendered


@register.simple_tag(takes_context=True)
def may_amendment(context: Context, amendment: Amendment, action: str) -> bool:
    """Whether the request's viewer may ``action`` the amendment
    (``motions.access``); decides which buttons a row shows."""
    request = context.get("request")
    if request is None:
        return False
    try:
        access.check_amendment(viewer_of(request), amendment, to=action)  # type: ignore[arg-type]
    except (NotFound, Forbidden):
        return False
    return True
