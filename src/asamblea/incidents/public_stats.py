"""Public statistics of the register, computed from the public projection only.

Every figure starts from ``public.public_incidents()`` and the projection's
own coarsening (``public.period_month_sql``, ``public.admin1_sql``, the SQL
restatement of ``public.project``): a month or a region is the projection's
value, so a place or a time the projection hides can never be counted here.
The figures are aggregated in the database (``GROUP BY``, ``COUNT(DISTINCT)``);
a differential property test keeps them equal to counting ``public.project``
record by record. Victims are
counted through the acts of projected incidents only, by code (act type,
actor kind), each person once per bucket (a merged person is the person kept),
and never listed one by one.

Each bucket's count goes through ``public.suppress``: between 1 and
``PUBLIC_MIN_COUNT - 1`` it becomes ``None`` ("fewer than the minimum").
No totals are published, since a total minus the buckets shown would give the
suppressed ones back. The figures are *documented* counts, not totals of what
happened: what the committees recorded, verified and chose to publish.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Max, QuerySet

from asamblea.federation.models import Node
from asamblea.incidents import public
from asamblea.incidents.codes import ActorKind, ViolationType
from asamblea.incidents.models import Act, Actor, Incident, Involvement, Person

CACHE_SECONDS = 300
_CHUNK = 2000

# Fields read from the database to project an incident; the projection
# itself decides what of them leaves.
_PROJECTED_COLUMNS = (
    "pk",
    "start_date",
    "start_precision",
    "country",
    "admin1",
    "admin2",
    "geo_precision",
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

CHARTS = ("month", "region", "act", "actor")


@dataclass(frozen=True)
class Bucket:
    key: str
    count: int | None  # None: suppressed (fewer than the minimum)


@dataclass(frozen=True)
class Statistics:
    """Documented counts, each chart a tuple of buckets in display order."""

    month: tuple[Bucket, ...]  # incidents per month (or year when the month is unknown)
    region: tuple[Bucket, ...]  # incidents per admin1 ("" when only the country is known)
    act: tuple[Bucket, ...]  # victims per type of act
    actor: tuple[Bucket, ...]  # victims per type of actor
    region_countries: tuple[tuple[str, str], ...] = ()  # (admin1, country) for the map

    def chart(self, name: str) -> tuple[Bucket, ...]:
        if name not in CHARTS:
            raise KeyError(name)
        result: tuple[Bucket, ...] = getattr(self, name)
        return result


def scoped_incidents(assembly: Node | None = None) -> QuerySet[Incident]:
    """The public incidents, of one assembly's committees when given."""
    incidents = public.public_incidents()
    if assembly is not None:
        incidents = incidents.filter(committee__path__startswith=Node.segment(assembly.pk))
    return incidents


def projections(assembly: Node | None = None) -> Iterator[dict[str, Any]]:
    """The public projection of every public incident in scope, one at a time
    (constant memory: the queryset is read in chunks)."""
    incidents = scoped_incidents(assembly).only(*_PROJECTED_COLUMNS)
    for incident in incidents.iterator(chunk_size=_CHUNK):
        yield public.project(incident)


def _buckets(counter: Counter[str], order: list[str]) -> tuple[Bucket, ...]:
    return tuple(Bucket(key, public.suppress(counter[key])) for key in order if counter[key])


def _in_region(incidents: QuerySet[Incident], region: str) -> QuerySet[Incident]:
    """Those of ``incidents`` whose *projected* region is ``region``."""
    return incidents.alias(public_admin1=public.admin1_sql()).filter(public_admin1=region)


def _in_scope(assembly: Node | None, region: str | None) -> QuerySet[Incident]:
    """The public incidents in scope, unordered (``region`` filters on the
    projected region)."""
    incidents = scoped_incidents(assembly).order_by()
    return incidents if region is None else _in_region(incidents, region)


def _region_countries(
    incidents: QuerySet[Incident], latest: dict[tuple[str, str], Any]
) -> dict[str, str]:
    """Each region's country: that of its latest incident (by start, then id),
    as the projection read in the page's order would give first."""
    countries: defaultdict[str, list[tuple[Any, str]]] = defaultdict(list)
    for (admin1, country), last in latest.items():
        countries[admin1].append((last, country))
    result = {}
    for admin1, candidates in countries.items():
        candidates.sort(reverse=True)
        if len(candidates) > 1 and candidates[0][0] == candidates[1][0]:
            # Two countries share the latest day: the id decides, as in the page's order.
            first = (
                _in_region(incidents, admin1)
                .order_by("-start_date", "-pk")
                .values_list("country", flat=True)
                .first()
            )
            result[admin1] = first or candidates[0][1]
        else:
            result[admin1] = candidates[0][1]
    return result


def _victims_per(in_scope: QuerySet[Incident, Any], *, actor_kind: bool) -> dict[str, int]:
    """Distinct persons per type of act (or per kind of actor involved) over
    the acts of ``in_scope``, a merged person counted as the person kept.

    Written in SQL for one reason: the person's row is joined only when it
    was merged (``LEFT JOIN ... AND merged_into_id IS NOT NULL``, the few rows
    the index on ``merged_into`` finds) rather than for every act; the ORM
    makes a filtered join on a required key an inner join. The scope is the
    ORM's own query; nothing else but table names enters the text."""
    scope_sql, scope_params = in_scope.query.sql_with_params()
    act = Act._meta.db_table
    person = Person._meta.db_table
    if actor_kind:
        key = "k.kind"
        joins = (
            f"JOIN {Involvement._meta.db_table} v ON v.act_id = a.id "
            f"JOIN {Actor._meta.db_table} k ON k.id = v.actor_id"
        )
    else:
        key, joins = "a.act_type", ""
    sql = (
        f"SELECT {key}, COUNT(DISTINCT COALESCE(m.merged_into_id, a.victim_id)) "  # noqa: S608
        f"FROM {act} a {joins} "
        f"LEFT JOIN {person} m ON m.id = a.victim_id AND m.merged_into_id IS NOT NULL "
        f"WHERE a.incident_id IN ({scope_sql}) GROUP BY 1"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, scope_params)
        return dict(cursor.fetchall())


def compute(assembly: Node | None = None, region: str | None = None) -> Statistics:
    """The figures, aggregated in the database: one grouped query over the
    incidents (period, region, country) and one per victims' chart, each
    person counted once per bucket (``COUNT(DISTINCT ...)``)."""
    incidents = _in_scope(assembly, region)
    months: Counter[str] = Counter()
    regions: Counter[str] = Counter()
    latest: dict[tuple[str, str], Any] = {}
    grouped = (
        incidents.annotate(
            p_year=public.period_year_sql(),
            p_month=public.period_month_sql(),
            p_admin1=public.admin1_sql(),
        )
        .values("p_year", "p_month", "p_admin1", "country")
        .annotate(n=Count("pk"), last=Max("start_date"))
    )
    for row in grouped:
        months[public.period_label(row["p_year"], row["p_month"])] += row["n"]
        regions[row["p_admin1"]] += row["n"]
        place = (row["p_admin1"], row["country"])
        latest[place] = max(latest.get(place, row["last"]), row["last"])
    acts_counter: Counter[str] = Counter()
    actors_counter: Counter[str] = Counter()
    if latest:
        in_scope = incidents.values("pk")
        acts_counter.update(_victims_per(in_scope, actor_kind=False))
        actors_counter.update(_victims_per(in_scope, actor_kind=True))
    return Statistics(
        month=_buckets(months, sorted(months)),
        region=_buckets(regions, sorted(regions, key=lambda r: (r == "", r))),
        act=_buckets(acts_counter, list(ViolationType.values)),
        actor=_buckets(actors_counter, list(ActorKind.values)),
        region_countries=tuple(sorted(_region_countries(incidents, latest).items())),
    )


def statistics(assembly: Node | None = None, region: str | None = None) -> Statistics:
    """:func:`compute`, cached for ``CACHE_SECONDS`` (the page says how old
    its figures may be)."""
    # The region exactly as filtered (hashed: any text is a safe key).
    scope = "all" if region is None else hashlib.sha256(region.encode()).hexdigest()
    key = f"incidents:public-stats:{assembly.pk if assembly else 0}:{scope}"
    cached = cache.get(key)
    if isinstance(cached, Statistics):
        return cached
    result = compute(assembly, region)
    cache.set(key, result, CACHE_SECONDS)
    return result


# --- coarse map ---------------------------------------------------------------------

# Approximate centres of Peru's regions (admin1), degrees (latitude, longitude):
# public geography, never an incident's own coordinates.
ADMIN1_CENTROIDS: dict[tuple[str, str], tuple[float, float]] = {
    ("PE", "amazonas"): (-5.08, -78.05),
    ("PE", "ancash"): (-9.40, -77.55),
    ("PE", "apurimac"): (-14.05, -72.95),
    ("PE", "arequipa"): (-15.85, -72.45),
    ("PE", "ayacucho"): (-13.60, -74.05),
    ("PE", "cajamarca"): (-6.40, -78.70),
    ("PE", "callao"): (-12.05, -77.13),
    ("PE", "cusco"): (-13.20, -72.00),
    ("PE", "huancavelica"): (-12.90, -75.05),
    ("PE", "huanuco"): (-9.45, -76.00),
    ("PE", "ica"): (-14.35, -75.55),
    ("PE", "junin"): (-11.50, -74.85),
    ("PE", "la libertad"): (-8.00, -78.45),
    ("PE", "lambayeque"): (-6.35, -79.80),
    ("PE", "lima"): (-11.90, -76.65),
    ("PE", "loreto"): (-4.20, -74.60),
    ("PE", "madre de dios"): (-11.95, -70.60),
    ("PE", "moquegua"): (-16.80, -70.85),
    ("PE", "pasco"): (-10.40, -75.50),
    ("PE", "piura"): (-5.15, -80.25),
    ("PE", "puno"): (-14.95, -70.00),
    ("PE", "san martin"): (-7.15, -76.75),
    ("PE", "tacna"): (-17.60, -70.35),
    ("PE", "tumbes"): (-3.85, -80.50),
    ("PE", "ucayali"): (-9.60, -73.50),
}


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.strip().casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def centroid(country: str, admin1: str) -> tuple[float, float] | None:
    """The approximate centre of a region, if the project knows it."""
    return ADMIN1_CENTROIDS.get((country, _fold(admin1)))
