"""JSON API of polls, mounted at /api/v1/polls. Handlers parse input with
schemas and call services and selectors; errors become
``{"error": {"code", "message"}}`` through the API root."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import Field, Router, Schema, Status
from pydantic import StringConstraints

from asamblea.accounts.requests import api_member
from asamblea.core.errors import InvalidInput
from asamblea.federation import selectors as federation_selectors
from asamblea.motions import selectors as motion_selectors
from asamblea.voting import rules, selectors, services
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

router = Router(tags=["polls"])

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
    question: str
    description: str
    method: str
    counting_method: str = Field(description="The counting library's name of the method.")
    max_choices: int
    seats: int
    max_score: int
    grades: list[str] = Field(
        description="Majority judgment: the grades a ballot may give, worst first."
    )
    secret: bool
    aggregation: str
    state: str
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


class PollIn(Schema):
    node: int
    question: str = Field(max_length=QUESTION_MAX)
    description: str = Field("", max_length=DESCRIPTION_MAX)
    method: Method | Literal["policy", "plurality"] = Field(
        Method.YES_NO_ABSTAIN,
        description="A poll method; the library names policy and plurality mean"
        " yes_no_abstain and single.",
    )
    options: list[OptionText] = Field(default_factory=list, max_length=rules.MAX_OPTIONS)
    max_choices: int = Field(1, ge=1, le=rules.MAX_OPTIONS)
    seats: int = Field(
        1, ge=1, le=rules.MAX_OPTIONS, description="block-approval, scottish-stv, meek-stv"
    )
    max_score: int = Field(
        0, ge=0, le=rules.MAX_SCORE_LIMIT, description="score polls: the highest score (1-100)"
    )
    secret: bool = False
    aggregation: Aggregation = Aggregation.POOLED
    majority_num: int = Field(1, ge=0, le=FRACTION_MAX)
    majority_den: int = Field(2, ge=1, le=FRACTION_MAX)
    majority_base: MajorityBase = MajorityBase.VALID
    majority_strict: bool = True
    quorum_num: int = Field(0, ge=0, le=FRACTION_MAX)
    quorum_den: int = Field(1, ge=1, le=FRACTION_MAX)
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    delegate_election: bool = False


class BallotIn(Schema):
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


class MotionVoteIn(Schema):
    secret: bool = False
    aggregation: Aggregation = Aggregation.POOLED
    closes_at: datetime | None = None


class RecallIn(Schema):
    mandate: int
    reason: str = Field(max_length=REASON_MAX)


class RecallOut(Schema):
    id: int
    mandate: int
    state: str
    poll: PollOut


# --- handlers ---------------------------------------------------------------------


@router.get("/", response=list[PollOut])
def list_polls(request: HttpRequest, node: int | None = None, state: str | None = None) -> Any:
    member = api_member(request)
    node_obj = federation_selectors.get_visible_node(member=member, node_id=node) if node else None
    return selectors.list_polls_for(
        member=member, node=node_obj, state=state if state in PollState.values else None
    ).prefetch_related("options")[:200]


@router.post("/", response={201: PollOut})
def create_poll(request: HttpRequest, payload: PollIn) -> Any:
    member = api_member(request)
    node = federation_selectors.get_visible_node(member=member, node_id=payload.node)
    poll = services.create_poll(
        actor=member,
        node=node,
        question=payload.question,
        description=payload.description,
        method=payload.method,
        options=payload.options,
        max_choices=payload.max_choices,
        seats=payload.seats,
        max_score=payload.max_score,
        secret=payload.secret,
        aggregation=payload.aggregation,
        majority_num=payload.majority_num,
        majority_den=payload.majority_den,
        majority_base=payload.majority_base,
        majority_strict=payload.majority_strict,
        quorum_num=payload.quorum_num,
        quorum_den=payload.quorum_den,
        opens_at=payload.opens_at,
        closes_at=payload.closes_at,
        purpose=Purpose.DELEGATE_ELECTION if payload.delegate_election else Purpose.QUESTION,
    )
    return Status(201, poll)


@router.post("/motion/{motion_id}/open", response={201: list[PollOut]})
def open_motion_vote(request: HttpRequest, motion_id: int, payload: MotionVoteIn) -> Any:
    member = api_member(request)
    motion = motion_selectors.get_motion_for(member=member, motion_id=motion_id)
    polls = services.open_motion_vote(
        actor=member,
        motion=motion,
        secret=payload.secret,
        aggregation=payload.aggregation,
        closes_at=payload.closes_at,
    )
    return Status(201, polls)


@router.post("/recalls", response={201: RecallOut})
def start_recall(request: HttpRequest, payload: RecallIn) -> Any:
    member = api_member(request)
    mandate = federation_selectors.get_visible_mandate(member=member, mandate_id=payload.mandate)
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
    return selectors.get_poll_for(member=api_member(request), poll_id=poll_id)


@router.post("/{poll_id}/open", response=PollOut)
def open_poll(request: HttpRequest, poll_id: int) -> Any:
    member = api_member(request)
    poll = selectors.get_poll_for(member=member, poll_id=poll_id)
    return services.open_poll(actor=member, poll=poll)


@router.post("/{poll_id}/close", response=PollOut)
def close_poll(request: HttpRequest, poll_id: int) -> Any:
    member = api_member(request)
    poll = selectors.get_poll_for(member=member, poll_id=poll_id)
    return services.close_poll(actor=member, poll=poll)


@router.post("/{poll_id}/cancel", response=PollOut)
def cancel_poll(request: HttpRequest, poll_id: int) -> Any:
    member = api_member(request)
    poll = selectors.get_poll_for(member=member, poll_id=poll_id)
    return services.cancel_poll(actor=member, poll=poll)


# ``ballot`` is left out for choice polls, so that their answers stay as before.
@router.post("/{poll_id}/ballot", response=ReceiptOut, exclude_unset=True)
def cast_ballot(request: HttpRequest, poll_id: int, payload: BallotIn) -> Any:
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
    return out


@router.get("/{poll_id}/my-ballot", response=MyBallotOut, exclude_unset=True)
def my_ballot(request: HttpRequest, poll_id: int) -> Any:
    member = api_member(request)
    poll = selectors.get_poll_for(member=member, poll_id=poll_id)
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
    member = api_member(request)
    poll = selectors.get_poll_for(member=member, poll_id=poll_id)
    levels = selectors.results_tree(member=member, poll=poll)
    casts = [
        {
            "committee": c.committee_id,
            "delegate": c.delegate.pseudonym if c.delegate else None,
            "counts": c.counts,
            "weight": c.weight,
        }
        for c in selectors.delegate_casts_for(member=member, poll=poll)
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
    response={200: str},
    openapi_extra={
        "responses": {
            200: {
                "description": "The anonymised ballots: BLT (ranked polls) or the JSON"
                " ballot format, for python -m asamblea.voting.methods count.",
                "content": {"text/plain": {}, "application/json": {}},
            }
        }
    },
)
def export_ballots(
    request: HttpRequest, poll_id: int, format: Literal["blt", "json"] = "json"
) -> HttpResponse:
    member = api_member(request)
    poll = selectors.get_poll_for(member=member, poll_id=poll_id)
    text = selectors.export_ballots_for(member=member, poll=poll, fmt=format)
    content_type = "application/json" if format == "json" else "text/plain"
    response = HttpResponse(text, content_type=f"{content_type}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="poll-{poll.pk}-ballots.{format}"'
    return response
