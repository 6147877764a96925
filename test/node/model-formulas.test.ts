import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../../sdk/backend";
import { randomSource } from "../../sdk/layers/random";
import { disposeModel, type CtrModel } from "../../sdk/models/model";
import { buildModel } from "../../sdk/models/zoo";
import { unpooledLayout } from "../../sdk/runtime/slots";
import { gatherEmbeddings } from "../../sdk/train/step";

/**
 * Each model's forward pass on a tiny configuration against its paper's formula, written out in float64
 * over explicit pairs of fields (not the O(F·D) identity the layers use). Weights are set to O(1) values
 * and biases to non-zero ones, so that every term weighs in the logit.
 */
const F = 3;
const D = 2;
const ROWS = 7;
const HIDDEN = 3;
const IDS = Int32Array.from([0, 3, 5, 1, 4, 6, 2, 3, 5, 0, 4, 6]);
const VALUES = Float32Array.from([1, 1, 0.5, 1, 2, 1, 1, 1, -1.5, 1, 0.25, 1]);
const N = IDS.length / F;

beforeAll(async () => {
  await selectBackend("cpu");
});

function build(name: string, hp: Record<string, unknown>): CtrModel {
  const model = buildModel(name, hp, { numFields: F, totalRows: ROWS, rng: randomSource(5) });
  const rng = randomSource(11);
  for (const t of model.tables) for (let j = 0; j < t.weights.length; j++) t.weights[j] = rng.normal() * 0.7;
  for (const [name, v] of model.params.entries())
    if (name.endsWith("bias")) tf.tidy(() => v.assign(tf.tensor(Array.from({ length: v.size }, () => rng.normal() * 0.3), v.shape)));
  return model;
}

function forward(model: CtrModel): Float32Array {
  return tf.tidy(() => model.forward(gatherEmbeddings(model, { ids: IDS, values: VALUES, n: N, layout: unpooledLayout(F) }), false).logit.dataSync() as Float32Array);
}

/** Row r's scaled embedding of field f: table[id]·value. */
function embedding(model: CtrModel, table: number, r: number, f: number): number[] {
  const t = model.tables[table]!;
  const i = r * F + f;
  return Array.from({ length: t.dim }, (_, k) => t.weights[IDS[i]! * t.dim + k]! * VALUES[i]!);
}

function values(model: CtrModel, name: string): number[] {
  return Array.from(model.params.get(name).dataSync());
}

/** Σ_f w_f·x_f + b. */
function linearTerm(model: CtrModel, table: number, r: number): number {
  let sum = values(model, "linear/bias")[0]!;
  for (let f = 0; f < F; f++) sum += embedding(model, table, r, f)[0]!;
  return sum;
}

/** Σ_{i<j} e_i ⊙ e_j, per dimension. */
function pairwiseProducts(model: CtrModel, r: number): number[] {
  const out = new Array<number>(D).fill(0);
  for (let i = 0; i < F; i++)
    for (let j = i + 1; j < F; j++) {
      const a = embedding(model, 0, r, i);
      const b = embedding(model, 0, r, j);
      for (let k = 0; k < D; k++) out[k]! += a[k]! * b[k]!;
    }
  return out;
}

/** relu(x·W0 + b0) → ·Wout + bout, kernels [in, out] row-major. */
function mlp(model: CtrModel, x: number[]): number {
  const k0 = values(model, "mlp/dense_0/kernel");
  const b0 = values(model, "mlp/dense_0/bias");
  const ko = values(model, "mlp/output/kernel");
  const bo = values(model, "mlp/output/bias");
  let out = bo[0]!;
  for (let h = 0; h < HIDDEN; h++) {
    let a = b0[h]!;
    for (let i = 0; i < x.length; i++) a += x[i]! * k0[i * HIDDEN + h]!;
    out += Math.max(a, 0) * ko[h]!;
  }
  return out;
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/** The hand formula of each model, row r. */
const FORMULAS: Record<string, { hp: Record<string, unknown>; logit: (m: CtrModel, r: number) => number }> = {
  LR: { hp: {}, logit: (m, r) => linearTerm(m, 0, r) },
  FM: { hp: { embeddingDim: D }, logit: (m, r) => linearTerm(m, 1, r) + sum(pairwiseProducts(m, r)) },
  DeepFM: {
    hp: { embeddingDim: D, hiddenUnits: [HIDDEN] },
    logit: (m, r) => linearTerm(m, 1, r) + sum(pairwiseProducts(m, r)) + mlp(m, Array.from({ length: F }, (_, f) => embedding(m, 0, r, f)).flat()),
  },
  NFM: { hp: { embeddingDim: D, hiddenUnits: [HIDDEN] }, logit: (m, r) => linearTerm(m, 1, r) + mlp(m, pairwiseProducts(m, r)) },
};

describe("model forward passes against their formulas", () => {
  for (const [name, { hp, logit }] of Object.entries(FORMULAS)) {
    it(`${name}`, () => {
      const model = build(name, hp);
      const got = forward(model);
      for (let r = 0; r < N; r++) expect(got[r], `row ${r}`).toBeCloseTo(logit(model, r), 5);
      disposeModel(model);
    });
  }

  it("DeepFM's FM term weighs in the check: without it the formula misses by far more than the tolerance", () => {
    const model = build("DeepFM", FORMULAS.DeepFM!.hp);
    const fm = Array.from({ length: N }, (_, r) => Math.abs(sum(pairwiseProducts(model, r))));
    expect(Math.max(...fm)).toBeGreaterThan(0.1);
    disposeModel(model);
  });
});
