"""Forms of the trustee board pages. They bound and parse input; the services
decide what is allowed."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from asamblea.core.validation import TextForm
from asamblea.trustees.models import MAX_ROUND_HOURS, MAX_TRUSTEES


class BoardForm(TextForm):
    size = forms.IntegerField(
        label=_("Trustees"),
        min_value=1,
        max_value=MAX_TRUSTEES,
        required=False,
        help_text=_("Leave empty for the default: 3 for a committee, 5 above."),
    )
    threshold = forms.IntegerField(
        label=_("Threshold"),
        min_value=1,
        max_value=MAX_TRUSTEES,
        required=False,
        help_text=_("How many trustees together can decrypt: 2 for a committee, 3 above."),
    )
    round_hours = forms.IntegerField(
        label=_("Hours per round"),
        min_value=1,
        max_value=MAX_ROUND_HOURS,
        required=False,
        help_text=_("How long the trustees have for each of the ceremony's three rounds."),
    )


class AppointTrusteeForm(TextForm):
    pseudonym = forms.CharField(
        label=_("Pseudonym of the member"),
        max_length=150,
        help_text=_("An active member of a committee at or beneath this node."),
    )


class KeyForm(TextForm):
    communication_key = forms.CharField(
        label=_("Communication key"),
        max_length=200,
        help_text=_(
            "The public key your device generated (66 hexadecimal digits). Never paste"
            " your key file or its passphrase here."
        ),
    )


class KeyFileForm(TextForm):
    kept = forms.BooleanField(
        label=_("I saved my key file where I will find it, and I remember its passphrase."),
        required=True,
    )
