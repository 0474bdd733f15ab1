"""Reads of encrypted polls: a member's voting key, what the booth needs, the
bulletin board and the election record (spec §8).

The board and the record are public to whoever can see the poll
(``voting.access``, ``to="read"``).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from asamblea.accounts.models import Member
from asamblea.core.errors import NotFound
from asamblea.federation.access import Viewer
from asamblea.federation.models import Node
from asamblea.trustees import access as trustee_access
from asamblea.trustees.models import Trustee, TrusteeBoard
from asamblea.voting import access
from asamblea.voting.encrypted.models import (
    AnswerState,
    AuditedLine,
    BoardLine,
    Election,
    ElectionCredential,
    Tally,
    TallyAnswer,
    TallyState,
    VotingKey,
)
from asamblea.voting.models import Poll, PollState
from secret_ballot import jsonfields as jf
from secret_ballot.record import (
    AUDITED_FILE,
    BALLOTS_FILE,
    CEREMONY_FILE,
    COMMITTEES_FILE,
    CREDENTIALS_FILE,
    ELECTION_FILE,
    MANIFEST_FILE,
    PARAMETERS_FILE,
    TALLY_FILE,
    RecordWriter,
)


def active_voting_key(*, member: Member) -> VotingKey | None:
    return VotingKey.objects.filter(member=member, revoked_at__isnull=True).first()


def credential_kind_of(*, member: Member, poll: Poll) -> str | None:
    """``device`` or ``server`` for the member's credential in encrypted
    ``poll``; ``None`` when the poll is not encrypted or they have none."""
    if not poll.encrypted:
        return None
    return (
        ElectionCredential.objects.filter(election__poll=poll, member=member)
        .values_list("kind", flat=True)
        .first()
    )


def _election(viewer: Viewer, poll_id: int) -> tuple[Poll, Election]:
    poll = access.access_poll(viewer, poll_id, to="read")
    election = Election.objects.filter(poll=poll).first() if poll.encrypted else None
    if election is None:
        raise NotFound()
    return poll, election


def election_for_voter(*, viewer: Viewer, member: Member, poll_id: int) -> dict[str, Any]:
    """What a voter's device needs to make a ballot: the public documents and
    the caller's own credential (P and its kind)."""
    _poll, election = _election(viewer, poll_id)
    own = ElectionCredential.objects.filter(election=election, member=member).first()
    return {
        "election_id": election.election_id,
        "manifest": election.manifest,
        "parameters": election.parameters,
        "election": election.keys,
        "credential": own.credential if own else None,
        "credential_kind": own.kind if own else None,
        "head": election.head,
        "next_index": election.next_index,
    }


BOARD_PAGE_LINES = 500


@dataclass(frozen=True)
class BoardPage:
    poll: Poll
    election: Election
    ceremony_id: str
    trustee_count: int
    threshold: int
    qualified: list[int]
    device_credentials: int
    server_credentials: int
    lines: list[BoardLine]
    """The lines of this page: ``start`` to ``start + BOARD_PAGE_LINES - 1``."""
    start: int
    previous_start: int | None
    next_start: int | None
    line_count: int
    audited: list[AuditedLine]
    head: str
    query: str
    found: BoardLine | None
    found_audited: AuditedLine | None
    complete: bool


def board_page(*, viewer: Viewer, poll_id: int, tracker: str = "", start: int = 1) -> BoardPage:
    """The bulletin board of an encrypted poll, ``BOARD_PAGE_LINES`` lines
    from line ``start``; ``tracker`` is a search over the whole board."""
    poll, election = _election(viewer, poll_id)
    count = election.next_index - 1
    start = min(max(start, 1), max(count - (count - 1) % BOARD_PAGE_LINES, 1))
    start -= (start - 1) % BOARD_PAGE_LINES
    params = election.parameters
    query = tracker.strip().lower()[:64]
    found = found_audited = None
    if query:
        found = BoardLine.objects.filter(election=election, tracker=query).first()
        found_audited = AuditedLine.objects.filter(election=election, tracker=query).first()
    return BoardPage(
        poll=poll,
        election=election,
        ceremony_id=params["ceremony_id"],
        trustee_count=params["trustee_count"],
        threshold=params["threshold"],
        qualified=list(election.keys["qualified"]),
        device_credentials=election.device_credentials,
        server_credentials=election.server_credentials,
        lines=list(
            BoardLine.objects.filter(
                election=election, index__gte=start, index__lt=start + BOARD_PAGE_LINES
            )
            .order_by("index")
            .only("index", "tracker", "previous_tracker", "election_id")
        ),
        start=start,
        previous_start=start - BOARD_PAGE_LINES if start > 1 else None,
        next_start=start + BOARD_PAGE_LINES if start + BOARD_PAGE_LINES <= count else None,
        line_count=count,
        audited=list(AuditedLine.objects.filter(election=election).order_by("position")),
        head=election.head,
        query=query,
        found=found,
        found_audited=found_audited,
        complete=Tally.objects.filter(election=election, state=TallyState.DONE).exists(),
    )


def _credentials_json(election: Election) -> Iterator[dict[str, Any]]:
    for credential, kind, committee in (
        ElectionCredential.objects.filter(election=election)
        .order_by("position")
        .values_list("credential", "kind", "committee_code")
    ):
        yield {"credential": credential, "kind": kind, "committee": committee}


def write_record(election: Election, path: Path) -> bool:
    """Write the election record of ``election`` to ``path`` (a .zip or a
    directory), as it stands, and say whether it is complete.

    Once the trustees' decryption is combined the record is complete, with
    ``tally.json``. Before, it is **partial**: every file but ``tally.json``
    exactly as the complete record will hold them (every line cast so far,
    in order), and no ``tally.json``. The verifier
    reads it as unreadable (a missing file), which is the intended signal that
    it is not a result; a voter's receipt can be checked against it
    (``python -m secret_ballot check-receipt``), since that reads only the
    election keys, the manifest and the cast lines.
    """
    with RecordWriter(path) as writer:
        writer.write_json(MANIFEST_FILE, election.manifest)
        writer.write_json(PARAMETERS_FILE, election.parameters)
        writer.write_json(CEREMONY_FILE, election.ceremony)
        writer.write_json(ELECTION_FILE, election.keys)
        writer.write_json(CREDENTIALS_FILE, list(_credentials_json(election)))
        writer.write_json(COMMITTEES_FILE, election.committees)
        for name, rows in (
            (BALLOTS_FILE, BoardLine.objects.filter(election=election).order_by("index")),
            (AUDITED_FILE, AuditedLine.objects.filter(election=election).order_by("position")),
        ):
            stream = writer.open_text(name)
            try:
                for row in rows.iterator(chunk_size=500):
                    stream.write(jf.canonical_json(row.line).decode("utf-8") + "\n")
            finally:
                stream.close()
        result = (
            Tally.objects.filter(election=election, state=TallyState.DONE)
            .values_list("result", flat=True)
            .first()
        )
        if result is not None:
            writer.write_json(TALLY_FILE, result)
    return result is not None


def record_bytes(*, viewer: Viewer, poll_id: int) -> tuple[Poll, bytes, bool]:
    """(poll, the record as a .zip, whether it is complete)."""
    poll, election = _election(viewer, poll_id)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "record.zip"
        complete = write_record(election, path)
        data = path.read_bytes()
    return poll, data, complete


def closed_elections() -> Iterator[Election]:
    """Every election of a closed encrypted poll, for ``export_records``."""
    yield from Election.objects.filter(poll__encrypted=True, poll__state=PollState.CLOSED).order_by(
        "poll_id"
    )


# --- the tally ----------------------------------------------------------------------


def seat_for(member: Member | None, tally: Tally) -> Trustee | None:
    """``member``'s seat on the board that decrypts ``tally``, if any."""
    if member is None:
        return None
    return Trustee.objects.filter(board__ceremony_id=tally.ceremony_id, member=member).first()


def _holds_seat(viewer: Viewer) -> Callable[[Poll], bool]:
    def holds_seat(poll: Poll) -> bool:
        if viewer.member is None:
            return False
        ceremony_id = (
            Election.objects.filter(poll=poll)
            .values_list("parameters__ceremony_id", flat=True)
            .first()
        )
        return (
            bool(ceremony_id)
            and Trustee.objects.filter(
                member=viewer.member, board__ceremony_id=ceremony_id
            ).exists()
        )

    return holds_seat


def tally_of(*, viewer: Viewer, poll_id: int) -> tuple[Poll, Tally | None]:
    """The encrypted poll and its tally (``None`` until it closes), for
    whoever sees the poll and for the trustees of the board serving it."""
    poll = access.access_poll_for_tally(viewer, poll_id, holds_seat=_holds_seat(viewer))
    tally = Tally.objects.select_related("election").filter(election__poll=poll).first()
    return poll, tally


@dataclass(frozen=True)
class TallyStatus:
    poll: Poll
    tally: Tally | None
    state: str
    threshold: int
    board_id: int | None
    answers: list[TallyAnswer]
    trustees: dict[int, str]
    """Pseudonym by trustee index of the board that decrypts."""
    my_index: int | None

    def as_json(self) -> dict[str, Any]:
        tally = self.tally
        return {
            "poll_id": self.poll.pk,
            "state": self.state,
            "threshold": self.threshold,
            "board_id": self.board_id,
            "request": tally.request if tally is not None else None,
            "answers": [
                {"trustee": a.trustee, "state": a.state, "reason": a.reason or None}
                for a in self.answers
            ],
            "deadline": tally.deadline if tally is not None else None,
            "progress": tally.progress if tally is not None else {},
            "failure": (tally.failure or None) if tally is not None else None,
            "my_index": self.my_index,
            "result": tally.result if tally is not None else None,
        }


def tally_status(*, viewer: Viewer, poll_id: int) -> TallyStatus:
    """Where the tally of an encrypted poll stands: its state, the request
    to the trustees, their answers (accepted or refused, and why)."""
    poll, tally = tally_of(viewer=viewer, poll_id=poll_id)
    election = Election.objects.filter(poll=poll).first()
    if election is None:
        raise NotFound()
    ceremony_id = election.parameters["ceremony_id"]
    board = TrusteeBoard.objects.filter(ceremony_id=ceremony_id).first()
    seats = (
        dict(Trustee.objects.filter(board=board).values_list("index", "member__pseudonym"))
        if board is not None
        else {}
    )
    mine = (
        Trustee.objects.filter(board=board, member=viewer.member)
        .values_list("index", flat=True)
        .first()
        if board is not None and viewer.member is not None
        else None
    )
    return TallyStatus(
        poll=poll,
        tally=tally,
        state=tally.state if tally is not None else TallyState.PENDING,
        threshold=election.parameters["threshold"],
        board_id=board.pk if board is not None else None,
        answers=list(TallyAnswer.objects.filter(tally=tally)) if tally is not None else [],
        trustees=seats,
        my_index=mine,
    )


@dataclass(frozen=True)
class WaitingDecryption:
    poll_id: int
    election_id: str
    state: str
    answered: bool
    deadline: datetime | None
    question: str | None = None


def decryptions_for_board(*, viewer: Viewer, board_id: int) -> list[WaitingDecryption]:
    """The tallies waiting for board ``board_id``'s decryption (pending,
    summing or decrypting), oldest first; ``answered`` is the viewer's own
    seat's accepted answer, and only a seat holder is told the question."""
    board = trustee_access.access_board(viewer, board_id)
    seat = trustee_access.seat_of(viewer, board)
    waiting = (
        Tally.objects.filter(
            ceremony_id=board.ceremony_id,
            state__in=[TallyState.PENDING, TallyState.SUMMING, TallyState.DECRYPTING],
        )
        .select_related("election__poll")
        .order_by("created_at", "pk")
    )
    answered: set[int] = set()
    if seat is not None:
        answered = set(
            TallyAnswer.objects.filter(
                tally__in=waiting, trustee=seat.index, state=AnswerState.ACCEPTED
            ).values_list("tally_id", flat=True)
        )
    return [
        WaitingDecryption(
            poll_id=t.election.poll_id,
            election_id=t.election.election_id,
            state=t.state,
            answered=t.pk in answered,
            deadline=t.deadline,
            question=t.election.poll.display_question if seat is not None else None,
        )
        for t in waiting
    ]


@dataclass(frozen=True)
class GroupRow:
    """One decrypted group of committees (spec §12.5), as shown."""

    group_id: str
    name: str
    ballots: int
    stands_alone: bool
    """A committee with at least the minimum of counted ballots: its own result."""
    committees: list[tuple[str, int]]
    """(name, counted ballots) of each committee counted in the group."""
    counts: list[tuple[str, int]]
    """(option label, count)."""


@dataclass(frozen=True)
class TallySummary:
    status: TallyStatus
    minimum_group: int
    groups: list[GroupRow]
    refused: list[tuple[int, str, str]]
    """(trustee index, pseudonym, reason) of each answer refused."""
    accepted: list[int]


def tally_summary(*, viewer: Viewer, poll: Poll, labels: dict[int, str]) -> TallySummary:
    """The tally's progress and, once decrypted, its groups of committees
    with their counts, for the results and board pages. Everything shown is
    in the public record."""
    status = tally_status(viewer=viewer, poll_id=poll.pk)
    election = Election.objects.get(poll=poll)
    result = status.tally.result if status.tally is not None else None
    groups: list[GroupRow] = []
    if result is not None:
        ids = {
            int(tree_id.rsplit("-", 1)[1])
            for g in result["groups"]
            for tree_id in [g["group_id"], *(c["committee_id"] for c in g["committees"])]
        }
        names = dict(Node.objects.filter(pk__in=ids).values_list("pk", "name"))

        def name(tree_id: str) -> str:
            return names.get(int(tree_id.rsplit("-", 1)[1]), tree_id)

        for g in result["groups"]:
            options = g["contests"][0]["options"]
            groups.append(
                GroupRow(
                    group_id=g["group_id"],
                    name=name(g["group_id"]),
                    ballots=g["ballots"],
                    stands_alone=[c["committee_id"] for c in g["committees"]] == [g["group_id"]],
                    committees=[(name(c["committee_id"]), c["ballots"]) for c in g["committees"]],
                    counts=[(labels.get(i, str(i)), o["count"]) for i, o in enumerate(options)],
                )
            )
    return TallySummary(
        status=status,
        minimum_group=int(election.committees.get("minimum_group", 5)),
        groups=groups,
        refused=[
            (a.trustee, status.trustees.get(a.trustee, ""), a.reason)
            for a in status.answers
            if a.state == AnswerState.REFUSED
        ],
        accepted=[a.trustee for a in status.answers if a.state == AnswerState.ACCEPTED],
    )
