"""QR codes of join links, as inline SVG (no image files, prints sharply)."""

from __future__ import annotations

import segno


def join_qr_svg(url: str, *, title: str = "") -> str:
    """An ``<svg>`` element encoding ``url``, ready to inline in HTML.

    Medium error correction survives a crumpled or photocopied printout.
    """
    qr = segno.make(url, error="m", micro=False)
    svg: str = qr.svg_inline(scale=4, title=title or None, svgclass="qr")
    return svg
