"""Forms of the register's pages; they bound every input before a service sees it."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from asamblea.accounts.models import Member
from asamblea.core.validation import TextForm
from asamblea.incidents import codes
from asamblea.incidents.models import (
    COMMENT_MAX,
    CONTACT_MAX,
    DESCRIPTION_MAX,
    NAME_MAX,
    NOTES_MAX,
    PLACE_MAX,
    SUMMARY_MAX,
    TAG_MAX,
    TAGS_MAX,
    Documenter,
)
from asamblea.incidents.rules import PASSPHRASE_MAX

if TYPE_CHECKING:
    _MemberField = forms.ModelChoiceField[Member]
    _DocumentersField = forms.ModelMultipleChoiceField[Documenter]
else:  # the stubs' generic is not subscriptable at run time
    _MemberField = forms.ModelChoiceField
    _DocumentersField = forms.ModelMultipleChoiceField

NO_CODE = [("", "—")]


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class RecordIncidentForm(TextForm):
    """An incident with, optionally, one victim and one source (more are
    added from the incident's page or through the API)."""

    public_summary = forms.CharField(
        label=_("Public summary"),
        max_length=SUMMARY_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What happened, with no names: this text may be published once verified."),
    )
    private_description = forms.CharField(
        label=_("Private description"),
        max_length=DESCRIPTION_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Encrypted: only the committee's documenters can read it."),
        strip=False,
    )
    start_date = forms.DateField(label=_("Start date"), widget=_date_input())
    start_precision = forms.ChoiceField(
        label=_("How exact is the start date"), choices=codes.DatePrecision.choices
    )
    end_date = forms.DateField(label=_("End date"), required=False, widget=_date_input())
    end_precision = forms.ChoiceField(
        label=_("How exact is the end date"),
        choices=NO_CODE + list(codes.DatePrecision.choices),
        required=False,
    )
    country = forms.ChoiceField(
        label=_("Country"), choices=[(c, c) for c in sorted(codes.COUNTRY_BOUNDS)], initial="PE"
    )
    admin1 = forms.CharField(label=_("Region"), max_length=PLACE_MAX, required=False)
    admin2 = forms.CharField(label=_("Province"), max_length=PLACE_MAX, required=False)
    admin3 = forms.CharField(label=_("District"), max_length=PLACE_MAX, required=False)
    place = forms.CharField(label=_("Place"), max_length=PLACE_MAX, required=False)
    latitude = forms.FloatField(label=_("Latitude"), required=False, min_value=-90, max_value=90)
    longitude = forms.FloatField(
        label=_("Longitude"), required=False, min_value=-180, max_value=180
    )
    geo_precision = forms.ChoiceField(
        label=_("How exact is the place"), choices=codes.GeoPrecision.choices
    )
    event_type = forms.ChoiceField(label=_("Event type"), choices=codes.AcledEventType.choices)
    sub_type = forms.ChoiceField(label=_("Sub-type"), choices=codes.AcledSubType.choices)
    violation_types = forms.MultipleChoiceField(
        label=_("Violations"),
        choices=codes.ViolationType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    fatalities_min = forms.IntegerField(label=_("Fatalities, at least"), initial=0)
    fatalities_max = forms.IntegerField(label=_("Fatalities, at most"), initial=0)
    injured = forms.IntegerField(label=_("Injured"), initial=0)
    detained = forms.IntegerField(label=_("Detained"), initial=0)
    disappeared = forms.IntegerField(label=_("Disappeared"), initial=0)
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=TAGS_MAX * (TAG_MAX + 2),
        help_text=_("Separated by commas."),
    )
    confidentiality = forms.ChoiceField(
        label=_("Who may read it"),
        choices=codes.Confidentiality.choices,
        initial=codes.Confidentiality.COMMITTEE,
    )

    victim_act_type = forms.ChoiceField(
        label=_("What was done to the victim"),
        choices=NO_CODE + list(codes.ViolationType.choices),
        required=False,
        help_text=_("Leave empty to record the incident without a victim."),
    )
    victim_method = forms.ChoiceField(
        label=_("How"), choices=codes.ActMethod.choices, initial=codes.ActMethod.UNKNOWN
    )
    victim_end_status = forms.ChoiceField(
        label=_("Status at the end"), choices=codes.EndStatus.choices, initial="unknown"
    )
    victim_names = forms.CharField(
        label=_("Names"),
        max_length=NAME_MAX,
        required=False,
        help_text=_("Encrypted. Only with the person's consent to be recorded."),
    )
    victim_contact = forms.CharField(
        label=_("Contact"), max_length=CONTACT_MAX, required=False, help_text=_("Encrypted.")
    )
    victim_sex = forms.ChoiceField(label=_("Sex"), choices=codes.Sex.choices, initial="unknown")
    victim_age_band = forms.ChoiceField(
        label=_("Age"), choices=codes.AgeBand.choices, initial="unknown"
    )
    victim_occupation = forms.ChoiceField(
        label=_("Occupation sector"), choices=codes.OccupationSector.choices, initial="unknown"
    )
    victim_deceased = forms.BooleanField(label=_("Deceased"), required=False)
    consent_scopes = forms.MultipleChoiceField(
        label=_("Consent given"),
        choices=codes.ConsentScope.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    consent_giver = forms.ChoiceField(
        label=_("Consent given by"), choices=codes.ConsentGiver.choices
    )
    consent_method = forms.ChoiceField(
        label=_("Consent given how"), choices=codes.ConsentMethod.choices
    )

    source_type = forms.ChoiceField(
        label=_("Source"),
        choices=NO_CODE + list(codes.SourceType.choices),
        required=False,
        help_text=_("Leave empty to record the incident without a source."),
    )
    source_connection = forms.ChoiceField(
        label=_("How the source knows"), choices=codes.SourceConnection.choices, initial="unknown"
    )
    source_reliability = forms.ChoiceField(
        label=_("Reliability of the source"), choices=codes.Reliability.choices, initial="F"
    )
    source_notes = forms.CharField(
        label=_("Notes on the source"),
        max_length=NOTES_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Encrypted."),
    )

    def clean_tags(self) -> list[str]:
        raw = self.cleaned_data.get("tags") or ""
        return [t.strip() for t in raw.split(",") if t.strip()]


class ReviewForm(TextForm):
    to_state = forms.ChoiceField(label=_("Move to"), choices=codes.VerificationState.choices)
    violation_status = forms.ChoiceField(
        label=_("Violation status"), choices=codes.ViolationStatus.choices, initial="unknown"
    )
    comment = forms.CharField(
        label=_("Comment"),
        max_length=COMMENT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ArchiveForm(TextForm):
    reason = forms.ChoiceField(label=_("Why"), choices=codes.ArchiveReason.choices)


class PassphraseForm(TextForm):
    passphrase = forms.CharField(
        label=_("Register passphrase"),
        max_length=PASSPHRASE_MAX,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
    )


class NewPassphraseForm(PassphraseForm):
    confirm = forms.CharField(
        label=_("The same passphrase again"),
        max_length=PASSPHRASE_MAX,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
        help_text=_(
            "Nobody can recover it: if you forget it, another documenter must give you "
            "the register key again."
        ),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("passphrase") != cleaned.get("confirm"):
            self.add_error("confirm", _("The two passphrases differ."))
        return cleaned


class NameDocumenterForm(TextForm):
    member = _MemberField(queryset=Member.objects.none(), label=_("Member"))

    def __init__(self, *args: Any, members: QuerySet[Member], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["member"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 - declared above
        field.queryset = members


class EvidenceForm(TextForm):
    """One file per upload: a single plain form that works without JavaScript
    and can simply be sent again on a weak connection."""

    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "Photo, video, audio or PDF. Its type is checked by its content; a photo's "
            "location and camera data are removed from the copy others see, and the "
            "original is kept sealed and encrypted."
        ),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=codes.EvidenceKind.choices)
    person = forms.TypedChoiceField(
        label=_("Person shown or speaking"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_("Evidence linked to a person leaves the committee only with their consent."),
    )

    def __init__(self, *args: Any, persons: list[tuple[int, str]] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [("", "—"), *persons]  # type: ignore[attr-defined]


class EvidencePackageForm(TextForm):
    include_names = forms.BooleanField(
        label=_("Include the names of persons who consented to share with a court"),
        required=False,
    )


class _DocumenterField(_DocumentersField):
    def label_from_instance(self, obj: Documenter) -> str:
        return str(obj.member.pseudonym)


class RotateKeyForm(TextForm):
    remove = _DocumenterField(
        queryset=Documenter.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Leave out of the new key"),
        help_text=_("Their passphrase will open nothing; a holder can give them the key later."),
    )
    confirm = forms.BooleanField(
        label=_("Replace the register key and re-encrypt every name, contact and description"),
    )

    def __init__(self, *args: Any, holders: QuerySet[Documenter], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["remove"]
        assert isinstance(field, forms.ModelMultipleChoiceField)  # noqa: S101 - declared above
        field.queryset = holders


class ConsentForm(TextForm):
    scope = forms.ChoiceField(label=_("Consent to"), choices=codes.ConsentScope.choices)
    giver = forms.ChoiceField(label=_("Given by"), choices=codes.ConsentGiver.choices)
    method = forms.ChoiceField(label=_("How"), choices=codes.ConsentMethod.choices)
    given_at = forms.DateTimeField(
        label=_("Given"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )


class WithdrawConsentForm(TextForm):
    method = forms.ChoiceField(label=_("How it was withdrawn"), choices=codes.ConsentMethod.choices)


class MergePersonForm(TextForm):
    kept_code = forms.CharField(
        label=_("Code of the person to keep"),
        max_length=24,
        help_text=_(
            "This person is a duplicate of that one: their acts, sources and consents "
            "move to it, and this record stays as a pointer with the history."
        ),
    )


def _subset(names_from: tuple[str, ...], required: str) -> dict[str, forms.Field]:
    """The record form's fields whose names start with ``names_from``, the
    field ``required`` made required: one definition for each field."""
    fields = {
        name: copy.deepcopy(field)
        for name, field in RecordIncidentForm.base_fields.items()
        if name.startswith(names_from)
    }
    fields[required].required = True
    return fields


class AddVictimForm(TextForm):
    """A further victim and their act, as on the record form."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields = _subset(("victim_", "consent_"), "victim_act_type")


class AddSourceForm(TextForm):
    """A further source, as on the record form."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields = _subset(("source_",), "source_type")
