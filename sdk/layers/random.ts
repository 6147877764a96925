import { mulberry32, randNormal } from "../data/prng";

/** The random source the layers draw initial weights and dropout masks from (seeded; see sdk/data/prng.ts). */
export interface RandomSource {
  /** Uniform in [0, 1). */
  next(): number;
  /** Standard normal. */
  normal(): number;
}

/** Glorot (Xavier) uniform limit sqrt(6 / (fanIn + fanOut)), Keras' default for dense kernels. */
export function glorotUniform(rng: RandomSource, fanIn: number, fanOut: number, size: number): Float32Array {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = (rng.next() * 2 - 1) * limit;
  return out;
}

/** Normal(0, std²) values. */
export function normalValues(rng: RandomSource, std: number, size: number): Float32Array {
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = rng.normal() * std;
  return out;
}

/** A seeded RandomSource over the project's PRNG (mulberry32). */
export function randomSource(seed: number): RandomSource {
  const rand = mulberry32(seed);
  return { next: rand, normal: () => randNormal(rand) };
}
