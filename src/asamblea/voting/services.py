"""Writes to polls: create, open (freeze the electorate), cast, close, cancel,
put a motion to the vote, start a recall.

Each service checks permission first, owns its transaction and appends to the
audit log inside it. ``actor=None`` is the system itself (the scheduler, or a
poll opened as a consequence of another one closing).

Who manages a poll (creates, opens, closes, cancels it by hand): at a committee,
its secretaries; above committees, operators. Operators may do it everywhere.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Any

from django.db import connection, transaction
from django.db.models import CharField, F
from django.db.models.functions import Cast
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from asamblea.accounts.models import Member
from asamblea.core import audit
from asamblea.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from asamblea.federation import selectors as federation_selectors
from asamblea.federation.models import Mandate, Membership, Node, NodeKind, Recall, RecallState
from asamblea.motions import services as motion_services
from asamblea.motions.models import Amendment, AmendmentState, Motion, MotionState
from asamblea.voting import outcomes, rules
from asamblea.voting.models import (
    CODED_OPTION_LABELS,
    OPTION_MAX,
    QUESTION_MAX,
    Aggregation,
    Ballot,
    ElectorateEntry,
    MajorityBase,
    Method,
    Poll,
    PollOption,
    PollState,
    Purpose,
    VoteLedger,
)
from asamblea.voting.results import compute_results

DESCRIPTION_MAX = 10_000
REASON_MAX = 4_000
SNAPSHOT_BATCH = 5_000
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


# --- permission helpers -----------------------------------------------------


def can_manage_node(*, member: Member, node: Node) -> bool:
    """Secretaries manage their committee's polls; operators manage all."""
    if member.is_staff:
        return True
    return node.is_committee and federation_selectors.is_secretary(member=member, node=node)


def _require_visible(member: Member, node: Node) -> None:
    if not federation_selectors.can_see_node(member=member, node=node):
        raise NotFound()


def _require_manager(actor: Member | None, node: Node) -> None:
    if actor is None:
        return
    _require_visible(actor, node)
    if not can_manage_node(member=actor, node=node):
        raise Forbidden()


def _locked(poll: Poll) -> Poll:
    """The poll read again under an exclusive lock of its row only (not of its
    node: a vote's foreign key checks take a share lock on the node)."""
    return Poll.objects.select_for_update(of=("self",)).select_related("node").get(pk=poll.pk)


# --- creating ----------------------------------------------------------------


def _source(label: Any) -> str:
    with translation.override(None):
        return str(label)


def _clean_options(method: str, options: Sequence[str] | None) -> list[tuple[str, str]]:
    """(code, label) per option, in position order."""
    # Coded options are stored with their English source label (stable for
    # exports and recounts) and displayed translated (PollOption.display_label).
    if method == Method.YES_NO_ABSTAIN:
        codes: Sequence[str] = ("yes", "no", "abstain")
        return [(code, _source(CODED_OPTION_LABELS[code])) for code in codes]
    if method == Method.CONSENT:
        return [(code, _source(CODED_OPTION_LABELS[code])) for code in rules.CONSENT_CODES]
    labels = [label.strip() for label in options or [] if label.strip()]
    if any(not label.isprintable() for label in labels):
        # Exports name candidates one per line; a line break would split one.
        raise InvalidInput(_("An option is one line of text."), field="options")
    if len(labels) < 2:
        raise InvalidInput(_("Give at least two options."), field="options")
    if len(labels) > rules.MAX_OPTIONS:
        raise InvalidInput(
            _("A poll has at most %(n)d options.") % {"n": rules.MAX_OPTIONS}, field="options"
        )
    if any(len(label) > OPTION_MAX for label in labels):
        raise InvalidInput(
            _("Each option has at most %(n)d characters.") % {"n": OPTION_MAX}, field="options"
        )
    if len({label.casefold() for label in labels}) != len(labels):
        raise InvalidInput(_("Two options are the same."), field="options")
    return [("", label) for label in labels]


def _election_options(committee: Node) -> list[tuple[str, str]]:
    if not committee.is_committee:
        raise InvalidInput(_("Delegates are elected by a committee."), field="node")
    candidates = [
        (f"{outcomes.ELECTION_CODE_PREFIX}{m.member_id}", m.member.pseudonym)
        for m in federation_selectors.members_of(node=committee)
    ]
    if not candidates:
        raise InvalidInput(_("This committee has no members to elect."), field="node")
    if len(candidates) > rules.MAX_OPTIONS:
        raise InvalidInput(
            _("An election in this form has at most %(n)d candidates.") % {"n": rules.MAX_OPTIONS},
            field="node",
        )
    return candidates


def _create(
    *,
    created_by: Member,
    actor: Member | None,
    node: Node,
    question: str,
    method: str,
    options: Sequence[str] | None,
    max_choices: int,
    secret: bool,
    aggregation: str,
    majority_num: int,
    majority_den: int,
    majority_base: str,
    majority_strict: bool,
    quorum_num: int,
    quorum_den: int,
    opens_at: datetime | None,
    closes_at: datetime | None,
    description: str,
    motion: Motion | None,
    amendment: Amendment | None,
    purpose: str,
    seats: int = 1,
    max_score: int = 0,
) -> Poll:
    """Validate and write a draft poll. Callers have checked permission."""
    question = question.strip()
    if not question:
        raise InvalidInput(_("A question is required."), field="question")
    if len(question) > QUESTION_MAX:
        raise InvalidInput(
            _("The question has at most %(n)d characters.") % {"n": QUESTION_MAX},
            field="question",
        )
    if len(description) > DESCRIPTION_MAX:
        raise InvalidInput(
            _("The description has at most %(n)d characters.") % {"n": DESCRIPTION_MAX},
            field="description",
        )
    if purpose not in Purpose.values:
        raise InvalidInput(_("Unknown purpose."), field="purpose")
    method = rules.METHOD_ALIASES.get(method, method)
    if method not in Method.values:
        raise InvalidInput(_("Unknown voting method."), field="method")
    if aggregation not in Aggregation.values:
        raise InvalidInput(_("Unknown way of adding up committees."), field="aggregation")
    if aggregation != Aggregation.POOLED and method not in rules.BLOCK_AGGREGATION_METHODS:
        raise InvalidInput(
            _(
                "Committees cast a block only in yes / no / abstain, single choice and"
                " approval polls; count this method's ballots pooled."
            ),
            field="aggregation",
        )
    if majority_base not in MajorityBase.values:
        raise InvalidInput(_("Unknown majority base."), field="majority_base")
    rules.validate_fraction(numerator=majority_num, denominator=majority_den, field="majority")
    rules.validate_fraction(numerator=quorum_num, denominator=quorum_den, field="quorum")
    if purpose == Purpose.DELEGATE_ELECTION:
        method = Method.SINGLE
        choices = _election_options(node)
    else:
        choices = _clean_options(method, options)
    if method in rules.MULTI_WINNER_METHODS:
        if not 1 <= seats < len(choices):
            raise InvalidInput(
                _("Give the number of seats: at least 1 and fewer than the options."),
                field="seats",
            )
    else:
        seats = 1
    if method == Method.SCORE:
        if not 1 <= max_score <= rules.MAX_SCORE_LIMIT:
            raise InvalidInput(
                _("Give the highest score, between 1 and %(n)d.") % {"n": rules.MAX_SCORE_LIMIT},
                field="max_score",
            )
    else:
        max_score = 0
    if method == Method.APPROVAL:
        if not 1 <= max_choices <= len(choices):
            raise InvalidInput(
                _("k must lie between 1 and the number of options."), field="max_choices"
            )
    elif method == Method.BLOCK_APPROVAL:
        max_choices = seats  # block voting: approve at most one option per seat
    else:
        max_choices = 1
    now = timezone.now()
    if closes_at is not None and closes_at <= now:
        raise InvalidInput(_("The closing time must be in the future."), field="closes_at")
    if opens_at is not None and closes_at is not None and closes_at <= opens_at:
        raise InvalidInput(_("The poll must close after it opens."), field="closes_at")
    with transaction.atomic():
        poll = Poll.objects.create(
            node=node,
            motion=motion,
            amendment=amendment,
            purpose=purpose,
            question=question,
            description=description,
            method=method,
            max_choices=max_choices,
            seats=seats,
            max_score=max_score,
            secret=secret,
            aggregation=aggregation,
            opens_at=opens_at,
            closes_at=closes_at,
            majority_num=majority_num,
            majority_den=majority_den,
            majority_base=majority_base,
            majority_strict=majority_strict,
            quorum_num=quorum_num,
            quorum_den=quorum_den,
            seed=secrets.token_hex(16),
            created_by=created_by,
        )
        PollOption.objects.bulk_create(
            PollOption(poll=poll, position=position, code=code, label=label)
            for position, (code, label) in enumerate(choices)
        )
        audit.record(
            actor=actor,
            action="poll.created",
            target=poll,
            data={
                "node": node.pk,
                "method": method,
                "purpose": purpose,
                "secret": secret,
                "aggregation": aggregation,
                "options": len(choices),
                "seats": seats,
                "max_score": max_score,
            },
        )
    return poll


def create_poll(
    *,
    actor: Member,
    node: Node,
    question: str,
    method: str = Method.YES_NO_ABSTAIN,
    options: Sequence[str] | None = None,
    max_choices: int = 1,
    secret: bool = False,
    aggregation: str = Aggregation.POOLED,
    majority_num: int = 1,
    majority_den: int = 2,
    majority_base: str = MajorityBase.VALID,
    majority_strict: bool = True,
    quorum_num: int = 0,
    quorum_den: int = 1,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
    description: str = "",
    motion: Motion | None = None,
    amendment: Amendment | None = None,
    purpose: str = Purpose.QUESTION,
    seats: int = 1,
    max_score: int = 0,
) -> Poll:
    """Create a draft poll at ``node``.

    Secretaries create polls at their committee, operators anywhere. Polls on a
    motion or amendment are normally made by :func:`open_motion_vote`; here only
    operators may attach one by hand. ``purpose="delegate_election"`` makes a
    single-choice poll whose options are the committee's members.

    ``method`` is a :class:`Method` value (the library names ``policy`` and
    ``plurality`` are accepted for yes/no/abstain and single choice).
    ``seats`` is required for multi-winner methods (fewer than the options),
    ``max_score`` for score polls (1 to 100); both are ignored otherwise.
    Methods other than yes/no/abstain, single and approval are counted pooled.
    """
    _require_manager(actor, node)
    if (motion is not None or amendment is not None) and not actor.is_staff:
        raise Forbidden(_("Motions are put to the vote from the motion's page."))
    if purpose in (Purpose.RECALL, Purpose.MOTION, Purpose.AMENDMENT) and (
        motion is None and amendment is None
    ):
        raise InvalidInput(_("This kind of poll is started elsewhere."), field="purpose")
    return _create(
        created_by=actor,
        actor=actor,
        node=node,
        question=question,
        method=method,
        options=options,
        max_choices=max_choices,
        secret=secret,
        aggregation=aggregation,
        majority_num=majority_num,
        majority_den=majority_den,
        majority_base=majority_base,
        majority_strict=majority_strict,
        quorum_num=quorum_num,
        quorum_den=quorum_den,
        opens_at=opens_at,
        closes_at=closes_at,
        description=description,
        motion=motion,
        amendment=amendment,
        purpose=purpose,
        seats=seats,
        max_score=max_score,
    )


# --- opening: the frozen electorate -----------------------------------------


def _freeze_electorate(poll: Poll) -> int:
    """Write the snapshot: every active member of every committee at or under
    the poll's node, with the membership weight. A member of two committees
    there votes once, from the committee joined first."""
    seen: set[int] = set()
    batch: list[ElectorateEntry] = []
    total = 0
    rows = (
        Membership.objects.filter(
            ended_at__isnull=True,
            node__kind=NodeKind.COMMITTEE,
            node__path__startswith=poll.node.path,
            member__is_active=True,
        )
        .order_by("joined_at", "pk")
        .values_list("member_id", "node_id", "weight")
    )
    for member_id, committee_id, weight in rows.iterator(chunk_size=SNAPSHOT_BATCH):
        if member_id in seen:
            continue
        seen.add(member_id)
        batch.append(
            ElectorateEntry(
                poll=poll, member_id=member_id, committee_id=committee_id, weight=weight
            )
        )
        if len(batch) >= SNAPSHOT_BATCH:
            ElectorateEntry.objects.bulk_create(batch)
            total += len(batch)
            batch = []
    ElectorateEntry.objects.bulk_create(batch)
    return total + len(batch)


def _open(actor: Member | None, poll: Poll) -> Poll:
    """Open a locked draft poll. Precondition: inside a transaction."""
    if poll.state != PollState.DRAFT:
        raise Conflict(_("Only a poll that has not opened yet can be opened."))
    entitled = _freeze_electorate(poll)
    if entitled == 0:
        raise Conflict(_("Nobody could vote: there are no members at or beneath this node."))
    poll.state = PollState.OPEN
    poll.opened_at = timezone.now()
    poll.ballot_key = secrets.token_hex(32)
    # The seed of every draw by lot is fixed now, before any ballot, and shown
    # with the result; the audit log commits to it without revealing it early.
    poll.seed = secrets.token_hex(16)
    poll.save(update_fields=["state", "opened_at", "ballot_key", "seed"])
    audit.record(
        actor=actor,
        action="poll.opened",
        target=poll,
        data={
            "entitled": entitled,
            "seed_sha256": hashlib.sha256(poll.seed.encode("ascii")).hexdigest(),
        },
    )
    return poll


def open_poll(*, actor: Member | None, poll: Poll) -> Poll:
    """Open ``poll`` and freeze its electorate. Refused when nobody could vote."""
    _require_manager(actor, poll.node)
    with transaction.atomic():
        return _open(actor, _locked(poll))


# --- casting -----------------------------------------------------------------


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


# The vote's one read: the poll's fields a vote needs, whether the voter sees
# the poll (an active membership at its node or beneath it, as in
# federation.selectors.can_see_node; node paths are materialised and hold only
# digits and slashes, so LIKE needs no escaping), their electorate entry and
# their ledger row. Written by hand because it runs on every vote and the
# ORM's compilation of the equivalent query cost more than the query itself.
_POLL, _NODE, _MEMBERSHIP, _ENTRY, _LEDGER, _BALLOT = (
    model._meta.db_table for model in (Poll, Node, Membership, ElectorateEntry, VoteLedger, Ballot)
)
# Only table names are formatted in; every value is a query parameter.
_VOTE_READ = f"""
SELECT p.id, p.state, p.closes_at, p.method, p.max_choices, p.max_score,
       p.secret, p.ballot_key, p.seed,
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
INSERT INTO {_LEDGER} (poll_id, member_id, committee_id)
VALUES (%(poll)s, %(member)s, %(committee)s)
ON CONFLICT (poll_id, member_id) DO NOTHING
"""  # noqa: S608


def _poll_for_vote(voter: Member, poll_id: int) -> Poll:
    """The poll, read for a vote with its visibility and the voter's electorate
    entry (``entry_committee_id``, ``entry_weight``) and ledger row
    (``ledger_id``) in one query. ``NotFound`` when unknown or invisible.

    On PostgreSQL the poll row is read under a shared lock. Votes share it, so
    they do not wait for one another; the close takes it exclusively
    (``_locked``), so a vote either commits before the close counts or waits
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
    poll = next(iter(Poll.objects.raw(sql, params)), None)
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
                ballot_id = uuid.uuid4()
                values.update(
                    id=ballot_id if connection.features.has_native_uuid_field else ballot_id.hex,
                    committee=committee_id,
                    voter=None if current.secret else voter.pk,
                    weight=getattr(current, "entry_weight", 1),
                    member=voter.pk,
                )
                cursor.execute(_BALLOT_INSERT, values)
                cursor.execute(_LEDGER_INSERT, values)
    return BallotReceipt(poll_id=poll_id, positions=positions, changed=changed, ballot=data)


# --- closing -----------------------------------------------------------------


def _unlink_secret_ballots(poll: Poll) -> None:
    """Wipe the key and overwrite every slot with the ballot's own id, so that
    nothing links a ballot to its voter any more (one UPDATE)."""
    poll.ballot_key = ""
    poll.save(update_fields=["ballot_key"])
    Ballot.objects.filter(poll=poll).update(slot=Cast(F("id"), output_field=CharField()))


def _follow_up_motion_poll(closed: Poll, actor: Member | None) -> None:
    """When the last open poll of a motion's amendments closes, put the next
    step to the vote with the same settings (and the same duration when it had
    one): amendments proposed meanwhile, else the motion itself."""
    motion = closed.motion
    if closed.purpose != Purpose.AMENDMENT or motion is None:
        return
    if Poll.objects.filter(motion=motion, state__in=[PollState.DRAFT, PollState.OPEN]).exists():
        return
    motion = Motion.objects.select_related("node").get(pk=motion.pk)
    if motion.state != MotionState.DEBATE:
        return
    if motion.amendments.filter(state=AmendmentState.VOTING).exists():
        return  # an amendment poll was cancelled; a person must decide what next
    closes_at = None
    if closed.closes_at is not None and closed.opened_at is not None:
        closes_at = timezone.now() + max(closed.closes_at - closed.opened_at, timedelta(minutes=5))
    _advance_motion(
        created_by=closed.created_by,
        actor=actor,
        motion=motion,
        settings=_settings_of(closed),
        closes_at=closes_at,
    )


def close_poll(*, actor: Member | None, poll: Poll) -> Poll:
    """Close ``poll``: store its results at every level, unlink secret ballots,
    then apply what it decided (see ``outcomes``)."""
    _require_manager(actor, poll.node)
    with transaction.atomic():
        poll = _locked(poll)
        if poll.state != PollState.OPEN:
            raise Conflict(_("Only an open poll can be closed."))
        poll.state = PollState.CLOSED
        poll.closed_at = timezone.now()
        poll.save(update_fields=["state", "closed_at"])
        results = compute_results(poll=poll)
        if poll.secret:
            _unlink_secret_ballots(poll)
        audit.record(actor=actor, action="poll.closed", target=poll, data={})
        top = next((r for r in results if r.node_id == poll.node_id), None)
        audit.record(
            actor=actor,
            action="result.recorded",
            target=poll,
            data={
                "levels": len(results),
                "outcome": top.outcome if top else "",
                "counts": top.counts if top else {},
                "entitled": top.entitled if top else 0,
                "voted": top.voted if top else 0,
            },
        )
        outcomes.apply_outcome(poll=poll, result=top)
        _follow_up_motion_poll(poll, actor)
    return poll


def cancel_poll(*, actor: Member | None, poll: Poll) -> Poll:
    """Cancel a poll that has not closed; its ballots are never counted."""
    _require_manager(actor, poll.node)
    with transaction.atomic():
        poll = _locked(poll)
        if poll.state not in (PollState.DRAFT, PollState.OPEN):
            raise Conflict(_("Only a poll that has not closed can be cancelled."))
        poll.state = PollState.CANCELLED
        poll.closed_at = timezone.now()
        poll.save(update_fields=["state", "closed_at"])
        if poll.secret:
            _unlink_secret_ballots(poll)
        audit.record(actor=actor, action="poll.cancelled", target=poll, data={})
        outcomes.apply_cancellation(poll=poll)
    return poll


# --- motions -----------------------------------------------------------------


def can_open_motion_vote(*, member: Member, motion: Motion) -> bool:
    if member.is_staff or motion.author_id == member.pk:
        return True
    return motion.node.is_committee and federation_selectors.is_secretary(
        member=member, node=motion.node
    )


@dataclass(frozen=True)
class _MotionPollSettings:
    secret: bool = False
    aggregation: str = Aggregation.POOLED
    majority_num: int = 1
    majority_den: int = 2
    majority_base: str = MajorityBase.VALID
    majority_strict: bool = True
    quorum_num: int = 0
    quorum_den: int = 1


def _settings_of(poll: Poll) -> _MotionPollSettings:
    return _MotionPollSettings(
        secret=poll.secret,
        aggregation=poll.aggregation,
        majority_num=poll.majority_num,
        majority_den=poll.majority_den,
        majority_base=poll.majority_base,
        majority_strict=poll.majority_strict,
        quorum_num=poll.quorum_num,
        quorum_den=poll.quorum_den,
    )


def _motion_poll(
    *,
    created_by: Member,
    actor: Member | None,
    motion: Motion,
    amendment: Amendment | None,
    settings: _MotionPollSettings,
    closes_at: datetime | None,
) -> Poll:
    if amendment is not None:
        question = _("Accept amendment %(id)d to “%(title)s” (%(kind)s)?") % {
            "id": amendment.pk,
            "title": motion.title,
            "kind": amendment.get_kind_display(),
        }
    else:
        question = _("Adopt the motion “%(title)s”?") % {"title": motion.title}
    return _create(
        created_by=created_by,
        actor=actor,
        node=motion.node,
        question=str(question)[:QUESTION_MAX],
        method=Method.YES_NO_ABSTAIN,
        options=None,
        max_choices=1,
        secret=settings.secret,
        aggregation=settings.aggregation,
        majority_num=settings.majority_num,
        majority_den=settings.majority_den,
        majority_base=settings.majority_base,
        majority_strict=settings.majority_strict,
        quorum_num=settings.quorum_num,
        quorum_den=settings.quorum_den,
        opens_at=None,
        closes_at=closes_at,
        description="",
        motion=motion,
        amendment=amendment,
        purpose=Purpose.AMENDMENT if amendment is not None else Purpose.MOTION,
    )


def _advance_motion(
    *,
    created_by: Member,
    actor: Member | None,
    motion: Motion,
    settings: _MotionPollSettings,
    closes_at: datetime | None,
) -> list[Poll]:
    """Open a poll per proposed amendment; without any, move the motion to
    voting and open its own poll. Precondition: motion in debate, inside a
    transaction."""
    amendments = list(motion.amendments.filter(state=AmendmentState.PROPOSED))
    polls = []
    for amendment in amendments:
        poll = _motion_poll(
            created_by=created_by,
            actor=actor,
            motion=motion,
            amendment=amendment,
            settings=settings,
            closes_at=closes_at,
        )
        polls.append(_open(actor, poll))
        motion_services.mark_amendment_voting(amendment=amendment, actor=actor)
    if not amendments:
        motion_services.mark_motion_voting(motion=motion, actor=actor)
        poll = _motion_poll(
            created_by=created_by,
            actor=actor,
            motion=motion,
            amendment=None,
            settings=settings,
            closes_at=closes_at,
        )
        polls.append(_open(actor, poll))
    return polls


def open_motion_vote(
    *,
    actor: Member,
    motion: Motion,
    secret: bool = False,
    aggregation: str = Aggregation.POOLED,
    closes_at: datetime | None = None,
) -> list[Poll]:
    """Put a motion in debate to the vote: first one yes/no/abstain poll per
    proposed amendment; when the last of them closes the motion's own poll
    opens with the same settings. Without amendments the motion's poll opens
    at once. The author, the committee's secretaries and operators may do it.
    A motion at a region or the assembly is put to every committee beneath it.
    Returns the polls opened.
    """
    _require_visible(actor, motion.node)
    if not can_open_motion_vote(member=actor, motion=motion):
        raise Forbidden()
    if aggregation not in Aggregation.values:
        raise InvalidInput(_("Unknown way of adding up committees."), field="aggregation")
    with transaction.atomic():
        motion = Motion.objects.select_for_update().select_related("node").get(pk=motion.pk)
        if motion.state != MotionState.DEBATE:
            raise Conflict(_("Only a motion in debate can be put to the vote."))
        if Poll.objects.filter(motion=motion, state__in=[PollState.DRAFT, PollState.OPEN]).exists():
            raise Conflict(_("This motion is already being voted on."))
        return _advance_motion(
            created_by=actor,
            actor=actor,
            motion=motion,
            settings=_MotionPollSettings(secret=secret, aggregation=aggregation),
            closes_at=closes_at,
        )


# --- recall ------------------------------------------------------------------


def start_recall(*, actor: Member, mandate: Mandate, reason: str) -> Recall:
    """Any member of the mandate's committee may start a recall: a yes/no/abstain
    poll at that committee, opened at once; the mandate ends if it carries."""
    committee = mandate.committee
    _require_visible(actor, committee)
    if federation_selectors.membership_in(member=actor, node=committee) is None:
        raise Forbidden(_("Only members of the committee can start a recall."))
    reason = reason.strip()
    if not reason:
        raise InvalidInput(_("Give a reason for the recall."), field="reason")
    if len(reason) > REASON_MAX:
        raise InvalidInput(
            _("The reason has at most %(n)d characters.") % {"n": REASON_MAX}, field="reason"
        )
    with transaction.atomic():
        mandate = Mandate.objects.select_for_update().select_related("delegate").get(pk=mandate.pk)
        if not mandate.is_active:
            raise Conflict(_("This mandate has already ended."))
        if Recall.objects.filter(mandate=mandate, state=RecallState.VOTING).exists():
            raise Conflict(_("A recall of this mandate is already being voted."))
        question = _("Recall %(delegate)s as delegate of %(committee)s?") % {
            "delegate": mandate.delegate.pseudonym,
            "committee": committee.name,
        }
        poll = _create(
            created_by=actor,
            actor=actor,
            node=committee,
            question=str(question)[:QUESTION_MAX],
            method=Method.YES_NO_ABSTAIN,
            options=None,
            max_choices=1,
            secret=True,
            aggregation=Aggregation.POOLED,
            majority_num=1,
            majority_den=2,
            majority_base=MajorityBase.VALID,
            majority_strict=True,
            quorum_num=0,
            quorum_den=1,
            opens_at=None,
            closes_at=None,
            description=reason,
            motion=None,
            amendment=None,
            purpose=Purpose.RECALL,
        )
        _open(actor, poll)
        recall = Recall.objects.create(mandate=mandate, started_by=actor, reason=reason, poll=poll)
        audit.record(
            actor=actor,
            action="recall.started",
            target=recall,
            data={"mandate": mandate.pk, "poll": poll.pk},
        )
    return recall


# --- schedule ----------------------------------------------------------------


def apply_schedule(*, now: datetime) -> tuple[int, int]:
    """Open draft polls whose opening time has come and close open polls whose
    closing time has passed. Returns (opened, closed). A poll that cannot open
    (nobody to vote) is cancelled so that it is not retried forever."""
    opened = closed = 0
    for poll in Poll.objects.filter(state=PollState.DRAFT, opens_at__lte=now).select_related(
        "node"
    ):
        try:
            open_poll(actor=None, poll=poll)
            opened += 1
        except Conflict:
            cancel_poll(actor=None, poll=poll)
    for poll in Poll.objects.filter(state=PollState.OPEN, closes_at__lte=now).select_related(
        "node"
    ):
        try:
            close_poll(actor=None, poll=poll)
            closed += 1
        except Conflict:
            continue  # closed meanwhile by hand or by another scheduler run
    return opened, closed
