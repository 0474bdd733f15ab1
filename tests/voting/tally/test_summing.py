"""The sums' tasks: whole committees per task, each point decoded strictly,
the same sums however the committees are packed."""

from __future__ import annotations

import pytest

from asamblea.voting.encrypted import summing
from secret_ballot.elgamal import Ciphertext, encrypt, sum_ciphertexts
from secret_ballot.errors import DecodingError
from secret_ballot.group import Point, Scalar, base_mul


def _ballot(m: int, r: int) -> list[list[str]]:
    key = base_mul(Scalar(99))
    out = []
    for j in range(2):
        ct = encrypt(m if j == 0 else 1 - m, Scalar(r * 2 + j + 1), key)
        out.append([ct.alpha.hex(), ct.beta.hex()])
    return out


def _expected(ballots: list[list[list[str]]]) -> list[list[str]]:
    sums = []
    for j in range(2):
        total = sum_ciphertexts(
            [Ciphertext(Point.from_hex(b[j][0]), Point.from_hex(b[j][1])) for b in ballots]
        )
        sums.append([total.alpha.hex(), total.beta.hex()])
    return sums


def test_tasks_hold_whole_committees_and_give_the_same_sums(monkeypatch) -> None:
    by_committee = {
        7: [_ballot(1, r) for r in range(3)],
        2: [_ballot(r % 2, 10 + r) for r in range(4)],
        5: [_ballot(0, 20)],
    }
    monkeypatch.setattr(summing, "CHUNK", 3)
    tasks = summing.committee_tasks(by_committee, 2)
    # Tree order, never a committee split over two tasks.
    assert [[p for p, _b in t["committees"]] for t in tasks] == [[2], [5, 7]]
    results = [summing.sum_committees(t) for t in tasks]
    sums = summing.add_task_sums(results, 2)
    for position, ballots in by_committee.items():
        got = [[ct.alpha.hex(), ct.beta.hex()] for ct in sums[position]]
        assert got == _expected(ballots)
    # One task of everything gives the same.
    monkeypatch.setattr(summing, "CHUNK", 1000)
    (single,) = summing.committee_tasks(by_committee, 2)
    assert summing.add_task_sums([summing.sum_committees(single)], 2) == sums


def test_a_bad_ballot_fails_the_task() -> None:
    good = _ballot(1, 1)
    with pytest.raises(ValueError, match="number of options"):
        summing.sum_committees({"options": 2, "committees": [[1, [good, good[:1]]]]})
    with pytest.raises(DecodingError, match="identity"):
        summing.sum_committees({"options": 2, "committees": [[1, [[good[0], ["00", "00"]]]]]})
    with pytest.raises(DecodingError):
        summing.sum_committees(
            {"options": 2, "committees": [[1, [[good[0], [good[1][0].upper(), good[1][1]]]]]]}
        )
