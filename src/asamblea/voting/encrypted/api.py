"""JSON API of encrypted polls: voting keys and the board.

Mounted at /api/v1/voting-keys (``keys_router``) and /api/v1/polls
(``router``, next to the polls' own routes). Handlers are thin: the services
check and write, the engine checks every ballot.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema, Status
from pydantic import StringConstraints

from asamblea.accounts.requests import api_member
from asamblea.core.schemas import InputSchema
from asamblea.federation.access import viewer_of
from asamblea.voting.encrypted import selectors, services
from asamblea.voting.services import tally as tally_services

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


# --- the tally ----------------------------------------------------------------------


class TallyAnswerOut(Schema):
    trustee: int
    state: str = Field(description="accepted or refused")
    reason: str | None = Field(description="Why a refused answer was refused.")


class TallyOut(Schema):
    poll_id: int
    state: str = Field(description="pending, summing, decrypting, done or failed")
    threshold: int = Field(description="t: accepted answers needed to decrypt.")
    board_id: int | None = Field(description="The trustee board that decrypts.")
    request: dict[str, Any] | None = Field(
        description="The group sums to decrypt (spec §7.2, §12): what"
        " ``Trustee.decrypt_sums`` takes; null until summed."
    )
    answers: list[TallyAnswerOut]
    deadline: datetime | None
    progress: dict[str, Any]
    failure: str | None
    my_index: int | None = Field(description="The caller's trustee index, if they hold a seat.")
    result: dict[str, Any] | None = Field(description="tally.json (spec §8.6) once done.")


class TallyAnswerIn(InputSchema):
    answer: dict[str, Any] = Field(
        description="Exactly what ``Trustee.decrypt_sums`` returns for the request:"
        ' {"trustee": i, "groups": [...]} (spec §7.2).'
    )


class AnsweredOut(Schema):
    trustee: int
    state: str


class WaitingOut(Schema):
    poll_id: int
    election_id: str
    state: str
    answered: bool = Field(description="Whether the caller's seat has answered.")
    deadline: datetime | None
    question: str | None = Field(
        default=None, description="The poll's question; only for the caller's own seat."
    )


trustee_router = Router(tags=["trustees"])


@router.get("/{poll_id}/encrypted/tally", response=TallyOut)
def tally(request: HttpRequest, poll_id: int) -> Any:
    status = selectors.tally_status(viewer=viewer_of(request), poll_id=poll_id)
    return status.as_json()


@router.post("/{poll_id}/encrypted/tally/answer", response={201: AnsweredOut})
def answer_tally(request: HttpRequest, poll_id: int, payload: TallyAnswerIn) -> Any:
    member = api_member(request)
    row = tally_services.answer_tally(member=member, poll_id=poll_id, answer=payload.answer)
    return Status(201, {"trustee": row.trustee, "state": row.state})


@router.get("/{poll_id}/encrypted/record")
def record(request: HttpRequest, poll_id: int) -> HttpResponse:
    """The election record as a .zip: complete once decrypted, else partial."""
    poll, data, complete = selectors.record_bytes(viewer=viewer_of(request), poll_id=poll_id)
    response = HttpResponse(data, content_type="application/zip")
    name = f"poll-{poll.pk}-record{'' if complete else '-partial'}.zip"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@trustee_router.get("/boards/{board_id}/decryptions", response=list[WaitingOut])
def decryptions(request: HttpRequest, board_id: int) -> Any:
    return selectors.decryptions_for_board(viewer=viewer_of(request), board_id=board_id)
