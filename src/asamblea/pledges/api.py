"""JSON API of calls to action, mounted at /api/v1/calls. Handlers parse and
bound input with schemas and call services and selectors. Figures are the
coarse public ones (``selectors.explain``): no count below the minimum ever
leaves the server here either."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from asamblea.accounts.requests import api_member
from asamblea.core.schemas import MULTILINE, InputSchema, Text
from asamblea.federation.access import Viewer, access_node, viewer_of
from asamblea.pledges import access, rules, selectors, services
from asamblea.pledges.models import INFO_MAX, Call
from asamblea.pledges.services import SCOPES_MAX

router = Router(tags=["calls"])

Language = Literal["es", "qu", "ay", "en"]
Level = Literal["committee", "zone", "region", "assembly"]
KindName = Literal["strike", "march", "vigil", "assembly_meeting", "solidarity", "other"]
StateName = Literal[
    "draft", "pledging", "activated", "not_activated", "held", "reported", "withdrawn"
]


class ThresholdIn(InputSchema):
    kind: Literal["count", "share"]
    value: int = Field(..., ge=1, le=10_000_000)


class CallIn(InputSchema):
    node: int = Field(..., ge=1)
    titles: dict[Language, str] = Field(..., max_length=4)
    # MULTILINE on the field itself: the schema's check reads the field's marker.
    texts: Annotated[dict[Language, str], MULTILINE] = Field(default_factory=dict, max_length=4)
    kind: KindName
    secrecy: Literal["counted", "sealed"] = "counted"
    rule: Literal["at_deadline", "when_reached"] = "at_deadline"
    deadline: datetime
    starts_at: datetime
    ends_at: datetime
    thresholds: dict[Level, ThresholdIn] = Field(..., max_length=4)
    scope: list[int] = Field(default_factory=list, max_length=SCOPES_MAX)
    practical_info: Text = Field("", max_length=INFO_MAX)
    motion: int | None = Field(None, ge=1)


class AnswerIn(InputSchema):
    pledge: bool


class ReconfirmIn(InputSchema):
    still_in: bool


class TurnoutIn(InputSchema):
    committee: int = Field(..., ge=1)
    turnout: int = Field(..., ge=0, le=10_000_000)


class CallFilters(InputSchema):
    node: int | None = Field(None, ge=1)
    limit: int = Field(50, ge=1, le=selectors.LIST_LIMIT)
    offset: int = Field(0, ge=0, le=1_000_000)


class ThresholdOut(Schema):
    level: str
    kind: str
    value: int


class ScopeOut(Schema):
    node: int
    name: str
    level: str
    members: int
    # Coarse: None below the public minimum, else rounded down to the bucket.
    pledges: int | None
    needed: int
    reached: bool
    activated: bool
    explanation: str


class StandingOut(Schema):
    elector: bool
    answered: bool
    pledged: bool | None
    may_reconfirm: bool


class CallOut(Schema):
    id: int
    node: int
    title: str
    titles: dict[str, str]
    kind: str
    secrecy: str
    rule: str
    state: StateName
    deadline: datetime
    starts_at: datetime
    ends_at: datetime
    motion: int | None


class CallDetailOut(CallOut):
    texts: dict[str, str]
    thresholds: list[ThresholdOut]
    scopes: list[ScopeOut]
    me: StandingOut
    practical_info: str


def _call_out(call: Call) -> CallOut:
    return CallOut(
        id=call.pk,
        node=call.node_id,
        title=call.display_title,
        titles=call.titles,
        kind=call.kind,
        secrecy=call.secrecy,
        rule=call.rule,
        state=call.state,  # type: ignore[arg-type]
        deadline=call.deadline,
        starts_at=call.starts_at,
        ends_at=call.ends_at,
        motion=call.motion_id,
    )


def _detail(request: HttpRequest, call: Call) -> CallDetailOut:
    viewer: Viewer = viewer_of(request)
    member = api_member(request)
    me = selectors.standing(member, call)
    show_info = me.committee_activated or access.may(viewer, call, to="manage")
    return CallDetailOut(
        **_call_out(call).dict(),
        texts=call.texts,
        thresholds=[
            ThresholdOut(level=t.level, kind=t.kind, value=t.value) for t in call.thresholds.all()
        ],
        scopes=[
            ScopeOut(
                node=row.node.pk,
                name=row.node.name,
                level=row.node.kind,
                members=row.members,
                pledges=row.pledges,
                needed=row.needed,
                reached=row.reached,
                activated=row.activated,
                explanation=f"{row.figure} {row.threshold} {row.verdict}",
            )
            for row in selectors.explain(viewer, call)
        ],
        me=StandingOut(
            elector=me.elector,
            answered=me.answered,
            pledged=me.pledged,
            may_reconfirm=me.may_reconfirm,
        ),
        practical_info=call.practical_info if show_info else "",
    )


@router.get("/", response=list[CallOut])
def list_calls(request: HttpRequest, filters: Query[CallFilters]) -> list[CallOut]:
    viewer = viewer_of(request)
    node = access_node(viewer, filters.node) if filters.node is not None else None
    calls = selectors.visible_calls(viewer, node=node)
    return [_call_out(c) for c in calls[filters.offset : filters.offset + filters.limit]]


@router.get("/awaiting", response=list[CallOut])
def awaiting_calls(request: HttpRequest) -> list[CallOut]:
    """Calls waiting for the member's pledge or reconfirmation."""
    return [_call_out(c) for c in selectors.awaiting(api_member(request))[: selectors.LIST_LIMIT]]


@router.post("/", response={201: CallDetailOut})
def issue_call(request: HttpRequest, payload: CallIn) -> Status[CallDetailOut]:
    member = api_member(request)
    node = access_node(viewer_of(request), payload.node)
    spec = services.CallSpec(
        titles={str(k): v for k, v in payload.titles.items()},
        texts={str(k): v for k, v in payload.texts.items()},
        kind=payload.kind,
        secrecy=payload.secrecy,
        rule=payload.rule,
        deadline=payload.deadline,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        thresholds={level: rules.Rule(t.kind, t.value) for level, t in payload.thresholds.items()},
        scope_node_ids=payload.scope,
        practical_info=payload.practical_info,
        motion_id=payload.motion,
    )
    call = services.issue_call(actor=member, node=node, spec=spec)
    return Status(201, _detail(request, call))


@router.get("/{int:call_id}", response=CallDetailOut)
def get_call(request: HttpRequest, call_id: int) -> CallDetailOut:
    return _detail(request, access.access_call(viewer_of(request), call_id))


@router.post("/{int:call_id}/open", response=CallDetailOut)
def open_pledging(request: HttpRequest, call_id: int) -> CallDetailOut:
    call = access.access_call(viewer_of(request), call_id)
    call = services.open_pledging(actor=api_member(request), call=call)
    return _detail(request, call)


@router.post("/{int:call_id}/withdraw", response=CallDetailOut)
def withdraw_call(request: HttpRequest, call_id: int) -> CallDetailOut:
    call = access.access_call(viewer_of(request), call_id)
    call = services.withdraw_call(actor=api_member(request), call=call)
    return _detail(request, call)


@router.post("/{int:call_id}/answer", response=StandingOut)
def answer_call(request: HttpRequest, call_id: int, payload: AnswerIn) -> StandingOut:
    """Pledge (``pledge: true``), answer no, or withdraw a pledge
    (``pledge: false``) until the call is decided."""
    member = api_member(request)
    call = access.access_call(viewer_of(request), call_id)
    services.answer_call(actor=member, call=call, pledged=payload.pledge)
    me = selectors.standing(member, call)
    return StandingOut(
        elector=me.elector, answered=me.answered, pledged=me.pledged, may_reconfirm=False
    )


@router.post("/{int:call_id}/reconfirm", response={204: None})
def reconfirm(request: HttpRequest, call_id: int, payload: ReconfirmIn) -> Status[None]:
    call = access.access_call(viewer_of(request), call_id)
    services.reconfirm(actor=api_member(request), call=call, still_in=payload.still_in)
    return Status(204, None)


@router.post("/{int:call_id}/turnout", response={204: None})
def report_turnout(request: HttpRequest, call_id: int, payload: TurnoutIn) -> Status[None]:
    viewer = viewer_of(request)
    call = access.access_call(viewer, call_id)
    committee = access_node(viewer, payload.committee)
    services.report_turnout(
        actor=api_member(request), call=call, committee=committee, turnout=payload.turnout
    )
    return Status(204, None)
