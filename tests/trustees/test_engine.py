"""The adapter between the trustees app and the engine: messages as JSON,
checked on arrival with the engine's checks, judged by its evaluation."""

from __future__ import annotations

import copy
import dataclasses

import pytest

from asamblea.trustees import engine
from secret_ballot import dkg
from secret_ballot.group import Scalar
from secret_ballot.trustee import Trustee

from .conftest import respond


def _ceremony(n: int = 3, t: int = 2, ceremony_id: str = "board-test"):
    keys = [engine.new_communication_keys() for _ in range(n)]
    ceremony = engine.Ceremony(
        ceremony_id,
        t,
        tuple(engine.Seat(i + 1, f"trustee{i + 1}", k[1]) for i, k in enumerate(keys)),
    )
    parameters = ceremony.parameters()
    devices = [Trustee.create(parameters, i + 1, Scalar.from_hex(k[0])) for i, k in enumerate(keys)]
    return ceremony, devices


def _run(ceremony, devices):
    anns = {
        d.index: engine.check_announcement(ceremony, d.index, d.announce().to_json())
        for d in devices
    }
    revs = {
        d.index: engine.check_reveal(ceremony, d.index, d.reveal().to_json(), anns[d.index])
        for d in devices
    }
    resps = {
        d.index: engine.check_response(ceremony, d.index, respond(d, revs), revs) for d in devices
    }
    return anns, revs, resps


def _outcome(ceremony, anns, revs, resps):
    n = ceremony.size
    return dkg.evaluate_transcript(
        ceremony.parameters(),
        dkg.Transcript.collect(
            [dkg.Announcement.from_json(a, n) for a in anns.values()],
            [dkg.Reveal.from_json(r, n) for r in revs.values()],
            [dkg.response_from_json(r, n) for rs in resps.values() for r in rs],
        ),
    )


def test_a_full_ceremony_gives_a_joint_key_whose_shares_match():
    ceremony, devices = _ceremony()
    anns, revs, resps = _run(ceremony, devices)
    result = engine.evaluate(ceremony, anns, revs, resps)
    assert result.ok
    assert result.qualified == (1, 2, 3)
    assert result.faults == {}
    assert len(result.verification_keys) == 3
    outcome = _outcome(ceremony, anns, revs, resps)
    for d, vk in zip(devices, result.verification_keys, strict=True):
        assert engine.public_of(d.key_share(outcome).hex()) == vk


def test_the_ceremony_hash_is_h_k_of_the_parameters_and_binds_the_ceremony_id():
    ceremony, _ = _ceremony()
    again = engine.Ceremony.from_parameters(ceremony.parameters_json())
    assert again == ceremony
    assert again.ceremony_hash() == ceremony.parameters().digest().hex()
    assert ceremony.parameters_json()["ceremony_id"] == "board-test"
    other = engine.Ceremony("board-other", ceremony.threshold, ceremony.seats)
    assert other.ceremony_hash() != ceremony.ceremony_hash()


def test_a_message_of_another_ceremony_with_the_same_trustees_is_refused():
    ceremony, devices = _ceremony()
    other = engine.Ceremony("board-other", ceremony.threshold, ceremony.seats)
    with pytest.raises(engine.MessageRejected, match="signed"):
        engine.check_announcement(other, 1, devices[0].announce().to_json())


def test_a_message_for_another_trustee_is_refused():
    ceremony, devices = _ceremony()
    with pytest.raises(engine.MessageRejected, match="sender"):
        engine.check_announcement(ceremony, 2, devices[0].announce().to_json())


def test_an_announcement_the_relay_changed_is_refused():
    ceremony, devices = _ceremony()
    forged = {**devices[0].announce().to_json(), "commitment_hash": "00" * 32}
    with pytest.raises(engine.MessageRejected, match="not signed by trustee 1"):
        engine.check_announcement(ceremony, 1, forged)


def test_a_reveal_that_does_not_match_its_announcement_is_refused():
    """The dealer itself signs commitments other than those it announced."""
    ceremony, devices = _ceremony()
    ann = devices[0].announce().to_json()
    secret = Scalar.from_hex(devices[0].to_secret_json()["communication_secret"])
    own = devices[0].reveal()
    other = dataclasses.replace(own, commitments=devices[1].reveal().commitments)
    signed = other.signed_by(ceremony.parameters().digest(), secret).to_json()
    with pytest.raises(engine.MessageRejected, match="commitment-mismatch"):
        engine.check_reveal(ceremony, 1, signed, ann)
    # The same change made by the relay fails on the dealer's signature.
    forged = {**own.to_json(), "commitments": devices[1].reveal().to_json()["commitments"]}
    with pytest.raises(engine.MessageRejected, match="not signed"):
        engine.check_reveal(ceremony, 1, forged, ann)


@pytest.mark.parametrize(
    "mutate",
    [
        lambda r: r.pop("shares"),
        lambda r: r.pop("signature"),
        lambda r: r["shares"].pop(),
        lambda r: r["shares"][0].update(recipient=1),
        lambda r: r["shares"][0].update(nonce="00"),
        lambda r: r.update(commitments=r["commitments"][:1]),
        lambda r: r["proofs"].reverse(),
        lambda r: r.update(extra=1),
    ],
)
def test_a_malformed_or_altered_reveal_is_refused(mutate):
    ceremony, devices = _ceremony()
    ann = devices[0].announce().to_json()
    reveal = copy.deepcopy(devices[0].reveal().to_json())
    mutate(reveal)
    with pytest.raises(engine.MessageRejected):
        engine.check_reveal(ceremony, 1, reveal, ann)


def test_an_acknowledgement_with_a_bad_signature_is_refused():
    ceremony, devices = _ceremony()
    _anns, revs, _ = _run(ceremony, devices)
    response = copy.deepcopy(respond(devices[0], revs))
    response[0]["signature"]["c"] = response[1]["signature"]["c"]
    with pytest.raises(engine.MessageRejected, match="signature"):
        engine.check_response(ceremony, 1, response, revs)


@pytest.mark.parametrize(
    "mutate",
    [
        lambda rs: rs.pop(),
        lambda rs: rs.reverse(),
        lambda rs: rs.append(rs[0]),
        lambda rs: rs[0].update(recipient=2),
    ],
)
def test_a_response_answers_every_other_dealer_who_revealed_once_in_order(mutate):
    ceremony, devices = _ceremony()
    _anns, revs, _ = _run(ceremony, devices)
    response = copy.deepcopy(respond(devices[0], revs))
    mutate(response)
    with pytest.raises(engine.MessageRejected):
        engine.check_response(ceremony, 1, response, revs)


def test_a_respond_message_is_an_array():
    ceremony, devices = _ceremony()
    _anns, revs, _ = _run(ceremony, devices)
    with pytest.raises(engine.MessageRejected, match="array"):
        engine.check_response(ceremony, 1, {"responses": respond(devices[0], revs)}, revs)


def test_a_bad_share_draws_an_upheld_complaint_and_disqualifies_its_dealer():
    ceremony, devices = _ceremony(n=3, t=2)
    h_k = ceremony.parameters().digest()
    anns = {d.index: d.announce().to_json() for d in devices}
    revs = {d.index: d.reveal().to_json() for d in devices}
    # Dealer 3 sends trustee 1 another dealer's ciphertext (and signs it): it
    # cannot decrypt.
    bad = copy.deepcopy(revs[3])
    bad["shares"][0]["ciphertext"] = revs[2]["shares"][0]["ciphertext"]
    secret = Scalar.from_hex(devices[2].to_secret_json()["communication_secret"])
    revs[3] = dkg.Reveal.from_json(bad, 3).signed_by(h_k, secret).to_json()
    revs[3] = engine.check_reveal(ceremony, 3, revs[3], anns[3])
    resps = {
        d.index: engine.check_response(ceremony, d.index, respond(d, revs), revs) for d in devices
    }
    assert resps[1][1]["kind"] == "complaint"
    result = engine.evaluate(ceremony, anns, revs, resps)
    assert result.ok
    assert result.qualified == (1, 2)
    assert result.faults == {3: ("complaint-upheld",)}


@pytest.mark.parametrize("text", ["", "00", "zz", "04" + "11" * 64, "02" + "ff" * 32])
def test_invalid_communication_keys_are_refused(text):
    with pytest.raises(engine.MessageRejected):
        engine.check_communication_key(text)


def test_duplicate_communication_keys_are_refused():
    _secret, public = engine.new_communication_keys()
    with pytest.raises(engine.MessageRejected):
        engine.Ceremony("board-x", 1, (engine.Seat(1, "a", public), engine.Seat(2, "b", public)))


def test_a_missing_response_is_no_complaint():
    ceremony, devices = _ceremony()
    anns, revs, resps = _run(ceremony, devices)
    del resps[3]
    result = engine.evaluate(ceremony, anns, revs, resps)
    assert result.ok
    assert result.qualified == (1, 2, 3)


def test_absent_trustees_are_named_and_left_out():
    ceremony, devices = _ceremony(n=4, t=2)
    anns, revs, resps = _run(ceremony, devices)
    del anns[4], revs[4], revs[3]
    resps = {j: [r for r in rs if r["dealer"] in revs] for j, rs in resps.items()}
    result = engine.evaluate(ceremony, anns, revs, resps)
    assert result.ok
    assert result.qualified == (1, 2)
    assert result.faults == {3: ("not-revealed",), 4: ("not-announced",)}


def test_too_few_dealers_fail_the_ceremony():
    ceremony, devices = _ceremony(n=3, t=2)
    anns, revs, resps = _run(ceremony, devices)
    keep = {1}
    result = engine.evaluate(
        ceremony,
        {i: a for i, a in anns.items() if i in keep},
        {i: r for i, r in revs.items() if i in keep},
        {j: [r for r in rs if r["dealer"] in keep] for j, rs in resps.items()},
    )
    assert not result.ok
    assert result.reason == engine.TOO_FEW_QUALIFIED
    assert result.joint_key == ""
    assert result.faults == {2: ("not-announced",), 3: ("not-announced",)}
    assert not engine.dealers_suffice(ceremony, 1)
    assert engine.dealers_suffice(ceremony, 2)


def test_a_transcript_with_a_forged_message_is_invalid():
    ceremony, devices = _ceremony()
    anns, revs, resps = _run(ceremony, devices)
    anns[2] = {**anns[2], "signature": anns[1]["signature"]}
    result = engine.evaluate(ceremony, anns, revs, resps)
    assert (result.ok, result.reason) == (False, engine.INVALID_TRANSCRIPT)
