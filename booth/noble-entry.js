// What the voting booth takes from the noble libraries, and nothing more:
// the secp256k1 point class (with its scalar field Point.Fn) and the two
// SHA-2 functions of the protocol's hashes.
import { secp256k1 } from "@noble/curves/secp256k1.js";

export const Point = secp256k1.Point;
export { sha256, sha512 } from "@noble/hashes/sha2.js";
