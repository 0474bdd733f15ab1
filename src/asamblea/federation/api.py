"""JSON API of the federation, mounted at /api/v1/nodes. Handlers parse input
with schemas and call services and selectors; errors become
``{"error": {"code", "message"}}`` through the API root."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Router, Schema
from ninja.responses import Status

from asamblea.accounts.requests import api_member
from asamblea.core.errors import InvalidInput, NotFound
from asamblea.core.schemas import InputSchema, Text
from asamblea.federation import access, rules, selectors, services
from asamblea.federation.access import viewer_of
from asamblea.federation.models import Mandate, Membership, Node

router = Router(tags=["federation"])


class NodeOut(Schema):
    id: int
    kind: str
    name: str
    parent: int | None = Field(None, alias="parent_id")
    depth: int


class NodeRef(Schema):
    id: int
    kind: str
    name: str


class NodeDetailOut(NodeOut):
    description: str
    seconders_required: int
    ancestors: list[NodeRef]
    children: list[NodeRef]
    is_member: bool
    can_manage: bool


class NodeIn(InputSchema):
    kind: str = Field(max_length=16)
    name: str = Field(max_length=rules.NAME_MAX_LENGTH)
    parent: int | None = None
    description: Text = Field("", max_length=rules.DESCRIPTION_MAX_LENGTH)
    seconders_required: int = Field(2, ge=0, le=rules.SECONDERS_MAX)


class NodePatch(InputSchema):
    name: str | None = Field(None, max_length=rules.NAME_MAX_LENGTH)
    description: Text | None = Field(None, max_length=rules.DESCRIPTION_MAX_LENGTH)
    seconders_required: int | None = Field(None, ge=0, le=rules.SECONDERS_MAX)


class NodeMembershipOut(Schema):
    id: int
    member: int
    pseudonym: str
    node: int
    role: str
    joined_at: datetime
    ended_at: datetime | None

    @staticmethod
    def resolve_member(obj: Membership) -> int:
        return obj.member_id

    @staticmethod
    def resolve_pseudonym(obj: Membership) -> str:
        return obj.member.pseudonym

    @staticmethod
    def resolve_node(obj: Membership) -> int:
        return obj.node_id


class RoleIn(InputSchema):
    role: str = Field(max_length=16)


class MandateOut(Schema):
    id: int
    committee: int
    delegate: int
    pseudonym: str
    source: str
    instructions: str
    poll: int | None
    started_at: datetime
    ended_at: datetime | None
    ended_reason: str
    is_active: bool

    @staticmethod
    def resolve_committee(obj: Mandate) -> int:
        return obj.committee_id

    @staticmethod
    def resolve_delegate(obj: Mandate) -> int:
        return obj.delegate_id

    @staticmethod
    def resolve_pseudonym(obj: Mandate) -> str:
        return obj.delegate.pseudonym

    @staticmethod
    def resolve_poll(obj: Mandate) -> int | None:
        return obj.poll_id


class AppointIn(InputSchema):
    delegate: int
    instructions: Text = Field("", max_length=rules.INSTRUCTIONS_MAX_LENGTH)


class EndMandateIn(InputSchema):
    reason: str = Field(max_length=16)


def _detail(request: HttpRequest, node: Node) -> dict[str, Any]:
    viewer = viewer_of(request)
    return {
        "id": node.pk,
        "kind": node.kind,
        "name": node.name,
        "parent_id": node.parent_id,
        "depth": node.depth,
        "description": node.description,
        "seconders_required": node.seconders_required,
        "ancestors": list(selectors.ancestors(node=node)),
        "children": list(selectors.children(node=node)),
        "is_member": viewer.belongs_to(node.pk),
        "can_manage": node.is_committee and access.may_manage(viewer, node),
    }


@router.get("/", response=list[NodeOut])
def list_nodes(request: HttpRequest) -> Any:
    return selectors.visible_nodes(member=viewer_of(request))


@router.post("/", response={201: NodeDetailOut})
def create_node(request: HttpRequest, payload: NodeIn) -> Any:
    actor = api_member(request)
    parent: Node | None = None
    if payload.parent is not None:
        # An operator sees every node; anyone else is refused by the service
        # before the parent matters, so an unknown parent is bad input here.
        shaper = access.may_shape_tree(viewer_of(request))
        parent = Node.objects.filter(pk=payload.parent).first() if shaper else None
        if shaper and parent is None:
            raise InvalidInput(_("Unknown parent node."), field="parent")
    node = services.create_node(
        actor=actor,
        kind=payload.kind,
        name=payload.name,
        parent=parent,
        description=payload.description,
        seconders_required=payload.seconders_required,
    )
    return Status(201, _detail(request, node))


@router.patch("/memberships/{membership_id}", response=NodeMembershipOut)
def change_role(request: HttpRequest, membership_id: int, payload: RoleIn) -> Any:
    actor = api_member(request)
    membership = selectors.get_visible_membership(
        member=viewer_of(request), membership_id=membership_id
    )
    return services.change_role(actor=actor, membership=membership, role=payload.role)


@router.delete("/memberships/{membership_id}", response=NodeMembershipOut)
def end_membership(request: HttpRequest, membership_id: int) -> Any:
    actor = api_member(request)
    membership = selectors.get_visible_membership(
        member=viewer_of(request), membership_id=membership_id
    )
    return services.end_membership(actor=actor, membership=membership)


@router.post("/mandates/{mandate_id}/end", response=MandateOut)
def end_mandate(request: HttpRequest, mandate_id: int, payload: EndMandateIn) -> Any:
    actor = api_member(request)
    mandate = selectors.get_visible_mandate(member=viewer_of(request), mandate_id=mandate_id)
    return services.end_mandate(actor=actor, mandate=mandate, reason=payload.reason)


@router.get("/{node_id}", response=NodeDetailOut)
def get_node(request: HttpRequest, node_id: int) -> Any:
    return _detail(request, selectors.get_visible_node(member=viewer_of(request), node_id=node_id))


@router.patch("/{node_id}", response=NodeDetailOut)
def update_node(request: HttpRequest, node_id: int, payload: NodePatch) -> Any:
    actor = api_member(request)
    node = Node.objects.filter(pk=node_id).first()
    if node is None:
        raise NotFound()
    node = services.update_node(actor=actor, node=node, **payload.dict())
    return _detail(request, node)


@router.get("/{node_id}/children", response=list[NodeRef])
def list_children(request: HttpRequest, node_id: int) -> Any:
    node = selectors.get_visible_node(member=viewer_of(request), node_id=node_id)
    return selectors.children(node=node)


@router.get("/{node_id}/members", response=list[NodeMembershipOut])
def list_members(request: HttpRequest, node_id: int) -> Any:
    return selectors.members_for(member=viewer_of(request), node_id=node_id)


@router.get("/{node_id}/mandates", response=list[MandateOut])
def list_mandates(request: HttpRequest, node_id: int) -> Any:
    return selectors.mandates_for(member=viewer_of(request), node_id=node_id)


@router.post("/{node_id}/mandates", response={201: MandateOut})
def appoint_delegate(request: HttpRequest, node_id: int, payload: AppointIn) -> Any:
    actor = api_member(request)
    committee = selectors.get_visible_node(member=viewer_of(request), node_id=node_id)
    delegate = selectors.active_member_of(committee=committee, member_id=payload.delegate)
    if delegate is None:
        # Permission first: only a manager learns whether the id is a member.
        services.check_manager(actor=actor, node=committee)
        raise InvalidInput(
            _("The delegate must be an active member of the committee."), field="delegate"
        )
    mandate = services.appoint_delegate(
        actor=actor, committee=committee, delegate=delegate, instructions=payload.instructions
    )
    return Status(201, mandate)
