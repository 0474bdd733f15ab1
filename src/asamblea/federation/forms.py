"""Forms of the federation pages. They bound and parse input; the services
decide what is allowed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from asamblea.accounts.models import Member
from asamblea.core.validation import TextForm
from asamblea.federation import invitations, rules
from asamblea.federation.models import MandateEnd, NodeKind, Role


class NodeEditForm(TextForm):
    name = forms.CharField(label=_("Name"), max_length=rules.NAME_MAX_LENGTH)
    description = forms.CharField(
        label=_("Description"),
        max_length=rules.DESCRIPTION_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    seconders_required = forms.IntegerField(
        label=_("Seconders required"),
        min_value=0,
        max_value=rules.SECONDERS_MAX,
        initial=2,
        help_text=_("How many members must second a motion before it goes to debate."),
    )
    seconding_committees = forms.IntegerField(
        label=_("Committees among the seconders"),
        required=False,
        min_value=1,
        max_value=rules.SECONDERS_MAX,
        help_text=_(
            "From how many different committees the seconds must come. Left blank on a new "
            "node: 2 at a region or the assembly, 1 below."
        ),
    )


class NodeCreateForm(NodeEditForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=NodeKind.choices)

    field_order = ["kind", "name", "description", "seconders_required", "seconding_committees"]

    def __init__(self, *args: Any, parent_kind: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Offer only the kinds that may stand here; the service checks again.
        allowed = [
            (value, label)
            for value, label in NodeKind.choices
            if rules.may_hold_child(parent_kind=parent_kind, child_kind=value)
        ]
        self.fields["kind"].choices = allowed  # type: ignore[attr-defined]


class RoleForm(TextForm):
    role = forms.ChoiceField(
        label=_("Role"),
        choices=[(Role.MEMBER, Role.MEMBER.label), (Role.SECRETARY, Role.SECRETARY.label)],
    )


class AppointForm(TextForm):
    delegate = forms.ModelChoiceField(
        label=_("Delegate"),
        queryset=Member.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": _("Choose a member of this committee.")},
    )
    instructions = forms.CharField(
        label=_("Instructions"),
        max_length=rules.INSTRUCTIONS_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the committee asks its delegate to carry to the next level."),
    )

    def __init__(self, *args: Any, members: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["delegate"].queryset = members  # type: ignore[attr-defined]


class EndMandateForm(TextForm):
    reason = forms.ChoiceField(
        label=_("Reason"),
        choices=[
            (MandateEnd.RESIGNED, MandateEnd.RESIGNED.label),
            (MandateEnd.REPLACED, MandateEnd.REPLACED.label),
        ],
    )


class InvitationForm(TextForm):
    role = forms.ChoiceField(
        label=_("Role"),
        choices=[
            (Role.MEMBER.value, Role.MEMBER.label),
            (Role.SECRETARY.value, Role.SECRETARY.label),
        ],
        initial=Role.MEMBER.value,
    )
    count = forms.IntegerField(
        label=_("How many codes"),
        min_value=1,
        max_value=invitations.MAX_INVITATIONS_PER_BATCH,
        initial=1,
    )
    valid_days = forms.IntegerField(
        label=_("Valid for (days)"),
        min_value=1,
        max_value=invitations.MAX_VALID_DAYS,
        initial=7,
    )
