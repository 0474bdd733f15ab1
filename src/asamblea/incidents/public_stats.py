"""Public statistics of the register, computed from the public projection only.

Every figure starts from ``public.public_incidents()`` and ``public.project``:
a month, a region or a province is the projection's own (coarsened) value, so
a place or a time the projection hides can never be counted here. Victims are
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
from django.db.models import QuerySet
from django.db.models.functions import Coalesce

from asamblea.federation.models import Node
from asamblea.incidents import public
from asamblea.incidents.codes import ActorKind, ViolationType
from asamblea.incidents.models import Act, Incident, Involvement

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


def compute(assembly: Node | None = None, region: str | None = None) -> Statistics:
    months: Counter[str] = Counter()
    regions: Counter[str] = Counter()
    region_of: dict[int, str] = {}
    region_countries: dict[str, str] = {}
    for row in projections(assembly):
        if region is not None and row["admin1"] != region:
            continue
        months[row["period"]] += 1
        regions[row["admin1"]] += 1
        region_of[row["id"]] = row["admin1"]
        region_countries.setdefault(row["admin1"], row["country"])
    act_victims: defaultdict[str, set[int]] = defaultdict(set)
    actor_victims: defaultdict[str, set[int]] = defaultdict(set)
    if region_of:
        in_scope = scoped_incidents(assembly).order_by().values("pk")
        acts = Act.objects.filter(incident__in=in_scope).annotate(
            person=Coalesce("victim__merged_into_id", "victim_id")
        )
        for incident_id, act_type, person in acts.values_list(
            "incident_id", "act_type", "person"
        ).iterator(chunk_size=_CHUNK):
            if incident_id in region_of:
                act_victims[act_type].add(person)
        involvements = Involvement.objects.filter(act__incident__in=in_scope).annotate(
            person=Coalesce("act__victim__merged_into_id", "act__victim_id")
        )
        for incident_id, kind, person in involvements.values_list(
            "act__incident_id", "actor__kind", "person"
        ).iterator(chunk_size=_CHUNK):
            if incident_id in region_of:
                actor_victims[kind].add(person)
    acts_counter = Counter({k: len(v) for k, v in act_victims.items()})
    actors_counter = Counter({k: len(v) for k, v in actor_victims.items()})
    return Statistics(
        month=_buckets(months, sorted(months)),
        region=_buckets(regions, sorted(regions, key=lambda r: (r == "", r))),
        act=_buckets(acts_counter, list(ViolationType.values)),
        actor=_buckets(actors_counter, list(ActorKind.values)),
        region_countries=tuple(sorted(region_countries.items())),
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
