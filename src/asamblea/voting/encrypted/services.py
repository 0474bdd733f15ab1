"""Writes of encrypted polls: voting keys, opening an election, and the board.

Every ballot goes through the engine's :class:`secret_ballot.board.Board`:
its proofs, signature, credential and ciphertexts are checked before anything
is written, and a refused ballot writes nothing. Casting and auditing lock the
election row, so the board's head moves one ballot at a time.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from asamblea.accounts.models import Member
from asamblea.core import audit
from asamblea.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from asamblea.federation.access import Actor, Viewer
from asamblea.federation.models import Node, NodeKind
from asamblea.voting import access, rules
from asamblea.voting.encrypted import keys, sealing
from asamblea.voting.encrypted.manifest import manifest_for, selections_for
from asamblea.voting.encrypted.models import (
    AuditedLine,
    BoardLine,
    CredentialKind,
    Election,
    ElectionCredential,
    SeenCiphertext,
    VotingKey,
)
from asamblea.voting.errors import (
    BallotReplayed,
    BallotTooLarge,
    InvalidEncryptedBallot,
    InvalidVotingKey,
    NoElectionKey,
    NotEncryptable,
    WrongCredential,
)
from asamblea.voting.models import ElectorateEntry, Poll, PollState, VoteLedger
from secret_ballot import board as sb_board
from secret_ballot import credentials as sb_credentials
from secret_ballot.ballot import (
    NONCE_SEED_SIZE,
    AuditedBallot,
    Ballot,
    CredentialKeyPair,
    audited_to_json,
    ballot_from_json,
    cast_to_json,
    encrypt_ballot,
    tracker_start,
)
from secret_ballot.committees import DEFAULT_MINIMUM_GROUP, CommitteeTree, Level
from secret_ballot.committees import Node as TreeNode
from secret_ballot.election import Election as EngineElection
from secret_ballot.election import Parameters
from secret_ballot.errors import DecodingError, ProtocolError, VerificationError
from secret_ballot.group import Point, Scalar
from secret_ballot.hash import Digest
from secret_ballot.record import ElectionKeys, load_election

# --- voting keys ----------------------------------------------------------------


def register_voting_key(*, member: Member, public_key: str) -> VotingKey:
    """Register ``public_key`` (V, a compressed point in hex, made on the
    member's device) as ``member``'s voting key. An active key is revoked in
    the same transaction; both are audited. It serves polls opened from now
    on (an open poll's credential list is fixed)."""
    try:
        point = Point.from_hex(public_key)
    except (DecodingError, ValueError):
        raise InvalidVotingKey(field="public_key") from None
    text = point.hex()
    with transaction.atomic():
        if VotingKey.objects.filter(public_key=text).exists():
            raise InvalidVotingKey(
                _("This voting key is already registered; generate a new one."),
                field="public_key",
            )
        now = timezone.now()
        old = (
            VotingKey.objects.select_for_update()
            .filter(member=member, revoked_at__isnull=True)
            .first()
        )
        if old is not None:
            old.revoked_at = now
            old.save(update_fields=["revoked_at"])
            audit.record(
                actor=member, action="voting_key.revoked", target=old, data={"replaced": True}
            )
        key = VotingKey.objects.create(member=member, public_key=text, registered_at=now)
        audit.record(
            actor=member, action="voting_key.registered", target=key, data={"public_key": text}
        )
    return key


# --- opening --------------------------------------------------------------------


def _committee_code(node_id: int) -> str:
    return f"{NodeKind.COMMITTEE}-{node_id}"


def _credential_purpose(election_id: str, credential: str) -> str:
    return f"credential:{election_id}:{credential}"


def _board_purpose(election_id: str) -> str:
    return f"board:{election_id}"


def committee_tree_for(poll: Poll) -> CommitteeTree:
    """The tree of nodes the poll spans (spec §8.7): its node, root first, and
    every node beneath it, each after its parent (materialised path order).
    Node ids are ``<kind>-<node id>``, so committees match the credentials'."""
    rows = (
        Node.objects.filter(path__startswith=poll.node.path)
        .order_by("path")
        .values_list("pk", "name", "parent_id", "kind")
    )
    kinds = {pk: kind for pk, _name, _parent, kind in rows}
    nodes = []
    for pk, name, parent_id, kind in rows:
        parent = None if pk == poll.node_id else f"{kinds[parent_id]}-{parent_id}"
        nodes.append(TreeNode(f"{kind}-{pk}", name, parent, Level(kind)))
    return CommitteeTree(tuple(nodes), DEFAULT_MINIMUM_GROUP)


def open_election(actor: Actor, poll: Poll) -> Election:
    """Fix the election of encrypted ``poll``: its manifest, the standing key
    that serves it, one credential per member of the frozen electorate (device
    credentials from active voting keys, server-held ones for the others,
    sealed), the board's signing key (sealed) and the election hash.

    Precondition: inside the opening's transaction, after the electorate is
    frozen. ``NoElectionKey`` when no board's key serves the poll.
    """
    source = keys.key_source_for(poll)
    if source is None:
        raise NoElectionKey()
    manifest = manifest_for(poll)
    election_id = manifest.election_id
    parameters = Parameters.from_json(source.parameters_json)
    entries = list(
        ElectorateEntry.objects.filter(poll=poll).values_list("member_id", "committee_id")
    )
    voting_keys = dict(
        VotingKey.objects.filter(
            member_id__in=[m for m, _c in entries], revoked_at__isnull=True
        ).values_list("member_id", "public_key")
    )
    rows: list[ElectionCredential] = []
    for member_id, committee_id in entries:
        committee = _committee_code(committee_id)
        v = voting_keys.get(member_id)
        p: Point | None = None
        if v is not None:
            try:
                p = sb_credentials.election_credential(Point.from_hex(v), election_id)
            except ProtocolError:
                p = None  # a degenerate key (probability 2^-256): assist instead
        if p is not None:
            rows.append(
                ElectionCredential(
                    credential=p.hex(),
                    kind=CredentialKind.DEVICE,
                    committee_code=committee,
                    member_id=member_id,
                )
            )
        else:
            pair = sb_credentials.generate_server_credential()
            text = pair.public.hex()
            rows.append(
                ElectionCredential(
                    credential=text,
                    kind=CredentialKind.SERVER,
                    committee_code=committee,
                    member_id=member_id,
                    secret_sealed=sealing.seal(
                        pair.secret.to_bytes(), purpose=_credential_purpose(election_id, text)
                    ),
                )
            )
    # List order by credential: it tells nothing about who joined when.
    rows.sort(key=lambda r: r.credential)
    entries_json = [
        sb_credentials.CredentialEntry(
            Point.from_hex(r.credential), sb_credentials.CredentialKind(r.kind), r.committee_code
        )
        for r in rows
    ]
    h_c = sb_credentials.credentials_digest(entries_json, len(entries_json))
    try:
        tree = committee_tree_for(poll)
    except DecodingError as exc:
        raise NotEncryptable(
            _("A node's name beneath this poll cannot be put in the election record.")
        ) from exc
    board_key = sb_board.BoardKeyPair.generate()
    election_keys_partial = EngineElection(
        manifest,
        parameters,
        Point.from_hex(source.joint_key),
        tuple(Point.from_hex(vk) for vk in source.verification_keys),
        h_c,
        board_key.public,
        tree.digest(),
    )
    h_e = election_keys_partial.election_hash
    election_keys = ElectionKeys(
        h_e,
        election_keys_partial.joint_key,
        election_keys_partial.verification_keys,
        tuple(source.qualified),
        h_c,
        len(rows),
        board_key.public,
        tree.digest(),
    )
    election = Election.objects.create(
        poll=poll,
        election_id=election_id,
        manifest=manifest.to_json(),
        parameters=parameters.to_json(),
        ceremony=source.ceremony_json,
        committees=tree.to_json(),
        keys=election_keys.to_json(),
        election_hash=h_e.hex(),
        board_secret_sealed=sealing.seal(
            board_key.secret.to_bytes(), purpose=_board_purpose(election_id)
        ),
        head=tracker_start(h_e).hex(),
        device_credentials=sum(1 for r in rows if r.kind == CredentialKind.DEVICE),
        server_credentials=sum(1 for r in rows if r.kind == CredentialKind.SERVER),
    )
    for position, row in enumerate(rows, start=1):
        row.election = election
        row.position = position
    ElectionCredential.objects.bulk_create(rows, batch_size=2000)
    audit.record(
        actor=actor,
        action="election.opened",
        target=poll,
        data={
            "election_hash": h_e.hex(),
            "ceremony_id": parameters.ceremony_id,
            "credentials": len(rows),
            "server_held": election.server_credentials,
        },
    )
    return election


# --- the board ------------------------------------------------------------------


@functools.lru_cache(maxsize=64)
def _engine_election(election_pk: int, election_hash: str) -> EngineElection:
    """The engine's election context, rebuilt once per process and election
    (the hash is part of the key, so a reused id never finds another's)."""
    row = Election.objects.get(pk=election_pk)
    engine = load_election(row.manifest, row.parameters, row.keys)
    if engine.election_hash.hex() != election_hash:
        raise RuntimeError("the stored election does not hash to its election hash")
    return engine


def engine_election(election: Election) -> EngineElection:
    return _engine_election(election.pk, election.election_hash)


def ballot_size_limit(election: Election) -> int:
    """The largest body a valid ballot of this election can take, with room
    for spacing: anything larger is refused before it is parsed."""
    size = 2048
    for contest in engine_election(election).manifest.contests:
        per_option = (contest.option_max + 1) * 2 * 70 + 400
        size += len(contest.options) * per_option
        size += (contest.max_total - contest.min_total + 1) * 2 * 70 + 400
    return size * 2


@dataclass(frozen=True)
class Preview:
    index: int
    previous_tracker: str
    tracker: str


@dataclass(frozen=True)
class CastResult:
    receipt: dict[str, Any]
    line: dict[str, Any]


# What the board's writes read of an election: its public documents (the
# manifest, parameters, transcript, tree and keys, large JSON) are read once
# per process by ``engine_election``.
_BOARD_FIELDS = (
    "poll_id",
    "election_id",
    "election_hash",
    "board_secret_sealed",
    "head",
    "next_index",
    "audited_count",
)
_POLL_STATE = "SELECT id, state, closes_at FROM voting_poll WHERE id = %s"
# PostgreSQL: a share lock of the poll row only; casts do not exclude each other.
_POLL_STATE_SHARED = _POLL_STATE + " FOR SHARE"


def _election_for(voter: Member, poll_id: int, *, lock: bool) -> tuple[Poll, Election]:
    """The poll (open, the voter may vote) and its election, unlocked.

    ``lock``: read the poll's state under a share lock of its row, taken
    before anything is written. The close locks the poll row exclusively
    (``locked_poll``): a cast either commits before it or waits and then
    reads the poll closed. Casts share the lock, so they do not wait for
    each other here; the board's own lock comes later (``_lock_board``)."""
    poll = access.access_poll(Viewer.of(voter), poll_id, to="vote")
    if not poll.encrypted:
        raise NotFound()
    if lock:
        query = _POLL_STATE_SHARED if connection.vendor == "postgresql" else _POLL_STATE
        row = next(iter(Poll.objects.raw(query, [poll.pk])))
        poll.state, poll.closes_at = row.state, row.closes_at
    election = Election.objects.filter(poll=poll).only(*_BOARD_FIELDS).first()
    if poll.state == PollState.CLOSED or poll.voting_time_over:
        raise Conflict(_("This poll is closed; votes are no longer accepted."))
    if poll.state != PollState.OPEN or election is None:
        raise Conflict(_("This poll is not open for voting."))
    return poll, election


def _lock_board(election: Election) -> None:
    """Lock the election row and read the board's state again (head, next
    index, audits): appends and audits are serialised here.

    Precondition: the poll is share-locked (``_election_for(lock=True)``),
    the ballot checked and its ciphertexts claimed, so the lock is held for
    a few writes only. ``FOR NO KEY UPDATE`` does not conflict with the key
    share locks that inserts referencing the row take."""
    election.head, election.next_index, election.audited_count = (
        Election.objects.select_for_update(no_key=True)
        .filter(pk=election.pk)
        .values_list("head", "next_index", "audited_count")
        .get()
    )


def _claim(election: Election, ballot: Ballot) -> None:
    """Record the ballot's ciphertexts as seen. The unique constraint makes a
    replay fail here even when two arrive at once (``BallotReplayed``)."""
    try:
        with transaction.atomic():
            SeenCiphertext.objects.bulk_create(
                SeenCiphertext(election=election, alpha=a) for a in _alphas(ballot)
            )
    except IntegrityError:
        raise BallotReplayed() from None


def _own_credential(election: Election, voter: Member) -> ElectionCredential:
    own = ElectionCredential.objects.filter(election=election, member=voter).first()
    if own is None:
        raise Forbidden(
            _("You are outside this poll's electorate (it was fixed when the poll opened).")
        )
    return own


def _decode(election: Election, ballot: Any, body_size: int = 0) -> Ballot:
    """The ballot decoded against the election's manifest. ``body_size``: the
    request's size, refused when larger than any valid ballot's."""
    if body_size > ballot_size_limit(election):
        raise BallotTooLarge()
    try:
        return ballot_from_json(ballot, engine_election(election).manifest)
    except DecodingError as exc:
        raise InvalidEncryptedBallot(
            _("The ballot is not well formed at %(field)s: %(problem)s. Nothing was saved.")
            % {"field": exc.field or "ballot", "problem": exc.message},
            field="ballot",
        ) from None


@functools.lru_cache(maxsize=64)
def _board_key(election_id: str, election_hash: str, sealed: str) -> sb_board.BoardKeyPair:
    """The board's key pair, opened once per process and election instead of
    twice a cast (an AES-GCM opening and a base-point multiplication each).
    The sealed value is part of the key: a changed row is opened again, and
    one that no longer opens fails as before."""
    secret = sealing.unseal(sealed, purpose=_board_purpose(election_id))
    return sb_board.BoardKeyPair.from_secret(Scalar.from_bytes(secret))


def _board(election: Election) -> sb_board.Board:
    engine = engine_election(election)
    return sb_board.Board(
        engine,
        _board_key(election.election_id, election.election_hash, election.board_secret_sealed),
        head=Digest(bytes.fromhex(election.head)),
        next_index=election.next_index,
    )


def _alphas(ballot: Ballot) -> list[str]:
    return [o.ciphertext.alpha.hex() for c in ballot.contests for o in c.options]


def _checked(election: Election, voter: Member, ballot: Ballot) -> ElectionCredential:
    """The caller's credential, after the ballot is found to be signed by it
    and none of its ciphertexts was seen before. Proofs are the board's."""
    own = _own_credential(election, voter)
    if ballot.credential.hex() != own.credential:
        raise WrongCredential(field="ballot.credential")
    alphas = _alphas(ballot)
    if (
        len(set(alphas)) != len(alphas)
        or SeenCiphertext.objects.filter(election=election, alpha__in=alphas).exists()
    ):
        raise BallotReplayed()
    return own


def _refused(exc: VerificationError) -> InvalidEncryptedBallot:
    return InvalidEncryptedBallot(
        _("The board refused the ballot at %(field)s: %(problem)s. Nothing was saved.")
        % {"field": exc.field or "ballot", "problem": exc.message},
        field="ballot",
    )


def preview_encrypted_ballot(
    *, voter: Member, poll_id: int, ballot: Any, body_size: int = 0
) -> Preview:
    """Check ``ballot`` as the board would and say the tracker it would get
    if cast now (shown before the voter casts or audits). Writes nothing."""
    _poll, election = _election_for(voter, poll_id, lock=False)
    decoded = _decode(election, ballot, body_size)
    _checked(election, voter, decoded)
    board = _board(election)
    try:
        tracker = board.preview(decoded)
    except VerificationError as exc:
        raise _refused(exc) from None
    return Preview(board.next_index, election.head, tracker.hex())


# One statement instead of three (is the voter in the ledger, their
# electorate entry, the insert), by hand as for plain votes. The WHERE keeps
# SQLite from reading ON CONFLICT as part of the SELECT; PostgreSQL and
# SQLite both understand the rest. Only table names are formatted in.
_LEDGER_ENTER = f"""
INSERT INTO {VoteLedger._meta.db_table} (id, poll_id, member_id, committee_id)
SELECT %(id)s, e.poll_id, e.member_id, e.committee_id
FROM {ElectorateEntry._meta.db_table} e
WHERE e.poll_id = %(poll)s AND e.member_id = %(member)s
ON CONFLICT (poll_id, member_id) DO NOTHING
"""  # noqa: S608


def _cast_decoded(poll: Poll, election: Election, voter: Member, decoded: Ballot) -> CastResult:
    """Check ``decoded`` and put it on the board.

    Precondition: inside a transaction, after ``_election_for(lock=True)``.
    The proofs and signature are checked before the board is locked, the
    ciphertexts claimed and the voter entered in the ledger; only then is
    the election row locked, for the append itself."""
    _checked(election, voter, decoded)
    try:
        h_b = _board(election).check(decoded)
    except VerificationError as exc:
        raise _refused(exc) from None
    _claim(election, decoded)
    # The voter enters the ledger at their first cast; a later one (or a
    # second cast of the voter's that raced this one) inserts nothing.
    key = uuid.uuid4()
    with connection.cursor() as cursor:
        cursor.execute(
            _LEDGER_ENTER,
            {
                "id": key if connection.features.has_native_uuid_field else key.hex,
                "poll": poll.pk,
                "member": voter.pk,
            },
        )
    _lock_board(election)
    board = _board(election)
    line, receipt = board.append(decoded, h_b)
    line_json = cast_to_json(line)
    BoardLine.objects.create(
        election=election,
        index=line.index,
        previous_tracker=line.previous_tracker.hex(),
        tracker=line.tracker.hex(),
        line=line_json,
    )
    election.head = board.head.hex()
    election.next_index = board.next_index
    election.save(update_fields=["head", "next_index"])
    return CastResult(receipt=receipt.to_json(), line=line_json)


def cast_encrypted_ballot(
    *, voter: Member, poll_id: int, ballot: Any, body_size: int = 0
) -> CastResult:
    """Put ``ballot`` on the board: the next line with its index, previous
    tracker, tracker and the board's receipt, which is returned. The voter is
    recorded in the ledger (who voted, as for every poll); a later ballot of
    the same credential replaces this one in the count."""
    with transaction.atomic():
        poll, election = _election_for(voter, poll_id, lock=True)
        decoded = _decode(election, ballot, body_size)
        return _cast_decoded(poll, election, voter, decoded)


def audit_encrypted_ballot(
    *,
    voter: Member,
    poll_id: int,
    ballot: Any,
    nonce_seed: str,
    selections: Mapping[str, Sequence[int]],
    body_size: int = 0,
) -> dict[str, Any]:
    """Open ``ballot`` with its nonce seed and selections instead of casting
    it (Benaloh challenge): the board checks it encrypts them, publishes the
    line unlinked (no credential, signature or proofs) and never counts it.
    Its ciphertexts can never be cast; the voter makes a new ballot."""
    try:
        seed = bytes.fromhex(nonce_seed)
    except ValueError:
        seed = b""
    if len(seed) != NONCE_SEED_SIZE or nonce_seed != seed.hex():
        raise InvalidEncryptedBallot(
            _("The nonce seed is 64 lowercase hexadecimal digits."), field="nonce_seed"
        )
    with transaction.atomic():
        _poll, election = _election_for(voter, poll_id, lock=True)
        decoded = _decode(election, ballot, body_size)
        _checked(election, voter, decoded)
        try:
            # As for a cast: check and claim before the board is locked.
            _board(election).check(decoded)
            _claim(election, decoded)
            _lock_board(election)
            audited: AuditedBallot = _board(election).audit(decoded, seed, selections)
        except (VerificationError, ProtocolError, ValueError, KeyError) as exc:
            message = exc.message if isinstance(exc, VerificationError) else str(exc)
            raise InvalidEncryptedBallot(
                _("The ballot does not open to these selections: %(problem)s.")
                % {"problem": message},
                field="selections",
            ) from None
        manifest = engine_election(election).manifest
        line: dict[str, Any] = dict(audited_to_json(audited, manifest))
        election.audited_count += 1
        AuditedLine.objects.create(
            election=election,
            position=election.audited_count,
            tracker=audited.tracker.hex(),
            line=line,
        )
        election.save(update_fields=["audited_count"])
    return line


def cast_assisted_ballot(
    *, voter: Member, poll_id: int, choice: Sequence[int], scores: dict[str, int] | None = None
) -> CastResult:
    """Encrypt the member's choice on the server with their server-held
    credential and cast it. The choice is checked as for any poll, encrypted
    with a fresh nonce seed and forgotten: only the ballot is kept."""
    with transaction.atomic():
        poll, election = _election_for(voter, poll_id, lock=True)
        own = _own_credential(election, voter)
        if own.kind != CredentialKind.SERVER:
            raise Conflict(
                _(
                    "Your credential for this poll is on your device (you registered a"
                    " voting key): vote with the booth, which encrypts on your device."
                )
            )
        option_count = len(engine_election(election).manifest.contests[0].options)
        if scores is not None:
            checked = rules.validate_scores(
                scores, option_count=option_count, max_score=poll.max_score
            )
            positions: tuple[int, ...] = ()
        else:
            checked = None
            positions = rules.validate_choice(
                method=poll.method,
                positions=list(choice),
                option_count=option_count,
                max_choices=poll.max_choices,
            )
        engine = engine_election(election)
        selections = selections_for(poll, engine.manifest, positions=positions, scores=checked)
        secret = sealing.unseal(
            own.secret_sealed, purpose=_credential_purpose(election.election_id, own.credential)
        )
        credential = CredentialKeyPair.from_secret(Scalar.from_bytes(secret))
        try:
            ballot, _seed = encrypt_ballot(engine, credential, selections)
        except ProtocolError as exc:
            raise InvalidInput(str(exc), field="choice") from None
        del _seed  # never stored: it would reveal the choice
        return _cast_decoded(poll, election, voter, ballot)
