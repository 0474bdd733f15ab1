"""Counting a poll with the methods library (``asamblea.voting.methods``).

Every method is counted here, at every level of the tree: ``results`` reads
the ballots grouped per committee (identical ballots of a committee become
one row with a weight), adds the groups up along the tree, and asks
:class:`LevelCounter` for each level's result. ``LevelCounter`` hands the
grouped profile to the library with the poll's seed, so ties are broken by
lot everywhere, exactly as a recount of the export breaks them.

The grouped profile of the whole poll is what ``export_text`` writes, so
``python -m asamblea.voting.methods count`` on an export of a pooled poll
gives the stored result at the poll's node back.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Sum

from asamblea.voting import rules
from asamblea.voting.methods import (
    ApprovalProfile,
    ChoiceProfile,
    CountingError,
    Policy,
    Profile,
    RankedProfile,
    ScoreProfile,
    count,
    evaluate_policy,
    write_blt,
    write_json,
)
from asamblea.voting.models import (
    Ballot,
    ElectorateEntry,
    Method,
    Outcome,
    Poll,
)

BallotKey = tuple[Any, ...]
"""A ballot frozen for grouping: positions (masks), ranks of positions
(rankings) or a row of integers, one per option (scores, grade numbers)."""

EXPORT_FORMATS = ("blt", "json")


def candidate_names(poll: Poll, labels: list[tuple[str, str]]) -> list[str]:
    """Names of the options for the library: the labels, except where the
    library knows the options by code (``policy`` and ``consent``)."""
    if poll.method in (Method.YES_NO_ABSTAIN, Method.CONSENT):
        return [code for code, _label in labels]
    return [label for _code, label in labels]


def ballot_key(kind: str, mask: int, data: Any, option_count: int) -> BallotKey:
    """Freeze a stored ballot so that identical ballots compare equal.

    Precondition: the ballot was checked by ``rules`` when it was cast.
    """
    if kind == rules.KIND_MASK:
        return rules.decode_mask(mask)
    if kind == rules.KIND_RANKING:
        return tuple(tuple(level) for level in data[kind])
    values = data[kind]
    if kind == rules.KIND_SCORES:
        return tuple(int(values.get(str(p), 0)) for p in range(option_count))
    return tuple(
        rules.GRADES.index(values.get(str(p), rules.GRADES[0])) for p in range(option_count)
    )


def build_profile(
    poll: Poll, names: list[str], groups: Mapping[BallotKey, int], *, title: str = ""
) -> Profile:
    """The library's profile of grouped ballots, in a fixed order (so that
    nothing about the order of casting reaches a result or an export)."""
    kind = rules.ballot_kind(poll.method)
    items = sorted((key, n) for key, n in groups.items() if n > 0)
    if kind == rules.KIND_RANKING:
        levels = [(tuple(tuple(level) for level in key), n) for key, n in items]
        return RankedProfile.from_levels(names, levels, title=title)
    if kind in (rules.KIND_SCORES, rules.KIND_GRADES):
        rows = [(dict(zip(names, key, strict=True)), n) for key, n in items]
        if kind == rules.KIND_GRADES:
            return ScoreProfile.from_counts(names, rows, grades=rules.GRADES, title=title)
        return ScoreProfile.from_counts(names, rows, max_score=poll.max_score, title=title)
    if poll.method in (Method.APPROVAL, Method.BLOCK_APPROVAL):
        return ApprovalProfile.from_counts(
            names,
            [([names[p] for p in key], n) for key, n in items],
            title=title,
        )
    return ChoiceProfile.from_counts(
        names,
        [(names[key[0]] if key else None, n) for key, n in items],
        title=title,
    )


def _option_counts(kind: str, groups: Mapping[BallotKey, int], option_count: int) -> dict[str, int]:
    """Per option: choices or approvals (masks), first preferences (rankings),
    total scores (scores); nothing for grades (their table is the explanation)."""
    totals = [0] * option_count
    if kind == rules.KIND_GRADES:
        return {}
    for key, n in groups.items():
        if kind == rules.KIND_MASK:
            for p in key:
                totals[p] += n
        elif kind == rules.KIND_RANKING:
            for p in key[0]:
                totals[p] += n
        else:
            for p, value in enumerate(key):
                totals[p] += value * n
    return {str(p): totals[p] for p in range(option_count)}


def grouped_ballots(poll: Poll, kind: str, option_count: int) -> Iterable[tuple[int, Any, int]]:
    """(committee id, frozen ballot, weight) with identical ballots of a
    committee already summed by the database.

    This is the one place that reads ballot rows, for the count and for the
    export. Mask ballots are grouped by their mask alone (their ``data`` is
    empty), which keeps the grouping of a million-ballot poll to integers.
    """
    if kind == rules.KIND_MASK:
        masks = (
            Ballot.objects.filter(poll=poll)
            .values("committee_id", "mask")
            .annotate(w=Sum("weight"))
            .order_by()
            .values_list("committee_id", "mask", "w")
        )
        # A few distinct masks per committee: tens of thousands of small rows,
        # fetched at once (a server-side cursor would add round trips).
        for committee_id, mask, weight in masks:
            yield committee_id, rules.decode_mask(mask), weight
        return
    rows = (
        Ballot.objects.filter(poll=poll)
        .values("committee_id", "mask", "data")
        .annotate(w=Sum("weight"))
        .order_by()
        .values_list("committee_id", "mask", "data", "w")
    )
    for committee_id, mask, data, weight in rows.iterator(chunk_size=2000):
        yield committee_id, ballot_key(kind, mask, data, option_count), weight


@dataclass(frozen=True)
class LevelCount:
    """The count of one level: what its ``PollResult`` stores."""

    outcome: str
    quorum_met: bool
    counts: dict[str, int]
    detail: dict[str, Any]


class LevelCounter:
    """Counts the levels of one poll: its option names, its method and, for
    yes/no/abstain, its policy are read once (ten thousand levels share them).
    """

    def __init__(self, poll: Poll) -> None:
        self.poll = poll
        self.names = option_names(poll)
        self.kind = rules.ballot_kind(poll.method)
        self.method = rules.registry_name(poll.method)
        self.policy = (
            rules.make_policy(
                majority_num=poll.majority_num,
                majority_den=poll.majority_den,
                majority_base=poll.majority_base,
                majority_strict=poll.majority_strict,
                quorum_num=poll.quorum_num,
                quorum_den=poll.quorum_den,
            )
            if poll.method == Method.YES_NO_ABSTAIN
            else None
        )
        # The names are checked by the library once; each level's mask
        # ballots (checked when cast) then go into a profile without
        # checking the names again, ten thousand times.
        self.candidates: tuple[str, ...] | None = None
        if self.kind == rules.KIND_MASK:
            try:
                self.candidates = ChoiceProfile.from_counts(self.names, ()).candidates
            except CountingError:
                self.candidates = None  # each level reports it through build_profile

    def _profile(self, groups: Mapping[BallotKey, int]) -> Profile:
        """The library's profile of one level's grouped ballots."""
        if self.candidates is None:
            return build_profile(self.poll, self.names, groups)
        items = sorted((key, n) for key, n in groups.items() if n > 0)
        if self.poll.method in (Method.APPROVAL, Method.BLOCK_APPROVAL):
            return ApprovalProfile(self.candidates, tuple((frozenset(k), n) for k, n in items))
        return ChoiceProfile(self.candidates, tuple((k[0] if k else None, n) for k, n in items))

    def count(
        self,
        groups: Mapping[BallotKey, int],
        *,
        participants: int,
        entitled_weight: int,
        explain: bool = True,
    ) -> LevelCount:
        """Count one level of the tree: its grouped ballots, or its
        committees' blocks (one group per option, weighted by the block).

        Every method is counted by the library with the poll's seed, so a tie
        is broken by lot exactly as ``python -m asamblea.voting.methods
        count`` breaks it on the export. Yes/no/abstain is decided by the
        library's policy arithmetic; the other methods check the quorum
        first. ``tie`` remains only for a level with nothing to count (no
        valid ballot). ``participants`` and ``entitled_weight`` are weights
        (ballots or blocks). ``explain=False`` leaves the library's
        explanation out of ``detail`` (for rows stored compact, whose
        explanation is recomputed when shown).
        """
        if self.policy is not None:
            return self._policy(self.policy, groups, entitled_weight)
        poll = self.poll
        met = rules.quorum_met(
            participants=participants,
            entitled=entitled_weight,
            quorum_num=poll.quorum_num,
            quorum_den=poll.quorum_den,
        )
        detail: dict[str, Any] = {
            "method": self.method,
            "winners": [],
            "seats": poll.seats,
            "seed": poll.seed,
            "quorum_required": f"{poll.quorum_num}/{poll.quorum_den}",
            "participants": participants,
            "entitled_weight": entitled_weight,
        }
        counts = _option_counts(self.kind, groups, len(self.names))
        if not met:
            return LevelCount(Outcome.NO_QUORUM, False, counts, detail)
        try:
            result = count(self.method, self._profile(groups), seats=poll.seats, seed=poll.seed)
        except CountingError as exc:
            # No valid ballot at this level: nothing to decide, not even by lot.
            detail["error"] = exc.code
            return LevelCount(Outcome.TIE, True, counts, detail)
        position = {name: p for p, name in enumerate(self.names)}
        detail["winners"] = [position[w] for w in result.winners if w in position]
        if explain:
            detail["explanation"] = result.to_dict()
        if poll.method == Method.CONSENT:
            # The library carries a consent proposal by naming "carried" the winner.
            outcome = Outcome.CARRIED if result.winners == ("carried",) else Outcome.REJECTED
        else:
            outcome = Outcome.DECIDED if detail["winners"] else Outcome.TIE
        return LevelCount(outcome, True, counts, detail)

    def _policy(
        self, policy: Policy, groups: Mapping[BallotKey, int], entitled_weight: int
    ) -> LevelCount:
        totals = _option_counts(rules.KIND_MASK, groups, len(self.names))
        decision = evaluate_policy(
            policy,
            yes=totals.get(str(rules.YES), 0),
            no=totals.get(str(rules.NO), 0),
            abstain=totals.get(str(rules.ABSTAIN), 0),
            entitled=entitled_weight,
        )
        detail: dict[str, Any] = {
            "base": str(decision.base),
            "base_votes": decision.base_votes,
            "majority": decision.majority,
            "strict": decision.strict,
            "yes": decision.yes,
            "yes_scaled": decision.yes_scaled,
            "threshold_scaled": decision.threshold_scaled,
            "majority_met": decision.majority_met,
            "fraction": f"{decision.yes}/{decision.base_votes}",
            "quorum_required": decision.quorum_required,
            "participants": decision.participants,
            "entitled_weight": entitled_weight,
        }
        return LevelCount(str(decision.outcome), decision.quorum_met, totals, detail)


def option_names(poll: Poll) -> list[str]:
    """The library's names of the poll's options, in position order."""
    options = list(poll.options.order_by("position").values_list("code", "label"))
    return candidate_names(poll, options)


def poll_profile(poll: Poll) -> Profile:
    """Every ballot of the poll, grouped, as the library's profile.

    Precondition: the poll has at least one option.
    """
    names = option_names(poll)
    kind = rules.ballot_kind(poll.method)
    groups: Counter[BallotKey] = Counter()
    for _committee_id, key, weight in grouped_ballots(poll, kind, len(names)):
        groups[key] += weight
    return build_profile(poll, names, groups, title=poll.question)


def export_text(poll: Poll, fmt: str) -> str:
    """The anonymised ballots of ``poll`` as BLT (ranked polls) or JSON.

    No ids, no voters, no committees, no order of casting: each distinct
    ballot once with its count. Preconditions: ``fmt`` is in
    ``EXPORT_FORMATS`` and BLT is asked only of a ranked poll.
    """
    profile = poll_profile(poll)
    if fmt == "blt":
        if not isinstance(profile, RankedProfile):
            raise ValueError("BLT holds ranked ballots only")
        return write_blt(profile, seats=poll.seats)
    text = write_json(profile, seats=poll.seats)
    if poll.method != Method.YES_NO_ABSTAIN:
        return text
    # A policy recount also needs the electorate and the decision rule.
    data = json.loads(text)
    data["entitled"] = (
        ElectorateEntry.objects.filter(poll=poll).aggregate(w=Sum("weight"))["w"] or 0
    )
    data["policy"] = {
        "majority": f"{poll.majority_num}/{poll.majority_den}",
        "base": poll.majority_base,
        "strict": poll.majority_strict,
        "quorum": f"{poll.quorum_num}/{poll.quorum_den}",
    }
    return json.dumps(data, ensure_ascii=False, indent=1)
