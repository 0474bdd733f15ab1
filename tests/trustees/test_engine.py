"""The adapter between the trustees app and the engine: messages as JSON."""

from __future__ import annotations

import copy

import pytest

from asamblea.trustees import engine


def _ceremony(n: int = 3, t: int = 2):
    keys = [engine.new_communication_keys() for _ in range(n)]
    ceremony = engine.Ceremony(
        "board-test",
        t,
        tuple(engine.Seat(i + 1, f"trustee{i + 1}", k[1]) for i, k in enumerate(keys)),
    )
    devices = [engine.TrusteeDevice(ceremony, i + 1, k[0]) for i, k in enumerate(keys)]
    return ceremony, devices


def _run(ceremony, devices):
    anns = {d.index: engine.check_announcement(ceremony, d.index, d.announce()) for d in devices}
    revs = {
        d.index: engine.check_reveal(ceremony, d.index, d.reveal(), anns[d.index]) for d in devices
    }
    resps = {
        d.index: engine.check_response(ceremony, d.index, d.respond(revs), revs) for d in devices
    }
    return anns, revs, resps


def test_a_full_ceremony_gives_a_joint_key_whose_shares_match():
    ceremony, devices = _ceremony()
    anns, revs, resps = _run(ceremony, devices)
    result = engine.evaluate(ceremony, anns, revs, resps)
    assert result.ok
    assert result.qualified == (1, 2, 3)
    assert len(result.verification_keys) == 3
    for d, vk in zip(devices, result.verification_keys, strict=True):
        assert engine.public_of(d.key_share(result.qualified)) == vk


def test_parameters_round_trip_and_bind_the_ceremony_id():
    ceremony, _ = _ceremony()
    again = engine.Ceremony.from_parameters(ceremony.parameters_json())
    assert again == ceremony
    assert again.ceremony_hash() == ceremony.ceremony_hash()
    other = engine.Ceremony("board-other", ceremony.threshold, ceremony.seats)
    assert other.ceremony_hash() != ceremony.ceremony_hash()


def test_a_message_for_another_trustee_is_refused():
    ceremony, devices = _ceremony()
    with pytest.raises(engine.MessageRejected, match="dealer"):
        engine.check_announcement(ceremony, 2, devices[0].announce())


def test_a_reveal_that_does_not_match_its_announcement_is_refused():
    ceremony, devices = _ceremony()
    ann = devices[0].announce()
    forged = {**devices[0].reveal(), "commitments": devices[1].reveal()["commitments"]}
    with pytest.raises(engine.MessageRejected, match="commitment"):
        engine.check_reveal(ceremony, 1, forged, ann)


def test_a_reveal_with_a_changed_proof_is_refused():
    ceremony, devices = _ceremony()
    ann = devices[0].announce()
    reveal = copy.deepcopy(devices[0].reveal())
    reveal["proofs"][0], reveal["proofs"][1] = reveal["proofs"][1], reveal["proofs"][0]
    with pytest.raises(engine.MessageRejected, match="proof"):
        engine.check_reveal(ceremony, 1, reveal, ann)


@pytest.mark.parametrize(
    "mutate",
    [
        lambda r: r.pop("shares"),
        lambda r: r["shares"].pop(),
        lambda r: r["shares"][0].update(recipient=1),
        lambda r: r["shares"][0].update(nonce="00"),
        lambda r: r.update(commitments=r["commitments"][:1]),
        lambda r: r.update(extra=1),
    ],
)
def test_a_malformed_reveal_is_refused(mutate):
    ceremony, devices = _ceremony()
    ann = devices[0].announce()
    reveal = copy.deepcopy(devices[0].reveal())
    mutate(reveal)
    with pytest.raises(engine.MessageRejected):
        engine.check_reveal(ceremony, 1, reveal, ann)


def test_an_acknowledgement_with_a_bad_signature_is_refused():
    ceremony, devices = _ceremony()
    _anns, revs, _ = _run(ceremony, devices)
    response = copy.deepcopy(devices[0].respond(revs))
    response["responses"][0]["signature"]["c"] = response["responses"][1]["signature"]["c"]
    with pytest.raises(engine.MessageRejected, match="signature"):
        engine.check_response(ceremony, 1, response, revs)


def test_a_response_must_answer_every_dealer_who_revealed():
    ceremony, devices = _ceremony()
    _anns, revs, _ = _run(ceremony, devices)
    response = copy.deepcopy(devices[0].respond(revs))
    response["responses"].pop()
    with pytest.raises(engine.MessageRejected, match="responses"):
        engine.check_response(ceremony, 1, response, revs)


def test_a_bad_share_draws_an_upheld_complaint_and_disqualifies_its_dealer():
    ceremony, devices = _ceremony(n=3, t=2)
    anns = {d.index: d.announce() for d in devices}
    revs = {d.index: d.reveal() for d in devices}
    # Dealer 3 sends trustee 1 another dealer's ciphertext: it cannot decrypt.
    revs[3] = copy.deepcopy(revs[3])
    revs[3]["shares"][0]["ciphertext"] = revs[2]["shares"][0]["ciphertext"]
    resps = {
        d.index: engine.check_response(ceremony, d.index, d.respond(revs), revs) for d in devices
    }
    assert resps[1]["responses"][1]["kind"] == "complaint"
    result = engine.evaluate(ceremony, anns, revs, resps)
    assert result.ok
    assert result.qualified == (1, 2)
    assert result.faults == {3: (engine.COMPLAINT_UPHELD,)}


@pytest.mark.parametrize("text", ["", "00", "zz", "04" + "11" * 64, "02" + "ff" * 32])
def test_invalid_communication_keys_are_refused(text):
    with pytest.raises(engine.MessageRejected):
        engine.check_communication_key(text)


def test_duplicate_communication_keys_are_refused():
    _secret, public = engine.new_communication_keys()
    with pytest.raises(engine.MessageRejected):
        engine.Ceremony("board-x", 1, (engine.Seat(1, "a", public), engine.Seat(2, "b", public)))


def test_an_absent_trustee_is_named():
    ceremony, devices = _ceremony()
    anns, revs, resps = _run(ceremony, devices)
    del resps[3]
    result = engine.evaluate(ceremony, anns, revs, resps)
    if engine.TOLERATES_ABSENT_TRUSTEES:
        assert result.ok
        assert result.qualified == (1, 2, 3)
    else:
        assert not result.ok
        assert result.reason == engine.INCOMPLETE
        assert result.faults == {3: (engine.NO_RESPONSE,)}
