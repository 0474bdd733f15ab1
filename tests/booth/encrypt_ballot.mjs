// Encrypt one ballot in the booth with a fresh random nonce seed.
//
//   node tests/booth/encrypt_ballot.mjs INPUT.json
//
// INPUT holds {"election": {"manifest", "election_hash", "joint_key"},
// "credential_secret", "selections"}; prints {"ballot", "nonce_seed"} as JSON
// for the engine to check (tests/booth/test_cross_language.py).
import { readFileSync } from "node:fs";

import * as sb from "../../src/asamblea/static/js/secret-ballot.js";

const input = JSON.parse(readFileSync(process.argv[2], "utf8"));
const election = sb.loadElection({
  manifest: input.election.manifest,
  electionHash: input.election.election_hash,
  jointKey: input.election.joint_key,
});
const credential = sb.keyPairFromSecret(sb.scalarFromHex(input.credential_secret));
const { ballot, nonceSeed } = sb.encryptBallot(election, credential, input.selections);
process.stdout.write(
  sb.canonicalJson({ ballot: sb.ballotToJson(ballot), nonce_seed: sb.bytesToHex(nonceSeed) }),
);
