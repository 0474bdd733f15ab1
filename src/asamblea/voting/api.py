"""JSON API of polls, mounted at /api/v1/polls. Handlers parse input with
schemas and call services and selectors; errors become
``{"error": {"code", "message"}}`` through the API root."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import Field, Router, Schema, Status
from pydantic import StringConstraints

from asamblea.accounts.requests import api_member
from asamblea.core.errors import InvalidInput
from asamblea.core.schemas import InputSchema, Text
from asamblea.federation import selectors as federation_selectors
from asamblea.federation.access import viewer_of
from asamblea.motions import selectors as motion_selectors
from asamblea.voting import receipts, rules, selectors, services
from asamblea.voting.forms import FRACTION_MAX
from asamblea.voting.models import (
    OPTION_MAX,
    QUESTION_MAX,
    Aggregation,
    MajorityBase,
    Method,
    Poll,
    PollResult,
    PollState,
    Purpose,
)
from asamblea.voting.services import DESCRIPTION_MAX, REASON_MAX
from asamblea.voting.spec import DEFAULTS, PollSpec, defaults_for

router = Router(tags=["polls"])

SECRECY_DESCRIPTION = (
    "Secret from other members, not from whoever runs the server: no member sees another's"
    " ballot and results appear only after the close, but the poll is not encrypted, so the"
    " server can link ballots to voters while it is open and its logs and backups may keep"
    " that link. Refused at opening when members of one committee have different weights."
)

ENCRYPTED_DESCRIPTION = (
    "Ballots encrypted under the key of a trustee board (implies secret): yes_no_abstain,"
    " single, approval and score only (ranked ballots would need a mix-net). Members vote"
    " through /api/v1/polls/{id}/encrypted/cast; the server stores no choice in the clear."
)

OptionText = Annotated[str, StringConstraints(max_length=OPTION_MAX)]
ChoiceCode = Annotated[str, StringConstraints(max_length=16)]
PositionKey = Annotated[str, StringConstraints(max_length=3, pattern=r"^[0-9]+$")]
Grade = Literal["reject", "poor", "fair", "good", "very_good", "excellent"]
Rank = Annotated[list[int], Field(min_length=1, max_length=rules.MAX_OPTIONS)]


# --- schemas ----------------------------------------------------------------------


class OptionOut(Schema):
    position: int
    code: str
    label: str


class PollOut(Schema):
    id: int
    node: int
    node_name: str
    purpose: str
    question: str = Field(description="In the request's language when the system wrote it.")
    question_code: Literal["", "motion", "amendment", "recall", "delegate_election"] = Field(
        description="Who wrote the question: empty when typed by whoever created the poll,"
        " else the kind of question the system wrote (question_params hold its parameters)."
    )
    question_params: dict[str, Any]
    description: str
    method: str
    counting_method: str = Field(description="The counting library's name of the method.")
    max_choices: int
    seats: int
    max_score: int
    grades: list[str] = Field(
        description="Majority judgment: the grades a ballot may give, worst first."
    )
    secret: bool = Field(description=SECRECY_DESCRIPTION)
    encrypted: bool = Field(description=ENCRYPTED_DESCRIPTION)
    secrecy: Literal["none", "from_members", "encrypted"] = Field(
        description="What a secret poll keeps: from_members (secret from other members,"
        " not from whoever runs the server); encrypted (ballots encrypted under a trustee"
        " board's key, see /api/v1/polls/{id}/encrypted/...); none for a named poll."
    )
    aggregation: str
    state: str
    cancel_reason: str = Field(
        description="Why the system cancelled the poll: empty_electorate (nobody could vote"
        " when it was due to open), unequal_weights, no_election_key (encrypted, and no"
        " trustee board's key served its node), not_encryptable; empty when a person"
        " cancelled it or it is not cancelled."
    )
    opens_at: datetime | None
    closes_at: datetime | None
    opened_at: datetime | None
    closed_at: datetime | None
    majority_num: int
    majority_den: int
    majority_base: str
    majority_strict: bool
    quorum_num: int
    quorum_den: int
    motion: int | None
    amendment: int | None
    options: list[OptionOut]

    @staticmethod
    def resolve_node(obj: Poll) -> int:
        return obj.node_id

    @staticmethod
    def resolve_node_name(obj: Poll) -> str:
        return obj.node.name

    @staticmethod
    def resolve_question(obj: Poll) -> str:
        return obj.display_question

    @staticmethod
    def resolve_secrecy(obj: Poll) -> str:
        if obj.encrypted:
            return "encrypted"
        return "from_members" if obj.secret else "none"

    @staticmethod
    def resolve_counting_method(obj: Poll) -> str:
        return rules.registry_name(obj.method)

    @staticmethod
    def resolve_grades(obj: Poll) -> list[str]:
        return list(rules.GRADES) if obj.method == Method.MAJORITY_JUDGMENT else []

    @staticmethod
    def resolve_motion(obj: Poll) -> int | None:
        return obj.motion_id

    @staticmethod
    def resolve_amendment(obj: Poll) -> int | None:
        return obj.amendment_id

    @staticmethod
    def resolve_options(obj: Poll) -> list[OptionOut]:
        return [
            OptionOut(position=o.position, code=o.code, label=o.display_label)
            for o in obj.options.all()
        ]


QUORUM_DEFAULT_DESCRIPTION = (
    "Quorum numerator (with quorum_den, default 1). Left out: a third of the electorate"
    " at a region or the assembly, none below."
)


def _quorum(num: int | None, den: int | None, *, node_kind: str) -> tuple[int, int]:
    if num is None:
        defaults = defaults_for(node_kind=node_kind)
        return defaults.quorum_num, defaults.quorum_den
    return num, den or 1


class PollIn(InputSchema):
    """A poll to create; read into the same ``PollSpec`` as the poll form."""

    node: int
    question: str = Field(max_length=QUESTION_MAX)
    description: Text = Field(DEFAULTS.description, max_length=DESCRIPTION_MAX)
    method: Method | Literal["policy", "plurality"] = Field(
        Method(DEFAULTS.method),
        description="A poll method; the library names policy and plurality mean"
        " yes_no_abstain and single.",
    )
    options: list[OptionText] = Field(default_factory=list, max_length=rules.MAX_OPTIONS)
    max_choices: int = Field(DEFAULTS.max_choices, ge=1, le=rules.MAX_OPTIONS)
    seats: int = Field(
        DEFAULTS.seats,
        ge=1,
        le=rules.MAX_OPTIONS,
        description="block-approval, scottish-stv, meek-stv",
    )
    max_score: int = Field(
        DEFAULTS.max_score,
        ge=0,
        le=rules.MAX_SCORE_LIMIT,
        description="score polls: the highest score (1-100)",
    )
    secret: bool = Field(DEFAULTS.secret, description=SECRECY_DESCRIPTION)
    encrypted: bool = Field(DEFAULTS.encrypted, description=ENCRYPTED_DESCRIPTION)
    aggregation: Aggregation = Aggregation(DEFAULTS.aggregation)
    majority_num: int = Field(DEFAULTS.majority_num, ge=0, le=FRACTION_MAX)
    majority_den: int = Field(DEFAULTS.majority_den, ge=1, le=FRACTION_MAX)
    majority_base: MajorityBase = MajorityBase(DEFAULTS.majority_base)
    majority_strict: bool = DEFAULTS.majority_strict
    quorum_num: int | None = Field(
        None, ge=0, le=FRACTION_MAX, description=QUORUM_DEFAULT_DESCRIPTION
    )
    quorum_den: int | None = Field(None, ge=1, le=FRACTION_MAX)
    opens_at: datetime | None = DEFAULTS.opens_at
    closes_at: datetime | None = DEFAULTS.closes_at
    delegate_election: bool = False

    def spec(self, *, node_kind: str) -> PollSpec:
        """The poll asked for at a node of ``node_kind`` (whose quorum is the
        default when the payload leaves it out)."""
        quorum_num, quorum_den = _quorum(self.quorum_num, self.quorum_den, node_kind=node_kind)
        return PollSpec(
            question=self.question,
            description=self.description,
            purpose=Purpose.DELEGATE_ELECTION if self.delegate_election else Purpose.QUESTION,
            method=self.method,
            options=tuple(self.options),
            max_choices=self.max_choices,
            seats=self.seats,
            max_score=self.max_score,
            secret=self.secret,
            encrypted=self.encrypted,
            aggregation=self.aggregation,
            majority_num=self.majority_num,
            majority_den=self.majority_den,
            majority_base=self.majority_base,
            majority_strict=self.majority_strict,
            quorum_num=quorum_num,
            quorum_den=quorum_den,
            opens_at=self.opens_at,
            closes_at=self.closes_at,
        )


class BallotIn(InputSchema):
    """Exactly one of the four, as the poll's method asks."""

    choice: list[int | ChoiceCode] | None = Field(
        None,
        max_length=rules.MAX_OPTIONS,
        description='Choice polls: option positions or codes, e.g. ["yes"] or [0, 2].',
    )
    ranking: list[Rank] | None = Field(
        None,
        max_length=rules.MAX_OPTIONS,
        description="Ranked polls: ranks best first, each a list of option positions"
        " (several = equal ranks, where the method allows), e.g. [[0], [2], [1]].",
    )
    scores: dict[PositionKey, int] | None = Field(
        None, description='Score polls: position -> score, e.g. {"0": 5}; missing = 0.'
    )
    grades: dict[PositionKey, Grade] | None = Field(
        None,
        description='Majority judgment: position -> grade for every option, e.g. {"0": "good"}.',
    )

    def ballot(self) -> tuple[list[int | str], dict[str, Any] | None]:
        given = {
            name: value
            for name in ("choice", "ranking", "scores", "grades")
            if (value := getattr(self, name)) is not None
        }
        if len(given) != 1:
            raise InvalidInput(
                _("Give exactly one of choice, ranking, scores or grades."), field="choice"
            )
        if self.choice is not None:
            return list(self.choice), None
        return [], given


class ReceiptOut(Schema):
    poll: int
    choice: list[int]
    ballot: dict[str, Any] | None = None
    changed: bool


class MyBallotOut(Schema):
    entitled: bool
    has_voted: bool
    choice: list[int] | None
    ballot: dict[str, Any] | None = None


class ResultOut(Schema):
    node: int
    node_name: str
    node_kind: str
    counts: dict[str, int]
    entitled: int
    voted: int
    quorum_met: bool
    outcome: str
    detail: dict[str, Any]

    @staticmethod
    def resolve_node(obj: PollResult) -> int:
        return obj.node_id

    @staticmethod
    def resolve_node_name(obj: PollResult) -> str:
        return obj.node.name

    @staticmethod
    def resolve_node_kind(obj: PollResult) -> str:
        return obj.node.kind


class DelegateCastOut(Schema):
    committee: int
    delegate: str | None
    counts: dict[str, int]
    weight: int


class ResultsOut(Schema):
    poll: int
    state: str
    method: str
    seed: str | None = Field(
        description="Seed of every draw by lot, shown once the poll has closed."
    )
    levels: list[ResultOut]
    delegate_casts: list[DelegateCastOut]


class MotionVoteIn(InputSchema):
    secret: bool = Field(False, description=SECRECY_DESCRIPTION)
    aggregation: Aggregation = Aggregation.POOLED
    closes_at: datetime | None = None
    quorum_num: int | None = Field(
        None, ge=0, le=FRACTION_MAX, description=QUORUM_DEFAULT_DESCRIPTION
    )
    quorum_den: int | None = Field(None, ge=1, le=FRACTION_MAX)


class RecallIn(InputSchema):
    mandate: int
    reason: Text = Field(max_length=REASON_MAX)


class RecallOut(Schema):
    id: int
    mandate: int
    state: str
    poll: PollOut


# --- handlers ---------------------------------------------------------------------


@router.get("/", response=list[PollOut])
def list_polls(request: HttpRequest, node: int | None = None, state: str | None = None) -> Any:
    node_obj = (
        federation_selectors.get_visible_node(member=viewer_of(request), node_id=node)
        if node
        else None
    )
    return selectors.list_polls_for(
        member=viewer_of(request), node=node_obj, state=state if state in PollState.values else None
    ).prefetch_related("options")[:200]


@router.post("/", response={201: PollOut})
def create_poll(request: HttpRequest, payload: PollIn) -> Any:
    member = api_member(request)
    node = federation_selectors.get_visible_node(member=viewer_of(request), node_id=payload.node)
    poll = services.create_poll(actor=member, node=node, spec=payload.spec(node_kind=node.kind))
    return Status(201, poll)


@router.post("/motion/{motion_id}/open", response={201: list[PollOut]})
def open_motion_vote(request: HttpRequest, motion_id: int, payload: MotionVoteIn) -> Any:
    member = api_member(request)
    motion = motion_selectors.get_motion_for(member=viewer_of(request), motion_id=motion_id)
    polls = services.open_motion_vote(
        actor=member,
        motion=motion,
        secret=payload.secret,
        aggregation=payload.aggregation,
        closes_at=payload.closes_at,
        quorum=_quorum(payload.quorum_num, payload.quorum_den, node_kind=motion.node.kind),
    )
    return Status(201, polls)


@router.post("/recalls", response={201: RecallOut})
def start_recall(request: HttpRequest, payload: RecallIn) -> Any:
    member = api_member(request)
    mandate = federation_selectors.get_visible_mandate(
        member=viewer_of(request), mandate_id=payload.mandate
    )
    recall = services.start_recall(actor=member, mandate=mandate, reason=payload.reason)
    return Status(
        201,
        {
            "id": recall.pk,
            "mandate": recall.mandate_id,
            "state": recall.state,
            "poll": recall.poll,
        },
    )


@router.get("/{poll_id}", response=PollOut)
def get_poll(request: HttpRequest, poll_id: int) -> Any:
    return selectors.get_poll_for(member=viewer_of(request), poll_id=poll_id)


@router.post("/{poll_id}/open", response=PollOut)
def open_poll(request: HttpRequest, poll_id: int) -> Any:
    member = api_member(request)
    poll = selectors.get_poll_for(member=viewer_of(request), poll_id=poll_id)
    return services.open_poll(actor=member, poll=poll)


@router.post("/{poll_id}/close", response=PollOut)
def close_poll(request: HttpRequest, poll_id: int) -> Any:
    member = api_member(request)
    poll = selectors.get_poll_for(member=viewer_of(request), poll_id=poll_id)
    return services.close_poll(actor=member, poll=poll)


@router.post("/{poll_id}/cancel", response=PollOut)
def cancel_poll(request: HttpRequest, poll_id: int) -> Any:
    member = api_member(request)
    poll = selectors.get_poll_for(member=viewer_of(request), poll_id=poll_id)
    return services.cancel_poll(actor=member, poll=poll)


# ``ballot`` is left out for choice polls, so that their answers stay as before.
# The receipt is padded to a constant size (``voting.receipts``), so it is
# written here rather than by ninja's renderer.
@router.post(
    "/{poll_id}/ballot",
    response=ReceiptOut,
    openapi_extra={
        "responses": {
            200: {
                "description": "The receipt, always RECEIPT_SIZE bytes long (JSON followed"
                " by spaces), so that its size does not tell the choice."
            }
        }
    },
)
def cast_ballot(request: HttpRequest, poll_id: int, payload: BallotIn) -> HttpResponse:
    member = api_member(request)
    choice, ballot = payload.ballot()
    # The service reads the poll with the visibility and electorate checks in
    # one query (unknown or invisible: 404), so no selector call first.
    receipt = services.cast_ballot(voter=member, poll=poll_id, choice=choice, ballot=ballot)
    out: dict[str, Any] = {
        "poll": receipt.poll_id,
        "choice": list(receipt.positions),
        "changed": receipt.changed,
    }
    if receipt.ballot is not None:
        out["ballot"] = receipt.ballot
    body = ReceiptOut.model_validate(out).model_dump(mode="json", exclude_unset=True)
    response = HttpResponse(
        receipts.pad_json(json.dumps(body, separators=(",", ":"))),
        content_type="application/json; charset=utf-8",
    )
    return receipts.mark_constant_size(response)


@router.get("/{poll_id}/my-ballot", response=MyBallotOut, exclude_unset=True)
def my_ballot(request: HttpRequest, poll_id: int) -> Any:
    member = api_member(request)
    poll = selectors.get_poll_for(member=viewer_of(request), poll_id=poll_id)
    state = selectors.ballot_state_for(member=member, poll=poll)
    out: dict[str, Any] = {
        "entitled": state.entitled,
        "has_voted": state.has_voted,
        "choice": list(state.choice) if state.choice is not None else None,
    }
    if state.data is not None:
        out["ballot"] = state.data
    return out


@router.get("/{poll_id}/results", response=ResultsOut)
def results(request: HttpRequest, poll_id: int) -> Any:
    poll = selectors.get_poll_for(member=viewer_of(request), poll_id=poll_id)
    levels = selectors.results_tree(member=viewer_of(request), poll=poll)
    casts = [
        {
            "committee": c.committee_id,
            "delegate": c.delegate.pseudonym if c.delegate else None,
            "counts": c.counts,
            "weight": c.weight,
        }
        for c in selectors.delegate_casts_for(member=viewer_of(request), poll=poll)
    ]
    return {
        "poll": poll.pk,
        "state": poll.state,
        "method": rules.registry_name(poll.method),
        "seed": poll.seed if poll.state == PollState.CLOSED else None,
        "levels": levels,
        "delegate_casts": casts,
    }


@router.get(
    "/{poll_id}/export",
    openapi_extra={
        "responses": {
            200: {
                "description": "The anonymised ballots: BLT (ranked polls) or the JSON"
                " ballot format, for python -m asamblea.voting.methods count.",
                "content": {
                    "text/plain": {"schema": {"type": "string"}},
                    "application/json": {"schema": {"type": "object"}},
                },
            }
        }
    },
)
def export_ballots(
    request: HttpRequest, poll_id: int, format: Literal["blt", "json"] = "json"
) -> HttpResponse:
    member = api_member(request)
    poll = selectors.get_poll_for(member=viewer_of(request), poll_id=poll_id)
    text = selectors.export_ballots_for(member=member, poll=poll, fmt=format)
    content_type = "application/json" if format == "json" else "text/plain"
    response = HttpResponse(text, content_type=f"{content_type}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="poll-{poll.pk}-ballots.{format}"'
    return response
