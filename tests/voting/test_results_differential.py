"""The stored result against a recount of the export, for every method.

For each method of ``voting.models.Method``, polls with seeded random ballots
(few voters, so that ties are frequent) are closed, exported as a voter
downloads them, and recounted by the command-line counter in a separate
process (``python -m asamblea.voting.methods count``). The winners, their
order, every draw by lot and the outcome must be the ones stored at the
close.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from asamblea.federation.models import Node
from asamblea.voting import rules, selectors, services
from asamblea.voting.methods import ChoiceProfile
from asamblea.voting.methods import count as library_count
from asamblea.voting.models import Method, Poll, PollResult
from tests.factories import join, make_member
from tests.voting.conftest import open_poll

pytestmark = pytest.mark.django_db

NAMES = ["Ana", "Bea", "Carla", "Dora", "Eva"]
SEEDS = range(3)
CONSENT_CODES = list(rules.CONSENT_CODES)


def _recount(poll: Poll, path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    command = [
        sys.executable,
        "-m",
        "asamblea.voting.methods",
        "count",
        "--method",
        rules.registry_name(poll.method),
        "--seed",
        poll.seed,
        "--json",
        *extra,
        str(path),
    ]
    # The command is this interpreter and the counter module, with arguments built here.
    return subprocess.run(command, capture_output=True, text=True, check=False, timeout=120)  # noqa: S603


def _voters(fed, rng: random.Random) -> list[Any]:
    voters = [fed.secretary, fed.member, fed.other_member, fed.neighbour, fed.outsider]
    committees = [fed.committee_a1, fed.committee_a2, fed.committee_b1]
    for _ in range(rng.randint(0, 4)):
        voter = make_member()
        join(voter, rng.choice(committees))
        voters.append(voter)
    return voters


def _settings(method: str, rng: random.Random) -> dict[str, Any]:
    """Poll settings drawn for ``method`` (options, seats, policy...)."""
    if method in (Method.YES_NO_ABSTAIN, Method.CONSENT):
        settings: dict[str, Any] = {"options": None}
    else:
        settings = {"options": NAMES[: rng.randint(2, 5)]}
    count = len(settings["options"] or ())
    if method == Method.YES_NO_ABSTAIN:
        den = rng.randint(1, 4)
        qden = rng.randint(1, 4)
        settings.update(
            majority_num=rng.randint(0, den),
            majority_den=den,
            majority_base=rng.choice(["cast", "valid", "entitled"]),
            majority_strict=rng.random() < 0.5,
            quorum_num=rng.randint(0, qden),
            quorum_den=qden,
        )
    if method in rules.MULTI_WINNER_METHODS:
        settings["seats"] = rng.randint(1, count - 1)
    if method == Method.APPROVAL:
        settings["max_choices"] = rng.randint(1, count)
    if method == Method.SCORE:
        settings["max_score"] = rng.randint(1, 4)
    return settings


def _ballot(poll: Poll, count: int, rng: random.Random) -> dict[str, Any]:
    """Keyword arguments of ``cast_ballot`` for one random, valid ballot."""
    method = poll.method
    if method == Method.YES_NO_ABSTAIN:
        return {"choice": [rng.choice(rules.YES_NO_ABSTAIN_CODES)]}
    if method == Method.CONSENT:
        return {"choice": [rng.choice(CONSENT_CODES)]}
    if method == Method.SINGLE:
        return {"choice": [rng.randrange(count)]}
    if method in (Method.APPROVAL, Method.BLOCK_APPROVAL):
        return {"choice": rng.sample(range(count), rng.randint(0, poll.max_choices))}
    if method == Method.SCORE:
        scored = rng.sample(range(count), rng.randint(0, count))
        return {"ballot": {"scores": {str(p): rng.randint(0, poll.max_score) for p in scored}}}
    if method == Method.MAJORITY_JUDGMENT:
        grades = rules.GRADES[: rng.randint(2, len(rules.GRADES))]
        return {"ballot": {"grades": {str(p): rng.choice(grades) for p in range(count)}}}
    ranked = rng.sample(range(count), rng.randint(1, count))
    levels: list[list[int]] = []
    for position in ranked:
        if levels and method in rules.EQUAL_RANKS_ALLOWED and rng.random() < 0.3:
            levels[-1].append(position)
        else:
            levels.append([position])
    return {"ballot": {"ranking": levels}}


def _closed_poll(fed, method: str, seed: int) -> Poll:
    rng = random.Random(f"{method}/{seed}")
    voters = _voters(fed, rng)
    # The roll-up starts from different depths: the export of a poll at a
    # region or zone holds only the ballots of its subtree.
    node = rng.choice([fed.assembly, fed.assembly, fed.region_a, fed.zone_a])
    poll = open_poll(fed.operator, node, method=method, secret=True, **_settings(method, rng))
    count = poll.options.count()
    electorate = set(poll.electorate.values_list("member_id", flat=True))
    for voter in voters:
        if voter.pk in electorate and rng.random() < 0.85:
            services.cast_ballot(voter=voter, poll=poll, **_ballot(poll, count, rng))
    return services.close_poll(actor=fed.operator, poll=poll)


def _export(poll: Poll, tmp_path: Path, fmt: str) -> Path:
    text = selectors.export_ballots_for(member=poll.created_by, poll=poll, fmt=fmt)
    path = tmp_path / f"poll-{poll.pk}-ballots.{fmt}"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("method", Method.values)
def test_stored_result_is_the_recount_of_the_export(fed, tmp_path, method, seed):
    poll = _closed_poll(fed, method, seed)
    fmt = "blt" if rules.ballot_kind(method) == rules.KIND_RANKING and seed % 2 == 0 else "json"
    extra = ["--seats", str(poll.seats)] if method in rules.MULTI_WINNER_METHODS else []
    done = _recount(poll, _export(poll, tmp_path, fmt), *extra)
    stored = PollResult.objects.get(poll=poll, node=poll.node)
    if not poll.ballots.exists():
        # Nothing to count: the counter refuses the file and no winner is stored.
        assert done.returncode == 2, done.stdout
        assert stored.outcome in ("tie", "rejected", "no_quorum")
        assert stored.detail.get("winners", []) == []
        return
    assert done.returncode == 0, done.stderr
    recount = json.loads(done.stdout)
    if method == Method.YES_NO_ABSTAIN:
        decision = recount["decision"]
        assert decision["outcome"] == stored.outcome
        assert decision["quorum_met"] == stored.quorum_met
        counts = [decision["yes"], decision["no"], decision["abstain"]]
        assert counts == [stored.counts[str(p)] for p in range(3)]
        assert decision["threshold_scaled"] == stored.detail["threshold_scaled"]
        return
    explanation = stored.detail["explanation"]
    if method == Method.CONSENT:
        assert recount["responses"] == explanation["responses"]
        assert stored.outcome == ("carried" if recount["outcome"] == "carried" else "rejected")
        return
    labels = list(poll.options.order_by("position").values_list("label", flat=True))
    assert recount["winners"] == [labels[p] for p in stored.detail["winners"]]
    assert stored.outcome == "decided"
    assert recount["lots"] == explanation["lots"]
    assert recount.get("co_winners") == explanation.get("co_winners")


@pytest.mark.parametrize("method", Method.values)
def test_poll_without_ballots_stores_no_winner_and_recounts_to_nothing(fed, tmp_path, method):
    rng = random.Random(method)
    poll = open_poll(fed.operator, fed.assembly, method=method, **_settings(method, rng))
    poll = services.close_poll(actor=fed.operator, poll=poll)
    fmt = "blt" if rules.ballot_kind(method) == rules.KIND_RANKING else "json"
    extra = ["--seats", str(poll.seats)] if method in rules.MULTI_WINNER_METHODS else []
    done = _recount(poll, _export(poll, tmp_path, fmt), *extra)
    assert done.returncode == 2
    stored = PollResult.objects.get(poll=poll, node=poll.node)
    assert stored.detail.get("winners", []) == []
    if method != Method.YES_NO_ABSTAIN:
        assert stored.outcome == "tie"
        assert stored.detail["error"] == "empty_poll"


def test_the_draws_really_happen(fed):
    """Guard against a generator that never produces a tie: across the seeded
    polls above, some stored results were decided by lot."""
    drawn = 0
    for method in (Method.SINGLE, Method.APPROVAL, Method.BORDA):
        for seed in SEEDS:
            poll = _closed_poll(fed, method, seed)
            top = PollResult.objects.get(poll=poll, node=poll.node)
            drawn += bool(top.detail.get("explanation", {}).get("lots"))
    assert drawn > 0


@pytest.mark.parametrize("seed", SEEDS)
def test_every_level_is_the_count_of_its_own_subtree(fed, seed):
    """Pooled, each level's stored result is the library's count of the
    ballots cast in its subtree, whatever depth its committees sit at."""
    rng = random.Random(f"levels/{seed}")
    voters = _voters(fed, rng)
    poll = open_poll(fed.operator, fed.assembly, method="single", options=NAMES[:3], secret=False)
    cast: list[tuple[int, int]] = []  # (committee id, position)
    committee_of = dict(poll.electorate.values_list("member_id", "committee_id"))
    for voter in voters:
        if rng.random() < 0.85:
            position = rng.randrange(3)
            services.cast_ballot(voter=voter, poll=poll, choice=[position])
            cast.append((committee_of[voter.pk], position))
    poll = services.close_poll(actor=fed.operator, poll=poll)
    shown = {r.node_id: r for r in selectors.results_tree(member=fed.operator, poll=poll)}
    for node in Node.objects.filter(path__startswith=poll.node.path):
        inside = {n.pk for n in Node.objects.filter(path__startswith=node.path)}
        tallies = [sum(1 for c, p in cast if c in inside and p == q) for q in range(3)]
        if node.pk not in shown:
            assert not any(c in inside for c in committee_of.values())
            continue
        stored = shown[node.pk]
        assert [stored.counts[str(q)] for q in range(3)] == tallies
        if not any(tallies):
            assert stored.outcome == "tie"
            continue
        profile = ChoiceProfile.from_counts(
            NAMES[:3], [(NAMES[q], n) for q, n in enumerate(tallies) if n]
        )
        expected = library_count("plurality", profile, seed=poll.seed)
        assert stored.detail["winners"] == [NAMES.index(w) for w in expected.winners]
        assert stored.outcome == "decided"
