"""A whole election in one process tree, written as a record (spec §10).

Key generation, a credential per voter, casting (with some re-votes and some
audited ballots), the tally and its threshold decryption. Ballots are
encrypted in worker processes in chunks of voters and streamed to disk, so
memory stays bounded whatever the number of voters. With the same ``seed``
the record is identical byte for byte, whatever ``jobs`` is.

Misuse: everything secret here (credentials, trustee polynomials, ballot
nonces) is derived from the seed. It is a test and benchmark tool, never a
way to run a real election.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from secret_ballot import jsonfields as jf
from secret_ballot.ballot import (
    CredentialKeyPair,
    ballot_digest,
    ballot_to_json,
    encrypt_ballot,
    next_tracker,
    tracker_start,
)
from secret_ballot.board import BoardKeyPair, sign_receipt
from secret_ballot.committees import DEFAULT_MINIMUM_GROUP, CommitteeTree, Level, Node
from secret_ballot.credentials import (
    CredentialEntry,
    CredentialKind,
    VotingKeyPair,
    credentials_digest,
)
from secret_ballot.dkg import transcript_to_json
from secret_ballot.election import Election, Parameters, TrusteeInfo
from secret_ballot.elgamal import Ciphertext
from secret_ballot.errors import ProtocolError
from secret_ballot.group import Point, base_mul
from secret_ballot.hash import Digest, hash_digest, hash_to_scalar
from secret_ballot.manifest import Contest, ContestKind, Manifest, Option
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
    ElectionKeys,
    RecordWriter,
    load_election,
)
from secret_ballot.tally import CommitteeAccumulator, decrypt_tally, tally_to_json
from secret_ballot.trustee import Trustee, run_ceremony

_TAG = "simulation"
_CHUNK_VOTERS = 500
#: Out of 1000 voters, how many cast a second ballot, and how many audit one first.
REVOTE_PER_MILLE = 50
AUDIT_PER_MILLE = 10
#: Out of 1000 voters, how many have a server-held credential (spec §5.5).
SERVER_HELD_PER_MILLE = 100
ELECTION_ID = "simulated-election"

#: The committee tree of the simulation: an assembly, two regions, two zones,
#: seven committees; (id, name, parent, level, voters out of 100). Some
#: committees stay below the minimum group size and are merged (spec §12),
#: one has no voter at all.
TREE: tuple[tuple[str, str, str | None, Level, int], ...] = (
    ("assembly", "Simulated assembly", None, Level.ASSEMBLY, 0),
    ("region-north", "North", "assembly", Level.REGION, 0),
    ("zone-lake", "Lake", "region-north", Level.ZONE, 0),
    ("committee-1", "Committee 1", "zone-lake", Level.COMMITTEE, 40),
    ("committee-2", "Committee 2", "zone-lake", Level.COMMITTEE, 3),
    ("zone-hills", "Hills", "region-north", Level.ZONE, 0),
    ("committee-3", "Committee 3", "zone-hills", Level.COMMITTEE, 2),
    ("committee-4", "Committee 4", "zone-hills", Level.COMMITTEE, 2),
    ("region-south", "South", "assembly", Level.REGION, 0),
    ("committee-5", "Committee 5", "region-south", Level.COMMITTEE, 50),
    ("committee-6", "Committee 6", "region-south", Level.COMMITTEE, 3),
    ("committee-7", "Committee 7", "assembly", Level.COMMITTEE, 0),
)


def committee_tree(minimum_group: int = DEFAULT_MINIMUM_GROUP) -> CommitteeTree:
    """The tree of :data:`TREE` with the given minimum group size."""
    return CommitteeTree(
        tuple(Node(i, name, parent, level) for i, name, parent, level, _ in TREE), minimum_group
    )


def _pattern() -> tuple[int, ...]:
    """Tree positions of the committees of 100 consecutive voters.

    The first six voters go to committees 1, 5, 2, 1, 5, 3 (so a small record
    has committees that stand and committees that are merged); the other 94
    follow the weights of :data:`TREE` by smooth weighted round robin.
    """
    first = ["committee-1", "committee-5", "committee-2", "committee-1", "committee-5"]
    first.append("committee-3")
    position = {row[0]: i for i, row in enumerate(TREE)}
    left = {row[0]: row[4] for row in TREE if row[4]}
    for c in first:
        left[c] -= 1
    out = [position[c] for c in first]
    total = sum(left.values())
    current = dict.fromkeys(left, 0)
    for _ in range(total):
        for c in current:
            current[c] += left[c]
        best = max(current, key=lambda c: current[c])
        current[best] -= total
        out.append(position[best])
    return tuple(out)


_PATTERN = _pattern()


@dataclass(frozen=True, slots=True)
class Summary:
    voters: int
    ballots_cast: int
    audited: int
    counts: dict[str, list[int]]
    trustees_present: tuple[int, ...]


def _draw(seed: bytes, *fields: str | int) -> int:
    return int.from_bytes(hash_digest(_TAG, seed, *fields)[:8], "big")


def _credential(
    seed: bytes, voter: int, server_held_per_mille: int
) -> tuple[CredentialKeyPair, CredentialKind]:
    """The voter's credential: from its voting key, or held by the server (spec §5.5)."""
    secret = hash_to_scalar(_TAG, seed, "credential", voter)
    if _draw(seed, "server-held", voter) % 1000 < server_held_per_mille:
        return CredentialKeyPair.from_secret(secret), CredentialKind.SERVER
    return VotingKeyPair.from_secret(secret).credential(ELECTION_ID), CredentialKind.DEVICE


def _committee_position(voter: int) -> int:
    return _PATTERN[voter % len(_PATTERN)]


def _committee(voter: int) -> str:
    return TREE[_committee_position(voter)][0]


def _credential_chunk(args: tuple[bytes, int, int, int]) -> list[tuple[bytes, str]]:
    seed, start, stop, server_held_per_mille = args
    out = []
    for v in range(start, stop):
        pair, kind = _credential(seed, v, server_held_per_mille)
        out.append((pair.public.encode(), kind.value))
    return out


@dataclass(frozen=True)
class _CastConfig:
    manifest: jf.JSON
    parameters: jf.JSON
    keys: jf.JSON
    seed: bytes
    revote_per_mille: int
    audit_per_mille: int
    server_held_per_mille: int


@dataclass
class _CastChunk:
    # ("cast" | "audit", h_B, JSON text, nonce seed for audits, selection): the
    # text is the ballot when cast, the "contests" of the audited line when audited.
    entries: list[tuple[str, bytes, str, bytes, int]]
    sums: list[tuple[int, list[tuple[bytes, bytes]]]]
    """Per committee position, the sums of the counted ballots."""
    counts: list[int]


# Per-process context of the pool, set once by its initializer.
_ELECTION: Election | None = None
_CONFIG: _CastConfig | None = None


def _init_cast(config: _CastConfig) -> None:
    global _ELECTION, _CONFIG
    _ELECTION = load_election(config.manifest, config.parameters, config.keys)
    _CONFIG = config


def _selection(election: Election, choice: int) -> dict[str, list[int]]:
    contest = election.manifest.contests[0]
    values = [0] * len(contest.options)
    values[choice] = 1
    return {contest.contest_id: values}


def _cast_chunk(bounds: tuple[int, int]) -> _CastChunk:
    election, config = _ELECTION, _CONFIG
    assert election is not None  # noqa: S101 - set by the initializer
    assert config is not None  # noqa: S101
    seed = config.seed
    h_e = election.election_hash
    k = len(election.manifest.contests[0].options)
    entries: list[tuple[str, bytes, str, bytes, int]] = []
    later: list[tuple[str, bytes, str, bytes, int]] = []
    acc = CommitteeAccumulator(election.manifest)
    counts = [0] * k
    for voter in range(*bounds):
        cred, _ = _credential(seed, voter, config.server_held_per_mille)
        choice = _draw(seed, "choice", voter) % k
        ballots = []
        if _draw(seed, "audit", voter) % 1000 < config.audit_per_mille:
            ballots.append(("audit", _draw(seed, "audit-choice", voter) % k))
        ballots.append(("cast", choice))
        if _draw(seed, "revote", voter) % 1000 < config.revote_per_mille:
            choice = _draw(seed, "revote-choice", voter) % k
            ballots.append(("revote", choice))
        for attempt, (kind, c) in enumerate(ballots):
            nonce_seed = hash_digest(_TAG, seed, "nonce-seed", voter, attempt)
            ballot, _ = encrypt_ballot(election, cred, _selection(election, c), nonce_seed)
            h_b = ballot_digest(h_e, ballot)
            if kind == "audit":
                text = jf.canonical_json(_audited_contests(ballot_to_json(ballot))).decode()
            else:
                text = jf.canonical_json(ballot_to_json(ballot)).decode()
            entry = ("audit" if kind == "audit" else "cast", h_b, text, nonce_seed, c)
            # A re-vote is placed after the rest of the chunk, so the
            # superseded ballot is not simply the line before.
            (later if kind == "revote" else entries).append(entry)
            if attempt == len(ballots) - 1:
                acc.add(_committee_position(voter), ballot)
        counts[choice] += 1
    entries += later
    return _CastChunk(entries, acc.encoded(), counts)


def simulate(
    *,
    voters: int,
    options: int,
    trustees: int,
    threshold: int,
    out: Path,
    jobs: int = 1,
    seed: bytes | None = None,
    revote_per_mille: int = REVOTE_PER_MILLE,
    audit_per_mille: int = AUDIT_PER_MILLE,
    server_held_per_mille: int = SERVER_HELD_PER_MILLE,
    absent_trustees: tuple[int, ...] = (),
    minimum_group: int = DEFAULT_MINIMUM_GROUP,
) -> Summary:
    """Run a whole election and write its record to ``out`` (a directory or .zip).

    Trustees in ``absent_trustees`` send nothing during the key ceremony; the
    others must be at least t.
    """
    if voters < 0 or not 2 <= options <= 256 or not 1 <= threshold <= trustees <= 255:
        raise ProtocolError("need voters >= 0, 2 <= options <= 256, 1 <= t <= n <= 255")
    if minimum_group < 1:
        raise ProtocolError("the minimum group size is at least 1")
    tree = committee_tree(minimum_group)
    if len(set(absent_trustees) & set(range(1, trustees + 1))) > trustees - threshold:
        raise ProtocolError("fewer than t trustees would take part in the ceremony")
    seed = secrets.token_bytes(32) if seed is None else seed
    manifest = Manifest(
        ELECTION_ID,
        "Simulated election",
        (
            Contest(
                "choice",
                "Choose one",
                ContestKind.ONE_OF_N,
                tuple(Option(f"option-{i + 1}", f"Option {i + 1}") for i in range(options)),
                1,
                1,
                1,
            ),
        ),
    )
    comm_secrets = [hash_to_scalar(_TAG, seed, "communication", i) for i in range(1, trustees + 1)]
    parameters = Parameters(
        "simulated-board",
        threshold,
        tuple(
            TrusteeInfo(i, f"Trustee {i}", base_mul(d)) for i, d in enumerate(comm_secrets, start=1)
        ),
    )
    members = [
        Trustee.create(parameters, i, d, seed=hash_digest(_TAG, seed, "trustee", i))
        for i, d in enumerate(comm_secrets, start=1)
    ]
    transcript, outcome = run_ceremony(members, silent=absent_trustees)
    if outcome.joint_key is None:
        raise ProtocolError(f"the key ceremony failed: {outcome.failure}")
    # The board's signing key pair (b, B); B enters h_E (spec §3.3).
    board_key = BoardKeyPair.from_secret(hash_to_scalar(_TAG, seed, "board"))
    ctx = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
    pool = ctx.Pool(jobs) if jobs > 1 else None
    try:
        bounds = [
            (s, min(s + _CHUNK_VOTERS * 4, voters)) for s in range(0, voters, _CHUNK_VOTERS * 4)
        ]
        cred_tasks = [(seed, a, b, server_held_per_mille) for a, b in bounds]
        cred_chunks = (
            pool.imap(_credential_chunk, cred_tasks) if pool else map(_credential_chunk, cred_tasks)
        )
        credential_list: list[tuple[bytes, str]] = []
        for chunk in cred_chunks:
            credential_list += chunk
    finally:
        if pool is not None:
            pool.close()
            pool.join()
    h_c = credentials_digest(
        (
            CredentialEntry(Point.decode(c), CredentialKind(kind), _committee(voter))
            for voter, (c, kind) in enumerate(credential_list)
        ),
        len(credential_list),
    )
    h_t = tree.digest()
    election = Election(
        manifest,
        parameters,
        outcome.joint_key,
        outcome.verification_keys,
        h_c,
        board_key.public,
        h_t,
    )
    keys = ElectionKeys(
        election.election_hash,
        outcome.joint_key,
        outcome.verification_keys,
        outcome.qualified,
        h_c,
        len(credential_list),
        board_key.public,
        h_t,
    )
    h_e = election.election_hash
    with RecordWriter(out) as writer:
        writer.write_json(MANIFEST_FILE, manifest.to_json())
        writer.write_json(PARAMETERS_FILE, parameters.to_json())
        writer.write_json(CEREMONY_FILE, transcript_to_json(transcript))
        writer.write_json(ELECTION_FILE, keys.to_json())
        writer.write_json(COMMITTEES_FILE, tree.to_json())
        with writer.open_text(CREDENTIALS_FILE) as f:
            # The canonical form of the array (JCS sorts the keys), written in a stream.
            f.write("[")
            f.write(
                ",".join(
                    f'{{"committee":"{_committee(voter)}","credential":"{c.hex()}",'
                    f'"kind":"{kind}"}}'
                    for voter, (c, kind) in enumerate(credential_list)
                )
            )
            f.write("]")
        del credential_list
        config = _CastConfig(
            manifest.to_json(),
            parameters.to_json(),
            keys.to_json(),
            seed,
            revote_per_mille,
            audit_per_mille,
            server_held_per_mille,
        )
        tasks = [(s, min(s + _CHUNK_VOTERS, voters)) for s in range(0, voters, _CHUNK_VOTERS)]
        totals = CommitteeAccumulator(manifest)
        counts = [0] * options
        head = tracker_start(h_e)
        cast_lines = 0
        audited = 0
        pool = ctx.Pool(jobs, initializer=_init_cast, initargs=(config,)) if jobs > 1 else None
        if pool is None:
            _init_cast(config)
        try:
            chunks = pool.imap(_cast_chunk, tasks) if pool else map(_cast_chunk, tasks)
            with writer.open_text(BALLOTS_FILE) as board, writer.open_text(AUDITED_FILE) as audits:
                for part in chunks:
                    for kind, h_b_raw, text, nonce_seed, choice in part.entries:
                        h_b = Digest(h_b_raw)
                        tracker = next_tracker(h_e, head, h_b)
                        if kind == "cast":
                            cast_lines += 1
                            receipt = sign_receipt(h_e, board_key, cast_lines, h_b, tracker)
                            board.write(
                                f'{{"ballot":{text},"index":{cast_lines},'
                                f'"previous_tracker":"{head.hex()}",'
                                f'"receipt":{{"c":"{receipt.c.hex()}","v":"{receipt.v.hex()}"}},'
                                f'"tracker":"{tracker.hex()}"}}\n'
                            )
                            head = tracker
                        else:
                            audits.write(
                                _audited_line(
                                    text, h_b, head, tracker, nonce_seed, election, choice
                                )
                            )
                            audited += 1
                    for committee, sums in part.sums:
                        totals.add_sums(
                            committee,
                            [
                                Ciphertext(
                                    Point.decode(a, allow_identity=True),
                                    Point.decode(b, allow_identity=True),
                                )
                                for a, b in sums
                            ],
                        )
                    counts = [a + b for a, b in zip(counts, part.counts, strict=True)]
        finally:
            if pool is not None:
                pool.close()
                pool.join()
        # The first trustees stay away: any t qualified ones must suffice.
        present = list(outcome.qualified[-threshold:])
        shares = {j: members[j - 1].key_share(outcome) for j in present}
        counted: dict[int, int] = {}
        for voter in range(voters):
            c = _committee_position(voter)
            counted[c] = counted.get(c, 0) + 1
        tally = decrypt_tally(
            election,
            tree,
            totals.sums(),
            counted,
            shares,
            ballots_cast=cast_lines,
            final_tracker=head,
        )
        decrypted = [o.count for o in tally.contests[0].options]
        if decrypted != counts:
            raise ProtocolError(f"tally {decrypted} differs from the plaintext counts {counts}")
        writer.write_json(TALLY_FILE, tally_to_json(tally))
    return Summary(voters, cast_lines, audited, {"choice": counts}, tuple(present))


def _audited_contests(ballot: jf.JSON) -> jf.JSON:
    """The "contests" of an audited line: the ballot's ciphertexts without proofs (§8.5)."""
    return [
        {
            "contest_id": c["contest_id"],
            "options": [
                {"option_id": o["option_id"], "alpha": o["alpha"], "beta": o["beta"]}
                for o in c["options"]
            ],
        }
        for c in ballot["contests"]
    ]


def _audited_line(
    contests: str,
    h_b: Digest,
    head: Digest,
    tracker: Digest,
    nonce_seed: bytes,
    election: Election,
    choice: int,
) -> str:
    contest = election.manifest.contests[0]
    values = [0] * len(contest.options)
    values[choice] = 1
    line = {
        "ballot_hash": h_b.hex(),
        "contests": json.loads(contests),
        "nonce_seed": nonce_seed.hex(),
        "previous_tracker": head.hex(),
        "selections": {contest.contest_id: values},
        "tracker": tracker.hex(),
    }
    return jf.canonical_json(line).decode() + "\n"
