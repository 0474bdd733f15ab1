"""Public statistics pages of the register: anyone may read them (no sign-in),
and every figure comes from the public projection (``public_stats``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from asamblea.core.errors import NotFound
from asamblea.federation.models import Node
from asamblea.incidents import access, charts, exports, public, public_stats
from asamblea.incidents.codes import COUNTRY_BOUNDS, ActorKind, ViolationType
from asamblea.incidents.public_stats import Bucket, Statistics


def _assembly(assembly_id: int) -> Node:
    try:
        return access.access_public_assembly(assembly_id)
    except NotFound as exc:
        raise Http404 from exc


def _label(chart: str, key: str) -> str:
    if chart == "region":
        return key or _("Country only")
    if chart == "act":
        return str(ViolationType(key).label) if key in ViolationType.values else key
    if chart == "actor":
        return str(ActorKind(key).label) if key in ActorKind.values else key
    return key


def _titles() -> dict[str, tuple[str, str]]:
    return {
        "month": (
            _("Documented incidents by month"),
            _("Incidents verified and published, by the month they began."),
        ),
        "region": (
            _("Documented incidents by region"),
            _("Incidents verified and published, by region (admin1)."),
        ),
        "act": (
            _("Documented victims by type of act"),
            _("Each person counted once per type of act, merged records as one."),
        ),
        "actor": (
            _("Documented victims by type of actor"),
            _("Each person counted once per type of institution involved."),
        ),
    }


def _map(stats: Statistics) -> Any:
    countries = {country for _region, country in stats.region_countries}
    if len(countries) != 1:
        return None
    country = countries.pop()
    bounds = COUNTRY_BOUNDS.get(country)
    if bounds is None:
        return None
    country_of = dict(stats.region_countries)
    points = []
    for bucket in stats.region:
        point = public_stats.centroid(country_of.get(bucket.key, ""), bucket.key)
        if point is not None:
            points.append((bucket.key, point[0], point[1], bucket.count))
    if not points:
        return None
    return charts.region_map(
        chart_id="map",
        title=_("Map of documented incidents by region"),
        description=_(
            "Circles at the approximate centre of each region, their area "
            "proportional to the documented incidents; the table beside it holds the figures."
        ),
        bounds=bounds,
        points=points,
    )


def _page(request: HttpRequest, assembly: Node, region: str | None) -> HttpResponse:
    stats = public_stats.statistics(assembly, region)
    blocks = []
    for name, (title, description) in _titles().items():
        buckets: tuple[Bucket, ...] = stats.chart(name)
        rows = [(_label(name, b.key), b.count) for b in buckets]
        csv_url = reverse("incidents:public_chart_csv", args=[assembly.pk, name])
        if region is not None:
            csv_url += "?" + _query(region)
        blocks.append(
            {
                "name": name,
                "title": title,
                "rows": rows,
                "csv_url": csv_url,
                "svg": charts.bar_chart(
                    chart_id=f"chart-{name}", title=title, description=description, rows=rows
                ),
            }
        )
    regions = [b.key for b in stats.region if b.key] if region is None else []
    return render(
        request,
        "incidents/public_stats.html",
        {
            "assembly": assembly,
            "region": region,
            "blocks": blocks,
            "map": _map(stats),
            "regions": regions,
            "minimum": public.PUBLIC_MIN_COUNT,
            "small_label": charts.small_label(),
            "cache_minutes": public_stats.CACHE_SECONDS // 60,
        },
    )


def _query(region: str) -> str:
    return urlencode({"region": region})


def _region(request: HttpRequest) -> str | None:
    region = request.GET.get("region")
    if region is None:
        return None
    return region.strip()[:120]


@require_GET
def statistics(request: HttpRequest, assembly_id: int) -> HttpResponse:
    return _page(request, _assembly(assembly_id), _region(request))


@require_GET
def chart_csv(request: HttpRequest, assembly_id: int, chart: str) -> StreamingHttpResponse:
    assembly = _assembly(assembly_id)
    if chart not in public_stats.CHARTS:
        raise Http404
    stats = public_stats.statistics(assembly, _region(request))
    lines: Iterator[str] = exports.chart_csv(stats.chart(chart))
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="incidents-{chart}.csv"'
    return response
