"""Forms of calls to action; each builds the ``services.CallSpec``."""

from __future__ import annotations

from functools import reduce
from operator import or_
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from asamblea.core.validation import TextForm
from asamblea.federation.models import Node, NodeKind
from asamblea.pledges import rules
from asamblea.pledges.models import (
    INFO_MAX,
    TEXT_MAX,
    TITLE_MAX,
    ActivationRule,
    CallKind,
    Secrecy,
    ThresholdKind,
)
from asamblea.pledges.services import CallSpec
from asamblea.voting.forms import DateTimeLocalInput

LANGUAGES = (("es", _("Spanish")), ("qu", _("Quechua")), ("ay", _("Aymara")), ("en", _("English")))
LEVELS = (NodeKind.COMMITTEE, NodeKind.ZONE, NodeKind.REGION, NodeKind.ASSEMBLY)
NO_THRESHOLD = ""
SEALED_HELP = _(
    "Counted: live counts; no member sees who pledged, but whoever runs the server"
    " could link pledges to members until the deadline. Sealed (encrypted for the"
    " node's trustees) is not available yet."
)


class NodeChoiceField(forms.ModelChoiceField[Node]):
    def label_from_instance(self, obj: Node) -> str:
        return f"{obj.get_kind_display()} · {obj.name}"


def _beneath(nodes: QuerySet[Node]) -> QuerySet[Node]:
    """The nodes strictly beneath any of ``nodes`` (committees have none)."""
    roots: list[str] = []
    for path in (
        nodes.exclude(kind=NodeKind.COMMITTEE).order_by("path").values_list("path", flat=True)
    ):
        if not any(path.startswith(root) for root in roots):
            roots.append(path)
    if not roots:
        return Node.objects.none()
    query = reduce(or_, (Q(path__startswith=root) for root in roots))
    return Node.objects.filter(query).exclude(path__in=roots).order_by("path")


class CallForm(TextForm):
    node = NodeChoiceField(queryset=Node.objects.none(), label=_("Issued by"))
    kind = forms.ChoiceField(label=_("Kind of action"), choices=CallKind.choices)
    secrecy = forms.ChoiceField(
        label=_("Protection of pledgers"),
        choices=Secrecy.choices,
        initial=Secrecy.COUNTED,
        help_text=SEALED_HELP,
    )
    rule = forms.ChoiceField(
        label=_("Decide"), choices=ActivationRule.choices, initial=ActivationRule.AT_DEADLINE
    )
    deadline = forms.DateTimeField(label=_("Pledging deadline"), widget=DateTimeLocalInput())
    starts_at = forms.DateTimeField(label=_("Action starts"), widget=DateTimeLocalInput())
    ends_at = forms.DateTimeField(label=_("Action ends"), widget=DateTimeLocalInput())
    scope = forms.ModelMultipleChoiceField(
        queryset=Node.objects.none(),
        required=False,
        label=_("Only these nodes beneath it"),
        help_text=_("Leave empty for the whole subtree."),
        widget=forms.CheckboxSelectMultiple,
    )
    practical_info = forms.CharField(
        label=_("Practical information"),
        required=False,
        max_length=INFO_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Meeting points, times, human-rights observers and legal aid; shown where the"
            " call is activated."
        ),
    )
    motion = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args: Any, nodes: QuerySet[Node], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        node_field = self.fields["node"]
        assert isinstance(node_field, NodeChoiceField)  # noqa: S101 - declared above
        node_field.queryset = nodes
        scope_field = self.fields["scope"]
        assert isinstance(scope_field, forms.ModelMultipleChoiceField)  # noqa: S101
        scope_field.queryset = _beneath(nodes)
        for code, name in LANGUAGES:
            self.fields[f"title_{code}"] = forms.CharField(
                label=_("Title (%(language)s)") % {"language": name},
                required=False,
                max_length=TITLE_MAX,
            )
            self.fields[f"text_{code}"] = forms.CharField(
                label=_("Text (%(language)s)") % {"language": name},
                required=False,
                max_length=TEXT_MAX,
                widget=forms.Textarea(attrs={"rows": 4}),
            )
        for level in LEVELS:
            self.fields[f"threshold_{level}_kind"] = forms.ChoiceField(
                label=_("Threshold of each %(level)s") % {"level": NodeKind(level).label},
                required=False,
                choices=[(NO_THRESHOLD, _("None")), *ThresholdKind.choices],
            )
            self.fields[f"threshold_{level}_value"] = forms.IntegerField(
                label=_("Value (pledges, or percent)"),
                required=False,
                min_value=1,
                max_value=10_000_000,
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for level in LEVELS:
            kind = data.get(f"threshold_{level}_kind")
            value = data.get(f"threshold_{level}_value")
            if kind and value is None:
                self.add_error(f"threshold_{level}_value", _("Give the threshold's value."))
            if kind == ThresholdKind.SHARE and value is not None and value > rules.SHARE_MAX:
                self.add_error(f"threshold_{level}_value", _("A percentage cannot be over 100."))
        return data

    def spec(self) -> CallSpec:
        data = self.cleaned_data
        thresholds = {
            str(level): rules.Rule(
                data[f"threshold_{level}_kind"], data[f"threshold_{level}_value"]
            )
            for level in LEVELS
            if data.get(f"threshold_{level}_kind")
        }
        return CallSpec(
            titles={code: data.get(f"title_{code}", "") for code, _name in LANGUAGES},
            texts={code: data.get(f"text_{code}", "") for code, _name in LANGUAGES},
            kind=data["kind"],
            secrecy=data["secrecy"],
            rule=data["rule"],
            deadline=data["deadline"],
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            thresholds=thresholds,
            scope_node_ids=[n.pk for n in data.get("scope") or ()],
            practical_info=data.get("practical_info", ""),
            motion_id=data.get("motion"),
        )


class TurnoutForm(TextForm):
    committee = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    turnout = forms.IntegerField(label=_("How many took part"), min_value=0, max_value=10_000_000)
