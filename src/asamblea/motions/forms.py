"""Forms of the motion pages; they bound every input before a service sees it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from asamblea.core.search import SearchForm
from asamblea.core.validation import TextForm
from asamblea.federation.models import Node
from asamblea.motions.models import (
    BODY_MAX,
    COMMENT_MAX,
    TITLE_MAX,
    AmendmentKind,
    MotionState,
)

if TYPE_CHECKING:
    _NodeField = forms.ModelChoiceField[Node]
else:  # the stubs' generic is not subscriptable at run time
    _NodeField = forms.ModelChoiceField


class NodeChoiceField(_NodeField):
    def label_from_instance(self, obj: Node) -> str:
        # Indent by depth so the tree reads as a tree in a plain <select>.
        return "\u00a0\u00a0" * obj.depth + obj.name


class MotionForm(TextForm):
    node = NodeChoiceField(queryset=Node.objects.none(), label=_("Where"))
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX)
    body = forms.CharField(
        label=_("Text"),
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("Separate paragraphs with a blank line; amendments refer to them."),
        strip=False,
    )

    def __init__(self, *args: Any, nodes: QuerySet[Node], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["node"]
        assert isinstance(field, NodeChoiceField)  # noqa: S101 - declared above
        field.queryset = nodes


class EditDraftForm(TextForm):
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX)
    body = forms.CharField(
        label=_("Text"), max_length=BODY_MAX, widget=forms.Textarea(attrs={"rows": 10}), strip=False
    )


class FilterForm(SearchForm):
    """Search the motions (a GET form): words, node, state, dates."""

    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[("", _("All")), *MotionState.choices],
    )

    field_order = ["q", "node", "state", "since", "until"]


class CommentForm(TextForm):
    body = forms.CharField(
        label=_("Comment"), max_length=COMMENT_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )
    parent = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)


class AmendmentForm(TextForm):
    kind = forms.ChoiceField(label=_("Kind of change"), choices=AmendmentKind.choices)
    paragraph = forms.IntegerField(
        label=_("Paragraph number"),
        required=False,
        min_value=1,
        max_value=10_000,
        help_text=_(
            "The number shown next to the paragraph; to add one at the end, use the next number."
        ),
    )
    text = forms.CharField(
        label=_("New text"),
        required=False,
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        strip=False,
    )
    rationale = forms.CharField(
        label=_("Why"),
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def paragraph_index(self) -> int | None:
        """The 0-based index the services use, from the 1-based number shown."""
        number = self.cleaned_data.get("paragraph")
        return None if number is None else number - 1


class VersionDiffForm(TextForm):
    from_ = forms.IntegerField(min_value=1, max_value=1_000_000)
    to = forms.IntegerField(min_value=1, max_value=1_000_000)

    def __init__(self, data: Any, **kwargs: Any) -> None:
        # "from" is a Python keyword; map the query parameter onto ``from_``.
        mapped = {"from_": data.get("from"), "to": data.get("to")}
        super().__init__(mapped, **kwargs)
