"""Template helpers for motion pages."""

from __future__ import annotations

from django import template
from django.template import Context, TemplateDoesNotExist
from django.utils.safestring import SafeString

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
