"""The homomorphic sums of a closed encrypted poll (spec §7.1, §12), through
the task runner (``core.tasks``).

The counted ballots are the last line of each credential. The parent reads
the board in chunks, gathers the counted ballots' ciphertexts by committee
and hands out tasks of whole committees (a committee is never split); a
worker (a local process or a Celery worker) decodes each point once and adds
a committee's points of each option in one call; the parent decodes one sum
per committee. Items and results are JSON values, as the task runner
requires. The ballots' proofs were checked when they were cast; a sum is
anyway checked again by anyone who verifies the record.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from asamblea.core.tasks import map_tasks, task
from asamblea.voting.encrypted.models import BoardLine, Election, ElectionCredential
from secret_ballot.committees import CommitteeTree
from secret_ballot.elgamal import Ciphertext
from secret_ballot.group import Point, PointAccumulator, sum_hex

CHUNK = 2000
"""Counted ballots per task, about: a committee's ballots are never split."""

EncodedSums = list[list[str]]
"""[[alpha hex, beta hex] per option, in manifest order]."""

EncodedBallot = list[list[str]]
"""A counted ballot's ciphertexts: [[alpha hex, beta hex] per option]."""


@task("voting.encrypted.sum_committees")
def sum_committees(item: dict[str, Any]) -> list[list[Any]]:
    """Add up whole committees: ``{"options": k, "committees": [[committee
    position, [EncodedBallot, ...]], ...]}`` -> ``[[position, EncodedSums], ...]``.

    Every point is decoded once, strictly (no identity in a ballot), and each
    option's points of a committee are added in one call.
    """
    k = int(item["options"])
    out: list[list[Any]] = []
    for position, ballots in item["committees"]:
        alphas: list[list[str]] = [[] for _ in range(k)]
        betas: list[list[str]] = [[] for _ in range(k)]
        for cts in ballots:
            if len(cts) != k:
                raise ValueError("a ballot with the wrong number of options")
            for j, (a, b) in enumerate(cts):
                alphas[j].append(a)
                betas[j].append(b)
        out.append(
            [
                position,
                [[sum_hex(x).hex(), sum_hex(y).hex()] for x, y in zip(alphas, betas, strict=True)],
            ]
        )
    return out


def committee_tasks(
    by_committee: dict[int, list[EncodedBallot]], option_count: int
) -> list[dict[str, Any]]:
    """The items for :func:`sum_committees`: whole committees, in tree order,
    packed into tasks of about :data:`CHUNK` ballots, so that the parent
    decodes one sum per committee rather than one per committee and task."""
    tasks: list[dict[str, Any]] = []
    current: list[list[Any]] = []
    size = 0
    for position in sorted(by_committee):
        ballots = by_committee[position]
        current.append([position, ballots])
        size += len(ballots)
        if size >= CHUNK:
            tasks.append({"options": option_count, "committees": current})
            current = []
            size = 0
    if current:
        tasks.append({"options": option_count, "committees": current})
    return tasks


def add_task_sums(
    results: Iterable[list[list[Any]]], option_count: int
) -> dict[int, list[Ciphertext]]:
    """Per committee position, the sums returned by :func:`sum_committees`."""
    sums: dict[int, list[tuple[PointAccumulator, PointAccumulator]]] = {}
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
    return {p: [Ciphertext(x.value(), y.value()) for x, y in s] for p, s in sums.items()}


@dataclass(frozen=True)
class BoardSums:
    committee_sums: dict[int, list[Ciphertext]]
    """Per committee position in the tree, the sums of its counted ballots."""
    counted: dict[int, int]
    """Per committee position, its counted ballots (absent: none)."""
    ballots_cast: int


def _ciphertexts(line: dict[str, Any]) -> EncodedBallot:
    return [[o["alpha"], o["beta"]] for c in line["ballot"]["contests"] for o in c["options"]]


def _by_committee(
    election: Election, counted_lines: dict[int, int]
) -> dict[int, list[EncodedBallot]]:
    """The counted ballots' ciphertexts per committee position, read in chunks."""
    found: dict[int, list[EncodedBallot]] = {}
    rows = (
        BoardLine.objects.filter(election=election).order_by("index").values_list("index", "line")
    )
    for index, line in rows.iterator(chunk_size=1000):
        position = counted_lines.get(index)
        if position is None:
            continue  # superseded by a later ballot of the same credential
        found.setdefault(position, []).append(_ciphertexts(line))
    return found


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
    tasks = committee_tasks(_by_committee(election, counted_lines), option_count)
    results = map_tasks(sum_committees, tasks, jobs=jobs)
    return BoardSums(
        committee_sums=add_task_sums(results, option_count),
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
