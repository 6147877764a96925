import { sha256 } from "@noble/hashes/sha2";
import { utf8ToBytes } from "@noble/hashes/utils";

/**
 * Which of two students scores a request: the primary, or the canary that takes `share` of the traffic (a
 * canary release, or the B of an A/B test). A request that carries a key (the body's `"key"`, else the
 * `x-split-key` header) is assigned by a hash of the key, so that a user sees the same student on every
 * request and in every isolate; one without a key is assigned at random, per request.
 */

export type Variant = "primary" | "canary";

/** Header that carries the split key when the body has none (e.g. set by a gateway from a user id). */
export const SPLIT_KEY_HEADER = "x-split-key";

/** Longest split key accepted, in UTF-16 code units: an id, not a document. */
export const MAX_SPLIT_KEY_LENGTH = 256;

const TWO_TO_32 = 2 ** 32;

/**
 * Where `key` falls in [0, 1): the first 32 bits of sha256(salt, NUL, key). The salt is the canary's model
 * id, so that a new canary draws a fresh sample of users instead of reusing the last experiment's.
 */
export function splitPosition(salt: string, key: string): number {
  const d = sha256(utf8ToBytes(`${salt}\u0000${key}`));
  return (((d[0]! << 24) | (d[1]! << 16) | (d[2]! << 8) | d[3]!) >>> 0) / TWO_TO_32;
}

function randomPosition(): number {
  return crypto.getRandomValues(new Uint32Array(1))[0]! / TWO_TO_32;
}

/** The canary when the request's position is below `share`; `key` null: a random position. */
export function chooseVariant(share: number, salt: string, key: string | null): Variant {
  return (key === null ? randomPosition() : splitPosition(salt, key)) < share ? "canary" : "primary";
}

/** Refuses a share that is not a fraction (the worker then answers 503 naming the canary). */
export function checkShare(share: unknown): number {
  if (typeof share !== "number" || !(share >= 0 && share <= 1)) throw new Error(`share must be a number from 0 to 1 (the canary's fraction of the traffic), got ${JSON.stringify(share)}`);
  return share;
}
