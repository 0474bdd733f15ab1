"""The combined search form: motions and polls at once."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from asamblea.core.search import SearchForm
from asamblea.motions.models import MotionState
from asamblea.voting.models import PollState

MOTIONS = "motions"
POLLS = "polls"


class CombinedSearchForm(SearchForm):
    """Words, node, state, dates over motions and polls (a GET form). The
    state is one list of both kinds' states ("motion:debate", "poll:open");
    a state of one kind leaves only that kind."""

    what = forms.ChoiceField(
        label=_("Search in"),
        required=False,
        choices=[("", _("Motions and polls")), (MOTIONS, _("Motions")), (POLLS, _("Polls"))],
    )
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[
            ("", _("All")),
            (_("Motions"), [(f"motion:{v}", label) for v, label in MotionState.choices]),
            (_("Polls"), [(f"poll:{v}", label) for v, label in PollState.choices]),
        ],
    )

    field_order = ["q", "what", "node", "state", "since", "until"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        kind, _sep, state = str(data.get("state") or "").partition(":")
        data["motion_state"] = state if kind == "motion" else None
        data["poll_state"] = state if kind == "poll" else None
        what = data.get("what") or ""
        data["motions"] = what in ("", MOTIONS) and kind != "poll"
        data["polls"] = what in ("", POLLS) and kind != "motion"
        return data
