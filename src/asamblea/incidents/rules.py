"""Checks of what a documenter enters, before anything is written. Pure
functions over plain values (no ORM): each returns ``None`` or raises
``InvalidInput`` naming the field and saying what is wrong."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from django.db import models
from django.utils.translation import gettext_lazy as _

from asamblea.core.errors import InvalidInput
from asamblea.incidents import codes
from asamblea.incidents.models import (
    COUNT_MAX,
    PLACE_MAX,
    SUMMARY_MAX,
    TAG_MAX,
    TAGS_MAX,
)

PASSPHRASE_MIN = 12
PASSPHRASE_MAX = 1024


@dataclass(frozen=True)
class IncidentData:
    """What a documenter enters for an incident, already parsed into types."""

    public_summary: str
    start_date: date
    start_precision: str
    country: str
    geo_precision: str
    event_type: str
    sub_type: str
    private_description: str = ""
    end_date: date | None = None
    end_precision: str = ""
    admin1: str = ""
    admin2: str = ""
    admin3: str = ""
    place: str = ""
    latitude: float | None = None
    longitude: float | None = None
    violation_types: Sequence[str] = ()
    fatalities_min: int = 0
    fatalities_max: int = 0
    injured: int = 0
    detained: int = 0
    disappeared: int = 0
    tags: Sequence[str] = field(default_factory=tuple)
    confidentiality: str = codes.Confidentiality.COMMITTEE


def _code(value: str, choices: type[models.TextChoices], field_name: str) -> None:
    if value not in choices.values:
        raise InvalidInput(
            _("“%(value)s” is not a known code for %(field)s.")
            % {"value": value[:40], "field": field_name},
            field=field_name,
        )


def check_dates(
    *, start: date, end: date | None, today: date, start_field: str, end_field: str
) -> None:
    if start > today:
        raise InvalidInput(_("The start date is in the future."), field=start_field)
    if end is not None:
        if end > today:
            raise InvalidInput(_("The end date is in the future."), field=end_field)
        if end < start:
            raise InvalidInput(_("The end date is before the start date."), field=end_field)


def check_count(value: int, field_name: str) -> None:
    if value < 0:
        raise InvalidInput(_("A count cannot be below zero."), field=field_name)
    if value > COUNT_MAX:
        raise InvalidInput(
            _("A count cannot be above %(max)d.") % {"max": COUNT_MAX}, field=field_name
        )


def check_incident(data: IncidentData, *, today: date) -> None:
    """Refuse the first thing wrong with ``data`` (InvalidInput with its field)."""
    if not data.public_summary.strip():
        raise InvalidInput(_("Write a short public summary."), field="public_summary")
    if len(data.public_summary) > SUMMARY_MAX:
        raise InvalidInput(
            _("The public summary is longer than %(max)d characters.") % {"max": SUMMARY_MAX},
            field="public_summary",
        )
    _code(data.start_precision, codes.DatePrecision, "start_precision")
    if data.end_date is not None:
        _code(data.end_precision, codes.DatePrecision, "end_precision")
    elif data.end_precision:
        raise InvalidInput(_("An end precision needs an end date."), field="end_precision")
    check_dates(
        start=data.start_date,
        end=data.end_date,
        today=today,
        start_field="start_date",
        end_field="end_date",
    )
    if data.country not in codes.COUNTRY_BOUNDS:
        raise InvalidInput(
            _("“%(value)s” is not a country code the register knows.")
            % {"value": data.country[:8]},
            field="country",
        )
    for name in ("admin1", "admin2", "admin3", "place"):
        if len(getattr(data, name)) > PLACE_MAX:
            raise InvalidInput(
                _("This name is longer than %(max)d characters.") % {"max": PLACE_MAX},
                field=name,
            )
    _code(data.geo_precision, codes.GeoPrecision, "geo_precision")
    if (data.latitude is None) != (data.longitude is None):
        raise InvalidInput(_("Give both latitude and longitude, or neither."), field="latitude")
    if data.latitude is not None and data.longitude is not None:
        if not codes.inside_country(data.country, data.latitude, data.longitude):
            raise InvalidInput(
                _("These coordinates are outside the country %(country)s.")
                % {"country": data.country},
                field="latitude",
            )
    elif data.geo_precision == codes.GeoPrecision.EXACT:
        raise InvalidInput(_("An exact place needs coordinates."), field="latitude")
    _code(data.event_type, codes.AcledEventType, "event_type")
    _code(data.sub_type, codes.AcledSubType, "sub_type")
    if not codes.sub_type_belongs(data.event_type, data.sub_type):
        raise InvalidInput(_("This sub-type does not belong to the event type."), field="sub_type")
    if len(set(data.violation_types)) != len(data.violation_types):
        raise InvalidInput(_("A violation type is listed twice."), field="violation_types")
    for violation in data.violation_types:
        _code(violation, codes.ViolationType, "violation_types")
    for name in ("fatalities_min", "fatalities_max", "injured", "detained", "disappeared"):
        check_count(getattr(data, name), name)
    if data.fatalities_min > data.fatalities_max:
        raise InvalidInput(
            _("The minimum number of fatalities is above the maximum."), field="fatalities_min"
        )
    if len(data.tags) > TAGS_MAX:
        raise InvalidInput(_("At most %(max)d tags.") % {"max": TAGS_MAX}, field="tags")
    for tag in data.tags:
        if not tag.strip() or len(tag) > TAG_MAX:
            raise InvalidInput(
                _("A tag has 1 to %(max)d characters.") % {"max": TAG_MAX}, field="tags"
            )
    _code(data.confidentiality, codes.Confidentiality, "confidentiality")


def check_passphrase(passphrase: str) -> None:
    if len(passphrase) < PASSPHRASE_MIN:
        raise InvalidInput(
            _("A register passphrase has at least %(min)d characters.") % {"min": PASSPHRASE_MIN},
            field="passphrase",
        )
    if len(passphrase) > PASSPHRASE_MAX:
        raise InvalidInput(
            _("A register passphrase has at most %(max)d characters.") % {"max": PASSPHRASE_MAX},
            field="passphrase",
        )


def check_code(value: str, choices: type[models.TextChoices], field_name: str) -> None:
    """Public form of the code check, for the services' smaller inputs."""
    _code(value, choices, field_name)
