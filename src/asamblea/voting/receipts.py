"""Constant-size vote receipts.

The size of an encrypted answer is visible to anyone on the network path (a
café's Wi-Fi, the mobile operator). A receipt that echoes the choice grows
with the number of approvals or ranked options, so its size alone told how a
member voted. Every receipt is therefore padded to a size that does not depend
on the choice: the JSON receipt to ``RECEIPT_SIZE`` bytes (trailing spaces,
which JSON ignores), the HTML confirmation to the size of the widest ballot
the poll allows (an HTML comment). Padded answers are marked so that the gzip
middleware leaves them uncompressed, since compression would make the sizes
differ again.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse

from asamblea.voting import rules

RECEIPT_SIZE = 2048
"""Bytes of every JSON receipt; larger than the largest possible receipt
(63 options, each with the longest grade)."""


def mark_constant_size(response: HttpResponse) -> HttpResponse:
    """Flag ``response`` so that compression leaves its length as it is."""
    response.constant_size = True  # type: ignore[attr-defined]
    return response


def pad_json(text: str, size: int = RECEIPT_SIZE) -> bytes:
    """``text`` (a JSON document) as UTF-8, followed by spaces up to ``size`` bytes.

    Raises ``ValueError`` if the document is already larger (a receipt that
    does not fit would give its size away).
    """
    data = text.encode()
    if len(data) > size:
        raise ValueError(f"receipt of {len(data)} bytes does not fit in {size}")
    return data + b" " * (size - len(data))


def pad_html(html: str, size: int) -> bytes:
    """``html`` followed by an HTML comment that brings it to ``size`` bytes
    (or by nothing if it is already that large)."""
    data = html.encode()
    missing = size - len(data)
    if missing <= 0:
        return data
    if missing < len(b"<!---->"):
        return data + b" " * missing
    return data + b"<!--" + b" " * (missing - 7) + b"-->"


def widest_initial(*, kind: str, method: str, option_count: int, max_score: int) -> dict[str, Any]:
    """Initial values of the ballot form that render it at its largest: every
    checkbox ticked, every rank and score with the most digits, every grade
    given. A radio button group renders at the same size whichever is ticked."""
    positions = range(option_count)
    if kind == rules.KIND_MASK:
        if method in (rules.METHOD_APPROVAL, rules.METHOD_BLOCK_APPROVAL):
            return {"choice": [str(p) for p in positions]}
        return {"choice": "0"}
    if kind == rules.KIND_RANKING:
        return {f"{kind}_{p}": option_count for p in positions}
    if kind == rules.KIND_SCORES:
        return {f"{kind}_{p}": max_score for p in positions}
    return {f"{kind}_{p}": rules.GRADES[0] for p in positions}
