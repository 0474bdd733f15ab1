// A trustee's half of the secret-ballot protocol in the browser
// (docs/protocol/secret-ballot.md, cited below by section): the key file
// (§11), the rounds of the key ceremony (§6.2-§6.5) and the partial
// decryption of the group sums (§7.2, §12).
//
// It reproduces src/secret_ballot/keyfile.py and trustee.py byte for byte:
// from the same secret state it makes the same messages, nonces included,
// which tests/booth/test_trustee_cross_language.py checks against the Python
// engine. It touches no DOM, so Node runs it as it is; AES-GCM and PBKDF2 come
// from WebCrypto (globalThis.crypto.subtle), so the functions that use them
// are asynchronous.
//
// Types as in secret-ballot.js: a scalar is a bigint in [0, n), a point a
// noble Point, a digest a Uint8Array. Messages in and out are the JSON the
// trustees API relays (§8.3).

import {
  DecodingError,
  IDENTITY,
  N,
  VerificationError,
  baseMul,
  bytesToHex,
  canonicalJson,
  hashDigest,
  hashToScalar,
  hexToBytes,
  mod,
  mul,
  obj,
  pointFromHex,
  pointToHex,
  proveDleq,
  randomBytes,
  randomScalar,
  scalarFromHex,
  scalarToBytes,
  scalarToHex,
  schnorrProve,
  schnorrVerify,
  verifyDleq,
} from "./secret-ballot.js";

// --- Constants (equal to the Python engine's) --------------------------------------

export const KEY_FILE_FORMAT = "asamblea-key-file/1";
export const KDF_NAME = "pbkdf2-sha256";
export const CIPHER = "aes-256-gcm";
/** Iterations written by default (keyfile.ITERATIONS). */
export const ITERATIONS = 600_000;
export const MIN_ITERATIONS = 100_000;
export const MAX_ITERATIONS = 10_000_000;
const SALT_SIZE = 16;
const NONCE_SIZE = 12;
const MAX_CIPHERTEXT = 1024 * 1024;

const RECORD_VERSION = "asamblea-election-record/2";
const GROUP_NAME = "secp256k1";
const MAX_TRUSTEES = 255;

export const TAG_DKG_SEED = "dkg-seed";
export const TAG_DKG_COMMITMENT = "dkg-commitment";
export const TAG_SHARE_KEY = "share-key";
export const TAG_SHARE_AAD = "share-aad";
export const TAG_ENCRYPTED_SHARE = "encrypted-share";
export const TAG_DEALER_MESSAGE_BODY = "dealer-message-body";
export const TAG_DEALER_MESSAGE = "dealer-message";
export const TAG_COEFFICIENT = "coefficient-proof";
export const TAG_SHARE_ACK = "share-acknowledgement";
export const TAG_COMPLAINT = "complaint-proof";
export const TAG_PARTIAL_DECRYPTION = "partial-decryption-proof";
const TAG_CEREMONY = "ceremony";
const TAG_MANIFEST = "manifest";
const TAG_ELECTION = "election";

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const HEX = /^(?:[0-9a-f]{2})*$/;
const utf8 = new TextEncoder();

/** The key file cannot be opened: wrong passphrase, altered, malformed or of another kind. */
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

/** A step the protocol forbids now (the ceremony is over, the key does not fit...). */
export class ProtocolError extends Error {
  constructor(message) {
    super(message);
    this.name = "ProtocolError";
  }
}

// --- Strict JSON decoding (as secret_ballot.jsonfields) ----------------------------

function arr(value, field, length = undefined) {
  if (!Array.isArray(value)) throw new DecodingError("expected a JSON array", field);
  if (length !== undefined && value.length !== length) {
    throw new DecodingError(`expected ${length} elements, got ${value.length}`, field);
  }
  return value;
}

function integer(value, field, lo = 0, hi = Number.MAX_SAFE_INTEGER) {
  if (!Number.isSafeInteger(value) || value < lo || value > hi) {
    throw new DecodingError(`an integer in [${lo}, ${hi}]`, field);
  }
  return value;
}

function text(value, field) {
  if (typeof value !== "string") throw new DecodingError("expected a string", field);
  return value;
}

function hexBytes(value, field, lo, hi = lo) {
  const s = text(value, field);
  if (s.length < 2 * lo || s.length > 2 * hi || !HEX.test(s)) {
    throw new DecodingError(`${lo} to ${hi} bytes as lowercase hexadecimal`, field);
  }
  return hexToBytes(s);
}

function digestFromHex(value, field) {
  return hexBytes(value, field, 32);
}

function cv(value, field) {
  const o = obj(value, field, ["c", "v"]);
  return { c: scalarFromHex(o.c, `${field}.c`), v: scalarFromHex(o.v, `${field}.v`) };
}

function cvJson(p) {
  return { c: scalarToHex(p.c), v: scalarToHex(p.v) };
}

function sumPoints(points) {
  return points.reduce((acc, p) => acc.add(p), IDENTITY);
}

// --- WebCrypto ------------------------------------------------------------------

function subtle() {
  const s = globalThis.crypto?.subtle;
  if (!s) throw new ProtocolError("this browser has no WebCrypto (it needs https)");
  return s;
}

async function aesKey(raw, usage) {
  return subtle().importKey("raw", raw, { name: "AES-GCM" }, false, [usage]);
}

async function aesEncrypt(raw, nonce, plain, aad) {
  const key = await aesKey(raw, "encrypt");
  const params = { name: "AES-GCM", iv: nonce, additionalData: aad, tagLength: 128 };
  return new Uint8Array(await subtle().encrypt(params, key, plain));
}

/** AES-256-GCM decryption; null when the tag does not verify. */
async function aesDecrypt(raw, nonce, body, aad) {
  const key = await aesKey(raw, "decrypt");
  const params = { name: "AES-GCM", iv: nonce, additionalData: aad, tagLength: 128 };
  try {
    return new Uint8Array(await subtle().decrypt(params, key, body));
  } catch {
    return null;
  }
}

// --- Key files (§11) --------------------------------------------------------------

const PUBLIC_KEYS = {
  voting: ["voting_key"],
  trustee: ["ceremony_id", "ceremony_hash", "index", "communication_key"],
};

function checkPublic(kind, pub) {
  if (kind === "voting") {
    pointFromHex(pub.voting_key, { field: "public.voting_key" });
    return;
  }
  const id = text(pub.ceremony_id, "public.ceremony_id");
  if (!ID_PATTERN.test(id)) throw new DecodingError("an identifier", "public.ceremony_id");
  if (pub.ceremony_hash !== null) digestFromHex(pub.ceremony_hash, "public.ceremony_hash");
  integer(pub.index, "public.index", 1, 255);
  pointFromHex(pub.communication_key, { field: "public.communication_key" });
}

/** Decode and check a key file's structure, not its passphrase (keyfile.KeyFile.from_json). */
export function decodeKeyFile(value) {
  try {
    const o = obj(value, "", [
      "format",
      "kind",
      "public",
      "kdf",
      "cipher",
      "nonce",
      "ciphertext",
    ]);
    if (o.format !== KEY_FILE_FORMAT) throw new DecodingError(`must be '${KEY_FILE_FORMAT}'`, "format");
    if (o.cipher !== CIPHER) throw new DecodingError(`must be '${CIPHER}'`, "cipher");
    const kind = text(o.kind, "kind");
    if (!Object.hasOwn(PUBLIC_KEYS, kind)) throw new DecodingError("'trustee' or 'voting'", "kind");
    const pub = obj(o.public, "public", PUBLIC_KEYS[kind]);
    checkPublic(kind, pub);
    const kdf = obj(o.kdf, "kdf", ["name", "iterations", "salt"]);
    if (kdf.name !== KDF_NAME) throw new DecodingError(`must be '${KDF_NAME}'`, "kdf.name");
    const iterations = integer(kdf.iterations, "kdf.iterations");
    if (iterations < MIN_ITERATIONS) {
      throw new DecodingError(`at least ${MIN_ITERATIONS} iterations`, "kdf.iterations");
    }
    if (iterations > MAX_ITERATIONS) {
      throw new DecodingError(`at most ${MAX_ITERATIONS} iterations`, "kdf.iterations");
    }
    return {
      kind,
      public: pub,
      iterations,
      salt: hexBytes(kdf.salt, "kdf.salt", SALT_SIZE),
      nonce: hexBytes(o.nonce, "nonce", NONCE_SIZE),
      ciphertext: hexBytes(o.ciphertext, "ciphertext", 17, MAX_CIPHERTEXT),
    };
  } catch (exc) {
    if (exc instanceof DecodingError) throw new KeyFileError(`not a valid key file: ${exc.message}`);
    throw exc;
  }
}

function keyFileToJson(kf) {
  return {
    format: KEY_FILE_FORMAT,
    kind: kf.kind,
    public: kf.public,
    kdf: { name: KDF_NAME, iterations: kf.iterations, salt: bytesToHex(kf.salt) },
    cipher: CIPHER,
    nonce: bytesToHex(kf.nonce),
    ciphertext: bytesToHex(kf.ciphertext),
  };
}

/** PBKDF2-HMAC-SHA256 of the NFC passphrase: the 32-byte AES key (§11). */
async function deriveKey(passphrase, salt, iterations) {
  const material = await subtle().importKey(
    "raw",
    utf8.encode(passphrase.normalize("NFC")),
    "PBKDF2",
    false,
    ["deriveBits"],
  );
  const bits = await subtle().deriveBits(
    { name: "PBKDF2", hash: "SHA-256", salt, iterations },
    material,
    256,
  );
  return new Uint8Array(bits);
}

/**
 * A key file holding secret under passphrase (keyfile.seal). Misuse: a short
 * passphrase is guessed offline by whoever gets the file.
 */
export async function sealKeyFile(kind, pub, secret, passphrase, { iterations = ITERATIONS } = {}) {
  if (typeof passphrase !== "string" || passphrase === "") {
    throw new KeyFileError("the passphrase must not be empty");
  }
  if (!Object.hasOwn(PUBLIC_KEYS, kind)) throw new KeyFileError("the kind is 'trustee' or 'voting'");
  const salt = randomBytes(SALT_SIZE);
  const nonce = randomBytes(NONCE_SIZE);
  const key = await deriveKey(passphrase, salt, iterations);
  const ciphertext = await aesEncrypt(
    key,
    nonce,
    utf8.encode(canonicalJson(secret)),
    utf8.encode(canonicalJson(pub)),
  );
  const value = keyFileToJson({ kind, public: pub, iterations, salt, nonce, ciphertext });
  // Refuse to write what this reader would refuse to read.
  decodeKeyFile(value);
  return value;
}

/** Open a key file: {keyFile, secret}. Throws WrongPassphrase or KeyFileError. */
export async function openKeyFile(value, passphrase) {
  const kf = decodeKeyFile(value);
  const key = await deriveKey(passphrase, kf.salt, kf.iterations);
  const plain = await aesDecrypt(key, kf.nonce, kf.ciphertext, utf8.encode(canonicalJson(kf.public)));
  if (plain === null) throw new WrongPassphrase();
  let secret;
  try {
    secret = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(plain));
  } catch {
    throw new KeyFileError("the secret part is not JSON");
  }
  return { keyFile: kf, secret };
}

/**
 * A trustee key: {ceremonyId, ceremonyHash (hex or null), index,
 * communicationKey (hex), secret} where secret is {communication_secret} or
 * a Trustee secret object (keyfile.TrusteeKey).
 */
export function newTrusteeKey(ceremonyId, index, communicationSecret = randomScalar()) {
  return {
    ceremonyId,
    ceremonyHash: null,
    index,
    communicationKey: pointToHex(baseMul(communicationSecret)),
    secret: { communication_secret: scalarToHex(communicationSecret) },
  };
}

/** d_i of an opened trustee key; throws KeyFileError if it does not match D_i. */
export function communicationSecret(key) {
  const d = scalarFromHex(key.secret?.communication_secret, "secret.communication_secret");
  if (pointToHex(baseMul(d)) !== key.communicationKey) {
    throw new KeyFileError("the communication secret does not match D_i");
  }
  return d;
}

/** Seal a trustee's key (keyfile.trustee_key_file); again after each step that changes it. */
export async function sealTrusteeKey(key, passphrase, options = {}) {
  communicationSecret(key);
  const pub = {
    ceremony_id: key.ceremonyId,
    ceremony_hash: key.ceremonyHash,
    index: key.index,
    communication_key: key.communicationKey,
  };
  return sealKeyFile("trustee", pub, key.secret, passphrase, options);
}

/** Open a trustee key file (keyfile.open_trustee_key_file). */
export async function openTrusteeKeyFile(value, passphrase) {
  const { keyFile, secret } = await openKeyFile(value, passphrase);
  if (keyFile.kind !== "trustee") throw new KeyFileError("this is not a trustee key file");
  if (typeof secret !== "object" || secret === null || !("communication_secret" in secret)) {
    throw new KeyFileError("the secret part has no communication secret");
  }
  const p = keyFile.public;
  const key = {
    ceremonyId: p.ceremony_id,
    ceremonyHash: p.ceremony_hash,
    index: p.index,
    communicationKey: p.communication_key,
    secret,
  };
  try {
    communicationSecret(key);
  } catch (exc) {
    if (exc instanceof DecodingError) throw new KeyFileError(`the key file is malformed: ${exc.message}`);
    throw exc;
  }
  return key;
}

// --- Parameters and h_K (§3.3, §6.1) ------------------------------------------------

/** Decode the ceremony parameters and compute h_K = D_ceremony(JCS(parameters)). */
export function loadParameters(value, field = "parameters") {
  const o = obj(value, field, [
    "version",
    "ceremony_id",
    "group",
    "generator",
    "order",
    "trustee_count",
    "threshold",
    "trustees",
  ]);
  const fixed = {
    version: RECORD_VERSION,
    group: GROUP_NAME,
    generator: pointToHex(baseMul(1n)),
    order: N.toString(16).padStart(64, "0"),
  };
  for (const [k, expected] of Object.entries(fixed)) {
    if (o[k] !== expected) throw new DecodingError(`must be '${expected}'`, `${field}.${k}`);
  }
  const items = arr(o.trustees, `${field}.trustees`);
  if (items.length < 1 || items.length > MAX_TRUSTEES) {
    throw new DecodingError(`1 to ${MAX_TRUSTEES} trustees`, `${field}.trustees`);
  }
  const seen = new Set();
  const trustees = items.map((item, k) => {
    const f = `${field}.trustees[${k}]`;
    const t = obj(item, f, ["index", "name", "communication_key"]);
    if (t.index !== k + 1) throw new DecodingError("trustee indices are 1..n in order", f);
    text(t.name, `${f}.name`);
    const key = pointFromHex(t.communication_key, { field: `${f}.communication_key` });
    if (seen.has(t.communication_key)) {
      throw new DecodingError("communication keys must be distinct", `${field}.trustees`);
    }
    seen.add(t.communication_key);
    return { index: t.index, communicationKey: key };
  });
  if (o.trustee_count !== trustees.length) {
    throw new DecodingError("does not match the trustee list", `${field}.trustee_count`);
  }
  const threshold = integer(o.threshold, `${field}.threshold`, 1, trustees.length);
  const ceremonyId = text(o.ceremony_id, `${field}.ceremony_id`);
  if (!ID_PATTERN.test(ceremonyId)) throw new DecodingError("an identifier", `${field}.ceremony_id`);
  return {
    ceremonyId,
    threshold,
    trustees,
    n: trustees.length,
    hK: hashDigest(TAG_CEREMONY, utf8.encode(canonicalJson(value))),
  };
}

// --- Ceremony helpers (dkg.py) --------------------------------------------------------

/** h_i = D_dkg-commitment(h_K, i, A_i0, ..., A_i,t-1) (§6.2). */
export function commitmentHash(hK, dealer, commitments) {
  return hashDigest(TAG_DKG_COMMITMENT, hK, dealer, ...commitments);
}

/** sum_k j^k·A_ik: the point s_ij·G must equal (§6.4). */
export function expectedSharePoint(commitments, recipient) {
  let power = 1n;
  const out = [];
  for (const a of commitments) {
    out.push(power === 0n ? IDENTITY : a.multiplyUnsafe(power));
    power = mod(power * BigInt(recipient));
  }
  return sumPoints(out);
}

function dealerContext(hK, dealer, round, body) {
  return [
    hK,
    dealer,
    round,
    hashDigest(TAG_DEALER_MESSAGE_BODY, utf8.encode(canonicalJson(body))),
  ];
}

function shareKey(hK, dealer, recipient, shared) {
  return hashDigest(TAG_SHARE_KEY, hK, dealer, recipient, shared);
}

function shareAad(hK, dealer, recipient) {
  return hashDigest(TAG_SHARE_AAD, hK, dealer, recipient);
}

function encryptedShareDigest(share) {
  return hashDigest(TAG_ENCRYPTED_SHARE, share.dealer, share.recipient, share.nonce, share.ciphertext);
}

/** Decrypt a share with S_ij; null if AES-GCM refuses it or it is not a scalar below n. */
async function openShare(hK, share, shared) {
  const plain = await aesDecrypt(
    shareKey(hK, share.dealer, share.recipient, shared),
    share.nonce,
    share.ciphertext,
    shareAad(hK, share.dealer, share.recipient),
  );
  if (plain === null || plain.length !== 32) return null;
  const value = BigInt("0x" + bytesToHex(plain));
  return value < N ? value : null;
}

/** Whether trustee dealer signed body (the message without its signature) for round (§6.2). */
export function dealerSignatureVerifies(parameters, round, dealer, body, signature) {
  let context;
  try {
    context = dealerContext(parameters.hK, dealer, round, body);
  } catch {
    return false;
  }
  const key = parameters.trustees[dealer - 1].communicationKey;
  return schnorrVerify(TAG_DEALER_MESSAGE, context, key, signature);
}

/** Decode a reveal as the relay publishes it (dkg.Reveal.from_json). */
export function revealFromJson(value, n, field = "") {
  const f = (k) => (field ? `${field}.${k}` : k);
  const o = obj(value, field, ["dealer", "commitments", "proofs", "shares", "signature"]);
  const dealer = integer(o.dealer, f("dealer"), 1, n);
  const commitments = arr(o.commitments, f("commitments")).map((p, m) =>
    pointFromHex(p, { field: `${f("commitments")}[${m}]` }),
  );
  const proofs = arr(o.proofs, f("proofs")).map((p, m) => cv(p, `${f("proofs")}[${m}]`));
  const shares = arr(o.shares, f("shares")).map((item, m) => {
    const sf = `${f("shares")}[${m}]`;
    const s = obj(item, sf, ["recipient", "nonce", "ciphertext"]);
    return {
      dealer,
      recipient: integer(s.recipient, `${sf}.recipient`, 1, n),
      nonce: hexBytes(s.nonce, `${sf}.nonce`, 12),
      ciphertext: hexBytes(s.ciphertext, `${sf}.ciphertext`, 48),
    };
  });
  return { dealer, commitments, proofs, shares, signature: cv(o.signature, f("signature")) };
}

function revealBody(reveal) {
  return {
    dealer: reveal.dealer,
    commitments: reveal.commitments.map(pointToHex),
    proofs: reveal.proofs.map(cvJson),
    shares: reveal.shares.map((s) => ({
      recipient: s.recipient,
      nonce: bytesToHex(s.nonce),
      ciphertext: bytesToHex(s.ciphertext),
    })),
  };
}

/** Decode an announcement as the relay publishes it (dkg.Announcement.from_json). */
export function announcementFromJson(value, n, field = "") {
  const f = (k) => (field ? `${field}.${k}` : k);
  const o = obj(value, field, ["dealer", "commitment_hash", "signature"]);
  return {
    dealer: integer(o.dealer, f("dealer"), 1, n),
    commitmentHash: digestFromHex(o.commitment_hash, f("commitment_hash")),
    signature: cv(o.signature, f("signature")),
  };
}

/**
 * The messages the relay publishes (GET .../messages) by round:
 * {announcements, reveals, responses} as JSON payloads, each decoded
 * strictly first (trustee_cli.published). Throws DecodingError.
 */
export function publishedMessages(parameters, messages) {
  const out = { announcements: [], reveals: [], responses: [] };
  arr(messages, "messages").forEach((m, k) => {
    const f = `messages[${k}].payload`;
    if (m?.round === "announce") {
      announcementFromJson(m.payload, parameters.n, f);
      out.announcements.push(m.payload);
    } else if (m?.round === "reveal") {
      revealFromJson(m.payload, parameters.n, f);
      out.reveals.push(m.payload);
    } else if (m?.round === "respond") {
      out.responses.push(...arr(m.payload, f));
    } else {
      throw new DecodingError("announce, reveal or respond", `messages[${k}].round`);
    }
  });
  return out;
}

// --- The trustee (trustee.py) -----------------------------------------------------------

/**
 * Trustee index's secret state through the ceremony and after it
 * (secret_ballot.trustee.Trustee). Between steps it is saved with
 * toSecretJson() in the key file and restored with fromSecretJson().
 */
export class Trustee {
  constructor(parameters, index, communicationSecret, { coefficients = [], received = [], keyShare = null } = {}) {
    if (!(index >= 1 && index <= parameters.n)) throw new ProtocolError("no such trustee in the parameters");
    this.parameters = parameters;
    this.hK = parameters.hK;
    this.index = index;
    this.communicationKey = parameters.trustees[index - 1].communicationKey;
    if (!baseMul(communicationSecret).equals(this.communicationKey)) {
      throw new ProtocolError("the communication secret does not match the parameters");
    }
    this.d = communicationSecret;
    if (keyShare === null && coefficients.length !== parameters.threshold) {
      throw new ProtocolError(`${parameters.threshold} coefficients expected`);
    }
    this.coefficients = [...coefficients];
    this.commitments = this.coefficients.map(baseMul);
    this.received = new Map(received);
    if (keyShare === null) this.received.set(index, this.evaluate(index));
    this.keyShareValue = keyShare;
  }

  /**
   * A trustee with a fresh polynomial of degree t - 1 (§6.2). Misuse: seed
   * is for tests; whoever learns it learns the share.
   */
  static create(parameters, index, communicationSecret, seed = randomBytes(32)) {
    const coefficients = [];
    for (let k = 0; k < parameters.threshold; k++) {
      coefficients.push(hashToScalar(TAG_DKG_SEED, seed, parameters.hK, index, "coefficient", k));
    }
    return new Trustee(parameters, index, communicationSecret, { coefficients });
  }

  get finished() {
    return this.keyShareValue !== null;
  }

  /** The secret object of the key file (trustee.py's module docstring). */
  toSecretJson() {
    const d = scalarToHex(this.d);
    if (this.keyShareValue !== null) {
      return { communication_secret: d, key_share: scalarToHex(this.keyShareValue) };
    }
    return {
      communication_secret: d,
      coefficients: this.coefficients.map(scalarToHex),
      received_shares: [...this.received.entries()]
        .sort((a, b) => a[0] - b[0])
        .map(([dealer, s]) => ({ dealer, share: scalarToHex(s) })),
    };
  }

  static fromSecretJson(parameters, index, value, field = "secret") {
    if (value && typeof value === "object" && "key_share" in value) {
      const o = obj(value, field, ["communication_secret", "key_share"]);
      return new Trustee(parameters, index, scalarFromHex(o.communication_secret, `${field}.communication_secret`), {
        keyShare: scalarFromHex(o.key_share, `${field}.key_share`),
      });
    }
    const o = obj(value, field, ["communication_secret", "coefficients", "received_shares"]);
    const coefficients = arr(o.coefficients, `${field}.coefficients`).map((a, k) =>
      scalarFromHex(a, `${field}.coefficients[${k}]`),
    );
    const received = arr(o.received_shares, `${field}.received_shares`).map((item, k) => {
      const f = `${field}.received_shares[${k}]`;
      const r = obj(item, f, ["dealer", "share"]);
      return [integer(r.dealer, `${f}.dealer`, 1, parameters.n), scalarFromHex(r.share, `${f}.share`)];
    });
    return new Trustee(parameters, index, scalarFromHex(o.communication_secret, `${field}.communication_secret`), {
      coefficients,
      received,
    });
  }

  evaluate(x) {
    let acc = 0n;
    const xs = mod(BigInt(x));
    for (let k = this.coefficients.length - 1; k >= 0; k--) acc = mod(acc * xs + this.coefficients[k]);
    return acc;
  }

  requireCeremony() {
    if (this.keyShareValue !== null) throw new ProtocolError("the ceremony is over for this trustee");
  }

  sign(round, body) {
    const context = dealerContext(this.hK, this.index, round, body);
    return { ...body, signature: cvJson(schnorrProve(TAG_DEALER_MESSAGE, context, this.d, this.communicationKey)) };
  }

  /** Round 1: the signed announcement (§6.2), as JSON. */
  announce() {
    this.requireCeremony();
    const h = commitmentHash(this.hK, this.index, this.commitments);
    return this.sign("announce", { dealer: this.index, commitment_hash: bytesToHex(h) });
  }

  /**
   * Round 2: commitments, proofs and one encrypted share per other trustee,
   * signed (§6.2, §6.3), as JSON. The AES-GCM nonces derive from the
   * coefficients, so calling it again gives the same message.
   */
  async reveal() {
    this.requireCeremony();
    const i = this.index;
    const hK = this.hK;
    const proofs = this.coefficients.map((a, k) =>
      cvJson(schnorrProve(TAG_COEFFICIENT, [hK, i, k], a, this.commitments[k])),
    );
    const shares = [];
    for (const info of this.parameters.trustees) {
      const j = info.index;
      if (j === i) continue;
      const nonce = hashDigest(TAG_DKG_SEED, this.coefficients[0], hK, i, "nonce", j).slice(0, 12);
      const shared = mul(info.communicationKey, this.d);
      const ciphertext = await aesEncrypt(
        shareKey(hK, i, j, shared),
        nonce,
        scalarToBytes(this.evaluate(j)),
        shareAad(hK, i, j),
      );
      shares.push({ recipient: j, nonce: bytesToHex(nonce), ciphertext: bytesToHex(ciphertext) });
    }
    return this.sign("reveal", {
      dealer: i,
      commitments: this.commitments.map(pointToHex),
      proofs,
      shares,
    });
  }

  /**
   * Round 3: for each other dealer's reveal (JSON payloads), an
   * acknowledgement or a complaint (§6.4), as a JSON array. Throws
   * VerificationError, sending nothing, if a reveal is not signed by its
   * dealer: the relay invented or altered it.
   */
  async respond(reveals) {
    this.requireCeremony();
    const decoded = reveals
      .map((r, k) => revealFromJson(r, this.parameters.n, `reveals[${k}]`))
      .sort((a, b) => a.dealer - b.dealer);
    for (const reveal of decoded) {
      if (reveal.dealer === this.index) continue;
      if (!dealerSignatureVerifies(this.parameters, "reveal", reveal.dealer, revealBody(reveal), reveal.signature)) {
        throw new VerificationError(`the reveal is not signed by trustee ${reveal.dealer}`, "signature");
      }
    }
    const out = [];
    for (const reveal of decoded) {
      const i = reveal.dealer;
      if (i === this.index) continue;
      const share = reveal.shares.find((s) => s.recipient === this.index);
      if (share === undefined) continue;
      const dealerKey = this.parameters.trustees[i - 1].communicationKey;
      const shared = mul(dealerKey, this.d);
      const value = await openShare(this.hK, share, shared);
      if (
        value !== null &&
        baseMul(value).equals(expectedSharePoint(reveal.commitments, this.index))
      ) {
        this.received.set(i, value);
        const context = [this.hK, i, this.index, encryptedShareDigest(share)];
        const signature = schnorrProve(TAG_SHARE_ACK, context, this.d, this.communicationKey);
        out.push({ dealer: i, recipient: this.index, kind: "ack", signature: cvJson(signature) });
        continue;
      }
      this.received.delete(i);
      const proof = proveDleq(
        TAG_COMPLAINT,
        [this.hK, i, this.index],
        this.d,
        this.communicationKey,
        dealerKey,
        shared,
      );
      out.push({
        dealer: i,
        recipient: this.index,
        kind: "complaint",
        shared_key: pointToHex(shared),
        proof: cvJson(proof),
      });
    }
    return out;
  }

  /**
   * x_j = sum over QUAL of the shares received (§6.5); then forget the
   * polynomial. outcome: {qualified: [i...], verificationKeys: [Point...]}.
   */
  keyShare(outcome) {
    if (this.keyShareValue !== null) return this.keyShareValue;
    const missing = outcome.qualified.filter((i) => !this.received.has(i));
    if (missing.length) throw new ProtocolError(`no valid share from qualified dealers [${missing.join(", ")}]`);
    const x = mod(outcome.qualified.reduce((acc, i) => acc + this.received.get(i), 0n));
    if (!baseMul(x).equals(outcome.verificationKeys[this.index - 1])) {
      throw new ProtocolError("the key share does not match the verification key");
    }
    this.keyShareValue = x;
    this.coefficients = [];
    this.commitments = [];
    this.received = new Map();
    return x;
  }
}

/** Decode one response of round 3 (dkg.response_from_json). */
export function responseFromJson(value, n, field = "") {
  const f = (k) => (field ? `${field}.${k}` : k);
  const kind = value?.kind;
  if (kind === "ack") {
    const r = obj(value, field, ["dealer", "recipient", "kind", "signature"]);
    return {
      kind,
      dealer: integer(r.dealer, f("dealer"), 1, n),
      recipient: integer(r.recipient, f("recipient"), 1, n),
      signature: cv(r.signature, f("signature")),
    };
  }
  if (kind === "complaint") {
    const r = obj(value, field, ["dealer", "recipient", "kind", "shared_key", "proof"]);
    return {
      kind,
      dealer: integer(r.dealer, f("dealer"), 1, n),
      recipient: integer(r.recipient, f("recipient"), 1, n),
      sharedKey: pointFromHex(r.shared_key, { field: f("shared_key") }),
      proof: cv(r.proof, f("proof")),
    };
  }
  throw new DecodingError("kind is 'ack' or 'complaint'", f("kind"));
}

function revealFault(parameters, announcement, reveal) {
  const { threshold: t, n, hK } = parameters;
  const i = reveal.dealer;
  if (reveal.commitments.length !== t || reveal.proofs.length !== t) return "malformed-reveal";
  const recipients = reveal.shares.map((s) => s.recipient);
  if (recipients.includes(i) || recipients.some((r, k) => k > 0 && r <= recipients[k - 1])) {
    return "malformed-reveal";
  }
  for (let j = 1; j <= n; j++) if (j !== i && !recipients.includes(j)) return "missing-share";
  if (bytesToHex(commitmentHash(hK, i, reveal.commitments)) !== bytesToHex(announcement.commitmentHash)) {
    return "commitment-mismatch";
  }
  const proved = reveal.commitments.every((a, k) =>
    schnorrVerify(TAG_COEFFICIENT, [hK, i, k], a, reveal.proofs[k]),
  );
  return proved ? null : "bad-proof";
}

function strictlyAscending(keys, what) {
  for (let k = 1; k < keys.length; k++) {
    const [a, b] = [keys[k - 1], keys[k]];
    if (b[0] < a[0] || (b[0] === a[0] && (b[1] ?? 0) <= (a[1] ?? 0))) {
      throw new VerificationError(`${what}: at most one each`, what);
    }
  }
}

/**
 * Judge the published transcript and derive QUAL, K and VK_1..VK_n
 * (dkg.evaluate_transcript, §6.5, §6.6): {qualified, faults: {i: code},
 * jointKey, verificationKeys, failure}. Throws VerificationError when the
 * transcript itself is invalid (a message that fails its signature or proof).
 * published is publishedMessages' answer.
 */
export async function evaluateTranscript(parameters, published) {
  const { n, threshold: t, hK } = parameters;
  const bySender = (a, b) => a.dealer - b.dealer || (a.recipient ?? 0) - (b.recipient ?? 0);
  const announcements = published.announcements
    .map((a, k) => ({ json: a, ...announcementFromJson(a, n, `announcements[${k}]`) }))
    .sort(bySender);
  const reveals = published.reveals
    .map((r, k) => revealFromJson(r, n, `reveals[${k}]`))
    .sort(bySender);
  const responses = published.responses
    .map((r, k) => responseFromJson(r, n, `responses[${k}]`))
    .sort(bySender);
  strictlyAscending(announcements.map((a) => [a.dealer]), "announcements");
  strictlyAscending(reveals.map((r) => [r.dealer]), "reveals");
  strictlyAscending(responses.map((r) => [r.dealer, r.recipient]), "responses");
  const announced = new Map();
  for (const a of announcements) {
    const body = { dealer: a.dealer, commitment_hash: bytesToHex(a.commitmentHash) };
    if (!dealerSignatureVerifies(parameters, "announce", a.dealer, body, a.signature)) {
      throw new VerificationError(`not signed by trustee ${a.dealer}`, "announcements");
    }
    announced.set(a.dealer, a);
  }
  const faults = new Map();
  const good = new Map();
  for (const reveal of reveals) {
    const i = reveal.dealer;
    if (!announced.has(i)) throw new VerificationError("a reveal from a trustee who did not announce", "reveals");
    if (!dealerSignatureVerifies(parameters, "reveal", i, revealBody(reveal), reveal.signature)) {
      throw new VerificationError(`not signed by trustee ${i}`, "reveals");
    }
    const fault = revealFault(parameters, announced.get(i), reveal);
    if (fault === null) good.set(i, reveal);
    else faults.set(i, fault);
  }
  for (let i = 1; i <= n; i++) {
    if (!announced.has(i)) faults.set(i, "not-announced");
    else if (!good.has(i) && !faults.has(i)) faults.set(i, "not-revealed");
  }
  const revealed = new Set(reveals.map((r) => r.dealer));
  for (const response of responses) {
    const { dealer: i, recipient: j } = response;
    if (!revealed.has(i)) throw new VerificationError("a response to a dealer who did not reveal", "responses");
    if (i === j) throw new VerificationError("a trustee does not respond to itself", "responses");
    const reveal = good.get(i);
    const share = reveal?.shares.find((s) => s.recipient === j);
    if (response.kind === "ack") {
      if (reveal === undefined) continue; // the dealer is already out
      const context = share && [hK, i, j, encryptedShareDigest(share)];
      const key = parameters.trustees[j - 1].communicationKey;
      if (!share || !schnorrVerify(TAG_SHARE_ACK, context, key, response.signature)) {
        throw new VerificationError("an acknowledgement does not verify", "responses");
      }
      continue;
    }
    const dj = parameters.trustees[j - 1].communicationKey;
    const di = parameters.trustees[i - 1].communicationKey;
    if (!verifyDleq(TAG_COMPLAINT, [hK, i, j], dj, di, response.sharedKey, response.proof)) {
      throw new VerificationError("a complaint proof does not verify", "responses");
    }
    if (reveal === undefined || share === undefined) continue;
    const value = await openShare(hK, share, response.sharedKey);
    const right = value !== null && baseMul(value).equals(expectedSharePoint(reveal.commitments, j));
    if (!right && !faults.has(i)) faults.set(i, "complaint-upheld");
  }
  const qualified = [];
  for (let i = 1; i <= n; i++) if (!faults.has(i)) qualified.push(i);
  const out = { qualified, faults, jointKey: null, verificationKeys: [], failure: null };
  if (qualified.length < t) {
    return { ...out, failure: `${qualified.length} qualified dealer(s), the threshold is ${t}` };
  }
  const aggregated = [];
  for (let k = 0; k < t; k++) aggregated.push(sumPoints(qualified.map((i) => good.get(i).commitments[k])));
  if (aggregated[0].is0()) return { ...out, failure: "the joint key is the identity" };
  const verificationKeys = parameters.trustees.map((info) => expectedSharePoint(aggregated, info.index));
  return { ...out, jointKey: aggregated[0], verificationKeys };
}

/**
 * The outcome of the published transcript (evaluateTranscript), checked
 * against what the server's board shows: throws VerificationError if its
 * qualified trustees, joint key or verification keys are not the
 * transcript's (trustee_cli._keep_key_share).
 */
export async function outcomeOfBoard(parameters, published, board) {
  const outcome = await evaluateTranscript(parameters, published);
  if (outcome.jointKey === null || pointToHex(outcome.jointKey) !== board.joint_key) {
    throw new VerificationError("the server's joint key is not the one the transcript gives", "joint_key");
  }
  if (canonicalJson(outcome.qualified) !== canonicalJson(board.qualified)) {
    throw new VerificationError("the server's qualified trustees are not the transcript's", "qualified");
  }
  const shown = board.verification_keys;
  if (!Array.isArray(shown) || outcome.verificationKeys.some((vk, k) => pointToHex(vk) !== shown[k])) {
    throw new VerificationError("the server's verification keys are not the transcript's", "verification_keys");
  }
  return outcome;
}

/** The messages a trustee sent that the published ones do not show unchanged (§6.8). */
export function droppedMessages(sent, published) {
  const shown = new Set(published.map(canonicalJson));
  return sent.filter((m) => !shown.has(canonicalJson(m)));
}

// --- Partial decryption (§7.2, §12) --------------------------------------------------------

function manifestOrder(manifest) {
  const contests = arr(manifest?.contests, "manifest.contests");
  return contests.map((c, ci) => {
    const f = `manifest.contests[${ci}]`;
    return {
      contestId: text(c?.contest_id, `${f}.contest_id`),
      optionIds: arr(c?.options, `${f}.options`).map((o, oi) => text(o?.option_id, `${f}.options[${oi}].option_id`)),
    };
  });
}

/**
 * The public context a trustee decrypts for, from GET .../encrypted/election
 * ({manifest, parameters, election: election.json}). Recomputes h_M, h_K
 * and h_E (§3.3) and throws VerificationError if election.json's h_E is not
 * the hash of what it names.
 */
export function loadDecryptionElection({ manifest, parameters, election }) {
  const params = loadParameters(parameters);
  const e = obj(election, "election", [
    "election_hash",
    "joint_key",
    "verification_keys",
    "qualified",
    "credentials_hash",
    "credential_count",
    "board_key",
    "committees_hash",
  ]);
  const vks = arr(e.verification_keys, "election.verification_keys", params.n).map((v, k) =>
    pointFromHex(v, { field: `election.verification_keys[${k}]` }),
  );
  const jointKey = pointFromHex(e.joint_key, { field: "election.joint_key" });
  const hM = hashDigest(TAG_MANIFEST, utf8.encode(canonicalJson(manifest)));
  const hE = hashDigest(
    TAG_ELECTION,
    hM,
    params.hK,
    digestFromHex(e.credentials_hash, "election.credentials_hash"),
    digestFromHex(e.committees_hash, "election.committees_hash"),
    jointKey,
    ...vks,
    pointFromHex(e.board_key, { field: "election.board_key" }),
  );
  if (bytesToHex(hE) !== e.election_hash) {
    throw new VerificationError("the election hash is not the hash of the election", "election.election_hash");
  }
  return { parameters: params, electionHash: hE, verificationKeys: vks, contests: manifestOrder(manifest) };
}

/** Decode group sums JSON (trustee.read_sums): [{groupId, contestId, optionId, alpha, beta}]. */
export function readSums(election, sums) {
  const o = obj(sums, "sums", ["groups"]);
  const seen = new Set();
  const out = [];
  arr(o.groups, "sums.groups").forEach((gitem, gi) => {
    const gp = `sums.groups[${gi}]`;
    const g = obj(gitem, gp, ["group_id", "contests"]);
    const groupId = text(g.group_id, `${gp}.group_id`);
    if (!ID_PATTERN.test(groupId) || seen.has(groupId)) throw new DecodingError("a node id, once", `${gp}.group_id`);
    seen.add(groupId);
    const items = arr(g.contests, `${gp}.contests`, election.contests.length);
    election.contests.forEach((contest, ci) => {
      const f = `${gp}.contests[${ci}]`;
      const c = obj(items[ci], f, ["contest_id", "options"]);
      if (c.contest_id !== contest.contestId) throw new DecodingError(`must be '${contest.contestId}'`, `${f}.contest_id`);
      const options = arr(c.options, `${f}.options`, contest.optionIds.length);
      contest.optionIds.forEach((optionId, oi) => {
        const h = `${f}.options[${oi}]`;
        const op = obj(options[oi], h, ["option_id", "alpha", "beta"]);
        if (op.option_id !== optionId) throw new DecodingError(`must be '${optionId}'`, `${h}.option_id`);
        out.push({
          groupId,
          contestId: contest.contestId,
          optionId,
          alpha: pointFromHex(op.alpha, { allowIdentity: true, field: `${h}.alpha` }),
          beta: pointFromHex(op.beta, { allowIdentity: true, field: `${h}.beta` }),
        });
      });
    });
  });
  return out;
}

/**
 * Partial decryptions of the group sums (Trustee.decrypt_sums, §7.2, §12):
 * {trustee, groups: [{group_id, contests: [{contest_id, options: [{option_id,
 * share, proof: {c, v}}]}]}]}; options whose A is the identity get no share.
 *
 * trusteeKey is an opened trustee key file holding a key share; election
 * comes from loadDecryptionElection. Misuse: only ever decrypt group sums
 * recomputed from the board (§12), never a single ballot's ciphertext.
 */
export function decryptSums(trusteeKey, election, sums) {
  const x = trusteeKey.secret?.key_share;
  if (typeof x !== "string") throw new ProtocolError("the ceremony is not over for this trustee");
  const keyShare = scalarFromHex(x, "secret.key_share");
  if (trusteeKey.ceremonyHash !== bytesToHex(election.parameters.hK)) {
    throw new ProtocolError("the election uses another ceremony");
  }
  const i = trusteeKey.index;
  const vk = election.verificationKeys[i - 1];
  if (!baseMul(keyShare).equals(vk)) throw new ProtocolError("the key share does not match the verification key");
  const hE = election.electionHash;
  const groups = [];
  let current = null;
  for (const s of readSums(election, sums)) {
    if (current === null || current.group_id !== s.groupId) {
      current = { group_id: s.groupId, contests: [] };
      groups.push(current);
    }
    let contest = current.contests.at(-1);
    if (contest === undefined || contest.contest_id !== s.contestId) {
      contest = { contest_id: s.contestId, options: [] };
      current.contests.push(contest);
    }
    const entry = { option_id: s.optionId };
    if (!s.alpha.is0()) {
      const share = mul(s.alpha, keyShare);
      const context = [hE, i, s.groupId, s.contestId, s.optionId, s.alpha, s.beta];
      const proof = proveDleq(TAG_PARTIAL_DECRYPTION, context, keyShare, vk, s.alpha, share);
      entry.share = pointToHex(share);
      entry.proof = cvJson(proof);
    }
    contest.options.push(entry);
  }
  return { trustee: i, groups };
}
