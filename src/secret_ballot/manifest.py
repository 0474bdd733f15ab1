"""The election manifest: contests, their kinds, options and bounds (spec §5.2)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from secret_ballot import jsonfields as jf
from secret_ballot.chaum_pedersen import MAX_BRANCHES
from secret_ballot.errors import DecodingError
from secret_ballot.hash import Digest, hash_digest

#: Pattern of every id: election, contest, option, committee (spec §2.2).
ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}")
_ID = ID_PATTERN
#: Longest title or label, in Unicode code points (spec §2.1).
MAX_TEXT = 1000
_MAX_CONTESTS = 64
_MAX_OPTIONS = 256


class ContestKind(StrEnum):
    """The kinds of contest (spec §5.2)."""

    YES_NO_ABSTAIN = "yes-no-abstain"
    """Three options, exactly one chosen: L = 1, min = max = 1."""
    ONE_OF_N = "one-of-n"
    """At most one option: L = 1, max = 1, min 0 (blank allowed) or 1."""
    APPROVAL = "approval"
    """k-of-n approval: L = 1, any min <= max <= number of options."""
    SCORE = "score"
    """Score or cumulative: up to L per option, total in [min, max]."""


@dataclass(frozen=True, slots=True)
class Option:
    option_id: str
    label: str


@dataclass(frozen=True, slots=True)
class Contest:
    """One question on the ballot."""

    contest_id: str
    title: str
    kind: ContestKind
    options: tuple[Option, ...]
    option_max: int
    """L in the spec: the largest value of one option."""
    min_total: int
    """min in the spec: the smallest allowed sum over the options."""
    max_total: int
    """max in the spec: the largest allowed sum over the options."""

    def __post_init__(self) -> None:
        self._check()

    def _check(self) -> None:
        k = len(self.options)
        jf.label(self.title, "title", MAX_TEXT)
        for i, option in enumerate(self.options):
            jf.label(option.label, jf.join(jf.join("options", i), "label"), MAX_TEXT)
        lo, hi, cap = self.min_total, self.max_total, self.option_max
        if not _ID.fullmatch(self.contest_id):
            raise DecodingError("contest ids are 1-64 of [A-Za-z0-9_.-]", "contest_id")
        if not 1 <= k <= _MAX_OPTIONS:
            raise DecodingError(f"a contest has 1 to {_MAX_OPTIONS} options", "options")
        ids = [o.option_id for o in self.options]
        if len(set(ids)) != k or not all(_ID.fullmatch(i) for i in ids):
            raise DecodingError("option ids are unique, 1-64 of [A-Za-z0-9_.-]", "options")
        if cap < 1 or cap + 1 > MAX_BRANCHES:
            raise DecodingError(f"option_max is in [1, {MAX_BRANCHES - 1}]", "option_max")
        if not 0 <= lo <= hi <= cap * k or hi - lo + 1 > MAX_BRANCHES:
            raise DecodingError("need 0 <= min <= max <= L·options, max-min < 1024", "max")
        kind = self.kind
        if kind is ContestKind.YES_NO_ABSTAIN and (k, cap, lo, hi) != (3, 1, 1, 1):
            raise DecodingError("yes-no-abstain: 3 options, L = 1, min = max = 1", "kind")
        if kind is ContestKind.ONE_OF_N and (cap != 1 or hi != 1 or k < 2):
            raise DecodingError("one-of-n: at least 2 options, L = 1, max = 1", "kind")
        if kind is ContestKind.APPROVAL and cap != 1:
            raise DecodingError("approval: L = 1", "kind")

    def check_selection(self, values: list[int] | tuple[int, ...]) -> None:
        """Raise ``ValueError`` unless ``values`` is an allowed selection."""
        if len(values) != len(self.options):
            raise ValueError(f"contest {self.contest_id}: one value per option")
        if any(isinstance(v, bool) or not 0 <= v <= self.option_max for v in values):
            raise ValueError(f"contest {self.contest_id}: each value in [0, {self.option_max}]")
        if not self.min_total <= sum(values) <= self.max_total:
            raise ValueError(
                f"contest {self.contest_id}: total in [{self.min_total}, {self.max_total}]"
            )

    def to_json(self) -> jf.JSON:
        return {
            "contest_id": self.contest_id,
            "title": self.title,
            "kind": self.kind.value,
            "options": [{"option_id": o.option_id, "label": o.label} for o in self.options],
            "option_max": self.option_max,
            "min": self.min_total,
            "max": self.max_total,
        }

    @classmethod
    def from_json(cls, value: jf.JSON, field: jf.FieldPath) -> Contest:
        keys = ("contest_id", "title", "kind", "options", "option_max", "min", "max")
        o = jf.obj(value, field, keys)
        kind_text = jf.text(o["kind"], jf.join(field, "kind"))
        try:
            kind = ContestKind(kind_text)
        except ValueError:
            raise DecodingError("unknown contest kind", jf.join(field, "kind")) from None
        options = []
        opt_field = jf.join(field, "options")
        for i, item in enumerate(jf.array(o["options"], opt_field)):
            f = jf.join(opt_field, i)
            oo = jf.obj(item, f, ("option_id", "label"))
            options.append(
                Option(
                    jf.text(oo["option_id"], jf.join(f, "option_id")),
                    jf.label(oo["label"], jf.join(f, "label"), MAX_TEXT),
                )
            )
        contest_id = jf.text(o["contest_id"], jf.join(field, "contest_id"))
        title = jf.label(o["title"], jf.join(field, "title"), MAX_TEXT)
        option_max = jf.integer(o["option_max"], jf.join(field, "option_max"))
        min_total = jf.integer(o["min"], jf.join(field, "min"))
        max_total = jf.integer(o["max"], jf.join(field, "max"))
        try:
            return cls(contest_id, title, kind, tuple(options), option_max, min_total, max_total)
        except DecodingError as exc:
            raise exc.at(field) from None


@dataclass(frozen=True, slots=True)
class Manifest:
    """What is being decided: the contests in ballot order (spec §5.2)."""

    election_id: str
    title: str
    contests: tuple[Contest, ...]

    def __post_init__(self) -> None:
        if not _ID.fullmatch(self.election_id):
            raise DecodingError("election ids are 1-64 of [A-Za-z0-9_.-]", "election_id")
        jf.label(self.title, "title", MAX_TEXT)
        if not 1 <= len(self.contests) <= _MAX_CONTESTS:
            raise DecodingError(f"1 to {_MAX_CONTESTS} contests", "contests")
        if len({c.contest_id for c in self.contests}) != len(self.contests):
            raise DecodingError("contest ids are unique", "contests")

    def contest(self, contest_id: str) -> Contest:
        for c in self.contests:
            if c.contest_id == contest_id:
                return c
        raise KeyError(contest_id)

    def to_json(self) -> jf.JSON:
        return {
            "election_id": self.election_id,
            "title": self.title,
            "contests": [c.to_json() for c in self.contests],
        }

    @classmethod
    def from_json(cls, value: jf.JSON, field: jf.FieldPath = "manifest") -> Manifest:
        o = jf.obj(value, field, ("election_id", "title", "contests"))
        cf = jf.join(field, "contests")
        contests = tuple(
            Contest.from_json(c, jf.join(cf, i)) for i, c in enumerate(jf.array(o["contests"], cf))
        )
        election_id = jf.text(o["election_id"], jf.join(field, "election_id"))
        title = jf.label(o["title"], jf.join(field, "title"), MAX_TEXT)
        try:
            return cls(election_id, title, contests)
        except DecodingError as exc:
            raise exc.at(field) from None

    def digest(self) -> Digest:
        """h_M = D_manifest(JCS(manifest)) (spec §3.3)."""
        return hash_digest("manifest", jf.canonical_json(self.to_json()))
