"""The booth's cryptography runs in Chromium under the site's Content-Security-Policy
(no eval), and the engine accepts the ballot it makes there."""

from __future__ import annotations

import pytest

from secret_ballot.ballot import BallotChecker, ballot_from_json
from tests.booth.conftest import opens
from tests.booth.make_vectors import election_json
from tests.secret_ballot.conftest import SELECTIONS, make_setup

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ENCRYPT = """
async ([input, selections]) => {
  const sb = await import("/static/js/secret-ballot.js");
  const election = sb.loadElection(input.election);
  const credential = sb.keyPairFromSecret(BigInt("0x" + input.credential_secret));
  const { ballot, nonceSeed } = sb.encryptBallot(election, credential, selections);
  sb.checkBallot(election, ballot);
  return { ballot: sb.ballotToJson(ballot), nonce_seed: sb.bytesToHex(nonceSeed) };
}
"""


def test_booth_module_encrypts_under_the_policy(page):
    setup = make_setup()
    election = setup.election
    e = election_json(election)
    request = {
        "election": {
            "manifest": e["manifest"],
            "electionHash": e["election_hash"],
            "jointKey": e["joint_key"],
        },
        "credential_secret": setup.credentials[1].secret.hex(),
    }
    violations: list[str] = []
    page.on(
        "console",
        lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    response = page.goto(f"{page.base_url}/")
    assert "script-src 'self'" in (response.headers.get("content-security-policy") or "")
    out = page.evaluate(ENCRYPT, [request, SELECTIONS])
    ballot = ballot_from_json(out["ballot"], election.manifest)
    assert ballot.credential == setup.credentials[1].public
    BallotChecker(election).check(ballot)
    assert opens(election, ballot, bytes.fromhex(out["nonce_seed"]), SELECTIONS)
    assert violations == []
