"""The BLT ballot format (as read and written by OpenSTV and others).

::

    4 2            number of candidates, number of seats
    -2             optional: withdrawn candidates, as negative numbers
    3 1 2 0        a ballot: weight, candidate numbers in order, 0
    1 4 1=3 0      equal ranks joined by "=" (an extension; 1 and 3 tie)
    2 0            a blank ballot
    0              end of ballots
    "Ana"          candidate names in quotes, in number order
    "Bea"
    "Carla"
    "Dina"
    "Election title"

Candidates are numbered from 1. Blank lines and text after a ``#`` outside
double quotes are ignored. An optional ballot identifier in parentheses before the
weight (``(17) 1 2 3 0``) is ignored. Withdrawn candidates are removed from
the profile and from every ballot before counting.
"""

from __future__ import annotations

import re
import shlex

from asamblea.voting.methods.errors import ParseError
from asamblea.voting.methods.profile import Levels, RankedProfile

_ID = re.compile(r"^\(\S*\)\s*")


def _ints(text: str, lineno: int, what: str) -> list[int]:
    try:
        return [int(tok) for tok in text.split()]
    except ValueError:
        raise ParseError(f"{what} must be integers: {text!r}", where=f"line {lineno}") from None


def _quoted(line: str, lineno: int, what: str) -> str:
    try:
        parts = shlex.split(line)
    except ValueError:
        raise ParseError(f"{what} must be in double quotes", where=f"line {lineno}") from None
    if len(parts) != 1 or not line.lstrip().startswith('"'):
        raise ParseError(f"{what} must be one name in double quotes", where=f"line {lineno}")
    return parts[0]


def _strip_comment(raw: str) -> str:
    """Cut the line at the first ``#`` that is not inside double quotes, so that
    a candidate called "Lista #2" keeps its name."""
    quoted = False
    for index, char in enumerate(raw):
        if char == '"':
            quoted = not quoted
        elif char == "#" and not quoted:
            return raw[:index].strip()
    return raw.strip()


def parse_blt(text: str) -> tuple[RankedProfile, int]:
    """Parse BLT text; return the profile and the number of seats it declares."""
    lines = [(i + 1, _strip_comment(raw)) for i, raw in enumerate(text.splitlines())]
    lines = [(i, line) for i, line in lines if line]
    if not lines:
        raise ParseError("the file is empty", where="line 1")
    pos = 0
    lineno, header = lines[pos]
    numbers = _ints(header, lineno, "the header")
    if len(numbers) != 2:
        raise ParseError("the header must be 'candidates seats'", where=f"line {lineno}")
    n, seats = numbers
    if n < 1:
        raise ParseError("the number of candidates must be positive", where=f"line {lineno}")
    if seats < 1:
        raise ParseError("the number of seats must be positive", where=f"line {lineno}")
    pos += 1
    withdrawn: set[int] = set()
    if pos < len(lines) and lines[pos][1].startswith("-"):
        lineno, line = lines[pos]
        for w in _ints(line, lineno, "withdrawn candidates"):
            if not -n <= w <= -1:
                raise ParseError(f"withdrawn candidate {w} out of range", where=f"line {lineno}")
            withdrawn.add(-w - 1)
        pos += 1
    ballots: list[tuple[Levels, int]] = []
    terminated = False
    while pos < len(lines):
        lineno, line = lines[pos]
        pos += 1
        line = _ID.sub("", line)
        if line == "0":
            terminated = True
            break
        if line.startswith('"'):
            break
        ballots.append(_parse_ballot(line, lineno, n, withdrawn))
    if not terminated:
        raise ParseError("missing the 0 line that ends the ballots", where=f"line {lineno}")
    names: list[str] = []
    for _ in range(n):
        if pos >= len(lines):
            raise ParseError(
                f"expected {n} candidate names, found {len(names)}", where=f"line {lineno + 1}"
            )
        lineno, line = lines[pos]
        names.append(_quoted(line, lineno, "a candidate name"))
        pos += 1
    title = ""
    if pos < len(lines):
        lineno, line = lines[pos]
        title = _quoted(line, lineno, "the title")
        pos += 1
    if pos < len(lines):
        raise ParseError("unexpected text after the title", where=f"line {lines[pos][0]}")
    if len(set(names)) != len(names):
        raise ParseError("two candidates have the same name", where="candidate names")
    keep = [c for c in range(n) if c not in withdrawn]
    if not keep:
        raise ParseError("every candidate is withdrawn", where="withdrawn")
    renumber = {old: new for new, old in enumerate(keep)}
    mapped: list[tuple[Levels, int]] = []
    for levels, weight in ballots:
        new_levels = tuple(tuple(renumber[c] for c in level if c in renumber) for level in levels)
        mapped.append((tuple(lv for lv in new_levels if lv), weight))
    profile = RankedProfile.from_levels(
        [names[c] for c in keep],
        mapped,
        title=title,
        withdrawn=[names[c] for c in sorted(withdrawn)],
    )
    return profile, seats


def _parse_ballot(line: str, lineno: int, n: int, withdrawn: set[int]) -> tuple[Levels, int]:
    where = f"line {lineno}"
    tokens = line.split()
    if tokens[-1] != "0":
        raise ParseError("a ballot must end with 0", where=where)
    try:
        weight = int(tokens[0])
    except ValueError:
        raise ParseError(f"ballot weight {tokens[0]!r} is not an integer", where=where) from None
    if weight < 1:
        raise ParseError("ballot weight must be a positive integer", where=where)
    seen: set[int] = set()
    levels: list[tuple[int, ...]] = []
    for tok in tokens[1:-1]:
        level: list[int] = []
        for part in tok.split("="):
            try:
                number = int(part)
            except ValueError:
                raise ParseError(f"{tok!r} is not a candidate number", where=where) from None
            if not 1 <= number <= n:
                raise ParseError(f"unknown candidate number {number}", where=where)
            if number - 1 in seen:
                raise ParseError(f"candidate {number} is ranked twice", where=where)
            seen.add(number - 1)
            level.append(number - 1)
        levels.append(tuple(sorted(level)))
    return tuple(levels), weight


def write_blt(profile: RankedProfile, *, seats: int = 1) -> str:
    """Write grouped ballots as BLT (weights are the group counts)."""
    out = [f"{len(profile.candidates)} {seats}"]
    for levels, count in sorted(profile.ballots, key=lambda b: (-b[1], b[0])):
        ranks = " ".join("=".join(str(c + 1) for c in level) for level in levels)
        out.append(f"{count} {ranks} 0")
    if profile.blank:
        out.append(f"{profile.blank} 0")
    out.append("0")
    out.extend(_quote(name) for name in profile.candidates)
    out.append(_quote(profile.title))
    return "\n".join(out) + "\n"


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
