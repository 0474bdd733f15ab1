"""JSON API of what needs the member, mounted at /api/v1/me: the same items,
count and sentences as the "what needs me" page (``web/needs.py``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.utils import translation
from ninja import Field, Router, Schema

from asamblea.accounts.requests import api_member
from asamblea.web import needs

router = Router(tags=["me"])


class NeedOut(Schema):
    section: str = Field(
        description="Group of the page: vote, second, amendments, trustee, secretary, results."
    )
    kind: str = Field(
        description=(
            "poll_to_vote, draft_to_second, amendment_to_my_motion, trustee_step,"
            " poll_to_open, amendments_to_vote, board_to_start or result."
        )
    )
    title: str
    url: str = Field(description="Path of the page where it is done.")
    sentence: str = Field(description="What is asked and by when, in plain words.")
    when: datetime | None = Field(
        description="The time that matters: a closing time, a round's deadline, a close."
    )
    counted: bool = Field(description="False for results, which are shown and not counted.")


class NeedsOut(Schema):
    count: int = Field(description="How many items ask the member to act (the page's count).")
    items: list[NeedOut]


@router.get("/needs", response=NeedsOut)
def my_needs(request: HttpRequest) -> dict[str, Any]:
    """What waits for the signed-in member, in their chosen language (else the
    request's)."""
    member = api_member(request)
    language = member.language if translation.check_for_language(member.language) else None
    with translation.override(language or translation.get_language()):
        found = needs.needs_of(member)
        return {"count": found.count, "items": needs.items_of(found)}
