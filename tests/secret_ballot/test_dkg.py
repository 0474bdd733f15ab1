"""Key ceremony and threshold decryption."""

from __future__ import annotations

import dataclasses
import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from secret_ballot.ballot import tracker_start
from secret_ballot.chaum_pedersen import TAG_COMPLAINT, prove_dleq
from secret_ballot.decryption import combine, partial_decrypt, verify_partial
from secret_ballot.dkg import (
    Acknowledgement,
    Complaint,
    EncryptedShare,
    Transcript,
    Trustee,
    evaluate_transcript,
    run_ceremony,
    transcript_from_json,
    transcript_to_json,
)
from secret_ballot.dlog import discrete_log
from secret_ballot.elgamal import encrypt
from secret_ballot.errors import NotEnoughTrustees, ProtocolError, VerificationError
from secret_ballot.group import G, Scalar, base_mul, small_base_mul
from secret_ballot.hash import hash_to_scalar
from secret_ballot.tally import decrypt_tally

from .conftest import make_setup


@settings(max_examples=6, deadline=None)
@given(st.data())
def test_any_t_of_n_decrypt(data: st.DataObject) -> None:
    n = data.draw(st.integers(1, 4))
    t = data.draw(st.integers(1, n))
    setup = make_setup(n=n, t=t, voters=1)
    e = setup.election
    shares = {tr.index: tr.key_share(setup.qualified) for tr in setup.trustees}
    for j, x in shares.items():
        assert base_mul(x) == e.verification_keys[j - 1]
    m = data.draw(st.integers(0, 50))
    ct = encrypt(m, hash_to_scalar("t", m), e.joint_key)
    present = data.draw(st.sets(st.integers(1, n), min_size=t, max_size=n))
    partials = []
    for j in sorted(present):
        p = partial_decrypt(e.election_hash, j, shares[j], e.verification_keys[j - 1], ct, "c", "o")
        assert verify_partial(e.election_hash, e.verification_keys[j - 1], ct, "c", "o", p)
        partials.append(p)
    assert discrete_log(combine(ct, partials, t), 50) == m


def test_fewer_than_t_trustees_refused() -> None:
    setup = make_setup(n=3, t=2, voters=1)
    e = setup.election
    ct = encrypt(1, Scalar(7), e.joint_key)
    x1 = setup.trustees[0].key_share(setup.qualified)
    p = partial_decrypt(e.election_hash, 1, x1, e.verification_keys[0], ct, "c", "o")
    with pytest.raises(NotEnoughTrustees, match="threshold is 2"):
        combine(ct, [p], 2)


def test_wrong_partial_decryption_detected() -> None:
    setup = make_setup(n=3, t=2, voters=1)
    e = setup.election
    ct = encrypt(1, Scalar(7), e.joint_key)
    x1 = setup.trustees[0].key_share(setup.qualified)
    p = partial_decrypt(e.election_hash, 1, x1, e.verification_keys[0], ct, "c", "o")
    assert not verify_partial(
        e.election_hash,
        e.verification_keys[0],
        ct,
        "c",
        "o",
        dataclasses.replace(p, share=p.share + G),
    )
    assert not verify_partial(e.election_hash, e.verification_keys[1], ct, "c", "o", p)
    assert not verify_partial(e.election_hash, e.verification_keys[0], ct, "c", "other", p)


class _Cheater(Trustee):
    """Sends trustee 2 a share that does not match its commitments."""

    def deal(self) -> tuple[EncryptedShare, ...]:
        honest = super().deal()
        self._evaluate_orig = self._evaluate
        self._evaluate = lambda x: (
            self._evaluate_orig(x) + Scalar(1) if x == 2 else self._evaluate_orig(x)
        )  # type: ignore[method-assign]
        bad = super().deal()
        self._evaluate = self._evaluate_orig  # type: ignore[method-assign]
        return tuple(b if b.recipient == 2 else h for h, b in zip(honest, bad, strict=True))


def _trustees(cls_for_1=Trustee, n=3, t=2):
    base = make_setup(n=n, t=t, voters=1)
    params = base.election.parameters
    h_p = base.election.parameters_hash
    out = []
    for i in range(1, n + 1):
        cls = cls_for_1 if i == 1 else Trustee
        out.append(cls(params, h_p, i, hash_to_scalar("test", "comm", i), seed=bytes([i]) * 32))
    return out


def test_bad_share_is_detected_and_dealer_disqualified() -> None:
    trustees = _trustees(_Cheater)
    transcript, outcome = run_ceremony(trustees)
    complaints = [r for r in transcript.responses if isinstance(r, Complaint)]
    assert [(c.dealer, c.recipient) for c in complaints] == [(1, 2)]
    assert outcome.qualified == (2, 3)
    assert any("upheld complaint" in f for f in outcome.faults)
    # The honest trustees still decrypt with the disqualified dealer's shares dropped.
    shares = {tr.index: tr.key_share(outcome.qualified) for tr in trustees}
    for j, x in shares.items():
        assert base_mul(x) == outcome.verification_keys[j - 1]
    # The transcript survives a JSON round trip and judges the same way.
    again = transcript_from_json(transcript_to_json(transcript), 3)
    params = trustees[0].parameters
    assert evaluate_transcript(params, trustees[0].h_p, again) == outcome


def test_false_complaint_is_rejected() -> None:
    trustees = _trustees()
    transcript, _ = run_ceremony(trustees)
    # Trustee 2 complains about dealer 1 although its share was fine.
    idx = next(k for k, r in enumerate(transcript.responses) if (r.dealer, r.recipient) == (1, 2))
    d2 = hash_to_scalar("test", "comm", 2)
    d_keys = [t.communication_key for t in trustees[0].parameters.trustees]
    shared = d_keys[0] * d2
    proof = prove_dleq(TAG_COMPLAINT, (trustees[0].h_p, 1, 2), d2, d_keys[1], d_keys[0], shared)
    responses = list(transcript.responses)
    responses[idx] = Complaint(1, 2, shared, proof)
    judged = evaluate_transcript(
        trustees[0].parameters,
        trustees[0].h_p,
        dataclasses.replace(transcript, responses=tuple(responses)),
    )
    assert judged.qualified == (1, 2, 3)
    assert any("rejected" in f for f in judged.faults)
    # A complaint whose DLEQ proof is wrong invalidates the transcript.
    responses[idx] = Complaint(1, 2, shared + G, proof)
    with pytest.raises(VerificationError, match="complaint proof"):
        evaluate_transcript(
            trustees[0].parameters,
            trustees[0].h_p,
            dataclasses.replace(transcript, responses=tuple(responses)),
        )


def test_transcript_tampering_detected() -> None:
    trustees = _trustees()
    transcript, _ = run_ceremony(trustees)
    params, h_p = trustees[0].parameters, trustees[0].h_p
    # A reveal that differs from the announced commitment hash disqualifies the dealer.
    rev = transcript.reveals[0]
    swapped = dataclasses.replace(rev, commitments=(rev.commitments[0] + G, *rev.commitments[1:]))
    t2 = dataclasses.replace(transcript, reveals=(swapped, *transcript.reveals[1:]))
    assert 1 not in evaluate_transcript(params, h_p, t2).qualified
    # A forged acknowledgement fails.
    ack = transcript.responses[0]
    assert isinstance(ack, Acknowledgement)
    bad_sig = dataclasses.replace(ack.signature, v=ack.signature.v + Scalar(1))
    t3 = dataclasses.replace(
        transcript,
        responses=(dataclasses.replace(ack, signature=bad_sig), *transcript.responses[1:]),
    )
    with pytest.raises(VerificationError, match="acknowledgement"):
        evaluate_transcript(params, h_p, t3)
    with pytest.raises(VerificationError, match="one response"):
        evaluate_transcript(
            params, h_p, dataclasses.replace(transcript, responses=transcript.responses[1:])
        )
    assert isinstance(transcript, Transcript)


def test_mismatched_communication_secret_refused() -> None:
    base = make_setup(n=2, t=1, voters=1)
    with pytest.raises(ProtocolError):
        Trustee(base.election.parameters, base.election.parameters_hash, 1, Scalar(5))


@pytest.mark.parametrize("m", [0, 1, 2, 99, 100, 12345, 10**7])
def test_discrete_log(m: int) -> None:
    assert discrete_log(small_base_mul(m), 10**7) == m


def test_discrete_log_out_of_bound() -> None:
    with pytest.raises(ProtocolError):
        discrete_log(small_base_mul(11), 10)


def test_lagrange_any_subset() -> None:
    setup = make_setup(n=4, t=3, voters=1)
    e = setup.election
    ct = encrypt(3, Scalar(11), e.joint_key)
    shares = {tr.index: tr.key_share(setup.qualified) for tr in setup.trustees}
    for subset in itertools.combinations(range(1, 5), 3):
        partials = [
            partial_decrypt(e.election_hash, j, shares[j], e.verification_keys[j - 1], ct, "c", "o")
            for j in subset
        ]
        assert combine(ct, partials, 3) == small_base_mul(3)


def test_tally_decryption_with_fewer_than_t_trustees_is_refused() -> None:
    setup = make_setup(n=3, t=2, voters=1)
    e = setup.election
    sums = [encrypt(0, Scalar(3), e.joint_key)] * sum(len(c.options) for c in e.manifest.contests)
    x1 = setup.trustees[0].key_share(setup.qualified)
    with pytest.raises(NotEnoughTrustees, match="1 trustee"):
        decrypt_tally(
            e,
            sums,
            {1: x1},
            ballots_cast=0,
            ballots_counted=0,
            final_tracker=tracker_start(e.election_hash),
        )
