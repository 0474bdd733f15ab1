"""``{% url_or_none 'app:name' arg as u %}``: reverse a URL owned by another app,
or give None when that app has not defined it, so pages render either way."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import NoReverseMatch, reverse

register = template.Library()


@register.simple_tag
def url_or_none(name: str, *args: Any) -> str | None:
    try:
        return reverse(name, args=args or None)
    except NoReverseMatch:
        return None
