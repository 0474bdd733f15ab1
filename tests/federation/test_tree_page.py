"""The federation tree page: collapsible branches (details/summary), no
JavaScript needed, the member's own branch open, siblings absent."""

from __future__ import annotations

from django.urls import reverse

from asamblea.federation import selectors


def test_branches_nest_and_open_the_way_to_the_members_committee(fed):
    [assembly] = selectors.tree_branches_for(member=fed.member)
    assert assembly.entry.node == fed.assembly
    assert assembly.holds_own
    [region] = assembly.children
    assert region.entry.node == fed.region_a
    assert region.holds_own
    [zone] = region.children
    [committee] = zone.children
    assert committee.entry.node == fed.committee_a1
    assert committee.entry.is_own


def test_operator_sees_every_branch_and_only_the_top_open(fed):
    [assembly] = selectors.tree_branches_for(member=fed.operator)
    assert [b.entry.node for b in assembly.children] == [fed.region_b, fed.region_a]
    assert not any(b.holds_own for b in assembly.children)


def test_the_page_is_a_collapsible_tree_without_siblings(fed, client_for):
    html = client_for(fed.member).get(reverse("federation:tree")).content.decode()
    assert html.count("<details open>") == 3  # assembly, region, zone: the way to my committee
    assert "<summary>" in html
    # Each node's link stays outside its summary (no control inside a control).
    assert "<summary><a" not in html
    assert "1 node beneath" in html
    assert fed.committee_b1.name not in html
    html = client_for(fed.operator).get(reverse("federation:tree")).content.decode()
    assert html.count("<details open>") == 1
    assert html.count("<details>") == 3  # Cusco, Puno and Juliaca, closed
