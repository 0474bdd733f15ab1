"""The standing key ceremony, tried the way a dishonest dealer, recipient or server would."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from secret_ballot import schnorr
from secret_ballot.chaum_pedersen import TAG_COMPLAINT, prove_dleq
from secret_ballot.decryption import combine, partial_decrypt
from secret_ballot.dkg import (
    ROUND_REVEAL,
    UNSIGNED,
    Acknowledgement,
    Announcement,
    Complaint,
    FaultCode,
    MalformedReveal,
    Reveal,
    Transcript,
    check_announcement,
    check_response,
    check_reveal,
    commitment_hash,
    dealer_message_context,
    encrypt_share,
    evaluate_transcript,
    response_from_json,
    transcript_from_json,
    transcript_to_json,
)
from secret_ballot.dlog import discrete_log
from secret_ballot.election import Election, Parameters
from secret_ballot.elgamal import Ciphertext, encrypt
from secret_ballot.errors import DecodingError, ProtocolError, VerificationError
from secret_ballot.group import G, Point, Scalar, base_mul
from secret_ballot.hash import hash_digest, hash_to_scalar
from secret_ballot.trustee import (
    Trustee,
    check_partial_decryptions,
    dropped_messages,
    run_ceremony,
)

from .conftest import (
    BOARD_KEY,
    communication_secret,
    make_manifest,
    make_parameters,
    make_trustees,
    server_made_dealer,
)

RevealEdit = Callable[[Reveal], Reveal]


def _ceremony(
    params: Parameters,
    *,
    edits: dict[int, RevealEdit] | None = None,
    silent: tuple[int, ...] = (),
    no_reveal: tuple[int, ...] = (),
) -> tuple[list[Trustee], Transcript]:
    """Run the rounds as a server would record them, with some dealers misbehaving."""
    trustees = make_trustees(params)
    active = [tr for tr in trustees if tr.index not in silent]
    announcements = tuple(tr.announce() for tr in active)
    reveals = []
    for tr in active:
        if tr.index in no_reveal:
            continue
        rev = tr.reveal()
        if edits and tr.index in edits:
            # A dishonest dealer signs what it sends.
            rev = edits[tr.index](rev).signed_by(params.digest(), communication_secret(tr.index))
        reveals.append(rev)
    responses = sorted(
        (r for tr in active for r in tr.respond(reveals)), key=lambda r: (r.dealer, r.recipient)
    )
    return trustees, Transcript(announcements, tuple(reveals), tuple(responses))


def _codes(params: Parameters, transcript: Transcript) -> dict[int, FaultCode]:
    return {f.trustee: f.code for f in evaluate_transcript(params, transcript).faults}


def _assert_keys_work(trustees: list[Trustee], params: Parameters, transcript: Transcript) -> None:
    """Every qualified trustee's share matches its VK and any t of them decrypt."""
    outcome = evaluate_transcript(params, transcript)
    assert outcome.succeeded
    assert outcome.joint_key is not None
    shares = {i: trustees[i - 1].key_share(outcome) for i in outcome.qualified}
    for i, x in shares.items():
        assert base_mul(x) == outcome.verification_keys[i - 1]
    ct = encrypt(7, Scalar(99), outcome.joint_key)
    present = list(outcome.qualified)[: params.threshold]
    h = hash_digest("test", "election")
    partials = [
        partial_decrypt(h, i, shares[i], outcome.verification_keys[i - 1], ct, "g", "c", "o")
        for i in present
    ]
    assert discrete_log(combine(ct, partials, params.threshold), 10) == 7


def test_honest_ceremony_survives_json_round_trip() -> None:
    params = make_parameters(4, 3)
    trustees, transcript = _ceremony(params)
    again = transcript_from_json(transcript_to_json(transcript), 4)
    assert again == transcript
    outcome = evaluate_transcript(params, again)
    assert outcome.qualified == (1, 2, 3, 4)
    assert outcome.faults == ()
    _assert_keys_work(trustees, params, transcript)


def test_absent_trustees_are_not_dealers_and_the_ceremony_goes_on() -> None:
    params = make_parameters(4, 2)
    trustees, transcript = _ceremony(params, silent=(2,), no_reveal=(4,))
    assert _codes(params, transcript) == {
        2: FaultCode.NOT_ANNOUNCED,
        4: FaultCode.NOT_REVEALED,
    }
    outcome = evaluate_transcript(params, transcript)
    assert outcome.qualified == (1, 3)
    assert [f.trustee for f in outcome.absent] == [2, 4]
    assert outcome.disqualified == ()
    _assert_keys_work(trustees, params, transcript)


def test_dealer_with_a_bad_proof_is_disqualified_and_the_rest_make_a_key() -> None:
    params = make_parameters(4, 3)

    def bad_proof(rev: Reveal) -> Reveal:
        p = rev.proofs[1]
        return dataclasses.replace(
            rev, proofs=(rev.proofs[0], dataclasses.replace(p, v=p.v + Scalar(1)), *rev.proofs[2:])
        )

    trustees, transcript = _ceremony(params, edits={2: bad_proof})
    assert _codes(params, transcript) == {2: FaultCode.BAD_PROOF}
    _assert_keys_work(trustees, params, transcript)
    # The server would have refused it on arrival.
    with pytest.raises(VerificationError, match="bad-proof"):
        check_reveal(
            params,
            transcript.reveals[1].to_json(),  # type: ignore[union-attr]
            sender=2,
            announcement=transcript.announcements[1],
        )


def test_dealer_missing_a_share_for_one_recipient_is_disqualified() -> None:
    params = make_parameters(3, 2)

    def drop(rev: Reveal) -> Reveal:
        return dataclasses.replace(rev, shares=tuple(s for s in rev.shares if s.recipient != 3))

    trustees, transcript = _ceremony(params, edits={1: drop})
    outcome = evaluate_transcript(params, transcript)
    assert _codes(params, transcript) == {1: FaultCode.MISSING_SHARE}
    assert outcome.qualified == (2, 3)
    _assert_keys_work(trustees, params, transcript)


def test_wrong_share_draws_an_upheld_complaint() -> None:
    params = make_parameters(3, 2)
    d1 = hash_to_scalar("test", "comm", 1)
    d2_key = params.trustees[1].communication_key

    def cheat(rev: Reveal) -> Reveal:
        bad = encrypt_share(params.digest(), 1, 2, d2_key * d1, b"\x01" * 12, Scalar(12345))
        return dataclasses.replace(
            rev, shares=tuple(bad if s.recipient == 2 else s for s in rev.shares)
        )

    trustees, transcript = _ceremony(params, edits={1: cheat})
    complaints = [r for r in transcript.responses if isinstance(r, Complaint)]
    assert [(c.dealer, c.recipient) for c in complaints] == [(1, 2)]
    assert _codes(params, transcript) == {1: FaultCode.COMPLAINT_UPHELD}
    _assert_keys_work(trustees, params, transcript)


def test_false_complaint_is_rejected_and_a_forged_one_invalidates() -> None:
    params = make_parameters(3, 2)
    _, transcript = _ceremony(params)
    idx = next(k for k, r in enumerate(transcript.responses) if (r.dealer, r.recipient) == (1, 2))
    d2 = hash_to_scalar("test", "comm", 2)
    keys = [t.communication_key for t in params.trustees]
    shared = keys[0] * d2
    proof = prove_dleq(TAG_COMPLAINT, (params.digest(), 1, 2), d2, keys[1], keys[0], shared)
    responses = list(transcript.responses)
    responses[idx] = Complaint(1, 2, shared, proof)
    judged = evaluate_transcript(
        params, dataclasses.replace(transcript, responses=tuple(responses))
    )
    assert judged.qualified == (1, 2, 3)
    assert judged.rejected_complaints == ((1, 2),)
    responses[idx] = Complaint(1, 2, shared + G, proof)
    with pytest.raises(VerificationError, match="complaint proof"):
        evaluate_transcript(params, dataclasses.replace(transcript, responses=tuple(responses)))


def test_too_few_qualified_dealers_fail_the_ceremony() -> None:
    params = make_parameters(3, 3)
    trustees, transcript = _ceremony(params, silent=(3,))
    outcome = evaluate_transcript(params, transcript)
    assert not outcome.succeeded
    assert outcome.joint_key is None
    assert outcome.failure is not None
    assert "threshold is 3" in outcome.failure
    assert outcome.to_json()["faults"] == [
        {"trustee": 3, "code": "not-announced", "detail": "no announcement"}
    ]
    with pytest.raises(ProtocolError, match="ceremony failed"):
        trustees[0].key_share(outcome)


def test_proof_replayed_from_another_ceremony_fails() -> None:
    params_a = make_parameters(3, 2, ceremony_id="board-a")
    params_b = make_parameters(3, 2, ceremony_id="board-b")
    old = make_trustees(params_a)[0].reveal()
    # Dealer 1 of ceremony b announces the commitments of ceremony a and
    # replays their proofs, hoping not to need the coefficients.
    _trustees, transcript = _ceremony(params_b)
    h_kb, d1 = params_b.digest(), communication_secret(1)
    ann = Announcement(1, commitment_hash(h_kb, 1, old.commitments), UNSIGNED).signed_by(h_kb, d1)
    first = transcript.reveals[0]
    assert isinstance(first, Reveal)
    replay = dataclasses.replace(first, commitments=old.commitments, proofs=old.proofs).signed_by(
        h_kb, d1
    )
    forged = Transcript(
        (ann, *transcript.announcements[1:]),
        (replay, *transcript.reveals[1:]),
        tuple(r for r in transcript.responses if r.dealer != 1),
    )
    assert _codes(params_b, forged) == {1: FaultCode.BAD_PROOF}
    with pytest.raises(VerificationError, match="bad-proof"):
        check_reveal(params_b, replay.to_json(), sender=1, announcement=ann)
    assert params_a.digest() != params_b.digest()


def test_reveal_that_does_not_match_its_announcement_disqualifies() -> None:
    params = make_parameters(3, 2)

    def swap(rev: Reveal) -> Reveal:
        return dataclasses.replace(rev, commitments=(rev.commitments[0] + G, *rev.commitments[1:]))

    _, transcript = _ceremony(params, edits={3: swap})
    assert _codes(params, transcript) == {3: FaultCode.COMMITMENT_MISMATCH}


def _sign_raw(params: Parameters, body: dict[str, Any], round_name: str) -> dict[str, Any]:
    """``body`` as its dealer would sign it, whatever it holds."""
    i = body["dealer"]
    d = communication_secret(i)
    ctx = dealer_message_context(params.digest(), i, round_name, body)
    sig = schnorr.sign(schnorr.TAG_DEALER_MESSAGE, ctx, d, base_mul(d))
    return {**body, "signature": {"c": sig.c.hex(), "v": sig.v.hex()}}


def test_malformed_reveal_in_a_transcript_disqualifies_the_dealer_who_signed_it() -> None:
    params = make_parameters(3, 2)
    _, transcript = _ceremony(params)
    data = transcript_to_json(transcript)
    body = {k: v for k, v in data["reveals"][1].items() if k != "signature"}
    body["commitments"][0] = "zz"
    data["reveals"][1] = _sign_raw(params, body, ROUND_REVEAL)
    data["responses"] = [r for r in data["responses"] if r["dealer"] != 2]
    decoded = transcript_from_json(data, 3)
    assert isinstance(decoded.reveals[1], MalformedReveal)
    assert transcript_to_json(decoded) == data
    assert _codes(params, decoded) == {2: FaultCode.MALFORMED_REVEAL}
    body["commitments"] = body["commitments"][:1]
    data["reveals"][1] = _sign_raw(params, body, ROUND_REVEAL)
    assert _codes(params, transcript_from_json(data, 3)) == {2: FaultCode.MALFORMED_REVEAL}
    # The same malformed reveal not signed by its dealer came from the publisher.
    data["reveals"][1]["signature"] = data["reveals"][0]["signature"]
    with pytest.raises(VerificationError, match="not signed by trustee 2"):
        evaluate_transcript(params, transcript_from_json(data, 3))
    del data["reveals"][1]["signature"]
    with pytest.raises(DecodingError, match="signature"):
        transcript_from_json(data, 3)


def test_invalid_transcripts_are_refused() -> None:
    params = make_parameters(3, 2)
    _, transcript = _ceremony(params)
    ack = transcript.responses[0]
    assert isinstance(ack, Acknowledgement)
    bad = dataclasses.replace(ack, signature=dataclasses.replace(ack.signature, v=Scalar(3)))
    with pytest.raises(VerificationError, match="acknowledgement"):
        evaluate_transcript(
            params, dataclasses.replace(transcript, responses=(bad, *transcript.responses[1:]))
        )
    with pytest.raises(VerificationError, match="sorted"):
        evaluate_transcript(
            params, dataclasses.replace(transcript, reveals=transcript.reveals[::-1])
        )
    with pytest.raises(VerificationError, match="did not announce"):
        evaluate_transcript(
            params, dataclasses.replace(transcript, announcements=transcript.announcements[1:])
        )
    # A missing response is no complaint.
    fewer = dataclasses.replace(transcript, responses=transcript.responses[1:])
    assert evaluate_transcript(params, fewer).qualified == (1, 2, 3)


def test_server_checks_on_arrival() -> None:
    params = make_parameters(3, 2)
    trustees = make_trustees(params)
    anns = [tr.announce() for tr in trustees]
    assert check_announcement(params, anns[0].to_json(), sender=1) == anns[0]
    with pytest.raises(VerificationError, match="sender"):
        check_announcement(params, anns[0].to_json(), sender=2)
    with pytest.raises(DecodingError):
        check_announcement(params, {"dealer": 1}, sender=1)
    reveals = [tr.reveal() for tr in trustees]
    accepted = {
        r.dealer: check_reveal(
            params, r.to_json(), sender=r.dealer, announcement=anns[r.dealer - 1]
        )
        for r in reveals
    }
    assert accepted[2] == reveals[1]
    with pytest.raises(VerificationError, match="commitment-mismatch"):
        check_reveal(
            params,
            reveals[0].to_json(),
            sender=1,
            announcement=Announcement(1, anns[1].commitment_hash, UNSIGNED).signed_by(
                params.digest(), communication_secret(1)
            ),
        )
    responses = trustees[1].respond(reveals)
    assert [r.dealer for r in responses] == [1, 3]
    for r in responses:
        assert check_response(params, r.to_json(), sender=2, reveals=accepted) == r
        assert response_from_json(r.to_json(), 3) == r
    with pytest.raises(VerificationError, match="sender"):
        check_response(params, responses[0].to_json(), sender=3, reveals=accepted)
    # An acknowledgement of another dealer's share does not verify.
    moved = dict(responses[0].to_json(), dealer=3)
    with pytest.raises(VerificationError, match="acknowledgement"):
        check_response(params, moved, sender=2, reveals=accepted)
    with pytest.raises(VerificationError, match="no accepted reveal"):
        check_response(params, responses[0].to_json(), sender=2, reveals={})


def test_trustee_state_survives_save_and_restore_between_rounds() -> None:
    params = make_parameters(3, 2)
    live = make_trustees(params)

    def restored(tr: Trustee) -> Trustee:
        return Trustee.from_secret_json(params, tr.index, tr.to_secret_json())

    anns = [restored(tr).announce() for tr in live]
    assert anns == [tr.announce() for tr in live]
    reveals = [restored(tr).reveal() for tr in live]
    assert reveals == [tr.reveal() for tr in live]
    devices = [restored(tr) for tr in live]
    responses = sorted(
        (r for tr in devices for r in tr.respond(reveals)), key=lambda r: (r.dealer, r.recipient)
    )
    outcome = evaluate_transcript(params, Transcript(tuple(anns), tuple(reveals), tuple(responses)))
    assert outcome.succeeded
    again = [restored(tr) for tr in devices]
    shares = [tr.key_share(outcome) for tr in again]
    done = again[0].to_secret_json()
    assert set(done) == {"communication_secret", "key_share"}
    back = Trustee.from_secret_json(params, 1, done)
    assert back.finished
    assert back.key_share(outcome) == shares[0]
    with pytest.raises(ProtocolError, match="over"):
        back.reveal()
    with pytest.raises(ProtocolError, match="does not match"):
        Trustee.from_secret_json(params, 2, done)


def test_trustee_decrypts_tally_sums_given_as_json() -> None:
    params = make_parameters(3, 2)
    members = make_trustees(params)
    _, outcome = run_ceremony(members)
    assert outcome.joint_key is not None
    for tr in members:
        tr.key_share(outcome)
    manifest = make_manifest()
    election = Election(
        manifest,
        params,
        outcome.joint_key,
        outcome.verification_keys,
        hash_digest("test", "credentials"),
        BOARD_KEY,
        hash_digest("test", "committees"),
    )
    values = {}
    contests = []
    for c in manifest.contests:
        options = []
        for k, o in enumerate(c.options):
            m = k + 1
            values[(c.contest_id, o.option_id)] = m
            ct = encrypt(m, Scalar(1000 + m), outcome.joint_key)
            options.append(
                {"option_id": o.option_id, "alpha": ct.alpha.hex(), "beta": ct.beta.hex()}
            )
        contests.append({"contest_id": c.contest_id, "options": options})
    # Two groups with the same sums: each answer is bound to its group.
    sums = {
        "groups": [
            {"group_id": "committee-1", "contests": contests},
            {"group_id": "zone-1", "contests": contests},
        ]
    }
    answers = {
        tr.index: check_partial_decryptions(
            election, sums, tr.decrypt_sums(election, sums), sender=tr.index
        )
        for tr in members[1:]
    }
    flat = [(c["contest_id"], o) for c in contests for o in c["options"]] * 2
    for k, (contest_id, o) in enumerate(flat):
        ct = Ciphertext(Point.from_hex(o["alpha"]), Point.from_hex(o["beta"]))
        partials = [a.partials[k] for a in answers.values()]
        assert all(p is not None for p in partials)
        point = combine(ct, [p for p in partials if p is not None], 2)
        assert discrete_log(point, 10) == values[(contest_id, o["option_id"])]
    forged = members[1].decrypt_sums(election, sums)
    forged["groups"][0]["contests"][0]["options"][0]["share"] = G.hex()
    with pytest.raises(VerificationError, match="partial decryption"):
        check_partial_decryptions(election, sums, forged, sender=2)
    with pytest.raises(VerificationError, match="sender"):
        check_partial_decryptions(election, sums, members[1].decrypt_sums(election, sums), sender=3)
    # One group's answer replayed as the other's: same sums, other group id.
    replayed = members[1].decrypt_sums(election, sums)
    replayed["groups"][1]["contests"] = replayed["groups"][0]["contests"]
    with pytest.raises(VerificationError, match="partial decryption"):
        check_partial_decryptions(election, sums, replayed, sender=2)
    twice = {"groups": [sums["groups"][0], sums["groups"][0]]}
    with pytest.raises(DecodingError, match="once"):
        members[1].decrypt_sums(election, twice)


def test_schnorr_ack_is_bound_to_the_ceremony() -> None:
    params_a = make_parameters(3, 2, ceremony_id="board-a")
    params_b = make_parameters(3, 2, ceremony_id="board-b")
    _, ta = _ceremony(params_a)
    ack = ta.responses[0]
    assert isinstance(ack, Acknowledgement)
    rev = ta.reveals[0]
    assert isinstance(rev, Reveal)
    share = rev.share_for(ack.recipient)
    assert share is not None
    key = params_a.trustees[ack.recipient - 1].communication_key
    ctx_b = (params_b.digest(), share.dealer, share.recipient, share.digest())
    assert not schnorr.verify(schnorr.TAG_SHARE_ACK, ctx_b, key, ack.signature)


@settings(max_examples=8, deadline=None)
@given(st.data())
def test_ceremony_succeeds_exactly_when_enough_dealers_qualify(data: st.DataObject) -> None:
    n = data.draw(st.integers(1, 5))
    t = data.draw(st.integers(1, n))
    silent = data.draw(st.sets(st.integers(1, n), max_size=n))
    no_reveal = data.draw(st.sets(st.integers(1, n), max_size=n)) - silent
    params = make_parameters(n, t)
    trustees, transcript = _ceremony(params, silent=tuple(silent), no_reveal=tuple(no_reveal))
    outcome = evaluate_transcript(params, transcript)
    expected = tuple(i for i in range(1, n + 1) if i not in silent | no_reveal)
    assert outcome.qualified == expected
    assert outcome.succeeded == (len(expected) >= t)
    if outcome.succeeded:
        _assert_keys_work(trustees, params, transcript)


def test_server_replacing_a_reveal_with_its_own_polynomial_is_caught() -> None:
    params = make_parameters(3, 2)
    trustees, transcript = _ceremony(params)
    server_key = hash_to_scalar("server", "key")
    ann, forged = server_made_dealer(params, 2, server_key)
    # Signed by the dealer's own key the made-up messages would pass every
    # other check: the signature is what stops them.
    real_key = communication_secret(2)
    passes = forged.signed_by(params.digest(), real_key)
    ann_passes = ann.signed_by(params.digest(), real_key)
    assert check_reveal(params, passes.to_json(), sender=2, announcement=ann_passes) == passes
    # On arrival: the relay's own checks and every recipient's device refuse it.
    with pytest.raises(VerificationError, match="not signed by trustee 2"):
        check_announcement(params, ann.to_json(), sender=2)
    with pytest.raises(VerificationError, match="not signed by trustee 2"):
        check_reveal(params, forged.to_json(), sender=2, announcement=ann_passes)
    honest = [r for r in transcript.reveals if r.dealer != 2]
    with pytest.raises(VerificationError, match="not signed by trustee 2"):
        trustees[0].respond([*honest, forged])
    # In the transcript, even with the recipients' complaints dropped.
    only_acks = tuple(r for r in transcript.responses if r.dealer != 2)
    swapped = Transcript.collect(
        transcript.announcements,
        [*honest, forged.signed_by(params.digest(), server_key)],
        only_acks,
    )
    with pytest.raises(VerificationError, match="not signed by trustee 2"):
        evaluate_transcript(params, swapped)
    with_ann = Transcript.collect(
        [a for a in transcript.announcements if a.dealer != 2] + [ann], honest, only_acks
    )
    with pytest.raises(VerificationError, match="not signed by trustee 2"):
        evaluate_transcript(params, with_ann)


def test_server_inventing_every_dealer_cannot_make_the_joint_key() -> None:
    params = make_parameters(3, 2)
    server_key = hash_to_scalar("server", "key")
    made_up = [server_made_dealer(params, i, server_key) for i in (1, 2, 3)]
    forged = Transcript.collect([a for a, _ in made_up], [r for _, r in made_up], [])
    with pytest.raises(VerificationError, match="not signed by trustee 1"):
        evaluate_transcript(params, forged)
    # Also as published in a record, where the verifier reads it.
    published = transcript_from_json(transcript_to_json(forged), 3)
    with pytest.raises(VerificationError, match="not signed by trustee 1"):
        evaluate_transcript(params, published)


def test_dealer_signature_replayed_from_another_ceremony_or_round_fails() -> None:
    # The same trustees (same communication keys) in two ceremonies.
    params_a = make_parameters(3, 2, ceremony_id="board-a")
    params_b = make_parameters(3, 2, ceremony_id="board-b")
    _, ta = _ceremony(params_a)
    _, tb = _ceremony(params_b)
    old_ann = ta.announcements[0]
    with pytest.raises(VerificationError, match="not signed by trustee 1"):
        check_announcement(params_b, old_ann.to_json(), sender=1)
    replayed = Transcript.collect(
        (old_ann, *tb.announcements[1:]),
        tb.reveals[1:],
        tuple(r for r in tb.responses if r.dealer != 1),
    )
    with pytest.raises(VerificationError, match="not signed by trustee 1"):
        evaluate_transcript(params_b, replayed)
    # The same body signed by dealer 1 for ceremony a, or for another round.
    rev = tb.reveals[0]
    assert isinstance(rev, Reveal)
    d1 = communication_secret(1)
    for h_k, round_name in [(params_a.digest(), ROUND_REVEAL), (params_b.digest(), "announce")]:
        ctx = dealer_message_context(h_k, 1, round_name, rev.body_json())
        moved = dataclasses.replace(
            rev, signature=schnorr.sign(schnorr.TAG_DEALER_MESSAGE, ctx, d1, base_mul(d1))
        )
        with pytest.raises(VerificationError, match="not signed by trustee 1"):
            check_reveal(params_b, moved.to_json(), sender=1, announcement=tb.announcements[0])
        with pytest.raises(VerificationError, match="not signed by trustee 1"):
            evaluate_transcript(params_b, dataclasses.replace(tb, reveals=(moved, *tb.reveals[1:])))
    # An announcement's signature does not sign the dealer's reveal.
    swapped = dataclasses.replace(rev, signature=tb.announcements[0].signature)
    with pytest.raises(VerificationError, match="not signed by trustee 1"):
        check_reveal(params_b, swapped.to_json(), sender=1, announcement=tb.announcements[0])


def test_trustee_sees_its_dropped_messages_on_the_board() -> None:
    params = make_parameters(3, 2)
    trustees, transcript = _ceremony(params)
    mine = trustees[1]
    sent = [mine.announce(), mine.reveal(), *mine.respond(transcript.reveals)]
    board = [*transcript.announcements, *transcript.reveals, *transcript.responses]
    assert dropped_messages(sent, board) == ()
    without = [m for m in board if m != sent[1] and m != sent[2]]
    assert dropped_messages(sent, without) == (sent[1], sent[2])
    # A message altered on the way is not the one sent.
    ack = sent[2]
    assert isinstance(ack, Acknowledgement)
    altered = dataclasses.replace(ack, signature=dataclasses.replace(ack.signature, v=Scalar(1)))
    assert dropped_messages(sent, [*without, sent[1], altered]) == (sent[2],)
