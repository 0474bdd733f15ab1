"""Searching motions and polls: words, node, state and dates, a page at a
time, never showing what the member cannot see."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from asamblea.motions import selectors as motion_selectors
from asamblea.motions import services as motion_services
from asamblea.motions.models import Motion, MotionVersion
from asamblea.voting import selectors as voting_selectors
from tests.voting.conftest import make_poll


def _motion(fed, author, node, title, body="Texto de la moción."):
    return motion_services.submit_motion(actor=author, node=node, title=title, body=body)


@pytest.fixture
def corpus(fed):
    """A motion of committee_a1, one of the sibling committee_b1 with the same
    words, and a poll of committee_a1."""
    own = _motion(
        fed, fed.member, fed.committee_a1, "Paro de transportistas", "Bloqueo en Juliaca."
    )
    sibling = _motion(
        fed,
        fed.outsider,
        fed.committee_b1,
        "Paro de transportistas en San Blas",
        "Bloqueo secreto.",
    )
    own_poll = make_poll(fed.secretary, fed.committee_a1, question="¿Apoyamos el paro?")
    return {"own": own, "sibling": sibling, "own_poll": own_poll}


def test_words_find_motions_by_title_and_text_case_insensitively(fed, corpus):
    found = motion_selectors.list_motions_for(member=fed.member, text="PARO juliaca")
    assert list(found) == [corpus["own"]]
    assert not motion_selectors.list_motions_for(member=fed.member, text="paro inexistente")


def test_words_of_an_earlier_version_still_find_the_motion(fed, corpus):
    motion = corpus["own"]
    MotionVersion.objects.create(motion=motion, number=2, title="Huelga", body="Otro texto.")
    Motion.objects.filter(pk=motion.pk).update(title="Huelga", body="Otro texto.", version=2)
    found = motion_selectors.list_motions_for(member=fed.member, text="transportistas")
    assert list(found) == [motion]


def test_an_infiltrated_member_never_finds_a_sibling_committees_motion(fed, corpus, client_for):
    """A member of committee_a1 searches for words only the sibling's motion
    has, by title, text, node id and state: nothing, on the page too."""
    for text in ("San Blas", "secreto", "transportistas"):
        found = motion_selectors.list_motions_for(member=fed.member, text=text)
        assert corpus["sibling"] not in found
    client = client_for(fed.member)
    page = client.get(reverse("motions:list"), {"q": "San Blas"})
    assert page.status_code == 200
    assert b"No motion matches." in page.content
    assert reverse("motions:detail", args=[corpus["sibling"].pk]).encode() not in page.content
    assert client.get(reverse("motions:list"), {"node": fed.committee_b1.pk}).status_code == 404
    page = client.get(reverse("motions:list"), {"q": "transportistas"})
    assert reverse("motions:detail", args=[corpus["sibling"].pk]).encode() not in page.content
    assert reverse("motions:detail", args=[corpus["own"].pk]).encode() in page.content
    # The sibling's own member finds it.
    assert corpus["sibling"] in motion_selectors.list_motions_for(
        member=fed.outsider, text="San Blas"
    )


def test_an_infiltrated_member_never_finds_a_sibling_committees_poll(fed, corpus, client_for):
    sibling = make_poll(fed.operator, fed.committee_b1, question="¿Bloqueo en San Blas?")
    assert sibling not in voting_selectors.list_polls_for(member=fed.member, text="San Blas")
    assert sibling in voting_selectors.list_polls_for(member=fed.operator, text="San Blas")
    client = client_for(fed.member)
    page = client.get(reverse("voting:list"), {"q": "Bloqueo"})
    assert reverse("voting:detail", args=[sibling.pk]).encode() not in page.content
    assert client.get(reverse("voting:list"), {"node": fed.committee_b1.pk}).status_code == 404


def test_polls_are_found_by_question_and_by_the_motion_voted_on(fed, corpus, client_for):
    poll = corpus["own_poll"]
    assert list(voting_selectors.list_polls_for(member=fed.member, text="apoyamos")) == [poll]
    page = client_for(fed.member).get(reverse("voting:list"), {"q": "apoyamos", "state": "draft"})
    assert page.status_code == 200
    assert reverse("voting:detail", args=[poll.pk]).encode() in page.content
    # The date is shown in the list, in the site's short format.
    assert timezone.localdate().strftime("%d/%m/%Y").encode() in page.content


def test_node_state_and_date_filters(fed, corpus, client_for):
    own = corpus["own"]
    zone_motion = _motion(fed, fed.member, fed.zone_a, "Marcha zonal")
    old = timezone.now() - timedelta(days=40)
    Motion.objects.filter(pk=zone_motion.pk).update(created_at=old)
    today = timezone.localdate()
    assert list(motion_selectors.list_motions_for(member=fed.member, node=fed.zone_a)) == [
        zone_motion
    ]
    assert list(motion_selectors.list_motions_for(member=fed.member, since=today)) == [own]
    assert list(
        motion_selectors.list_motions_for(member=fed.member, until=today - timedelta(days=1))
    ) == [zone_motion]
    assert not motion_selectors.list_motions_for(member=fed.member, state="debate")
    client = client_for(fed.member)
    page = client.get(
        reverse("motions:list"),
        {
            "since": (today - timedelta(days=50)).isoformat(),
            "until": (today - timedelta(days=30)).isoformat(),
        },
    )
    assert page.status_code == 200
    assert reverse("motions:detail", args=[zone_motion.pk]).encode() in page.content
    assert reverse("motions:detail", args=[own.pk]).encode() not in page.content
    # A range that ends before it starts is refused with a message.
    page = client.get(reverse("motions:list"), {"since": today.isoformat(), "until": "2000-01-01"})
    assert page.status_code == 422
    assert b"before its start" in page.content


def test_results_come_a_page_at_a_time_and_links_keep_the_search(fed, client_for):
    for i in range(30):
        _motion(fed, fed.member, fed.committee_a1, f"Moción de paro {i}")
    client = client_for(fed.member)
    first = client.get(reverse("motions:list"), {"q": "paro"}).content.decode()
    assert first.count('<li><a href="/motions/') == 25
    assert "q=paro&amp;page=2" in first
    second = client.get(reverse("motions:list"), {"q": "paro", "page": "2"}).content.decode()
    assert second.count('<li><a href="/motions/') == 5
    # Anything that is not a page number is the first page, never an error.
    assert client.get(reverse("motions:list"), {"page": "x"}).status_code == 200


def test_oversized_or_control_character_words_are_refused(fed, client_for):
    client = client_for(fed.member)
    assert client.get(reverse("motions:list"), {"q": "a" * 101}).status_code == 422
    assert client.get(reverse("voting:list"), {"q": "paro\x00"}).status_code == 422
