"""JSON API of accounts, mounted at /api/v1/accounts. Handlers parse input with
schemas and call services and selectors; errors become
``{"error": {"code", "message"}}`` through the API root."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from asamblea.accounts import ratelimit, rules, selectors, services
from asamblea.accounts.models import ApiToken, Member
from asamblea.accounts.qr import join_qr_svg
from asamblea.accounts.requests import api_member
from asamblea.core.errors import DomainError
from asamblea.federation.models import Membership, Role

router = Router(tags=["accounts"])


# --- schemas ----------------------------------------------------------------------


class MembershipOut(Schema):
    node: int
    node_name: str
    role: str

    @staticmethod
    def resolve_node(obj: Membership) -> int:
        return obj.node_id

    @staticmethod
    def resolve_node_name(obj: Membership) -> str:
        return obj.node.name


class MemberOut(Schema):
    id: int
    pseudonym: str
    email: str
    phone: str
    language: str
    is_operator: bool
    memberships: list[MembershipOut]

    @staticmethod
    def resolve_is_operator(obj: Member) -> bool:
        return obj.is_staff

    @staticmethod
    def resolve_memberships(obj: Member) -> list[Membership]:
        return list(selectors.my_memberships(member=obj))


class JoinIn(Schema):
    code: str = Field(max_length=rules.MAX_TYPED_CODE_LENGTH)
    pseudonym: str = Field(max_length=40)
    password: str = Field(max_length=services.MAX_PASSWORD_LENGTH)
    email: str = Field("", max_length=services.MAX_EMAIL_LENGTH)
    phone: str = Field("", max_length=services.MAX_PHONE_LENGTH)
    language: str = Field(settings.LANGUAGE_CODE, max_length=8)


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None


class TokenCreatedOut(TokenOut):
    token: str = Field(description="The raw token. Shown only in this response.")


class JoinOut(Schema):
    member: MemberOut
    token: TokenCreatedOut


class MePatch(Schema):
    language: str | None = Field(None, max_length=8)
    email: str | None = Field(None, max_length=services.MAX_EMAIL_LENGTH)
    phone: str | None = Field(None, max_length=services.MAX_PHONE_LENGTH)


class PasswordIn(Schema):
    old_password: str = Field(max_length=services.MAX_PASSWORD_LENGTH)
    new_password: str = Field(max_length=services.MAX_PASSWORD_LENGTH)


class TokenIn(Schema):
    name: str = Field(max_length=services.MAX_TOKEN_NAME_LENGTH)


class InvitationOut(Schema):
    id: int
    node: int
    hint: str
    role: str
    created_at: datetime
    expires_at: datetime
    state: str


class InvitationIn(Schema):
    node: int
    role: str = Field(Role.MEMBER.value, max_length=16)
    count: int = Field(1, ge=1, le=services.MAX_INVITATIONS_PER_BATCH)
    valid_days: int = Field(7, ge=1, le=services.MAX_VALID_DAYS)


class InvitationCreatedOut(InvitationOut):
    code: str = Field(description="The raw code. Shown only in this response.")
    join_url: str
    qr_svg: str = Field(description="SVG of a QR code encoding join_url.")


def _token_out(token: ApiToken, raw: str) -> TokenCreatedOut:
    return TokenCreatedOut(
        id=token.pk,
        name=token.name,
        prefix=token.prefix,
        created_at=token.created_at,
        last_used_at=token.last_used_at,
        token=raw,
    )


def _invitation_out(row: selectors.InvitationRow) -> InvitationOut:
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


# --- join and profile -------------------------------------------------------------


@router.post("/join", auth=None, response={201: JoinOut})
def join(request: HttpRequest, payload: JoinIn) -> Status[dict[str, object]]:
    """Redeem an invitation code; answers the new member and a first API token."""
    address = ratelimit.client_address(request)
    ratelimit.check(scope="join", address=address)
    try:
        member, token, raw = services.redeem_invitation_with_token(
            code=payload.code,
            pseudonym=payload.pseudonym,
            password=payload.password,
            email=payload.email,
            phone=payload.phone,
            language=payload.language,
            token_name=_("First device"),
        )
    except DomainError as exc:
        if exc.field == "code":
            ratelimit.note_failure(scope="join", address=address)
        raise
    # The member goes out as the model so that MemberOut's resolvers read it.
    return Status(201, {"member": member, "token": _token_out(token, raw)})


@router.get("/me", response=MemberOut)
def me(request: HttpRequest) -> Member:
    return api_member(request)


@router.patch("/me", response=MemberOut)
def update_me(request: HttpRequest, payload: MePatch) -> Member:
    return services.update_profile(
        member=api_member(request),
        language=payload.language,
        email=payload.email,
        phone=payload.phone,
    )


@router.post("/me/password", response={204: None})
def change_password(request: HttpRequest, payload: PasswordIn) -> Status[None]:
    services.change_password(
        member=api_member(request),
        old_password=payload.old_password,
        new_password=payload.new_password,
    )
    return Status(204, None)


# --- tokens -----------------------------------------------------------------------


@router.get("/tokens", response=list[TokenOut])
def list_tokens(request: HttpRequest) -> list[ApiToken]:
    return list(selectors.active_api_tokens(member=api_member(request)))


@router.post("/tokens", response={201: TokenCreatedOut})
def create_token(request: HttpRequest, payload: TokenIn) -> Status[TokenCreatedOut]:
    token, raw = services.create_api_token(member=api_member(request), name=payload.name)
    return Status(201, _token_out(token, raw))


@router.delete("/tokens/{token_id}", response={204: None})
def revoke_token(request: HttpRequest, token_id: int) -> Status[None]:
    services.revoke_api_token(member=api_member(request), token_id=token_id)
    return Status(204, None)


# --- invitations ------------------------------------------------------------------


@router.get("/invitations", response=list[InvitationOut])
def list_invitations(request: HttpRequest, node: int) -> list[InvitationOut]:
    member = api_member(request)
    committee = selectors.get_invitable_committee(member=member, node_id=node)
    return [
        _invitation_out(r) for r in selectors.list_invitations(member=member, committee=committee)
    ]


@router.post("/invitations", response={201: list[InvitationCreatedOut]})
def create_invitations(
    request: HttpRequest, payload: InvitationIn
) -> Status[list[InvitationCreatedOut]]:
    """Create codes. The raw codes and their QR codes appear only in this answer."""
    member = api_member(request)
    committee = selectors.get_invitable_committee(member=member, node_id=payload.node)
    created = services.create_invitations(
        actor=member,
        committee=committee,
        role=payload.role,
        count=payload.count,
        valid_days=payload.valid_days,
    )
    join_url = request.build_absolute_uri(reverse("accounts:join"))
    out = []
    for invitation, code in created:
        url = f"{join_url}?code={code}"
        base = _invitation_out(selectors.invitation_row(invitation))
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
    invitation = selectors.get_invitation_for(member=member, invitation_id=invitation_id)
    services.revoke_invitation(actor=member, invitation=invitation)
    return Status(204, None)
