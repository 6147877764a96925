import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { selectBackend } from "../../sdk/backend";
import { mulberry32 } from "../../sdk/data/prng";
import { randomSource } from "../../sdk/layers/random";
import type { CtrModel } from "../../sdk/models/model";
import { buildModel } from "../../sdk/models/registry";
import { remapProblem, type EmbeddingRemap } from "../../sdk/runtime/embedding-remap";
import { slotLayoutOf } from "../../sdk/runtime/slots";
import { DenseOptimizer } from "../../sdk/train/dense-optimizer";
import { DEFAULT_OPTIMIZER } from "../../sdk/train/optimizer-config";
import { trainStep } from "../../sdk/train/step";
import { bceLoss } from "../../sdk/train/train-teacher";

/**
 * The training gradient of a quotient–remainder embedding (Shi et al., KDD 2020, the "mult" operation, the only
 * one implemented: a field's vector is (remainder row · value) ⊙ quotient row). One trainStep's analytic gradient
 * with respect to the student's table (tfjs's backward pass, then EmbeddingTable's product rule) is compared with
 * central finite differences of the loss, computed in float64 by a forward pass written here from the op's
 * definition (row l mod M, row M + ⌊l / M⌋), not from the remap's lookups.
 */

/** D. */
const DIM = 3;
/** The MLP's one hidden layer. */
const HIDDEN = 4;
/** Rows of the batch. */
const N = 9;
/** Step of the central differences (float64 loss: the error is O(h²) ≈ 1e-10). */
const H = 1e-5;

/**
 * Three fields: qr with M = 3 over 7 ids (rows 0–2 remainder, 3–5 quotient), identity over 2, and a pooled
 * (two-slot) qr field with M = 2 over 5 ids (rows 8–9 remainder, 10–12 quotient).
 */
const REMAP: EmbeddingRemap = {
  fields: [
    { inputOffset: 0, inputSize: 7, op: "qr", param: 3, rowOffset: 0, rows: 6 },
    { inputOffset: 7, inputSize: 2, op: "identity", param: 0, rowOffset: 6, rows: 2 },
    { inputOffset: 9, inputSize: 5, op: "qr", param: 2, rowOffset: 8, rows: 5 },
  ],
  inputRows: 14,
  totalRows: 13,
};
const LAYOUT = slotLayoutOf([1, 1, 2]);

interface Batch {
  ids: Int32Array;
  values: Float32Array;
  labels: Float32Array;
  n: number;
  index: Int32Array;
}

/** Every id of both qr fields appears, with values other than 1 (and one padded slot, value 0). */
function tinyBatch(): Batch {
  const rand = mulberry32(11);
  const S = LAYOUT.numSlots;
  const ids = new Int32Array(N * S);
  const values = new Float32Array(N * S);
  for (let r = 0; r < N; r++) {
    ids.set([r % 7, 7 + (r % 2), 9 + (r % 5), 9 + ((r * 3 + 1) % 5)], r * S);
    values.set([0.5 + rand(), 1, 0.5, r === 4 ? 0 : 0.5], r * S);
  }
  const labels = Float32Array.from({ length: N }, (_, r) => (r % 3 === 0 ? 1 : 0));
  return { ids, values, labels, n: N, index: Int32Array.from({ length: N }, (_, r) => r) };
}

/** The student's dense parameters as float64 arrays: hidden kernel [F·D][H] and bias, output kernel [H] and bias. */
function denseOf(model: CtrModel): { k0: Float64Array; b0: Float64Array; k1: Float64Array; b1: number } {
  const read = (name: string) => Float64Array.from(model.params.get(name).dataSync());
  return { k0: read("mlp/dense_0/kernel"), b0: read("mlp/dense_0/bias"), k1: read("mlp/output/kernel"), b1: read("mlp/output/bias")[0]! };
}

/** The batch's mean log loss in float64, each field's vector from the qr definition: Σ_slots (w[l mod M] · v) ⊙ w[M + ⌊l / M⌋]. */
function referenceLoss(w: Float64Array, dense: ReturnType<typeof denseOf>, batch: Batch): number {
  const F = LAYOUT.numFields;
  let total = 0;
  for (let r = 0; r < batch.n; r++) {
    const x = new Float64Array(F * DIM);
    let s = r * LAYOUT.numSlots;
    REMAP.fields.forEach((field, f) => {
      for (let k = 0; k < LAYOUT.slotCounts[f]!; k++, s++) {
        const local = batch.ids[s]! - field.inputOffset;
        const v = batch.values[s]!;
        const M = field.param;
        const first = field.rowOffset + (field.op === "qr" ? local % M : local);
        const second = field.op === "qr" ? field.rowOffset + M + Math.floor(local / M) : -1;
        for (let d = 0; d < DIM; d++) x[f * DIM + d]! += w[first * DIM + d]! * v * (second < 0 ? 1 : w[second * DIM + d]!);
      }
    });
    let z = dense.b1;
    for (let j = 0; j < HIDDEN; j++) {
      let h = dense.b0[j]!;
      for (let i = 0; i < F * DIM; i++) h += x[i]! * dense.k0[i * HIDDEN + j]!;
      z += Math.max(0, h) * dense.k1[j]!;
    }
    const y = batch.labels[r]!;
    total += Math.max(z, 0) - z * y + Math.log1p(Math.exp(-Math.abs(z)));
  }
  return total / batch.n;
}

describe("the gradient of a quotient–remainder (product) embedding", () => {
  let model: CtrModel;
  let batch: Batch;
  let analytic: Float32Array;
  let numeric: Float64Array;
  let stepLoss: number;
  let loss0: number;

  beforeAll(async () => {
    await selectBackend();
    expect(remapProblem(REMAP, LAYOUT.numFields)).toBeNull();
    model = buildModel(
      "DNN",
      { embeddingDim: DIM, hiddenUnits: [HIDDEN], embeddingRegularizer: 0 },
      { numFields: LAYOUT.numFields, totalRows: REMAP.inputRows, rng: randomSource(5), remap: REMAP },
    );
    const table = model.tables[0]!;
    expect(table.rows).toBe(REMAP.totalRows);
    // Every row random (quotient rows start at exactly 1 otherwise): the two factors of a product differ.
    const rand = mulberry32(3);
    for (let j = 0; j < table.weights.length; j++) table.weights[j] = rand() * 2 - 1;
    batch = tinyBatch();

    const dense = denseOf(model);
    const w = Float64Array.from(table.weights);
    loss0 = referenceLoss(w, dense, batch);
    numeric = new Float64Array(w.length);
    for (let j = 0; j < w.length; j++) {
      const at = w[j]!;
      w[j] = at + H;
      const up = referenceLoss(w, dense, batch);
      w[j] = at - H;
      const down = referenceLoss(w, dense, batch);
      w[j] = at;
      numeric[j] = (up - down) / (2 * H);
    }

    // The training step's own gradient: what the table would hand its optimizer, read instead of applied.
    vi.spyOn(table, "applyGradient").mockImplementation((ids, values, count, grad, _opt, scale) => {
      analytic = table.gradient(ids, values, count, grad, scale);
    });
    stepLoss = trainStep(model, batch, (out, labels) => bceLoss(out.logit, labels), {
      layout: LAYOUT,
      clipNorm: 0,
      optimizer: new DenseOptimizer(DEFAULT_OPTIMIZER),
      sparse: DEFAULT_OPTIMIZER,
    });
  });

  afterEach(() => vi.restoreAllMocks());

  /** The largest |analytic − numeric| over the rows [from, to) of the table, and the largest |numeric| there. */
  function rowsError(from: number, to: number): { error: number; scale: number } {
    let error = 0;
    let scale = 0;
    for (let j = from * DIM; j < to * DIM; j++) {
      error = Math.max(error, Math.abs(analytic[j]! - numeric[j]!));
      scale = Math.max(scale, Math.abs(numeric[j]!));
    }
    return { error, scale };
  }

  it("runs the forward pass the reference runs (the same loss within float32 rounding)", () => {
    expect(Math.abs(stepLoss - loss0)).toBeLessThan(1e-6);
  });

  it.each<[string, number, number]>([
    ["remainder rows of the first qr field", 0, 3],
    ["quotient rows of the first qr field", 3, 6],
    ["rows of the identity field", 6, 8],
    ["remainder rows of the pooled qr field", 8, 10],
    ["quotient rows of the pooled qr field", 10, 13],
  ])("matches central differences of the loss on the %s", (_name, from, to) => {
    const { error, scale } = rowsError(from, to);
    // Not vacuous: every row of the range has a gradient well above the tolerance.
    for (let row = from; row < to; row++) expect(Math.max(...numeric.subarray(row * DIM, row * DIM + DIM).map(Math.abs)), `row ${row}`).toBeGreaterThan(1e-3);
    expect(error).toBeLessThan(1e-4 * scale);
  });
});
