import { deriveSeed, mulberry32, shuffleInPlace } from "../data/prng";

/**
 * Seed stream of the one seeded order of the validation rows, shared by everything that splits them: the
 * learned ensemble's halves (`distill.gate.data: "valid"`) and the student's KD slice (`distill.validKdFraction`).
 * It is the learned ensemble's own stream, so the gate's halves are what they were before the student shared it.
 */
export const VALIDATION_SPLIT_SEED_STREAM = 500;

/**
 * Row indices of two seeded, disjoint parts of n rows, each sorted: the first ⌊n·fraction⌋ rows of one seeded
 * permutation, and the rest. Fractions share the permutation, so for f ≤ g the first part at f lies within the
 * first part at g (and the second part at g within the second at f).
 */
export function splitRows(n: number, fraction: number, seed: number): [Int32Array, Int32Array] {
  if (!(fraction >= 0 && fraction <= 1)) throw new RangeError(`splitRows: 'fraction' must be in [0, 1], got ${fraction}`);
  const order = Int32Array.from({ length: n }, (_, i) => i);
  shuffleInPlace(order, mulberry32(seed));
  const cut = Math.floor(n * fraction);
  return [order.slice(0, cut).sort(), order.slice(cut).sort()];
}

/** The validation split's parts for `training.seed`: fraction 0.5 gives the gate's halves (fit, stop). */
export function splitValidation(n: number, fraction: number, trainingSeed: number): [Int32Array, Int32Array] {
  return splitRows(n, fraction, deriveSeed(trainingSeed, VALIDATION_SPLIT_SEED_STREAM));
}
