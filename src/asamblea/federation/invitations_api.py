"""JSON API of joining by invitation and of a committee's invitations, mounted
at /api/v1/accounts beside the accounts router (the paths stay
``/accounts/join`` and ``/accounts/invitations``)."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from asamblea.accounts import ratelimit, rules
from asamblea.accounts import services as account_services
from asamblea.accounts.api import MemberOut, TokenCreatedOut, token_out
from asamblea.accounts.qr import join_qr_svg
from asamblea.accounts.requests import api_member
from asamblea.core.errors import DomainError
from asamblea.core.schemas import InputSchema
from asamblea.federation import invitations
from asamblea.federation.access import viewer_of
from asamblea.federation.models import Role

router = Router(tags=["accounts"])


class JoinIn(InputSchema):
    code: str = Field(max_length=rules.MAX_TYPED_CODE_LENGTH)
    pseudonym: str = Field(max_length=40)
    password: str = Field(max_length=account_services.MAX_PASSWORD_LENGTH)
    email: str = Field("", max_length=account_services.MAX_EMAIL_LENGTH)
    phone: str = Field("", max_length=account_services.MAX_PHONE_LENGTH)
    language: str = Field(settings.LANGUAGE_CODE, max_length=8)


class JoinOut(Schema):
    member: MemberOut
    token: TokenCreatedOut


class InvitationOut(Schema):
    id: int
    node: int
    hint: str
    role: str
    created_at: datetime
    expires_at: datetime
    state: str


class InvitationIn(InputSchema):
    node: int
    role: str = Field(Role.MEMBER.value, max_length=16)
    count: int = Field(1, ge=1, le=invitations.MAX_INVITATIONS_PER_BATCH)
    valid_days: int = Field(7, ge=1, le=invitations.MAX_VALID_DAYS)


class InvitationCreatedOut(InvitationOut):
    code: str = Field(description="The raw code. Shown only in this response.")
    join_url: str = Field(
        description="The join page with the code in the fragment (#code=...), never the query."
    )
    qr_svg: str = Field(description="SVG of a QR code encoding join_url.")


def _invitation_out(row: invitations.InvitationRow) -> InvitationOut:
    inv = row.invitation
    return InvitationOut(
        id=inv.pk,
        node=inv.node_id,
        hint=inv.code_hint,
        role=inv.role,
        created_at=inv.created_at,
        expires_at=inv.expires_at,
        state=str(row.state),
    )


# --- join -----------------------------------------------------------------------


@router.post("/join", auth=None, response={201: JoinOut})
def join(request: HttpRequest, payload: JoinIn) -> Status[dict[str, object]]:
    """Redeem an invitation code; answers the new member and a first API token."""
    attempt = ratelimit.begin(scope=ratelimit.INVITATION_CODE, request=request)
    try:
        member, token, raw = invitations.redeem_invitation_with_token(
            code=payload.code,
            pseudonym=payload.pseudonym,
            password=payload.password,
            email=payload.email,
            phone=payload.phone,
            language=payload.language,
            token_name=_("First device"),
        )
    except DomainError as exc:
        if exc.field != "code":
            attempt.succeeded()  # not a guess at a code
        raise
    attempt.succeeded()
    # The member goes out as the model so that MemberOut's resolvers read it.
    return Status(201, {"member": member, "token": token_out(token, raw)})


# --- invitations ------------------------------------------------------------------


@router.get("/invitations", response=list[InvitationOut])
def list_invitations(request: HttpRequest, node: int) -> list[InvitationOut]:
    viewer = viewer_of(request)
    committee = invitations.get_invitable_committee(member=viewer, node_id=node)
    return [
        _invitation_out(r) for r in invitations.list_invitations(member=viewer, committee=committee)
    ]


@router.post("/invitations", response={201: list[InvitationCreatedOut]})
def create_invitations(
    request: HttpRequest, payload: InvitationIn
) -> Status[list[InvitationCreatedOut]]:
    """Create codes. The raw codes and their QR codes appear only in this answer."""
    member = api_member(request)
    viewer = viewer_of(request)
    committee = invitations.get_invitable_committee(member=viewer, node_id=payload.node)
    created = invitations.create_invitations(
        actor=member,
        committee=committee,
        role=payload.role,
        count=payload.count,
        valid_days=payload.valid_days,
    )
    join_url = request.build_absolute_uri(reverse("accounts:join"))
    out = []
    for invitation, code in created:
        url = rules.join_link(join_url, code)
        base = _invitation_out(invitations.invitation_row(invitation))
        out.append(
            InvitationCreatedOut(
                **base.dict(),
                code=code,
                join_url=url,
                qr_svg=join_qr_svg(url, title=_("Invitation to %(name)s") % {"name": committee}),
            )
        )
    return Status(201, out)


@router.delete("/invitations/{invitation_id}", response={204: None})
def revoke_invitation(request: HttpRequest, invitation_id: int) -> Status[None]:
    member = api_member(request)
    viewer = viewer_of(request)
    invitation = invitations.get_invitation_for(member=viewer, invitation_id=invitation_id)
    invitations.revoke_invitation(actor=member, invitation=invitation)
    return Status(204, None)
