"""The public projection of the register: the only shape in which a record
leaves the federation.

It is built by whitelisting (``PUBLIC_FIELDS``), never by removing fields
from the internal record, so a field added to the model later stays private
until someone adds it here on purpose. Time is coarsened to the month (the
year when the month is unknown), place to the region and province (never the
district, the place name or coordinates), and every count between 1 and
``PUBLIC_MIN_COUNT - 1`` is suppressed (``None``: "fewer than the minimum").
Only verified, unarchived incidents whose level is ``public`` are projected.
Persons never appear: not their codes, attributes or acts one by one.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Case, F, IntegerField, QuerySet, Value, When
from django.db.models.expressions import Combinable
from django.db.models.functions import ExtractMonth, ExtractYear

from asamblea.incidents.codes import (
    Confidentiality,
    DatePrecision,
    GeoPrecision,
    VerificationState,
)
from asamblea.incidents.models import Incident

PUBLIC_MIN_COUNT = 3

PUBLIC_FIELDS = (
    "id",
    "period",
    "country",
    "admin1",
    "admin2",
    "event_type",
    "sub_type",
    "violation_types",
    "violation_status",
    "fatalities_min",
    "fatalities_max",
    "injured",
    "detained",
    "disappeared",
    "public_summary",
)
COUNT_FIELDS = ("fatalities_min", "fatalities_max", "injured", "detained", "disappeared")

# Places known only to the region or country are published as such.
_ADMIN2_HIDDEN = (GeoPrecision.ADMIN1, GeoPrecision.COUNTRY)
_ADMIN1_HIDDEN = (GeoPrecision.COUNTRY,)


def suppress(count: int) -> int | None:
    """0 stays 0 (nobody); 1 to the minimum less one becomes None."""
    if 0 < count < PUBLIC_MIN_COUNT:
        return None
    return count


def period_label(year: int, month: int) -> str:
    """``YYYY-MM``, or ``YYYY`` when ``month`` is 0 (unknown)."""
    if month == 0:
        return f"{year:04d}"
    return f"{year:04d}-{month:02d}"


def period(incident: Incident) -> str:
    month = (
        0 if incident.start_precision == DatePrecision.MONTH_UNKNOWN else incident.start_date.month
    )
    return period_label(incident.start_date.year, month)


# The same coarsening as SQL expressions, for statistics computed in the
# database (``public_stats``); ``tests/incidents/test_public_stats.py`` keeps
# them equal to :func:`project` with a differential property test.


def period_year_sql() -> Combinable:
    return ExtractYear("start_date")


def period_month_sql() -> Combinable:
    """The month of :func:`period`, 0 when only the year is published."""
    return Case(
        When(start_precision=DatePrecision.MONTH_UNKNOWN, then=Value(0)),
        default=ExtractMonth("start_date"),
        output_field=IntegerField(),
    )


def admin1_sql() -> Combinable:
    """The region as :func:`project` publishes it ("" when hidden)."""
    return Case(
        When(geo_precision__in=_ADMIN1_HIDDEN, then=Value("")),
        default=F("admin1"),
    )


def is_public(incident: Incident) -> bool:
    return (
        incident.confidentiality == Confidentiality.PUBLIC
        and incident.state == VerificationState.VERIFIED
        and incident.archived_at is None
    )


def public_incidents() -> QuerySet[Incident]:
    return Incident.objects.filter(
        confidentiality=Confidentiality.PUBLIC,
        state=VerificationState.VERIFIED,
        archived_at__isnull=True,
    ).order_by("-start_date", "-pk")


def project(incident: Incident) -> dict[str, Any]:
    """The public shape of ``incident`` (assumed :func:`is_public`)."""
    fatalities_max = incident.fatalities_max
    fatalities_min = incident.fatalities_min
    projected: dict[str, Any] = {
        "id": incident.pk,
        "period": period(incident),
        "country": incident.country,
        "admin1": "" if incident.geo_precision in _ADMIN1_HIDDEN else incident.admin1,
        "admin2": "" if incident.geo_precision in _ADMIN2_HIDDEN else incident.admin2,
        "event_type": incident.event_type,
        "sub_type": incident.sub_type,
        "violation_types": sorted(str(v) for v in incident.violation_types),
        "violation_status": incident.violation_status,
        "fatalities_min": suppress(fatalities_min),
        "fatalities_max": suppress(fatalities_max),
        "injured": suppress(incident.injured),
        "detained": suppress(incident.detained),
        "disappeared": suppress(incident.disappeared),
        "public_summary": incident.public_summary,
    }
    return {name: projected[name] for name in PUBLIC_FIELDS}
