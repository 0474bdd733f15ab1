// The voting booth's half of the secret-ballot protocol
// (docs/protocol/secret-ballot.md, cited below by section): hashing,
// encodings, exponential ElGamal, range proofs, ballot signatures, trackers,
// the Benaloh audit and the per-election credential.
//
// It reproduces the Python engine (src/secret_ballot) byte for byte: the same
// inputs give the same ballot JSON, nonces included, which the known-answer
// and cross-language tests in booth/tests/ check. It touches no DOM, so Node
// runs it as it is.
//
// Types: a scalar is a bigint in [0, n); a point is a noble Point (the
// identity is Point.ZERO); a digest, a nonce seed or any byte string is a
// Uint8Array; an integer hash field is a safe non-negative Number; a string
// field is a string. The hash framing (§3.1) tells them apart by these types.

import { Point, sha256, sha512 } from "../vendor/noble.js";

// --- Constants ---------------------------------------------------------------

/** Prefix of every domain separation tag (§3.1); equals secret_ballot.hash.DOMAIN_PREFIX. */
export const DOMAIN_PREFIX = "asamblea-secret-ballot/2/";

/** n: the order of secp256k1 (§2). */
export const N = Point.Fn.ORDER;
/** G: the generator (§2). */
export const G = Point.BASE;
/** The identity, encoded as the single byte 0x00 (§2). */
export const IDENTITY = Point.ZERO;

export const TAG_OPTION_RANGE = "option-range-proof";
export const TAG_CONTEST_RANGE = "contest-range-proof";
export const TAG_PARTIAL_DECRYPTION = "partial-decryption-proof";
export const TAG_BALLOT = "ballot";
export const TAG_BALLOT_SIGNATURE = "ballot-signature";
export const TAG_BALLOT_NONCE = "ballot-nonce";
export const TAG_TRACKER = "tracker";
export const TAG_TRACKER_START = "tracker-start";
export const TAG_CREDENTIAL_TWEAK = "credential-tweak";

/** Size of a ballot's nonce seed s in bytes (§5.3). */
export const NONCE_SEED_SIZE = 32;
/** Largest number of branches of a range proof (§4.3). */
export const MAX_BRANCHES = 1024;

const SCALAR_SIZE = 32;
const POINT_SIZE = 33;
const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

// --- Errors --------------------------------------------------------------------

/** Input that does not decode: wrong length, not on the curve, scalar >= n, bad JSON shape. */
export class DecodingError extends Error {
  constructor(message, field = "") {
    super(field ? `${field}: ${message}` : message);
    this.name = "DecodingError";
    this.field = field;
  }
}

/** A proof, signature or recomputed ciphertext that does not check out. */
export class VerificationError extends Error {
  constructor(message, field = "") {
    super(field ? `${field}: ${message}` : message);
    this.name = "VerificationError";
    this.field = field;
  }
}

// --- Bytes and hexadecimal -------------------------------------------------------

const utf8 = new TextEncoder();
const HEX = /^(?:[0-9a-f]{2})*$/;

export function bytesToHex(bytes) {
  let out = "";
  for (const b of bytes) out += b.toString(16).padStart(2, "0");
  return out;
}

/** Lowercase hexadecimal only: the record's encodings have exactly one spelling (§8.1). */
export function hexToBytes(text) {
  if (typeof text !== "string" || !HEX.test(text)) {
    throw new DecodingError("expected lowercase hexadecimal digits");
  }
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function bytesToBigInt(bytes) {
  return bytes.length === 0 ? 0n : BigInt("0x" + bytesToHex(bytes));
}

function concatBytes(parts) {
  let size = 0;
  for (const p of parts) size += p.length;
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function u32(n) {
  return Uint8Array.of((n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255);
}

export function equalBytes(a, b) {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

/** Uniformly random bytes from the platform's CSPRNG (WebCrypto). */
export function randomBytes(size) {
  const out = new Uint8Array(size);
  globalThis.crypto.getRandomValues(out);
  return out;
}

// --- Scalars (§2) ------------------------------------------------------------------

export function mod(a) {
  const r = a % N;
  return r < 0n ? r + N : r;
}

function isScalar(k) {
  return typeof k === "bigint" && k >= 0n && k < N;
}

/** 32 bytes big-endian. */
export function scalarToBytes(k) {
  if (!isScalar(k)) throw new RangeError("scalar outside [0, n)");
  return hexToBytes(k.toString(16).padStart(64, "0"));
}

export function scalarToHex(k) {
  if (!isScalar(k)) throw new RangeError("scalar outside [0, n)");
  return k.toString(16).padStart(64, "0");
}

/** Strict: exactly 64 lowercase hex digits of a value below n (no reduction). */
export function scalarFromHex(text, field = "") {
  if (typeof text !== "string" || text.length !== 64 || !HEX.test(text)) {
    throw new DecodingError("a scalar is 64 lowercase hexadecimal digits", field);
  }
  const k = BigInt("0x" + text);
  if (k >= N) throw new DecodingError("scalar outside [0, n)", field);
  return k;
}

/** A uniformly random non-zero scalar. */
export function randomScalar() {
  // 512 bits reduced mod n - 1: the bias is below 2^-256.
  return (bytesToBigInt(randomBytes(64)) % (N - 1n)) + 1n;
}

// --- Points (§2) -------------------------------------------------------------------

// Encoding a point costs a field inversion; hashing and JSON need it repeatedly.
const encodings = new WeakMap();

/** SEC1 compressed (33 bytes), or the single byte 0x00 for the identity. */
export function pointToBytes(p) {
  let enc = encodings.get(p);
  if (enc === undefined) {
    enc = p.is0() ? Uint8Array.of(0) : p.toBytes(true);
    encodings.set(p, enc);
  }
  return enc;
}

export function pointToHex(p) {
  return bytesToHex(pointToBytes(p));
}

/**
 * Strict decoding: 33 bytes starting 02 or 03 with x < p on the curve; the
 * uncompressed and hybrid forms are refused; 0x00 only when the identity is allowed.
 */
export function pointFromBytes(bytes, { allowIdentity = false, field = "" } = {}) {
  if (bytes.length === 1 && bytes[0] === 0) {
    if (allowIdentity) return IDENTITY;
    throw new DecodingError("the identity is not allowed here", field);
  }
  if (bytes.length !== POINT_SIZE || (bytes[0] !== 2 && bytes[0] !== 3)) {
    throw new DecodingError("a point is 33 bytes of SEC1 compressed encoding", field);
  }
  let p;
  try {
    p = Point.fromBytes(bytes);
  } catch {
    throw new DecodingError("not the encoding of a point on secp256k1", field);
  }
  encodings.set(p, Uint8Array.from(bytes));
  return p;
}

export function pointFromHex(text, { allowIdentity = false, field = "" } = {}) {
  if (typeof text !== "string" || !(text.length === 66 || text === "00") || !HEX.test(text)) {
    throw new DecodingError("a point is 66 lowercase hexadecimal digits (or 00)", field);
  }
  return pointFromBytes(hexToBytes(text), { allowIdentity, field });
}

// Secret scalars go through noble's blinded, fixed-sequence multiplication;
// public ones (challenges, responses, verification) through the faster one.

/** k·G for a secret k. */
export function baseMul(k) {
  return k === 0n ? IDENTITY : G.multiply(k);
}

/** k·P for a secret k. */
export function mul(p, k) {
  return k === 0n || p.is0() ? IDENTITY : p.multiply(k);
}

/** v·G + c·P for public v, c. */
function mulAddPublic(v, p, c) {
  return G.multiplyUnsafe(v).add(p.multiplyUnsafe(c));
}

/** v·P + c·Q for public v, c. */
function mulAdd2Public(p, v, q, c) {
  return p.multiplyUnsafe(v).add(q.multiplyUnsafe(c));
}

const smallMultiples = new Map();

/** m·G for a small integer m, negative allowed (plaintexts, range-proof branches). */
export function smallBaseMul(m) {
  let p = smallMultiples.get(m);
  if (p === undefined) {
    p = m === 0 ? IDENTITY : G.multiply(mod(BigInt(m)));
    if (smallMultiples.size < 4096) smallMultiples.set(m, p);
  }
  return p;
}

// --- Hashing (§3.1, §3.2) -------------------------------------------------------------

/** The byte encoding of one hash field (§3.1). */
export function encodeField(f) {
  if (f instanceof Uint8Array) return f;
  if (f instanceof Point) return pointToBytes(f);
  if (typeof f === "bigint") return scalarToBytes(f);
  if (typeof f === "string") return utf8.encode(f);
  if (typeof f === "number") {
    if (!Number.isSafeInteger(f) || f < 0) throw new RangeError("integer fields are unsigned");
    const out = new Uint8Array(8);
    new DataView(out.buffer).setBigUint64(0, BigInt(f));
    return out;
  }
  throw new TypeError("a hash field is a point, scalar, integer, string or bytes");
}

function tagFrame(tag) {
  const d = utf8.encode(DOMAIN_PREFIX + tag);
  return concatBytes([u32(d.length), d]);
}

function feed(h, tag, fields) {
  h.update(tagFrame(tag));
  for (const f of fields) {
    const enc = encodeField(f);
    h.update(u32(enc.length));
    h.update(enc);
  }
  return h;
}

/** The framed bytes hashed for tag and fields (§3.1). */
export function frame(tag, ...fields) {
  const parts = [tagFrame(tag)];
  for (const f of fields) {
    const enc = encodeField(f);
    parts.push(u32(enc.length), enc);
  }
  return concatBytes(parts);
}

/** H_tag(fields): SHA-512 of the frame, big-endian, mod n (§3.1). */
export function hashToScalar(tag, ...fields) {
  return bytesToBigInt(feed(sha512.create(), tag, fields).digest()) % N;
}

/** D_tag(fields): SHA-256 of the frame, 32 bytes (§3.1). */
export function hashDigest(tag, ...fields) {
  return feed(sha256.create(), tag, fields).digest();
}

/** A prover's nonce H_{nonce/tag}(fields), 1 instead of 0 (§3.2). */
export function deriveNonce(tag, ...fields) {
  const k = hashToScalar("nonce/" + tag, ...fields);
  return k === 0n ? 1n : k;
}

// --- ElGamal (§5.1) ---------------------------------------------------------------------

/**
 * Enc(m; r) = (r·G, m·G + r·K). Misuse: r must be secret and never reused;
 * revealing r reveals m, and two ciphertexts under one r reveal the difference.
 */
export function encrypt(m, r, jointKey) {
  if (r === 0n) throw new RangeError("the ElGamal nonce must not be zero");
  return { alpha: baseMul(r), beta: smallBaseMul(m).add(mul(jointKey, r)) };
}

export function addCiphertexts(a, b) {
  return { alpha: a.alpha.add(b.alpha), beta: a.beta.add(b.beta) };
}

function sumCiphertexts(cts) {
  return cts.reduce(addCiphertexts, { alpha: IDENTITY, beta: IDENTITY });
}

function sameCiphertext(a, b) {
  return a.alpha.equals(b.alpha) && a.beta.equals(b.beta);
}

// --- Range proofs (§4.3) -------------------------------------------------------------------

/**
 * Prove that ciphertext = Enc(m; r) under jointKey with lo <= m <= hi. The
 * nonces derive from r, m and the whole statement exactly as the Python
 * prover derives them (§3.2), so the proof is the same byte for byte.
 *
 * Precondition: ciphertext really is (r·G, m·G + r·K); otherwise the proof
 * does not verify. Knowing r, the prover computes each simulated branch's
 * commitments with the two fixed bases only: a_j = v_j·G + c_j·α =
 * (v_j + c_j·r)·G and b_j = v_j·K + c_j·(β - j·G) = (v_j + c_j·r)·K +
 * c_j·(m - j)·G, the same points for a fraction of the work.
 */
export function proveRange(tag, context, ciphertext, m, r, jointKey, lo, hi) {
  if (!(lo <= m && m <= hi) || hi - lo + 1 > MAX_BRANCHES) {
    throw new RangeError("plaintext outside the proof's range, or range too wide");
  }
  const { alpha, beta } = ciphertext;
  const seed = feed(sha512.create(), "nonce/" + tag, [
    r,
    m,
    jointKey,
    ...context,
    lo,
    hi,
    alpha,
    beta,
  ]).digest();
  const w = deriveNonce(tag, seed, "w");
  const commitments = [];
  const cs = [];
  const vs = [];
  for (let j = lo; j <= hi; j++) {
    if (j === m) {
      commitments.push(baseMul(w), mul(jointKey, w));
      cs.push(0n);
      vs.push(0n);
      continue;
    }
    const cj = deriveNonce(tag, seed, "c", j);
    const vj = deriveNonce(tag, seed, "v", j);
    const sj = mod(vj + cj * r);
    commitments.push(baseMul(sj), mul(jointKey, sj).add(baseMul(mod(cj * BigInt(m - j)))));
    cs.push(cj);
    vs.push(vj);
  }
  const c = hashToScalar(tag, ...context, lo, hi, alpha, beta, ...commitments);
  const cm = mod(c - cs.reduce((a, b) => a + b, 0n));
  cs[m - lo] = cm;
  vs[m - lo] = mod(w - cm * r);
  return { c: cs, v: vs };
}

export function verifyRange(tag, context, ciphertext, jointKey, lo, hi, proof) {
  const { c: cs, v: vs } = proof;
  if (cs.length !== hi - lo + 1 || vs.length !== cs.length || cs.length > MAX_BRANCHES)
    return false;
  const { alpha, beta } = ciphertext;
  const commitments = [];
  let total = 0n;
  for (let i = 0; i < cs.length; i++) {
    const j = lo + i;
    const betaJ = j === 0 ? beta : beta.add(smallBaseMul(-j));
    commitments.push(
      mulAddPublic(vs[i], alpha, cs[i]),
      mulAdd2Public(jointKey, vs[i], betaJ, cs[i]),
    );
    total += cs[i];
  }
  return hashToScalar(tag, ...context, lo, hi, alpha, beta, ...commitments) === total % N;
}

// --- Schnorr (§4.1, §4.2) and DLEQ (§4.4) ------------------------------------------------------

/** Proof of knowledge of x with X = x·G bound to context; a signature when context holds the message. */
export function schnorrProve(tag, context, secret, publicKey) {
  const u = deriveNonce(tag, secret, publicKey, ...context);
  const c = hashToScalar(tag, ...context, publicKey, baseMul(u));
  return { c, v: mod(u - c * secret) };
}

export function schnorrVerify(tag, context, publicKey, proof) {
  if (publicKey.is0()) return false;
  const commitment = mulAddPublic(proof.v, publicKey, proof.c);
  return hashToScalar(tag, ...context, publicKey, commitment) === proof.c;
}

/** Proof that log_G X = log_Y Z = secret. */
export function proveDleq(tag, context, secret, x, y, z) {
  const u = deriveNonce(tag, secret, ...context, x, y, z);
  const c = hashToScalar(tag, ...context, x, y, z, baseMul(u), mul(y, u));
  return { c, v: mod(u - c * secret) };
}

export function verifyDleq(tag, context, x, y, z, proof) {
  if (x.is0() || y.is0()) return false;
  const a = mulAddPublic(proof.v, x, proof.c);
  const b = mulAdd2Public(y, proof.v, z, proof.c);
  return hashToScalar(tag, ...context, x, y, z, a, b) === proof.c;
}

// --- Election context and manifest (§5.2) ------------------------------------------------------

function contestFromJson(c, field) {
  const bad = (message) => new DecodingError(message, field);
  if (typeof c !== "object" || c === null) throw bad("expected a contest object");
  const { contest_id: id, options, option_max: cap, min: lo, max: hi } = c;
  if (typeof id !== "string" || !ID_PATTERN.test(id))
    throw bad("contest ids are 1-64 of [A-Za-z0-9_.-]");
  if (!Array.isArray(options) || options.length < 1 || options.length > 256)
    throw bad("1 to 256 options");
  const optionIds = options.map((o) => (o && typeof o.option_id === "string" ? o.option_id : ""));
  if (new Set(optionIds).size !== optionIds.length || !optionIds.every((o) => ID_PATTERN.test(o))) {
    throw bad("option ids are unique, 1-64 of [A-Za-z0-9_.-]");
  }
  if (!Number.isSafeInteger(cap) || cap < 1 || cap + 1 > MAX_BRANCHES)
    throw bad("option_max is in [1, 1023]");
  if (
    !Number.isSafeInteger(lo) ||
    !Number.isSafeInteger(hi) ||
    lo < 0 ||
    lo > hi ||
    hi > cap * options.length ||
    hi - lo + 1 > MAX_BRANCHES
  ) {
    throw bad("need 0 <= min <= max <= L·options, max-min < 1024");
  }
  return { contestId: id, optionIds, optionMax: cap, min: lo, max: hi };
}

/**
 * The public context of a ballot: the manifest (§5.2), the election hash h_E
 * and the joint key K, as the server hands them to the booth.
 */
export function loadElection({ manifest, electionHash, jointKey }) {
  if (typeof manifest !== "object" || manifest === null || !Array.isArray(manifest.contests)) {
    throw new DecodingError("expected a manifest with contests", "manifest");
  }
  if (manifest.contests.length < 1 || manifest.contests.length > 64) {
    throw new DecodingError("1 to 64 contests", "manifest.contests");
  }
  const contests = manifest.contests.map((c, i) => contestFromJson(c, `manifest.contests[${i}]`));
  if (new Set(contests.map((c) => c.contestId)).size !== contests.length) {
    throw new DecodingError("contest ids are unique", "manifest.contests");
  }
  if (typeof electionHash !== "string" || electionHash.length !== 64) {
    throw new DecodingError("a hash is 64 lowercase hexadecimal digits", "election_hash");
  }
  const K = pointFromHex(jointKey, { field: "joint_key" });
  // A ballot multiplies K once per branch of each range proof plus once per
  // option: a window table (as noble keeps for G) makes each multiplication
  // several times cheaper. A wider table costs more to build than it saves
  // on a small ballot, and the first ballot is the one a voter waits for.
  const multiplications = contests.reduce(
    (sum, c) => sum + c.optionIds.length * (c.optionMax + 2) + (c.max - c.min + 1),
    0,
  );
  K.precompute(multiplications > 60 ? 6 : 4, false);
  return {
    electionId: manifest.election_id,
    contests,
    electionHash: hexToBytes(electionHash),
    jointKey: K,
  };
}

function checkSelection(contest, values) {
  const id = contest.contestId;
  if (!Array.isArray(values) || values.length !== contest.optionIds.length) {
    throw new RangeError(`contest ${id}: one value per option`);
  }
  if (!values.every((v) => Number.isSafeInteger(v) && v >= 0 && v <= contest.optionMax)) {
    throw new RangeError(`contest ${id}: each value in [0, ${contest.optionMax}]`);
  }
  const total = values.reduce((a, b) => a + b, 0);
  if (total < contest.min || total > contest.max) {
    throw new RangeError(`contest ${id}: total in [${contest.min}, ${contest.max}]`);
  }
}

function checkSelections(election, selections) {
  const ids = election.contests.map((c) => c.contestId);
  const given = Object.keys(selections ?? {});
  if (given.length !== ids.length || !ids.every((id) => Object.hasOwn(selections, id))) {
    throw new RangeError("one selection per contest of the manifest");
  }
  for (const contest of election.contests) checkSelection(contest, selections[contest.contestId]);
}

// --- Credentials (§5.5 and the per-election credential) ------------------------------------------

/** A key pair {secret x, public P = x·G}. */
export function keyPairFromSecret(secret) {
  if (!isScalar(secret) || secret === 0n)
    throw new RangeError("a secret key is a scalar in [1, n)");
  return { secret, public: baseMul(secret) };
}

/** A member's long-lived voting key (v, V = v·G), made on the device. */
export function generateVotingKey() {
  return keyPairFromSecret(randomScalar());
}

/** δ = H_credential-tweak(V, election_id). */
export function credentialTweak(votingKey, electionId) {
  if (votingKey.is0()) throw new RangeError("a voting key is not the identity");
  if (typeof electionId !== "string" || !ID_PATTERN.test(electionId)) {
    throw new RangeError("the election id is not an identifier");
  }
  return hashToScalar(TAG_CREDENTIAL_TWEAK, votingKey, electionId);
}

/** P = V + δ·G: what the server computes from V when the election opens. */
export function credentialPublic(votingKey, electionId) {
  if (votingKey.is0()) throw new RangeError("a voting key is not the identity");
  const p = votingKey.add(G.multiplyUnsafe(credentialTweak(votingKey, electionId)));
  if (p.is0()) throw new RangeError("degenerate credential");
  return p;
}

/** The credential key pair (x = v + δ mod n, P = x·G) for one election. */
export function credentialFor(votingSecret, electionId) {
  const voting = keyPairFromSecret(votingSecret);
  const x = mod(votingSecret + credentialTweak(voting.public, electionId));
  if (x === 0n) throw new RangeError("degenerate credential");
  return keyPairFromSecret(x);
}

// --- Ballots (§5.3 - §5.7) --------------------------------------------------------------------------

/** r = H_ballot-nonce(s, h_E, contest id, option id) (§5.3). */
export function ballotNonce(nonceSeed, electionHash, contestId, optionId) {
  const r = hashToScalar(TAG_BALLOT_NONCE, nonceSeed, electionHash, contestId, optionId);
  if (r === 0n) throw new RangeError("degenerate nonce seed; draw another");
  return r;
}

/** h_B: everything in the ballot except the signature (§5.5). */
export function ballotDigest(electionHash, ballot) {
  const h = sha256.create();
  const fields = [electionHash, ballot.credential, ballot.contests.length];
  for (const contest of ballot.contests) {
    fields.push(contest.contestId, contest.options.length);
    for (const o of contest.options) {
      fields.push(
        o.optionId,
        o.ciphertext.alpha,
        o.ciphertext.beta,
        o.proof.c.length,
        ...o.proof.c,
        ...o.proof.v,
      );
    }
    fields.push(contest.proof.c.length, ...contest.proof.c, ...contest.proof.v);
  }
  return feed(h, TAG_BALLOT, fields).digest();
}

/** T_0 = D_tracker-start(h_E) (§5.6). */
export function trackerStart(electionHash) {
  return hashDigest(TAG_TRACKER_START, electionHash);
}

/** T_i = D_tracker(h_E, T_{i-1}, h_B) (§5.6). */
export function nextTracker(electionHash, previous, ballotHash) {
  return hashDigest(TAG_TRACKER, electionHash, previous, ballotHash);
}

function encryptContest(election, credential, contest, values, seed) {
  const hE = election.electionHash;
  const K = election.jointKey;
  const id = contest.contestId;
  const options = [];
  let rTotal = 0n;
  contest.optionIds.forEach((optionId, i) => {
    const m = values[i];
    const r = ballotNonce(seed, hE, id, optionId);
    const ciphertext = encrypt(m, r, K);
    const proof = proveRange(
      TAG_OPTION_RANGE,
      [hE, credential, id, optionId],
      ciphertext,
      m,
      r,
      K,
      0,
      contest.optionMax,
    );
    options.push({ optionId, ciphertext, proof });
    rTotal += r;
  });
  const total = sumCiphertexts(options.map((o) => o.ciphertext));
  const mTotal = values.reduce((a, b) => a + b, 0);
  const proof = proveRange(
    TAG_CONTEST_RANGE,
    [hE, credential, id],
    total,
    mTotal,
    mod(rTotal),
    K,
    contest.min,
    contest.max,
  );
  return { contestId: id, options, proof };
}

/**
 * Encrypt, prove and sign a ballot (§5); return {ballot, nonceSeed}.
 *
 * selections maps each contest id to one value per option, in manifest
 * order. nonceSeed (32 bytes) is for tests only: a seed must never encrypt two
 * selections. Keep the returned seed secret unless the voter audits the ballot.
 */
export function encryptBallot(election, credential, selections, nonceSeed = undefined) {
  const seed = nonceSeed === undefined ? randomBytes(NONCE_SEED_SIZE) : nonceSeed;
  if (!(seed instanceof Uint8Array) || seed.length !== NONCE_SEED_SIZE) {
    throw new RangeError(`the nonce seed is ${NONCE_SEED_SIZE} bytes`);
  }
  checkSelections(election, selections);
  const contests = election.contests.map((c) =>
    encryptContest(election, credential.public, c, selections[c.contestId], seed),
  );
  const unsigned = { credential: credential.public, contests };
  const hB = ballotDigest(election.electionHash, unsigned);
  const signature = schnorrProve(
    TAG_BALLOT_SIGNATURE,
    [election.electionHash, hB],
    credential.secret,
    credential.public,
  );
  return { ballot: { ...unsigned, signature }, nonceSeed: seed };
}

/**
 * Verify every proof and the signature of a ballot (§9.7); return h_B.
 * Throws VerificationError naming the failing field. The credential list is
 * the board's to check.
 */
export function checkBallot(election, ballot) {
  const hE = election.electionHash;
  const K = election.jointKey;
  const cred = ballot.credential;
  if (ballot.contests.length !== election.contests.length) {
    throw new VerificationError("wrong number of contests", "ballot.contests");
  }
  const hB = ballotDigest(hE, ballot);
  if (!schnorrVerify(TAG_BALLOT_SIGNATURE, [hE, hB], cred, ballot.signature)) {
    throw new VerificationError("signature does not verify", "ballot.signature");
  }
  election.contests.forEach((contest, ci) => {
    const ec = ballot.contests[ci];
    const cf = `ballot.contests[${ci}]`;
    const id = contest.contestId;
    if (ec.contestId !== id)
      throw new VerificationError("contest id differs from the manifest", `${cf}.contest_id`);
    if (ec.options.length !== contest.optionIds.length)
      throw new VerificationError("wrong number of options", `${cf}.options`);
    ec.options.forEach((eo, oi) => {
      const of = `${cf}.options[${oi}]`;
      if (eo.optionId !== contest.optionIds[oi])
        throw new VerificationError("option id differs from the manifest", `${of}.option_id`);
      if (
        !verifyRange(
          TAG_OPTION_RANGE,
          [hE, cred, id, eo.optionId],
          eo.ciphertext,
          K,
          0,
          contest.optionMax,
          eo.proof,
        )
      ) {
        throw new VerificationError("range proof 0..L does not verify", `${of}.proof`);
      }
    });
    const total = sumCiphertexts(ec.options.map((o) => o.ciphertext));
    if (
      !verifyRange(TAG_CONTEST_RANGE, [hE, cred, id], total, K, contest.min, contest.max, ec.proof)
    ) {
      throw new VerificationError("range proof min..max does not verify", `${cf}.proof`);
    }
  });
  return hB;
}

/** What the voter's device reveals when the voter audits (§5.7, §8.5). */
export function auditReveal(election, nonceSeed, selections) {
  checkSelections(election, selections);
  const out = {};
  for (const c of election.contests) out[c.contestId] = [...selections[c.contestId]];
  return { nonce_seed: bytesToHex(nonceSeed), selections: out };
}

/**
 * Recompute every ciphertext of an audited ballot from its nonce seed and
 * selections (§5.7); throws VerificationError at the first that differs.
 */
export function checkAudit(election, ballot, nonceSeed, selections) {
  try {
    checkSelections(election, selections);
  } catch (exc) {
    throw new VerificationError(exc.message, "selections");
  }
  if (!(nonceSeed instanceof Uint8Array) || nonceSeed.length !== NONCE_SEED_SIZE) {
    throw new VerificationError(`the nonce seed is ${NONCE_SEED_SIZE} bytes`, "nonce_seed");
  }
  if (ballot.contests.length !== election.contests.length) {
    throw new VerificationError("wrong number of contests", "ballot.contests");
  }
  election.contests.forEach((contest, ci) => {
    const ec = ballot.contests[ci];
    const values = selections[contest.contestId];
    if (ec.contestId !== contest.contestId || ec.options.length !== values.length) {
      throw new VerificationError("contest differs from the manifest", `ballot.contests[${ci}]`);
    }
    ec.options.forEach((eo, oi) => {
      const r = ballotNonce(nonceSeed, election.electionHash, ec.contestId, eo.optionId);
      if (!sameCiphertext(encrypt(values[oi], r, election.jointKey), eo.ciphertext)) {
        throw new VerificationError(
          "ciphertext is not the encryption of the revealed selection",
          `ballot.contests[${ci}].options[${oi}]`,
        );
      }
    });
  });
}

// --- JSON (§8.4) ------------------------------------------------------------------------------------

function proofToJson(proof) {
  return { c: proof.c.map(scalarToHex), v: proof.v.map(scalarToHex) };
}

/** The ballot as secret_ballot.ballot.ballot_to_json writes it. */
export function ballotToJson(ballot) {
  return {
    credential: pointToHex(ballot.credential),
    contests: ballot.contests.map((c) => ({
      contest_id: c.contestId,
      options: c.options.map((o) => ({
        option_id: o.optionId,
        alpha: pointToHex(o.ciphertext.alpha),
        beta: pointToHex(o.ciphertext.beta),
        proof: proofToJson(o.proof),
      })),
      proof: proofToJson(c.proof),
    })),
    signature: { c: scalarToHex(ballot.signature.c), v: scalarToHex(ballot.signature.v) },
  };
}

/** A JSON object with exactly these keys (jsonfields.obj); throws DecodingError. */
export function obj(value, field, keys) {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new DecodingError("expected a JSON object", field);
  }
  const got = Object.keys(value).sort();
  const want = [...keys].sort();
  if (got.length !== want.length || got.some((k, i) => k !== want[i])) {
    throw new DecodingError(`wrong keys (expected ${want.join(", ")})`, field);
  }
  return value;
}

function array(value, field, length) {
  if (!Array.isArray(value)) throw new DecodingError("expected a JSON array", field);
  if (value.length !== length)
    throw new DecodingError(`expected ${length} elements, got ${value.length}`, field);
  return value;
}

function proofFromJson(value, field, branches) {
  const o = obj(value, field, ["c", "v"]);
  return {
    c: array(o.c, `${field}.c`, branches).map((s, i) => scalarFromHex(s, `${field}.c[${i}]`)),
    v: array(o.v, `${field}.v`, branches).map((s, i) => scalarFromHex(s, `${field}.v[${i}]`)),
  };
}

/** Strictly decode a ballot whose shape must follow the election's manifest (§8.4). */
export function ballotFromJson(value, election, field = "ballot") {
  const o = obj(value, field, ["credential", "contests", "signature"]);
  const credential = pointFromHex(o.credential, { field: `${field}.credential` });
  const items = array(o.contests, `${field}.contests`, election.contests.length);
  const contests = election.contests.map((contest, ci) => {
    const f = `${field}.contests[${ci}]`;
    const c = obj(items[ci], f, ["contest_id", "options", "proof"]);
    if (c.contest_id !== contest.contestId)
      throw new DecodingError("contest id differs from the manifest", `${f}.contest_id`);
    const opts = array(c.options, `${f}.options`, contest.optionIds.length);
    const options = contest.optionIds.map((optionId, oi) => {
      const g = `${f}.options[${oi}]`;
      const oo = obj(opts[oi], g, ["option_id", "alpha", "beta", "proof"]);
      if (oo.option_id !== optionId)
        throw new DecodingError("option id differs from the manifest", `${g}.option_id`);
      return {
        optionId,
        ciphertext: {
          alpha: pointFromHex(oo.alpha, { field: `${g}.alpha` }),
          beta: pointFromHex(oo.beta, { field: `${g}.beta` }),
        },
        proof: proofFromJson(oo.proof, `${g}.proof`, contest.optionMax + 1),
      };
    });
    return {
      contestId: contest.contestId,
      options,
      proof: proofFromJson(c.proof, `${f}.proof`, contest.max - contest.min + 1),
    };
  });
  const s = obj(o.signature, `${field}.signature`, ["c", "v"]);
  const signature = {
    c: scalarFromHex(s.c, `${field}.signature.c`),
    v: scalarFromHex(s.v, `${field}.signature.v`),
  };
  return { credential, contests, signature };
}

/**
 * RFC 8785 canonical JSON of strings, safe integers, booleans, null, arrays
 * and objects: the only JSON the protocol hashes or compares (§8.1).
 */
export function canonicalJson(value) {
  if (value === null || typeof value === "boolean" || typeof value === "string")
    return JSON.stringify(value);
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value)) throw new RangeError("only safe integers are canonical here");
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (typeof value === "object") {
    // Default sort compares UTF-16 code units, as RFC 8785 requires.
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(",")}}`;
  }
  throw new TypeError(`not representable in canonical JSON: ${typeof value}`);
}
