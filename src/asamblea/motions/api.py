"""JSON API of motions, mounted at /api/v1/motions. Handlers parse and bound
input with schemas, call services and selectors, and return typed output;
domain errors become ``{"error": {"code", "message"}}`` (api/errors.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from asamblea.accounts.requests import api_member
from asamblea.core.errors import InvalidInput, NotFound
from asamblea.core.schemas import InputSchema, Text
from asamblea.federation import selectors as federation_selectors
from asamblea.federation.access import Viewer, viewer_of
from asamblea.motions import rules, selectors, services
from asamblea.motions.models import (
    BODY_MAX,
    COMMENT_MAX,
    TITLE_MAX,
    Amendment,
    Comment,
    Motion,
    MotionVersion,
    ObsoleteReason,
)

router = Router(tags=["motions"])

StateName = Literal["draft", "debate", "voting", "carried", "rejected", "withdrawn"]
KindName = Literal["replace_paragraph", "insert_paragraph", "delete_paragraph", "replace_text"]
MAX_INDEX = 10_000


# --- schemas ------------------------------------------------------------------------


class MotionIn(InputSchema):
    node: int = Field(..., ge=1)
    title: str = Field(..., max_length=TITLE_MAX)
    body: Text = Field(..., max_length=BODY_MAX)


class MotionPatch(InputSchema):
    title: str | None = Field(None, max_length=TITLE_MAX)
    body: Text | None = Field(None, max_length=BODY_MAX)


class MotionFilters(InputSchema):
    node: int | None = Field(None, ge=1)
    state: StateName | None = None
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=1_000_000)


class MotionOut(Schema):
    id: int
    node: int
    node_name: str
    author: str
    title: str
    body: str
    state: str
    version: int
    created_at: datetime
    updated_at: datetime


class AmendmentIn(InputSchema):
    kind: KindName
    paragraph: int | None = Field(
        None, ge=0, le=MAX_INDEX, description="0-based paragraph index in the current text"
    )
    text: Text = Field("", max_length=BODY_MAX)
    rationale: Text = Field("", max_length=COMMENT_MAX)


class AmendmentOut(Schema):
    id: int
    motion: int
    number: int = Field(description="The amendment's number within its motion: 1, 2, 3...")
    author: str
    kind: str
    paragraph: int | None
    text: str
    rationale: str
    base_version: int
    state: str
    state_reason: str = Field(
        description="Why an obsolete amendment no longer applies, as a code; empty otherwise.",
        json_schema_extra={"enum": ["", *ObsoleteReason.values]},
    )
    state_reason_text: str = Field(
        description="state_reason in the request's language; empty when there is none."
    )
    created_at: datetime


class MotionDetailOut(MotionOut):
    paragraphs: list[str]
    seconds: int
    seconders_required: int
    amendments: list[AmendmentOut]


class CommentIn(InputSchema):
    body: Text = Field(..., max_length=COMMENT_MAX)
    parent: int | None = Field(None, ge=1)


class CommentOut(Schema):
    id: int
    parent: int | None
    author: str
    body: str
    created_at: datetime


class VersionOut(Schema):
    number: int
    title: str
    body: str
    amendment: int | None
    created_at: datetime


class DiffQuery(InputSchema):
    from_number: int = Field(..., alias="from", ge=1, le=1_000_000)
    to: int = Field(..., ge=1, le=1_000_000)


class DiffRun(Schema):
    op: str
    text: str


class DiffOut(Schema):
    from_version: int
    to_version: int
    title: list[DiffRun]
    body: list[DiffRun]


class StateOut(Schema):
    id: int
    state: str


# --- conversions --------------------------------------------------------------------


def _motion_out(motion: Motion) -> MotionOut:
    return MotionOut(
        id=motion.pk,
        node=motion.node_id,
        node_name=motion.node.name,
        author=motion.author.pseudonym,
        title=motion.title,
        body=motion.body,
        state=motion.state,
        version=motion.version,
        created_at=motion.created_at,
        updated_at=motion.updated_at,
    )


def _amendment_out(amendment: Amendment) -> AmendmentOut:
    return AmendmentOut(
        id=amendment.pk,
        motion=amendment.motion_id,
        number=amendment.number,
        author=amendment.author.pseudonym,
        kind=amendment.kind,
        paragraph=amendment.paragraph,
        text=amendment.text,
        rationale=amendment.rationale,
        base_version=amendment.base_version,
        state=amendment.state,
        state_reason=amendment.state_reason,
        state_reason_text=amendment.get_state_reason_display() if amendment.state_reason else "",
        created_at=amendment.created_at,
    )


def _comment_out(comment: Comment) -> CommentOut:
    return CommentOut(
        id=comment.pk,
        parent=comment.parent_id,
        author=comment.author.pseudonym,
        body=comment.body,
        created_at=comment.created_at,
    )


def _version_out(version: MotionVersion) -> VersionOut:
    return VersionOut(
        number=version.number,
        title=version.title,
        body=version.body,
        amendment=version.amendment_id,
        created_at=version.created_at,
    )


def _detail(motion: Motion, viewer: Viewer) -> MotionDetailOut:
    summary = selectors.seconds_summary(motion=motion, member=viewer)
    return MotionDetailOut(
        **_motion_out(motion).model_dump(),
        paragraphs=rules.split_paragraphs(motion.body),
        seconds=summary.count,
        seconders_required=summary.required,
        amendments=[_amendment_out(a) for a in selectors.amendments_of(motion=motion)],
    )


# --- motions ------------------------------------------------------------------------


@router.get("/", response=list[MotionOut])
def list_motions(request: HttpRequest, filters: Query[MotionFilters]) -> list[MotionOut]:
    node = (
        federation_selectors.get_visible_node(member=viewer_of(request), node_id=filters.node)
        if filters.node
        else None
    )
    motions = selectors.list_motions_for(member=viewer_of(request), node=node, state=filters.state)
    return [_motion_out(m) for m in motions[filters.offset : filters.offset + filters.limit]]


@router.post("/", response={201: MotionDetailOut})
def submit_motion(request: HttpRequest, payload: MotionIn) -> Status[MotionDetailOut]:
    member = api_member(request)
    node = federation_selectors.get_visible_node(member=viewer_of(request), node_id=payload.node)
    motion = services.submit_motion(actor=member, node=node, title=payload.title, body=payload.body)
    return Status(201, _detail(motion, viewer_of(request)))


@router.get("/{int:motion_id}", response=MotionDetailOut)
def get_motion(request: HttpRequest, motion_id: int) -> MotionDetailOut:
    viewer = viewer_of(request)
    return _detail(selectors.get_motion_for(member=viewer, motion_id=motion_id), viewer)


@router.patch("/{int:motion_id}", response=MotionDetailOut)
def edit_draft(request: HttpRequest, motion_id: int, payload: MotionPatch) -> MotionDetailOut:
    member = api_member(request)
    motion = selectors.get_motion_for(member=viewer_of(request), motion_id=motion_id)
    motion = services.edit_draft(
        actor=member,
        motion=motion,
        title=payload.title if payload.title is not None else motion.title,
        body=payload.body if payload.body is not None else motion.body,
    )
    return _detail(motion, viewer_of(request))


@router.post("/{int:motion_id}/second", response=MotionDetailOut)
def second_motion(request: HttpRequest, motion_id: int) -> MotionDetailOut:
    member = api_member(request)
    motion = selectors.get_motion_for(member=viewer_of(request), motion_id=motion_id)
    services.second_motion(actor=member, motion=motion)
    motion.refresh_from_db()
    return _detail(motion, viewer_of(request))


@router.post("/{int:motion_id}/withdraw", response=MotionDetailOut)
def withdraw_motion(request: HttpRequest, motion_id: int) -> MotionDetailOut:
    member = api_member(request)
    motion = selectors.get_motion_for(member=viewer_of(request), motion_id=motion_id)
    motion = services.withdraw_motion(actor=member, motion=motion)
    return _detail(motion, viewer_of(request))


@router.get("/{int:motion_id}/versions", response=list[VersionOut])
def list_versions(request: HttpRequest, motion_id: int) -> list[VersionOut]:
    motion = selectors.get_motion_for(member=viewer_of(request), motion_id=motion_id)
    return [_version_out(v) for v in selectors.versions(motion=motion)]


@router.get("/{int:motion_id}/diff", response=DiffOut)
def version_diff(request: HttpRequest, motion_id: int, query: Query[DiffQuery]) -> DiffOut:
    motion = selectors.get_motion_for(member=viewer_of(request), motion_id=motion_id)
    diff = selectors.version_diff(motion=motion, from_number=query.from_number, to_number=query.to)
    return DiffOut(
        from_version=diff.old.number,
        to_version=diff.new.number,
        title=[DiffRun(op=op, text=text) for op, text in diff.title_ops],
        body=[DiffRun(op=op, text=text) for op, text in diff.body_ops],
    )


# --- discussion ---------------------------------------------------------------------


@router.get("/{int:motion_id}/comments", response=list[CommentOut])
def list_comments(request: HttpRequest, motion_id: int) -> list[CommentOut]:
    motion = selectors.get_motion_for(member=viewer_of(request), motion_id=motion_id)
    return [_comment_out(c) for c in selectors.comments_of(motion=motion)]


@router.post("/{int:motion_id}/comments", response={201: CommentOut})
def add_comment(request: HttpRequest, motion_id: int, payload: CommentIn) -> Status[CommentOut]:
    member = api_member(request)
    motion = selectors.get_motion_for(member=viewer_of(request), motion_id=motion_id)
    parent = None
    if payload.parent is not None:
        parent = Comment.objects.filter(pk=payload.parent, motion=motion).first()
        if parent is None:
            raise InvalidInput(NotFound.default_message, field="parent")
    comment = services.add_comment(actor=member, motion=motion, body=payload.body, parent=parent)
    return Status(201, _comment_out(comment))


# --- amendments ---------------------------------------------------------------------


@router.get("/{int:motion_id}/amendments", response=list[AmendmentOut])
def list_amendments(request: HttpRequest, motion_id: int) -> list[AmendmentOut]:
    motion = selectors.get_motion_for(member=viewer_of(request), motion_id=motion_id)
    return [_amendment_out(a) for a in selectors.amendments_of(motion=motion)]


@router.post("/{int:motion_id}/amendments", response={201: AmendmentOut})
def propose_amendment(
    request: HttpRequest, motion_id: int, payload: AmendmentIn
) -> Status[AmendmentOut]:
    member = api_member(request)
    motion = selectors.get_motion_for(member=viewer_of(request), motion_id=motion_id)
    amendment = services.propose_amendment(
        actor=member,
        motion=motion,
        kind=payload.kind,
        paragraph=payload.paragraph,
        text=payload.text,
        rationale=payload.rationale,
    )
    return Status(201, _amendment_out(amendment))


@router.post("/amendments/{int:amendment_id}/withdraw", response=AmendmentOut)
def withdraw_amendment(request: HttpRequest, amendment_id: int) -> AmendmentOut:
    member = api_member(request)
    amendment = selectors.get_amendment_for(member=viewer_of(request), amendment_id=amendment_id)
    return _amendment_out(services.withdraw_amendment(actor=member, amendment=amendment))
