"""What the search forms of every list share: words, a node, a date range
and a page, read from a GET request so that they work without JavaScript.

The apps' selectors do the searching (each within what the viewer may see);
this module only bounds the input and cuts a result into pages.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from asamblea.core.validation import TextForm

QUERY_MAX = 100
PAGE_SIZE = 25


class DateInput(forms.DateInput):
    """A date picker where the browser has one; the value is ISO (2026-11-27),
    which every language's input formats accept."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class SearchForm(TextForm):
    """Words, a node (one of ``nodes``: pairs of id and label), a range of
    dates. Subclasses add a state. Every field may be left blank."""

    q = forms.CharField(label=_("Words"), required=False, max_length=QUERY_MAX)
    node = forms.IntegerField(label=_("Where"), required=False, min_value=1)
    since = forms.DateField(label=_("From"), required=False, widget=DateInput())
    until = forms.DateField(label=_("Until"), required=False, widget=DateInput())

    def __init__(self, *args: Any, nodes: Iterable[tuple[int, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["node"].widget = forms.Select(choices=[("", _("Everywhere")), *nodes])

    def clean_q(self) -> str:
        return " ".join(str(self.cleaned_data.get("q") or "").split())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end of the range is before its start."))
        return data


def page_of(items: QuerySet[Any], number: object) -> Page[Any]:
    """The page ``number`` (as given in the query string; anything that is not
    a page number gives the first page, a number past the end the last)."""
    return Paginator(items, PAGE_SIZE).get_page(number if isinstance(number, str) else None)


def other_pages_query(query: Any) -> str:
    """The query string of the request without ``page``, for the links to
    other pages."""
    params = query.copy()
    params.pop("page", None)
    return str(params.urlencode())
