"""The command line, the BLT and JSON formats, and every bad-input case."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from asamblea.voting.methods import (
    ApprovalProfile,
    RankedProfile,
    ScoreProfile,
    count,
    parse_blt,
    parse_json,
    write_blt,
    write_json,
)
from asamblea.voting.methods.__main__ import main
from asamblea.voting.methods.errors import CountingError

TENNESSEE_BLT = """4 1
42 1 2 3 4 0
26 2 3 4 1 0
15 3 4 2 1 0
17 4 3 2 1 0
0
"Memphis"
"Nashville"
"Chattanooga"
"Knoxville"
"Tennessee capital"
"""


class Completed:
    def __init__(self, returncode: object, stdout: str, stderr: str) -> None:
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


@pytest.fixture
def run_cli(tmp_path, capsys):
    """Run the command in-process (fast); an escaping exception fails the test."""

    def run(text, *args, suffix=".blt"):
        path = tmp_path / f"poll{suffix}"
        path.write_text(text, encoding="utf-8")
        try:
            code = main(["count", *args, str(path)])
        except SystemExit as exc:
            code = exc.code  # type: ignore[assignment]
        out = capsys.readouterr()
        return Completed(code, out.out, out.err)

    return run


def run_subprocess(
    tmp_path: Path, text: str, *args: str, suffix: str = ".blt"
) -> subprocess.CompletedProcess[str]:
    path = tmp_path / f"poll{suffix}"
    path.write_text(text, encoding="utf-8")
    return subprocess.run(  # noqa: S603 - fixed argv, our own interpreter
        [sys.executable, "-m", "asamblea.voting.methods", "count", *args, str(path)],
        capture_output=True,
        text=True,
        check=False,
    )


def test_cli_json_output_lists_winners_first(tmp_path):
    proc = run_subprocess(tmp_path, TENNESSEE_BLT, "--method", "irv", "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert next(iter(data)) == "winners"
    assert data["winners"] == ["Knoxville"]
    assert data["rounds"][0]["action"] == "excluded"


def test_cli_text_output(run_cli):
    proc = run_cli(TENNESSEE_BLT, "--method", "schulze")
    assert proc.returncode == 0
    assert proc.stdout.startswith("winners: Nashville")
    assert "strongest_paths:" in proc.stdout


def test_cli_stv_with_seats_and_seed(run_cli):
    proc = run_cli(TENNESSEE_BLT, "--method", "meek-stv", "--seats", "2", "--seed", "s", "--json")
    data = json.loads(proc.stdout)
    assert len(data["winners"]) == 2
    assert data["seed"] == "s"


def test_cli_json_input_policy(run_cli):
    poll = {
        "entitled": 30,
        "present": 20,
        "policy": {"majority": "2/3", "base": "valid", "strict": False, "quorum": "1/2"},
        "ballots": [{"choice": "yes", "count": 10}, {"choice": "no", "count": 5}],
    }
    proc = run_cli(json.dumps(poll), "--method", "policy", "--json", suffix=".json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    # 10 x 3 = 30 >= 2 x 15 = 30: carried (not strict); 20 x 2 >= 1 x 30: quorum.
    assert data["winners"] == ["carried"]
    assert data["decision"]["yes_scaled"] == 30
    assert data["decision"]["threshold_scaled"] == 30


BAD_INPUTS = [
    ("bad header", "x y\n0\n", ".blt", "line 1", "header"),
    ("missing terminator", '2 1\n1 1 2 0\n"A"\n"B"\n', ".blt", "line 3", "0 line"),
    ("too few names", '2 1\n1 1 2 0\n0\n"A"\n', ".blt", "line 5", "candidate names"),
    ("repeated candidate", '2 1\n1 1 1 0\n0\n"A"\n"B"\n', ".blt", "line 2", "ranked twice"),
    ("unknown number", '2 1\n1 1 3 0\n0\n"A"\n"B"\n', ".blt", "line 2", "unknown candidate"),
    ("no final zero", '2 1\n1 1 2\n0\n"A"\n"B"\n', ".blt", "line 2", "end with 0"),
    ("bad weight", '2 1\nx 1 2 0\n0\n"A"\n"B"\n', ".blt", "line 2", "weight"),
    ("unquoted name", "2 1\n1 1 2 0\n0\nA\nB\n", ".blt", "line 4", "double quotes"),
    ("empty file", "", ".blt", "line 1", "empty"),
    ("malformed json", '{"ballots": [', ".json", "line 1", "invalid JSON"),
    (
        "json repeats",
        '{"candidates": ["A", "B"], "ballots": [{"ranking": ["A"]}, {"ranking": ["A", "A"]}]}',
        ".json",
        "ballots[1]",
        "ranked twice",
    ),
    (
        "json skips a rank",
        '{"candidates": ["A", "B"], "ballots": [{"ranks": {"A": 1, "B": 3}}]}',
        ".json",
        "ballots[0].ranks",
        "rank 2 is skipped",
    ),
    (
        "json unknown name",
        '{"candidates": ["A", "B"], "ballots": [{"ranking": ["Z"]}]}',
        ".json",
        "ballots[0]",
        "unknown candidate",
    ),
    (
        "json mixed kinds",
        '{"candidates": ["A"], "ballots": [{"ranking": ["A"]}, {"approve": ["A"]}]}',
        ".json",
        "ballots[1]",
        "ranked ballots",
    ),
    (
        "json bad count",
        '{"candidates": ["A"], "ballots": [{"ranking": ["A"], "count": 0}]}',
        ".json",
        "ballots[0].count",
        "positive integer",
    ),
    ("json no ballots", '{"candidates": ["A"], "ballots": []}', ".json", "ballots", "no ballots"),
]


@pytest.mark.parametrize(
    ("text", "suffix", "where", "message"),
    [case[1:] for case in BAD_INPUTS],
    ids=[case[0] for case in BAD_INPUTS],
)
def test_bad_input_is_a_clear_error_with_exit_code_2(run_cli, text, suffix, where, message):
    proc = run_cli(text, "--method", "irv", suffix=suffix)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert where in proc.stderr
    assert message in proc.stderr
    assert proc.stdout == ""


@pytest.mark.parametrize(
    ("args", "text", "message"),
    [
        (["--method", "scottish-stv", "--seats", "5"], TENNESSEE_BLT, "5 seats but only 4"),
        (["--method", "nonsense"], TENNESSEE_BLT, "unknown method"),
        (["--method", "irv", "--seats", "2"], TENNESSEE_BLT, "elects one winner"),
        (["--method", "approval"], TENNESSEE_BLT, "approval ballots"),
        (["--method", "irv"], '2 1\n3 0\n0\n"A"\n"B"\n', "no valid ballots"),
        (["--method", "irv"], '2 1\n1 1=2 0\n0\n"A"\n"B"\n', "equal ranks"),
        (["--method", "borda", "--seats", "x"], TENNESSEE_BLT, "invalid int"),
    ],
    ids=[
        "too many seats",
        "unknown method",
        "seats for single",
        "wrong kind",
        "empty",
        "equal",
        "bad option",
    ],
)
def test_count_errors_exit_2(run_cli, args, text, message):
    proc = run_cli(text, *args)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert message in proc.stderr


def test_missing_file_exit_2(tmp_path, capsys):
    assert main(["count", "--method", "irv", str(tmp_path / "none.blt")]) == 2
    assert "No such file" in capsys.readouterr().err


def test_blt_withdrawn_and_equal_ranks_round_trip():
    text = '3 1\n-3\n2 1=2 3 0\n1 3 2 0\n1 0\n0\n"A"\n"B"\n"C"\n"T"\n'
    profile, seats = parse_blt(text)
    assert profile.candidates == ("A", "B")
    assert profile.withdrawn == ("C",)
    assert profile.blank == 1
    assert dict(profile.ballots) == {((0, 1),): 2, ((1,),): 1}
    again, _ = parse_blt(write_blt(profile, seats=seats))
    assert again.candidates == profile.candidates
    assert dict(again.ballots) == dict(profile.ballots)
    assert again.blank == 1


@pytest.mark.parametrize(
    "profile",
    [
        RankedProfile.from_counts("ABC", [(["A", ["B", "C"]], 2), (["C"], 1)]),
        ApprovalProfile.from_counts("ABC", [(["A", "B"], 2), ([], 1)]),
        ScoreProfile.from_counts("AB", [({"A": 5, "B": 1}, 3)], max_score=5),
    ],
    ids=["ranked", "approval", "score"],
)
def test_json_round_trip(profile):
    poll = parse_json(write_json(profile, seats=1))
    assert poll.profile == profile


def test_library_errors_are_counting_errors():
    with pytest.raises(CountingError, match="ranked twice"):
        RankedProfile.from_rankings("AB", [("A", "A")])
    with pytest.raises(CountingError, match="equal ranks"):
        count("scottish-stv", RankedProfile.from_counts("AB", [([["A", "B"]], 1)]))


def test_subprocess_bad_input_has_no_traceback(tmp_path):
    proc = run_subprocess(tmp_path, '2 1\n1 1 3 0\n0\n"A"\n"B"\n', "--method", "irv")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "line 2: unknown candidate number 3" in proc.stderr


def test_profile_groups_equivalent_spellings_of_a_ranking():
    profile = RankedProfile.from_rankings(
        "ABC", [("A", "B"), ("A", ("B",)), ["A", ["B"]], ("C",), ()]
    )
    assert dict(profile.ballots) == {((0,), (1,)): 3, ((2,),): 1}
    assert profile.blank == 1
    with pytest.raises(CountingError, match="unknown candidate 'Z'"):
        RankedProfile.from_rankings("ABC", [("A", "Z")])


def test_blt_hash_inside_quotes_is_part_of_the_name_not_a_comment() -> None:
    text = '2 1\n1 2 1 0  # a comment\n0\n"Lista #1"\n"Lista #2"\n"Title # 7"\n'
    profile, seats = parse_blt(text)
    assert seats == 1
    assert profile.candidates == ("Lista #1", "Lista #2")
    assert profile.title == "Title # 7"
