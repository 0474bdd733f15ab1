"""The browser trustee (JavaScript) and the engine (Python) agree.

Node runs static/js/trustee-ceremony.js through tests/booth/trustee_step.mjs;
the engine checks what it makes with the checks the server and the other
trustees run: key files open in both directions, the JS rounds are the
Python trustee's byte for byte from the same secret state, a ceremony of
JS and Python trustees succeeds, a flipped byte is refused, and the JS
partial decryptions pass ``check_partial_decryptions``.
"""

from __future__ import annotations

import copy
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from secret_ballot import dkg
from secret_ballot import jsonfields as jf
from secret_ballot.election import Election
from secret_ballot.elgamal import encrypt
from secret_ballot.errors import DecodingError, VerificationError
from secret_ballot.group import Scalar, sum_points
from secret_ballot.hash import hash_digest
from secret_ballot.keyfile import (
    MIN_ITERATIONS,
    KeyFileError,
    TrusteeKey,
    open_trustee_key_file,
    trustee_key_file,
    unseal,
)
from secret_ballot.trustee import Trustee, check_partial_decryptions
from tests.booth.conftest import ROOT
from tests.secret_ballot.conftest import (
    BOARD_KEY,
    communication_secret,
    make_manifest,
    make_parameters,
)

SCRIPT = Path(__file__).parent / "trustee_step.mjs"
PASSPHRASE = "correct horse battery staple ñandú"


@pytest.fixture
def js(node: str, booth_modules: Path, tmp_path: Path):
    """Run one operation of the JavaScript trustee; its JSON answer."""

    def run(op: str, **request: Any) -> Any:
        path = tmp_path / "request.json"
        path.write_text(json.dumps({"op": op, **request}))
        proc = subprocess.run(  # noqa: S603 - fixed argv
            [node, str(SCRIPT), str(path)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        return json.loads(proc.stdout)

    return run


def _seed(index: int) -> bytes:
    return bytes([index]) * 32


def _state(js, params, index: int) -> dict:
    """The JS trustee's secret object after create, with the seed Python uses."""
    return js(
        "create",
        parameters=params.to_json(),
        index=index,
        communication_secret=communication_secret(index).hex(),
        seed=_seed(index).hex(),
    )


# --- key files ------------------------------------------------------------------------


def test_a_js_key_file_opens_in_python(js):
    params = make_parameters(3, 2)
    secret = Trustee.create(params, 2, communication_secret(2), _seed(2)).to_secret_json()
    public = {
        "ceremony_id": params.ceremony_id,
        "ceremony_hash": params.digest().hex(),
        "index": 2,
        "communication_key": params.trustees[1].communication_key.hex(),
    }
    sealed = js(
        "seal",
        kind="trustee",
        public=public,
        secret=secret,
        passphrase=PASSPHRASE,
        iterations=MIN_ITERATIONS,
    )
    key = open_trustee_key_file(sealed, PASSPHRASE)
    assert key.secret == secret
    assert key.ceremony_hash == params.digest()
    assert key.index == 2
    with pytest.raises(KeyFileError, match="passphrase is wrong"):
        open_trustee_key_file(sealed, PASSPHRASE + " ")
    # The public part is bound to the ciphertext: another index does not open.
    edited = copy.deepcopy(sealed)
    edited["public"]["index"] = 3
    with pytest.raises(KeyFileError):
        unseal(edited, PASSPHRASE)


def test_a_python_key_file_opens_in_js(js):
    params = make_parameters(3, 2)
    d = communication_secret(1)
    key = TrusteeKey(
        params.ceremony_id,
        None,
        1,
        params.trustees[0].communication_key,
        {"communication_secret": d.hex()},
    )
    # The passphrase in another Unicode normal form opens it too (NFC).
    sealed = trustee_key_file(key, "e\u0301t\u00e9", iterations=MIN_ITERATIONS)
    opened = js("open", file=sealed, passphrase="\u00e9te\u0301")
    assert opened == {
        "ceremonyId": params.ceremony_id,
        "ceremonyHash": None,
        "index": 1,
        "communicationKey": key.communication_key.hex(),
        "secret": {"communication_secret": d.hex()},
    }
    assert js("open", file=sealed, passphrase="ete")["error"] == "WrongPassphrase"
    flipped = copy.deepcopy(sealed)
    flipped["ciphertext"] = ("0" if sealed["ciphertext"][0] != "0" else "1") + sealed["ciphertext"][
        1:
    ]
    assert js("open", file=flipped, passphrase="\u00e9t\u00e9")["error"] == "WrongPassphrase"
    weak = copy.deepcopy(sealed)
    weak["kdf"]["iterations"] = MIN_ITERATIONS - 1
    assert js("open", file=weak, passphrase="\u00e9t\u00e9")["error"] == "KeyFileError"


# --- the ceremony ----------------------------------------------------------------------


def test_js_rounds_are_the_python_trustees_byte_for_byte(js):
    params = make_parameters(3, 2)
    python = [Trustee.create(params, i, communication_secret(i), _seed(i)) for i in range(1, 4)]
    states = {i: _state(js, params, i) for i in range(1, 4)}
    assert states[1] == python[0].to_secret_json()
    for tr in python:
        state = states[tr.index]
        assert js("announce", parameters=params.to_json(), index=tr.index, secret=state) == (
            tr.announce().to_json()
        )
        assert js("reveal", parameters=params.to_json(), index=tr.index, secret=state) == (
            tr.reveal().to_json()
        )
    reveals = [tr.reveal() for tr in python]
    answer = js(
        "respond",
        parameters=params.to_json(),
        index=2,
        secret=states[2],
        reveals=[r.to_json() for r in reveals],
    )
    assert answer["responses"] == [r.to_json() for r in python[1].respond(reveals)]
    assert answer["secret"] == python[1].to_secret_json()


def _published(transcript: dkg.Transcript) -> dict:
    """The transcript as the relay publishes its payloads, by round."""
    value = dkg.transcript_to_json(transcript)
    assert isinstance(value, dict)
    return value


def _ceremony(js, params, js_indices: set[int]) -> tuple[dict, dict, dkg.Outcome]:
    """A ceremony where trustees in ``js_indices`` run in JS, the others in
    Python, each message checked by the server's checks on arrival."""
    n = params.trustee_count
    python = {
        i: Trustee.create(params, i, communication_secret(i), _seed(i + 10))
        for i in range(1, n + 1)
        if i not in js_indices
    }
    states = {i: _state(js, params, i) for i in js_indices}
    p = params.to_json()
    announcements = {}
    for i in range(1, n + 1):
        value = (
            js("announce", parameters=p, index=i, secret=states[i])
            if i in states
            else python[i].announce().to_json()
        )
        announcements[i] = dkg.check_announcement(params, value, sender=i)
    reveals = {}
    for i in range(1, n + 1):
        value = (
            js("reveal", parameters=p, index=i, secret=states[i])
            if i in states
            else python[i].reveal().to_json()
        )
        reveals[i] = dkg.check_reveal(params, value, sender=i, announcement=announcements[i])
    reveal_json = [r.to_json() for r in reveals.values()]
    responses = []
    for i in range(1, n + 1):
        if i in states:
            answer = js("respond", parameters=p, index=i, secret=states[i], reveals=reveal_json)
            states[i] = answer["secret"]
            values = answer["responses"]
        else:
            values = [r.to_json() for r in python[i].respond(list(reveals.values()))]
        responses += [dkg.check_response(params, v, sender=i, reveals=reveals) for v in values]
    transcript = dkg.Transcript.collect(announcements.values(), reveals.values(), responses)
    outcome = dkg.evaluate_transcript(params, transcript)
    assert outcome.succeeded, outcome.failure
    assert outcome.joint_key is not None
    board = {
        "qualified": list(outcome.qualified),
        "joint_key": outcome.joint_key.hex(),
        "verification_keys": [vk.hex() for vk in outcome.verification_keys],
    }
    published = _published(transcript)
    for i in states:
        states[i] = js(
            "key_share", parameters=p, index=i, secret=states[i], published=published, board=board
        )
    for tr in python.values():
        tr.key_share(outcome)
    return states, python, outcome


def test_a_ceremony_of_js_and_python_trustees_succeeds(js):
    params = make_parameters(3, 2)
    states, python, outcome = _ceremony(js, params, {1, 3})
    assert outcome.qualified == (1, 2, 3)
    assert outcome.faults == ()
    for i, state in states.items():
        assert set(state) == {"communication_secret", "key_share"}
        back = Trustee.from_secret_json(params, i, state)
        assert back.finished
    assert python[2].finished


def test_a_js_trustee_refuses_a_board_that_is_not_the_transcripts(js):
    params = make_parameters(3, 2)
    python = [Trustee.create(params, i, communication_secret(i), _seed(i)) for i in (1, 2, 3)]
    reveals = [tr.reveal() for tr in python]
    state = js(
        "respond",
        parameters=params.to_json(),
        index=1,
        secret=_state(js, params, 1),
        reveals=[r.to_json() for r in reveals],
    )["secret"]
    transcript = dkg.Transcript.collect(
        [tr.announce() for tr in python],
        reveals,
        [r for tr in python for r in tr.respond(reveals)],
    )
    published = _published(transcript)
    outcome = dkg.evaluate_transcript(params, transcript)
    assert outcome.joint_key is not None

    def key_share(board: dict, shown: dict = published) -> dict:
        return js(
            "key_share",
            parameters=params.to_json(),
            index=1,
            secret=state,
            published=shown,
            board=board,
        )

    honest = {
        "qualified": [1, 2, 3],
        "joint_key": outcome.joint_key.hex(),
        "verification_keys": [vk.hex() for vk in outcome.verification_keys],
    }
    assert set(key_share(honest)) == {"communication_secret", "key_share"}
    # A server that leaves dealer 3 out of QUAL shows a key consistent with
    # dealers 1 and 2 alone: the transcript gives another QUAL.
    aggregated = [sum_points(r.commitments[k] for r in reveals[:2]) for k in range(2)]
    partial = {
        "qualified": [1, 2],
        "joint_key": aggregated[0].hex(),
        "verification_keys": [dkg.expected_share_point(aggregated, j).hex() for j in range(1, 4)],
    }
    assert key_share(partial)["error"] == "VerificationError"
    # A forged complaint (a proof that does not verify) makes the transcript invalid.
    forged = copy.deepcopy(published)
    forged["responses"][0] = {
        "dealer": forged["responses"][0]["dealer"],
        "recipient": forged["responses"][0]["recipient"],
        "kind": "complaint",
        "shared_key": params.trustees[0].communication_key.hex(),
        "proof": forged["responses"][0]["signature"],
    }
    assert key_share(honest, forged)["error"] == "VerificationError"


def _flip(value: str, at: int) -> str:
    digit = "0" if value[at] != "0" else "1"
    return value[:at] + digit + value[at + 1 :]


def _hex_paths(value: Any, path: tuple = ()) -> list[tuple]:
    if isinstance(value, str):
        return [path] if len(value) >= 24 else []
    if isinstance(value, list):
        return [p for k, v in enumerate(value) for p in _hex_paths(v, (*path, k))]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _hex_paths(v, (*path, k))]
    return []


def _flipped(value: Any, path: tuple) -> Any:
    out = copy.deepcopy(value)
    target = out
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = _flip(target[path[-1]], len(target[path[-1]]) - 1)
    return out


def test_js_messages_with_a_flipped_byte_are_refused_by_the_python_checks(js):
    params = make_parameters(3, 2)
    p = params.to_json()
    python = {i: Trustee.create(params, i, communication_secret(i), _seed(i)) for i in (2, 3)}
    state = _state(js, params, 1)
    announcement = js("announce", parameters=p, index=1, secret=state)
    reveal = js("reveal", parameters=p, index=1, secret=state)
    ann = dkg.check_announcement(params, announcement, sender=1)
    dkg.check_reveal(params, reveal, sender=1, announcement=ann)
    for path in _hex_paths(announcement):
        with pytest.raises((DecodingError, VerificationError)):
            dkg.check_announcement(params, _flipped(announcement, path), sender=1)
    for path in _hex_paths(reveal):
        tampered = _flipped(reveal, path)
        with pytest.raises((DecodingError, VerificationError)):
            dkg.check_reveal(params, tampered, sender=1, announcement=ann)
    # The responses of a JS trustee: each acknowledgement signature is bound to its share.
    reveals = {
        1: dkg.Reveal.from_json(reveal, 3),
        **{i: tr.reveal() for i, tr in python.items()},
    }
    answer = js(
        "respond",
        parameters=p,
        index=1,
        secret=state,
        reveals=[r.to_json() for r in reveals.values()],
    )
    assert [r["kind"] for r in answer["responses"]] == ["ack", "ack"]
    for response in answer["responses"]:
        dkg.check_response(params, response, sender=1, reveals=reveals)
        for path in _hex_paths(response):
            with pytest.raises((DecodingError, VerificationError)):
                dkg.check_response(params, _flipped(response, path), sender=1, reveals=reveals)


def test_a_js_trustee_refuses_an_altered_reveal_and_complains_of_a_wrong_share(js):
    params = make_parameters(3, 2)
    p = params.to_json()
    python = {i: Trustee.create(params, i, communication_secret(i), _seed(i)) for i in (2, 3)}
    reveals = [tr.reveal().to_json() for tr in python.values()]
    state = _state(js, params, 1)
    # A relay that alters a reveal is caught by the dealer's signature: nothing is sent.
    altered = copy.deepcopy(reveals)
    altered[0]["shares"][0]["ciphertext"] = _flip(altered[0]["shares"][0]["ciphertext"], 0)
    answer = js("respond", parameters=p, index=1, secret=state, reveals=altered)
    assert answer["error"] == "VerificationError"
    # A dealer that signs a wrong share gets a complaint the public can judge.
    h_k = params.digest()
    bad = python[3].reveal()
    share = bad.share_for(1)
    assert share is not None
    wrong = dkg.encrypt_share(
        h_k,
        3,
        1,
        params.trustees[0].communication_key * communication_secret(3),
        share.nonce,
        Scalar(12345),
    )
    shares = tuple(wrong if s.recipient == 1 else s for s in bad.shares)
    forged = dkg.Reveal(3, bad.commitments, bad.proofs, shares, dkg.UNSIGNED).signed_by(
        h_k, communication_secret(3)
    )
    answer = js(
        "respond", parameters=p, index=1, secret=state, reveals=[reveals[0], forged.to_json()]
    )
    kinds = {r["dealer"]: r["kind"] for r in answer["responses"]}
    assert kinds == {2: "ack", 3: "complaint"}
    complaint = next(r for r in answer["responses"] if r["kind"] == "complaint")
    accepted = {2: python[2].reveal(), 3: forged}
    checked = dkg.check_response(params, complaint, sender=1, reveals=accepted)
    assert isinstance(checked, dkg.Complaint)
    assert [r["dealer"] for r in answer["secret"]["received_shares"]] == [1, 2]
    # The JS trustee judges the transcript as the engine does: the complaint
    # is upheld, dealer 3 is out, and the key share comes from dealers 1 and 2.
    own = dkg.Reveal.from_json(js("reveal", parameters=p, index=1, secret=state), 3)
    all_reveals = [own, python[2].reveal(), forged]
    responses = [dkg.response_from_json(r, 3) for r in answer["responses"]]
    responses += [r for tr in python.values() for r in tr.respond(all_reveals)]
    announcements = [
        dkg.Announcement.from_json(js("announce", parameters=p, index=1, secret=state), 3),
        python[2].announce(),
        python[3].announce(),
    ]
    transcript = dkg.Transcript.collect(announcements, all_reveals, responses)
    outcome = dkg.evaluate_transcript(params, transcript)
    assert outcome.qualified == (1, 2)
    assert [f.code for f in outcome.faults] == [dkg.FaultCode.COMPLAINT_UPHELD]
    assert outcome.joint_key is not None
    board = {
        "qualified": [1, 2],
        "joint_key": outcome.joint_key.hex(),
        "verification_keys": [vk.hex() for vk in outcome.verification_keys],
    }
    done = js(
        "key_share",
        parameters=p,
        index=1,
        secret=answer["secret"],
        published=_published(transcript),
        board=board,
    )
    assert set(done) == {"communication_secret", "key_share"}


# --- partial decryption ------------------------------------------------------------------


def test_js_partial_decryptions_pass_the_python_check(js):
    params = make_parameters(3, 2)
    states, _, outcome = _ceremony(js, params, {1})
    assert outcome.joint_key is not None
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
    contests: list[jf.JSON] = []
    for c in manifest.contests:
        options: list[jf.JSON] = []
        for k, o in enumerate(c.options):
            ct = encrypt(k + 1, Scalar(700 + k), outcome.joint_key)
            if c.contest_id == "chair" and k == 0:
                # Nobody's ballot in this group: A is the identity, nothing to decrypt.
                options.append({"option_id": o.option_id, "alpha": "00", "beta": "00"})
                continue
            options.append(
                {"option_id": o.option_id, "alpha": ct.alpha.hex(), "beta": ct.beta.hex()}
            )
        contests.append({"contest_id": c.contest_id, "options": options})
    sums: jf.JSON = {
        "groups": [
            {"group_id": "committee-1", "contests": contests},
            {"group_id": "zone-1", "contests": contests},
        ]
    }
    election_out = {
        "manifest": manifest.to_json(),
        "parameters": params.to_json(),
        "election": {
            "election_hash": election.election_hash.hex(),
            "joint_key": outcome.joint_key.hex(),
            "verification_keys": [vk.hex() for vk in outcome.verification_keys],
            "qualified": list(outcome.qualified),
            "credentials_hash": election.credentials_hash.hex(),
            "credential_count": 3,
            "board_key": BOARD_KEY.hex(),
            "committees_hash": election.committees_hash.hex(),
        },
    }
    key = {
        "ceremonyId": params.ceremony_id,
        "ceremonyHash": params.digest().hex(),
        "index": 1,
        "communicationKey": params.trustees[0].communication_key.hex(),
        "secret": states[1],
    }
    answer = js("decrypt", key=key, election=election_out, sums=sums)
    expected = Trustee.from_secret_json(params, 1, states[1]).decrypt_sums(election, sums)
    assert answer == expected
    checked = check_partial_decryptions(election, sums, answer, sender=1)
    assert checked.partials[3] is None
    assert sum(p is not None for p in checked.partials) == 2 * 11
    # A flipped digit anywhere in the answer is refused.
    for path in _hex_paths(answer)[:12]:
        with pytest.raises((DecodingError, VerificationError)):
            check_partial_decryptions(election, sums, _flipped(answer, path), sender=1)
    # An election.json whose hash does not match what it names is refused.
    lying = copy.deepcopy(election_out)
    lying["election"]["committees_hash"] = hash_digest("test", "other").hex()
    assert js("decrypt", key=key, election=lying, sums=sums)["error"] == "VerificationError"
    # A key of another ceremony does not decrypt.
    other = {**key, "ceremonyHash": hash_digest("test", "other").hex()}
    assert js("decrypt", key=other, election=election_out, sums=sums)["error"] == "ProtocolError"
