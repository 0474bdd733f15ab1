"""The BLT reader: its fast path for plain ballots agrees with a plain reading
of the format, and every malformed line is still reported by line and field."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from asamblea.voting.methods.blt import parse_blt, write_blt
from asamblea.voting.methods.errors import ParseError

NAMES = ['"A"', '"B"', '"C"', '"D"', '"E"']


def reference(text: str) -> tuple[dict[tuple[tuple[int, ...], ...], int], int]:
    """The ballots of a well-formed file without withdrawn candidates, read
    the simplest way: grouped levels (numbered from 0) -> total weight, and
    the blank weight."""
    lines = [line.split("#")[0].strip() for line in text.splitlines()]
    lines = [line for line in lines if line]
    grouped: Counter[tuple[tuple[int, ...], ...]] = Counter()
    blank = 0
    for line in lines[1 : lines.index("0", 1)]:
        if line.startswith("("):
            line = line.split(")", 1)[1]
        weight, *ranks, zero = line.split()
        assert zero == "0"
        levels = tuple(tuple(sorted(int(c) - 1 for c in rank.split("="))) for rank in ranks)
        if levels:
            grouped[levels] += int(weight)
        else:
            blank += int(weight)
    return dict(grouped), blank


rank = st.sampled_from(["1", "2", "3", "4", "5", "01", "+2", "3=4", "5=1"])
ballot_line = st.tuples(
    st.sampled_from(["1", "2", "3", "07"]),
    st.lists(rank, max_size=5),
    st.sampled_from([" ", "  ", "\t", "\xa0", " \t"]),
    st.sampled_from(["", "(9) ", "(x1) "]),
    st.sampled_from(["", "  # a comment"]),
)


def render(weight: str, ranks: list[str], sep: str, ident: str, comment: str) -> str | None:
    numbers = [int(part) for r in ranks for part in r.split("=")]
    if len(set(numbers)) != len(numbers):
        return None
    return ident + sep.join([weight, *ranks, "0"]) + comment


@settings(max_examples=300, deadline=None)
@given(st.lists(ballot_line, min_size=1, max_size=30))
def test_fast_and_careful_paths_agree_with_a_plain_reading(lines):
    rendered = [r for r in (render(*line) for line in lines) if r is not None]
    text = "\n".join(["5 2", *rendered, "0", *NAMES, '"T"']) + "\n"
    profile, seats = parse_blt(text)
    assert seats == 2
    expected, blank = reference(text)
    assert dict(profile.ballots) == expected
    assert len(profile.ballots) == len(expected)  # no ranking listed twice
    assert profile.blank == blank
    again, _ = parse_blt(write_blt(profile, seats=2))
    assert dict(again.ballots) == expected


def test_identical_ballots_are_merged_across_weights_and_spellings():
    text = "3 1\n1 1 2 0\n2 1 2 0\n1  1 2 0\n1 01 2 0\n(7) 1 1 2 0\n1 0\n0\n" + "\n".join(NAMES[:3])
    profile, _ = parse_blt(text)
    assert profile.ballots == (((((0,), (1,)), 6)),)
    assert profile.blank == 1


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        # Errors past many good lines keep their own line number.
        ("1 1 2 0\n" * 50 + "1 1 1 0\n", 52, "candidate 1 is ranked twice"),
        ("1 1 2 0\n" * 50 + "1 1 6 0\n", 52, "unknown candidate number 6"),
        ("1 1 2 0\n" * 50 + "1 1 x 0\n", 52, "'x' is not a candidate number"),
        ("1 1 2 0\n" * 50 + "0 1 2 0\n", 52, "weight must be a positive integer"),
        ("1 1 2 0\n" * 50 + "y 1 2 0\n", 52, "'y' is not an integer"),
        ("1 1 2 0\n" * 50 + "1 1 2\n", 52, "must end with 0"),
        ("1 1 2 0\n" * 50 + "(5)\n", 52, "must end with 0"),
        # The first time a bad ballot appears is the line reported.
        ("1 2 2 0\n" * 3, 2, "candidate 2 is ranked twice"),
        ("1 1 2 0\n\n\n1 3 3 0\n", 5, "candidate 3 is ranked twice"),
    ],
)
def test_bad_ballot_lines_are_reported_by_line(body: str, line: int, message: str):
    text = "5 1\n" + body + "0\n" + "\n".join(NAMES) + "\n"
    with pytest.raises(ParseError) as caught:
        parse_blt(text)
    assert caught.value.where == f"line {line}"
    assert message in str(caught.value)


def test_withdrawn_candidates_take_the_careful_path():
    text = "3 1\n-2\n1 1 2 3 0\n1 2 0\n0\n" + "\n".join(NAMES[:3]) + "\n"
    profile, _ = parse_blt(text)
    assert profile.candidates == ("A", "C")
    assert profile.withdrawn == ("B",)
    assert dict(profile.ballots) == {((0,), (1,)): 1}
    assert profile.blank == 1


def test_missing_terminator_after_many_ballots_names_the_last_line():
    text = "2 1\n" + "1 1 2 0\n" * 10
    with pytest.raises(ParseError) as caught:
        parse_blt(text)
    assert caught.value.where == "line 11"
    assert "0 line" in str(caught.value)


@st.composite
def plain_files(draw: st.DrawFn) -> tuple[int, list[str]]:
    """Files the bulk reader takes: weights, distinct numbers, single spaces."""
    n = draw(st.integers(1, 70))
    ranking = st.permutations(range(1, n + 1)).flatmap(
        lambda p: st.integers(0, min(len(p), 8)).map(lambda k: p[:k])
    )
    ballot = st.tuples(st.integers(1, 10**12), ranking)
    ballots = draw(st.lists(ballot, min_size=1, max_size=40))
    return n, [" ".join(map(str, [w, *r, 0])) for w, r in ballots]


@settings(max_examples=200, deadline=None)
@given(plain_files())
def test_bulk_reader_equals_the_line_reader(case):
    n, lines = case
    names = [f'"N{i}"' for i in range(n)]
    bulk = "\n".join([f"{n} 1", *lines, "0", *names]) + "\n"
    # A comment line before the ballots sends the same file to the line reader.
    careful = "\n".join([f"{n} 1", "# the same ballots", *lines, "0", *names]) + "\n"
    fast, _ = parse_blt(bulk)
    slow, _ = parse_blt(careful)
    assert fast == slow
    assert len(fast.ballots) == len({levels for levels, _ in fast.ballots})
    assert dict(fast.ballots) == reference(bulk)[0]
    assert fast.blank == reference(bulk)[1]
