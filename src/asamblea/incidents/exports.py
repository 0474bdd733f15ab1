"""Exports of the public projection, row by row (generators of text chunks,
so that a response streams them in constant memory).

- ACLED-shaped CSV: ACLED's column names and codes, as far as the public
  projection has them. Dates are the first day of the projected month
  (``time_precision`` 3) or of the year; places stop at admin1/admin2 and
  ``geo_precision`` is 3 (a region); latitude, longitude, actors and sources
  are left empty because the projection does not publish them; ``fatalities``
  is the most conservative figure, empty when suppressed.
- HXL-tagged CSV: the projection's own columns, with a second row of HXL
  hashtags.
- GeoJSON: one feature per incident, its point the approximate centre of its
  region when the project knows it (never the incident's coordinates), else
  no geometry; its properties the projection.

Every row comes from ``public.project``; nothing else is read.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from asamblea.federation.models import Node
from asamblea.incidents import public_stats
from asamblea.incidents.codes import ACLED_LABELS, AcledEventType, AcledSubType

ACLED_COLUMNS = (
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "disorder_type",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "inter1",
    "actor2",
    "assoc_actor_2",
    "inter2",
    "interaction",
    "civilian_targeting",
    "iso",
    "region",
    "country",
    "admin1",
    "admin2",
    "admin3",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "source_scale",
    "notes",
    "fatalities",
    "tags",
    "timestamp",
)

# ISO 3166-1: alpha-3 and numeric, English name and ACLED region, for the
# countries the register knows (codes.COUNTRY_BOUNDS).
COUNTRIES: dict[str, tuple[str, int, str, str]] = {
    "AR": ("ARG", 32, "Argentina", "South America"),
    "BO": ("BOL", 68, "Bolivia", "South America"),
    "BR": ("BRA", 76, "Brazil", "South America"),
    "CL": ("CHL", 152, "Chile", "South America"),
    "CO": ("COL", 170, "Colombia", "South America"),
    "CR": ("CRI", 188, "Costa Rica", "Central America"),
    "EC": ("ECU", 218, "Ecuador", "South America"),
    "ES": ("ESP", 724, "Spain", "Europe"),
    "GT": ("GTM", 320, "Guatemala", "Central America"),
    "HN": ("HND", 340, "Honduras", "Central America"),
    "MX": ("MEX", 484, "Mexico", "Central America"),
    "NI": ("NIC", 558, "Nicaragua", "Central America"),
    "PA": ("PAN", 591, "Panama", "Central America"),
    "PE": ("PER", 604, "Peru", "South America"),
    "PY": ("PRY", 600, "Paraguay", "South America"),
    "SV": ("SLV", 222, "El Salvador", "Central America"),
    "UY": ("URY", 858, "Uruguay", "South America"),
    "VE": ("VEN", 862, "Venezuela", "South America"),
}

_DISORDER = {
    AcledEventType.BATTLES: "Political violence",
    AcledEventType.EXPLOSIONS: "Political violence",
    AcledEventType.VIOLENCE_AGAINST_CIVILIANS: "Political violence",
    AcledEventType.RIOTS: "Political violence",
    AcledEventType.PROTESTS: "Demonstrations",
    AcledEventType.STRATEGIC_DEVELOPMENTS: "Strategic developments",
}

HXL_COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "#event+id"),
    ("period", "#date+month"),
    ("country", "#country+code"),
    ("admin1", "#adm1+name"),
    ("admin2", "#adm2+name"),
    ("event_type", "#event+type"),
    ("sub_type", "#event+type+sub"),
    ("violation_types", "#event+type+violation"),
    ("violation_status", "#status+violation"),
    ("fatalities_min", "#affected+killed+min"),
    ("fatalities_max", "#affected+killed+max"),
    ("injured", "#affected+injured"),
    ("detained", "#affected+detained"),
    ("disappeared", "#affected+missing"),
    ("public_summary", "#description"),
)


class _Line:
    """A file-like object whose ``write`` hands back the line it was given."""

    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    writer = csv.writer(_Line())
    for row in rows:
        yield writer.writerow(row)


def _count(value: int | None) -> str:
    return "" if value is None else str(value)


def acled_row(row: dict[str, Any]) -> list[Any]:
    country = COUNTRIES.get(row["country"], ("", 0, row["country"], ""))
    period = row["period"]
    year = period[:4]
    event_date = f"{period}-01" if len(period) == 7 else f"{year}-01-01"
    event_type = row["event_type"]
    sub_type = row["sub_type"]
    disorder = _DISORDER.get(event_type, "")
    if sub_type == AcledSubType.EXCESSIVE_FORCE:
        disorder = "Political violence; Demonstrations"
    values = {
        "event_id_cnty": f"{country[0]}{row['id']}",
        "event_date": event_date,
        "year": year,
        "time_precision": 3,
        "disorder_type": disorder,
        "event_type": ACLED_LABELS.get(event_type, ""),
        "sub_event_type": ACLED_LABELS.get(sub_type, ""),
        "civilian_targeting": (
            "Civilian targeting" if event_type == AcledEventType.VIOLENCE_AGAINST_CIVILIANS else ""
        ),
        "iso": country[1] or "",
        "region": country[3],
        "country": country[2],
        "admin1": row["admin1"],
        "admin2": row["admin2"],
        "geo_precision": 3,
        "notes": row["public_summary"],
        "fatalities": _count(row["fatalities_min"]),
        "tags": "; ".join(row["violation_types"]),
    }
    return [values.get(column, "") for column in ACLED_COLUMNS]


def acled_csv(assembly: Node | None = None) -> Iterator[str]:
    yield from csv_lines([ACLED_COLUMNS])
    yield from csv_lines(acled_row(row) for row in public_stats.projections(assembly))


def _hxl_value(value: Any) -> Any:
    if isinstance(value, list):
        return " ".join(value)
    if value is None:
        return ""
    return value


def hxl_csv(assembly: Node | None = None) -> Iterator[str]:
    yield from csv_lines([[name for name, _tag in HXL_COLUMNS], [tag for _n, tag in HXL_COLUMNS]])
    yield from csv_lines(
        [_hxl_value(row[name]) for name, _tag in HXL_COLUMNS]
        for row in public_stats.projections(assembly)
    )


def geojson(assembly: Node | None = None) -> Iterator[str]:
    yield '{"type":"FeatureCollection","features":['
    first = True
    for row in public_stats.projections(assembly):
        point = public_stats.centroid(row["country"], row["admin1"]) if row["admin1"] else None
        geometry = (
            {"type": "Point", "coordinates": [point[1], point[0]]} if point is not None else None
        )
        feature = {"type": "Feature", "id": row["id"], "geometry": geometry, "properties": row}
        yield ("" if first else ",") + json.dumps(feature, ensure_ascii=False)
        first = False
    yield "]}"


def chart_csv(buckets: Iterable[public_stats.Bucket]) -> Iterator[str]:
    """A chart's data: key, count (empty when suppressed), suppressed flag."""
    yield from csv_lines([("key", "documented_count", "suppressed")])
    yield from csv_lines(
        (b.key, _count(b.count), "true" if b.count is None else "false") for b in buckets
    )
