/**
 * Seeded pseudo-random numbers: one tiny generator and the samplers built on it. Deterministic for a seed,
 * no global state: every consumer owns its generator.
 */

/** A generator of uniform numbers in [0, 1). */
export type Rand = () => number;

/**
 * mulberry32 (Tommy Ettinger, public domain; as popularised by bryc/code "PRNGs"): 32-bit state, period 2^32,
 * good enough for sampling and shuffling, and tiny.
 */
export function mulberry32(seed: number): Rand {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Derives an independent seed for sub-stream `stream` of `seed` (a murmur3-style 32-bit mix). */
export function deriveSeed(seed: number, stream: number): number {
  let h = (seed ^ Math.imul(stream + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Uniform in [0, 1) from a seed and a key (e.g. a line number), with no state: the same key, the same number. */
export function hashUniform(seed: number, key: number): number {
  return deriveSeed(seed, key) / 4294967296;
}

/** Uniform integer in 0..n-1. */
export function randInt(rand: Rand, n: number): number {
  return Math.floor(rand() * n);
}

/** Standard normal by Box–Muller (one of the pair; simple beats fast here). */
export function randNormal(rand: Rand): number {
  let u = rand();
  while (u === 0) u = rand();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

/** Fisher–Yates shuffle in place. */
export function shuffleInPlace(a: Int32Array | Uint32Array | number[], rand: Rand): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }
}

/**
 * Sampler of ranks 0..n-1 with P(k) ∝ 1 / (k + 1)^s (Zipf; s = 0 is uniform), by binary search on the
 * cumulative distribution (O(n) set-up, O(log n) per draw).
 */
export function zipfSampler(n: number, s: number, rand: Rand): () => number {
  if (!(n >= 1)) throw new RangeError(`zipfSampler: n must be >= 1, got ${n}`);
  if (s === 0) return () => Math.floor(rand() * n);
  const cdf = new Float64Array(n);
  let total = 0;
  for (let k = 0; k < n; k++) {
    total += 1 / Math.pow(k + 1, s);
    cdf[k] = total;
  }
  for (let k = 0; k < n; k++) cdf[k]! /= total;
  cdf[n - 1] = 1;
  return () => {
    const u = rand();
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (u < cdf[mid]!) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
}
