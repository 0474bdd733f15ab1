"""Server-rendered SVG for the public statistics: horizontal bar charts and a
map of regions as circles scaled by count. No script, no style attribute
(presentation attributes and classes only, for the strict CSP), a ``title``
and ``desc`` in each, and nothing fetched from another host.

A suppressed count (``None``) draws no bar and reads "fewer than N".
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from asamblea.incidents import public

WIDTH = 640
ROW = 22
LABEL_WIDTH = 230
MAP_WIDTH = 360
MAP_HEIGHT = 440


def small_label() -> str:
    return _("fewer than %(minimum)d") % {"minimum": public.PUBLIC_MIN_COUNT}


def bar_chart(
    *, chart_id: str, title: str, description: str, rows: Sequence[tuple[str, int | None]]
) -> SafeString:
    """A horizontal bar chart of ``(label, count)`` rows."""
    height = max(1, len(rows)) * ROW + 10
    shown = [count for _label, count in rows if count]
    largest = max(shown, default=1)
    span = WIDTH - LABEL_WIDTH - 70
    parts = [
        format_html(
            '<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
            'viewBox="0 0 {} {}" width="{}" height="{}" aria-labelledby="{}-t {}-d">'
            '<title id="{}-t">{}</title><desc id="{}-d">{}</desc>',
            WIDTH,
            height,
            WIDTH,
            height,
            chart_id,
            chart_id,
            chart_id,
            title,
            chart_id,
            description,
        )
    ]
    for index, (label, count) in enumerate(rows):
        y = 5 + index * ROW
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="end" font-size="13">{}</text>',
                LABEL_WIDTH - 6,
                y + 15,
                label,
            )
        )
        if count:
            bar = max(1, round(span * count / largest))
            parts.append(
                format_html(
                    '<rect class="bar" x="{}" y="{}" width="{}" height="{}" fill="#8a1c1c"/>'
                    '<text x="{}" y="{}" font-size="13">{}</text>',
                    LABEL_WIDTH,
                    y + 2,
                    bar,
                    ROW - 6,
                    LABEL_WIDTH + bar + 4,
                    y + 15,
                    count,
                )
            )
        else:
            parts.append(
                format_html(
                    '<text x="{}" y="{}" font-size="12" fill="#555">{}</text>',
                    LABEL_WIDTH + 4,
                    y + 15,
                    small_label() if count is None else "0",
                )
            )
    parts.append(mark_safe("</svg>"))
    return mark_safe("".join(str(p) for p in parts))  # noqa: S308 - every part escaped


def _project(
    latitude: float, longitude: float, bounds: tuple[float, float, float, float]
) -> tuple[float, float]:
    south, north, west, east = bounds
    x = 20 + (longitude - west) / max(east - west, 1e-9) * (MAP_WIDTH - 40)
    y = 20 + (north - latitude) / max(north - south, 1e-9) * (MAP_HEIGHT - 40)
    return round(x, 1), round(y, 1)


def region_map(
    *,
    chart_id: str,
    title: str,
    description: str,
    bounds: tuple[float, float, float, float],
    points: Sequence[tuple[str, float, float, int | None]],
) -> SafeString:
    """Regions as circles at their approximate centres, area proportional to
    the count; a suppressed region is a small hollow circle."""
    largest = max((count for *_rest, count in points if count), default=1)
    parts = [
        format_html(
            '<svg xmlns="http://www.w3.org/2000/svg" class="chart map" role="img" '
            'viewBox="0 0 {} {}" width="{}" height="{}" aria-labelledby="{}-t {}-d">'
            '<title id="{}-t">{}</title><desc id="{}-d">{}</desc>'
            '<rect x="0" y="0" width="{}" height="{}" fill="#f4f1ea"/>',
            MAP_WIDTH,
            MAP_HEIGHT,
            MAP_WIDTH,
            MAP_HEIGHT,
            chart_id,
            chart_id,
            chart_id,
            title,
            chart_id,
            description,
            MAP_WIDTH,
            MAP_HEIGHT,
        )
    ]
    for label, latitude, longitude, count in points:
        x, y = _project(latitude, longitude, bounds)
        if count:
            radius = round(4 + 26 * math.sqrt(count / largest), 1)
            parts.append(
                format_html(
                    '<circle cx="{}" cy="{}" r="{}" fill="#8a1c1c" fill-opacity="0.6">'
                    "<title>{}: {}</title></circle>",
                    x,
                    y,
                    radius,
                    label,
                    count,
                )
            )
        else:
            parts.append(
                format_html(
                    '<circle cx="{}" cy="{}" r="4" fill="none" stroke="#8a1c1c">'
                    "<title>{}: {}</title></circle>",
                    x,
                    y,
                    label,
                    small_label(),
                )
            )
        parts.append(
            format_html(
                '<text x="{}" y="{}" font-size="10" text-anchor="middle">{}</text>',
                x,
                y - 6,
                label,
            )
        )
    parts.append(mark_safe("</svg>"))
    return mark_safe("".join(str(p) for p in parts))  # noqa: S308 - every part escaped
