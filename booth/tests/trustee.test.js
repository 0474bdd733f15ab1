// The browser trustee on its own: key files round-trip, and three JS
// trustees run a whole ceremony and decrypt. tests/booth/
// test_trustee_cross_language.py checks the same functions against Python.
import { test } from "node:test";
import assert from "node:assert/strict";

import * as sb from "../../src/asamblea/static/js/secret-ballot.js";
import * as tc from "../../src/asamblea/static/js/trustee-ceremony.js";

const secrets = [11n, 22n, 33n];

function parametersJson() {
  return {
    version: "asamblea-election-record/2",
    ceremony_id: "board-js",
    group: "secp256k1",
    generator: sb.pointToHex(sb.G),
    order: sb.N.toString(16).padStart(64, "0"),
    trustee_count: 3,
    threshold: 2,
    trustees: secrets.map((d, k) => ({
      index: k + 1,
      name: `T${k + 1}`,
      communication_key: sb.pointToHex(sb.baseMul(d)),
    })),
  };
}

test("a key file opens with its passphrase only, and its public part is bound", async () => {
  const key = tc.newTrusteeKey("board-js", 2, secrets[1]);
  const sealed = await tc.sealTrusteeKey(key, "pässwörd", { iterations: tc.MIN_ITERATIONS });
  assert.equal(sealed.format, "asamblea-key-file/1");
  assert.deepEqual(await tc.openTrusteeKeyFile(sealed, "pässwörd"), key);
  await assert.rejects(tc.openTrusteeKeyFile(sealed, "password"), tc.WrongPassphrase);
  const moved = structuredClone(sealed);
  moved.public.index = 3;
  await assert.rejects(tc.openTrusteeKeyFile(moved, "pässwörd"), tc.WrongPassphrase);
  const weak = structuredClone(sealed);
  weak.kdf.iterations = 1000;
  await assert.rejects(tc.openTrusteeKeyFile(weak, "pässwörd"), tc.KeyFileError);
  await assert.rejects(tc.sealTrusteeKey(key, ""), tc.KeyFileError);
});

test("three JS trustees run the ceremony and decrypt a sum", async () => {
  const params = tc.loadParameters(parametersJson());
  const trustees = secrets.map((d, k) =>
    tc.Trustee.create(params, k + 1, d, new Uint8Array(32).fill(k + 1)),
  );
  const announcements = trustees.map((t) => t.announce());
  const reveals = await Promise.all(trustees.map((t) => t.reveal()));
  assert.deepEqual(await trustees[0].reveal(), reveals[0], "a reveal is deterministic");
  for (const a of announcements) {
    const { signature, ...body } = a;
    const decoded = tc.announcementFromJson(a, 3);
    assert.ok(tc.dealerSignatureVerifies(params, "announce", a.dealer, body, decoded.signature));
    assert.ok(!tc.dealerSignatureVerifies(params, "reveal", a.dealer, body, decoded.signature));
    assert.ok(signature);
  }
  const responses = [];
  for (const t of trustees) {
    const answers = await t.respond(reveals);
    assert.deepEqual(
      answers.map((r) => r.kind),
      ["ack", "ack"],
    );
    responses.push(...answers);
  }
  const published = { announcements, reveals, responses };
  // The board the server would show: every dealer qualified.
  const aggregated = [0, 1].map((k) =>
    reveals.map((r) => sb.pointFromHex(r.commitments[k])).reduce((a, b) => a.add(b)),
  );
  const board = {
    qualified: [1, 2, 3],
    joint_key: sb.pointToHex(aggregated[0]),
    verification_keys: [1, 2, 3].map((j) => sb.pointToHex(tc.expectedSharePoint(aggregated, j))),
  };
  const outcome = await tc.outcomeOfBoard(params, published, board);
  const shares = trustees.map((t) => t.keyShare(outcome));
  assert.ok(trustees.every((t) => t.finished));
  // Any two shares recover the joint secret: x = 2·x_1 - x_2 (Lagrange at 0).
  assert.ok(sb.baseMul(sb.mod(2n * shares[0] - shares[1])).equals(outcome.jointKey));
  const lying = { ...board, joint_key: board.verification_keys[0] };
  await assert.rejects(tc.outcomeOfBoard(params, published, lying), sb.VerificationError);
  const dropped = { ...board, qualified: [1, 2] };
  await assert.rejects(tc.outcomeOfBoard(params, published, dropped), sb.VerificationError);
  assert.throws(() => trustees[0].announce(), tc.ProtocolError);
});

test("a reveal altered by the relay is refused before anything is sent", async () => {
  const params = tc.loadParameters(parametersJson());
  const trustees = secrets.map((d, k) =>
    tc.Trustee.create(params, k + 1, d, new Uint8Array(32).fill(k + 7)),
  );
  const reveals = await Promise.all(trustees.map((t) => t.reveal()));
  const altered = structuredClone(reveals);
  altered[1].commitments.reverse();
  await assert.rejects(trustees[0].respond(altered), sb.VerificationError);
});
