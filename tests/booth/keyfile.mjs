// Write or open a voting key file with the booth's WebCrypto code.
//
//   node tests/booth/keyfile.mjs seal ITERATIONS      prints {file, voting_secret}
//   node tests/booth/keyfile.mjs open FILE            prints {voting_key, voting_secret}
//
// The passphrase comes from the environment (KEYFILE_PASSPHRASE), so that
// any Unicode reaches it unchanged; tests/booth/test_keyfile_js.py runs it.
import { readFileSync } from "node:fs";

import * as kf from "../../src/asamblea/static/js/keyfile.js";
import * as sb from "../../src/asamblea/static/js/secret-ballot.js";

const [command, arg] = process.argv.slice(2);
const passphrase = process.env.KEYFILE_PASSPHRASE ?? "";

if (command === "seal") {
  const pair = sb.generateVotingKey();
  const file = await kf.sealVotingKey(pair, passphrase, { iterations: Number(arg) });
  process.stdout.write(
    JSON.stringify({ file: kf.keyFileText(file), voting_secret: sb.scalarToHex(pair.secret) }),
  );
} else {
  try {
    const pair = await kf.openVotingKey(JSON.parse(readFileSync(arg, "utf8")), passphrase);
    process.stdout.write(
      JSON.stringify({
        voting_key: sb.pointToHex(pair.public),
        voting_secret: sb.scalarToHex(pair.secret),
      }),
    );
  } catch (exc) {
    process.stdout.write(JSON.stringify({ error: exc.name, message: exc.message }));
  }
}
