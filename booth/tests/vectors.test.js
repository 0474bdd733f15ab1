// Known-answer tests: the booth reproduces the Python engine's vectors
// (tests/secret_ballot/vectors, written by tests/secret_ballot/make_vectors.py)
// byte for byte.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

import * as sb from "../../src/asamblea/static/js/secret-ballot.js";

const VECTORS = new URL("../../tests/secret_ballot/vectors/", import.meta.url);
const load = (name) => JSON.parse(readFileSync(new URL(name, VECTORS), "utf8"));
const hashVectors = load("hash.json");
const groupVectors = load("group.json");
const proofVectors = load("proofs.json");

/** A typed field of the vectors ({"point": hex} ...) as a hash field. */
function field(typed) {
  const [[kind, value]] = Object.entries(typed);
  switch (kind) {
    case "point":
      return sb.pointFromHex(value, { allowIdentity: true });
    case "scalar":
      return sb.scalarFromHex(value);
    case "bytes":
      return sb.hexToBytes(value);
    case "str":
      return value;
    case "int":
      return value;
    default:
      throw new Error(`unknown field kind ${kind}`);
  }
}

test("the domain prefix is the one the Python engine hashes with", () => {
  // The first vector frames tag "example" with no field: u32 length, then prefix || tag.
  const { tag, frame } = hashVectors[0];
  const bytes = sb.hexToBytes(frame);
  const text = new TextDecoder().decode(bytes.subarray(4));
  assert.ok(text.endsWith(tag));
  assert.equal(
    sb.DOMAIN_PREFIX,
    text.slice(0, -tag.length),
    "update DOMAIN_PREFIX to the engine's",
  );
});

test("framing and both hashes match every hash vector", () => {
  for (const v of hashVectors) {
    const fields = v.fields.map(field);
    assert.equal(sb.bytesToHex(sb.frame(v.tag, ...fields)), v.frame);
    assert.equal(sb.scalarToHex(sb.hashToScalar(v.tag, ...fields)), v.hash_to_scalar);
    assert.equal(sb.bytesToHex(sb.hashDigest(v.tag, ...fields)), v.hash_digest);
  }
});

test("group operations match the group vectors", () => {
  assert.equal(sb.pointToHex(sb.G), groupVectors.generator);
  assert.equal(sb.pointToHex(sb.IDENTITY), groupVectors.identity);
  for (const c of groupVectors.base_multiples) {
    const k = sb.scalarFromHex(c.k);
    const p = sb.baseMul(k);
    assert.equal(sb.pointToHex(p), c.k_times_g);
    assert.equal(sb.pointToHex(sb.mul(p, k)), c.k_times_k_times_g);
    assert.equal(sb.pointToHex(sb.pointFromHex(c.k_times_g)), c.k_times_g);
  }
  const { p, q, p_plus_q: sum } = groupVectors.sum;
  assert.equal(sb.pointToHex(sb.pointFromHex(p).add(sb.pointFromHex(q))), sum);
});

test("invalid points and scalars are refused", () => {
  for (const hex of groupVectors.invalid_points) {
    assert.throws(() => sb.pointFromHex(hex), sb.DecodingError, hex);
  }
  for (const hex of groupVectors.invalid_scalars) {
    assert.throws(() => sb.scalarFromHex(hex), sb.DecodingError, hex);
  }
  const g = sb.pointToHex(sb.G);
  const refused = [
    "00", // the identity, unless allowed
    "02" + "ff".repeat(32), // x >= p
    "02" + "fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f", // x = p
    g.toUpperCase(), // one spelling only
    g.slice(0, -2), // too short
    g + "00", // too long
    "06" + g.slice(2), // hybrid form
    "",
  ];
  for (const hex of refused) assert.throws(() => sb.pointFromHex(hex), sb.DecodingError, hex);
  assert.equal(sb.pointFromHex("00", { allowIdentity: true }), sb.IDENTITY);
  assert.throws(() => sb.scalarFromHex("01"), sb.DecodingError);
  assert.throws(() => sb.scalarFromHex("A".repeat(64)), sb.DecodingError);
  assert.equal(sb.scalarFromHex("0".repeat(64)), 0n);
});

test("encryptions match the vectors", () => {
  const K = sb.pointFromHex(proofVectors.joint_key);
  assert.equal(
    sb.pointToHex(sb.baseMul(sb.scalarFromHex(proofVectors.joint_secret))),
    proofVectors.joint_key,
  );
  for (const e of proofVectors.encryptions) {
    const ct = sb.encrypt(e.m, sb.scalarFromHex(e.r), K);
    assert.equal(sb.pointToHex(ct.alpha), e.alpha);
    assert.equal(sb.pointToHex(ct.beta), e.beta);
  }
});

test("range proofs are the vectors' byte for byte, verify, and fail when tampered", () => {
  for (const rp of proofVectors.range_proofs) {
    const K = sb.pointFromHex(rp.joint_key);
    const ctx = rp.context.map(field);
    const r = sb.scalarFromHex(rp.r);
    const ct = sb.encrypt(rp.m, r, K);
    assert.equal(sb.pointToHex(ct.alpha), rp.alpha);
    assert.equal(sb.pointToHex(ct.beta), rp.beta);
    const proof = sb.proveRange(rp.tag, ctx, ct, rp.m, r, K, rp.lo, rp.hi);
    assert.deepEqual(proof.c.map(sb.scalarToHex), rp.c);
    assert.deepEqual(proof.v.map(sb.scalarToHex), rp.v);
    assert.ok(sb.verifyRange(rp.tag, ctx, ct, K, rp.lo, rp.hi, proof));
    for (const key of ["c", "v"]) {
      for (let i = 0; i < proof[key].length; i++) {
        const bad = { ...proof, [key]: proof[key].map((x, k) => (k === i ? sb.mod(x + 1n) : x)) };
        assert.ok(!sb.verifyRange(rp.tag, ctx, ct, K, rp.lo, rp.hi, bad), `${key}[${i}]`);
      }
    }
    const other = sb.encrypt(rp.m, sb.mod(r + 1n), K);
    assert.ok(!sb.verifyRange(rp.tag, ctx, other, K, rp.lo, rp.hi, proof));
    assert.ok(!sb.verifyRange(rp.tag, [...ctx.slice(0, -1), "other"], ct, K, rp.lo, rp.hi, proof));
    assert.ok(!sb.verifyRange(rp.tag, ctx, ct, K, rp.lo + 1, rp.hi + 1, proof));
    assert.ok(!sb.verifyRange(rp.tag, ctx, ct, sb.G, rp.lo, rp.hi, proof));
  }
});

test("a range proof cannot be made for a value out of its range", () => {
  const rp = proofVectors.range_proofs[0];
  const K = sb.pointFromHex(rp.joint_key);
  const r = sb.scalarFromHex(rp.r);
  const ct = sb.encrypt(2, r, K);
  assert.throws(() => sb.proveRange(rp.tag, rp.context.map(field), ct, 2, r, K, 0, 1), RangeError);
  // Claiming 1 for an encryption of 2 yields a proof that does not verify.
  const lying = sb.proveRange(rp.tag, rp.context.map(field), ct, 1, r, K, 0, 1);
  assert.ok(!sb.verifyRange(rp.tag, rp.context.map(field), ct, K, 0, 1, lying));
});

test("the DLEQ proof matches its vector and fails when tampered", () => {
  const d = proofVectors.dleq;
  const ctx = d.context.map(field);
  const [x, y, z] = [d.x, d.y, d.z].map((h) => sb.pointFromHex(h));
  const proof = sb.proveDleq(d.tag, ctx, sb.scalarFromHex(d.secret), x, y, z);
  assert.equal(sb.scalarToHex(proof.c), d.c);
  assert.equal(sb.scalarToHex(proof.v), d.v);
  assert.ok(sb.verifyDleq(d.tag, ctx, x, y, z, proof));
  assert.ok(!sb.verifyDleq(d.tag, ctx, x, y, z, { ...proof, v: sb.mod(proof.v + 1n) }));
  assert.ok(!sb.verifyDleq(d.tag, ctx, x, y, sb.G, proof));
});

test("the Schnorr signature matches its vector and fails when tampered", () => {
  const s = proofVectors.schnorr_signature;
  const ctx = s.context.map(field);
  const pk = sb.pointFromHex(s.public);
  assert.equal(sb.pointToHex(sb.baseMul(sb.scalarFromHex(s.secret))), s.public);
  const sig = sb.schnorrProve(s.tag, ctx, sb.scalarFromHex(s.secret), pk);
  assert.equal(sb.scalarToHex(sig.c), s.c);
  assert.equal(sb.scalarToHex(sig.v), s.v);
  assert.ok(sb.schnorrVerify(s.tag, ctx, pk, sig));
  assert.ok(!sb.schnorrVerify(s.tag, ctx, pk, { ...sig, c: sb.mod(sig.c + 1n) }));
  assert.ok(!sb.schnorrVerify(s.tag, [ctx[0], new Uint8Array(32)], pk, sig));
  assert.ok(!sb.schnorrVerify(s.tag, ctx, sb.G, sig));
  assert.ok(!sb.schnorrVerify(s.tag, ctx, sb.IDENTITY, sig));
});

test("hash fields of the wrong type are refused", () => {
  assert.throws(() => sb.encodeField(-1), RangeError);
  assert.throws(() => sb.encodeField(1.5), RangeError);
  assert.throws(() => sb.encodeField(2 ** 53), RangeError);
  assert.throws(() => sb.encodeField(sb.N), RangeError);
  assert.throws(() => sb.encodeField({}), TypeError);
});

test("canonical JSON sorts keys and writes strings as RFC 8785 does", () => {
  assert.equal(
    sb.canonicalJson({ b: [1, "é\u2028\n"], a: { d: null, c: true } }),
    '{"a":{"c":true,"d":null},"b":[1,"é\u2028\\n"]}',
  );
  assert.throws(() => sb.canonicalJson(0.5), RangeError);
});
