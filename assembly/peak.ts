/**
 * The f32x4 peak of one core for plain SIMD (no relaxed-simd FMA): the benchmark's yardstick for the
 * dense kernel's GFLOP/s. Eight independent accumulators, each `a += s * b` (one f32x4.mul and one
 * f32x4.add, 8 flops), with `s` streamed from a small L1-resident buffer so that nothing is loop-invariant,
 * and one load per 64 flops so that loads never bind. Flops per call: reps * (len / 4) * 64.
 */

/** Accumulators, and so independent mul → add chains, per loaded vector. */
export const PEAK_CHAINS: i32 = 8;

/** Runs the loop `reps` times over `len` f32 at `x` (len a multiple of 4); returns a sum so it is not dead. */
export function peakF32x4(x: usize, len: i32, reps: i32): f32 {
  const b0 = f32x4.splat(0.5), b1 = f32x4.splat(-0.25), b2 = f32x4.splat(0.125), b3 = f32x4.splat(-0.0625);
  let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
  const end = <usize>len << 2;
  for (let rep = 0; rep < reps; rep++) {
    for (let k: usize = 0; k < end; k += 16) {
      const s = v128.load(x + k);
      a0 = f32x4.add(a0, f32x4.mul(s, b0));
      a1 = f32x4.add(a1, f32x4.mul(s, b1));
      a2 = f32x4.add(a2, f32x4.mul(s, b2));
      a3 = f32x4.add(a3, f32x4.mul(s, b3));
      a4 = f32x4.add(a4, f32x4.mul(s, b1));
      a5 = f32x4.add(a5, f32x4.mul(s, b2));
      a6 = f32x4.add(a6, f32x4.mul(s, b3));
      a7 = f32x4.add(a7, f32x4.mul(s, b0));
    }
  }
  const sum = f32x4.add(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)), f32x4.add(f32x4.add(a4, a5), f32x4.add(a6, a7)));
  return f32x4.extract_lane(sum, 0) + f32x4.extract_lane(sum, 1) + f32x4.extract_lane(sum, 2) + f32x4.extract_lane(sum, 3);
}
