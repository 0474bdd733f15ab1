"""JSON API of encrypted polls: voting keys and the board.

Mounted at /api/v1/voting-keys (``keys_router``) and /api/v1/polls
(``router``, next to the polls' own routes). Handlers are thin: the services
check and write, the engine checks every ballot.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from pydantic import StringConstraints

from asamblea.accounts.requests import api_member
from asamblea.core.schemas import InputSchema
from asamblea.federation.access import viewer_of
from asamblea.voting.encrypted import selectors, services

router = Router(tags=["encrypted polls"])
keys_router = Router(tags=["voting keys"])

HexPoint = Annotated[str, StringConstraints(min_length=2, max_length=66)]
HexSeed = Annotated[str, StringConstraints(min_length=64, max_length=64)]


class VotingKeyIn(InputSchema):
    public_key: HexPoint = Field(
        description="V = v·G, a compressed secp256k1 point in hex (66 digits), made on the"
        " member's device; v never leaves it (spec §5.5)."
    )


class VotingKeyOut(Schema):
    public_key: str
    registered_at: datetime


class EncryptedBallotIn(InputSchema):
    ballot: dict[str, Any] = Field(
        description="The ballot as the engine encodes it (spec §8.4: credential, contests,"
        " signature)."
    )


class AuditIn(EncryptedBallotIn):
    nonce_seed: HexSeed = Field(description="s, 64 hex digits: reveals the ballot's content.")
    selections: dict[str, list[int]] = Field(description="Contest id -> one value per option.")


class PreviewOut(Schema):
    index: int = Field(description="The line the ballot would take if cast now.")
    previous_tracker: str
    tracker: str = Field(description="Show it to the voter before they cast or audit.")


class SignatureOut(Schema):
    c: str
    v: str


class ReceiptOut(Schema):
    election_hash: str
    index: int
    ballot_hash: str
    tracker: str
    signature: SignatureOut


class ElectionOut(Schema):
    election_id: str
    manifest: dict[str, Any]
    parameters: dict[str, Any]
    election: dict[str, Any] = Field(description="election.json (spec §8.2).")
    credential: str | None = Field(description="The caller's credential P, if in the electorate.")
    credential_kind: str | None = Field(description="device or server (assisted).")
    head: str
    next_index: int


@keys_router.post("/", response={201: VotingKeyOut})
def register_voting_key(request: HttpRequest, payload: VotingKeyIn) -> Any:
    member = api_member(request)
    key = services.register_voting_key(member=member, public_key=payload.public_key)
    return Status(201, key)


@keys_router.get("/mine", response=VotingKeyOut | None)
def my_voting_key(request: HttpRequest) -> Any:
    return selectors.active_voting_key(member=api_member(request))


@router.get("/{poll_id}/encrypted/election", response=ElectionOut)
def election(request: HttpRequest, poll_id: int) -> Any:
    member = api_member(request)
    return selectors.election_for_voter(viewer=viewer_of(request), member=member, poll_id=poll_id)


@router.post("/{poll_id}/encrypted/preview", response=PreviewOut)
def preview(request: HttpRequest, poll_id: int, payload: EncryptedBallotIn) -> Any:
    member = api_member(request)
    return services.preview_encrypted_ballot(
        voter=member, poll_id=poll_id, ballot=payload.ballot, body_size=len(request.body)
    )


@router.post("/{poll_id}/encrypted/cast", response=ReceiptOut)
def cast(request: HttpRequest, poll_id: int, payload: EncryptedBallotIn) -> Any:
    member = api_member(request)
    result = services.cast_encrypted_ballot(
        voter=member, poll_id=poll_id, ballot=payload.ballot, body_size=len(request.body)
    )
    return result.receipt


@router.post("/{poll_id}/encrypted/audit", response=dict[str, Any])
def audit(request: HttpRequest, poll_id: int, payload: AuditIn) -> Any:
    member = api_member(request)
    return services.audit_encrypted_ballot(
        voter=member,
        poll_id=poll_id,
        ballot=payload.ballot,
        body_size=len(request.body),
        nonce_seed=payload.nonce_seed,
        selections=payload.selections,
    )
