import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../../sdk/backend";
import { EmbeddingTable } from "../../sdk/layers/embedding-table";
import { randomSource } from "../../sdk/layers/random";
import { DenseOptimizer } from "../../sdk/train/dense-optimizer";
import { DEFAULT_OPTIMIZER, optimizerOf, type AdamVariant, type OptimizerConfig } from "../../sdk/train/optimizer-config";

/**
 * Adam in float64 as each library documents it, written independently of the code under test.
 * PyTorch (torch.optim.Adam): m̂ = m/(1−β1^t), v̂ = v/(1−β2^t), w −= lr·m̂/(√v̂ + ε).
 * Keras (tf.keras Adam):      lr_t = lr·√(1−β2^t)/(1−β1^t),   w −= lr_t·m/(√v + ε).
 */
class ReferenceAdam {
  readonly m: Float64Array;
  readonly v: Float64Array;
  t = 0;

  constructor(
    size: number,
    private readonly variant: AdamVariant,
    private readonly opt: OptimizerConfig,
  ) {
    this.m = new Float64Array(size);
    this.v = new Float64Array(size);
  }

  /** One step on w[from .. from+g.length) with gradient g. */
  step(w: Float64Array, from: number, g: ArrayLike<number>): void {
    const { beta1, beta2, epsilon, learningRate: lr } = this.opt;
    this.t++;
    for (let k = 0; k < g.length; k++) {
      const j = from + k;
      this.m[j] = beta1 * this.m[j]! + (1 - beta1) * g[k]!;
      this.v[j] = beta2 * this.v[j]! + (1 - beta2) * g[k]! * g[k]!;
      if (this.variant === "pytorch") {
        const mHat = this.m[j]! / (1 - beta1 ** this.t);
        const vHat = this.v[j]! / (1 - beta2 ** this.t);
        w[j]! -= (lr * mHat) / (Math.sqrt(vHat) + epsilon);
      } else {
        const lrT = (lr * Math.sqrt(1 - beta2 ** this.t)) / (1 - beta1 ** this.t);
        w[j]! -= (lrT * this.m[j]!) / (Math.sqrt(this.v[j]!) + epsilon);
      }
    }
  }
}

const VARIANTS: AdamVariant[] = ["pytorch", "keras"];

function adamConfig(variant: AdamVariant, learningRate: number): OptimizerConfig {
  return optimizerOf({ optimizer: "adam", adamVariant: variant, learningRate, embeddingUpdate: "lazy" });
}

beforeAll(async () => {
  await selectBackend("cpu");
});

describe("optimizer settings", () => {
  it("defaults to PyTorch's Adam (ε = 1e-8 after bias correction); keras keeps ε = 1e-7", () => {
    expect(DEFAULT_OPTIMIZER).toMatchObject({ kind: "adam", adamVariant: "pytorch", epsilon: 1e-8, beta1: 0.9, beta2: 0.999 });
    expect(adamConfig("pytorch", 1e-3).epsilon).toBe(1e-8);
    expect(adamConfig("keras", 1e-3).epsilon).toBe(1e-7);
  });
});

describe("EmbeddingTable lazy Adam", () => {
  const ROWS = 6;
  const DIM = 3;
  const L2 = 0.01;
  /**
   * Batches of slot ids: row 0 every step (twice in some, so its gradients add up), row 5 only at steps 2
   * and 7 (a rare row, whose own step count differs most from the global one), row 4 never.
   */
  const BATCHES: number[][] = [[0, 1, 0], [0, 2, 5], [0, 1], [0, 3, 0], [0, 2], [1, 3], [0, 5, 1], [0, 2, 3]];
  /** Gradient magnitudes from 1e-8 to 1e-2, so that ε's size and placement both show in the updates. */
  const gradOf = (step: number, slot: number, k: number) => Math.sin(1 + step * 7 + slot * 3 + k) * 10 ** -(2 + ((step + slot + k) % 7));
  const valueOf = (step: number, slot: number) => 0.5 + ((step + slot) % 3) * 0.75;

  for (const variant of VARIANTS) {
    it(`matches a dense float64 ${variant} Adam with per-row step counts, L2 on touched rows, values and clipping scale`, () => {
      const opt = adamConfig(variant, 0.01);
      const table = new EmbeddingTable("t", ROWS, DIM, randomSource(1), 0.1, L2);
      const w = Float64Array.from(table.weights);
      const initial = Float64Array.from(table.weights);
      // One reference optimiser per row: lazy Adam counts each row's own steps.
      const perRow = Array.from({ length: ROWS }, () => new ReferenceAdam(ROWS * DIM, variant, opt));
      BATCHES.forEach((ids, step) => {
        const scale = step % 2 === 0 ? 1 : 0.6;
        const values = Float32Array.from(ids, (_, s) => valueOf(step, s));
        const grad = new Float32Array(ids.length * DIM);
        for (let s = 0; s < ids.length; s++) for (let k = 0; k < DIM; k++) grad[s * DIM + k] = gradOf(step, s, k);
        // The reference gradient of each touched row: Σ over its slots of grad·value·scale, plus λ·w.
        const rowGrad = new Map<number, Float64Array>();
        ids.forEach((row, s) => {
          const g = rowGrad.get(row) ?? new Float64Array(DIM);
          for (let k = 0; k < DIM; k++) g[k]! += grad[s * DIM + k]! * values[s]! * scale;
          rowGrad.set(row, g);
        });
        for (const [row, g] of rowGrad) {
          for (let k = 0; k < DIM; k++) g[k]! += L2 * w[row * DIM + k]!;
          perRow[row]!.step(w, row * DIM, g);
        }
        table.applyGradient(Int32Array.from(ids), values, ids.length, grad, opt, scale);
      });
      for (let j = 0; j < ROWS * DIM; j++) expect(Math.abs(table.weights[j]! - w[j]!), `weight ${j}`).toBeLessThan(2e-7);
      // Row 4 was never touched: lazy, so it keeps its initial weights exactly.
      for (let k = 0; k < DIM; k++) expect(table.weights[4 * DIM + k]).toBe(initial[4 * DIM + k]);
    });
  }

  for (const variant of VARIANTS) {
    it(`embeddingUpdate "dense" matches one float64 ${variant} Adam over the whole table: global steps, every row moves`, () => {
      const opt = { ...adamConfig(variant, 0.01), embeddingUpdate: "dense" as const };
      const table = new EmbeddingTable("t", ROWS, DIM, randomSource(1), 0.1, L2);
      const w = Float64Array.from(table.weights);
      const initial = Float64Array.from(table.weights);
      const reference = new ReferenceAdam(ROWS * DIM, variant, opt);
      BATCHES.forEach((ids, step) => {
        const values = Float32Array.from(ids, (_, s) => valueOf(step, s));
        const grad = new Float32Array(ids.length * DIM);
        for (let s = 0; s < ids.length; s++) for (let k = 0; k < DIM; k++) grad[s * DIM + k] = gradOf(step, s, k);
        // The whole table's gradient: Σ over each row's slots of grad·value, zero for rows the batch missed, + λ·w.
        const g = new Float64Array(ROWS * DIM);
        ids.forEach((row, s) => {
          for (let k = 0; k < DIM; k++) g[row * DIM + k]! += grad[s * DIM + k]! * values[s]!;
        });
        for (let j = 0; j < ROWS * DIM; j++) g[j]! += L2 * w[j]!;
        reference.step(w, 0, g);
        table.applyGradient(Int32Array.from(ids), values, ids.length, grad, opt);
      });
      for (let j = 0; j < ROWS * DIM; j++) expect(Math.abs(table.weights[j]! - w[j]!), `weight ${j}`).toBeLessThan(2e-7);
      // Row 4 was never in a batch, yet L2 decays it: dense moves every row (lazy would leave it as it was).
      for (let k = 0; k < DIM; k++) expect(table.weights[4 * DIM + k]).not.toBe(initial[4 * DIM + k]);
    });
  }

  it("the two variants differ where ε matters (tiny gradients), so the check above can tell them apart", () => {
    const tables = VARIANTS.map((variant) => {
      const table = new EmbeddingTable("t", 1, 1, randomSource(1), 0, 0);
      table.applyGradient(Int32Array.of(0), Float32Array.of(1), 1, Float32Array.of(1e-7), adamConfig(variant, 0.01));
      return table.weights[0]!;
    });
    // PyTorch: the first step is ≈ −lr·sign(g) once |g| ≫ ε; Keras' larger, uncorrected ε shrinks it a lot.
    expect(tables[0]).toBeCloseTo(-0.01 * (1e-7 / (1e-7 + 1e-8)), 6);
    expect(Math.abs(tables[1]!)).toBeLessThan(0.004);
  });
});

describe("DenseOptimizer", () => {
  const gradAt = (step: number, k: number) => Math.cos(step * 5 + k) * 10 ** -(1 + ((step + k) % 8));

  for (const variant of VARIANTS) {
    it(`matches a float64 ${variant} Adam, with the clipping scale and a learning-rate change mid-run`, () => {
      const opt = adamConfig(variant, 0.01);
      const start = [0.3, -0.2, 0.05, 1.5, -0.7];
      const variable = tf.variable(tf.tensor1d(start));
      const optimizer = new DenseOptimizer({ ...opt });
      const reference = new ReferenceAdam(start.length, variant, opt);
      const w = Float64Array.from(variable.dataSync());
      for (let step = 0; step < 12; step++) {
        // Plateau decay: the optimiser's learning rate changes under it; so does the reference's.
        if (step === 6) optimizer.config.learningRate = opt.learningRate = 0.001;
        const scale = step % 3 === 0 ? 0.5 : 1;
        const g = start.map((_, k) => gradAt(step, k));
        const grad = tf.tensor1d(g);
        optimizer.apply([[variable, grad]], scale);
        grad.dispose();
        reference.step(
          w,
          0,
          g.map((x) => Math.fround(x) * scale),
        );
      }
      const got = variable.dataSync();
      for (let k = 0; k < start.length; k++) expect(Math.abs(got[k]! - w[k]!), `weight ${k}`).toBeLessThan(2e-6);
      optimizer.dispose();
      variable.dispose();
    });
  }

  it("Adagrad matches its float64 reference (accumulator from 0.1, ε = 1e-7)", () => {
    const opt = optimizerOf({ optimizer: "adagrad", adamVariant: "pytorch", learningRate: 0.05, embeddingUpdate: "lazy" });
    const variable = tf.variable(tf.tensor1d([0.2, -0.4]));
    const optimizer = new DenseOptimizer({ ...opt });
    const w = Float64Array.from(variable.dataSync());
    const acc = new Float64Array(2).fill(0.1);
    for (let step = 0; step < 5; step++) {
      const g = [gradAt(step, 0), gradAt(step, 1)];
      const grad = tf.tensor1d(g);
      optimizer.apply([[variable, grad]]);
      grad.dispose();
      for (let k = 0; k < 2; k++) {
        const gk = Math.fround(g[k]!);
        acc[k]! += gk * gk;
        w[k]! -= (0.05 * gk) / (Math.sqrt(acc[k]!) + 1e-7);
      }
    }
    const got = variable.dataSync();
    for (let k = 0; k < 2; k++) expect(Math.abs(got[k]! - w[k]!)).toBeLessThan(1e-6);
    optimizer.dispose();
    variable.dispose();
  });
});
