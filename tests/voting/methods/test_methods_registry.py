"""Every registered method counts through ``count`` and serialises to JSON."""

from __future__ import annotations

import json

import pytest

from asamblea.voting.methods import (
    METHODS,
    ApprovalProfile,
    ChoiceProfile,
    Profile,
    RankedProfile,
    ScoreProfile,
    count,
)

RANKED = RankedProfile.from_counts("ABCD", [(list("ABCD"), 3), (list("BCA"), 2), (["D"], 2)])
PROFILES: dict[str, Profile] = {
    "ranked": RANKED,
    "approval": ApprovalProfile.from_counts("ABC", [(["A", "B"], 2), (["C"], 1)]),
    "score": ScoreProfile.from_counts("ABC", [({"A": 3, "B": 5}, 2), ({"C": 4}, 1)]),
}


@pytest.mark.parametrize("name", sorted(METHODS))
def test_every_method_counts_and_serialises(name):
    spec = METHODS[name]
    seats = 2 if spec.multi_winner else 1
    if name == "policy":
        profile = ChoiceProfile.from_counts(["yes", "no", "abstain"], [("yes", 3), ("no", 1)])
        result = count(name, profile, entitled=10)
    elif name == "consent":
        profile = ChoiceProfile.from_counts(["consent", "stand_aside", "block"], [("consent", 3)])
        result = count(name, profile)
    elif "choice" in spec.ballot_kinds:
        result = count(name, RANKED)
    else:
        result = count(name, PROFILES[spec.ballot_kinds[0]], seats=seats)
    data = json.loads(json.dumps(result.to_dict()))
    assert next(iter(data)) == "winners"
    assert data["method"] == name
    assert isinstance(data["winners"], list)
    if name not in ("policy", "consent", "condorcet"):
        assert len(data["winners"]) == seats
