"""Forms for polls. They bound every input; the services do the real checks."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from asamblea.voting import rules
from asamblea.voting.models import (
    OPTION_MAX,
    QUESTION_MAX,
    Aggregation,
    MajorityBase,
    Method,
    Poll,
)
from asamblea.voting.services import DESCRIPTION_MAX, REASON_MAX

OPTIONS_TEXT_MAX = rules.MAX_OPTIONS * (OPTION_MAX + 2)
FRACTION_MAX = 1000


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class PollForm(forms.Form):
    question = forms.CharField(label=_("Question"), max_length=QUESTION_MAX)
    description = forms.CharField(
        label=_("Description"), required=False, max_length=DESCRIPTION_MAX, widget=forms.Textarea
    )
    method = forms.ChoiceField(
        label=_("Method"), choices=Method.choices, initial=Method.YES_NO_ABSTAIN
    )
    options = forms.CharField(
        label=_("Options"),
        required=False,
        max_length=OPTIONS_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line. Not needed for yes / no / abstain."),
    )
    max_choices = forms.IntegerField(
        label=_("At most k choices (approval)"),
        min_value=1,
        max_value=rules.MAX_OPTIONS,
        initial=1,
    )
    secret = forms.BooleanField(
        label=_("Secret ballot (results shown only after the close)"), required=False
    )
    aggregation = forms.ChoiceField(
        label=_("How committees add up"), choices=Aggregation.choices, initial=Aggregation.POOLED
    )
    majority_num = forms.IntegerField(
        label=_("Majority: numerator"), min_value=0, max_value=FRACTION_MAX, initial=1
    )
    majority_den = forms.IntegerField(
        label=_("Majority: denominator"), min_value=1, max_value=FRACTION_MAX, initial=2
    )
    majority_base = forms.ChoiceField(
        label=_("Majority of"), choices=MajorityBase.choices, initial=MajorityBase.VALID
    )
    majority_strict = forms.BooleanField(
        label=_("Strictly more than the fraction"), required=False, initial=True
    )
    quorum_num = forms.IntegerField(
        label=_("Quorum: numerator"), min_value=0, max_value=FRACTION_MAX, initial=0
    )
    quorum_den = forms.IntegerField(
        label=_("Quorum: denominator"),
        min_value=1,
        max_value=FRACTION_MAX,
        initial=1,
        help_text=_("Share of the entitled electorate that must vote; 0/1 is no quorum."),
    )
    opens_at = forms.DateTimeField(
        label=_("Opens at (empty: open by hand)"), required=False, widget=DateTimeLocalInput()
    )
    closes_at = forms.DateTimeField(
        label=_("Closes at (empty: close by hand)"), required=False, widget=DateTimeLocalInput()
    )

    def __init__(self, *args: Any, election: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if election:
            # The candidates are the committee's members; the method is fixed.
            for name in ("method", "options", "max_choices"):
                del self.fields[name]

    def option_list(self) -> list[str]:
        return rules.parse_options(self.cleaned_data.get("options", ""))


class MotionVoteForm(forms.Form):
    secret = forms.BooleanField(label=_("Secret ballot"), required=False)
    aggregation = forms.ChoiceField(
        label=_("How committees add up"), choices=Aggregation.choices, initial=Aggregation.POOLED
    )
    closes_at = forms.DateTimeField(
        label=_("Closes at (empty: close by hand)"), required=False, widget=DateTimeLocalInput()
    )


class RecallForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=REASON_MAX, widget=forms.Textarea)


class BallotForm(forms.Form):
    """One field, ``choice``: radio buttons, or checkboxes for approval."""

    def __init__(self, *args: Any, poll: Poll, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(str(o.position), o.label) for o in poll.options.all()]
        field: forms.Field
        if poll.method == Method.APPROVAL:
            field = forms.MultipleChoiceField(
                label=_("Your choice"),
                choices=choices,
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )
        else:
            field = forms.ChoiceField(
                label=_("Your choice"), choices=choices, widget=forms.RadioSelect
            )
        self.fields["choice"] = field

    def positions(self) -> list[int]:
        value = self.cleaned_data["choice"]
        values = value if isinstance(value, list) else [value]
        return [int(v) for v in values]
