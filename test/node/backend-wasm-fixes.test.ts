import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../../sdk/backend";
import { setWasmFixes } from "../../sdk/backend-wasm-fixes";
import { randomSource } from "../../sdk/layers/random";

beforeAll(async () => {
  await selectBackend("wasm");
});

function random(shape: number[], seed: number): tf.Tensor {
  const rng = randomSource(seed);
  return tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal()), shape);
}

/** Runs `f` with every fix off, then on; both results as plain arrays. */
function offAndOn(f: () => tf.Tensor): [Float32Array, Float32Array] {
  const all = setWasmFixes({});
  const off = Object.fromEntries(Object.keys(all).map((k) => [k, false]));
  setWasmFixes(off);
  const a = tf.tidy(f).dataSync() as Float32Array;
  setWasmFixes(all);
  const b = tf.tidy(f).dataSync() as Float32Array;
  return [a, b];
}

describe("the wasm backend's kernel fixes", () => {
  it("match the original kernels for transposed matmuls on awkward sizes (to float32 rounding: the sum order differs)", () => {
    for (const [m, k, n] of [[1, 1, 1], [3, 5, 7], [17, 64, 33], [130, 70, 9]] as const) {
      const a = random([k, m], m * 100 + k);
      const b = random([n, k], n * 100 + k);
      const [off, on] = offAndOn(() => tf.matMul(a, b, true, true));
      expect(on.length).toBe(m * n);
      on.forEach((x, i) => expect(Math.abs(x - off[i]!)).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(off[i]!))));
    }
  });

  it("give the same bits for transposes and sums over leading axes (bias gradients)", () => {
    const x = random([37, 19], 7);
    const [t0, t1] = offAndOn(() => tf.transpose(x));
    expect(t1).toEqual(t0);
    const y = random([6, 33, 5], 8);
    const [s0, s1] = offAndOn(() => y.sum([0, 1]));
    expect(s1).toEqual(s0);
    const [r0, r1] = offAndOn(() => x.sum(0));
    expect(r1).toEqual(r0);
  });
});
