// Runs one operation of the browser trustee (static/js/trustee-ceremony.js)
// for tests/booth/test_trustee_cross_language.py: reads a JSON request from
// the file named by the first argument and prints the JSON answer.
//
//   {"op": "seal", "kind", "public", "secret", "passphrase", "iterations"}
//   {"op": "open", "file", "passphrase"}             -> the opened trustee key
//   {"op": "create", "parameters", "index", "communication_secret", "seed"}
//   {"op": "announce" | "reveal", "parameters", "index", "secret"}
//   {"op": "respond", "parameters", "index", "secret", "reveals"}
//   {"op": "key_share", "parameters", "index", "secret", "published", "board"}
//     (published: {"announcements", "reveals", "responses"}, JSON payloads)
//   {"op": "decrypt", "key", "election", "sums"}
// A refusal prints {"error": name, "message"} instead.
import { readFileSync } from "node:fs";

import { hexToBytes, scalarFromHex } from "../../src/asamblea/static/js/secret-ballot.js";
import * as tc from "../../src/asamblea/static/js/trustee-ceremony.js";

const request = JSON.parse(readFileSync(process.argv[2], "utf8"));

function trustee(r) {
  return tc.Trustee.fromSecretJson(tc.loadParameters(r.parameters), r.index, r.secret);
}

const ops = {
  seal: (r) =>
    tc.sealKeyFile(r.kind, r.public, r.secret, r.passphrase, { iterations: r.iterations }),
  open: (r) => tc.openTrusteeKeyFile(r.file, r.passphrase),
  create: (r) =>
    tc.Trustee.create(
      tc.loadParameters(r.parameters),
      r.index,
      scalarFromHex(r.communication_secret),
      hexToBytes(r.seed),
    ).toSecretJson(),
  announce: (r) => trustee(r).announce(),
  reveal: (r) => trustee(r).reveal(),
  respond: async (r) => {
    const t = trustee(r);
    const responses = await t.respond(r.reveals);
    return { responses, secret: t.toSecretJson() };
  },
  key_share: async (r) => {
    const t = trustee(r);
    t.keyShare(await tc.outcomeOfBoard(t.parameters, r.published, r.board));
    return t.toSecretJson();
  },
  decrypt: (r) => tc.decryptSums(r.key, tc.loadDecryptionElection(r.election), r.sums),
};

try {
  const answer = await ops[request.op](request);
  process.stdout.write(JSON.stringify(answer));
} catch (exc) {
  process.stdout.write(JSON.stringify({ error: exc.name, message: exc.message }));
}
