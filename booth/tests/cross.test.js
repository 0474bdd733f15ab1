// Cross-language tests: the booth encrypts the inputs of
// tests/booth/vectors/ballots.json (written by the Python engine, see
// tests/booth/make_vectors.py) and must produce the same bytes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

import * as sb from "../../src/asamblea/static/js/secret-ballot.js";

const vectors = JSON.parse(
  readFileSync(new URL("../../tests/booth/vectors/ballots.json", import.meta.url), "utf8"),
);
const election = sb.loadElection({
  manifest: vectors.election.manifest,
  electionHash: vectors.election.election_hash,
  jointKey: vectors.election.joint_key,
});
const hex = sb.bytesToHex;

function encryptCase(c) {
  const credential = sb.keyPairFromSecret(sb.scalarFromHex(c.credential_secret));
  return sb.encryptBallot(election, credential, c.selections, sb.hexToBytes(c.nonce_seed));
}

test("ballots are the engine's, byte for byte", () => {
  for (const c of vectors.ballots) {
    const { ballot, nonceSeed } = encryptCase(c);
    assert.equal(hex(nonceSeed), c.nonce_seed);
    assert.equal(sb.canonicalJson(sb.ballotToJson(ballot)), c.ballot);
    const hB = sb.ballotDigest(election.electionHash, ballot);
    assert.equal(hex(hB), c.ballot_hash);
    const start = sb.trackerStart(election.electionHash);
    assert.equal(hex(start), c.tracker_start);
    assert.equal(hex(sb.nextTracker(election.electionHash, start, hB)), c.tracker);
    assert.deepEqual(sb.auditReveal(election, nonceSeed, c.selections), c.audit);
    assert.equal(
      sb.canonicalJson(sb.auditReveal(election, nonceSeed, c.selections)),
      sb.canonicalJson(c.audit),
    );
  }
});

test("the engine's ballots decode, verify and pass their audit in the booth", () => {
  for (const c of vectors.ballots) {
    const ballot = sb.ballotFromJson(JSON.parse(c.ballot), election);
    assert.equal(hex(sb.checkBallot(election, ballot)), c.ballot_hash);
    assert.equal(sb.canonicalJson(sb.ballotToJson(ballot)), c.ballot);
    sb.checkAudit(election, ballot, sb.hexToBytes(c.audit.nonce_seed), c.audit.selections);
  }
});

/** Every path in a JSON value that holds a hex string, for tampering. */
function hexPaths(value, path = []) {
  if (typeof value === "string") return /^[0-9a-f]{64,66}$/.test(value) ? [path] : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => hexPaths(v, [...path, i]));
  if (value && typeof value === "object")
    return Object.entries(value).flatMap(([k, v]) => hexPaths(v, [...path, k]));
  return [];
}

function withValue(value, path, replace) {
  const copy = structuredClone(value);
  let at = copy;
  for (const key of path.slice(0, -1)) at = at[key];
  at[path.at(-1)] = replace(at[path.at(-1)]);
  return copy;
}

test("changing any point or scalar of a ballot makes it fail to decode or verify", () => {
  const json = JSON.parse(vectors.ballots[0].ballot);
  const paths = hexPaths(json);
  assert.ok(paths.length > 100);
  const other = JSON.parse(vectors.ballots[1].ballot);
  for (const path of paths) {
    // A valid encoding of another value: the same field of another ballot, or a changed scalar.
    const tampered = withValue(json, path, (old) => {
      const swapped = path.reduce((v, k) => v[k], other);
      if (swapped !== old) return swapped;
      return sb.scalarToHex(sb.mod(sb.scalarFromHex(old) + 1n));
    });
    assert.throws(
      () => sb.checkBallot(election, sb.ballotFromJson(tampered, election)),
      (e) => e instanceof sb.VerificationError || e instanceof sb.DecodingError,
      path.join("."),
    );
  }
});

test("a ballot is refused in another election or with a swapped credential", () => {
  const c = vectors.ballots[0];
  const ballot = sb.ballotFromJson(JSON.parse(c.ballot), election);
  const elsewhere = { ...election, electionHash: sb.hashDigest("test", "another election") };
  assert.throws(() => sb.checkBallot(elsewhere, ballot), sb.VerificationError);
  const thief = sb.keyPairFromSecret(sb.scalarFromHex(vectors.ballots[1].credential_secret));
  const resigned = { ...ballot, credential: thief.public };
  const hB = sb.ballotDigest(election.electionHash, resigned);
  resigned.signature = sb.schnorrProve(
    sb.TAG_BALLOT_SIGNATURE,
    [election.electionHash, hB],
    thief.secret,
    thief.public,
  );
  // The signature is now the thief's, but every proof names the voter's credential.
  assert.throws(() => sb.checkBallot(election, resigned), /range proof/);
});

test("an audit with another selection or seed is refused", () => {
  const c = vectors.ballots[0];
  const ballot = sb.ballotFromJson(JSON.parse(c.ballot), election);
  const seed = sb.hexToBytes(c.audit.nonce_seed);
  const lie = { ...c.audit.selections, chair: [0, 1, 0] };
  assert.throws(() => sb.checkAudit(election, ballot, seed, lie), sb.VerificationError);
  const otherSeed = sb.hexToBytes(vectors.ballots[1].nonce_seed);
  assert.throws(
    () => sb.checkAudit(election, ballot, otherSeed, c.audit.selections),
    sb.VerificationError,
  );
  assert.throws(
    () => sb.checkAudit(election, ballot, seed, { ...lie, chair: [1, 1, 0] }),
    /selections/,
  );
});

test("selections outside the manifest's rules are refused before encrypting", () => {
  const base = vectors.ballots[0];
  const credential = sb.keyPairFromSecret(sb.scalarFromHex(base.credential_secret));
  const bad = [
    { ...base.selections, motion: [1, 1, 0] }, // yes-no-abstain: exactly one
    { ...base.selections, chair: [1, 0, 1] }, // one-of-n: at most one
    { ...base.selections, board: [0, 0, 0, 0] }, // approval: at least one here
    { ...base.selections, budget: [4, 0] }, // score: at most L = 3 per option
    { ...base.selections, budget: [3, 2] }, // score: total at most 4
    { ...base.selections, budget: [1] }, // one value per option
    { ...base.selections, budget: [1, -1] },
    { ...base.selections, budget: [1, 0.5] },
    { motion: base.selections.motion }, // every contest
    { ...base.selections, extra: [1] },
  ];
  for (const selections of bad) {
    assert.throws(
      () => sb.encryptBallot(election, credential, selections),
      RangeError,
      JSON.stringify(selections),
    );
  }
  assert.throws(
    () => sb.encryptBallot(election, credential, base.selections, new Uint8Array(31)),
    RangeError,
  );
});

test("a random nonce seed gives a fresh ballot that verifies", () => {
  const c = vectors.ballots[0];
  const credential = sb.keyPairFromSecret(sb.scalarFromHex(c.credential_secret));
  const first = sb.encryptBallot(election, credential, c.selections);
  const second = sb.encryptBallot(election, credential, c.selections);
  assert.notEqual(hex(first.nonceSeed), hex(second.nonceSeed));
  assert.notEqual(
    sb.canonicalJson(sb.ballotToJson(first.ballot)),
    sb.canonicalJson(sb.ballotToJson(second.ballot)),
  );
  sb.checkBallot(election, first.ballot);
  sb.checkAudit(election, first.ballot, first.nonceSeed, c.selections);
});

test("per-election credentials are derived as the engine derives them", () => {
  for (const c of vectors.credentials) {
    const voting = sb.keyPairFromSecret(sb.scalarFromHex(c.voting_secret));
    assert.equal(sb.pointToHex(voting.public), c.voting_key);
    assert.equal(sb.scalarToHex(sb.credentialTweak(voting.public, c.election_id)), c.tweak);
    // The server's view: P from V alone.
    assert.equal(
      sb.pointToHex(sb.credentialPublic(sb.pointFromHex(c.voting_key), c.election_id)),
      c.credential,
    );
    // The device's view: x from v, and x·G = P.
    const credential = sb.credentialFor(voting.secret, c.election_id);
    assert.equal(sb.scalarToHex(credential.secret), c.credential_secret);
    assert.equal(sb.pointToHex(credential.public), c.credential);
  }
  const [a] = vectors.credentials;
  const v = sb.scalarFromHex(a.voting_secret);
  assert.notEqual(sb.pointToHex(sb.credentialFor(v, "another-election").public), a.credential);
});

test("ballot JSON is decoded strictly", () => {
  const json = JSON.parse(vectors.ballots[0].ballot);
  const alpha = ["contests", 0, "options", 0, "alpha"];
  const bad = [
    { ...json, extra: 1 },
    { credential: json.credential, contests: json.contests },
    withValue(json, alpha, () => "00"), // the identity
    withValue(json, alpha, (a) => a.toUpperCase()),
    withValue(json, ["contests", 0, "options", 0, "proof", "c"], (c) => c.slice(1)),
    withValue(json, ["contests", 0, "proof", "v"], (v) => [...v, v[0]]),
    withValue(json, ["contests", 0, "contest_id"], () => "chair"),
    withValue(json, ["contests", 1, "options", 2, "option_id"], () => "ben"),
    withValue(json, ["contests"], (c) => c.slice(1)),
    withValue(json, ["signature", "c"], () => sb.scalarToHex(0n).replace(/0$/, "")),
    withValue(json, ["signature", "v"], () => "f".repeat(64)),
  ];
  for (const value of bad) {
    assert.throws(
      () => sb.ballotFromJson(value, election),
      sb.DecodingError,
      JSON.stringify(value).slice(0, 80),
    );
  }
});
