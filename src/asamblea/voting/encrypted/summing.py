"""The homomorphic sums of a closed encrypted poll (spec §7.1, §12), through
the task runner (``core.tasks``).

The counted ballots are the last line of each credential. The parent reads
the board and hands out chunks of counted ballots' ciphertexts, each tagged
with its committee's position in the tree; a worker (a local process or a
Celery worker) decodes the points and adds them up per committee; the parent
adds the chunks' sums. Items and results are JSON values, as the task runner
requires. The ballots' proofs were checked when they were cast; a sum is
anyway checked again by anyone who verifies the record.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from asamblea.core.tasks import map_tasks, task
from asamblea.voting.encrypted.models import BoardLine, Election, ElectionCredential
from secret_ballot.committees import CommitteeTree
from secret_ballot.elgamal import Ciphertext
from secret_ballot.group import Point, PointAccumulator

CHUNK = 2000
"""Counted ballots per task."""

EncodedSums = list[list[str]]
"""[[alpha hex, beta hex] per option, in manifest order]."""


@task("voting.encrypted.sum_chunk")
def sum_chunk(item: dict[str, Any]) -> list[list[Any]]:
    """Add up one chunk: ``{"options": k, "ballots": [[committee position,
    [[alpha, beta] per option]], ...]}`` -> ``[[position, EncodedSums], ...]``."""
    k = int(item["options"])
    sums: dict[int, list[tuple[PointAccumulator, PointAccumulator]]] = {}
    for position, cts in item["ballots"]:
        if len(cts) != k:
            raise ValueError("a ballot with the wrong number of options")
        acc = sums.get(position)
        if acc is None:
            acc = sums[position] = [(PointAccumulator(), PointAccumulator()) for _ in range(k)]
        for (x, y), (a, b) in zip(acc, cts, strict=True):
            x.add(Point.from_hex(a))
            y.add(Point.from_hex(b))
    return [[p, [[x.value().hex(), y.value().hex()] for x, y in s]] for p, s in sums.items()]


@dataclass(frozen=True)
class BoardSums:
    committee_sums: dict[int, list[Ciphertext]]
    """Per committee position in the tree, the sums of its counted ballots."""
    counted: dict[int, int]
    """Per committee position, its counted ballots (absent: none)."""
    ballots_cast: int


def _ciphertexts(line: dict[str, Any]) -> list[list[str]]:
    return [[o["alpha"], o["beta"]] for c in line["ballot"]["contests"] for o in c["options"]]


def _chunks(
    election: Election, counted_lines: dict[int, int], option_count: int
) -> Iterator[dict[str, Any]]:
    ballots: list[list[Any]] = []
    rows = (
        BoardLine.objects.filter(election=election).order_by("index").values_list("index", "line")
    )
    for index, line in rows.iterator(chunk_size=1000):
        position = counted_lines.get(index)
        if position is None:
            continue  # superseded by a later ballot of the same credential
        ballots.append([position, _ciphertexts(line)])
        if len(ballots) == CHUNK:
            yield {"options": option_count, "ballots": ballots}
            ballots = []
    if ballots:
        yield {"options": option_count, "ballots": ballots}


def board_sums(
    election: Election, tree: CommitteeTree, option_count: int, *, jobs: int | None = None
) -> BoardSums:
    """Sum the counted ballots of ``election`` per committee (spec §7.1)."""
    committee_of = dict(
        ElectionCredential.objects.filter(election=election).values_list(
            "credential", "committee_code"
        )
    )
    last: dict[str, int] = {}
    cast = 0
    for index, credential in (
        BoardLine.objects.filter(election=election)
        .order_by("index")
        .values_list("index", "line__ballot__credential")
        .iterator(chunk_size=5000)
    ):
        last[credential] = index
        cast += 1
    counted_lines: dict[int, int] = {}
    counted: dict[int, int] = {}
    for credential, index in last.items():
        position = tree.committee_position(committee_of[credential])
        if position is None:
            raise ValueError(f"credential {credential} has a committee outside the tree")
        counted_lines[index] = position
        counted[position] = counted.get(position, 0) + 1
    sums: dict[int, list[tuple[PointAccumulator, PointAccumulator]]] = {}
    results = map_tasks(sum_chunk, list(_chunks(election, counted_lines, option_count)), jobs=jobs)
    for chunk in results:
        for position, encoded in chunk:
            acc = sums.get(position)
            if acc is None:
                acc = sums[position] = [
                    (PointAccumulator(), PointAccumulator()) for _ in range(option_count)
                ]
            for (x, y), (a, b) in zip(acc, encoded, strict=True):
                x.add(Point.from_hex(a, allow_identity=True))
                y.add(Point.from_hex(b, allow_identity=True))
    return BoardSums(
        committee_sums={
            p: [Ciphertext(x.value(), y.value()) for x, y in s] for p, s in sums.items()
        },
        counted=counted,
        ballots_cast=cast,
    )


def encode_sums(sums: dict[int, list[Ciphertext]]) -> dict[str, EncodedSums]:
    return {str(p): [[ct.alpha.hex(), ct.beta.hex()] for ct in s] for p, s in sums.items()}


def decode_sums(value: dict[str, EncodedSums]) -> dict[int, list[Ciphertext]]:
    return {
        int(p): [
            Ciphertext(
                Point.from_hex(a, allow_identity=True), Point.from_hex(b, allow_identity=True)
            )
            for a, b in s
        ]
        for p, s in value.items()
    }
