from __future__ import annotations

import copy
import json
from datetime import timedelta

import pytest
from django.utils import timezone

from asamblea.voting import services
from asamblea.voting.models import (
    AuditedLine,
    BoardLine,
    Election,
    Poll,
    SeenCiphertext,
    VoteLedger,
    VotingKey,
)
from secret_ballot.errors import DecodingError
from secret_ballot.group import Point
from secret_ballot.hash import hash_to_scalar
from tests.voting.encrypted.conftest import auth, device_ballot, make_encrypted, post, voting_key

pytestmark = pytest.mark.django_db

BASE = "/api/v1/polls"


def _open(fed, **settings):
    poll = make_encrypted(fed.secretary, fed.committee_a1, **settings)
    return services.open_poll(actor=fed.secretary, poll=poll)


def _written() -> tuple[int, int, int, int]:
    return (
        BoardLine.objects.count(),
        AuditedLine.objects.count(),
        SeenCiphertext.objects.count(),
        VoteLedger.objects.count(),
    )


def _off_curve_x() -> str:
    for i in range(1, 100):
        text = "02" + f"{i:064x}"
        try:
            Point.from_hex(text)
        except (DecodingError, ValueError):
            return text
    raise AssertionError("no x off the curve below 100")


def test_register_a_voting_key_through_the_api(client, fed):
    public = "02" + "79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"
    response = post(client, "/api/v1/voting-keys/", {"public_key": public}, fed.member)
    assert response.status_code == 201, response.content
    assert response.json()["public_key"] == public
    mine = client.get("/api/v1/voting-keys/mine", **auth(fed.member))
    assert mine.json()["public_key"] == public


def test_an_invalid_voting_key_is_refused_with_its_code(client, fed):
    response = post(client, "/api/v1/voting-keys/", {"public_key": "00"}, fed.member)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_voting_key"
    assert not VotingKey.objects.exists()


def test_an_encrypted_poll_is_created_through_the_api(client, fed):
    body = {"node": fed.committee_a1.pk, "question": "¿Huelga?", "encrypted": True}
    response = post(client, f"{BASE}/", body, fed.secretary)
    assert response.status_code == 201, response.content
    assert response.json()["secrecy"] == "encrypted"
    assert response.json()["secret"] is True


def test_a_ranked_encrypted_poll_is_refused_through_the_api(client, fed):
    body = {
        "node": fed.committee_a1.pk,
        "question": "¿Quién?",
        "method": "schulze",
        "options": ["A", "B", "C"],
        "encrypted": True,
    }
    response = post(client, f"{BASE}/", body, fed.secretary)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "not_encryptable"
    assert "mix-net" in response.json()["error"]["message"]


def test_preview_then_cast_returns_the_tracker_and_the_receipt(client, fed):
    pair = voting_key(fed.member)
    poll = _open(fed)
    ballot, _s, _sel = device_ballot(poll, pair, [1, 0, 0])
    election = client.get(f"{BASE}/{poll.pk}/encrypted/election", **auth(fed.member)).json()
    assert election["credential_kind"] == "device"
    assert election["credential"] == ballot["credential"]
    preview = post(client, f"{BASE}/{poll.pk}/encrypted/preview", {"ballot": ballot}, fed.member)
    assert preview.status_code == 200, preview.content
    assert _written() == (0, 0, 0, 0)
    cast = post(client, f"{BASE}/{poll.pk}/encrypted/cast", {"ballot": ballot}, fed.member)
    assert cast.status_code == 200, cast.content
    receipt = cast.json()
    assert receipt["index"] == preview.json()["index"] == 1
    assert receipt["tracker"] == preview.json()["tracker"]
    assert receipt["election_hash"] == Election.objects.get().election_hash
    assert _written()[0] == 1


def test_audit_through_the_api(client, fed):
    pair = voting_key(fed.member)
    poll = _open(fed)
    ballot, seed, selections = device_ballot(poll, pair, [0, 1, 0])
    body = {"ballot": ballot, "nonce_seed": seed.hex(), "selections": selections}
    response = post(client, f"{BASE}/{poll.pk}/encrypted/audit", body, fed.member)
    assert response.status_code == 200, response.content
    assert response.json()["nonce_seed"] == seed.hex()
    assert _written()[:2] == (0, 1)
    again = post(client, f"{BASE}/{poll.pk}/encrypted/cast", {"ballot": ballot}, fed.member)
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "ballot_replayed"


def _tampered(ballot, how):
    bad = copy.deepcopy(ballot)
    option = bad["contests"][0]["options"][0]
    if how == "proof":
        option["proof"]["c"][0] = hash_to_scalar("test", "other").hex()
    elif how == "off-curve":
        option["alpha"] = _off_curve_x()
    elif how == "identity":
        option["alpha"] = "00"
    elif how == "uncompressed":
        option["beta"] = "04" + "11" * 64
    elif how == "scalar-too-large":
        bad["signature"]["c"] = "ff" * 32
    elif how == "scalar-uppercase":
        bad["signature"]["v"] = bad["signature"]["v"].upper()
    elif how == "signature":
        bad["signature"]["v"] = hash_to_scalar("test", "sig").hex()
    elif how == "extra-key":
        bad["extra"] = 1
    elif how == "missing-option":
        bad["contests"][0]["options"].pop()
    return bad


@pytest.mark.parametrize(
    "how",
    [
        "proof",
        "off-curve",
        "identity",
        "uncompressed",
        "scalar-too-large",
        "scalar-uppercase",
        "signature",
        "extra-key",
        "missing-option",
    ],
)
@pytest.mark.parametrize("action", ["preview", "cast"])
def test_a_bad_ballot_is_refused_with_a_clear_4xx_and_nothing_written(client, fed, how, action):
    pair = voting_key(fed.member)
    poll = _open(fed)
    ballot, _s, _sel = device_ballot(poll, pair, [1, 0, 0])
    url = f"{BASE}/{poll.pk}/encrypted/{action}"
    response = post(client, url, {"ballot": _tampered(ballot, how)}, fed.member)
    assert response.status_code == 422, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid_ballot"
    assert "Nothing was saved" in error["message"]
    assert _written() == (0, 0, 0, 0)


def test_a_ballot_for_another_election_is_refused(client, fed):
    pair = voting_key(fed.member)
    first = _open(fed)
    second = _open(fed)
    ballot, _s, _sel = device_ballot(first, pair, [1, 0, 0])
    response = post(client, f"{BASE}/{second.pk}/encrypted/cast", {"ballot": ballot}, fed.member)
    # The credential of one election is not the member's in another.
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "wrong_credential"
    assert _written() == (0, 0, 0, 0)


def test_a_ballot_for_another_election_with_the_right_credential_is_refused(client, fed):
    """Signed with the credential of the target election, but proved for another."""
    pair = voting_key(fed.member)
    first = _open(fed)
    second = _open(fed)
    ballot, _s, _sel = device_ballot(first, pair, [1, 0, 0])
    own = client.get(f"{BASE}/{second.pk}/encrypted/election", **auth(fed.member)).json()
    ballot["credential"] = own["credential"]
    response = post(client, f"{BASE}/{second.pk}/encrypted/cast", {"ballot": ballot}, fed.member)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_ballot"
    assert _written() == (0, 0, 0, 0)


def test_a_ballot_of_another_members_credential_is_refused(client, fed):
    pair = voting_key(fed.member)
    voting_key(fed.other_member)
    poll = _open(fed)
    ballot, _s, _sel = device_ballot(poll, pair, [1, 0, 0])
    url = f"{BASE}/{poll.pk}/encrypted/cast"
    response = post(client, url, {"ballot": ballot}, fed.other_member)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "wrong_credential"
    assert _written() == (0, 0, 0, 0)


def test_a_replayed_ballot_is_refused(client, fed):
    pair = voting_key(fed.member)
    poll = _open(fed)
    ballot, _s, _sel = device_ballot(poll, pair, [1, 0, 0])
    url = f"{BASE}/{poll.pk}/encrypted/cast"
    assert post(client, url, {"ballot": ballot}, fed.member).status_code == 200
    before = _written()
    response = post(client, url, {"ballot": ballot}, fed.member)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "ballot_replayed"
    assert _written() == before


def test_an_oversized_body_is_refused(client, fed):
    pair = voting_key(fed.member)
    poll = _open(fed)
    ballot, _s, _sel = device_ballot(poll, pair, [1, 0, 0])
    body = json.dumps({"ballot": ballot}) + " " * 200_000
    response = post(client, f"{BASE}/{poll.pk}/encrypted/cast", body, fed.member)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"
    assert _written() == (0, 0, 0, 0)


def test_a_ballot_after_the_close_is_refused(client, fed):
    pair = voting_key(fed.member)
    poll = _open(fed)
    ballot, _s, _sel = device_ballot(poll, pair, [1, 0, 0])
    services.close_poll(actor=fed.secretary, poll=poll)
    response = post(client, f"{BASE}/{poll.pk}/encrypted/cast", {"ballot": ballot}, fed.member)
    assert response.status_code == 409
    assert "closed" in response.json()["error"]["message"]
    assert _written() == (0, 0, 0, 0)


def test_a_member_who_cannot_see_the_poll_gets_not_found(client, fed):
    pair = voting_key(fed.member)
    poll = _open(fed)
    ballot, _s, _sel = device_ballot(poll, pair, [1, 0, 0])
    for action in ("preview", "cast"):
        url = f"{BASE}/{poll.pk}/encrypted/{action}"
        response = post(client, url, {"ballot": ballot}, fed.neighbour)
        assert response.status_code == 404
    assert _written() == (0, 0, 0, 0)


def test_a_plain_ballot_to_an_encrypted_poll_is_refused(client, fed):
    poll = _open(fed)
    response = post(client, f"{BASE}/{poll.pk}/ballot", {"choice": ["yes"]}, fed.member)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "encrypted_poll"
    assert _written() == (0, 0, 0, 0)


def test_a_ballot_after_the_closing_time_but_before_the_close_is_refused(client, fed):
    pair = voting_key(fed.member)
    poll = _open(fed)
    ballot, _s, _sel = device_ballot(poll, pair, [1, 0, 0])
    Poll.objects.filter(pk=poll.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
    response = post(client, f"{BASE}/{poll.pk}/encrypted/cast", {"ballot": ballot}, fed.member)
    assert response.status_code == 409
    assert _written() == (0, 0, 0, 0)


@pytest.mark.parametrize("seed", ["ab" * 31 + "zz", "AB" * 32])
def test_an_audit_with_a_malformed_seed_is_refused(client, fed, seed):
    pair = voting_key(fed.member)
    poll = _open(fed)
    ballot, _s, selections = device_ballot(poll, pair, [1, 0, 0])
    body = {"ballot": ballot, "nonce_seed": seed, "selections": selections}
    response = post(client, f"{BASE}/{poll.pk}/encrypted/audit", body, fed.member)
    assert response.status_code == 422
    assert _written() == (0, 0, 0, 0)


def test_the_election_is_readable_by_whoever_sees_the_poll_only(client, fed):
    poll = _open(fed)
    url = f"{BASE}/{poll.pk}/encrypted/election"
    assert client.get(url, **auth(fed.neighbour)).status_code == 404
    staff = client.get(url, **auth(fed.operator)).json()
    assert staff["credential"] is None
    member = client.get(url, **auth(fed.member)).json()
    assert member["credential_kind"] == "server"
    assert member["election"]["election_hash"] == Election.objects.get().election_hash


def test_the_endpoints_of_a_plain_poll_do_not_exist(client, fed):
    poll = services.open_poll(
        actor=fed.secretary,
        poll=make_encrypted(fed.secretary, fed.committee_a1, encrypted=False, secret=True),
    )
    assert client.get(f"{BASE}/{poll.pk}/encrypted/election", **auth(fed.member)).status_code == 404
    response = post(client, f"{BASE}/{poll.pk}/encrypted/cast", {"ballot": {}}, fed.member)
    assert response.status_code == 404
