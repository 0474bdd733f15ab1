"""Forms for polls. They bound every input; the services do the real checks."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from asamblea.core.search import SearchForm
from asamblea.core.validation import TextForm
from asamblea.voting import explain, rules
from asamblea.voting.models import (
    OPTION_MAX,
    QUESTION_MAX,
    Aggregation,
    MajorityBase,
    Method,
    Poll,
    PollState,
    Purpose,
)
from asamblea.voting.services import DESCRIPTION_MAX, REASON_MAX
from asamblea.voting.spec import DEFAULTS, PollSpec, defaults_for

OPTIONS_TEXT_MAX = rules.MAX_OPTIONS * (OPTION_MAX + 2)
FRACTION_MAX = 1000
# Until polls use the verifiable (encrypted) ballots, "secret" promises no more
# than this; see docs/adr/0002-secret-ballots-without-verifiability.md.
SECRECY_HELP = _(
    "No member sees how another voted, and results are shown only after the close."
    " The poll is not encrypted: whoever runs the server can link ballots to voters"
    " while it is open, and its logs and backups may keep that link. Every member of"
    " a committee needs the same vote weight."
)


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class PollSearchForm(SearchForm):
    """Search the polls (a GET form): words, node, state, dates."""

    state = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", _("All")), *PollState.choices]
    )

    field_order = ["q", "node", "state", "since", "until"]


class PollForm(TextForm):
    question = forms.CharField(label=_("Question"), max_length=QUESTION_MAX)
    description = forms.CharField(
        label=_("Description"), required=False, max_length=DESCRIPTION_MAX, widget=forms.Textarea
    )
    method = forms.ChoiceField(label=_("Method"), choices=Method.choices, initial=DEFAULTS.method)
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
        initial=DEFAULTS.max_choices,
    )
    seats = forms.IntegerField(
        label=_("Seats to fill"),
        required=False,
        min_value=1,
        max_value=rules.MAX_OPTIONS,
        help_text=_("Only for block approval and STV: how many options are elected."),
    )
    max_score = forms.IntegerField(
        label=_("Highest score"),
        required=False,
        min_value=1,
        max_value=rules.MAX_SCORE_LIMIT,
        help_text=_("Only for score polls: voters give each option 0 up to this."),
    )
    secret = forms.BooleanField(
        label=_("Secret from other members (not from whoever runs the server)"),
        required=False,
        help_text=SECRECY_HELP,
    )
    encrypted = forms.BooleanField(
        label=_("Encrypted ballot"),
        required=False,
        help_text=_(
            "Ballots are encrypted under the key of a board of trustees and listed on a"
            " public board; only the totals are decrypted. Yes / no / abstain, single"
            " choice, approval and score polls only. Needs a trustee board for this node."
        ),
    )
    aggregation = forms.ChoiceField(
        label=_("How committees add up"), choices=Aggregation.choices, initial=DEFAULTS.aggregation
    )
    majority_num = forms.IntegerField(
        label=_("Majority: numerator"),
        min_value=0,
        max_value=FRACTION_MAX,
        initial=DEFAULTS.majority_num,
    )
    majority_den = forms.IntegerField(
        label=_("Majority: denominator"),
        min_value=1,
        max_value=FRACTION_MAX,
        initial=DEFAULTS.majority_den,
    )
    majority_base = forms.ChoiceField(
        label=_("Majority of"), choices=MajorityBase.choices, initial=DEFAULTS.majority_base
    )
    majority_strict = forms.BooleanField(
        label=_("Strictly more than the fraction"),
        required=False,
        initial=DEFAULTS.majority_strict,
    )
    quorum_num = forms.IntegerField(
        label=_("Quorum: numerator"),
        min_value=0,
        max_value=FRACTION_MAX,
        initial=DEFAULTS.quorum_num,
    )
    quorum_den = forms.IntegerField(
        label=_("Quorum: denominator"),
        min_value=1,
        max_value=FRACTION_MAX,
        initial=DEFAULTS.quorum_den,
        help_text=_("Share of the entitled electorate that must vote; 0/1 is no quorum."),
    )
    opens_at = forms.DateTimeField(
        label=_("Opens at (empty: open by hand)"), required=False, widget=DateTimeLocalInput()
    )
    closes_at = forms.DateTimeField(
        label=_("Closes at (empty: close by hand)"), required=False, widget=DateTimeLocalInput()
    )

    def __init__(
        self, *args: Any, election: bool = False, node_kind: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.election = election
        if node_kind is not None:
            _default_quorum(self, node_kind)
        if election:
            # Left blank, the system writes it (in each reader's language).
            self.fields["question"].required = False
            # The candidates are the committee's members; the method is fixed.
            for name in ("method", "options", "max_choices", "seats", "max_score"):
                del self.fields[name]

    def spec(self) -> PollSpec:
        """The poll asked for. Precondition: the form is valid."""
        data = self.cleaned_data
        return PollSpec(
            question=data["question"],
            description=data["description"],
            purpose=Purpose.DELEGATE_ELECTION if self.election else Purpose.QUESTION,
            # An election's method and options are fixed: its fields are gone.
            method=data.get("method", Method.SINGLE),
            options=tuple(rules.parse_options(data.get("options", ""))),
            max_choices=data.get("max_choices") or 1,
            # Blank where the method takes none; the service ignores them then.
            seats=data.get("seats") or 0,
            max_score=data.get("max_score") or 0,
            secret=data["secret"],
            encrypted=data.get("encrypted", False),
            aggregation=data["aggregation"],
            majority_num=data["majority_num"],
            majority_den=data["majority_den"],
            majority_base=data["majority_base"],
            majority_strict=data["majority_strict"],
            quorum_num=data["quorum_num"],
            quorum_den=data["quorum_den"],
            opens_at=data["opens_at"],
            closes_at=data["closes_at"],
        )


def _default_quorum(form: forms.Form, node_kind: str) -> None:
    """Show the quorum a poll at a ``node_kind`` node takes by default."""
    defaults = defaults_for(node_kind=node_kind)
    form.fields["quorum_num"].initial = defaults.quorum_num
    form.fields["quorum_den"].initial = defaults.quorum_den


class MotionVoteForm(TextForm):
    """Putting a motion to the vote; ``node_kind`` (the motion's node) sets
    the quorum shown by default."""

    secret = forms.BooleanField(
        label=_("Secret from other members (not from whoever runs the server)"),
        required=False,
        help_text=SECRECY_HELP,
    )
    aggregation = forms.ChoiceField(
        label=_("How committees add up"), choices=Aggregation.choices, initial=Aggregation.POOLED
    )
    # Left blank: the default at the motion's node.
    quorum_num = forms.IntegerField(
        label=_("Quorum: numerator"),
        required=False,
        min_value=0,
        max_value=FRACTION_MAX,
        initial=DEFAULTS.quorum_num,
    )
    quorum_den = forms.IntegerField(
        label=_("Quorum: denominator"),
        required=False,
        min_value=1,
        max_value=FRACTION_MAX,
        initial=DEFAULTS.quorum_den,
        help_text=_("Share of the entitled electorate that must vote; 0/1 is no quorum."),
    )
    closes_at = forms.DateTimeField(
        label=_("Closes at (empty: close by hand)"), required=False, widget=DateTimeLocalInput()
    )

    def __init__(self, *args: Any, node_kind: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if node_kind is not None:
            _default_quorum(self, node_kind)

    def quorum(self) -> tuple[int, int] | None:
        """The quorum asked for, or None (blank: the node's default).
        Precondition: the form is valid."""
        num = self.cleaned_data.get("quorum_num")
        if num is None:
            return None
        return num, self.cleaned_data.get("quorum_den") or 1


class RecallForm(TextForm):
    reason = forms.CharField(label=_("Reason"), max_length=REASON_MAX, widget=forms.Textarea)


class BallotForm(TextForm):
    """Choice polls: one field, ``choice`` (radio buttons, or checkboxes for
    approval). Ranked polls: a number per option (``rank_<position>``, 1 =
    first choice, blank = unranked); score polls ``score_<position>``; grade
    polls a radio row per option (``grade_<position>``)."""

    def __init__(self, *args: Any, poll: Poll, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = rules.ballot_kind(poll.method)
        options = list(poll.options.all())
        if self.kind != rules.KIND_MASK:
            for option in options:
                self.fields[f"{self.kind}_{option.position}"] = self._option_field(poll, option)
            return
        choices = [(str(o.position), o.display_label) for o in options]
        field: forms.Field
        if poll.method in (Method.APPROVAL, Method.BLOCK_APPROVAL):
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

    def _option_field(self, poll: Poll, option: Any) -> forms.Field:
        if self.kind == rules.KIND_RANKING:
            return forms.IntegerField(
                label=option.display_label,
                required=False,
                min_value=1,
                max_value=rules.MAX_OPTIONS,
                widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "rank"}),
            )
        if self.kind == rules.KIND_SCORES:
            return forms.IntegerField(
                label=option.display_label,
                required=False,
                min_value=0,
                max_value=poll.max_score,
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
            )
        return forms.ChoiceField(
            label=option.display_label,
            choices=explain.grade_choices(),
            widget=forms.RadioSelect,
            error_messages={"required": _("Grade this option.")},
        )

    def positions(self) -> list[int]:
        """Chosen positions (choice polls only)."""
        if self.kind != rules.KIND_MASK:
            return []
        value = self.cleaned_data["choice"]
        values = value if isinstance(value, list) else [value]
        return [int(v) for v in values]

    def ballot(self) -> dict[str, Any] | None:
        """The ranked, score or grade ballot in the service's shape (None for
        choice polls)."""
        if self.kind == rules.KIND_MASK:
            return None
        prefix = f"{self.kind}_"
        given = {
            int(name.removeprefix(prefix)): value
            for name, value in self.cleaned_data.items()
            if value is not None and value != ""
        }
        if self.kind == rules.KIND_RANKING:
            return {self.kind: rules.ranking_from_numbers(given)}
        return {self.kind: {str(p): v for p, v in given.items()}}

    @staticmethod
    def initial_for(kind: str, data: dict[str, Any] | None) -> dict[str, Any]:
        """Initial field values showing a stored ballot again."""
        if not data or kind not in data:
            return {}
        if kind == rules.KIND_RANKING:
            return {
                f"{kind}_{p}": number
                for number, level in enumerate(data[kind], start=1)
                for p in level
            }
        return {f"{kind}_{p}": value for p, value in data[kind].items()}
