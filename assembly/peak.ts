/**
 * The f32x4 peak of one core for plain SIMD (no relaxed-simd FMA): the benchmark's yardstick for the
 * dense kernel's GFLOP/s. Eight independent accumulators, each `a += s * b` (one f32x4.mul and one
 * f32x4.add, 8 flops), with two vectors `s0`, `s1` streamed from a small L1-resident buffer so that
 * nothing is loop-invariant, and four constants `b`: every product is distinct (no common
 * subexpression for the optimiser to fold) and the 14 live vectors fit the 16 registers of x86-64.
 * Flops per call: reps * (len / 8) * 64.
 */

/** Runs the loop `reps` times over `len` f32 at `x` (len a multiple of 8); returns a sum so it is not dead. */
export function peakF32x4(x: usize, len: i32, reps: i32): f32 {
  const b0 = f32x4.splat(0.5), b1 = f32x4.splat(-0.25), b2 = f32x4.splat(0.125), b3 = f32x4.splat(-0.0625);
  let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
  const end = <usize>len << 2;
  for (let rep = 0; rep < reps; rep++) {
    for (let k: usize = 0; k < end; k += 32) {
      const s0 = v128.load(x + k);
      const s1 = v128.load(x + k, 16);
      a0 = f32x4.add(a0, f32x4.mul(s0, b0));
      a1 = f32x4.add(a1, f32x4.mul(s0, b1));
      a2 = f32x4.add(a2, f32x4.mul(s0, b2));
      a3 = f32x4.add(a3, f32x4.mul(s0, b3));
      a4 = f32x4.add(a4, f32x4.mul(s1, b0));
      a5 = f32x4.add(a5, f32x4.mul(s1, b1));
      a6 = f32x4.add(a6, f32x4.mul(s1, b2));
      a7 = f32x4.add(a7, f32x4.mul(s1, b3));
    }
  }
  const sum = f32x4.add(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)), f32x4.add(f32x4.add(a4, a5), f32x4.add(a6, a7)));
  return f32x4.extract_lane(sum, 0) + f32x4.extract_lane(sum, 1) + f32x4.extract_lane(sum, 2) + f32x4.extract_lane(sum, 3);
}
