// Passphrase-sealed key files, format asamblea-key-file/1
// (docs/protocol/secret-ballot.md §11), written and read in the browser with
// WebCrypto exactly as src/secret_ballot/keyfile.py does in Python:
// PBKDF2-HMAC-SHA256 of the NFC passphrase (600000 iterations, 16-byte salt,
// 32-byte key), then AES-256-GCM (12-byte nonce) of JCS(secret) with
// associated data JCS(public). It touches no DOM, so Node runs it as it is.

import {
  bytesToHex,
  canonicalJson,
  hexToBytes,
  keyPairFromSecret,
  pointFromHex,
  pointToHex,
  randomBytes,
  scalarFromHex,
  scalarToHex,
} from "./secret-ballot.js";

export const FORMAT = "asamblea-key-file/1";
export const KDF_NAME = "pbkdf2-sha256";
export const CIPHER = "aes-256-gcm";
export const ITERATIONS = 600000;
export const MIN_ITERATIONS = 100000;
export const MAX_ITERATIONS = 10000000;
const SALT_SIZE = 16;
const NONCE_SIZE = 12;
const MAX_CIPHERTEXT = 1024 * 1024;
const KEYS = ["cipher", "ciphertext", "format", "kdf", "kind", "nonce", "public"];

/** The file is malformed or uses parameters this reader refuses. */
export class KeyFileError extends Error {
  constructor(message) {
    super(message);
    this.name = "KeyFileError";
  }
}

/** The passphrase is wrong, or the file was altered (AES-GCM cannot tell which). */
export class WrongPassphrase extends KeyFileError {
  constructor() {
    super("the passphrase is wrong, or the key file was altered");
    this.name = "WrongPassphrase";
  }
}

const encoder = new TextEncoder();

function sameKeys(value, keys) {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const got = Object.keys(value).sort();
  const want = [...keys].sort();
  return got.length === want.length && got.every((k, i) => k === want[i]);
}

function hexField(value, field, lo, hi) {
  if (
    typeof value !== "string" ||
    value.length < 2 * lo ||
    value.length > 2 * hi ||
    value.length % 2 ||
    !/^[0-9a-f]*$/.test(value)
  ) {
    throw new KeyFileError(`not a valid key file: ${field} is ${lo} to ${hi} bytes of lowercase hex`);
  }
  return hexToBytes(value);
}

async function deriveKey(passphrase, salt, iterations) {
  const material = await crypto.subtle.importKey(
    "raw",
    encoder.encode(passphrase.normalize("NFC")),
    "PBKDF2",
    false,
    ["deriveKey"],
  );
  return crypto.subtle.deriveKey(
    { name: "PBKDF2", hash: "SHA-256", salt, iterations },
    material,
    { name: "AES-GCM", length: 256 },
    false,
    ["encrypt", "decrypt"],
  );
}

/** Check the structure of a voting key file (not the passphrase); return its parts. */
export function decodeVotingKeyFile(value) {
  if (!sameKeys(value, KEYS)) throw new KeyFileError("not a valid key file: wrong keys");
  if (value.format !== FORMAT) throw new KeyFileError(`not a valid key file: format must be ${FORMAT}`);
  if (value.cipher !== CIPHER) throw new KeyFileError(`not a valid key file: cipher must be ${CIPHER}`);
  if (value.kind !== "voting") throw new KeyFileError("this is not a voting key file");
  if (!sameKeys(value.public, ["voting_key"])) {
    throw new KeyFileError("not a valid key file: public holds only voting_key");
  }
  try {
    pointFromHex(value.public.voting_key, { field: "public.voting_key" });
  } catch {
    throw new KeyFileError("not a valid key file: public.voting_key is not a point");
  }
  const kdf = value.kdf;
  if (!sameKeys(kdf, ["iterations", "name", "salt"]) || kdf.name !== KDF_NAME) {
    throw new KeyFileError(`not a valid key file: kdf must be ${KDF_NAME}`);
  }
  if (!Number.isSafeInteger(kdf.iterations) || kdf.iterations < MIN_ITERATIONS) {
    throw new KeyFileError(`not a valid key file: at least ${MIN_ITERATIONS} iterations`);
  }
  if (kdf.iterations > MAX_ITERATIONS) {
    throw new KeyFileError(`not a valid key file: at most ${MAX_ITERATIONS} iterations`);
  }
  return {
    public: value.public,
    iterations: kdf.iterations,
    salt: hexField(kdf.salt, "kdf.salt", SALT_SIZE, SALT_SIZE),
    nonce: hexField(value.nonce, "nonce", NONCE_SIZE, NONCE_SIZE),
    ciphertext: hexField(value.ciphertext, "ciphertext", 17, MAX_CIPHERTEXT),
  };
}

/**
 * Seal a voting key pair {secret v, public V} under a passphrase: the JSON
 * object of the key file. Misuse: a short passphrase is guessed offline by
 * whoever gets the file; the iteration count only slows each guess.
 */
export async function sealVotingKey(pair, passphrase, { iterations = ITERATIONS } = {}) {
  if (typeof passphrase !== "string" || passphrase === "") {
    throw new KeyFileError("the passphrase must not be empty");
  }
  const publicPart = { voting_key: pointToHex(pair.public) };
  const secretPart = { voting_secret: scalarToHex(pair.secret) };
  const salt = randomBytes(SALT_SIZE);
  const nonce = randomBytes(NONCE_SIZE);
  const key = await deriveKey(passphrase, salt, iterations);
  const body = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv: nonce, additionalData: encoder.encode(canonicalJson(publicPart)) },
    key,
    encoder.encode(canonicalJson(secretPart)),
  );
  const file = {
    format: FORMAT,
    kind: "voting",
    public: publicPart,
    kdf: { name: KDF_NAME, iterations, salt: bytesToHex(salt) },
    cipher: CIPHER,
    nonce: bytesToHex(nonce),
    ciphertext: bytesToHex(new Uint8Array(body)),
  };
  decodeVotingKeyFile(file); // refuse to write what this reader would refuse to read
  return file;
}

/** The text of a key file as it is saved: canonical JSON and a newline. */
export function keyFileText(file) {
  return `${canonicalJson(file)}\n`;
}

/**
 * Open a voting key file with its passphrase: the key pair {secret v, public V}.
 * Throws WrongPassphrase, or KeyFileError for a malformed file or a secret
 * that does not match V.
 */
export async function openVotingKey(value, passphrase) {
  const kf = decodeVotingKeyFile(value);
  const key = await deriveKey(passphrase, kf.salt, kf.iterations);
  let plain;
  try {
    plain = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: kf.nonce, additionalData: encoder.encode(canonicalJson(kf.public)) },
      key,
      kf.ciphertext,
    );
  } catch {
    throw new WrongPassphrase();
  }
  let secret;
  try {
    secret = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(plain));
  } catch {
    throw new KeyFileError("the secret part is not JSON");
  }
  let pair;
  try {
    if (!sameKeys(secret, ["voting_secret"])) throw new Error("keys");
    pair = keyPairFromSecret(scalarFromHex(secret.voting_secret, "secret.voting_secret"));
  } catch {
    throw new KeyFileError("the secret part is malformed");
  }
  if (pointToHex(pair.public) !== kf.public.voting_key) {
    throw new KeyFileError("the secret does not match the public voting key");
  }
  return pair;
}
