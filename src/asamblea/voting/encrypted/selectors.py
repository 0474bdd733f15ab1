"""Reads of encrypted polls: a member's voting key, what the booth needs, the
bulletin board and the election record (spec §8).

The board and the record are public to whoever can see the poll
(``voting.access``, ``to="read"``).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from asamblea.accounts.models import Member
from asamblea.core.errors import NotFound
from asamblea.federation.access import Viewer
from asamblea.voting import access
from asamblea.voting.encrypted.models import (
    AuditedLine,
    BoardLine,
    Election,
    ElectionCredential,
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
        complete=False,
    )


def _credentials_json(election: Election) -> Iterator[dict[str, Any]]:
    for credential, kind, committee in (
        ElectionCredential.objects.filter(election=election)
        .order_by("position")
        .values_list("credential", "kind", "committee_code")
    ):
        yield {"credential": credential, "kind": kind, "committee": committee}


def write_record(election: Election, path: Path) -> None:
    """Write the election record of ``election`` to ``path`` (a .zip or a
    directory), as it stands.

    The tally is not computed yet, so the record is **partial**: every file
    but ``tally.json`` exactly as the complete record will hold them
    (every line cast so far, in order), and no ``tally.json``. The verifier
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


def record_bytes(*, viewer: Viewer, poll_id: int) -> tuple[Poll, bytes, bool]:
    """(poll, the record as a .zip, whether it is complete)."""
    poll, election = _election(viewer, poll_id)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "record.zip"
        write_record(election, path)
        data = path.read_bytes()
    return poll, data, False


def closed_elections() -> Iterator[Election]:
    """Every election of a closed encrypted poll, for ``export_records``."""
    yield from Election.objects.filter(poll__encrypted=True, poll__state=PollState.CLOSED).order_by(
        "poll_id"
    )
