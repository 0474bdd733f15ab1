"""JSON API of accounts, mounted at /api/v1/accounts (joining and invitations,
under the same path, are ``federation.invitations_api``). Handlers parse input with
schemas and call services and selectors; errors become
``{"error": {"code", "message"}}`` through the API root."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from asamblea.accounts import ratelimit, selectors, services
from asamblea.accounts.models import ApiToken, Member
from asamblea.accounts.requests import api_member
from asamblea.core.errors import DomainError
from asamblea.core.schemas import InputSchema

router = Router(tags=["accounts"])


# --- schemas ----------------------------------------------------------------------


class MyMembershipOut(Schema):
    node: int
    node_name: str
    role: str

    @staticmethod
    def resolve_node(obj: Any) -> int:
        return int(obj.node_id)

    @staticmethod
    def resolve_node_name(obj: Any) -> str:
        return str(obj.node.name)


class MemberOut(Schema):
    id: int
    pseudonym: str
    email: str
    phone: str
    language: str
    is_operator: bool
    memberships: list[MyMembershipOut]

    @staticmethod
    def resolve_is_operator(obj: Member) -> bool:
        return obj.is_staff

    @staticmethod
    def resolve_memberships(obj: Member) -> list[Any]:
        # The federation's memberships, read through the reverse relation of
        # its foreign key to the member: accounts sits below the federation
        # and does not import it.
        return list(
            obj.memberships.filter(ended_at__isnull=True)
            .select_related("node")
            .order_by("node__name")
        )


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_on: date | None = Field(description="The (UTC) day of the last use; never a time.")


class TokenCreatedOut(TokenOut):
    token: str = Field(description="The raw token. Shown only in this response.")


class MePatch(InputSchema):
    language: str | None = Field(None, max_length=8)
    email: str | None = Field(None, max_length=services.MAX_EMAIL_LENGTH)
    phone: str | None = Field(None, max_length=services.MAX_PHONE_LENGTH)


class PasswordIn(InputSchema):
    old_password: str = Field(max_length=services.MAX_PASSWORD_LENGTH)
    new_password: str = Field(max_length=services.MAX_PASSWORD_LENGTH)


class TokenIn(InputSchema):
    name: str = Field(max_length=services.MAX_TOKEN_NAME_LENGTH)


def token_out(token: ApiToken, raw: str) -> TokenCreatedOut:
    return TokenCreatedOut(
        id=token.pk,
        name=token.name,
        prefix=token.prefix,
        created_at=token.created_at,
        last_used_on=token.last_used_on,
        token=raw,
    )


# --- join and profile -------------------------------------------------------------


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
    member = api_member(request)
    # A stolen token must not become a way to guess the member's password.
    attempt = ratelimit.begin(
        scope=ratelimit.PASSWORD_CHANGE, request=request, account=f"member:{member.pk}"
    )
    try:
        services.change_password(
            member=member,
            old_password=payload.old_password,
            new_password=payload.new_password,
        )
    except DomainError as exc:
        if exc.field != "old_password":
            attempt.succeeded()  # the current password was right
        raise
    attempt.succeeded()
    return Status(204, None)


# --- tokens -----------------------------------------------------------------------


@router.get("/tokens", response=list[TokenOut])
def list_tokens(request: HttpRequest) -> list[ApiToken]:
    return list(selectors.active_api_tokens(member=api_member(request)))


@router.post("/tokens", response={201: TokenCreatedOut})
def create_token(request: HttpRequest, payload: TokenIn) -> Status[TokenCreatedOut]:
    token, raw = services.create_api_token(member=api_member(request), name=payload.name)
    return Status(201, token_out(token, raw))


@router.delete("/tokens/{token_id}", response={204: None})
def revoke_token(request: HttpRequest, token_id: int) -> Status[None]:
    services.revoke_api_token(member=api_member(request), token_id=token_id)
    return Status(204, None)
