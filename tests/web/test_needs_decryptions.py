"""What needs me: a trustee is asked to decrypt a closed encrypted poll's sums
until their seat's answer is accepted, and only then is the task gone."""

from __future__ import annotations

import pytest

from asamblea.web import needs
from tests.voting.encrypted.conftest import auth, post
from tests.voting.tally.conftest import (
    key_source,  # noqa: F401 - autouse fixture
    standing_board,
)
from tests.voting.tally.test_tally import _answer, _close, _poll_with_votes

pytestmark = pytest.mark.django_db


def _kinds(member) -> list[str]:
    return [item.kind for item in needs.items_of(needs.needs_of(member))]


def test_a_trustee_is_asked_to_decrypt_until_their_answer_is_accepted(
    fed, client, django_capture_on_commit_callbacks
):
    standing = standing_board(fed)
    trustee = standing.members[0]
    poll = _poll_with_votes(fed)
    assert "decryption" not in _kinds(trustee)
    before = needs.needs_count(trustee)
    tally = _close(fed, poll, django_capture_on_commit_callbacks)
    assert tally.state == "decrypting"

    [item] = [i for i in needs.items_of(needs.needs_of(trustee)) if i.kind == "decryption"]
    assert item.url == f"/trustees/boards/{standing.board.pk}/me/"
    assert item.when == tally.deadline
    assert needs.needs_count(trustee) == before + 1
    # A member who holds no seat is not asked.
    assert "decryption" not in _kinds(fed.neighbour)
    r = client.get("/api/v1/me/needs", **auth(trustee))
    assert r.status_code == 200
    assert "decryption" in [i["kind"] for i in r.json()["items"]]

    # A refused answer (another trustee's) leaves the task in place.
    other = _answer(standing, 2, tally)
    url = f"/api/v1/polls/{poll.pk}/encrypted/tally/answer"
    assert post(client, url, {"answer": other}, trustee).status_code == 422
    assert "decryption" in _kinds(trustee)

    r = post(client, url, {"answer": _answer(standing, 1, tally)}, trustee)
    assert r.status_code == 201, r.content
    assert "decryption" not in _kinds(trustee)
    # Trustee 2 has not answered yet: still asked.
    assert "decryption" in _kinds(standing.members[1])
