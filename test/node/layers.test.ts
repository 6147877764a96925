import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../../sdk/backend";
import { BilinearInteraction, type BilinearType } from "../../sdk/layers/bilinear";
import { Cin } from "../../sdk/layers/cin";
import { CrossNet } from "../../sdk/layers/cross-network";
import { CrossNetV2 } from "../../sdk/layers/cross-network-v2";
import { biInteraction, fmInteraction } from "../../sdk/layers/fm";
import { InnerProductInteraction } from "../../sdk/layers/inner-product";
import { ParamStore } from "../../sdk/layers/params";
import { randomSource, type RandomSource } from "../../sdk/layers/random";
import { SelfAttention } from "../../sdk/layers/self-attention";
import { SqueezeExcitation } from "../../sdk/layers/senet";

/**
 * Every interaction block against an independent plain-JS loop (float64) on a small seeded case, within
 * TOL, plus a few pinned output numbers (PIN_DIGITS decimals) that catch a change of initialisation or layout.
 * Runs on tf's "cpu" backend for determinism.
 */
const TOL = 1e-5;
const PIN_DIGITS = 5;

beforeAll(async () => {
  await selectBackend("cpu");
});

/** Values ~ N(0, 1) from a seeded source. */
function normals(rng: RandomSource, n: number): Float32Array {
  return Float32Array.from({ length: n }, () => rng.normal());
}

/** Overwrites every parameter (zero biases included) with N(0, 0.5²) so that all of them matter. */
function randomise(params: ParamStore, rng: RandomSource): void {
  for (const [, v] of params.entries()) tf.tidy(() => v.assign(tf.tensor(normals(rng, v.size).map((x) => x * 0.5), v.shape)));
}

function values(params: ParamStore, name: string): Float32Array {
  return params.get(name).dataSync() as Float32Array;
}

function run<T extends tf.Tensor>(fn: () => T): Float32Array {
  const t = tf.tidy(fn);
  const out = t.dataSync() as Float32Array;
  t.dispose();
  return out;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

/** x·W for a row-major W [n, m] (the Dense layout). */
function vecMat(x: ArrayLike<number>, w: ArrayLike<number>, n: number, m: number, offset = 0): number[] {
  const out = new Array<number>(m).fill(0);
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) out[j]! += x[i]! * w[offset + i * m + j]!;
  return out;
}

/** Embeddings [B, F, D] as a tensor and a flat array, ~N(0, 1). */
function embeddings(seed: number, b: number, f: number, d: number): { t: tf.Tensor3D; x: Float32Array } {
  const x = normals(randomSource(seed), b * f * d);
  return { t: tf.tensor3d(x, [b, f, d]), x };
}

describe("fmInteraction and biInteraction", () => {
  const [B, F, D] = [3, 5, 4];
  const { t, x } = embeddings(1, B, F, D);
  const at = (b: number, f: number, d: number) => x[(b * F + f) * D + d]!;

  it("fmInteraction's O(F·D) formula equals the explicit sum of pairwise inner products", () => {
    const expected = Array.from({ length: B }, (_, b) => {
      let s = 0;
      for (let i = 0; i < F; i++) for (let j = i + 1; j < F; j++) for (let d = 0; d < D; d++) s += at(b, i, d) * at(b, j, d);
      return s;
    });
    const got = run(() => fmInteraction(t));
    expect(maxAbsDiff(got, expected)).toBeLessThan(TOL);
    expect(got[0]).toBeCloseTo(PIN.fm, PIN_DIGITS);
  });

  it("biInteraction keeps the pairwise sum per embedding dimension, and sums to fmInteraction", () => {
    const expected: number[] = [];
    for (let b = 0; b < B; b++)
      for (let d = 0; d < D; d++) {
        let s = 0;
        for (let i = 0; i < F; i++) for (let j = i + 1; j < F; j++) s += at(b, i, d) * at(b, j, d);
        expected.push(s);
      }
    expect(maxAbsDiff(run(() => biInteraction(t)), expected)).toBeLessThan(TOL);
    expect(maxAbsDiff(run(() => biInteraction(t).sum(1)), run(() => fmInteraction(t)))).toBeLessThan(TOL);
  });
});

describe("CrossNet (DCN)", () => {
  it("matches the scalar loop x_{l+1} = x0·(x_l·w_l) + b_l + x_l over three layers", () => {
    const [B, d, L] = [2, 6, 3];
    const params = new ParamStore(randomSource(2), "test");
    const net = new CrossNet(params, "cross", d, L);
    randomise(params, randomSource(3));
    const x0 = normals(randomSource(4), B * d);
    const expected: number[] = [];
    for (let b = 0; b < B; b++) {
      const r0 = Array.from(x0.subarray(b * d, b * d + d));
      let xl = r0.slice();
      for (let l = 0; l < L; l++) {
        const w = values(params, `cross/layer_${l}/kernel`);
        const bias = values(params, `cross/layer_${l}/bias`);
        const s = xl.reduce((acc, v, k) => acc + v * w[k]!, 0);
        xl = xl.map((v, k) => r0[k]! * s + bias[k]! + v);
      }
      expected.push(...xl);
    }
    const got = run(() => net.apply(tf.tensor2d(x0, [B, d])));
    expect(maxAbsDiff(got, expected)).toBeLessThan(TOL);
    expect(got[0]).toBeCloseTo(PIN.cross, PIN_DIGITS);
  });

  it("has one [d, 1] kernel and one [d] bias per layer, and is the identity with zero layers", () => {
    const params = new ParamStore(randomSource(2), "test");
    const net = new CrossNet(params, "cross", 6, 2);
    expect(params.entries().map(([n, v]) => `${n}:${v.shape.join("x")}`)).toEqual(["cross/layer_0/kernel:6x1", "cross/layer_0/bias:6", "cross/layer_1/kernel:6x1", "cross/layer_1/bias:6"]);
    expect(net.layers).toHaveLength(2);
    const x = normals(randomSource(5), 12);
    expect(maxAbsDiff(run(() => new CrossNet(new ParamStore(randomSource(2)), "c", 6, 0).apply(tf.tensor2d(x, [2, 6]))), x)).toBe(0);
  });
});

describe("CrossNetV2 (DCN-V2)", () => {
  it("matches the loop x_{l+1} = x0 ⊙ (W_l x_l + b_l) + x_l with full-rank W_l", () => {
    const [B, d, L] = [2, 5, 2];
    const params = new ParamStore(randomSource(6), "test");
    const net = new CrossNetV2(params, "cross", d, L);
    randomise(params, randomSource(7));
    const x0 = normals(randomSource(8), B * d);
    const expected: number[] = [];
    for (let b = 0; b < B; b++) {
      const r0 = Array.from(x0.subarray(b * d, b * d + d));
      let xl = r0.slice();
      for (let l = 0; l < L; l++) {
        const wx = vecMat(xl, values(params, `cross/layer_${l}/kernel`), d, d);
        const bias = values(params, `cross/layer_${l}/bias`);
        xl = xl.map((v, k) => r0[k]! * (wx[k]! + bias[k]!) + v);
      }
      expected.push(...xl);
    }
    const got = run(() => net.apply(tf.tensor2d(x0, [B, d])));
    expect(maxAbsDiff(got, expected)).toBeLessThan(TOL);
    expect(got[0]).toBeCloseTo(PIN.crossV2, PIN_DIGITS);
  });
});

describe("Cin (xDeepFM)", () => {
  it("matches explicit loops over the field outer products, 1×1 convolutions and sum pooling", () => {
    const [B, F, D] = [2, 3, 4];
    const hidden = [2, 3];
    const params = new ParamStore(randomSource(9), "test");
    const cin = new Cin(params, "cin", F, hidden);
    randomise(params, randomSource(10));
    const { t, x } = embeddings(11, B, F, D);
    const expected: number[] = [];
    for (let b = 0; b < B; b++) {
      const x0 = (f: number, d: number) => x[(b * F + f) * D + d]!;
      let prev: number[][] = Array.from({ length: F }, (_, f) => Array.from({ length: D }, (_, d) => x0(f, d)));
      const pooled: number[] = [];
      hidden.forEach((units, k) => {
        const w = values(params, `cin/layer_${k}/kernel`);
        const bias = values(params, `cin/layer_${k}/bias`);
        const h = prev.length;
        const next: number[][] = [];
        for (let c = 0; c < units; c++) {
          const row: number[] = [];
          for (let d = 0; d < D; d++) {
            let s = bias[c]!;
            for (let f = 0; f < F; f++) for (let m = 0; m < h; m++) s += w[(f * h + m) * units + c]! * x0(f, d) * prev[m]![d]!;
            row.push(s);
          }
          next.push(row);
          pooled.push(row.reduce((a, v) => a + v, 0));
        }
        prev = next;
      });
      const out = vecMat(pooled, values(params, "cin/output/kernel"), pooled.length, 1);
      expected.push(out[0]! + values(params, "cin/output/bias")[0]!);
    }
    const got = run(() => cin.apply(t));
    expect(maxAbsDiff(got, expected)).toBeLessThan(TOL);
    expect(got[0]).toBeCloseTo(PIN.cin, PIN_DIGITS);
  });

  it("rejects an empty list of layers, naming the block", () => {
    expect(() => new Cin(new ParamStore(randomSource(1)), "cin", 3, [])).toThrow(/Cin: 'hiddenUnits' of 'cin'/);
  });
});

/** Explicit multi-head self-attention (AutoInt) for one row: x is [F][inDim]. */
function attentionLoop(x: number[][], params: ParamStore, name: string, a: number, heads: number, useScale: boolean, hasWres: boolean): number[][] {
  const inDim = x[0]!.length;
  const proj = (w: string) => x.map((row) => vecMat(row, values(params, `${name}/${w}/kernel`), inDim, a));
  const [q, k, v] = [proj("W_q"), proj("W_k"), proj("W_v")];
  const res = hasWres ? proj("W_res") : x;
  const dh = a / heads;
  const out = x.map(() => new Array<number>(a).fill(0));
  for (let h = 0; h < heads; h++)
    for (let i = 0; i < x.length; i++) {
      const scores = x.map((_, j) => {
        let s = 0;
        for (let c = h * dh; c < (h + 1) * dh; c++) s += q[i]![c]! * k[j]![c]!;
        return useScale ? s / Math.sqrt(dh) : s;
      });
      const max = Math.max(...scores);
      const exps = scores.map((s) => Math.exp(s - max));
      const z = exps.reduce((acc, e) => acc + e, 0);
      for (let j = 0; j < x.length; j++) for (let c = h * dh; c < (h + 1) * dh; c++) out[i]![c]! += (exps[j]! / z) * v[j]![c]!;
    }
  return out.map((row, i) => row.map((val, c) => Math.max(0, val + res[i]![c]!)));
}

describe("SelfAttention (AutoInt)", () => {
  const [B, F] = [2, 4];

  it("matches explicit softmax loops with two heads, scaling and a projected residual", () => {
    const params = new ParamStore(randomSource(12), "test");
    const layer = new SelfAttention(params, "att", 3, { attentionDim: 4, numHeads: 2, useResidual: true, useScale: true });
    expect(layer.residual).not.toBeNull();
    const { t, x } = embeddings(13, B, F, 3);
    const expected: number[] = [];
    for (let b = 0; b < B; b++) {
      const rows = Array.from({ length: F }, (_, f) => Array.from(x.subarray((b * F + f) * 3, (b * F + f + 1) * 3)));
      expected.push(...attentionLoop(rows, params, "att", 4, 2, true, true).flat());
    }
    const got = run(() => layer.apply(t));
    expect(maxAbsDiff(got, expected)).toBeLessThan(TOL);
    expect(got[2]).toBeCloseTo(PIN.attention, PIN_DIGITS);
  });

  it("adds the input itself as the residual when the widths agree (one head, no scaling)", () => {
    const params = new ParamStore(randomSource(14), "test");
    const layer = new SelfAttention(params, "att", 4, { attentionDim: 4, numHeads: 1, useResidual: true, useScale: false });
    expect(layer.residual).toBeNull();
    const { t, x } = embeddings(15, B, F, 4);
    const expected: number[] = [];
    for (let b = 0; b < B; b++) {
      const rows = Array.from({ length: F }, (_, f) => Array.from(x.subarray((b * F + f) * 4, (b * F + f + 1) * 4)));
      expected.push(...attentionLoop(rows, params, "att", 4, 1, false, false).flat());
    }
    expect(maxAbsDiff(run(() => layer.apply(t)), expected)).toBeLessThan(TOL);
  });

  it("rejects an attentionDim that the heads do not divide", () => {
    expect(() => new SelfAttention(new ParamStore(randomSource(1)), "att", 3, { attentionDim: 5, numHeads: 2, useResidual: true, useScale: false })).toThrow(
      /SelfAttention: 'attentionDim' \(5\) of 'att' must be a multiple of 'numHeads' \(2\)/,
    );
  });
});

describe("SqueezeExcitation (FiBiNET)", () => {
  for (const activation of ["relu", "sigmoid"] as const)
    it(`re-weights each field by act(ReLU(mean(e)·W1)·W2) with a ${activation} excitation`, () => {
      const [B, F, D] = [2, 5, 3];
      const params = new ParamStore(randomSource(16), "test");
      const se = new SqueezeExcitation(params, "senet", F, 2, activation);
      expect(params.get("senet/W_1/kernel").shape).toEqual([5, 2]);
      const { t, x } = embeddings(17, B, F, D);
      const expected: number[] = [];
      for (let b = 0; b < B; b++) {
        const z = Array.from({ length: F }, (_, f) => (x[(b * F + f) * D]! + x[(b * F + f) * D + 1]! + x[(b * F + f) * D + 2]!) / D);
        const r = vecMat(z, values(params, "senet/W_1/kernel"), F, 2).map((v) => Math.max(0, v));
        const a = vecMat(r, values(params, "senet/W_2/kernel"), 2, F).map((v) => (activation === "relu" ? Math.max(0, v) : 1 / (1 + Math.exp(-v))));
        for (let f = 0; f < F; f++) for (let d = 0; d < D; d++) expected.push(x[(b * F + f) * D + d]! * a[f]!);
      }
      const got = run(() => se.apply(t));
      expect(maxAbsDiff(got, expected)).toBeLessThan(TOL);
      if (activation === "sigmoid") expect(got[0]).toBeCloseTo(PIN.senet, PIN_DIGITS);
    });
});

describe("BilinearInteraction (FiBiNET)", () => {
  const [B, F, D] = [2, 4, 3];
  const pairs: [number, number][] = [];
  for (let i = 0; i < F; i++) for (let j = i + 1; j < F; j++) pairs.push([i, j]);
  const P = pairs.length;

  /** The D×D matrix of group k, pair number p = (i, j), read from the kernel in its documented layout. */
  function matrix(params: ParamStore, type: BilinearType, k: number, p: number, i: number): (r: number, c: number) => number {
    const w = values(params, "bi/kernel");
    const which = type === "field_all" ? k : type === "field_each" ? k * (F - 1) + i : k * P + p;
    return (r, c) => w[(which * D + r) * D + c]!;
  }

  for (const groups of [1, 2])
    for (const type of ["field_all", "field_each", "field_interaction"] as const)
      it(`computes (v_i W) ⊙ v_j for every pair i < j in order, with ${type} matrices, for ${groups} group${groups > 1 ? "s" : ""}`, () => {
        const params = new ParamStore(randomSource(18), "test");
        const layer = new BilinearInteraction(params, "bi", F, D, type, groups);
        expect(params.count()).toBe(groups * { field_all: 1, field_each: F - 1, field_interaction: P }[type] * D * D);
        const inputs = Array.from({ length: groups }, (_, k) => embeddings(19 + k, B, F, D));
        const expected: number[] = [];
        for (let b = 0; b < B; b++)
          for (let k = 0; k < groups; k++) {
            const x = inputs[k]!.x;
            const v = (f: number, d: number) => x[(b * F + f) * D + d]!;
            for (const [p, [i, j]] of pairs.entries()) {
              const w = matrix(params, type, k, p, i);
              for (let c = 0; c < D; c++) {
                let s = 0;
                for (let r = 0; r < D; r++) s += v(i, r) * w(r, c);
                expected.push(s * v(j, c));
              }
            }
          }
        const got = run(() => layer.apply(...inputs.map((e) => e.t)));
        expect(maxAbsDiff(got, expected)).toBeLessThan(TOL);
        if (groups === 1) expect(got[got.length - 1]).toBeCloseTo(PIN.bilinear[type], PIN_DIGITS);
      });

  it("rejects an unknown bilinear type and a wrong number of inputs", () => {
    expect(() => new BilinearInteraction(new ParamStore(randomSource(1)), "bi", F, D, "field_pair" as BilinearType)).toThrow(/BilinearInteraction: 'type' must be one of field_all, field_each, field_interaction, got 'field_pair'/);
    const layer = new BilinearInteraction(new ParamStore(randomSource(1)), "bi", F, D, "field_all", 2);
    expect(() => layer.apply(embeddings(1, B, F, D).t)).toThrow(/BilinearInteraction\.apply: expected 2 inputs, got 1/);
  });
});

describe("InnerProductInteraction (IPNN)", () => {
  it("returns ⟨e_i, e_j⟩ for every pair i < j in the order (0,1), (0,2), …, (1,2), …", () => {
    const [B, F, D] = [3, 5, 2];
    const { t, x } = embeddings(20, B, F, D);
    const expected: number[] = [];
    for (let b = 0; b < B; b++)
      for (let i = 0; i < F; i++)
        for (let j = i + 1; j < F; j++) {
          let s = 0;
          for (let d = 0; d < D; d++) s += x[(b * F + i) * D + d]! * x[(b * F + j) * D + d]!;
          expected.push(s);
        }
    const got = run(() => new InnerProductInteraction(F).apply(t));
    expect(maxAbsDiff(got, expected)).toBeLessThan(TOL);
    expect(got[0]).toBeCloseTo(PIN.innerProduct, PIN_DIGITS);
  });

  it("gives no pairs for a single field", () => {
    expect(tf.tidy(() => new InnerProductInteraction(1).apply(tf.ones([2, 1, 3]) as tf.Tensor3D)).shape).toEqual([2, 0]);
  });
});

/** Output numbers pinned from this implementation (checked against the loops above when pinned). */
const PIN = {
  fm: -0.444119,
  cross: -0.709967,
  crossV2: 0.874143,
  cin: 0.661818,
  attention: 1.564549,
  senet: 0.181924,
  bilinear: { field_all: -0.405052, field_each: 0.768477, field_interaction: -1.078992 },
  innerProduct: -0.380647,
};
