"""Results in plain words: a headline per level, lots stated, "did not vote",
rounded STV figures with the exact ones a click away, the collapsible roll-up."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from asamblea.voting import explain, services
from tests.factories import join, make_member
from tests.voting.conftest import open_poll

pytestmark = pytest.mark.django_db


def _results(client, poll):
    response = client.get(reverse("voting:results", args=[poll.pk]))
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def assembly_poll(fed):
    """A yes/no poll at the assembly where only committee_a1 votes (yes, yes)."""
    poll = open_poll(fed.operator, fed.assembly)
    for voter in (fed.member, fed.other_member):
        services.cast_ballot(voter=voter, poll=poll, choice=["yes"])
    services.close_poll(actor=fed.operator, poll=poll)
    return poll


def test_headline_says_what_was_decided_and_how(fed, client_for, assembly_poll):
    page = _results(client_for(fed.operator), assembly_poll)
    assert (
        '<p class="headline" id="headline"><strong>Carried: 2 of 2 valid votes said yes,'
        " more than the half required; 40% took part.</strong>"
    ) in page


def test_committee_where_nobody_voted_says_so_and_not_an_outcome(fed, client_for, assembly_poll):
    page = _results(client_for(fed.operator), assembly_poll)
    assert "Did not vote: none of its 1 member voted." in page
    level = page[page.index(f'id="level-{fed.committee_a2.pk}"') :]
    level = level[: level.index("</details>")]
    assert "did not vote" in level
    assert "Rejected" not in level
    assert "Quorum" not in level
    summary = page[page.index('id="summary-committee"') :]
    row = summary[summary.index(fed.committee_a2.name) :]
    row = row[: row.index("</tr>")]
    assert "did not vote" in row
    assert "Rejected" not in row


def test_roll_up_is_a_tree_of_details_with_only_the_top_open(fed, client_for, assembly_poll):
    page = _results(client_for(fed.operator), assembly_poll)
    opened = re.findall(r'<details class="level" id="level-(\d+)"( open)?>', page)
    assert {int(node_id) for node_id, _ in opened} == {
        fed.assembly.pk,
        fed.region_a.pk,
        fed.zone_a.pk,
        fed.committee_a1.pk,
        fed.committee_a2.pk,
        fed.region_b.pk,
        fed.committee_b1.pk,
    }
    assert [int(n) for n, is_open in opened if is_open] == [fed.assembly.pk]
    # Nested: the zone's details sit inside the region's, which sit inside the assembly's.
    region = page.index(f'id="level-{fed.region_a.pk}"')
    zone = page.index(f'id="level-{fed.zone_a.pk}"')
    assert page.index(f'id="level-{fed.assembly.pk}"') < region < zone
    for kind in ("assembly", "region", "zone", "committee"):
        assert f'id="summary-{kind}"' in page


def test_member_sees_only_their_branch_in_tree_and_summary(fed, client_for, assembly_poll):
    page = _results(client_for(fed.member), assembly_poll)
    assert f'id="level-{fed.committee_a1.pk}"' in page
    assert f'id="level-{fed.committee_b1.pk}"' not in page
    assert fed.committee_b1.name not in page


def test_a_lot_that_decided_is_in_the_headline_with_its_seed(fed, client_for):
    poll = open_poll(fed.secretary, fed.committee_a1, method="single", options=["Ana", "Bea"])
    services.cast_ballot(voter=fed.member, poll=poll, choice=["0"])
    services.cast_ballot(voter=fed.other_member, poll=poll, choice=["1"])
    services.close_poll(actor=fed.secretary, poll=poll)
    poll.refresh_from_db()
    page = _results(client_for(fed.member), poll)
    headline = page[page.index('id="headline"') :]
    headline = headline[: headline.index("</p>")]
    assert "A draw by lot broke a tie between Ana, Bea" in headline
    assert f"seed {poll.seed}" in headline


def test_no_quorum_headline_gives_the_numbers(fed, client_for):
    poll = open_poll(fed.secretary, fed.committee_a1, quorum_num=1, quorum_den=1)
    services.cast_ballot(voter=fed.member, poll=poll, choice=["yes"])
    services.close_poll(actor=fed.secretary, poll=poll)
    page = _results(client_for(fed.member), poll)
    assert "No quorum: 1 of 3 members voted (33%), at least 100% had to." in page


def test_by_committee_blocks_say_committee_votes(fed, client_for):
    neighbour2 = make_member("vecino2")
    join(neighbour2, fed.committee_a2)
    poll = open_poll(fed.operator, fed.zone_a, aggregation="by_committee_members")
    for voter in (fed.member, fed.other_member, fed.secretary):
        services.cast_ballot(voter=voter, poll=poll, choice=["yes"])
    services.close_poll(actor=fed.operator, poll=poll)
    page = _results(client_for(fed.operator), poll)
    assert "Carried: 3 of 3 committee votes said yes, more than the half required" in page


def test_long_decimals_are_rounded_and_the_exact_table_kept():
    table = explain.Table("Stage by stage", ["Option", "Stage 1"], [["Ana", "1.66667"], ["x", 3]])
    short = explain.rounded(table)
    assert short is not None
    assert short.rows == [["Ana", "1.67"], ["x", 3]]
    assert table.rows[0][1] == "1.66667"
    assert explain.rounded(explain.Table("t", ["a"], [["Ana", "2"]])) is None


def test_stv_results_offer_the_exact_figures_in_a_details(fed, client_for):
    voters = [make_member() for _ in range(3)]
    for voter in voters:
        join(voter, fed.committee_a1)
    poll = open_poll(
        fed.secretary, fed.committee_a1, method="meek-stv", options=["Ana", "Bea", "Carla"], seats=2
    )
    for voter, ranking in zip(voters, [[[0], [1]], [[0], [2]], [[1]]], strict=True):
        services.cast_ballot(voter=voter, poll=poll, ballot={"ranking": ranking})
    services.close_poll(actor=fed.secretary, poll=poll)
    page = _results(client_for(fed.member), poll)
    assert '<details class="exact"><summary>Exact figures</summary>' in page
    shown = page[: page.index('<details class="exact">')]
    table = shown[shown.rindex("<table>") :]
    assert not re.search(r"\d\.\d{3,}", table)
