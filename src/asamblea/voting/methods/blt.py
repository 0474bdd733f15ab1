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

import gc
import re
import shlex
from collections import Counter
from collections.abc import Iterable
from typing import Any

import numpy as np

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


def _clean(raw: str) -> str:
    """A line without its comment and surrounding blanks (cheap when no ``#``)."""
    return _strip_comment(raw) if "#" in raw else raw.strip()


def parse_blt(text: str) -> tuple[RankedProfile, int]:
    """Parse BLT text; return the profile and the number of seats it declares."""
    # A million ballots allocate millions of tuples that all live until the
    # end; the cyclic garbage collector would walk them again and again (about
    # half the time) and can find no cycle among them.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _parse_blt(text)
    finally:
        if enabled:
            gc.enable()


def _parse_blt(text: str) -> tuple[RankedProfile, int]:
    raw_lines = text.splitlines()
    total = len(raw_lines)
    i = 0  # index of the next raw line; its line number is i + 1

    def next_line() -> tuple[int, str] | None:
        nonlocal i
        while i < total:
            line = _clean(raw_lines[i])
            i += 1
            if line:
                return i, line
        return None

    first = next_line()
    if first is None:
        raise ParseError("the file is empty", where="line 1")
    lineno, header = first
    numbers = _ints(header, lineno, "the header")
    if len(numbers) != 2:
        raise ParseError("the header must be 'candidates seats'", where=f"line {lineno}")
    n, seats = numbers
    if n < 1:
        raise ParseError("the number of candidates must be positive", where=f"line {lineno}")
    if seats < 1:
        raise ParseError("the number of seats must be positive", where=f"line {lineno}")
    withdrawn: set[int] = set()
    current = next_line()
    if current is not None and current[1].startswith("-"):
        lineno, line = current
        for w in _ints(line, lineno, "withdrawn candidates"):
            if not -n <= w <= -1:
                raise ParseError(f"withdrawn candidate {w} out of range", where=f"line {lineno}")
            withdrawn.add(-w - 1)
        current = next_line()
    plain = None
    if current is not None and current[0] == 2 and not withdrawn:
        plain = _read_plain_body(text, len(raw_lines[0]) + 1, n)
    if plain is not None:
        ballots, end = plain
        distinct, terminated, current = True, True, (end, "0")
    else:
        ballots, distinct, terminated, current = _read_ballots(raw_lines, current, n, withdrawn)
    if current is not None:
        lineno = current[0]
        i = lineno
    if not terminated:
        raise ParseError("missing the 0 line that ends the ballots", where=f"line {lineno}")
    current = next_line()
    names: list[str] = []
    for _ in range(n):
        if current is None:
            raise ParseError(
                f"expected {n} candidate names, found {len(names)}", where=f"line {lineno + 1}"
            )
        lineno, line = current
        names.append(_quoted(line, lineno, "a candidate name"))
        current = next_line()
    title = ""
    if current is not None:
        lineno, line = current
        title = _quoted(line, lineno, "the title")
        current = next_line()
    if current is not None:
        raise ParseError("unexpected text after the title", where=f"line {current[0]}")
    if len(set(names)) != len(names):
        raise ParseError("two candidates have the same name", where="candidate names")
    keep = [c for c in range(n) if c not in withdrawn]
    if not keep:
        raise ParseError("every candidate is withdrawn", where="withdrawn")
    if withdrawn:
        renumber = {old: new for new, old in enumerate(keep)}
        mapped: list[tuple[Levels, int]] = []
        for levels, weight in ballots:
            new_levels = tuple(
                tuple(renumber[c] for c in level if c in renumber) for level in levels
            )
            mapped.append((tuple(lv for lv in new_levels if lv), weight))
        ballots, distinct = mapped, False
    profile = RankedProfile.from_levels(
        [names[c] for c in keep],
        ballots,
        title=title,
        withdrawn=[names[c] for c in sorted(withdrawn)],
        distinct=distinct,
    )
    return profile, seats


_PLAIN_BYTES = np.zeros(256, bool)
_PLAIN_BYTES[[ord(c) for c in "0123456789 \n"]] = True


def _read_plain_body(text: str, start: int, n: int) -> tuple[list[tuple[Levels, int]], int] | None:
    """Read the ballots in bulk with numpy when they are plain, or return None.

    Plain means: the ballot lines begin right after the header, hold only
    digits, single-byte spaces and ``\n``, each is a positive weight, distinct
    candidate numbers from 1 to ``n`` (at most 63) and a final 0, and a line
    ``0`` ends them. Anything else (comments, identifiers, equal ranks,
    withdrawn candidates, blank lines, errors) returns None, and the careful
    line-by-line reader takes over and names the line and field at fault.
    Returns the distinct ballots with their total weights, and the line
    number of the ``0`` line.
    """
    if n > 63 or text[start - 1 : start] != "\n":
        return None
    end = text.find("\n0\n", start - 1)
    if end < start:
        return None  # no "0" line, or no ballot line before it
    body = text[start : end + 1]
    if not body.isascii():
        return None
    raw = np.frombuffer(body.encode("ascii"), np.uint8)
    if not _PLAIN_BYTES[raw].all():
        return None
    digit = (raw >= 48).view(np.int8)
    # Numbers begin and end alternately: where the digit flag changes.
    bounds = np.flatnonzero(np.diff(digit, prepend=np.int8(0), append=np.int8(0)))
    starts, ends = bounds[0::2], bounds[1::2]
    newlines = np.flatnonzero(raw == 10)
    lines = len(newlines)
    per_line = np.diff(np.searchsorted(starts, newlines), prepend=0)
    if (per_line < 2).any():
        return None  # a blank line, or a ballot without its weight or final 0
    sizes = ends - starts
    if sizes.max() > 18:
        return None  # a number too long for int64; the careful reader decides
    values = (raw[ends - 1] - 48).astype(np.int64)
    scale = 1
    for place in range(1, int(sizes.max())):
        scale *= 10
        longer = np.flatnonzero(sizes > place)
        values[longer] += (raw[ends[longer] - 1 - place] - 48).astype(np.int64) * scale
    last = np.cumsum(per_line) - 1
    first = last - per_line + 1
    weights = values[first]
    if (values[last] != 0).any() or (weights < 1).any():
        return None
    if int(weights.max()) * lines >= 1 << 62:
        return None  # totals might not fit in int64
    middle = np.ones(len(values), bool)
    middle[first] = False
    middle[last] = False
    numbers = values[middle]
    if len(numbers) and (numbers.min() < 1 or numbers.max() > n):
        return None
    ranked = per_line - 2
    has = ranked > 0
    if has.any():
        offsets = (np.cumsum(ranked) - ranked)[has]
        seen = np.bitwise_or.reduceat(np.left_shift(np.int64(1), numbers - 1), offsets)
        if (np.bitwise_count(seen) != ranked[has]).any():
            return None  # a candidate ranked twice
    # Group equal rankings by their bytes: each row of candidate numbers,
    # padded with zeros (which numpy's bytes type drops at the end).
    width = int(ranked.max())
    complete = width > 0 and bool((ranked == width).all())
    if complete:
        table = numbers.astype(np.uint8).reshape(lines, width)
    else:
        table = np.zeros((lines, max(width, 1)), np.uint8)
        row = np.repeat(np.arange(lines), ranked)
        column = np.arange(len(numbers)) - np.repeat(np.cumsum(ranked) - ranked, ranked)
        table[row, column] = numbers
    keys = table.view(f"S{table.shape[1]}").ravel().tolist()
    index: dict[bytes, int] = {}
    which = np.fromiter((index.setdefault(key, len(index)) for key in keys), np.int64, lines)
    totals = np.zeros(len(index), np.int64)
    np.add.at(totals, which, weights)
    levels_of: list[tuple[int, ...]] = [(), *((c,) for c in range(n))]
    rankings: Iterable[tuple[tuple[int, ...], ...]]
    if complete:
        # Rankings of one length: numpy picks each level from an object array.
        firsts = np.unique(which, return_index=True)[1]
        shared = np.empty(n + 1, dtype=object)
        for number, level in enumerate(levels_of):
            shared[number] = level
        rankings = map(tuple, shared[table[firsts]].tolist())
    else:
        rankings = (tuple(map(levels_of.__getitem__, key)) for key in index)
    ballots = list(zip(rankings, totals.tolist(), strict=True))
    return ballots, 1 + lines + 1


def _read_ballots(
    raw_lines: list[str],
    current: tuple[int, str] | None,
    n: int,
    withdrawn: set[int],
) -> tuple[list[tuple[Levels, int]], bool, bool, tuple[int, str] | None]:
    """Read ballot lines from ``current`` on, up to the ``0`` line.

    Return the ballots as (levels, weight) pairs, whether they are already
    distinct, whether the ``0`` line was found, and the line that stopped the
    reading (the ``0`` line, the first quoted line, or the last line read).

    A plain ballot (an integer weight, distinct candidate numbers written as
    ``1`` to ``n``, a final ``0``) is grouped by the text of its numbers and
    numbered once per distinct ballot. Any other
    line (equal ranks, withdrawn candidates, other spellings, errors) goes
    through the careful parser, which names the line and field at fault.
    """
    plain: dict[str, list[Any]] = {}
    other: Counter[Levels] = Counter()
    if current is None:
        return [], True, False, None
    get = plain.get
    level_of = {} if withdrawn else {str(c + 1): (c,) for c in range(n)}
    lineno, line = current
    index = lineno - 1
    total = len(raw_lines)
    terminated = False
    while True:
        if line[0] == "(":
            line = _ID.sub("", line)
        if line == "0":
            terminated = True
            break
        if line.startswith('"'):
            break
        tokens = line.split()
        entry = None
        if len(tokens) > 1 and tokens[-1] == "0":
            try:
                weight = int(tokens[0])
            except ValueError:
                weight = 0
            if weight >= 1:
                # One spelling per ranking: the numbers joined by single spaces.
                key = " ".join(tokens[1:])
                entry = get(key)
                if entry is None:
                    numbers = tokens[1:-1]
                    try:
                        ranking: Levels = tuple(map(level_of.__getitem__, numbers))
                    except KeyError:
                        pass
                    else:
                        if len(set(numbers)) == len(numbers):
                            entry = plain[key] = [ranking, 0]
                if entry is not None:
                    entry[1] += weight
        if entry is None:
            levels, weight = _parse_ballot(line, lineno, n, withdrawn)
            other[levels] += weight
        # The next non-blank line.
        while True:
            index += 1
            if index >= total:
                break
            raw = raw_lines[index]
            line = _strip_comment(raw) if "#" in raw else raw.strip()
            if line:
                lineno = index + 1
                break
        if index >= total:
            break
    # Distinct keys are distinct rankings, so plain ballots need no regrouping.
    ballots: list[tuple[Levels, int]] = [(lv, w) for lv, w in plain.values()]
    if other:
        ballots.extend(other.items())
    return ballots, not other, terminated, (lineno, line)


def _parse_ballot(line: str, lineno: int, n: int, withdrawn: set[int]) -> tuple[Levels, int]:
    where = f"line {lineno}"
    tokens = line.split()
    if not tokens or tokens[-1] != "0":
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
