"""The combined search page: motions and polls at once, by words, node,
state and dates, without JavaScript, never showing what the member cannot
see."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from asamblea.motions import services as motion_services
from asamblea.motions.models import Motion
from asamblea.voting.models import Poll
from tests.voting.conftest import make_poll, open_poll

pytestmark = pytest.mark.django_db

SEARCH = reverse("core:search")


def _motion(author, node, title, body="Texto de la moción."):
    return motion_services.submit_motion(actor=author, node=node, title=title, body=body)


def _link(name, obj) -> str:
    return reverse(name, args=[obj.pk])


@pytest.fixture
def corpus(fed):
    return {
        "motion": _motion(fed.member, fed.committee_a1, "Paro de transportistas", "En Juliaca."),
        "sibling": _motion(fed.outsider, fed.committee_b1, "Paro en San Blas", "Secreto."),
        "poll": open_poll(fed.secretary, fed.committee_a1, question="¿Apoyamos el paro?"),
        "sibling_poll": make_poll(fed.operator, fed.committee_b1, question="¿Paro en San Blas?"),
    }


def test_empty_form_searches_nothing(fed, client_for):
    page = client_for(fed.member).get(SEARCH)
    assert page.status_code == 200
    text = page.content.decode()
    assert 'role="search"' in text
    assert 'id="search-motions"' not in text


def test_one_word_finds_motions_and_polls_with_their_dates(fed, corpus, client_for):
    page = client_for(fed.member).get(SEARCH, {"q": "PARO"}).content.decode()
    motions = page[page.index('id="search-motions"') : page.index('id="search-polls"')]
    polls = page[page.index('id="search-polls"') :]
    assert _link("motions:detail", corpus["motion"]) in motions
    assert _link("voting:detail", corpus["poll"]) in polls
    assert "can vote" in polls
    today = timezone.localdate().strftime("%d/%m/%Y")
    assert today in motions
    assert today in polls
    assert "<time datetime=" in motions


def test_an_infiltrated_member_finds_nothing_of_a_sibling_committee(fed, corpus, client_for):
    client = client_for(fed.member)
    for words in ("San Blas", "secreto", "paro"):
        page = client.get(SEARCH, {"q": words}).content.decode()
        assert _link("motions:detail", corpus["sibling"]) not in page
        assert _link("voting:detail", corpus["sibling_poll"]) not in page
    assert client.get(SEARCH, {"node": fed.committee_b1.pk}).status_code == 404
    page = client_for(fed.outsider).get(SEARCH, {"q": "San Blas"}).content.decode()
    assert _link("motions:detail", corpus["sibling"]) in page


def test_what_and_state_narrow_the_kinds(fed, corpus, client_for):
    client = client_for(fed.member)
    page = client.get(SEARCH, {"q": "paro", "what": "polls"}).content.decode()
    assert 'id="search-motions"' not in page
    assert _link("voting:detail", corpus["poll"]) in page
    page = client.get(SEARCH, {"q": "paro", "state": "motion:draft"}).content.decode()
    assert 'id="search-polls"' not in page
    assert _link("motions:detail", corpus["motion"]) in page
    page = client.get(SEARCH, {"q": "paro", "state": "motion:debate"}).content.decode()
    assert _link("motions:detail", corpus["motion"]) not in page
    page = client.get(SEARCH, {"q": "paro", "state": "poll:closed"}).content.decode()
    assert _link("voting:detail", corpus["poll"]) not in page
    assert 'id="search-motions"' not in page


def test_node_and_dates(fed, corpus, client_for):
    old = _motion(fed.member, fed.zone_a, "Paro zonal antiguo")
    Motion.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=40))
    Poll.objects.filter(pk=corpus["poll"].pk).update(created_at=timezone.now() - timedelta(days=40))
    client = client_for(fed.member)
    today = timezone.localdate()
    page = client.get(SEARCH, {"q": "paro", "node": fed.zone_a.pk}).content.decode()
    assert _link("motions:detail", old) in page
    assert _link("motions:detail", corpus["motion"]) not in page
    page = client.get(
        SEARCH, {"since": (today - timedelta(days=50)).isoformat(), "until": "2099-01-01"}
    ).content.decode()
    assert _link("voting:detail", corpus["poll"]) in page
    page = client.get(SEARCH, {"since": today.isoformat()}).content.decode()
    assert _link("motions:detail", old) not in page
    assert _link("voting:detail", corpus["poll"]) not in page
    assert _link("motions:detail", corpus["motion"]) in page


def test_more_results_than_shown_link_to_the_list_with_the_same_search(fed, client_for):
    for i in range(12):
        _motion(fed.member, fed.committee_a1, f"Moción de paro {i}")
    page = client_for(fed.member).get(SEARCH, {"q": "paro", "state": "motion:draft"})
    text = page.content.decode()
    motions = text[text.index('id="search-motions"') :]
    assert motions.count('<li><a href="/motions/') == 10
    assert "12 motions" in motions
    assert "/motions/?q=paro&amp;state=draft" in motions


@pytest.mark.parametrize(
    "params",
    [
        {"q": "a" * 101},
        {"q": "paro\x00"},
        {"state": "motion:nothing"},
        {"what": "incidents"},
        {"node": "x"},
        {"since": "2026-13-01"},
        {"since": "2026-11-27", "until": "2026-11-01"},
    ],
)
def test_bad_input_is_a_clear_422(fed, client_for, params):
    page = client_for(fed.member).get(SEARCH, params)
    assert page.status_code == 422
    assert b'class="error' in page.content or b"errorlist" in page.content


def test_search_needs_a_sign_in(client):
    assert client.get(SEARCH, {"q": "paro"}).status_code == 302
