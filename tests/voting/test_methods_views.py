"""Pages for the counting-library methods: create form, ballots, results, export."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from asamblea.core.actors import SYSTEM
from asamblea.federation import services as federation_services
from asamblea.voting import services
from asamblea.voting.models import Ballot, Poll
from tests.factories import join, make_member
from tests.voting.conftest import open_poll, snapshot

pytestmark = pytest.mark.django_db

CANDIDATES = ["Ana", "Bea", "Carla"]
FORM = {
    "question": "¿Quién coordina?",
    "options": "Ana\nBea\nCarla",
    "max_choices": 1,
    "aggregation": "pooled",
    "majority_num": 1,
    "majority_den": 2,
    "majority_base": "valid",
    "majority_strict": "on",
    "quorum_num": 0,
    "quorum_den": 1,
}


def _create_url(node):
    return reverse("voting:create") + f"?node={node.pk}"


def _vote(client, poll, data, **headers):
    return client.post(reverse("voting:vote", args=[poll.pk]), data, **headers)


# --- create form ---------------------------------------------------------------


def test_create_form_offers_every_method_and_the_extra_fields(fed, client_for):
    page = client_for(fed.secretary).get(_create_url(fed.committee_a1)).content.decode()
    for value in ("irv", "schulze", "scottish-stv", "meek-stv", "majority-judgment", "consent"):
        assert f'value="{value}"' in page
    assert 'name="seats"' in page
    assert 'name="max_score"' in page


def test_secretary_creates_an_stv_poll_with_seats(fed, client_for):
    data = {**FORM, "method": "scottish-stv", "seats": 2, "options": "Ana\nBea\nCarla\nDina"}
    response = client_for(fed.secretary).post(_create_url(fed.committee_a1), data)
    assert response.status_code == 302
    poll = Poll.objects.get()
    assert (poll.method, poll.seats) == ("scottish-stv", 2)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"method": "scottish-stv"}, "Give the number of seats"),
        ({"method": "score"}, "Give the highest score"),
        ({"method": "score", "max_score": 500}, "less than or equal to 100"),
        ({"method": "irv", "aggregation": "by_committee_members"}, "count this method"),
    ],
)
def test_missing_or_wrong_method_fields_are_explained_next_to_the_field(
    fed, client_for, extra, message
):
    before = snapshot()
    response = client_for(fed.secretary).post(_create_url(fed.committee_a1), {**FORM, **extra})
    assert response.status_code == 422
    assert message in response.content.decode()
    assert snapshot() == before


# --- ballots ---------------------------------------------------------------------


def test_ranking_ballot_is_numbered_inputs_with_a_small_script_file(fed, client_for):
    poll = open_poll(fed.secretary, fed.committee_a1, method="irv", options=CANDIDATES)
    page = client_for(fed.member).get(reverse("voting:detail", args=[poll.pk])).content.decode()
    assert page.count('type="number"') == 3
    assert 'name="ranking_0"' in page
    assert "Give each option a different number." in page
    assert "<script>" not in page  # the CSP forbids inline script
    assert 'src="/static/js/ranking.js"' in page
    assert 'class="ranking"' in page


def test_ranking_without_javascript_is_stored_and_shown_again(fed, client_for):
    poll = open_poll(fed.secretary, fed.committee_a1, method="irv", options=CANDIDATES)
    client = client_for(fed.member)
    response = _vote(client, poll, {"ranking_0": "2", "ranking_1": "1", "ranking_2": ""})
    assert response.status_code == 302
    assert Ballot.objects.get(poll=poll).data == {"ranking": [[1], [0]]}
    page = client.get(reverse("voting:detail", args=[poll.pk])).content.decode()
    assert 'name="ranking_1" value="1"' in page
    assert 'name="ranking_0" value="2"' in page


def test_equal_numbers_are_accepted_where_the_method_allows_them(fed, client_for):
    poll = open_poll(fed.secretary, fed.committee_a1, method="schulze", options=CANDIDATES)
    response = _vote(client_for(fed.member), poll, {"ranking_0": "1", "ranking_1": "1"})
    assert response.status_code == 302
    assert Ballot.objects.get(poll=poll).data == {"ranking": [[0, 1]]}


@pytest.mark.parametrize(
    ("method", "data", "message"),
    [
        ("irv", {"ranking_0": "1", "ranking_1": "1"}, "does not accept equal ranks"),
        ("irv", {"ranking_0": "0"}, "greater than or equal to 1"),
        ("irv", {"ranking_0": "uno"}, "Enter a whole number"),
        ("irv", {}, "Rank at least one option"),
        ("score", {"scores_0": "11"}, "less than or equal to 10"),
        ("majority-judgment", {"grades_0": "good", "grades_1": "good"}, "Grade this option"),
        ("majority-judgment", {"grades_0": "superb"}, "Select a valid choice"),
    ],
)
def test_bad_ballot_form_shows_the_message_with_422_and_writes_nothing(
    fed, client_for, method, data, message
):
    poll = open_poll(
        fed.secretary, fed.committee_a1, method=method, options=CANDIDATES, max_score=10
    )
    client = client_for(fed.member)
    before = snapshot()
    response = _vote(client, poll, data)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert snapshot() == before


def test_score_and_grade_ballots(fed, client_for):
    score = open_poll(
        fed.secretary, fed.committee_a1, method="score", options=CANDIDATES, max_score=10
    )
    grades = open_poll(
        fed.secretary, fed.committee_a1, method="majority-judgment", options=CANDIDATES
    )
    client = client_for(fed.member)
    page = client.get(reverse("voting:detail", args=[grades.pk])).content.decode()
    assert "Very good" in page
    assert page.count('type="radio"') == 3 * 6
    assert _vote(client, score, {"scores_0": "7", "scores_2": ""}).status_code == 302
    assert Ballot.objects.get(poll=score).data == {"scores": {"0": 7}}
    chosen = {"grades_0": "excellent", "grades_1": "poor", "grades_2": "reject"}
    assert _vote(client, grades, chosen).status_code == 302
    assert Ballot.objects.get(poll=grades).data["grades"]["1"] == "poor"


def test_htmx_ranking_vote_swaps_in_the_ballot_partial(fed, client_for):
    poll = open_poll(fed.secretary, fed.committee_a1, method="borda", options=CANDIDATES)
    response = _vote(client_for(fed.member), poll, {"ranking_2": "1"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert body.startswith('<section id="ballot"')
    assert "Your vote was recorded." in body


# --- results ---------------------------------------------------------------------


def _voters(fed, n):
    voters = [fed.member, fed.other_member, fed.secretary]
    for _ in range(n - 3):
        voter = make_member()
        join(voter, fed.committee_a1)
        voters.append(voter)
    return voters


def _closed(fed, method, ballots, **kwargs):
    voters = _voters(fed, max(3, len(ballots)))
    poll = open_poll(fed.secretary, fed.committee_a1, method=method, options=CANDIDATES, **kwargs)
    for voter, ballot in zip(voters, ballots, strict=False):
        services.cast_ballot(voter=voter, poll=poll, ballot=ballot)
    services.close_poll(actor=fed.secretary, poll=poll)
    return poll


def _results(client_for, fed, poll):
    response = client_for(fed.member).get(reverse("voting:results", args=[poll.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_irv_results_show_the_rounds_table_seed_and_export_links(fed, client_for):
    rankings = [[[0]], [[0], [1]], [[1]], [[1], [0]], [[2], [1]]]
    poll = _closed(fed, "irv", [{"ranking": r} for r in rankings])
    page = _results(client_for, fed, poll)
    for text in ("Round by round", "Round 1", "Round 2", "Excluded: Carla", "Elected: Bea"):
        assert text in page
    assert "Bea +1" in page
    assert "Exhausted ballots" in page
    assert "Winner: <strong>Bea</strong>" in page
    assert poll.seed in page
    assert reverse("voting:export", args=[poll.pk, "blt"]) in page
    assert "--method irv" in page
    assert 'class="scroll"' in page


def test_schulze_results_show_the_pairwise_matrix_and_strongest_paths(fed, client_for):
    ballots = [{"ranking": [[0], [1], [2]]}, {"ranking": [[1], [2], [0]]}, {"ranking": [[0]]}]
    page = _results(client_for, fed, _closed(fed, "schulze", ballots))
    assert "Pairwise comparison" in page
    assert "Strongest paths" in page
    assert '<th scope="row">Ana</th>' in page


def test_ranked_pairs_copeland_stv_grades_and_score_results_render(fed, client_for):
    rp = _closed(fed, "ranked-pairs", [{"ranking": [[0], [1]]}, {"ranking": [[1], [2]]}])
    assert "Pairs by margin" in _results(client_for, fed, rp)
    cop = _closed(fed, "copeland", [{"ranking": [[0], [1]]}, {"ranking": [[1], [0]]}])
    page = _results(client_for, fed, cop)
    assert "Copeland score" in page
    assert "Draws by lot" in page  # Ana and Bea tie; the lot decides
    stv = _closed(
        fed, "meek-stv", [{"ranking": [[0]]}, {"ranking": [[1]]}, {"ranking": [[0], [2]]}], seats=2
    )
    page = _results(client_for, fed, stv)
    assert "Stage by stage" in page
    assert "Keep value: Ana" in page
    grades = {"0": "good", "1": "fair", "2": "excellent"}
    mj = _closed(fed, "majority-judgment", [{"grades": grades}])
    page = _results(client_for, fed, mj)
    assert "Majority grade" in page
    assert "Excellent" in page
    score = _closed(fed, "score", [{"scores": {"1": 4}}], max_score=5)
    page = _results(client_for, fed, score)
    assert "Total scores" in page
    assert "Total score</th>" in page


def test_scottish_stv_results_show_quota_and_transfers(fed, client_for):
    ballots = [{"ranking": [[0], [1]]}] * 4 + [{"ranking": [[1]]}, {"ranking": [[2]]}]
    poll = _closed(fed, "scottish-stv", ballots, seats=2)
    page = _results(client_for, fed, poll)
    assert "Quota 3.00000" in page
    assert "Surplus of Ana" in page
    assert "Non-transferable" in page


# --- export page ---------------------------------------------------------------------


def test_export_while_open_is_a_409_with_a_message(fed, client_for):
    poll = open_poll(fed.secretary, fed.committee_a1, method="irv", options=CANDIDATES)
    response = client_for(fed.member).get(reverse("voting:export", args=[poll.pk, "blt"]))
    assert response.status_code == 409
    assert "once the poll has closed" in response.content.decode()


def test_export_in_blt_of_a_score_poll_is_refused_and_unknown_format_too(fed, client_for):
    poll = _closed(fed, "score", [{"scores": {"1": 4}}], max_score=5)
    client = client_for(fed.member)
    blt = client.get(reverse("voting:export", args=[poll.pk, "blt"]))
    assert blt.status_code == 422
    assert "BLT holds ranked ballots only" in blt.content.decode()
    assert client.get(reverse("voting:export", args=[poll.pk, "csv"])).status_code == 422
    ok = client.get(reverse("voting:export", args=[poll.pk, "json"]))
    assert ok.status_code == 200
    assert ok["Content-Type"].startswith("application/json")


# --- permission matrix ---------------------------------------------------------------

ROLES = ["member", "secretary", "delegate", "operator", "outsider", "anonymous"]
SCOPES = ["own", "other", "above"]
EXPORT = {
    "own": {"member": 200, "secretary": 200, "delegate": 200, "operator": 200, "outsider": 404},
    "other": {"member": 404, "secretary": 404, "delegate": 404, "operator": 200, "outsider": 200},
    "above": {"member": 200, "secretary": 200, "delegate": 200, "operator": 200, "outsider": 404},
}
VOTE = {
    "own": {"member": 302, "secretary": 302, "delegate": 302, "operator": 403, "outsider": 404},
    "other": {"member": 404, "secretary": 404, "delegate": 404, "operator": 403, "outsider": 302},
    "above": {"member": 302, "secretary": 302, "delegate": 302, "operator": 403, "outsider": 404},
}


def _actor(fed, role):
    if role == "anonymous":
        return None
    if role == "delegate":
        federation_services.appoint_delegate(
            actor=SYSTEM, committee=fed.committee_a1, delegate=fed.other_member
        )
        return fed.other_member
    return getattr(fed, role)


def _node(fed, scope):
    return {"own": fed.committee_a1, "other": fed.committee_b1, "above": fed.region_a}[scope]


@pytest.mark.parametrize("scope", SCOPES)
@pytest.mark.parametrize("role", ROLES)
def test_matrix_export_ballots(fed, client_for, role, scope):
    actor = _actor(fed, role)
    poll = open_poll(fed.operator, _node(fed, scope), method="irv", options=CANDIDATES)
    services.close_poll(actor=fed.operator, poll=poll)
    client = Client() if actor is None else client_for(actor)
    response = client.get(reverse("voting:export", args=[poll.pk, "blt"]))
    expected = 302 if actor is None else EXPORT[scope][role]
    assert response.status_code == expected
    if actor is None:
        assert "/accounts/login" in response["Location"]


@pytest.mark.parametrize("scope", SCOPES)
@pytest.mark.parametrize("role", ROLES)
def test_matrix_cast_ranking(fed, client_for, role, scope):
    actor = _actor(fed, role)
    poll = open_poll(fed.operator, _node(fed, scope), method="irv", options=CANDIDATES)
    client = Client() if actor is None else client_for(actor)
    response = _vote(client, poll, {"ranking_0": "1"})
    expected = 302 if actor is None else VOTE[scope][role]
    assert response.status_code == expected
    voted = expected == 302 and actor is not None
    assert Ballot.objects.filter(poll=poll).count() == (1 if voted else 0)
