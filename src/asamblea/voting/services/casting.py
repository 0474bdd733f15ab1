"""Casting a ballot: the vote's one read and its writes."""

from __future__ import annotations

import functools
import hashlib
import hmac
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from asamblea.accounts.models import Member
from asamblea.core import rawrows
from asamblea.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from asamblea.federation.models import Membership, Node
from asamblea.voting import rules
from asamblea.voting.errors import EncryptedPoll
from asamblea.voting.models import Ballot, ElectorateEntry, Poll, PollOption, PollState, VoteLedger

MAX_ID = 2**63 - 1  # primary keys are 64-bit


@dataclass(frozen=True)
class BallotReceipt:
    """What the voter is told back. Never holds the ballot's id (for secret
    polls that would link the voter to the ballot row)."""

    poll_id: int
    positions: tuple[int, ...]
    changed: bool
    # The stored ranked, score or grade ballot (None for choice ballots).
    ballot: dict[str, Any] | None = None


def _slot(poll: Poll, member: Member) -> str:
    if poll.secret:
        return hmac.new(
            bytes.fromhex(poll.ballot_key), str(member.pk).encode("ascii"), hashlib.sha256
        ).hexdigest()
    return f"member:{member.pk}"


@functools.lru_cache(maxsize=1024)
def _options_of(poll_id: int, seed: str) -> tuple[MappingProxyType[str, int], int]:
    """(option code -> position, number of options) of a poll.

    Options are written with the poll and never change, so each process keeps
    them. The seed is part of the key because it is random per poll (drawn at
    creation and again at opening): a poll id reused after a rollback, as in a
    test database, never finds another poll's options.
    """
    options = list(PollOption.objects.filter(poll_id=poll_id).values_list("code", "position"))
    codes = {code: position for code, position in options if code}
    return MappingProxyType(codes), len(options)


def resolve_choice(*, poll: Poll, choice: Sequence[int | str]) -> list[int]:
    """Option positions for a choice given as positions or option codes."""
    codes, _count = _options_of(poll.pk, poll.seed)
    positions = []
    for item in choice:
        if isinstance(item, bool):
            raise InvalidInput(_("This option does not exist in this poll."), field="choice")
        if isinstance(item, int):
            positions.append(item)
        elif item in codes:
            positions.append(codes[item])
        elif item.isdecimal() and len(item) <= 3:
            positions.append(int(item))
        else:
            raise InvalidInput(_("This option does not exist in this poll."), field="choice")
    return positions


def _checked_ballot(
    poll: Poll, choice: Sequence[int | str], ballot: Mapping[str, Any] | None
) -> tuple[int, tuple[int, ...], dict[str, Any] | None]:
    """(mask, positions, data) to store, after the method's checks."""
    _codes, option_count = _options_of(poll.pk, poll.seed)
    if rules.ballot_kind(poll.method) == rules.KIND_MASK:
        if ballot is not None:
            raise InvalidInput(_("This poll takes a choice of options."), field="choice")
        positions = rules.validate_choice(
            method=poll.method,
            positions=resolve_choice(poll=poll, choice=choice),
            option_count=option_count,
            max_choices=poll.max_choices,
        )
        return rules.encode_mask(positions), positions, None
    if ballot is None or choice:
        ballot = {"choice": choice} if ballot is None else {**ballot, "choice": choice}
    data = rules.validate_ballot(
        method=poll.method, ballot=ballot, option_count=option_count, max_score=poll.max_score
    )
    return 0, (), data


# The vote's one read: the poll's fields a vote needs, whether the voter may
# vote in it (voting.access.access_poll_for_vote: an operator, or an active
# membership at its node or beneath it, which is federation.access's "sees";
# a differential test holds the two together; node paths are materialised and
# hold only digits and slashes, so LIKE needs no escaping), their electorate
# entry and their ledger row. Written by hand because it runs on every vote and the
# ORM's compilation of the equivalent query cost more than the query itself.
_POLL, _NODE, _MEMBERSHIP, _ENTRY, _LEDGER, _BALLOT = (
    model._meta.db_table for model in (Poll, Node, Membership, ElectorateEntry, VoteLedger, Ballot)
)
# Only table names are formatted in; every value is a query parameter.
_VOTE_READ = f"""
SELECT p.id, p.state, p.closes_at, p.method, p.max_choices, p.max_score,
       p.secret, p.encrypted, p.ballot_key, p.seed,
       (%(staff)s OR EXISTS (
           SELECT 1 FROM {_MEMBERSHIP} m JOIN {_NODE} n ON n.id = m.node_id
           WHERE m.member_id = %(member)s AND m.ended_at IS NULL
             AND n.path LIKE pn.path || '%%'
       )) AS visible,
       e.committee_id AS entry_committee_id, e.weight AS entry_weight,
       l.id AS ledger_id
FROM {_POLL} p
JOIN {_NODE} pn ON pn.id = p.node_id
LEFT JOIN {_ENTRY} e ON e.poll_id = p.id AND e.member_id = %(member)s
LEFT JOIN {_LEDGER} l ON l.poll_id = p.id AND l.member_id = %(member)s
WHERE p.id = %(poll)s
"""  # noqa: S608


# A vote's writes, by hand for the same reason as its read. ON CONFLICT is
# understood by PostgreSQL and SQLite alike.
_BALLOT_UPDATE = f"""
UPDATE {_BALLOT} SET mask = %(mask)s, data = %(data)s, cast_at = %(cast_at)s
WHERE poll_id = %(poll)s AND slot = %(slot)s
"""  # noqa: S608
_BALLOT_INSERT = f"""
INSERT INTO {_BALLOT} (id, poll_id, committee_id, slot, voter_id, cast_at, mask, data, weight)
VALUES (%(id)s, %(poll)s, %(committee)s, %(slot)s, %(voter)s, %(cast_at)s, %(mask)s, %(data)s,
        %(weight)s)
ON CONFLICT (poll_id, slot) DO UPDATE
SET mask = excluded.mask, data = excluded.data, cast_at = excluded.cast_at
"""  # noqa: S608
_LEDGER_INSERT = f"""
INSERT INTO {_LEDGER} (id, poll_id, member_id, committee_id)
VALUES (%(ledger)s, %(poll)s, %(member)s, %(committee)s)
ON CONFLICT (poll_id, member_id) DO NOTHING
"""  # noqa: S608


def _uuid_value() -> uuid.UUID | str:
    """A fresh random key, as the database takes a UUID column."""
    key = uuid.uuid4()
    return key if connection.features.has_native_uuid_field else key.hex


def _poll_for_vote(voter: Member, poll_id: int) -> Poll:
    """The poll, read for a vote with its visibility and the voter's electorate
    entry (``entry_committee_id``, ``entry_weight``) and ledger row
    (``ledger_id``) in one query. ``NotFound`` when unknown or invisible.

    On PostgreSQL the poll row is read under a shared lock. Votes share it, so
    they do not wait for one another; the close takes it exclusively
    (``locked_poll``), so a vote either commits before the close counts or waits
    for it and then reads the poll closed. SQLite runs one writing transaction
    at a time (IMMEDIATE), which gives the same order.
    Precondition: inside a transaction.
    """
    if not 0 < poll_id <= MAX_ID:
        raise NotFound()  # no such row, and SQLite refuses integers past 64 bits
    sql = _VOTE_READ
    if connection.vendor == "postgresql":
        sql += " FOR SHARE OF p"
    params = {"staff": voter.is_staff, "member": voter.pk, "poll": poll_id}
    poll = rawrows.first_instance(Poll, sql, params)
    if poll is None or not getattr(poll, "visible", False):
        raise NotFound()
    return poll


def cast_ballot(
    *,
    voter: Member,
    poll: Poll | int,
    choice: Sequence[int | str] = (),
    ballot: Mapping[str, Any] | None = None,
) -> BallotReceipt:
    """Record ``voter``'s ballot, replacing any earlier one until the close.

    ``poll`` is a poll or its id; the poll is read again either way, with the
    visibility and electorate checks in the same query (unknown or invisible:
    ``NotFound``).

    Choice polls (yes/no/abstain, single, approval, block approval, consent)
    take ``choice``: option positions or codes. Ranked, score and grade polls
    take ``ballot``: ``{"ranking": [[pos], [pos, pos], ...]}``,
    ``{"scores": {pos: n}}`` or ``{"grades": {pos: grade}}`` (see ``rules``).

    Refused when the poll is not open or its closing time has passed, when the
    voter is not in the frozen electorate, or when the ballot is not valid for
    the method. No audit entry: the ledger records who voted, and an entry per
    ballot would make every vote wait for the single head of the audit chain.
    """
    poll_id = poll if isinstance(poll, int) else poll.pk
    with transaction.atomic():
        current = _poll_for_vote(voter, poll_id)
        if current.state == PollState.CLOSED or (
            current.closes_at is not None and current.closes_at <= timezone.now()
        ):
            raise Conflict(_("This poll is closed; votes are no longer accepted."))
        if current.state != PollState.OPEN:
            raise Conflict(_("This poll is not open for voting."))
        if current.encrypted:
            raise EncryptedPoll()
        committee_id: int | None = getattr(current, "entry_committee_id", None)
        if committee_id is None:
            raise Forbidden(
                _("You are outside this poll's electorate (it was fixed when the poll opened).")
            )
        mask, positions, data = _checked_ballot(current, choice, ballot)
        slot = _slot(current, voter)
        cast_at = None if current.secret else timezone.now()
        values: dict[str, Any] = {
            "mask": mask,
            "data": None if data is None else connection.ops.adapt_json_value(data, None),
            "cast_at": connection.ops.adapt_datetimefield_value(cast_at),
            "poll": poll_id,
            "slot": slot,
        }
        changed = False
        with connection.cursor() as cursor:
            if getattr(current, "ledger_id", None) is not None:
                # Ballot and ledger row are written together, so a voter in the
                # ledger has a ballot to change.
                cursor.execute(_BALLOT_UPDATE, values)
                changed = cursor.rowcount > 0
            if not changed:
                # A first vote. Two at once from the same voter (a double
                # submit) both succeed: the later replaces the earlier, as a
                # change would.
                values.update(
                    id=_uuid_value(),
                    ledger=_uuid_value(),
                    committee=committee_id,
                    voter=None if current.secret else voter.pk,
                    weight=getattr(current, "entry_weight", 1),
                    member=voter.pk,
                )
                cursor.execute(_BALLOT_INSERT, values)
                cursor.execute(_LEDGER_INSERT, values)
    return BallotReceipt(poll_id=poll_id, positions=positions, changed=changed, ballot=data)
